# ParaView Catalyst (legacy API: vtkCPProcessor, vtkCPPythonPipeline) for in-situ
# visualisation. TESSERA_CATALYST = AUTO (build the adaptor when ParaView is found), ON
# (require it), OFF (never). Sets TESSERA_HAVE_CATALYST and the target tessera_catalyst_deps.
set(TESSERA_CATALYST AUTO CACHE STRING "Build the ParaView Catalyst adaptor: AUTO, ON or OFF")
set_property(CACHE TESSERA_CATALYST PROPERTY STRINGS AUTO ON OFF)

set(TESSERA_HAVE_CATALYST OFF)
if(NOT TESSERA_CATALYST STREQUAL "OFF")
  # Only these components: find_package(ParaView) without components wants the Qt dev packages.
  if(TESSERA_CATALYST STREQUAL "ON")
    find_package(ParaView 5.11 REQUIRED COMPONENTS Catalyst PythonCatalyst)
  else()
    find_package(ParaView 5.11 QUIET COMPONENTS Catalyst PythonCatalyst)
  endif()
  if(ParaView_FOUND AND TARGET ParaView::Catalyst AND TARGET ParaView::PythonCatalyst)
    # Debian's exported targets carry a DEBUG-only IMPORTED_LINK_DEPENDENT_LIBRARIES list naming
    # the whole rendering stack (X11, Freetype, GLEW, NetCDF ...), whose targets are not
    # imported here, and that breaks generation. Shared libraries resolve their own
    # dependencies at run time, so the list is not needed.
    foreach(t ParaView::Catalyst ParaView::PythonCatalyst)
      set_property(TARGET ${t} PROPERTY IMPORTED_LINK_DEPENDENT_LIBRARIES_DEBUG "")
    endforeach()
    add_library(tessera_catalyst_deps INTERFACE)
    target_link_libraries(tessera_catalyst_deps INTERFACE
      ParaView::Catalyst ParaView::PythonCatalyst VTK::CommonDataModel VTK::ParallelMPI
      VTK::PythonInterpreter)
    set(TESSERA_HAVE_CATALYST ON)
    message(STATUS "Catalyst adaptor: ON (ParaView ${ParaView_VERSION})")
  else()
    message(STATUS "Catalyst adaptor: OFF (ParaView with Catalyst and PythonCatalyst not found; "
                   "install paraview-dev or set -DTESSERA_CATALYST=OFF)")
  endif()
else()
  message(STATUS "Catalyst adaptor: OFF (TESSERA_CATALYST=OFF)")
endif()

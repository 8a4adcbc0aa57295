#include "tessera/solvers/petsc.hpp"

#include <fmt/format.h>

#include <exception>

namespace tessera {

void petsc_check(PetscErrorCode ierr, const char* call, const char* file, int line) {
  if (ierr == 0) return;
  const char* text = nullptr;
  PetscErrorMessage(ierr, &text, nullptr);
  throw SolverError(
      fmt::format("PETSc call `{}` failed at {}:{} with error {} ({}); rerun with "
                  "PETSC_OPTIONS=-on_error_abort for PETSc's traceback",
                  call, file, line, static_cast<int>(ierr), text ? text : "?"));
}

PetscSession::PetscSession(const Comm& comm,
                           const std::vector<std::pair<std::string, std::string>>& options) {
  PetscBool init = PETSC_FALSE;
  TESSERA_PETSC(PetscInitialized(&init));
  if (!init) {
    // PETSc's world is the simulation's communicator, never the world communicator by assumption.
    PETSC_COMM_WORLD = comm.get();
    // No argc/argv: tessera's command line is its own. PetscInitialize still reads the
    // PETSC_OPTIONS environment variable.
    TESSERA_PETSC(PetscInitialize(nullptr, nullptr, nullptr, nullptr));
    owner_ = true;
    // Errors come back as codes that TESSERA_PETSC turns into exceptions (one message, with
    // PETSc's text), instead of a traceback printed by every rank.
    TESSERA_PETSC(PetscPushErrorHandler(PetscReturnErrorHandler, nullptr));
  }
  bool log_view = false;
  for (const auto& [key, value] : options) {
    std::string name = key;
    if (const auto dot = name.rfind('.'); dot != std::string::npos) name = name.substr(dot + 1);
    if (value == "false") continue;
    name = "-" + name;
    TESSERA_PETSC(
        PetscOptionsSetValue(nullptr, name.c_str(), value == "true" ? nullptr : value.c_str()));
    if (name == "-log_view") log_view = true;
  }
  // -log_view given after PetscInitialize (deck) needs logging switched on by hand;
  // PetscFinalize then prints the summary as usual.
  if (log_view && owner_) TESSERA_PETSC(PetscLogDefaultBegin());
}

PetscSession::~PetscSession() {
  // PetscFinalize is collective: while an exception unwinds, other ranks may be elsewhere, and
  // main aborts the communicator anyway, so skip it rather than risk a hang.
  if (owner_ && std::uncaught_exceptions() == 0) PetscFinalize();
}

VecArray::VecArray(Vec v) : v_(v) {
  TESSERA_PETSC(VecGetArray(v_, &a_));
}
VecArray::~VecArray() {
  VecRestoreArray(v_, &a_);
}

}  // namespace tessera

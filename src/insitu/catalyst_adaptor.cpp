// ParaView Catalyst adaptor (legacy API of ParaView 5.11: vtkCPProcessor, vtkCPPythonPipeline).
//
// Hand-off: each local block becomes a vtkImageData covering the block *with* its ghost
// cells, so every cell array can point at the solver's storage (Array4 is x-fastest per
// component, the order of vtkImageData cell data): no copy. Ghost cells are marked
// DUPLICATECELL in the vtkGhostType array, so ParaView's ghost-aware filters, writers'
// readers and representations ignore them. The blocks go into a vtkMultiBlockDataSet with one
// entry per global block (gid), empty on the ranks that do not own it, so every rank sees the
// same structure. Vectors are copied into interleaved 3-component arrays (a 2D vector gets a zero
// third component): see build_grid for why.
#include <mpi.h>
#include <vtkCPDataDescription.h>
#include <vtkCPInputDataDescription.h>
#include <vtkCPProcessor.h>
#include <vtkCPPythonPipeline.h>
#include <vtkCellData.h>
#include <vtkCompositeDataSet.h>
#include <vtkDataSetAttributes.h>
#include <vtkDoubleArray.h>
#include <vtkFieldData.h>
#include <vtkImageData.h>
#include <vtkInformation.h>
#include <vtkMPI.h>
#include <vtkMultiBlockDataSet.h>
#include <vtkNew.h>
#include <vtkObjectFactory.h>
#include <vtkOutputWindow.h>
#include <vtkPythonInterpreter.h>
#include <vtkSmartPointer.h>
#include <vtkUnsignedCharArray.h>

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "tessera/core/errors.hpp"
#include "tessera/insitu/adaptor.hpp"

namespace tessera {

namespace {

/// Forwards VTK's messages as usual and, between begin() and end(), also keeps the error
/// text. A Python exception inside a Catalyst script does not change any return code: the
/// interpreter prints the traceback through vtkOutputWindow's error channel, which is where
/// it is caught.
class CaptureOutputWindow : public vtkOutputWindow {
 public:
  static CaptureOutputWindow* New();
  vtkTypeMacro(CaptureOutputWindow,
               vtkOutputWindow) void DisplayErrorText(const char* text) override {
    if (capturing_ && text) errors_ += text;
    Superclass::DisplayErrorText(text);
  }
  void begin() {
    errors_.clear();
    capturing_ = true;
  }
  std::string end() {
    capturing_ = false;
    return std::move(errors_);
  }

 private:
  bool capturing_ = false;
  std::string errors_;
};
vtkStandardNewMacro(CaptureOutputWindow);

/// Trims a captured error text for a one-screen message.
std::string tidy(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  constexpr std::size_t kMax = 4000;
  if (s.size() > kMax) s = "... " + s.substr(s.size() - kMax);
  return s;
}

class CatalystAdaptor final : public InsituAdaptor {
 public:
  ~CatalystAdaptor() override {
    // After an error the other ranks may not reach this point: vtkCPProcessor's destructor
    // finalizes pipelines (collective Python code), so it is deliberately leaked then.
    if (processor_ && !finalized_) processor_->Register(nullptr);
  }
  std::string name() const override { return "catalyst"; }

  void initialize(const Comm& comm, const InsituSetup& setup) override {
    comm_ = &comm;
    mpi_comm_ = comm.get();
    setup_ = setup;
    processor_ = vtkSmartPointer<vtkCPProcessor>::New();
    vtkMPICommunicatorOpaqueComm opaque(&mpi_comm_);
    // The working directory: Catalyst writes the scripts' extracts relative to it.
    if (!processor_->Initialize(opaque,
                                setup.working_dir.empty() ? nullptr : setup.working_dir.c_str())) {
      throw ConfigError(
          "catalyst: vtkCPProcessor::Initialize failed (ParaView could not start "
          "its Catalyst processor; see the messages above)");
    }
    install_window();
    // ParaView 5.11's Python log handler (paraview/detail/loghandler.py) asks vtkLogger for
    // VERBOSITY_DEBUG, which Debian's wrapping lacks; logging then prints a "Logging error"
    // traceback for every debug record, which would read as a script error. With
    // raiseExceptions off, the logging module drops handler failures silently (its documented
    // production setting); script exceptions are not affected.
    vtkPythonInterpreter::RunSimpleString("import logging\nlogging.raiseExceptions = False\n");
    for (const auto& script : setup.scripts) {
      // DetectScriptVersion reads the "# script-version: 2" header; a script without one is
      // taken as version 1 (the "Generate Script" format) when it defines DoCoProcessing.
      int version = vtkCPPythonPipeline::DetectScriptVersion(script.c_str());
      if (version == 0) version = file_contains(script, "def DoCoProcessing") ? 1 : 2;
      install_window();
      window_->begin();
      vtkSmartPointer<vtkCPPythonPipeline> p =
          vtkCPPythonPipeline::CreateAndInitializePipeline(script.c_str(), version);
      // A version-2 script is imported at the first CoProcess, not by Initialize: compile it
      // now so that a syntax error is a start-up error. (Errors in its module-level code,
      // e.g. a misspelt filter, surface at the first call: in a fresh run the initial state,
      // still before the first step.)
      if (p && version == 2) {
        vtkPythonInterpreter::RunSimpleString(
            fmt::format("try:\n"
                        "    compile(open({0}, 'rb').read(), {0}, 'exec')\n"
                        "except SyntaxError:\n"
                        "    import traceback\n"
                        "    traceback.print_exc()\n",
                        python_string(script))
                .c_str());
      }
      std::string err = window_->end();
      if (p && err.empty()) processor_->AddPipeline(p);
      const std::string msg = agree(
          !p || !err.empty(), fmt::format("catalyst.scripts: '{}' (version {} script) could "
                                          "not be loaded{}{}",
                                          script, version, err.empty() ? "" : ":\n", tidy(err)));
      if (!msg.empty()) {
        throw ConfigError(msg +
                          "\nFix the script (it must run in pvpython) or remove it from "
                          "[catalyst] scripts.");
      }
    }
  }

  InsituResult execute(const Mesh& mesh, const std::vector<InsituArray>& arrays, double t,
                       std::int64_t step) override {
    vtkNew<vtkCPDataDescription> dd;
    dd->AddInput(setup_.channel.c_str());
    dd->SetTimeData(t, static_cast<vtkIdType>(step));
    install_window();
    window_->begin();
    // The scripts say whether they want this step (their own frequencies / triggers).
    if (processor_->RequestDataDescription(dd) != 0) {
      vtkCPInputDataDescription* in = dd->GetInputDescriptionByName(setup_.channel.c_str());
      in->SetGrid(build_grid(mesh, arrays));
      processor_->CoProcess(dd);
    }
    const std::string err = window_->end();
    InsituResult r;
    r.message = agree(!err.empty(), fmt::format("a Catalyst script failed at step {}, t = {:.10g} "
                                                "(scripts: {}):\n{}",
                                                step, t, script_list(), tidy(err)));
    r.ok = r.message.empty();
    return r;
  }

  void finalize() override {
    if (!processor_ || finalized_) return;
    install_window();
    processor_->Finalize();
    finalized_ = true;
    processor_ = nullptr;
  }

 private:
  /// Makes our window VTK's output window (ParaView's initialisation may install its own).
  void install_window() {
    if (!window_) window_ = vtkSmartPointer<CaptureOutputWindow>::New();
    if (vtkOutputWindow::GetInstance() != window_.GetPointer()) {
      vtkOutputWindow::SetInstance(window_);
    }
  }

  /// Collective: "" when no rank failed, else the message of the lowest failing rank.
  std::string agree(bool failed, const std::string& message) const {
    const int size = comm_->size();
    const double first = comm_->min(failed ? static_cast<double>(comm_->rank()) : size);
    if (first >= size) return "";
    const int root = static_cast<int>(first);
    std::string m = comm_->broadcast(failed ? message : std::string(), root);
    if (size > 1) m = fmt::format("{} (rank {})", m, root);
    return m;
  }

  std::string script_list() const {
    std::string s;
    for (const auto& p : setup_.scripts) s += (s.empty() ? "" : ", ") + p;
    return s;
  }

  /// A Python string literal of s.
  static std::string python_string(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
      if (c == '\\' || c == '\'') out += '\\';
      out += c;
    }
    return out + "'";
  }

  static bool file_contains(const std::string& path, const std::string& what) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str().find(what) != std::string::npos;
  }

  /// The ghost-type array of a block (built once per block: the layout never changes).
  vtkUnsignedCharArray* ghost_array(const Block& b) {
    auto& g = ghosts_[b.gid];
    if (g) return g;
    g = vtkSmartPointer<vtkUnsignedCharArray>::New();
    g->SetName(vtkDataSetAttributes::GhostArrayName());
    const auto d = b.dims();
    g->SetNumberOfTuples(static_cast<vtkIdType>(d[0]) * d[1] * d[2]);
    const IndexBox in = b.interior();
    vtkIdType idx = 0;
    for (int k = 0; k < d[2]; ++k)
      for (int j = 0; j < d[1]; ++j)
        for (int i = 0; i < d[0]; ++i, ++idx) {
          const bool inside = i >= in.lo[0] && i < in.hi[0] && j >= in.lo[1] && j < in.hi[1] &&
                              k >= in.lo[2] && k < in.hi[2];
          g->SetValue(idx, inside ? 0 : vtkDataSetAttributes::DUPLICATECELL);
        }
    return g;
  }

  vtkMultiBlockDataSet* build_grid(const Mesh& mesh, const std::vector<InsituArray>& arrays) {
    grid_ = vtkSmartPointer<vtkMultiBlockDataSet>::New();
    grid_->SetNumberOfBlocks(static_cast<unsigned>(mesh.nblocks_total()));
    const int ndim = mesh.ndim();
    // Every rank names every block, so the structure (and a written .vtm) is the same
    // whichever rank describes it.
    for (std::int64_t g = 0; g < mesh.nblocks_total(); ++g) {
      grid_->GetMetaData(static_cast<unsigned>(g))
          ->Set(vtkCompositeDataSet::NAME(), fmt::format("block_{}", g).c_str());
    }
    // Global geometry for the scripts (a rank's own data information covers only its blocks):
    // DomainBounds [xmin, xmax, ymin, ymax, zmin, zmax] without ghosts, CellSize, Step.
    const MeshParams& mp = mesh.params();
    vtkNew<vtkDoubleArray> bounds, cell;
    bounds->SetName("DomainBounds");
    cell->SetName("CellSize");
    for (int a = 0; a < 3; ++a) {
      const bool used = a < ndim;
      bounds->InsertNextValue(used ? mp.lower[a] : 0.0);
      bounds->InsertNextValue(used ? mp.upper[a] : 0.0);
      cell->InsertNextValue(used ? (mp.upper[a] - mp.lower[a]) / static_cast<double>(mp.cells[a])
                                 : 1.0);
    }
    grid_->GetFieldData()->AddArray(bounds);
    grid_->GetFieldData()->AddArray(cell);
    for (const auto& bp : mesh.blocks()) {
      const Block& b = *bp;
      const auto d = b.dims();
      const std::size_t ncell = static_cast<std::size_t>(d[0]) * d[1] * d[2];
      vtkNew<vtkImageData> img;
      int pd[3];
      double origin[3], spacing[3];
      for (int a = 0; a < 3; ++a) {
        const bool used = a < ndim;
        pd[a] = used ? d[a] + 1 : 1;
        origin[a] = used ? b.lower[a] - b.ng[a] * b.dx[a] : 0.0;
        spacing[a] = used ? b.dx[a] : 1.0;
      }
      img->SetDimensions(pd);
      img->SetOrigin(origin);
      img->SetSpacing(spacing);
      vtkCellData* cd = img->GetCellData();
      cd->AddArray(ghost_array(b));
      for (const auto& a : arrays) {
        // The scripts only read: the const_cast lets VTK wrap the storage without a copy
        // (save = true: VTK never frees or reallocates it).
        Array4& u = const_cast<Array4&>(b.field(a.field_id));
        if (a.comps.size() == 1) {
          vtkNew<vtkDoubleArray> arr;
          arr->SetName(a.name.c_str());
          arr->SetArray(u.comp(a.comps[0]), static_cast<vtkIdType>(ncell), 1);
          cd->AddArray(arr);
        } else {
          // Vectors are interleaved into a copy: ParaView 5.11's cutters and writers call
          // GetVoidPointer, which on a zero-copy structure-of-arrays view
          // (vtkSOADataArrayTemplate) builds an interleaved copy anyway, on every access.
          vtkNew<vtkDoubleArray> arr;
          arr->SetName(a.name.c_str());
          arr->SetNumberOfComponents(3);
          arr->SetNumberOfTuples(static_cast<vtkIdType>(ncell));
          double* out = arr->GetPointer(0);
          const int nc = static_cast<int>(a.comps.size());
          for (int c = 0; c < 3; ++c) {
            const double* in = c < nc ? u.comp(a.comps[c]) : nullptr;
            for (std::size_t n = 0; n < ncell; ++n) out[3 * n + c] = in ? in[n] : 0.0;
          }
          cd->AddArray(arr);
        }
      }
      grid_->SetBlock(static_cast<unsigned>(b.gid), img);
    }
    return grid_;
  }

  const Comm* comm_ = nullptr;
  MPI_Comm mpi_comm_ = MPI_COMM_NULL;
  InsituSetup setup_;
  vtkSmartPointer<vtkCPProcessor> processor_;
  vtkSmartPointer<CaptureOutputWindow> window_;
  vtkSmartPointer<vtkMultiBlockDataSet> grid_;
  std::map<std::int64_t, vtkSmartPointer<vtkUnsignedCharArray>> ghosts_;
  bool finalized_ = false;
};

}  // namespace

bool catalyst_available() {
  return true;
}

std::unique_ptr<InsituAdaptor> make_catalyst_adaptor() {
  return std::make_unique<CatalystAdaptor>();
}

}  // namespace tessera

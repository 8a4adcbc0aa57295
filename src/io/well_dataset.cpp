// The [dataset] sink: one trajectory per file in The Well's HDF5 schema, written during the run.
//
// Two phases keep every variable-length HDF5 object out of the parallel code path (parallel
// HDF5 1.10 cannot write variable-length data collectively):
//   1. begin(): rank 0 alone creates `<file>.partial` with the default (serial) driver and
//      writes all metadata: root attributes, dimensions/, boundary_conditions/, scalars/,
//      t0_fields/ t1_fields/ t2_fields/ (datasets created empty, time axis unlimited),
//      provenance/ with the effective deck. Then every rank opens it with the MPI-IO driver.
//   2. after_step(): at each output time every time-dependent dataset grows by one frame
//      (H5Dset_extent, collective) and every rank writes the hyperslabs of its own blocks in
//      one collective H5Dwrite per field (fields converted to float32 in memory first).
//   end(): the parallel file is closed, rank 0 marks it complete and renames it to `<file>`.
// The time axis is extendible: n_steps follows the run (a run stopped early still leaves a
// valid file), and a restart truncates it to the frames counted in the checkpoint.
#include "tessera/io/well_dataset.hpp"

#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>

#include "tessera/core/errors.hpp"
#include "tessera/io/h5.hpp"
#include "tessera/version_info.hpp"

#ifndef TESSERA_BUILD_FLAGS
#define TESSERA_BUILD_FLAGS "unknown"
#endif

namespace tessera {

namespace fs = std::filesystem;
using h5::Handle;

Centring centring_of(const FieldSpec& /*spec*/) {
  // Every FieldSpec is cell-centred on main. When face-centred storage lands (FieldSpec gains a
  // staggering axis), return kFaceX/Y/Z here; the writer then averages the two faces of each
  // cell and records the method in the field's `interpolation` attribute.
  return Centring::kCell;
}

double centred_value(const Array4& a, int c, int k, int j, int i, Centring centring) {
  switch (centring) {
    case Centring::kCell:
      return a(c, k, j, i);
    case Centring::kFaceX:
      return 0.5 * (a(c, k, j, i) + a(c, k, j, i + 1));
    case Centring::kFaceY:
      return 0.5 * (a(c, k, j, i) + a(c, k, j + 1, i));
    case Centring::kFaceZ:
      return 0.5 * (a(c, k, j, i) + a(c, k + 1, j, i));
  }
  return a(c, k, j, i);
}

std::string centring_method(Centring centring) {
  switch (centring) {
    case Centring::kCell:
      return "none (cell-centred storage)";
    case Centring::kFaceX:
      return "x-face storage: mean of the two x faces of each cell (second order)";
    case Centring::kFaceY:
      return "y-face storage: mean of the two y faces of each cell (second order)";
    case Centring::kFaceZ:
      return "z-face storage: mean of the two z faces of each cell (second order)";
  }
  return "";
}

std::vector<std::string> deck_strings(const Config& cfg, const std::string& key,
                                      const std::vector<std::string>& def) {
  if (!cfg.has(key)) return def;
  // Config has no string-array getter: parse the key's TOML text (a basic string or an array
  // of basic strings, as toml11 formats it).
  const auto dot = key.rfind('.');
  const std::string section = dot == std::string::npos ? "" : key.substr(0, dot);
  std::string text;
  for (const auto& [k, v] : cfg.leaves_in(section)) {
    if (k == key) text = v;
  }
  std::vector<std::string> out;
  std::string cur;
  bool in = false, esc = false;
  for (char ch : text) {
    if (in) {
      if (esc) {
        cur += ch == 'n' ? '\n' : ch == 't' ? '\t' : ch;
        esc = false;
      } else if (ch == '\\') {
        esc = true;
      } else if (ch == '"') {
        out.push_back(cur);
        cur.clear();
        in = false;
      } else {
        cur += ch;
      }
    } else if (ch == '"') {
      in = true;
    } else if (ch == '\'') {
      cfg.fail(key, "use double-quoted strings here");
    } else if (!(ch == '[' || ch == ']' || ch == ',' ||
                 std::isspace(static_cast<unsigned char>(ch)))) {
      cfg.fail(key, fmt::format("expected a string or an array of strings, found {}", text));
    }
  }
  return out;
}

namespace {

void ck(herr_t rc, const char* what, const std::string& ctx) {
  if (rc < 0) throw IoError(fmt::format("HDF5 call {} failed ({})", what, ctx));
}

// --- HDF5 types that h5py maps to Python types -------------------------------------------------

/// Variable-length UTF-8 string: h5py reads it as `str` (fixed-length ones come back as bytes).
Handle vlen_string_type() {
  Handle t(h5::check(H5Tcopy(H5T_C_S1), "H5Tcopy", "vlen string"), H5Tclose);
  ck(H5Tset_size(t, H5T_VARIABLE), "H5Tset_size", "vlen string");
  ck(H5Tset_cset(t, H5T_CSET_UTF8), "H5Tset_cset", "vlen string");
  return t;
}

/// h5py's boolean: an 8-bit signed enum with members FALSE = 0 and TRUE = 1 (numpy.bool_).
Handle bool_type() {
  Handle t(h5::check(H5Tenum_create(H5T_NATIVE_INT8), "H5Tenum_create", "bool"), H5Tclose);
  const signed char f = 0, tr = 1;
  ck(H5Tenum_insert(t, "FALSE", &f), "H5Tenum_insert", "bool");
  ck(H5Tenum_insert(t, "TRUE", &tr), "H5Tenum_insert", "bool");
  return t;
}

Handle space_1d(hsize_t n) {
  return Handle(h5::check(H5Screate_simple(1, &n, nullptr), "H5Screate_simple", "1d"), H5Sclose);
}
Handle space_scalar() {
  return Handle(h5::check(H5Screate(H5S_SCALAR), "H5Screate", "scalar"), H5Sclose);
}

void delete_attr_if(hid_t obj, const std::string& name) {
  if (H5Aexists(obj, name.c_str()) > 0) ck(H5Adelete(obj, name.c_str()), "H5Adelete", name);
}

void write_attr_any(hid_t obj, const std::string& name, hid_t type, hid_t space, const void* data) {
  delete_attr_if(obj, name);
  Handle a(h5::check(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                     "H5Acreate2", name),
           H5Aclose);
  ck(H5Awrite(a, type, data), "H5Awrite", name);
}

void attr_str(hid_t obj, const std::string& name, const std::string& v) {
  Handle t = vlen_string_type();
  const char* p = v.c_str();
  write_attr_any(obj, name, t, space_scalar(), &p);
}

void attr_strs(hid_t obj, const std::string& name, const std::vector<std::string>& v) {
  Handle t = vlen_string_type();
  std::vector<const char*> p;
  for (const auto& s : v) p.push_back(s.c_str());
  const char* dummy = "";
  write_attr_any(obj, name, t, space_1d(v.size()), p.empty() ? &dummy : p.data());
}

void attr_bool(hid_t obj, const std::string& name, bool v) {
  Handle t = bool_type();
  const signed char b = v ? 1 : 0;
  write_attr_any(obj, name, t, space_scalar(), &b);
}

void attr_bools(hid_t obj, const std::string& name, const std::vector<bool>& v) {
  Handle t = bool_type();
  std::vector<signed char> b(v.begin(), v.end());
  signed char dummy = 0;
  write_attr_any(obj, name, t, space_1d(v.size()), b.empty() ? &dummy : b.data());
}

void attr_i64(hid_t obj, const std::string& name, std::int64_t v) {
  write_attr_any(obj, name, H5T_NATIVE_INT64, space_scalar(), &v);
}

void attr_f64(hid_t obj, const std::string& name, double v) {
  write_attr_any(obj, name, H5T_NATIVE_DOUBLE, space_scalar(), &v);
}

/// Marks a dataset or group the way The Well's loaders look for it.
void varying(hid_t obj, bool sample, bool time) {
  attr_bool(obj, "sample_varying", sample);
  attr_bool(obj, "time_varying", time);
}

Handle make_dataset(hid_t loc, const std::string& name, hid_t type, hid_t space, hid_t dcpl) {
  return Handle(
      h5::check(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                "H5Dcreate2", name),
      H5Dclose);
}

/// A fixed-size dataset written at once (serial phase).
void small_dataset(hid_t loc, const std::string& name, hid_t ftype, hid_t mtype,
                   const std::vector<hsize_t>& dims, const void* data) {
  Handle sp =
      dims.empty()
          ? space_scalar()
          : Handle(h5::check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                             "H5Screate_simple", name),
                   H5Sclose);
  Handle ds = make_dataset(loc, name, ftype, sp, H5P_DEFAULT);
  ck(H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "H5Dwrite", name);
}

/// An empty dataset whose axis `time_axis` is unlimited, chunked as given.
Handle extendible_dataset(hid_t loc, const std::string& name, hid_t ftype,
                          const std::vector<hsize_t>& dims, int time_axis,
                          const std::vector<hsize_t>& chunk, int deflate) {
  std::vector<hsize_t> maxdims(dims);
  maxdims[time_axis] = H5S_UNLIMITED;
  Handle sp(h5::check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxdims.data()),
                      "H5Screate_simple", name),
            H5Sclose);
  Handle dcpl(h5::check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate", name), H5Pclose);
  ck(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()), "H5Pset_chunk", name);
  // Every element is written before it is read: writing fill values first would double the I/O.
  ck(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), "H5Pset_fill_time", name);
  // Chunks are allocated when the extent grows (collectively, in H5Dset_extent): parallel
  // HDF5 1.10 cannot allocate them during a collective write to a serially created dataset.
  ck(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time", name);
  if (deflate > 0) {
    ck(H5Pset_shuffle(dcpl), "H5Pset_shuffle", name);
    ck(H5Pset_deflate(dcpl, static_cast<unsigned>(deflate)), "H5Pset_deflate", name);
  }
  return make_dataset(loc, name, ftype, sp, dcpl);
}

/// Runs `f` on rank 0 only; a failure there becomes the same collective IoError on every rank.
template <typename F>
void on_root(const Comm& comm, F&& f) {
  std::string err;
  if (comm.root()) {
    try {
      f();
    } catch (const std::exception& e) {
      err = e.what();
      if (err.empty()) err = "unknown error";
    }
  }
  err = comm.broadcast(err, 0);
  if (!err.empty()) throw IoError(err, true);
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

const char* kAxisName[3] = {"x", "y", "z"};

/// The Well's bc_type for a Tessera boundary kind, and Tessera's exact condition.
std::pair<std::string, std::string> well_bc(const FaceBc& f) {
  switch (f.kind) {
    case BcKind::kPeriodic:
      return {"PERIODIC", "periodic"};
    case BcKind::kOutflow:
      return {"OPEN", "outflow (zero-gradient ghost cells)"};
    case BcKind::kReflecting:
      return {"WALL", "reflecting (mirror ghost cells, normal vector components flipped)"};
    case BcKind::kFixed:
      return {"WALL", "fixed (Dirichlet ghost values)"};
    case BcKind::kUser:
      return {"OPEN", "user (problem-defined ghost values; see the deck's problem)"};
  }
  return {"OPEN", "unknown"};
}

/// One dataset under t0_fields/ or t1_fields/.
struct OutField {
  std::string name;
  int order = 0;           // tensor order: 0 scalar, 1 vector (last axis = n_spatial_dims)
  int fid = -1;            // registry id
  std::vector<int> comps;  // components of the registry field, in output order
  std::vector<std::string> sources;
  std::string units, description;
  Centring centring = Centring::kCell;
  bool conserved = false;
};

/// A time series under scalars/ (integrated quantities), written by rank 0.
struct OutSeries {
  std::string name, description;
  HistoryReduce reduce = HistoryReduce::kSum;
  bool from_module = false;
  Handle ds;
};

class WellDatasetSink final : public OutputSink {
 public:
  explicit WellDatasetSink(const SinkContext& ctx);
  ~WellDatasetSink() override { close_parallel(); }
  std::string name() const override { return "dataset"; }
  void begin(Mesh& mesh, const RunState& s) override;
  void after_step(Mesh& mesh, const RunState& s) override;
  double next_time() const override { return next_t(); }
  void end(Mesh& mesh, const RunState& s) override;
  void write_checkpoint(hid_t group) override;
  void read_checkpoint(hid_t group) override;

 private:
  double next_t() const { return static_cast<double>(next_k_) * dt_; }
  void create_file(Mesh& mesh, const RunState& s);
  void open_parallel(Mesh& mesh);
  void close_parallel();
  void extend_all(hsize_t frames);
  void write_frame(Mesh& mesh, const RunState& s);
  template <typename T>
  void write_field(const Mesh& mesh, const OutField& f, hid_t ds, hsize_t frame, hid_t mtype);
  void write_series_value(hid_t ds, hsize_t frame, bool two_d, hid_t mtype, const void* v);
  std::vector<double> integrated_values(Mesh& mesh, double t);

  const Comm& comm_;
  MeshParams mesh_;
  BoundaryParams bc_;
  const std::vector<std::unique_ptr<PhysicsModule>>& modules_;
  std::string deck_file_;
  // [dataset]
  std::string dataset_name_, file_, partial_;
  double dt_ = 0.0, t_start_ = 0.0, t_end_ = 0.0;
  bool float32_ = true;
  std::int64_t chunk_steps_ = 0;
  int deflate_ = 0;
  bool integrated_ = true;
  std::vector<std::pair<std::string, double>> params_;  // (name, value)
  std::vector<std::string> param_keys_;
  std::int64_t member_ = -1, seed_ = -1;
  std::string split_, seed_key_;
  std::vector<OutField> fields_;
  std::vector<Handle> field_ds_;  // open datasets of fields_ (parallel phase)
  std::vector<std::string> dropped_;
  // Run state
  std::vector<OutSeries> series_;
  std::int64_t next_k_ = 0;  // index k of the next output time k * dt
  std::int64_t frames_ = 0;  // frames written
  hsize_t chunk_t_ = 1;      // time extent of a field chunk
  double dt_min_ = 0.0, dt_max_ = 0.0;
  // Wall time of the frame writes, of which extending and field writes (this run segment).
  double write_seconds_ = 0.0, extend_seconds_ = 0.0, fields_seconds_ = 0.0, buffer_seconds_ = 0.0;
  std::int64_t field_bytes_ = 0;  // field data written (this run segment)
  Handle file_h_, time_ds_, time64_ds_, step_ds_, soldt_ds_;
};

WellDatasetSink::WellDatasetSink(const SinkContext& ctx)
    : comm_(ctx.comm), mesh_(ctx.mesh), bc_(ctx.boundary), modules_(ctx.modules) {
  const Config& cfg = ctx.cfg;
  deck_file_ = cfg.file_name();
  dataset_name_ = cfg.get_string("dataset.name", ctx.basename);
  if (dataset_name_.empty() || dataset_name_.find_first_of("/ \t") != std::string::npos) {
    cfg.fail("dataset.name", "must be a non-empty name without '/' or spaces");
  }
  dt_ = cfg.require_double("dataset.dt", Range::positive());
  t_start_ = cfg.get_double("dataset.t_start", 0.0, Range::non_negative());
  t_end_ = cfg.require_double("time.t_end", Range::non_negative());
  float32_ = cfg.get_string("dataset.precision", "float32", {"float32", "float64"}) == "float32";
  chunk_steps_ = cfg.get_int("dataset.chunk_steps", 0, Range::non_negative());
  deflate_ = static_cast<int>(cfg.get_int("dataset.deflate", 0, Range::between(0, 9)));
  integrated_ = cfg.get_bool("dataset.integrated_quantities", true);
  const bool out_of_plane = cfg.get_bool("dataset.out_of_plane_components", false);
  file_ = cfg.get_string("dataset.file", "");
  if (file_.empty()) file_ = (fs::path(ctx.out_dir) / (dataset_name_ + ".h5")).string();
  partial_ = file_ + ".partial";
  member_ = cfg.get_int("dataset.member", -1, Range::at_least(-1));
  seed_ = cfg.get_int("dataset.seed", -1, Range::at_least(-1));
  split_ = cfg.get_string("dataset.split", "", {"", "train", "valid", "test"});
  seed_key_ = cfg.get_string("dataset.seed_key", "");
  if (t_start_ > t_end_) {
    cfg.fail("dataset.t_start", fmt::format("the warm-up ({}) is longer than the run "
                                            "(time.t_end = {}): no frame would be written",
                                            t_start_, t_end_));
  }

  // simulation_parameters: deck keys whose (numeric) values become root attributes and
  // scalars/ datasets, named by the key's last component.
  std::set<std::string> names;
  for (const auto& key : deck_strings(cfg, "dataset.parameters", {})) {
    if (!cfg.has(key)) cfg.fail("dataset.parameters", fmt::format("the deck has no key '{}'", key));
    const double v = cfg.get_double(key, 0.0);
    const auto dot = key.rfind('.');
    const std::string n = dot == std::string::npos ? key : key.substr(dot + 1);
    if (!names.insert(n).second) {
      cfg.fail("dataset.parameters",
               fmt::format("two parameters would both be called '{}' in the file", n));
    }
    params_.emplace_back(n, v);
    param_keys_.push_back(key);
  }

  // Fields: the registry as the mesh will have it (same modules, same registration order).
  FieldRegistry reg;
  for (const auto& m : modules_) m->register_fields(reg);
  std::vector<std::string> wanted;
  for (int f = 0; f < reg.size(); ++f) {
    if (reg.spec(f).output) wanted.push_back(reg.spec(f).name);
  }
  wanted = deck_strings(cfg, "dataset.fields", wanted);
  if (wanted.empty()) cfg.fail("dataset.fields", "give at least one field");
  const int nd = mesh_.ndim;
  std::set<std::string> used;
  auto add = [&](OutField f) {
    if (!used.insert(f.name).second) {
      cfg.fail("dataset.fields", fmt::format("'{}' is listed twice", f.name));
    }
    fields_.push_back(std::move(f));
  };
  for (const auto& w : wanted) {
    int fid = reg.find(w);
    int comp = -1;
    if (fid < 0) {
      for (int f = 0; f < reg.size() && fid < 0; ++f) {
        const auto& c = reg.spec(f).components;
        for (std::size_t i = 0; i < c.size(); ++i) {
          if (c[i] == w) fid = f, comp = static_cast<int>(i);
        }
      }
    }
    if (fid < 0) {
      std::string known;
      for (int f = 0; f < reg.size(); ++f) known += (known.empty() ? "" : ", ") + reg.spec(f).name;
      cfg.fail("dataset.fields",
               fmt::format("no field or component is called '{}'; the fields are: {}", w, known));
    }
    const FieldSpec& sp = reg.spec(fid);
    OutField base;
    base.fid = fid;
    base.units = sp.units;
    base.description = sp.description;
    base.centring = centring_of(sp);
    base.conserved = sp.conserved;
    const auto ncomp = static_cast<int>(sp.components.size());
    if (comp >= 0) {
      base.name = w;
      base.comps = {comp};
      base.sources = {w};
      add(base);
      continue;
    }
    // A vector: one component along each spatial axis (vector_axis); components along
    // axes >= n_spatial_dims (e.g. mom_z of 2D hydro) are out of plane.
    std::vector<int> by_axis(3, -1);
    bool vector = static_cast<int>(sp.vector_axis.size()) == ncomp && ncomp > 1;
    for (int c = 0; c < ncomp && vector; ++c) {
      const int a = sp.vector_axis[c];
      if (a < 0 || a > 2 || by_axis[a] >= 0)
        vector = false;
      else
        by_axis[a] = c;
    }
    for (int a = 0; a < nd && vector; ++a) vector = by_axis[a] >= 0;
    if (vector) {
      OutField f = base;
      f.name = sp.name;
      f.order = 1;
      for (int a = 0; a < nd; ++a) {
        f.comps.push_back(by_axis[a]);
        f.sources.push_back(sp.components[by_axis[a]]);
      }
      add(f);
      for (int a = nd; a < 3; ++a) {
        if (by_axis[a] < 0) continue;
        if (out_of_plane) {
          OutField g = base;
          g.name = sp.components[by_axis[a]];
          g.comps = {by_axis[a]};
          g.sources = {g.name};
          add(g);
        } else {
          dropped_.push_back(sp.components[by_axis[a]]);
        }
      }
    } else {
      for (int c = 0; c < ncomp; ++c) {
        OutField f = base;
        f.name = ncomp == 1 ? sp.name : sp.components[c];
        f.comps = {c};
        f.sources = {sp.components[c]};
        add(f);
      }
    }
  }
}

void WellDatasetSink::read_checkpoint(hid_t group) {
  next_k_ = h5::read_attr_int(group, "next_output_index");
  frames_ = h5::read_attr_int(group, "frames");
  dt_min_ = h5::read_attr_double(group, "solver_dt_min");
  dt_max_ = h5::read_attr_double(group, "solver_dt_max");
}

void WellDatasetSink::write_checkpoint(hid_t group) {
  // The frames counted here must be on disk if the run is continued from this checkpoint.
  if (file_h_.get() >= 0) ck(H5Fflush(file_h_, H5F_SCOPE_GLOBAL), "H5Fflush", partial_);
  h5::write_attr(group, "next_output_index", next_k_);
  h5::write_attr(group, "frames", frames_);
  h5::write_attr(group, "solver_dt_min", dt_min_);
  h5::write_attr(group, "solver_dt_max", dt_max_);
  h5::write_attr(group, "file", partial_);
}

void WellDatasetSink::begin(Mesh& mesh, const RunState& s) {
  // Integrated quantities: the modules' history columns and the totals of conserved fields.
  series_.clear();
  if (integrated_) {
    for (auto& m : modules_) {
      for (const auto& v : m->history_values(mesh, s.t)) {
        series_.push_back(
            {v.name, fmt::format("[physics.{}] history column", m->name()), v.reduce, true, {}});
      }
    }
    for (const auto& f : fields_) {
      if (!f.conserved) continue;
      for (const auto& src : f.sources) {
        series_.push_back({"total_" + src,
                           "integral of " + src + " over the domain",
                           HistoryReduce::kSum,
                           false,
                           {}});
      }
    }
  }
  if (!s.restarted) {
    next_k_ = static_cast<std::int64_t>(std::ceil(t_start_ / dt_ - 1e-9));
    frames_ = 0;
    create_file(mesh, s);
  } else {
    on_root(comm_, [&] {
      // A run stopped early (time.max_steps, time.wall_limit) has finished its file; continuing
      // it reopens that file as unfinished.
      std::error_code ec;
      if (!fs::exists(partial_) && fs::exists(file_)) fs::rename(file_, partial_, ec);
      if (!fs::exists(partial_)) {
        throw IoError(fmt::format(
            "[dataset]: restarting needs the dataset file '{}' (or '{}'), which is missing; "
            "start the run again without --restart",
            partial_, file_));
      }
      Handle f(H5Fopen(partial_.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
      if (f.get() < 0) throw IoError(fmt::format("[dataset]: cannot reopen '{}'", partial_));
      Handle g = h5::open_group(f, "provenance");
      attr_bool(g, "complete", false);
    });
  }
  open_parallel(mesh);
  if (s.restarted) extend_all(static_cast<hsize_t>(frames_));
}

void WellDatasetSink::create_file(Mesh& mesh, const RunState& s) {
  const int nd = mesh_.ndim;
  const hid_t ftype = float32_ ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
  // Expected frames (for the chunk size only; the time axis grows as the run goes).
  const auto k0 = static_cast<std::int64_t>(std::ceil(t_start_ / dt_ - 1e-9));
  const auto k1 = static_cast<std::int64_t>(std::floor(t_end_ / dt_ + 1e-9));
  const auto expected = static_cast<hsize_t>(std::max<std::int64_t>(1, k1 - k0 + 1));
  const std::size_t elem = float32_ ? 4 : 8;
  std::size_t cells = 1;
  for (int a = 0; a < nd; ++a) cells *= static_cast<std::size_t>(mesh_.cells[a]);
  const std::string date = comm_.broadcast(utc_now(), 0);
  char mpi_version[MPI_MAX_LIBRARY_VERSION_STRING] = {0};
  int mpi_len = 0;
  MPI_Get_library_version(mpi_version, &mpi_len);
  std::string mpi_v(mpi_version, static_cast<std::size_t>(mpi_len));
  if (const auto nl = mpi_v.find_first_of("\r\n,"); nl != std::string::npos) mpi_v.resize(nl);

  on_root(comm_, [&] {
    const fs::path dir = fs::path(partial_).parent_path();
    if (!dir.empty()) {
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec)
        throw IoError(fmt::format("[dataset]: cannot create '{}': {}", dir.string(), ec.message()));
    }
    Handle f(H5Fcreate(partial_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (f.get() < 0) {
      throw IoError(fmt::format("[dataset]: cannot create '{}': check dataset.file", partial_));
    }
    // Root attributes (The Well).
    attr_str(f, "dataset_name", dataset_name_);
    attr_str(f, "grid_type", "cartesian");
    attr_i64(f, "n_spatial_dims", nd);
    attr_i64(f, "n_trajectories", 1);
    std::vector<std::string> pnames;
    for (const auto& [n, v] : params_) {
      pnames.push_back(n);
      attr_f64(f, n, v);
    }
    attr_strs(f, "simulation_parameters", pnames);

    // dimensions/: time (grows) and the cell-centre coordinates.
    {
      Handle g = h5::create_group(f, "dimensions");
      std::vector<std::string> sd(kAxisName, kAxisName + nd);
      attr_strs(g, "spatial_dims", sd);
      Handle t = extendible_dataset(g, "time", ftype, {0}, 0, {256}, 0);
      varying(t, false, false);
      attr_str(t, "units", "time");
      attr_str(t, "description", "simulation time of each frame");
      for (int a = 0; a < nd; ++a) {
        std::vector<double> x(static_cast<std::size_t>(mesh_.cells[a]));
        const double dx = (mesh_.upper[a] - mesh_.lower[a]) / static_cast<double>(mesh_.cells[a]);
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = mesh_.lower[a] + (i + 0.5) * dx;
        small_dataset(g, kAxisName[a], ftype, H5T_NATIVE_DOUBLE, {x.size()}, x.data());
        Handle d(h5::check(H5Dopen2(g, kAxisName[a], H5P_DEFAULT), "H5Dopen2", kAxisName[a]),
                 H5Dclose);
        varying(d, false, false);
        attr_str(d, "units", "length");
        attr_str(d, "description", fmt::format("cell-centre {} coordinate", kAxisName[a]));
      }
    }

    // boundary_conditions/<dim>_<type>: one group per (axis, Well type) with a face mask.
    {
      Handle g = h5::create_group(f, "boundary_conditions");
      for (int a = 0; a < nd; ++a) {
        std::map<std::string, std::vector<int>> by_type;  // type -> sides
        for (int sd = 0; sd < 2; ++sd) by_type[well_bc(bc_.face[a][sd]).first].push_back(sd);
        for (const auto& [type, sides] : by_type) {
          std::string lower = type;
          std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
          Handle b = h5::create_group(g, fmt::format("{}_{}", kAxisName[a], lower));
          attr_str(b, "bc_type", type);
          attr_strs(b, "associated_dims", {kAxisName[a]});
          varying(b, false, false);
          std::vector<bool> mask(static_cast<std::size_t>(mesh_.cells[a]), false);
          std::string cond;
          std::vector<std::string> assoc;
          std::vector<double> vals;
          for (int sd : sides) {
            mask[sd == 0 ? 0 : mask.size() - 1] = true;
            const FaceBc& fb = bc_.face[a][sd];
            cond += fmt::format("{}{}: {}", cond.empty() ? "" : "; ", sd == 0 ? "lower" : "upper",
                                well_bc(fb).second);
            if (fb.kind == BcKind::kFixed) {
              if (fb.has_value) cond += fmt::format(" = {} for every field", fb.value);
              for (const auto& [c, v] : fb.values) {
                cond += fmt::format(", {} = {}", c, v);
                if (std::find(assoc.begin(), assoc.end(), c) == assoc.end()) assoc.push_back(c);
              }
            }
          }
          attr_strs(b, "associated_fields", assoc);
          attr_str(b, "condition", cond);
          {
            Handle bt = bool_type();
            std::vector<signed char> m(mask.begin(), mask.end());
            small_dataset(b, "mask", bt, bt, {m.size()}, m.data());
          }
          // `values` on the mask points: only for one fixed field on one face (otherwise the
          // exact values are in the `condition` attribute).
          if (assoc.size() == 1 && sides.size() == 1) {
            const FaceBc& fb = bc_.face[a][sides[0]];
            vals.push_back(fb.values.count(assoc[0]) ? fb.values.at(assoc[0]) : fb.value);
            small_dataset(b, "values", ftype, H5T_NATIVE_DOUBLE, {1}, vals.data());
          }
        }
      }
    }

    // scalars/: the parameters (constant) and the integrated quantities (time series).
    {
      Handle g = h5::create_group(f, "scalars");
      std::vector<std::string> names;
      for (std::size_t p = 0; p < params_.size(); ++p) {
        const auto& [n, v] = params_[p];
        names.push_back(n);
        small_dataset(g, n, ftype, H5T_NATIVE_DOUBLE, {}, &v);
        Handle d(h5::check(H5Dopen2(g, n.c_str(), H5P_DEFAULT), "H5Dopen2", n), H5Dclose);
        varying(d, false, false);
        attr_str(d, "deck_key", param_keys_[p]);
        attr_str(d, "description", "simulation parameter (deck key " + param_keys_[p] + ")");
      }
      for (const auto& q : series_) {
        if (std::find(names.begin(), names.end(), q.name) != names.end()) {
          throw ConfigError(
              fmt::format("[dataset]: the integrated quantity '{}' has the name of a "
                          "parameter; set dataset.integrated_quantities = false",
                          q.name));
        }
        names.push_back(q.name);
        Handle d = extendible_dataset(g, q.name, H5T_IEEE_F64LE, {1, 0}, 1, {1, 256}, 0);
        varying(d, true, true);
        attr_str(d, "description", q.description);
      }
      attr_strs(g, "field_names", names);
    }

    // t0_fields/, t1_fields/, t2_fields/: [n_traj = 1, n_steps, nx(, ny(, nz)) (, D)].
    const std::size_t target = 4u << 20;  // ~4 MiB chunks (The Well's files: 1-8 MiB)
    for (int order = 0; order < 3; ++order) {
      Handle g = h5::create_group(f, fmt::format("t{}_fields", order));
      std::vector<std::string> names;
      for (const auto& of : fields_) {
        if (of.order != order) continue;
        names.push_back(of.name);
        std::vector<hsize_t> dims{1, 0}, chunk{1, 1};
        for (int a = 0; a < nd; ++a) {
          dims.push_back(static_cast<hsize_t>(mesh_.cells[a]));
          chunk.push_back(static_cast<hsize_t>(mesh_.cells[a]));
        }
        const std::size_t ncomp = order == 1 ? static_cast<std::size_t>(nd) : 1;
        if (order == 1) dims.push_back(ncomp), chunk.push_back(ncomp);
        const std::size_t frame_bytes = cells * ncomp * elem;
        hsize_t ct = 1;
        if (chunk_steps_ > 0) {
          ct = static_cast<hsize_t>(chunk_steps_);
        } else if (frame_bytes <= 2 * target) {
          ct = std::clamp<hsize_t>(target / frame_bytes, 1, expected);
        } else {
          // A frame above 8 MiB: one step per chunk, split along x.
          const auto parts = (frame_bytes + target - 1) / target;
          chunk[2] = std::max<hsize_t>(1, (chunk[2] + parts - 1) / parts);
        }
        chunk[1] = ct;
        chunk_t_ = ct;
        Handle d = extendible_dataset(g, of.name, ftype, dims, 1, chunk, deflate_);
        varying(d, true, true);
        attr_bools(d, "dim_varying", std::vector<bool>(static_cast<std::size_t>(nd), true));
        attr_str(d, "units", of.units);
        attr_str(d, "description", of.description);
        attr_strs(d, "components", of.sources);
        attr_str(d, "centring", of.centring == Centring::kCell ? "cell" : "face");
        attr_str(d, "interpolation", centring_method(of.centring));
        if (order == 2) {
          attr_bool(d, "symmetric", false);
          attr_bool(d, "antisymmetric", false);
        }
      }
      attr_strs(g, "field_names", names);
    }

    // provenance/: what the loaders ignore and people need.
    {
      Handle g = h5::create_group(f, "provenance");
      attr_str(g, "code", "tessera");
      attr_str(g, "code_version", build::kVersion);
      attr_str(g, "git_hash", build::kGitHash);
      attr_bool(g, "git_dirty", build::kGitDirty != 0);
      attr_str(g, "build_flags", TESSERA_BUILD_FLAGS);
      attr_str(g, "compiler",
               std::string(
#ifdef __clang__
                   "clang "
#elif defined(__GNUC__)
                                          "g++ "
#endif
                   __VERSION__));
      unsigned maj = 0, min = 0, rel = 0;
      H5get_libversion(&maj, &min, &rel);
      attr_str(g, "hdf5_version", fmt::format("{}.{}.{}", maj, min, rel));
      attr_str(g, "mpi_version", mpi_v);
      attr_i64(g, "ranks", comm_.size());
      attr_str(g, "date", date);
      attr_str(g, "deck_file", deck_file_);
      attr_i64(g, "member", member_);
      attr_i64(g, "seed", seed_);
      attr_str(g, "seed_key", seed_key_);
      attr_str(g, "split", split_);
      attr_f64(g, "warmup_discarded", t_start_);
      attr_f64(g, "first_output_time", static_cast<double>(k0) * dt_);
      attr_f64(g, "output_interval", dt_);
      attr_str(g, "precision", float32_ ? "float32" : "float64");
      attr_i64(g, "chunk_steps", static_cast<std::int64_t>(chunk_t_));
      attr_i64(g, "deflate", deflate_);
      attr_strs(g, "dropped_components", dropped_);
      attr_str(g, "layout",
               "fields [n_trajectories, n_steps, x(, y(, z))(, component)], "
               "C order: the last spatial axis varies fastest");
      attr_bool(g, "complete", false);
      Handle dt = vlen_string_type();
      const char* deck = s.deck_text ? s.deck_text->c_str() : "";
      small_dataset(g, "deck", dt, dt, {}, &deck);
      Handle t64 = extendible_dataset(g, "time_float64", H5T_IEEE_F64LE, {0}, 0, {256}, 0);
      attr_str(t64, "description", "frame times in double precision");
      Handle st = extendible_dataset(g, "step", H5T_STD_I64LE, {0}, 0, {256}, 0);
      attr_str(st, "description", "solver step number of each frame");
      Handle sd = extendible_dataset(g, "solver_dt", H5T_IEEE_F64LE, {0}, 0, {256}, 0);
      attr_str(sd, "description",
               "size of the solver step that ended at each frame (0: initial "
               "state)");
    }
  });
  comm_.barrier();
}

void WellDatasetSink::open_parallel(Mesh& /*mesh*/) {
  Handle fapl(h5::check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate", partial_), H5Pclose);
  ck(H5Pset_fapl_mpio(fapl, comm_.get(), MPI_INFO_NULL), "H5Pset_fapl_mpio", partial_);
  // Metadata reads and writes by one rank on behalf of all (fewer small I/O requests).
  ck(H5Pset_all_coll_metadata_ops(fapl, true), "H5Pset_all_coll_metadata_ops", partial_);
  ck(H5Pset_coll_metadata_write(fapl, true), "H5Pset_coll_metadata_write", partial_);
  hid_t f = H5Fopen(partial_.c_str(), H5F_ACC_RDWR, fapl);
  if (f < 0) throw IoError(fmt::format("[dataset]: cannot open '{}' for writing", partial_), true);
  file_h_ = Handle(f, H5Fclose);
  auto open = [&](const std::string& path) {
    return Handle(h5::check(H5Dopen2(file_h_, path.c_str(), H5P_DEFAULT), "H5Dopen2", path),
                  H5Dclose);
  };
  time_ds_ = open("dimensions/time");
  time64_ds_ = open("provenance/time_float64");
  step_ds_ = open("provenance/step");
  soldt_ds_ = open("provenance/solver_dt");
  for (auto& q : series_) q.ds = open("scalars/" + q.name);
  field_ds_.clear();
  for (auto& of : fields_)
    field_ds_.push_back(open(fmt::format("t{}_fields/{}", of.order, of.name)));
}

void WellDatasetSink::close_parallel() {
  field_ds_.clear();
  for (auto& q : series_) q.ds.reset();
  time_ds_.reset();
  time64_ds_.reset();
  step_ds_.reset();
  soldt_ds_.reset();
  file_h_.reset();
}

void WellDatasetSink::extend_all(hsize_t frames) {
  auto extend = [&](hid_t ds, int axis) {
    Handle sp(h5::check(H5Dget_space(ds), "H5Dget_space", "extend"), H5Sclose);
    std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(sp)));
    H5Sget_simple_extent_dims(sp, dims.data(), nullptr);
    dims[axis] = frames;
    ck(H5Dset_extent(ds, dims.data()), "H5Dset_extent", partial_);
  };
  extend(time_ds_, 0);
  extend(time64_ds_, 0);
  extend(step_ds_, 0);
  extend(soldt_ds_, 0);
  for (auto& q : series_) extend(q.ds, 1);
  for (auto& ds : field_ds_) extend(ds, 1);
}

void WellDatasetSink::write_series_value(hid_t ds, hsize_t frame, bool two_d, hid_t mtype,
                                         const void* v) {
  Handle fs(h5::check(H5Dget_space(ds), "H5Dget_space", "series"), H5Sclose);
  const hsize_t one = 1;
  Handle ms = space_1d(1);
  if (comm_.root()) {
    const hsize_t start2[2] = {0, frame}, count2[2] = {1, 1};
    ck(H5Sselect_hyperslab(fs, H5S_SELECT_SET, two_d ? start2 : &frame, nullptr,
                           two_d ? count2 : &one, nullptr),
       "H5Sselect_hyperslab", "series");
  } else {
    ck(H5Sselect_none(fs), "H5Sselect_none", "series");
    ck(H5Sselect_none(ms), "H5Sselect_none", "series");
  }
  Handle dxpl(h5::check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate", "series"), H5Pclose);
  ck(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio", "series");
  ck(H5Dwrite(ds, mtype, ms, fs, dxpl, v), "H5Dwrite", "series");
}

/// One frame of one field: this rank's blocks as a union of hyperslabs, written collectively.
/// HDF5 pairs the selected file elements in row-major order with the memory elements in
/// order, so the buffer is filled in that order: blocks sorted by logical location (x, y, z),
/// then for each x row of a block column, each y row, the z cells of each block, the
/// components last.
template <typename T>
void WellDatasetSink::write_field(const Mesh& mesh, const OutField& f, hid_t ds, hsize_t frame,
                                  hid_t mtype) {
  const int nd = mesh_.ndim;
  const auto& bcells = mesh_.block_cells;
  const double tb0 = MPI_Wtime();
  std::map<std::array<std::int64_t, 3>, const Block*> blocks;
  for (const auto& b : mesh.blocks()) blocks[b->loc] = b.get();
  const std::size_t ncomp = f.comps.size();
  std::vector<T> buf;
  buf.reserve(blocks.size() * static_cast<std::size_t>(bcells[0] * bcells[1] * bcells[2]) * ncomp);
  Handle fs(h5::check(H5Dget_space(ds), "H5Dget_space", f.name), H5Sclose);
  ck(H5Sselect_none(fs), "H5Sselect_none", f.name);
  std::vector<hsize_t> start(2 + nd + (f.order == 1 ? 1 : 0), 0), count(start.size(), 1);
  start[1] = frame;
  for (int a = 0; a < nd; ++a) count[2 + a] = static_cast<hsize_t>(bcells[a]);
  if (f.order == 1) count.back() = ncomp;
  // When the local blocks tile a box (the usual case: a rank owns a slab or all of the grid),
  // one hyperslab selects it; the buffer order (row-major over the union) is the same.
  std::array<std::int64_t, 3> lo{0, 0, 0}, hi{0, 0, 0};
  if (!blocks.empty()) {
    lo = hi = blocks.begin()->first;
    for (const auto& kv : blocks) {
      for (int a = 0; a < 3; ++a) {
        lo[a] = std::min(lo[a], kv.first[a]);
        hi[a] = std::max(hi[a], kv.first[a]);
      }
    }
  }
  const auto box_blocks = (hi[0] - lo[0] + 1) * (hi[1] - lo[1] + 1) * (hi[2] - lo[2] + 1);
  if (!blocks.empty() && box_blocks == static_cast<std::int64_t>(blocks.size())) {
    std::vector<hsize_t> bcount(count);
    for (int a = 0; a < nd; ++a) {
      start[2 + a] = static_cast<hsize_t>(lo[a] * bcells[a]);
      bcount[2 + a] = static_cast<hsize_t>((hi[a] - lo[a] + 1) * bcells[a]);
    }
    ck(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start.data(), nullptr, bcount.data(), nullptr),
       "H5Sselect_hyperslab", f.name);
  } else {
    for (const auto& [loc, b] : blocks) {
      for (int a = 0; a < nd; ++a) start[2 + a] = static_cast<hsize_t>(loc[a] * bcells[a]);
      ck(H5Sselect_hyperslab(fs, H5S_SELECT_OR, start.data(), nullptr, count.data(), nullptr),
         "H5Sselect_hyperslab", f.name);
    }
  }
  // Group the blocks by x column, then by (x, y) row.
  std::vector<const Block*> order;
  for (const auto& kv : blocks) order.push_back(kv.second);
  const Array4* arr = nullptr;
  for (std::size_t p = 0; p < order.size();) {
    std::size_t q = p;
    while (q < order.size() && order[q]->loc[0] == order[p]->loc[0]) ++q;  // same x column
    const Block& b0 = *order[p];
    for (int i = 0; i < b0.n[0]; ++i) {
      for (std::size_t r = p; r < q;) {
        std::size_t u = r;
        while (u < q && order[u]->loc[1] == order[r]->loc[1]) ++u;  // same (x, y) row
        for (int j = 0; j < order[r]->n[1]; ++j) {
          for (std::size_t v = r; v < u; ++v) {
            const Block& b = *order[v];
            arr = &b.field(f.fid);
            for (int k = 0; k < b.n[2]; ++k) {
              for (std::size_t c = 0; c < ncomp; ++c) {
                buf.push_back(static_cast<T>(centred_value(*arr, f.comps[c], k + b.ng[2],
                                                           j + b.ng[1], i + b.ng[0], f.centring)));
              }
            }
          }
        }
        r = u;
      }
    }
    p = q;
  }
  buffer_seconds_ += MPI_Wtime() - tb0;
  const hsize_t n = std::max<hsize_t>(buf.size(), 1);
  Handle ms = space_1d(n);
  if (buf.empty()) {
    buf.resize(1);
    ck(H5Sselect_none(ms), "H5Sselect_none", f.name);
  }
  Handle dxpl(h5::check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate", f.name), H5Pclose);
  ck(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio", f.name);
  ck(H5Dwrite(ds, mtype, ms, fs, dxpl, buf.data()), "H5Dwrite", f.name);
}

std::vector<double> WellDatasetSink::integrated_values(Mesh& mesh, double t) {
  // Module columns: per-rank values combined on rank 0 in rank order (as the history does).
  std::vector<double> local;
  std::size_t nmod = 0;
  for (auto& m : modules_) {
    for (const auto& v : m->history_values(mesh, t)) local.push_back(v.value), ++nmod;
  }
  // Totals: per block, in gid order (rank order = gid order), summed on rank 0.
  std::size_t ntot = 0;
  for (const auto& q : series_) ntot += q.from_module ? 0 : 1;
  std::vector<double> per_block;
  const int nd = mesh.ndim();
  for (const auto& bp : mesh.blocks()) {
    const Block& b = *bp;
    for (const auto& f : fields_) {
      if (!f.conserved) continue;
      const Array4& a = b.field(f.fid);
      for (int c : f.comps) {
        double s = 0.0;
        for_each_cell(b.interior(),
                      [&](int k, int j, int i) { s += centred_value(a, c, k, j, i, f.centring); });
        per_block.push_back(s * b.cell_volume(nd));
      }
    }
  }
  local.insert(local.end(), per_block.begin(), per_block.end());
  const std::vector<double> all = comm_.gather_to_root(local);
  std::vector<double> out(nmod + ntot, 0.0);
  if (!comm_.root()) return out;
  // Rank r contributed nmod module values followed by its blocks' totals; walk the ranks.
  std::size_t pos = 0;
  bool first = true;
  for (int r = 0; r < comm_.size(); ++r) {
    const auto nb = static_cast<std::size_t>(mesh.first_gid(r + 1) - mesh.first_gid(r));
    for (std::size_t e = 0; e < nmod; ++e) {
      const double v = all[pos + e];
      if (first) {
        out[e] = v;
      } else {
        switch (series_[e].reduce) {
          case HistoryReduce::kSum:
            out[e] += v;
            break;
          case HistoryReduce::kMax:
            out[e] = std::max(out[e], v);
            break;
          case HistoryReduce::kMin:
            out[e] = std::min(out[e], v);
            break;
        }
      }
    }
    pos += nmod;
    for (std::size_t b = 0; b < nb; ++b) {
      for (std::size_t e = 0; e < ntot; ++e) out[nmod + e] += all[pos + e];
      pos += ntot;
    }
    first = false;
  }
  return out;
}

void WellDatasetSink::write_frame(Mesh& mesh, const RunState& s) {
  const auto frame = static_cast<hsize_t>(frames_);
  const std::vector<double> ivals =
      integrated_ ? integrated_values(mesh, s.t) : std::vector<double>{};
  // Writer time: extents, buffers and writes (the integrated quantities above are compute).
  const double w0 = MPI_Wtime();
  double w1 = w0;
  extend_all(frame + 1);
  extend_seconds_ += MPI_Wtime() - w1;
  w1 = MPI_Wtime();
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (float32_) {
      write_field<float>(mesh, fields_[i], field_ds_[i], frame, H5T_NATIVE_FLOAT);
    } else {
      write_field<double>(mesh, fields_[i], field_ds_[i], frame, H5T_NATIVE_DOUBLE);
    }
  }
  fields_seconds_ += MPI_Wtime() - w1;
  const double t = s.t;
  const float t32 = static_cast<float>(t);
  write_series_value(time_ds_, frame, false, float32_ ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE,
                     float32_ ? static_cast<const void*>(&t32) : static_cast<const void*>(&t));
  write_series_value(time64_ds_, frame, false, H5T_NATIVE_DOUBLE, &t);
  const std::int64_t step = s.step;
  write_series_value(step_ds_, frame, false, H5T_NATIVE_INT64, &step);
  write_series_value(soldt_ds_, frame, false, H5T_NATIVE_DOUBLE, &s.dt);
  for (std::size_t e = 0; e < series_.size(); ++e) {
    const double v = comm_.root() ? ivals[e] : 0.0;
    write_series_value(series_[e].ds, frame, true, H5T_NATIVE_DOUBLE, &v);
  }
  ++frames_;
  write_seconds_ += MPI_Wtime() - w0;
  std::int64_t cells = 1;
  for (int a = 0; a < mesh_.ndim; ++a) cells *= mesh_.cells[a];
  for (const auto& of : fields_) {
    field_bytes_ += cells * static_cast<std::int64_t>(of.comps.size()) * (float32_ ? 4 : 8);
  }
  // Fault injection for the ensemble-resume test: TESSERA_FAULT_KILL_IN_DATASET_FRAME=N kills
  // rank 0 right after it wrote frame N (1-based) of a dataset, leaving a .partial file.
  if (const char* e = std::getenv("TESSERA_FAULT_KILL_IN_DATASET_FRAME")) {
    if (std::atoll(e) == frames_ && comm_.root()) std::raise(SIGKILL);
  }
}

void WellDatasetSink::after_step(Mesh& mesh, const RunState& s) {
  if (s.dt > 0.0) {
    dt_min_ = dt_min_ > 0.0 ? std::min(dt_min_, s.dt) : s.dt;
    dt_max_ = std::max(dt_max_, s.dt);
  }
  const double tk = next_t();
  if (s.t < tk - 1e-9 * dt_) return;
  write_frame(mesh, s);
  // The driver lands on tk exactly; skip any output time the step went past (only possible
  // when another constraint made the step overshoot, which the driver never does).
  next_k_ = std::max<std::int64_t>(next_k_ + 1,
                                   static_cast<std::int64_t>(std::floor(s.t / dt_ + 1e-9)) + 1);
}

void WellDatasetSink::end(Mesh& /*mesh*/, const RunState& s) {
  close_parallel();
  const double wsec = comm_.max(write_seconds_), esec = comm_.max(extend_seconds_),
               fsec = comm_.max(fields_seconds_), bsec = comm_.max(buffer_seconds_);
  comm_.barrier();
  on_root(comm_, [&] {
    {
      Handle f(H5Fopen(partial_.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
      if (f.get() < 0) throw IoError(fmt::format("[dataset]: cannot reopen '{}'", partial_));
      Handle g = h5::open_group(f, "provenance");
      attr_bool(g, "complete", true);
      attr_i64(g, "frames", frames_);
      attr_i64(g, "solver_steps", s.step);
      attr_f64(g, "t_final", s.t);
      attr_f64(g, "solver_dt_min", dt_min_);
      attr_f64(g, "solver_dt_max", dt_max_);
      // Throughput of the writer (bench/datasets): field bytes and the time spent writing
      // frames (extents, buffers, collective writes), slowest rank, last run segment only.
      attr_i64(g, "write_field_bytes", field_bytes_);
      attr_f64(g, "write_seconds", wsec);
      attr_f64(g, "extend_seconds", esec);
      attr_f64(g, "field_write_seconds", fsec);
      attr_f64(g, "buffer_seconds", bsec);
    }
    std::error_code ec;
    fs::rename(partial_, file_, ec);
    if (ec) {
      throw IoError(
          fmt::format("[dataset]: cannot rename '{}' to '{}': {}", partial_, file_, ec.message()));
    }
  });
}

}  // namespace

std::unique_ptr<OutputSink> make_dataset_sink(const SinkContext& ctx) {
  return std::make_unique<WellDatasetSink>(ctx);
}

}  // namespace tessera

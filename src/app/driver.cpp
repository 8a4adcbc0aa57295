#include "tessera/app/driver.hpp"
#include "tessera/solvers/petsc.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

namespace tessera {

namespace fs = std::filesystem;

TimeParams TimeParams::from_config(const Config& cfg) {
  TimeParams p;
  p.t_end = cfg.require_double("time.t_end", Range::non_negative());
  p.cfl = cfg.get_double("time.cfl", 0.4, {0.0, 1.0, true});
  p.integrator =
      integrator_from_string(cfg.get_string("time.integrator", "rk2", {"rk1", "rk2", "rk3"}));
  p.max_steps = cfg.get_int("time.max_steps", -1, Range::at_least(-1));
  p.wall_limit = cfg.get_double("time.wall_limit", 0.0, Range::non_negative());
  return p;
}

OutputParams OutputParams::from_config(const Config& cfg) {
  OutputParams p;
  p.dir = cfg.get_string("output.dir", "output");
  p.basename = cfg.get_string("output.basename", "tessera");
  if (p.basename.empty() || p.basename.find('/') != std::string::npos) {
    cfg.fail("output.basename", "must be a non-empty file name without '/'");
  }
  p.snapshot_dt = cfg.get_double("output.snapshot_dt", 0.0, Range::non_negative());
  p.snapshot_steps = cfg.get_int("output.snapshot_steps", 0, Range::non_negative());
  p.layout = cfg.get_string("output.layout", "blocks", {"blocks", "uniform"}) == "uniform"
                 ? Layout::kUniform
                 : Layout::kBlocks;
  p.float32 = cfg.get_string("output.precision", "float64", {"float64", "float32"}) == "float32";
  p.history_dt = cfg.get_double("output.history_dt", 0.0, Range::non_negative());
  p.checkpoint_steps = cfg.get_int("output.checkpoint_steps", 0, Range::non_negative());
  p.checkpoint_wall_minutes =
      cfg.get_double("output.checkpoint_wall_minutes", 0.0, Range::non_negative());
  p.checkpoint_at_end = cfg.get_bool("output.checkpoint_at_end", true);
  p.checkpoint_keep = cfg.get_int("output.checkpoint_keep", 0, Range::non_negative());
  p.progress_steps = cfg.get_int("output.progress_steps", 100, Range::at_least(1));
  p.progress_seconds = cfg.get_double("output.progress_seconds", 5.0, Range::positive());
  p.check_every = cfg.get_int("output.check_every", 1, Range::at_least(1));
  return p;
}

Simulation::Simulation(Config cfg, const Comm& comm, const RunOptions& opts)
    : cfg_(std::move(cfg)), comm_(comm), opts_(opts), log_(comm) {
  mesh_params_ = MeshParams::from_config(cfg_);
  bc_params_ = BoundaryParams::from_config(cfg_, mesh_params_.ndim);
  mesh_params_.periodic = bc_params_.periodic();
  time_ = TimeParams::from_config(cfg_);
  out_ = OutputParams::from_config(cfg_);

  const auto names = cfg_.keys_in("physics");
  if (names.empty()) {
    std::string known;
    for (const auto& n : module_names()) known += (known.empty() ? "" : ", ") + n;
    throw ConfigError(fmt::format("{}: the deck has no [physics.<module>] section; add one of: {}",
                                  cfg_.file_name(), known));
  }
  for (const auto& n : names) modules_.push_back(make_module(n, cfg_, mesh_params_.ndim));
  for (auto& m : modules_) m->connect(modules_);
  ProblemContext ctx{cfg_, mesh_params_, modules_};
  problem_ = make_problem(ctx);

  int ghost = 1;
  for (const auto& m : modules_) ghost = std::max(ghost, m->required_ghost());
  // Without an explicit mesh.ghost the width follows the modules (e.g. 3 for PPM).
  if (!cfg_.has("mesh.ghost") && mesh_params_.ghost < ghost) {
    mesh_params_.ghost = ghost;
    for (int a = 0; a < mesh_params_.ndim; ++a) {
      if (mesh_params_.block_cells[a] < ghost) {
        cfg_.fail("mesh.block_cells",
                  fmt::format("blocks need at least {} cells per axis for the {} ghost cells the "
                              "physics modules need",
                              ghost, ghost));
      }
    }
  }
  if (mesh_params_.ghost < ghost) {
    cfg_.fail("mesh.ghost", fmt::format("the physics modules need at least {} ghost cells", ghost));
  }
  // Fixed boundaries must give a value for every evolved component: check now, collectively.
  FieldRegistry reg;
  for (auto& m : modules_) m->register_fields(reg);
  for (int a = 0; a < mesh_params_.ndim; ++a) {
    for (int s = 0; s < 2; ++s) {
      const FaceBc& f = bc_params_.face[a][s];
      if (f.kind != BcKind::kFixed || f.has_value) continue;
      for (int fid : reg.evolved()) {
        for (const auto& c : reg.spec(fid).components) {
          if (!f.values.count(c)) {
            const std::string key = fmt::format("boundary.x{}_{}", a + 1, s ? "upper" : "lower");
            cfg_.fail(key, fmt::format("a \"fixed\" boundary needs a value for '{}': add {}_value "
                                       "= ... or {}_values = {{ {} = ... }}",
                                       c, key, key, c));
          }
        }
      }
      for (const auto& [c, v] : f.values) {
        bool found = false;
        for (int fid : reg.evolved()) {
          for (const auto& cc : reg.spec(fid).components) found = found || cc == c;
        }
        if (!found) {
          cfg_.fail(fmt::format("boundary.x{}_{}_values", a + 1, s ? "upper" : "lower"),
                    fmt::format("no evolved field component is called '{}'", c));
        }
      }
    }
  }
  // [petsc]: PETSc options by name (without '-'), e.g. diffusion_ksp_type = "gmres".
  cfg_.accept_section("petsc");
  // [ensemble]: read by the ensemble runner (app/ensemble.cpp), which runs this deck per member.
  cfg_.accept_section("ensemble");
  // A "user" face needs the problem's hook; check here, collectively, not when only the ranks
  // owning that face would find out.
  for (int a = 0; a < mesh_params_.ndim; ++a) {
    for (int s = 0; s < 2; ++s) {
      if (bc_params_.face[a][s].kind == BcKind::kUser && !problem_->user_boundary()) {
        cfg_.fail(fmt::format("boundary.x{}_{}", a + 1, s ? "upper" : "lower"),
                  "\"user\" needs a problem with a user boundary, and this problem has none; "
                  "use periodic, outflow, reflecting or fixed");
      }
    }
  }
  // Sinks read their sections now so that check_unused knows their keys; they open nothing
  // before begin().
  std::vector<std::unique_ptr<OutputSink>> sinks = make_output_sinks(SinkContext{
      cfg_, mesh_params_, bc_params_, modules_, comm_, out_.dir, out_.basename, opts_.check_only});
  cfg_.check_unused();
  deck_text_ = cfg_.effective_toml();
  if (opts_.check_only) return;
  petsc_ = std::make_unique<PetscSession>(comm_, cfg_.leaves_in("petsc"));

  mesh_ = std::make_unique<Mesh>(mesh_params_, comm_);
  for (auto& m : modules_) m->register_fields(mesh_->fields());
  mesh_->allocate_fields();
  exchange_ = std::make_unique<BoundaryExchange>(*mesh_, bc_params_);
  exchange_->set_user_boundary(problem_->user_boundary());
  for (auto& m : modules_) {
    m->set_halo_fill([this](const std::vector<int>& ids, double t) { exchange_->fill(ids, t); });
  }
  sinks_ = std::move(sinks);
  integrator_ =
      std::make_unique<TimeIntegrator>(time_.integrator, *mesh_, *exchange_, modules_, timers_);

  if (comm_.root()) {
    std::error_code ec;
    fs::create_directories(out_.dir, ec);
    if (ec) {
      throw IoError(fmt::format("cannot create output.dir '{}': {}", out_.dir, ec.message()));
    }
  }
  comm_.barrier();
  log_.open_file(out_path(".log"), !opts_.restart.empty());

  history_columns_ = {"time", "step", "dt"};
  for (int fid = 0; fid < mesh_->fields().size(); ++fid) {
    const auto& spec = mesh_->fields().spec(fid);
    for (const auto& c : spec.components) {
      if (spec.conserved) history_columns_.push_back("total_" + c);
      history_columns_.push_back("min_" + c);
      history_columns_.push_back("max_" + c);
      if (problem_->has_exact()) {
        history_columns_.push_back("err_L1_" + c);
        history_columns_.push_back("err_L2_" + c);
        history_columns_.push_back("err_Linf_" + c);
      }
    }
  }

  if (opts_.restart.empty()) {
    problem_->initialize(*mesh_);
    // Module history columns (collective: modules may compute their values with transforms).
    for (auto& m : modules_) {
      for (const auto& v : m->history_values(*mesh_, t_)) history_columns_.push_back(v.name);
    }
    if (comm_.root()) {
      std::ofstream h(out_path(".hst"), std::ios::trunc);
      if (!h) throw IoError(fmt::format("cannot write '{}'", out_path(".hst")));
      h << "#";
      for (const auto& c : history_columns_) h << ' ' << c;
      h << '\n';
    }
  } else {
    Timers::Scope s(timers_, TimerKind::kIo);
    if (!fs::exists(opts_.restart)) {
      throw IoError(fmt::format("--restart {}: no such file", opts_.restart), true);
    }
    h5::Handle file = h5::open_parallel_read(opts_.restart, comm_.get());
    if (h5::read_attr_string(file, "kind") != "checkpoint") {
      throw IoError(fmt::format("--restart {}: not a checkpoint (kind attribute is not "
                                "\"checkpoint\"); restart from a .chk.NNNNN.h5 file",
                                opts_.restart),
                    true);
    }
    read_mesh_fields(file, opts_.restart, *mesh_, mesh_->fields().evolved());
    h5::Handle d = h5::open_group(file, "driver");
    t_ = h5::read_attr_double(d, "time");
    step_ = h5::read_attr_int(d, "step");
    snapshot_count_ = h5::read_attr_int(d, "snapshot_count");
    next_snapshot_t_ = h5::read_attr_double(d, "next_snapshot_time");
    next_history_t_ = h5::read_attr_double(d, "next_history_time");
    if (snapshot_count_ > 0) {
      h5::Handle a(H5Aopen(d, "snapshot_times", H5P_DEFAULT), H5Aclose);
      h5::check(a, "H5Aopen", "snapshot_times");
      snapshot_times_.resize(snapshot_count_);
      h5::check(H5Aread(a, H5T_NATIVE_DOUBLE, snapshot_times_.data()), "H5Aread", "snapshot_times");
    }
    for (auto& sink : sinks_) {
      const std::string g = "sinks/" + sink->name();
      if (H5Lexists(file, "sinks", H5P_DEFAULT) <= 0 ||
          H5Lexists(file, g.c_str(), H5P_DEFAULT) <= 0) {
        throw IoError(fmt::format("--restart {}: the checkpoint has no state for [{}] (it was "
                                  "written without that section); restart with the deck it was "
                                  "written with",
                                  opts_.restart, sink->name()),
                      true);
      }
      h5::Handle sg = h5::open_group(file, g);
      sink->read_checkpoint(sg);
    }
  }
}

RunState Simulation::run_state(double dt) const {
  return RunState{t_, step_, dt, &deck_text_, !opts_.restart.empty()};
}

Simulation::~Simulation() = default;

std::string Simulation::out_path(const std::string& suffix) const {
  return (fs::path(out_.dir) / (out_.basename + suffix)).string();
}

double Simulation::compute_dt(double& wall_elapsed) {
  double dt = std::numeric_limits<double>::infinity();
  for (const auto& b : mesh_->blocks()) {
    for (const auto& m : modules_) dt = std::min(dt, m->max_dt(*b));
  }
  // One reduction for the step size and the wall clock (max elapsed, negated for MIN) so that
  // every rank takes the same wall-time decisions.
  std::vector<double> v{dt * time_.cfl, -(wall_seconds() - start_wall_)};
  comm_.min_inplace(v);
  wall_elapsed = -v[1];
  return v[0];
}

void Simulation::run() {
  start_wall_ = wall_seconds();
  last_progress_wall_ = start_wall_;
  last_checkpoint_wall_ = 0.0;
  start_step_ = step_;
  const std::int64_t cells = mesh_->cells_total();
  log_.info("tessera: {} ranks, {} blocks of {}x{}x{} cells, {} cells, problem start t = {}",
            comm_.size(), mesh_->nblocks_total(), mesh_params_.block_cells[0],
            mesh_params_.block_cells[1], mesh_params_.block_cells[2], cells, t_);
  if (opts_.restart.empty()) {
    write_history_row();
    write_snapshot();
  } else {
    log_.info("restarted from {} at step {}, t = {}", opts_.restart, step_, t_);
  }
  for (auto& sink : sinks_) {
    Timers::Scope s(timers_, TimerKind::kIo);
    sink->begin(*mesh_, run_state(0.0));
    if (opts_.restart.empty()) sink->after_step(*mesh_, run_state(0.0));
  }
  std::int64_t last_snapshot_step = step_, last_history_step = step_, last_checkpoint_step = -1;
  std::string reason = "reached t_end";
  const double t_eps = 1e-12 * std::max(1.0, std::abs(time_.t_end));
  while (true) {
    double wall = 0.0;
    double dt = compute_dt(wall);
    if (t_ >= time_.t_end - t_eps) break;
    if (time_.max_steps >= 0 && step_ >= time_.max_steps) {
      reason = fmt::format("reached time.max_steps = {}", time_.max_steps);
      break;
    }
    if (time_.wall_limit > 0.0 && wall >= time_.wall_limit) {
      reason = fmt::format("reached time.wall_limit = {} s", time_.wall_limit);
      break;
    }
    if (!(dt > 0.0)) {
      throw PhysicsError(fmt::format("the time step is {} at step {}, t = {}: the state admits no "
                                     "stable step",
                                     dt, step_, t_),
                         true);
    }
    // Land exactly on t_end and on snapshot times.
    double target = time_.t_end;
    if (out_.snapshot_dt > 0.0) target = std::min(target, next_snapshot_t_);
    for (const auto& sink : sinks_) target = std::min(target, sink->next_time());
    bool clipped = false;
    if (t_ + dt >= target - t_eps) {
      dt = target - t_;
      clipped = true;
    }
    integrator_->step(t_, dt);
    for (auto& m : modules_) {
      for (const auto& l : m->take_log_lines()) log_.line(l);
    }
    ++step_;
    t_ = clipped ? target : t_ + dt;
    last_dt_ = dt;
    if (step_ % out_.check_every == 0) check_state();

    if (out_.history_dt <= 0.0 || t_ >= next_history_t_ - t_eps) {
      write_history_row();
      last_history_step = step_;
    }
    const bool snap_time = out_.snapshot_dt > 0.0 && t_ >= next_snapshot_t_ - t_eps;
    const bool snap_step = out_.snapshot_steps > 0 && step_ % out_.snapshot_steps == 0;
    if (snap_time || snap_step) {
      write_snapshot();
      last_snapshot_step = step_;
    }
    for (auto& sink : sinks_) {
      Timers::Scope s(timers_, TimerKind::kIo);
      sink->after_step(*mesh_, run_state(dt));
    }
    const bool chk_step = out_.checkpoint_steps > 0 && step_ % out_.checkpoint_steps == 0;
    const bool chk_wall = out_.checkpoint_wall_minutes > 0.0 &&
                          wall - last_checkpoint_wall_ >= 60.0 * out_.checkpoint_wall_minutes;
    if (chk_step || chk_wall) {
      write_checkpoint();
      last_checkpoint_step = step_;
      last_checkpoint_wall_ = wall;
    }
    progress_line(false);
  }
  if (last_history_step != step_) write_history_row();
  if (last_snapshot_step != step_ || step_ == start_step_) {
    if (!(opts_.restart.empty() && step_ == 0)) write_snapshot();
  }
  if (out_.checkpoint_at_end && last_checkpoint_step != step_) write_checkpoint();
  for (auto& sink : sinks_) {
    Timers::Scope s(timers_, TimerKind::kIo);
    sink->end(*mesh_, run_state(last_dt_));
  }
  progress_line(true);

  const double wall = comm_.max(wall_seconds() - start_wall_);
  const double updates = static_cast<double>(cells) * static_cast<double>(step_ - start_step_);
  const double zcs = wall > 0 ? updates / wall : 0.0;
  const double tc = timers_.get(TimerKind::kCompute), te = timers_.get(TimerKind::kExchange),
               tio = timers_.get(TimerKind::kIo), ts = timers_.get(TimerKind::kSolve);
  log_.info("finished: {} after {} steps at t = {:.10g}", reason, step_ - start_step_, t_);
  log_.info("wall time {:.3f} s; {:.4g} zone-cycles/s in total, {:.4g} per rank", wall, zcs,
            zcs / comm_.size());
  log_.info(
      "time split (rank 0): compute {:.1f}%, halo exchange {:.1f}%, I/O {:.1f}%, "
      "implicit solves {:.1f}%, other {:.1f}%",
      100 * tc / wall, 100 * te / wall, 100 * tio / wall, 100 * ts / wall,
      100 * std::max(0.0, wall - tc - te - tio - ts) / wall);
}

void Simulation::progress_line(bool force) {
  if (!comm_.root()) return;
  const double now = wall_seconds();
  if (last_progress_step_ < 0) last_progress_step_ = start_step_;
  const bool due = (step_ - start_step_) % out_.progress_steps == 0 ||
                   now - last_progress_wall_ >= out_.progress_seconds;
  if (!force && !due) return;
  const double dw = now - last_progress_wall_;
  const double rate =
      dw > 0 ? static_cast<double>(mesh_->cells_total()) * (step_ - last_progress_step_) / dw : 0.0;
  const double frac = time_.t_end > 0 ? std::min(1.0, t_ / time_.t_end) : 1.0;
  const double elapsed = now - start_wall_;
  const double eta =
      frac > 0 && t_ > 0 ? elapsed * (1.0 - frac) / std::max(1e-12, frac - 0.0) : 0.0;
  log_.line(fmt::format("step {:>8}  t = {:.6e}  {:5.1f}%  ETA {:>7.1f} s  {:.3e} zone-cycles/s",
                        step_, t_, 100 * frac, eta, rate));
  last_progress_wall_ = now;
  last_progress_step_ = step_;
}

void Simulation::prepare_output() {
  if (prepared_step_ == step_) return;
  prepared_step_ = step_;
  bool halo = false;
  for (const auto& m : modules_) halo = halo || m->output_needs_halo();
  if (halo) {
    std::vector<int> ids = mesh_->fields().evolved();
    std::erase_if(ids, [&](int f) { return !mesh_->fields().spec(f).integrated_by_driver; });
    exchange_->fill(ids, t_);
  }
  for (auto& m : modules_) m->prepare_output(*mesh_);
}

void Simulation::write_snapshot() {
  prepare_output();
  Timers::Scope s(timers_, TimerKind::kIo);
  std::vector<int> ids;
  for (int f = 0; f < mesh_->fields().size(); ++f) {
    if (mesh_->fields().spec(f).output) ids.push_back(f);
  }
  const std::string stem = fmt::format("{}.out.{:05d}", out_.basename, snapshot_count_);
  const std::string path = (fs::path(out_.dir) / (stem + ".h5")).string();
  SnapshotHeader h{"snapshot", t_, step_, deck_text_, out_.layout, out_.float32};
  write_mesh_file(path, *mesh_, h, ids, [&](hid_t file) {
    for (auto& m : modules_) m->write_snapshot_extras(*mesh_, file);
  });
  snapshot_times_.push_back(t_);
  if (comm_.root()) {
    // XDMF names avoid ".out." (ParaView 5.11 hands "*.out*" files to its VASP reader).
    write_xdmf(out_path(fmt::format(".{:05d}.xdmf2", snapshot_count_)),
               {xdmf_grid(*mesh_, ids, out_.layout, out_.float32, stem + ".h5", t_)}, false);
    std::vector<std::string> grids;
    for (std::size_t i = 0; i < snapshot_times_.size(); ++i) {
      grids.push_back(xdmf_grid(*mesh_, ids, out_.layout, out_.float32,
                                fmt::format("{}.out.{:05d}.h5", out_.basename, i),
                                snapshot_times_[i]));
    }
    write_xdmf(out_path(".xdmf2"), grids, true);
  }
  ++snapshot_count_;
  if (out_.snapshot_dt > 0.0) {
    next_snapshot_t_ = out_.snapshot_dt * (std::floor(t_ / out_.snapshot_dt + 1e-9) + 1.0);
  }
}

void Simulation::write_checkpoint() {
  Timers::Scope s(timers_, TimerKind::kIo);
  const std::string final_path = out_path(fmt::format(".chk.{:05d}.h5", step_));
  const std::string tmp = final_path + ".tmp";
  ++checkpoints_written_;
  // Fault injection for the crash-safety test: TESSERA_FAULT_KILL_IN_CHECKPOINT=N kills rank 0
  // in the middle of writing its N-th checkpoint, after the data and before the rename.
  std::int64_t kill_at = 0;
  if (const char* e = std::getenv("TESSERA_FAULT_KILL_IN_CHECKPOINT")) kill_at = std::atoll(e);
  SnapshotHeader h{"checkpoint", t_, step_, deck_text_, Layout::kBlocks, false};
  write_mesh_file(tmp, *mesh_, h, mesh_->fields().evolved(), [&](hid_t file) {
    h5::Handle d = h5::create_group(file, "driver");
    h5::write_attr(d, "time", t_);
    h5::write_attr(d, "step", step_);
    h5::write_attr(d, "snapshot_count", snapshot_count_);
    h5::write_attr(d, "next_snapshot_time", next_snapshot_t_);
    h5::write_attr(d, "next_history_time", next_history_t_);
    if (!snapshot_times_.empty()) h5::write_attr(d, "snapshot_times", snapshot_times_);
    if (!sinks_.empty()) {
      h5::Handle sg = h5::create_group(file, "sinks");
      for (auto& sink : sinks_) {
        h5::Handle g = h5::create_group(sg, sink->name());
        sink->write_checkpoint(g);
      }
    }
    if (kill_at == checkpoints_written_ && comm_.root()) {
      std::raise(SIGKILL);  // no H5Fflush: it is collective and would wait for the others
    }
  });
  comm_.barrier();
  if (comm_.root()) {
    std::error_code ec;
    fs::rename(tmp, final_path, ec);
    if (ec)
      throw IoError(fmt::format("cannot rename '{}' to '{}': {}", tmp, final_path, ec.message()));
    checkpoints_.push_back(final_path);
    while (out_.checkpoint_keep > 0 &&
           static_cast<std::int64_t>(checkpoints_.size()) > out_.checkpoint_keep) {
      fs::remove(checkpoints_.front(), ec);
      checkpoints_.erase(checkpoints_.begin());
    }
  }
  comm_.barrier();
  log_.info("checkpoint {} (step {}, t = {:.10g})", final_path, step_, t_);
}

void Simulation::write_history_row() {
  prepare_output();
  Timers::Scope s(timers_, TimerKind::kIo);
  const auto& reg = mesh_->fields();
  const int ndim = mesh_->ndim();
  const bool exact = problem_->has_exact();
  // Module columns first: a module may refresh derived fields while computing them.
  std::vector<HistoryValue> extra_values;
  for (auto& m : modules_) {
    for (auto& v : m->history_values(*mesh_, t_)) extra_values.push_back(std::move(v));
  }
  std::vector<double> extra_local;
  for (const auto& v : extra_values) extra_local.push_back(v.value);
  const std::vector<double> extra_all = comm_.gather_to_root(extra_local);
  // Per block: per component [sum, min, max, l1, l2, linf]; reduced on rank 0 in gid order so
  // the history is bitwise the same for every rank count.
  constexpr int kQ = 6;
  std::vector<double> local;
  Array4 ex;
  for (const auto& bp : mesh_->blocks()) {
    const Block& b = *bp;
    const double dv = b.cell_volume(ndim);
    for (int fid = 0; fid < reg.size(); ++fid) {
      const Array4& u = b.field(fid);
      if (exact) {
        ex.resize(u.ncomp(), u.dims());
        problem_->exact(b, fid, t_, ex);
      }
      for (int c = 0; c < u.ncomp(); ++c) {
        double sum = 0, mn = std::numeric_limits<double>::infinity(), mx = -mn, l1 = 0, l2 = 0,
               li = 0;
        for_each_cell(b.interior(), [&](int k, int j, int i) {
          const double v = u(c, k, j, i);
          sum += v;
          mn = std::min(mn, v);
          mx = std::max(mx, v);
          if (exact) {
            const double e = std::abs(v - ex(c, k, j, i));
            l1 += e;
            l2 += e * e;
            li = std::max(li, e);
          }
        });
        local.insert(local.end(), {sum * dv, mn, mx, l1 * dv, l2 * dv, li});
      }
    }
  }
  const std::vector<double> all = comm_.gather_to_root(local);
  if (!comm_.root()) {
    if (out_.history_dt > 0.0)
      next_history_t_ = out_.history_dt * (std::floor(t_ / out_.history_dt + 1e-9) + 1.0);
    return;
  }
  int ncomp = 0;
  for (int fid = 0; fid < reg.size(); ++fid)
    ncomp += static_cast<int>(reg.spec(fid).components.size());
  std::vector<double> acc(static_cast<std::size_t>(ncomp) * kQ, 0.0);
  for (int c = 0; c < ncomp; ++c) {
    acc[c * kQ + 1] = std::numeric_limits<double>::infinity();
    acc[c * kQ + 2] = -std::numeric_limits<double>::infinity();
  }
  const std::size_t nb = all.size() / (static_cast<std::size_t>(ncomp) * kQ);
  for (std::size_t b = 0; b < nb; ++b) {
    for (int c = 0; c < ncomp; ++c) {
      const double* q = &all[(b * ncomp + c) * kQ];
      double* a = &acc[c * kQ];
      a[0] += q[0];
      a[1] = std::min(a[1], q[1]);
      a[2] = std::max(a[2], q[2]);
      a[3] += q[3];
      a[4] += q[4];
      a[5] = std::max(a[5], q[5]);
    }
  }
  const double vol = mesh_->domain_volume();
  std::string row = fmt::format("{:.17e} {} {:.17e}", t_, step_, last_dt_);
  int c = 0;
  for (int fid = 0; fid < reg.size(); ++fid) {
    for (std::size_t k = 0; k < reg.spec(fid).components.size(); ++k, ++c) {
      const double* a = &acc[c * kQ];
      if (reg.spec(fid).conserved) row += fmt::format(" {:.17e}", a[0]);
      row += fmt::format(" {:.17e} {:.17e}", a[1], a[2]);
      if (exact)
        row += fmt::format(" {:.17e} {:.17e} {:.17e}", a[3] / vol, std::sqrt(a[4] / vol), a[5]);
    }
  }
  // Module columns: every rank contributed one value per column, combined in rank order.
  const std::size_t nx = extra_values.size();
  for (std::size_t e = 0; e < nx; ++e) {
    double r = extra_all[e];
    for (std::size_t p = 1; p * nx + e < extra_all.size(); ++p) {
      const double v = extra_all[p * nx + e];
      switch (extra_values[e].reduce) {
        case HistoryReduce::kSum:
          r += v;
          break;
        case HistoryReduce::kMax:
          r = std::max(r, v);
          break;
        case HistoryReduce::kMin:
          r = std::min(r, v);
          break;
      }
    }
    row += fmt::format(" {:.17e}", r);
  }
  std::ofstream h(out_path(".hst"), std::ios::app);
  if (!h) throw IoError(fmt::format("cannot append to '{}'", out_path(".hst")));
  h << row << '\n';
  if (out_.history_dt > 0.0)
    next_history_t_ = out_.history_dt * (std::floor(t_ / out_.history_dt + 1e-9) + 1.0);
}

void Simulation::check_state() {
  std::string msg;
  const auto& reg = mesh_->fields();
  for (const auto& bp : mesh_->blocks()) {
    const Block& b = *bp;
    for (int fid : reg.evolved()) {
      const Array4& u = b.field(fid);
      for (int c = 0; c < u.ncomp() && msg.empty(); ++c) {
        const IndexBox in = b.interior();
        for (int k = in.lo[2]; k < in.hi[2] && msg.empty(); ++k)
          for (int j = in.lo[1]; j < in.hi[1] && msg.empty(); ++j)
            for (int i = in.lo[0]; i < in.hi[0]; ++i) {
              if (!std::isfinite(u(c, k, j, i))) {
                msg = fmt::format(
                    "field '{}' is {} in block {} at cell ({}, {}, {}), position ({:.6g}, {:.6g}, "
                    "{:.6g}), step {}, t = {:.10g}",
                    reg.spec(fid).components[c], u(c, k, j, i), b.gid, i - b.ng[0], j - b.ng[1],
                    k - b.ng[2], b.center(0, i), b.center(1, j), b.center(2, k), step_, t_);
                break;
              }
            }
      }
    }
    for (const auto& m : modules_) {
      if (msg.empty()) {
        const std::string s = m->check_state(b);
        if (!s.empty())
          msg = fmt::format("{} in block {} at step {}, t = {:.10g}", s, b.gid, step_, t_);
      }
    }
    if (!msg.empty()) break;
  }
  const double bad_rank = comm_.min(msg.empty() ? static_cast<double>(comm_.size()) : comm_.rank());
  if (bad_rank >= comm_.size()) return;
  msg = comm_.broadcast(msg, static_cast<int>(bad_rank));
  const std::string path = out_path(".emergency.h5");
  try {
    SnapshotHeader h{"emergency", t_, step_, deck_text_, Layout::kBlocks, false};
    std::vector<int> all;
    for (int f = 0; f < reg.size(); ++f) all.push_back(f);
    write_mesh_file(path, *mesh_, h, all, {});
    msg += fmt::format("; emergency snapshot written to {}", path);
  } catch (const Error& e) {
    msg += fmt::format("; the emergency snapshot could not be written: {}", e.what());
  }
  throw PhysicsError(
      "invalid state: " + msg + ". Reduce time.cfl, check the initial and boundary conditions.",
      true);
}

}  // namespace tessera

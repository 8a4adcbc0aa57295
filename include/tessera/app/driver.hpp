#pragma once
/// \file driver.hpp
/// The simulation: builds mesh, modules and problem from the deck, runs the time loop and
/// calls the writers. Data flows one way: deck -> parts -> loop -> writers.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/bc/boundary.hpp"
#include "tessera/core/config.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/timer.hpp"
#include "tessera/io/output_sink.hpp"
#include "tessera/io/snapshot.hpp"
#include "tessera/numerics/integrator.hpp"
#include "tessera/problems/problem.hpp"

namespace tessera {

class PetscSession;

/// [time] section.
struct TimeParams {
  double t_end = 1.0;  ///< stop time [time]
  double cfl = 0.4;    ///< Courant number
  IntegratorKind integrator = IntegratorKind::kSSPRK2;
  std::int64_t max_steps = -1;  ///< stop after this many steps in total (-1: no limit)
  double wall_limit = 0.0;      ///< stop (with a checkpoint) after this many wall seconds; 0: none
  static TimeParams from_config(const Config& cfg);
};

/// [output] section.
struct OutputParams {
  std::string dir = "output";
  std::string basename = "tessera";
  double snapshot_dt = 0.0;         ///< simulation time between snapshots; 0: first and last only
  std::int64_t snapshot_steps = 0;  ///< steps between snapshots; 0: off
  Layout layout = Layout::kBlocks;
  bool float32 = false;
  double history_dt = 0.0;  ///< time between history rows; 0: every step
  std::int64_t checkpoint_steps = 0;
  double checkpoint_wall_minutes = 0.0;
  bool checkpoint_at_end = true;
  std::int64_t checkpoint_keep = 0;  ///< newest checkpoints kept; 0: all
  std::int64_t progress_steps = 100;
  double progress_seconds = 5.0;
  std::int64_t check_every = 1;  ///< steps between NaN/validity scans
  static OutputParams from_config(const Config& cfg);
};

/// Command-line choices that are not part of the deck.
struct RunOptions {
  std::string restart;      ///< checkpoint to continue from ("" for a fresh start)
  bool check_only = false;  ///< validate the deck and stop
};

/// Everything one simulation owns.
class Simulation {
 public:
  /// Reads every parameter, checks the deck strictly, and (unless check_only) builds the
  /// mesh and sets the initial state or reads the restart file.
  Simulation(Config cfg, const Comm& comm, const RunOptions& opts);
  ~Simulation();
  /// Runs the time loop to the end; returns normally on success.
  void run();
  Mesh& mesh() { return *mesh_; }
  double time() const { return t_; }
  std::int64_t step() const { return step_; }

 private:
  double compute_dt(double& wall_elapsed);
  void write_snapshot();
  void write_checkpoint();
  void write_history_row();
  /// Fills the halos when a module asks for it and lets the modules refresh derived output
  /// fields (once per step: history rows and snapshots of the same step share it).
  void prepare_output();
  void check_state();
  std::string out_path(const std::string& suffix) const;
  void progress_line(bool force);
  RunState run_state(double dt) const;

  Config cfg_;
  const Comm& comm_;
  RunOptions opts_;
  Logger log_;
  Timers timers_;
  MeshParams mesh_params_;
  BoundaryParams bc_params_;
  TimeParams time_;
  OutputParams out_;
  // PETSc (initialised on comm_ with the deck's [petsc] options); declared before the modules
  // so that their PETSc objects are destroyed before PetscFinalize.
  std::unique_ptr<PetscSession> petsc_;
  std::vector<std::unique_ptr<PhysicsModule>> modules_;
  std::unique_ptr<Problem> problem_;
  std::unique_ptr<Mesh> mesh_;
  std::unique_ptr<BoundaryExchange> exchange_;
  std::unique_ptr<TimeIntegrator> integrator_;
  // After the mesh: a sink may hold views of the mesh's storage until it is destroyed.
  std::vector<std::unique_ptr<OutputSink>> sinks_;
  std::string deck_text_;

  double t_ = 0.0;
  double last_dt_ = 0.0;  // the last step taken (history column dt)
  std::int64_t step_ = 0;
  std::int64_t snapshot_count_ = 0;  // index of the next snapshot
  double next_snapshot_t_ = 0.0;
  double next_history_t_ = 0.0;
  std::vector<double> snapshot_times_;    // times of snapshots 0..count-1 (for the XDMF series)
  std::vector<std::string> checkpoints_;  // written by this process, oldest first
  std::int64_t checkpoints_written_ = 0;
  double start_wall_ = 0.0, last_progress_wall_ = 0.0, last_checkpoint_wall_ = 0.0;
  std::int64_t start_step_ = 0;
  std::int64_t prepared_step_ = -1;
  std::int64_t last_progress_step_ = -1;
  std::vector<std::string> history_columns_;
};

}  // namespace tessera

#pragma once
/// \file module.hpp
/// What a solver implements to be driven by Tessera's time loop.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <hdf5.h>

#include "tessera/mesh/mesh.hpp"

namespace tessera {

class Config;

/// How the driver combines one module history value over ranks.
enum class HistoryReduce { kSum, kMax, kMin };

/// One extra history column contributed by a module (see PhysicsModule::history_values).
struct HistoryValue {
  std::string name;    ///< column name (unique among all columns)
  double value = 0.0;  ///< this rank's contribution
  HistoryReduce reduce = HistoryReduce::kSum;
};

/// A physics module: owns some fields and contributes to their time derivative.
/// Modules read their parameters in the constructor and never read the deck afterwards;
/// they never call MPI and never write files (exception: the collective hooks implicit_stage,
/// history_values and write_snapshot_extras may do collective work, e.g. parallel FFTs).
class PhysicsModule {
 public:
  virtual ~PhysicsModule() = default;
  /// Name used in the deck: [physics.<name>].
  virtual std::string name() const = 0;
  /// Registers the fields this module evolves or derives.
  virtual void register_fields(FieldRegistry& reg) = 0;
  /// Optional: called once after every module of the run is constructed (also with --check),
  /// so a module that couples to another one (e.g. radiation to the gas dynamics) can find it
  /// and check it is there; throw a ConfigError if a required partner is missing.
  virtual void connect(const std::vector<std::unique_ptr<PhysicsModule>>& modules) {}
  /// Ghost width the module's stencils need.
  virtual int required_ghost() const { return 2; }
  /// Largest stable time step on this block at Courant number 1 (the driver multiplies by
  /// time.cfl and reduces over blocks and ranks). Infinity when the module sets no limit.
  virtual double max_dt(const Block& b) const = 0;
  /// Adds this module's dU/dt on the interior cells of `b` to `rhs` (indexed by field id;
  /// entries of fields that are not evolved are empty). Ghosts of `b` are filled.
  virtual void add_rhs(const Block& b, double t, std::vector<Array4>& rhs) = 0;
  /// Optional: an implicit stage after the explicit update (IMEX); default none.
  virtual void implicit_stage(Mesh& mesh, double t, double dt) {}
  /// Optional: returns a description of the first physically invalid cell value on the block
  /// ("" when valid), e.g. a negative density. NaN/Inf are checked by the driver.
  virtual std::string check_state(const Block& b) const { return ""; }
  /// Optional: called on each local block right after every explicit RK stage has updated
  /// its interior cells (before the next halo exchange), e.g. to apply density/pressure
  /// floors. Default none.
  virtual void post_stage(Block& b) {}
  /// Optional: extra history columns. Called collectively on every rank each time the driver
  /// writes a history row (and once after the initial state is set, for the column names);
  /// every rank returns the same names in the same order; the driver combines the per-rank
  /// values with each entry's `reduce` rule, in rank order on rank 0.
  virtual std::vector<HistoryValue> history_values(Mesh& mesh, double t) { return {}; }
  /// Optional: adds groups/datasets to a snapshot file. Called collectively on every rank,
  /// with the open file, each time the driver writes a snapshot (after the fields).
  virtual void write_snapshot_extras(Mesh& mesh, hid_t file) {}
  /// Optional: true when derived output fields or history values need the halos of the
  /// current state (e.g. MHD face fields: a block's upper faces live in its neighbours); the
  /// driver then fills the halos before prepare_output().
  virtual bool output_needs_halo() const { return false; }
  /// Optional: called collectively before each history row and snapshot, to refresh derived
  /// (non-evolved) output fields. Default none.
  virtual void prepare_output(Mesh& mesh) {}

  /// Optional: lines for the run log gathered since the last call (e.g. linear-solver
  /// reports). Called on every rank once after each step; rank 0 prints them.
  virtual std::vector<std::string> take_log_lines() { return {}; }

  /// Fills the ghost cells of the given fields on every local block at time t (halo
  /// exchange, then physical boundaries); collective. Installed by the driver.
  using HaloFill = std::function<void(const std::vector<int>& field_ids, double t)>;
  /// Called by the driver once the mesh and its boundary exchange exist.
  void set_halo_fill(HaloFill fill) { halo_fill_ = std::move(fill); }

 protected:
  /// For collective hooks (implicit_stage, history_values, write_snapshot_extras) whose
  /// stencils need neighbour values after the module changed a field, e.g. nonlinear
  /// coefficients in an implicit solve or a velocity after a pressure projection.
  /// Collective: every rank must call it with the same field ids.
  void fill_halos(const std::vector<int>& field_ids, double t) const;

 private:
  HaloFill halo_fill_;
};

/// Names of all modules that can be instantiated from [physics.<name>] sections.
std::vector<std::string> module_names();
/// Creates the module named `name` from its deck section (throws ConfigError if unknown).
std::unique_ptr<PhysicsModule> make_module(const std::string& name, const Config& cfg, int ndim);

}  // namespace tessera

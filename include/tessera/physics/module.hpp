#pragma once
/// \file module.hpp
/// What a solver implements to be driven by Tessera's time loop.
#include <memory>
#include <string>
#include <vector>

#include "tessera/mesh/mesh.hpp"

namespace tessera {

class Config;

/// A physics module: owns some fields and contributes to their time derivative.
/// Modules read their parameters in the constructor and never read the deck afterwards;
/// they never call MPI and never write files.
class PhysicsModule {
 public:
  virtual ~PhysicsModule() = default;
  /// Name used in the deck: [physics.<name>].
  virtual std::string name() const = 0;
  /// Registers the fields this module evolves or derives.
  virtual void register_fields(FieldRegistry& reg) = 0;
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
};

/// Names of all modules that can be instantiated from [physics.<name>] sections.
std::vector<std::string> module_names();
/// Creates the module named `name` from its deck section (throws ConfigError if unknown).
std::unique_ptr<PhysicsModule> make_module(const std::string& name, const Config& cfg, int ndim);

}  // namespace tessera

#pragma once
/// \file gas.hpp
/// The gas-dynamics side of a coupled module (radiation, later others): what a module that
/// adds source terms and an implicit stage to a compressible flow needs to know about it.
/// HydroModule implements it today; the MHD module implements it with its magnetic energy.
#include <array>
#include <string>
#include <vector>

#include "tessera/mesh/mesh.hpp"
#include "tessera/numerics/eos.hpp"
#include "tessera/physics/gravity.hpp"
#include "tessera/physics/module.hpp"

namespace tessera {

/// A compressible-flow module with conserved fields rho [M/L^3], mom (3 components)
/// [M/(L^2 T)] and total energy per volume [M/(L T^2)].
class GasDynamics {
 public:
  virtual ~GasDynamics() = default;
  /// The equation of state (ideal gas; gamma > 1).
  virtual const IdealGasEos& eos() const noexcept = 0;
  virtual int rho_id() const noexcept = 0;
  virtual int mom_id() const noexcept = 0;
  virtual int energy_id() const noexcept = 0;
  /// Magnetic energy density of cell (k, j, i) of `b` [M/(L T^2)], the part of the total
  /// energy that is neither kinetic nor internal (0 for hydro; B^2/2 from the cell-centred
  /// field for MHD). The cell's ghosts/faces must be valid when called on a ghost cell.
  virtual double magnetic_energy(const Block& b, int k, int j, int i) const { return 0.0; }
  /// Fields besides rho, mom and energy whose halos magnetic_energy() needs (MHD: the face
  /// field, since a cell's centred B uses its upper face).
  virtual std::vector<int> energy_halo_fields() const { return {}; }
  /// The module's uniform gravity (inactive by default).
  virtual const UniformGravity& gravity() const noexcept {
    static const UniformGravity none{};
    return none;
  }
  /// Integral of rho Phi over the interior of b [M L^2/T^2 per unit of unused length]; 0
  /// without gravity. Part of the conserved total energy E + rho Phi.
  double potential_energy(const Block& b) const {
    return gravity().potential_energy(b, b.field(rho_id()));
  }
  /// With gravity active, appends the history columns `<prefix>_epot` (integral of rho Phi) and
  /// `<prefix>_etot` (of E + rho Phi, constant to round-off in a closed box) to `out`.
  void append_gravity_history(Mesh& mesh, const std::string& prefix,
                              std::vector<HistoryValue>& out) const;
};

}  // namespace tessera

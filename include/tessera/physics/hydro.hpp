#pragma once
/// \file hydro.hpp
/// Compressible Euler equations (ideal gas) by a dimensionally unsplit Godunov method of
/// lines: primitive-variable reconstruction (donor cell or PLM with a TVD limiter) on x-row
/// pencils, an approximate or exact Riemann solver per face, and the shared SSP-RK driver.
///
/// Conserved variables (fields): "rho" = {rho}, "mom" = {mom_x, mom_y, mom_z} (always three
/// components, vector_axis 0, 1, 2, so reflecting walls flip the normal one), "energy" = {E}
/// (total energy per volume). Code units: any consistent set (M, L, T).
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "tessera/numerics/eos.hpp"
#include "tessera/numerics/limiters.hpp"
#include "tessera/numerics/reconstruct.hpp"
#include "tessera/numerics/riemann.hpp"
#include "tessera/physics/gas.hpp"
#include "tessera/physics/gravity.hpp"
#include "tessera/physics/module.hpp"

namespace tessera {

/// A primitive state: density [M/L^3], velocity [L/T], pressure [M/(L T^2)].
struct HydroPrim {
  double rho = 1.0;
  std::array<double, 3> v{0.0, 0.0, 0.0};
  double p = 1.0;
};

/// [physics.hydro]:
///   gamma          adiabatic index (> 1), default 5/3
///   reconstruction "plm" | "ppm" | "donor"                (default "plm"; "ppm" needs
///                  mesh.ghost >= 3, its limiter is Colella & Sekora's, not `limiter`)
///   limiter        "minmod" | "vanleer" | "mc" | "none"   (default "mc"; PLM only)
///   riemann        "hllc" | "hlle" | "exact"              (default "hllc")
///   density_floor  [M/L^3]      a positive density below it is raised to it (default 1e-10)
///   pressure_floor [M/(L T^2)]  a pressure below it is raised to it (default 1e-10)
///   viscosity      dynamic shear viscosity mu [M/(L T)] (default 0: Euler)
///   bulk_viscosity bulk viscosity zeta [M/(L T)] (default 0)
///   gravity        uniform gravity g [L/T^2] along -x<gravity_axis> (default 0: none); momentum
///                  source -rho g, energy source from the face mass fluxes (gravity.hpp), so
///                  E + rho Phi is conserved; history columns hydro_epot (integral of rho Phi)
///                  and hydro_etot (integral of E + rho Phi)
///   gravity_axis   1..ndim (default ndim)
///   conductivity   heat conductivity kappa acting on T = p/rho (gas constant 1, so T is in
///                  [L^2/T^2]) [M/(L T)] (default 0)
/// With any of the last three > 0 the compressible Navier-Stokes terms are added explicitly
/// (viscous stress tau = mu (grad v + grad v^T) + (zeta - 2 mu/3) div v I and Fourier heat
/// flux, centred face gradients) and max_dt also obeys the explicit diffusion limit.
/// Floors are applied after every RK stage and counted (history columns hydro_floor_rho and
/// hydro_floor_p, cumulative since the start of the run or restart). A non-positive density
/// is never floored: it means the scheme failed, and check_state() stops the run. A face whose
/// reconstructed state is unphysical falls back to first-order (cell-centre) states; those
/// uses are counted in hydro_fallback.
class HydroModule : public PhysicsModule, public GasDynamics {
 public:
  static constexpr const char* kName = "hydro";
  HydroModule(const Config& cfg, int ndim);
  std::string name() const override { return kName; }
  void register_fields(FieldRegistry& reg) override;
  int required_ghost() const override { return reconstruction_ghost(recon_); }
  /// Unsplit CFL limit: 1 / max over cells of sum_a (|v_a| + c_s) / dx_a.
  double max_dt(const Block& b) const override;
  void add_rhs(const Block& b, double t, std::vector<Array4>& rhs) override;
  /// Applies the density and pressure floors to the interior cells.
  void post_stage(Block& b) override;
  std::string check_state(const Block& b) const override;
  /// Floor and fallback counts of this rank (summed over ranks by the driver).
  std::vector<HistoryValue> history_values(Mesh& mesh, double t) override;

  const IdealGasEos& eos() const noexcept override { return eos_; }
  /// Dynamic shear viscosity mu [M/(L T)] (0 for the Euler equations).
  double viscosity() const noexcept { return mu_; }
  int rho_id() const noexcept override { return fid_rho_; }
  int mom_id() const noexcept override { return fid_mom_; }
  int energy_id() const noexcept override { return fid_energy_; }
  /// Writes the conserved state of cell (k, j, i) of `b` from a primitive state.
  void set_primitive(Block& b, int k, int j, int i, const HydroPrim& w) const;
  const UniformGravity& gravity() const noexcept override { return gravity_; }
  /// Conserved value of component `c` of field `fid` for a primitive state (for exact
  /// solutions): rho, mom_{x,y,z} or E.
  double conserved(int fid, int c, const HydroPrim& w) const;

 private:
  void compute_primitives(const Block& b);
  /// Adds the divergence of the viscous and heat fluxes through faces normal to Axis.
  template <int Axis>
  void add_viscous_divergence(const Block& b, double* const* rdst);

  int ndim_;
  IdealGasEos eos_;
  ReconstructionKind recon_ = ReconstructionKind::kPLM;
  LimiterKind limiter_ = LimiterKind::kMC;
  RiemannKind riemann_ = RiemannKind::kHLLC;
  double rho_floor_ = 1e-10, p_floor_ = 1e-10;
  double mu_ = 0.0, zeta_ = 0.0, kappa_ = 0.0;
  bool viscous_ = false;
  UniformGravity gravity_;
  int fid_rho_ = -1, fid_mom_ = -1, fid_energy_ = -1;
  // Counters of this rank since the run (segment) started; the driver sums them over ranks.
  double floor_rho_count_ = 0, floor_p_count_ = 0, fallback_count_ = 0;
  // Scratch reused block to block: primitives on the ghosted block, pencil buffers.
  Array4 prim_;
  PencilBuffer wl_, wr_, flux_, flux_prev_;
};

}  // namespace tessera

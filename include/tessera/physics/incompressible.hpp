#pragma once
/// \file incompressible.hpp
/// Incompressible Navier-Stokes on the block mesh by a projection method, second order in space,
/// with optional Boussinesq buoyancy (non-dimensional, Rayleigh and Prandtl numbers):
///   u_t + div(u u) = -grad p + nu lap u + f + beta T e_g,   div u = 0,
///   T_t + div(u T) = kappa lap T.
/// Space: staggered MAC grid (Harlow & Welch 1965): component a of the cell field
/// "velocity_face" at cell (k, j, i) is u_a on the lower a-face of that cell; pressure and T are
/// cell centred. Advection in the energy-conserving divergence form of Morinishi et al. (JCP 143,
/// 1998, eqs. 43-45, "Div.-S2"); viscous and thermal diffusion by the 3-point second difference,
/// with walls imposed by a quadratic ghost extrapolation (exact for a parabolic profile).
/// Time: the module advances its fields itself (integrated_by_driver = false) by SSP-RK2 or
/// SSP-RK3 (Shu & Osher 1988) with a projection after every stage, i.e. the method of lines
/// for u_t = P N(u) with P the discrete Leray projector; each projection solves the pressure
/// Poisson equation through LinearSystem with options prefix "pressure_".
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "tessera/physics/module.hpp"
#include "tessera/solvers/linear_system.hpp"

namespace tessera {

/// Velocity condition on a non-periodic domain face.
enum class WallKind { kNoSlip, kFreeSlip, kInflow, kOutflow };
/// Temperature condition on a non-periodic domain face.
enum class ThermalKind { kAdiabatic, kFixed, kFlux };

/// The module's own boundary description of one domain face ([physics.incompressible.x<a>_<side>]).
struct IncompressibleFace {
  bool periodic = false;
  WallKind kind = WallKind::kNoSlip;
  std::array<double, 3> velocity{0.0, 0.0, 0.0};  ///< wall velocity (no_slip) or inflow [L/T]
  bool parabolic = false;                         ///< inflow profile: parabolic across the face
  ThermalKind thermal = ThermalKind::kAdiabatic;
  double temperature = 0.0;  ///< fixed wall temperature [1]
  double heat_flux = 0.0;    ///< conductive heat flux into the fluid [1 L/T]
};

/// [physics.incompressible] (keys documented in incompressible.cpp and the README).
class IncompressibleModule : public PhysicsModule {
 public:
  static constexpr const char* kName = "incompressible";
  IncompressibleModule(const Config& cfg, int ndim);
  ~IncompressibleModule() override;
  std::string name() const override { return kName; }
  void register_fields(FieldRegistry& reg) override;
  int required_ghost() const override { return 1; }
  /// 1 / (sum_a |u_a|/dx_a + (8/3) max(nu, kappa) sum_a 1/dx_a^2), capped by max_dt.
  double max_dt(const Block& b) const override;
  /// Nothing: the module advances its fields in implicit_stage().
  void add_rhs(const Block&, double, std::vector<Array4>&) override {}
  /// One SSP-RK step with a projection after every stage (collective).
  void implicit_stage(Mesh& mesh, double t, double dt) override;
  /// div_max, kinetic_energy, pressure_iterations, pressure_residual and, with fixed-temperature
  /// walls, nusselt_hot and nusselt_cold.
  std::vector<HistoryValue> history_values(Mesh& mesh, double t) override;

  int ndim() const noexcept { return ndim_; }
  double nu() const noexcept { return nu_; }
  double kappa() const noexcept { return kappa_; }
  /// Buoyancy coefficient beta of beta T e_g in the momentum equation.
  double buoyancy() const noexcept { return beta_; }
  bool boussinesq() const noexcept { return boussinesq_; }
  int gravity_axis() const noexcept { return gaxis_; }
  const std::array<double, 3>& body_force() const noexcept { return force_; }
  const IncompressibleFace& face(int axis, int side) const { return faces_[axis][side]; }
  int face_velocity_id() const noexcept { return uf_id_; }
  int velocity_id() const noexcept { return uc_id_; }
  int pressure_id() const noexcept { return p_id_; }
  int temperature_id() const noexcept { return t_id_; }
  /// Component `c` of the boundary velocity at point x of face (axis, side): the wall velocity,
  /// or the inflow velocity times the parabolic profile when asked for [L/T].
  double boundary_velocity(int axis, int side, int c, const std::array<double, 3>& x) const;
  /// Fixed wall temperatures: the largest and smallest over the faces, or 0, 0 if none.
  double t_hot() const noexcept { return t_hot_; }
  double t_cold() const noexcept { return t_cold_; }

 private:
  struct Work;
  void ensure(Mesh& mesh);
  void apply_bcs(Mesh& mesh, bool predictor);
  void refresh_derived(Mesh& mesh);
  void project(Mesh& mesh, double phi_scale, double t);
  double max_divergence(const Mesh& mesh) const;

  int ndim_;
  double nu_ = 0.0, kappa_ = 0.0, beta_ = 0.0;
  bool boussinesq_ = false;
  int gaxis_ = 1;
  std::array<double, 3> force_{0.0, 0.0, 0.0};
  int stages_ = 3;
  double div_tol_ = 1e-10;
  double dt_cap_ = 0.0;
  LinearSystemOptions popts_;
  MeshParams mesh_params_;
  std::array<std::array<IncompressibleFace, 2>, 3> faces_{};
  bool any_outflow_ = false;
  double t_hot_ = 0.0, t_cold_ = 0.0;
  double wall_speed_ = 0.0;  // largest boundary speed (for the first step from rest)
  int uf_id_ = -1, uc_id_ = -1, p_id_ = -1, t_id_ = -1;
  std::unique_ptr<Work> work_;
  // Report of the last step (history columns).
  double div_max_ = 0.0, last_residual_ = 0.0;
  int last_iterations_ = 0;
  bool timing_ = false;
  double step_seconds_ = 0.0, pressure_seconds_ = 0.0;  // this rank, since the start
};

}  // namespace tessera

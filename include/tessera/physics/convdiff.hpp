#pragma once
/// \file convdiff.hpp
/// Convection-diffusion-reaction of any number of passive scalars:
///   c_t + v . grad c = div(D grad c) - lambda c + S(x, t),
/// advection by the shared TVD upwind kernel (numerics/upwind.hpp) in the explicit SSP-RK
/// stages; diffusion (and the decay -lambda c and the source S) either explicit in the same
/// stages, or implicit in implicit_stage (IMEX, Lie splitting: advection then diffusion) by
/// backward Euler, Crank-Nicolson or TR-BDF2, each solve through LinearSystem with options
/// prefix "diffusion_".
#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tessera/bc/boundary.hpp"
#include "tessera/numerics/limiters.hpp"
#include "tessera/physics/module.hpp"
#include "tessera/solvers/fv_diffusion.hpp"
#include "tessera/solvers/linear_system.hpp"

namespace tessera {

enum class DiffusionMode { kExplicit, kImplicit };
enum class ImplicitScheme { kBackwardEuler, kCrankNicolson, kTRBDF2 };
enum class Sorption { kNone, kLinear, kLangmuir };
enum class DiffusionLaw { kConstant, kPower };

/// [physics.convdiff]:
///   scalars = ["c", ...]            field names (one scalar field each)
///   velocity = [vx, vy, vz]         constant advection velocity [length/time] (default 0)
///   diffusivity = D                 constant D [length^2/time] (default 0; a problem may
///                                   install D(x) instead)
///   decay = [lambda, ...]           first-order decay rate per scalar [1/time] (default 0)
///   diffusion = "implicit" | "explicit"
///   time_scheme = "be" | "cn" | "trbdf2"   implicit scheme (default "trbdf2")
///   max_dt = dt                     cap on the step at Courant 1 [time] (the driver multiplies
///                                   by time.cfl); needed when nothing else limits the step
///   limiter, reconstruction         as for [physics.advection]
///   rtol = 1e-10, max_it = 500      linear-solver defaults (-diffusion_ksp_rtol etc. win)
///   sorption = "none" | "linear" | "langmuir"   kinetics with an adsorbed field q_<name> per
///                                   scalar (gas-chromatograph model): c_t + ... = -alpha q_t,
///                                   q_t = k_a c - k_d q, or k_a c (q_max - q) - k_d q (Langmuir);
///                                   explicit, in the RK stages
///   k_a, k_d [1/time; Langmuir k_a: 1/(conc time)], alpha [1], q_max [conc]
///   diffusion_law = "constant" | "power"   "power": nonlinear D(u) = power_k max(u, 0)^p,
///                                   p = power_exponent (porous medium u_t = lap(u^m):
///                                   power_k = m, power_exponent = m - 1); implicit only,
///                                   Picard iterations (one linear solve each) per stage
///   power_k [length^2/time/u^p], power_exponent [1]
///   nonlinear_rtol = 1e-8           Picard stops when ||M(u) u - b|| <= rtol ||b||
///   nonlinear_max_it = 50           more iterations = SolverError (the run stops)
/// History: diffusion_iterations / diffusion_residual (Krylov iterations of the last step,
/// worst relative true residual); with diffusion_law = "power" also
/// diffusion_nonlinear_iterations (Picard iterations of the last step, all stages) and
/// diffusion_nonlinear_residual (worst final relative nonlinear residual of the last step).
/// Log: every solve report of the first 3 steps, then one per 100 steps, and any solve with
/// more than 50 Krylov iterations (or 20 Picard iterations).
/// outlet_<name> = mean of c over the cells next to the x1 upper face (the detector
/// signal, the chromatogram).
/// Boundary conditions come from [boundary]: "fixed" = Dirichlet value at the face (and the
/// upwind inflow state), "outflow"/"reflecting" = zero normal gradient, "periodic".
class ConvDiffModule : public PhysicsModule {
 public:
  static constexpr const char* kName = "convdiff";
  ConvDiffModule(const Config& cfg, int ndim);
  ~ConvDiffModule() override;
  std::string name() const override { return kName; }
  void register_fields(FieldRegistry& reg) override;
  double max_dt(const Block& b) const override;
  void add_rhs(const Block& b, double t, std::vector<Array4>& rhs) override;
  void implicit_stage(Mesh& mesh, double t, double dt) override;
  std::vector<HistoryValue> history_values(Mesh& mesh, double t) override;

  /// Point function of position and time (a source [1/time x scalar units]).
  using PointFn = std::function<double(const std::array<double, 3>& x, double t)>;
  /// Installs a spatially varying diffusivity D(x) > 0 [length^2/time] (problems, at setup).
  void set_diffusivity(std::function<double(const std::array<double, 3>&)> d, double d_max);
  /// Installs the source S(x, t) of scalar `s` (problems, at setup).
  void set_source(int s, PointFn f);
  /// Velocity component `axis` at point x and time t [length/time] (evaluated at face centres).
  using VelocityFn = std::function<double(int axis, const std::array<double, 3>& x, double t)>;
  /// Installs a prescribed velocity field varying in space and time (replaces `velocity`);
  /// `bound[a]` >= |v_a| everywhere at all times (for the stable step).
  void set_velocity(VelocityFn v, const std::array<double, 3>& bound);
  /// Front monitor (problems with a compactly supported exact solution, e.g. Barenblatt):
  /// history columns front_<name> = largest distance from `centre` of a cell centre where the
  /// scalar exceeds `threshold`, front_exact_<name> = exact_radius(t), and
  /// front_error_cells_<name> = (front - exact) / min dx (signed, in cells).
  void set_front_monitor(const std::array<double, 3>& centre, double threshold,
                         std::function<double(double t)> exact_radius);
  /// Log lines (solver reports) gathered since the last call; the driver prints them.
  std::vector<std::string> take_log_lines() override;
  DiffusionLaw diffusion_law() const noexcept { return law_; }
  double power_k() const noexcept { return pow_k_; }
  double power_exponent() const noexcept { return pow_p_; }

  int num_scalars() const noexcept { return static_cast<int>(names_.size()); }
  const std::vector<std::string>& scalar_names() const noexcept { return names_; }
  /// Field id of scalar s (after register_fields).
  int field_id(int s) const { return fids_.at(s); }
  /// Field id of the adsorbed phase of scalar s (-1 without sorption).
  int sorbed_id(int s) const { return qids_.empty() ? -1 : qids_.at(s); }
  Sorption sorption() const noexcept { return sorption_; }
  double k_a() const noexcept { return k_a_; }
  double k_d() const noexcept { return k_d_; }
  double sorption_alpha() const noexcept { return alpha_; }
  const std::array<double, 3>& velocity() const noexcept { return v_; }
  double diffusivity() const noexcept { return d_const_; }
  double decay(int s) const { return decay_.at(s); }

 private:
  struct Implicit;  // per-scalar PETSc state
  void ensure_solvers(Mesh& mesh);
  void fill_source(Mesh& mesh, int s, double t, Vec out);
  void implicit_nonlinear(Mesh& mesh, int s, double t, double dt);
  /// D(u) per local block (interior + one ghost layer) from the halo-filled field.
  void fill_power_diffusivity(Mesh& mesh, int fid);
  /// Picard iterations for (I + coef A(u)) u = b0 + coef r_A(u) (field holds the warm start
  /// and, on return, the solution); t_new is the time of the new level (halo BCs).
  void picard(Mesh& mesh, int s, double coef, Vec b0, double t_new, const char* stage);
  void log_report(const SolveReport& r, const char* what);

  int ndim_;
  std::vector<std::string> names_;
  std::vector<double> decay_;
  std::array<double, 3> v_{0.0, 0.0, 0.0};
  double d_const_ = 0.0, d_max_ = 0.0;
  std::function<double(const std::array<double, 3>&)> d_fn_;
  std::vector<PointFn> sources_;
  DiffusionMode mode_ = DiffusionMode::kImplicit;
  ImplicitScheme scheme_ = ImplicitScheme::kTRBDF2;
  double max_dt_ = 0.0;
  LimiterKind limiter_ = LimiterKind::kMC;
  bool first_order_ = false;
  LinearSystemOptions solver_opts_;
  BoundaryParams bc_;
  MeshParams mesh_params_;  // for cell centres from global indices (matches fill_cell_function)
  std::vector<int> fids_, qids_;
  Sorption sorption_ = Sorption::kNone;
  double k_a_ = 0.0, k_d_ = 0.0, alpha_ = 1.0, q_max_ = 1.0;
  Array4 flux_;
  std::vector<Array4> dcoef_;  // D per local block (one ghost layer), built at first use
  bool dcoef_ready_ = false;
  std::vector<std::unique_ptr<Implicit>> implicit_;
  // Report of the last step's solves (history columns).
  int last_iterations_ = 0, total_iterations_ = 0, solves_ = 0;
  double last_residual_ = 0.0;
  // Nonlinear (power-law) diffusion.
  DiffusionLaw law_ = DiffusionLaw::kConstant;
  double pow_k_ = 0.0, pow_p_ = 1.0, nl_rtol_ = 1e-8;
  int nl_max_it_ = 50;
  int last_nl_iterations_ = 0;
  double last_nl_residual_ = 0.0;
  std::vector<Array4> dpow_;  // D(u) per local block
  // Prescribed velocity field.
  VelocityFn vel_fn_;
  std::array<double, 3> vel_bound_{0.0, 0.0, 0.0};
  std::array<Array4, 3> vface_;
  // Front monitor.
  std::function<double(double)> front_exact_;
  std::array<double, 3> front_centre_{0.0, 0.0, 0.0};
  double front_threshold_ = 0.0;
  // Log of solver reports.
  std::vector<std::string> log_lines_;
  long step_count_ = 0;    // steps of this run (log rule)
  double step_end_t_ = 0;  // time at the end of the current step (log lines)
};

}  // namespace tessera

#pragma once
/// \file rad_fld.hpp
/// Gray flux-limited diffusion (FLD) radiation coupled to a compressible gas (GasDynamics):
/// comoving frame, first order in v/c (Mihalas & Mihalas 1984, sec. 97; Turner & Stone 2001,
/// eqs. 1-5; Narechania et al. 2025, eqs. 1-4):
///   dE/dt + div(E v) = -div F - grad v : P + c kappa_P rho (a T^4 - E),   F = -(c lambda/chi) grad
///   E momentum += -lambda grad E,   gas energy += -lambda v . grad E - c kappa_P rho (a T^4 - E)
/// with chi = kappa_R rho, R = |grad E| / (chi E), the limiter lambda(R), the Eddington factor
/// f = lambda + lambda^2 R^2 and P = E [(1-f)/2 I + (3f-1)/2 n n], n = grad E / |grad E|.
///
/// Explicit part (add_rhs, inside the driver's SSP-RK stages): advection of E, radiation force
/// and work, -grad v : P. Implicit part (implicit_stage, after the explicit step): diffusion and
/// exchange together, never split: aT^4 linearised about the current temperature, the gas
/// energy eliminated cell by cell (Fleck & Cummings 1971 factor form), one symmetric M-matrix
/// solve in E per Picard/Newton iteration (LinearSystem, prefix "fld_", CG + BoomerAMG),
/// iterated until max |dT/T| < tolerance. Backward Euler or TR-BDF2.
///
/// Units: any consistent set; the defaults of c and a are cgs (c = 2.99792458e10 cm/s,
/// a = 7.5657e-15 erg cm^-3 K^-4, gas constant k_B/m_u = 8.314462618e7 erg/(g K)), so a deck in
/// cgs needs nothing else; non-dimensional decks set c_light, a_rad, gas_constant.
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "tessera/physics/gas.hpp"
#include "tessera/physics/module.hpp"
#include "tessera/solvers/fv_diffusion.hpp"

namespace tessera {

class LinearSystem;

/// Flux limiters lambda(R).
enum class FluxLimiter { kDiffusion, kLevermorePomraning, kMinerbo };

/// lambda(R) for R >= 0 (R = +inf allowed: the free-streaming limit lambda -> 0).
///   diffusion: 1/3;  Levermore & Pomraning 1981 (eq. 28): (2 + R)/(6 + 3R + R^2);
///   Minerbo 1978 (Turner & Stone 2001 eq. 8): 2/(3 + sqrt(9 + 12 R^2)) for R <= 3/2,
///   1/(1 + R + sqrt(1 + 2R)) above.
inline double flux_limiter(FluxLimiter k, double r) {
  if (k == FluxLimiter::kDiffusion) return 1.0 / 3.0;
  if (!(r < 1e150)) return 0.0;
  if (k == FluxLimiter::kLevermorePomraning) return (2.0 + r) / (6.0 + 3.0 * r + r * r);
  if (r <= 1.5) return 2.0 / (3.0 + std::sqrt(9.0 + 12.0 * r * r));
  return 1.0 / (1.0 + r + std::sqrt(1.0 + 2.0 * r));
}

/// Eddington factor f(R) = lambda + lambda^2 R^2 (Levermore 1984, eq. 9); the diffusion
/// limiter keeps the isotropic Eddington value 1/3 (P = E/3 I). R = +inf gives 1.
inline double eddington_factor(FluxLimiter k, double r) {
  if (k == FluxLimiter::kDiffusion) return 1.0 / 3.0;
  if (!(r < 1e150)) return 1.0;
  const double l = flux_limiter(k, r);
  return l + l * l * r * r;
}

/// Downstream equilibrium state {rho1, T1, u1} of a steady radiating shock in its rest frame
/// for the upstream state (rho0, u0 > 0, T0), ideal gas p = rho rgas T (rgas = R/mu) with
/// adiabatic index gamma and E = a_rad T^4 in equilibrium far from the shock on both sides
/// (Lowrie & Edwards 2008, sec. 3). The B = 0 case of rmhd_shock_downstream
/// (rad_rankine_hugoniot.hpp).
std::array<double, 3> radiating_shock_downstream(double rho0, double u0, double t0, double gamma,
                                                 double rgas, double a_rad);

/// An opacity law kappa(rho, T) [L^2/M].
struct OpacityLaw {
  enum class Kind { kConstant, kThomson, kPowerLaw } kind = Kind::kConstant;
  double kappa0 = 0.0;  ///< constant value, or the power law's coefficient
  double rho_exp = 0.0, t_exp = 0.0;
  /// kappa [L^2/M]: constant; Thomson 0.2 (1 + X) cm^2/g (kappa0 holds it); kappa0 rho^a T^b.
  double operator()(double rho, double temp) const {
    if (kind != Kind::kPowerLaw) return kappa0;
    return kappa0 * power(rho, rho_exp) * power(temp, t_exp);
  }
  /// x^p with products for the small integer exponents of the usual laws (Kramers T^-3.5 still
  /// takes pow): the implicit stage evaluates opacities several times per cell and iteration,
  /// and libm's pow was its largest cost.
  static double power(double x, double p) {
    if (p == 0.0) return 1.0;
    if (p == 1.0) return x;
    if (p == -1.0) return 1.0 / x;
    if (p == 2.0) return x * x;
    if (p == 3.0) return x * x * x;
    if (p == -2.0) return 1.0 / (x * x);
    if (p == -3.0) return 1.0 / (x * x * x);
    return std::pow(x, p);
  }
};

/// [physics.rad_fld] (units as in the file comment):
///   c_light, a_rad           speed of light [L/T], radiation constant [M/(L T^2 K^4)]
///   gas_constant, mu         k_B/m_u [L^2/(T^2 K)] and mean molecular weight: T = mu p/(rho R)
///   material                 "ideal_gas" (default) | "su_olson": e_int = a T^4 / epsilon
///   epsilon                  Su & Olson's epsilon (material "su_olson"), default 1
///   limiter                  "levermore_pomraning" (default) | "minerbo" | "diffusion"
///   planck_opacity, rosseland_opacity   "constant" | "thomson" | "power_law" (absorption and
///                            diffusion opacities); planck_kappa, planck_rho_exp, planck_t_exp
///                            and the rosseland_* keys: kappa0 rho^a T^b [L^2/M];
///                            hydrogen_fraction X for "thomson" (0.7)
///   time_scheme              "be" (default) | "trbdf2"
///   solve                    "coupled" (default) | "exchange_only" (no diffusion: exact
///                            per-cell root of the backward-Euler quartic, constant kappa_P)
///   tolerance                Picard/Newton stop: max |dT/T| (default 1e-8)
///   max_iterations           Picard/Newton iteration limit (default 50; more is an error)
///   rtol, max_it             linear solve tolerance (1e-10) and iteration limit (500)
///   max_dt                   cap on the time step [T] (after the CFL factor), default none
///   marshak_x1_lower ...     incident flux F_inc [M/T^3] on that face: the face becomes a
///                            Marshak condition (c/4) E + (D/2) dE/dn = F_inc in the matrix
///   iterate_limiter          true (default): the limiter lambda(R) in the face D is recomputed
///                            from each Picard iterate of E (lagged; also stops on max|dE|/max E
///                            < tolerance); false: D frozen at the start of the step. The
///                            opacities in D always use the start-of-step temperature; kappa_P
///                            and the emission are iterated (Newton on a T^4)
/// History columns: rad_picard_iterations, fld_iterations (of the last step), rad_etot (integral
/// of gas total energy + E + the gas module's potential energy rho Phi), and cumulative since
/// the start of the run: rad_implicit_stages, rad_picard_total, fld_iterations_total,
/// fld_time_assembly, fld_time_solve and fld_time_setup (wall seconds, max over ranks: the
/// rest of the implicit stage (face D, matrix, right-hand side, gas update, halo fills), the
/// linear solves, and the one-off creation of the linear system in the first stage).
///   front_threshold          E above which a cell counts as reached (history rad_front_x1,
///                            largest x1 of such a cell); 0 (default): no column
class RadFldModule : public PhysicsModule {
 public:
  static constexpr const char* kName = "rad_fld";
  RadFldModule(const Config& cfg, int ndim);
  ~RadFldModule() override;
  std::string name() const override { return kName; }
  void register_fields(FieldRegistry& reg) override;
  /// Finds the GasDynamics module (hydro today, mhd later); ConfigError if there is none.
  void connect(const std::vector<std::unique_ptr<PhysicsModule>>& modules) override;
  int required_ghost() const override { return 2; }
  /// 1 / max_cells sum_a (|v_a| + c_eff)/dx_a with c_eff^2 = gamma p/rho + (4/3) P_rad/rho and
  /// P_rad = E/3 (Krumholz et al. 2007, sec. 2.3); infinity on a block with E = 0 everywhere
  /// (then the gas module's own limit applies unchanged).
  double max_dt(const Block& b) const override;
  void add_rhs(const Block& b, double t, std::vector<Array4>& rhs) override;
  void implicit_stage(Mesh& mesh, double t, double dt) override;
  std::string check_state(const Block& b) const override;
  std::vector<HistoryValue> history_values(Mesh& mesh, double t) override;

  /// A radiation energy source S(x, t) [energy/(volume time)] added to dE/dt, treated
  /// implicitly (evaluated at the end of each implicit (sub)stage, at cell centres).
  using SourceFn = std::function<double(const std::array<double, 3>&, double)>;
  void set_source(SourceFn s) { source_ = std::move(s); }

  int erad_id() const noexcept { return fid_erad_; }
  const GasDynamics& gas() const { return *gas_; }
  double c_light() const noexcept { return c_; }
  double a_rad() const noexcept { return a_; }
  FluxLimiter limiter() const noexcept { return limiter_; }
  /// Gas temperature [K] from density and internal energy per volume.
  double temperature(double rho, double eint) const {
    if (su_olson_) return std::pow(std::max(eint, 0.0) * epsilon_ / a_, 0.25);
    return eint / (rho * cv_);
  }
  /// Internal energy per volume at temperature T (inverse of temperature()).
  double internal_energy(double rho, double temp) const {
    if (su_olson_) return a_ * std::pow(temp, 4) / epsilon_;
    return rho * cv_ * temp;
  }
  /// d(a T^4)/d e_int at (rho, T): the Fleck linearisation slope [1/...: dimensionless per
  /// energy density ratio].
  double emission_slope(double rho, double temp) const {
    if (su_olson_) return epsilon_;
    return 4.0 * a_ * temp * temp * temp / (rho * cv_);
  }
  /// Absorption coefficient c kappa_P rho [1/T] and extinction chi = kappa_R rho [1/L].
  double absorption_rate(double rho, double temp) const { return c_ * planck_(rho, temp) * rho; }
  double extinction(double rho, double temp) const { return rosseland_(rho, temp) * rho; }
  /// Backward-Euler exchange-only update of one cell (exact root of the quartic
  /// e - e0 + h s (a T(e)^4 - (S - e)) = 0, S = e0 + E0, s = c kappa_P rho held constant);
  /// returns the new e (E = S - e). Monotone in e, so the root is unique and never overshoots.
  double exchange_cell(double rho, double e0, double erad0, double h) const;
  /// Picard/Newton iterations of the last implicit stage, and linear iterations in it.
  int last_iterations() const noexcept { return last_picard_; }
  int last_linear_iterations() const noexcept { return last_linear_; }
  /// The linear system of the last implicit stage (nullptr before the first one).
  const LinearSystem* linear_system() const noexcept;

 private:
  struct Work;
  /// Solves E - E0 = h (div D grad E + s (aT^4 - E)), e - e0 = -h s (aT^4 - E) with D frozen
  /// (D_ arrays); E0, e0 in the work arrays; updates E (field) and e (work).
  void solve_coupled(Mesh& mesh, double h);
  void solve_exchange_only(Mesh& mesh, double h);
  /// implicit_stage() without the timers around it.
  void implicit_stage_timed(Mesh& mesh, double t, double dt);
  /// Face diffusivities D_f = c lambda(R_f) / chi_f from the current (start-of-stage) E and T:
  /// chi_f the harmonic mean of the two cell extinctions, R_f = |E_R - E_L| / (dx chi_f E_f)
  /// with E_f the arithmetic mean (normal gradient only). Frozen during the Picard iterations.
  void compute_face_diffusivity(Mesh& mesh);
  /// Internal energy per volume of cell (k, j, i) of b from the gas fields.
  double eint_at(const Block& b, int k, int j, int i) const;

  int ndim_;
  double c_ = 2.99792458e10, a_ = 7.5657e-15;
  double gas_r_ = 8.314462618e7, mu_ = 0.6, cv_ = 0.0;  // cv per mass, set in connect()
  double gamma_ = 5.0 / 3.0;
  bool su_olson_ = false;
  double epsilon_ = 1.0;
  FluxLimiter limiter_ = FluxLimiter::kLevermorePomraning;
  OpacityLaw planck_, rosseland_;
  bool trbdf2_ = false, exchange_only_ = false;
  double tol_ = 1e-8;
  int max_iter_ = 50;
  double rtol_ = 1e-10;
  int max_it_ = 500;
  double max_dt_ = std::numeric_limits<double>::infinity();
  double cfl_ = 1.0;
  double front_threshold_ = 0.0;
  bool iterate_limiter_ = true;
  std::array<std::array<double, 2>, 3> marshak_{};
  std::array<std::array<bool, 2>, 3> is_marshak_{};
  BoundaryParams bc_;
  FaceConditions fc_{};
  const GasDynamics* gas_ = nullptr;
  int fid_erad_ = -1;
  std::unique_ptr<Work> work_;
  SourceFn source_;
  double source_t_ = 0.0;
  int last_picard_ = 0, last_linear_ = 0;
  // Cumulative counters and wall times [s] of this rank since the run (segment) started.
  double total_picard_ = 0, total_linear_ = 0, implicit_stages_ = 0;
  double time_assembly_ = 0.0, time_solve_ = 0.0, time_setup_ = 0.0;
  // Scratch for add_rhs.
  Array4 vel_, flux_;
};

}  // namespace tessera

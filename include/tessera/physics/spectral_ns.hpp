#pragma once
/// \file spectral_ns.hpp
/// Pseudo-spectral incompressible Navier-Stokes on periodic 2D and 3D boxes (FFTW-MPI).
///
/// 2D: vorticity form  w_t + u.grad w = nu lap w - lambda w + curl f,  u = (psi_y, -psi_x),
///     lap psi = -w.   3D: rotational velocity form  u_t = P[u x w] + nu lap u - lambda u + P f
/// (P the Leray projector, Canuto et al. 2006, "Spectral Methods: Evolution to Complex Geometries
/// and Applications to Fluid Dynamics", section 3.3). Viscosity and drag are integrated exactly
/// by an integrating factor; the nonlinear term explicitly with RK4 (Lawson 1967 form) or
/// SSP-RK3 (Shu-Osher form with integrating factor, Isherwood, Grant & Gottlieb 2018, SINUM 56).
/// Dealiasing: 2/3 rule (Orszag 1971), or phase shifts with spherical truncation (Patterson &
/// Orszag 1971).
///
/// The module does not use the driver's RK stages: its fields are `integrated_by_driver = false`
/// and implicit_stage() advances them by a full step. The spectral coefficients persist between
/// steps (with the physical velocity and vorticity of the last step, which the next step's first
/// nonlinear evaluation reuses); the physical fields on the blocks are their backward transform.
/// The state is taken from the blocks when the module is built (initial condition, restart) and
/// whenever set_from_velocity(), set_from_spectral_velocity() or refresh() is called: code that
/// writes the state fields on the blocks must call one of them. A restart therefore starts from
/// the forward transform of the checkpointed fields, which differs from the uninterrupted run's
/// coefficients by round-off.
#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tessera/physics/module.hpp"
#include "tessera/solvers/spectral_layout.hpp"

namespace tessera {

/// A standard normal complex 3-vector that is a pure function of (seed, key, global integer
/// wavenumber m): the same for every rank count. For m_x = 0 the draws of m and -m are complex
/// conjugates, so that fields built from them are real.
std::array<Complex, 3> hashed_gaussian(std::uint64_t seed, std::uint64_t key, std::array<int, 3> m);

/// Integrated diagnostics of the velocity field (volume averages over the box).
struct SpectralDiagnostics {
  double energy = 0.0;            ///< E = <|u|^2>/2 [length^2/time^2]
  double enstrophy = 0.0;         ///< Z = <|w|^2>/2 [1/time^2]
  double dissipation = 0.0;       ///< viscous dissipation rate eps = 2 nu Z [length^2/time^3]
  double div_rms = 0.0;           ///< rms of div u of the stored physical velocity [1/time]
  std::vector<double> kx_energy;  ///< energy in modes |m_x| = history_kx_modes[i]
};

/// [physics.spectral_ns] (keys in the constructor's documentation in spectral_ns.cpp and the
/// README).
class SpectralNSModule : public PhysicsModule {
 public:
  static constexpr const char* kName = "spectral_ns";
  enum class Scheme { kRK4, kRK3 };
  enum class Dealias { kTwoThirds, kPhaseShift, kNone };
  enum class Forcing { kNone, kKolmogorov, kStochastic };

  SpectralNSModule(const Config& cfg, int ndim);
  ~SpectralNSModule() override;
  std::string name() const override { return kName; }
  void register_fields(FieldRegistry& reg) override;
  int required_ghost() const override { return 1; }
  /// Advective limit 1 / max(sum_a |u_a| / dx_a), or dt / time.cfl with a fixed dt.
  double max_dt(const Block& b) const override;
  /// Nothing: the nonlinear term is global; see implicit_stage().
  void add_rhs(const Block&, double, std::vector<Array4>&) override {}
  /// Advances the module's fields from t to t + dt (collective).
  void implicit_stage(Mesh& mesh, double t, double dt) override;
  /// energy, enstrophy, dissipation, max_velocity, cfl, div_rms, energy_kx<m>, and with
  /// timing_history step_fft_seconds, step_seconds, step_fft_count.
  std::vector<HistoryValue> history_values(Mesh& mesh, double t) override;
  /// Writes the shell-summed energy spectrum E(k) (group "spectral_ns").
  void write_snapshot_extras(Mesh& mesh, hid_t file) override;

  int ndim() const noexcept { return ndim_; }
  double nu() const noexcept { return nu_; }
  double drag() const noexcept { return drag_; }
  Forcing forcing() const noexcept { return forcing_; }
  double forcing_amplitude() const noexcept { return famp_; }
  int forcing_wavenumber() const noexcept { return fn_; }
  /// Field id of the velocity (2 or 3 components).
  int velocity_id() const noexcept { return vel_id_; }
  /// Field id of the vorticity: the evolved scalar in 2D; the derived vector in 3D (-1 if off).
  int vorticity_id() const noexcept { return omega_id_; }
  /// Field id of the passive scalar, -1 unless scalar = true.
  int scalar_id() const noexcept { return scalar_id_; }
  /// Field id of the pressure, -1 unless output_pressure = true.
  int pressure_id() const noexcept { return pressure_id_; }

  /// The slab layout (built on first use; collective).
  SpectralLayout& layout(Mesh& mesh);
  /// Takes the velocity on the blocks as the new state: dealiased, projected onto divergence-
  /// free fields (2D: through the vorticity, which drops a mean flow), derived fields refreshed.
  void set_from_velocity(Mesh& mesh);
  /// Sets the state from spectral velocity coefficients f(mode) (x, y, z components; only the
  /// stored half spectrum is asked for; modes with m_x = 0 must be Hermitian-consistent).
  void set_from_spectral_velocity(Mesh& mesh,
                                  const std::function<std::array<Complex, 3>(const Mode&)>& f);
  /// Recomputes the derived fields after the state fields on the blocks changed.
  void refresh(Mesh& mesh);
  /// Diagnostics of the velocity stored on the blocks (collective; same on every rank).
  SpectralDiagnostics diagnostics(Mesh& mesh);
  /// Shell-summed spectrum of the stored velocity: shells of width dk = 2 pi / max L centred
  /// on k = n dk; returns shell centres, E(k) (sum over the shell, so sum E = energy) and
  /// the number of modes per shell (collective; same on every rank).
  void energy_spectrum(Mesh& mesh, std::vector<double>& k, std::vector<double>& e,
                       std::vector<double>& modes);
  /// (1/2) <|u|^2> summed directly over the grid values of the blocks (collective).
  double physical_energy(Mesh& mesh);
  /// Seconds inside FFTW during time steps, and in implicit_stage, on this rank since the start.
  double fft_seconds() const;
  double step_seconds() const noexcept { return step_seconds_; }

 private:
  using Spectral = std::vector<ComplexBuffer>;
  void ensure(Mesh& mesh);
  void load_state(Mesh& mesh);  // blocks -> v_ (masked, projected)
  // v_ -> blocks (state + derived fields); `inputs_ready`: bin_ already holds v_'s inputs.
  void store_state(Mesh& mesh, bool inputs_ready = false);
  void store_pressure(Mesh& mesh);  // pressure of the state v_ -> blocks
  void load_scalar(Mesh& mesh);     // blocks -> v_[ncs_] (when the scalar is on)
  int flow_inputs() const noexcept { return ndim_ == 3 ? 6 : 4; }
  // bin_ (and bin2_) at mode s: the spectral fields the nonlinear term needs in physical
  // space, for state coefficients st (steady forcing response included).
  void inputs_at(std::size_t s, const Mode& md, const Complex* st);
  void zero_inputs_at(std::size_t s);  // bin_ (bin2_) = 0 at a removed mode
  void prepare_inputs();               // inputs_at for the state v_ at every mode
  // Backward transforms of `in` from index `first` (those before are in r_ already), the
  // products in physical space, forward transforms into k_ (unnormalised).
  void physical_products(Spectral& in, int first);
  // One nonlinear evaluation of the state whose inputs are in bin_, finished (normalised,
  // dealiased, projected) mode by mode and handed to stage(s, n, x), which performs the RK
  // update at that mode and returns the next stage's state x (without the steady forcing
  // response); with `prepare_next` the same sweep writes x's inputs into bin_.
  template <typename Stage>
  void nonlinear_stage(int cached, bool prepare_next, Stage&& stage);
  void project(Complex* x, Complex* y, Complex* z) const;
  void set_integrating_factor(double h);
  void stochastic_kick(double t, double dt);
  void velocity_spectrum(Mesh& mesh, Spectral& u);  // r2c of the block velocity, unmasked

  int ndim_;
  int ncs_;  // flow state components: 1 (2D vorticity) or 3 (3D velocity)
  int nst_;  // all state components: ncs_, + 1 with the passive scalar (stored last)
  double nu_ = 0.0, drag_ = 0.0;
  Scheme scheme_ = Scheme::kRK4;
  Dealias dealias_ = Dealias::kTwoThirds;
  Forcing forcing_ = Forcing::kNone;
  double famp_ = 1.0;
  int fn_ = 4;
  double inj_rate_ = 0.0;
  std::array<double, 2> band_{1.0, 3.0};
  std::uint64_t seed_ = 1;
  double dt_fixed_ = 0.0, cfl_ = 0.4;
  PlannerEffort effort_ = PlannerEffort::kMeasure;
  std::string wisdom_;
  bool output_vorticity_ = true;
  bool output_pressure_ = false;
  bool scalar_ = false;
  double kappa_ = 0.0, scalar_gradient_ = 0.0;
  int scalar_id_ = -1;
  std::vector<double> efs_;  // scalar integrating factor exp(-kappa k^2 h / 2)
  bool timing_history_ = false;
  std::vector<int> kx_modes_;
  int vel_id_ = -1, omega_id_ = -1, pressure_id_ = -1;

  std::unique_ptr<SpectralLayout> layout_;
  std::vector<double> mask_;  // 1 kept, 0 removed (dealiasing, Nyquist)
  std::vector<double> efh_;   // integrating factor exp(-(nu k^2 + lambda) h / 2) per mode
  double efh_step_ = -1.0;    // the h of efh_
  ComplexBuffer phase_;       // exp(i k.dx/2) for phase-shift dealiasing
  Spectral fsteady_;          // f / (nu k^2 + lambda): steady response to constant forcing
  Spectral fexplicit_;        // forcing on modes with nu k^2 + lambda = 0 (added explicitly)
  bool has_fsteady_ = false, has_fexplicit_ = false;
  Spectral v_, s_, k_, acc_, nl2_;  // state and RK work arrays
  Spectral bin_, bin2_;             // backward-transform inputs (bin2_: phase-shifted grid)
  int nbin_ = 0;                    // inputs per evaluation: flow_inputs() (+ ndim with scalar)
  std::array<Complex*, 9> binp_{}, bin2p_{};  // their data pointers
  bool state_current_ = false;                // v_ holds the state of the fields on the blocks
  bool phys_cached_ = false;  // r_[0 .. flow_inputs()) hold the backward transforms of
                              // v_'s flow inputs (bin_ consumed)
  ComplexBuffer tmp_;
  std::vector<RealBuffer> r_;  // physical work arrays
  double last_dt_ = 0.0;
  double step_seconds_ = 0.0, step_fft_seconds_ = 0.0;
  std::int64_t step_fft_count_ = 0;
};

}  // namespace tessera

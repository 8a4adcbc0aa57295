// The explicit problem table: add a line here to add a problem.
#include <fmt/format.h>

#include "tessera/core/config.hpp"
#include "tessera/problems/problem.hpp"

namespace tessera {

std::unique_ptr<Problem> make_gaussian_pulse(const ProblemContext& ctx);
std::unique_ptr<Problem> make_square_pulse(const ProblemContext& ctx);
std::unique_ptr<Problem> make_convdiff_gaussian(const ProblemContext& ctx);
std::unique_ptr<Problem> make_ogata_banks(const ProblemContext& ctx);
std::unique_ptr<Problem> make_convdiff_mms(const ProblemContext& ctx);
std::unique_ptr<Problem> make_chromatography(const ProblemContext& ctx);
std::unique_ptr<Problem> make_barenblatt(const ProblemContext& ctx);
std::unique_ptr<Problem> make_convdiff_rotation(const ProblemContext& ctx);
std::unique_ptr<Problem> make_spectral_taylor_green(const ProblemContext& ctx);
std::unique_ptr<Problem> make_spectral_kolmogorov(const ProblemContext& ctx);
std::unique_ptr<Problem> make_spectral_random(const ProblemContext& ctx);
std::unique_ptr<Problem> make_spectral_snapshot(const ProblemContext& ctx);
std::unique_ptr<Problem> make_hydro_riemann(const ProblemContext& ctx);
std::unique_ptr<Problem> make_hydro_linear_wave(const ProblemContext& ctx);
std::unique_ptr<Problem> make_hydro_shu_osher(const ProblemContext& ctx);
std::unique_ptr<Problem> make_hydro_blast(const ProblemContext& ctx);
std::unique_ptr<Problem> make_hydro_kelvin_helmholtz(const ProblemContext& ctx);
std::unique_ptr<Problem> make_incompressible_taylor_green(const ProblemContext& ctx);
std::unique_ptr<Problem> make_incompressible_poiseuille(const ProblemContext& ctx);
std::unique_ptr<Problem> make_incompressible_cavity(const ProblemContext& ctx);
std::unique_ptr<Problem> make_incompressible_convection(const ProblemContext& ctx);
std::unique_ptr<Problem> make_mhd_linear_wave(const ProblemContext& ctx);
std::unique_ptr<Problem> make_mhd_shock_tube(const ProblemContext& ctx);
std::unique_ptr<Problem> make_orszag_tang(const ProblemContext& ctx);
std::unique_ptr<Problem> make_mhd_rotor(const ProblemContext& ctx);
std::unique_ptr<Problem> make_field_loop(const ProblemContext& ctx);
std::unique_ptr<Problem> make_mhd_blast(const ProblemContext& ctx);
std::unique_ptr<Problem> make_mhd_wall_blast(const ProblemContext& ctx);
std::unique_ptr<Problem> make_mhd_resistive_decay(const ProblemContext& ctx);
std::unique_ptr<Problem> make_rad_uniform(const ProblemContext& ctx);
std::unique_ptr<Problem> make_rad_pulse(const ProblemContext& ctx);
std::unique_ptr<Problem> make_su_olson(const ProblemContext& ctx);
std::unique_ptr<Problem> make_rad_shock(const ProblemContext& ctx);
std::unique_ptr<Problem> make_rmhd_linear_wave(const ProblemContext& ctx);
std::unique_ptr<Problem> make_hydrostatic_atmosphere(const ProblemContext& ctx);
std::unique_ptr<Problem> make_radiative_convection(const ProblemContext& ctx);
std::unique_ptr<Problem> make_rmhd_shock(const ProblemContext& ctx);
std::unique_ptr<Problem> make_rmhd_shock_tube(const ProblemContext& ctx);

const std::vector<ProblemEntry>& problem_table() {
  static const std::vector<ProblemEntry> table{
      {"gaussian_pulse",
       "Gaussian pulse advected at constant velocity (exact, periodic images) [advection]",
       make_gaussian_pulse},
      {"square_pulse", "square pulse advected at constant velocity (exact) [advection]",
       make_square_pulse},
      {"convdiff_gaussian",
       "Gaussian pulse advected, diffused and decaying (exact, periodic images) [convdiff]",
       make_convdiff_gaussian},
      {"ogata_banks", "continuous injection into a 1D column (Ogata-Banks, exact) [convdiff]",
       make_ogata_banks},
      {"convdiff_mms", "manufactured solution with variable D on the unit box [convdiff]",
       make_convdiff_mms},
      {"chromatography",
       "chromatography column, linear sorption kinetics, D = 0, step inlet (exact) [convdiff]",
       make_chromatography},
      {"barenblatt", "Barenblatt-Pattle solution of the porous-medium equation (exact) [convdiff]",
       make_barenblatt},
      {"convdiff_rotation",
       "Gaussian in a solid-body rotation with time-varying rate, diffusing (exact) [convdiff]",
       make_convdiff_rotation},
      {"spectral_taylor_green",
       "Taylor-Green vortex, 2D (exact decaying solution) or 3D (Re = 1600 benchmark) "
       "[spectral_ns]",
       make_spectral_taylor_green},
      {"spectral_kolmogorov",
       "Kolmogorov flow: laminar profile + optional perturbation / random field [spectral_ns]",
       make_spectral_kolmogorov},
      {"spectral_random",
       "random solenoidal field with E(k) ~ k^4 exp(-2 (k/k0)^2) from a seed [spectral_ns]",
       make_spectral_random},
      {"spectral_snapshot", "state read from a previous snapshot of the same mesh [spectral_ns]",
       make_spectral_snapshot},
      {"riemann", "shock tube along x: Sod, Toro's tests (exact Riemann solution) [hydro]",
       make_hydro_riemann},
      {"linear_wave", "sound / entropy / shear linear wave along the box diagonal (exact) [hydro]",
       make_hydro_linear_wave},
      {"shu_osher", "Shu-Osher shock / entropy-wave interaction [hydro]", make_hydro_shu_osher},
      {"blast", "2D/3D blast wave [hydro]", make_hydro_blast},
      {"kelvin_helmholtz", "smooth Kelvin-Helmholtz instability (McNally et al. 2012) [hydro]",
       make_hydro_kelvin_helmholtz},
      {"incompressible_taylor_green",
       "2D Taylor-Green vortex (exact decaying solution) [incompressible]",
       make_incompressible_taylor_green},
      {"incompressible_poiseuille",
       "plane Poiseuille channel, body-forced or parabolic inflow/outflow (exact) [incompressible]",
       make_incompressible_poiseuille},
      {"incompressible_cavity", "lid-driven cavity from rest, 2D or 3D [incompressible]",
       make_incompressible_cavity},
      {"incompressible_convection",
       "Boussinesq convection from the conduction profile (+ perturbation) [incompressible]",
       make_incompressible_convection},
      {"mhd_linear_wave",
       "fast / Alfven / slow / entropy MHD linear wave along the box diagonal (exact) [mhd]",
       make_mhd_linear_wave},
      {"mhd_shock_tube", "MHD shock tube along x: Brio-Wu, Ryu-Jones 2a [mhd]",
       make_mhd_shock_tube},
      {"orszag_tang", "Orszag-Tang vortex, periodic unit square [mhd]", make_orszag_tang},
      {"mhd_rotor", "MHD rotor (Balsara-Spicer / Toth first rotor) [mhd]", make_mhd_rotor},
      {"field_loop", "weak field loop advected diagonally (Gardiner-Stone 2005) [mhd]",
       make_field_loop},
      {"mhd_blast", "2D/3D MHD blast wave in a uniform oblique field [mhd]", make_mhd_blast},
      {"mhd_wall_blast", "2D MHD blast between walls, field matching wall_field [mhd]",
       make_mhd_wall_blast},
      {"mhd_resistive_decay", "1D force-free field decaying by resistivity (exact) [mhd]",
       make_mhd_resistive_decay},
      {"rad_uniform", "uniform gas + radiation (energy exchange, free-streaming front) [rad_fld]",
       make_rad_uniform},
      {"rad_pulse", "Gaussian radiation pulse diffusing in a static medium (exact) [rad_fld]",
       make_rad_pulse},
      {"su_olson", "Su & Olson (1997) source-driven non-equilibrium diffusion [rad_fld]",
       make_su_olson},
      {"rad_shock", "Lowrie & Edwards (2008) radiating shock in its rest frame [rad_fld]",
       make_rad_shock},
      {"rmhd_linear_wave",
       "radiation-damped linear MHD wave, eigenvector from tools/rmhd-dispersion [mhd, rad_fld]",
       make_rmhd_linear_wave},
      {"hydrostatic_atmosphere",
       "isothermal atmosphere at rest under uniform gravity (exact) [hydro | mhd, gravity]",
       make_hydrostatic_atmosphere},
      {"radiative_convection",
       "superadiabatic polytrope under gravity, E = aT^4, optional vertical field "
       "(Hurlburt-Toomre magnetoconvection) [hydro | mhd + rad_fld, gravity]",
       make_radiative_convection},
      {"rmhd_shock",
       "steady radiative MHD shock (fast/slow/switch-off) in its rest frame [mhd + rad_fld]",
       make_rmhd_shock},
      {"rmhd_shock_tube", "Brio-Wu with radiation in equilibrium (E = a T^4) [mhd + rad_fld]",
       make_rmhd_shock_tube},
  };
  return table;
}

void ProblemContext::throw_missing(const std::string& problem, const char* module) const {
  throw ConfigError(fmt::format("{}: problem \"{}\" needs the [physics.{}] section in the deck",
                                cfg.file_name(), problem, module));
}

std::unique_ptr<Problem> make_problem(const ProblemContext& ctx) {
  std::vector<std::string> names;
  for (const auto& e : problem_table()) names.push_back(e.name);
  const std::string name = ctx.cfg.require_string("problem.name", names);
  for (const auto& e : problem_table()) {
    if (e.name == name) return e.make(ctx);
  }
  return nullptr;  // unreachable: require_string validated the name
}

}  // namespace tessera

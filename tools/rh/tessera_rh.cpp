// tessera-rh: prints the upstream and downstream equilibrium states of a steady radiation-MHD
// shock (Rankine-Hugoniot relations with radiation pressure E/3 and enthalpy 4E/3; see
// include/tessera/physics/rad_rankine_hugoniot.hpp), their jump residual and wave speeds.
//
//   tessera-rh --type fast --a-rad 0.3 --rho 1 --temp 1 --vx 2.5 --bx 1 --by 1
//   tessera-rh --type switch_off --rho 1 --temp 0.1 --bx 0.8660254 --by 0.5   (v_x = B_x/sqrt(rho))
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <array>
#include <cmath>
#include <exception>
#include <string>

#include "tessera/physics/rad_rankine_hugoniot.hpp"

namespace {

void print_state(const char* name, const tessera::RmhdState& s) {
  fmt::print(
      "{:<11} rho {:.15g}  v {:.15g} {:.15g} {:.15g}  B {:.15g} {:.15g} {:.15g}  p {:.15g}  "
      "T {:.15g}  E {:.15g}\n",
      name, s.rho, s.v[0], s.v[1], s.v[2], s.b[0], s.b[1], s.b[2], s.p, s.temp, s.erad);
}

/// The conserved variables of a 1D cell in the state (total energy with B^2/2 and no radiation).
void print_deck_values(const char* face, const tessera::RmhdState& s, double gamma) {
  const double ke = 0.5 * s.rho * (s.v[0] * s.v[0] + s.v[1] * s.v[1] + s.v[2] * s.v[2]);
  const double me = 0.5 * (s.b[0] * s.b[0] + s.b[1] * s.b[1] + s.b[2] * s.b[2]);
  fmt::print(
      "{}_values = {{ rho = {:.17g}, mom_x = {:.17g}, mom_y = {:.17g}, mom_z = {:.17g}, E = "
      "{:.17g}, bf_x = {:.17g}, bf_y = {:.17g}, bf_z = {:.17g}, erad = {:.17g} }}\n",
      face, s.rho, s.rho * s.v[0], s.rho * s.v[1], s.rho * s.v[2], s.p / (gamma - 1.0) + ke + me,
      s.b[0], s.b[1], s.b[2], s.erad);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "tessera-rh: downstream equilibrium state of a steady radiation-MHD shock in its rest "
      "frame (x normal, gas entering from x < 0 with v_x > 0). Magnetic units with pressure "
      "B^2/2; gas p = rho rgas T; radiation E = a T^4 (a_rad = 0: ideal MHD)."};
  std::string type = "fast";
  tessera::RmhdGas gas;
  double rho = 1.0, temp = 1.0, vx = std::nan(""), vy = 0.0, vz = 0.0, bx = 0.0, by = 0.0, bz = 0.0;
  bool deck = false;
  app.add_option("--type", type, "fast | slow | switch_off | hydro")
      ->check(CLI::IsMember({"fast", "slow", "switch_off", "hydro"}));
  app.add_option("--gamma", gas.gamma, "adiabatic index")->check(CLI::Range(1.0000001, 100.0));
  app.add_option("--rgas", gas.rgas, "p = rho rgas T")->check(CLI::PositiveNumber);
  app.add_option("--a-rad", gas.a_rad, "radiation constant (E = a T^4); 0: no radiation")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--rho", rho, "upstream density")->check(CLI::PositiveNumber);
  app.add_option("--temp", temp, "upstream temperature")->check(CLI::PositiveNumber);
  app.add_option("--vx", vx,
                 "upstream normal velocity (> 0); for switch_off omit it: v_x = |B_x|/sqrt(rho)");
  app.add_option("--vy", vy, "upstream tangential velocity y");
  app.add_option("--vz", vz, "upstream tangential velocity z");
  app.add_option("--bx", bx, "normal field");
  app.add_option("--by", by, "upstream tangential field y");
  app.add_option("--bz", bz, "upstream tangential field z");
  app.add_flag("--deck", deck,
               "also print [boundary] fixed values (conserved variables, for 1D MHD + rad_fld)");
  CLI11_PARSE(app, argc, argv);
  try {
    const auto t = tessera::rmhd_shock_type(type);
    tessera::RmhdState up;
    if (std::isnan(vx)) {
      if (t != tessera::RmhdShockType::kSwitchOff) {
        fmt::print(stderr, "tessera-rh: --vx is required for a {} shock\n", type);
        return 2;
      }
      up = tessera::rmhd_switch_off_upstream(gas, rho, temp, {bx, by, bz}, vy, vz);
    } else {
      up = tessera::rmhd_state(gas, rho, {vx, vy, vz}, {bx, by, bz}, temp);
    }
    const tessera::RmhdState down = tessera::rmhd_shock_downstream(up, gas, t);
    fmt::print("# {} shock, gamma {:.15g}, rgas {:.15g}, a_rad {:.15g}\n", type, gas.gamma,
               gas.rgas, gas.a_rad);
    print_state("upstream", up);
    print_state("downstream", down);
    fmt::print(
        "compression rho1/rho0 {:.15g}  T1/T0 {:.15g}  P_rad/p upstream {:.6g}, "
        "downstream {:.6g}\n",
        down.rho / up.rho, down.temp / up.temp, up.erad / (3.0 * up.p), down.erad / (3.0 * down.p));
    for (const tessera::RmhdState* s : std::array<const tessera::RmhdState*, 2>{&up, &down}) {
      const auto sp = tessera::rmhd_wave_speeds(*s, gas);
      fmt::print("{:<11} v_x {:.10g}  slow {:.10g}  Alfven {:.10g}  fast {:.10g}\n",
                 s == &up ? "speeds up" : "speeds down", s->v[0], sp[0], sp[1], sp[2]);
    }
    const auto f = tessera::rmhd_fluxes(up, gas);
    fmt::print(
        "fluxes      mass {:.15g}  mom {:.15g} {:.15g} {:.15g}  energy {:.15g}  induction "
        "{:.15g} {:.15g}\n",
        f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
    fmt::print("jump residual (max relative over the 7 fluxes) {:.3e}\n",
               tessera::rmhd_jump_residual(up, down, gas));
    if (deck) {
      print_deck_values("x1_lower", up, gas.gamma);
      print_deck_values("x1_upper", down, gas.gamma);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "tessera-rh: {}\n", e.what());
    return 1;
  }
  return 0;
}

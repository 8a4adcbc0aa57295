#pragma once
/// \file eos.hpp
/// Equations of state for compressible flow.
///
/// An EOS is a small value type; flux kernels take it by template parameter or const reference
/// so the hot loops inline it. A new EOS provides the same members as IdealGasEos:
///   - pressure(rho, eint)        gas pressure from density and internal energy per unit volume
///   - internal_energy(rho, p)    internal energy per unit volume from density and pressure
///   - sound_speed2(rho, p)       square of the adiabatic sound speed
/// Units: rho [mass/length^3], p and eint [energy/length^3], sound speed [length/time].
/// The Riemann solvers' energy closure (HLLC star states, exact solver) currently assumes an
/// ideal gas (Toro 2009, ch. 4 and 10); a non-ideal EOS needs its own star-state closure.

namespace tessera {

/// Ideal gas p = (gamma - 1) rho e with constant adiabatic index gamma (> 1).
struct IdealGasEos {
  double gamma = 5.0 / 3.0;

  /// Pressure from density and internal energy per unit volume.
  double pressure(double /*rho*/, double eint) const { return (gamma - 1.0) * eint; }
  /// Internal energy per unit volume from density and pressure.
  double internal_energy(double /*rho*/, double p) const { return p / (gamma - 1.0); }
  /// Square of the adiabatic sound speed, gamma p / rho.
  double sound_speed2(double rho, double p) const { return gamma * p / rho; }
};

}  // namespace tessera

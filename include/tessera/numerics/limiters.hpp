#pragma once
/// \file limiters.hpp
/// Slope limiters for second-order TVD (MUSCL) reconstruction. Each returns the limited
/// slope (difference per cell) from the backward and forward differences dl, dr; the face
/// values are u -/+ slope/2. Branch-free so the calling loops vectorise.
#include <algorithm>
#include <cmath>
#include <string>

namespace tessera {

enum class LimiterKind { kMinmod, kVanLeer, kMC, kNone };

/// Parses "minmod" | "vanleer" | "mc" | "none" (callers validate the string through Config).
LimiterKind limiter_from_string(const std::string& s);

/// minmod(a, b): the smaller magnitude when signs agree, else 0 (Roe 1986).
struct Minmod {
  static double apply(double dl, double dr) {
    return 0.5 * (std::copysign(1.0, dl) + std::copysign(1.0, dr)) *
           std::min(std::abs(dl), std::abs(dr));
  }
};

/// van Leer's harmonic limiter, 2 dl dr / (dl + dr) when dl dr > 0 (van Leer 1974).
struct VanLeer {
  static double apply(double dl, double dr) {
    const double p = dl * dr;
    return p > 0.0 ? 2.0 * p / (dl + dr) : 0.0;
  }
};

/// Monotonised central: minmod(2 dl, 2 dr, (dl + dr)/2) (van Leer 1977).
struct MonotonizedCentral {
  static double apply(double dl, double dr) {
    const double s = 0.5 * (std::copysign(1.0, dl) + std::copysign(1.0, dr));
    return s * std::min({2.0 * std::abs(dl), 2.0 * std::abs(dr), 0.5 * std::abs(dl + dr)});
  }
};

/// No limiting: the central slope (dl + dr)/2 (Fromm's scheme). Second order everywhere,
/// including smooth extrema, but not TVD: for smooth problems and convergence studies only.
struct Unlimited {
  static double apply(double dl, double dr) { return 0.5 * (dl + dr); }
};

/// Calls f(Limiter{}) with the functor type of `k`, so kernels are instantiated per limiter.
template <typename F>
decltype(auto) with_limiter(LimiterKind k, F&& f) {
  switch (k) {
    case LimiterKind::kMinmod:
      return f(Minmod{});
    case LimiterKind::kVanLeer:
      return f(VanLeer{});
    case LimiterKind::kNone:
      return f(Unlimited{});
    default:
      return f(MonotonizedCentral{});
  }
}

}  // namespace tessera

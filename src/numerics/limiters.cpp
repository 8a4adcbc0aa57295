#include "tessera/numerics/limiters.hpp"

namespace tessera {

LimiterKind limiter_from_string(const std::string& s) {
  if (s == "minmod") return LimiterKind::kMinmod;
  if (s == "vanleer") return LimiterKind::kVanLeer;
  if (s == "none") return LimiterKind::kNone;
  return LimiterKind::kMC;
}

}  // namespace tessera

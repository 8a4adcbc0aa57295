// Uniform gravity shared by the compressible-flow modules (see gravity.hpp).
#include "tessera/physics/gravity.hpp"

#include <fmt/format.h>

#include "tessera/core/config.hpp"

namespace tessera {

UniformGravity UniformGravity::from_config(const Config& cfg, const std::string& section,
                                           int ndim) {
  UniformGravity out;
  out.g = cfg.get_double(section + ".gravity", 0.0, Range::non_negative());
  out.axis =
      static_cast<int>(cfg.get_int(section + ".gravity_axis", ndim, Range::between(1, ndim))) - 1;
  out.ndim = ndim;
  return out;
}

double UniformGravity::potential_energy(const Block& b, const Array4& rho) const {
  if (!active()) return 0.0;
  double s = 0.0;
  for_each_cell(b.interior(),
                [&](int k, int j, int i) { s += rho(0, k, j, i) * potential(b, k, j, i); });
  return s * b.cell_volume(ndim);
}

}  // namespace tessera

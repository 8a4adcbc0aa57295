// Uniform gravity shared by the compressible-flow modules (see gravity.hpp).
#include "tessera/physics/gravity.hpp"

#include <fmt/format.h>

#include "tessera/core/config.hpp"
#include "tessera/physics/gas.hpp"

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

void GasDynamics::append_gravity_history(Mesh& mesh, const std::string& prefix,
                                         std::vector<HistoryValue>& out) const {
  if (!gravity().active()) return;
  double epot = 0.0, etot = 0.0;
  for (const auto& bp : mesh.blocks()) {
    const double ep = potential_energy(*bp);
    double s = 0.0;
    const Array4& e = bp->field(energy_id());
    for_each_cell(bp->interior(), [&](int k, int j, int i) { s += e(0, k, j, i); });
    epot += ep;
    etot += ep + s * bp->cell_volume(gravity().ndim);
  }
  out.push_back({prefix + "_epot", epot, HistoryReduce::kSum});
  out.push_back({prefix + "_etot", etot, HistoryReduce::kSum});
}

}  // namespace tessera

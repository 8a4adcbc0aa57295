// The explicit module table: a module exists only when its [physics.<name>] section does.
#include <fmt/format.h>

#include "tessera/core/config.hpp"
#include "tessera/physics/advection.hpp"
#include "tessera/physics/convdiff.hpp"
#include "tessera/physics/hydro.hpp"
#include "tessera/physics/incompressible.hpp"
#include "tessera/physics/mhd.hpp"
#include "tessera/physics/module.hpp"
#include "tessera/physics/rad_fld.hpp"
#include "tessera/physics/spectral_ns.hpp"

namespace tessera {

std::vector<std::string> module_names() {
  return {AdvectionModule::kName,      ConvDiffModule::kName, HydroModule::kName,
          IncompressibleModule::kName, MhdModule::kName,      SpectralNSModule::kName,
          RadFldModule::kName};
}

std::unique_ptr<PhysicsModule> make_module(const std::string& name, const Config& cfg, int ndim) {
  if (name == AdvectionModule::kName) return std::make_unique<AdvectionModule>(cfg, ndim);
  if (name == ConvDiffModule::kName) return std::make_unique<ConvDiffModule>(cfg, ndim);
  if (name == HydroModule::kName) return std::make_unique<HydroModule>(cfg, ndim);
  if (name == IncompressibleModule::kName) return std::make_unique<IncompressibleModule>(cfg, ndim);
  if (name == MhdModule::kName) return std::make_unique<MhdModule>(cfg, ndim);
  if (name == SpectralNSModule::kName) return std::make_unique<SpectralNSModule>(cfg, ndim);
  if (name == RadFldModule::kName) return std::make_unique<RadFldModule>(cfg, ndim);
  std::string best;
  std::size_t bd = 1000;
  std::string all;
  for (const auto& n : module_names()) {
    all += (all.empty() ? "" : ", ") + n;
    if (edit_distance(name, n) < bd) bd = edit_distance(name, n), best = n;
  }
  cfg.fail("physics." + name,
           fmt::format("unknown physics module \"{}\" (known: {}){}", name, all,
                       bd <= 3 ? fmt::format("; did you mean [physics.{}]?", best) : ""));
}

}  // namespace tessera

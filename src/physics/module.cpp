#include "tessera/physics/module.hpp"

#include "tessera/core/errors.hpp"

namespace tessera {

void PhysicsModule::fill_halos(const std::vector<int>& field_ids, double t) const {
  // Only reachable before Simulation wired the module (e.g. a unit test that forgot to):
  // a programming error, raised identically on every rank.
  if (!halo_fill_) {
    throw Error("module '" + name() +
                    "' asked for a halo fill before the driver installed one (call "
                    "set_halo_fill after building the BoundaryExchange)",
                true);
  }
  halo_fill_(field_ids, t);
}

}  // namespace tessera

// The null adaptor, and the Catalyst factory of builds without ParaView.
#include "tessera/insitu/adaptor.hpp"

#include "tessera/core/errors.hpp"

namespace tessera {

namespace {

class NullAdaptor final : public InsituAdaptor {
 public:
  std::string name() const override { return "null"; }
  void initialize(const Comm&, const InsituSetup&) override {}
  InsituResult execute(const Mesh&, const std::vector<InsituArray>&, double,
                       std::int64_t) override {
    return {};
  }
  void finalize() override {}
};

}  // namespace

std::unique_ptr<InsituAdaptor> make_null_adaptor() {
  return std::make_unique<NullAdaptor>();
}

#ifndef TESSERA_HAVE_CATALYST
bool catalyst_available() {
  return false;
}

std::unique_ptr<InsituAdaptor> make_catalyst_adaptor() {
  throw ConfigError(
      "this tessera was built without ParaView Catalyst (ParaView 5.11 with its development "
      "files was not found, or -DTESSERA_CATALYST=OFF): install paraview-dev "
      "(tools/install-deps) and reconfigure, or remove the [catalyst] section");
}
#endif

}  // namespace tessera

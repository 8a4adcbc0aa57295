#include "tessera/io/output_sink.hpp"

#include "tessera/insitu/catalyst_sink.hpp"

namespace tessera {

std::vector<std::unique_ptr<OutputSink>> make_output_sinks(const SinkContext& ctx) {
  std::vector<std::unique_ptr<OutputSink>> sinks;
  // One line per sink kind, each created only when its deck section is present, e.g.
  //   if (ctx.cfg.has_section("catalyst")) sinks.push_back(make_catalyst_sink(ctx));
  (void)ctx;
  if (ctx.cfg.has_section("catalyst"))
    sinks.push_back(make_catalyst_sink(ctx));  // ParaView Catalyst
  return sinks;
}

}  // namespace tessera

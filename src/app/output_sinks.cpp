#include "tessera/io/output_sink.hpp"

#include "tessera/insitu/catalyst_sink.hpp"
#include "tessera/io/well_dataset.hpp"

namespace tessera {

std::vector<std::unique_ptr<OutputSink>> make_output_sinks(const SinkContext& ctx) {
  std::vector<std::unique_ptr<OutputSink>> sinks;
  // One line per sink kind, each created only when its deck section is present.
  if (ctx.cfg.has_section("catalyst")) sinks.push_back(make_catalyst_sink(ctx));  // issue 8
  if (ctx.cfg.has_section("dataset")) sinks.push_back(make_dataset_sink(ctx));    // issue 9
  return sinks;
}

}  // namespace tessera

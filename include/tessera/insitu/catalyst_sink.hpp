#pragma once
/// \file catalyst_sink.hpp
/// The [catalyst] deck section: an OutputSink that hands the mesh to an InsituAdaptor
/// (ParaView Catalyst) every N steps or every Δt of simulation time.
#include <memory>

#include "tessera/io/output_sink.hpp"

namespace tessera {

/// Reads [catalyst] (scripts, every_steps / every_dt, fields, channel, on_error, adaptor) and
/// checks that the scripts exist; opens nothing before begin().
std::unique_ptr<OutputSink> make_catalyst_sink(const SinkContext& ctx);

}  // namespace tessera

#pragma once
/// \file output_sink.hpp
/// Writers that follow the run step by step besides snapshots and checkpoints: in-situ
/// visualisation, training-data writers, ... The driver owns them and calls them in a fixed
/// order on every rank; data flows one way (mesh and modules -> sink).
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <hdf5.h>

#include "tessera/bc/boundary.hpp"
#include "tessera/core/comm.hpp"
#include "tessera/core/config.hpp"
#include "tessera/mesh/mesh.hpp"
#include "tessera/physics/module.hpp"

namespace tessera {

/// What a sink may read while it is built (parameters are read in the constructor only).
struct SinkContext {
  const Config& cfg;
  const MeshParams& mesh;
  const BoundaryParams& boundary;
  const std::vector<std::unique_ptr<PhysicsModule>>& modules;
  const Comm& comm;
  std::string out_dir;   ///< output.dir
  std::string basename;  ///< output.basename
  bool check_only;       ///< --check: validate parameters, touch no files
};

/// The run's position, passed to every call.
struct RunState {
  double t = 0.0;                ///< simulation time after the step
  std::int64_t step = 0;         ///< steps taken since the start of the run (not the segment)
  double dt = 0.0;               ///< the step just taken (0 for the initial state)
  const std::string* deck_text;  ///< effective deck (TOML)
  bool restarted = false;        ///< this segment continued from a checkpoint
};

/// A writer driven by the time loop. Every call is collective (all ranks, same order).
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  /// Deck section name, e.g. "catalyst".
  virtual std::string name() const = 0;
  /// Once, after the initial state is set or restored and before the first step. Set-up
  /// errors (missing script, unwritable file) must be raised here, not later.
  virtual void begin(Mesh& mesh, const RunState& s) {}
  /// After the initial state of a fresh run (dt = 0) and after every step.
  virtual void after_step(Mesh& mesh, const RunState& s) {}
  /// The next simulation time the sink wants the driver to land on exactly (its output
  /// times); infinity when none. Must be the same on every rank.
  virtual double next_time() const { return std::numeric_limits<double>::infinity(); }
  /// Once at the normal end of the run.
  virtual void end(Mesh& mesh, const RunState& s) {}
  /// Stores what a restart needs (e.g. the next output index) as attributes of `group`
  /// (a group of the checkpoint named after the sink); collective.
  virtual void write_checkpoint(hid_t group) {}
  /// Restores it on restart (the group written by write_checkpoint); collective.
  virtual void read_checkpoint(hid_t group) {}
};

/// Builds the sinks whose deck sections are present (src/app/output_sinks.cpp).
std::vector<std::unique_ptr<OutputSink>> make_output_sinks(const SinkContext& ctx);

}  // namespace tessera

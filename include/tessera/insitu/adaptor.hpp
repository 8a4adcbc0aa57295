#pragma once
/// \file adaptor.hpp
/// In-situ visualisation: the simulation hands its state to an analysis library (ParaView
/// Catalyst today) while it runs. The adaptor knows the library; the Catalyst output sink
/// (src/insitu/catalyst_sink.cpp) knows the deck and the schedule.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/core/comm.hpp"
#include "tessera/mesh/mesh.hpp"

namespace tessera {

/// One array handed to the analysis: a scalar (one component) or a vector (three
/// components; a 2D vector gets a zero third component).
struct InsituArray {
  std::string name;        ///< array name seen by the scripts, e.g. "u", "momentum"
  int field_id = -1;       ///< FieldRegistry id
  std::vector<int> comps;  ///< component indices of the field (1 for a scalar, 2-3 for a vector)
};

/// What the adaptor needs once, at initialisation.
struct InsituSetup {
  std::vector<std::string> scripts;  ///< Catalyst Python scripts (v1 or v2), as given
  std::string channel = "input";     ///< name under which the scripts see the mesh
  std::string working_dir;           ///< where the scripts' relative output paths point
  double start_time = 0.0;           ///< simulation time at the start of the run [time]
  std::int64_t start_step = 0;       ///< step at the start of the run
};

/// The outcome of one execute(): identical on every rank.
struct InsituResult {
  bool ok = true;
  std::string message;  ///< failure: the script(s) and the error text
};

/// An in-situ analysis back end. Every call is collective over the communicator.
class InsituAdaptor {
 public:
  virtual ~InsituAdaptor() = default;
  /// Back-end name for messages, e.g. "catalyst".
  virtual std::string name() const = 0;
  /// Loads the scripts. A missing or broken script throws ConfigError (collective: every
  /// rank throws the same message) naming the script and the error.
  virtual void initialize(const Comm& comm, const InsituSetup& setup) = 0;
  /// Hands the mesh state at time t [time], step `step` to the scripts, which decide what to
  /// do with it. Errors raised by a script are caught and returned (same on every rank).
  virtual InsituResult execute(const Mesh& mesh, const std::vector<InsituArray>& arrays, double t,
                               std::int64_t step) = 0;
  /// Ends the analysis (the scripts' finalisation); safe to call twice.
  virtual void finalize() = 0;
};

/// Does nothing: for builds without ParaView, and to measure the hand-off cost alone.
std::unique_ptr<InsituAdaptor> make_null_adaptor();

/// True when this build contains the Catalyst adaptor (ParaView found at configure time).
bool catalyst_available();

/// The ParaView Catalyst adaptor (legacy API, ParaView 5.11); throws ConfigError when this
/// build has no Catalyst.
std::unique_ptr<InsituAdaptor> make_catalyst_adaptor();

}  // namespace tessera

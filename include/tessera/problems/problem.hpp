#pragma once
/// \file problem.hpp
/// Initial conditions, optional exact solutions and user boundaries, by name.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tessera/bc/boundary.hpp"
#include "tessera/mesh/mesh.hpp"
#include "tessera/physics/module.hpp"

namespace tessera {

class Config;

/// A problem sets the initial state and may provide an exact solution.
class Problem {
 public:
  virtual ~Problem() = default;
  /// Sets the initial state of every local block (interior cells).
  virtual void initialize(Mesh& mesh) = 0;
  /// True when exact() is available.
  virtual bool has_exact() const { return false; }
  /// Fills component c of `out` (shaped like the field) on the interior cells of `b` with the
  /// exact cell averages of field `fid` at time t.
  virtual void exact(const Block& b, int fid, double t, Array4& out) const {}
  /// Ghost filler for faces of kind "user"; empty when the problem has none.
  virtual UserBoundaryFn user_boundary() { return {}; }
};

/// What a problem may look at while it is constructed.
struct ProblemContext {
  const Config& cfg;
  const MeshParams& mesh;
  const std::vector<std::unique_ptr<PhysicsModule>>& modules;
  /// The module of type M, or a ConfigError naming `problem` when the deck lacks it.
  template <typename M>
  M& module(const std::string& problem) const {
    for (const auto& m : modules) {
      if (auto* p = dynamic_cast<M*>(m.get())) return *p;
    }
    throw_missing(problem, M::kName);
  }
  [[noreturn]] void throw_missing(const std::string& problem, const char* module) const;
};

/// One entry of the problem table.
struct ProblemEntry {
  std::string name;
  std::string description;
  std::function<std::unique_ptr<Problem>(const ProblemContext&)> make;
};

/// The explicit name -> setup table (problems/registry.cpp).
const std::vector<ProblemEntry>& problem_table();
/// Creates the problem named in [problem] name = "...".
std::unique_ptr<Problem> make_problem(const ProblemContext& ctx);

}  // namespace tessera

// The explicit problem table: add a line here to add a problem.
#include <fmt/format.h>

#include "tessera/core/config.hpp"
#include "tessera/problems/problem.hpp"

namespace tessera {

std::unique_ptr<Problem> make_gaussian_pulse(const ProblemContext& ctx);
std::unique_ptr<Problem> make_square_pulse(const ProblemContext& ctx);

const std::vector<ProblemEntry>& problem_table() {
  static const std::vector<ProblemEntry> table{
      {"gaussian_pulse",
       "Gaussian pulse advected at constant velocity (exact, periodic images) [advection]",
       make_gaussian_pulse},
      {"square_pulse", "square pulse advected at constant velocity (exact) [advection]",
       make_square_pulse},
  };
  return table;
}

void ProblemContext::throw_missing(const std::string& problem, const char* module) const {
  throw ConfigError(fmt::format("{}: problem \"{}\" needs the [physics.{}] section in the deck",
                                cfg.file_name(), problem, module));
}

std::unique_ptr<Problem> make_problem(const ProblemContext& ctx) {
  std::vector<std::string> names;
  for (const auto& e : problem_table()) names.push_back(e.name);
  const std::string name = ctx.cfg.require_string("problem.name", names);
  for (const auto& e : problem_table()) {
    if (e.name == name) return e.make(ctx);
  }
  return nullptr;  // unreachable: require_string validated the name
}

}  // namespace tessera

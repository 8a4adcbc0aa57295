#pragma once
/// \file ensemble.hpp
/// Ensembles: N members of one deck inside one mpirun. The communicator is split into groups
/// of `ensemble.group_size` ranks; each group runs its share of the members one after the
/// other, each on a fresh duplicate of the group communicator, with its own seed, sampled
/// parameters (applied like --set overrides), output directory and console log. A member
/// that fails is recorded and the group goes on; a finished member (done marker written
/// after its dataset file is complete) is skipped when the ensemble is run again. Layout of
/// the ensemble directory and the manifest: tools/FORMATS.md ("Ensembles").
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/comm.hpp"
#include "tessera/core/config.hpp"

namespace tessera {

/// Exit code of an ensemble in which some member did not finish (failed or stopped early).
inline constexpr int kEnsembleIncomplete = 7;

/// One sampled deck key of [ensemble.sample.<key>] = { uniform = [lo, hi] } (or log_uniform,
/// or list = [v0, v1, ...]: member i takes v[i mod n]).
struct SampledParam {
  enum class Kind { kUniform, kLogUniform, kList };
  std::string key;  ///< deck key the value overrides
  Kind kind = Kind::kUniform;
  double lo = 0.0, hi = 0.0;        ///< range (uniform, log_uniform)
  std::vector<std::string> values;  ///< TOML literals (list)
};

/// The [ensemble] section (and --ensemble N).
struct EnsembleParams {
  std::int64_t members = 1;
  int group_size = 1;
  std::uint64_t seed_base = 1;       ///< member i gets seed seed_base + i
  std::string seed_key;              ///< deck key that receives the seed ("" for none)
  std::string dir;                   ///< ensemble directory (default output.dir)
  std::vector<SampledParam> sample;  ///< sorted by key
  /// Reads [ensemble]; `members_cli` > 0 (--ensemble N) overrides ensemble.members.
  static EnsembleParams from_config(const Config& cfg, std::int64_t members_cli);
};

/// The value (TOML literal) that member `member` with seed `seed` takes for `p`: a uniform
/// draw u = hashed_uniform(seed, fnv1a64(key), 0) mapped to [lo, hi) (log-uniformly for
/// log_uniform), or values[member mod n] for a list.
std::string sampled_value(const SampledParam& p, std::uint64_t seed, std::int64_t member);

/// Deterministic train/valid/test split of `members`: members are ordered by
/// hash3(seed_base, 0x53504c4954, i); the last round(N/10) (at least 1 when N >= 3) are
/// "test", the round(N/10) before them "valid", the rest "train" (80/10/10).
std::vector<std::string> split_assignment(std::int64_t members, std::uint64_t seed_base);

/// Runs (or with check_only validates) the ensemble on `world`; returns the exit code, the same
/// on every rank: 0 when every member finished, kEnsembleIncomplete otherwise. Errors in the
/// ensemble set-up (deck, directory) are thrown as collective tessera::Error.
int run_ensemble(const std::string& deck, const std::vector<std::string>& sets,
                 std::int64_t members_cli, bool check_only, const Comm& world);

}  // namespace tessera

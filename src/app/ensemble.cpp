// Ensemble runner: groups of ranks run the members of one deck, one after the other.
//
// Failure isolation. A member runs on its own duplicate of the group communicator, so nothing a
// failed member left in flight (posted halo messages) can match a later member's traffic.
// A collective error (raised identically by every rank of the group, e.g. a deck error or an
// invalid state) is caught by every rank of the group: the member is recorded as failed and the
// group goes on. An error raised by some ranks only is checked with a non-blocking barrier
// over the group (as main's exit path does for the world): if every rank of the group arrives
// within kAgreeSeconds they all failed at the same point and the group goes on; otherwise some
// rank is stuck in a collective that will never complete, and only aborting the job avoids a
// hang (MPI cannot cancel a group's pending collectives); the failure is recorded first, and
// a rerun resumes. With one rank per group (the usual set-up) every error is recoverable.
#include "tessera/app/ensemble.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <mpi.h>
#include <sys/file.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "tessera/app/driver.hpp"
#include "tessera/core/random.hpp"
#include "tessera/core/sha256.hpp"
#include "tessera/core/timer.hpp"
#include "tessera/io/h5.hpp"
#include "tessera/io/well_dataset.hpp"
#include "tessera/solvers/petsc.hpp"

namespace tessera {

namespace fs = std::filesystem;

namespace {

constexpr double kAgreeSeconds = 10.0;
constexpr std::uint64_t kSplitStream = 0x53504c4954ULL;  // "SPLIT"

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

/// Writes `text` to `path` atomically (temporary file, then rename).
void write_atomic(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream os(tmp, std::ios::trunc);
    if (!os) throw IoError(fmt::format("cannot write '{}'", tmp.string()));
    os << text;
    os.flush();
    if (!os) throw IoError(fmt::format("cannot write '{}'", tmp.string()));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    throw IoError(
        fmt::format("cannot rename '{}' to '{}': {}", tmp.string(), path.string(), ec.message()));
  }
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Sends stdout and stderr of this process to a member's console log while it runs.
class ConsoleRedirect {
 public:
  explicit ConsoleRedirect(const fs::path& path) {
    std::fflush(stdout);
    std::fflush(stderr);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) return;
    out_ = ::dup(1);
    err_ = ::dup(2);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~ConsoleRedirect() {
    if (out_ < 0) return;
    std::fflush(stdout);
    std::fflush(stderr);
    ::dup2(out_, 1);
    ::dup2(err_, 2);
    ::close(out_);
    ::close(err_);
  }
  ConsoleRedirect(const ConsoleRedirect&) = delete;
  ConsoleRedirect& operator=(const ConsoleRedirect&) = delete;

 private:
  int out_ = -1, err_ = -1;
};

/// An owned communicator (split or dup), freed on destruction.
class OwnedComm {
 public:
  explicit OwnedComm(MPI_Comm c) : c_(c), comm_(c) {}
  ~OwnedComm() {
    if (c_ != MPI_COMM_NULL) MPI_Comm_free(&c_);
  }
  OwnedComm(const OwnedComm&) = delete;
  OwnedComm& operator=(const OwnedComm&) = delete;
  const Comm& comm() const { return comm_; }

 private:
  MPI_Comm c_;
  Comm comm_;
};

/// True when every rank of `comm` reaches this point within kAgreeSeconds.
bool all_arrive(const Comm& comm) {
  MPI_Request req;
  if (MPI_Ibarrier(comm.get(), &req) != MPI_SUCCESS) return false;
  const double t0 = MPI_Wtime();
  int done = 0;
  while (!done && MPI_Wtime() - t0 < kAgreeSeconds) {
    MPI_Test(&req, &done, MPI_STATUS_IGNORE);
    if (!done) usleep(1000);
  }
  return done != 0;
}

std::string member_name(std::int64_t m) {
  return fmt::format("m{:04d}", m);
}

/// Everything a member needs that is the same for every rank.
struct Plan {
  EnsembleParams ens;
  std::string deck;
  std::vector<std::string> sets;
  bool has_dataset = false;
  std::string dataset_name;
  std::vector<std::string> user_parameters;  // dataset.parameters of the deck
  std::vector<std::string> split;            // per member
};

struct Member {
  std::int64_t index = 0;
  std::uint64_t seed = 0;
  std::string split, file_rel;  // dataset file relative to the ensemble dir ("" without one)
  std::vector<std::pair<std::string, std::string>> values;  // sampled (key, TOML literal)
  std::vector<std::string> overrides;                       // --set list for the member
};

Member make_member(const Plan& plan, std::int64_t m) {
  Member mb;
  mb.index = m;
  mb.seed = plan.ens.seed_base + static_cast<std::uint64_t>(m);
  mb.split = plan.split.at(static_cast<std::size_t>(m));
  mb.overrides = plan.sets;
  for (const auto& p : plan.ens.sample) {
    mb.values.emplace_back(p.key, sampled_value(p, mb.seed, m));
    mb.overrides.push_back(p.key + "=" + mb.values.back().second);
  }
  if (!plan.ens.seed_key.empty()) {
    mb.overrides.push_back(fmt::format("{}={}", plan.ens.seed_key, mb.seed));
  }
  const fs::path dir(plan.ens.dir);
  mb.overrides.push_back("output.dir=" + toml_string((dir / "members" / member_name(m)).string()));
  if (plan.has_dataset) {
    mb.file_rel =
        (fs::path("data") / mb.split / fmt::format("{}_{}.h5", plan.dataset_name, member_name(m)))
            .string();
    mb.overrides.push_back("dataset.file=" + toml_string((dir / mb.file_rel).string()));
    mb.overrides.push_back(fmt::format("dataset.member={}", m));
    mb.overrides.push_back(fmt::format("dataset.seed={}", mb.seed));
    mb.overrides.push_back("dataset.seed_key=" + toml_string(plan.ens.seed_key));
    mb.overrides.push_back("dataset.split=" + toml_string(mb.split));
    std::vector<std::string> keys = plan.user_parameters;
    for (const auto& p : plan.ens.sample) {
      if (std::find(keys.begin(), keys.end(), p.key) == keys.end()) keys.push_back(p.key);
    }
    std::string list;
    for (const auto& k : keys) list += (list.empty() ? "" : ",") + toml_string(k);
    mb.overrides.push_back("dataset.parameters=[" + list + "]");
  }
  return mb;
}

/// The member's record (JSON object), written as its done / failed marker.
std::string member_record(const Plan& plan, const Member& mb, const std::string& status,
                          const std::string& error, std::int64_t steps, double t_final,
                          std::int64_t frames, const std::string& sha, std::uintmax_t bytes,
                          double wall, int ranks) {
  std::string params;
  for (const auto& [k, v] : mb.values) {
    params += fmt::format("{}{}: {}", params.empty() ? "" : ", ", json_string(k), v);
  }
  (void)plan;
  return fmt::format(
      "{{\"member\": {}, \"status\": {}, \"file\": {}, \"split\": {}, \"seed\": {}, "
      "\"parameters\": {{{}}}, \"steps\": {}, \"t_final\": {:.17g}, \"frames\": {}, "
      "\"checksum_sha256\": {}, \"bytes\": {}, \"wall_seconds\": {:.3f}, \"ranks\": {}, "
      "\"log\": {}, \"error\": {}}}",
      mb.index, json_string(status), json_string(mb.file_rel), json_string(mb.split), mb.seed,
      params, steps, t_final, frames, json_string(sha), bytes, wall, ranks,
      json_string((fs::path("members") / member_name(mb.index) / "console.log").string()),
      json_string(error));
}

/// Runs one member on `group` (all its ranks). Returns true when it finished.
bool run_member(const Plan& plan, const Member& mb, const Comm& group, int group_id,
                std::int64_t nmembers) {
  const fs::path dir(plan.ens.dir);
  const fs::path mdir = dir / "members" / member_name(mb.index);
  std::string setup_err;
  if (group.root()) {
    std::error_code ec;
    fs::create_directories(mdir, ec);
    if (!ec && plan.has_dataset) fs::create_directories(dir / "data" / mb.split, ec);
    if (ec) setup_err = fmt::format("cannot create '{}': {}", mdir.string(), ec.message());
    fs::remove(mdir / "DONE.json", ec);
    fs::remove(mdir / "FAILED.json", ec);
  }
  setup_err = group.broadcast(setup_err, 0);
  if (!setup_err.empty()) throw IoError(setup_err, true);

  const double t0 = wall_seconds();
  std::string status = "done", error;
  std::int64_t steps = 0;
  double t_final = 0.0;
  bool fatal = false;
  {
    // A fresh communicator per member: nothing a failed member left in flight can leak.
    MPI_Comm dup = MPI_COMM_NULL;
    mpi_check(MPI_Comm_dup(group.get(), &dup), "MPI_Comm_dup");
    OwnedComm mcomm(dup);
    ConsoleRedirect console(mdir / "console.log");
    const bool kill_this = [&] {
      const char* e = std::getenv("TESSERA_FAULT_KILL_MEMBER");
      return e && std::atoll(e) == mb.index;
    }();
    if (kill_this) setenv("TESSERA_FAULT_KILL_IN_DATASET_FRAME", "3", 1);
    try {
      std::printf("tessera ensemble member %lld: seed %llu, split %s, overrides:\n",
                  static_cast<long long>(mb.index), static_cast<unsigned long long>(mb.seed),
                  mb.split.c_str());
      for (const auto& o : mb.overrides) std::printf("  --set %s\n", o.c_str());
      Config cfg = Config::from_file(plan.deck, mb.overrides);
      const double t_end = cfg.require_double("time.t_end", Range::non_negative());
      // Fault injection for the ensemble test: TESSERA_FAULT_FAIL_MEMBER=M makes member M fail
      // with a collective error right after its deck is read.
      if (const char* e = std::getenv("TESSERA_FAULT_FAIL_MEMBER")) {
        if (std::atoll(e) == mb.index) {
          throw PhysicsError(fmt::format("fault injection: member {} fails", mb.index), true);
        }
      }
      RunOptions opts;
      Simulation sim(std::move(cfg), mcomm.comm(), opts);
      sim.run();
      steps = sim.step();
      t_final = sim.time();
      if (t_final < t_end - 1e-9 * std::max(1.0, std::abs(t_end))) {
        status = "stopped";
        error = fmt::format(
            "stopped at t = {} before time.t_end = {} (time.max_steps or "
            "time.wall_limit); the rerun starts it again",
            t_final, t_end);
      }
    } catch (const Error& e) {
      status = "failed";
      error = e.what();
      fatal = !e.collective() && mcomm.comm().size() > 1 && !all_arrive(mcomm.comm());
    } catch (const std::exception& e) {
      status = "failed";
      error = fmt::format("internal error: {}", e.what());
      fatal = mcomm.comm().size() > 1 && !all_arrive(mcomm.comm());
    }
    if (kill_this) unsetenv("TESSERA_FAULT_KILL_IN_DATASET_FRAME");
    if (status == "failed") std::fprintf(stderr, "tessera: error: %s\n", error.c_str());
    if (fatal) {
      std::fprintf(stderr,
                   "tessera: the error was raised on some ranks of the member's group only: the "
                   "others are blocked in a collective call, so the job is aborted\n");
    }
  }
  const double wall = wall_seconds() - t0;
  if (fatal) {
    // This rank records the failure (the others cannot be reached), then ends the job.
    try {
      write_atomic(mdir / "FAILED.json", member_record(plan, mb, "failed", error, steps, t_final, 0,
                                                       "", 0, wall, group.size()) +
                                             "\n");
    } catch (...) {
    }
    std::fprintf(stderr,
                 "tessera: ensemble member %lld failed on group %d rank %d (error on some ranks "
                 "only): %s\nAborting: run the ensemble again to resume (finished members are "
                 "skipped).\n",
                 static_cast<long long>(mb.index), group_id, group.rank(), error.c_str());
    std::fflush(stderr);
    MPI_Abort(group.get(), 1);
  }
  // Done marker (atomic, after the dataset file is complete and renamed) or failure record.
  std::string line;
  if (group.root()) {
    std::string sha;
    std::uintmax_t bytes = 0;
    std::int64_t frames = 0;
    if (status == "done" && plan.has_dataset) {
      const fs::path file = dir / mb.file_rel;
      try {
        h5::Handle f = h5::open_read(file.string());
        const auto shp = h5::shape(f, "dimensions/time");
        frames = shp.empty() ? 0 : static_cast<std::int64_t>(shp[0]);
        f.reset();
        sha = sha256_file(file.string());
        bytes = fs::file_size(file);
      } catch (const std::exception& e) {
        status = "failed";
        error = fmt::format("the dataset file is not readable after the run: {}", e.what());
      }
    }
    const std::string rec = member_record(plan, mb, status, error, steps, t_final, frames, sha,
                                          bytes, wall, group.size()) +
                            "\n";
    try {
      write_atomic(mdir / (status == "done" ? "DONE.json" : "FAILED.json"), rec);
    } catch (const std::exception& e) {
      status = "failed";
      error = e.what();
    }
    line =
        status == "done"
            ? fmt::format(
                  "ensemble: member {} of {} (group {}): done, {} steps, {} frames, "
                  "{:.2f} s, sha256 {}",
                  mb.index, nmembers, group_id, steps, frames, wall, sha.substr(0, 16))
            : fmt::format("ensemble: member {} of {} (group {}): {} after {:.2f} s: {} (log: {})",
                          mb.index, nmembers, group_id, status.c_str(), wall, error,
                          (mdir / "console.log").string());
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  const std::string st = group.broadcast(status, 0);
  return st == "done";
}

}  // namespace

EnsembleParams EnsembleParams::from_config(const Config& cfg, std::int64_t members_cli) {
  EnsembleParams p;
  if (members_cli > 0) {
    p.members = members_cli;
    (void)cfg.has("ensemble.members");
  } else {
    p.members = cfg.require_int("ensemble.members", Range::at_least(1));
  }
  p.group_size = static_cast<int>(cfg.get_int("ensemble.group_size", 1, Range::at_least(1)));
  p.seed_base =
      static_cast<std::uint64_t>(cfg.get_int("ensemble.seed_base", 1, Range::non_negative()));
  p.seed_key = cfg.get_string("ensemble.seed_key", "problem.seed");
  p.dir = cfg.get_string("ensemble.dir", cfg.get_string("output.dir", "output"));
  if (p.dir.empty()) cfg.fail("ensemble.dir", "give a directory");
  // [ensemble.sample.<deck key>] tables, e.g. sample.physics.spectral_ns.drag = { uniform = [..] }.
  const std::string prefix = "ensemble.sample.";
  for (const auto& [leaf, text] : cfg.leaves_in("ensemble.sample")) {
    const auto dot = leaf.rfind('.');
    const std::string kind = leaf.substr(dot + 1);
    SampledParam s;
    s.key = leaf.substr(prefix.size(), dot - prefix.size());
    if (s.key.empty() || s.key.find('.') == std::string::npos) {
      cfg.fail(leaf,
               "give the full deck key, e.g. [ensemble.sample.physics.hydro] gamma = "
               "{ uniform = [1.3, 1.7] }");
    }
    if (kind == "uniform" || kind == "log_uniform") {
      s.kind = kind == "uniform" ? SampledParam::Kind::kUniform : SampledParam::Kind::kLogUniform;
      const auto r = cfg.get_doubles(leaf, {}, 2);
      s.lo = r[0];
      s.hi = r[1];
      if (!(s.lo <= s.hi)) cfg.fail(leaf, "give [lo, hi] with lo <= hi");
      if (s.kind == SampledParam::Kind::kLogUniform && !(s.lo > 0.0)) {
        cfg.fail(leaf, "a log-uniform range must be positive");
      }
    } else if (kind == "list") {
      s.kind = SampledParam::Kind::kList;
      if (text.find('"') != std::string::npos) {
        for (const auto& v : deck_strings(cfg, leaf, {})) s.values.push_back(toml_string(v));
      } else {
        for (double v : cfg.get_doubles(leaf, {})) s.values.push_back(fmt::format("{}", v));
      }
      if (s.values.empty()) cfg.fail(leaf, "give a non-empty list of values");
    } else {
      cfg.fail(leaf, fmt::format("unknown sampling '{}': use uniform = [lo, hi], log_uniform = "
                                 "[lo, hi] or list = [v0, v1, ...]",
                                 kind));
    }
    for (const auto& o : p.sample) {
      if (o.key == s.key) cfg.fail(leaf, "the key is sampled twice");
    }
    p.sample.push_back(std::move(s));
  }
  return p;
}

std::string sampled_value(const SampledParam& p, std::uint64_t seed, std::int64_t member) {
  if (p.kind == SampledParam::Kind::kList) {
    return p.values[static_cast<std::size_t>(member) % p.values.size()];
  }
  const double u = hashed_uniform(seed, fnv1a64(p.key.c_str()), 0);
  const double v = p.kind == SampledParam::Kind::kUniform
                       ? p.lo + u * (p.hi - p.lo)
                       : std::exp(std::log(p.lo) + u * (std::log(p.hi) - std::log(p.lo)));
  // Shortest round-trip decimal: the deck override parses back to exactly v.
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";  // stay a TOML float
  return s;
}

std::vector<std::string> split_assignment(std::int64_t members, std::uint64_t seed_base) {
  const auto n = static_cast<std::size_t>(members);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto ha = hash3(seed_base, kSplitStream, a), hb = hash3(seed_base, kSplitStream, b);
    return ha != hb ? ha < hb : a < b;
  });
  const std::size_t hold =
      n >= 3 ? std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(n / 10.0))) : 0;
  std::vector<std::string> split(n);
  for (std::size_t p = 0; p < n; ++p) {
    split[order[p]] = p < n - 2 * hold ? "train" : (p < n - hold ? "valid" : "test");
  }
  return split;
}

int run_ensemble(const std::string& deck, const std::vector<std::string>& sets,
                 std::int64_t members_cli, bool check_only, const Comm& world) {
  Plan plan;
  plan.deck = deck;
  plan.sets = sets;
  {
    const Config base = Config::from_file(deck, sets);
    plan.ens = EnsembleParams::from_config(base, members_cli);
    plan.has_dataset = base.has_section("dataset");
    if (plan.has_dataset) {
      plan.dataset_name =
          base.get_string("dataset.name", base.get_string("output.basename", "tessera"));
      plan.user_parameters = deck_strings(base, "dataset.parameters", {});
    }
  }
  const auto& ens = plan.ens;
  plan.split = split_assignment(ens.members, ens.seed_base);

  if (check_only) {
    // Member 0's deck, with its sampled values, validated like any deck.
    const Member mb = make_member(plan, 0);
    RunOptions opts;
    opts.check_only = true;
    Simulation sim(Config::from_file(deck, mb.overrides), world, opts);
    if (world.root()) {
      std::printf("%s: deck OK (ensemble of %lld members, groups of %d ranks)\n", deck.c_str(),
                  static_cast<long long>(ens.members), ens.group_size);
    }
    return 0;
  }
  if (world.size() % ens.group_size != 0) {
    throw ConfigError(fmt::format(
        "{}: ensemble.group_size = {} does not divide the {} ranks: run with a multiple of {} "
        "ranks or change the group size",
        deck, ens.group_size, world.size(), ens.group_size));
  }
  const int ngroups = world.size() / ens.group_size;
  const int group_id = world.rank() / ens.group_size;
  const fs::path dir(ens.dir);

  // Pending members: rank 0 looks for done markers (whose dataset file still exists).
  std::string pending_text, err;
  std::int64_t ndone = 0;
  int lock_fd = -1;
  if (world.root()) {
    std::error_code ec;
    fs::create_directories(dir / "members", ec);
    if (ec)
      err =
          fmt::format("cannot create the ensemble directory '{}': {}", dir.string(), ec.message());
    // One ensemble per directory at a time: an advisory lock that the kernel drops when the
    // process ends, however it ends (a killed run leaves no stale lock).
    if (err.empty()) {
      lock_fd = ::open((dir / ".lock").c_str(), O_WRONLY | O_CREAT, 0644);
      if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
        err = fmt::format(
            "another ensemble is running in '{}' (it holds {}); wait for it or "
            "use another ensemble.dir",
            dir.string(), (dir / ".lock").string());
      }
    }
    for (std::int64_t m = 0; m < ens.members && err.empty(); ++m) {
      const Member mb = make_member(plan, m);
      const bool done = fs::exists(dir / "members" / member_name(m) / "DONE.json") &&
                        (mb.file_rel.empty() || fs::exists(dir / mb.file_rel));
      if (done) {
        ++ndone;
      } else {
        pending_text += fmt::format("{} ", m);
      }
    }
  }
  err = world.broadcast(err, 0);
  if (!err.empty()) throw IoError(err, true);
  pending_text = world.broadcast(pending_text, 0);
  std::vector<std::int64_t> pending;
  {
    std::istringstream is(pending_text);
    std::int64_t m;
    while (is >> m) pending.push_back(m);
  }
  if (world.root()) {
    std::printf(
        "ensemble: %lld members of %s in %d groups of %d ranks, directory %s; %lld "
        "already done (skipped), %zu to run\n",
        static_cast<long long>(ens.members), deck.c_str(), ngroups, ens.group_size, dir.c_str(),
        static_cast<long long>(ndone), pending.size());
    std::fflush(stdout);
  }

  MPI_Comm gsplit = MPI_COMM_NULL;
  mpi_check(MPI_Comm_split(world.get(), group_id, world.rank(), &gsplit), "MPI_Comm_split");
  std::int64_t failed = 0;
  {
    OwnedComm group(gsplit);
    // PETSc once per group for the whole ensemble (it cannot be initialised twice in one
    // process); members' own sessions then only add their [petsc] options.
    PetscSession petsc(group.comm());
    for (std::size_t p = static_cast<std::size_t>(group_id); p < pending.size();
         p += static_cast<std::size_t>(ngroups)) {
      const Member mb = make_member(plan, pending[p]);
      if (!run_member(plan, mb, group.comm(), group_id, ens.members)) ++failed;
    }
  }
  world.barrier();

  // Manifest: every member's record (done, failed, or pending when never started).
  std::string merr;
  std::int64_t ndone_total = 0;
  if (world.root()) {
    try {
      std::string entries;
      for (std::int64_t m = 0; m < ens.members; ++m) {
        const Member mb = make_member(plan, m);
        const fs::path mdir = dir / "members" / member_name(m);
        std::string rec;
        if (fs::exists(mdir / "DONE.json")) {
          rec = read_text(mdir / "DONE.json");
          ++ndone_total;
        } else if (fs::exists(mdir / "FAILED.json")) {
          rec = read_text(mdir / "FAILED.json");
        } else {
          rec = member_record(plan, mb, "pending", "", 0, 0.0, 0, "", 0, 0.0, 0);
        }
        while (!rec.empty() && (rec.back() == '\n' || rec.back() == ' ')) rec.pop_back();
        entries += fmt::format("{}    {}", entries.empty() ? "" : ",\n", rec);
      }
      std::string sampled;
      for (const auto& s : ens.sample) {
        std::string spec;
        if (s.kind == SampledParam::Kind::kList) {
          for (const auto& v : s.values) spec += (spec.empty() ? "" : ", ") + v;
          spec = "\"list\", \"values\": [" + spec + "]";
        } else {
          spec = fmt::format(
              "{}, \"range\": [{}, {}]",
              s.kind == SampledParam::Kind::kUniform ? "\"uniform\"" : "\"log_uniform\"", s.lo,
              s.hi);
        }
        sampled += fmt::format("{}\n    {{\"key\": {}, \"distribution\": {}}}",
                               sampled.empty() ? "" : ",", json_string(s.key), spec);
      }
      const std::string text = fmt::format(
          "{{\n  \"format\": \"tessera-ensemble-manifest/1\",\n  \"deck\": {},\n"
          "  \"dataset_name\": {},\n  \"members\": {},\n  \"group_size\": {},\n"
          "  \"seed_base\": {},\n  \"seed_key\": {},\n"
          "  \"seed_rule\": \"member i has seed seed_base + i\",\n"
          "  \"split_rule\": \"members ordered by hash3(seed_base, 0x53504c4954, i) (SplitMix64); "
          "the last max(1, round(N/10)) are test, the same number before them valid, the rest "
          "train (all train when N < 3)\",\n"
          "  \"checksum\": \"sha256 of the member file (sha256sum)\",\n"
          "  \"sampled\": [{}\n  ],\n  \"done\": {},\n  \"entries\": [\n{}\n  ]\n}}\n",
          json_string(deck), json_string(plan.dataset_name), ens.members, ens.group_size,
          ens.seed_base, json_string(ens.seed_key), sampled, ndone_total, entries);
      write_atomic(dir / "manifest.json", text);
      std::printf("ensemble: %lld of %lld members done; manifest %s\n",
                  static_cast<long long>(ndone_total), static_cast<long long>(ens.members),
                  (dir / "manifest.json").c_str());
      std::fflush(stdout);
    } catch (const std::exception& e) {
      merr = e.what();
    }
  }
  if (lock_fd >= 0) ::close(lock_fd);  // releases the lock
  merr = world.broadcast(merr, 0);
  if (!merr.empty()) throw IoError("ensemble manifest: " + merr, true);
  const std::int64_t all_failed = world.sum(world.rank() % ens.group_size == 0 ? failed : 0);
  const double total_done = world.max(static_cast<double>(ndone_total));
  return (all_failed > 0 || total_done < static_cast<double>(ens.members)) ? kEnsembleIncomplete
                                                                           : 0;
}

}  // namespace tessera

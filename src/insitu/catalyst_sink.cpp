// [catalyst]: schedules the in-situ hand-off and applies the failure policy; the adaptor
// (include/tessera/insitu/adaptor.hpp) does the library work.
#include "tessera/insitu/catalyst_sink.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tessera/core/errors.hpp"
#include "tessera/insitu/adaptor.hpp"
#include "tessera/io/h5.hpp"

namespace tessera {

namespace {

/// A TOML string array read from the deck's text form (Config has no string-array getter):
/// ["a", "b"] -> {a, b}; a plain string gives one entry.
std::vector<std::string> get_strings(const Config& cfg, const std::string& key) {
  std::vector<std::string> out;
  if (!cfg.has(key)) return out;
  const auto dot = key.rfind('.');
  for (const auto& [k, v] : cfg.leaves_in(key.substr(0, dot))) {
    if (k != key) continue;
    std::string cur;
    bool in = false, esc = false;
    for (char ch : v) {
      if (in && esc) {
        cur += ch;
        esc = false;
      } else if (in && ch == '\\') {
        esc = true;
      } else if (ch == '"' || ch == '\'') {
        if (in) out.push_back(cur), cur.clear();
        in = !in;
      } else if (in) {
        cur += ch;
      }
    }
  }
  return out;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

class CatalystSink final : public OutputSink {
 public:
  explicit CatalystSink(const SinkContext& ctx) : comm_(ctx.comm) {
    const Config& cfg = ctx.cfg;
    setup_.scripts = get_strings(cfg, "catalyst.scripts");
    setup_.working_dir = ctx.out_dir;
    if (setup_.scripts.empty()) {
      cfg.fail("catalyst.scripts",
               "give one or more Catalyst Python scripts, e.g. scripts = "
               "[\"inputs/catalyst/render_v2.py\"]");
    }
    every_steps_ = cfg.get_int("catalyst.every_steps", 0, Range::non_negative());
    every_dt_ = cfg.get_double("catalyst.every_dt", 0.0, Range::non_negative());
    if (every_steps_ == 0 && every_dt_ == 0.0) every_steps_ = 1;
    setup_.channel = cfg.get_string("catalyst.channel", "input");
    if (setup_.channel.empty()) cfg.fail("catalyst.channel", "must not be empty");
    continue_on_error_ =
        cfg.get_string("catalyst.on_error", "stop", {"stop", "continue"}) == "continue";
    use_null_ = cfg.get_string("catalyst.adaptor", "catalyst", {"catalyst", "null"}) == "null";
    if (!use_null_ && !catalyst_available()) {
      cfg.fail("catalyst.adaptor",
               "this tessera was built without ParaView Catalyst (ParaView 5.11 development "
               "files not found at configure time, or -DTESSERA_CATALYST=OFF); install "
               "paraview-dev (tools/install-deps) and rebuild, set adaptor = \"null\", or remove "
               "the [catalyst] section");
    }

    // Fields: the registry the mesh will have (same modules, same order, same ids).
    FieldRegistry reg;
    for (const auto& m : ctx.modules) m->register_fields(reg);
    std::vector<std::string> names = get_strings(cfg, "catalyst.fields");
    if (cfg.has("catalyst.fields") && names.empty()) {
      cfg.fail("catalyst.fields", "give field names, e.g. [\"u\"], or leave the key out for all");
    }
    if (names.empty()) {
      for (int f = 0; f < reg.size(); ++f)
        if (reg.spec(f).output) names.push_back(reg.spec(f).name);
    }
    for (const auto& n : names) {
      const int fid = reg.find(n);
      if (fid < 0) {
        std::string known;
        for (int f = 0; f < reg.size(); ++f) known += (f ? ", " : "") + reg.spec(f).name;
        cfg.fail("catalyst.fields", fmt::format("no field '{}'; the fields are: {}", n, known));
      }
      const FieldSpec& s = reg.spec(fid);
      const int nc = static_cast<int>(s.components.size());
      bool vector = nc >= 2 && nc <= 3;
      for (int c = 0; c < nc && vector; ++c) vector = s.vector_axis.at(c) == c;
      if (vector) {
        InsituArray a{s.name, fid, {}};
        for (int c = 0; c < nc; ++c) a.comps.push_back(c);
        arrays_.push_back(a);
      } else {
        for (int c = 0; c < nc; ++c) arrays_.push_back({s.components[c], fid, {c}});
      }
    }

    // A missing script is a deck error: found now (also by --check), on rank 0, for all.
    std::string missing;
    if (comm_.root()) {
      for (const auto& s : setup_.scripts) {
        std::ifstream f(s);
        if (!f) missing += (missing.empty() ? "'" : ", '") + s + "'";
      }
    }
    missing = comm_.broadcast(missing, 0);
    // Absolute: Catalyst runs the scripts with output.dir as its working directory.
    for (auto& s : setup_.scripts) s = std::filesystem::absolute(s).string();
    if (!missing.empty()) {
      cfg.fail(
          "catalyst.scripts",
          fmt::format("cannot read {} (paths are relative to the working directory)", missing));
    }
  }

  ~CatalystSink() override = default;

  std::string name() const override { return "catalyst"; }

  void begin(Mesh&, const RunState& s) override {
    adaptor_ = use_null_ ? make_null_adaptor() : make_catalyst_adaptor();
    setup_.start_time = s.t;
    setup_.start_step = s.step;
    const double t0 = now_seconds();
    adaptor_->initialize(comm_, setup_);
    init_seconds_ = now_seconds() - t0;
    if (every_dt_ > 0.0 && !restored_) next_t_ = s.t;
  }

  void after_step(Mesh& mesh, const RunState& s) override {
    const double eps = 1e-12 * std::max(1.0, std::abs(s.t));
    const bool by_time = every_dt_ > 0.0 && s.t >= next_t_ - eps;
    const bool by_step = every_steps_ > 0 && s.step % every_steps_ == 0;
    if (by_time) next_t_ = every_dt_ * (std::floor(s.t / every_dt_ + 1e-9) + 1.0);
    if (!by_time && !by_step) return;
    const double t0 = now_seconds();
    const InsituResult r = adaptor_->execute(mesh, arrays_, s.t, s.step);
    const double dt = now_seconds() - t0;
    if (calls_ == 0)
      first_seconds_ = dt;
    else
      later_seconds_ += dt;
    ++calls_;
    if (!r.ok) {
      ++failures_;
      if (!continue_on_error_) {
        throw IoError(r.message +
                          "\nThe run stops ([catalyst] on_error = \"stop\"; set "
                          "\"continue\" to keep running without that output).",
                      true);
      }
      if (comm_.root()) {
        std::fprintf(stderr,
                     "tessera: warning: %s\n(continuing: [catalyst] on_error = "
                     "\"continue\")\n",
                     r.message.c_str());
      }
    }
  }

  double next_time() const override {
    return every_dt_ > 0.0 ? next_t_ : std::numeric_limits<double>::infinity();
  }

  void end(Mesh&, const RunState&) override {
    const double t0 = now_seconds();
    adaptor_->finalize();
    const double fin = now_seconds() - t0;
    if (comm_.root()) {
      std::printf(
          "catalyst: %lld calls; initialize %.3f s, first call %.3f s, later calls "
          "%.4f s each on average, finalize %.3f s%s\n",
          static_cast<long long>(calls_), init_seconds_, first_seconds_,
          calls_ > 1 ? later_seconds_ / static_cast<double>(calls_ - 1) : 0.0, fin,
          failures_ ? fmt::format("; {} failed calls", failures_).c_str() : "");
      std::fflush(stdout);
    }
  }

  void write_checkpoint(hid_t group) override { h5::write_attr(group, "next_time", next_t_); }
  void read_checkpoint(hid_t group) override {
    next_t_ = h5::read_attr_double(group, "next_time");
    restored_ = true;
  }

 private:
  const Comm& comm_;
  InsituSetup setup_;
  std::vector<InsituArray> arrays_;
  std::int64_t every_steps_ = 0;
  double every_dt_ = 0.0;
  bool continue_on_error_ = false;
  bool use_null_ = false;
  bool restored_ = false;
  double next_t_ = 0.0;
  std::unique_ptr<InsituAdaptor> adaptor_;
  std::int64_t calls_ = 0, failures_ = 0;
  double init_seconds_ = 0, first_seconds_ = 0, later_seconds_ = 0;
};

}  // namespace

std::unique_ptr<OutputSink> make_catalyst_sink(const SinkContext& ctx) {
  return std::make_unique<CatalystSink>(ctx);
}

}  // namespace tessera

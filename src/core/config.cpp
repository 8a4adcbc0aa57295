#include "tessera/core/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <toml.hpp>

namespace tessera {

// std::map keeps tables sorted, so the effective deck serialises in a deterministic order.
using TomlValue = toml::basic_value<toml::discard_comments, std::map, std::vector>;

std::string Range::describe() const {
  const bool has_lo = std::isfinite(lo), has_hi = std::isfinite(hi);
  if (has_lo && has_hi) return fmt::format("in [{}, {}]", lo, hi);
  if (has_lo) return fmt::format("{} {}", lo_open ? ">" : ">=", lo);
  if (has_hi) return fmt::format("<= {}", hi);
  return "any value";
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

namespace {

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : key) {
    if (c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}

std::string type_name(const TomlValue& v) {
  std::ostringstream os;
  os << v.type();
  return os.str();
}

/// Recursively copies `src` into `dst`, replacing leaves (overrides win).
void merge_into(TomlValue& dst, const TomlValue& src) {
  for (const auto& [k, v] : src.as_table()) {
    auto& table = dst.as_table();
    auto it = table.find(k);
    if (v.is_table() && it != table.end() && it->second.is_table()) {
      merge_into(it->second, v);
    } else {
      table[k] = v;
    }
  }
}

}  // namespace

struct Config::Impl {
  std::string file;
  TomlValue root;
  mutable std::set<std::string> known;
  mutable std::set<std::string> accepted;

  const TomlValue* find(const std::string& key) const {
    const TomlValue* v = &root;
    for (const auto& part : split_key(key)) {
      if (!v->is_table()) return nullptr;
      const auto& t = v->as_table();
      auto it = t.find(part);
      if (it == t.end()) return nullptr;
      v = &it->second;
    }
    return v;
  }

  std::string location_of(const TomlValue& v) const {
    const auto loc = v.location();
    if (loc.line() == 0) return file;
    return fmt::format("{}:{}", loc.file_name(), loc.line());
  }

  /// Location of the deepest existing table on the key's path (for missing keys).
  std::string location_near(const std::string& key) const {
    const TomlValue* v = &root;
    std::string where = file;
    auto parts = split_key(key);
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      if (!v->is_table()) break;
      auto it = v->as_table().find(parts[i]);
      if (it == v->as_table().end()) break;
      v = &it->second;
      where = location_of(*v);
    }
    return where;
  }

  void collect_leaves(const TomlValue& v, const std::string& prefix,
                      std::vector<std::string>& out) const {
    for (const auto& [k, child] : v.as_table()) {
      const std::string path = prefix.empty() ? k : prefix + "." + k;
      if (child.is_table()) {
        collect_leaves(child, path, out);
      } else {
        out.push_back(path);
      }
    }
  }
};

Config::Config(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Config::Config(Config&&) noexcept = default;
Config& Config::operator=(Config&&) noexcept = default;
Config::~Config() = default;

namespace {

TomlValue parse_text(const std::string& text, const std::string& name) {
  std::istringstream is(text);
  try {
    return toml::parse<toml::discard_comments, std::map, std::vector>(is, name);
  } catch (const toml::syntax_error& e) {
    throw ConfigError(fmt::format("{}: the deck is not valid TOML:\n{}", name, e.what()));
  } catch (const std::exception& e) {
    throw ConfigError(fmt::format("{}: cannot parse: {}", name, e.what()));
  }
}

void apply_override(TomlValue& root, const std::string& ov) {
  const auto eq = ov.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError(fmt::format(
        "command line: --set '{}' is not of the form key=value (e.g. --set mesh.cells=[128,128])",
        ov));
  }
  std::string key = ov.substr(0, eq);
  std::string val = ov.substr(eq + 1);
  key.erase(std::remove_if(key.begin(), key.end(), ::isspace), key.end());
  // Trim the value too: "--set 'problem.name = gaussian'" means "gaussian".
  const auto first = val.find_first_not_of(" \t");
  const auto last = val.find_last_not_of(" \t");
  val = first == std::string::npos ? std::string() : val.substr(first, last - first + 1);
  const std::string name = fmt::format("--set {}", ov);
  TomlValue parsed;
  try {
    std::istringstream is(key + " = " + val);
    parsed = toml::parse<toml::discard_comments, std::map, std::vector>(is, name);
  } catch (const std::exception&) {
    // Accept bare words as strings: --set problem.name=gaussian.
    std::string quoted = val;
    std::string escaped;
    for (char c : quoted) {
      if (c == '"' || c == '\\') escaped += '\\';
      escaped += c;
    }
    try {
      std::istringstream is(key + " = \"" + escaped + "\"");
      parsed = toml::parse<toml::discard_comments, std::map, std::vector>(is, name);
    } catch (const std::exception& e2) {
      throw ConfigError(
          fmt::format("command line: --set '{}': cannot parse the value: {}", ov, e2.what()));
    }
  }
  merge_into(root, parsed);
}

}  // namespace

Config Config::from_string(const std::string& text, const std::string& name,
                           const std::vector<std::string>& overrides) {
  auto impl = std::make_unique<Impl>();
  impl->file = name;
  impl->root = parse_text(text, name);
  for (const auto& ov : overrides) apply_override(impl->root, ov);
  return Config(std::move(impl));
}

Config Config::from_file(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path);
  if (!in) {
    throw ConfigError(
        fmt::format("cannot open the deck '{}': check the path (tessera DECK.toml)", path));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return from_string(ss.str(), path, overrides);
}

const std::string& Config::file_name() const {
  return impl_->file;
}

std::string Config::where(const std::string& key) const {
  const TomlValue* v = impl_->find(key);
  return v ? impl_->location_of(*v) : impl_->location_near(key);
}

void Config::fail(const std::string& key, const std::string& message) const {
  throw ConfigError(fmt::format("{}: key '{}': {}", where(key), key, message));
}

bool Config::has(const std::string& key) const {
  impl_->known.insert(key);
  return impl_->find(key) != nullptr;
}

bool Config::has_section(const std::string& section) const {
  const TomlValue* v = impl_->find(section);
  return v && v->is_table();
}

std::vector<std::string> Config::keys_in(const std::string& section) const {
  std::vector<std::string> out;
  const TomlValue* v = section.empty() ? &impl_->root : impl_->find(section);
  if (!v || !v->is_table()) return out;
  for (const auto& kv : v->as_table()) out.push_back(kv.first);
  return out;
}

namespace {

double as_number(const Config& cfg, const std::string& key, const TomlValue& v) {
  if (v.is_floating()) return v.as_floating();
  if (v.is_integer()) return static_cast<double>(v.as_integer());
  cfg.fail(key, fmt::format("expected a number, found a {} ({})", type_name(v), toml::format(v)));
}

std::int64_t as_integer(const Config& cfg, const std::string& key, const TomlValue& v) {
  if (v.is_integer()) return v.as_integer();
  if (v.is_floating() && std::floor(v.as_floating()) == v.as_floating() &&
      std::abs(v.as_floating()) < 9e15) {
    return static_cast<std::int64_t>(v.as_floating());
  }
  cfg.fail(key, fmt::format("expected an integer, found a {} ({})", type_name(v), toml::format(v)));
}

void check_range(const Config& cfg, const std::string& key, double x, const Range& r) {
  if (!r.contains(x))
    cfg.fail(key, fmt::format("value {} is out of range: must be {}", x, r.describe()));
}

}  // namespace

double Config::get_double(const std::string& key, double def, Range r) const {
  impl_->known.insert(key);
  const TomlValue* v = impl_->find(key);
  if (!v) return def;
  const double x = as_number(*this, key, *v);
  check_range(*this, key, x, r);
  return x;
}

double Config::require_double(const std::string& key, Range r) const {
  impl_->known.insert(key);
  if (!impl_->find(key)) fail(key, "required key is missing");
  return get_double(key, 0.0, r);
}

std::int64_t Config::get_int(const std::string& key, std::int64_t def, Range r) const {
  impl_->known.insert(key);
  const TomlValue* v = impl_->find(key);
  if (!v) return def;
  const std::int64_t x = as_integer(*this, key, *v);
  check_range(*this, key, static_cast<double>(x), r);
  return x;
}

std::int64_t Config::require_int(const std::string& key, Range r) const {
  impl_->known.insert(key);
  if (!impl_->find(key)) fail(key, "required key is missing");
  return get_int(key, 0, r);
}

bool Config::get_bool(const std::string& key, bool def) const {
  impl_->known.insert(key);
  const TomlValue* v = impl_->find(key);
  if (!v) return def;
  if (!v->is_boolean()) {
    fail(key,
         fmt::format("expected true or false, found a {} ({})", type_name(*v), toml::format(*v)));
  }
  return v->as_boolean();
}

namespace {
std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + ("\"" + x + "\"");
  return s;
}
}  // namespace

std::string Config::get_string(const std::string& key, const std::string& def,
                               const std::vector<std::string>& allowed) const {
  impl_->known.insert(key);
  const TomlValue* v = impl_->find(key);
  if (!v) return def;
  if (!v->is_string()) {
    fail(key, fmt::format("expected a string, found a {} ({})", type_name(*v), toml::format(*v)));
  }
  std::string s = v->as_string().str;
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
    std::string best;
    std::size_t bd = 1000;
    for (const auto& a : allowed) {
      const auto d = edit_distance(s, a);
      if (d < bd) bd = d, best = a;
    }
    fail(key, fmt::format("\"{}\" is not one of {}{}", s, join(allowed),
                          bd <= 3 ? fmt::format(" (did you mean \"{}\"?)", best) : ""));
  }
  return s;
}

std::string Config::require_string(const std::string& key,
                                   const std::vector<std::string>& allowed) const {
  impl_->known.insert(key);
  if (!impl_->find(key)) fail(key, "required key is missing");
  return get_string(key, "", allowed);
}

std::vector<double> Config::get_doubles(const std::string& key, const std::vector<double>& def,
                                        std::size_t len, Range r) const {
  impl_->known.insert(key);
  const TomlValue* v = impl_->find(key);
  if (!v) return def;
  std::vector<double> out;
  if (v->is_array()) {
    for (const auto& e : v->as_array()) out.push_back(as_number(*this, key, e));
  } else {
    fail(key, fmt::format("expected an array of numbers, found a {} ({})", type_name(*v),
                          toml::format(*v)));
  }
  if (len > 0 && out.size() != len) {
    fail(key, fmt::format("expected {} entries, found {}", len, out.size()));
  }
  for (double x : out) check_range(*this, key, x, r);
  return out;
}

std::vector<std::int64_t> Config::get_ints(const std::string& key,
                                           const std::vector<std::int64_t>& def, std::size_t len,
                                           Range r) const {
  impl_->known.insert(key);
  const TomlValue* v = impl_->find(key);
  if (!v) return def;
  std::vector<std::int64_t> out;
  if (v->is_array()) {
    for (const auto& e : v->as_array()) out.push_back(as_integer(*this, key, e));
  } else {
    fail(key, fmt::format("expected an array of integers, found a {} ({})", type_name(*v),
                          toml::format(*v)));
  }
  if (len > 0 && out.size() != len) {
    fail(key, fmt::format("expected {} entries, found {}", len, out.size()));
  }
  for (auto x : out) check_range(*this, key, static_cast<double>(x), r);
  return out;
}

std::vector<double> Config::require_doubles(const std::string& key, std::size_t len,
                                            Range r) const {
  impl_->known.insert(key);
  if (!impl_->find(key)) fail(key, "required key is missing");
  return get_doubles(key, {}, len, r);
}

std::vector<std::int64_t> Config::require_ints(const std::string& key, std::size_t len,
                                               Range r) const {
  impl_->known.insert(key);
  if (!impl_->find(key)) fail(key, "required key is missing");
  return get_ints(key, {}, len, r);
}

std::map<std::string, double> Config::get_number_table(const std::string& key) const {
  impl_->known.insert(key);
  std::map<std::string, double> out;
  const TomlValue* v = impl_->find(key);
  if (!v) return out;
  if (!v->is_table()) fail(key, fmt::format("expected a table, found a {}", type_name(*v)));
  for (const auto& [k, e] : v->as_table()) {
    impl_->known.insert(key + "." + k);
    out[k] = as_number(*this, key + "." + k, e);
  }
  return out;
}

void Config::accept_section(const std::string& section) const {
  impl_->accepted.insert(section);
}

std::vector<std::pair<std::string, std::string>> Config::leaves_in(
    const std::string& section) const {
  std::vector<std::pair<std::string, std::string>> out;
  const TomlValue* v = impl_->find(section);
  if (!v || !v->is_table()) return out;
  std::vector<std::string> leaves;
  impl_->collect_leaves(*v, section, leaves);
  for (const auto& l : leaves) {
    const TomlValue* e = impl_->find(l);
    std::string text = e->is_string() ? e->as_string().str : toml::format(*e);
    out.emplace_back(l, text);
  }
  return out;
}

void Config::check_unused() const {
  std::vector<std::string> leaves;
  impl_->collect_leaves(impl_->root, "", leaves);
  for (const auto& leaf : leaves) {
    if (impl_->known.count(leaf)) continue;
    bool accepted = false;
    for (const auto& s : impl_->accepted) {
      if (leaf.rfind(s + ".", 0) == 0) accepted = true;
    }
    if (accepted) continue;
    std::string best;
    std::size_t bd = 1000;
    for (const auto& k : impl_->known) {
      const auto d = edit_distance(leaf, k);
      if (d < bd) bd = d, best = k;
    }
    const bool close = bd <= std::max<std::size_t>(2, leaf.size() / 4);
    fail(leaf, close ? fmt::format("unknown key; did you mean '{}'?", best)
                     : std::string("unknown key; see the deck reference in README.md"));
  }
}

std::string Config::effective_toml() const {
  return toml::format(impl_->root);
}

}  // namespace tessera

#pragma once
/// \file config.hpp
/// The input deck: a TOML file plus `--set key=value` overrides, read through typed getters.
///
/// Strictness: every getter records the key it was asked for. After every part of the code
/// has read its parameters, `check_unused()` reports any key in the deck that nobody asked
/// for, with the nearest known key as a suggestion. Type and range errors name the file, the
/// line and the key.
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tessera/core/errors.hpp"

namespace tessera {

/// Inclusive numeric bounds for a deck value; a default Range accepts everything.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;  ///< true: the value must be > lo (not >=)
  static Range positive() { return {0.0, std::numeric_limits<double>::infinity(), true}; }
  static Range non_negative() { return {0.0, std::numeric_limits<double>::infinity(), false}; }
  static Range between(double a, double b) { return {a, b, false}; }
  static Range at_least(double a) { return {a, std::numeric_limits<double>::infinity(), false}; }
  bool contains(double v) const { return (lo_open ? v > lo : v >= lo) && v <= hi; }
  std::string describe() const;
};

/// The parsed deck. Keys are dotted paths: "mesh.cells", "physics.advection.velocity".
class Config {
 public:
  /// Parses `path` and applies `overrides` ("key=value" with a TOML value).
  static Config from_file(const std::string& path, const std::vector<std::string>& overrides);
  /// Parses deck text; `name` is used in messages as the file name.
  static Config from_string(const std::string& text, const std::string& name,
                            const std::vector<std::string>& overrides = {});

  Config(Config&&) noexcept;
  Config& operator=(Config&&) noexcept;
  ~Config();

  /// True when the key is present in the deck (marks it known).
  bool has(const std::string& key) const;
  /// True when a section (table) with this dotted name exists.
  bool has_section(const std::string& section) const;
  /// Names of the sub-tables / keys directly inside a section (sorted).
  std::vector<std::string> keys_in(const std::string& section) const;

  double get_double(const std::string& key, double def, Range r = {}) const;
  double require_double(const std::string& key, Range r = {}) const;
  std::int64_t get_int(const std::string& key, std::int64_t def, Range r = {}) const;
  std::int64_t require_int(const std::string& key, Range r = {}) const;
  bool get_bool(const std::string& key, bool def) const;
  std::string get_string(const std::string& key, const std::string& def,
                         const std::vector<std::string>& allowed = {}) const;
  std::string require_string(const std::string& key,
                             const std::vector<std::string>& allowed = {}) const;
  /// Arrays: `len` > 0 requires exactly that many entries.
  std::vector<double> get_doubles(const std::string& key, const std::vector<double>& def,
                                  std::size_t len = 0, Range r = {}) const;
  std::vector<std::int64_t> get_ints(const std::string& key, const std::vector<std::int64_t>& def,
                                     std::size_t len = 0, Range r = {}) const;
  std::vector<double> require_doubles(const std::string& key, std::size_t len = 0,
                                      Range r = {}) const;
  std::vector<std::int64_t> require_ints(const std::string& key, std::size_t len = 0,
                                         Range r = {}) const;
  /// A table of name -> number (e.g. per-component boundary values).
  std::map<std::string, double> get_number_table(const std::string& key) const;

  /// Declares every key below `section` as accepted without being read one by one
  /// (e.g. the [petsc] section, whose keys are PETSc options).
  void accept_section(const std::string& section) const;
  /// All leaf keys below a section (dotted, relative to the root) with their values as text.
  std::vector<std::pair<std::string, std::string>> leaves_in(const std::string& section) const;

  /// Throws ConfigError for the first key present in the deck that no getter asked for.
  void check_unused() const;
  /// The effective deck (file + overrides) as TOML text; stored in every output file.
  std::string effective_toml() const;
  /// The deck's file name as given.
  const std::string& file_name() const;

  /// "file:line: key" for messages about a key that exists in the deck.
  std::string where(const std::string& key) const;
  /// Throws ConfigError "where: key: message".
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

 private:
  struct Impl;
  explicit Config(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Levenshtein distance, used for "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace tessera

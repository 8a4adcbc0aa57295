// Config: typed getters, defaults, --set overrides, error messages (file:line and key),
// check_unused() suggestions, allowed string lists, effective_toml() round trip, edit_distance.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/config.hpp"
#include "tessera/core/errors.hpp"

namespace tessera {
namespace {

/// Joins lines with '\n' so that line numbers in the tests are explicit (line i is lines[i-1]).
std::string deck(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

/// True when `msg` names `file:line` with exactly that line number (not a longer one).
bool names_line(const std::string& msg, const std::string& file, int line) {
  const std::string needle = file + ":" + std::to_string(line);
  for (auto pos = msg.find(needle); pos != std::string::npos; pos = msg.find(needle, pos + 1)) {
    const auto end = pos + needle.size();
    if (end == msg.size() || !std::isdigit(static_cast<unsigned char>(msg[end]))) return true;
  }
  return false;
}

/// Runs `f`, which must throw ConfigError; returns its message ("" and a failure otherwise).
template <typename F>
std::string config_error_of(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.exit_code(), 2);
    EXPECT_TRUE(e.collective());
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected ConfigError, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected ConfigError, nothing was thrown";
  return "";
}

const std::string kBasic = deck({
    "# a test deck",               // 1
    "[mesh]",                      // 2
    "cells = [64, 32]",            // 3
    "ghost = 2",                   // 4
    "lower = [0, -1.5]",           // 5
    "curve = \"morton\"",          // 6
    "",                            // 7
    "[time]",                      // 8
    "cfl = 0.4",                   // 9
    "tlim = 1",                    // 10
    "integrator = \"rk3\"",        // 11
    "",                            // 12
    "[output]",                    // 13
    "enabled = true",              // 14
    "dir = \"out\"",               // 15
    "[physics.advection]",         // 16
    "velocity = [1.0, 0.5, 0.0]",  // 17
});

TEST(Config, TypedGettersReturnDeckValues) {
  const Config cfg = Config::from_string(kBasic, "deck.toml");
  EXPECT_EQ(cfg.file_name(), "deck.toml");
  EXPECT_EQ(cfg.get_ints("mesh.cells", {}), (std::vector<std::int64_t>{64, 32}));
  EXPECT_EQ(cfg.get_int("mesh.ghost", 7), 2);
  EXPECT_EQ(cfg.get_doubles("mesh.lower", {}), (std::vector<double>{0.0, -1.5}));
  EXPECT_EQ(cfg.get_string("mesh.curve", "hilbert"), "morton");
  EXPECT_EQ(cfg.get_double("time.cfl", 0.9), 0.4);
  EXPECT_EQ(cfg.get_string("time.integrator", "rk2"), "rk3");
  EXPECT_TRUE(cfg.get_bool("output.enabled", false));
  EXPECT_EQ(cfg.get_string("output.dir", "."), "out");
  EXPECT_EQ(cfg.get_doubles("physics.advection.velocity", {}, 3),
            (std::vector<double>{1.0, 0.5, 0.0}));
  EXPECT_EQ(cfg.require_int("mesh.ghost"), 2);
  EXPECT_EQ(cfg.require_double("time.cfl"), 0.4);
  EXPECT_EQ(cfg.require_string("mesh.curve", {"hilbert", "morton"}), "morton");
  EXPECT_EQ(cfg.require_ints("mesh.cells", 2), (std::vector<std::int64_t>{64, 32}));
  EXPECT_EQ(cfg.require_doubles("mesh.lower", 2), (std::vector<double>{0.0, -1.5}));
}

TEST(Config, DefaultsWhenKeyIsAbsent) {
  const Config cfg = Config::from_string(kBasic, "deck.toml");
  EXPECT_EQ(cfg.get_double("time.dt_max", 0.125), 0.125);
  EXPECT_EQ(cfg.get_int("time.max_steps", 12345), 12345);
  EXPECT_FALSE(cfg.get_bool("output.float32", false));
  EXPECT_TRUE(cfg.get_bool("output.float32", true));
  EXPECT_EQ(cfg.get_string("output.basename", "run"), "run");
  EXPECT_EQ(cfg.get_doubles("mesh.upper", {2.0, 3.0}), (std::vector<double>{2.0, 3.0}));
  EXPECT_EQ(cfg.get_ints("mesh.block_cells", {8, 8}), (std::vector<std::int64_t>{8, 8}));
  // A whole missing section gives defaults too.
  EXPECT_EQ(cfg.get_double("nosuch.section.key", -2.5), -2.5);
  // The default of a restricted string is not validated against the allowed list.
  EXPECT_EQ(cfg.get_string("output.precision", "float64", {"float32", "float64"}), "float64");
  // A default is returned even when it is outside the range (the range applies to deck values).
  EXPECT_EQ(cfg.get_int("time.absent", 0, Range::at_least(1)), 0);
}

TEST(Config, HasSectionsAndKeys) {
  const Config cfg = Config::from_string(kBasic, "deck.toml");
  EXPECT_TRUE(cfg.has("time.cfl"));
  EXPECT_FALSE(cfg.has("time.cfll"));
  EXPECT_TRUE(cfg.has_section("physics.advection"));
  EXPECT_TRUE(cfg.has_section("physics"));
  EXPECT_FALSE(cfg.has_section("time.cfl"));  // a leaf is not a section
  EXPECT_FALSE(cfg.has_section("boundary"));
  EXPECT_EQ(cfg.keys_in("time"), (std::vector<std::string>{"cfl", "integrator", "tlim"}));
  EXPECT_EQ(cfg.keys_in("physics"), (std::vector<std::string>{"advection"}));
  EXPECT_TRUE(cfg.keys_in("nosuch").empty());
}

TEST(Config, IntegerAcceptedWhereDoubleIsAsked) {
  const Config cfg = Config::from_string(kBasic, "deck.toml");
  // tlim = 1 is a TOML integer.
  EXPECT_EQ(cfg.get_double("time.tlim", 0.0), 1.0);
  EXPECT_EQ(cfg.require_double("time.tlim", Range::positive()), 1.0);
  // cells = [64, 32] read as doubles.
  EXPECT_EQ(cfg.get_doubles("mesh.cells", {}), (std::vector<double>{64.0, 32.0}));
}

TEST(Config, FractionalValueWhereIntegerIsAskedFails) {
  const Config cfg = Config::from_string(deck({"[time]", "max_steps = 2.5"}), "deck.toml");
  const std::string msg = config_error_of([&] { cfg.get_int("time.max_steps", 0); });
  EXPECT_TRUE(names_line(msg, "deck.toml", 2)) << msg;
  EXPECT_NE(msg.find("time.max_steps"), std::string::npos) << msg;
}

TEST(Config, OverridesReplaceAddAndKeepSiblings) {
  const Config cfg =
      Config::from_string(kBasic, "deck.toml",
                          {"time.cfl=0.8", "mesh.cells=[128,128]", "problem.name=gaussian",
                           "output.extra_key=5", "time.integrator = \"rk2\""});
  EXPECT_EQ(cfg.get_double("time.cfl", 0.0), 0.8);
  EXPECT_EQ(cfg.get_ints("mesh.cells", {}), (std::vector<std::int64_t>{128, 128}));
  EXPECT_EQ(cfg.get_string("problem.name", ""), "gaussian");  // bare word -> string
  EXPECT_EQ(cfg.get_int("output.extra_key", 0), 5);           // a key the deck did not have
  EXPECT_EQ(cfg.get_string("time.integrator", ""), "rk2");    // spaces around '=' allowed
  // Siblings of overridden keys stay.
  EXPECT_EQ(cfg.get_int("mesh.ghost", 0), 2);
  EXPECT_EQ(cfg.get_double("time.tlim", 0.0), 1.0);
  EXPECT_EQ(cfg.get_string("output.dir", ""), "out");
  EXPECT_EQ(cfg.get_string("mesh.curve", ""), "morton");
}

TEST(Config, LaterOverrideWins) {
  const Config cfg = Config::from_string(kBasic, "deck.toml", {"time.cfl=0.1", "time.cfl=0.2"});
  EXPECT_EQ(cfg.get_double("time.cfl", 0.0), 0.2);
}

// Regression: spaces around '=' are stripped from the value as well as the key, so
// --set "problem.name = gaussian" gives "gaussian".
TEST(Config, BareWordOverrideWithSpacesAroundEquals) {
  const Config cfg = Config::from_string(kBasic, "deck.toml", {"problem.name = gaussian"});
  EXPECT_EQ(cfg.get_string("problem.name", ""), "gaussian");
}

TEST(Config, BareWordWithPathCharactersIsAString) {
  const Config cfg = Config::from_string(kBasic, "deck.toml", {"output.dir=/tmp/some-dir/x"});
  EXPECT_EQ(cfg.get_string("output.dir", ""), "/tmp/some-dir/x");
}

TEST(Config, BadOverrideValueNamesTheOverride) {
  const Config cfg = Config::from_string(kBasic, "deck.toml", {"time.cfl=fast"});
  const std::string msg = config_error_of([&] { cfg.get_double("time.cfl", 0.5); });
  EXPECT_NE(msg.find("--set time.cfl=fast"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'time.cfl'"), std::string::npos) << msg;
}

TEST(Config, MalformedOverrideIsAConfigError) {
  const std::string msg =
      config_error_of([&] { Config::from_string(kBasic, "deck.toml", {"time.cfl"}); });
  EXPECT_NE(msg.find("time.cfl"), std::string::npos) << msg;
  config_error_of([&] { Config::from_string(kBasic, "deck.toml", {"=3"}); });
}

TEST(Config, InvalidTomlIsAConfigErrorNamingTheFile) {
  const std::string msg =
      config_error_of([&] { Config::from_string("[time\ncfl = 0.3\n", "broken.toml"); });
  EXPECT_NE(msg.find("broken.toml"), std::string::npos) << msg;
}

TEST(Config, StringWhereNumberBelongsNamesFileLineAndKey) {
  const Config cfg = Config::from_string(deck({
                                             "[mesh]",          // 1
                                             "ghost = 2",       // 2
                                             "",                // 3
                                             "[time]",          // 4
                                             "tlim = 1.0",      // 5
                                             "cfl = \"fast\"",  // 6
                                         }),
                                         "deck.toml");
  const std::string msg = config_error_of([&] { cfg.get_double("time.cfl", 0.5); });
  EXPECT_TRUE(names_line(msg, "deck.toml", 6)) << msg;
  EXPECT_NE(msg.find("time.cfl"), std::string::npos) << msg;
  // Same for require_double, and for an integer getter.
  const std::string msg2 = config_error_of([&] { cfg.require_double("time.cfl"); });
  EXPECT_TRUE(names_line(msg2, "deck.toml", 6)) << msg2;
  const std::string msg3 = config_error_of([&] { cfg.get_int("time.cfl", 1); });
  EXPECT_TRUE(names_line(msg3, "deck.toml", 6)) << msg3;
  // where() gives the same location.
  EXPECT_TRUE(names_line(cfg.where("time.cfl"), "deck.toml", 6)) << cfg.where("time.cfl");
  EXPECT_TRUE(names_line(cfg.where("mesh.ghost"), "deck.toml", 2)) << cfg.where("mesh.ghost");
}

TEST(Config, WrongTypesForBoolStringAndArrays) {
  const Config cfg = Config::from_string(deck({
                                             "[output]",            // 1
                                             "enabled = 1",         // 2
                                             "dir = 42",            // 3
                                             "cells = 64",          // 4
                                             "lower = [0, \"a\"]",  // 5
                                         }),
                                         "deck.toml");
  std::string m = config_error_of([&] { cfg.get_bool("output.enabled", true); });
  EXPECT_TRUE(names_line(m, "deck.toml", 2) && m.find("output.enabled") != std::string::npos) << m;
  m = config_error_of([&] { cfg.get_string("output.dir", ""); });
  EXPECT_TRUE(names_line(m, "deck.toml", 3) && m.find("output.dir") != std::string::npos) << m;
  m = config_error_of([&] { cfg.get_ints("output.cells", {}); });
  EXPECT_TRUE(names_line(m, "deck.toml", 4) && m.find("output.cells") != std::string::npos) << m;
  m = config_error_of([&] { cfg.get_doubles("output.lower", {}); });
  EXPECT_NE(m.find("output.lower"), std::string::npos) << m;
}

TEST(Config, RangeViolationNamesKeyAndLine) {
  const Config cfg = Config::from_string(deck({
                                             "[time]",              // 1
                                             "cfl = 0.5",           // 2
                                             "max_steps = -3",      // 3
                                             "",                    // 4
                                             "[mesh]",              // 5
                                             "cells = [16, 0, 8]",  // 6
                                             "tol = 0.0",           // 7
                                         }),
                                         "deck.toml");
  std::string m = config_error_of([&] { cfg.get_int("time.max_steps", 10, Range::at_least(1)); });
  EXPECT_TRUE(names_line(m, "deck.toml", 3)) << m;
  EXPECT_NE(m.find("time.max_steps"), std::string::npos) << m;
  m = config_error_of([&] { cfg.require_int("time.max_steps", Range::at_least(1)); });
  EXPECT_TRUE(names_line(m, "deck.toml", 3)) << m;
  // One bad array entry fails the array.
  m = config_error_of([&] { cfg.get_ints("mesh.cells", {}, 3, Range::at_least(1)); });
  EXPECT_TRUE(names_line(m, "deck.toml", 6)) << m;
  EXPECT_NE(m.find("mesh.cells"), std::string::npos) << m;
  // positive() excludes 0; non_negative() accepts it.
  m = config_error_of([&] { cfg.get_double("mesh.tol", 1.0, Range::positive()); });
  EXPECT_TRUE(names_line(m, "deck.toml", 7)) << m;
  EXPECT_EQ(cfg.get_double("mesh.tol", 1.0, Range::non_negative()), 0.0);
  // between() is inclusive at both ends.
  EXPECT_EQ(cfg.get_double("time.cfl", 0.0, Range::between(0.5, 1.0)), 0.5);
  m = config_error_of([&] { cfg.get_double("time.cfl", 0.0, Range::between(0.6, 1.0)); });
  EXPECT_TRUE(names_line(m, "deck.toml", 2)) << m;
}

TEST(Config, RangeContains) {
  EXPECT_TRUE(Range{}.contains(-1e300));
  EXPECT_TRUE(Range::at_least(1).contains(1.0));
  EXPECT_FALSE(Range::at_least(1).contains(0.999));
  EXPECT_FALSE(Range::positive().contains(0.0));
  EXPECT_TRUE(Range::positive().contains(1e-300));
  EXPECT_TRUE(Range::non_negative().contains(0.0));
  EXPECT_FALSE(Range::non_negative().contains(-1e-300));
  EXPECT_TRUE(Range::between(1, 6).contains(6.0));
  EXPECT_FALSE(Range::between(1, 6).contains(6.5));
}

TEST(Config, ArrayLengthMismatchNamesKey) {
  const Config cfg = Config::from_string(kBasic, "deck.toml");
  const std::string m = config_error_of([&] { cfg.get_ints("mesh.cells", {}, 3); });
  EXPECT_TRUE(names_line(m, "deck.toml", 3)) << m;
  EXPECT_NE(m.find("mesh.cells"), std::string::npos) << m;
}

TEST(Config, CheckUnusedNamesMisspeltKeyLineAndSuggestion) {
  const Config cfg = Config::from_string(deck({
                                             "[mesh]",      // 1
                                             "ghost = 2",   // 2
                                             "[time]",      // 3
                                             "cfl = 0.4",   // 4
                                             "tlim = 2.0",  // 5
                                             "cfll = 0.3",  // 6
                                         }),
                                         "deck.toml");
  cfg.get_int("mesh.ghost", 2);
  cfg.get_double("time.cfl", 0.9);
  cfg.get_double("time.tlim", 1.0);
  const std::string m = config_error_of([&] { cfg.check_unused(); });
  EXPECT_TRUE(names_line(m, "deck.toml", 6)) << m;
  EXPECT_NE(m.find("time.cfll"), std::string::npos) << m;
  EXPECT_NE(m.find("'time.cfl'"), std::string::npos) << m;  // the suggestion
}

TEST(Config, CheckUnusedPassesWhenEveryKeyWasRead) {
  const Config cfg = Config::from_string(kBasic, "deck.toml", {"problem.name=gaussian"});
  cfg.get_ints("mesh.cells", {});
  cfg.get_int("mesh.ghost", 2);
  cfg.get_doubles("mesh.lower", {});
  cfg.get_string("mesh.curve", "");
  cfg.get_double("time.cfl", 0.0);
  cfg.get_double("time.tlim", 0.0);
  cfg.get_string("time.integrator", "");
  cfg.get_bool("output.enabled", false);
  EXPECT_TRUE(cfg.has("output.dir"));  // has() also marks a key as known
  cfg.accept_section("physics");       // every key below [physics] is accepted
  // problem.name (from --set) is still unread.
  const std::string m = config_error_of([&] { cfg.check_unused(); });
  EXPECT_NE(m.find("problem.name"), std::string::npos) << m;
  cfg.get_string("problem.name", "");
  EXPECT_NO_THROW(cfg.check_unused());
}

TEST(Config, CheckUnusedWithNoCloseKeyGivesNoSuggestion) {
  const Config cfg =
      Config::from_string(deck({"[time]", "cfl = 0.4", "zzzzzzzzzz = 1"}), "deck.toml");
  cfg.get_double("time.cfl", 0.0);
  const std::string m = config_error_of([&] { cfg.check_unused(); });
  EXPECT_NE(m.find("time.zzzzzzzzzz"), std::string::npos) << m;
  EXPECT_TRUE(names_line(m, "deck.toml", 3)) << m;
  EXPECT_EQ(m.find("did you mean"), std::string::npos) << m;
}

TEST(Config, MissingRequiredKeyNamesTheKey) {
  const Config cfg = Config::from_string(kBasic, "deck.toml");
  std::string m = config_error_of([&] { cfg.require_double("time.dt"); });
  EXPECT_NE(m.find("time.dt"), std::string::npos) << m;
  EXPECT_NE(m.find("deck.toml"), std::string::npos) << m;
  m = config_error_of([&] { cfg.require_int("problem.seed"); });
  EXPECT_NE(m.find("problem.seed"), std::string::npos) << m;
  m = config_error_of([&] { cfg.require_string("problem.name"); });
  EXPECT_NE(m.find("problem.name"), std::string::npos) << m;
  m = config_error_of([&] { cfg.require_ints("mesh.block_cells"); });
  EXPECT_NE(m.find("mesh.block_cells"), std::string::npos) << m;
  m = config_error_of([&] { cfg.require_doubles("mesh.upper"); });
  EXPECT_NE(m.find("mesh.upper"), std::string::npos) << m;
}

TEST(Config, AllowedStringListWithSuggestion) {
  const Config cfg = Config::from_string(deck({
                                             "[physics.advection]",   // 1
                                             "limiter = \"vanler\"",  // 2
                                             "recon = \"xyzzy\"",     // 3
                                             "other = \"mc\"",        // 4
                                         }),
                                         "deck.toml");
  const std::vector<std::string> allowed{"minmod", "vanleer", "mc"};
  std::string m =
      config_error_of([&] { cfg.get_string("physics.advection.limiter", "mc", allowed); });
  EXPECT_TRUE(names_line(m, "deck.toml", 2)) << m;
  EXPECT_NE(m.find("physics.advection.limiter"), std::string::npos) << m;
  EXPECT_NE(m.find("did you mean \"vanleer\""), std::string::npos) << m;
  // Far from every allowed value: no suggestion, but the allowed values are listed.
  m = config_error_of([&] { cfg.get_string("physics.advection.recon", "plm", {"plm", "donor"}); });
  EXPECT_TRUE(names_line(m, "deck.toml", 3)) << m;
  EXPECT_EQ(m.find("did you mean"), std::string::npos) << m;
  EXPECT_NE(m.find("\"plm\""), std::string::npos) << m;
  EXPECT_NE(m.find("\"donor\""), std::string::npos) << m;
  EXPECT_EQ(cfg.get_string("physics.advection.other", "minmod", allowed), "mc");
}

TEST(Config, NumberTable) {
  const Config cfg = Config::from_string(
      deck({"[boundary]", "x1_lower_values = { rho = 1.5, mom_x = 2 }", "x1_lower = \"fixed\""}),
      "deck.toml");
  const auto t = cfg.get_number_table("boundary.x1_lower_values");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.at("rho"), 1.5);
  EXPECT_EQ(t.at("mom_x"), 2.0);
  EXPECT_TRUE(cfg.get_number_table("boundary.x2_lower_values").empty());
  cfg.get_string("boundary.x1_lower", "");
  EXPECT_NO_THROW(cfg.check_unused());  // the table's entries count as read
}

TEST(Config, LeavesIn) {
  const Config cfg =
      Config::from_string(deck({"[petsc]", "ksp_type = \"cg\"", "ksp_rtol = 1e-8"}), "deck.toml");
  auto leaves = cfg.leaves_in("petsc");
  ASSERT_EQ(leaves.size(), 2u);
  EXPECT_EQ(leaves[0].first, "petsc.ksp_rtol");
  EXPECT_EQ(leaves[1].first, "petsc.ksp_type");
  EXPECT_EQ(leaves[1].second, "cg");  // strings without quotes
}

TEST(Config, FailNamesFileLineAndKey) {
  const Config cfg = Config::from_string(kBasic, "deck.toml");
  const std::string m = config_error_of([&] { cfg.fail("time.cfl", "too large"); });
  EXPECT_TRUE(names_line(m, "deck.toml", 9)) << m;
  EXPECT_NE(m.find("time.cfl"), std::string::npos) << m;
  EXPECT_NE(m.find("too large"), std::string::npos) << m;
}

TEST(Config, EffectiveTomlRoundTrips) {
  const std::string text = deck({
      "title = \"quote \\\" and backslash \\\\ and tab\\t\"",
      "[mesh]",
      "cells = [64, 32]",
      "lower = [0.1, -1.5e-7]",
      "ghost = 2",
      "[time]",
      "cfl = 0.30000000000000004",
      "tlim = 1",
      "big = 9007199254740993",
      "on = false",
      "[boundary]",
      "x1_lower_values = { rho = 1.5, mom_x = 2 }",
      "[physics.advection]",
      "velocity = [1.0, 0.5, 0.0]",
  });
  const Config a = Config::from_string(
      text, "deck.toml", {"mesh.cells=[128,128]", "problem.name=gaussian", "time.new=3.25"});
  const std::string eff = a.effective_toml();
  const Config b = Config::from_string(eff, "effective.toml");
  for (const Config* c : {&a, &b}) {
    SCOPED_TRACE(c == &a ? "original" : "re-parsed");
    EXPECT_EQ(c->get_string("title", ""), "quote \" and backslash \\ and tab\t");
    EXPECT_EQ(c->get_ints("mesh.cells", {}), (std::vector<std::int64_t>{128, 128}));
    EXPECT_EQ(c->get_doubles("mesh.lower", {}), (std::vector<double>{0.1, -1.5e-7}));
    EXPECT_EQ(c->get_int("mesh.ghost", 0), 2);
    EXPECT_EQ(c->get_double("time.cfl", 0.0), 0.1 + 0.2);  // every bit of the double survives
    EXPECT_EQ(c->get_int("time.tlim", 0), 1);
    EXPECT_EQ(c->get_int("time.big", 0), std::int64_t{9007199254740993});
    EXPECT_FALSE(c->get_bool("time.on", true));
    EXPECT_EQ(c->get_double("time.new", 0.0), 3.25);
    EXPECT_EQ(c->get_string("problem.name", ""), "gaussian");
    const auto t = c->get_number_table("boundary.x1_lower_values");
    EXPECT_EQ(t.size(), 2u);
    EXPECT_EQ(t.count("rho") ? t.at("rho") : -1.0, 1.5);
    EXPECT_EQ(c->get_doubles("physics.advection.velocity", {}),
              (std::vector<double>{1.0, 0.5, 0.0}));
    EXPECT_NO_THROW(c->check_unused());
  }
  // Serialising again gives the same text (deterministic order).
  EXPECT_EQ(b.effective_toml(), eff);
}

TEST(Config, EditDistance) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", "abcd"), 4u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("sitting", "kitten"), 3u);
  EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);
  EXPECT_EQ(edit_distance("time.cfl", "time.cfll"), 1u);  // one insertion
  EXPECT_EQ(edit_distance("ab", "ba"), 2u);               // no transposition move
  EXPECT_EQ(edit_distance("abc", "axc"), 1u);             // one substitution
}

TEST(Config, ConfigErrorIsACollectiveErrorWithExitCode2) {
  const ConfigError e("bad deck");
  EXPECT_EQ(e.exit_code(), 2);
  EXPECT_TRUE(e.collective());
  const Error& base = e;
  EXPECT_EQ(base.exit_code(), 2);  // virtual through the base class
  EXPECT_STREQ(base.what(), "bad deck");
}

}  // namespace
}  // namespace tessera

// Radiation-MHD problems (MHD + rad_fld): steady radiative MHD shocks in their rest frame
// (issue 7 ladder item 8; Narechania et al. 2025, sec. 4.2) with the end states from the
// radiative Rankine-Hugoniot relations (rad_rankine_hugoniot.hpp).
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

#include "tessera/bc/boundary.hpp"
#include "tessera/core/config.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/physics/mhd.hpp"
#include "tessera/physics/rad_fld.hpp"
#include "tessera/physics/rad_rankine_hugoniot.hpp"
#include "tessera/problems/problem.hpp"

namespace tessera {

namespace {

using Vec3 = std::array<double, 3>;

/// Conserved 1D cell values of an equilibrium state by component name (what a [boundary]
/// fixed face must hold: total energy with B^2/2, the face field, E).
std::map<std::string, double> conserved_values(const RmhdState& s, double gamma) {
  const double ke = 0.5 * s.rho * (s.v[0] * s.v[0] + s.v[1] * s.v[1] + s.v[2] * s.v[2]);
  const double me = 0.5 * (s.b[0] * s.b[0] + s.b[1] * s.b[1] + s.b[2] * s.b[2]);
  return {{"rho", s.rho},
          {"mom_x", s.rho * s.v[0]},
          {"mom_y", s.rho * s.v[1]},
          {"mom_z", s.rho * s.v[2]},
          {"E", s.p / (gamma - 1.0) + ke + me},
          {"bf_x", s.b[0]},
          {"bf_y", s.b[1]},
          {"bf_z", s.b[2]},
          {"erad", s.erad}};
}

/// Steady radiative MHD shock along x in its rest frame: the upstream equilibrium state
/// (problem.rho0, problem.t0, problem.velocity, problem.field = B) flows in from x1_lower, the
/// downstream state of the radiative Rankine-Hugoniot relations (problem.type = fast | slow |
/// switch_off | hydro) sits beyond problem.x_shock. For switch_off the normal velocity is the
/// Alfven speed |B_x|/sqrt(rho0) (problem.velocity gives only v_y, v_z; its x entry must be
/// 0). Gas constants from the modules: gamma (mhd), p = rho rgas T and a (rad_fld). A fixed
/// x1_lower / x1_upper face must hold the upstream / downstream conserved values (checked to
/// 1e-9; the error message prints the right values, as does tessera-rh --deck).
class RmhdShock : public Problem {
 public:
  explicit RmhdShock(const ProblemContext& ctx)
      : mhd_(ctx.module<MhdModule>("rmhd_shock")), rad_(ctx.module<RadFldModule>("rmhd_shock")) {
    const auto& cfg = ctx.cfg;
    const std::string type =
        cfg.get_string("problem.type", "fast", {"fast", "slow", "switch_off", "hydro"});
    const double rho0 = cfg.get_double("problem.rho0", 1.0, Range::positive());
    const double t0 = cfg.get_double("problem.t0", 1.0, Range::positive());
    const auto v = cfg.get_doubles("problem.velocity", {1.0, 0.0, 0.0}, 3);
    const auto bv = cfg.get_doubles("problem.field", {0.0, 0.0, 0.0}, 3);
    xs_ = cfg.get_double("problem.x_shock", 0.5 * (ctx.mesh.lower[0] + ctx.mesh.upper[0]));
    const double gamma = mhd_.eos().gamma;
    gas_ = RmhdGas{gamma, rad_.internal_energy(1.0, 1.0) * (gamma - 1.0), rad_.a_rad()};
    const Vec3 b{bv[0], bv[1], bv[2]};
    try {
      const auto t = rmhd_shock_type(type);
      if (t == RmhdShockType::kSwitchOff) {
        if (v[0] != 0.0) {
          cfg.fail("problem.velocity",
                   "for a switch-off shock v_x is the Alfven speed |B_x|/sqrt(rho0): set the x "
                   "entry to 0 (only v_y, v_z are read)");
        }
        up_ = rmhd_switch_off_upstream(gas_, rho0, t0, b, v[1], v[2]);
      } else {
        up_ = rmhd_state(gas_, rho0, {v[0], v[1], v[2]}, b, t0);
      }
      down_ = rmhd_shock_downstream(up_, gas_, t);
    } catch (const std::invalid_argument& e) {
      cfg.fail("problem.type", e.what());
    }
    // A fixed face must carry this problem's end state (the deck cannot compute it).
    const BoundaryParams bc = BoundaryParams::from_config(cfg, ctx.mesh.ndim);
    const char* side[2] = {"lower", "upper"};
    for (int s = 0; s < 2; ++s) {
      const FaceBc& f = bc.face[0][s];
      if (f.kind != BcKind::kFixed) continue;
      const auto want = conserved_values(s == 0 ? up_ : down_, gamma);
      std::string expected;
      bool ok = true;
      for (const auto& [name, value] : want) {
        expected += fmt::format("{}{} = {:.17g}", expected.empty() ? "" : ", ", name, value);
        auto it = f.values.find(name);
        const double have = it != f.values.end() ? it->second : (f.has_value ? f.value : NAN);
        if (!(std::abs(have - value) <= 1e-9 * (std::abs(value) + 1e-300))) ok = false;
      }
      if (!ok) {
        cfg.fail(fmt::format("boundary.x1_{}_values", side[s]),
                 fmt::format("the fixed face must hold the {} state of the {} shock: "
                             "x1_{}_values = {{ {} }}",
                             s == 0 ? "upstream" : "downstream", type, side[s], expected));
      }
    }
  }

  void initialize(Mesh& mesh) override {
    for (auto& bp : mesh.blocks()) {
      Block& b = *bp;
      // B_x is uniform; B_y, B_z are cell values in 1D (a per-cell "face" along unused axes).
      mhd_.set_face_field(b, {},
                          [&](int a, const Vec3& x) { return x[0] < xs_ ? up_.b[a] : down_.b[a]; });
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        const RmhdState& s = b.center(0, i) < xs_ ? up_ : down_;
        MhdPrim w;
        w.rho = s.rho;
        w.v = s.v;
        w.p = s.p;
        w.b = mhd_.cell_field(b, k, j, i);
        mhd_.set_primitive(b, k, j, i, w);
        b.field(rad_.erad_id())(0, k, j, i) = s.erad;
      });
    }
  }

 private:
  const MhdModule& mhd_;
  const RadFldModule& rad_;
  RmhdGas gas_;
  RmhdState up_, down_;
  double xs_ = 0.0;
};

/// Radiative MHD shock tube along x: the Brio & Wu (1988) states (gamma = 2, B_x = 0.75,
/// (rho, p, B_y) = (1, 1, 1) | (0.125, 0.1, -1)) or Torrilhon's (2003) non-unique-solution
/// problem (problem.preset = "torrilhon") with radiation in equilibrium with the gas,
/// E = a T^4 (T from rad_fld's gas law), on both sides of problem.x0. The deck's a, c and
/// opacities set how much radiation matters (inputs/rmhd/brio_wu_rad.toml: P_rad/p = 0.2 left,
/// 0.82 right).
class RmhdShockTube : public Problem {
 public:
  explicit RmhdShockTube(const ProblemContext& ctx)
      : mhd_(ctx.module<MhdModule>("rmhd_shock_tube")),
        rad_(ctx.module<RadFldModule>("rmhd_shock_tube")) {
    const auto& cfg = ctx.cfg;
    const std::string preset =
        cfg.get_string("problem.preset", "brio_wu", {"brio_wu", "torrilhon"});
    x0_ = cfg.get_double("problem.x0", 0.5 * (ctx.mesh.lower[0] + ctx.mesh.upper[0]));
    if (preset == "brio_wu") {
      left_ = {1.0, {0.0, 0.0, 0.0}, 1.0, {0.75, 1.0, 0.0}};
      right_ = {0.125, {0.0, 0.0, 0.0}, 0.1, {0.75, -1.0, 0.0}};
    } else {
      // Torrilhon (2003, J. Plasma Phys. 69, 253): B_x = 1, (rho, p) = (3, 3) | (1, 1), the
      // transverse field turned by alpha = 3 rad across the contact (gamma = 5/3).
      left_ = {3.0, {0.0, 0.0, 0.0}, 3.0, {1.0, 1.0, 0.0}};
      right_ = {1.0, {0.0, 0.0, 0.0}, 1.0, {1.0, std::cos(3.0), std::sin(3.0)}};
    }
  }
  void initialize(Mesh& mesh) override {
    const double gm1 = mhd_.eos().gamma - 1.0;
    for (auto& bp : mesh.blocks()) {
      Block& b = *bp;
      mhd_.set_face_field(
          b, {}, [&](int a, const Vec3& x) { return x[0] < x0_ ? left_.b[a] : right_.b[a]; });
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        MhdPrim w = b.center(0, i) < x0_ ? left_ : right_;
        w.b = mhd_.cell_field(b, k, j, i);
        mhd_.set_primitive(b, k, j, i, w);
        const double temp = rad_.temperature(w.rho, w.p / gm1);
        b.field(rad_.erad_id())(0, k, j, i) = rad_.a_rad() * std::pow(temp, 4);
      });
    }
  }

 private:
  const MhdModule& mhd_;
  const RadFldModule& rad_;
  double x0_ = 0.5;
  MhdPrim left_, right_;
};

}  // namespace

std::unique_ptr<Problem> make_rmhd_shock_tube(const ProblemContext& ctx) {
  return std::make_unique<RmhdShockTube>(ctx);
}

std::unique_ptr<Problem> make_rmhd_shock(const ProblemContext& ctx) {
  return std::make_unique<RmhdShock>(ctx);
}

}  // namespace tessera

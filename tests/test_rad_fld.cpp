// Gray FLD radiation (physics/rad_fld): the verification ladder of issue 7, items 1-6, and the
// radiation-off identity with pure hydro. Runs at 1 and 2 ranks (tests/CMakeLists.txt).
//  1. operator: symmetric to 1e-12; manufactured solution with variable kappa rho converges at
//     order >= 1.9; BoomerAMG iterations grow < 1.5x from 64^2 to 256^2;
//  3. limiters: lambda and f against their formulas; a free-streaming front never outruns c;
//  4. Turner & Stone (2001) exchange vs an ODE reference integrated here; e + E conserved;
//     no overshoot with dt >> 1/(c kappa rho);
//  5. Su & Olson (1997) diffusion solution at tau = 1 and 10;
//  6. Lowrie & Edwards (2008) Mach 3 radiating shock: downstream state and shock position;
//  radiation off: Sod bitwise identical to pure hydro.
// (Item 2, the Gaussian pulse and the time orders, is regression/cases/rad_pulse*.toml.)
#include <gtest/gtest.h>
#include <mpi.h>
#include <petscmat.h>

#include <fmt/format.h>
#include <algorithm>

#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tessera/app/driver.hpp"
#include "tessera/bc/boundary.hpp"
#include "tessera/core/config.hpp"
#include "tessera/mesh/mesh.hpp"
#include "tessera/physics/hydro.hpp"
#include "tessera/physics/rad_fld.hpp"
#include "tessera/solvers/linear_system.hpp"
#include "tessera/solvers/petsc.hpp"
#include "test_env.hpp"

#ifndef TESSERA_SOURCE_DIR
#define TESSERA_SOURCE_DIR "."
#endif

namespace tessera {
namespace {

using test::test_comm;

// PETSc for the whole run of this executable (test_env.hpp).
[[maybe_unused]] ::testing::Environment* const kPetscEnv =
    ::testing::AddGlobalTestEnvironment(new test::PetscEnvironment);

/// Mesh + hydro + rad_fld built from a deck, without the driver: for driving implicit_stage
/// directly (exchange with arbitrary step sequences, operator tests).
struct Rig {
  Config cfg;
  MeshParams mp;
  BoundaryParams bc;
  std::unique_ptr<Mesh> mesh;
  std::vector<std::unique_ptr<PhysicsModule>> mods;
  std::unique_ptr<BoundaryExchange> bx;
  RadFldModule* rad = nullptr;

  explicit Rig(const std::string& deck) : cfg(Config::from_string(deck, "rig.toml")) {
    mp = MeshParams::from_config(cfg);
    bc = BoundaryParams::from_config(cfg, mp.ndim);
    mp.periodic = bc.periodic();
    mesh = std::make_unique<Mesh>(mp, test_comm());
    mods.push_back(make_module("hydro", cfg, mp.ndim));
    mods.push_back(make_module("rad_fld", cfg, mp.ndim));
    for (auto& m : mods) m->connect(mods);
    for (auto& m : mods) m->register_fields(mesh->fields());
    mesh->allocate_fields();
    bx = std::make_unique<BoundaryExchange>(*mesh, bc);
    for (auto& m : mods)
      m->set_halo_fill([this](const std::vector<int>& ids, double t) { bx->fill(ids, t); });
    rad = dynamic_cast<RadFldModule*>(mods[1].get());
  }
  const GasDynamics& gas() const { return rad->gas(); }
  void set_cell(Block& b, int k, int j, int i, double rho, double eint, double erad) {
    b.field(gas().rho_id())(0, k, j, i) = rho;
    for (int c = 0; c < 3; ++c) b.field(gas().mom_id())(c, k, j, i) = 0.0;
    b.field(gas().energy_id())(0, k, j, i) = eint;
    b.field(rad->erad_id())(0, k, j, i) = erad;
  }
};

/// Runs a deck through the driver (output into the scratch directory) and returns it.
std::unique_ptr<Simulation> run_deck(const std::string& rel_path,
                                     std::vector<std::string> overrides, const std::string& tag) {
  overrides.push_back("output.dir=\"" + test::scratch_dir() + "/" + tag + "\"");
  overrides.push_back("output.progress_steps=100000");
  auto cfg = Config::from_file(std::string(TESSERA_SOURCE_DIR) + "/" + rel_path, overrides);
  auto sim = std::make_unique<Simulation>(std::move(cfg), test_comm(), RunOptions{});
  sim->run();
  return sim;
}

/// (x, value) of component c of field `fid` over all cells of a 1D mesh, on every rank.
std::vector<std::pair<double, double>> gather_1d(Mesh& mesh, int fid, int c) {
  std::vector<double> local;
  for (const auto& bp : mesh.blocks()) {
    const Block& b = *bp;
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      local.push_back(b.center(0, i));
      local.push_back(b.field(fid)(c, k, j, i));
    });
  }
  std::vector<double> all = mesh.comm().gather_to_root(local);
  long n = static_cast<long>(all.size());
  MPI_Bcast(&n, 1, MPI_LONG, 0, mesh.comm().get());
  all.resize(static_cast<std::size_t>(n));
  MPI_Bcast(all.data(), static_cast<int>(n), MPI_DOUBLE, 0, mesh.comm().get());
  std::vector<std::pair<double, double>> out;
  for (std::size_t q = 0; q + 1 < all.size(); q += 2) out.emplace_back(all[q], all[q + 1]);
  std::sort(out.begin(), out.end());
  return out;
}

double interpolate(const std::vector<std::pair<double, double>>& prof, double x) {
  for (std::size_t q = 0; q + 1 < prof.size(); ++q) {
    if (x >= prof[q].first && x <= prof[q + 1].first) {
      const double w = (x - prof[q].first) / (prof[q + 1].first - prof[q].first);
      return (1.0 - w) * prof[q].second + w * prof[q + 1].second;
    }
  }
  return x < prof.front().first ? prof.front().second : prof.back().second;
}

// ------------------------------------------------------------------------------------------
// Item 3: limiters

TEST(RadFld, LimitersMatchTheirFormulas) {
  for (double r : {0.0, 1e-8, 0.1, 0.5, 1.0, 1.4999, 1.5, 1.5001, 2.0, 10.0, 1e3, 1e8}) {
    const double lp = (2.0 + r) / (6.0 + 3.0 * r + r * r);
    const double mi = r <= 1.5 ? 2.0 / (3.0 + std::sqrt(9.0 + 12.0 * r * r))
                               : 1.0 / (1.0 + r + std::sqrt(1.0 + 2.0 * r));
    // 1e-14 relative: the same arithmetic in another order may differ by a few ulps.
    EXPECT_NEAR(flux_limiter(FluxLimiter::kLevermorePomraning, r), lp, 1e-14 * lp) << r;
    EXPECT_NEAR(flux_limiter(FluxLimiter::kMinerbo, r), mi, 1e-14 * mi) << r;
    EXPECT_EQ(flux_limiter(FluxLimiter::kDiffusion, r), 1.0 / 3.0);
    EXPECT_NEAR(eddington_factor(FluxLimiter::kLevermorePomraning, r), lp + lp * lp * r * r, 1e-14);
    EXPECT_NEAR(eddington_factor(FluxLimiter::kMinerbo, r), mi + mi * mi * r * r, 1e-14);
    // Physical bounds: lambda <= 1/3, lambda R <= 1 (|F| <= c E), 1/3 <= f <= 1.
    for (auto k : {FluxLimiter::kLevermorePomraning, FluxLimiter::kMinerbo}) {
      EXPECT_LE(flux_limiter(k, r), 1.0 / 3.0 + 1e-15);
      EXPECT_LE(flux_limiter(k, r) * r, 1.0 + 1e-15);
      EXPECT_GE(eddington_factor(k, r), 1.0 / 3.0 - 1e-15);
      EXPECT_LE(eddington_factor(k, r), 1.0 + 1e-15);
    }
  }
  // Limits: diffusion (R -> 0) and free streaming (R -> inf).
  EXPECT_NEAR(flux_limiter(FluxLimiter::kLevermorePomraning, 0.0), 1.0 / 3.0, 1e-16);
  EXPECT_NEAR(flux_limiter(FluxLimiter::kMinerbo, 0.0), 1.0 / 3.0, 1e-16);
  EXPECT_NEAR(flux_limiter(FluxLimiter::kLevermorePomraning, 1e12) * 1e12, 1.0, 1e-11);
  EXPECT_EQ(eddington_factor(FluxLimiter::kMinerbo, INFINITY), 1.0);
  // Minerbo is continuous at R = 3/2 (both branches 2/9).
  EXPECT_NEAR(flux_limiter(FluxLimiter::kMinerbo, 1.5), 2.0 / 9.0, 1e-15);
  EXPECT_NEAR(flux_limiter(FluxLimiter::kMinerbo, 1.5 + 1e-12), 2.0 / 9.0, 1e-12);
}

// ------------------------------------------------------------------------------------------
// Item 6 (the jump conditions alone): the radiative Rankine-Hugoniot solver reproduces the
// published downstream state.

TEST(RadFld, RadiativeRankineHugoniotMatchesLowrieEdwards) {
  const auto d = radiating_shock_downstream(1.0, 3.0, 1.0, 5.0 / 3.0, 0.6, 1e-4);
  // The paper gives 8 significant digits.
  EXPECT_NEAR(d[0], 3.0021677, 1e-7 * 3.0);
  EXPECT_NEAR(d[1], 3.6619127, 1e-7 * 3.7);
}

// ------------------------------------------------------------------------------------------
// Item 4: Turner & Stone (2001) energy exchange.

const char* kExchangeDeck = R"(
[mesh]
cells = [4]
block_cells = [2]
upper = [1e12]
[boundary]
x1_lower = "periodic"
x1_upper = "periodic"
[physics.hydro]
gamma = 1.6666666666666667
[physics.rad_fld]
mu = 0.6
planck_kappa = 0.4
rosseland_kappa = 0.4
rtol = 1e-14
)";

// Cells of 2.5e11 cm: the state is uniform, so the size does not matter physically, but with
// D = c/(3 kappa rho) = 2.5e17 cm^2/s the diffusion couplings D h/dx^2 of a small cell would
// swamp the exchange terms in round-off (A applied to a uniform vector cancels O(D h/dx^2)).

/// de/dt = c kappa rho (E - a T^4), E = S - e: classical RK4 with steps of 1e-3 of the local
/// relaxation time 1/(s (1 + dB/de)), to time t1. Error ~1e-12 relative.
double exchange_ode(const RadFldModule& rad, double rho, double e, double total, double t0,
                    double t1) {
  const double s = rad.absorption_rate(rho, 1.0);
  auto f = [&](double ee) {
    const double tt = rad.temperature(rho, ee);
    return s * ((total - ee) - rad.a_rad() * tt * tt * tt * tt);
  };
  double t = t0;
  while (t < t1) {
    const double tau = 1.0 / (s * (1.0 + rad.emission_slope(rho, rad.temperature(rho, e))));
    const double h = std::min(1e-3 * tau, t1 - t);
    const double k1 = f(e), k2 = f(e + 0.5 * h * k1), k3 = f(e + 0.5 * h * k2), k4 = f(e + h * k3);
    e += h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4);
    t += h;
  }
  return e;
}

TEST(RadFld, TurnerStoneExchange) {
  // Per-cell physics on a 4-cell mesh: 14000 implicit stages, each with collective reductions;
  // on 2 oversubscribed ranks that is slow and shows nothing new (rank agreement of the implicit
  // stage is regression/cases/rad_pulse.toml).
  if (test_comm().size() > 1) GTEST_SKIP() << "1-rank test";
  const double rho = 1e-7, erad0 = 1e12;
  // Backward Euler: the stiff exchange needs an L-stable scheme whose every stage is implicit
  // (TR-BDF2's trapezoidal stage evaluates the exchange explicitly at the start of the step).
  for (const std::string scheme : {"be"}) {
    for (double e0 : {1e2, 1e10}) {
      Rig rig(std::string(kExchangeDeck) + "time_scheme = \"" + scheme + "\"\n");
      for (auto& bp : rig.mesh->blocks())
        for_each_cell(bp->interior(),
                      [&](int k, int j, int i) { rig.set_cell(*bp, k, j, i, rho, e0, erad0); });
      const double total = e0 + erad0;
      // Reference equilibrium: e_eq + a T(e_eq)^4 = total (the BE quartic with h -> inf).
      const double e_eq = rig.rad->exchange_cell(rho, e0, erad0, 1e30);
      double t = 0.0, e_ode = e0, worst = 0.0, worst_cons = 0.0, worst_step = 0.0;
      double prev_total = total;
      // Steps: 100 per decade from 1e-13 s (the cooling case relaxes on ~1e-14 s at first; its
      // very first step already lands near the instantaneous equilibrium of the fast phase).
      const int per_decade = scheme == "be" ? 2000 : 100;
      std::vector<double> checks{1e-9, 1e-8, 1e-7, 1e-6};
      double tn = 1e-13;
      const double ratio = std::pow(10.0, 1.0 / per_decade);
      while (t < 1e-6 * (1 - 1e-12)) {
        const double dt = tn - t;
        rig.rad->implicit_stage(*rig.mesh, t, dt);
        const double t_old = t;
        t = tn;
        tn = std::min(tn * ratio, 1e-6);
        const Block& b = *rig.mesh->blocks()[0];
        const int i = b.ng[0];
        const double e = b.field(rig.gas().energy_id())(0, 0, 0, i);
        const double E = b.field(rig.rad->erad_id())(0, 0, 0, i);
        worst_step = std::max(worst_step, std::abs(e + E - prev_total) / total);
        worst_cons = std::max(worst_cons, std::abs(e + E - total) / total);
        prev_total = e + E;
        e_ode = exchange_ode(*rig.rad, rho, e_ode, total, t_old, t);
        for (double tc : checks) {
          if (std::abs(t - tc) < 1e-9 * tc) {
            worst = std::max(worst, std::abs(e - e_ode) / e_ode);
          }
        }
      }
      // Issue 7 item 4: within 1e-3 of the ODE over 1e-9..1e-6 s (BE: first order, 2000 steps
      // per decade, error ~ dt/(2 t_relax) <= 1e-3 where the relaxation is fastest).
      EXPECT_LT(worst, 1e-3) << scheme << " e0 = " << e0;
      // e + E conserved to 1e-12 in every step (the same linearised emission in both
      // equations; the linear solve at rtol 1e-14 leaves ~1e-16 per step), and over all 14000
      // steps the round-off drift stays below 14000 x 1e-15.
      EXPECT_LT(worst_step, 1e-12) << scheme << " e0 = " << e0;
      EXPECT_LT(worst_cons, 1.4e-11) << scheme << " e0 = " << e0;
      if (test_comm().root())
        std::printf(
            "[turner-stone %s e0=%g] max rel err vs ODE %.3e, per-step |d(e+E)| %.2e, "
            "drift %.2e\n",
            scheme.c_str(), e0, worst, worst_step, worst_cons);
      const Block& b = *rig.mesh->blocks()[0];
      const double e_end = b.field(rig.gas().energy_id())(0, 0, 0, b.ng[0]);
      // Equilibrium reached by 1e-6 s (~70 relaxation times): a T^4 = E to 1e-6.
      EXPECT_NEAR(e_end, e_eq, 1e-6 * e_eq) << scheme << " e0 = " << e0;
    }
  }
  // No overshoot with dt >> 1/(c kappa rho) = 8.3e-4 s: one BE step of 1 s lands on the
  // equilibrium from either side, monotonically (never beyond it).
  for (double e0 : {1e2, 1e10}) {
    Rig rig(kExchangeDeck);
    for (auto& bp : rig.mesh->blocks())
      for_each_cell(bp->interior(),
                    [&](int k, int j, int i) { rig.set_cell(*bp, k, j, i, rho, e0, erad0); });
    const double e_eq = rig.rad->exchange_cell(rho, e0, erad0, 1e30);
    rig.rad->implicit_stage(*rig.mesh, 0.0, 1.0);
    const Block& b = *rig.mesh->blocks()[0];
    const double e = b.field(rig.gas().energy_id())(0, 0, 0, b.ng[0]);
    if (e0 < e_eq) {
      EXPECT_LE(e, e_eq * (1 + 1e-12));
      EXPECT_GT(e, e0);
    } else {
      EXPECT_GE(e, e_eq * (1 - 1e-12));
      EXPECT_LT(e, e0);
    }
    // BE leaves the fraction t_relax/dt ~ 1.5e-8 of the initial gap (t_relax = 1/(c kappa rho
    // (1 + dB/de)) = 1.5e-8 s at equilibrium); 2e-8 bounds it.
    EXPECT_LE(std::abs(e - e_eq), 2e-8 * std::abs(e0 - e_eq));
    // The exact per-cell quartic gives the same BE step as the coupled Fleck iteration.
    EXPECT_NEAR(rig.rad->exchange_cell(rho, e0, erad0, 1.0), e, 1e-9 * e);
  }
}

// ------------------------------------------------------------------------------------------
// Item 1: operator.

/// Manufactured steady state -div(D grad E) = S on [0,1]^2, E = 0 on the boundary, with
/// chi = kappa rho variable: rho = 1 + 0.5 sin^2(pi x) sin^2(pi y), kappa_R = 1, c = 1,
/// diffusion limiter: D = 1/(3 rho). E = sin(pi x) sin(pi y). One backward-Euler step of
/// h = 1e10 from E = 0 solves it (E/h ~ 1e-10 below the discretisation error).
std::string mms_deck(int n) {
  return fmt::format(R"(
[mesh]
cells = [{0}, {0}]
block_cells = [{1}, {1}]
[boundary]
x1_lower = "fixed"
x1_upper = "fixed"
x2_lower = "fixed"
x2_upper = "fixed"
x1_lower_values = {{ rho = 1.0, mom_x = 0.0, mom_y = 0.0, mom_z = 0.0, E = 1.0, erad = 0.0 }}
x1_upper_values = {{ rho = 1.0, mom_x = 0.0, mom_y = 0.0, mom_z = 0.0, E = 1.0, erad = 0.0 }}
x2_lower_values = {{ rho = 1.0, mom_x = 0.0, mom_y = 0.0, mom_z = 0.0, E = 1.0, erad = 0.0 }}
x2_upper_values = {{ rho = 1.0, mom_x = 0.0, mom_y = 0.0, mom_z = 0.0, E = 1.0, erad = 0.0 }}
[physics.hydro]
gamma = 1.6666666666666667
[physics.rad_fld]
c_light = 1.0
a_rad = 1.0
gas_constant = 1.0
mu = 1.0
limiter = "diffusion"
planck_kappa = 0.0
rosseland_kappa = 1.0
rtol = 1e-12
)",
                     n, n / 2);
}

struct MmsResult {
  double l2 = 0.0;
  int iterations = 0;
  double asymmetry = 0.0;
};

MmsResult run_mms(int n) {
  Rig rig(mms_deck(n));
  const double pi = M_PI;
  auto rho_at = [&](double x, double y) {
    return 1.0 + 0.5 * std::pow(std::sin(pi * x) * std::sin(pi * y), 2);
  };
  for (auto& bp : rig.mesh->blocks()) {
    Block& b = *bp;
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      rig.set_cell(b, k, j, i, rho_at(b.center(0, i), b.center(1, j)), 1.0, 0.0);
    });
  }
  // S = -div(D grad E), D = 1/(3 rho): -(D lap E + grad D . grad E).
  rig.rad->set_source([&](const std::array<double, 3>& p, double) {
    const double x = p[0], y = p[1];
    const double sx = std::sin(pi * x), sy = std::sin(pi * y), cx = std::cos(pi * x),
                 cy = std::cos(pi * y);
    const double r = rho_at(x, y), d = 1.0 / (3.0 * r);
    const double rx = pi * sx * cx * sy * sy, ry = pi * sy * cy * sx * sx;  // d rho / dx, dy
    const double dx = -rx / (3.0 * r * r), dy = -ry / (3.0 * r * r);
    const double ex = pi * cx * sy, ey = pi * sx * cy, lap = -2.0 * pi * pi * sx * sy;
    return -(d * lap + dx * ex + dy * ey);
  });
  rig.rad->implicit_stage(*rig.mesh, 0.0, 1e10);
  MmsResult res;
  double l2 = 0.0;
  for (auto& bp : rig.mesh->blocks()) {
    const Block& b = *bp;
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      const double ex = std::sin(pi * b.center(0, i)) * std::sin(pi * b.center(1, j));
      const double e = b.field(rig.rad->erad_id())(0, k, j, i) - ex;
      l2 += e * e * b.dx[0] * b.dx[1];
    });
  }
  double total = 0.0;
  {
    // Sum in a fixed order is not needed for a norm compared with a tolerance.
    std::vector<double> all = rig.mesh->comm().gather_to_root({l2});
    for (double v : all) total += v;
  }
  res.l2 = std::sqrt(rig.mesh->comm().max(total));
  res.iterations = rig.rad->last_linear_iterations();
  // Symmetry of the assembled matrix: ||A - A^T||_F / ||A||_F.
  Mat a = rig.rad->linear_system()->matrix();
  Mat at;
  TESSERA_PETSC(MatTranspose(a, MAT_INITIAL_MATRIX, &at));
  PetscReal na = 0.0, nd = 0.0;
  TESSERA_PETSC(MatNorm(a, NORM_FROBENIUS, &na));
  TESSERA_PETSC(MatAXPY(at, -1.0, a, SAME_NONZERO_PATTERN));
  TESSERA_PETSC(MatNorm(at, NORM_FROBENIUS, &nd));
  TESSERA_PETSC(MatDestroy(&at));
  res.asymmetry = nd / na;
  return res;
}

TEST(RadFld, OperatorSymmetricConvergentScalable) {
  const MmsResult r32 = run_mms(32), r64 = run_mms(64), r128 = run_mms(128), r256 = run_mms(256);
  // Symmetric: the two blocks of a shared face compute its coefficient from the same data.
  EXPECT_LT(r64.asymmetry, 1e-12);
  EXPECT_LT(r256.asymmetry, 1e-12);
  const double o1 = std::log2(r32.l2 / r64.l2), o2 = std::log2(r64.l2 / r128.l2);
  // Issue 7 item 1: second order in space with variable kappa rho (harmonic-mean faces).
  EXPECT_GE(o1, 1.9) << r32.l2 << " " << r64.l2;
  EXPECT_GE(o2, 1.9) << r64.l2 << " " << r128.l2;
  // AMG: iterations grow < 1.5x from 64^2 to 256^2 (issue 7 item 1).
  EXPECT_LT(static_cast<double>(r256.iterations), 1.5 * r64.iterations)
      << r64.iterations << " -> " << r256.iterations;
  if (test_comm().root()) {
    std::printf("[rad mms] L2 %.3e %.3e %.3e %.3e, orders %.3f %.3f, its %d %d %d %d, asym %.1e\n",
                r32.l2, r64.l2, r128.l2, r256.l2, o1, o2, r32.iterations, r64.iterations,
                r128.iterations, r256.iterations, r256.asymmetry);
  }
}

// ------------------------------------------------------------------------------------------
// Boundary conditions: a Marshak face. Steady slab, kappa_P = 0, diffusion limiter, incident
// flux F at x = 0, E = 0 at x = L: E = B (x - L) with (c/4) E(0) - (D/2) E'(0) = F, i.e.
// B = -F / (c L/4 + D/2). The two-point scheme and the boundary treatment are exact for a
// linear profile, so the discrete solution equals it to the solve tolerance.

TEST(RadFld, MarshakBoundaryGivesTheLinearSteadyState) {
  Rig rig(R"(
[mesh]
cells = [32]
block_cells = [8]
upper = [2.0]
[boundary]
x1_lower = "outflow"
x1_upper = "fixed"
x1_upper_values = { rho = 1.0, mom_x = 0.0, mom_y = 0.0, mom_z = 0.0, E = 1.0, erad = 0.0 }
[physics.hydro]
gamma = 1.6666666666666667
[physics.rad_fld]
c_light = 3.0
a_rad = 1.0
gas_constant = 1.0
mu = 1.0
limiter = "diffusion"
planck_kappa = 0.0
rosseland_kappa = 0.5
rtol = 1e-13
marshak_x1_lower = 0.7
)");
  for (auto& bp : rig.mesh->blocks())
    for_each_cell(bp->interior(),
                  [&](int k, int j, int i) { rig.set_cell(*bp, k, j, i, 1.0, 1.0, 0.0); });
  rig.rad->implicit_stage(*rig.mesh, 0.0, 1e12);  // one BE step of h -> inf: the steady state
  const double c = 3.0, d = c / (3.0 * 0.5), len = 2.0, f = 0.7;
  const double slope = -f / (c * len / 4.0 + d / 2.0);
  for (auto& bp : rig.mesh->blocks()) {
    const Block& b = *bp;
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      const double ex = slope * (b.center(0, i) - len);
      // Steady state reached to E/h ~ 1e-12 and the solve to 1e-13: 1e-10 relative.
      EXPECT_NEAR(b.field(rig.rad->erad_id())(0, k, j, i), ex, 1e-10 * std::abs(slope * len));
    });
  }
}

// ------------------------------------------------------------------------------------------
// Item 3: a free-streaming front never outruns c.

TEST(RadFld, FreeStreamingFrontIsCausal) {
  // ~5000 Picard iterations with Jacobi-CG: 2 s on 1 rank; the 2-rank run adds only time.
  if (test_comm().size() > 1) GTEST_SKIP() << "1-rank test";
  auto sim = run_deck("inputs/rad/front.toml", {}, "front");
  // History: every step, column rad_front_x1 (threshold 1/2 of the boundary value).
  if (!test_comm().root()) return;
  std::ifstream h(test::scratch_dir() + "/front/rad_front.hst");
  ASSERT_TRUE(h.good());
  std::string line;
  std::getline(h, line);
  std::istringstream hs(line.substr(1));
  std::vector<std::string> cols;
  for (std::string c; hs >> c;) cols.push_back(c);
  const auto col = [&](const std::string& n) {
    return static_cast<std::size_t>(std::find(cols.begin(), cols.end(), n) - cols.begin());
  };
  const std::size_t it = col("time"), ifr = col("rad_front_x1");
  ASSERT_LT(ifr, cols.size());
  const double dx = 1.0 / 256.0;
  double worst = 0.0, worst_early = -1.0, last_front = 0.0, last_t = 0.0;
  while (std::getline(h, line)) {
    std::istringstream ls(line);
    std::vector<double> v;
    for (double x; ls >> x;) v.push_back(x);
    const double t = v[it < cols.size() ? it : 0], x = v[ifr];
    // c = 1. Once c t spans 10 cells the interpolated front position is resolved to < 10% of
    // it; before that compare with c t + dx (a front is only located to within a cell).
    if (t >= 10.0 * dx) worst = std::max(worst, x / t);
    if (t > 0.0) worst_early = std::max(worst_early, x - (t + dx));
    last_front = x;
    last_t = t;
  }
  // Issue 7 item 3: front <= c t (1 + 1e-2).
  EXPECT_LE(worst, 1.01);
  EXPECT_LE(worst_early, 0.0);
  // ... and it does propagate at ~c (LP keeps |F| -> c E in the thin limit): measured 0.998 c.
  EXPECT_GT(last_front, 0.95 * last_t);
  std::printf("[rad front] max front/(c t) = %.4f, final front %.4f at t = %.3f\n", worst,
              last_front, last_t);
}

// ------------------------------------------------------------------------------------------
// Item 5: Su & Olson.

TEST(RadFld, SuOlsonDiffusionSolution) {
  // 1100 steps of 1D implicit solves: on 2 oversubscribed ranks the collectives dominate and the
  // physics is the same (rank agreement of the implicit stage: regression/cases/rad_pulse.toml).
  if (test_comm().size() > 1) GTEST_SKIP() << "1-rank test";
  const std::vector<double> xs{0.01, 0.1, 0.17783, 0.31623, 0.45,    0.5,    0.56234,
                               0.75, 1.0, 1.33352, 1.77828, 3.16228, 5.62341};
  // Su & Olson (1997), diffusion-limit radiation energy (REFERENCES.md).
  const std::vector<double> u1{.50359, .49716, .48302, .43743, .36656, .33271, .29029,
                               .18879, .10150, .04060, .01011, .00003, 0.0};
  const std::vector<double> u10{1.86585, 1.85424, 1.82889, 1.74866, 1.62824, 1.57237, 1.50024,
                                1.29758, 1.06011, .79696,  .52980,  .12187,  .00445};
  for (double tau : {1.0, 10.0}) {
    auto sim = run_deck("inputs/rad/su_olson.toml", {fmt::format("time.t_end={}", tau)},
                        fmt::format("su_olson_{}", tau));
    int fid = -1;
    for (int f = 0; f < sim->mesh().fields().size(); ++f)
      if (sim->mesh().fields().spec(f).name == "erad") fid = f;
    const auto prof = gather_1d(sim->mesh(), fid, 0);
    const auto& ref = tau == 1.0 ? u1 : u10;
    double num = 0.0, den = 0.0;
    for (std::size_t q = 0; q < xs.size(); ++q) {
      const double u = interpolate(prof, xs[q]);
      num += std::abs(u - ref[q]);
      den += std::abs(ref[q]);
      if (test_comm().root())
        std::printf("[su-olson tau=%g] x %.5f  E %.5f  ref %.5f\n", tau, xs[q], u, ref[q]);
    }
    // Issue 7 item 5: L1 over the tabulated points < 2% at 512 cells.
    EXPECT_LT(num / den, 0.02) << "tau = " << tau;
    // Regression guard: measured 7.9e-5 (tau = 1) and 3.1e-5 (tau = 10), TR-BDF2, dt = 0.01;
    // the table's 5 digits alone allow ~1e-5.
    EXPECT_LT(num / den, 5e-4) << "tau = " << tau;
    if (test_comm().root()) std::printf("[su-olson tau=%g] L1 rel %.4e\n", tau, num / den);
  }
}

// ------------------------------------------------------------------------------------------
// Item 6: Lowrie & Edwards radiating shock.

double shock_position(const std::vector<std::pair<double, double>>& rho, double mid) {
  for (std::size_t q = 0; q + 1 < rho.size(); ++q) {
    if (rho[q].second < mid && rho[q + 1].second >= mid) {
      return rho[q].first + (mid - rho[q].second) / (rho[q + 1].second - rho[q].second) *
                                (rho[q + 1].first - rho[q].first);
    }
  }
  return NAN;
}

TEST(RadFld, LowrieEdwardsMach3) {
  if (test_comm().size() > 1) GTEST_SKIP() << "1-rank test (as Su-Olson: 2600 steps)";
  auto sim = run_deck("inputs/rad/lowrie_edwards_mach3.toml", {}, "le3");
  Mesh& mesh = sim->mesh();
  const auto& reg = mesh.fields();
  int frho = -1, fmom = -1, fen = -1;
  for (int f = 0; f < reg.size(); ++f) {
    if (reg.spec(f).name == "rho") frho = f;
    if (reg.spec(f).name == "mom") fmom = f;
    if (reg.spec(f).name == "energy") fen = f;
  }
  const auto rho = gather_1d(mesh, frho, 0), mom = gather_1d(mesh, fmom, 0),
             en = gather_1d(mesh, fen, 0);
  // Downstream: mean over x in [0.5, 0.9] (away from the shock and the outflow face).
  double r = 0.0, tt = 0.0;
  int n = 0;
  for (std::size_t q = 0; q < rho.size(); ++q) {
    if (rho[q].first < 0.5 || rho[q].first > 0.9) continue;
    const double u = mom[q].second / rho[q].second;
    const double p = (2.0 / 3.0) * (en[q].second - 0.5 * rho[q].second * u * u);
    r += rho[q].second;
    tt += p / (0.6 * rho[q].second);  // T = p / (rho R / mu), R/mu = 0.6
    ++n;
  }
  r /= n;
  tt /= n;
  // Issue 7 item 6: within 0.5% of Lowrie & Edwards' downstream state.
  EXPECT_NEAR(r, 3.0021677, 0.005 * 3.0021677);
  EXPECT_NEAR(tt, 3.6619127, 0.005 * 3.6619127);
  // The shock started at x = 0 (rest frame): within 2 cells (dx = 2/256) after 3 crossing
  // times of the upstream half (t = 2 = 3 x 1/(u0 = 3) x 2).
  const double xs = shock_position(rho, 0.5 * (1.0 + 3.0021677));
  EXPECT_LT(std::abs(xs), 2.0 * 2.0 / 256.0) << "shock at " << xs;
  if (test_comm().root())
    std::printf("[lowrie-edwards M3] rho1 %.7f T1 %.7f (ref 3.0021677 3.6619127) shock at %.5f\n",
                r, tt, xs);
}

// ------------------------------------------------------------------------------------------
// Radiation off: bitwise identical to the gas dynamics alone (ladder item 7): Sod with
// hydro, Brio-Wu with MHD (face field included).

void expect_bitwise_same_fields(const std::string& plain_deck, const std::string& rad_deck,
                                const std::vector<std::string>& fields) {
  auto a = run_deck(plain_deck, {}, "plain");
  auto b = run_deck(rad_deck, {}, "rad_off");
  ASSERT_EQ(a->step(), b->step());
  for (const std::string& name : fields) {
    int fa = -1, fb = -1;
    for (int f = 0; f < a->mesh().fields().size(); ++f)
      if (a->mesh().fields().spec(f).name == name) fa = f;
    for (int f = 0; f < b->mesh().fields().size(); ++f)
      if (b->mesh().fields().spec(f).name == name) fb = f;
    ASSERT_GE(fa, 0) << name;
    ASSERT_GE(fb, 0) << name;
    for (std::size_t lb = 0; lb < a->mesh().blocks().size(); ++lb) {
      const Block& ba = *a->mesh().blocks()[lb];
      const Block& bb = *b->mesh().blocks()[lb];
      const Array4& ua = ba.field(fa);
      const Array4& ub = bb.field(fb);
      for (int c = 0; c < ua.ncomp(); ++c)
        for_each_cell(ba.interior(), [&](int k, int j, int i) {
          ASSERT_EQ(ua(c, k, j, i), ub(c, k, j, i)) << name << " c " << c;  // bitwise
        });
    }
  }
}

TEST(RadFld, RadiationOffIsBitwisePureHydro) {
  expect_bitwise_same_fields("inputs/hydro/sod.toml", "inputs/rad/sod_rad_off.toml",
                             {"rho", "mom", "energy"});
}

TEST(RadFld, RadiationOffIsBitwisePureMhd) {
  expect_bitwise_same_fields("inputs/mhd/brio_wu.toml", "inputs/rad/brio_wu_rad_off.toml",
                             {"rho", "mom", "energy", "bface"});
}

}  // namespace
}  // namespace tessera

// SSP Runge-Kutta tables: the Shu-Osher coefficients, and the orders they achieve when the
// stages are applied by hand to scalar ODEs.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "tessera/numerics/integrator.hpp"

namespace tessera {
namespace {

/// One step of y' = rhs(t, y) with the stage table, exactly as the integrator applies it:
/// y <- a y^n + b (y + dt L(y)) at time t + c dt.
double rk_step(const std::vector<RKStage>& st, const std::function<double(double, double)>& rhs,
               double t, double y, double dt) {
  const double y0 = y;
  for (const RKStage& s : st) y = s.a * y0 + s.b * (y + dt * rhs(t + s.c * dt, y));
  return y;
}

double integrate(IntegratorKind k, const std::function<double(double, double)>& rhs, double y0,
                 double t_end, int steps) {
  const auto st = rk_stages(k);
  const double dt = t_end / steps;
  double y = y0;
  for (int n = 0; n < steps; ++n) y = rk_step(st, rhs, n * dt, y, dt);
  return y;
}

TEST(Integrator, ForwardEulerTable) {
  const auto st = rk_stages(IntegratorKind::kRK1);
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].a, 0.0);
  EXPECT_EQ(st[0].b, 1.0);
  EXPECT_EQ(st[0].c, 0.0);
}

TEST(Integrator, SspRk2IsShuOsher) {
  // u1 = u + dt L(u);  u2 = 1/2 u + 1/2 (u1 + dt L(u1)), L(u1) at t + dt.
  const auto st = rk_stages(IntegratorKind::kSSPRK2);
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(st[0].a, 0.0);
  EXPECT_EQ(st[0].b, 1.0);
  EXPECT_EQ(st[0].c, 0.0);
  EXPECT_EQ(st[1].a, 0.5);
  EXPECT_EQ(st[1].b, 0.5);
  EXPECT_EQ(st[1].c, 1.0);
}

TEST(Integrator, SspRk3IsShuOsher) {
  // u1 = u + dt L(u);  u2 = 3/4 u + 1/4 (u1 + dt L(u1)) at t + dt;
  // u3 = 1/3 u + 2/3 (u2 + dt L(u2)) at t + dt/2.
  const auto st = rk_stages(IntegratorKind::kSSPRK3);
  ASSERT_EQ(st.size(), 3u);
  EXPECT_EQ(st[0].a, 0.0);
  EXPECT_EQ(st[0].b, 1.0);
  EXPECT_EQ(st[0].c, 0.0);
  EXPECT_EQ(st[1].a, 0.75);
  EXPECT_EQ(st[1].b, 0.25);
  EXPECT_EQ(st[1].c, 1.0);
  EXPECT_DOUBLE_EQ(st[2].a, 1.0 / 3.0);  // 4 ulps: 1/3 and 2/3 are not exact in binary
  EXPECT_DOUBLE_EQ(st[2].b, 2.0 / 3.0);
  EXPECT_EQ(st[2].c, 0.5);
}

TEST(Integrator, StagesAreConvexCombinations) {
  for (auto k : {IntegratorKind::kRK1, IntegratorKind::kSSPRK2, IntegratorKind::kSSPRK3}) {
    for (const RKStage& s : rk_stages(k)) {
      EXPECT_GE(s.a, 0.0);
      EXPECT_GT(s.b, 0.0);
      EXPECT_DOUBLE_EQ(s.a + s.b, 1.0);  // 4 ulps: 1/3 + 2/3 rounds
    }
  }
}

TEST(Integrator, FromString) {
  EXPECT_EQ(integrator_from_string("rk1"), IntegratorKind::kRK1);
  EXPECT_EQ(integrator_from_string("rk2"), IntegratorKind::kSSPRK2);
  EXPECT_EQ(integrator_from_string("rk3"), IntegratorKind::kSSPRK3);
}

/// Observed order of accuracy on y' = -y, y(0) = 1, t in [0, 1]: log2(e(dt) / e(dt/2)).
std::vector<double> observed_orders(IntegratorKind k) {
  const auto decay = [](double, double y) { return -y; };
  const double exact = std::exp(-1.0);
  std::vector<double> orders;
  double prev = 0.0;
  for (int steps : {10, 20, 40, 80, 160}) {
    const double err = std::abs(integrate(k, decay, 1.0, 1.0, steps) - exact);
    if (prev > 0.0) orders.push_back(std::log2(prev / err));
    prev = err;
  }
  return orders;
}

TEST(Integrator, ConvergenceOrderOnDecay) {
  const struct {
    IntegratorKind k;
    double p;
  } cases[] = {
      {IntegratorKind::kRK1, 1.0}, {IntegratorKind::kSSPRK2, 2.0}, {IntegratorKind::kSSPRK3, 3.0}};
  for (const auto& c : cases) {
    const auto orders = observed_orders(c.k);
    ASSERT_EQ(orders.size(), 4u);
    // The error constant approaches its limit as dt -> 0; within 0.1 of p from dt = 1/20 on.
    for (std::size_t i = 1; i < orders.size(); ++i) {
      EXPECT_NEAR(orders[i], c.p, 0.1) << "order " << c.p << ", refinement " << i;
    }
  }
}

TEST(Integrator, OneStepOfRk2IsTheTaylorPolynomial) {
  // For y' = -y, SSPRK2 gives y1 = 1 - dt + dt^2/2 exactly (a polynomial in dt).
  const auto st = rk_stages(IntegratorKind::kSSPRK2);
  const double dt = 0.5;
  EXPECT_EQ(rk_step(
                st, [](double, double y) { return -y; }, 0.0, 1.0, dt),
            1 - dt + dt * dt / 2);
  // SSPRK3: 1 - dt + dt^2/2 - dt^3/6; dt = 0.5 gives 0.604166...; 1e-15: rounding of 1/3, 2/3.
  const auto st3 = rk_stages(IntegratorKind::kSSPRK3);
  EXPECT_NEAR(rk_step(
                  st3, [](double, double y) { return -y; }, 0.0, 1.0, dt),
              1 - dt + dt * dt / 2 - dt * dt * dt / 6, 1e-15);
}

TEST(Integrator, StageTimesIntegratePolynomialsExactly) {
  // For y' = g(t) the stages are a quadrature rule: SSPRK2 is the trapezoidal rule (c = 0, 1),
  // SSPRK3 is Simpson's rule (weights 1/6, 1/6, 2/3 at c = 0, 1, 1/2), exact for cubics.
  // Only the right stage times c make these exact.
  const double t0 = 0.5, dt = 2.0;
  const auto lin = [](double t, double) { return 3.0 * t + 1.0; };  // y = 1.5 t^2 + t
  const auto cubic = [](double t, double) { return 4.0 * t * t * t - 3.0 * t * t; };  // t^4 - t^3
  const double lin_exact = (1.5 * 2.5 * 2.5 + 2.5) - (1.5 * 0.25 + 0.5);
  const double cubic_exact = (std::pow(2.5, 4) - std::pow(2.5, 3)) - (0.0625 - 0.125);
  EXPECT_EQ(rk_step(rk_stages(IntegratorKind::kSSPRK2), lin, t0, 0.0, dt), lin_exact);
  // 1e-13: rounding of 1/3 and 2/3 in the table, on values of order 20.
  EXPECT_NEAR(rk_step(rk_stages(IntegratorKind::kSSPRK3), cubic, t0, 0.0, dt), cubic_exact, 1e-13);
  // And the same stages are not exact for a quadratic with trapezoid (SSPRK2 is second order).
  const auto quad = [](double t, double) { return 3.0 * t * t; };
  EXPECT_NE(rk_step(rk_stages(IntegratorKind::kSSPRK2), quad, 0.0, 0.0, 1.0), 1.0);
}

}  // namespace
}  // namespace tessera

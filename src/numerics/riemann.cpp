// Riemann solvers for the Euler equations (ideal gas). The approximate solvers are written as
// straight-line code over a pencil of faces: every branch of the textbook algorithms is
// replaced by min/max and a final select, so GCC if-converts and vectorises the loops (this
// file is compiled with -fno-math-errno -fno-trapping-math so that sqrt vectorises and GCC
// may if-convert the selects: results are unchanged, only FP-exception flags, which Tessera
// never reads, may differ).
#include "tessera/numerics/riemann.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "tessera/core/errors.hpp"

namespace tessera {

RiemannKind riemann_from_string(const std::string& s) {
  if (s == "hlle") return RiemannKind::kHLLE;
  if (s == "exact") return RiemannKind::kExact;
  return RiemannKind::kHLLC;
}

namespace {

/// The pencil solvers' loops live in functions whose every array is a restrict-qualified
/// parameter: GCC then proves independence and vectorises (pointers read from a struct or
/// a PencilBuffer member are not enough for its data-reference analysis).
#define TESSERA_PENCIL_ARGS                                                                       \
  const double* __restrict rl_, const double* __restrict ul_, const double* __restrict v1l_,      \
      const double* __restrict v2l_, const double* __restrict pl_, const double* __restrict rr_,  \
      const double* __restrict ur_, const double* __restrict v1r_, const double* __restrict v2r_, \
      const double* __restrict pr_, double* __restrict fm_, double* __restrict fn_,               \
      double* __restrict f1_, double* __restrict f2_, double* __restrict fe_

template <typename Kernel>
void run_pencil(Kernel kernel, const IdealGasEos& eos, int n, const PencilBuffer& wl,
                const PencilBuffer& wr, PencilBuffer& f) {
  kernel(eos.gamma, n, wl(0), wl(1), wl(2), wl(3), wl(4), wr(0), wr(1), wr(2), wr(3), wr(4), f(0),
         f(1), f(2), f(3), f(4));
}

void hlle_kernel(double g, int n, TESSERA_PENCIL_ARGS) {
  const double gm1 = g - 1.0, igm1 = 1.0 / gm1;
  for (int i = 0; i < n; ++i) {
    const double rl = rl_[i], ul = ul_[i], v1l = v1l_[i], v2l = v2l_[i], pl = pl_[i];
    const double rr = rr_[i], ur = ur_[i], v1r = v1r_[i], v2r = v2r_[i], pr = pr_[i];
    const double kel = 0.5 * rl * (ul * ul + v1l * v1l + v2l * v2l);
    const double ker = 0.5 * rr * (ur * ur + v1r * v1r + v2r * v2r);
    const double el = pl * igm1 + kel, er = pr * igm1 + ker;
    // Roe averages (Toro 2009 eqs. 11.60) bound the fastest signals (Einfeldt 1988).
    const double sql = std::sqrt(rl), sqr = std::sqrt(rr), isq = 1.0 / (sql + sqr);
    const double ua = (sql * ul + sqr * ur) * isq;
    const double v1a = (sql * v1l + sqr * v1r) * isq, v2a = (sql * v2l + sqr * v2r) * isq;
    const double ha = (sql * (el + pl) / rl + sqr * (er + pr) / rr) * isq;
    const double a2a = gm1 * (ha - 0.5 * (ua * ua + v1a * v1a + v2a * v2a));
    const double aa = std::sqrt(std::max(a2a, 0.0));
    const double al = std::sqrt(g * pl / rl), ar = std::sqrt(g * pr / rr);
    const double bm = std::min(std::min(ul - al, ua - aa), 0.0);
    const double bp = std::max(std::max(ur + ar, ua + aa), 0.0);
    // F = (bp F_L - bm F_R + bp bm (U_R - U_L)) / (bp - bm)   (Toro eq. 10.21 with the
    // speeds clipped at 0, which covers the supersonic cases without a branch).
    const double idb = 1.0 / (bp - bm), bpm = bp * bm;
    const double fl0 = rl * ul, fr0 = rr * ur;
    fm_[i] = (bp * fl0 - bm * fr0 + bpm * (rr - rl)) * idb;
    fn_[i] = (bp * (fl0 * ul + pl) - bm * (fr0 * ur + pr) + bpm * (fr0 - fl0)) * idb;
    f1_[i] = (bp * fl0 * v1l - bm * fr0 * v1r + bpm * (rr * v1r - rl * v1l)) * idb;
    f2_[i] = (bp * fl0 * v2l - bm * fr0 * v2r + bpm * (rr * v2r - rl * v2l)) * idb;
    fe_[i] = (bp * ul * (el + pl) - bm * ur * (er + pr) + bpm * (er - el)) * idb;
  }
}

void hllc_kernel(double g, int n, TESSERA_PENCIL_ARGS) {
  const double gm1 = g - 1.0, igm1 = 1.0 / gm1;

  for (int i = 0; i < n; ++i) {
    const double rl = rl_[i], ul = ul_[i], v1l = v1l_[i], v2l = v2l_[i], pl = pl_[i];
    const double rr = rr_[i], ur = ur_[i], v1r = v1r_[i], v2r = v2r_[i], pr = pr_[i];
    const double el = pl * igm1 + 0.5 * rl * (ul * ul + v1l * v1l + v2l * v2l);
    const double er = pr * igm1 + 0.5 * rr * (ur * ur + v1r * v1r + v2r * v2r);
    // Wave speeds of Batten et al. 1997 (eq. 48): extremes of the one-sided and Roe-averaged
    // characteristic speeds.
    const double sql = std::sqrt(rl), sqr = std::sqrt(rr), isq = 1.0 / (sql + sqr);
    const double ua = (sql * ul + sqr * ur) * isq;
    const double v1a = (sql * v1l + sqr * v1r) * isq, v2a = (sql * v2l + sqr * v2r) * isq;
    const double ha = (sql * (el + pl) / rl + sqr * (er + pr) / rr) * isq;
    const double aa =
        std::sqrt(std::max(gm1 * (ha - 0.5 * (ua * ua + v1a * v1a + v2a * v2a)), 0.0));
    const double al = std::sqrt(g * pl / rl), ar = std::sqrt(g * pr / rr);
    const double sl = std::min(ul - al, ua - aa);
    const double sr = std::max(ur + ar, ua + aa);
    // Contact speed, Toro eq. 10.37.
    const double ml = rl * (sl - ul), mr = rr * (sr - ur);  // mass fluxes through the outer waves
    const double sm = (pr - pl + ml * ul - mr * ur) / (ml - mr);
    // Star states U*_K = rho_K (S_K - u_K)/(S_K - S_M) [1, S_M, vt1, vt2, E_K/rho_K +
    // (S_M - u_K)(S_M + p_K/(rho_K (S_K - u_K)))]   (Toro eq. 10.39).
    const double cl = ml / (sl - sm), cr = mr / (sr - sm);
    const double esl = cl * (el / rl + (sm - ul) * (sm + pl / ml));
    const double esr = cr * (er / rr + (sm - ur) * (sm + pr / mr));
    // F*_K = F_K + S_K (U*_K - U_K) (eq. 10.38); with S_L clipped to <= 0 and S_R to >= 0
    // the left formula gives F_L for a supersonic left state and the right one F_R, so only
    // the sign of S_M remains to select (eq. 10.26).
    const double bm = std::min(sl, 0.0), bp = std::max(sr, 0.0);
    const double fl0 = rl * ul, fr0 = rr * ur;
    const double fm_l = fl0 + bm * (cl - rl);
    const double fm_r = fr0 + bp * (cr - rr);
    const double fn_l = fl0 * ul + pl + bm * (cl * sm - fl0);
    const double fn_r = fr0 * ur + pr + bp * (cr * sm - fr0);
    const double f1_l = fl0 * v1l + bm * (cl - rl) * v1l;
    const double f1_r = fr0 * v1r + bp * (cr - rr) * v1r;
    const double f2_l = fl0 * v2l + bm * (cl - rl) * v2l;
    const double f2_r = fr0 * v2r + bp * (cr - rr) * v2r;
    const double fe_l = ul * (el + pl) + bm * (esl - el);
    const double fe_r = ur * (er + pr) + bp * (esr - er);
    const bool left = sm >= 0.0;
    fm_[i] = left ? fm_l : fm_r;
    fn_[i] = left ? fn_l : fn_r;
    f1_[i] = left ? f1_l : f1_r;
    f2_[i] = left ? f2_l : f2_r;
    fe_[i] = left ? fe_l : fe_r;
  }
}

void exact_kernel(double g, int n, TESSERA_PENCIL_ARGS) {
  const double igm1 = 1.0 / (g - 1.0);

  for (int i = 0; i < n; ++i) {
    const ExactRiemannSolver rs(g, {rl_[i], ul_[i], pl_[i]}, {rr_[i], ur_[i], pr_[i]});
    const Prim1D w = rs.sample(0.0);
    // Transverse velocities are advected with the contact (Toro 2009 sec. 4.8).
    const bool left = rs.u_star() >= 0.0;
    const double v1 = left ? v1l_[i] : v1r_[i], v2 = left ? v2l_[i] : v2r_[i];
    const double m = w.rho * w.u;
    fm_[i] = m;
    fn_[i] = m * w.u + w.p;
    f1_[i] = m * v1;
    f2_[i] = m * v2;
    fe_[i] = w.u * (w.p * igm1 + 0.5 * w.rho * (w.u * w.u + v1 * v1 + v2 * v2) + w.p);
  }
}

#undef TESSERA_PENCIL_ARGS

}  // namespace

void riemann_hlle(const IdealGasEos& eos, int n, const PencilBuffer& wl, const PencilBuffer& wr,
                  PencilBuffer& flux) {
  run_pencil(hlle_kernel, eos, n, wl, wr, flux);
}

void riemann_hllc(const IdealGasEos& eos, int n, const PencilBuffer& wl, const PencilBuffer& wr,
                  PencilBuffer& flux) {
  run_pencil(hllc_kernel, eos, n, wl, wr, flux);
}

void riemann_exact(const IdealGasEos& eos, int n, const PencilBuffer& wl, const PencilBuffer& wr,
                   PencilBuffer& flux) {
  run_pencil(exact_kernel, eos, n, wl, wr, flux);
}

// ------------------------------------------------------------------------------------------
// Exact solver (Toro 2009, ch. 4).

ExactRiemannSolver::ExactRiemannSolver(double gamma, const Prim1D& left, const Prim1D& right)
    : gamma_(gamma), left_(left), right_(right) {
  const double g = gamma_;
  if (!(left.rho > 0.0 && right.rho > 0.0 && left.p > 0.0 && right.p > 0.0)) {
    throw PhysicsError(fmt::format(
        "exact Riemann solver: non-positive density or pressure in the data (left rho = {}, "
        "p = {}; right rho = {}, p = {})",
        left.rho, left.p, right.rho, right.p));
  }
  al_ = std::sqrt(g * left.p / left.rho);
  ar_ = std::sqrt(g * right.p / right.rho);
  const double du = right.u - left.u;
  // Pressure positivity condition, Toro eq. 4.40: otherwise the data generate vacuum.
  if (2.0 / (g - 1.0) * (al_ + ar_) <= du) {
    throw PhysicsError(fmt::format(
        "exact Riemann solver: the data generate vacuum (2(aL + aR)/(gamma - 1) = {} <= "
        "uR - uL = {}); this solver does not handle vacuum",
        2.0 / (g - 1.0) * (al_ + ar_), du));
  }
  // Initial guess: two-rarefaction approximation (Toro eq. 4.46), positive whenever there is
  // no vacuum; f is monotone and concave, so Newton converges from it (Toro sec. 4.3.2).
  const double z = (g - 1.0) / (2.0 * g);
  double p = std::pow(
      (al_ + ar_ - 0.5 * (g - 1.0) * du) / (al_ / std::pow(left.p, z) + ar_ / std::pow(right.p, z)),
      1.0 / z);
  const double p_tiny = 1e-14 * std::min(left.p, right.p);
  p = std::max(p, p_tiny);
  for (iterations_ = 1; iterations_ <= 200; ++iterations_) {
    double fl, dfl, fr, dfr;
    pressure_function(p, left_, al_, fl, dfl);
    pressure_function(p, right_, ar_, fr, dfr);
    const double pn = std::max(p - (fl + fr + du) / (dfl + dfr), p_tiny);
    const double change = 2.0 * std::abs(pn - p) / (pn + p);
    p = pn;
    if (change < 1e-15) break;
  }
  if (iterations_ > 200) {
    throw PhysicsError("exact Riemann solver: the Newton iteration for p* did not converge");
  }
  double fl, dfl, fr, dfr;
  pressure_function(p, left_, al_, fl, dfl);
  pressure_function(p, right_, ar_, fr, dfr);
  p_star_ = p;
  u_star_ = 0.5 * (left.u + right.u) + 0.5 * (fr - fl);  // Toro eq. 4.9
  const double g6 = (g - 1.0) / (g + 1.0);
  // Left wave: shock (eqs. 4.50, 4.52) or rarefaction (eqs. 4.53-4.55).
  if (p_star_ > left.p) {
    const double r = p_star_ / left.p;
    rho_star_l_ = left.rho * (r + g6) / (g6 * r + 1.0);
    sl_head_ = sl_tail_ =
        left.u - al_ * std::sqrt((g + 1.0) / (2.0 * g) * r + (g - 1.0) / (2.0 * g));
  } else {
    rho_star_l_ = left.rho * std::pow(p_star_ / left.p, 1.0 / g);
    sl_head_ = left.u - al_;
    sl_tail_ = u_star_ - al_ * std::pow(p_star_ / left.p, z);
  }
  // Right wave: eqs. 4.57, 4.59 (shock) or 4.60-4.62 (rarefaction).
  if (p_star_ > right.p) {
    const double r = p_star_ / right.p;
    rho_star_r_ = right.rho * (r + g6) / (g6 * r + 1.0);
    sr_head_ = sr_tail_ =
        right.u + ar_ * std::sqrt((g + 1.0) / (2.0 * g) * r + (g - 1.0) / (2.0 * g));
  } else {
    rho_star_r_ = right.rho * std::pow(p_star_ / right.p, 1.0 / g);
    sr_head_ = right.u + ar_;
    sr_tail_ = u_star_ + ar_ * std::pow(p_star_ / right.p, z);
  }
}

void ExactRiemannSolver::pressure_function(double p, const Prim1D& k, double a, double& f,
                                           double& df) const {
  const double g = gamma_;
  if (p > k.p) {
    // Shock, Toro eq. 4.6/4.7 with A_K = 2/((g+1) rho_K), B_K = (g-1)/(g+1) p_K.
    const double ak = 2.0 / ((g + 1.0) * k.rho), bk = (g - 1.0) / (g + 1.0) * k.p;
    const double q = std::sqrt(ak / (bk + p));
    f = (p - k.p) * q;
    df = q * (1.0 - 0.5 * (p - k.p) / (bk + p));
  } else {
    // Rarefaction.
    const double r = p / k.p;
    f = 2.0 * a / (g - 1.0) * (std::pow(r, (g - 1.0) / (2.0 * g)) - 1.0);
    df = 1.0 / (k.rho * a) * std::pow(r, -(g + 1.0) / (2.0 * g));
  }
}

Prim1D ExactRiemannSolver::sample(double s) const {
  const double g = gamma_;
  const double g1 = 2.0 / (g + 1.0), g2 = (g - 1.0) / (g + 1.0);
  if (s <= u_star_) {
    if (s <= sl_head_) return left_;
    if (s >= sl_tail_) return {rho_star_l_, u_star_, p_star_};
    // Inside the left fan, Toro eq. 4.56.
    const double c = g1 + g2 / al_ * (left_.u - s);
    return {left_.rho * std::pow(c, 2.0 / (g - 1.0)), g1 * (al_ + 0.5 * (g - 1.0) * left_.u + s),
            left_.p * std::pow(c, 2.0 * g / (g - 1.0))};
  }
  if (s >= sr_head_) return right_;
  if (s <= sr_tail_) return {rho_star_r_, u_star_, p_star_};
  // Inside the right fan, Toro eq. 4.63.
  const double c = g1 - g2 / ar_ * (right_.u - s);
  return {right_.rho * std::pow(c, 2.0 / (g - 1.0)), g1 * (-ar_ + 0.5 * (g - 1.0) * right_.u + s),
          right_.p * std::pow(c, 2.0 * g / (g - 1.0))};
}

}  // namespace tessera

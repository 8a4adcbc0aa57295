// Ideal-MHD Riemann solvers over face pencils (numerics/riemann_mhd.hpp).
//
// Both solvers evaluate every face with the same straight-line code (selects instead of
// branches) so the loops vectorise; divisions that can be singular are guarded by selects.
#include "tessera/numerics/riemann_mhd.hpp"

#include <algorithm>
#include <cmath>

namespace tessera {

MhdRiemannKind mhd_riemann_from_string(const std::string& s) {
  return s == "hlle" ? MhdRiemannKind::kHLLE : MhdRiemannKind::kHLLD;
}

namespace {

/// Conserved state (rho, m_n, m_t1, m_t2, E, B_t1, B_t2) and flux of one face state.
struct MhdFaceState {
  double w[kMhdVars];  // primitive state (MhdVar order)
  double u[kMhdVars];
  double f[kMhdVars];
  double pt;  // total pressure p + B^2/2
  double cf;  // fast speed
};

inline MhdFaceState face_state(double gamma, double bx, double r, double vn, double v1, double v2,
                               double p, double b1, double b2) {
  MhdFaceState s;
  const double bsq = bx * bx + b1 * b1 + b2 * b2;
  const double e = p / (gamma - 1.0) + 0.5 * r * (vn * vn + v1 * v1 + v2 * v2) + 0.5 * bsq;
  s.pt = p + 0.5 * bsq;
  s.cf = std::sqrt(fast_speed2(gamma, r, p, bx, bsq));
  const double vb = vn * bx + v1 * b1 + v2 * b2;
  s.w[0] = r;
  s.w[1] = vn;
  s.w[2] = v1;
  s.w[3] = v2;
  s.w[4] = p;
  s.w[5] = b1;
  s.w[6] = b2;
  s.u[0] = r;
  s.u[1] = r * vn;
  s.u[2] = r * v1;
  s.u[3] = r * v2;
  s.u[4] = e;
  s.u[5] = b1;
  s.u[6] = b2;
  // Ideal-MHD flux along the normal (e.g. Miyoshi & Kusano 2005 eq. 3).
  s.f[0] = r * vn;
  s.f[1] = r * vn * vn + s.pt - bx * bx;
  s.f[2] = r * vn * v1 - bx * b1;
  s.f[3] = r * vn * v2 - bx * b2;
  s.f[4] = (e + s.pt) * vn - bx * vb;
  s.f[5] = b1 * vn - bx * v1;
  s.f[6] = b2 * vn - bx * v2;
  return s;
}

/// The kernels take every array as a restrict-qualified parameter so GCC's data-reference
/// analysis proves independence and vectorises (as for the hydro solvers, riemann.cpp).
#define TESSERA_MHD_PENCIL_ARGS                                                                   \
  const double* __restrict bn, const double* __restrict l0, const double* __restrict l1,          \
      const double* __restrict l2, const double* __restrict l3, const double* __restrict l4,      \
      const double* __restrict l5, const double* __restrict l6, const double* __restrict r0,      \
      const double* __restrict r1, const double* __restrict r2, const double* __restrict r3,      \
      const double* __restrict r4, const double* __restrict r5, const double* __restrict r6,      \
      double* __restrict f0, double* __restrict f1, double* __restrict f2, double* __restrict f3, \
      double* __restrict f4, double* __restrict f5, double* __restrict f6

inline void hlle_face(double bx, const MhdFaceState& l, const MhdFaceState& r, double* fo) {
  (void)bx;
  // Davis (1988) bounds; bl <= 0 <= br so the formula covers supersonic faces too.
  const double bl = std::min(std::min(l.w[1] - l.cf, r.w[1] - r.cf), 0.0);
  const double br = std::max(std::max(l.w[1] + l.cf, r.w[1] + r.cf), 0.0);
  const double inv = 1.0 / (br - bl);
  for (int v = 0; v < kMhdVars; ++v) {
    fo[v] = (br * l.f[v] - bl * r.f[v] + bl * br * (r.u[v] - l.u[v])) * inv;
  }
}

inline void hlld_face(double bx, const MhdFaceState& l, const MhdFaceState& r, double* fo) {
  // Relative size below which rho_K (S_K - u_K)(S_K - S_M) - B_n^2 counts as zero (the
  // degenerate case S_K* -> S_K of Miyoshi & Kusano sec. 4.2, where eqs. 44-47 are 0/0 and
  // the transverse velocity and field do not jump across the fast wave).
  constexpr double kDegenerate = 1e-8;
  const double bx2 = bx * bx;
  const double rl = l.w[0], ul = l.w[1], vl = l.w[2], wl_ = l.w[3], byl = l.w[5], bzl = l.w[6];
  const double rr = r.w[0], ur = r.w[1], vr = r.w[2], wr_ = r.w[3], byr = r.w[5], bzr = r.w[6];
  // Outer wave speeds, eq. 67.
  const double cmax = std::max(l.cf, r.cf);
  const double sl = std::min(ul, ur) - cmax;
  const double sr = std::max(ul, ur) + cmax;
  // Contact speed and star total pressure, eqs. 38 and 41.
  const double sdl = sl - ul, sdr = sr - ur;
  const double den = 1.0 / (sdr * rr - sdl * rl);
  const double sm = (sdr * rr * ur - sdl * rl * ul - r.pt + l.pt) * den;
  const double pts = (sdr * rr * l.pt - sdl * rl * r.pt + rl * rr * sdr * sdl * (ur - ul)) * den;
  // Single-star states, eqs. 43-48, one side at a time through a small lambda.
  struct Star {
    double rho, v, w, by, bz, e, vb;
  };
  auto star = [&](double sk, double rk, double uk, double vk, double wk, double byk, double bzk) {
    Star s;
    const double sdk = sk - uk, ism = 1.0 / (sk - sm);
    s.rho = rk * sdk * ism;
    const double d = rk * sdk * (sk - sm) - bx2;
    const bool degenerate = std::abs(d) < kDegenerate * pts;
    const double id = degenerate ? 0.0 : 1.0 / d;
    const double fv = bx * (sm - uk) * id;                             // eqs. 44, 46
    const double fb = degenerate ? 1.0 : (rk * sdk * sdk - bx2) * id;  // eqs. 45, 47
    s.v = vk - byk * fv;
    s.w = wk - bzk * fv;
    s.by = byk * fb;
    s.bz = bzk * fb;
    s.vb = sm * bx + s.v * s.by + s.w * s.bz;
    s.e = 0.0;  // eq. 48, below (needs both sides' total pressure terms)
    return s;
  };
  Star ls = star(sl, rl, ul, vl, wl_, byl, bzl);
  Star rs = star(sr, rr, ur, vr, wr_, byr, bzr);
  // Energy of the star states, eq. 48.
  const double vbl = ul * bx + vl * byl + wl_ * bzl, vbr = ur * bx + vr * byr + wr_ * bzr;
  ls.e = (sdl * l.u[4] - l.pt * ul + pts * sm + bx * (vbl - ls.vb)) / (sl - sm);
  rs.e = (sdr * r.u[4] - r.pt * ur + pts * sm + bx * (vbr - rs.vb)) / (sr - sm);
  // Double-star states across the rotational discontinuities, eqs. 59-63 and 51.
  const double sql = std::sqrt(ls.rho), sqr = std::sqrt(rs.rho);
  const double isum = 1.0 / (sql + sqr);
  const double sgn = std::copysign(1.0, bx);
  const double vss = (sql * ls.v + sqr * rs.v + (rs.by - ls.by) * sgn) * isum;
  const double wss = (sql * ls.w + sqr * rs.w + (rs.bz - ls.bz) * sgn) * isum;
  const double byss = (sql * rs.by + sqr * ls.by + sql * sqr * (rs.v - ls.v) * sgn) * isum;
  const double bzss = (sql * rs.bz + sqr * ls.bz + sql * sqr * (rs.w - ls.w) * sgn) * isum;
  const double vbss = sm * bx + vss * byss + wss * bzss;
  const double sls = sm - std::abs(bx) / sql, srs = sm + std::abs(bx) / sqr;
  // Pick the side of the contact containing x/t = 0, then the region on that side:
  // F = F_K + a1 S_K (U_K* - U_K) + a2 S_K* (U_K** - U_K*) (eqs. 64-66).
  // Value selects (not reference selects) so the compiler if-converts and vectorises.
  const bool left = sm >= 0.0;
  const double sk = left ? sl : sr, sks = left ? sls : srs;
  const double a1 = left ? (sl <= 0.0 ? 1.0 : 0.0) : (sr >= 0.0 ? 1.0 : 0.0);
  const double a2 = left ? (sls <= 0.0 ? 1.0 : 0.0) : (srs >= 0.0 ? 1.0 : 0.0);
  const double sg = left ? -sql * sgn : sqr * sgn;
  const double krho = left ? ls.rho : rs.rho, kv = left ? ls.v : rs.v, kw = left ? ls.w : rs.w;
  const double ke = left ? ls.e : rs.e, kby = left ? ls.by : rs.by, kbz = left ? ls.bz : rs.bz;
  const double kvb = left ? ls.vb : rs.vb;
  const double ess = ke + sg * (kvb - vbss);
  const double us[kMhdVars] = {krho, krho * sm, krho * kv, krho * kw, ke, kby, kbz};
  const double uss[kMhdVars] = {krho, krho * sm, krho * vss, krho * wss, ess, byss, bzss};
  for (int v = 0; v < kMhdVars; ++v) {
    const double uk = left ? l.u[v] : r.u[v], fk = left ? l.f[v] : r.f[v];
    fo[v] = fk + a1 * (sk * (us[v] - uk) + a2 * sks * (uss[v] - us[v]));
  }
}

/// One loop for both solvers: load the two face states, call the per-face solver, store.
template <typename FaceSolver>
void pencil_kernel(FaceSolver solve, double g, int n, TESSERA_MHD_PENCIL_ARGS) {
  for (int i = 0; i < n; ++i) {
    const double bx = bn[i];
    const MhdFaceState l = face_state(g, bx, l0[i], l1[i], l2[i], l3[i], l4[i], l5[i], l6[i]);
    const MhdFaceState r = face_state(g, bx, r0[i], r1[i], r2[i], r3[i], r4[i], r5[i], r6[i]);
    double fo[kMhdVars];
    solve(bx, l, r, fo);
    f0[i] = fo[0];
    f1[i] = fo[1];
    f2[i] = fo[2];
    f3[i] = fo[3];
    f4[i] = fo[4];
    f5[i] = fo[5];
    f6[i] = fo[6];
  }
}

template <typename FaceSolver>
void run_mhd_pencil(FaceSolver solve, double g, int n, const double* bn, const PencilBuffer& wl,
                    const PencilBuffer& wr, double* const* f) {
  pencil_kernel(solve, g, n, bn, wl(0), wl(1), wl(2), wl(3), wl(4), wl(5), wl(6), wr(0), wr(1),
                wr(2), wr(3), wr(4), wr(5), wr(6), f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
}

/// The seven arrays of a flux pencil.
struct PencilOut {
  double* p[kMhdVars];
  explicit PencilOut(PencilBuffer& f) {
    for (int v = 0; v < kMhdVars; ++v) p[v] = f(v);
  }
};

}  // namespace

void riemann_mhd_hlle(const IdealGasEos& eos, int n, const double* bn, const PencilBuffer& wl,
                      const PencilBuffer& wr, PencilBuffer& flux) {
  riemann_mhd_hlle(eos, n, bn, wl, wr, PencilOut(flux).p);
}

void riemann_mhd_hlld(const IdealGasEos& eos, int n, const double* bn, const PencilBuffer& wl,
                      const PencilBuffer& wr, PencilBuffer& flux) {
  riemann_mhd_hlld(eos, n, bn, wl, wr, PencilOut(flux).p);
}

void riemann_mhd_hlle(const IdealGasEos& eos, int n, const double* bn, const PencilBuffer& wl,
                      const PencilBuffer& wr, double* const* flux) {
  // A lambda (not a function pointer) so the per-face solver inlines into the loop.
  run_mhd_pencil([](double bx, const MhdFaceState& l, const MhdFaceState& r,
                    double* fo) { hlle_face(bx, l, r, fo); },
                 eos.gamma, n, bn, wl, wr, flux);
}

void riemann_mhd_hlld(const IdealGasEos& eos, int n, const double* bn, const PencilBuffer& wl,
                      const PencilBuffer& wr, double* const* flux) {
  run_mhd_pencil([](double bx, const MhdFaceState& l, const MhdFaceState& r,
                    double* fo) { hlld_face(bx, l, r, fo); },
                 eos.gamma, n, bn, wl, wr, flux);
}

}  // namespace tessera

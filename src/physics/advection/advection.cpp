#include "tessera/physics/advection.hpp"

#include <cmath>
#include <limits>

#include "tessera/core/config.hpp"

namespace tessera {

namespace {

/// Adds -(F[i+1/2] - F[i-1/2]) / dx along `Axis` to rhs on the interior of `b`, with
/// F the upwind flux of MUSCL face states (van Leer 1979), one kernel for every axis.
template <int Axis, typename Lim>
void add_upwind_divergence(const Block& b, const Array4& u, Array4& rhs, Array4& flux, double vel,
                           bool first_order) {
  const std::ptrdiff_t s = u.stride(Axis);
  const double* q = u.comp(0);
  double* f = flux.comp(0);
  double* r = rhs.comp(0);
  const double vp = std::max(vel, 0.0), vm = std::min(vel, 0.0);
  const double half = first_order ? 0.0 : 0.5;
  IndexBox faces = b.interior();
  faces.hi[Axis] += 1;
  const int nx = u.n(0), ny = u.n(1);
  for (int k = faces.lo[2]; k < faces.hi[2]; ++k) {
    for (int j = faces.lo[1]; j < faces.hi[1]; ++j) {
      const std::ptrdiff_t row = (static_cast<std::ptrdiff_t>(k) * ny + j) * nx;
      for (int i = faces.lo[0]; i < faces.hi[0]; ++i) {
        const std::ptrdiff_t p = row + i;  // face between cells p - s and p
        const double um2 = q[p - 2 * s], um1 = q[p - s], u0 = q[p], up1 = q[p + s];
        const double ul = um1 + half * Lim::apply(um1 - um2, u0 - um1);
        const double ur = u0 - half * Lim::apply(u0 - um1, up1 - u0);
        f[p] = vp * ul + vm * ur;
      }
    }
  }
  const double inv_dx = 1.0 / b.dx[Axis];
  const IndexBox in = b.interior();
  for (int k = in.lo[2]; k < in.hi[2]; ++k) {
    for (int j = in.lo[1]; j < in.hi[1]; ++j) {
      const std::ptrdiff_t row = (static_cast<std::ptrdiff_t>(k) * ny + j) * nx;
      for (int i = in.lo[0]; i < in.hi[0]; ++i) {
        const std::ptrdiff_t p = row + i;
        r[p] -= (f[p + s] - f[p]) * inv_dx;
      }
    }
  }
}

}  // namespace

AdvectionModule::AdvectionModule(const Config& cfg, int ndim) : ndim_(ndim) {
  const auto v = cfg.require_doubles("physics.advection.velocity", static_cast<std::size_t>(ndim));
  for (int a = 0; a < ndim; ++a) v_[a] = v[a];
  limiter_ = limiter_from_string(
      cfg.get_string("physics.advection.limiter", "mc", {"minmod", "vanleer", "mc", "none"}));
  first_order_ =
      cfg.get_string("physics.advection.reconstruction", "plm", {"plm", "donor"}) == "donor";
}

void AdvectionModule::register_fields(FieldRegistry& reg) {
  FieldSpec s;
  s.name = "u";
  s.components = {"u"};
  s.units = "1";
  s.description = "advected scalar (dimensionless concentration)";
  fid_ = reg.add(s);
}

double AdvectionModule::max_dt(const Block& b) const {
  // Unsplit MUSCL-Hancock / RK: stable for dt * sum_a |v_a| / dx_a <= CFL (Toro 2009, 16.4).
  double rate = 0.0;
  for (int a = 0; a < ndim_; ++a) rate += std::abs(v_[a]) / b.dx[a];
  return rate > 0.0 ? 1.0 / rate : std::numeric_limits<double>::infinity();
}

void AdvectionModule::add_rhs(const Block& b, double /*t*/, std::vector<Array4>& rhs) {
  const Array4& u = b.field(fid_);
  if (flux_.dims() != u.dims() || flux_.ncomp() != 1) flux_.resize(1, u.dims());
  with_limiter(limiter_, [&](auto lim) {
    using Lim = decltype(lim);
    add_upwind_divergence<0, Lim>(b, u, rhs[fid_], flux_, v_[0], first_order_);
    if (ndim_ > 1) add_upwind_divergence<1, Lim>(b, u, rhs[fid_], flux_, v_[1], first_order_);
    if (ndim_ > 2) add_upwind_divergence<2, Lim>(b, u, rhs[fid_], flux_, v_[2], first_order_);
  });
}

}  // namespace tessera

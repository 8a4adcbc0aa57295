#include "tessera/physics/advection.hpp"

#include <cmath>
#include <limits>

#include "tessera/core/config.hpp"
#include "tessera/numerics/upwind.hpp"

namespace tessera {

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
    // Constant velocity per axis (numerics/upwind.hpp holds the shared kernel).
    auto along = [&](auto axis) {
      constexpr int A = decltype(axis)::value;
      const double v = v_[A];
      add_upwind_divergence<A, Lim>(
          b, u, 0, rhs[fid_], 0, flux_, [v](std::ptrdiff_t) { return v; }, first_order_);
    };
    along(std::integral_constant<int, 0>{});
    if (ndim_ > 1) along(std::integral_constant<int, 1>{});
    if (ndim_ > 2) along(std::integral_constant<int, 2>{});
  });
}

}  // namespace tessera

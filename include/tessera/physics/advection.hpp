#pragma once
/// \file advection.hpp
/// Scalar linear advection u_t + v . grad u = 0 with a constant velocity vector, second-order
/// TVD (MUSCL) reconstruction and the upwind flux (the exact Riemann solver here).
#include <array>
#include <string>

#include "tessera/numerics/limiters.hpp"
#include "tessera/physics/module.hpp"

namespace tessera {

/// [physics.advection]: velocity = [vx, vy, vz] (length/time), limiter = "minmod" | "vanleer" |
/// "mc" | "none", reconstruction = "plm" | "donor".
class AdvectionModule : public PhysicsModule {
 public:
  static constexpr const char* kName = "advection";
  AdvectionModule(const Config& cfg, int ndim);
  std::string name() const override { return kName; }
  void register_fields(FieldRegistry& reg) override;
  double max_dt(const Block& b) const override;
  void add_rhs(const Block& b, double t, std::vector<Array4>& rhs) override;
  /// Advection velocity (length/time); unused axes are 0.
  const std::array<double, 3>& velocity() const noexcept { return v_; }
  /// Field id of the advected scalar "u".
  int field_id() const noexcept { return fid_; }

 private:
  int ndim_;
  std::array<double, 3> v_{0.0, 0.0, 0.0};
  LimiterKind limiter_ = LimiterKind::kMC;
  bool first_order_ = false;
  int fid_ = -1;
  Array4 flux_;  // face-flux scratch, reused block to block
};

}  // namespace tessera

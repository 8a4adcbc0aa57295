#pragma once
/// \file integrator.hpp
/// Strong-stability-preserving Runge-Kutta time integration shared by all explicit modules.
#include <memory>
#include <string>
#include <vector>

#include "tessera/bc/boundary.hpp"
#include "tessera/core/timer.hpp"
#include "tessera/physics/module.hpp"

namespace tessera {

enum class IntegratorKind { kRK1, kSSPRK2, kSSPRK3 };

/// One stage in Shu-Osher form: U <- a U^n + b (U + dt L(U)), evaluated at t + c dt.
struct RKStage {
  double a, b, c;
};

/// Stage table of an integrator (Shu & Osher 1988; Gottlieb & Shu 1998, eqs. 4.1 and 4.2).
std::vector<RKStage> rk_stages(IntegratorKind k);
/// Parses "rk1" | "rk2" | "rk3".
IntegratorKind integrator_from_string(const std::string& s);

/// Advances every evolved field by one step: explicit SSP-RK stages over all modules,
/// then the modules' implicit stages.
class TimeIntegrator {
 public:
  TimeIntegrator(IntegratorKind kind, Mesh& mesh, BoundaryExchange& exchange,
                 std::vector<std::unique_ptr<PhysicsModule>>& modules, Timers& timers);
  /// Advances from t to t + dt.
  void step(double t, double dt);
  IntegratorKind kind() const noexcept { return kind_; }

 private:
  IntegratorKind kind_;
  std::vector<RKStage> stages_;
  Mesh& mesh_;
  BoundaryExchange& exchange_;
  std::vector<std::unique_ptr<PhysicsModule>>& modules_;
  Timers& timers_;
  std::vector<int> evolved_;
  std::vector<std::vector<Array4>> u0_, rhs_;  // [local block][field id]
};

}  // namespace tessera

#pragma once
/// \file timer.hpp
/// Wall-clock timers for the split of run time between compute, halo exchange and I/O.
#include <array>
#include <chrono>

namespace tessera {

/// Seconds since an arbitrary fixed point (monotonic).
inline double wall_seconds() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

enum class TimerKind { kCompute = 0, kExchange, kIo, kSolve, kCount };

/// Accumulates wall time per kind; `Scope` charges the time of a C++ scope.
class Timers {
 public:
  void add(TimerKind k, double s) { t_[static_cast<int>(k)] += s; }
  double get(TimerKind k) const { return t_[static_cast<int>(k)]; }

  class Scope {
   public:
    Scope(Timers& t, TimerKind k) : t_(t), k_(k), start_(wall_seconds()) {}
    ~Scope() { t_.add(k_, wall_seconds() - start_); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Timers& t_;
    TimerKind k_;
    double start_;
  };

 private:
  std::array<double, static_cast<int>(TimerKind::kCount)> t_{};
};

}  // namespace tessera

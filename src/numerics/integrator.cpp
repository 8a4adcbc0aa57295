#include "tessera/numerics/integrator.hpp"

namespace tessera {

std::vector<RKStage> rk_stages(IntegratorKind k) {
  switch (k) {
    case IntegratorKind::kRK1:
      return {{0.0, 1.0, 0.0}};
    case IntegratorKind::kSSPRK2:
      return {{0.0, 1.0, 0.0}, {0.5, 0.5, 1.0}};
    default:
      return {{0.0, 1.0, 0.0}, {0.75, 0.25, 1.0}, {1.0 / 3.0, 2.0 / 3.0, 0.5}};
  }
}

IntegratorKind integrator_from_string(const std::string& s) {
  if (s == "rk1") return IntegratorKind::kRK1;
  if (s == "rk3") return IntegratorKind::kSSPRK3;
  return IntegratorKind::kSSPRK2;
}

TimeIntegrator::TimeIntegrator(IntegratorKind kind, Mesh& mesh, BoundaryExchange& exchange,
                               std::vector<std::unique_ptr<PhysicsModule>>& modules, Timers& timers)
    : kind_(kind),
      stages_(rk_stages(kind)),
      mesh_(mesh),
      exchange_(exchange),
      modules_(modules),
      timers_(timers),
      evolved_(mesh.fields().evolved()) {
  // Fields their module advances itself are left alone (FieldSpec::integrated_by_driver).
  std::erase_if(evolved_, [&](int f) { return !mesh_.fields().spec(f).integrated_by_driver; });
  const auto nb = mesh_.blocks().size();
  u0_.resize(nb);
  rhs_.resize(nb);
  for (std::size_t b = 0; b < nb; ++b) {
    u0_[b].resize(mesh_.fields().size());
    rhs_[b].resize(mesh_.fields().size());
    for (int f : evolved_) {
      const Array4& src = mesh_.blocks()[b]->field(f);
      u0_[b][f].resize(src.ncomp(), src.dims());
      rhs_[b][f].resize(src.ncomp(), src.dims());
    }
  }
}

void TimeIntegrator::step(double t, double dt) {
  auto& blocks = mesh_.blocks();
  {
    Timers::Scope s(timers_, TimerKind::kCompute);
    for (std::size_t b = 0; b < blocks.size(); ++b)
      for (int f : evolved_) u0_[b][f] = blocks[b]->field(f);
  }
  for (const RKStage& st : stages_) {
    const double ts = t + st.c * dt;
    {
      Timers::Scope s(timers_, TimerKind::kExchange);
      exchange_.fill(evolved_, ts);
    }
    Timers::Scope s(timers_, TimerKind::kCompute);
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      Block& blk = *blocks[b];
      for (int f : evolved_) rhs_[b][f].fill(0.0);
      for (auto& m : modules_) m->add_rhs(blk, ts, rhs_[b]);
      const IndexBox in = blk.interior();
      for (int f : evolved_) {
        Array4& u = blk.field(f);
        const Array4& u0 = u0_[b][f];
        const Array4& r = rhs_[b][f];
        for (int c = 0; c < u.ncomp(); ++c) {
          for_each_cell(in, [&](int k, int j, int i) {
            u(c, k, j, i) = st.a * u0(c, k, j, i) + st.b * (u(c, k, j, i) + dt * r(c, k, j, i));
          });
        }
      }
      for (auto& m : modules_) m->post_stage(blk);
    }
  }
  for (auto& m : modules_) {
    Timers::Scope s(timers_, TimerKind::kSolve);
    m->implicit_stage(mesh_, t, dt);
  }
}

}  // namespace tessera

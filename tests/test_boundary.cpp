// BoundaryExchange: every ghost cell (faces, edges, corners) of every block is checked against
// the value the boundary conditions define, for an interior filled with an analytic function
// of the global cell index. Periodic wrap, outflow, reflecting (vector component along the
// face normal negated), fixed and user faces; 1D, 2D and 3D; ghost width 2 and 3.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "tessera/bc/boundary.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/mesh/mesh.hpp"
#include "test_env.hpp"

namespace tessera {
namespace {

using test::test_comm;
using Loc = std::array<std::int64_t, 3>;

constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();

/// Interior value of global component c (0 = vx, 1 = s, 2 = q) at global cell g.
double f(int c, const Loc& g, double offset = 0.0) {
  return 1000.0 * c + static_cast<double>(g[0]) + 37.0 * static_cast<double>(g[1]) +
         1369.0 * static_cast<double>(g[2]) + offset;
}

/// What the user boundary hook writes: identifies the face and the component.
double user_value(int axis, int side, int c) {
  return 5000.0 + 100.0 * axis + 10.0 * side + c;
}

const char* kCompName[3] = {"vx", "s", "q"};
const int kVectorAxis[3] = {0, -1, -1};

FaceBc face(BcKind k) {
  FaceBc fb;
  fb.kind = k;
  return fb;
}
FaceBc fixed_value(double v) {
  FaceBc fb = face(BcKind::kFixed);
  fb.has_value = true;
  fb.value = v;
  return fb;
}
FaceBc fixed_values(std::map<std::string, double> vals, bool with_default = false,
                    double def = 0.0) {
  FaceBc fb = face(BcKind::kFixed);
  fb.values = std::move(vals);
  fb.has_value = with_default;
  fb.value = def;
  return fb;
}

struct BcCase {
  std::string name;
  int ndim;
  Loc cells, block_cells;
  int ghost;
  std::array<std::array<FaceBc, 2>, 3> faces;
  CurveKind curve = CurveKind::kHilbert;
};

/// gtest prints a failing case by its name.
void PrintTo(const BcCase& c, std::ostream* os) {
  *os << c.name;
}

/// The expected value of component c at global index g (possibly outside the domain).
/// Physical boundaries are applied axis by axis (x, then y, then z) over the full ghosted
/// extent of the other axes, so the last axis on which g is outside wins: resolve axes from the
/// highest down. Periodic axes wrap.
double expected(const BcCase& bc, int c, Loc g, double offset) {
  for (int a = bc.ndim - 1; a >= 0; --a) {
    const std::int64_t n = bc.cells[a];
    if (g[a] >= 0 && g[a] < n) continue;
    const int side = g[a] < 0 ? 0 : 1;
    const FaceBc& fb = bc.faces[a][side];
    switch (fb.kind) {
      case BcKind::kPeriodic:
        g[a] = ((g[a] % n) + n) % n;
        continue;
      case BcKind::kOutflow:
        g[a] = side == 0 ? 0 : n - 1;
        return expected(bc, c, g, offset);
      case BcKind::kReflecting: {
        g[a] = side == 0 ? -1 - g[a] : 2 * n - 1 - g[a];
        const double sign = kVectorAxis[c] == a ? -1.0 : 1.0;
        return sign * expected(bc, c, g, offset);
      }
      case BcKind::kFixed: {
        auto it = fb.values.find(kCompName[c]);
        if (it != fb.values.end()) return it->second;
        return fb.value;
      }
      case BcKind::kUser:
        return user_value(a, side, c);
    }
  }
  return f(c, g, offset);
}

/// A mesh with the two test fields, ready to exchange.
struct Harness {
  BcCase bc;
  std::unique_ptr<Mesh> mesh;
  int vec = -1, q = -1;

  explicit Harness(const BcCase& c) : bc(c) {
    MeshParams p;
    p.ndim = c.ndim;
    p.cells = c.cells;
    p.block_cells = c.block_cells;
    p.ghost = c.ghost;
    p.curve = c.curve;
    p.periodic = params().periodic();
    mesh = std::make_unique<Mesh>(p, test_comm());
    FieldSpec v;
    v.name = "vec";
    v.components = {"vx", "s"};
    v.vector_axis = {0, -1};
    vec = mesh->fields().add(v);
    FieldSpec s;
    s.name = "q";
    s.components = {"q"};
    q = mesh->fields().add(s);
    mesh->allocate_fields();
  }

  BoundaryParams params() const {
    BoundaryParams bp;
    bp.face = bc.faces;
    return bp;
  }

  /// Global component index of (field id, component).
  int global_comp(int fid, int c) const { return fid == vec ? c : 2; }

  Loc global_index(const Block& b, int k, int j, int i) const {
    const std::array<int, 3> idx{i, j, k};
    Loc g{0, 0, 0};
    for (int a = 0; a < bc.ndim; ++a) g[a] = b.loc[a] * bc.block_cells[a] + (idx[a] - b.ng[a]);
    return g;
  }

  /// Ghosts to NaN, interior to f (+ offset).
  void fill_interior(double offset) {
    for (auto& bp : mesh->blocks()) {
      Block& b = *bp;
      for (int fid : {vec, q}) {
        Array4& arr = b.field(fid);
        for (int c = 0; c < arr.ncomp(); ++c) {
          for_each_cell(b.all(), [&](int k, int j, int i) { arr(c, k, j, i) = kUnset; });
          for_each_cell(b.interior(), [&](int k, int j, int i) {
            arr(c, k, j, i) = f(global_comp(fid, c), global_index(b, k, j, i), offset);
          });
        }
      }
    }
  }

  /// Installs a user hook writing user_value() over the ghost slab of the face.
  void install_user_hook(BoundaryExchange& ex) {
    ex.set_user_boundary([this](Block& b, int axis, int side, double, const std::vector<int>& ids) {
      IndexBox slab = b.all();
      slab.lo[axis] = side == 0 ? 0 : b.n[axis] + b.ng[axis];
      slab.hi[axis] = side == 0 ? b.ng[axis] : b.n[axis] + 2 * b.ng[axis];
      for (int fid : ids) {
        Array4& arr = b.field(fid);
        for (int c = 0; c < arr.ncomp(); ++c) {
          const double v = user_value(axis, side, global_comp(fid, c));
          for_each_cell(slab, [&](int k, int j, int i) { arr(c, k, j, i) = v; });
        }
      }
    });
  }

  /// Compares every cell (ghosts included) of `fields` with expected(); cells of the other
  /// fields must still be as fill_interior() left them (ghosts NaN). `interior_only` skips
  /// the ghosts. Returns the number of mismatches.
  long check(const std::vector<int>& fields, double offset, bool interior_only = false) const {
    long bad = 0;
    for (const auto& bp : mesh->blocks()) {
      const Block& b = *bp;
      for (int fid : {vec, q}) {
        const bool filled = std::find(fields.begin(), fields.end(), fid) != fields.end();
        const Array4& arr = b.field(fid);
        for (int c = 0; c < arr.ncomp(); ++c) {
          const int gc = global_comp(fid, c);
          for_each_cell(b.all(), [&](int k, int j, int i) {
            const Loc g = global_index(b, k, j, i);
            const bool interior = k >= b.interior().lo[2] && k < b.interior().hi[2] &&
                                  j >= b.interior().lo[1] && j < b.interior().hi[1] &&
                                  i >= b.interior().lo[0] && i < b.interior().hi[0];
            if (interior_only && !interior) return;
            const double want = filled || interior ? expected(bc, gc, g, offset) : kUnset;
            const double got = arr(c, k, j, i);
            const bool ok = std::isnan(want) ? std::isnan(got) : got == want;
            if (!ok && ++bad <= 8) {
              ADD_FAILURE() << bc.name << ": rank " << test_comm().rank() << " gid " << b.gid
                            << " comp " << kCompName[gc] << " cell (i,j,k)=(" << i << "," << j
                            << "," << k << ") global (" << g[0] << "," << g[1] << "," << g[2]
                            << "): got " << got << ", expected " << want;
            }
          });
        }
      }
    }
    return bad;
  }
};

class ExchangeCases : public ::testing::TestWithParam<BcCase> {};

TEST_P(ExchangeCases, FillSetsEveryGhostCell) {
  const BcCase& c = GetParam();
  Harness h(c);
  BoundaryExchange ex(*h.mesh, h.params());
  h.install_user_hook(ex);
  h.fill_interior(0.0);
  ex.fill({h.vec, h.q}, 0.0);
  EXPECT_EQ(h.check({h.vec, h.q}, 0.0), 0);
  // A second fill with new data through the same exchange object (buffers reused).
  h.fill_interior(0.5);
  ex.fill({h.vec, h.q}, 1.0);
  EXPECT_EQ(h.check({h.vec, h.q}, 0.5), 0);
}

TEST_P(ExchangeCases, StartFinishSplitAndFieldSubset) {
  const BcCase& c = GetParam();
  Harness h(c);
  BoundaryExchange ex(*h.mesh, h.params());
  h.install_user_hook(ex);
  h.fill_interior(0.25);
  ex.start({h.q});
  // Between start() and finish() (work overlapping the messages) the interior is unchanged.
  EXPECT_EQ(h.check({h.q}, 0.25, /*interior_only=*/true), 0);
  test_comm().barrier();
  EXPECT_THROW(ex.start({h.q}), Error);  // a second start before finish is refused
  ex.finish(0.0);
  EXPECT_THROW(ex.finish(0.0), Error);  // finish without start is refused
  // Only q was exchanged: the ghosts of vec are untouched.
  EXPECT_EQ(h.check({h.q}, 0.25), 0);
  ex.start({h.vec});
  ex.finish(0.0);
  EXPECT_EQ(h.check({h.vec, h.q}, 0.25), 0);
}

using K = BcKind;
const FaceBc P = face(K::kPeriodic), O = face(K::kOutflow), R = face(K::kReflecting),
             U = face(K::kUser);

const std::vector<BcCase> kCases = {
    // 1D: 8 blocks of 4 cells.
    {"d1_periodic", 1, {32, 1, 1}, {4, 1, 1}, 2, {{{P, P}, {}, {}}}},
    {"d1_outflow_reflecting", 1, {32, 1, 1}, {4, 1, 1}, 2, {{{O, R}, {}, {}}}},
    {"d1_reflecting_outflow", 1, {32, 1, 1}, {4, 1, 1}, 2, {{{R, O}, {}, {}}}},
    {"d1_fixed_g3",
     1,
     {32, 1, 1},
     {4, 1, 1},
     3,
     {{{fixed_value(-5.0), fixed_values({{"vx", 7.0}, {"q", 9.0}}, true, 3.0)}, {}, {}}}},
    {"d1_periodic_g3", 1, {24, 1, 1}, {4, 1, 1}, 3, {{{P, P}, {}, {}}}},
    {"d1_user_outflow", 1, {32, 1, 1}, {4, 1, 1}, 2, {{{U, O}, {}, {}}}},
    // 2D: 4x4 blocks of 4x4 cells.
    {"d2_periodic", 2, {16, 16, 1}, {4, 4, 1}, 2, {{{P, P}, {P, P}, {}}}},
    {"d2_outflow", 2, {16, 16, 1}, {4, 4, 1}, 2, {{{O, O}, {O, O}, {}}}},
    {"d2_reflecting", 2, {16, 16, 1}, {4, 4, 1}, 2, {{{R, R}, {R, R}, {}}}},
    {"d2_fixed",
     2,
     {16, 16, 1},
     {4, 4, 1},
     2,
     {{{fixed_value(1.5), fixed_value(-2.5)},
       {fixed_values({{"vx", 10.0}, {"s", 11.0}, {"q", 12.0}}), fixed_value(4.0)},
       {}}}},
    {"d2_xperiodic_yreflect_yfixed",
     2,
     {16, 16, 1},
     {4, 4, 1},
     2,
     {{{P, P}, {R, fixed_value(-7.0)}, {}}}},
    {"d2_xoutflow_xreflect_yperiodic_morton",
     2,
     {16, 16, 1},
     {4, 4, 1},
     2,
     {{{O, R}, {P, P}, {}}},
     CurveKind::kMorton},
    {"d2_fixed_x_outflow_y",
     2,
     {16, 16, 1},
     {4, 4, 1},
     2,
     {{{fixed_value(8.0), fixed_value(9.0)}, {O, O}, {}}}},
    {"d2_outflow_x_fixed_y",
     2,
     {16, 16, 1},
     {4, 4, 1},
     2,
     {{{O, O}, {fixed_value(8.0), fixed_value(9.0)}, {}}}},
    {"d2_g3_reflect_outflow_fixed_reflect",
     2,
     {24, 16, 1},
     {6, 4, 1},
     3,
     {{{R, O}, {fixed_value(0.75), R}, {}}}},
    {"d2_g3_periodic", 2, {24, 16, 1}, {6, 4, 1}, 3, {{{P, P}, {P, P}, {}}}},
    {"d2_one_block_in_y_periodic", 2, {16, 4, 1}, {4, 4, 1}, 2, {{{O, R}, {P, P}, {}}}},
    {"d2_user_x_reflect_y", 2, {16, 16, 1}, {4, 4, 1}, 2, {{{U, U}, {R, O}, {}}}},
    // 3D: 2x2x2 blocks of 4^3 cells.
    {"d3_periodic", 3, {8, 8, 8}, {4, 4, 4}, 2, {{{P, P}, {P, P}, {P, P}}}},
    {"d3_outflow", 3, {8, 8, 8}, {4, 4, 4}, 2, {{{O, O}, {O, O}, {O, O}}}},
    {"d3_reflecting", 3, {8, 8, 8}, {4, 4, 4}, 2, {{{R, R}, {R, R}, {R, R}}}},
    {"d3_fixed",
     3,
     {8, 8, 8},
     {4, 4, 4},
     2,
     {{{fixed_value(1.0), fixed_value(2.0)},
       {fixed_value(3.0), fixed_values({{"vx", 40.0}}, true, 4.0)},
       {fixed_value(5.0), fixed_value(6.0)}}}},
    {"d3_mixed", 3, {8, 8, 8}, {4, 4, 4}, 2, {{{O, R}, {P, P}, {fixed_value(-3.0), O}}}},
    {"d3_mixed_morton",
     3,
     {8, 8, 8},
     {4, 4, 4},
     2,
     {{{R, O}, {O, fixed_value(2.0)}, {P, P}}},
     CurveKind::kMorton},
    {"d3_g3_mixed", 3, {8, 8, 8}, {4, 4, 4}, 3, {{{R, R}, {P, P}, {O, R}}}},
    {"d3_4x2x1_periodic_z_self", 3, {16, 8, 4}, {4, 4, 4}, 2, {{{P, P}, {R, O}, {P, P}}}},
    {"d3_4x2x1_all_periodic", 3, {16, 8, 4}, {4, 4, 4}, 2, {{{P, P}, {P, P}, {P, P}}}},
};

INSTANTIATE_TEST_SUITE_P(Boundaries, ExchangeCases, ::testing::ValuesIn(kCases),
                         [](const auto& tp) { return tp.param.name; });

TEST(BoundaryParams, PeriodicFlags) {
  BoundaryParams bp;
  bp.face[0] = {face(K::kPeriodic), face(K::kPeriodic)};
  bp.face[1] = {face(K::kOutflow), face(K::kReflecting)};
  bp.face[2] = {face(K::kPeriodic), face(K::kPeriodic)};
  EXPECT_EQ(bp.periodic(), (std::array<bool, 3>{true, false, true}));
}

TEST(Exchange, ApplyPhysicalAloneFillsOnlyPhysicalFaces) {
  // 1D, outflow both sides: apply_physical() without an exchange fills the two domain ends
  // and leaves the ghosts between blocks untouched.
  BcCase c{"apply_physical", 1, {16, 1, 1}, {4, 1, 1}, 2, {{{O, O}, {}, {}}}};
  Harness h(c);
  BoundaryExchange ex(*h.mesh, h.params());
  h.fill_interior(0.0);
  ex.apply_physical({h.q}, 0.0);
  for (const auto& bp : h.mesh->blocks()) {
    const Block& b = *bp;
    const Array4& arr = b.field(h.q);
    for (int i = 0; i < b.ng[0]; ++i) {
      if (b.loc[0] == 0) {
        EXPECT_EQ(arr(0, 0, 0, i), f(2, {0, 0, 0}));
      } else {
        EXPECT_TRUE(std::isnan(arr(0, 0, 0, i)));
      }
      const int iu = b.n[0] + b.ng[0] + i;
      if (b.loc[0] == 3) {
        EXPECT_EQ(arr(0, 0, 0, iu), f(2, {15, 0, 0}));
      } else {
        EXPECT_TRUE(std::isnan(arr(0, 0, 0, iu)));
      }
    }
  }
}

TEST(Exchange, MissingUserHookIsAnError) {
  // The rank owning the block on the "user" face raises an Error naming the face (decks are
  // rejected earlier, by the driver; this is the exchange's own safety net).
  BcCase c{"no_hook_raised", 1, {32, 1, 1}, {4, 1, 1}, 2, {{{O, U}, {}, {}}}};
  Harness h(c);
  BoundaryExchange ex(*h.mesh, h.params());
  h.fill_interior(0.0);
  bool threw = false;
  try {
    ex.fill({h.q}, 0.0);
  } catch (const Error& e) {
    threw = true;
    EXPECT_NE(std::string(e.what()).find("x1_upper"), std::string::npos) << e.what();
  }
  bool owns_upper_face = false;
  for (const auto& b : h.mesh->blocks()) owns_upper_face = owns_upper_face || b->loc[0] == 7;
  EXPECT_EQ(threw, owns_upper_face);
}

// Regression: a "user" face without a hook used to raise a *collective* ConfigError on the ranks
// owning that face only, so when rank 0 owned none nothing was printed. The driver now rejects
// such decks up front (collectively); at the exchange level the error must not claim to be
// collective unless every rank raises it.
TEST(Exchange, MissingUserHookErrorReachesRankZero) {
  BcCase c{"no_hook", 1, {32, 1, 1}, {4, 1, 1}, 2, {{{O, U}, {}, {}}}};
  Harness h(c);
  BoundaryExchange ex(*h.mesh, h.params());
  h.fill_interior(0.0);
  int threw = 0;
  bool collective = false;
  try {
    ex.fill({h.q}, 0.0);
  } catch (const Error& e) {
    threw = 1;
    collective = e.collective();
  }
  const std::int64_t n_threw = test_comm().sum(threw);
  EXPECT_GE(n_threw, 1);
  if (collective) {
    EXPECT_EQ(n_threw, test_comm().size())
        << "an error marked collective is raised on " << n_threw << " of " << test_comm().size()
        << " ranks; main() prints collective errors on rank 0 only";
  }
}

}  // namespace
}  // namespace tessera

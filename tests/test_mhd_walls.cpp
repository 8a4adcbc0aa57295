// MHD reflecting walls ([physics.mhd] wall_field): the ghost fill of the face field "bface".
// Checked against geometry, not against the index formulas of the fill: every ghost value
// (faces on the wall side, corners included) must be the field at the mirror-image position
// times the parity of the rule, the wall faces must be 0 (conducting) or their CT-evolved
// value (normal), and the cell-centred field of every ghost cell must be the mirror of an
// interior cell's, which is what makes the wall Riemann problems mirror-symmetric.
// Runs at 1, 2 and 4 ranks (16^2 cells in 8^2 blocks: every block touches two walls).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "tessera/bc/boundary.hpp"
#include "tessera/core/config.hpp"
#include "tessera/mesh/mesh.hpp"
#include "tessera/physics/mhd.hpp"
#include "test_env.hpp"

namespace tessera {
namespace {

using test::test_comm;
using Vec3 = std::array<double, 3>;

/// A smooth, asymmetric test field (any values: the fill does not need div B = 0).
double field(int a, const Vec3& x) {
  return (a + 1.0) * std::sin(3.0 * x[0] + 1.7 * x[1] + a) + 0.3 * x[0] - 0.2 * x[1] * x[1];
}

struct WallRig {
  Config cfg;
  std::unique_ptr<Mesh> mesh;
  std::unique_ptr<PhysicsModule> mod;
  MhdModule* mhd = nullptr;
  std::unique_ptr<BoundaryExchange> bx;

  explicit WallRig(const std::string& rule)
      : cfg(Config::from_string(R"(
[mesh]
cells = [16, 16]
block_cells = [8, 8]
lower = [0.0, 0.0]
upper = [1.0, 1.0]
ghost = 3
[boundary]
x1_lower = "reflecting"
x1_upper = "reflecting"
x2_lower = "reflecting"
x2_upper = "reflecting"
[physics.mhd]
wall_field = ")" + rule + R"("
)",
                                "walls.toml")) {
    MeshParams mp = MeshParams::from_config(cfg);
    const BoundaryParams bc = BoundaryParams::from_config(cfg, mp.ndim);
    mp.periodic = bc.periodic();
    mesh = std::make_unique<Mesh>(mp, test_comm());
    mod = make_module("mhd", cfg, mp.ndim);
    mhd = dynamic_cast<MhdModule*>(mod.get());
    mod->register_fields(mesh->fields());
    mesh->allocate_fields();
    bx = std::make_unique<BoundaryExchange>(*mesh, bc);
  }
};

/// Position of the face (normal a) stored at (i, j) of block b: the lower a-corner along a.
Vec3 face_position(const Block& b, int a, int i, int j) {
  Vec3 x{b.center(0, i), b.center(1, j), 0.0};
  x[a] -= 0.5 * b.dx[a];
  return x;
}

void check_rule(const std::string& rule) {
  WallRig rig(rule);
  const bool conducting = rule == "conducting";
  const double sn = conducting ? -1.0 : 1.0, st = -sn;  // parity of B_n, B_t under a mirror
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (auto& bp : rig.mesh->blocks()) {
    Block& b = *bp;
    rig.mhd->set_face_field(b, {}, field);  // also stores the upper wall faces (normal rule)
    // Poison every ghost so that only what the fill writes can pass.
    Array4& f = b.field(rig.mhd->bface_id());
    const IndexBox in = b.interior();
    for_each_cell(b.all(), [&](int k, int j, int i) {
      const bool ghost = i < in.lo[0] || i >= in.hi[0] || j < in.lo[1] || j >= in.hi[1];
      if (ghost) {
        for (int c = 0; c < 3; ++c) f(c, k, j, i) = nan;
      }
    });
  }
  // All evolved fields, as before every stage ("normal": the upper wall faces come from
  // "bface_upper_wall", whose own ghosts along the other walls the same fill mirrors).
  rig.bx->fill(rig.mesh->fields().evolved(), 0.0);
  long checked = 0;
  for (auto& bp : rig.mesh->blocks()) {
    const Block& b = *bp;
    const Array4& f = b.field(rig.mhd->bface_id());
    const auto d = b.dims();
    for (int j = 0; j < d[1]; ++j) {
      for (int i = 0; i < d[0]; ++i) {
        for (int c = 0; c < 3; ++c) {
          // The value's position; reflect it into the domain [0, 1]^2 about the walls it lies
          // beyond, collecting the parity sign (B_c is normal to the x walls iff c == 0).
          Vec3 x = c < 2 ? face_position(b, c, i, j) : Vec3{b.center(0, i), b.center(1, j), 0.0};
          double sign = 1.0;
          bool on_wall = false;
          for (int a = 0; a < 2; ++a) {
            const double s = c == a ? sn : st;
            if (x[a] < 0.0) {
              x[a] = -x[a];
              sign *= s;
            } else if (x[a] > 1.0) {
              x[a] = 2.0 - x[a];
              sign *= s;
            } else if (c == a && (x[a] == 0.0 || x[a] == 1.0)) {
              on_wall = true;
            }
          }
          // Faces beyond the outermost stored layer are not needed by any stencil; the x and
          // y ghosts along an unused axis do not exist in 2D.
          const double got = f(c, 0, j, i);
          double want = sign * field(c, x);
          if (on_wall && conducting) want = 0.0;
          ASSERT_EQ(got, want) << rule << " block " << b.gid << " component " << c << " at (" << i
                               << ", " << j << "), position (" << x[0] << ", " << x[1] << ")";
          ++checked;
        }
      }
    }
    // The cell-centred field of each ghost cell of the first ghost column is the mirror of
    // the first interior column's (what the wall Riemann problem sees on its two sides).
    const IndexBox in = b.interior();
    if (b.neighbor[Block::dir_index(-1, 0, 0)] < 0) {
      for (int j = in.lo[1]; j < in.hi[1]; ++j) {
        const auto g = rig.mhd->cell_field(b, 0, j, in.lo[0] - 1);
        const auto m = rig.mhd->cell_field(b, 0, j, in.lo[0]);
        EXPECT_EQ(g[0], sn * m[0]) << rule << ": B_x of the ghost cell at row " << j;
        EXPECT_EQ(g[1], st * m[1]) << rule << ": B_y of the ghost cell at row " << j;
      }
    }
  }
  EXPECT_GT(checked, 0);
}

TEST(MhdWalls, ConductingWallMirrorsTheFaceFieldWithBnOddAndZeroOnTheWall) {
  check_rule("conducting");
}

TEST(MhdWalls, NormalWallMirrorsTheFaceFieldWithBtOddAndKeepsTheWallFaces) {
  check_rule("normal");
}

TEST(MhdWalls, TheUpperWallFacesOfANormalWallAreCheckpointedStateOnlyThen) {
  // "normal" needs the extra field for the upper wall faces; "conducting" does not.
  EXPECT_GE(WallRig("normal").mesh->fields().find("bface_upper_wall"), 0);
  EXPECT_LT(WallRig("conducting").mesh->fields().find("bface_upper_wall"), 0);
  // It is evolved (so checkpointed and restored) but not a snapshot field.
  WallRig n("normal");
  const FieldSpec& s = n.mesh->fields().spec(n.mesh->fields().id("bface_upper_wall"));
  EXPECT_TRUE(s.evolved);
  EXPECT_FALSE(s.output);
  EXPECT_EQ(s.components.size(), 2u);  // bfu_x, bfu_y: both axes have an upper wall
}

}  // namespace
}  // namespace tessera

// Mesh: balanced contiguous ownership, owner()/first_gid() consistency, gid <-> location,
// neighbour gids (periodic and not, corners included), block geometry and the rank check.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <iomanip>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "tessera/core/errors.hpp"
#include "tessera/mesh/mesh.hpp"
#include "tessera/mesh/sfc.hpp"
#include "test_env.hpp"

namespace tessera {
namespace {

using test::test_comm;
using Loc = std::array<std::int64_t, 3>;

struct MeshCase {
  std::string name;
  int ndim;
  Loc cells, block_cells;
  std::array<bool, 3> periodic;
  CurveKind curve;
};

/// gtest prints a failing case by its name.
void PrintTo(const MeshCase& c, std::ostream* os) {
  *os << c.name;
}

MeshParams params_of(const MeshCase& c) {
  MeshParams p;
  p.ndim = c.ndim;
  p.cells = c.cells;
  p.block_cells = c.block_cells;
  p.periodic = c.periodic;
  p.curve = c.curve;
  p.ghost = 2;
  return p;
}

std::int64_t expected_nblocks(const MeshCase& c) {
  return (c.cells[0] / c.block_cells[0]) * (c.cells[1] / c.block_cells[1]) *
         (c.cells[2] / c.block_cells[2]);
}

// Every case has at least 4 blocks so that it runs at 1, 2 and 4 ranks.
const std::vector<MeshCase> kCases = {
    {"1d_open", 1, {64, 1, 1}, {8, 1, 1}, {false, false, false}, CurveKind::kHilbert},
    {"1d_periodic", 1, {20, 1, 1}, {4, 1, 1}, {true, false, false}, CurveKind::kMorton},
    {"2d_open_hilbert", 2, {16, 16, 1}, {4, 4, 1}, {false, false, false}, CurveKind::kHilbert},
    {"2d_periodic_hilbert", 2, {16, 16, 1}, {4, 4, 1}, {true, true, false}, CurveKind::kHilbert},
    {"2d_xperiodic_morton", 2, {24, 20, 1}, {4, 4, 1}, {true, false, false}, CurveKind::kMorton},
    {"2d_yperiodic_3x5", 2, {12, 20, 1}, {4, 4, 1}, {false, true, false}, CurveKind::kHilbert},
    {"2d_one_block_in_y", 2, {32, 8, 1}, {8, 8, 1}, {true, true, false}, CurveKind::kHilbert},
    {"3d_open_morton", 3, {12, 8, 8}, {4, 4, 4}, {false, false, false}, CurveKind::kMorton},
    {"3d_periodic_2x2x2", 3, {8, 8, 8}, {4, 4, 4}, {true, true, true}, CurveKind::kHilbert},
    {"3d_mixed_4x2x3", 3, {16, 8, 12}, {4, 4, 4}, {true, false, true}, CurveKind::kHilbert},
};

class MeshCases : public ::testing::TestWithParam<MeshCase> {};

TEST_P(MeshCases, BlockCountsAreBalancedAndSumToTotal) {
  const MeshCase& c = GetParam();
  Comm& comm = test_comm();
  const Mesh mesh(params_of(c), comm);
  EXPECT_EQ(mesh.nblocks_total(), expected_nblocks(c));
  for (int a = 0; a < 3; ++a) EXPECT_EQ(mesh.nblocks_dim()[a], c.cells[a] / c.block_cells[a]);
  const auto n = static_cast<std::int64_t>(mesh.blocks().size());
  EXPECT_GE(n, 1);
  EXPECT_EQ(comm.sum(n), expected_nblocks(c));
  const std::int64_t nmax = comm.max(n);
  const std::int64_t nmin = -comm.max(-n);
  EXPECT_LE(nmax - nmin, 1);
  // Exactly floor or ceil of total/size.
  EXPECT_GE(n, expected_nblocks(c) / comm.size());
  EXPECT_LE(n, (expected_nblocks(c) + comm.size() - 1) / comm.size());
  EXPECT_EQ(mesh.cells_total(), c.cells[0] * c.cells[1] * c.cells[2]);
}

TEST_P(MeshCases, OwnerIsConsistentWithFirstGid) {
  const MeshCase& c = GetParam();
  Comm& comm = test_comm();
  const Mesh mesh(params_of(c), comm);
  const std::int64_t total = mesh.nblocks_total();
  EXPECT_EQ(mesh.first_gid(0), 0);
  EXPECT_EQ(mesh.first_gid(comm.size()), total);
  for (int r = 0; r < comm.size(); ++r) EXPECT_LT(mesh.first_gid(r), mesh.first_gid(r + 1));
  for (std::int64_t g = 0; g < total; ++g) {
    const int r = mesh.owner(g);
    ASSERT_GE(r, 0);
    ASSERT_LT(r, comm.size());
    EXPECT_LE(mesh.first_gid(r), g) << "gid " << g;
    EXPECT_LT(g, mesh.first_gid(r + 1)) << "gid " << g;
  }
  // Local blocks are this rank's contiguous range, in gid order.
  const auto& blocks = mesh.blocks();
  ASSERT_EQ(static_cast<std::int64_t>(blocks.size()),
            mesh.first_gid(comm.rank() + 1) - mesh.first_gid(comm.rank()));
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    EXPECT_EQ(blocks[i]->gid, mesh.first_gid(comm.rank()) + static_cast<std::int64_t>(i));
    EXPECT_EQ(mesh.owner(blocks[i]->gid), comm.rank());
    EXPECT_EQ(blocks[i]->loc, mesh.location(blocks[i]->gid));
    EXPECT_EQ(blocks[i]->level, 0);
  }
}

TEST_P(MeshCases, GidAtAndLocationAreInverse) {
  const MeshCase& c = GetParam();
  const Mesh mesh(params_of(c), test_comm());
  const auto& nb = mesh.nblocks_dim();
  std::set<Loc> seen;
  for (std::int64_t g = 0; g < mesh.nblocks_total(); ++g) {
    const Loc& l = mesh.location(g);
    for (int a = 0; a < 3; ++a) {
      EXPECT_GE(l[a], 0);
      EXPECT_LT(l[a], nb[a]);
    }
    EXPECT_TRUE(seen.insert(l).second) << "location repeated at gid " << g;
    EXPECT_EQ(mesh.gid_at(l), g);
  }
  for (std::int64_t k = 0; k < nb[2]; ++k)
    for (std::int64_t j = 0; j < nb[1]; ++j)
      for (std::int64_t i = 0; i < nb[0]; ++i) {
        const std::int64_t g = mesh.gid_at({i, j, k});
        ASSERT_GE(g, 0);
        ASSERT_LT(g, mesh.nblocks_total());
        EXPECT_EQ(mesh.location(g), (Loc{i, j, k}));
      }
  // Outside the domain: wrapped on periodic axes, -1 otherwise (and always on unused axes).
  for (int a = 0; a < 3; ++a) {
    Loc below{0, 0, 0}, above{0, 0, 0}, last{0, 0, 0};
    below[a] = -1;
    above[a] = a < c.ndim ? nb[a] : 1;
    last[a] = nb[a] - 1;
    if (a < c.ndim && c.periodic[a]) {
      EXPECT_EQ(mesh.gid_at(below), mesh.gid_at(last)) << "axis " << a;
      EXPECT_EQ(mesh.gid_at(above), mesh.gid_at({0, 0, 0})) << "axis " << a;
    } else {
      EXPECT_EQ(mesh.gid_at(below), -1) << "axis " << a;
      EXPECT_EQ(mesh.gid_at(above), -1) << "axis " << a;
    }
  }
}

TEST_P(MeshCases, GidsFollowTheCurve) {
  const MeshCase& c = GetParam();
  const Mesh mesh(params_of(c), test_comm());
  const auto& nb = mesh.nblocks_dim();
  int bits = 0;
  while ((std::int64_t{1} << bits) < std::max({nb[0], nb[1], nb[2]})) ++bits;
  auto key = [&](const Loc& l) {
    return c.curve == CurveKind::kHilbert ? hilbert_key(l, c.ndim, bits)
                                          : morton_key(l, c.ndim, bits);
  };
  for (std::int64_t g = 1; g < mesh.nblocks_total(); ++g) {
    EXPECT_LT(key(mesh.location(g - 1)), key(mesh.location(g))) << "gid " << g;
  }
}

TEST_P(MeshCases, NeighboursMatchLogicalOffsets) {
  const MeshCase& c = GetParam();
  const Mesh mesh(params_of(c), test_comm());
  const auto& nb = mesh.nblocks_dim();
  for (const auto& b : mesh.blocks()) {
    for (int d = 0; d < 27; ++d) {
      if (d == Block::dir_index(0, 0, 0)) continue;
      const auto o = Block::dir_offset(d);
      // Expected neighbour location from the definition: offset, wrapped on periodic axes.
      bool exists = true;
      Loc want{};
      for (int a = 0; a < 3; ++a) {
        std::int64_t x = b->loc[a] + o[a];
        if (a >= c.ndim) {
          if (o[a] != 0) exists = false;
        } else if (x < 0 || x >= nb[a]) {
          if (!c.periodic[a]) exists = false;
          x = (x + nb[a]) % nb[a];
        }
        want[a] = x;
      }
      SCOPED_TRACE("gid " + std::to_string(b->gid) + " dir (" + std::to_string(o[0]) + "," +
                   std::to_string(o[1]) + "," + std::to_string(o[2]) + ")");
      if (!exists) {
        EXPECT_EQ(b->neighbor[d], -1);
      } else {
        ASSERT_GE(b->neighbor[d], 0);
        ASSERT_LT(b->neighbor[d], mesh.nblocks_total());
        EXPECT_EQ(mesh.location(b->neighbor[d]), want);
      }
    }
  }
}

TEST_P(MeshCases, BlockShapeAndGhosts) {
  const MeshCase& c = GetParam();
  MeshParams p = params_of(c);
  p.ghost = 3;
  const Mesh mesh(p, test_comm());
  for (const auto& b : mesh.blocks()) {
    for (int a = 0; a < 3; ++a) {
      EXPECT_EQ(b->n[a], c.block_cells[a]);
      EXPECT_EQ(b->ng[a], a < c.ndim ? 3 : 0);
      EXPECT_EQ(b->dims()[a], c.block_cells[a] + (a < c.ndim ? 6 : 0));
      EXPECT_EQ(b->interior().lo[a], a < c.ndim ? 3 : 0);
      EXPECT_EQ(b->interior().hi[a], b->interior().lo[a] + c.block_cells[a]);
    }
    EXPECT_EQ(b->interior().volume(), c.block_cells[0] * c.block_cells[1] * c.block_cells[2]);
  }
}

INSTANTIATE_TEST_SUITE_P(Meshes, MeshCases, ::testing::ValuesIn(kCases),
                         [](const auto& tp) { return tp.param.name; });

/// Geometry of every block of the mesh, gathered to rank 0 and indexed by gid.
struct BlockGeom {
  std::array<double, 3> lower, upper, dx;
};
std::vector<BlockGeom> gather_geometry(const Mesh& mesh) {
  std::vector<double> local;
  for (const auto& b : mesh.blocks()) {
    local.push_back(static_cast<double>(b->gid));
    for (int a = 0; a < 3; ++a) local.push_back(b->lower[a]);
    for (int a = 0; a < 3; ++a) local.push_back(b->upper[a]);
    for (int a = 0; a < 3; ++a) local.push_back(b->dx[a]);
  }
  const auto all = mesh.comm().gather_to_root(local);
  std::vector<BlockGeom> out;
  if (!mesh.comm().root()) return out;
  out.resize(mesh.nblocks_total());
  EXPECT_EQ(all.size(), out.size() * 10);
  for (std::size_t r = 0; r + 10 <= all.size(); r += 10) {
    auto& g = out.at(static_cast<std::size_t>(all[r]));
    for (int a = 0; a < 3; ++a) {
      g.lower[a] = all[r + 1 + a];
      g.upper[a] = all[r + 4 + a];
      g.dx[a] = all[r + 7 + a];
    }
  }
  return out;
}

TEST(MeshGeometry, DyadicDomainIsExact) {
  // Every coordinate is a multiple of 1/4, so all of them are exact in binary.
  MeshParams p;
  p.ndim = 2;
  p.cells = {16, 8, 1};
  p.block_cells = {4, 4, 1};
  p.lower = {-1.0, 0.5, 0.0};
  p.upper = {3.0, 2.5, 1.0};
  const Mesh mesh(p, test_comm());
  EXPECT_EQ(mesh.domain_volume(), 8.0);
  for (const auto& b : mesh.blocks()) {
    EXPECT_EQ(b->dx[0], 0.25);
    EXPECT_EQ(b->dx[1], 0.25);
    EXPECT_EQ(b->lower[0], -1.0 + 1.0 * static_cast<double>(b->loc[0]));
    EXPECT_EQ(b->upper[0], -1.0 + 1.0 * static_cast<double>(b->loc[0] + 1));
    EXPECT_EQ(b->lower[1], 0.5 + 1.0 * static_cast<double>(b->loc[1]));
    EXPECT_EQ(b->upper[1], 0.5 + 1.0 * static_cast<double>(b->loc[1] + 1));
    // Cell centres: first interior cell is half a cell in from the block's lower corner.
    EXPECT_EQ(b->center(0, b->ng[0]), b->lower[0] + 0.125);
    EXPECT_EQ(b->center(1, b->ng[1] + 3), b->lower[1] + 3.5 * 0.25);
    EXPECT_EQ(b->center(0, 0), b->lower[0] - 1.5 * 0.25);  // a ghost cell
    EXPECT_EQ(b->cell_volume(2), 0.0625);
  }
}

TEST(MeshGeometry, BlocksTileTheDomainExactly) {
  // Non-dyadic extents: the blocks must still share faces bit for bit and end exactly on the
  // domain boundary.
  MeshParams p;
  p.ndim = 3;
  p.cells = {12, 20, 9};
  p.block_cells = {4, 5, 3};
  p.lower = {0.0, -0.7, 0.1};
  p.upper = {0.3, 0.7, 1.0};
  const Mesh mesh(p, test_comm());
  const auto geom = gather_geometry(mesh);
  if (test_comm().root()) {
    double volume = 0.0;
    for (std::int64_t g = 0; g < mesh.nblocks_total(); ++g) {
      const auto& loc = mesh.location(g);
      const BlockGeom& bg = geom[g];
      double v = 1.0;
      for (int a = 0; a < 3; ++a) {
        SCOPED_TRACE("gid " + std::to_string(g) + " axis " + std::to_string(a));
        // dx is the domain span over the cell count; 4 ulps (EXPECT_DOUBLE_EQ) allow for the
        // one rounding of that division.
        EXPECT_DOUBLE_EQ(bg.dx[a], (p.upper[a] - p.lower[a]) / static_cast<double>(p.cells[a]));
        // Block width is block_cells * dx up to rounding of both (1e-14 relative).
        EXPECT_NEAR(bg.upper[a] - bg.lower[a], p.block_cells[a] * bg.dx[a],
                    1e-14 * (p.upper[a] - p.lower[a]));
        if (loc[a] == 0) {
          EXPECT_EQ(bg.lower[a], p.lower[a]);
        }
        if (loc[a] == mesh.nblocks_dim()[a] - 1) {
          // Exact: corners come from std::lerp, exact at both ends.
          EXPECT_EQ(bg.upper[a], p.upper[a]);
        }
        if (loc[a] + 1 < mesh.nblocks_dim()[a]) {
          Loc next = loc;
          ++next[a];
          const BlockGeom& ng = geom[mesh.gid_at(next)];
          EXPECT_EQ(ng.lower[a], bg.upper[a]);  // shared face, bit for bit
          for (int b2 = 0; b2 < 3; ++b2) {
            if (b2 != a) {
              EXPECT_EQ(ng.lower[b2], bg.lower[b2]);
            }
          }
        }
        v *= bg.upper[a] - bg.lower[a];
      }
      volume += v;
    }
    // Sum of block volumes: 1e-13 relative allows for the rounding of 60 products.
    EXPECT_NEAR(volume, mesh.domain_volume(), 1e-13 * mesh.domain_volume());
    EXPECT_NEAR(mesh.domain_volume(), 0.3 * 1.4 * 0.9, 1e-15);  // rounding of the three spans
  }
}

// Regression: the last block's upper corner used to be fl(lower + fl(upper - lower)), which
// misses `upper` when the subtraction rounds (0.1 + (1.0 - 0.1) = 0.9999999999999999). Corners
// now come from std::lerp, exact at both ends.
TEST(MeshGeometry, LastBlockEndsExactlyOnDomainUpper) {
  MeshParams p;
  p.ndim = 1;
  p.cells = {36, 1, 1};
  p.block_cells = {9, 1, 1};
  p.lower = {0.1, 0.0, 0.0};
  p.upper = {1.0, 1.0, 1.0};
  const Mesh mesh(p, test_comm());
  for (const auto& b : mesh.blocks()) {
    if (b->loc[0] == 0) {
      EXPECT_EQ(b->lower[0], 0.1);
    }
    if (b->loc[0] == 3) {
      EXPECT_EQ(b->upper[0], 1.0) << std::setprecision(17) << "upper corner " << b->upper[0];
    }
  }
}

TEST(MeshErrors, MoreRanksThanBlocksIsAConfigError) {
  Comm& comm = test_comm();
  if (comm.size() == 1) GTEST_SKIP() << "needs more than one rank";
  MeshParams p;
  p.ndim = 2;
  p.cells = {8, 4 * (comm.size() - 1), 1};
  p.block_cells = {8, 4, 1};  // size - 1 blocks
  try {
    const Mesh mesh(p, comm);
    ADD_FAILURE() << "no error with " << comm.size() - 1 << " blocks on " << comm.size()
                  << " ranks";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.exit_code(), 2);
    EXPECT_TRUE(e.collective());
    EXPECT_NE(std::string(e.what()).find(std::to_string(comm.size() - 1)), std::string::npos)
        << e.what();
  }
  // Exactly one block per rank is fine.
  p.cells[1] = 4 * comm.size();
  const Mesh ok(p, comm);
  EXPECT_EQ(ok.blocks().size(), 1u);
}

TEST(FieldRegistry, AddFindAndValidate) {
  FieldRegistry reg;
  FieldSpec u;
  u.name = "u";
  EXPECT_EQ(reg.add(u), 0);
  EXPECT_EQ(reg.spec(0).components, (std::vector<std::string>{"u"}));  // default: own name
  EXPECT_EQ(reg.spec(0).vector_axis, (std::vector<int>{-1}));          // default: scalar
  FieldSpec m;
  m.name = "mom";
  m.components = {"mom_x", "mom_y"};
  m.vector_axis = {0, 1};
  m.evolved = false;
  EXPECT_EQ(reg.add(m), 1);
  EXPECT_EQ(reg.size(), 2);
  EXPECT_EQ(reg.id("mom"), 1);
  EXPECT_EQ(reg.find("u"), 0);
  EXPECT_EQ(reg.find("nope"), -1);
  EXPECT_THROW(reg.id("nope"), Error);
  EXPECT_EQ(reg.evolved(), (std::vector<int>{0}));
  FieldSpec dup_name;
  dup_name.name = "u";
  dup_name.components = {"other"};
  EXPECT_THROW(reg.add(dup_name), Error);
  FieldSpec dup_comp;
  dup_comp.name = "w";
  dup_comp.components = {"mom_y"};
  EXPECT_THROW(reg.add(dup_comp), Error);
  FieldSpec bad_axes;
  bad_axes.name = "b";
  bad_axes.components = {"bx", "by"};
  bad_axes.vector_axis = {0};
  EXPECT_THROW(reg.add(bad_axes), Error);
  EXPECT_EQ(reg.size(), 2);
}

TEST(MeshFields, AllocateGivesGhostedZeroedStorage) {
  MeshParams p;
  p.ndim = 2;
  p.cells = {16, 8, 1};
  p.block_cells = {4, 4, 1};
  p.ghost = 3;
  Mesh mesh(p, test_comm());
  FieldSpec m;
  m.name = "mom";
  m.components = {"mom_x", "mom_y"};
  const int id = mesh.fields().add(m);
  mesh.allocate_fields();
  for (const auto& b : mesh.blocks()) {
    const Array4& a = b->field(id);
    EXPECT_EQ(a.ncomp(), 2);
    EXPECT_EQ(a.dims(), (std::array<int, 3>{10, 10, 1}));
    EXPECT_EQ(a.size(), 2u * 10 * 10);
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a.data()[i], 0.0);
  }
}

TEST(Array4, IndexingIsXFastest) {
  Array4 a(2, {3, 4, 5});
  EXPECT_EQ(a.stride(0), 1);
  EXPECT_EQ(a.stride(1), 3);
  EXPECT_EQ(a.stride(2), 12);
  EXPECT_EQ(a.comp_size(), 60u);
  a(1, 2, 3, 1) = 7.0;
  EXPECT_EQ(a.data()[60 + (2 * 4 + 3) * 3 + 1], 7.0);
  EXPECT_EQ(a.comp(1)[(2 * 4 + 3) * 3 + 1], 7.0);
  long n = 0;
  for_each_cell(IndexBox{{1, 0, 2}, {3, 4, 5}}, [&](int k, int j, int i) {
    EXPECT_GE(i, 1);
    EXPECT_LT(k, 5);
    EXPECT_GE(k, 2);
    (void)j;
    ++n;
  });
  EXPECT_EQ(n, IndexBox({{1, 0, 2}, {3, 4, 5}}).volume());
  EXPECT_EQ(n, 2 * 4 * 3);
}

TEST(Block, DirectionIndexRoundTrip) {
  for (int d = 0; d < 27; ++d) {
    const auto o = Block::dir_offset(d);
    EXPECT_EQ(Block::dir_index(o[0], o[1], o[2]), d);
  }
  EXPECT_EQ(Block::dir_index(0, 0, 0), 13);
  EXPECT_EQ(Block::dir_offset(0), (std::array<int, 3>{-1, -1, -1}));
  EXPECT_EQ(Block::dir_offset(26), (std::array<int, 3>{1, 1, 1}));
}

}  // namespace
}  // namespace tessera

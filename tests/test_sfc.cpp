// Space-filling curves: Morton and Hilbert keys are bijections of the 2^b grid onto
// [0, 2^(b*ndim)); consecutive Hilbert keys are face neighbours; Morton interleaves the bits
// with axis 0 least significant within each bit group.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "tessera/mesh/sfc.hpp"

namespace tessera {
namespace {

using Loc = std::array<std::int64_t, 3>;

/// Every point of the 2^bits grid in ndim dimensions (unused coordinates 0).
std::vector<Loc> grid_points(int ndim, int bits) {
  const std::int64_t n = std::int64_t{1} << bits;
  std::vector<Loc> pts;
  for (std::int64_t k = 0; k < (ndim > 2 ? n : 1); ++k)
    for (std::int64_t j = 0; j < (ndim > 1 ? n : 1); ++j)
      for (std::int64_t i = 0; i < n; ++i) pts.push_back({i, j, k});
  return pts;
}

/// Inverts `key` over the grid: by_key[key] = point. Fails if a key repeats or is out of range.
template <typename KeyFn>
std::vector<Loc> invert(KeyFn key, int ndim, int bits) {
  const auto pts = grid_points(ndim, bits);
  const std::uint64_t total = std::uint64_t{1} << (bits * ndim);
  EXPECT_EQ(pts.size(), total);
  std::vector<Loc> by_key(total, Loc{-1, -1, -1});
  for (const auto& p : pts) {
    const std::uint64_t k = key(p, ndim, bits);
    if (k >= total) {
      ADD_FAILURE() << "key " << k << " out of range for ndim=" << ndim << " bits=" << bits;
      continue;
    }
    if (by_key[k][0] != -1) {
      ADD_FAILURE() << "key " << k << " repeats (ndim=" << ndim << " bits=" << bits << ")";
    }
    by_key[k] = p;
  }
  return by_key;
}

std::int64_t manhattan(const Loc& a, const Loc& b) {
  return std::llabs(a[0] - b[0]) + std::llabs(a[1] - b[1]) + std::llabs(a[2] - b[2]);
}

class SfcDims : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(SfcDims, MortonIsABijection) {
  const auto [ndim, bits] = GetParam();
  const auto by_key = invert(morton_key, ndim, bits);
  for (const auto& p : by_key) EXPECT_NE(p[0], -1);  // every key in [0, 2^(b*ndim)) is hit
}

TEST_P(SfcDims, HilbertIsABijectionWithFaceNeighbourSteps) {
  const auto [ndim, bits] = GetParam();
  const auto by_key = invert(hilbert_key, ndim, bits);
  for (const auto& p : by_key) EXPECT_NE(p[0], -1);
  int bad = 0;
  for (std::size_t k = 1; k < by_key.size(); ++k) {
    if (manhattan(by_key[k - 1], by_key[k]) != 1 && ++bad <= 5) {
      ADD_FAILURE() << "ndim=" << ndim << " bits=" << bits << ": keys " << k - 1 << " and " << k
                    << " are at (" << by_key[k - 1][0] << "," << by_key[k - 1][1] << ","
                    << by_key[k - 1][2] << ") and (" << by_key[k][0] << "," << by_key[k][1] << ","
                    << by_key[k][2] << ")";
    }
  }
  // The Hilbert curve starts at the origin and ends at a corner one edge away from it.
  EXPECT_EQ(by_key.front(), (Loc{0, 0, 0}));
  const std::int64_t m = (std::int64_t{1} << bits) - 1;
  int at_max = 0, at_zero = 0;
  for (int a = 0; a < ndim; ++a) {
    at_max += by_key.back()[a] == m;
    at_zero += by_key.back()[a] == 0;
  }
  EXPECT_EQ(at_max, 1);
  EXPECT_EQ(at_zero, ndim - 1);
}

INSTANTIATE_TEST_SUITE_P(Grids, SfcDims,
                         ::testing::Combine(::testing::Values(2, 3),
                                            ::testing::Values(1, 2, 3, 4)));

TEST(Sfc, MortonInterleaveAxis0LeastSignificant) {
  // 2D, one bit: (0,0) < (1,0) < (0,1) < (1,1).
  EXPECT_EQ(morton_key({0, 0, 0}, 2, 1), 0u);
  EXPECT_EQ(morton_key({1, 0, 0}, 2, 1), 1u);
  EXPECT_EQ(morton_key({0, 1, 0}, 2, 1), 2u);
  EXPECT_EQ(morton_key({1, 1, 0}, 2, 1), 3u);
  // 3D, one bit: z is the most significant bit of the group.
  EXPECT_EQ(morton_key({0, 0, 1}, 3, 1), 4u);
  EXPECT_EQ(morton_key({1, 1, 1}, 3, 1), 7u);
  // Several bits: bit b of axis d goes to bit b*ndim + d.
  // (2,1): x bit 1 -> 1<<2, y bit 0 -> 1<<1.
  EXPECT_EQ(morton_key({2, 1, 0}, 2, 2), 6u);
  // (5,3,6) in 3D, 3 bits: x=101, y=011, z=110.
  // x: bits 0,2 -> 1<<0, 1<<6; y: bits 0,1 -> 1<<1, 1<<4; z: bits 1,2 -> 1<<5, 1<<8.
  EXPECT_EQ(morton_key({5, 3, 6}, 3, 3),
            (1u << 0) + (1u << 6) + (1u << 1) + (1u << 4) + (1u << 5) + (1u << 8));
  // 1D: the key is the coordinate.
  EXPECT_EQ(morton_key({13, 0, 0}, 1, 4), 13u);
}

TEST(Sfc, HilbertIn1DIsTheCoordinate) {
  for (std::int64_t i = 0; i < 16; ++i) EXPECT_EQ(hilbert_key({i, 0, 0}, 1, 4), std::uint64_t(i));
}

TEST(Sfc, Hilbert2DOneBitIsTheUShape) {
  // The first-order 2D Hilbert curve visits the four cells of a square in a U: each step is a
  // face step and the last cell is adjacent to the first.
  std::array<Loc, 4> by_key{};
  for (std::int64_t j = 0; j < 2; ++j)
    for (std::int64_t i = 0; i < 2; ++i) by_key.at(hilbert_key({i, j, 0}, 2, 1)) = {i, j, 0};
  EXPECT_EQ(by_key[0], (Loc{0, 0, 0}));
  for (int k = 1; k < 4; ++k) EXPECT_EQ(manhattan(by_key[k - 1], by_key[k]), 1);
  EXPECT_EQ(manhattan(by_key[3], by_key[0]), 1);
}

}  // namespace
}  // namespace tessera

// Unit tests for the training-data parts: SHA-256 (FIPS 180-4 test vectors), counter-based
// random numbers, ensemble sampling and splits, face-to-centre interpolation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "tessera/app/ensemble.hpp"
#include "tessera/core/random.hpp"
#include "tessera/core/sha256.hpp"
#include "tessera/io/well_dataset.hpp"

namespace tessera {
namespace {

TEST(Sha256, FipsVectors) {
  // FIPS 180-4 / NIST CSRC examples: "", "abc" and the 448-bit two-block message.
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // One million 'a' fed in uneven pieces (exercises the partial-block path).
  Sha256 h;
  const std::string piece(997, 'a');
  std::size_t left = 1000000;
  while (left > 0) {
    const std::size_t n = std::min(left, piece.size());
    h.update(piece.data(), n);
    left -= n;
  }
  EXPECT_EQ(h.hex_digest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Random, UniformMoments) {
  // 1e5 draws: mean 1/2 and variance 1/12 within 5 standard errors (reason: a failing test
  // then means a broken mix, not bad luck).
  const int n = 100000;
  double s = 0, s2 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = hashed_uniform(42, 7, static_cast<std::uint64_t>(i));
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    s += u;
    s2 += u * u;
  }
  const double mean = s / n, var = s2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(var, 1.0 / 12, 5 * std::sqrt(1.0 / 180 / n));
  EXPECT_NE(hashed_uniform(1, 2, 3), hashed_uniform(1, 3, 3));
}

TEST(Ensemble, SampledValuesInRangeAndDeterministic) {
  SampledParam u{"physics.x.a", SampledParam::Kind::kUniform, 0.5, 1.5, {}};
  SampledParam l{"physics.x.b", SampledParam::Kind::kLogUniform, 1e-4, 1e-2, {}};
  SampledParam c{"problem.c", SampledParam::Kind::kList, 0, 0, {"1", "2", "3"}};
  int low_decade = 0;
  for (std::int64_t m = 0; m < 200; ++m) {
    const double a = std::stod(sampled_value(u, 100 + m, m));
    const double b = std::stod(sampled_value(l, 100 + m, m));
    EXPECT_GE(a, 0.5);
    EXPECT_LT(a, 1.5);
    EXPECT_GE(b, 1e-4);
    EXPECT_LT(b, 1e-2);
    low_decade += b < 1e-3;
    EXPECT_EQ(sampled_value(c, 100 + m, m), std::to_string(m % 3 + 1));
    EXPECT_EQ(sampled_value(u, 100 + m, m), sampled_value(u, 100 + m, m));
  }
  // Log-uniform: half the draws in the lower decade; 200 draws, binomial sd 7 (reason: 4 sd).
  EXPECT_NEAR(low_decade, 100, 28);
  // The override text parses back to the same double and stays a TOML float.
  SampledParam one{"p.q", SampledParam::Kind::kUniform, 2.0, 2.0, {}};
  EXPECT_EQ(sampled_value(one, 1, 0), "2.0");
}

TEST(Ensemble, SplitIs80_10_10AndDeterministic) {
  for (std::int64_t n : {1, 2, 3, 8, 10, 16, 64, 100}) {
    const auto s = split_assignment(n, 1000);
    const auto count = [&](const char* k) { return std::count(s.begin(), s.end(), k); };
    const std::int64_t hold = n >= 3 ? std::max<std::int64_t>(1, std::llround(n / 10.0)) : 0;
    EXPECT_EQ(count("test"), hold) << n;
    EXPECT_EQ(count("valid"), hold) << n;
    EXPECT_EQ(count("train"), n - 2 * hold) << n;
    EXPECT_EQ(s, split_assignment(n, 1000));
  }
  EXPECT_NE(split_assignment(64, 1), split_assignment(64, 2));
}

TEST(Dataset, FaceToCentreIsExactForLinearProfiles) {
  // Faces at x_{i-1/2} = i h hold f = 3 + 2 x; the centre value must be 3 + 2 (i + 1/2) h.
  Array4 a(1, {8, 6, 5});
  const double h = 0.25;
  for (int k = 0; k < 5; ++k)
    for (int j = 0; j < 6; ++j)
      for (int i = 0; i < 8; ++i) a(0, k, j, i) = 3 + 2 * i * h + 0.5 * j * h - 1.5 * k * h;
  for (int i = 0; i < 7; ++i) {
    EXPECT_DOUBLE_EQ(centred_value(a, 0, 2, 3, i, Centring::kFaceX),
                     3 + 2 * (i + 0.5) * h + 0.5 * 3 * h - 1.5 * 2 * h);
  }
  EXPECT_DOUBLE_EQ(centred_value(a, 0, 1, 2, 4, Centring::kFaceY),
                   3 + 2 * 4 * h + 0.5 * 2.5 * h - 1.5 * h);
  EXPECT_DOUBLE_EQ(centred_value(a, 0, 1, 2, 4, Centring::kFaceZ),
                   3 + 2 * 4 * h + 0.5 * 2 * h - 1.5 * 1.5 * h);
  EXPECT_EQ(centred_value(a, 0, 1, 2, 4, Centring::kCell), a(0, 1, 2, 4));
  EXPECT_EQ(centring_method(Centring::kCell), "none (cell-centred storage)");
}

}  // namespace
}  // namespace tessera

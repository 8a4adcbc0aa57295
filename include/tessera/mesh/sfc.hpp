#pragma once
/// \file sfc.hpp
/// Space-filling-curve keys for ordering blocks (Morton and Hilbert).
#include <array>
#include <cstdint>

namespace tessera {

enum class CurveKind { kMorton, kHilbert };

/// Morton (Z-order) key of integer coordinates `x` (each < 2^bits) in `ndim` dimensions.
std::uint64_t morton_key(const std::array<std::int64_t, 3>& x, int ndim, int bits);

/// Hilbert key of integer coordinates `x` (each < 2^bits) in `ndim` dimensions.
/// Skilling's transpose algorithm (J. Skilling, "Programming the Hilbert curve",
/// AIP Conf. Proc. 707, 381 (2004)); consecutive keys are face neighbours.
std::uint64_t hilbert_key(const std::array<std::int64_t, 3>& x, int ndim, int bits);

}  // namespace tessera

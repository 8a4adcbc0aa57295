#include "tessera/mesh/sfc.hpp"

namespace tessera {

std::uint64_t morton_key(const std::array<std::int64_t, 3>& x, int ndim, int bits) {
  std::uint64_t key = 0;
  for (int b = bits - 1; b >= 0; --b) {
    for (int d = ndim - 1; d >= 0; --d) {
      key = (key << 1) | ((static_cast<std::uint64_t>(x[d]) >> b) & 1u);
    }
  }
  return key;
}

std::uint64_t hilbert_key(const std::array<std::int64_t, 3>& x, int ndim, int bits) {
  if (bits <= 0) return 0;
  std::array<std::uint64_t, 3> X{static_cast<std::uint64_t>(x[0]), static_cast<std::uint64_t>(x[1]),
                                 static_cast<std::uint64_t>(x[2])};
  const std::uint64_t M = std::uint64_t{1} << (bits - 1);
  // Undo excess work: turn the axes into the "transposed" Hilbert index (Skilling 2004).
  for (std::uint64_t Q = M; Q > 1; Q >>= 1) {
    const std::uint64_t P = Q - 1;
    for (int i = 0; i < ndim; ++i) {
      if (X[i] & Q) {
        X[0] ^= P;  // invert low bits of the first axis
      } else {
        const std::uint64_t t = (X[0] ^ X[i]) & P;  // exchange low bits
        X[0] ^= t;
        X[i] ^= t;
      }
    }
  }
  // Gray encode.
  for (int i = 1; i < ndim; ++i) X[i] ^= X[i - 1];
  std::uint64_t t = 0;
  for (std::uint64_t Q = M; Q > 1; Q >>= 1) {
    if (X[ndim - 1] & Q) t ^= Q - 1;
  }
  for (int i = 0; i < ndim; ++i) X[i] ^= t;
  // Interleave the transposed bits, most significant first, axis 0 first.
  std::uint64_t key = 0;
  for (int b = bits - 1; b >= 0; --b) {
    for (int i = 0; i < ndim; ++i) key = (key << 1) | ((X[i] >> b) & 1u);
  }
  return key;
}

}  // namespace tessera

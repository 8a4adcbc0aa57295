#pragma once
/// \file random.hpp
/// Counter-based random numbers: pure functions of (seed, stream, index), so a value never
/// depends on the rank count, the block order or how many values were drawn before it.
/// Used for ensemble parameter sampling and seeded initial conditions.
#include <cmath>
#include <cstdint>

namespace tessera {

/// SplitMix64 finaliser (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
/// generators", OOPSLA): a bijective 64-bit mix with full avalanche.
constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// A 64-bit hash of (seed, stream, index); each argument passes through its own mixing round.
constexpr std::uint64_t hash3(std::uint64_t seed, std::uint64_t stream,
                              std::uint64_t index) noexcept {
  return splitmix64(splitmix64(splitmix64(seed) ^ stream) ^ index);
}

/// FNV-1a 64-bit hash of a string (a stable stream id for a name, e.g. a deck key).
constexpr std::uint64_t fnv1a64(const char* s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (; *s; ++s) h = (h ^ static_cast<unsigned char>(*s)) * 0x100000001b3ULL;
  return h;
}

/// Uniform double in [0, 1) from the top 53 bits of hash3 (exactly representable).
inline double hashed_uniform(std::uint64_t seed, std::uint64_t stream,
                             std::uint64_t index) noexcept {
  return static_cast<double>(hash3(seed, stream, index) >> 11) * 0x1.0p-53;
}

}  // namespace tessera

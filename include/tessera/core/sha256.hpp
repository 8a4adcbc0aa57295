#pragma once
/// \file sha256.hpp
/// SHA-256 (FIPS 180-4) of byte strings and files, for dataset manifests (the checksum lets a
/// user verify a downloaded or copied member file with `sha256sum`).
#include <cstdint>
#include <string>

namespace tessera {

/// Incremental SHA-256.
class Sha256 {
 public:
  Sha256();
  /// Appends `n` bytes.
  void update(const void* data, std::size_t n);
  /// Finishes and returns the digest as 64 lowercase hex digits (the object is then spent).
  std::string hex_digest();

 private:
  void block(const unsigned char* p);
  std::uint32_t h_[8];
  unsigned char buf_[64];
  std::size_t fill_ = 0;
  std::uint64_t bytes_ = 0;
};

/// SHA-256 of a string, hex.
std::string sha256_hex(const std::string& s);
/// SHA-256 of a file's contents, hex; throws IoError if it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace tessera

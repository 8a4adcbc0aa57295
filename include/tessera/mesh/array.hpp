#pragma once
/// \file array.hpp
/// Owning multi-component array of cell data with ghosts: index (c, k, j, i), x fastest.
#include <array>
#include <cstddef>
#include <vector>

namespace tessera {

/// Storage for `ncomp` components on an (nz, ny, nx) box (ghosts included), x contiguous.
class Array4 {
 public:
  Array4() = default;
  Array4(int ncomp, const std::array<int, 3>& n) { resize(ncomp, n); }
  void resize(int ncomp, const std::array<int, 3>& n) {
    nc_ = ncomp;
    n_ = n;
    data_.assign(static_cast<std::size_t>(ncomp) * n[0] * n[1] * n[2], 0.0);
  }
  int ncomp() const noexcept { return nc_; }
  /// Extent along axis a (0 = x), ghosts included.
  int n(int a) const noexcept { return n_[a]; }
  const std::array<int, 3>& dims() const noexcept { return n_; }
  /// Distance in memory between neighbours along axis a.
  std::ptrdiff_t stride(int a) const noexcept {
    return a == 0 ? 1 : (a == 1 ? n_[0] : static_cast<std::ptrdiff_t>(n_[0]) * n_[1]);
  }
  std::size_t comp_size() const noexcept { return static_cast<std::size_t>(n_[0]) * n_[1] * n_[2]; }
  double& operator()(int c, int k, int j, int i) noexcept {
    return data_[c * comp_size() + (static_cast<std::size_t>(k) * n_[1] + j) * n_[0] + i];
  }
  double operator()(int c, int k, int j, int i) const noexcept {
    return data_[c * comp_size() + (static_cast<std::size_t>(k) * n_[1] + j) * n_[0] + i];
  }
  /// Address of element (c, k, j, i); rows along x are contiguous from it.
  double* ptr(int c, int k, int j, int i) noexcept { return &(*this)(c, k, j, i); }
  const double* ptr(int c, int k, int j, int i) const noexcept {
    return data_.data() + c * comp_size() + (static_cast<std::size_t>(k) * n_[1] + j) * n_[0] + i;
  }
  double* comp(int c) noexcept { return data_.data() + c * comp_size(); }
  const double* comp(int c) const noexcept { return data_.data() + c * comp_size(); }
  double* data() noexcept { return data_.data(); }
  const double* data() const noexcept { return data_.data(); }
  std::size_t size() const noexcept { return data_.size(); }
  void fill(double v) { data_.assign(data_.size(), v); }

 private:
  int nc_ = 0;
  std::array<int, 3> n_{1, 1, 1};
  std::vector<double> data_;
};

/// Half-open index box [lo, hi) per axis, in the ghosted index space of a block.
struct IndexBox {
  std::array<int, 3> lo{0, 0, 0};
  std::array<int, 3> hi{1, 1, 1};
  long long volume() const {
    return static_cast<long long>(hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
  }
};

/// Calls f(k, j, i) for every cell of the box, x fastest.
template <typename F>
inline void for_each_cell(const IndexBox& b, F&& f) {
  for (int k = b.lo[2]; k < b.hi[2]; ++k)
    for (int j = b.lo[1]; j < b.hi[1]; ++j)
      for (int i = b.lo[0]; i < b.hi[0]; ++i) f(k, j, i);
}

}  // namespace tessera

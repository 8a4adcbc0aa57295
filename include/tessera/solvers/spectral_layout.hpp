#pragma once
/// \file spectral_layout.hpp
/// FFTW-MPI slab decomposition of a periodic box mapped onto the mesh's blocks, with real-to-
/// complex transforms whose complex side is left transposed (FFTW_MPI_TRANSPOSED_OUT/IN), so a
/// forward + backward pair costs one global transpose each way instead of two.
///
/// Physical space: FFTW splits the first (slowest) array dimension across ranks, which in
/// Tessera's x-fastest (k, j, i) storage is z in 3D and y in 2D. The layout therefore requires
/// blocks that span the full extent of every other axis, stacked along the last axis in gid
/// order (mesh.curve = "morton" with a single block across the other axes gives that), and
/// uses exactly the rows of the rank's blocks as its slab.
///
/// Spectral space (transposed): 3D [ky local][kz][kx = 0..nx/2]; 2D [kx = 0..nx/2 local][ky].
/// Coefficients are normalised: u(x) = sum_k u_k exp(i k.x) over the full (Hermitian) spectrum.
#include <complex>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/mesh/mesh.hpp"

namespace tessera {

using Complex = std::complex<double>;

/// FFTW planner effort (FFTW_ESTIMATE, FFTW_MEASURE, FFTW_PATIENT).
enum class PlannerEffort { kEstimate, kMeasure, kPatient };

/// Parses "estimate" | "measure" | "patient".
PlannerEffort planner_effort_from_string(const std::string& s);

/// A buffer allocated with fftw_malloc (SIMD-aligned, as FFTW's new-array execute requires).
template <typename T>
class FftwBuffer {
 public:
  FftwBuffer() = default;
  explicit FftwBuffer(std::size_t n);
  ~FftwBuffer();
  FftwBuffer(FftwBuffer&& o) noexcept : p_(o.p_), n_(o.n_) { o.p_ = nullptr, o.n_ = 0; }
  FftwBuffer& operator=(FftwBuffer&& o) noexcept;
  FftwBuffer(const FftwBuffer&) = delete;
  FftwBuffer& operator=(const FftwBuffer&) = delete;
  T* data() noexcept { return p_; }
  const T* data() const noexcept { return p_; }
  std::size_t size() const noexcept { return n_; }
  T& operator[](std::size_t i) noexcept { return p_[i]; }
  const T& operator[](std::size_t i) const noexcept { return p_[i]; }
  void fill(const T& v);

 private:
  T* p_ = nullptr;
  std::size_t n_ = 0;
};
using RealBuffer = FftwBuffer<double>;
using ComplexBuffer = FftwBuffer<Complex>;

/// One local spectral mode as seen by for_each_mode.
struct Mode {
  std::array<int, 3> m{0, 0, 0};           ///< integer wavenumber per axis (x, y, z); m[x] >= 0
  std::array<double, 3> k{0.0, 0.0, 0.0};  ///< physical wavenumber 2 pi m / L per axis [1/length]
  double k2 = 0.0;                         ///< |k|^2 [1/length^2]
  /// Multiplicity in sums over the full spectrum: 2 for 0 < m_x < nx/2 (the conjugate mode
  /// is not stored), 1 otherwise.
  double weight = 1.0;
  bool nyquist = false;  ///< m_a = n_a/2 on some axis with even n_a (no conjugate partner)
};

/// Slab decomposition, FFTW plans and wavenumber tables for one periodic mesh.
class SpectralLayout {
 public:
  /// Checks the block layout against FFTW's slab split (ConfigError naming the mesh keys when it
  /// does not match), imports wisdom from `wisdom_file` when it exists, and creates the plans
  /// (collective over mesh.comm()). `wisdom_file` may be empty.
  SpectralLayout(const Mesh& mesh, PlannerEffort effort, const std::string& wisdom_file);
  ~SpectralLayout();
  SpectralLayout(const SpectralLayout&) = delete;
  SpectralLayout& operator=(const SpectralLayout&) = delete;

  int ndim() const noexcept { return ndim_; }
  /// Global grid points per axis (1 on unused axes).
  const std::array<std::int64_t, 3>& global_n() const noexcept { return n_; }
  /// Total number of grid points.
  double total_points() const noexcept { return ntot_; }
  /// Elements to allocate for a physical (padded real) array on this rank.
  std::size_t real_alloc() const noexcept { return real_alloc_; }
  /// Local complex coefficients (the stored half spectrum on this rank).
  std::size_t spectral_size() const noexcept { return spec_size_; }
  /// Elements to allocate for a complex array (FFTW may need more than spectral_size()).
  std::size_t complex_alloc() const noexcept { return complex_alloc_; }
  RealBuffer make_real() const { return RealBuffer(real_alloc_); }
  ComplexBuffer make_complex() const { return ComplexBuffer(complex_alloc_); }

  /// Forward transform, normalised by 1/N: `spec` = FFT(`real`) / N. `real` is preserved.
  /// With `filter` (spectral_size() factors, e.g. a dealiasing mask) the result is also
  /// multiplied by it, in the same pass.
  void forward(const double* real, Complex* spec, const double* filter = nullptr);
  /// Forward transform without the 1/N factor: `spec` = FFT(`real`), for callers that fold the
  /// normalisation into their own pass over the coefficients.
  void forward_unnormalised(const double* real, Complex* spec);
  /// Backward transform: `real` = sum over the spectrum of `spec` (no normalisation).
  /// `spec` is preserved (copied to scratch first: FFTW's c2r overwrites its input).
  void backward(const Complex* spec, double* real);
  /// Backward transform that may overwrite `spec` (no copy; `spec` from make_complex()).
  void backward_destroy(Complex* spec, double* real);

  /// Copies component `c` of field `fid` (interior cells) of every local block into `real`.
  void gather(const Mesh& mesh, int fid, int c, double* real) const;
  /// Copies `real` into the interior of component `c` of field `fid` on every local block.
  void scatter(const double* real, Mesh& mesh, int fid, int c) const;
  /// Calls f(p, i, j, k) for every local physical point, with p the index into a real array
  /// and (i, j, k) the global cell indices.
  template <typename F>
  void for_each_point(F&& f) const;

  /// Calls f(s, mode) for every local spectral coefficient s in [0, spectral_size()).
  template <typename F>
  void for_each_mode(F&& f) const;

  /// out[s] = c * prod over the axes of f(k_axis) for every local coefficient s: a separable
  /// factor such as exp(-nu |k|^2 h) = prod_a exp(-nu k_a^2 h), with f called once per
  /// wavenumber of each axis instead of once per mode.
  template <typename F>
  void fill_separable(double* out, double c, F&& f) const;

  /// Sum of `v` over all ranks (MPI_Allreduce on the mesh communicator), in place.
  void sum_inplace(std::vector<double>& v) const;
  /// Maximum over all ranks.
  double max(double v) const;

  /// Seconds spent inside fftw_execute since construction (this rank).
  double fft_seconds() const noexcept { return fft_seconds_; }
  /// Number of transforms executed (forward + backward).
  std::int64_t fft_count() const noexcept { return fft_count_; }

 private:
  int ndim_;
  MPI_Comm comm_;
  std::array<std::int64_t, 3> n_{1, 1, 1};
  std::array<double, 3> len_{1.0, 1.0, 1.0};
  double ntot_ = 1.0;
  std::ptrdiff_t padded_x_ = 0;                       // 2 (nx/2 + 1): row length of the real arrays
  std::ptrdiff_t local_rows_ = 0, row_start_ = 0;     // slab of the last axis on this rank
  std::ptrdiff_t local_spec0_ = 0, spec0_start_ = 0;  // transposed slab of spectral dim 0
  std::array<std::ptrdiff_t, 3> sdim_{1, 1, 1};       // local spectral extents (dim 0 local)
  std::array<int, 3> saxis_{0, 1, 2};                 // physical axis of spectral dim d
  std::size_t real_alloc_ = 0, complex_alloc_ = 0, spec_size_ = 0;
  std::vector<std::ptrdiff_t> block_offset_;  // per local block: first element in real arrays
  std::array<std::vector<int>, 3> mtab_;      // per spectral dim: integer wavenumber of index
  std::array<std::vector<double>, 3> ktab_;   // per spectral dim: physical wavenumber
  std::array<std::vector<char>, 3> nyq_;      // per spectral dim: index is a Nyquist mode
  std::array<std::vector<double>, 3> wtab_;   // per spectral dim: Hermitian weight factor
  struct Plans;
  std::unique_ptr<Plans> plans_;
  ComplexBuffer scratch_;
  double fft_seconds_ = 0.0;
  std::int64_t fft_count_ = 0;
};

template <typename F>
void SpectralLayout::for_each_point(F&& f) const {
  // Real arrays: [local last-axis rows][(3D) ny][padded nx], x fastest.
  if (ndim_ == 3) {
    for (std::ptrdiff_t k = 0; k < local_rows_; ++k)
      for (std::int64_t j = 0; j < n_[1]; ++j) {
        const std::ptrdiff_t row = (k * n_[1] + j) * padded_x_;
        for (std::int64_t i = 0; i < n_[0]; ++i)
          f(static_cast<std::size_t>(row + i), static_cast<int>(i), static_cast<int>(j),
            static_cast<int>(k + row_start_));
      }
  } else {
    for (std::ptrdiff_t j = 0; j < local_rows_; ++j) {
      const std::ptrdiff_t row = j * padded_x_;
      for (std::int64_t i = 0; i < n_[0]; ++i)
        f(static_cast<std::size_t>(row + i), static_cast<int>(i), static_cast<int>(j + row_start_),
          0);
    }
  }
}

template <typename F>
void SpectralLayout::for_each_mode(F&& f) const {
  // Hierarchical: each loop level sets only its own dimension's entries (this loop runs
  // several times per transform, so it must cost little next to the FFT).
  Mode md;
  std::size_t s = 0;
  const int x0 = saxis_[0], x1 = saxis_[1], x2 = saxis_[2];
  for (std::ptrdiff_t a = 0; a < sdim_[0]; ++a) {
    md.m[x0] = mtab_[0][a];
    md.k[x0] = ktab_[0][a];
    const double k2a = md.k[x0] * md.k[x0];
    const bool nya = nyq_[0][a] != 0;
    const double wa = wtab_[0][a];
    for (std::ptrdiff_t b = 0; b < sdim_[1]; ++b) {
      md.m[x1] = mtab_[1][b];
      md.k[x1] = ktab_[1][b];
      const double k2b = k2a + md.k[x1] * md.k[x1];
      const bool nyb = nya || nyq_[1][b] != 0;
      const double wb = wa * wtab_[1][b];
      if (ndim_ == 2) {
        md.k2 = k2b;
        md.nyquist = nyb;
        md.weight = wb;
        f(s++, md);
        continue;
      }
      for (std::ptrdiff_t c = 0; c < sdim_[2]; ++c) {
        md.m[x2] = mtab_[2][c];
        md.k[x2] = ktab_[2][c];
        md.k2 = k2b + md.k[x2] * md.k[x2];
        md.nyquist = nyb || nyq_[2][c] != 0;
        md.weight = wb * wtab_[2][c];
        f(s++, md);
      }
    }
  }
}

template <typename F>
void SpectralLayout::fill_separable(double* out, double c, F&& f) const {
  std::array<std::vector<double>, 3> g;
  for (int d = 0; d < 3; ++d) {
    g[d].assign(static_cast<std::size_t>(sdim_[d]), 1.0);
    if (d < ndim_)
      for (std::size_t i = 0; i < g[d].size(); ++i) g[d][i] = f(ktab_[d][i]);
  }
  std::size_t s = 0;
  for (std::size_t a = 0; a < g[0].size(); ++a) {
    const double ga = c * g[0][a];
    for (std::size_t b = 0; b < g[1].size(); ++b) {
      const double gb = ga * g[1][b];
      for (std::size_t q = 0; q < g[2].size(); ++q) out[s++] = gb * g[2][q];
    }
  }
}

}  // namespace tessera

#include "tessera/solvers/spectral_layout.hpp"

#include <fftw3-mpi.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "tessera/core/errors.hpp"
#include "tessera/core/timer.hpp"

namespace tessera {

PlannerEffort planner_effort_from_string(const std::string& s) {
  if (s == "estimate") return PlannerEffort::kEstimate;
  if (s == "patient") return PlannerEffort::kPatient;
  return PlannerEffort::kMeasure;
}

template <typename T>
FftwBuffer<T>::FftwBuffer(std::size_t n) : n_(n) {
  p_ = static_cast<T*>(fftw_malloc(sizeof(T) * std::max<std::size_t>(n, 1)));
  if (!p_)
    throw Error(fmt::format("fftw_malloc of {} bytes failed (out of memory)", sizeof(T) * n));
  fill(T{});
}

template <typename T>
FftwBuffer<T>::~FftwBuffer() {
  if (p_) fftw_free(p_);
}

template <typename T>
FftwBuffer<T>& FftwBuffer<T>::operator=(FftwBuffer&& o) noexcept {
  if (this != &o) {
    if (p_) fftw_free(p_);
    p_ = o.p_;
    n_ = o.n_;
    o.p_ = nullptr;
    o.n_ = 0;
  }
  return *this;
}

template <typename T>
void FftwBuffer<T>::fill(const T& v) {
  std::fill(p_, p_ + n_, v);
}

template class FftwBuffer<double>;
template class FftwBuffer<Complex>;

namespace {

/// fftw_mpi_init must run once per process, after MPI_Init (FFTW manual, section 6.12.2).
void ensure_fftw_mpi_init() {
  static std::once_flag once;
  std::call_once(once, [] { fftw_mpi_init(); });
}

/// Integer wavenumber of global index g on an axis of n points (full, not halved, axis).
int wavenumber(std::int64_t g, std::int64_t n) {
  return static_cast<int>(2 * g <= n ? g : g - n);
}

}  // namespace

/// Owns the two FFTW plans.
struct SpectralLayout::Plans {
  fftw_plan r2c = nullptr;
  fftw_plan c2r = nullptr;
  ~Plans() {
    if (r2c) fftw_destroy_plan(r2c);
    if (c2r) fftw_destroy_plan(c2r);
  }
};

SpectralLayout::SpectralLayout(const Mesh& mesh, PlannerEffort effort,
                               const std::string& wisdom_file)
    : ndim_(mesh.ndim()), comm_(mesh.comm().get()) {
  ensure_fftw_mpi_init();
  const MeshParams& p = mesh.params();
  if (ndim_ < 2) {
    throw ConfigError(
        "the pseudo-spectral solver needs a 2D or 3D mesh: give mesh.cells two or "
        "three entries");
  }
  for (int a = 0; a < ndim_; ++a) {
    if (!p.periodic[a]) {
      throw ConfigError(fmt::format(
          "the pseudo-spectral solver needs a periodic box: set boundary.x{0}_lower and "
          "boundary.x{0}_upper to \"periodic\"",
          a + 1));
    }
    n_[a] = p.cells[a];
    len_[a] = p.upper[a] - p.lower[a];
    ntot_ *= static_cast<double>(n_[a]);
  }
  const int last = ndim_ - 1;
  const auto& nb = mesh.nblocks_dim();
  // Slabs along the last axis: one block across every other axis, gid order = position.
  for (int a = 0; a < last; ++a) {
    if (nb[a] != 1) {
      throw ConfigError(fmt::format(
          "the pseudo-spectral solver stores one FFTW slab per group of blocks along the last "
          "axis: mesh.block_cells[{0}] must equal mesh.cells[{0}] = {1} (it is {2})",
          a, p.cells[a], p.block_cells[a]));
    }
  }
  for (std::int64_t g = 0; g < mesh.nblocks_total(); ++g) {
    if (mesh.location(g)[last] != g) {
      throw ConfigError(
          "the pseudo-spectral solver needs blocks ordered along the last axis: set mesh.curve = "
          "\"morton\" (the Hilbert curve does not visit a column of blocks in order)");
    }
  }
  const std::int64_t bc = p.block_cells[last];
  const int rank = mesh.comm().rank(), size = mesh.comm().size();
  local_rows_ = static_cast<std::ptrdiff_t>((mesh.first_gid(rank + 1) - mesh.first_gid(rank)) * bc);
  row_start_ = static_cast<std::ptrdiff_t>(mesh.first_gid(rank) * bc);
  const std::ptrdiff_t block0 =
      static_cast<std::ptrdiff_t>((mesh.first_gid(1) - mesh.first_gid(0)) * bc);

  // FFTW dimensions, slowest first: (z, y, x) or (y, x); the complex last dimension is halved.
  std::vector<std::ptrdiff_t> nreal(ndim_), ncplx(ndim_);
  for (int d = 0; d < ndim_; ++d) nreal[d] = static_cast<std::ptrdiff_t>(n_[last - d]);
  ncplx = nreal;
  ncplx[last] = nreal[last] / 2 + 1;
  padded_x_ = 2 * ncplx[last];
  std::ptrdiff_t ln0 = 0, l0s = 0, ln1 = 0, l1s = 0;
  const std::ptrdiff_t alloc = fftw_mpi_local_size_many_transposed(
      ndim_, ncplx.data(), 1, block0, FFTW_MPI_DEFAULT_BLOCK, comm_, &ln0, &l0s, &ln1, &l1s);
  const int ok_local = (ln0 == local_rows_ && l0s == row_start_) ? 1 : 0;
  int ok = 0;
  MPI_Allreduce(&ok_local, &ok, 1, MPI_INT, MPI_MIN, comm_);
  if (!ok) {
    throw ConfigError(fmt::format(
        "FFTW's slab split does not match the blocks: mesh.cells[{0}] / mesh.block_cells[{0}] = "
        "{1} blocks along the last axis must be a multiple of the number of ranks ({2}); change "
        "mesh.block_cells[{0}] or the rank count",
        last, nb[last], size));
  }
  local_spec0_ = ln1;
  spec0_start_ = l1s;
  // Transposed complex layout: FFTW dims 0 and 1 swapped, the first one local.
  if (ndim_ == 3) {
    sdim_ = {ln1, ncplx[0], ncplx[2]};  // [y local][z][x half]
    saxis_ = {1, 2, 0};
  } else {
    sdim_ = {ln1, ncplx[0], 1};  // [x half local][y]
    saxis_ = {0, 1, 2};
  }
  spec_size_ = static_cast<std::size_t>(sdim_[0] * sdim_[1] * sdim_[2]);
  complex_alloc_ = static_cast<std::size_t>(std::max<std::ptrdiff_t>(alloc, 1));
  real_alloc_ = 2 * complex_alloc_;
  // Wavenumber tables per spectral dimension.
  for (int d = 0; d < ndim_; ++d) {
    const int ax = saxis_[d];
    const std::int64_t start = d == 0 ? l1s : 0;
    const double k0 = 2.0 * M_PI / len_[ax];
    for (std::ptrdiff_t i = 0; i < sdim_[d]; ++i) {
      const std::int64_t g = start + i;
      const int m = ax == 0 ? static_cast<int>(g) : wavenumber(g, n_[ax]);
      mtab_[d].push_back(m);
      ktab_[d].push_back(k0 * m);
      nyq_[d].push_back(n_[ax] % 2 == 0 && 2 * static_cast<std::int64_t>(m) == n_[ax] ? 1 : 0);
      // Only the halved x axis stores half of the conjugate pairs: weight 2 inside it.
      wtab_[d].push_back(ax == 0 && m != 0 && 2 * static_cast<std::int64_t>(m) != n_[0] ? 2.0
                                                                                        : 1.0);
    }
  }
  // Local blocks -> offsets in the real arrays.
  for (const auto& b : mesh.blocks()) {
    const std::ptrdiff_t row0 = static_cast<std::ptrdiff_t>(b->loc[last] * bc) - row_start_;
    const std::ptrdiff_t per_row =
        ndim_ == 3 ? static_cast<std::ptrdiff_t>(n_[1]) * padded_x_ : padded_x_;
    block_offset_.push_back(row0 * per_row);
  }

  // Wisdom: rank 0 reads the file, everyone gets it (FFTW manual 6.8).
  const bool have_wisdom_file = !wisdom_file.empty();
  if (have_wisdom_file) {
    if (rank == 0 && std::filesystem::exists(wisdom_file)) {
      if (!fftw_import_wisdom_from_filename(wisdom_file.c_str())) {
        throw IoError(
            fmt::format("cannot read FFTW wisdom from '{}': delete the file or fix "
                        "physics.spectral_ns.fftw_wisdom",
                        wisdom_file));
      }
    }
    fftw_mpi_broadcast_wisdom(comm_);
  }
  unsigned flags = effort == PlannerEffort::kEstimate  ? FFTW_ESTIMATE
                   : effort == PlannerEffort::kPatient ? FFTW_PATIENT
                                                       : FFTW_MEASURE;
  // Plan on scratch arrays: MEASURE overwrites them. Later calls use the new-array execute
  // interface on buffers from fftw_malloc (same alignment).
  RealBuffer r(real_alloc_);
  ComplexBuffer c(complex_alloc_);
  plans_ = std::make_unique<Plans>();
  plans_->r2c = fftw_mpi_plan_many_dft_r2c(ndim_, nreal.data(), 1, block0, FFTW_MPI_DEFAULT_BLOCK,
                                           r.data(), reinterpret_cast<fftw_complex*>(c.data()),
                                           comm_, flags | FFTW_MPI_TRANSPOSED_OUT);
  plans_->c2r = fftw_mpi_plan_many_dft_c2r(ndim_, nreal.data(), 1, FFTW_MPI_DEFAULT_BLOCK, block0,
                                           reinterpret_cast<fftw_complex*>(c.data()), r.data(),
                                           comm_, flags | FFTW_MPI_TRANSPOSED_IN);
  if (!plans_->r2c || !plans_->c2r) {
    throw Error("FFTW could not create the MPI r2c/c2r plans (unsupported size?)");
  }
  if (have_wisdom_file) {
    fftw_mpi_gather_wisdom(comm_);
    if (rank == 0 && !fftw_export_wisdom_to_filename(wisdom_file.c_str())) {
      throw IoError(fmt::format("cannot write FFTW wisdom to '{}'", wisdom_file));
    }
  }
  scratch_ = ComplexBuffer(complex_alloc_);
}

SpectralLayout::~SpectralLayout() = default;

void SpectralLayout::forward(const double* real, Complex* spec, const double* filter) {
  const double t0 = wall_seconds();
  // The r2c plan does not overwrite its input (only c2r does), so the const_cast is safe.
  fftw_mpi_execute_dft_r2c(plans_->r2c, const_cast<double*>(real),
                           reinterpret_cast<fftw_complex*>(spec));
  fft_seconds_ += wall_seconds() - t0;
  ++fft_count_;
  const double s = 1.0 / ntot_;
  if (filter) {
    for (std::size_t i = 0; i < spec_size_; ++i) spec[i] *= s * filter[i];
  } else {
    for (std::size_t i = 0; i < spec_size_; ++i) spec[i] *= s;
  }
}

void SpectralLayout::forward_unnormalised(const double* real, Complex* spec) {
  const double t0 = wall_seconds();
  fftw_mpi_execute_dft_r2c(plans_->r2c, const_cast<double*>(real),
                           reinterpret_cast<fftw_complex*>(spec));
  fft_seconds_ += wall_seconds() - t0;
  ++fft_count_;
}

void SpectralLayout::backward(const Complex* spec, double* real) {
  std::memcpy(static_cast<void*>(scratch_.data()), spec, sizeof(Complex) * spec_size_);
  const double t0 = wall_seconds();
  fftw_mpi_execute_dft_c2r(plans_->c2r, reinterpret_cast<fftw_complex*>(scratch_.data()), real);
  fft_seconds_ += wall_seconds() - t0;
  ++fft_count_;
}

void SpectralLayout::backward_destroy(Complex* spec, double* real) {
  const double t0 = wall_seconds();
  fftw_mpi_execute_dft_c2r(plans_->c2r, reinterpret_cast<fftw_complex*>(spec), real);
  fft_seconds_ += wall_seconds() - t0;
  ++fft_count_;
}

void SpectralLayout::gather(const Mesh& mesh, int fid, int c, double* real) const {
  const auto& blocks = mesh.blocks();
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    const Block& blk = *blocks[b];
    const Array4& u = blk.field(fid);
    const IndexBox in = blk.interior();
    double* dst = real + block_offset_[b];
    for (int k = in.lo[2]; k < in.hi[2]; ++k)
      for (int j = in.lo[1]; j < in.hi[1]; ++j) {
        const std::ptrdiff_t row =
            ((k - in.lo[2]) * static_cast<std::ptrdiff_t>(blk.n[1]) + (j - in.lo[1])) * padded_x_;
        const double* src =
            u.comp(c) + (static_cast<std::ptrdiff_t>(k) * u.n(1) + j) * u.n(0) + in.lo[0];
        std::copy(src, src + blk.n[0], dst + row);
      }
  }
}

void SpectralLayout::scatter(const double* real, Mesh& mesh, int fid, int c) const {
  auto& blocks = mesh.blocks();
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    Block& blk = *blocks[b];
    Array4& u = blk.field(fid);
    const IndexBox in = blk.interior();
    const double* src = real + block_offset_[b];
    for (int k = in.lo[2]; k < in.hi[2]; ++k)
      for (int j = in.lo[1]; j < in.hi[1]; ++j) {
        const std::ptrdiff_t row =
            ((k - in.lo[2]) * static_cast<std::ptrdiff_t>(blk.n[1]) + (j - in.lo[1])) * padded_x_;
        std::copy(src + row, src + row + blk.n[0], &u(c, k, j, in.lo[0]));
      }
  }
}

void SpectralLayout::sum_inplace(std::vector<double>& v) const {
  if (v.empty()) return;
  MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), MPI_DOUBLE, MPI_SUM, comm_);
}

double SpectralLayout::max(double v) const {
  double r = v;
  MPI_Allreduce(&v, &r, 1, MPI_DOUBLE, MPI_MAX, comm_);
  return r;
}

}  // namespace tessera

#pragma once
/// \file comm.hpp
/// Thin, checked view of an MPI communicator. Tessera never uses the world communicator outside
/// main(): everything takes a Comm so several simulations can share one mpirun.
#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/errors.hpp"

namespace tessera {

/// Throws MpiError naming `what` when `rc` is not MPI_SUCCESS.
void mpi_check(int rc, const char* what);

/// Borrowed communicator (not owned, not freed).
class Comm {
 public:
  explicit Comm(MPI_Comm comm);
  MPI_Comm get() const noexcept { return comm_; }
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }
  bool root() const noexcept { return rank_ == 0; }

  void barrier() const;
  /// Global minimum / maximum / sum of one value (all ranks get the result).
  double min(double v) const;
  double max(double v) const;
  std::int64_t sum(std::int64_t v) const;
  std::int64_t max(std::int64_t v) const;
  /// Element-wise minimum of a small vector, in place.
  void min_inplace(std::vector<double>& v) const;
  /// Broadcasts a string from `root`.
  std::string broadcast(const std::string& s, int root) const;
  /// Gathers a variable-length vector of doubles from all ranks to rank 0, concatenated in
  /// rank order (which is global block order, since blocks are owned in contiguous ranges).
  std::vector<double> gather_to_root(const std::vector<double>& local) const;

 private:
  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace tessera

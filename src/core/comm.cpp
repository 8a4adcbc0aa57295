#include "tessera/core/comm.hpp"

#include <fmt/format.h>

namespace tessera {

void mpi_check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) {
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    throw MpiError(fmt::format("MPI call {} failed: {}", what, std::string(msg, len)));
  }
}

Comm::Comm(MPI_Comm comm) : comm_(comm) {
  mpi_check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  mpi_check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

void Comm::barrier() const {
  mpi_check(MPI_Barrier(comm_), "MPI_Barrier");
}

double Comm::min(double v) const {
  double r = v;
  mpi_check(MPI_Allreduce(&v, &r, 1, MPI_DOUBLE, MPI_MIN, comm_), "MPI_Allreduce(min)");
  return r;
}

double Comm::max(double v) const {
  double r = v;
  mpi_check(MPI_Allreduce(&v, &r, 1, MPI_DOUBLE, MPI_MAX, comm_), "MPI_Allreduce(max)");
  return r;
}

std::int64_t Comm::sum(std::int64_t v) const {
  std::int64_t r = v;
  mpi_check(MPI_Allreduce(&v, &r, 1, MPI_INT64_T, MPI_SUM, comm_), "MPI_Allreduce(sum)");
  return r;
}

std::int64_t Comm::max(std::int64_t v) const {
  std::int64_t r = v;
  mpi_check(MPI_Allreduce(&v, &r, 1, MPI_INT64_T, MPI_MAX, comm_), "MPI_Allreduce(max)");
  return r;
}

void Comm::min_inplace(std::vector<double>& v) const {
  mpi_check(
      MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), MPI_DOUBLE, MPI_MIN, comm_),
      "MPI_Allreduce(min)");
}

std::string Comm::broadcast(const std::string& s, int root) const {
  int n = static_cast<int>(s.size());
  mpi_check(MPI_Bcast(&n, 1, MPI_INT, root, comm_), "MPI_Bcast");
  std::string out = s;
  out.resize(n);
  mpi_check(MPI_Bcast(out.data(), n, MPI_CHAR, root, comm_), "MPI_Bcast");
  return out;
}

std::vector<double> Comm::gather_to_root(const std::vector<double>& local) const {
  int n = static_cast<int>(local.size());
  std::vector<int> counts(size_), displs(size_);
  mpi_check(MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm_), "MPI_Gather");
  std::vector<double> all;
  if (root()) {
    int total = 0;
    for (int r = 0; r < size_; ++r) displs[r] = total, total += counts[r];
    all.resize(total);
  }
  mpi_check(MPI_Gatherv(local.data(), n, MPI_DOUBLE, all.data(), counts.data(), displs.data(),
                        MPI_DOUBLE, 0, comm_),
            "MPI_Gatherv");
  return all;
}

}  // namespace tessera

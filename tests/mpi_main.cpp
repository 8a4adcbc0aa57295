// MPI-aware GoogleTest main for tessera_unit_tests. The only file of the tests that names
// MPI_COMM_WORLD: every test reaches the communicator through tessera::test::test_comm().
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "test_env.hpp"

namespace tessera::test {

namespace {
std::unique_ptr<Comm> g_comm;
std::string g_scratch;

/// Non-root ranks drop the default printer; this one reports only their failed assertions,
/// prefixed by the rank, so a failure seen by one rank alone is still visible.
class RankFailurePrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit RankFailurePrinter(int rank) : rank_(rank) {}
  // The test name is kept from OnTestStart: UnitTest::current_test_info() must not be called
  // from OnTestPartResult (gtest holds its mutex there).
  void OnTestStart(const ::testing::TestInfo& info) override {
    test_ = std::string(info.test_suite_name()) + "." + info.name();
  }
  void OnTestEnd(const ::testing::TestInfo&) override { test_ = "(outside a test)"; }
  void OnTestPartResult(const ::testing::TestPartResult& r) override {
    if (!r.failed()) return;
    std::fprintf(stderr, "[rank %d] %s: %s:%d: failure\n%s\n", rank_, test_.c_str(),
                 r.file_name() ? r.file_name() : "?", r.line_number(), r.message());
    std::fflush(stderr);
  }

 private:
  int rank_;
  std::string test_ = "(outside a test)";
};
}  // namespace

Comm& test_comm() {
  return *g_comm;
}
const std::string& scratch_dir() {
  return g_scratch;
}

}  // namespace tessera::test

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  tessera::test::g_comm = std::make_unique<tessera::Comm>(MPI_COMM_WORLD);

  auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
  if (rank != 0) {
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new tessera::test::RankFailurePrinter(rank));
  }

  // One scratch directory per run: rank 0's pid, broadcast so every rank agrees.
  long pid = static_cast<long>(getpid());
  MPI_Bcast(&pid, 1, MPI_LONG, 0, MPI_COMM_WORLD);
  const std::filesystem::path scratch =
      std::filesystem::temp_directory_path() / ("tessera-unit-" + std::to_string(pid));
  tessera::test::g_scratch = scratch.string();
  if (rank == 0) std::filesystem::create_directories(scratch);
  MPI_Barrier(MPI_COMM_WORLD);

  const int local_failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  int any_failed = 0;
  MPI_Allreduce(&local_failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);

  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    std::error_code ec;
    std::filesystem::remove_all(scratch, ec);
    if (any_failed) std::fprintf(stderr, "tessera_unit_tests: a test failed on some rank\n");
  }
  tessera::test::g_comm.reset();
  MPI_Finalize();
  return any_failed;
}

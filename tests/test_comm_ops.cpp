// Comm: reductions, broadcast and gather on the test communicator, against values every rank
// can compute on its own.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/comm.hpp"
#include "tessera/core/errors.hpp"
#include "test_env.hpp"

namespace tessera {
namespace {

using test::test_comm;

TEST(Comm, RankAndSize) {
  const Comm& c = test_comm();
  EXPECT_GE(c.rank(), 0);
  EXPECT_LT(c.rank(), c.size());
  EXPECT_EQ(c.root(), c.rank() == 0);
  EXPECT_EQ(c.sum(std::int64_t{1}), c.size());
}

TEST(Comm, Reductions) {
  const Comm& c = test_comm();
  const int r = c.rank(), n = c.size();
  EXPECT_EQ(c.min(10.0 - r), 10.0 - (n - 1));
  EXPECT_EQ(c.max(10.0 - r), 10.0);
  EXPECT_EQ(c.max(std::int64_t{3} * r), std::int64_t{3} * (n - 1));
  EXPECT_EQ(c.sum(std::int64_t{r}), std::int64_t{n} * (n - 1) / 2);
  std::vector<double> v{static_cast<double>(r), -static_cast<double>(r), 5.0};
  c.min_inplace(v);
  EXPECT_EQ(v, (std::vector<double>{0.0, -(n - 1.0), 5.0}));
}

TEST(Comm, BroadcastString) {
  const Comm& c = test_comm();
  const std::string mine = c.rank() == 0 ? "from rank zero, with spaces" : "x";
  EXPECT_EQ(c.broadcast(mine, 0), "from rank zero, with spaces");
  const int last = c.size() - 1;
  EXPECT_EQ(c.broadcast(c.rank() == last ? std::string() : std::string("junk"), last), "");
}

TEST(Comm, GatherToRootInRankOrder) {
  const Comm& c = test_comm();
  // Rank r contributes r copies of r (rank 0 contributes nothing).
  const std::vector<double> local(static_cast<std::size_t>(c.rank()), c.rank());
  const auto all = c.gather_to_root(local);
  if (c.root()) {
    std::vector<double> want;
    for (int r = 0; r < c.size(); ++r) want.insert(want.end(), static_cast<std::size_t>(r), r);
    EXPECT_EQ(all, want);
  } else {
    EXPECT_TRUE(all.empty());
  }
}

TEST(Comm, MpiCheckThrowsMpiError) {
  EXPECT_NO_THROW(mpi_check(MPI_SUCCESS, "MPI_Nothing"));
  try {
    mpi_check(MPI_ERR_COUNT, "MPI_Something");
    ADD_FAILURE() << "no exception";
  } catch (const MpiError& e) {
    EXPECT_EQ(e.exit_code(), 6);
    EXPECT_FALSE(e.collective());
    EXPECT_NE(std::string(e.what()).find("MPI_Something"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tessera

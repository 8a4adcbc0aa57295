#pragma once
/// \file test_env.hpp
/// What the unit tests get from the MPI-aware main (tests/mpi_main.cpp): the communicator
/// (tests never name MPI_COMM_WORLD) and a scratch directory shared by all ranks.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tessera/core/comm.hpp"
#include "tessera/solvers/petsc.hpp"

namespace tessera::test {

/// The communicator every test runs on (all ranks of the test executable).
Comm& test_comm();

/// A directory unique to this run of the test executable (same path on every rank; rank 0's
/// pid), created before the first test and removed after the last.
const std::string& scratch_dir();

/// PETSc for the whole run of a test executable, finalised before MPI_Finalize (gtest tears
/// environments down at the end of RUN_ALL_TESTS). Register it once per executable that
/// needs PETSc outside a Simulation:
///   ::testing::AddGlobalTestEnvironment(new tessera::test::PetscEnvironment);
class PetscEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { session_ = std::make_unique<PetscSession>(test_comm()); }
  void TearDown() override { session_.reset(); }

 private:
  std::unique_ptr<PetscSession> session_;
};

}  // namespace tessera::test

#pragma once
/// \file test_env.hpp
/// What the unit tests get from the MPI-aware main (tests/mpi_main.cpp): the communicator
/// (tests never name MPI_COMM_WORLD) and a scratch directory shared by all ranks.
#include <string>

#include "tessera/core/comm.hpp"

namespace tessera::test {

/// The communicator every test runs on (all ranks of the test executable).
Comm& test_comm();

/// A directory unique to this run of the test executable (same path on every rank; rank 0's
/// pid), created before the first test and removed after the last.
const std::string& scratch_dir();

}  // namespace tessera::test

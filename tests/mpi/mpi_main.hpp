// SPDX-License-Identifier: MIT
/// What every distributed test program shares: MPI_COMM_WORLD as a Communicator, and its main():
/// MPI started for the whole run, one report (rank 0 prints), and the worst exit code of all
/// ranks, so a failure on any rank fails the run.
#pragma once

#include <gtest/gtest.h>
#include <mpi.h>

#include "kolsim/distributed/comm.hpp"

namespace kolsim::test_support {

/// MPI_COMM_WORLD, for every test of the program.
inline distributed::Communicator& world() {
  static distributed::Communicator c(MPI_COMM_WORLD);
  return c;
}

/// Runs every test on every rank (rank 0 reports); returns the worst exit code over the ranks.
inline int mpi_test_main(int argc, char** argv) {
  distributed::Environment env(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  if (world().rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int rc = RUN_ALL_TESTS();
  int worst = rc;
  MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return worst;
}

}  // namespace kolsim::test_support

# SPDX-License-Identifier: MIT
# Installs the built project into a scratch prefix, then configures, builds and runs the consumer
# (and, when the build has kolsim::distributed, the MPI consumer under mpiexec -np 2).
# The build found MPI (FindMPI's cache) with the back end on: kolsim::distributed must be installed.
load_cache(${KOLSIM_BINARY_DIR} READ_WITH_PREFIX kolsim_ KOLSIM_USE_MPI MPI_CXX_HEADER_DIR MPI_CXX_LIB_NAMES)
set(expect_distributed OFF)
if(kolsim_KOLSIM_USE_MPI AND kolsim_MPI_CXX_HEADER_DIR AND kolsim_MPI_CXX_LIB_NAMES)
  set(expect_distributed ON)
endif()
set(prefix ${KOLSIM_BINARY_DIR}/install-test/prefix)
set(build ${KOLSIM_BINARY_DIR}/install-test/consumer)
file(REMOVE_RECURSE ${KOLSIM_BINARY_DIR}/install-test)
foreach(step
    "${CMAKE_COMMAND};--install;${KOLSIM_BINARY_DIR};--prefix;${prefix}"
    "${CMAKE_COMMAND};-S;${KOLSIM_SOURCE_DIR}/tests/install;-B;${build};-DCMAKE_PREFIX_PATH=${prefix};-DCMAKE_BUILD_TYPE=Release;-DKOLSIM_EXPECT_DISTRIBUTED=${expect_distributed}"
    "${CMAKE_COMMAND};--build;${build}"
    "${build}/consumer")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test step failed (${rc}): ${step}\n${out}\n${err}")
  endif()
endforeach()
message(STATUS "install test: ${out}")
if(expect_distributed)
  # Open MPI refuses root unless told; allowed here only, for containers that build as root.
  load_cache(${build} READ_WITH_PREFIX consumer_ MPIEXEC_EXECUTABLE)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
                          OMPI_MCA_mpi_yield_when_idle=1 ${consumer_MPIEXEC_EXECUTABLE} -np 2 --oversubscribe
                          --bind-to none ${build}/consumer_mpi
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test: the kolsim::distributed consumer failed (${rc})\n${out}\n${err}")
  endif()
  message(STATUS "install test (kolsim::distributed): ${out}")
endif()

# SPDX-License-Identifier: MIT
# Installs the built project into a scratch prefix, then configures, builds and runs the consumer.
set(prefix ${KOLSIM_BINARY_DIR}/install-test/prefix)
set(build ${KOLSIM_BINARY_DIR}/install-test/consumer)
file(REMOVE_RECURSE ${KOLSIM_BINARY_DIR}/install-test)
foreach(step
    "${CMAKE_COMMAND};--install;${KOLSIM_BINARY_DIR};--prefix;${prefix}"
    "${CMAKE_COMMAND};-S;${KOLSIM_SOURCE_DIR}/tests/install;-B;${build};-DCMAKE_PREFIX_PATH=${prefix};-DCMAKE_BUILD_TYPE=Release"
    "${CMAKE_COMMAND};--build;${build}"
    "${build}/consumer")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test step failed (${rc}): ${step}\n${out}\n${err}")
  endif()
endforeach()
message(STATUS "install test: ${out}")

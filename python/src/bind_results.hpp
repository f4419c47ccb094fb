// SPDX-License-Identifier: MIT
/// Python forms of the estimate results, shared by every binding that returns them (bind_estimate
/// registers the classes; bind_models returns the same classes for its models), so one struct and
/// one conversion exist per result, never a copy of its pickle layout.
#pragma once

#include <cstdint>
#include <utility>

#include "bind_common.hpp"
#include "kolsim/estimate/exact.hpp"
#include "kolsim/estimate/monte_carlo.hpp"

namespace kolsim::python {

/// SpreadEstimate with numpy arrays (moved, not copied).
struct PySpreadEstimate {
  double mean = 0, std_error = 0, ci_low = 0, ci_high = 0;
  std::uint64_t trials = 0;
  py::array_t<double> new_per_step;
  py::object activation_probability;  // numpy float64 or None
  std::uint64_t edges_examined = 0;
  double seconds = 0;
  std::uint64_t seed = 0;  // the seed the run used
};

struct PyExactResult {
  double spread = 0, variance = 0;
  py::array_t<double> activation_probability;
  py::array_t<double> new_per_step;
  std::uint64_t worlds = 0;
};

/// The Python SpreadEstimate of `e` (arrays moved); `seed` is the seed the run used.
inline PySpreadEstimate to_python(SpreadEstimate&& e, bool per_account, std::uint64_t seed) {
  PySpreadEstimate out;
  out.seed = seed;
  out.mean = e.mean;
  out.std_error = e.std_error;
  out.ci_low = e.ci_low;
  out.ci_high = e.ci_high;
  out.trials = e.trials;
  out.new_per_step = to_numpy(std::move(e.new_per_step));
  out.activation_probability = per_account ? py::object(to_numpy(std::move(e.activation_probability))) : py::none();
  out.edges_examined = e.edges_examined;
  out.seconds = e.seconds;
  return out;
}

/// The Python ExactResult of `r` (arrays moved).
inline PyExactResult to_python(ExactResult&& r) {
  PyExactResult out;
  out.spread = r.spread;
  out.variance = r.variance;
  out.activation_probability = to_numpy(std::move(r.activation_probability));
  out.new_per_step = to_numpy(std::move(r.new_per_step));
  out.worlds = r.worlds;
  return out;
}

}  // namespace kolsim::python

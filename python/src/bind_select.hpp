// SPDX-License-Identifier: MIT
/// The SelectResult shape shared by bind_select.cpp and bind_heuristics.cpp.
#pragma once

#include <string>

#include "bind_common.hpp"
#include "kolsim/select/common.hpp"

namespace kolsim::python {

/// SelectResult with account ids and numpy arrays.
struct PySelectResult {
  std::string method;
  py::array seeds;  ///< int64 account ids (uint64 when one is >= 2**63)
  py::array_t<double> marginal_gains;
  double spread = 0;
  std::uint64_t rr_sets = 0, trials = 0;
  std::size_t peak_bytes = 0;
  double approximation = 0;
  py::dict phase_seconds;
  double seconds = 0;
  py::dict extra;
  std::uint64_t seed = 0;  ///< the seed the run used (repeat it with seed=this)
};

/// Converts a C++ result (dense vertices) into the Python one (account ids).
/// Seeds come back as int64 (numpy arithmetic keeps them integers); uint64 only when an id is
/// >= 2**63. `seed` is recorded in the result.
PySelectResult to_python(const FollowerGraph& g, SelectResult&& r, std::uint64_t seed = 0);

/// Account ids of dense vertices as int64 (uint64 when one is >= 2**63).
py::array account_ids_array(const FollowerGraph& g, std::span<const vertex_t> vs);

/// Fills candidates, fixed seeds (from account ids), seed, threads and a Ctrl-C stop token.
void fill_select_options(SelectOptions& opt, const FollowerGraph& g, py::handle candidates, py::handle fixed_seeds,
                         std::uint64_t seed, int threads);

}  // namespace kolsim::python

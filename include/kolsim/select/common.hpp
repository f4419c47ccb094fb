// SPDX-License-Identifier: MIT
/// Options and results every seed selector shares: candidate pool, fixed (already contracted)
/// seeds, seed/threads/stop, and what a researcher reports next to the chosen seeds.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/progress.hpp"
#include "kolsim/core/stopwatch.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// Options accepted by every selector (algorithm options derive from this). candidates and
/// fixed_seeds are dense indices, like every vertex list a selector returns; to give account
/// ids, as the rest of the API takes them, write `opt.set_candidates(g, Accounts{10, 30})` and
/// `opt.set_fixed_seeds(g, Accounts{20})` (std::out_of_range names an unknown account).
struct SelectOptions {
  std::vector<vertex_t> candidates;   ///< only these may be chosen (empty = every vertex)
  std::vector<vertex_t> fixed_seeds;  ///< already contracted: count toward spread, not toward k
  std::uint64_t seed = 0;             ///< every stochastic step draws from streams keyed by this
  int threads = 0;                    ///< 0 = all
  StopToken stop;                     ///< polled between batches; throws Interrupted
  ProgressFn progress;                ///< phase reports (seeds chosen, rounds); see core/progress.hpp

  /// candidates = the dense indices of `accounts` in g, in their order (duplicates are reported
  /// by the selector, naming the account); std::out_of_range names an account not in g.
  SelectOptions& set_candidates(const FollowerGraph& g, const Accounts& accounts) {
    candidates = g.indices_of(accounts.ids);
    return *this;
  }
  /// fixed_seeds = the dense indices of `accounts` in g (as set_candidates).
  SelectOptions& set_fixed_seeds(const FollowerGraph& g, const Accounts& accounts) {
    fixed_seeds = g.indices_of(accounts.ids);
    return *this;
  }
};

/// What every selector returns. `seeds` excludes the fixed seeds; `marginal_gains[i]` is the
/// selector's estimate of the spread added by seeds[i] given fixed seeds and seeds[0..i).
struct SelectResult {
  std::string method;
  std::vector<vertex_t> seeds;
  std::vector<double> marginal_gains;
  double spread = 0.0;             ///< selector's own estimate of spread(fixed + seeds) (not independent)
  std::uint64_t rr_sets = 0;       ///< RR sets drawn in total (RR-based methods)
  std::uint64_t trials = 0;        ///< Monte Carlo trials run (simulation-based methods)
  std::size_t peak_bytes = 0;      ///< largest memory the method held for its own structures
  double approximation = 0.0;      ///< proven ratio vs optimum with prob >= 1 - delta (0 = none)
  std::vector<std::pair<std::string, double>> phase_seconds;  ///< wall seconds per phase
  double seconds = 0.0;            ///< total wall seconds
};

/// Candidate pool and fixed seeds after validation.
struct SeedScope {
  std::vector<char> allowed;        ///< allowed[v] != 0 if v may be chosen
  std::vector<vertex_t> fixed;      ///< fixed seeds (validated, distinct)
  std::vector<char> is_fixed;       ///< is_fixed[v] != 0 if v is a fixed seed
  std::size_t num_allowed = 0;
};

/// Validates k, candidates and fixed seeds against g: throws std::invalid_argument for k larger
/// than the pool, duplicate candidates or fixed seeds, and std::out_of_range for unknown vertices.
inline SeedScope make_seed_scope(const FollowerGraph& g, std::size_t k, const SelectOptions& opt) {
  const vertex_t n = g.num_vertices();
  SeedScope s;
  s.allowed.assign(n, opt.candidates.empty() ? 1 : 0);
  s.is_fixed.assign(n, 0);
  for (vertex_t v : opt.candidates) {
    KOLSIM_REQUIRE_INDEX(v < n, "candidate vertex ", v, " out of range (n = ", n, ")");
    KOLSIM_REQUIRE(!s.allowed[v], "duplicate candidate: account ", g.account(v));
    s.allowed[v] = 1;
  }
  for (vertex_t v : opt.fixed_seeds) {
    KOLSIM_REQUIRE_INDEX(v < n, "fixed seed vertex ", v, " out of range (n = ", n, ")");
    KOLSIM_REQUIRE(!s.is_fixed[v], "duplicate fixed seed: account ", g.account(v));
    s.is_fixed[v] = 1;
    s.fixed.push_back(v);
  }
  for (vertex_t v = 0; v < n; ++v) {
    if (s.is_fixed[v]) s.allowed[v] = 0;
    s.num_allowed += s.allowed[v] ? 1 : 0;
  }
  KOLSIM_REQUIRE(k <= s.num_allowed, "k = ", k, " exceeds the ", s.num_allowed,
                 " selectable accounts (candidates minus fixed seeds)");
  return s;
}


}  // namespace kolsim

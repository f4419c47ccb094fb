// SPDX-License-Identifier: MIT
/// Plain greedy selection for complex contagion (not submodular: no CELF, no RR sets, no
/// guarantee); see diffusion/complex.hpp.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/stopwatch.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/complex.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/detail/live_edge.hpp"
#include "kolsim/estimate/complex_estimate.hpp"
#include "kolsim/select/common.hpp"

namespace kolsim {

/// Options of complex_greedy().
struct ComplexGreedyOptions : SelectOptions {
  std::uint64_t worlds = 200;  ///< common-random-number worlds every evaluation replays
  std::uint32_t max_steps = std::numeric_limits<std::uint32_t>::max();
};

/// Plain greedy (no lazy evaluation: CELF's bound needs submodularity, which complex contagion
/// lacks) on the Monte Carlo objective with common random numbers: world i fixes the exposure
/// coin of edge e as a pure function of (seed, i, e), every candidate is evaluated on the same
/// `worlds` worlds, so each gain is an exact difference of sample averages and the choice is
/// identical for any thread count (ties: lowest index). No approximation guarantee. Cost
/// O(k * candidates * worlds * cascade). `spread` is the sample average on those worlds (not an
/// independent evaluation). Throws like estimate_spread and for k = 0 / worlds = 0.
inline SelectResult complex_greedy(const FollowerGraph& g, const ComplexContagion& model, std::size_t k,
                                   const ComplexGreedyOptions& opt = {}) {
  Stopwatch clock;
  model.validate(g);
  KOLSIM_REQUIRE(k >= 1, "complex_greedy: k must be >= 1");
  KOLSIM_REQUIRE(opt.worlds >= 1, "complex_greedy: worlds must be >= 1");
  const SeedScope scope = make_seed_scope(g, k, opt);
  const vertex_t n = g.num_vertices();
  const int threads = resolve_threads(opt.threads);
  const std::uint64_t key = detail::live_edge_key(opt.seed);
  const edge_t m = g.num_edges();
  std::vector<vertex_t> cands;
  for (vertex_t v = 0; v < n; ++v)
    if (scope.allowed[v] && !scope.is_fixed[v]) cands.push_back(v);
  std::vector<std::unique_ptr<detail::ComplexWorkspace>> ws(static_cast<std::size_t>(std::max(threads, 1)));
  auto evaluate = [&](std::span<const vertex_t> s, detail::ComplexWorkspace& w) {
    std::uint64_t total = 0;
    for (std::uint64_t i = 0; i < opt.worlds; ++i) {
      w.run(g, model, s, opt.max_steps,
            [&](edge_t e, prob_t p) {
              if (p >= 1.0f) return true;
              return static_cast<double>(detail::splitmix64_at(key, i * m + e) >> 32) <
                     static_cast<double>(p) * 4294967296.0;
            },
            [&](vertex_t, std::uint32_t) { ++total; });
    }
    return total;
  };
  SelectResult res;
  res.method = "complex_greedy";
  std::vector<vertex_t> current = scope.fixed;
  std::vector<char> chosen(n, 0);
  detail::ComplexWorkspace base_ws(n);
  std::uint64_t base = evaluate(current, base_ws);
  std::vector<std::uint64_t> value(cands.size());
  for (std::size_t round = 0; round < k && round < cands.size(); ++round) {
    check_stop(opt.stop);
    parallel_for(0, cands.size(), threads, [&](std::size_t j) {
      if (chosen[cands[j]]) return;
      auto& w = ws[static_cast<std::size_t>(threads > 1 ? thread_index() : 0)];
      if (!w) w = std::make_unique<detail::ComplexWorkspace>(n);
      std::vector<vertex_t> s = current;
      s.push_back(cands[j]);
      value[j] = evaluate(s, *w);
    }, 1);
    std::size_t best = cands.size();
    for (std::size_t j = 0; j < cands.size(); ++j)
      if (!chosen[cands[j]] && (best == cands.size() || value[j] > value[best])) best = j;
    chosen[cands[best]] = 1;
    current.push_back(cands[best]);
    res.seeds.push_back(cands[best]);
    res.marginal_gains.push_back((static_cast<double>(value[best]) - static_cast<double>(base)) / static_cast<double>(opt.worlds));
    base = value[best];
    res.trials += opt.worlds * cands.size();
  }
  res.spread = static_cast<double>(base) / static_cast<double>(opt.worlds);
  res.seconds = clock.seconds();
  return res;
}

}  // namespace kolsim

// SPDX-License-Identifier: MIT
/// Monte Carlo spread and exact enumeration of complex contagion (diffusion/complex.hpp).
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
#include "kolsim/estimate/exact.hpp"
#include "kolsim/estimate/monte_carlo.hpp"

namespace kolsim {

/// Monte Carlo spread of complex contagion on the shared Monte Carlo driver
/// (detail::run_monte_carlo): trial i draws only from Rng(seed, i, domain::trial), batches of 8
/// trials are merged in order, so results are bit-identical for any thread count. Supports every
/// MonteCarloOptions field except seed_probabilities (refused) and `fused` (ignored): the adaptive
/// mode, stop, progress and the distributed back end included. Time O(trials * (reached + edges
/// examined) / threads).
inline SpreadEstimate estimate_spread(const FollowerGraph& g, const ComplexContagion& model,
                                      std::span<const vertex_t> seeds, const MonteCarloOptions& opt = {}) {
  const auto start = std::chrono::steady_clock::now();
  detail::validate_complex(g, model, seeds, "estimate_spread");
  KOLSIM_REQUIRE(opt.seed_probabilities.empty(), "estimate_spread: complex contagion does not support seed_probabilities");
  const vertex_t n = g.num_vertices();
  return detail::estimate_one_by_one<detail::ComplexWorkspace>(
      g, opt, start, "complex contagion", 20.0 * n, 0.0,
      [&](detail::ComplexWorkspace& w, Rng& rng, auto&& visit) {
        return w.run(g, model, seeds, opt.max_steps, [&](edge_t, prob_t p) { return p >= 1.0f || rng.bernoulli(p); },
                     visit);
      },
      n);
}

/// Exact spread of complex contagion by enumerating the exposure coins of every edge with
/// 0 < p < 1 (2^m' worlds). Supports max_steps, account_weights, max_worlds.
inline ExactResult exact_spread(const FollowerGraph& g, const ComplexContagion& model, std::span<const vertex_t> seeds,
                                const ExactOptions& opt = {}) {
  detail::validate_complex(g, model, seeds, "exact_spread");
  KOLSIM_REQUIRE(opt.seed_probabilities.empty(), "exact_spread: seed_probabilities are not supported for complex contagion");
  const vertex_t n = g.num_vertices();
  KOLSIM_REQUIRE(opt.account_weights.empty() || opt.account_weights.size() == n,
                 "exact_spread: account_weights must be empty or have one weight per account");
  std::vector<edge_t> uncertain;
  std::vector<char> live(g.num_edges(), 0);
  for (edge_t e = 0; e < g.num_edges(); ++e) {
    const prob_t p = model.pass(g, e);
    if (p >= 1.0f) live[e] = 1;
    else if (p > 0.0f) uncertain.push_back(e);
  }
  KOLSIM_REQUIRE(uncertain.size() < 63 && (std::uint64_t{1} << uncertain.size()) <= opt.max_worlds, "exact_spread: ",
                 uncertain.size(), " uncertain exposures give more than ", opt.max_worlds, " worlds; use Monte Carlo");
  ExactResult res;
  res.worlds = std::uint64_t{1} << uncertain.size();
  res.activation_probability.assign(n, 0.0);
  detail::ComplexWorkspace ws(n);
  long double sum = 0, sum_sq = 0;
  std::vector<long double> per_step;
  for (std::uint64_t w = 0; w < res.worlds; ++w) {
    double prob = 1.0;
    for (std::size_t i = 0; i < uncertain.size(); ++i) {
      const bool on = (w >> i) & 1u;
      live[uncertain[i]] = on;
      const double p = model.pass(g, uncertain[i]);
      prob *= on ? p : 1.0 - p;
    }
    double reach = 0;
    ws.run(g, model, seeds, opt.max_steps, [&](edge_t e, prob_t) { return live[e] != 0; },
           [&](vertex_t v, std::uint32_t step) {
             const double x = opt.account_weights.empty() ? 1.0 : opt.account_weights[v];
             reach += x;
             if (per_step.size() <= step) per_step.resize(step + 1, 0);
             per_step[step] += static_cast<long double>(prob) * x;
             res.activation_probability[v] += prob;
           });
    sum += static_cast<long double>(prob) * reach;
    sum_sq += static_cast<long double>(prob) * reach * reach;
  }
  detail::store_exact_moments(res, sum, sum_sq, per_step);
  return res;
}
}  // namespace kolsim

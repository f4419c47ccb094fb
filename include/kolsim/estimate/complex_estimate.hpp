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

/// Monte Carlo spread of complex contagion. Trial i draws only from Rng(seed, i, domain::trial);
/// batches of 8 trials merged in order, so results are bit-identical for any thread count.
/// Supports trials, seed, threads, max_steps, account_weights, per_account and stop (not
/// seed_probabilities or the adaptive mode). Time O(trials * (reached + edges examined) / threads).
inline SpreadEstimate estimate_spread(const FollowerGraph& g, const ComplexContagion& model,
                                      std::span<const vertex_t> seeds, const MonteCarloOptions& opt = {}) {
  const auto start = std::chrono::steady_clock::now();
  detail::validate_complex(g, model, seeds, "estimate_spread");
  const vertex_t n = g.num_vertices();
  KOLSIM_REQUIRE(opt.trials >= 1 && opt.trials <= (std::uint64_t{1} << 38), "estimate_spread: trials must be in [1, 2^38]");
  KOLSIM_REQUIRE(opt.target_relative_error == 0.0 && opt.seed_probabilities.empty(),
                 "estimate_spread: complex contagion supports neither target_relative_error nor seed_probabilities");
  KOLSIM_REQUIRE(opt.account_weights.empty() || opt.account_weights.size() == n,
                 "estimate_spread: account_weights must be empty or have one weight per account (", n, ")");
  for (double w : opt.account_weights) KOLSIM_REQUIRE(std::isfinite(w), "estimate_spread: account weights must be finite");
  check_stop(opt.stop);
  const int threads = resolve_threads(opt.threads);
  const int slots = std::max(threads, 1);
  require_memory(detail::concat("estimate_spread: complex contagion workspaces for ", slots, " threads x ", n, " accounts"),
                 static_cast<double>(slots) * 20.0 * n + (opt.per_account ? (slots + 2.0) * n * 8.0 : 0.0));
  std::vector<std::unique_ptr<detail::ComplexWorkspace>> ws(static_cast<std::size_t>(slots));
  std::vector<std::vector<std::uint64_t>> reached(static_cast<std::size_t>(slots));
  constexpr std::uint64_t batch = detail::mc_plain_batch;
  constexpr std::uint64_t chunk = std::uint64_t{1} << 12;
  std::atomic<bool> stopped{false};
  auto last_poll = std::chrono::steady_clock::now();
  detail::SpreadAccumulator total;
  std::vector<detail::BatchTally> tallies;
  const std::span<const double> weights = opt.account_weights;
  while (total.trials < opt.trials) {
    const std::uint64_t b0 = total.trials / batch;
    const std::uint64_t batches = std::min(chunk, (opt.trials - total.trials + batch - 1) / batch);
    tallies.assign(batches, detail::BatchTally{});
    const double work = static_cast<double>(batches * batch) * (static_cast<double>(g.num_edges()) + n);
    const int round_threads = (batches >= 2 && work >= 2e6) ? threads : 1;
    parallel_for(0, batches, round_threads, [&](std::size_t i) {
      const int t = round_threads > 1 ? thread_index() : 0;
      if (t == 0) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_poll >= std::chrono::milliseconds(10)) {
          last_poll = now;
          if (opt.stop && opt.stop()) stopped.store(true, std::memory_order_relaxed);
        }
      }
      if (stopped.load(std::memory_order_relaxed)) return;
      auto& w = ws[static_cast<std::size_t>(t)];
      if (!w) w = std::make_unique<detail::ComplexWorkspace>(n);
      std::uint64_t* acc = nullptr;
      if (opt.per_account) {
        auto& r = reached[static_cast<std::size_t>(t)];
        if (r.empty()) r.assign(n, 0);
        acc = r.data();
      }
      const std::uint64_t b = b0 + i, end = std::min(opt.trials, (b + 1) * batch);
      auto& tally = tallies[i];
      double reach[batch];
      unsigned count = 0;
      std::uint64_t edges = 0;
      for (std::uint64_t trial = b * batch; trial < end; ++trial, ++count) {
        Rng rng(opt.seed, trial, domain::trial);
        double r = 0;
        edges += w->run(g, model, seeds, opt.max_steps, [&](edge_t, prob_t p) { return p >= 1.0f || rng.bernoulli(p); },
                        [&](vertex_t v, std::uint32_t step) {
                          const double x = weights.empty() ? 1.0 : weights[v];
                          r += x;
                          tally.add_step(step, x);
                          if (acc) ++acc[v];
                        });
        reach[count] = r;
      }
      tally.set_reach(reach, count);
      tally.edges = edges;
    }, 1);
    if (stopped.load()) throw Interrupted();
    for (const auto& t : tallies) total.merge(t);
    check_stop(opt.stop);
  }
  SpreadEstimate est;
  est.trials = total.trials;
  est.mean = total.mean;
  est.std_error = total.std_error();
  est.ci_low = est.mean - 1.959963984540054 * est.std_error;
  est.ci_high = est.mean + 1.959963984540054 * est.std_error;
  for (double s : total.steps) est.new_per_step.push_back(s / static_cast<double>(total.trials));
  if (opt.per_account) {
    std::vector<std::uint64_t> sum(n, 0);
    for (const auto& part : reached)
      if (!part.empty())
        for (vertex_t v = 0; v < n; ++v) sum[v] += part[v];
    est.activation_probability.resize(n);
    for (vertex_t v = 0; v < n; ++v) est.activation_probability[v] = static_cast<double>(sum[v]) / static_cast<double>(total.trials);
  }
  est.edges_examined = total.edges;
  est.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return est;
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
  res.spread = static_cast<double>(sum);
  res.variance = std::max(0.0, static_cast<double>(sum_sq - sum * sum));
  while (!per_step.empty() && per_step.back() == 0.0L) per_step.pop_back();
  res.new_per_step.assign(per_step.begin(), per_step.end());
  return res;
}
}  // namespace kolsim

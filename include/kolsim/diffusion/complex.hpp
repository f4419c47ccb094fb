// SPDX-License-Identifier: MIT
/// Complex contagion: k-exposure and fractional-threshold adoption (Centola and Macy, AJS 2007),
/// each exposure passing with a probability; Monte Carlo spread, exact enumeration on tiny
/// graphs, and plain greedy selection (the spread is not submodular, so no RR sets and no CELF).
///
/// Process. An account u newly active at step t exposes each follower v once; the exposure
/// passes with probability p (the edge's probability, or one fixed p for every edge; p = 1 is
/// the deterministic threshold model). v adopts at step t + 1 once its passed exposures reach
/// its threshold: k (k-exposure) or max(1, ceil(q * in-degree(v))) (fractional threshold q).
/// With k = 1 and edge probabilities this is exactly Independent Cascade. Live-edge view: every
/// edge carries one exposure coin; given the coins the cascade is deterministic, so exact
/// enumeration visits the 2^m' worlds of the m' edges with 0 < p < 1.
///
/// Not submodular: k = 2, a -> c and b -> c deterministic: spread({a}) = spread({b}) = 1 but
/// spread({a, b}) = 3, so b adds 2 to {a} and only 1 to {} (tested). Hence no (1 - 1/e)
/// guarantee for greedy, CELF's lazy bound is invalid, and RR sets do not apply.
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
#include "kolsim/detail/live_edge.hpp"
#include "kolsim/diffusion/driver.hpp"
#include "kolsim/estimate/exact.hpp"
#include "kolsim/estimate/monte_carlo.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/select/common.hpp"

namespace kolsim {

/// Which threshold an account uses.
enum class ExposureRule : std::uint8_t { count = 0, fraction = 1 };

/// A complex contagion model (a small value type).
struct ComplexContagion {
  static constexpr std::string_view name = "complex_contagion";
  ExposureRule rule = ExposureRule::count;
  std::uint32_t k = 2;    ///< count: passed exposures needed
  double fraction = 0.5;  ///< fraction: share of in-neighbours needed, in (0, 1]
  /// < 0: each exposure passes with its edge's probability; else this fixed probability (1 =
  /// deterministic).
  double exposure_probability = 1.0;

  static ComplexContagion k_exposure(std::uint32_t k, double exposure_probability = 1.0) {
    return {ExposureRule::count, k, 0.5, exposure_probability};
  }
  static ComplexContagion fractional(double q, double exposure_probability = 1.0) {
    return {ExposureRule::fraction, 1, q, exposure_probability};
  }

  void validate(const FollowerGraph& g) const {
    KOLSIM_REQUIRE(rule != ExposureRule::count || k >= 1, "ComplexContagion: k must be >= 1");
    KOLSIM_REQUIRE(rule != ExposureRule::fraction || (fraction > 0.0 && fraction <= 1.0),
                   "ComplexContagion: fraction must be in (0, 1], got ", fraction);
    KOLSIM_REQUIRE(exposure_probability <= 1.0 && !std::isnan(exposure_probability),
                   "ComplexContagion: exposure_probability must be <= 1 (negative = the edge probabilities), got ",
                   exposure_probability);
    if (exposure_probability < 0.0) g.require_probabilities("ComplexContagion (edge exposure probabilities)");
  }
  /// Passed exposures v needs.
  std::uint32_t threshold(const FollowerGraph& g, vertex_t v) const noexcept {
    if (rule == ExposureRule::count) return k;
    const double t = std::ceil(fraction * static_cast<double>(g.in_degree(v)) - 1e-9);
    return static_cast<std::uint32_t>(std::max(1.0, t));
  }
  /// Exposure probability of out-edge e.
  prob_t pass(const FollowerGraph& g, edge_t e) const noexcept {
    return exposure_probability < 0.0 ? g.edge_probs()[e] : static_cast<prob_t>(exposure_probability);
  }
};

namespace detail {

/// Forward driver of complex contagion; `coin(e, p)` decides exposure e. One per thread.
class ComplexWorkspace {
 public:
  explicit ComplexWorkspace(vertex_t n) : mark_(n, 0), count_mark_(n, 0), count_(n, 0) {}

  template <class Coin, class Visit>
  std::uint64_t run(const FollowerGraph& g, const ComplexContagion& model, std::span<const vertex_t> seeds,
                    std::uint32_t max_steps, Coin&& coin, Visit&& visit) {
    if (++epoch_ == 0) {
      std::fill(mark_.begin(), mark_.end(), 0u);
      std::fill(count_mark_.begin(), count_mark_.end(), 0u);
      epoch_ = 1;
    }
    const std::uint32_t ep = epoch_;
    frontier_.clear();
    for (vertex_t s : seeds) {
      if (mark_[s] == ep) continue;
      mark_[s] = ep;
      frontier_.push_back(s);
      visit(s, std::uint32_t{0});
    }
    const auto off = g.out_offsets();
    const auto tgt = g.out_targets();
    std::uint64_t edges = 0;
    for (std::uint32_t step = 0; !frontier_.empty() && step < max_steps; ++step) {
      next_.clear();
      for (vertex_t u : frontier_) {
        edges += off[u + 1] - off[u];
        for (edge_t e = off[u]; e < off[u + 1]; ++e) {
          const vertex_t v = tgt[e];
          if (mark_[v] == ep) continue;
          if (!coin(e, model.pass(g, e))) continue;
          if (count_mark_[v] != ep) {
            count_mark_[v] = ep;
            count_[v] = 0;
          }
          if (++count_[v] >= model.threshold(g, v)) {
            mark_[v] = ep;
            next_.push_back(v);
            visit(v, step + 1);
          }
        }
      }
      frontier_.swap(next_);
    }
    return edges;
  }

 private:
  std::vector<std::uint32_t> mark_, count_mark_, count_;
  std::vector<vertex_t> frontier_, next_;
  std::uint32_t epoch_ = 0;
};

inline void validate_complex(const FollowerGraph& g, const ComplexContagion& model, std::span<const vertex_t> seeds,
                             const char* who) {
  model.validate(g);
  detail::validate_cascade_seeds(g, seeds, {}, who);
}

}  // namespace detail

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

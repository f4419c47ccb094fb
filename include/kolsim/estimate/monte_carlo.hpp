// SPDX-License-Identifier: MIT
/// Monte Carlo spread estimation: mean reach of many independent cascades with its standard
/// error, per-step profile and per-account reach probabilities, reproducible for any thread count.
#pragma once

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/progress.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/detail/cascade_kernels.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

namespace detail {
/// Back-end hook (distributed/monte_carlo.hpp): splits each round's batches over processes and
/// completes the tallies, so the ordered merge sees every batch on every process.
struct BatchShare {
  virtual ~BatchShare() = default;
  /// This process runs batches [lo, hi) of a round of `batches`.
  virtual void range(std::uint64_t batches, std::uint64_t& lo, std::uint64_t& hi) = 0;
  /// Fills the other processes' tallies; returns whether any process was stopped.
  virtual bool exchange(std::span<BatchTally> tallies, std::uint64_t lo, std::uint64_t hi, bool stopped) = 0;
  /// Sums per-account counts over the processes, in place.
  virtual void sum(std::span<std::uint64_t> counts) = 0;
};
}  // namespace detail

/// Options of estimate_spread().
struct MonteCarloOptions {
  std::uint64_t trials = 10000;  ///< trials to run (adaptive mode: the first round, rounded up to 64)
  std::uint64_t seed = 0;        ///< trial i draws only from streams keyed by (seed, i)
  int threads = 0;               ///< 0 = all
  /// > 0: after the first round, run rounds of 1024 trials until std_error <= this * mean, up
  /// to max_trials. The decision is taken after whole rounds, so it is thread-count independent.
  double target_relative_error = 0.0;
  std::uint64_t max_trials = 1000000;  ///< cap of the adaptive mode
  /// Deadline: only accounts reached at step <= max_steps count (0 = the seeds only).
  std::uint32_t max_steps = std::numeric_limits<std::uint32_t>::max();
  /// Empty, or one per seed: the KOL posts with this probability (else it is an ordinary account).
  std::vector<prob_t> seed_probabilities;
  bool per_account = false;  ///< fill SpreadEstimate::activation_probability
  /// Empty = every account weighs 1; else one finite weight per vertex and the reach of a trial
  /// is the summed weight of the accounts it reaches.
  std::vector<double> account_weights;
  /// Independent Cascade and Linear Threshold: run 64 trials at once with the bit-parallel
  /// kernel (true) or one trial at a time with the generic driver (false). Both are exact; their
  /// draws differ. Other models always run the generic driver.
  bool fused = true;
  StopToken stop;  ///< polled between batches (at least every ~10 ms of work); throws Interrupted
  detail::BatchShare* share = nullptr;  ///< back end (distributed/): null = every batch in this process
  ProgressFn progress;  ///< ("trials", trials done, trials asked for or the adaptive cap)
};

/// A spread estimate with what a researcher reports next to it.
struct SpreadEstimate {
  double mean = 0, std_error = 0, ci_low = 0, ci_high = 0;  ///< ci: normal 95% interval
  std::uint64_t trials = 0;
  std::vector<double> new_per_step;  ///< mean (weighted) newly reached at step t (t = 0: the seeds)
  std::vector<double> activation_probability;  ///< per account, when per_account
  std::uint64_t edges_examined = 0;  ///< (trial, out-edge) pairs of every expanded account
  double seconds = 0;
};

namespace detail {

/// Ordered merge of batch tallies (Chan et al. pairwise update), so floating results repeat.
struct SpreadAccumulator {
  std::uint64_t trials = 0;
  double mean = 0, m2 = 0;
  std::vector<double> steps;
  std::uint64_t edges = 0;

  void merge(const BatchTally& b) {
    if (b.trials == 0) return;
    const double na = static_cast<double>(trials), nb = static_cast<double>(b.trials);
    const double n = na + nb;
    const double delta = b.mean - mean;
    mean += delta * nb / n;
    m2 += b.m2 + delta * delta * na * nb / n;
    trials += b.trials;
    if (steps.size() < b.new_per_step.size()) steps.resize(b.new_per_step.size(), 0.0);
    for (std::size_t t = 0; t < b.new_per_step.size(); ++t) steps[t] += b.new_per_step[t];
    edges += b.edges;
  }
  double std_error() const {
    if (trials < 2) return 0.0;
    const double r = static_cast<double>(trials);
    return std::sqrt(m2 / (r - 1.0) / r);
  }
};

inline constexpr std::uint64_t mc_batch = 64;          ///< trials per fused batch (one 64-bit word)
inline constexpr std::uint64_t mc_plain_batch = 8;     ///< trials per batch of the generic path
inline constexpr std::uint64_t mc_adaptive_round = 1024;  ///< trials per adaptive round

/// Checks the options every Monte Carlo estimator shares (trials, adaptive target and cap,
/// account weights); the model and the seeds are checked by the caller.
inline void validate_monte_carlo_options(const FollowerGraph& g, const MonteCarloOptions& opt) {
  const vertex_t n = g.num_vertices();
  KOLSIM_REQUIRE(opt.trials >= 1, "estimate_spread: trials must be >= 1");
  KOLSIM_REQUIRE(opt.target_relative_error >= 0.0 && std::isfinite(opt.target_relative_error),
                 "estimate_spread: target_relative_error must be finite and >= 0, got ", opt.target_relative_error);
  KOLSIM_REQUIRE(opt.account_weights.empty() || opt.account_weights.size() == n,
                 "estimate_spread: account_weights must be empty or have one weight per account (", n, "), got ",
                 opt.account_weights.size());
  for (double w : opt.account_weights)
    KOLSIM_REQUIRE(std::isfinite(w), "estimate_spread: account weights must be finite");
  const bool adaptive = opt.target_relative_error > 0.0;
  KOLSIM_REQUIRE(!adaptive || opt.max_trials >= 1, "estimate_spread: max_trials must be >= 1");
  const std::uint64_t cap = adaptive ? opt.max_trials : opt.trials;
  KOLSIM_REQUIRE(cap <= (std::uint64_t{1} << 38), "estimate_spread: at most 2^38 trials");
}

/// The SpreadEstimate of the merged tallies `total`: mean, standard error, normal 95% interval,
/// per-step means and, with per_account, the activation probabilities from the per-slot counts.
inline SpreadEstimate finish_estimate(const SpreadAccumulator& total,
                                      const std::vector<std::vector<std::uint64_t>>& reached,
                                      const MonteCarloOptions& opt, vertex_t n,
                                      std::chrono::steady_clock::time_point start) {
  SpreadEstimate est;
  est.trials = total.trials;
  est.mean = total.mean;
  est.std_error = total.std_error();
  est.ci_low = est.mean - 1.959963984540054 * est.std_error;
  est.ci_high = est.mean + 1.959963984540054 * est.std_error;
  const double r = static_cast<double>(total.trials);
  est.new_per_step.resize(total.steps.size());
  for (std::size_t t = 0; t < total.steps.size(); ++t) est.new_per_step[t] = total.steps[t] / r;
  if (opt.per_account) {
    std::vector<std::uint64_t> sum(n, 0);
    for (const auto& part : reached)
      if (!part.empty())
        for (vertex_t v = 0; v < n; ++v) sum[v] += part[v];
    if (opt.share) opt.share->sum(sum);
    est.activation_probability.resize(n);
    for (vertex_t v = 0; v < n; ++v) est.activation_probability[v] = static_cast<double>(sum[v]) / r;
  }
  est.edges_examined = total.edges;
  est.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return est;
}

/// The default `rounds` hook of run_monte_carlo: nothing besides the reach tallies.
struct NoRoundHook {
  void begin(std::uint64_t /*first_batch*/, std::uint64_t /*batches*/) {}
  void merge() {}
};

/// The Monte Carlo driver every estimate_spread() overload runs: trials cut into batches of
/// `batch_size` (the unit of parallel work and of the ordered merge), rounds of at most 2^15
/// batches merged in batch order (so results are bit-identical for any thread count), the
/// adaptive mode (rounds of mc_adaptive_round trials until the target standard error), stop
/// polling by thread 0 every ~10 ms, progress reports, per-account counts and the BatchShare
/// back end. run_batch(slot, b, worlds, tally, acc) runs trials b * batch_size ..
/// b * batch_size + worlds - 1 on thread slot `slot` (< max(threads, 1)) and fills `tally`;
/// acc is null, or the slot's per-account counters to increment per activation. `rounds` lets a
/// caller keep more tallies per batch (the multiplex's per-layer ones): rounds.begin(b0, batches)
/// before the batches b0 .. b0 + batches - 1 of a round run, rounds.merge() after their reach
/// tallies were merged (in batch order, on the calling thread). What remains
/// here after finish_estimate() is the one driver loop (run_round) with the closures it shares
/// with the adaptive schedule (the poll, the per-slot counters), kept together on purpose.
template <class RunBatch, class Rounds = NoRoundHook>
SpreadEstimate run_monte_carlo(const FollowerGraph& g, const MonteCarloOptions& opt, std::uint64_t batch_size,
                               int threads, std::chrono::steady_clock::time_point start, RunBatch&& run_batch,
                               Rounds&& rounds = Rounds{}) {
  assert(batch_size >= 1 && batch_size <= mc_batch && mc_batch % batch_size == 0);
  const vertex_t n = g.num_vertices();
  const bool adaptive = opt.target_relative_error > 0.0;
  const std::uint64_t cap = adaptive ? opt.max_trials : opt.trials;
  const int slots = std::max(threads, 1);
  std::vector<std::vector<std::uint64_t>> reached(static_cast<std::size_t>(slots));

  std::atomic<bool> stopped{false};
  std::atomic<std::uint64_t> trials_done{0};  // whole batches finished (progress only)
  auto last_poll = std::chrono::steady_clock::now();
  auto poll = [&] {  // thread 0 only: the token may need the caller's thread (Python)
    const auto now = std::chrono::steady_clock::now();
    if (now - last_poll < std::chrono::milliseconds(10)) return;
    last_poll = now;
    if (opt.stop && opt.stop()) stopped.store(true, std::memory_order_relaxed);
    report_progress(opt.progress, "trials", trials_done.load(std::memory_order_relaxed), cap);
  };

  int round_threads = 1;
  auto one_batch = [&](std::uint64_t b, unsigned worlds, BatchTally& tally) {
    const int t = round_threads > 1 ? thread_index() : 0;  // serial: slot 0 even inside an outer region
    assert(t < slots);
    if (t == 0) poll();
    if (stopped.load(std::memory_order_relaxed)) return;
    std::uint64_t* acc = nullptr;
    if (opt.per_account) {
      auto& r = reached[static_cast<std::size_t>(t)];
      if (r.empty()) r.assign(n, 0);
      acc = r.data();
    }
    run_batch(t, b, worlds, tally, acc);
  };

  SpreadAccumulator total;
  std::vector<BatchTally> tallies;
  // Runs trials [total.trials, end) as whole batches (the last one possibly partial), at most
  // 2^15 batches per parallel loop so the tallies stay small; merged in batch order.
  auto run_round = [&](std::uint64_t end) {
    constexpr std::uint64_t chunk = std::uint64_t{1} << 15;
    while (total.trials < end) {
      const std::uint64_t first = total.trials;
      assert(first % batch_size == 0);
      const std::uint64_t b0 = first / batch_size;
      const std::uint64_t batches = std::min(chunk, (end - first + batch_size - 1) / batch_size);
      const std::uint64_t stop_at = std::min(end, (b0 + batches) * batch_size);
      const auto last_worlds = static_cast<unsigned>(stop_at - (b0 + batches - 1) * batch_size);
      tallies.assign(batches, BatchTally{});
      rounds.begin(b0, batches);
      // Small jobs run serially: a parallel region costs more than it saves.
      const double work = static_cast<double>(stop_at - first) * (static_cast<double>(g.num_edges()) + n);
      round_threads = (batches >= 2 && work >= 2e6) ? threads : 1;
      std::uint64_t lo = 0, hi = batches;
      if (opt.share) opt.share->range(batches, lo, hi);
      parallel_for(
          lo, hi, round_threads,
          [&](std::size_t i) {
            const unsigned worlds = i + 1 == batches ? last_worlds : static_cast<unsigned>(batch_size);
            one_batch(b0 + i, worlds, tallies[i]);
            trials_done.fetch_add(worlds, std::memory_order_relaxed);
          },
          1);
      if (opt.share ? opt.share->exchange(tallies, lo, hi, stopped.load()) : stopped.load()) throw Interrupted();
      for (const auto& t : tallies) total.merge(t);
      rounds.merge();
      check_stop(opt.stop);
      report_progress(opt.progress, "trials", total.trials, std::max(cap, total.trials));
    }
  };

  if (!adaptive) {
    run_round(opt.trials);
  } else {
    const std::uint64_t first = std::min(cap, (opt.trials + mc_batch - 1) / mc_batch * mc_batch);
    run_round(first);
    while (total.trials < cap && total.std_error() > opt.target_relative_error * total.mean)
      run_round(std::min(cap, total.trials + mc_adaptive_round));
  }
  return finish_estimate(total, reached, opt, n, start);
}

/// A batch of the one-trial-at-a-time path: trial i = first + j (j < worlds <= mc_batch) calls
/// trial(rng, visit) with rng = Rng(seed, i, domain::trial); the cascade calls visit(v, step)
/// once per activation and returns the edges it examined. Fills `tally` (reach, steps, edges)
/// and, when acc is not null, counts the activations per account.
template <class Trial>
void run_trials(std::uint64_t seed, std::uint64_t first, unsigned worlds, std::span<const double> weights,
                BatchTally& tally, std::uint64_t* acc, Trial&& trial) {
  assert(worlds <= mc_batch);
  tally.reset();
  double reach[mc_batch];
  std::uint64_t edges = 0;
  for (unsigned j = 0; j < worlds; ++j) {
    Rng rng(seed, first + j, domain::trial);
    double r = 0;
    edges += trial(rng, [&](vertex_t v, std::uint32_t step) {
      const double w = weights.empty() ? 1.0 : weights[v];
      r += w;
      tally.add_step(step, w);
      if (acc) ++acc[v];
    });
    reach[j] = r;
  }
  tally.set_reach(reach, worlds);
  tally.edges = edges;
}

/// One lazily created object per thread slot (a workspace of the batch runners).
template <class T>
class PerSlot {
 public:
  explicit PerSlot(int threads) : items_(static_cast<std::size_t>(std::max(threads, 1))) {}
  template <class... Args>
  T& get(int slot, Args&&... args) {
    auto& p = items_[static_cast<std::size_t>(slot)];
    if (!p) p = std::make_unique<T>(std::forward<Args>(args)...);
    return *p;
  }
  /// The slot's object, or null when the slot never ran.
  const T* find(int slot) const { return items_[static_cast<std::size_t>(slot)].get(); }

 private:
  std::vector<std::unique_ptr<T>> items_;
};

/// The one-trial-at-a-time estimators (triggering models, complex contagion): checks the
/// options, requires `slot_bytes` per thread slot plus `shared_bytes` (plus the per-account
/// counts), then runs trial(workspace, rng, visit) for every trial on the shared driver in
/// batches of mc_plain_batch; a slot's Workspace is built from ws_args on first use.
template <class Workspace, class Trial, class... WsArgs>
SpreadEstimate estimate_one_by_one(const FollowerGraph& g, const MonteCarloOptions& opt,
                                   std::chrono::steady_clock::time_point start, std::string_view what,
                                   double slot_bytes, double shared_bytes, Trial&& trial, const WsArgs&... ws_args) {
  validate_monte_carlo_options(g, opt);
  check_stop(opt.stop);
  const vertex_t n = g.num_vertices();
  const int threads = resolve_threads(opt.threads);
  const int slots = std::max(threads, 1);
  require_memory(concat("estimate_spread: ", what, " workspaces for ", slots, " threads x ", n, " accounts"),
                 static_cast<double>(slots) * slot_bytes + shared_bytes +
                     (opt.per_account ? static_cast<double>(slots + 2) * n * 8.0 : 0.0));
  PerSlot<Workspace> ws(threads);
  constexpr std::uint64_t batch = mc_plain_batch;
  return run_monte_carlo(
      g, opt, batch, threads, start,
      [&](int t, std::uint64_t b, unsigned worlds, BatchTally& tally, std::uint64_t* acc) {
        Workspace& w = ws.get(t, ws_args...);
        run_trials(opt.seed, b * batch, worlds, opt.account_weights, tally, acc,
                   [&](Rng& rng, auto&& visit) { return trial(w, rng, visit); });
      });
}

}  // namespace detail

/// Estimates the expected (weighted) number of accounts reached from `seeds`, seeds included,
/// by Monte Carlo (Kempe, Kleinberg, Tardos, KDD 2003). Trial i is independent and its reach
/// has mean = spread, so mean +- 1.96 std_error covers the spread with ~95% probability.
/// IC and LT run 64 trials per batch with a bit-parallel kernel (each trial a fixed live-edge
/// world, coins keyed by (seed, batch, edge, world) for IC and by (seed, batch, account, world)
/// for LT; see detail::WorldCoins and detail::LtIntervals); other models, and IC/LT with
/// fused = false, run the generic driver per trial with Rng(seed, i, domain::trial). Time O(trials * (n_reached + edges examined) / threads); results
/// are bit-identical for any thread count. Throws like simulate(), plus std::invalid_argument
/// for trials = 0, bad weights or a bad target; Interrupted when `stop` asks.
template <DiffusionModel M>
SpreadEstimate estimate_spread(const FollowerGraph& g, const M& model, std::span<const vertex_t> seeds,
                               const MonteCarloOptions& opt = {}) {
  const auto start = std::chrono::steady_clock::now();
  validate_model(model, g, resolve_threads(opt.threads));
  detail::validate_cascade_seeds(g, seeds, opt.seed_probabilities, "estimate_spread");
  detail::validate_monte_carlo_options(g, opt);
  check_stop(opt.stop);
  const vertex_t n = g.num_vertices();

  constexpr bool is_ic = std::is_same_v<M, IndependentCascade>;
  constexpr bool is_lt = std::is_same_v<M, LinearThreshold>;
  const bool fused = (is_ic || is_lt) && opt.fused;
  const bool fused_lt = is_lt && fused;
  const std::uint64_t batch_size = fused ? detail::mc_batch : detail::mc_plain_batch;
  const int threads = resolve_threads(opt.threads);
  const std::span<const vertex_t> seed_span = seeds;
  const std::span<const prob_t> seed_probs = opt.seed_probabilities;
  const std::span<const double> weights = opt.account_weights;

  // Per thread: a workspace (fused: 16-byte slot + frontier entries per account) and, with
  // per_account, a counter per account; then the summed counts and the probabilities; fused LT:
  // the intervals (4 bytes per edge when the in-rows are uniform, as under weighted cascade;
  // else 8, and as much while they are built) and a counter per account.
  const int slots = std::max(threads, 1);
  const bool lt_ranks = fused_lt && detail::LtIntervals::in_rows_uniform(g, threads);
  require_memory(detail::concat("estimate_spread: per-thread workspaces", opt.per_account ? " and per-account counts" : "",
                                " for ", slots, " threads x ", n, " accounts"),
                 static_cast<double>(slots) * static_cast<double>(n) * (fused ? 48.0 : 24.0) +
                     (fused_lt ? detail::LtIntervals::bytes_to_build(g, lt_ranks) : 0.0) +
                     (opt.per_account ? static_cast<double>(slots + 2) * static_cast<double>(n) * 8.0 : 0.0));
  detail::PerSlot<detail::FusedIcWorkspace> fused_ws(threads);
  std::optional<detail::LtIntervals> lt_intervals;
  if (fused_lt)
    lt_intervals.emplace(g, threads, lt_ranks ? detail::LtIntervals::Form::ranks : detail::LtIntervals::Form::starts);
  detail::PerSlot<detail::CascadeWorkspace<M>> plain_ws(threads);

  return detail::run_monte_carlo(
      g, opt, batch_size, threads, start,
      [&](int t, std::uint64_t b, unsigned worlds, detail::BatchTally& tally, std::uint64_t* acc) {
        if (fused) {
          auto& ws = fused_ws.get(t, n);
          if (fused_lt)
            detail::run_fused_lt_batch(g, *lt_intervals, seed_span, seed_probs, opt.seed, b, worlds, opt.max_steps,
                                       weights, ws, tally, acc);
          else
            detail::run_fused_ic_batch(g, seed_span, seed_probs, opt.seed, b, worlds, opt.max_steps, weights, ws,
                                       tally, acc);
          return;
        }
        auto& ws = plain_ws.get(t, n);
        detail::run_trials(opt.seed, b * batch_size, worlds, weights, tally, acc, [&](Rng& rng, auto&& visit) {
          return ws.run(g, model, seed_span, seed_probs, opt.max_steps, rng,
                        [&](vertex_t v, vertex_t, std::uint32_t step) { visit(v, step); });
        });
      });
}

/// estimate_spread() with the seeds given as account ids: `estimate_spread(g, m, Accounts{10, 30})`.
/// Throws std::out_of_range naming the first account that is not in `g`.
template <DiffusionModel M>
SpreadEstimate estimate_spread(const FollowerGraph& g, const M& model, const Accounts& seeds,
                               const MonteCarloOptions& opt = {}) {
  const std::vector<vertex_t> s = g.indices_of(seeds.ids);
  return estimate_spread(g, model, std::span<const vertex_t>(s), opt);
}

}  // namespace kolsim

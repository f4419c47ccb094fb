// SPDX-License-Identifier: MIT
/// The campaign planner's Monte Carlo check of every prefix of an ordered seed list on common
/// worlds: one skeleton (blocks of trials in parallel, per-prefix tallies, the ordered merge,
/// mean and standard error per prefix, group reach) with the model's world as a policy: steps
/// for IndependentCascade / LinearThreshold, seconds for the continuous-time ContinuousIC.
#pragma once

#include <Random123/philox.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <queue>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "kolsim/campaign/audience.hpp"
#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/estimate/continuous_rr.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim::detail {

/// Monte Carlo reach of every prefix of an ordered seed list on common worlds, so the marginal
/// reach of each seed has an exact per-trial standard error (see prefix_reach()).
struct PrefixReach {
  std::vector<double> prefix_mean, prefix_se;      ///< P + 1 entries: base, base + first i seeds
  std::vector<double> marginal_mean, marginal_se;  ///< P entries
  double count_mean = 0, count_se = 0;             ///< unweighted accounts reached (all seeds)
  std::vector<double> group_mean, group_se;        ///< accounts of each group reached (all seeds)
  std::vector<double> new_per_step;                ///< weighted, all seeds
  std::vector<double> by_step_se;                  ///< standard error of the cumulative reach by step t
  std::uint64_t trials = 0;
};

inline constexpr std::uint32_t prefix_mc_tag = 0x43414D50u;  // "CAMP": separates these draws

/// Four random words keyed by (seed, trial, a, b): Philox4x32-10 on the counter (a, b, trial).
inline r123::Philox4x32::ctr_type prefix_block(std::uint64_t seed, std::uint64_t trial, std::uint32_t a,
                                               std::uint32_t b) noexcept {
  const r123::Philox4x32::ctr_type c = {{a, b, static_cast<std::uint32_t>(trial),
                                         static_cast<std::uint32_t>(trial >> 32) ^ prefix_mc_tag}};
  const r123::Philox4x32::key_type k = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  return r123::Philox4x32()(c, k);
}
inline std::uint32_t prefix_coin(std::uint64_t seed, std::uint64_t trial, std::uint32_t a, std::uint32_t b) noexcept {
  return prefix_block(seed, trial, a, b).v[0];
}

/// Mean and standard error over trials of get(t).
template <class Get>
void trial_mean_se(std::uint64_t trials, Get&& get, double& mean, double& se) {
  const double R = static_cast<double>(trials);
  double sum = 0.0;
  for (std::uint64_t t = 0; t < trials; ++t) sum += get(t);
  mean = sum / R;
  double ss = 0.0;
  for (std::uint64_t t = 0; t < trials; ++t) {
    const double d = get(t) - mean;
    ss += d * d;
  }
  se = trials > 1 ? std::sqrt(ss / (R - 1.0) / R) : 0.0;
}

/// The seeds of a prefix-reach run: `base` first (prefix 0), then `order` one at a time, each
/// with the probability that it posts (empty = surely).
struct PrefixSeeds {
  std::span<const vertex_t> base;
  std::span<const double> base_q;
  std::span<const vertex_t> order;
  std::span<const double> order_q;
};

/// A world's per-thread state shared by every model: which accounts trial `epoch` reached.
struct PrefixScratch {
  std::vector<std::uint32_t> stamp;  ///< == epoch: reached in this trial
  std::vector<vertex_t> reached;     ///< this trial's accounts, in the order reached
  std::uint32_t epoch = 0;

  /// Starts a trial; true when the epoch wrapped and the stamps were cleared.
  bool next_trial() {
    reached.clear();
    if (++epoch != 0) return false;
    std::fill(stamp.begin(), stamp.end(), 0);
    epoch = 1;
    return true;
  }
  /// Marks v reached in this trial (the caller checked it was not) and adds its weight.
  void reach(vertex_t v, const Audience& aud, double& value) {
    stamp[v] = epoch;
    reached.push_back(v);
    value += aud.weight(v);
  }
};

/// The world of IndependentCascade / LinearThreshold trials for prefix_reach(): trial t's world is
/// realised lazily from counter-based draws keyed by (seed, t, edge / 4) (IC: one Philox block
/// serves four consecutive out-edges, word e % 4 for edge e) and (seed, t, account) (LT: the
/// account's one live in-edge). A seed extends the cascade by breadth-first search within
/// `deadline` steps; an account whose distance improves is expanded again.
template <class M>
class StepPrefixWorld {
 public:
  static_assert(std::is_same_v<M, IndependentCascade> || std::is_same_v<M, LinearThreshold>,
                "prefix_reach supports IndependentCascade and LinearThreshold");
  static constexpr bool has_steps = true;
  static constexpr bool is_lt = std::is_same_v<M, LinearThreshold>;

  struct Scratch : PrefixScratch {
    std::vector<std::uint32_t> dist, lt_stamp;
    std::vector<vertex_t> lt_choice, queue;
  };

  StepPrefixWorld(const FollowerGraph& g, const Audience& aud, std::uint32_t deadline, std::uint64_t seed)
      : g_(g), aud_(aud), deadline_(deadline), limited_(deadline != std::numeric_limits<std::uint32_t>::max()),
        seed_(seed), out_off_(g.out_offsets()), out_tgt_(g.out_targets()), out_p_(g) {}

  vertex_t num_vertices() const { return g_.num_vertices(); }

  /// Sizes a thread's scratch for the graph (once per thread).
  void prepare(Scratch& s) const {
    const vertex_t n = g_.num_vertices();
    if (s.stamp.size() == n) return;
    s.stamp.assign(n, 0);
    s.dist.assign(n, 0);
    if constexpr (is_lt) {
      s.lt_stamp.assign(n, 0);
      s.lt_choice.assign(n, no_vertex);
    }
    s.epoch = 0;
  }

  void begin_trial(Scratch& s) const {
    if (s.next_trial()) std::fill(s.lt_stamp.begin(), s.lt_stamp.end(), 0);
  }

  /// Adds seed v to trial t's cascade and extends it; `value` gains the weight of each new account.
  void extend(Scratch& s, std::uint64_t t, vertex_t v, double& value) const {
    if (s.stamp[v] != s.epoch) {
      s.reach(v, aud_, value);
      s.dist[v] = 0;
    } else if (s.dist[v] == 0) {
      return;
    } else {
      s.dist[v] = 0;
    }
    s.queue.clear();
    s.queue.push_back(v);
    for (std::size_t h = 0; h < s.queue.size(); ++h) expand(s, t, s.queue[h], value);
  }

  /// The step at which trial t (just run in s) reached v.
  std::uint32_t step_of(const Scratch& s, vertex_t v) const { return s.dist[v]; }

 private:
  /// Tries u's out-edges: each live edge to an account not reached by then enqueues it one step later.
  void expand(Scratch& s, std::uint64_t t, vertex_t u, double& value) const {
    const std::uint32_t ep = s.epoch;
    const std::uint32_t d = s.dist[u];
    if (d >= deadline_) return;
    edge_t block = std::numeric_limits<edge_t>::max();
    r123::Philox4x32::ctr_type words{};
    for (edge_t e = out_off_[u]; e < out_off_[u + 1]; ++e) {
      const vertex_t w = out_tgt_[e];
      if (s.stamp[w] == ep && (!limited_ || s.dist[w] <= d + 1)) continue;
      bool live;
      if constexpr (is_lt) {
        live = lt_source(s, t, w) == u;
      } else {
        if ((e >> 2) != block) {
          block = e >> 2;
          words = prefix_block(seed_, t, static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32));
        }
        live = static_cast<double>(words.v[e & 3]) < static_cast<double>(out_p_(e, w)) * 4294967296.0;
      }
      if (!live) continue;
      if (s.stamp[w] != ep) s.reach(w, aud_, value);
      s.dist[w] = d + 1;
      s.queue.push_back(w);
    }
  }

  /// LT: the source of v's live in-edge in trial t (no_vertex: none), drawn once per trial.
  vertex_t lt_source(Scratch& s, std::uint64_t t, vertex_t v) const {
    if (s.lt_stamp[v] == s.epoch) return s.lt_choice[v];
    s.lt_stamp[v] = s.epoch;
    const double r = (static_cast<double>(prefix_coin(seed_, t, v, 0xFFFFFFF1u)) + 0.5) * 0x1.0p-32;
    const auto ps = g_.in_probs(v);
    const auto src = g_.in_neighbors(v);
    double acc = 0.0;
    vertex_t pick = no_vertex;
    for (std::size_t i = 0; i < ps.size(); ++i) {
      acc += ps[i];
      if (r < acc) {
        pick = src[i];
        break;
      }
    }
    s.lt_choice[v] = pick;
    return pick;
  }

  const FollowerGraph& g_;
  const Audience& aud_;
  std::uint32_t deadline_;
  bool limited_;
  std::uint64_t seed_;
  std::span<const edge_t> out_off_;
  std::span<const vertex_t> out_tgt_;
  OutEdgeProbs out_p_;  ///< any storage: an implicit graph is not materialised
};

/// The world of ContinuousIC trials for continuous_prefix_reach(): trial t's world is drawn
/// lazily per out-edge e from the counter (seed, t, e) (word 0: the coin, words 1-2: the delay,
/// exponential with the edge's rate or one of model.delay_samples). A seed extends the
/// shortest-delay times by an incremental Dijkstra (an account whose time improves is expanded
/// again); an account counts when its shortest live-path delay is <= model.horizon.
class ContinuousPrefixWorld {
 public:
  static constexpr bool has_steps = false;
  using Item = std::pair<double, vertex_t>;

  struct Scratch : PrefixScratch {
    std::vector<double> dist;
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
  };

  ContinuousPrefixWorld(const FollowerGraph& g, const ContinuousIC& model, const Audience& aud, std::uint64_t seed)
      : g_(g), model_(model), aud_(aud), seed_(seed), out_off_(g.out_offsets()), out_tgt_(g.out_targets()),
        out_p_(g) {}

  vertex_t num_vertices() const { return g_.num_vertices(); }

  void prepare(Scratch& s) const {
    const vertex_t n = g_.num_vertices();
    if (s.stamp.size() == n) return;
    s.stamp.assign(n, 0);
    s.dist.assign(n, 0.0);
    s.epoch = 0;
  }

  void begin_trial(Scratch& s) const { s.next_trial(); }

  /// Adds seed v to trial t's cascade and extends it; `value` gains the weight of each new account.
  void extend(Scratch& s, std::uint64_t t, vertex_t v, double& value) const {
    if (s.stamp[v] != s.epoch) s.reach(v, aud_, value);
    else if (s.dist[v] == 0.0) return;
    s.dist[v] = 0.0;
    s.heap.emplace(0.0, v);
    while (!s.heap.empty()) {
      const auto [d, u] = s.heap.top();
      s.heap.pop();
      if (d > s.dist[u]) continue;
      relax(s, t, u, d, value);
    }
  }

  std::uint32_t step_of(const Scratch&, vertex_t) const { return 0; }

 private:
  /// Tries u's out-edges (u final at time d): a live edge whose arrival is within the horizon
  /// and earlier than the target's current time updates it.
  void relax(Scratch& s, std::uint64_t t, vertex_t u, double d, double& value) const {
    const std::uint32_t ep = s.epoch;
    for (edge_t e = out_off_[u]; e < out_off_[u + 1]; ++e) {
      const vertex_t w = out_tgt_[e];
      if (s.stamp[w] == ep && s.dist[w] <= d) continue;
      double delay;
      if (!live_delay(t, e, delay)) continue;
      const double nd = d + delay;
      if (!(nd <= model_.horizon)) continue;
      if (s.stamp[w] == ep && s.dist[w] <= nd) continue;
      if (s.stamp[w] != ep) s.reach(w, aud_, value);
      s.dist[w] = nd;
      s.heap.emplace(nd, w);
    }
  }

  /// Whether edge e is live in trial t, and then its delay (seconds; +inf at rate 0).
  bool live_delay(std::uint64_t t, edge_t e, double& delay) const {
    const auto words =
        prefix_block(seed_, t, static_cast<std::uint32_t>(e), static_cast<std::uint32_t>(e >> 32) ^ 0x80000000u);
    if (!(static_cast<double>(words.v[0]) < static_cast<double>(out_p_(e, out_tgt_[e])) * 4294967296.0)) return false;
    const double uni =
        (static_cast<double>((static_cast<std::uint64_t>(words.v[1]) << 21) ^ (words.v[2] >> 11)) + 0.5) *
        0x1.0p-53;  // in (0, 1)
    if (model_.delay_samples.empty()) {
      const double rate = model_.rate.empty() ? model_.default_rate : model_.rate[e];
      delay = -std::log(uni) / rate;  // rate 0: +inf, never arrives
    } else {
      delay = model_.delay_samples[std::min<std::size_t>(
          static_cast<std::size_t>(uni * static_cast<double>(model_.delay_samples.size())),
          model_.delay_samples.size() - 1)];
    }
    return true;
  }

  const FollowerGraph& g_;
  const ContinuousIC& model_;
  const Audience& aud_;
  std::uint64_t seed_;
  std::span<const edge_t> out_off_;
  std::span<const vertex_t> out_tgt_;
  OutEdgeProbs out_p_;  ///< any storage: an implicit graph is not materialised
};

/// Per-trial tallies of a prefix-reach run (trial-major), and for step worlds the weighted new
/// reach by step per trial and per block of trials.
struct PrefixTally {
  std::size_t P = 0, G = 0;
  std::vector<double> vals;     ///< trials x (P + 1): reach of each prefix
  std::vector<double> counts;   ///< trials: accounts reached by all seeds
  std::vector<double> gcounts;  ///< trials x G: accounts of each group reached
  std::vector<std::vector<double>> trial_steps, block_steps;

  PrefixTally(std::uint64_t trials, std::size_t prefixes, std::size_t groups, std::uint64_t blocks, bool steps)
      : P(prefixes), G(groups), vals(trials * (P + 1)), counts(trials), gcounts(trials * G) {
    if (!steps) return;
    trial_steps.resize(trials);
    block_steps.resize(blocks);
  }
};

inline constexpr std::uint64_t prefix_trial_block = 64;  ///< trials per parallel task

/// Where the blocks of prefix-reach trials run (null: all in this process). The distributed back
/// end (distributed/plan.hpp) gives each rank a range of blocks, then exchange() fills the
/// tallies of every other rank's trials in, bit for bit, so the merge sees one process's tally.
class PrefixShare {
 public:
  virtual ~PrefixShare() = default;
  /// This process's blocks [lo, hi) of `blocks`.
  virtual void range(std::uint64_t blocks, std::uint64_t& lo, std::uint64_t& hi) = 0;
  /// Completes `tally` with every other process's trials (this one ran blocks [lo, hi)).
  virtual void exchange(PrefixTally& tally, std::uint64_t trials, std::uint64_t lo, std::uint64_t hi) = 0;
};

/// Runs trial t in `s`: the seeds one at a time (each posts with its probability, a coin keyed
/// by (seed, t, seed index)), recording the reach after the base and after each order seed, then
/// the trial's accounts, group counts and (step worlds) weighted reach by step.
template <class World>
void prefix_trial(const World& world, typename World::Scratch& s, const PrefixSeeds& ps, const Audience& aud,
                  std::uint64_t seed, std::uint64_t t, PrefixTally& tally, std::vector<double>* block_steps) {
  world.begin_trial(s);
  double value = 0.0;
  std::uint32_t index = 0;
  auto add_seed = [&](vertex_t v, double q) {
    const std::uint32_t i = index++;
    if (q < 1.0 && static_cast<double>(prefix_coin(seed, t, i, 0xFFFFFFF0u)) >= q * 4294967296.0) return;
    world.extend(s, t, v, value);
  };
  for (std::size_t i = 0; i < ps.base.size(); ++i) add_seed(ps.base[i], ps.base_q.empty() ? 1.0 : ps.base_q[i]);
  double* row = tally.vals.data() + t * (tally.P + 1);
  row[0] = value;
  for (std::size_t i = 0; i < tally.P; ++i) {
    add_seed(ps.order[i], ps.order_q.empty() ? 1.0 : ps.order_q[i]);
    row[i + 1] = value;
  }
  tally.counts[t] = static_cast<double>(s.reached.size());
  double* grow = tally.gcounts.data() + t * tally.G;
  if (tally.G > 0)
    for (vertex_t v : s.reached)
      if (aud.group_of[v] != no_group) grow[aud.group_of[v]] += 1.0;
  if constexpr (World::has_steps) {
    std::vector<double>& steps = *block_steps;
    std::vector<double>& mine = tally.trial_steps[t];
    for (vertex_t v : s.reached) {
      const std::uint32_t d = world.step_of(s, v);
      if (steps.size() <= d) steps.resize(static_cast<std::size_t>(d) + 1, 0.0);
      steps[d] += aud.weight(v);
      if (mine.size() <= d) mine.resize(static_cast<std::size_t>(d) + 1, 0.0);
      mine[d] += aud.weight(v);
    }
  }
}

/// Mean and standard error of each prefix, each marginal, the accounts and the groups.
inline PrefixReach summarize_prefixes(const PrefixTally& tally, std::uint64_t trials) {
  const std::size_t P = tally.P, G = tally.G;
  const auto& vals = tally.vals;
  PrefixReach r;
  r.trials = trials;
  r.prefix_mean.resize(P + 1);
  r.prefix_se.resize(P + 1);
  for (std::size_t i = 0; i <= P; ++i)
    trial_mean_se(trials, [&](std::uint64_t t) { return vals[t * (P + 1) + i]; }, r.prefix_mean[i], r.prefix_se[i]);
  r.marginal_mean.resize(P);
  r.marginal_se.resize(P);
  for (std::size_t i = 0; i < P; ++i)
    trial_mean_se(trials, [&](std::uint64_t t) { return vals[t * (P + 1) + i + 1] - vals[t * (P + 1) + i]; },
                  r.marginal_mean[i], r.marginal_se[i]);
  trial_mean_se(trials, [&](std::uint64_t t) { return tally.counts[t]; }, r.count_mean, r.count_se);
  r.group_mean.resize(G);
  r.group_se.resize(G);
  for (std::size_t gi = 0; gi < G; ++gi)
    trial_mean_se(trials, [&](std::uint64_t t) { return tally.gcounts[t * G + gi]; }, r.group_mean[gi],
                  r.group_se[gi]);
  return r;
}

/// Step worlds: mean new reach per step (blocks merged in order) and the standard error of the
/// cumulative reach by each step (a trial that stopped early keeps its final value).
inline void summarize_steps(const PrefixTally& tally, std::uint64_t trials, PrefixReach& r) {
  const double R = static_cast<double>(trials);
  for (const auto& st : tally.block_steps) {
    if (r.new_per_step.size() < st.size()) r.new_per_step.resize(st.size(), 0.0);
    for (std::size_t d = 0; d < st.size(); ++d) r.new_per_step[d] += st[d];
  }
  for (double& x : r.new_per_step) x /= R;
  const std::size_t D = r.new_per_step.size();
  std::vector<double> cum_sum(D, 0.0), cum_sq(D, 0.0);
  for (const auto& st : tally.trial_steps) {
    double c = 0.0;
    for (std::size_t d = 0; d < D; ++d) {
      if (d < st.size()) c += st[d];
      cum_sum[d] += c;
      cum_sq[d] += c * c;
    }
  }
  r.by_step_se.assign(D, 0.0);
  for (std::size_t d = 0; d < D && trials > 1; ++d) {
    const double m = cum_sum[d] / R;
    r.by_step_se[d] = std::sqrt(std::max(0.0, (cum_sq[d] - R * m * m) / (R - 1.0)) / R);
  }
}

/// The prefix-reach skeleton: trials in blocks of prefix_trial_block across threads, each on
/// its own world keyed by (seed, t), tallied per trial and merged in trial order, so results
/// are identical for any thread count. Polls `stop` per trial (throws Interrupted).
template <class World>
PrefixReach run_prefix_reach(const World& world, const PrefixSeeds& ps, const Audience& aud, std::uint64_t trials,
                             std::uint64_t seed, int threads, const StopToken& stop, PrefixShare* share = nullptr) {
  const vertex_t n = world.num_vertices();
  const std::size_t P = ps.order.size();
  const std::size_t G = aud.num_groups();
  const int nt = resolve_threads(threads);
  require_memory(detail::concat("plan_campaign: reach of ", P + 1, " prefixes x ", trials, " trials (lower check_trials)"),
                 static_cast<double>(trials) * (static_cast<double>(P + 2 + G) * sizeof(double)) +
                     static_cast<double>(std::max(1, nt)) * static_cast<double>(n) * 24.0);
  const std::uint64_t nblocks = (trials + prefix_trial_block - 1) / prefix_trial_block;
  PrefixTally tally(trials, P, G, nblocks, World::has_steps);
  StopPoller poll(stop);  // per trial (thread 0): every other thread quits once it said stop
  std::vector<typename World::Scratch> scratch(static_cast<std::size_t>(std::max(1, nt)));
  auto run_block = [&](std::size_t b) {
    if (poll.poll()) return;
    auto& s = scratch[static_cast<std::size_t>(thread_index())];
    world.prepare(s);
    std::vector<double>* steps = World::has_steps ? &tally.block_steps[b] : nullptr;
    const std::uint64_t t_end = std::min(trials, (b + 1) * prefix_trial_block);
    for (std::uint64_t t = b * prefix_trial_block; t < t_end; ++t) {
      if (poll.poll()) return;
      prefix_trial(world, s, ps, aud, seed, t, tally, steps);
    }
  };
  std::uint64_t lo = 0, hi = nblocks;
  if (share) share->range(nblocks, lo, hi);
  parallel_for(lo, hi, nt, run_block, 1);
  poll.throw_if_stopped();
  if (share) share->exchange(tally, trials, lo, hi);
  PrefixReach r = summarize_prefixes(tally, trials);
  if constexpr (World::has_steps) summarize_steps(tally, trials, r);
  return r;
}

/// Monte Carlo reach of every prefix of an ordered seed list under IC or LT within `deadline`
/// steps, on common live-edge worlds (StepPrefixWorld), so every prefix sees the same world;
/// whether a KOL posts is a coin keyed by (seed, t, seed index). O(trials x edges examined).
template <class M>
PrefixReach prefix_reach(const FollowerGraph& g, const M& model, std::span<const vertex_t> base,
                         std::span<const double> base_q, std::span<const vertex_t> order,
                         std::span<const double> order_q, const Audience& aud, std::uint32_t deadline,
                         std::uint64_t trials, std::uint64_t seed, int threads, const StopToken& stop,
                         PrefixShare* share = nullptr) {
  (void)model;
  const StepPrefixWorld<M> world(g, aud, deadline, seed);
  return run_prefix_reach(world, PrefixSeeds{base, base_q, order, order_q}, aud, trials, seed, threads, stop, share);
}

/// prefix_reach for the continuous-time IC within model.horizon seconds (ContinuousPrefixWorld).
/// new_per_step and by_step_se stay empty (there are no steps).
inline PrefixReach continuous_prefix_reach(const FollowerGraph& g, const ContinuousIC& model,
                                           std::span<const vertex_t> base, std::span<const double> base_q,
                                           std::span<const vertex_t> order, std::span<const double> order_q,
                                           const Audience& aud, std::uint64_t trials, std::uint64_t seed, int threads,
                                           const StopToken& stop, PrefixShare* share = nullptr) {
  const ContinuousPrefixWorld world(g, model, aud, seed);
  return run_prefix_reach(world, PrefixSeeds{base, base_q, order, order_q}, aud, trials, seed, threads, stop, share);
}

/// prefix_reach for any planner model: steps for IC / LT, model.horizon for ContinuousIC.
template <class M>
PrefixReach plan_prefix_reach(const FollowerGraph& g, const M& model, std::span<const vertex_t> base,
                              std::span<const double> base_q, std::span<const vertex_t> order,
                              std::span<const double> order_q, const Audience& aud, std::uint32_t deadline,
                              std::uint64_t trials, std::uint64_t seed, int threads, const StopToken& stop,
                              PrefixShare* share = nullptr) {
  if constexpr (std::is_same_v<M, ContinuousIC>) {
    (void)deadline;
    return continuous_prefix_reach(g, model, base, base_q, order, order_q, aud, trials, seed, threads, stop, share);
  } else {
    return prefix_reach(g, model, base, base_q, order, order_q, aud, deadline, trials, seed, threads, stop, share);
  }
}

}  // namespace kolsim::detail

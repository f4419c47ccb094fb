// SPDX-License-Identifier: MIT
/// A fixed set of sampled live-edge worlds (common random numbers) on which Monte Carlo greedy
/// selectors evaluate marginal gains exactly and reproducibly; not public API.
#pragma once

#include <algorithm>
#include <cassert>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim::detail {

/// Stream key of the live-edge coins for a user seed (separated from other uses by a domain).
inline std::uint64_t live_edge_key(std::uint64_t seed) noexcept {
  return splitmix64_at(seed ^ 0x6C6976652D656467ull, domain::selection);
}

/// The coins that fix live-edge world i.
/// IC: out-edge e (CSR order) is live in world i iff the top 32 bits of
///     splitmix64_at(key, i * m + e) are below ceil(p(e) * 2^32).
/// LT: account v keeps in-edge j (in-edge order) in world i iff u = top 53 bits of
///     splitmix64_at(key, i * n + v) / 2^53 falls in [W_{j-1}, W_j) of the prefix sums of its
///     in-weights; none when u >= W_last (Kempe et al.'s live-edge equivalence).
template <class M>
class LiveEdgeCoins;

template <>
class LiveEdgeCoins<IndependentCascade> {
 public:
  /// Per-edge graphs: a threshold per edge (8 bytes per edge); implicit graphs (weighted cascade,
  /// constant): none, each threshold is computed from the edge's probability when read.
  LiveEdgeCoins(const FollowerGraph& g, std::uint64_t seed)
      : key_(live_edge_key(seed)), m_(g.num_edges()), probs_(g) {
    if (g.implicit_probabilities()) return;
    const prob_t* p = probs_.data();
    threshold_.resize(m_);
    for (edge_t e = 0; e < m_; ++e) threshold_[e] = threshold_of(p[e]);
  }
  /// Whether out-edge e, into account v, is live in world `world`.
  bool live(std::uint64_t world, edge_t e, vertex_t v) const noexcept {
    const std::uint64_t t = threshold_.empty() ? threshold_of(probs_(e, v)) : threshold_[e];
    if (t == 0) return false;
    return (splitmix64_at(key_, world * m_ + e) >> 32) < t;
  }
  /// Bytes per edge the coins of g keep.
  static double bytes_per_edge(const FollowerGraph& g) noexcept { return g.implicit_probabilities() ? 0.0 : 8.0; }
  std::size_t memory_bytes() const noexcept { return threshold_.capacity() * sizeof(std::uint64_t); }

 private:
  static std::uint64_t threshold_of(prob_t p) noexcept {
    return static_cast<std::uint64_t>(std::ceil(static_cast<double>(p) * 4294967296.0));
  }

  std::uint64_t key_;
  edge_t m_;
  OutEdgeProbs probs_;
  std::vector<std::uint64_t> threshold_;  ///< per-edge graphs only
};

template <>
class LiveEdgeCoins<LinearThreshold> {
 public:
  LiveEdgeCoins(const FollowerGraph& g, std::uint64_t seed)
      : key_(live_edge_key(seed)), n_(g.num_vertices()), in_offsets_(g.in_offsets()) {
    const edge_t m = g.num_edges();
    cumulative_.resize(m);
    for (vertex_t v = 0; v < n_; ++v) {
      const ProbRow w = g.in_probs(v);  // any storage: an implicit graph is not materialised
      double sum = 0.0;
      edge_t j = in_offsets_[v];
      for (std::size_t i = 0; i < w.size(); ++i, ++j) cumulative_[j] = sum += w[i];
    }
    out_to_in_.resize(m);
    const auto out_off = g.out_offsets();
    const auto targets = g.out_targets();
    std::vector<edge_t> cursor(in_offsets_.begin(), in_offsets_.end() - 1);
    for (vertex_t u = 0; u < n_; ++u)
      for (edge_t e = out_off[u]; e < out_off[u + 1]; ++e) out_to_in_[e] = cursor[targets[e]]++;
  }
  bool live(std::uint64_t world, edge_t e, vertex_t v) const noexcept {
    const double u = static_cast<double>(splitmix64_at(key_, world * n_ + v) >> 11) * 0x1.0p-53;
    const auto first = cumulative_.begin() + static_cast<std::ptrdiff_t>(in_offsets_[v]);
    const auto last = cumulative_.begin() + static_cast<std::ptrdiff_t>(in_offsets_[v + 1]);
    const auto it = std::upper_bound(first, last, u);
    return it != last && static_cast<edge_t>(it - cumulative_.begin()) == out_to_in_[e];
  }
  std::size_t memory_bytes() const noexcept {
    return cumulative_.capacity() * sizeof(double) + out_to_in_.capacity() * sizeof(edge_t);
  }
  static double bytes_per_edge(const FollowerGraph&) noexcept { return 16.0; }

 private:
  std::uint64_t key_;
  vertex_t n_;
  std::span<const edge_t> in_offsets_;
  std::vector<double> cumulative_;
  std::vector<edge_t> out_to_in_;
};

/// Models whose live-edge worlds are another model's but whose reach counts groups of accounts
/// once (MultiplexIC: IC on the expanded graph, reach in people) declare
/// `using live_edge_model = ...;` and `std::span<const vertex_t> reach_groups() const` (the group
/// of every vertex, groups 0 .. max).
template <class M>
concept GroupedReachModel = requires(const M& m) {
  typename M::live_edge_model;
  { m.reach_groups() } -> std::convertible_to<std::span<const vertex_t>>;
};
template <class M>
struct LiveEdgeBase {
  using type = M;
};
template <GroupedReachModel M>
struct LiveEdgeBase<M> {
  using type = typename M::live_edge_model;
};

/// R fixed live-edge worlds and, per world, the level of every account under the current seed
/// set S: Bounded = false stores reached (0) / not (1); Bounded = true stores min(dist(S, v),
/// T + 1) for deadline T. Gains are integer counts summed over worlds, so they are exact,
/// monotone and submodular in S, and identical for any thread count. For a GroupedReachModel
/// the counts are of groups (a group's level is the least of its accounts', one more table).
template <class M, class Level, bool Bounded>
class LiveEdgeWorlds {
  static constexpr bool kGrouped = GroupedReachModel<M>;

 public:
  LiveEdgeWorlds(const FollowerGraph& g, const M& model, std::uint64_t worlds, std::uint64_t seed,
                 std::uint32_t max_steps, int threads, const StopToken& stop = {})
      : g_(g), coins_((require_world_memory(g, worlds, threads), g), seed), worlds_(worlds), n_(g.num_vertices()),
        threads_(threads), far_(Bounded ? static_cast<Level>(max_steps + 1) : Level{1}), deadline_(max_steps),
        poll_(stop, 16) {
    levels_.assign(static_cast<std::size_t>(worlds) * n_, far_);
    words_ = (static_cast<std::size_t>(worlds) * n_ + 63) / 64;
    scratch_.resize(static_cast<std::size_t>(std::max(threads, 1)));
    counts_.assign(worlds, {0, 0});
    if constexpr (kGrouped) {
      group_ = model.reach_groups();
      KOLSIM_REQUIRE(group_.size() == n_, "greedy: the model's groups do not match the graph");
      for (vertex_t q : group_) groups_ = std::max(groups_, q + 1);
      assert(groups_ <= n_);  // a group's look-ahead bit is cell(i, q)
      group_levels_.assign(static_cast<std::size_t>(worlds) * groups_, far_);
    } else {
      (void)model;
    }
  }

  /// Bytes the world state needs before the first evaluation: levels, the look-ahead bitset,
  /// the coins and the per-thread scratch (recorded sets come on top, at most one level table).
  static double world_bytes(const FollowerGraph& g, std::uint64_t worlds, int threads) noexcept {
    const double cells = static_cast<double>(worlds) * static_cast<double>(g.num_vertices());
    const double coins = static_cast<double>(g.num_edges()) * decltype(coins_)::bytes_per_edge(g);
    const double scratch = static_cast<double>(std::max(threads, 1)) * static_cast<double>(g.num_vertices()) * 12.0;
    return cells * (sizeof(Level) + 0.125) + static_cast<double>(worlds) * 16.0 + coins + scratch;
  }
  /// Throws MemoryLimitError (naming worlds x accounts, the need and the usable memory) when
  /// the world state would not fit.
  static void require_world_memory(const FollowerGraph& g, std::uint64_t worlds, int threads) {
    require_memory(concat("greedy: ", worlds, " live-edge worlds x ", g.num_vertices(),
                          " accounts (lower trials)"),
                   world_bytes(g, worlds, threads));
  }

  std::uint64_t worlds() const noexcept { return worlds_; }
  /// Sum over worlds of the reach of the current seed set.
  std::uint64_t total_reach() const noexcept { return total_; }
  /// Single-world cascades evaluated so far.
  std::uint64_t evaluations() const noexcept { return evaluations_; }
  std::size_t memory_bytes() const noexcept {
    return levels_.capacity() * sizeof(Level) + lookahead_bits_.capacity() * 8 + coins_.memory_bytes() +
           2 * record_entries_ * sizeof(vertex_t) +  // recorded set + installed look-ahead set
           group_levels_.capacity() * sizeof(Level);
  }

  /// Sum over worlds of the marginal gain of v given S. With record = true, the accounts v
  /// newly reaches are kept as the candidate look-ahead set (see keep_record_as_lookahead).
  std::uint64_t gain(vertex_t v, bool record = false) { return run(v, false, record, false).first; }

  /// Sum over worlds of the gain of v given S and given S + {x}, x the look-ahead node
  /// installed by keep_record_as_lookahead: one cascade per world (CELF++'s mg1 and mg2).
  std::pair<std::uint64_t, std::uint64_t> gain_pair(vertex_t v, bool record = false) {
    assert(has_lookahead_);
    return run(v, false, record, true);
  }

  /// Gains of several candidates given S (and, with `lookahead`, given S + {x}), parallel over
  /// candidates: out[j] = {gain of vs[j], gain given S + {x}}. Same sums as gain()/gain_pair().
  void gains(std::span<const vertex_t> vs, bool lookahead, std::vector<std::pair<std::uint64_t, std::uint64_t>>& out) {
    assert(!lookahead || has_lookahead_);
    out.assign(vs.size(), {0, 0});
    const int threads = vs.size() * worlds_ >= run_parallel_worlds ? threads_ : 1;
    parallel_for(0, vs.size(), threads, [&](std::size_t j) {
      Scratch& s = scratch();
      std::uint64_t t1 = 0, t2 = 0;
      for (std::uint64_t i = 0; i < worlds_; ++i) {
        if (poll_.poll()) return;
        const auto c = world_bfs(i, vs[j], false, false, lookahead, s);
        t1 += c.first;
        t2 += c.second;
      }
      out[j] = {t1, t2};
    }, 1, 2);
    poll_.throw_if_stopped();
    evaluations_ += worlds_ * vs.size();
  }

  /// Adds v to S; returns its gain.
  std::uint64_t add(vertex_t v) {
    const auto c = run(v, true, false, false).first;
    total_ += c;
    clear_lookahead();
    return c;
  }

  /// Installs the accounts recorded by the last gain(..., true) / gain_pair(..., true) as the
  /// look-ahead set (what that node adds to S) used by gain_pair.
  void keep_record_as_lookahead() {
    clear_lookahead();
    if (lookahead_bits_.empty()) lookahead_bits_.assign(words_, 0);
    lookahead_.swap(record_);
    for (std::uint64_t i = 0; i < worlds_ && i < lookahead_.size(); ++i)
      for (vertex_t y : lookahead_[i]) lookahead_bits_[cell(i, y) / 64] |= std::uint64_t{1} << (cell(i, y) % 64);
    has_lookahead_ = true;
  }
  void clear_lookahead() {
    if (has_lookahead_) {
      for (std::uint64_t i = 0; i < worlds_ && i < lookahead_.size(); ++i)
        for (vertex_t y : lookahead_[i]) lookahead_bits_[cell(i, y) / 64] = 0;
    }
    has_lookahead_ = false;
  }
  bool has_lookahead() const noexcept { return has_lookahead_; }

 private:
  static constexpr std::size_t run_parallel_worlds = 2048;

  struct alignas(64) Scratch {
    std::vector<std::uint32_t> stamp, group_stamp;  // group_stamp: grouped models only
    std::uint32_t epoch = 0;
    std::vector<std::pair<vertex_t, std::uint32_t>> queue;
  };

  bool improves(Level level, std::uint32_t d) const noexcept {
    if constexpr (Bounded) return d < level;
    else return level != 0;
  }

  /// Node-major layout: the cells of one account in consecutive worlds are adjacent, so a
  /// candidate swept over all worlds walks memory in order.
  std::size_t cell(std::uint64_t world, vertex_t y) const noexcept {
    return static_cast<std::size_t>(y) * worlds_ + world;
  }

  Scratch& scratch() {
    Scratch& s = scratch_[static_cast<std::size_t>(thread_index()) % scratch_.size()];
    if (s.stamp.size() != n_) s.stamp.assign(n_, 0);
    if (s.group_stamp.size() != groups_) s.group_stamp.assign(groups_, 0);
    return s;
  }

  /// Pruned BFS from v in world i. Counts accounts v newly reaches (level == far within the
  /// deadline); with `lookahead`, also those outside the look-ahead set; with `commit`, writes
  /// the improved levels; with `record`, keeps the newly reached accounts.
  std::pair<std::uint64_t, std::uint64_t> world_bfs(std::uint64_t i, vertex_t v, bool commit, bool record,
                                                    bool lookahead, Scratch& s) {
    const auto out_off = g_.out_offsets();
    const auto targets = g_.out_targets();
    if (++s.epoch == 0) {
      std::fill(s.stamp.begin(), s.stamp.end(), 0);
      std::fill(s.group_stamp.begin(), s.group_stamp.end(), 0);
      s.epoch = 1;
    }
    Level* level = levels_.data() + i;  // level[y * worlds_] is y's level in world i
    const std::uint64_t* bits = lookahead_bits_.data();
    const std::uint64_t r = worlds_;
    std::uint64_t c1 = 0, c2 = 0;
    auto count = [&](vertex_t y) {  // y (an account, or a group) is newly reached
      ++c1;
      if (lookahead && !((bits[cell(i, y) / 64] >> (cell(i, y) % 64)) & 1u)) ++c2;
      if (record) record_[i].push_back(y);
    };
    auto visit = [&](vertex_t y, std::uint32_t d) {
      if constexpr (kGrouped) {
        const vertex_t q = group_[y];
        Level& gl = group_levels_[cell(i, q)];
        if (gl == far_ && s.group_stamp[q] != s.epoch) {
          s.group_stamp[q] = s.epoch;
          count(q);
        }
        if (commit) gl = std::min(gl, Bounded ? static_cast<Level>(d) : Level{0});
      } else if (level[y * r] == far_) {
        count(y);
      }
      if (commit) level[y * r] = Bounded ? static_cast<Level>(d) : Level{0};
      s.queue.emplace_back(y, d);
    };
    s.queue.clear();
    s.stamp[v] = s.epoch;
    if (improves(level[v * r], 0)) visit(v, 0);
    for (std::size_t head = 0; head < s.queue.size(); ++head) {
      const auto [x, d] = s.queue[head];
      if (Bounded && d >= deadline_) continue;
      for (edge_t e = out_off[x]; e < out_off[x + 1]; ++e) {
        const vertex_t y = targets[e];
        if (s.stamp[y] == s.epoch || !coins_.live(i, e, y)) continue;
        s.stamp[y] = s.epoch;  // first visit is at y's distance from v
        if (improves(level[y * r], d + 1)) visit(y, d + 1);
      }
    }
    return {c1, c2};
  }

  /// world_bfs from v in every world, parallel over worlds; integer sums.
  std::pair<std::uint64_t, std::uint64_t> run(vertex_t v, bool commit, bool record, bool lookahead) {
    if (record) {
      record_.resize(worlds_);
      for (auto& r : record_) r.clear();
    }
    // One cascade per world is cheap: below run_parallel_worlds worlds a parallel region costs
    // more than it saves (and far more on a loaded machine, where a barrier waits for a slice).
    // The stop token is polled per world (thread 0, every 16th world at most every 10 ms): one
    // evaluation sweeps all worlds and may take seconds on large cascades. A commit is never
    // abandoned half-way (the levels would be inconsistent); the stop is seen just after it.
    parallel_for(0, worlds_, threads_, [&](std::size_t i) {
      if (!commit && poll_.poll()) return;
      counts_[i] = world_bfs(i, v, commit, record, lookahead, scratch());
    }, 64, run_parallel_worlds);
    poll_.throw_if_stopped();
    evaluations_ += worlds_;
    std::uint64_t t1 = 0, t2 = 0;
    for (std::uint64_t i = 0; i < worlds_; ++i) {
      t1 += counts_[i].first;
      t2 += counts_[i].second;
    }
    if (record) {
      std::size_t entries = 0;
      for (auto& r : record_) entries += r.size();
      record_entries_ = std::max(record_entries_, entries);  // peak of one recorded set
    }
    return {t1, t2};
  }

  const FollowerGraph& g_;
  LiveEdgeCoins<typename LiveEdgeBase<M>::type> coins_;
  std::uint64_t worlds_;
  vertex_t n_;
  int threads_;
  Level far_;
  std::uint32_t deadline_;
  std::vector<Level> levels_;
  std::size_t words_ = 0;
  std::vector<std::uint64_t> lookahead_bits_;
  std::vector<std::vector<vertex_t>> lookahead_, record_;
  bool has_lookahead_ = false;
  std::size_t record_entries_ = 0;
  std::vector<Scratch> scratch_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t evaluations_ = 0;
  StopPoller poll_;
  std::span<const vertex_t> group_;     // grouped models: group of every vertex
  vertex_t groups_ = 0;
  std::vector<Level> group_levels_;     // grouped models: cell(i, q) = level of group q in world i
};

/// Builds the world set with the smallest level type for the deadline and calls f(worlds);
/// evaluations poll `stop` between worlds.
template <class M, class F>
decltype(auto) with_live_edge_worlds(const FollowerGraph& g, const M& model, std::uint64_t worlds,
                                     std::uint64_t seed, std::uint32_t max_steps, int threads, F&& f,
                                     const StopToken& stop = {}) {
  const vertex_t n = g.num_vertices();
  if (n == 0 || max_steps >= n - 1) {  // no shortest path is longer than n - 1 steps
    LiveEdgeWorlds<M, std::uint8_t, false> w(g, model, worlds, seed, max_steps, threads, stop);
    return f(w);
  }
  if (max_steps < 255) {
    LiveEdgeWorlds<M, std::uint8_t, true> w(g, model, worlds, seed, max_steps, threads, stop);
    return f(w);
  }
  if (max_steps < 65535) {
    LiveEdgeWorlds<M, std::uint16_t, true> w(g, model, worlds, seed, max_steps, threads, stop);
    return f(w);
  }
  LiveEdgeWorlds<M, std::uint32_t, true> w(g, model, worlds, seed, max_steps, threads, stop);
  return f(w);
}

}  // namespace kolsim::detail

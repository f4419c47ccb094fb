// SPDX-License-Identifier: MIT
/// Cascade kernels behind simulate() and estimate_spread(): the generic step-synchronous driver
/// with reusable buffers, and the fused Independent Cascade kernel that runs 64 worlds at once.
#pragma once

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim::detail {

/// Boundary checks shared by simulate() and estimate_spread(): seeds distinct and in range,
/// seed probabilities empty or one per seed in [0, 1].
inline void validate_cascade_seeds(const FollowerGraph& g, std::span<const vertex_t> seeds,
                                   std::span<const prob_t> seed_probabilities, const char* who) {
  const vertex_t n = g.num_vertices();
  std::vector<char> seen(n, 0);
  for (vertex_t s : seeds) {
    KOLSIM_REQUIRE_INDEX(s < n, who, ": seed vertex ", s, " out of range (n = ", n, ")");
    KOLSIM_REQUIRE(!seen[s], who, ": duplicate seed: account ", g.account(s));
    seen[s] = 1;
  }
  KOLSIM_REQUIRE(seed_probabilities.empty() || seed_probabilities.size() == seeds.size(), who,
                 ": seed_probabilities must be empty or have one entry per seed (", seeds.size(), "), got ",
                 seed_probabilities.size());
  for (prob_t p : seed_probabilities)
    KOLSIM_REQUIRE(p >= 0.0f && p <= 1.0f, who, ": seed probability must be in [0, 1], got ", p);
}

/// Buffers of the generic cascade driver for one model, reused across trials: epoch-stamped
/// visited marks (no O(n) clearing per trial), the model's per-node states, two frontiers.
/// One workspace per thread.
template <DiffusionModel M>
class CascadeWorkspace {
 public:
  using NodeState = typename M::NodeState;
  static constexpr bool stateless = std::is_empty_v<NodeState>;

  CascadeWorkspace() = default;
  explicit CascadeWorkspace(vertex_t n) { resize(n); }

  void resize(vertex_t n) {
    mark_.assign(n, 0);
    if constexpr (!stateless) {
      state_mark_.assign(n, 0);
      state_.assign(n, NodeState{});
    }
    epoch_ = 0;
  }
  vertex_t size() const noexcept { return static_cast<vertex_t>(mark_.size()); }

  /// Runs one cascade drawing only from `rng`. Seed i posts unless seed_probs[i] says otherwise
  /// (one draw per seed, in seed order, before the cascade). visit(v, parent, step) is called
  /// for every activation in activation order (seeds first, parent no_vertex). Accounts
  /// activated at step max_steps are not expanded. Returns the edges examined: the out-degree
  /// of every expanded account. Seeds must be valid and distinct (checked by the caller).
  template <class Visit>
  std::uint64_t run(const FollowerGraph& g, const M& model, std::span<const vertex_t> seeds,
                    std::span<const prob_t> seed_probs, std::uint32_t max_steps, Rng& rng, Visit&& visit) {
    assert(size() == g.num_vertices());
    next_epoch();
    const std::uint32_t ep = epoch_;
    frontier_.clear();
    for (std::size_t i = 0; i < seeds.size(); ++i) {
      if (!seed_probs.empty() && !rng.bernoulli(seed_probs[i])) continue;
      const vertex_t s = seeds[i];
      mark_[s] = ep;
      frontier_.push_back(s);
      visit(s, no_vertex, std::uint32_t{0});
    }
    const edge_t* off = g.out_offsets().data();
    const vertex_t* tgt = g.out_targets().data();
    const prob_t* prob = g.edge_probs().data();
    std::uint64_t edges = 0;
    for (std::uint32_t step = 0; !frontier_.empty() && step < max_steps; ++step) {
      next_.clear();
      for (vertex_t u : frontier_) {
        const edge_t lo = off[u], hi = off[u + 1];
        edges += hi - lo;
        for (edge_t e = lo; e < hi; ++e) {
          const vertex_t v = tgt[e];
          if (mark_[v] == ep) continue;
          if (model.attempt(state(v), prob[e], rng)) {
            mark_[v] = ep;
            next_.push_back(v);
            visit(v, u, step + 1);
          }
        }
      }
      frontier_.swap(next_);
    }
    return edges;
  }

 private:
  void next_epoch() {
    if (++epoch_ == 0) {  // wrapped: clear the stamps once every 2^32 trials
      std::fill(mark_.begin(), mark_.end(), 0u);
      if constexpr (!stateless) std::fill(state_mark_.begin(), state_mark_.end(), 0u);
      epoch_ = 1;
    }
  }
  NodeState& state(vertex_t v) {
    if constexpr (stateless) {
      return dummy_;
    } else {
      if (state_mark_[v] != epoch_) {
        state_mark_[v] = epoch_;
        state_[v] = NodeState{};
      }
      return state_[v];
    }
  }

  std::vector<std::uint32_t> mark_;
  std::vector<std::uint32_t> state_mark_;
  std::vector<NodeState> state_;
  std::vector<vertex_t> frontier_, next_;
  std::uint32_t epoch_ = 0;
  [[no_unique_address]] NodeState dummy_{};
};

/// Per-world coins of the fused IC kernel. Edge e is live in world w of batch b iff
/// coin(b, e, w) < p(e) * 2^64, where coin is a counter-based hash of (seed, b, e, w): a
/// strong key per (seed, batch, domain), a key per edge, and a SplitMix64 stream over the 64
/// worlds (Steele, Lea, Flood, OOPSLA 2014; finaliser "mix13"). Each bit is therefore a fixed
/// function of (seed, batch, edge, world): an edge examined again, or for other worlds, draws
/// the same coins, every world is one fixed live-edge graph, and only the worlds still in
/// question are drawn (the kernel examines an edge for ~1.5 worlds on heavy-tailed graphs, where
/// cascades reach an account at very different steps in different worlds).
class WorldCoins {
 public:
  WorldCoins(std::uint64_t seed, std::uint64_t batch) noexcept
      : batch_key_(mix(mix(seed ^ 0x243F6A8885A308D3ull) ^ mix(batch * 0x9E3779B97F4A7C15ull + domain::trial))) {}

  static constexpr std::uint64_t mix(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Key of edge e (or of pseudo-edge m + i for seed i's posting coin) in this batch.
  std::uint64_t edge_key(std::uint64_t e) const noexcept { return mix(batch_key_ ^ (e * 0xD1B54A32D192ED03ull)); }
  /// 64 uniform bits of world w for an edge key.
  static std::uint64_t coin(std::uint64_t edge_key, unsigned w) noexcept {
    return mix(edge_key + (static_cast<std::uint64_t>(w) + 1) * 0x9E3779B97F4A7C15ull);
  }
  /// The coin threshold of probability p: P(coin < threshold) = p exactly for p >= 2^-40
  /// (a float's 24-bit mantissa then fits in 64 fractional bits). p >= 1 is handled by callers.
  static std::uint64_t threshold(prob_t p) noexcept {
    if (!(p > 0.0f)) return 0;
    return static_cast<std::uint64_t>(static_cast<double>(p) * 18446744073709551616.0);
  }
  /// The subset of `worlds` in which an edge with probability p is live.
  std::uint64_t live(std::uint64_t e, prob_t p, std::uint64_t worlds) const noexcept {
    if (p >= 1.0f) return worlds;
    const std::uint64_t thr = threshold(p);
    if (thr == 0) return 0;
    const std::uint64_t key = edge_key(e);
    std::uint64_t out = 0;
    for (std::uint64_t b = worlds; b; b &= b - 1) {
      const auto w = static_cast<unsigned>(std::countr_zero(b));
      out |= static_cast<std::uint64_t>(coin(key, w) < thr) << w;
    }
    return out;
  }

 private:
  std::uint64_t batch_key_;
};

/// What one batch of trials (up to 64) produced, in a form reduced in batch order.
struct BatchTally {
  std::uint64_t trials = 0;
  double mean = 0;  ///< mean (weighted) reach over the batch's trials
  double m2 = 0;    ///< sum of squared deviations from `mean`
  std::vector<double> new_per_step;  ///< summed (weighted) newly reached per step
  std::uint64_t edges = 0;

  void reset() {
    trials = 0;
    mean = m2 = 0;
    new_per_step.clear();
    edges = 0;
  }
  void add_step(std::uint32_t step, double amount) {
    if (new_per_step.size() <= step) new_per_step.resize(static_cast<std::size_t>(step) + 1, 0.0);
    new_per_step[step] += amount;
  }
  /// Sets trials/mean/m2 from per-trial reach values (two passes, fixed order).
  void set_reach(const double* reach, std::uint64_t count) {
    trials = count;
    double s = 0;
    for (std::uint64_t i = 0; i < count; ++i) s += reach[i];
    mean = count ? s / static_cast<double>(count) : 0.0;
    double d2 = 0;
    for (std::uint64_t i = 0; i < count; ++i) d2 += (reach[i] - mean) * (reach[i] - mean);
    m2 = d2;
  }
};

/// Sorts vertex ids ascending: LSD radix sort (11-bit digits, only as many passes as the largest
/// id needs) for long lists, std::sort for short ones.
inline void sort_vertices(std::vector<vertex_t>& a, std::vector<vertex_t>& buffer) {
  if (a.size() < 2048) {
    std::sort(a.begin(), a.end());
    return;
  }
  vertex_t hi = 0;
  for (vertex_t v : a) hi |= v;
  buffer.resize(a.size());
  vertex_t* src = a.data();
  vertex_t* dst = buffer.data();
  for (unsigned shift = 0; shift < 32 && (hi >> shift) != 0; shift += 11) {
    std::uint32_t count[2049] = {};
    for (std::size_t i = 0; i < a.size(); ++i) ++count[((src[i] >> shift) & 2047u) + 1];
    for (unsigned d = 0; d < 2048; ++d) count[d + 1] += count[d];
    for (std::size_t i = 0; i < a.size(); ++i) dst[count[(src[i] >> shift) & 2047u]++] = src[i];
    std::swap(src, dst);
  }
  if (src != a.data()) std::copy(src, src + a.size(), a.data());
}

/// Buffers of the fused IC kernel (one per thread). Per vertex, in one 16-byte slot (one cache
/// line): the worlds where it is active and the worlds where it becomes active next step.
/// The frontier holds (vertex, worlds newly active this step), sorted by vertex so that CSR rows
/// are read in address order.
struct FusedIcWorkspace {
  struct alignas(16) Slot {
    std::uint64_t visited = 0;
    std::uint64_t next = 0;
  };
  struct Entry {
    vertex_t v;
    std::uint64_t worlds;
  };
  std::vector<Slot> slots;
  std::vector<Entry> frontier;
  std::vector<vertex_t> next_frontier, touched, sort_buffer;

  explicit FusedIcWorkspace(vertex_t n) : slots(n) {}
};

/// Runs worlds 0 .. worlds-1 (worlds <= 64) of batch `batch` of the Independent Cascade
/// step-synchronously: edge e is live in world w iff WorldCoins(seed, batch).live(e, p, {w}), so
/// every world is one fixed live-edge graph. Seed i posts in the worlds where pseudo-edge m + i
/// with probability seed_probs[i] is live. Newly active (v, mask) at step t add weight(v) to each
/// world's reach and to step t; per_account[v] (if non-null) gains popcount(mask). Edges examined
/// count (world, out-edge) pairs of expanded accounts. A lookahead cursor runs `ahead` edges in
/// front of the scan (across rows) and prefetches the targets' slots.
inline void run_fused_ic_batch(const FollowerGraph& g, std::span<const vertex_t> seeds,
                               std::span<const prob_t> seed_probs, std::uint64_t seed, std::uint64_t batch,
                               unsigned worlds, std::uint32_t max_steps, std::span<const double> weights,
                               FusedIcWorkspace& ws, BatchTally& tally, std::uint64_t* per_account) {
  assert(worlds >= 1 && worlds <= 64);
  const WorldCoins coins(seed, batch);
  const std::uint64_t all = worlds == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << worlds) - 1;
  const edge_t m = g.num_edges();
  const edge_t* off = g.out_offsets().data();
  const vertex_t* tgt = g.out_targets().data();
  const prob_t* prob = g.edge_probs().data();
  const bool weighted = !weights.empty();
  FusedIcWorkspace::Slot* slot = ws.slots.data();
  double reach[64] = {};
  std::uint64_t counts[64] = {};
  std::vector<double>& steps = tally.new_per_step;
  steps.clear();

  auto activate = [&](vertex_t v, std::uint64_t nw, std::uint32_t step) {
    if (steps.size() <= step) steps.resize(static_cast<std::size_t>(step) + 1, 0.0);
    const int c = std::popcount(nw);
    if (per_account) per_account[v] += static_cast<std::uint64_t>(c);
    if (weighted) {
      const double w = weights[v];
      steps[step] += w * c;
      for (std::uint64_t b = nw; b; b &= b - 1) reach[std::countr_zero(b)] += w;
    } else {
      steps[step] += c;
      for (std::uint64_t b = nw; b; b &= b - 1) ++counts[std::countr_zero(b)];
    }
  };

  auto& frontier = ws.frontier;
  auto& next = ws.next_frontier;
  frontier.clear();
  ws.touched.clear();
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    const vertex_t s = seeds[i];
    const std::uint64_t posts = seed_probs.empty() ? all : coins.live(m + i, seed_probs[i], all);
    if (!posts) continue;
    slot[s].visited = posts;
    frontier.push_back({s, posts});
    ws.touched.push_back(s);
    activate(s, posts, 0);
  }
  std::sort(frontier.begin(), frontier.end(), [](const auto& a, const auto& b) { return a.v < b.v; });

  constexpr unsigned ahead = 12;
  std::uint64_t edges = 0;
  for (std::uint32_t step = 0; !frontier.empty() && step < max_steps; ++step) {
    next.clear();
    // Lookahead cursor over the flattened out-edges of the frontier.
    std::size_t ai = 0;
    edge_t ae = off[frontier[0].v], ahi = off[frontier[0].v + 1];
    auto advance = [&] {
      while (ae == ahi) {
        if (++ai >= frontier.size()) return;
        ae = off[frontier[ai].v];
        ahi = off[frontier[ai].v + 1];
      }
      __builtin_prefetch(slot + tgt[ae]);
      ++ae;
    };
    for (unsigned k = 0; k < ahead; ++k) advance();
    const std::size_t fn = frontier.size();
    for (std::size_t fi = 0; fi < fn; ++fi) {
      // Rows ahead: offsets 32 entries ahead, targets and probabilities 8 entries ahead.
      if (fi + 32 < fn) __builtin_prefetch(off + frontier[fi + 32].v);
      if (fi + 8 < fn) {
        const edge_t r = off[frontier[fi + 8].v];
        __builtin_prefetch(tgt + r);
        __builtin_prefetch(prob + r);
      }
      const vertex_t u = frontier[fi].v;
      const std::uint64_t fm = frontier[fi].worlds;
      const edge_t lo = off[u], hi = off[u + 1];
      edges += static_cast<std::uint64_t>(std::popcount(fm)) * (hi - lo);
      for (edge_t e = lo; e < hi; ++e) {
        advance();
        const vertex_t v = tgt[e];
        auto& sv = slot[v];
        const std::uint64_t cand = fm & ~sv.visited;
        if (!cand) continue;
        const std::uint64_t nw = coins.live(e, prob[e], cand);
        if (!nw) continue;
        if (!sv.next) next.push_back(v);
        sv.next |= nw;
        sv.visited |= nw;
        activate(v, nw, step + 1);
      }
    }
    sort_vertices(next, ws.sort_buffer);
    frontier.clear();
    for (vertex_t v : next) {
      frontier.push_back({v, slot[v].next});
      slot[v].next = 0;
      ws.touched.push_back(v);
    }
  }
  // Leave the workspace clean.
  for (vertex_t v : ws.touched) slot[v].visited = 0;

  if (!weighted)
    for (unsigned w = 0; w < worlds; ++w) reach[w] = static_cast<double>(counts[w]);
  tally.set_reach(reach, worlds);
  tally.edges = edges;
}

}  // namespace kolsim::detail

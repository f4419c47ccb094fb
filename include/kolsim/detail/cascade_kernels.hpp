// SPDX-License-Identifier: MIT
/// Cascade kernels behind simulate() and estimate_spread(): the generic step-synchronous driver
/// with reusable buffers, and the fused Independent Cascade kernel that runs 64 worlds at once.
#pragma once

#include <Random123/philox.h>

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

/// Random bits of one (seed, batch, edge) key: Philox4x32-10 with the user seed as key and
/// counter (edge, batch, tag | block). The tag sets the top counter bit, which the Rng streams
/// (whose top word counts blocks from 0) never reach, so the two never overlap.
class EdgeBitStream {
 public:
  EdgeBitStream(const r123::Philox4x32::key_type& key, std::uint32_t batch, std::uint64_t edge) noexcept
      : key_(key) {
    ctr_ = {{static_cast<std::uint32_t>(edge), static_cast<std::uint32_t>(edge >> 32), batch, tag}};
  }
  std::uint32_t next_u32() noexcept {
    if (pos_ == 4) {
      buf_ = r123::Philox4x32()(ctr_, key_);
      ++ctr_.v[3];
      pos_ = 0;
    }
    return buf_.v[pos_++];
  }
  std::uint64_t next_u64() noexcept {
    const std::uint64_t hi = next_u32();
    return (hi << 32) | next_u32();
  }
  static constexpr std::uint32_t tag = 0x80000000u | (domain::trial << 20);

 private:
  r123::Philox4x32::key_type key_;
  r123::Philox4x32::ctr_type ctr_;
  r123::Philox4x32::ctr_type buf_{};
  unsigned pos_ = 4;
};

inline r123::Philox4x32::key_type philox_key(std::uint64_t seed) noexcept {
  return {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
}

/// The 64-bit mask of worlds in which an edge with probability p is live in this batch: each bit
/// is an independent Bernoulli(p), and the mask is a fixed function of (seed, batch, edge).
/// Two exact samplers, chosen by expected cost: geometric skips over the 64 positions with
/// min(p, 1 - p) (about 64 min(p, 1-p) + 1 draws), or the binary expansion of the float p
/// (p = sum_j b_j 2^-j, L terms: mask = b_j ? mask | r : mask & r, from the lowest bit up).
inline std::uint64_t live_mask(const r123::Philox4x32::key_type& key, std::uint32_t batch, std::uint64_t edge,
                               prob_t p) noexcept {
  if (!(p > 0.0f)) return 0;
  if (p >= 1.0f) return ~std::uint64_t{0};
  EdgeBitStream bits(key, batch, edge);
  const std::uint32_t repr = std::bit_cast<std::uint32_t>(p);
  const int exponent = static_cast<int>(repr >> 23);
  const bool flip = p > 0.5f;
  const double q = flip ? 1.0 - static_cast<double>(p) : static_cast<double>(p);
  if (exponent > 0) {  // normal float: p = mant * 2^(exponent - 150)
    const std::uint32_t mant = (repr & 0x7FFFFFu) | 0x800000u;
    const int tz = std::countr_zero(mant);
    const int length = 150 - exponent - tz;  // number of binary digits after the point
    if (static_cast<double>(length) <= 0.75 * (64.0 * q + 1.0) + 1.0) {
      const std::uint32_t digits = mant >> tz;  // p = digits * 2^-length, lowest digit is 1
      std::uint64_t mask = bits.next_u64();
      for (int i = 1; i < length; ++i) {
        const std::uint64_t r = bits.next_u64();
        mask = ((digits >> i) & 1u) ? (mask | r) : (mask & r);
      }
      return mask;
    }
  }
  const double inv_log1mq = 1.0 / std::log1p(-q);
  std::uint64_t mask = 0;
  int pos = -1;
  for (;;) {
    const double u = (static_cast<double>(bits.next_u32()) + 0.5) * 0x1.0p-32;  // (0, 1)
    const double skip = std::floor(std::log(u) * inv_log1mq);
    if (skip >= 64.0) break;
    pos += static_cast<int>(skip) + 1;
    if (pos >= 64) break;
    mask |= std::uint64_t{1} << pos;
  }
  return flip ? ~mask : mask;
}

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

/// Buffers of the fused IC kernel (one per thread): per vertex the worlds where it is active,
/// the worlds where it became active this step and next step; frontier lists.
struct FusedIcWorkspace {
  std::vector<std::uint64_t> visited, current, next;
  std::vector<vertex_t> frontier, next_frontier, touched;

  explicit FusedIcWorkspace(vertex_t n) : visited(n, 0), current(n, 0), next(n, 0) {}
};

/// Runs worlds 0 .. worlds-1 (worlds <= 64) of batch `batch` of the Independent Cascade
/// step-synchronously: edge e is live in world w iff bit w of live_mask(seed, batch, e), so every
/// world is one fixed live-edge graph and an edge examined again draws the same mask. Seed i
/// posts in the worlds of live_mask(seed, batch, m + i, seed_probs[i]). Newly active (v, mask)
/// at step t add weight(v) to each world's reach and to step t; per_account[v] (if non-null)
/// gains popcount(mask). Edges examined count (world, out-edge) pairs of expanded accounts.
inline void run_fused_ic_batch(const FollowerGraph& g, std::span<const vertex_t> seeds,
                               std::span<const prob_t> seed_probs, std::uint64_t seed, std::uint32_t batch,
                               unsigned worlds, std::uint32_t max_steps, std::span<const double> weights,
                               FusedIcWorkspace& ws, BatchTally& tally, std::uint64_t* per_account) {
  assert(worlds >= 1 && worlds <= 64);
  const auto key = philox_key(seed);
  const std::uint64_t all = worlds == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << worlds) - 1;
  const edge_t m = g.num_edges();
  const edge_t* off = g.out_offsets().data();
  const vertex_t* tgt = g.out_targets().data();
  const prob_t* prob = g.edge_probs().data();
  const bool weighted = !weights.empty();
  std::uint64_t* visited = ws.visited.data();
  std::uint64_t* cur = ws.current.data();
  std::uint64_t* nxt = ws.next.data();
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

  ws.frontier.clear();
  ws.touched.clear();
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    const vertex_t s = seeds[i];
    const std::uint64_t posts = seed_probs.empty() ? all : live_mask(key, batch, m + i, seed_probs[i]) & all;
    if (!posts) continue;
    visited[s] = posts;
    cur[s] = posts;
    ws.frontier.push_back(s);
    ws.touched.push_back(s);
    activate(s, posts, 0);
  }

  std::uint64_t edges = 0;
  for (std::uint32_t step = 0; !ws.frontier.empty() && step < max_steps; ++step) {
    ws.next_frontier.clear();
    for (vertex_t u : ws.frontier) {
      const std::uint64_t fm = cur[u];
      cur[u] = 0;
      const edge_t lo = off[u], hi = off[u + 1];
      edges += static_cast<std::uint64_t>(std::popcount(fm)) * (hi - lo);
      for (edge_t e = lo; e < hi; ++e) {
        if (e + 16 < hi) __builtin_prefetch(visited + tgt[e + 16]);
        const vertex_t v = tgt[e];
        const std::uint64_t cand = fm & ~visited[v];
        if (!cand) continue;
        const std::uint64_t nw = cand & live_mask(key, batch, e, prob[e]);
        if (!nw) continue;
        if (!nxt[v]) {
          ws.next_frontier.push_back(v);
          ws.touched.push_back(v);
        }
        nxt[v] |= nw;
        visited[v] |= nw;
        activate(v, nw, step + 1);
      }
    }
    ws.frontier.swap(ws.next_frontier);
    std::swap(cur, nxt);
  }
  // Leave the workspace clean: only the last frontier's marks (in `cur`) and visited remain.
  for (vertex_t v : ws.frontier) cur[v] = 0;
  for (vertex_t v : ws.touched) visited[v] = 0;

  if (!weighted)
    for (unsigned w = 0; w < worlds; ++w) reach[w] = static_cast<double>(counts[w]);
  tally.set_reach(reach, worlds);
  tally.edges = edges;
}

}  // namespace kolsim::detail

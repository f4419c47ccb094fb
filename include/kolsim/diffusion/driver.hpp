// SPDX-License-Identifier: MIT
/// The generic cascade driver every diffusion model runs on: step-synchronous frontiers,
/// epoch-stamped visited marks and the model's per-node states, reused across trials; and the
/// seed checks shared by simulate(), estimate_spread() and the predictors.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <span>
#include <type_traits>
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

/// The step-synchronous frontier search every forward driver runs (generic, triggering,
/// complex contagion): epoch-stamped visited marks (no O(n) clearing per cascade) and two
/// frontiers, reused across cascades; the model's activation rule is a policy. One per thread.
class FrontierSearch {
 public:
  FrontierSearch() = default;
  explicit FrontierSearch(vertex_t n) { resize(n); }

  void resize(vertex_t n) {
    mark_.assign(n, 0);
    epoch_ = 0;
  }
  vertex_t size() const noexcept { return static_cast<vertex_t>(mark_.size()); }

  /// Starts a cascade and returns its epoch (never 0). When the epoch wraps (every 2^32
  /// cascades) the visited marks are cleared and clear() is called, so that the caller clears
  /// the stamps it keeps per account with the same epochs.
  template <class Clear>
  std::uint32_t begin(Clear&& clear) {
    if (++epoch_ == 0) {
      std::fill(mark_.begin(), mark_.end(), 0u);
      clear();
      epoch_ = 1;
    }
    return epoch_;
  }

  /// Runs the cascade begun by begin(). Seed i posts when posts(i) (called once per seed, in
  /// seed order, before the cascade; a seed listed twice posts once). Then, step by step, every
  /// account u of the frontier examines its out-edges e = (u, v) in CSR order, and an unvisited
  /// v activates at step + 1 when activate(u, e, v). visit(v, parent, step) is called for every
  /// activation in activation order (seeds first, parent no_vertex). Accounts activated at step
  /// max_steps are not expanded. Returns the edges examined: the out-degree of every expanded
  /// account.
  template <class Posts, class Activate, class Visit>
  std::uint64_t run(const FollowerGraph& g, std::span<const vertex_t> seeds, std::uint32_t max_steps, Posts&& posts,
                    Activate&& activate, Visit&& visit) {
    assert(size() == g.num_vertices() && epoch_ != 0);
    const std::uint32_t ep = epoch_;
    frontier_.clear();
    for (std::size_t i = 0; i < seeds.size(); ++i) {
      if (!posts(i)) continue;
      const vertex_t s = seeds[i];
      if (mark_[s] == ep) continue;
      mark_[s] = ep;
      frontier_.push_back(s);
      visit(s, no_vertex, std::uint32_t{0});
    }
    const edge_t* off = g.out_offsets().data();
    const vertex_t* tgt = g.out_targets().data();
    std::uint64_t edges = 0;
    for (std::uint32_t step = 0; !frontier_.empty() && step < max_steps; ++step) {
      next_.clear();
      for (vertex_t u : frontier_) {
        const edge_t lo = off[u], hi = off[u + 1];
        edges += hi - lo;
        for (edge_t e = lo; e < hi; ++e) {
          const vertex_t v = tgt[e];
          if (mark_[v] == ep) continue;
          if (activate(u, e, v)) {
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
  std::vector<std::uint32_t> mark_;
  std::vector<vertex_t> frontier_, next_;
  std::uint32_t epoch_ = 0;
};

/// Posting rule of the seeds: seed i posts with seed_probs[i] (one draw from `rng` per seed,
/// in seed order), or always when seed_probs is empty.
inline auto seed_posting(std::span<const prob_t> seed_probs, Rng& rng) {
  return [seed_probs, &rng](std::size_t i) { return seed_probs.empty() || rng.bernoulli(seed_probs[i]); };
}

/// Buffers of the generic cascade driver for one model, reused across trials: the frontier
/// search and the model's per-node states (epoch-stamped, reset when first touched in a trial).
/// One workspace per thread.
template <DiffusionModel M>
class CascadeWorkspace {
 public:
  using NodeState = typename M::NodeState;
  static constexpr bool stateless = std::is_empty_v<NodeState>;

  CascadeWorkspace() = default;
  explicit CascadeWorkspace(vertex_t n) { resize(n); }

  void resize(vertex_t n) {
    search_.resize(n);
    if constexpr (!stateless) {
      state_mark_.assign(n, 0);
      state_.assign(n, NodeState{});
    }
  }
  vertex_t size() const noexcept { return search_.size(); }

  /// Runs one cascade drawing only from `rng`. Seed i posts unless seed_probs[i] says otherwise
  /// (one draw per seed, in seed order, before the cascade). visit(v, parent, step) is called
  /// for every activation in activation order (seeds first, parent no_vertex). Accounts
  /// activated at step max_steps are not expanded. Returns the edges examined: the out-degree
  /// of every expanded account. Seeds must be valid and distinct (checked by the caller).
  template <class Visit>
  std::uint64_t run(const FollowerGraph& g, const M& model, std::span<const vertex_t> seeds,
                    std::span<const prob_t> seed_probs, std::uint32_t max_steps, Rng& rng, Visit&& visit) {
    assert(size() == g.num_vertices());
    epoch_ = search_.begin([&] {
      if constexpr (!stateless) std::fill(state_mark_.begin(), state_mark_.end(), 0u);
    });
    // Implicit probabilities (weighted cascade on large graphs, constant) are read edge by edge
    // from the graph: the same floats, without building the 4-bytes-per-edge array.
    const prob_t* prob = streamed_out_probabilities(g);
    return search_.run(
        g, seeds, max_steps, seed_posting(seed_probs, rng),
        [&](vertex_t, edge_t e, vertex_t v) {
          return model.attempt(state(v), prob ? prob[e] : g.out_edge_prob(e, v), rng);
        },
        visit);
  }

 private:
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

  FrontierSearch search_;
  std::vector<std::uint32_t> state_mark_;
  std::vector<NodeState> state_;
  std::uint32_t epoch_ = 0;
  [[no_unique_address]] NodeState dummy_{};
};

}  // namespace kolsim::detail

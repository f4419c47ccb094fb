// SPDX-License-Identifier: MIT
/// What a diffusion model must provide (a C++20 concept) and the two classic models,
/// Independent Cascade and Linear Threshold (Kempe, Kleinberg, Tardos, KDD 2003).
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

namespace detail {

/// Sum of a row of edge values in double, in four interleaved partial sums (a single running
/// sum is one long chain of dependent adds: on 10M-edge graphs the model checks and the RR
/// sampler's plan spent most of their time waiting on it).
template <class Row>
double row_sum_t(const Row& w) noexcept {
  double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
  std::size_t i = 0;
  for (; i + 4 <= w.size(); i += 4) {
    a0 += w[i];
    a1 += w[i + 1];
    a2 += w[i + 2];
    a3 += w[i + 3];
  }
  for (; i < w.size(); ++i) a0 += w[i];
  return (a0 + a1) + (a2 + a3);
}
inline double row_sum(std::span<const prob_t> w) noexcept { return row_sum_t(w); }
/// As above for a row of any storage (the same additions in the same order, so the same bits).
inline double row_sum(const ProbRow& w) noexcept {
  return w.data() ? row_sum_t(std::span<const prob_t>(w.data(), w.size())) : row_sum_t(w);
}

/// Bounds [lo, hi) of block b of `block` consecutive accounts among n, in 64-bit arithmetic
/// (lo + block in 32 bits wraps near 2^32 accounts and would skip the last block).
inline std::pair<vertex_t, vertex_t> block_bounds(std::size_t b, std::uint64_t block, vertex_t n) noexcept {
  const std::uint64_t lo = std::min<std::uint64_t>(n, static_cast<std::uint64_t>(b) * block);
  const std::uint64_t hi = std::min<std::uint64_t>(n, lo + block);
  return {static_cast<vertex_t>(lo), static_cast<vertex_t>(hi)};
}

/// Number of blocks of `block` accounts covering n accounts.
inline std::size_t block_count(vertex_t n, std::uint64_t block) noexcept {
  return static_cast<std::size_t>((static_cast<std::uint64_t>(n) + block - 1) / block);
}

}  // namespace detail

/// A diffusion model is a small value type with one local rule. When an account u becomes
/// active, the driver offers each follower v (not yet active) one `attempt` with the edge's
/// probability/weight w; the model decides from v's per-trial `NodeState` and the trial's
/// random stream whether v becomes active in the next step. `validate(g)` checks that a graph's
/// edge values suit the model (throws std::invalid_argument naming the offending account);
/// models start no threads of their own: `validate(g, threads)` uses the caller's resolved
/// thread count (default 1).
template <class M>
concept DiffusionModel = std::copy_constructible<M> && std::default_initializable<typename M::NodeState> &&
                         requires(const M& m, typename M::NodeState& s, prob_t w, Rng& rng, const FollowerGraph& g) {
                           { m.attempt(s, w, rng) } -> std::same_as<bool>;
                           { m.validate(g) };
                           { M::name } -> std::convertible_to<std::string_view>;
                         };

/// Independent Cascade: each newly active u gets one chance to activate each follower v,
/// succeeding with probability p(u, v), independently of everything else.
struct IndependentCascade {
  struct NodeState {};
  static constexpr std::string_view name = "independent_cascade";

  bool attempt(NodeState&, prob_t p, Rng& rng) const { return rng.bernoulli(p); }
  void validate(const FollowerGraph& g, int threads = 1) const {
    (void)threads;
    g.require_probabilities("IndependentCascade");
  }
};

/// Linear Threshold: v draws a threshold uniformly from (0, 1] once per trial and becomes
/// active when the summed weight w(u, v) of its active in-neighbours reaches it. Requires
/// sum_u w(u, v) <= 1 for every v (checked by validate, with tolerance `weight_tolerance`).
struct LinearThreshold {
  struct NodeState {
    float weight = 0.0f;
    float threshold = -1.0f;  // drawn on first attempt
  };
  static constexpr std::string_view name = "linear_threshold";
  static constexpr double weight_tolerance = 1e-4;

  bool attempt(NodeState& s, prob_t w, Rng& rng) const {
    if (s.threshold < 0.0f) s.threshold = 1.0f - rng.uniform_float();
    s.weight += w;
    return s.weight >= s.threshold;
  }
  /// Parallel over blocks of accounts on `threads` (already resolved by the caller; the model
  /// starts no threads of its own); the error names the lowest offending account.
  void validate(const FollowerGraph& g, int threads = 1) const {
    g.require_probabilities("LinearThreshold");
    const vertex_t n = g.num_vertices();
    constexpr std::uint64_t block = 1 << 15;
    std::atomic<vertex_t> bad{n};
    parallel_for(0, detail::block_count(n, block), threads, [&](std::size_t b) {
      const auto [lo, hi] = detail::block_bounds(b, block, n);
      for (vertex_t v = lo; v < hi; ++v) {
        if (detail::row_sum(g.in_probs(v)) > 1.0 + weight_tolerance) {
          vertex_t seen = bad.load(std::memory_order_relaxed);
          while (v < seen && !bad.compare_exchange_weak(seen, v, std::memory_order_relaxed)) {
          }
          return;
        }
      }
    }, 1);
    const vertex_t v = bad.load();
    KOLSIM_REQUIRE(v == n, "LinearThreshold: in-weights of account ", g.account(v), " sum to ",
                   detail::row_sum(g.in_probs(v)), " > 1; normalise them (lt_normalise) or use weighted_cascade");
  }
};

/// Validates g for `model` on the caller's `threads` when the model takes a thread count
/// (IndependentCascade and LinearThreshold do), else with validate(g).
template <DiffusionModel M>
void validate_model(const M& model, const FollowerGraph& g, int threads) {
  if constexpr (requires { model.validate(g, threads); }) model.validate(g, threads);
  else model.validate(g);
}

static_assert(DiffusionModel<IndependentCascade>);
static_assert(DiffusionModel<LinearThreshold>);

}  // namespace kolsim

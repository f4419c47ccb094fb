// SPDX-License-Identifier: MIT
/// Standard edge-probability schemes (IC probabilities and LT weights): each returns a new
/// FollowerGraph that shares the topology of its input and carries the new probabilities.
///
/// An edge u -> v means "v follows u"; p(u, v) is the chance that u's post activates v (IC) or
/// u's weight in v's threshold (LT). Random schemes cut the out-edge array into blocks of
/// 2^14 edges; block b draws only from Rng(seed, b, domain::probability), so any thread count
/// gives the same probabilities. All schemes run in O(n + m).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

namespace detail {

/// Edges per random block of the probability schemes.
inline constexpr edge_t probability_block = edge_t{1} << 14;

/// Fills one value per out-edge, block b of edges drawing from Rng(seed, b, domain::probability).
template <class Draw>
std::vector<prob_t> draw_edge_values(edge_t m, std::uint64_t seed, int threads, Draw&& draw) {
  std::vector<prob_t> p(m);
  const edge_t blocks = (m + probability_block - 1) / probability_block;
  parallel_for(0, blocks, resolve_threads(threads), [&](std::size_t b) {
    Rng rng(seed, b, domain::probability);
    const edge_t lo = b * probability_block, hi = std::min(m, lo + probability_block);
    for (edge_t e = lo; e < hi; ++e) p[e] = draw(rng);
  }, 1, 4);
  return p;
}

/// Scales each account's in-weights: account v with in-sum s > 0 gets factor `factor(s)`
/// (1 = unchanged). Values are rounded down where needed so a scaled row never sums above 1.
template <class Factor>
FollowerGraph scale_in_weights(const FollowerGraph& g, std::vector<prob_t> out, Factor&& factor) {
  const vertex_t n = g.num_vertices();
  const auto offs = g.out_offsets();
  const auto tgt = g.out_targets();
  std::vector<double> sum(n, 0.0);
  for (edge_t e = 0; e < out.size(); ++e) sum[tgt[e]] += out[e];
  std::vector<double> scale(n, 1.0);
  for (vertex_t v = 0; v < n; ++v)
    if (sum[v] > 0.0) scale[v] = factor(sum[v]);
  for (edge_t e = 0; e < out.size(); ++e)
    if (scale[tgt[e]] != 1.0) out[e] = static_cast<prob_t>(out[e] * scale[tgt[e]]);
  // Float rounding can leave a row a hair above 1: nudge that row down one ulp at a time.
  std::fill(sum.begin(), sum.end(), 0.0);
  for (edge_t e = 0; e < out.size(); ++e) sum[tgt[e]] += out[e];
  std::vector<char> over(n, 0);
  bool any = false;
  for (vertex_t v = 0; v < n; ++v)
    if (scale[v] != 1.0 && sum[v] > 1.0) over[v] = 1, any = true;
  while (any) {
    for (vertex_t u = 0; u < n; ++u)
      for (edge_t e = offs[u]; e < offs[u + 1]; ++e)
        if (over[tgt[e]]) out[e] = std::nextafter(out[e], 0.0f);
    std::fill(sum.begin(), sum.end(), 0.0);
    for (edge_t e = 0; e < out.size(); ++e) sum[tgt[e]] += out[e];
    any = false;
    for (vertex_t v = 0; v < n; ++v) {
      over[v] = over[v] && sum[v] > 1.0;
      any = any || over[v];
    }
  }
  for (auto& x : out) x = std::min(std::max(x, 0.0f), 1.0f);
  return g.with_probabilities(std::move(out));
}

}  // namespace detail

/// Every edge gets probability p, stored implicitly (ProbabilityKind::constant: no bytes per
/// edge; with_explicit_probabilities() gives the per-edge arrays). Invalid: p outside [0, 1].
inline FollowerGraph constant_probability(const FollowerGraph& g, prob_t p) {
  KOLSIM_REQUIRE(p >= 0.0f && p <= 1.0f, "constant_probability: p must be in [0, 1], got ", p);
  return g.with_implicit_probabilities(ProbabilityKind::constant, p);
}

/// Weighted cascade (Kempe, Kleinberg, Tardos, KDD 2003): p(u, v) = 1 / indeg(v) as
/// weighted_cascade_probability() computes it, counting parallel edges, so the in-probabilities
/// of every account with followees sum to 1 (accounts with in-degree 0 have no in-edges and
/// shift nothing, unlike OPIM 1.1's formatter). Stored implicitly (ProbabilityKind::
/// weighted_cascade: computed from the in-offsets, no bytes per edge); every reader sees the
/// values an explicit array would hold, bit for bit (with_explicit_probabilities() builds it).
inline FollowerGraph weighted_cascade(const FollowerGraph& g) {
  return g.with_implicit_probabilities(ProbabilityKind::weighted_cascade);
}

/// Trivalency (Chen, Wang, Wang, KDD 2010): each edge independently and uniformly one of
/// `values` (default {0.1, 0.01, 0.001}). Invalid: a value outside [0, 1].
inline FollowerGraph trivalency(const FollowerGraph& g, std::uint64_t seed,
                                std::array<prob_t, 3> values = {0.1f, 0.01f, 0.001f}, int threads = 0) {
  for (prob_t x : values) KOLSIM_REQUIRE(x >= 0.0f && x <= 1.0f, "trivalency: values must be in [0, 1], got ", x);
  return g.with_probabilities(
      detail::draw_edge_values(g.num_edges(), seed, threads, [&](Rng& rng) { return values[rng.below(3)]; }));
}

/// Each edge independently uniform in [low, high]. Invalid: low > high, bounds outside [0, 1].
inline FollowerGraph uniform_probability(const FollowerGraph& g, prob_t low, prob_t high, std::uint64_t seed,
                                         int threads = 0) {
  KOLSIM_REQUIRE(low >= 0.0f && high <= 1.0f && low <= high,
                 "uniform_probability: need 0 <= low <= high <= 1, got low = ", low, ", high = ", high);
  return g.with_probabilities(detail::draw_edge_values(g.num_edges(), seed, threads, [&](Rng& rng) {
    return std::min(high, low + (high - low) * rng.uniform_float());
  }));
}

/// Linear-threshold normalisation: scales each account's in-weights to sum to 1 (with
/// only_above_one, only accounts whose in-weights sum above 1, leaving valid rows untouched).
/// Accounts whose in-weights sum to 0 are left as they are. Requires probabilities.
inline FollowerGraph lt_normalise(const FollowerGraph& g, bool only_above_one = true) {
  g.require_probabilities("lt_normalise");
  const auto p = g.edge_probs();
  return detail::scale_in_weights(g, std::vector<prob_t>(p.begin(), p.end()), [&](double s) {
    return (only_above_one && s <= 1.0) ? 1.0 : 1.0 / s;
  });
}

/// Random LT weights (as in Chen, Yuan, Zhang, ICDM 2010's "random" setting): each edge draws a
/// uniform weight in (0, 1], then each account's in-weights are normalised to sum to 1. Edge
/// blocks draw from Rng(seed, b, domain::probability), so the result does not depend on threads.
inline FollowerGraph random_lt_weights(const FollowerGraph& g, std::uint64_t seed, int threads = 0) {
  auto w = detail::draw_edge_values(g.num_edges(), seed, threads,
                                    [](Rng& rng) { return 1.0f - rng.uniform_float(); });
  return detail::scale_in_weights(g, std::move(w), [](double s) { return 1.0 / s; });
}

}  // namespace kolsim

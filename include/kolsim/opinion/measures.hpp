// SPDX-License-Identifier: MIT
/// Summary measures of an opinion vector on a follower graph: mean opinion, polarisation,
/// disagreement and the polarisation-disagreement index (Musco, Musco, Tsourakakis, WWW 2018).
#pragma once

#include <cmath>
#include <cstddef>
#include <span>

#include "kolsim/core/error.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// The measures of one opinion vector x (one value per account, graph order).
struct OpinionSummary {
  double mean = 0.0;          ///< (1/n) sum_i x_i (0 for the empty graph)
  double polarisation = 0.0;  ///< sum_i (x_i - mean)^2
  double disagreement = 0.0;  ///< sum over edges u -> v of w(u, v) (x_u - x_v)^2
  /// Polarisation-disagreement index P + D (Musco et al. 2018).
  double index() const noexcept { return polarisation + disagreement; }
};

namespace detail {
inline void require_opinions(std::span<const double> x, std::size_t n, const char* who, const char* what) {
  KOLSIM_REQUIRE(x.size() == n, who, ": ", what, " must have one value per account (", n, "), got ", x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    KOLSIM_REQUIRE(std::isfinite(x[i]), who, ": ", what, "[", i, "] is not finite (", x[i], ")");
}
}  // namespace detail

/// Mean opinion (1/n) sum_i x_i; 0 for an empty vector. Throws on non-finite values.
inline double mean_opinion(std::span<const double> x) {
  detail::require_opinions(x, x.size(), "mean_opinion", "opinions");
  if (x.empty()) return 0.0;
  double s = 0.0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

/// Polarisation sum_i (x_i - mean)^2 (Musco et al. 2018, with mean-centred opinions). O(n).
inline double polarisation(std::span<const double> x) {
  const double mu = mean_opinion(x);
  double p = 0.0;
  for (double v : x) p += (v - mu) * (v - mu);
  return p;
}

/// Disagreement sum over follower edges u -> v of w(u, v) (x_u - x_v)^2, where w is the edge
/// probability when assigned and `use_edge_weights`, else 1. Each directed edge counts once (a
/// graph built with undirected = true counts each pair twice). O(m). Throws when x.size() != n.
inline double disagreement(const FollowerGraph& g, std::span<const double> x, bool use_edge_weights = true) {
  const vertex_t n = g.num_vertices();
  detail::require_opinions(x, n, "disagreement", "opinions");
  const auto off = g.out_offsets();
  const auto tgt = g.out_targets();
  const OutEdgeProbs p(g);  // any storage: an implicit graph is not materialised
  const bool weighted = use_edge_weights && g.has_probabilities();
  double d = 0.0;
  for (vertex_t u = 0; u < n; ++u) {
    for (edge_t e = off[u]; e < off[u + 1]; ++e) {
      const double diff = x[u] - x[tgt[e]];
      d += (weighted ? static_cast<double>(p(e, tgt[e])) : 1.0) * diff * diff;
    }
  }
  return d;
}

/// Polarisation + disagreement (the Musco et al. polarisation-disagreement index). O(n + m).
inline double polarisation_disagreement_index(const FollowerGraph& g, std::span<const double> x,
                                              bool use_edge_weights = true) {
  return polarisation(x) + disagreement(g, x, use_edge_weights);
}

/// All measures at once. O(n + m).
inline OpinionSummary summarise_opinions(const FollowerGraph& g, std::span<const double> x,
                                         bool use_edge_weights = true) {
  OpinionSummary s;
  s.disagreement = disagreement(g, x, use_edge_weights);
  s.mean = mean_opinion(x);
  s.polarisation = polarisation(x);
  return s;
}

}  // namespace kolsim

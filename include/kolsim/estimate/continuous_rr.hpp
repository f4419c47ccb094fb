// SPDX-License-Identifier: MIT
/// Time-critical influence maximisation in continuous time: the continuous-time IC
/// (diffusion/continuous.hpp, without fading novelty) as a model for IMM and OPIM-C, through an
/// RR sampler whose reverse search keeps only accounts whose shortest total delay to the root is
/// within the horizon T. imm()/opim_c() then select the k accounts maximising the expected number
/// reached within T seconds (Chen, Lu, Zhang, AAAI 2012, time-critical IM; Gomez-Rodriguez and
/// Schoelkopf, ICML 2012, InfluMax for continuous time).
///
/// Why it is exact: in a trial of the continuous-time IC every edge u -> v is live with p(u, v)
/// and carries an independent delay, and v is reached by T iff the shortest live path from a
/// seed to v has total delay <= T. Drawing the same coins and delays backwards from a root r and
/// running Dijkstra on the reversed live edges gives the set of accounts whose shortest delay to
/// r is <= T, so Pr[S hits an RR set] = Pr[r reached by T from S] and n Pr[S hits RR] is the
/// expected reach by T (Borgs et al. 2014 with the time-critical live-edge world).
///
/// Fading novelty (NoveltyDecay) is NOT supported: with it an edge's success depends on the
/// absolute arrival time at its tail, which a reverse search from the root does not know.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <queue>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/diffusion/triggering.hpp"
#include "kolsim/estimate/rr_sets.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

namespace detail {
template <class>
inline constexpr bool continuous_false = false;
}  // namespace detail

/// Continuous-time IC for time-critical selection: edge u -> v is live with the graph's p(u, v)
/// and then delays the message by an exponential with rate `rate[e]` per second (out-edge order,
/// as NetRateResult::rate and ContinuousOptions::rate; empty = `default_rate` everywhere), or,
/// when `delay_samples` is non-empty, by a delay drawn uniformly from those seconds. Only
/// accounts reached within `horizon` seconds count. horizon = infinity is plain IC.
struct ContinuousIC {
  double horizon = std::numeric_limits<double>::infinity();  ///< seconds, >= 0
  std::vector<double> rate;
  double default_rate = 1.0 / 3600.0;
  std::vector<double> delay_samples;

  struct NodeState {};
  static constexpr std::string_view name = "continuous_ic";

  /// Not a per-step model: use imm / opim_c with this header, or continuous_reach() to simulate.
  template <class R>
  bool attempt(NodeState&, prob_t, R&) const {
    static_assert(detail::continuous_false<R>,
                  "ContinuousIC has no per-step attempt: use imm / opim_c (estimate/continuous_rr.hpp) or "
                  "continuous_reach (diffusion/continuous.hpp)");
    return false;
  }

  /// Checks the graph's probabilities, the horizon, the rates (one per edge, finite, >= 0; a zero
  /// rate never delivers) and the delay samples (finite, >= 0).
  void validate(const FollowerGraph& g, int threads = 1) const {
    (void)threads;
    g.require_probabilities("ContinuousIC");
    KOLSIM_REQUIRE(horizon >= 0 && !std::isnan(horizon), "ContinuousIC: horizon must be >= 0 seconds, got ", horizon);
    KOLSIM_REQUIRE(rate.empty() || rate.size() == g.num_edges(), "ContinuousIC: ", rate.size(), " rates for ",
                   g.num_edges(), " edges");
    for (double r : rate) KOLSIM_REQUIRE(r >= 0 && std::isfinite(r), "ContinuousIC: rates must be finite and >= 0, got ", r);
    KOLSIM_REQUIRE(default_rate > 0 && std::isfinite(default_rate), "ContinuousIC: default_rate must be > 0, got ",
                   default_rate);
    for (double d : delay_samples)
      KOLSIM_REQUIRE(d >= 0 && std::isfinite(d), "ContinuousIC: delay samples must be finite and >= 0, got ", d);
  }
};

namespace detail {
/// Per-lane buffers of RRSampler<ContinuousIC>.
struct ContinuousRRScratch {
  std::vector<double> dist;
  std::vector<char> done;
  std::vector<vertex_t> touched, nodes;
  using Item = std::pair<double, vertex_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
};
}  // namespace detail

/// RR sets of the continuous-time IC within a horizon: from a root (uniform or by root weight),
/// a reverse Dijkstra in which each account w, when its shortest delay d(w) to the root is
/// final, draws for each in-edge u -> w its coin (p) and, if live, its delay; u enters with
/// d(w) + delay if that is <= horizon. Each edge is drawn at most once per set. RR set i draws
/// only from Rng(seed, i, domain), so collections are identical for any thread count.
/// max_depth (propagation steps) must stay unlimited: the deadline is the horizon.
template <>
class RRSampler<ContinuousIC> : public detail::OneByOneRRSampler<RRSampler<ContinuousIC>, detail::ContinuousRRScratch> {
 public:
  RRSampler(const FollowerGraph& g, const ContinuousIC& model, std::uint32_t max_depth = UINT32_MAX,
            std::span<const double> root_weights = {}, int threads = 0)
      : horizon_(model.horizon), delays_(model.delay_samples) {
    (void)threads;
    model.validate(g);
    KOLSIM_REQUIRE(max_depth == UINT32_MAX, "RR sampling: ContinuousIC takes its deadline as horizon (seconds), "
                   "not max_depth");
    init_roots(g, root_weights);
    // Rates in in-edge order (the reverse search walks in-edges).
    const edge_t m = g.num_edges();
    in_rate_.assign(m, model.default_rate);
    if (!model.rate.empty()) {
      const auto map = detail::out_to_in_positions(g);
      for (edge_t e = 0; e < m; ++e) in_rate_[map[e]] = model.rate[e];
    }
  }
  std::size_t bytes() const noexcept { return OneByOneRRSampler::bytes() + in_rate_.capacity() * sizeof(double); }

 private:
  using Scratch = detail::ContinuousRRScratch;
  friend class detail::OneByOneRRSampler<RRSampler, Scratch>;

  void draw(std::uint64_t seed, std::uint32_t domain, std::uint64_t index, RRCollection& out, Scratch& s) const {
    const FollowerGraph& g = graph();
    const vertex_t n = g.num_vertices();
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (s.dist.size() != n) {
      s.dist.assign(n, inf);
      s.done.assign(n, 0);
    }
    for (vertex_t v : s.touched) {
      s.dist[v] = inf;
      s.done[v] = 0;
    }
    s.touched.clear();
    s.nodes.clear();
    Rng rng(seed, index, domain);
    const vertex_t root = draw_root(rng);
    const auto in_off = g.in_offsets();
    const vertex_t* in_src = g.in_sources().data();
    const InEdgeProbs in_p(g);  // any storage: an implicit graph is not materialised
    s.dist[root] = 0;
    s.touched.push_back(root);
    s.heap.emplace(0.0, root);
    while (!s.heap.empty()) {
      const auto [dw, w] = s.heap.top();
      s.heap.pop();
      if (s.done[w] || dw > s.dist[w]) continue;
      s.done[w] = 1;
      s.nodes.push_back(w);  // Dijkstra order: root first, then by delay to the root
      for (edge_t j = in_off[w]; j < in_off[w + 1]; ++j) {
        const vertex_t u = in_src[j];
        if (s.done[u]) continue;
        const prob_t p = in_p(j, w);
        if (p <= 0 || !rng.bernoulli(p)) continue;
        const double d = delays_.empty() ? -std::log(1.0 - rng.uniform()) / in_rate_[j]  // rate 0: +inf
                                         : delays_[rng.next_u64() % delays_.size()];
        const double du = dw + d;
        if (!std::isfinite(du) || !(du <= horizon_) || !(du < s.dist[u])) continue;
        if (s.dist[u] == inf) s.touched.push_back(u);
        s.dist[u] = du;
        s.heap.emplace(du, u);
      }
    }
    out.push_set(s.nodes);
  }

  double horizon_;
  std::vector<double> delays_;
  std::vector<double> in_rate_;
};

}  // namespace kolsim

// SPDX-License-Identifier: MIT
/// Exact expected spread on tiny graphs by enumerating every live-edge world: the ground truth
/// that Monte Carlo, RR-set and selection tests compare against.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// Options of exact_spread.
struct ExactOptions {
  /// Empty, or one per seed: seed i posts (is active at step 0) with this probability;
  /// a seed that does not post is an ordinary account that others may still reach.
  std::vector<prob_t> seed_probabilities;
  /// Deadline: only accounts reached within this many steps count (0 = the seeds only).
  std::uint32_t max_steps = std::numeric_limits<std::uint32_t>::max();
  /// Empty (every account weighs 1) or one finite weight per vertex; the reach of a world is
  /// the summed weight of the accounts it reaches.
  std::vector<double> account_weights;
  /// Enumerations with more worlds than this are refused with std::invalid_argument.
  std::uint64_t max_worlds = std::uint64_t{1} << 24;
};

/// Exact moments of the (weighted) reach over all live-edge worlds.
struct ExactResult {
  double spread = 0;    ///< expected (weighted) reach, seeds included
  double variance = 0;  ///< variance of the (weighted) reach over worlds (exact sd = sqrt)
  std::vector<double> activation_probability;  ///< per vertex: P(reached within max_steps)
  /// Expected (weighted) newly reached at step t (t = 0: the seeds that post); sums to spread.
  /// Its length is one past the last step that can be reached with positive probability.
  std::vector<double> new_per_step;
  std::uint64_t worlds = 0;  ///< live-edge worlds enumerated (deterministic choices excluded)
};

namespace detail {

/// One random choice of the enumeration: an uncertain IC edge, an LT account's live in-edge,
/// or whether a probabilistic seed posts. Option j has probability prob[j] and makes out-edge
/// edge[j] live (exact_no_edge: none); for a seed choice, option 1 means "posts".
struct ExactChoice {
  std::vector<double> prob;
  std::vector<edge_t> edge;
  bool is_seed = false;
  std::size_t seed_index = 0;
};

inline constexpr edge_t exact_no_edge = std::numeric_limits<edge_t>::max();

template <class M>
inline constexpr bool exact_supported_v =
    std::is_same_v<M, IndependentCascade> || std::is_same_v<M, LinearThreshold>;


/// The enumeration's fixed part: edges live in every world (and in the current one), which
/// seeds post, and the random choices (each world is one option of every choice).
struct ExactSetup {
  std::vector<char> live;
  std::vector<char> posts;
  std::vector<ExactChoice> choices;
};

/// Checks seeds (in range, distinct), seed probabilities and account weights.
inline void exact_validate(const FollowerGraph& g, std::span<const vertex_t> seeds, const ExactOptions& opt) {
  const vertex_t n = g.num_vertices();
  const std::size_t ns = seeds.size();
  std::vector<char> seen(n, 0);
  for (vertex_t s : seeds) {
    KOLSIM_REQUIRE_INDEX(s < n, "exact_spread: seed vertex ", s, " out of range (n = ", n, ")");
    KOLSIM_REQUIRE(!seen[s], "exact_spread: duplicate seed: account ", g.account(s));
    seen[s] = 1;
  }
  KOLSIM_REQUIRE(opt.seed_probabilities.empty() || opt.seed_probabilities.size() == ns, "exact_spread: ",
                 opt.seed_probabilities.size(), " seed probabilities for ", ns, " seeds");
  for (prob_t q : opt.seed_probabilities)
    KOLSIM_REQUIRE(q >= 0.0f && q <= 1.0f, "exact_spread: seed probability must be in [0, 1], got ", q);
  KOLSIM_REQUIRE(opt.account_weights.empty() || opt.account_weights.size() == n, "exact_spread: ",
                 opt.account_weights.size(), " account weights for ", n, " vertices");
  for (double w : opt.account_weights) KOLSIM_REQUIRE(std::isfinite(w), "exact_spread: account weights must be finite");
}

/// IC: an edge with p >= 1 is always live, one with 0 < p < 1 is a two-option choice.
inline void exact_ic_choices(const FollowerGraph& g, ExactSetup& s) {
  const OutEdgeProbs out_probs(g);  // any storage: an implicit graph is not materialised
  const auto targets = g.out_targets();
  for (edge_t e = 0; e < g.num_edges(); ++e) {
    const double p = out_probs(e, targets[e]);
    if (p >= 1.0) {
      s.live[e] = 1;
    } else if (p > 0.0) {
      s.choices.push_back({{1.0 - p, p}, {exact_no_edge, e}, false, 0});
    }
  }
}

/// LT: each account keeps one of its weighted in-edges or none (1 - sum); a single option is
/// deterministic.
inline void exact_lt_choices(const FollowerGraph& g, ExactSetup& s) {
  const vertex_t n = g.num_vertices();
  // In-edge position -> out-edge index (in-rows list sources ascending, see FollowerGraph).
  std::vector<edge_t> in_to_out(g.num_edges());
  const auto out_off = g.out_offsets();
  const auto in_off = g.in_offsets();
  const auto targets = g.out_targets();
  {
    std::vector<edge_t> cursor(in_off.begin(), in_off.end() - 1);
    for (vertex_t u = 0; u < n; ++u)
      for (edge_t e = out_off[u]; e < out_off[u + 1]; ++e) in_to_out[cursor[targets[e]]++] = e;
  }
  for (vertex_t v = 0; v < n; ++v) {
    const ProbRow in_probs = g.in_probs(v);  // any storage: an implicit graph is not materialised
    ExactChoice c;
    double sum = 0.0;
    for (std::size_t i = 0; i < in_probs.size(); ++i) {
      if (in_probs[i] > 0.0f) {
        c.prob.push_back(in_probs[i]);
        c.edge.push_back(in_to_out[in_off[v] + i]);
        sum += in_probs[i];
      }
    }
    // Rounding of float weights (e.g. 7 x 1/7) must not invent a near-zero "none" option.
    const double none = 1.0 - sum;
    if (none > 1e-6) {
      c.prob.push_back(none);
      c.edge.push_back(exact_no_edge);
    } else if (sum > 1.0) {
      for (double& p : c.prob) p /= sum;  // within validate's tolerance: renormalise
    }
    if (c.prob.size() == 1) {
      if (c.edge[0] != exact_no_edge) s.live[c.edge[0]] = 1;
    } else if (c.prob.size() > 1) {
      s.choices.push_back(std::move(c));
    }
  }
}

/// Probabilistic seeds become choices; then the live edges of world 0 (option 0 of every
/// choice) are set. Returns the number of worlds (std::invalid_argument above max_worlds).
inline std::uint64_t exact_finish_setup(const ExactOptions& opt, ExactSetup& s) {
  for (std::size_t i = 0; i < opt.seed_probabilities.size(); ++i) {
    const double q = opt.seed_probabilities[i];
    if (q >= 1.0) continue;
    s.posts[i] = 0;
    if (q > 0.0) s.choices.push_back({{1.0 - q, q}, {exact_no_edge, exact_no_edge}, true, i});
  }
  for (const auto& c : s.choices)
    if (!c.is_seed && c.edge[0] != exact_no_edge) s.live[c.edge[0]] = 1;
  std::uint64_t worlds = 1;
  for (const auto& c : s.choices) {
    const std::uint64_t r = c.prob.size();
    KOLSIM_REQUIRE(worlds <= opt.max_worlds / r, "exact_spread: the enumeration needs more than max_worlds = ",
                   opt.max_worlds, " live-edge worlds (", s.choices.size(),
                   " random choices); use Monte Carlo or raise ExactOptions::max_worlds");
    worlds *= r;
  }
  return worlds;
}

/// Next world: odometer over the choices, updating live edges and posting seeds.
inline void exact_next_world(ExactSetup& s, std::vector<std::size_t>& digit) {
  for (std::size_t c = 0; c < s.choices.size(); ++c) {
    auto& ch = s.choices[c];
    const std::size_t old = digit[c];
    const std::size_t now = (old + 1 == ch.prob.size()) ? 0 : old + 1;
    digit[c] = now;
    if (ch.is_seed) {
      s.posts[ch.seed_index] = static_cast<char>(now);
    } else {
      if (ch.edge[old] != exact_no_edge) s.live[ch.edge[old]] = 0;
      if (ch.edge[now] != exact_no_edge) s.live[ch.edge[now]] = 1;
    }
    if (now != 0) break;
  }
}

/// Stores the expected steps, trimmed of trailing steps that no world with positive probability
/// reaches.
inline void store_exact_steps(ExactResult& res, std::vector<long double>& per_step) {
  while (!per_step.empty() && per_step.back() == 0.0L) per_step.pop_back();
  res.new_per_step.assign(per_step.begin(), per_step.end());
}

/// Stores an enumeration's moments from sum = E[reach] and sum_sq = E[reach^2] (both as
/// probability-weighted sums) and its expected steps.
inline void store_exact_moments(ExactResult& res, long double sum, long double sum_sq,
                                std::vector<long double>& per_step) {
  res.spread = static_cast<double>(sum);
  res.variance = std::max(0.0, static_cast<double>(sum_sq - sum * sum));
  store_exact_steps(res, per_step);
}

/// Per-world BFS buffers and the running sums of the enumeration.
struct ExactWalk {
  std::vector<std::uint64_t> stamp;
  std::vector<vertex_t> frontier, next, reached;
  std::vector<long double> per_step;

  /// Level-synchronous BFS over the live edges of the current world (number `epoch`) from
  /// the posting seeds, within max_steps; adds prob * level weight to per_step and returns the
  /// world's (weighted) reach; `reached` lists the accounts reached.
  template <class Weight>
  double run(const FollowerGraph& g, const ExactSetup& s, std::span<const vertex_t> seeds, std::uint64_t epoch,
             double prob, std::uint32_t max_steps, const Weight& weight) {
    const auto out_off = g.out_offsets();
    const auto targets = g.out_targets();
    frontier.clear();
    reached.clear();
    for (std::size_t i = 0; i < seeds.size(); ++i) {
      if (s.posts[i] && stamp[seeds[i]] != epoch) {
        stamp[seeds[i]] = epoch;
        frontier.push_back(seeds[i]);
      }
    }
    double reach = 0.0;
    std::uint32_t step = 0;
    while (!frontier.empty()) {
      double level_weight = 0.0;
      for (vertex_t v : frontier) level_weight += weight(v);
      reach += level_weight;
      if (per_step.size() <= step) per_step.resize(step + 1, 0.0L);
      per_step[step] += static_cast<long double>(prob) * level_weight;
      reached.insert(reached.end(), frontier.begin(), frontier.end());
      if (step == max_steps) break;
      next.clear();
      for (vertex_t u : frontier) {
        for (edge_t e = out_off[u]; e < out_off[u + 1]; ++e) {
          const vertex_t v = targets[e];
          if (s.live[e] && stamp[v] != epoch) {
            stamp[v] = epoch;
            next.push_back(v);
          }
        }
      }
      frontier.swap(next);
      ++step;
    }
    return reach;
  }
};

}  // namespace detail

/// Exact expected spread of `seeds` under IC or LT by live-edge enumeration (Kempe, Kleinberg,
/// Tardos, KDD 2003). IC: each edge with 0 < p < 1 is live or not (2^m worlds); LT: each
/// account keeps at most one in-edge, edge (u, v) with weight w(u, v), none with 1 - sum.
/// Both equivalences hold step by step, so BFS distance is the activation step and max_steps
/// is exact. Probabilistic seeds are enumerated too. Cost O(worlds * (n + m + choices));
/// throws std::invalid_argument when the enumeration exceeds opt.max_worlds.
template <DiffusionModel M>
ExactResult exact_spread(const FollowerGraph& g, const M& model, std::span<const vertex_t> seeds,
                         const ExactOptions& opt = {}) {
  static_assert(detail::exact_supported_v<M>,
                "exact_spread: no live-edge enumeration is known for this model "
                "(supported: IndependentCascade, LinearThreshold)");
  model.validate(g);
  detail::exact_validate(g, seeds, opt);
  const vertex_t n = g.num_vertices();
  // Deterministic part of every world, and the list of random choices.
  detail::ExactSetup setup;
  setup.live.assign(g.num_edges(), 0);
  setup.posts.assign(seeds.size(), 1);
  if constexpr (std::is_same_v<M, IndependentCascade>) {
    detail::exact_ic_choices(g, setup);
  } else {
    detail::exact_lt_choices(g, setup);
  }
  const std::uint64_t worlds = detail::exact_finish_setup(opt, setup);

  ExactResult res;
  res.worlds = worlds;
  res.activation_probability.assign(n, 0.0);
  const auto weight = [&](vertex_t v) { return opt.account_weights.empty() ? 1.0 : opt.account_weights[v]; };
  detail::ExactWalk walk;
  walk.stamp.assign(n, 0);
  std::vector<std::size_t> digit(setup.choices.size(), 0);
  long double sum = 0.0L, sum_sq = 0.0L;
  double shift = 0.0;  // reach of the first world; shifting keeps the variance free of cancellation
  for (std::uint64_t w = 0; w < worlds; ++w) {
    double prob = 1.0;
    for (std::size_t c = 0; c < setup.choices.size(); ++c) prob *= setup.choices[c].prob[digit[c]];
    const double reach = walk.run(g, setup, seeds, w + 1, prob, opt.max_steps, weight);
    for (vertex_t v : walk.reached) res.activation_probability[v] += prob;
    if (w == 0) shift = reach;
    sum += static_cast<long double>(prob) * reach;
    sum_sq += static_cast<long double>(prob) * (reach - shift) * (reach - shift);
    detail::exact_next_world(setup, digit);
  }
  res.spread = static_cast<double>(sum);
  const long double mean_shifted = sum - shift;
  res.variance = std::max(0.0, static_cast<double>(sum_sq - mean_shifted * mean_shifted));
  detail::store_exact_steps(res, walk.per_step);
  return res;
}

/// As exact_spread for a seed set given as account ids (std::out_of_range names an unknown one).
template <DiffusionModel M>
ExactResult exact_spread(const FollowerGraph& g, const M& model, const Accounts& seeds,
                         const ExactOptions& opt = {}) {
  const std::vector<vertex_t> s = g.indices_of(seeds.ids);
  return exact_spread(g, model, std::span<const vertex_t>(s), opt);
}

}  // namespace kolsim

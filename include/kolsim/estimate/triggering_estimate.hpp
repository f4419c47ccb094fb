// SPDX-License-Identifier: MIT
/// Estimation for the triggering model (diffusion/triggering.hpp): Monte Carlo spread, exact
/// enumeration on tiny graphs, and the RR sampler through which IMM and OPIM-C run on any
/// triggering sampler.
#pragma once

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/triggering.hpp"
#include "kolsim/estimate/exact.hpp"
#include "kolsim/estimate/monte_carlo.hpp"
#include "kolsim/estimate/rr_sets.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// Monte Carlo spread of a triggering model (Kempe et al. 2003) on the shared Monte Carlo driver
/// (detail::run_monte_carlo): trial i draws only from Rng(seed, i, domain::trial), batches of 8
/// trials are merged in order, so results are bit-identical for any thread count. Supports every
/// MonteCarloOptions field except `fused` (ignored): the adaptive mode, stop, progress and the
/// distributed back end included. Time O(trials * (reached + edges examined) / threads).
template <class S>
SpreadEstimate estimate_spread(const FollowerGraph& g, const TriggeringModel<S>& model, std::span<const vertex_t> seeds,
                               const MonteCarloOptions& opt = {}) {
  const auto start = std::chrono::steady_clock::now();
  model.validate(g);
  detail::validate_cascade_seeds(g, seeds, opt.seed_probabilities, "estimate_spread");
  const vertex_t n = g.num_vertices();
  const auto m = static_cast<double>(g.num_edges());
  const auto map = detail::out_to_in_positions(g);
  const std::span<const prob_t> seed_probs = opt.seed_probabilities;
  return detail::estimate_one_by_one<detail::TriggeringWorkspace>(
      g, opt, start, "triggering", 12.0 * n + 4.0 * m, 8.0 * m,
      [&](detail::TriggeringWorkspace& w, Rng& rng, auto&& visit) {
        return w.run(g, model.sampler, map, seeds, seed_probs, opt.max_steps, rng,
                     [&](vertex_t v, vertex_t, std::uint32_t step) { visit(v, step); });
      },
      n, g.num_edges());
}

/// estimate_spread() of a triggering model with the seeds given as account ids.
template <class S>
SpreadEstimate estimate_spread(const FollowerGraph& g, const TriggeringModel<S>& model, const Accounts& seeds,
                               const MonteCarloOptions& opt = {}) {
  const std::vector<vertex_t> s = g.indices_of(seeds.ids);
  return estimate_spread(g, model, std::span<const vertex_t>(s), opt);
}

namespace detail {

/// One triggering set an account may draw in exact enumeration, with its probability.
struct TriggeringOption {
  double prob;
  std::vector<edge_t> set;  ///< in-edge positions
};

/// The triggering sets of every non-seed account with in-edges (those with one set included);
/// `worlds` = the product of the counts. Throws std::invalid_argument above max_worlds.
template <class S>
std::vector<std::vector<TriggeringOption>> triggering_choices(const FollowerGraph& g, const S& sampler,
                                                              const std::vector<char>& is_seed,
                                                              std::uint64_t max_worlds, double& worlds) {
  std::vector<std::vector<TriggeringOption>> choices;
  worlds = 1.0;
  for (vertex_t v = 0; v < g.num_vertices(); ++v) {
    if (is_seed[v] || g.in_degree(v) == 0) continue;
    std::vector<TriggeringOption> opts;
    sampler.enumerate(g, v, [&](double p, std::span<const edge_t> set) {
      opts.push_back({p, std::vector<edge_t>(set.begin(), set.end())});
    });
    if (opts.size() > 1) {
      worlds *= static_cast<double>(opts.size());
      KOLSIM_REQUIRE(worlds <= static_cast<double>(max_worlds), "exact_spread: more than ", max_worlds,
                     " triggering worlds; use Monte Carlo");
    }
    choices.push_back(std::move(opts));
  }
  return choices;
}

/// Next world: odometer over the accounts' choices, updating the live in-edge positions.
inline void triggering_next_world(const std::vector<std::vector<TriggeringOption>>& choices,
                                  std::vector<std::size_t>& digit, std::vector<char>& live) {
  for (std::size_t c = 0; c < choices.size(); ++c) {
    const auto& ch = choices[c];
    const std::size_t old = digit[c], now = old + 1 == ch.size() ? 0 : old + 1;
    digit[c] = now;
    for (edge_t j : ch[old].set) live[j] = 0;
    for (edge_t j : ch[now].set) live[j] = 1;
    if (now != 0) break;
  }
}

}  // namespace detail

/// Exact spread of a triggering model by enumerating every combination of triggering sets of
/// the non-seed accounts with in-edges (the sampler must provide enumerate()). Supports
/// max_steps, account_weights and max_worlds; seed_probabilities must be empty. Cost
/// O(worlds * (n + m)); throws std::invalid_argument above opt.max_worlds.
template <class S>
ExactResult exact_spread(const FollowerGraph& g, const TriggeringModel<S>& model, std::span<const vertex_t> seeds,
                         const ExactOptions& opt = {}) {
  static_assert(requires(const S& s, const FollowerGraph& gg, vertex_t v) {
    s.enumerate(gg, v, [](double, std::span<const edge_t>) {});
  }, "exact_spread: the triggering sampler has no enumerate()");
  model.validate(g);
  detail::validate_cascade_seeds(g, seeds, {}, "exact_spread");
  KOLSIM_REQUIRE(opt.seed_probabilities.empty(), "exact_spread: seed_probabilities are not supported for triggering models");
  const vertex_t n = g.num_vertices();
  KOLSIM_REQUIRE(opt.account_weights.empty() || opt.account_weights.size() == n,
                 "exact_spread: account_weights must be empty or have one weight per account");
  std::vector<char> is_seed(n, 0);
  for (vertex_t s : seeds) is_seed[s] = 1;
  double worlds = 1.0;
  const auto choices = detail::triggering_choices(g, model.sampler, is_seed, opt.max_worlds, worlds);
  const auto map = detail::out_to_in_positions(g);
  std::vector<char> live(g.num_edges(), 0), active(n, 0);
  std::vector<std::size_t> digit(choices.size(), 0);
  for (const auto& c : choices)
    for (edge_t j : c[0].set) live[j] = 1;
  ExactResult res;
  res.activation_probability.assign(n, 0.0);
  res.worlds = static_cast<std::uint64_t>(worlds);
  long double sum = 0, sum_sq = 0;
  std::vector<long double> per_step;
  std::vector<vertex_t> frontier, next, reached;
  const auto off = g.out_offsets();
  const auto tgt = g.out_targets();
  for (std::uint64_t w = 0; w < res.worlds; ++w) {
    double prob = 1.0;
    for (std::size_t c = 0; c < choices.size(); ++c) prob *= choices[c][digit[c]].prob;
    std::fill(active.begin(), active.end(), 0);
    frontier.assign(seeds.begin(), seeds.end());
    reached = frontier;
    for (vertex_t s : seeds) active[s] = 1;
    double reach = 0;
    auto weight = [&](vertex_t v) { return opt.account_weights.empty() ? 1.0 : opt.account_weights[v]; };
    for (vertex_t s : seeds) reach += weight(s);
    if (per_step.empty()) per_step.resize(1, 0);
    per_step[0] += static_cast<long double>(prob) * reach;
    for (std::uint32_t step = 0; !frontier.empty() && step < opt.max_steps; ++step) {
      next.clear();
      for (vertex_t u : frontier)
        for (edge_t e = off[u]; e < off[u + 1]; ++e)
          if (!active[tgt[e]] && live[map[e]]) {
            active[tgt[e]] = 1;
            next.push_back(tgt[e]);
          }
      double add = 0;
      for (vertex_t v : next) add += weight(v);
      if (!next.empty()) {
        if (per_step.size() <= step + 1) per_step.resize(step + 2, 0);
        per_step[step + 1] += static_cast<long double>(prob) * add;
      }
      reach += add;
      reached.insert(reached.end(), next.begin(), next.end());
      frontier.swap(next);
    }
    for (vertex_t v : reached) res.activation_probability[v] += prob;
    sum += static_cast<long double>(prob) * reach;
    sum_sq += static_cast<long double>(prob) * reach * reach;
    detail::triggering_next_world(choices, digit, live);
  }
  detail::store_exact_moments(res, sum, sum_sq, per_step);
  return res;
}

/// exact_spread() of a triggering model with the seeds given as account ids.
template <class S>
ExactResult exact_spread(const FollowerGraph& g, const TriggeringModel<S>& model, const Accounts& seeds,
                         const ExactOptions& opt = {}) {
  const std::vector<vertex_t> s = g.indices_of(seeds.ids);
  return exact_spread(g, model, std::span<const vertex_t>(s), opt);
}

namespace detail {
/// Per-lane buffers of RRSampler<TriggeringModel<S>>.
using TriggeringRRScratch = ReverseSearchScratch;
}  // namespace detail

/// RR sets of a triggering model: from a root (uniform or by root weight), a reverse search in
/// which every visited account w draws T(w) and adds its unvisited members; accounts farther
/// than max_depth reverse steps are not expanded. RR set i draws only from Rng(seed, i, domain),
/// so collections are identical for any thread count. IMM and OPIM-C use it unchanged.
template <class S>
class RRSampler<TriggeringModel<S>>
    : public detail::OneByOneRRSampler<RRSampler<TriggeringModel<S>>, detail::TriggeringRRScratch> {
 public:
  RRSampler(const FollowerGraph& g, const TriggeringModel<S>& model, std::uint32_t max_depth = UINT32_MAX,
            std::span<const double> root_weights = {}, int threads = 0)
      : sampler_(model.sampler), max_depth_(max_depth) {
    (void)threads;
    model.validate(g);
    this->init_roots(g, root_weights);
  }

 private:
  using Scratch = detail::TriggeringRRScratch;
  friend class detail::OneByOneRRSampler<RRSampler, Scratch>;

  void draw(std::uint64_t seed, std::uint32_t domain, std::uint64_t index, RRCollection& out, Scratch& s) const {
    const FollowerGraph& g = this->graph();
    detail::begin_reverse_search(s, g.num_vertices());
    Rng rng(seed, index, domain);
    detail::add_reverse_root(s, this->draw_root(rng));
    detail::reverse_search(g, sampler_, rng, max_depth_, s);
    out.push_set(s.nodes);
  }

  S sampler_;
  std::uint32_t max_depth_;
};

}  // namespace kolsim

// SPDX-License-Identifier: MIT
/// Spread on a multiplex (graph/multiplex.hpp) in people and per platform: Monte Carlo with
/// standard errors and per-step profiles, exact enumeration on tiny multiplexes, and the
/// person-rooted RR sampler through which IMM and OPIM-C select (person, platform) seeds.
///
/// The cascade is IC on the expanded account graph (follower edges plus cross-post edges), so
/// Monte Carlo runs the generic cascade driver on it and counts each person once. RR sets are
/// rooted at people: a random person r, one live-edge world, and the accounts from which some
/// account of r is reachable (a reverse search started from all of r's accounts). A person is
/// reached from S exactly when S meets that set, so spread_people(S) = P * Pr[S hits RR]
/// (Borgs et al. 2014 with the root drawn over people instead of accounts), and IMM / OPIM-C
/// keep their (1 - 1/e - epsilon) guarantee for the number of people reached. Costs as for IC:
/// a trial or an RR set is O(accounts reached + edges examined).
#pragma once

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/detail/cascade_kernels.hpp"
#include "kolsim/diffusion/driver.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/diffusion/triggering.hpp"
#include "kolsim/estimate/exact.hpp"
#include "kolsim/estimate/monte_carlo.hpp"
#include "kolsim/estimate/rr_sets.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/graph/multiplex.hpp"

namespace kolsim {

/// Independent Cascade on a multiplex's expanded graph, counted in people. Every generic entry
/// point that takes a model counts people with it: imm / opim_c / sample_rr_sets on
/// (multiplex.expanded(), MultiplexIC{multiplex}) use the person-rooted RR sampler below;
/// estimate_spread and exact_spread have overloads below (people reached, per-account
/// probabilities); greedy / celf / celf_plus_plus evaluate IC's live-edge worlds counting each
/// person once (detail::GroupedReachModel). simulate() returns the accounts of one cascade.
/// `validate(g)` accepts only the multiplex's own expanded graph.
struct MultiplexIC {
  Multiplex multiplex;
  struct NodeState {};
  static constexpr std::string_view name = "multiplex_ic";
  using live_edge_model = IndependentCascade;  ///< live-edge worlds: IC's on the expanded graph
  /// The person of every expanded vertex: reach counts each once.
  std::span<const vertex_t> reach_groups() const noexcept { return multiplex.vertex_people(); }

  bool attempt(NodeState&, prob_t p, Rng& rng) const { return rng.bernoulli(p); }
  void validate(const FollowerGraph& g, int threads = 1) const {
    (void)threads;
    const FollowerGraph& x = multiplex.expanded();
    // The expanded graph stores its probabilities per edge; an implicit g is never it (and is
    // not materialised to find out).
    KOLSIM_REQUIRE(g.topology() == x.topology() && !g.implicit_probabilities() &&
                       g.edge_probs().data() == x.edge_probs().data(),
                   "MultiplexIC: the graph is not this multiplex's expanded graph (pass multiplex.expanded())");
  }
};

/// Monte Carlo spread of a multiplex: the SpreadEstimate of the people reached (mean,
/// std_error, ci, new_per_step: people newly reached at step t, t = 0 the seeds' people;
/// activation_probability per expanded account, when per_account) and, per layer l, accounts
/// reached on l.
struct MultiplexEstimate : SpreadEstimate {
  std::vector<double> layer_mean, layer_std_error;    ///< per layer: mean accounts reached on it
  std::vector<std::vector<double>> layer_new_per_step;  ///< [layer][step]: mean accounts newly reached
  std::vector<double> person_probability;      ///< per person index, when per_account
};

/// Exact moments of a multiplex's reach over all live-edge worlds of the expanded graph: the
/// ExactResult of the people reached (activation_probability per expanded account) and per layer.
struct MultiplexExact : ExactResult {
  std::vector<double> layer_spread, layer_variance;  ///< per layer: accounts reached on it
  std::vector<std::vector<double>> layer_new_per_step;  ///< [layer][step]
  std::vector<double> person_probability;      ///< per person index: P(reached within max_steps)
};

/// A seed given as (person id, layer): that person posts on that platform.
struct MultiplexSeed {
  account_t person = 0;
  std::uint32_t layer = 0;
};

/// Expanded vertices of (person, layer) seeds (std::out_of_range when a person is unknown or
/// has no account on the layer).
inline std::vector<vertex_t> multiplex_seed_vertices(const Multiplex& mx, std::span<const MultiplexSeed> seeds) {
  std::vector<vertex_t> out;
  out.reserve(seeds.size());
  for (const auto& s : seeds) out.push_back(mx.seed_vertex(s.person, s.layer));
  return out;
}

namespace detail {

/// Layer of every expanded vertex.
inline std::vector<std::uint32_t> multiplex_vertex_layers(const Multiplex& mx) {
  std::vector<std::uint32_t> out(mx.num_accounts());
  for (std::uint32_t l = 0; l < mx.num_layers(); ++l)
    std::fill(out.begin() + mx.layer_offset(l), out.begin() + mx.layer_offset(l + 1), l);
  return out;
}

/// Running probability-weighted moments with a shift (the first value) against cancellation.
struct ExactMoments {
  long double sum = 0, sq = 0;
  double shift = 0;
  bool first = true;
  void add(double prob, double x) {
    if (first) {
      shift = x;
      first = false;
    }
    sum += static_cast<long double>(prob) * x;
    sq += static_cast<long double>(prob) * (x - shift) * (x - shift);
  }
  double variance() const {
    const long double m = sum - shift;
    return std::max(0.0, static_cast<double>(sq - m * m));
  }
};

/// The per-layer tallies of the multiplex Monte Carlo (run_monte_carlo's `rounds` hook): one
/// BatchTally per (batch of the round, layer), merged in batch order after each round.
class MultiplexLayerRounds {
 public:
  explicit MultiplexLayerRounds(std::uint32_t layers) : layers_(layers), totals_(layers) {}
  void begin(std::uint64_t first_batch, std::uint64_t batches) {
    first_ = first_batch;
    tallies_.assign(static_cast<std::size_t>(batches) * layers_, BatchTally{});
  }
  void merge() {
    for (std::size_t i = 0; i < tallies_.size(); ++i) totals_[i % layers_].merge(tallies_[i]);
  }
  /// The tallies of batch b (of the current round), one per layer.
  BatchTally* batch(std::uint64_t b) { return tallies_.data() + static_cast<std::size_t>(b - first_) * layers_; }
  const SpreadAccumulator& total(std::uint32_t l) const { return totals_[l]; }

 private:
  std::uint32_t layers_;
  std::uint64_t first_ = 0;
  std::vector<BatchTally> tallies_;
  std::vector<SpreadAccumulator> totals_;
};

/// One thread slot's buffers of the multiplex Monte Carlo.
struct MultiplexTrialWork {
  CascadeWorkspace<IndependentCascade> cascade;
  std::vector<std::uint32_t> person_mark;  ///< == epoch: the person is reached in this trial
  std::uint32_t epoch = 0;
  std::vector<std::uint64_t> people;      ///< per_account: trials that reached each person
  std::vector<double> layer_reach;        ///< [trial of the batch][layer]: accounts reached

  MultiplexTrialWork(vertex_t n, vertex_t P, std::uint32_t L, bool per_account)
      : person_mark(P, 0), people(per_account ? P : 0, 0), layer_reach(static_cast<std::size_t>(mc_plain_batch) * L) {
    cascade.resize(n);
  }
  std::uint32_t next_epoch() {
    if (++epoch == 0) {
      std::fill(person_mark.begin(), person_mark.end(), 0u);
      epoch = 1;
    }
    return epoch;
  }
};

/// What a multiplex Monte Carlo batch reads: the expanded graph, seeds, options and the layer
/// and person of every expanded vertex.
struct MultiplexTrialSetup {
  const FollowerGraph& g;
  std::span<const vertex_t> seeds;
  const MonteCarloOptions& opt;
  std::span<const std::uint32_t> vlayer;
  std::span<const vertex_t> vperson;
  std::uint32_t layers;
};

/// Runs trials b * mc_plain_batch .. + worlds - 1 of the generic IC driver on the expanded
/// graph: `tally` counts people (each once per trial), `layer_tally[l]` accounts on layer l;
/// acc (if not null) counts activations per account, w.people per person.
inline void run_multiplex_batch(const MultiplexTrialSetup& s, std::uint64_t b, unsigned worlds, BatchTally& tally,
                                BatchTally* layer_tally, std::uint64_t* acc, MultiplexTrialWork& w) {
  const IndependentCascade ic;
  const std::uint32_t L = s.layers;
  std::fill(w.layer_reach.begin(), w.layer_reach.end(), 0.0);
  unsigned j = 0;
  run_trials(s.opt.seed, b * mc_plain_batch, worlds, {}, tally, w.people.empty() ? nullptr : w.people.data(),
             [&](Rng& rng, auto&& visit_person) {
               const std::uint32_t ep = w.next_epoch();
               double* lr = w.layer_reach.data() + static_cast<std::size_t>(j++) * L;
               return w.cascade.run(s.g, ic, s.seeds, s.opt.seed_probabilities, s.opt.max_steps, rng,
                                    [&](vertex_t v, vertex_t, std::uint32_t step) {
                                      const std::uint32_t l = s.vlayer[v];
                                      lr[l] += 1.0;
                                      layer_tally[l].add_step(step, 1.0);
                                      if (acc) ++acc[v];
                                      const vertex_t p = s.vperson[v];
                                      if (w.person_mark[p] != ep) {
                                        w.person_mark[p] = ep;
                                        visit_person(p, step);
                                      }
                                    });
             });
  std::vector<double> col(worlds);
  for (std::uint32_t l = 0; l < L; ++l) {
    for (unsigned t = 0; t < worlds; ++t) col[t] = w.layer_reach[static_cast<std::size_t>(t) * L + l];
    layer_tally[l].set_reach(col.data(), worlds);
  }
}

/// Checks what estimate_spread on a multiplex accepts and reserves its memory.
inline void multiplex_mc_validate(const Multiplex& mx, std::span<const vertex_t> seeds, const MonteCarloOptions& opt,
                                  int threads) {
  const FollowerGraph& g = mx.expanded();
  KOLSIM_REQUIRE(g.num_vertices() > 0, "estimate_spread: the multiplex has no accounts");
  validate_cascade_seeds(g, seeds, opt.seed_probabilities, "estimate_spread");
  validate_monte_carlo_options(g, opt);
  KOLSIM_REQUIRE(opt.account_weights.empty(), "estimate_spread: account_weights are not available on a multiplex");
  KOLSIM_REQUIRE(opt.share == nullptr, "estimate_spread: back ends are not available on a multiplex");
  check_stop(opt.stop);
  const double n = g.num_vertices(), P = mx.num_people(), slots = std::max(threads, 1);
  require_memory(concat("estimate_spread: multiplex workspaces for ", slots, " threads x ", g.num_vertices(),
                        " accounts"),
                 slots * (24.0 * n + 4.0 * P) + 4.0 * n + (opt.per_account ? (slots + 2) * (n + P) * 8.0 : 0.0));
}

/// The MultiplexEstimate of a finished run: people from the driver's estimate, layers from the
/// per-layer totals, person probabilities from the slots' counts.
inline MultiplexEstimate multiplex_mc_result(SpreadEstimate&& people, const MultiplexLayerRounds& layers,
                                             std::uint32_t L, vertex_t P, PerSlot<MultiplexTrialWork>& work,
                                             int threads, bool per_account) {
  MultiplexEstimate est;
  static_cast<SpreadEstimate&>(est) = std::move(people);
  const double r = static_cast<double>(est.trials);
  est.layer_new_per_step.resize(L);
  for (std::uint32_t l = 0; l < L; ++l) {
    const SpreadAccumulator& t = layers.total(l);
    est.layer_mean.push_back(t.mean);
    est.layer_std_error.push_back(t.std_error());
    for (double s : t.steps) est.layer_new_per_step[l].push_back(s / r);
  }
  if (per_account) {
    std::vector<std::uint64_t> sum(P, 0);
    for (int t = 0; t < std::max(threads, 1); ++t)
      if (const MultiplexTrialWork* w = work.find(t))
        for (vertex_t p = 0; p < P; ++p) sum[p] += w->people[p];
    est.person_probability.resize(P);
    for (vertex_t p = 0; p < P; ++p) est.person_probability[p] = static_cast<double>(sum[p]) / r;
  }
  return est;
}

}  // namespace detail

/// Monte Carlo spread of `seeds` (expanded vertices) on a multiplex, on the library's Monte
/// Carlo driver (detail::run_monte_carlo): trial i runs the generic IC driver on the expanded
/// graph with Rng(seed, i, domain::trial), in batches of 8 merged in order, so results are
/// bit-identical for any thread count, and a one-layer multiplex gives exactly
/// estimate_spread(layer graph, IndependentCascade, seeds, fused = false). Supports trials,
/// seed, threads, max_steps, seed_probabilities, per_account, stop, progress and the adaptive
/// mode (on the people reached); account_weights and back ends are refused. Time
/// O(trials * (reached + edges) / threads).
inline MultiplexEstimate estimate_spread(const Multiplex& mx, std::span<const vertex_t> seeds,
                                         const MonteCarloOptions& opt = {}) {
  const auto start = std::chrono::steady_clock::now();
  const int threads = resolve_threads(opt.threads);
  detail::multiplex_mc_validate(mx, seeds, opt, threads);
  const FollowerGraph& g = mx.expanded();
  const std::uint32_t L = mx.num_layers();
  const std::vector<std::uint32_t> vlayer = detail::multiplex_vertex_layers(mx);
  const detail::MultiplexTrialSetup setup{g, seeds, opt, vlayer, mx.vertex_people(), L};
  detail::PerSlot<detail::MultiplexTrialWork> work(threads);
  detail::MultiplexLayerRounds layers(L);
  SpreadEstimate people = detail::run_monte_carlo(
      g, opt, detail::mc_plain_batch, threads, start,
      [&](int t, std::uint64_t b, unsigned worlds, detail::BatchTally& tally, std::uint64_t* acc) {
        auto& w = work.get(t, g.num_vertices(), mx.num_people(), L, opt.per_account);
        detail::run_multiplex_batch(setup, b, worlds, tally, layers.batch(b), acc, w);
      },
      layers);
  MultiplexEstimate est =
      detail::multiplex_mc_result(std::move(people), layers, L, mx.num_people(), work, threads, opt.per_account);
  est.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return est;
}

/// estimate_spread() with (person, layer) seeds.
inline MultiplexEstimate estimate_spread(const Multiplex& mx, std::span<const MultiplexSeed> seeds,
                                         const MonteCarloOptions& opt = {}) {
  const auto s = multiplex_seed_vertices(mx, seeds);
  return estimate_spread(mx, std::span<const vertex_t>(s), opt);
}

namespace detail {

/// The sums of exact_spread on a multiplex over the worlds enumerated so far, and the BFS of
/// one world (distance = activation step) that adds to them.
class MultiplexExactWalk {
 public:
  MultiplexExactWalk(const Multiplex& mx, MultiplexExact& res)
      : g_(mx.expanded()), vlayer_(multiplex_vertex_layers(mx)), vperson_(mx.vertex_people()), res_(res),
        layer_steps_(mx.num_layers()), layer_m_(mx.num_layers()), stamp_(g_.num_vertices(), 0),
        pstamp_(mx.num_people(), 0), lcount_(mx.num_layers()) {
    res.person_probability.assign(mx.num_people(), 0.0);
    res.activation_probability.assign(g_.num_vertices(), 0.0);
  }

  /// Adds world `ep` (>= 1, fresh each call) of probability `prob`: the seeds that post, the
  /// live edges of `setup`, activations up to step max_steps.
  void add_world(const ExactSetup& setup, std::span<const vertex_t> seeds, std::uint64_t ep, double prob,
                 std::uint32_t max_steps) {
    frontier_.clear();
    for (std::size_t i = 0; i < seeds.size(); ++i) {
      if (setup.posts[i] && stamp_[seeds[i]] != ep) {
        stamp_[seeds[i]] = ep;
        frontier_.push_back(seeds[i]);
      }
    }
    std::fill(lcount_.begin(), lcount_.end(), 0.0);
    double people = 0;
    for (std::uint32_t step = 0; !frontier_.empty(); ++step) {
      for (vertex_t v : frontier_) people += activate(v, step, ep, prob);
      if (step == max_steps) break;
      expand(setup, ep);
    }
    people_m_.add(prob, people);
    for (std::size_t l = 0; l < lcount_.size(); ++l) layer_m_[l].add(prob, lcount_[l]);
  }

  /// Moves the sums into the result (expected values, variances, per-step profiles).
  void finish() {
    res_.spread = static_cast<double>(people_m_.sum);
    res_.variance = people_m_.variance();
    res_.new_per_step = trim(people_steps_);
    for (std::size_t l = 0; l < lcount_.size(); ++l) {
      res_.layer_spread.push_back(static_cast<double>(layer_m_[l].sum));
      res_.layer_variance.push_back(layer_m_[l].variance());
      res_.layer_new_per_step.push_back(trim(layer_steps_[l]));
    }
  }

 private:
  /// Account v is reached at `step`; returns 1 when its person is new in this world.
  double activate(vertex_t v, std::uint32_t step, std::uint64_t ep, double prob) {
    const std::uint32_t l = vlayer_[v];
    lcount_[l] += 1.0;
    add_at(layer_steps_[l], step, prob);
    res_.activation_probability[v] += prob;
    const vertex_t p = vperson_[v];
    if (pstamp_[p] == ep) return 0.0;
    pstamp_[p] = ep;
    add_at(people_steps_, step, prob);
    res_.person_probability[p] += prob;
    return 1.0;
  }
  /// The next frontier: unvisited targets of the frontier's live out-edges.
  void expand(const ExactSetup& setup, std::uint64_t ep) {
    const auto off = g_.out_offsets();
    const auto tgt = g_.out_targets();
    next_.clear();
    for (vertex_t u : frontier_)
      for (edge_t e = off[u]; e < off[u + 1]; ++e)
        if (setup.live[e] && stamp_[tgt[e]] != ep) {
          stamp_[tgt[e]] = ep;
          next_.push_back(tgt[e]);
        }
    frontier_.swap(next_);
  }
  static void add_at(std::vector<long double>& v, std::uint32_t step, double prob) {
    if (v.size() <= step) v.resize(step + 1, 0.0L);
    v[step] += prob;
  }
  static std::vector<double> trim(std::vector<long double>& v) {
    while (!v.empty() && v.back() == 0.0L) v.pop_back();
    return std::vector<double>(v.begin(), v.end());
  }

  const FollowerGraph& g_;
  std::vector<std::uint32_t> vlayer_;
  std::span<const vertex_t> vperson_;
  MultiplexExact& res_;
  std::vector<long double> people_steps_;
  std::vector<std::vector<long double>> layer_steps_;
  ExactMoments people_m_;
  std::vector<ExactMoments> layer_m_;
  std::vector<std::uint64_t> stamp_, pstamp_;
  std::vector<vertex_t> frontier_, next_;
  std::vector<double> lcount_;
};

}  // namespace detail

/// Exact people and per-layer reach of `seeds` (expanded vertices) by enumerating the 2^m live-
/// edge worlds of the expanded graph's uncertain edges (cross-post edges included), BFS
/// distance = activation step. Supports max_steps, seed_probabilities and max_worlds;
/// account_weights are refused. Cost O(worlds * (N + M)).
inline MultiplexExact exact_spread(const Multiplex& mx, std::span<const vertex_t> seeds, const ExactOptions& opt = {}) {
  const FollowerGraph& g = mx.expanded();
  detail::exact_validate(g, seeds, opt);
  KOLSIM_REQUIRE(opt.account_weights.empty(), "exact_spread: account_weights are not available on a multiplex");
  detail::ExactSetup setup;
  setup.live.assign(g.num_edges(), 0);
  setup.posts.assign(seeds.size(), 1);
  detail::exact_ic_choices(g, setup);
  MultiplexExact res;
  res.worlds = detail::exact_finish_setup(opt, setup);
  detail::MultiplexExactWalk walk(mx, res);
  std::vector<std::size_t> digit(setup.choices.size(), 0);
  for (std::uint64_t w = 0; w < res.worlds; ++w) {
    double prob = 1.0;
    for (std::size_t c = 0; c < setup.choices.size(); ++c) prob *= setup.choices[c].prob[digit[c]];
    walk.add_world(setup, seeds, w + 1, prob, opt.max_steps);
    detail::exact_next_world(setup, digit);
  }
  walk.finish();
  return res;
}

/// exact_spread() with (person, layer) seeds.
inline MultiplexExact exact_spread(const Multiplex& mx, std::span<const MultiplexSeed> seeds,
                                   const ExactOptions& opt = {}) {
  const auto s = multiplex_seed_vertices(mx, seeds);
  return exact_spread(mx, std::span<const vertex_t>(s), opt);
}

/// The generic estimate_spread(g, model, seeds) for MultiplexIC: people reached (mean, errors,
/// new_per_step in people; activation_probability per expanded account), as estimate_spread(mx).
inline SpreadEstimate estimate_spread(const FollowerGraph& g, const MultiplexIC& model, std::span<const vertex_t> seeds,
                                      const MonteCarloOptions& opt = {}) {
  model.validate(g);
  return static_cast<SpreadEstimate&&>(estimate_spread(model.multiplex, seeds, opt));
}

/// The generic exact_spread(g, model, seeds) for MultiplexIC: people reached (spread, variance,
/// new_per_step in people; activation_probability per expanded account), as exact_spread(mx).
inline ExactResult exact_spread(const FollowerGraph& g, const MultiplexIC& model, std::span<const vertex_t> seeds,
                                const ExactOptions& opt = {}) {
  model.validate(g);
  return static_cast<ExactResult&&>(exact_spread(model.multiplex, seeds, opt));
}

/// Person-rooted RR sets of a multiplex (see the top of this file), on the one-set-at-a-time
/// machinery of rr_sets.hpp: RR set i draws only from Rng(seed, i, domain): the root person
/// uniformly over the P people, then the reverse search of detail::reverse_search from all the
/// person's accounts, in which every visited account keeps each in-edge with its probability
/// (IcTriggering's draw); accounts farther than max_depth reverse steps are not expanded. The
/// sets hold expanded vertices; total_weight() = P. root_weights are refused. Collections are
/// identical for any thread count; with one layer they equal those of
/// RRSampler<TriggeringModel<IcTriggering>> on the layer's graph.
template <>
class RRSampler<MultiplexIC>
    : public detail::OneByOneRRSampler<RRSampler<MultiplexIC>, detail::ReverseSearchScratch> {
 public:
  RRSampler(const FollowerGraph& g, const MultiplexIC& model, std::uint32_t max_depth = UINT32_MAX,
            std::span<const double> root_weights = {}, int threads = 0)
      : mx_(model.multiplex), max_depth_(max_depth) {
    (void)threads;
    model.validate(g);
    KOLSIM_REQUIRE(mx_.num_people() > 0, "RR sampling: the multiplex has no people");
    KOLSIM_REQUIRE(root_weights.empty(), "RR sampling: root_weights are not available on a multiplex");
    this->init_roots(g, {}, mx_.num_people());
  }

 private:
  using Scratch = detail::ReverseSearchScratch;
  friend class detail::OneByOneRRSampler<RRSampler, Scratch>;

  void draw(std::uint64_t seed, std::uint32_t domain, std::uint64_t index, RRCollection& out, Scratch& s) const {
    const FollowerGraph& g = this->graph();
    detail::begin_reverse_search(s, g.num_vertices());
    Rng rng(seed, index, domain);
    for (vertex_t x : mx_.accounts_of_person(this->draw_root(rng))) detail::add_reverse_root(s, x);
    detail::reverse_search(g, IcTriggering{}, rng, max_depth_, s);
    out.push_set(s.nodes);
  }

  Multiplex mx_;
  std::uint32_t max_depth_;
};

}  // namespace kolsim

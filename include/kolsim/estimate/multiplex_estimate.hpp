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

/// Independent Cascade on a multiplex's expanded graph, counted in people. As a DiffusionModel
/// its rule is IC's (so the generic paths count accounts); imm / opim_c on
/// (multiplex.expanded(), MultiplexIC{multiplex}) use the person-rooted RR sampler below and
/// maximise the number of people reached. `validate(g)` accepts only the multiplex's own
/// expanded graph.
struct MultiplexIC {
  Multiplex multiplex;
  struct NodeState {};
  static constexpr std::string_view name = "multiplex_ic";

  bool attempt(NodeState&, prob_t p, Rng& rng) const { return rng.bernoulli(p); }
  void validate(const FollowerGraph& g, int threads = 1) const {
    (void)threads;
    const FollowerGraph& x = multiplex.expanded();
    KOLSIM_REQUIRE(g.topology() == x.topology() && g.edge_probs().data() == x.edge_probs().data(),
                   "MultiplexIC: the graph is not this multiplex's expanded graph (pass multiplex.expanded())");
  }
};

/// Monte Carlo spread of a multiplex: people reached (mean, std_error, ci, new_per_step as in
/// SpreadEstimate) and, per layer l, accounts reached on l.
struct MultiplexEstimate {
  double mean = 0, std_error = 0, ci_low = 0, ci_high = 0;  ///< people reached (unique)
  std::uint64_t trials = 0;
  std::vector<double> new_per_step;  ///< mean people newly reached at step t (t = 0: the seeds' people)
  std::vector<double> layer_mean, layer_std_error;    ///< per layer: mean accounts reached on it
  std::vector<std::vector<double>> layer_new_per_step;  ///< [layer][step]: mean accounts newly reached
  std::vector<double> person_probability;      ///< per person index, when per_account
  std::vector<double> activation_probability;  ///< per expanded account, when per_account
  std::uint64_t edges_examined = 0;
  double seconds = 0;
};

/// Exact moments of a multiplex's reach over all live-edge worlds of the expanded graph.
struct MultiplexExact {
  double spread = 0, variance = 0;  ///< people reached
  std::vector<double> new_per_step;  ///< expected people newly reached at step t
  std::vector<double> layer_spread, layer_variance;  ///< per layer: accounts reached on it
  std::vector<std::vector<double>> layer_new_per_step;  ///< [layer][step]
  std::vector<double> person_probability;      ///< per person index: P(reached within max_steps)
  std::vector<double> activation_probability;  ///< per expanded account
  std::uint64_t worlds = 0;
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

/// One batch's tallies: people, then one per layer.
struct MultiplexTally {
  BatchTally people;
  std::vector<BatchTally> layers;
};

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

}  // namespace detail

/// Monte Carlo spread of `seeds` (expanded vertices) on a multiplex: trial i runs the generic
/// IC driver on the expanded graph with Rng(seed, i, domain::trial), in batches of 8 merged in
/// order, so results are bit-identical for any thread count, and a one-layer multiplex gives
/// exactly estimate_spread(layer graph, IndependentCascade, seeds, fused = false). Supports
/// trials, seed, threads, max_steps, seed_probabilities, per_account and stop; the adaptive
/// mode, account_weights and back ends are refused. Time O(trials * (reached + edges) / threads).
inline MultiplexEstimate estimate_spread(const Multiplex& mx, std::span<const vertex_t> seeds,
                                         const MonteCarloOptions& opt = {}) {
  const auto start = std::chrono::steady_clock::now();
  const FollowerGraph& g = mx.expanded();
  KOLSIM_REQUIRE(g.num_vertices() > 0, "estimate_spread: the multiplex has no accounts");
  detail::validate_cascade_seeds(g, seeds, opt.seed_probabilities, "estimate_spread");
  KOLSIM_REQUIRE(opt.trials >= 1, "estimate_spread: trials must be >= 1");
  KOLSIM_REQUIRE(opt.trials <= (std::uint64_t{1} << 38), "estimate_spread: at most 2^38 trials");
  KOLSIM_REQUIRE(opt.target_relative_error == 0.0,
                 "estimate_spread: the adaptive mode (target_relative_error) is not available on a multiplex");
  KOLSIM_REQUIRE(opt.account_weights.empty(), "estimate_spread: account_weights are not available on a multiplex");
  KOLSIM_REQUIRE(opt.share == nullptr, "estimate_spread: back ends are not available on a multiplex");
  check_stop(opt.stop);
  const vertex_t n = g.num_vertices(), P = mx.num_people();
  const std::uint32_t L = mx.num_layers();
  const int threads = resolve_threads(opt.threads);
  const int slots = std::max(threads, 1);
  require_memory(detail::concat("estimate_spread: multiplex workspaces for ", slots, " threads x ", n, " accounts"),
                 static_cast<double>(slots) * (24.0 * n + 4.0 * P) + 4.0 * n +
                     (opt.per_account ? static_cast<double>(slots + 2) * (n + P) * 8.0 : 0.0));
  const std::vector<std::uint32_t> vlayer = detail::multiplex_vertex_layers(mx);
  const std::span<const vertex_t> vperson = mx.vertex_people();
  struct Work {
    detail::CascadeWorkspace<IndependentCascade> cascade;
    std::vector<std::uint32_t> person_mark;
    std::uint32_t epoch = 0;
    std::vector<std::uint64_t> accounts, people;
  };
  std::vector<std::unique_ptr<Work>> ws(static_cast<std::size_t>(slots));
  const IndependentCascade ic;
  const std::span<const prob_t> seed_probs = opt.seed_probabilities;
  constexpr std::uint64_t batch = detail::mc_plain_batch;
  std::atomic<bool> stopped{false};
  auto last_poll = std::chrono::steady_clock::now();
  detail::SpreadAccumulator people_total;
  std::vector<detail::SpreadAccumulator> layer_total(L);
  std::vector<detail::MultiplexTally> tallies;
  constexpr std::uint64_t chunk = std::uint64_t{1} << 12;
  while (people_total.trials < opt.trials) {
    const std::uint64_t first = people_total.trials;
    const std::uint64_t b0 = first / batch;
    const std::uint64_t batches = std::min(chunk, (opt.trials - first + batch - 1) / batch);
    tallies.assign(batches, detail::MultiplexTally{});
    const double work = static_cast<double>(batches * batch) * (static_cast<double>(g.num_edges()) + n);
    const int round_threads = (batches >= 2 && work >= 2e6) ? threads : 1;
    parallel_for(0, batches, round_threads, [&](std::size_t i) {
      const int t = round_threads > 1 ? thread_index() : 0;
      if (t == 0) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_poll >= std::chrono::milliseconds(10)) {
          last_poll = now;
          if (opt.stop && opt.stop()) stopped.store(true, std::memory_order_relaxed);
        }
      }
      if (stopped.load(std::memory_order_relaxed)) return;
      auto& w = ws[static_cast<std::size_t>(t)];
      if (!w) {
        w = std::make_unique<Work>();
        w->cascade.resize(n);
        w->person_mark.assign(P, 0);
        if (opt.per_account) {
          w->accounts.assign(n, 0);
          w->people.assign(P, 0);
        }
      }
      const std::uint64_t b = b0 + i;
      const std::uint64_t end = std::min(opt.trials, (b + 1) * batch);
      auto& tally = tallies[i];
      tally.layers.assign(L, detail::BatchTally{});
      double reach[batch];
      std::vector<double> layer_reach(static_cast<std::size_t>(batch) * L, 0.0);
      unsigned count = 0;
      std::uint64_t edges = 0;
      for (std::uint64_t trial = b * batch; trial < end; ++trial, ++count) {
        if (++w->epoch == 0) {
          std::fill(w->person_mark.begin(), w->person_mark.end(), 0u);
          w->epoch = 1;
        }
        const std::uint32_t ep = w->epoch;
        Rng rng(opt.seed, trial, domain::trial);
        double r = 0;
        double* lr = layer_reach.data() + static_cast<std::size_t>(count) * L;
        edges += w->cascade.run(g, ic, seeds, seed_probs, opt.max_steps, rng,
                                [&](vertex_t v, vertex_t, std::uint32_t step) {
                                  const std::uint32_t l = vlayer[v];
                                  lr[l] += 1.0;
                                  tally.layers[l].add_step(step, 1.0);
                                  const vertex_t p = vperson[v];
                                  if (opt.per_account) ++w->accounts[v];
                                  if (w->person_mark[p] != ep) {
                                    w->person_mark[p] = ep;
                                    r += 1.0;
                                    tally.people.add_step(step, 1.0);
                                    if (opt.per_account) ++w->people[p];
                                  }
                                });
        reach[count] = r;
      }
      tally.people.set_reach(reach, count);
      tally.people.edges = edges;
      std::vector<double> col(count);
      for (std::uint32_t l = 0; l < L; ++l) {
        for (unsigned j = 0; j < count; ++j) col[j] = layer_reach[static_cast<std::size_t>(j) * L + l];
        tally.layers[l].set_reach(col.data(), count);
      }
    }, 1);
    if (stopped.load()) throw Interrupted();
    for (const auto& t : tallies) {
      people_total.merge(t.people);
      for (std::uint32_t l = 0; l < L; ++l) layer_total[l].merge(t.layers[l]);
    }
    check_stop(opt.stop);
  }
  MultiplexEstimate est;
  est.trials = people_total.trials;
  est.mean = people_total.mean;
  est.std_error = people_total.std_error();
  est.ci_low = est.mean - 1.959963984540054 * est.std_error;
  est.ci_high = est.mean + 1.959963984540054 * est.std_error;
  const double r = static_cast<double>(people_total.trials);
  for (double s : people_total.steps) est.new_per_step.push_back(s / r);
  est.layer_new_per_step.resize(L);
  for (std::uint32_t l = 0; l < L; ++l) {
    est.layer_mean.push_back(layer_total[l].mean);
    est.layer_std_error.push_back(layer_total[l].std_error());
    for (double s : layer_total[l].steps) est.layer_new_per_step[l].push_back(s / r);
  }
  if (opt.per_account) {
    est.activation_probability.assign(n, 0.0);
    est.person_probability.assign(P, 0.0);
    std::vector<std::uint64_t> sa(n, 0), sp(P, 0);
    for (const auto& w : ws) {
      if (!w || w->accounts.empty()) continue;
      for (vertex_t v = 0; v < n; ++v) sa[v] += w->accounts[v];
      for (vertex_t p = 0; p < P; ++p) sp[p] += w->people[p];
    }
    for (vertex_t v = 0; v < n; ++v) est.activation_probability[v] = static_cast<double>(sa[v]) / r;
    for (vertex_t p = 0; p < P; ++p) est.person_probability[p] = static_cast<double>(sp[p]) / r;
  }
  est.edges_examined = people_total.edges;
  est.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return est;
}

/// estimate_spread() with (person, layer) seeds.
inline MultiplexEstimate estimate_spread(const Multiplex& mx, std::span<const MultiplexSeed> seeds,
                                         const MonteCarloOptions& opt = {}) {
  const auto s = multiplex_seed_vertices(mx, seeds);
  return estimate_spread(mx, std::span<const vertex_t>(s), opt);
}

/// Exact people and per-layer reach of `seeds` (expanded vertices) by enumerating the 2^m live-
/// edge worlds of the expanded graph's uncertain edges (cross-post edges included), BFS
/// distance = activation step. Supports max_steps, seed_probabilities and max_worlds;
/// account_weights are refused. Cost O(worlds * (N + M)).
inline MultiplexExact exact_spread(const Multiplex& mx, std::span<const vertex_t> seeds, const ExactOptions& opt = {}) {
  const FollowerGraph& g = mx.expanded();
  detail::exact_validate(g, seeds, opt);
  KOLSIM_REQUIRE(opt.account_weights.empty(), "exact_spread: account_weights are not available on a multiplex");
  const vertex_t n = g.num_vertices(), P = mx.num_people();
  const std::uint32_t L = mx.num_layers();
  detail::ExactSetup setup;
  setup.live.assign(g.num_edges(), 0);
  setup.posts.assign(seeds.size(), 1);
  detail::exact_ic_choices(g, setup);
  const std::uint64_t worlds = detail::exact_finish_setup(opt, setup);
  const std::vector<std::uint32_t> vlayer = detail::multiplex_vertex_layers(mx);
  const auto vperson = mx.vertex_people();
  const auto off = g.out_offsets();
  const auto tgt = g.out_targets();
  MultiplexExact res;
  res.worlds = worlds;
  res.person_probability.assign(P, 0.0);
  res.activation_probability.assign(n, 0.0);
  std::vector<long double> people_steps;
  std::vector<std::vector<long double>> layer_steps(L);
  detail::ExactMoments people_m;
  std::vector<detail::ExactMoments> layer_m(L);
  std::vector<std::uint64_t> stamp(n, 0), pstamp(P, 0);
  std::vector<vertex_t> frontier, next;
  std::vector<double> lcount(L);
  std::vector<std::size_t> digit(setup.choices.size(), 0);
  for (std::uint64_t w = 0; w < worlds; ++w) {
    const std::uint64_t ep = w + 1;
    double prob = 1.0;
    for (std::size_t c = 0; c < setup.choices.size(); ++c) prob *= setup.choices[c].prob[digit[c]];
    frontier.clear();
    for (std::size_t i = 0; i < seeds.size(); ++i) {
      if (setup.posts[i] && stamp[seeds[i]] != ep) {
        stamp[seeds[i]] = ep;
        frontier.push_back(seeds[i]);
      }
    }
    std::fill(lcount.begin(), lcount.end(), 0.0);
    double people = 0;
    for (std::uint32_t step = 0; !frontier.empty(); ++step) {
      for (vertex_t v : frontier) {
        const std::uint32_t l = vlayer[v];
        lcount[l] += 1.0;
        if (layer_steps[l].size() <= step) layer_steps[l].resize(step + 1, 0.0L);
        layer_steps[l][step] += prob;
        res.activation_probability[v] += prob;
        const vertex_t p = vperson[v];
        if (pstamp[p] != ep) {
          pstamp[p] = ep;
          people += 1.0;
          if (people_steps.size() <= step) people_steps.resize(step + 1, 0.0L);
          people_steps[step] += prob;
          res.person_probability[p] += prob;
        }
      }
      if (step == opt.max_steps) break;
      next.clear();
      for (vertex_t u : frontier)
        for (edge_t e = off[u]; e < off[u + 1]; ++e)
          if (setup.live[e] && stamp[tgt[e]] != ep) {
            stamp[tgt[e]] = ep;
            next.push_back(tgt[e]);
          }
      frontier.swap(next);
    }
    people_m.add(prob, people);
    for (std::uint32_t l = 0; l < L; ++l) layer_m[l].add(prob, lcount[l]);
    detail::exact_next_world(setup, digit);
  }
  auto trim = [](std::vector<long double>& v) {
    while (!v.empty() && v.back() == 0.0L) v.pop_back();
    return std::vector<double>(v.begin(), v.end());
  };
  res.spread = static_cast<double>(people_m.sum);
  res.variance = people_m.variance();
  res.new_per_step = trim(people_steps);
  for (std::uint32_t l = 0; l < L; ++l) {
    res.layer_spread.push_back(static_cast<double>(layer_m[l].sum));
    res.layer_variance.push_back(layer_m[l].variance());
    res.layer_new_per_step.push_back(trim(layer_steps[l]));
  }
  return res;
}

/// exact_spread() with (person, layer) seeds.
inline MultiplexExact exact_spread(const Multiplex& mx, std::span<const MultiplexSeed> seeds,
                                   const ExactOptions& opt = {}) {
  const auto s = multiplex_seed_vertices(mx, seeds);
  return exact_spread(mx, std::span<const vertex_t>(s), opt);
}

/// Person-rooted RR sets of a multiplex (see the top of this file): RR set i draws only from
/// Rng(seed, i, domain): the root person uniformly over the P people, then a reverse search from
/// all the person's accounts in which every visited account keeps each in-edge with its
/// probability (IcTriggering's draw); accounts farther than max_depth reverse steps are not
/// expanded. The sets hold expanded vertices; total_weight() = P. root_weights are refused.
/// Collections are identical for any thread count; with one layer they equal those of
/// RRSampler<TriggeringModel<IcTriggering>> on the layer's graph.
template <>
class RRSampler<MultiplexIC> {
 public:
  RRSampler(const FollowerGraph& g, const MultiplexIC& model, std::uint32_t max_depth = UINT32_MAX,
            std::span<const double> root_weights = {}, int threads = 0)
      : g_(&g), mx_(model.multiplex), max_depth_(max_depth) {
    (void)threads;
    model.validate(g);
    KOLSIM_REQUIRE(mx_.num_people() > 0, "RR sampling: the multiplex has no people");
    KOLSIM_REQUIRE(root_weights.empty(), "RR sampling: root_weights are not available on a multiplex");
  }
  const FollowerGraph& graph() const noexcept { return *g_; }
  /// P: the estimator counts people.
  double total_weight() const noexcept { return static_cast<double>(mx_.num_people()); }
  std::size_t bytes() const noexcept { return 0; }
  void set_interleaved(bool) noexcept {}
  bool interleaved() const noexcept { return false; }
  void reserve_lanes(int lanes, int threads) {
    const std::size_t need = static_cast<std::size_t>(lanes) * static_cast<std::size_t>(resolve_threads(threads));
    if (scratch_.size() < need) scratch_.resize(need);
  }

  /// Appends RR sets first_index .. first_index + count - 1 to `out` (see RRSampler).
  void sample(std::uint64_t seed, std::uint32_t domain, std::uint64_t first_index, std::uint64_t count,
              RRCollection& out, int threads = 0, const StopToken& stop = {}, int lane = 0) {
    detail::sample_rr_one_by_one(scratch_, first_index, count, out, threads, stop, lane,
                                 [&](std::uint64_t i, RRCollection& dst, Scratch& s) { draw(seed, domain, i, dst, s); });
  }

 private:
  struct Scratch {
    std::vector<std::uint32_t> mark;
    std::uint32_t epoch = 0;
    std::vector<vertex_t> nodes;
    std::vector<edge_t> buf;
  };

  void draw(std::uint64_t seed, std::uint32_t domain, std::uint64_t index, RRCollection& out, Scratch& s) const {
    const vertex_t n = g_->num_vertices();
    if (s.mark.size() != n) s.mark.assign(n, 0);
    if (++s.epoch == 0) {
      std::fill(s.mark.begin(), s.mark.end(), 0u);
      s.epoch = 1;
    }
    Rng rng(seed, index, domain);
    const vertex_t root = rng.below(mx_.num_people());
    const vertex_t* in_src = g_->in_sources().data();
    s.nodes.clear();
    for (vertex_t x : mx_.accounts_of_person(root)) {
      s.nodes.push_back(x);
      s.mark[x] = s.epoch;
    }
    std::size_t head = 0, level_end = s.nodes.size();
    std::uint32_t depth = 0;
    const IcTriggering ic;
    while (head < s.nodes.size()) {
      if (head == level_end) {
        if (++depth >= max_depth_) break;
        level_end = s.nodes.size();
      }
      const vertex_t w = s.nodes[head++];
      s.buf.clear();
      ic.sample(*g_, w, rng, s.buf);
      for (edge_t j : s.buf) {
        const vertex_t u = in_src[j];
        if (s.mark[u] != s.epoch) {
          s.mark[u] = s.epoch;
          s.nodes.push_back(u);
        }
      }
    }
    out.push_set(s.nodes);
  }

  const FollowerGraph* g_;
  Multiplex mx_;
  std::uint32_t max_depth_;
  std::vector<Scratch> scratch_;
};

}  // namespace kolsim

// SPDX-License-Identifier: MIT
/// Tests for OPIM-C: exact spread vs the exact optimum on a trap instance where random and degree
/// selection fail the bound, near-optimal seeds on near ties (and the paper's earlier stop failing
/// that bar), and vs brute force on tiny graphs, the certified ratio never above
/// the true ratio, thread-count independence, candidates/fixed seeds, bad arguments.
#include <gtest/gtest.h>

#include "support.hpp"

#include <kolsim/estimate/exact.hpp>
#include <kolsim/graph/builder.hpp>
#include <kolsim/select/heuristics.hpp>
#include <kolsim/select/opim.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <vector>

using namespace kolsim;

namespace {

std::uint64_t test_seed() { return test_support::test_seed("test_opim", 777001ULL); }
using test_support::all_vertices;
using test_support::brute_opt;
using test_support::tiny_graph;

/// OPIM-C's spread is the validation collection's estimate, independent of the selection: it must
/// sit within 5 standard errors (of that collection's size) of the exact spread (normal tail
/// 6e-7, about test_delta).
void expect_spread_within_error(const OpimResult& r, double exact, double n) {
  ASSERT_GT(r.validation_sets, 0u);
  const double q = exact / n;
  const double se = n * std::sqrt(q * (1 - q) / static_cast<double>(r.validation_sets));
  EXPECT_NEAR(r.spread, exact, 5 * se + 1e-9) << r.validation_sets << " validation sets";
}

/// Every figure of two OPIM-C results is the same (the second run on `threads` threads).
void expect_same_result(const OpimResult& a, const OpimResult& b, int threads) {
  EXPECT_EQ(a.seeds, b.seeds) << threads << " threads";
  EXPECT_EQ(a.marginal_gains, b.marginal_gains);
  EXPECT_EQ(a.spread, b.spread);
  EXPECT_EQ(a.certified_ratio, b.certified_ratio);
  EXPECT_EQ(a.lower_bound, b.lower_bound);
  EXPECT_EQ(a.upper_bound, b.upper_bound);
  EXPECT_EQ(a.rounds, b.rounds);
  EXPECT_EQ(a.rr_sets, b.rr_sets);
  EXPECT_EQ(a.validation_sets, b.validation_sets);
}

/// OPIM-C's bookkeeping on a tiny graph (n = 12, 16 edges) against exact values, at failure
/// probability 1e-6. The (1 - 1/e - eps) check here is weak (on such graphs many seed pairs meet
/// it); NearOptimalWhereBaselinesFail is the quality test.
template <class M>
void check_quality(const M& model, bool lt, std::uint64_t gseed, double eps, std::size_t k) {
  auto g = tiny_graph(12, 16, gseed, lt);
  OpimOptions o;
  o.epsilon = eps;
  o.delta = test_support::test_delta;
  o.seed = test_seed();
  auto r = opim_c(g, model, k, o);
  ASSERT_EQ(r.seeds.size(), k);
  const double got = exact_spread(g, model, r.seeds).spread;
  const double opt = brute_opt(g, model, k, all_vertices(12), {});
  EXPECT_GE(got, (1 - 1 / std::exp(1.0) - eps) * opt) << M::name << " graph " << gseed;
  // Certified ratio never exceeds the true ratio; its parts bracket the truth.
  EXPECT_LE(r.certified_ratio, got / opt + 1e-12);
  EXPECT_LE(r.lower_bound, got + 1e-9);
  EXPECT_GE(r.upper_bound, opt - 1e-9);
  EXPECT_EQ(r.approximation, r.certified_ratio);
  EXPECT_GT(r.certified_ratio, 0.0);
  EXPECT_GE(r.rounds, 1);
  EXPECT_EQ(r.method, "opim_c");
  expect_spread_within_error(r, got, 12);
  EXPECT_GT(r.rr_sets, r.validation_sets);
}

}  // namespace

TEST(Opim, IndependentCascadeCertified) {
  for (std::uint64_t gs = 0; gs < 3; ++gs) check_quality(IndependentCascade{}, false, test_seed() + gs, 0.2, 2);
}

TEST(Opim, LinearThresholdCertified) {
  for (std::uint64_t gs = 0; gs < 3; ++gs) check_quality(LinearThreshold{}, true, test_seed() + 20 + gs, 0.2, 2);
}

TEST(Opim, ReachesTargetRatioOnLargerGraph) {
  auto g = tiny_graph(300, 1500, test_seed() + 25, false);
  OpimOptions o;
  o.epsilon = 0.1;
  o.seed = test_seed();
  auto r = opim_c(g, IndependentCascade{}, 10, o);
  EXPECT_GE(r.certified_ratio, 1 - 1 / std::exp(1.0) - 0.1);
  EXPECT_LE(r.lower_bound, r.spread);
  EXPECT_GE(r.upper_bound, r.spread);
}

// The trap instance (support.hpp): the 6 highest follower counts and random 6-sets fail the
// bound; OPIM-C's seeds must meet it by their exact (closed-form) spread, at delta = 1e-6, and
// its certificate must bracket the exact values.
TEST(Opim, NearOptimalWhereBaselinesFail) {
  const std::size_t k = 6;
  const double eps = 0.1;
  for (bool lt : {false, true}) {
    const test_support::TwoLayer t = test_support::trap_graph(lt);
    const double n = t.graph.num_vertices();
    const double opt = test_support::exact_optimum(
        [&](std::span<const vertex_t> s) { return test_support::two_layer_spread(t, s); }, t.sources, k);
    const double bound = (1 - 1 / std::exp(1.0) - eps) * opt;
    test_support::expect_baselines_fail(t, k, bound, top_degree(t.graph, k).seeds);
    OpimOptions o;
    o.epsilon = eps;
    o.delta = test_support::test_delta;
    o.seed = test_seed();
    const OpimResult r = lt ? opim_c(t.graph, LinearThreshold{}, k, o) : opim_c(t.graph, IndependentCascade{}, k, o);
    ASSERT_EQ(r.seeds.size(), k);
    const double got = test_support::two_layer_spread(t, r.seeds);
    std::printf("[%s] opim-c: exact spread %.3f, optimum %.3f, bound %.3f, certified %.4f, estimate %.3f\n",
                t.description.c_str(), got, opt, bound, r.certified_ratio, r.spread);
    EXPECT_GE(got, bound) << t.description;
    EXPECT_LE(r.certified_ratio, got / opt + 1e-12);
    EXPECT_LE(r.lower_bound, got + 1e-9);
    EXPECT_GE(r.upper_bound, opt - 1e-9);
    expect_spread_within_error(r, got, n);
  }
}

TEST(Opim, IdenticalForOneThreeAndSevenThreads) {
  auto g = tiny_graph(80, 400, test_seed() + 30, false);
  auto h = tiny_graph(80, 400, test_seed() + 31, true);
  OpimOptions o;
  o.epsilon = 0.1;
  o.seed = 11;
  auto run = [&](bool lt, int threads) {
    o.threads = threads;
    return lt ? opim_c(h, LinearThreshold{}, 5, o) : opim_c(g, IndependentCascade{}, 5, o);
  };
  for (bool lt : {false, true}) {
    const OpimResult a = run(lt, 1);
    for (int threads : {3, 7}) {
      expect_same_result(a, run(lt, threads), threads);
    }
  }
}

TEST(Opim, CandidatesAndFixedSeeds) {
  auto g = tiny_graph(12, 16, test_seed() + 40, false);
  OpimOptions o;
  o.seed = test_seed();
  const auto c = test_support::check_candidates_and_fixed(
      g, o, [&](const OpimOptions& x) { return opim_c(g, IndependentCascade{}, 2, x); }, false);
  EXPECT_LE(c.result.certified_ratio, c.exact / c.optimum + 1e-12);
  expect_spread_within_error(c.result, c.exact, 12);
}

TEST(Opim, DeadlineAndWeightedRoots) {
  auto g = tiny_graph(12, 16, test_seed() + 50, false);
  OpimOptions o;
  o.epsilon = 0.2;
  o.seed = test_seed();
  o.delta = test_support::test_delta;
  o.max_depth = 2;
  o.root_weights = {1, 0, 2, 0, 1, 3, 0, 1, 0, 2, 1, 0};
  auto r = opim_c(g, IndependentCascade{}, 2, o);
  ExactOptions eo;
  eo.max_steps = 2;
  eo.account_weights = o.root_weights;
  const double got = exact_spread(g, IndependentCascade{}, r.seeds, eo).spread;
  double opt = 0;
  for (vertex_t a = 0; a < 12; ++a)
    for (vertex_t b = a + 1; b < 12; ++b)
      opt = std::max(opt, exact_spread(g, IndependentCascade{}, std::vector<vertex_t>{a, b}, eo).spread);
  EXPECT_GE(got, (1 - 1 / std::exp(1.0) - 0.2) * opt);
  EXPECT_LE(r.certified_ratio, got / opt + 1e-12);
}

TEST(Opim, MemoryLimitAndBadArguments) {
  auto g = tiny_graph(12, 16, 1, false);
  OpimOptions o;
  o.memory_limit = 1000;
  EXPECT_THROW(opim_c(g, IndependentCascade{}, 2, o), MemoryLimitError);
  OpimOptions b;
  b.epsilon = 0;
  EXPECT_THROW(opim_c(g, IndependentCascade{}, 2, b), std::invalid_argument);
  b.epsilon = 1.5;
  EXPECT_THROW(opim_c(g, IndependentCascade{}, 2, b), std::invalid_argument);
  OpimOptions d;
  d.delta = 2;
  EXPECT_THROW(opim_c(g, IndependentCascade{}, 2, d), std::invalid_argument);
  OpimOptions c;
  EXPECT_THROW(opim_c(g, IndependentCascade{}, 0, c), std::invalid_argument);
  EXPECT_THROW(opim_c(g, IndependentCascade{}, 13, c), std::invalid_argument);
  c.fixed_seeds = {1, 1};
  EXPECT_THROW(opim_c(g, IndependentCascade{}, 1, c), std::invalid_argument);
  OpimOptions s;
  s.stop = [] { return true; };
  EXPECT_THROW(opim_c(g, IndependentCascade{}, 1, s), Interrupted);
  for (double bad : {0.5, 65.0, std::nan("")}) {
    OpimOptions r;
    r.selection_ratio = bad;
    EXPECT_THROW(opim_c(g, IndependentCascade{}, 1, r), std::invalid_argument) << bad;
  }
  for (double bad : {0.0, -0.1, 1.5, std::nan("")}) {
    OpimOptions r;
    r.max_selection_noise = bad;
    EXPECT_THROW(opim_c(g, IndependentCascade{}, 1, r), std::invalid_argument) << bad;
  }
}

// R1 (selection) is selection_ratio times R2 (validation) in every round; with the paper's
// equal sizes and with the default both certify and keep the guarantee, and on 1 and 2 threads
// (where R1's tail is drawn on the second lane) the collections are the same.
TEST(Opim, SelectionRatioSizesTheCollections) {
  auto g = tiny_graph(300, 1500, test_seed() + 60, false);
  for (double ratio : {1.0, 3.0, 4.5}) {
    OpimOptions o;
    o.epsilon = 0.1;
    o.seed = test_seed();
    o.selection_ratio = ratio;
    o.threads = 1;
    const auto a = opim_c(g, IndependentCascade{}, 10, o);
    o.threads = 2;
    const auto b = opim_c(g, IndependentCascade{}, 10, o);
    const auto r2 = a.validation_sets;
    EXPECT_EQ(a.rr_sets, r2 + static_cast<std::uint64_t>(std::ceil(ratio * static_cast<double>(r2)))) << ratio;
    EXPECT_GE(a.certified_ratio, 1 - 1 / std::exp(1.0) - 0.1);
    EXPECT_EQ(a.seeds, b.seeds);
    EXPECT_EQ(a.rr_sets, b.rr_sets);
    EXPECT_EQ(a.spread, b.spread);
    EXPECT_EQ(a.certified_ratio, b.certified_ratio);
  }
}

namespace {

/// Near ties (two-layer, see test_support::TwoLayer; n = 1,294, 1,440 edges): 14 hubs share one
/// audience of 40 at p = 0.03 (the highest follower counts, worth 2.2 alone); 40 "band" sources
/// own 20 followers each at p = 0.40, 0.41, ..., 0.79 (worth 9.0 .. 16.8, 0.2 apart: distinct,
/// so the exact greedy and the optimum are unique and equal, the band's top k); 100 fillers own
/// 2 followers at 0.3 (1.6). Telling band sources 0.2 apart needs many RR sets: a greedy
/// decided by sampling noise swaps them.
test_support::TwoLayer near_tie_graph() {
  std::vector<vertex_t> s, t;
  std::vector<prob_t> p;
  vertex_t next = 154;  // audience ids start after the 154 sources
  auto follow = [&](vertex_t src, vertex_t count, double prob) {
    for (vertex_t j = 0; j < count; ++j) {
      s.push_back(src);
      t.push_back(next + j);
      p.push_back(static_cast<prob_t>(prob));
    }
  };
  for (vertex_t h = 0; h < 14; ++h) follow(h, 40, 0.03);
  next += 40;
  for (vertex_t b = 0; b < 40; ++b, next += 20) follow(14 + b, 20, 0.40 + 0.01 * b);
  for (vertex_t f = 54; f < 154; ++f, next += 2) follow(f, 2, 0.3);
  return {build_graph_dense(next, s, t, p), all_vertices(154), false, "near ties IC"};
}

/// The band sum of the best k band sources (the optimum and the exact greedy of near_tie_graph).
double near_tie_optimum(std::size_t k) {
  double opt = 0;
  for (std::size_t j = 0; j < k; ++j) opt += 1 + 20 * static_cast<double>(static_cast<prob_t>(0.40 + 0.01 * (39 - j)));
  return opt;
}

/// Mean relative loss (1 - exact spread / OPT) of OPIM-C's seeds on near_tie_graph over seeds
/// 1..10 at epsilon 0.1, delta 1e-6, k = 15; `worst` receives the largest.
double near_tie_mean_loss(double max_noise, double& worst) {
  const std::size_t k = 15;
  const test_support::TwoLayer t = near_tie_graph();
  const double opt = near_tie_optimum(k);
  double sum = 0;
  worst = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    OpimOptions o;
    o.epsilon = 0.1;
    o.delta = test_support::test_delta;
    o.seed = seed;
    o.max_selection_noise = max_noise;
    const OpimResult r = opim_c(t.graph, IndependentCascade{}, k, o);
    const double got = test_support::two_layer_spread(t, r.seeds);
    EXPECT_LE(r.certified_ratio, got / opt + 1e-12);
    // The stopping rule: the greedy's noise sum sqrt(m_i) / coverage on R1 is within the bound.
    const double th1 = static_cast<double>(r.rr_sets - r.validation_sets);
    double noise = 0, cover = 0;
    for (double gain : r.marginal_gains) {
      const double m = std::round(gain * th1 / t.graph.num_vertices());
      noise += std::sqrt(m);
      cover += m;
    }
    EXPECT_LE(noise / cover, max_noise + 1e-12) << "seed " << seed;
    std::printf("max noise %.2f seed %llu: rounds %d, |R1| %.0f, noise %.4f, exact spread %.1f of %.1f\n", max_noise,
                static_cast<unsigned long long>(seed), r.rounds, th1, noise / cover, got, opt);
    sum += 1 - got / opt;
    worst = std::max(worst, 1 - got / opt);
  }
  return sum / 10;
}

}  // namespace

// Quality beyond the certificate (issue 15, goal 5): on near ties, where degree and random
// selection fail even the (1 - 1/e - epsilon) bound, the resolved greedy (noise <= 0.07: picks
// known to ~7%) loses at most 2% of the exact optimum on any of 10 seeds and 1.5% on average
// (measured: 0.2-1.6%, mean 0.85%). The paper's stopping rule loses 1.9% on average there, up to 2.9%
// (next test; with max_selection_noise = 1 as the default both checks here fail).
TEST(Opim, ResolvedSelectionNearOptimalOnNearTies) {
  const std::size_t k = 15;
  const test_support::TwoLayer t = near_tie_graph();
  const double opt = near_tie_optimum(k);
  EXPECT_NEAR(test_support::exact_optimum(
                  [&](std::span<const vertex_t> s) { return test_support::two_layer_spread(t, s); }, t.sources, k),
              opt, 1e-9);
  test_support::expect_baselines_fail(t, k, (1 - 1 / std::exp(1.0) - 0.1) * opt, top_degree(t.graph, k).seeds);
  double worst = 0;
  const double mean = near_tie_mean_loss(OpimOptions{}.max_selection_noise, worst);
  EXPECT_LE(mean, 0.015);
  EXPECT_LE(worst, 0.02);
}

// A planted too-early stop: the paper's rule (first certified round, max_selection_noise = 1)
// stops at a quarter to half of the RR sets on the same instance and fails the bar above.
TEST(Opim, TooEarlyStopFailsTheNearTieBar) {
  double worst = 0;
  const double mean = near_tie_mean_loss(1.0, worst);
  EXPECT_GT(mean, 0.015) << "the near-tie check cannot tell the paper's early stop from the resolved one";
}

TEST(Opim, ResolutionStep) {
  MaxCoverageResult mc;
  mc.marginal = {100, 100};  // noise 20 / 200 = 0.1
  mc.coverage = 200;
  EXPECT_EQ(detail::opim_resolution_step(mc, 0.1, 10), 0);
  EXPECT_EQ(detail::opim_resolution_step(mc, 0.08, 10), 1);   // 0.1 / sqrt 2 = 0.0707
  EXPECT_EQ(detail::opim_resolution_step(mc, 0.07, 10), 2);   // 0.05
  EXPECT_EQ(detail::opim_resolution_step(mc, 0.001, 3), 3);   // capped by the rounds left
  EXPECT_EQ(detail::opim_resolution_step(mc, 1.0, 10), 0);
  mc.marginal = {0, 0};
  mc.coverage = 0;
  EXPECT_EQ(detail::opim_resolution_step(mc, 0.07, 10), 0);  // nothing covered: nothing to resolve
}

// The resolved rule's jumps (several doublings at once) on 1, 3 and 7 threads: the same result.
TEST(Opim, NearTiesIdenticalForOneThreeAndSevenThreads) {
  const test_support::TwoLayer t = near_tie_graph();
  OpimOptions o;
  o.epsilon = 0.5;  // certified in round 1; the noise makes it jump
  o.seed = 5;
  auto run = [&](int threads) {
    o.threads = threads;
    return opim_c(t.graph, IndependentCascade{}, 15, o);
  };
  const OpimResult a = run(1);
  EXPECT_GT(a.rounds, 2);
  for (int threads : {3, 7}) {
    expect_same_result(a, run(threads), threads);
  }
}

// SPDX-License-Identifier: MIT
/// Tests for IMM: exact spread of the returned seeds vs the exact optimum on a trap instance where
/// random and degree selection fail the bound, and vs brute force on tiny graphs (IC and LT),
/// thread-count independence, candidates and fixed seeds, limits and bad arguments.
#include <gtest/gtest.h>

#include "support.hpp"

#include <kolsim/estimate/exact.hpp>
#include <kolsim/graph/builder.hpp>
#include <kolsim/select/heuristics.hpp>
#include <kolsim/select/imm.hpp>

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

std::uint64_t test_seed() { return test_support::test_seed("test_imm", 424242ULL); }
using test_support::all_vertices;
using test_support::brute_opt;
using test_support::tiny_graph;

/// IMM's bookkeeping on a tiny graph (n = 12, 16 edges) against exact values, at failure
/// probability 1e-6. The (1 - 1/e - eps) check here is weak (on such graphs many seed pairs meet
/// it); NearOptimalWhereBaselinesFail is the quality test.
template <class M>
void check_quality(const M& model, bool lt, std::uint64_t gseed, double eps, std::size_t k) {
  auto g = tiny_graph(12, 16, gseed, lt);
  ImmOptions o;
  o.epsilon = eps;
  o.ell = test_support::ell_for_test_delta(12);
  o.seed = test_seed();
  auto r = imm(g, model, k, o);
  ASSERT_EQ(r.seeds.size(), k);
  const double got = exact_spread(g, model, r.seeds).spread;
  const double opt = brute_opt(g, model, k, all_vertices(12), {});
  EXPECT_GE(got, (1 - 1 / std::exp(1.0) - eps) * opt) << M::name << " graph " << gseed;
  EXPECT_EQ(r.method, "imm");
  EXPECT_NEAR(r.approximation, 1 - 1 / std::exp(1.0) - eps, 1e-12);
  EXPECT_GE(r.rr_sets, r.theta);
  EXPECT_GT(r.theta, 0u);
  EXPECT_GT(r.lower_bound, 0.0);
  EXPECT_LE(r.lower_bound, opt * 1.0001);
  EXPECT_EQ(r.marginal_gains.size(), k);
  double sum = 0;
  for (double x : r.marginal_gains) sum += x;
  EXPECT_NEAR(sum, r.spread, 1e-9 * r.spread);
  EXPECT_NEAR(r.spread, got, test_support::selection_estimate_tolerance(got, 12, r.theta, 12, k));
  EXPECT_GT(r.peak_bytes, 0u);
}

}  // namespace

TEST(Imm, IndependentCascadeNearOptimal) {
  for (std::uint64_t gs = 0; gs < 3; ++gs) check_quality(IndependentCascade{}, false, test_seed() + gs, 0.2, 2);
}

TEST(Imm, LinearThresholdNearOptimal) {
  for (std::uint64_t gs = 0; gs < 3; ++gs) check_quality(LinearThreshold{}, true, test_seed() + 20 + gs, 0.2, 2);
}

// The lower-bound phase's epsilon' is free in IMM's analysis: the automatic choice (fewest RR
// sets) and the paper's sqrt(2) * epsilon both keep the guarantee; the chosen value is reported
// and an explicit one is honoured.
TEST(Imm, EstimationEpsilonChoice) {
  check_quality(IndependentCascade{}, false, test_seed() + 40, 0.2, 2);
  auto g = tiny_graph(12, 16, test_seed() + 41, false);
  const double opt = brute_opt(g, IndependentCascade{}, 2, all_vertices(12), {});
  ImmOptions a;
  a.epsilon = 0.2;
  a.ell = test_support::ell_for_test_delta(12);
  a.seed = test_seed();
  const ImmResult ra = imm(g, IndependentCascade{}, 2, a);
  EXPECT_GT(ra.estimation_epsilon, 0.0);
  EXPECT_LT(ra.estimation_epsilon, 1.0);
  const double ea = detail::imm_best_estimation_epsilon(1e6, 50.0, 100.0);
  // The minimiser beats its neighbours and the paper's choice on the cost it minimises.
  auto cost = [](double ep) {
    return (1 + ep) * (1e6 + detail::imm_lambda_prime(ep, 50.0, 100.0) / std::log(2.0));
  };
  EXPECT_LE(cost(ea), cost(ea * 0.9));
  EXPECT_LE(cost(ea), cost(std::min(0.99, ea * 1.1)));
  ImmOptions b = a;
  b.estimation_epsilon = std::sqrt(2.0) * 0.2;
  const ImmResult rb = imm(g, IndependentCascade{}, 2, b);
  EXPECT_DOUBLE_EQ(rb.estimation_epsilon, std::sqrt(2.0) * 0.2);
  const double e1 = 1 - 1 / std::exp(1.0);
  for (const ImmResult* r : {&ra, &rb}) {
    std::vector<vertex_t> s(r->seeds.begin(), r->seeds.end());
    EXPECT_GE(exact_spread(g, IndependentCascade{}, s).spread, (e1 - 0.2) * opt * (1 - 1e-9));
    EXPECT_LE(r->lower_bound, opt * 1.0001);
  }
  ImmOptions bad = a;
  bad.estimation_epsilon = 1.0;
  EXPECT_THROW(imm(g, IndependentCascade{}, 2, bad), std::invalid_argument);
  bad.estimation_epsilon = -0.1;
  EXPECT_THROW(imm(g, IndependentCascade{}, 2, bad), std::invalid_argument);
}

// The trap instance (support.hpp): the 6 highest follower counts and random 6-sets fail the
// bound, so this checks that IMM finds the few good sources, by their exact (closed-form) spread
// against the exact optimum, at failure probability 1/n^ell <= 1e-6.
TEST(Imm, NearOptimalWhereBaselinesFail) {
  const std::size_t k = 6;
  const double eps = 0.1;
  for (bool lt : {false, true}) {
    const test_support::TwoLayer t = test_support::trap_graph(lt);
    const double opt = test_support::exact_optimum(
        [&](std::span<const vertex_t> s) { return test_support::two_layer_spread(t, s); }, t.sources, k);
    const double bound = (1 - 1 / std::exp(1.0) - eps) * opt;
    test_support::expect_baselines_fail(t, k, bound, top_degree(t.graph, k).seeds);
    ImmOptions o;
    o.epsilon = eps;
    o.ell = test_support::ell_for_test_delta(t.graph.num_vertices());
    o.seed = test_seed();
    const ImmResult r = lt ? imm(t.graph, LinearThreshold{}, k, o) : imm(t.graph, IndependentCascade{}, k, o);
    ASSERT_EQ(r.seeds.size(), k);
    const double got = test_support::two_layer_spread(t, r.seeds);
    std::printf("[%s] imm: exact spread %.3f, optimum %.3f, bound %.3f, own estimate %.3f on %llu sets\n",
                t.description.c_str(), got, opt, bound, r.spread, static_cast<unsigned long long>(r.theta));
    EXPECT_GE(got, bound) << t.description;
    EXPECT_LE(got, opt + 1e-9);
    EXPECT_LE(r.lower_bound, opt * (1 + 1e-9));
    EXPECT_NEAR(r.spread, got,
                test_support::selection_estimate_tolerance(got, t.graph.num_vertices(), r.theta,
                                                           t.graph.num_vertices(), k));
  }
}

TEST(Imm, IdenticalForOneThreeAndSevenThreads) {
  auto g = tiny_graph(80, 400, test_seed() + 30, false);
  auto h = tiny_graph(80, 400, test_seed() + 31, true);
  ImmOptions o;
  o.epsilon = 0.2;
  o.seed = 11;
  auto run = [&](bool lt, int threads) {
    o.threads = threads;
    return lt ? imm(h, LinearThreshold{}, 5, o) : imm(g, IndependentCascade{}, 5, o);
  };
  for (bool lt : {false, true}) {
    const ImmResult a = run(lt, 1);
    for (int threads : {3, 7}) {
      const ImmResult b = run(lt, threads);
      EXPECT_EQ(a.seeds, b.seeds) << threads << " threads, lt " << lt;
      EXPECT_EQ(a.marginal_gains, b.marginal_gains);
      EXPECT_EQ(a.spread, b.spread);
      EXPECT_EQ(a.rr_sets, b.rr_sets);
      EXPECT_EQ(a.theta, b.theta);
      EXPECT_EQ(a.lower_bound, b.lower_bound);
    }
  }
}

TEST(Imm, CandidatesAndFixedSeeds) {
  auto g = tiny_graph(12, 16, test_seed() + 40, false);
  ImmOptions o;
  o.seed = test_seed();
  test_support::check_candidates_and_fixed(g, o, [&](const ImmOptions& x) { return imm(g, IndependentCascade{}, 2, x); });
  // Fixed seed 0 is also a candidate: it must never be returned.
  o.epsilon = 0.2;
  o.fixed_seeds = {0};
  o.candidates = {0, 1, 2};
  auto q = imm(g, IndependentCascade{}, 2, o);
  for (vertex_t s : q.seeds) EXPECT_NE(s, 0u);
}

TEST(Imm, DeadlineAndWeightedRoots) {
  auto g = tiny_graph(12, 16, test_seed() + 50, false);
  ImmOptions o;
  o.epsilon = 0.2;
  o.seed = test_seed();
  o.ell = test_support::ell_for_test_delta(12);
  o.max_depth = 1;
  o.root_weights = {1, 0, 2, 0, 1, 3, 0, 1, 0, 2, 1, 0};
  auto r = imm(g, IndependentCascade{}, 2, o);
  ExactOptions eo;
  eo.max_steps = 1;
  eo.account_weights = o.root_weights;
  const double got = exact_spread(g, IndependentCascade{}, r.seeds, eo).spread;
  double opt = 0;
  for (vertex_t a = 0; a < 12; ++a)
    for (vertex_t b = a + 1; b < 12; ++b)
      opt = std::max(opt, exact_spread(g, IndependentCascade{}, std::vector<vertex_t>{a, b}, eo).spread);
  EXPECT_GE(got, (1 - 1 / std::exp(1.0) - 0.2) * opt);
}

TEST(Imm, MemoryLimitAndBadArguments) {
  auto g = tiny_graph(12, 16, 1, false);
  ImmOptions o;
  o.memory_limit = 1000;
  EXPECT_THROW(imm(g, IndependentCascade{}, 2, o), MemoryLimitError);
  ImmOptions b;
  b.epsilon = 0;
  EXPECT_THROW(imm(g, IndependentCascade{}, 2, b), std::invalid_argument);
  b.epsilon = 1;
  EXPECT_THROW(imm(g, IndependentCascade{}, 2, b), std::invalid_argument);
  b.epsilon = 0.1;
  b.ell = 0;
  EXPECT_THROW(imm(g, IndependentCascade{}, 2, b), std::invalid_argument);
  ImmOptions c;
  EXPECT_THROW(imm(g, IndependentCascade{}, 0, c), std::invalid_argument);
  EXPECT_THROW(imm(g, IndependentCascade{}, 13, c), std::invalid_argument);
  c.candidates = {1, 2};
  EXPECT_THROW(imm(g, IndependentCascade{}, 3, c), std::invalid_argument);
  c.candidates = {1, 99};
  EXPECT_THROW(imm(g, IndependentCascade{}, 1, c), std::out_of_range);
  ImmOptions w;
  w.root_weights = {1, 2};
  EXPECT_THROW(imm(g, IndependentCascade{}, 1, w), std::invalid_argument);
  ImmOptions s;
  s.stop = [] { return true; };
  EXPECT_THROW(imm(g, IndependentCascade{}, 1, s), Interrupted);
}

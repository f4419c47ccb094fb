// SPDX-License-Identifier: MIT
/// Tests for IMM: exact spread of the returned seeds vs the exact optimum on a trap instance where
/// random and degree selection fail the bound, and vs brute force on tiny graphs (IC and LT),
/// both lower-bound phases (validated: its bound's coverage and its LB <= OPT over many seeds;
/// classic), thread-count independence, candidates and fixed seeds, limits and bad arguments.
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
  a.bound_phase = ImmBoundPhase::classic;
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
  b.bound_phase = ImmBoundPhase::validated;  // an explicit eps' selects the classic phase
  b.estimation_epsilon = std::sqrt(2.0) * 0.2;
  const ImmResult rb = imm(g, IndependentCascade{}, 2, b);
  EXPECT_DOUBLE_EQ(rb.estimation_epsilon, std::sqrt(2.0) * 0.2);
  a.estimation_epsilon = std::sqrt(2.0) * 0.2;
  const ImmResult rc = imm(g, IndependentCascade{}, 2, a);
  EXPECT_EQ(rb.lower_bound, rc.lower_bound);
  EXPECT_EQ(rb.rr_sets, rc.rr_sets);
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

// The validated phase's bound (OPIM-C's lower tail) on binomial counts with a known rate: it
// may exceed the true spread with probability <= exp(-a) and no more (a bound made optimistic,
// e.g. a / 4 or the point estimate, exceeds it in 10-50% of draws), and it is not vacuous.
TEST(Imm, ValidatedBoundHoldsWithItsProbabilityAndIsTight) {
  std::mt19937_64 rng(test_seed());
  const double delta = 0.02, a = std::log(1.0 / delta), scale = 1000.0;
  int over = 0, draws = 0;
  double ratio_sum = 0;
  for (double q : {0.01, 0.05, 0.3}) {
    for (double sets : {500.0, 4000.0}) {
      std::binomial_distribution<std::uint64_t> bin(static_cast<std::uint64_t>(sets), q);
      for (int t = 0; t < 4000; ++t, ++draws) {
        const double lb = detail::martingale_lower_bound(static_cast<double>(bin(rng)), sets, scale, a);
        EXPECT_GE(lb, 0.0);
        over += lb > q * scale;
        if (sets == 4000.0 && q == 0.3) ratio_sum += lb / (q * scale);
      }
    }
  }
  std::printf("bound above the true spread in %d of %d draws (delta %.3f); mean LB / spread %.4f at q 0.3, "
              "4000 sets\n", over, draws, delta, ratio_sum / 4000);
  // Binomial tail of the allowed count: delta * draws + 4 sd.
  EXPECT_LE(over, delta * draws + 4 * std::sqrt(delta * draws));
  // Relative margin ~ sqrt(2 a / cov) = 0.08 at cov = 1200: LB is within 10% of the spread.
  EXPECT_GE(ratio_sum / 4000, 0.90);
}

// The validated phase's failure budget: its rounds' bounds fail together with probability
// <= 1/(2 n^ell) (half of IMM's 1/n^ell; the final phase has the other half), and not much less.
TEST(Imm, ValidatedPhaseFailureBudget) {
  for (double n : {12.0, 1000.0, 15229.0})
    for (double ell : {1.0, 2.5})
      for (int rounds : {1, 9, 26}) {
        ImmOptions o;
        o.ell = ell;
        const detail::ImmParams p = detail::imm_params(n, static_cast<vertex_t>(n), static_cast<std::size_t>(n), 2, o);
        const double a = detail::imm_validation_confidence(p, rounds);
        const double fail = rounds * std::exp(-a), budget = 0.5 / std::pow(n, ell);
        EXPECT_LE(fail, budget * (1 + 1e-9)) << n << " " << ell << " " << rounds;
        EXPECT_GE(fail, budget * 0.99) << n << " " << ell << " " << rounds;
      }
}

// The guarantee-relevant quantity of the validated phase: LB <= OPT (exact optimum by brute
// force) in every run, at delta = 1e-6, over many seeds on tiny IC and LT graphs where greedy
// finds optimal or near-optimal sets (so an optimistic bound lands above OPT in a large share
// of runs); the seeds also meet the (1 - 1/e - eps) bound, by their exact spread.
TEST(Imm, ValidatedLowerBoundNeverAboveExactOptimum) {
  const double e1 = 1 - 1 / std::exp(1.0);
  int runs = 0;
  double worst = 0;
  for (bool lt : {false, true}) {
    auto g = tiny_graph(12, 16, test_seed() + (lt ? 61 : 60), lt);
    const IndependentCascade ic;
    const LinearThreshold ltm;
    // Exact spread of every pair, once.
    std::vector<double> pair(144, 0.0);
    double opt = 0;
    for (vertex_t u = 0; u < 12; ++u)
      for (vertex_t v = u + 1; v < 12; ++v) {
        const std::vector<vertex_t> s2{u, v};
        pair[u * 12 + v] = pair[v * 12 + u] = lt ? exact_spread(g, ltm, s2).spread : exact_spread(g, ic, s2).spread;
        opt = std::max(opt, pair[u * 12 + v]);
      }
    for (std::uint64_t s = 0; s < 40; ++s, ++runs) {
      ImmOptions o;
      o.epsilon = 0.3;
      o.ell = test_support::ell_for_test_delta(12);
      o.seed = test_seed() * 131 + s;
      const ImmResult r = lt ? imm(g, ltm, 2, o) : imm(g, ic, 2, o);
      ASSERT_EQ(r.seeds.size(), 2u);
      ASSERT_GT(r.bound_rounds, 0);
      EXPECT_GT(r.lower_bound, 0.0);
      EXPECT_LE(r.lower_bound, opt * (1 + 1e-12)) << "lt " << lt << " seed " << o.seed;
      worst = std::max(worst, r.lower_bound / opt);
      EXPECT_GE(pair[r.seeds[0] * 12 + r.seeds[1]], (e1 - 0.3) * opt * (1 - 1e-9));
      EXPECT_GE(r.rr_sets, r.theta);
      if (s % 8 == 0) {  // theta = ceil(lambda* / LB) with the classic phase's lambda*, which
                         // lies in ((theta_c - 1) LB_c, theta_c LB_c]
        o.bound_phase = ImmBoundPhase::classic;
        const ImmResult c = lt ? imm(g, ltm, 2, o) : imm(g, ic, 2, o);
        const double tc = static_cast<double>(c.theta), q = c.lower_bound / r.lower_bound;
        EXPECT_GE(static_cast<double>(r.theta), std::floor((tc - 1) * q));
        EXPECT_LE(static_cast<double>(r.theta), std::ceil(tc * q) + 1);
      }
    }
  }
  std::printf("validated phase: largest LB / OPT over %d runs %.3f\n", runs, worst);
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
  for (ImmBoundPhase phase : {ImmBoundPhase::validated, ImmBoundPhase::classic})
  for (bool lt : {false, true}) {
    o.bound_phase = phase;
    const ImmResult a = run(lt, 1);
    for (int threads : {3, 7}) {
      const ImmResult b = run(lt, threads);
      EXPECT_EQ(a.seeds, b.seeds) << threads << " threads, lt " << lt << " classic " << (phase == ImmBoundPhase::classic);
      EXPECT_EQ(a.bound_rounds, b.bound_rounds);
      EXPECT_EQ(a.estimation_epsilon, b.estimation_epsilon);
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
  ImmOptions v;
  v.validation_ratio = 0.5;
  EXPECT_THROW(imm(g, IndependentCascade{}, 1, v), std::invalid_argument);
  v.validation_ratio = std::nan("");
  EXPECT_THROW(imm(g, IndependentCascade{}, 1, v), std::invalid_argument);
  ImmOptions w;
  w.root_weights = {1, 2};
  EXPECT_THROW(imm(g, IndependentCascade{}, 1, w), std::invalid_argument);
  ImmOptions s;
  s.stop = [] { return true; };
  EXPECT_THROW(imm(g, IndependentCascade{}, 1, s), Interrupted);
}

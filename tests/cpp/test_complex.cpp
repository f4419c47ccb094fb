// SPDX-License-Identifier: MIT
/// Complex contagion: closed forms and exact enumeration on tiny graphs, Monte Carlo within
/// 6 sigma, k = 1 equals IC, the non-submodularity counterexample, greedy vs brute force, thread
/// invariance.
#include <kolsim/select/complex_greedy.hpp>

#include <gtest/gtest.h>

#include <cmath>

#include "support.hpp"

using namespace kolsim;
using kolsim::test_support::make_graph;
using kolsim::test_support::tiny_graph;

namespace {
std::uint64_t seed() { return test_support::test_seed("test_complex", 20261204); }
}  // namespace

TEST(Complex, NotSubmodularCounterexample) {
  // a -> c, b -> c, c -> d; k = 2, deterministic exposures.
  const auto g = make_graph(4, {{0, 2}, {1, 2}, {2, 3}}, {1.f, 1.f, 1.f});
  const auto m = ComplexContagion::k_exposure(2);
  auto f = [&](std::vector<vertex_t> s) { return exact_spread(g, m, s).spread; };
  EXPECT_EQ(f({}), 0.0);
  EXPECT_EQ(f({0}), 1.0);
  EXPECT_EQ(f({1}), 1.0);
  EXPECT_EQ(f({0, 1}), 3.0);  // c adopts; d has one exposure only (k = 2)
  EXPECT_GT(f({0, 1}) - f({0}), f({1}) - f({}));  // diminishing returns violated
  // Fractional threshold 1/2: d (one in-neighbour) needs 1, c (two) needs 1: IC-like reach.
  EXPECT_EQ(exact_spread(g, ComplexContagion::fractional(0.5), std::vector<vertex_t>{0}).spread, 3.0);
  EXPECT_EQ(exact_spread(g, ComplexContagion::fractional(1.0), std::vector<vertex_t>{0}).spread, 1.0);
}

TEST(Complex, FractionalThresholdRoundsUp) {
  // Three parents of d, deterministic, q = 1/2: d needs ceil(1.5) = 2 exposures.
  const auto g = make_graph(4, {{0, 3}, {1, 3}, {2, 3}}, {1.f, 1.f, 1.f});
  const auto m = ComplexContagion::fractional(0.5);
  EXPECT_EQ(exact_spread(g, m, std::vector<vertex_t>{0}).spread, 1.0);
  EXPECT_EQ(exact_spread(g, m, std::vector<vertex_t>{0, 1}).spread, 3.0);
  EXPECT_EQ(exact_spread(g, ComplexContagion::fractional(0.34), std::vector<vertex_t>{0}).spread, 1.0);
  EXPECT_EQ(exact_spread(g, ComplexContagion::fractional(0.33), std::vector<vertex_t>{0}).spread, 2.0);
}

TEST(Complex, ClosedFormTwoParents) {
  // a -> c (x), b -> c (y), seeds {a, b}, k = 2 with edge probabilities: c needs both: x*y.
  const auto g = make_graph(3, {{0, 2}, {1, 2}}, {0.3f, 0.6f});
  auto m = ComplexContagion::k_exposure(2, -1.0);
  const std::vector<vertex_t> s{0, 1};
  EXPECT_NEAR(exact_spread(g, m, s).spread, 2.0 + 0.3 * 0.6, 1e-6);
  m.exposure_probability = 0.5;
  EXPECT_NEAR(exact_spread(g, m, s).spread, 2.25, 1e-12);
  EXPECT_NEAR(exact_spread(g, ComplexContagion::k_exposure(1, -1.0), s).spread, 2.0 + 1 - 0.7 * 0.4, 1e-6);
}

TEST(Complex, KOneEqualsIndependentCascade) {
  for (std::uint64_t i = 0; i < 5; ++i) {
    const auto g = tiny_graph(6, 10, seed() + i, false);
    const std::vector<vertex_t> s{static_cast<vertex_t>(i)};
    for (std::uint32_t steps : {1u, 3u, UINT32_MAX}) {
      ExactOptions eo;
      eo.max_steps = steps;
      const auto a = exact_spread(g, ComplexContagion::k_exposure(1, -1.0), s, eo);
      const auto b = exact_spread(g, IndependentCascade{}, s, eo);
      EXPECT_NEAR(a.spread, b.spread, 1e-9);
      EXPECT_NEAR(a.variance, b.variance, 1e-8);
      for (vertex_t v = 0; v < 6; ++v) EXPECT_NEAR(a.activation_probability[v], b.activation_probability[v], 1e-9);
    }
  }
}

TEST(Complex, MonteCarloWithinSixSigma) {
  const std::uint64_t trials = 20000;
  for (std::uint64_t i = 0; i < 4; ++i) {
    const auto g = tiny_graph(8, 18, seed() + 10 + i, false, 0.3);
    const std::vector<vertex_t> s{0, 1, 2};
    for (const auto& m : {ComplexContagion::k_exposure(2, -1.0), ComplexContagion::k_exposure(2, 0.7),
                          ComplexContagion::fractional(0.5, 0.8), ComplexContagion::fractional(0.34, -1.0)}) {
      const auto ex = exact_spread(g, m, s);
      MonteCarloOptions mo;
      mo.trials = trials;
      mo.seed = seed() + i;
      const auto mc = estimate_spread(g, m, s, mo);
      EXPECT_NEAR(mc.mean, ex.spread, 6.0 * std::sqrt(ex.variance / trials) + 1e-9) << "graph " << i;
    }
  }
}

TEST(Complex, ThreadInvariance) {
  const auto g = tiny_graph(500, 4000, seed() + 3, false, 0.3);
  const std::vector<vertex_t> s{1, 2, 3, 4, 5, 6};
  const auto m = ComplexContagion::fractional(0.2, -1.0);
  MonteCarloOptions a;
  a.trials = 2000;
  a.seed = 5;
  a.threads = 1;
  a.per_account = true;
  MonteCarloOptions b = a;
  b.threads = 3;
  const auto x = estimate_spread(g, m, s, a), y = estimate_spread(g, m, s, b);
  EXPECT_EQ(x.mean, y.mean);
  EXPECT_EQ(x.std_error, y.std_error);
  EXPECT_EQ(x.activation_probability, y.activation_probability);
  EXPECT_GT(x.mean, 6.5);
  ComplexGreedyOptions go;
  go.worlds = 20;
  go.threads = 1;
  const auto r1 = complex_greedy(g, ComplexContagion::k_exposure(2, 0.8), 3, go);
  go.threads = 3;
  const auto r2 = complex_greedy(g, ComplexContagion::k_exposure(2, 0.8), 3, go);
  EXPECT_EQ(r1.seeds, r2.seeds);
  EXPECT_EQ(r1.spread, r2.spread);
}

TEST(Complex, GreedyOnCounterexampleAndBruteForce) {
  // Deterministic k = 2: a and b alone reach nobody, together they reach c, d, e; h reaches
  // nobody (its followers have one exposure each). Every singleton is worth 1, so the first
  // pick is a tie (lowest index, a); the second round sees b's gain of 4.
  const auto g = make_graph(8, {{0, 2}, {1, 2}, {0, 3}, {1, 3}, {2, 4}, {3, 4}, {5, 6}, {5, 7}},
                            std::vector<prob_t>(8, 1.f));
  const auto m = ComplexContagion::k_exposure(2);
  const auto r = complex_greedy(g, m, 2, {});
  const double got = exact_spread(g, m, r.seeds).spread;
  double best = 0;
  for (vertex_t a = 0; a < 8; ++a)
    for (vertex_t b = a + 1; b < 8; ++b) best = std::max(best, exact_spread(g, m, std::vector<vertex_t>{a, b}).spread);
  EXPECT_EQ(best, 5.0);
  EXPECT_NEAR(r.spread, got, 1e-12);  // deterministic: the CRN estimate is the exact value
  EXPECT_EQ(got, best);
  EXPECT_EQ(r.seeds, (std::vector<vertex_t>{0, 1}));
  // On a random tiny graph greedy's CRN estimate is an unbiased estimate of its seeds' spread.
  const auto rg = tiny_graph(9, 20, seed() + 7, false, 0.3);
  const auto pm = ComplexContagion::k_exposure(2, -1.0);
  ComplexGreedyOptions go;
  go.worlds = 4000;
  go.seed = seed();
  const auto rr = complex_greedy(rg, pm, 3, go);
  const auto ex = exact_spread(rg, pm, rr.seeds);
  EXPECT_NEAR(rr.spread, ex.spread, 6.0 * std::sqrt(ex.variance / 4000.0) + 0.05);
  EXPECT_THROW(complex_greedy(rg, pm, 0, go), std::invalid_argument);
  EXPECT_THROW(estimate_spread(rg, ComplexContagion::fractional(1.5), std::vector<vertex_t>{0}), std::invalid_argument);
  EXPECT_THROW(estimate_spread(rg, pm, std::vector<vertex_t>{10}), std::out_of_range);
}

// SPDX-License-Identifier: MIT
/// Triggering model: IC and LT through the triggering path equal the dedicated paths (exact
/// enumeration and Monte Carlo within 6 sigma), a sampler that is neither, RR sets, IMM and
/// OPIM-C on any sampler, thread invariance.
#include <kolsim/estimate/triggering_estimate.hpp>
#include <kolsim/select/imm.hpp>
#include <kolsim/select/opim.hpp>

#include <gtest/gtest.h>

#include <cmath>

#include "support.hpp"

using namespace kolsim;
using kolsim::test_support::make_graph;
using kolsim::test_support::tiny_graph;

namespace {

std::uint64_t seed() { return test_support::test_seed("test_triggering", 20261203); }

template <class A, class B>
void expect_exact_equal(const A& a, const B& b) {
  EXPECT_NEAR(a.spread, b.spread, 1e-9);
  EXPECT_NEAR(a.variance, b.variance, 1e-8);
  ASSERT_EQ(a.activation_probability.size(), b.activation_probability.size());
  for (std::size_t v = 0; v < a.activation_probability.size(); ++v)
    EXPECT_NEAR(a.activation_probability[v], b.activation_probability[v], 1e-9) << "account " << v;
  ASSERT_EQ(a.new_per_step.size(), b.new_per_step.size());
  for (std::size_t t = 0; t < a.new_per_step.size(); ++t) EXPECT_NEAR(a.new_per_step[t], b.new_per_step[t], 1e-9);
}

}  // namespace

TEST(Triggering, IcAndLtEqualDedicatedExact) {
  for (std::uint64_t i = 0; i < 6; ++i) {
    const auto ic_g = tiny_graph(6, 9, seed() + i, false);
    const auto lt_g = tiny_graph(6, 9, seed() + 100 + i, true);
    const std::vector<vertex_t> seeds{static_cast<vertex_t>(i % 6)};
    for (std::uint32_t steps : {1u, 2u, UINT32_MAX}) {
      ExactOptions eo;
      eo.max_steps = steps;
      expect_exact_equal(exact_spread(ic_g, TriggeringModel<IcTriggering>{}, seeds, eo),
                         exact_spread(ic_g, IndependentCascade{}, seeds, eo));
      expect_exact_equal(exact_spread(lt_g, TriggeringModel<LtTriggering>{}, seeds, eo),
                         exact_spread(lt_g, LinearThreshold{}, seeds, eo));
    }
  }
}

TEST(Triggering, TwoParentSeparatesSamplers) {
  // a -> c (0.3), b -> c (0.5), seeds {a, b}: IC 2 + 1 - 0.7 * 0.5, LT 2 + 0.8, uniform(1) 3.
  const auto g = make_graph(3, {{0, 2}, {1, 2}}, {0.3f, 0.5f});
  const std::vector<vertex_t> s{0, 1};
  EXPECT_NEAR(exact_spread(g, TriggeringModel<IcTriggering>{}, s).spread, 2.65, 1e-6);
  EXPECT_NEAR(exact_spread(g, TriggeringModel<LtTriggering>{}, s).spread, 2.8, 1e-6);
  EXPECT_NEAR(exact_spread(g, TriggeringModel<UniformTriggering>{{1}}, s).spread, 3.0, 1e-12);
  // Seed a only: uniform(1) picks a with probability 1/2.
  EXPECT_NEAR(exact_spread(g, TriggeringModel<UniformTriggering>{{1}}, std::vector<vertex_t>{0}).spread, 1.5, 1e-12);
}

TEST(Triggering, MonteCarloWithinSixSigma) {
  const std::uint64_t trials = 20000;
  for (std::uint64_t i = 0; i < 3; ++i) {
    const auto ic_g = tiny_graph(7, 12, seed() + 10 + i, false);
    const auto lt_g = tiny_graph(7, 12, seed() + 20 + i, true);
    const std::vector<vertex_t> s{0, 3};
    MonteCarloOptions mo;
    mo.trials = trials;
    mo.seed = seed() + i;
    mo.threads = 1;
    auto check = [&](const ExactResult& ex, const SpreadEstimate& mc, const char* what) {
      const double tol = 6.0 * std::sqrt(ex.variance / static_cast<double>(trials)) + 1e-9;
      EXPECT_NEAR(mc.mean, ex.spread, tol) << what << " graph " << i;
    };
    // Dedicated exact vs triggering Monte Carlo.
    check(exact_spread(ic_g, IndependentCascade{}, s), estimate_spread(ic_g, TriggeringModel<IcTriggering>{}, s, mo), "ic");
    check(exact_spread(lt_g, LinearThreshold{}, s), estimate_spread(lt_g, TriggeringModel<LtTriggering>{}, s, mo), "lt");
    for (std::uint32_t c : {1u, 2u}) {
      const TriggeringModel<UniformTriggering> m{{c}};
      check(exact_spread(ic_g, m, s), estimate_spread(ic_g, m, s, mo), "uniform");
    }
  }
}

TEST(Triggering, UniformCountIsNotIcOrLt) {
  // Three parents of d, seeds {a}: uniform(2) reaches d with probability 2/3, a distribution
  // no per-edge IC probability reproduces jointly with the pair {a, b} (1 here).
  const auto g = make_graph(4, {{0, 3}, {1, 3}, {2, 3}}, {0.2f, 0.2f, 0.2f});
  const TriggeringModel<UniformTriggering> m{{2}};
  EXPECT_NEAR(exact_spread(g, m, std::vector<vertex_t>{0}).spread, 1.0 + 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(exact_spread(g, m, std::vector<vertex_t>{0, 1}).spread, 3.0, 1e-12);
  // IC with p = 2/3 per edge would give 2 + 1 - 1/9 for the pair.
}

TEST(Triggering, ThreadInvariance) {
  const auto g = test_support::tiny_graph(400, 2400, seed() + 5, true);
  const std::vector<vertex_t> s{1, 2, 3};
  for (int threads : {2, 4}) {
    MonteCarloOptions a, b;
    a.trials = b.trials = 3000;
    a.seed = b.seed = 7;
    a.threads = 1;
    b.threads = threads;
    a.per_account = b.per_account = true;
    const TriggeringModel<UniformTriggering> m{{1}};
    const auto x = estimate_spread(g, m, s, a), y = estimate_spread(g, m, s, b);
    EXPECT_EQ(x.mean, y.mean);
    EXPECT_EQ(x.std_error, y.std_error);
    EXPECT_EQ(x.new_per_step, y.new_per_step);
    EXPECT_EQ(x.activation_probability, y.activation_probability);
    RRCollection r1, r2;
    RRSampleOptions ro;
    ro.threads = 1;
    sample_rr_sets(g, TriggeringModel<LtTriggering>{}, 3, domain::rr_set, 0, 5000, r1, ro);
    ro.threads = threads;
    sample_rr_sets(g, TriggeringModel<LtTriggering>{}, 3, domain::rr_set, 0, 5000, r2, ro);
    ASSERT_EQ(r1.size(), r2.size());
    EXPECT_TRUE(std::equal(r1.nodes().begin(), r1.nodes().end(), r2.nodes().begin(), r2.nodes().end()));
    ImmOptions io;
    io.epsilon = 0.3;
    io.seed = 4;
    io.threads = 1;
    const auto i1 = imm(g, m, 5, io);
    io.threads = threads;
    const auto i2 = imm(g, m, 5, io);
    EXPECT_EQ(i1.seeds, i2.seeds);
    EXPECT_EQ(i1.spread, i2.spread);
  }
}

TEST(Triggering, RRSetsEstimateExactSpread) {
  // n * Pr[S hits an RR set] = spread(S), for every sampler, within 6 binomial sigma.
  const auto g = tiny_graph(7, 13, seed() + 30, true);
  const std::uint64_t sets = 200000;
  auto check = [&](const auto& m, const char* what) {
    RRCollection rr;
    sample_rr_sets(g, m, seed(), domain::rr_set, 0, sets, rr);
    for (std::vector<vertex_t> s : {std::vector<vertex_t>{0}, std::vector<vertex_t>{2, 5}}) {
      const double ex = exact_spread(g, m, s).spread;
      const double q = ex / 7.0;
      const double tol = 6.0 * 7.0 * std::sqrt(q * (1 - q) / static_cast<double>(sets)) + 1e-9;
      EXPECT_NEAR(estimate_spread_rr(rr, s, 7.0), ex, tol) << what;
    }
  };
  check(TriggeringModel<IcTriggering>{}, "ic");
  check(TriggeringModel<LtTriggering>{}, "lt");
  check(TriggeringModel<UniformTriggering>{{2}}, "uniform2");
  // Deadline: with max_depth 1 the RR set is the root and its triggering set.
  RRCollection rr;
  RRSampleOptions ro;
  ro.max_depth = 1;
  sample_rr_sets(g, TriggeringModel<UniformTriggering>{{2}}, 1, domain::rr_set, 0, sets, rr, ro);
  ExactOptions eo;
  eo.max_steps = 1;
  const std::vector<vertex_t> s{0, 1};
  const double ex = exact_spread(g, TriggeringModel<UniformTriggering>{{2}}, s, eo).spread;
  EXPECT_NEAR(estimate_spread_rr(rr, s, 7.0), ex, 6.0 * 7.0 * std::sqrt(0.25 / sets));
}

TEST(Triggering, ImmAndOpimReachBruteForceBound) {
  const auto g = tiny_graph(10, 22, seed() + 40, true);
  const TriggeringModel<UniformTriggering> m{{1}};
  const std::size_t k = 2;
  const double opt = test_support::brute_opt(g, m, k, test_support::all_vertices(10), {});
  ImmOptions io;
  io.epsilon = 0.1;
  io.seed = seed();
  io.ell = test_support::ell_for_test_delta(10);
  const auto r = imm(g, m, k, io);
  const double got = exact_spread(g, m, r.seeds).spread;
  EXPECT_GE(got, (1 - 1 / std::exp(1.0) - 0.1) * opt);
  OpimOptions oo;
  oo.epsilon = 0.1;
  oo.seed = seed();
  oo.delta = test_support::test_delta;
  const auto o = opim_c(g, m, k, oo);
  EXPECT_GE(exact_spread(g, m, o.seeds).spread, (1 - 1 / std::exp(1.0) - 0.1) * opt);
}

TEST(Triggering, SimulateIsTrialZeroAndErrorsAreChecked) {
  const auto g = tiny_graph(30, 90, seed() + 50, true);
  const TriggeringModel<LtTriggering> m;
  const std::vector<vertex_t> s{0, 1};
  const auto t = simulate(g, m, s, 9);
  MonteCarloOptions mo;
  mo.trials = 1;
  mo.seed = 9;
  EXPECT_EQ(static_cast<double>(t.activated.size()), estimate_spread(g, m, s, mo).mean);
  EXPECT_THROW(estimate_spread(g, m, std::vector<vertex_t>{0, 0}, mo), std::invalid_argument);
  EXPECT_THROW(estimate_spread(g, m, std::vector<vertex_t>{99}, mo), std::out_of_range);
  const auto heavy = make_graph(3, {{0, 2}, {1, 2}}, {0.7f, 0.7f});
  EXPECT_THROW(estimate_spread(heavy, m, s, mo), std::invalid_argument);
  EXPECT_THROW(exact_spread(heavy, TriggeringModel<UniformTriggering>{{0}}, s), std::invalid_argument);
}

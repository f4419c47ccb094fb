// SPDX-License-Identifier: MIT
/// Tests of time-critical selection in continuous time (estimate/continuous_rr.hpp): the RR
/// estimate of reach within a horizon against closed forms (star, path with per-edge exponential
/// delays, out-edge vs in-edge rate order) and against continuous_reach's Monte Carlo, the
/// infinite horizon against exact plain IC, thread invariance of RR sets and IMM seeds, a
/// selection that the deadline changes, and input checks.
#include <gtest/gtest.h>

#include <kolsim/diffusion/continuous.hpp>
#include <kolsim/estimate/continuous_rr.hpp>
#include <kolsim/estimate/exact.hpp>
#include <kolsim/graph/builder.hpp>
#include <kolsim/select/imm.hpp>
#include <kolsim/select/opim.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "support.hpp"

namespace {

using namespace kolsim;

FollowerGraph dense(vertex_t n, std::vector<vertex_t> s, std::vector<vertex_t> t, std::vector<prob_t> p) {
  return build_graph_dense(n, s, t, p);
}

std::uint64_t seed() { return test_support::test_seed("test_continuous_rr", 20261203ULL); }

/// |rr - exact| <= 6 binomial sigma of n * Pr[hit].
void expect_rr_near(const RRCollection& rr, std::span<const vertex_t> s, double n, double exact, const char* what) {
  const double q = std::clamp(exact / n, 0.0, 1.0);
  const double tol = 6.0 * n * std::sqrt(std::max(q * (1 - q), 1e-6) / static_cast<double>(rr.size()));
  EXPECT_NEAR(estimate_spread_rr(rr, s, n), exact, tol) << what;
}

double expo_cdf(double rate, double t) { return 1.0 - std::exp(-rate * t); }
/// P(Exp(a) + Exp(b) <= t), a != b (hypoexponential).
double hypo_cdf(double a, double b, double t) {
  return 1.0 - (b * std::exp(-a * t) - a * std::exp(-b * t)) / (b - a);
}

TEST(ContinuousRR, StarMatchesExponentialCdf) {
  // 0 -> 1..5 with p_i and rates r_i: reach(T) = 1 + sum p_i (1 - exp(-r_i T)).
  const std::vector<prob_t> p{0.9f, 0.75f, 0.5f, 1.0f, 0.3f};
  const std::vector<double> r{1.0 / 60, 1.0 / 600, 1.0 / 3600, 1.0 / 100, 1.0 / 30};
  const auto g = dense(6, {0, 0, 0, 0, 0}, {1, 2, 3, 4, 5}, p);
  const std::vector<vertex_t> s{0};
  for (double T : {30.0, 300.0, 1800.0, 7200.0}) {
    ContinuousIC m;
    m.horizon = T;
    m.rate = r;
    RRCollection rr;
    sample_rr_sets(g, m, seed(), domain::rr_set, 0, 200000, rr);
    double ex = 1.0;
    for (std::size_t i = 0; i < p.size(); ++i) ex += p[i] * expo_cdf(r[i], T);
    expect_rr_near(rr, s, 6.0, ex, "star");
  }
}

TEST(ContinuousRR, PathAndInEdgeOrderMatchClosedForm) {
  // Edges (out order): 0->2 (a), 0->3 (b), 1->2 (c), 2->4 (d); in-edge order differs
  // (2: 0->2, 1->2; 3: 0->3; 4: 2->4), so a rate mix-up shows.
  const double a = 1.0 / 60, b = 1.0 / 6000, c = 1.0 / 20, d = 1.0 / 600;
  const prob_t pa = 0.8f, pb = 0.9f, pc = 0.6f, pd = 0.7f;
  const auto g = dense(5, {0, 0, 1, 2}, {2, 3, 2, 4}, {pa, pb, pc, pd});
  for (double T : {60.0, 600.0, 3600.0}) {
    ContinuousIC m;
    m.horizon = T;
    m.rate = {a, b, c, d};
    RRCollection rr;
    sample_rr_sets(g, m, seed() + 1, domain::rr_set, 0, 200000, rr);
    const std::vector<vertex_t> s0{0}, s1{1};
    const double r0 = 1.0 + pa * expo_cdf(a, T) + pb * expo_cdf(b, T) + pa * pd * hypo_cdf(a, d, T);
    const double r1 = 1.0 + pc * expo_cdf(c, T) + pc * pd * hypo_cdf(c, d, T);
    expect_rr_near(rr, s0, 5.0, r0, "seed 0");
    expect_rr_near(rr, s1, 5.0, r1, "seed 1");
  }
}

TEST(ContinuousRR, MatchesContinuousReachMonteCarlo) {
  const auto g = test_support::tiny_graph(60, 240, seed() + 2, false, 0.1);
  std::vector<double> rate(g.num_edges());
  for (edge_t e = 0; e < g.num_edges(); ++e) rate[e] = 1.0 / (60.0 * static_cast<double>(1 + e % 7));
  const double T = 300.0;
  ContinuousIC m;
  m.horizon = T;
  m.rate = rate;
  RRCollection rr;
  sample_rr_sets(g, m, seed() + 3, domain::rr_set, 0, 200000, rr);
  ContinuousOptions o;
  o.times = {T};
  o.rate = rate;
  o.trials = 40000;
  o.seed = seed() + 4;
  for (std::vector<vertex_t> s : {std::vector<vertex_t>{0}, std::vector<vertex_t>{3, 17, 42}}) {
    const auto mc = continuous_reach(g, s, o);
    double se_rr = 0;
    const double est = estimate_spread_rr(rr, s, 60.0, &se_rr);
    EXPECT_NEAR(est, mc.mean[0], 6.0 * std::hypot(se_rr, mc.std_error[0]) + 1e-9);
    EXPECT_GT(est, static_cast<double>(s.size()));  // the horizon lets some spread through
  }
  // Empirical delays: the same comparison.
  m.delay_samples = o.delay_samples = {10, 100, 200, 400, 1000};
  RRCollection rd;
  sample_rr_sets(g, m, seed() + 5, domain::rr_set, 0, 200000, rd);
  const std::vector<vertex_t> s{5, 6};
  const auto mc = continuous_reach(g, s, o);
  double se_rr = 0;
  const double est = estimate_spread_rr(rd, s, 60.0, &se_rr);
  EXPECT_NEAR(est, mc.mean[0], 6.0 * std::hypot(se_rr, mc.std_error[0]) + 1e-9);
}

TEST(ContinuousRR, InfiniteHorizonIsPlainIc) {
  const auto g = test_support::tiny_graph(8, 16, seed() + 6, false);
  ContinuousIC m;  // horizon = infinity, default rate
  std::vector<double> rate(g.num_edges(), 1e-4);
  m.rate = rate;
  RRCollection rr;
  sample_rr_sets(g, m, seed() + 7, domain::rr_set, 0, 200000, rr);
  for (std::vector<vertex_t> s : {std::vector<vertex_t>{0}, std::vector<vertex_t>{2, 5}}) {
    const double ex = exact_spread(g, IndependentCascade{}, s).spread;
    expect_rr_near(rr, s, 8.0, ex, "infinite horizon");
  }
  // Horizon 0 with positive delays: only the root.
  m.horizon = 0;
  RRCollection r0;
  sample_rr_sets(g, m, 1, domain::rr_set, 0, 1000, r0);
  EXPECT_EQ(r0.total_nodes(), 1000u);
}

TEST(ContinuousRR, ThreadInvariance) {
  const auto g = test_support::tiny_graph(400, 2400, seed() + 8, false, 0.05);
  ContinuousIC m;
  m.horizon = 1800;
  m.default_rate = 1.0 / 900;
  RRCollection r1;
  RRSampleOptions ro;
  ro.threads = 1;
  sample_rr_sets(g, m, 3, domain::rr_set, 0, 6000, r1, ro);
  ImmOptions io;
  io.epsilon = 0.3;
  io.seed = 4;
  io.threads = 1;
  const auto i1 = imm(g, m, 5, io);
  for (int threads : {2, 3}) {
    RRCollection r2;
    ro.threads = threads;
    sample_rr_sets(g, m, 3, domain::rr_set, 0, 6000, r2, ro);
    ASSERT_EQ(r1.size(), r2.size());
    EXPECT_TRUE(std::equal(r1.nodes().begin(), r1.nodes().end(), r2.nodes().begin(), r2.nodes().end()));
    EXPECT_TRUE(std::equal(r1.offsets().begin(), r1.offsets().end(), r2.offsets().begin(), r2.offsets().end()));
    io.threads = threads;
    const auto i2 = imm(g, m, 5, io);
    EXPECT_EQ(i1.seeds, i2.seeds);
    EXPECT_EQ(i1.spread, i2.spread);
  }
}

TEST(ContinuousRR, DeadlineChangesTheChoice) {
  // Account 0 has 10 slow followers (mean delay 10 h), account 11 has 5 fast ones (1 min).
  std::vector<vertex_t> s, t;
  for (vertex_t v = 1; v <= 10; ++v) s.push_back(0), t.push_back(v);
  for (vertex_t v = 12; v <= 16; ++v) s.push_back(11), t.push_back(v);
  const auto g = build_graph_dense(17, s, t, std::vector<prob_t>(s.size(), 1.0f));
  std::vector<double> rate(s.size());
  for (std::size_t e = 0; e < s.size(); ++e) rate[e] = s[e] == 0 ? 1.0 / 36000 : 1.0 / 60;
  ContinuousIC m;
  m.rate = rate;
  ImmOptions io;
  io.epsilon = 0.2;
  io.seed = seed();
  m.horizon = 600;
  EXPECT_EQ(imm(g, m, 1, io).seeds, std::vector<vertex_t>{11});
  OpimOptions oo;
  oo.epsilon = 0.2;
  oo.seed = seed();
  EXPECT_EQ(opim_c(g, m, 1, oo).seeds, std::vector<vertex_t>{11});
  m.horizon = std::numeric_limits<double>::infinity();
  EXPECT_EQ(imm(g, m, 1, io).seeds, std::vector<vertex_t>{0});
}

TEST(ContinuousRR, InputChecks) {
  const auto g = dense(3, {0, 1}, {1, 2}, {0.5f, 0.5f});
  RRCollection rr;
  ContinuousIC m;
  m.horizon = -1;
  EXPECT_THROW(sample_rr_sets(g, m, 1, domain::rr_set, 0, 10, rr), std::invalid_argument);
  m.horizon = 10;
  m.rate = {1.0};
  EXPECT_THROW(sample_rr_sets(g, m, 1, domain::rr_set, 0, 10, rr), std::invalid_argument);
  m.rate = {1.0, -1.0};
  EXPECT_THROW(sample_rr_sets(g, m, 1, domain::rr_set, 0, 10, rr), std::invalid_argument);
  m.rate = {};
  m.delay_samples = {std::nan("")};
  EXPECT_THROW(sample_rr_sets(g, m, 1, domain::rr_set, 0, 10, rr), std::invalid_argument);
  m.delay_samples = {};
  ImmOptions io;
  io.max_depth = 3;
  EXPECT_THROW(imm(g, m, 1, io), std::invalid_argument);
  // A zero rate never delivers, even with an infinite horizon.
  m.horizon = std::numeric_limits<double>::infinity();
  m.rate = {0.0, 0.0};
  sample_rr_sets(g, m, 1, domain::rr_set, 0, 100, rr);
  EXPECT_EQ(rr.total_nodes(), rr.size());
}

}  // namespace

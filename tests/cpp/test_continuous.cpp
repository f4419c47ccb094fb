// SPDX-License-Identifier: MIT
/// Tests of the continuous-time IC simulator: reach by time T against closed forms on a star and
/// a path (hypoexponential delays), fading novelty against its integral, per-account first-reach
/// time distributions (probability by each time, conditional mean and median) against closed
/// forms and numerical integrals, thread invariance, degenerate cases, and input checks.
#include <gtest/gtest.h>

#include <kolsim/diffusion/continuous.hpp>
#include <kolsim/graph/builder.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "support.hpp"

namespace {

using namespace kolsim;

std::uint64_t test_seed() { return test_support::test_seed("test_continuous", 20261203ULL); }

FollowerGraph dense(vertex_t n, std::vector<vertex_t> s, std::vector<vertex_t> t, std::vector<prob_t> p) {
  return build_graph_dense(n, s, t, p);
}

/// |mc - exact| <= 6 sd / sqrt(trials), with the exact sd.
void expect_within(double mc, double exact, double var, std::uint64_t trials, const char* what) {
  const double tol = 6.0 * std::sqrt(std::max(var, 1e-12) / static_cast<double>(trials));
  EXPECT_NEAR(mc, exact, tol) << what;
}

TEST(Continuous, StarReachByTimeIsBinomialWithTheExponentialCdf) {
  // 0 -> 1..5, each p = 0.75, rate 1/100 s: reach(T) = 1 + Binomial(5, p (1 - exp(-T/100))).
  const vertex_t k = 5;
  std::vector<vertex_t> s(k, 0), t;
  for (vertex_t v = 1; v <= k; ++v) t.push_back(v);
  const auto g = dense(k + 1, s, t, std::vector<prob_t>(k, 0.75f));
  ContinuousOptions o;
  o.times = {10, 50, 100, 300, 2000};
  o.default_rate = 0.01;
  o.trials = 20000;
  o.seed = test_seed();
  const std::vector<vertex_t> seeds{0};
  const auto r = continuous_reach(g, seeds, o);
  for (std::size_t j = 0; j < o.times.size(); ++j) {
    const double q = 0.75 * (1.0 - std::exp(-o.times[j] * 0.01));
    expect_within(r.mean[j], 1.0 + k * q, k * q * (1 - q), o.trials, "star");
    EXPECT_NEAR(r.std_error[j], std::sqrt(k * q * (1 - q) / o.trials), 0.05 * std::sqrt(k * q * (1 - q) / o.trials) + 1e-9);
  }
  const double q_last = 0.75 * (1.0 - std::exp(-20.0));
  expect_within(r.reach_probability[3], q_last, q_last * (1 - q_last), o.trials, "per-account reach");
}

TEST(Continuous, PathReachFollowsTheHypoexponentialCdf) {
  // 0 -> 1 -> 2 with per-edge rates a, b and probabilities pa, pb.
  const auto g = dense(3, {0, 1}, {1, 2}, {0.75f, 0.5f});
  const double a = 1.0 / 60, b = 1.0 / 600;
  ContinuousOptions o;
  o.times = {30, 300, 900, 3600};
  o.rate = {a, b};  // out-edge order: 0 -> 1, then 1 -> 2
  o.trials = 20000;
  o.seed = test_seed() + 1;
  const std::vector<vertex_t> seeds{0};
  const auto r = continuous_reach(g, seeds, o);
  for (std::size_t j = 0; j < o.times.size(); ++j) {
    const double T = o.times[j];
    const double qa = 0.75 * (1 - std::exp(-a * T));
    const double qb = 0.75 * 0.5 * (1 - (b * std::exp(-a * T) - a * std::exp(-b * T)) / (b - a));
    const double mean = 1 + qa + qb, var = qa + 3 * qb - (qa + qb) * (qa + qb);
    expect_within(r.mean[j], mean, var, o.trials, "path");
    // The reach is 1, 2 or 3: its quantiles follow from the CDF.
    const double p1 = 1 - qa;  // P(reach = 1)
    EXPECT_EQ(r.quantile(j, 0.0), 1.0);
    if (p1 > 0.55) {
      EXPECT_EQ(r.quantile(j, 0.5), 1.0);
    }
    if (p1 < 0.45 && 1 - qb > 0.55) {
      EXPECT_EQ(r.quantile(j, 0.5), 2.0);
    }
  }
}

TEST(Continuous, LateSeedsShiftTheCurve) {
  // A seed that adopts at 1000 s reaches its follower by 1000 + T with the CDF at T.
  const auto g = dense(2, {0}, {1}, {1.0f});
  ContinuousOptions o;
  o.times = {500, 1100, 1500};
  o.default_rate = 0.01;
  o.seed_times = {1000};
  o.trials = 20000;
  o.seed = test_seed() + 2;
  const std::vector<vertex_t> seeds{0};
  const auto r = continuous_reach(g, seeds, o);
  EXPECT_EQ(r.mean[0], 0.0);  // nothing before the seed adopts
  for (std::size_t j = 1; j < 3; ++j) {
    const double q = 1 - std::exp(-0.01 * (o.times[j] - 1000));
    expect_within(r.mean[j], 1 + q, q * (1 - q), o.trials, "late seed");
  }
}

TEST(Continuous, FadingNoveltyMatchesItsIntegral) {
  // One edge p, rate l, r(t) = exp(-t / s): P(reached by T) = p l / (l + 1/s) (1 - e^-(l + 1/s) T).
  const auto g = dense(2, {0}, {1}, {0.75f});
  const double l = 1.0 / 3600, s = 7200;
  ContinuousOptions o;
  o.times = {1800, 7200, 86400};
  o.default_rate = l;
  o.decay = NoveltyDecay::exponential;
  o.decay_scale = s;
  o.trials = 40000;
  o.seed = test_seed() + 3;
  const std::vector<vertex_t> seeds{0};
  const auto r = continuous_reach(g, seeds, o);
  for (std::size_t j = 0; j < o.times.size(); ++j) {
    const double k = l + 1 / s;
    const double q = 0.75 * l / k * (1 - std::exp(-k * o.times[j]));
    expect_within(r.mean[j], 1 + q, q * (1 - q), o.trials, "exponential decay");
  }
  // Power law r(t) = (1 + t/s)^-g: the integral of l e^{-l t} p r(t) by Simpson's rule.
  o.decay = NoveltyDecay::power_law;
  o.decay_exponent = 1.5;
  const auto rp = continuous_reach(g, seeds, o);
  for (std::size_t j = 0; j < o.times.size(); ++j) {
    const double T = o.times[j];
    const int steps = 20000;
    const double h = T / steps;
    double sum = 0;
    for (int i = 0; i <= steps; ++i) {
      const double t = i * h;
      const double f = l * std::exp(-l * t) * 0.75 * std::pow(1 + t / s, -1.5);
      sum += f * (i == 0 || i == steps ? 1 : i % 2 ? 4 : 2);
    }
    const double q = sum * h / 3;
    expect_within(rp.mean[j], 1 + q, q * (1 - q), o.trials, "power-law decay");
  }
  // Decay lowers reach: the curve with novelty is below plain IC at every time.
  o.decay = NoveltyDecay::none;
  const auto plain = continuous_reach(g, seeds, o);
  for (std::size_t j = 0; j < o.times.size(); ++j) EXPECT_GT(plain.mean[j], r.mean[j]);
}

TEST(Continuous, ThreadsDoNotChangeTheResult) {
  const auto g = test_support::tiny_graph(60, 400, test_seed() + 4, false, 0.05);
  ContinuousOptions o;
  o.times = {60, 600, 3600, 86400};
  o.default_rate = 1.0 / 600;
  o.decay = NoveltyDecay::power_law;
  o.decay_scale = 3600;
  o.trials = 500;
  o.seed = test_seed() + 5;
  o.exogenous.assign(60, 0.01);
  o.exogenous_times = {10, 100, 1000, 10000};
  o.exogenous_scales = {0.5, 1, 4};
  o.exogenous_weights = {1, 2, 1};
  const std::vector<vertex_t> seeds{0, 7};
  o.threads = 1;
  const auto a = continuous_reach(g, seeds, o);
  o.threads = std::min(2, max_threads());
  const auto b = continuous_reach(g, seeds, o);
  EXPECT_EQ(a.reach, b.reach);
  EXPECT_EQ(a.mean, b.mean);
  EXPECT_EQ(a.reach_probability, b.reach_probability);
  for (std::size_t j = 1; j < o.times.size(); ++j) EXPECT_GE(a.mean[j], a.mean[j - 1]);
}

TEST(Continuous, DegenerateProbabilities) {
  const auto g0 = dense(4, {0, 0, 1}, {1, 2, 3}, {0.0f, 0.0f, 0.0f});
  ContinuousOptions o;
  o.times = {1e9};
  o.trials = 100;
  const std::vector<vertex_t> seeds{0};
  EXPECT_EQ(continuous_reach(g0, seeds, o).mean[0], 1.0);
  // p = 1 and a long enough horizon: everything reachable.
  const auto g1 = dense(5, {0, 0, 1}, {1, 2, 3}, {1.0f, 1.0f, 1.0f});
  const auto r = continuous_reach(g1, seeds, o);
  EXPECT_EQ(r.mean[0], 4.0);
  EXPECT_EQ(r.std_error[0], 0.0);
  // A zero rate never transmits.
  o.rate = {0.0, 1.0, 1.0};
  EXPECT_EQ(continuous_reach(g1, seeds, o).mean[0], 2.0);
}

TEST(Continuous, BadInputIsRejected) {
  const auto g = dense(2, {0}, {1}, {0.5f});
  const std::vector<vertex_t> seeds{0}, bad{5}, dup{0, 0};
  ContinuousOptions o;
  EXPECT_THROW(continuous_reach(g, seeds, o), std::invalid_argument);  // no times
  o.times = {10, 5};
  EXPECT_THROW(continuous_reach(g, seeds, o), std::invalid_argument);
  o.times = {10};
  EXPECT_THROW(continuous_reach(g, bad, o), std::out_of_range);
  EXPECT_THROW(continuous_reach(g, dup, o), std::invalid_argument);
  o.rate = {1, 2};
  EXPECT_THROW(continuous_reach(g, seeds, o), std::invalid_argument);
  o.rate.clear();
  o.exogenous = {0.1, 0.1};
  EXPECT_THROW(continuous_reach(g, seeds, o), std::invalid_argument);  // no exogenous times
  o.exogenous.clear();
  o.decay = NoveltyDecay::exponential;
  o.decay_scale = 0;
  EXPECT_THROW(continuous_reach(g, seeds, o), std::invalid_argument);
  o.decay_scale = 1;
  EXPECT_THROW((void)continuous_reach(g, seeds, o).quantile(3, 0.5), std::out_of_range);
}

/// Simpson's rule on [0, T] with 2000 panels.
double integrate(const std::function<double(double)>& f, double T) {
  const int n = 2000;
  const double h = T / n;
  double s = f(0) + f(T);
  for (int i = 1; i < n; ++i) s += f(i * h) * (i % 2 ? 4.0 : 2.0);
  return s * h / 3.0;
}

/// Exact first-reach figures of a delay with CDF F and density f, given reached by T: mean,
/// variance, median (bisection) and the asymptotic standard deviation of a sample median times
/// sqrt(k), 1 / (2 f_T(median)).
struct Conditional {
  double mean, var, median, median_sd;
};
Conditional conditional(const std::function<double(double)>& F, const std::function<double(double)>& f, double T) {
  const double FT = F(T);
  const double m1 = (T * FT - integrate(F, T)) / FT;                                         // E[X | X <= T]
  const double m2 = (T * T * FT - integrate([&](double x) { return 2.0 * x * F(x); }, T)) / FT;  // E[X^2 | X <= T]
  double lo = 0, hi = T;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (F(mid) / FT < 0.5 ? lo : hi) = mid;
  }
  const double med = 0.5 * (lo + hi);
  return {m1, m2 - m1 * m1, med, 1.0 / (2.0 * f(med) / FT)};
}

TEST(Continuous, FirstReachTimesMatchClosedForms) {
  // 0 -> 1 (p 0.6, rate a), 1 -> 2 (p 1, rate b), 0 -> 3 (p 1, rate a); the seed 0 adopts at 0.
  const double a = 1.0 / 3600.0, b = 1.0 / 1800.0, T = 7200.0;
  const auto g = dense(4, {0, 1, 0}, {1, 2, 3}, {0.6f, 1.0f, 1.0f});
  ContinuousOptions o;
  o.times = {T / 4, T / 2, T};
  o.rate = {a, a, b};  // out-edge order: 0 -> 1, 0 -> 3, 1 -> 2
  ASSERT_EQ(g.out_targets()[0], 1u);
  ASSERT_EQ(g.out_targets()[1], 3u);
  o.trials = 20000;
  o.seed = test_seed();
  o.track = {2, 0, 3, 1};
  const std::vector<vertex_t> seeds{0};
  const ReachCurve r = continuous_reach(g, seeds, o);
  const FirstReachTimes& f = r.first_reach;
  ASSERT_EQ(f.accounts, o.track);
  ASSERT_EQ(f.probability.size(), 4u * 3u);
  ASSERT_EQ(f.first_time.size(), 4u * o.trials);
  const auto Fa = [&](double t) { return 1.0 - std::exp(-a * t); };
  const auto fa = [&](double t) { return a * std::exp(-a * t); };
  const auto H = [&](double t) { return 1.0 - (b * std::exp(-a * t) - a * std::exp(-b * t)) / (b - a); };
  const auto h = [&](double t) { return a * b / (b - a) * (std::exp(-a * t) - std::exp(-b * t)); };
  struct Case {
    std::size_t row;
    double p;
    std::function<double(double)> F, dens;
  };
  const std::vector<Case> cases{{0, 0.6, H, h}, {2, 1.0, Fa, fa}, {3, 0.6, Fa, fa}};
  for (const auto& c : cases) {
    for (std::size_t j = 0; j < 3; ++j) {
      const double p = c.p * c.F(o.times[j]);
      expect_within(f.probability[c.row * 3 + j], p, p * (1 - p), o.trials, "P(reached by t)");
      EXPECT_NEAR(f.probability_se[c.row * 3 + j], std::sqrt(p * (1 - p) / o.trials), 1e-3);
    }
    const Conditional ex = conditional(c.F, c.dens, T);
    const double k = static_cast<double>(f.reached[c.row]);
    EXPECT_EQ(k / o.trials, f.probability[c.row * 3 + 2]);
    EXPECT_NEAR(f.mean[c.row], ex.mean, 6.0 * std::sqrt(ex.var / k)) << "row " << c.row;
    EXPECT_NEAR(f.mean_se[c.row], std::sqrt(ex.var / k), 0.1 * std::sqrt(ex.var / k));
    EXPECT_NEAR(f.median[c.row], ex.median, 6.0 * ex.median_sd / std::sqrt(k)) << "row " << c.row;
    EXPECT_GT(f.median_se[c.row], 0.5 * ex.median_sd / std::sqrt(k));
    EXPECT_LT(f.median_se[c.row], 2.0 * ex.median_sd / std::sqrt(k));
    EXPECT_DOUBLE_EQ(f.quantile(c.row, 0.5), f.median[c.row]);
  }
  // The seed: reached at 0 in every trial.
  for (std::size_t j = 0; j < 3; ++j) EXPECT_EQ(f.probability[1 * 3 + j], 1.0);
  EXPECT_EQ(f.mean[1], 0.0);
  EXPECT_EQ(f.median[1], 0.0);
  EXPECT_EQ(f.reached[1], o.trials);
  // Account 2 is never reached before 1: first-reach times agree trial by trial.
  for (std::uint64_t i = 0; i < o.trials; ++i) {
    if (std::isfinite(f.first_time[0 * o.trials + i])) {
      EXPECT_GT(f.first_time[0 * o.trials + i], f.first_time[3 * o.trials + i]);
    }
  }
  // Same reach probabilities as the untracked run, and the same times for 2 threads.
  ContinuousOptions o2 = o;
  o2.threads = 2;
  const ReachCurve r2 = continuous_reach(g, seeds, o2);
  EXPECT_EQ(r2.first_reach.first_time, f.first_time);
  EXPECT_EQ(r2.first_reach.median, f.median);
  ContinuousOptions o3 = o;
  o3.track.clear();
  const ReachCurve r3 = continuous_reach(g, seeds, o3);
  EXPECT_EQ(r3.reach, r.reach);
  EXPECT_TRUE(r3.first_reach.accounts.empty());
}

TEST(Continuous, FirstReachOfLateSeedAndUnreachedAccount) {
  const auto g = dense(3, {0}, {1}, {0.0f});
  ContinuousOptions o;
  o.times = {10, 100};
  o.trials = 50;
  o.track = {0, 1, 2};
  o.seed_times = {30};
  const std::vector<vertex_t> seeds{0};
  const auto f = continuous_reach(g, seeds, o).first_reach;
  EXPECT_EQ(f.probability, (std::vector<double>{0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(f.mean[0], 30.0);
  EXPECT_EQ(f.median_se[0], 0.0);
  EXPECT_TRUE(std::isnan(f.mean[1]));
  EXPECT_TRUE(std::isnan(f.median[2]));
  EXPECT_THROW((void)f.quantile(1, 0.5), std::invalid_argument);
  EXPECT_THROW((void)f.quantile(3, 0.5), std::out_of_range);
  o.track = {0, 0};
  EXPECT_THROW((void)continuous_reach(g, seeds, o), std::invalid_argument);
  o.track = {3};
  EXPECT_THROW((void)continuous_reach(g, seeds, o), std::out_of_range);
}

}  // namespace

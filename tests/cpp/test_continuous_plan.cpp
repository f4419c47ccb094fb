// SPDX-License-Identifier: MIT
/// Tests of campaign planning in continuous time (plan_campaign with ContinuousIC and
/// CampaignSpec::deadline_hours): the plan's Monte Carlo reach within T hours against closed
/// forms (exponential and hypoexponential delays), a deadline that changes the pick (per-edge and
/// per-platform delays), replan_without, thread invariance, input checks, and the planner's
/// progress reports (sampling, selection, evaluation) from the caller's thread.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "kolsim/campaign/plan.hpp"
#include "kolsim/campaign/roster.hpp"
#include "kolsim/graph/builder.hpp"
#include "support.hpp"

namespace {

using namespace kolsim;

std::uint64_t seed() { return test_support::test_seed("test_continuous_plan", 20261203ULL); }

double expo_cdf(double rate, double t) { return 1.0 - std::exp(-rate * t); }
/// P(Exp(a) + Exp(b) <= t), a != b.
double hypo_cdf(double a, double b, double t) { return 1.0 - (b * std::exp(-a * t) - a * std::exp(-b * t)) / (b - a); }

/// Rates in out-edge order from a function of (source, target).
template <class F>
std::vector<double> edge_rates(const FollowerGraph& g, F&& f) {
  std::vector<double> r;
  const auto off = g.out_offsets();
  const auto tgt = g.out_targets();
  for (vertex_t u = 0; u < g.num_vertices(); ++u)
    for (edge_t e = off[u]; e < off[u + 1]; ++e) r.push_back(f(u, tgt[e]));
  return r;
}

Roster roster_of(const FollowerGraph& g, std::vector<account_t> acc, std::vector<std::string> platforms = {}) {
  std::vector<double> fees(acc.size(), 1.0), risks(acc.size(), 0.0);
  return Roster::from_arrays(g, acc, fees, risks, platforms);
}

// 0 -> 1, 2, 3 (p = 0.5, rate a) and 0 -> 4 -> 5 (p = 1, rates a then b): every count is closed form.
struct Fixture {
  double a = 1.0 / 3600.0, b = 1.0 / 1800.0;
  FollowerGraph g = build_graph_dense(6, std::vector<vertex_t>{0, 0, 0, 0, 4}, std::vector<vertex_t>{1, 2, 3, 4, 5},
                                      std::vector<prob_t>{0.5f, 0.5f, 0.5f, 1.0f, 1.0f});
  ContinuousIC model() const {
    ContinuousIC m;
    m.rate = edge_rates(g, [&](vertex_t u, vertex_t) { return u == 4 ? b : a; });
    return m;
  }
  /// Mean and variance of the reach of {0} within T seconds.
  std::pair<double, double> exact(double T) const {
    const double q = 0.5 * expo_cdf(a, T), p4 = expo_cdf(a, T), p5 = hypo_cdf(a, b, T);
    const double mean = 1.0 + 3.0 * q + p4 + p5;
    const double var45 = (p4 + 3.0 * p5) - (p4 + p5) * (p4 + p5);  // I5 implies I4
    return {mean, 3.0 * q * (1.0 - q) + var45};
  }
};

TEST(ContinuousPlan, ReachWithinHoursMatchesClosedForm) {
  Fixture f;
  const Roster roster = roster_of(f.g, {0});
  for (double hours : {0.25, 1.0, 3.0}) {
    CampaignSpec spec;
    spec.max_kols = 1;
    spec.deadline_hours = hours;
    spec.check_trials = 40000;
    spec.seed = seed();
    const CampaignPlan plan = plan_campaign(f.g, f.model(), roster, spec);
    ASSERT_EQ(plan.kols.size(), 1u);
    EXPECT_EQ(plan.kols[0].account, 0u);
    EXPECT_EQ(plan.model, "continuous_ic");
    const auto [mean, var] = f.exact(hours * 3600.0);
    const double tol = 6.0 * std::sqrt(var / 40000.0);
    EXPECT_NEAR(plan.reach, mean, tol) << hours << " h";
    EXPECT_NEAR(plan.kols[0].own_reach, mean, 6.0 * std::sqrt(var / 2000.0)) << hours << " h";
    EXPECT_NEAR(plan.kols[0].marginal_reach, mean, tol) << hours << " h";
    EXPECT_NEAR(plan.reach_se, std::sqrt(var / 40000.0), 0.1 * std::sqrt(var / 40000.0));
    // The selector's own estimate on RR sets within the horizon agrees too (binomial sigma).
    const double pr = mean / 6.0;
    EXPECT_NEAR(plan.reach_rr, mean, 6.0 * 6.0 * std::sqrt(pr * (1 - pr) / 512.0)) << hours << " h";
    EXPECT_NE(plan.to_json().find("\"deadline_hours\""), std::string::npos);
    EXPECT_NE(plan.to_table().find(" hours"), std::string::npos);
  }
}

TEST(ContinuousPlan, InfiniteDeadlineIsPlainReach) {
  Fixture f;
  CampaignSpec spec;
  spec.max_kols = 1;
  spec.check_trials = 40000;
  spec.seed = seed();
  const CampaignPlan plan = plan_campaign(f.g, f.model(), roster_of(f.g, {0}), spec);
  // Every delay is finite: reach = 1 + 3 * 0.5 + 1 + 1, variance 3 * 0.25.
  EXPECT_NEAR(plan.reach, 4.5, 6.0 * std::sqrt(0.75 / 40000.0));
}

// KOL 0 has 6 slow followers (mean delay 24 h), KOL 7 has 3 fast ones (mean 6 minutes), p = 1.
struct TwoKols {
  FollowerGraph g = build_graph_dense(11, std::vector<vertex_t>{0, 0, 0, 0, 0, 0, 7, 7, 7},
                                      std::vector<vertex_t>{1, 2, 3, 4, 5, 6, 8, 9, 10},
                                      std::vector<prob_t>(9, 1.0f));
  ContinuousIC model() const {
    ContinuousIC m;
    m.rate = edge_rates(g, [](vertex_t u, vertex_t) { return u == 0 ? 1.0 / 86400.0 : 1.0 / 360.0; });
    return m;
  }
};

CampaignPlan plan_two(const FollowerGraph& g, const ContinuousIC& m, const Roster& r, double hours, int threads = 0) {
  CampaignSpec spec;
  spec.max_kols = 1;
  spec.deadline_hours = hours;
  spec.check_trials = 4000;
  spec.seed = seed();
  spec.threads = threads;
  return plan_campaign(g, m, r, spec);
}

TEST(ContinuousPlan, DeadlineChangesThePick) {
  TwoKols t;
  const Roster roster = roster_of(t.g, {0, 7});
  const CampaignPlan soon = plan_two(t.g, t.model(), roster, 1.0);
  ASSERT_EQ(soon.kols.size(), 1u);
  EXPECT_EQ(soon.kols[0].account, 7u);  // 1 + 3 (1 - e^-10) ~ 4.0 vs 1 + 6 (1 - e^(-1/24)) ~ 1.24
  const double exact_soon = 1.0 + 3.0 * expo_cdf(1.0 / 360.0, 3600.0);
  EXPECT_NEAR(soon.reach, exact_soon, 6.0 * std::sqrt(3.0 * 0.25 / 4000.0));
  const CampaignPlan later = plan_two(t.g, t.model(), roster, std::numeric_limits<double>::infinity());
  ASSERT_EQ(later.kols.size(), 1u);
  EXPECT_EQ(later.kols[0].account, 0u);  // 7 vs 4 with no deadline
  EXPECT_NEAR(later.reach, 7.0, 1e-12);
  const CampaignPlan week = plan_two(t.g, t.model(), roster, 24.0 * 7);
  EXPECT_EQ(week.kols[0].account, 0u);  // 1 + 6 (1 - e^-7) ~ 6.99
}

TEST(ContinuousPlan, PerPlatformDelays) {
  TwoKols t;
  const Roster roster = roster_of(t.g, {0, 7}, {"newsletter", "shorts"});
  ContinuousIC m;
  m.rate = platform_delay_rates(t.g, roster, {{"newsletter", 24.0}, {"shorts", 0.1}});
  EXPECT_EQ(m.rate, t.model().rate);
  EXPECT_EQ(plan_two(t.g, m, roster, 1.0).kols[0].account, 7u);
  EXPECT_EQ(plan_two(t.g, m, roster, 24.0 * 7).kols[0].account, 0u);
  // Slow down the short-video platform: the pick within one hour flips to the newsletter.
  m.rate = platform_delay_rates(t.g, roster, {{"newsletter", 24.0}, {"shorts", 1000.0}});
  EXPECT_EQ(plan_two(t.g, m, roster, 1.0).kols[0].account, 0u);
  EXPECT_THROW(platform_delay_rates(t.g, roster, {{"radio", 1.0}}), std::invalid_argument);
  EXPECT_THROW(platform_delay_rates(t.g, roster, {{"shorts", 0.0}}), std::invalid_argument);
}

TEST(ContinuousPlan, SameResultForAnyThreadCount) {
  TwoKols t;
  const Roster roster = roster_of(t.g, {0, 7});
  const CampaignPlan a = plan_two(t.g, t.model(), roster, 2.0, 1);
  const CampaignPlan b = plan_two(t.g, t.model(), roster, 2.0, 2);
  EXPECT_EQ(a.kols[0].account, b.kols[0].account);
  EXPECT_EQ(a.reach, b.reach);
  EXPECT_EQ(a.reach_se, b.reach_se);
  EXPECT_EQ(a.reach_rr, b.reach_rr);
  EXPECT_EQ(a.kols[0].own_reach, b.kols[0].own_reach);
}

TEST(ContinuousPlan, ReplanWithoutUsesTheDeadline) {
  TwoKols t;
  const Roster roster = roster_of(t.g, {0, 7});
  const CampaignPlan plan = plan_two(t.g, t.model(), roster, 1.0);
  const ReplanResult r = replan_without(t.g, t.model(), roster, plan, 7);
  EXPECT_NEAR(r.reach_with, 1.0 + 3.0 * expo_cdf(1.0 / 360.0, 3600.0), 0.1);
  EXPECT_EQ(r.reach_without, 0.0);
  ASSERT_EQ(r.replacements.size(), 1u);
  EXPECT_EQ(r.replacements[0], 0u);
  EXPECT_NEAR(r.reach_after, 1.0 + 6.0 * expo_cdf(1.0 / 86400.0, 3600.0), 0.1);
}

TEST(ContinuousPlan, RejectsMixedDeadlines) {
  TwoKols t;
  const Roster roster = roster_of(t.g, {0, 7});
  CampaignSpec spec;
  spec.max_kols = 1;
  spec.deadline = 2;  // steps mean nothing in continuous time
  EXPECT_THROW(plan_campaign(t.g, t.model(), roster, spec), std::invalid_argument);
  spec.deadline = std::numeric_limits<std::uint32_t>::max();
  spec.deadline_hours = -1;
  EXPECT_THROW(plan_campaign(t.g, t.model(), roster, spec), std::invalid_argument);
  spec.deadline_hours = 1;  // hours mean nothing to a step model
  EXPECT_THROW(plan_campaign(t.g, IndependentCascade{}, roster, spec), std::invalid_argument);
}

struct Report {
  std::string phase;
  std::uint64_t done, total;
};

TEST(PlanProgress, ReportsSamplingSelectionEvaluation) {
  for (int threads : {1, 2}) {
    for (bool continuous : {false, true}) {
      TwoKols t;
      const Roster roster = roster_of(t.g, {0, 7});
      std::vector<Report> reports;
      const auto owner = std::this_thread::get_id();
      bool foreign = false;
      CampaignSpec spec;
      spec.max_kols = 1;
      spec.check_trials = 2000;
      spec.seed = seed();
      spec.threads = threads;
      spec.budget_curve = {2.0};
      spec.budget = 1.0;
      if (continuous) spec.deadline_hours = 1.0;
      else spec.deadline = 1;
      const CampaignPlan quiet = continuous ? plan_campaign(t.g, t.model(), roster, spec)
                                            : plan_campaign(t.g, IndependentCascade{}, roster, spec);
      spec.progress = [&](std::string_view phase, std::uint64_t done, std::uint64_t total) {
        if (std::this_thread::get_id() != owner) foreign = true;
        reports.push_back({std::string(phase), done, total});
      };
      const CampaignPlan loud = continuous ? plan_campaign(t.g, t.model(), roster, spec)
                                           : plan_campaign(t.g, IndependentCascade{}, roster, spec);
      EXPECT_FALSE(foreign);
      EXPECT_EQ(quiet.reach, loud.reach);
      EXPECT_EQ(quiet.kols[0].account, loud.kols[0].account);
      std::map<std::string, Report> last;
      std::vector<std::string> order;
      for (const auto& r : reports) {
        if (last.count(r.phase)) {
          EXPECT_GE(r.done, last[r.phase].done) << r.phase;
        } else {
          order.push_back(r.phase);
        }
        if (r.total > 0) {
          EXPECT_LE(r.done, r.total) << r.phase;
        }
        last[r.phase] = r;
      }
      ASSERT_EQ(order, (std::vector<std::string>{"selection", "sampling", "evaluation"}));
      EXPECT_EQ(last["sampling"].done, loud.rr_sets);
      EXPECT_EQ(last["selection"].done, last["selection"].total);
      EXPECT_GE(last["selection"].total, static_cast<std::uint64_t>(loud.rounds));
      // evaluation: one run per Monte Carlo estimate (plan, prefixes, each KOL alone, the re-plan).
      EXPECT_EQ(last["evaluation"].done, last["evaluation"].total);
      EXPECT_EQ(last["evaluation"].total, (continuous ? 1u : 2u) + loud.kols.size() + 1u);
    }
  }
}

}  // namespace

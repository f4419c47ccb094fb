// SPDX-License-Identifier: MIT
/// Distributed campaign planner under mpirun -np 1, 2, 3: plans bit-identical to one process
/// (KOLs, RR-set counts, certified ratio, check reach and standard errors: the whole JSON but
/// timings, this rank's peak_bytes and parameters.threads) for IC, LT and the continuous-time
/// IC, with budget, risk, audience groups and minimums, deadline, contracted seeds and a budget
/// curve; the exact-truth tiny graphs; a failure on one rank thrown on every rank.
#include <gtest/gtest.h>
#include <mpi.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <regex>
#include <string>
#include <vector>

#include "kolsim/campaign/plan.hpp"
#include "kolsim/distributed/plan.hpp"
#include "kolsim/estimate/exact.hpp"
#include "kolsim/graph/generators.hpp"
#include "kolsim/graph/probabilities.hpp"
#include "mpi_main.hpp"
#include "support.hpp"

namespace {

using namespace kolsim;
namespace kd = kolsim::distributed;

using test_support::world;

std::uint64_t seed() { return test_support::test_seed("test_distributed_plan", 20261204); }

FollowerGraph ic_graph() {
  static const FollowerGraph g = weighted_cascade(preferential_attachment(2500, 4, seed()));
  return g;
}
FollowerGraph lt_graph() {
  static const FollowerGraph g = random_lt_weights(erdos_renyi(1500, 9000, seed() + 1), seed() + 2);
  return g;
}

/// A roster of every 23rd account (fees and risks from the index), joined to g.
Roster make_roster(const FollowerGraph& g, std::size_t stride = 23) {
  std::vector<account_t> acc;
  std::vector<double> fee, risk;
  std::vector<std::string> plat;
  for (vertex_t v = 0; v < g.num_vertices(); v += static_cast<vertex_t>(stride)) {
    acc.push_back(g.account(v));
    fee.push_back(20.0 + static_cast<double>((v * 37) % 180));
    risk.push_back(static_cast<double>(v % 5) * 0.07);
    plat.push_back(v % 2 ? "weibo" : "douyin");
  }
  return Roster::from_arrays(g, acc, fee, risk, plat);
}

/// Two groups over a third of the accounts each, the rest weight 0.25.
Audience make_audience(const FollowerGraph& g) {
  Audience a;
  a.group_names = {"students", "parents"};
  a.group_of.assign(g.num_vertices(), no_group);
  a.weights.assign(g.num_vertices(), 0.25);
  for (vertex_t v = 0; v < g.num_vertices(); ++v) {
    if (v % 3 == 2) continue;
    a.group_of[v] = v % 3;
    a.weights[v] = 1.0;
  }
  return a;
}

/// The plan's JSON without what may differ between runs: timings, this rank's peak_bytes, threads.
std::string stable_json(const CampaignPlan& p) {
  std::string j = p.to_json();
  j = std::regex_replace(j, std::regex(R"re("(seconds|peak_bytes|threads)":[-0-9.e+]+)re"), R"re("$1":0)re");
  j = std::regex_replace(j, std::regex(R"re("phase_seconds":\{[^}]*\})re"), R"re("phase_seconds":{})re");
  return j;
}

/// The distributed plan equals the one-process plan (computed here with other threads) bit for bit.
template <class M>
CampaignPlan expect_same_plan(const FollowerGraph& g, const M& model, const Roster& roster, CampaignSpec spec,
                              int dist_threads, int single_threads, kd::PlanTraffic* traffic = nullptr) {
  spec.threads = dist_threads;
  const CampaignPlan d = kd::plan_campaign(world(), g, model, roster, spec, traffic);
  spec.threads = single_threads;
  const CampaignPlan s = plan_campaign(g, model, roster, spec);
  EXPECT_EQ(d.kols.size(), s.kols.size());
  for (std::size_t i = 0; i < std::min(d.kols.size(), s.kols.size()); ++i) EXPECT_EQ(d.kols[i].account, s.kols[i].account);
  EXPECT_EQ(d.rr_sets, s.rr_sets);
  EXPECT_EQ(d.rounds, s.rounds);
  EXPECT_EQ(std::memcmp(&d.certified_ratio, &s.certified_ratio, 8), 0) << d.certified_ratio << " " << s.certified_ratio;
  EXPECT_EQ(std::memcmp(&d.reach, &s.reach, 8), 0) << d.reach << " " << s.reach;
  EXPECT_EQ(std::memcmp(&d.reach_se, &s.reach_se, 8), 0) << d.reach_se << " " << s.reach_se;
  EXPECT_EQ(stable_json(d), stable_json(s));
  EXPECT_FALSE(d.kols.empty());
  if (world().root())
    std::printf("[plan] %s ranks %d: %zu KOLs, %d rounds, %llu RR sets, certified ratio %.4f, reach %.2f +- %.2f\n",
                M::name.data(), world().size(), d.kols.size(), d.rounds, static_cast<unsigned long long>(d.rr_sets),
                d.certified_ratio, d.reach, d.reach_se);
  return d;
}

CampaignSpec full_spec(const FollowerGraph& g) {
  CampaignSpec spec;
  spec.budget = 600;
  spec.deadline = 4;
  spec.seed = seed();
  spec.epsilon = 0.05;
  spec.check_trials = 3001;  // not a multiple of 64 or of the rank count
  spec.audience = make_audience(g);
  spec.group_minimums = {{"students", 30.0}};
  spec.budget_curve = {150.0, 300.0};
  spec.contracted = {g.account(1)};
  return spec;
}

TEST(DistributedPlan, IcBudgetRiskAudienceDeadlineEqualsOneProcess) {
  const FollowerGraph& g = ic_graph();
  const Roster roster = make_roster(g);
  kd::PlanTraffic tr;
  const CampaignPlan d = expect_same_plan(g, IndependentCascade{}, roster, full_spec(g), 1, 2, &tr);
  EXPECT_EQ(tr.rr_sets, d.rr_sets);
  const std::uint64_t all_local = world().allreduce_sum(tr.local_sets);
  EXPECT_EQ(all_local, d.rr_sets) << "every RR set drawn by exactly one rank";
  if (world().size() > 1) {
    EXPECT_GT(tr.rr_bytes, 0u);
    EXPECT_GT(tr.check_bytes, 0u);
  }
  // Traffic against one dense n-vector of 64-bit counts per chosen KOL (what a dense reduction
  // per pick would move to each rank).
  const double dense = 8.0 * g.num_vertices() * static_cast<double>(d.kols.size());
  if (world().root())
    std::printf("[traffic] ranks %d: restricted RR sets %llu bytes (%llu entries for %llu sets), check %llu bytes; "
                "%zu KOLs: %.0f bytes per KOL vs %.0f for one dense n-vector\n",
                world().size(), static_cast<unsigned long long>(tr.rr_bytes),
                static_cast<unsigned long long>(tr.rr_entries), static_cast<unsigned long long>(tr.rr_sets),
                static_cast<unsigned long long>(tr.check_bytes), d.kols.size(),
                static_cast<double>(tr.rr_bytes) / std::max<double>(1.0, static_cast<double>(d.kols.size())),
                dense / std::max<double>(1.0, static_cast<double>(d.kols.size())));
}

TEST(DistributedPlan, IcThreeThreadsAndRiskPenaltyEqualOneProcess) {
  const FollowerGraph& g = ic_graph();
  const Roster roster = make_roster(g, 17);
  CampaignSpec spec;
  spec.budget = 400;
  spec.max_kols = 6;
  spec.risk_penalty = 0.5;
  spec.max_risk = 0.25;
  spec.seed = seed() + 5;
  spec.check_trials = 1000;
  expect_same_plan(g, IndependentCascade{}, roster, spec, 3, 1);
}

TEST(DistributedPlan, LtMaxKolsEqualsOneProcess) {
  const FollowerGraph& g = lt_graph();
  const Roster roster = make_roster(g, 11);
  CampaignSpec spec;
  spec.max_kols = 5;
  spec.seed = seed() + 9;
  spec.check_trials = 2000;
  spec.risk_mode = RiskMode::ignore;
  spec.excluded = {roster[0].account};
  const CampaignPlan d = expect_same_plan(g, LinearThreshold{}, roster, spec, 1, 3);
  EXPECT_GE(d.rounds, 2) << "R1 and R2 grow by gathered increments";
  spec.audience = make_audience(g);
  spec.deadline = 0;  // seeds only: RR sets are their roots
  spec.budget = 200;
  expect_same_plan(g, LinearThreshold{}, roster, spec, 2, 1);
}

TEST(DistributedPlan, ContinuousIcDeadlineHoursEqualsOneProcess) {
  const FollowerGraph& g = ic_graph();
  const Roster roster = make_roster(g);
  CampaignSpec spec;
  spec.budget = 300;
  spec.deadline_hours = 5;
  spec.seed = seed() + 13;
  spec.check_trials = 700;
  spec.budget_curve = {100.0};
  ContinuousIC m;
  m.default_rate = 1.0 / 7200.0;
  expect_same_plan(g, m, roster, spec, 1, 2);
}

TEST(DistributedPlan, TinyGraphsEqualOneProcessAndExactTruth) {
  for (bool lt : {false, true}) {
    const FollowerGraph g = test_support::tiny_graph(9, 16, seed() + (lt ? 21 : 22), lt);
    const std::vector<account_t> acc{g.account(0), g.account(2), g.account(4), g.account(6), g.account(7)};
    const std::vector<double> fee{30, 10, 20, 25, 15};
    const Roster roster = Roster::from_arrays(g, acc, fee);
    CampaignSpec spec;
    spec.budget = 45;
    spec.seed = seed() + 31;
    spec.check_trials = 20000;
    spec.epsilon = 0.05;
    const CampaignPlan d = lt ? expect_same_plan(g, LinearThreshold{}, roster, spec, 2, 1)
                              : expect_same_plan(g, IndependentCascade{}, roster, spec, 2, 1);
    std::vector<vertex_t> seeds;
    for (const auto& k : d.kols) seeds.push_back(k.vertex);
    const double exact = lt ? exact_spread(g, LinearThreshold{}, std::span<const vertex_t>(seeds)).spread
                            : exact_spread(g, IndependentCascade{}, std::span<const vertex_t>(seeds)).spread;
    EXPECT_LE(std::abs(d.reach - exact), 6.0 * d.reach_se + 1e-12) << (lt ? "LT" : "IC");
  }
}

TEST(DistributedPlanErrors, UnknownAccountOnOneRankReachesAll) {
  const FollowerGraph& g = ic_graph();
  const Roster roster = make_roster(g);
  CampaignSpec spec;
  spec.budget = 200;
  spec.seed = seed();
  spec.check_trials = 200;
  const int last = world().size() - 1;
  if (world().rank() == last) spec.contracted = {999999999};  // only the last rank names an unknown account
  try {
    (void)kd::plan_campaign(world(), g, IndependentCascade{}, roster, spec);
    ADD_FAILURE() << "no error on rank " << world().rank();
  } catch (const std::out_of_range& e) {
    EXPECT_STREQ(e.what(), "account 999999999 is not in the graph");
  }
}

TEST(DistributedPlanErrors, BadSpecOrOtherRosterOnOneRankReachesAll) {
  const FollowerGraph& g = ic_graph();
  const int last = world().size() - 1;
  CampaignSpec spec;
  spec.budget = world().rank() == last ? -5.0 : 200.0;
  spec.seed = seed();
  spec.check_trials = 200;
  try {
    (void)kd::plan_campaign(world(), g, IndependentCascade{}, make_roster(g), spec);
    ADD_FAILURE() << "no error on rank " << world().rank();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "plan_campaign: budget must be >= 0, got -5");
  }
  // A valid but different roster on the last rank: refused by the input fingerprint.
  spec.budget = 200;
  const Roster roster = make_roster(g, world().rank() == last && world().size() > 1 ? 29 : 23);
  if (world().size() == 1) return;
  try {
    (void)kd::plan_campaign(world(), g, IndependentCascade{}, roster, spec);
    ADD_FAILURE() << "no error on rank " << world().rank();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("rank " + std::to_string(last) + " was given another graph, roster"),
              std::string::npos)
        << e.what();
  }
}

TEST(DistributedPlanErrors, InterruptAndMemoryLimitOnOneRankStopAll) {
  const FollowerGraph& g = ic_graph();
  const Roster roster = make_roster(g);
  const int last = world().size() - 1;
  CampaignSpec spec;
  spec.budget = 300;
  spec.seed = seed();
  spec.check_trials = 100000;
  std::atomic<int> calls{0};
  if (world().rank() == last) spec.stop = [&calls] { return ++calls > 40; };  // stops part way
  EXPECT_THROW((void)kd::plan_campaign(world(), g, IndependentCascade{}, roster, spec), Interrupted);
  spec.stop = nullptr;
  spec.check_trials = 100;
  spec.memory_limit = world().rank() == last ? 4096 : 0;
  EXPECT_THROW((void)kd::plan_campaign(world(), g, IndependentCascade{}, roster, spec), MemoryLimitError);
  std::uint64_t one = 1;
  EXPECT_EQ(world().allreduce_sum(one), static_cast<std::uint64_t>(world().size()));
}

}  // namespace

int main(int argc, char** argv) { return kolsim::test_support::mpi_test_main(argc, argv); }

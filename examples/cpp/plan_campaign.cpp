// SPDX-License-Identifier: MIT
/// Plan a KOL campaign in C++: a generated follower network and roster (fees grow with follower
/// count, a few risky KOLs), a target audience with a minimum for a small group, a 4-step
/// deadline, a budget; print the plan, re-plan after a scandal, save the JSON run record.
#include <kolsim/campaign/plan.hpp>
#include <kolsim/graph/generators.hpp>
#include <kolsim/graph/probabilities.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

int main() {
  using namespace kolsim;
  const FollowerGraph g = weighted_cascade(preferential_attachment(20'000, 4, /*seed=*/3));
  const IndependentCascade model;

  // Roster: every 20th account; fee = 50 + 3 * followers^0.9; every 15th KOL carries risk 0.4.
  std::vector<account_t> accounts;
  std::vector<double> fees, risks;
  for (vertex_t v = 0; v < g.num_vertices(); v += 20) {
    accounts.push_back(g.account(v));
    fees.push_back(std::round(50.0 + 3.0 * std::pow(static_cast<double>(g.out_degree(v)), 0.9)));
    risks.push_back(accounts.size() % 15 == 0 ? 0.4 : 0.0);
  }
  const Roster roster = Roster::from_arrays(g, accounts, fees, risks);

  // Audience: accounts >= 15,000 are the "late joiners" the agency cares about twice as much.
  std::vector<account_t> members;
  std::vector<std::string> groups;
  for (vertex_t v = 0; v < g.num_vertices(); ++v) {
    members.push_back(g.account(v));
    groups.push_back(g.account(v) >= 15'000 ? "late" : "early");
  }
  AudienceOptions ao;
  ao.group_weights["late"] = 2.0;

  CampaignSpec spec;
  spec.budget = 2'000;
  spec.max_risk = 0.5;
  spec.deadline = 4;
  spec.seed = 11;
  spec.check_trials = 2'000;
  spec.audience = Audience::from_groups(g, members, groups, ao);
  spec.group_minimums = {{"late", 150.0}};
  spec.budget_curve = {500, 1'000, 1'500};
  const CampaignPlan plan = plan_campaign(g, model, roster, spec);
  std::printf("%s\n", plan.to_table().c_str());

  if (!plan.kols.empty()) {
    const ReplanResult r = replan_without(g, model, roster, plan, plan.kols.front().account);
    std::printf("%s\n", r.to_table().c_str());
  }
  const auto path = std::filesystem::temp_directory_path() / "kolsim_plan_campaign.json";
  plan.save_json(path.string());
  std::printf("run record written to %s\n", path.string().c_str());
  return 0;
}

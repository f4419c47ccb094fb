// SPDX-License-Identifier: MIT
/// Fuzz target for read_roster on a small built-in graph: one option byte, then the CSV. An
/// accepted roster is planned with (plan_campaign, a tiny run) and its run record must be JSON.
#include "fuzz_common.hpp"

#include <cmath>

extern const char* const kolsim_fuzz_temp_tags[] = {"roster.csv", nullptr};

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kolsim;
  static const FollowerGraph g = kolsim_fuzz::small_graph();
  if (size < 1) return 0;
  const std::uint8_t c = data[0];
  RosterOptions ro;
  ro.include_non_roster = (c & 1) != 0;
  ro.non_roster_fee = (c & 2) ? 5.0 : 0.0;
  ro.non_roster_risk = (c & 4) ? 0.5 : 0.0;
  const std::string path = kolsim_fuzz::temp_path("roster.csv");
  kolsim_fuzz::write_file(path, data + 1, size - 1);
  Roster roster;
  if (!kolsim_fuzz::guarded("read_roster", [&] { roster = read_roster(path, g, ro); })) return 0;

  if (roster.num_vertices() != g.num_vertices()) kolsim_fuzz::finding("read_roster", "roster joined to another size");
  for (const RosterEntry& e : roster.entries()) {
    if (e.vertex >= g.num_vertices() || g.account(e.vertex) != e.account)
      kolsim_fuzz::finding("read_roster", "entry's vertex does not hold its account");
    if (!std::isfinite(e.fee) || e.fee < 0 || !(e.risk >= 0 && e.risk <= 1))
      kolsim_fuzz::finding("read_roster", "fee or risk outside the documented range");
    if (roster.find(e.vertex) < 0 || !roster.is_candidate(e.vertex)) kolsim_fuzz::finding("read_roster", "lookup lost an entry");
  }
  if (roster.num_candidates() == 0) return 0;
  CampaignSpec spec;
  spec.budget = (c & 8) ? 100.0 : std::numeric_limits<double>::infinity();
  spec.max_kols = 2;
  spec.max_risk = (c & 16) ? 0.4 : 1.0;
  spec.epsilon = 0.5;
  spec.threads = 1;
  spec.check_trials = 32;
  spec.seed = c >> 5;
  kolsim_fuzz::guarded("plan_campaign", [&] {
    const CampaignPlan plan = plan_campaign(g, IndependentCascade{}, roster, spec);
    (void)plan.to_table();
    kolsim_fuzz::check_json("run record", plan.to_json());
  });
  return 0;
}

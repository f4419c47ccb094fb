// SPDX-License-Identifier: MIT
/// Fuzz target for read_audience on a small built-in graph: one option byte, then the CSV. An
/// accepted audience is checked, then used by a tiny plan whose run record must be JSON.
#include "fuzz_common.hpp"

#include <cmath>

extern const char* const kolsim_fuzz_temp_tags[] = {"audience.csv", nullptr};

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kolsim;
  static const FollowerGraph g = kolsim_fuzz::small_graph();
  if (size < 1) return 0;
  const std::uint8_t c = data[0];
  AudienceOptions opt;
  opt.other_weight = (c & 3) == 0 ? 1.0 : (c & 3) == 1 ? 0.0 : (c & 3) == 2 ? 0.5 : 3.0;
  if (c & 4) opt.group_weights["a"] = 2.0;
  if (c & 8) opt.group_weights["youth"] = 0.0;
  const std::string path = kolsim_fuzz::temp_path("audience.csv");
  kolsim_fuzz::write_file(path, data + 1, size - 1);
  Audience a;
  if (!kolsim_fuzz::guarded("read_audience", [&] { a = read_audience(path, g, opt); })) return 0;

  const vertex_t n = g.num_vertices();
  if (!kolsim_fuzz::guarded("validate", [&] { a.validate(n); }))
    kolsim_fuzz::finding("read_audience", "returned an audience that fails validate()");
  double total = 0;
  for (vertex_t v = 0; v < n; ++v) {
    const double w = a.weight(v);
    if (!std::isfinite(w) || w < 0) kolsim_fuzz::finding("read_audience", "weight not finite and >= 0");
    total += w;
    if (a.grouped() && a.group_of[v] != no_group && a.group_of[v] >= a.num_groups())
      kolsim_fuzz::finding("read_audience", "group index out of range");
  }
  if (!(total > 0)) return 0;
  const std::vector<account_t> kols{10, 40, 4294967296ull};
  const std::vector<double> fees{1.0, 2.0, 1.5};
  const Roster roster = Roster::from_arrays(g, kols, fees);
  CampaignSpec spec;
  spec.max_kols = 2;
  spec.epsilon = 0.5;
  spec.threads = 1;
  spec.check_trials = 32;
  spec.seed = c >> 4;
  spec.audience = a;
  if ((c & 16) && a.num_groups() > 0) spec.group_minimums.emplace_back(a.group_names[0], 1.0);
  kolsim_fuzz::guarded("plan_campaign", [&] {
    const CampaignPlan plan = plan_campaign(g, IndependentCascade{}, roster, spec);
    (void)plan.to_table();
    kolsim_fuzz::check_json("run record", plan.to_json());
  });
  return 0;
}

// SPDX-License-Identifier: MIT
/// Counter-narrative in C++: a falsehood starts at five hubs of a generated follower network;
/// compare correcting with reach-maximising KOLs (IMM) and with blocking KOLs (RR race sets).
#include <kolsim/diffusion/competitive.hpp>
#include <kolsim/estimate/competitive_estimate.hpp>
#include <kolsim/graph/generators.hpp>
#include <kolsim/graph/probabilities.hpp>
#include <kolsim/select/blocking.hpp>
#include <kolsim/select/heuristics.hpp>

#include <cstdio>
#include <vector>

int main() {
  using namespace kolsim;
  // 20,000 accounts, power-law follower counts; both campaigns spread with p = 1/indeg(v).
  const FollowerGraph g = weighted_cascade(chung_lu(20000, 6.0, 2.5, 2.1, 7));
  // The corrective message is a little less contagious than the falsehood, and ties go to F.
  std::vector<prob_t> pc(g.edge_probs().begin(), g.edge_probs().end());
  for (prob_t& p : pc) p *= 0.8f;
  const CompetitiveIC model(g, g.with_probabilities(pc), TieRule::misleading_wins, /*correction_delay=*/1);
  const std::vector<vertex_t> falsehood = top_degree(g, 5).seeds;

  BlockingOptions opt;
  opt.seed = 42;
  opt.worlds = 1000;
  opt.evaluation_trials = 2000;
  std::printf("falsehood from accounts");
  for (vertex_t v : falsehood) std::printf(" %llu", static_cast<unsigned long long>(g.account(v)));
  std::printf("; correction posts one step later, 10 corrective KOLs\n");
  for (BlockingMethod m : {BlockingMethod::imm, BlockingMethod::degree, BlockingMethod::rr}) {
    opt.method = m;
    const BlockingResult r = select_blockers(model, falsehood, 10, opt);
    std::printf("%-8s falsehood reach %8.1f -> %8.1f +- %.1f  (saved %.1f +- %.1f), chosen in %.2f s\n",
                r.method.c_str(), r.reach_before, r.reach_after, r.reach_after_error, r.saved, r.saved_error,
                r.phase_seconds.front().second);
  }
  // The race over time for the blocking choice.
  opt.method = BlockingMethod::rr;
  const BlockingResult best = select_blockers(model, falsehood, 10, opt);
  CompetitionOptions co;
  co.trials = 2000;
  co.seed = 1;
  const CompetitiveEstimate race = estimate_competition(model, falsehood, best.seeds, co);
  std::printf("step   falsehood   correction (mean new adopters)\n");
  for (std::size_t t = 0; t < race.misleading_per_step.size() && t < 8; ++t)
    std::printf("%4zu %11.1f %12.1f\n", t, race.misleading_per_step[t], race.corrective_per_step[t]);
  return 0;
}

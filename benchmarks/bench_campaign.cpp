// SPDX-License-Identifier: MIT
/// Benchmark of campaign planning (budget + weighted audience + deadline, 10,000-KOL generated
/// roster) against plain OPIM-C and IMM selection at the same epsilon, on Slashdot and PL1M.
///
/// Run: build-camp/benchmarks/bench_campaign [slashdot|pl1m|all] [--eps E] [--threads T]
///      [--trials N]   (data from $KOLSIM_DATA_DIR, default /work/shared/datasets)
/// Roster: the 5,000 accounts with most followers plus 5,000 others drawn with a fixed seed; fee
/// = 100 + 2 * followers^0.9 (grows with follower count); every 40th KOL carries risk 0.2..0.6.
/// Audience: a "target" group of ~30% of accounts (weight 1), the rest weight 0.2; deadline 3
/// steps. "plan (select)" runs with check_trials = 0 (the RR phases only, comparable to the
/// selectors); "plan (+check)" adds the independent Monte Carlo check with --trials trials.
#include <kolsim/campaign/plan.hpp>
#include <kolsim/estimate/monte_carlo.hpp>
#include <kolsim/graph/generators.hpp>
#include <kolsim/graph/probabilities.hpp>
#include <kolsim/io/edge_list.hpp>
#include <kolsim/select/imm.hpp>
#include <kolsim/select/opim.hpp>
#include "pl1m.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

using namespace kolsim;

namespace {

Roster generated_roster(const FollowerGraph& g, double* budget) {
  const vertex_t n = g.num_vertices();
  std::vector<vertex_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](vertex_t a, vertex_t b) { return g.out_degree(a) > g.out_degree(b); });
  std::vector<char> on(n, 0);
  std::vector<vertex_t> kols(order.begin(), order.begin() + std::min<vertex_t>(5000, n));
  for (vertex_t v : kols) on[v] = 1;
  Rng rng(7, 0, domain::selection);
  while (kols.size() < std::min<vertex_t>(10000, n)) {
    const vertex_t v = rng.below(n);
    if (!on[v]) {
      on[v] = 1;
      kols.push_back(v);
    }
  }
  std::vector<account_t> acc;
  std::vector<double> fee, risk;
  for (std::size_t i = 0; i < kols.size(); ++i) {
    acc.push_back(g.account(kols[i]));
    fee.push_back(100.0 + 2.0 * std::pow(static_cast<double>(g.out_degree(kols[i])), 0.9));
    risk.push_back(i % 40 == 7 ? 0.2 + 0.4 * rng.uniform() : 0.0);
  }
  // Budget: the fees of the 50 accounts with most followers, halved (cheaper KOLs must fill in).
  *budget = 0;
  for (std::size_t i = 0; i < 50 && i < fee.size(); ++i) *budget += fee[i];
  *budget /= 2;
  return Roster::from_arrays(g, acc, fee, risk);
}

Audience target_audience(const FollowerGraph& g) {
  Audience a;
  a.group_names = {"target", "other"};
  a.group_of.resize(g.num_vertices());
  a.weights.resize(g.num_vertices());
  for (vertex_t v = 0; v < g.num_vertices(); ++v) {
    const bool t = (static_cast<std::uint64_t>(v) * 0x9E3779B97F4A7C15ull >> 32) % 10 < 3;
    a.group_of[v] = t ? 0 : 1;
    a.weights[v] = t ? 1.0 : 0.2;
  }
  return a;
}

double median(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  return x[x.size() / 2];
}

void bench(const char* name, const FollowerGraph& g, double eps, int threads, std::uint64_t trials) {
  double budget = 0;
  const Roster roster = generated_roster(g, &budget);
  const Audience aud = target_audience(g);
  const std::uint32_t deadline = 3;
  std::printf("# %s: %u nodes, %llu arcs, IC weighted cascade, eps %.2f, %d threads; roster %zu KOLs, budget %.0f\n",
              name, g.num_vertices(), static_cast<unsigned long long>(g.num_edges()), eps, threads, roster.size(),
              budget);
  const int reps = 3;
  // Plain selectors, k = 50 (no budget, roster, weights or deadline).
  {
    std::vector<double> t;
    OpimResult r;
    for (int i = 0; i < reps; ++i) {
      OpimOptions o;
      o.epsilon = eps;
      o.threads = threads;
      o.seed = 1;
      r = opim_c(g, IndependentCascade{}, 50, o);
      t.push_back(r.seconds);
    }
    std::printf("%-9s OPIM-C k=50                 time %.4f s  rr_sets %8llu  ratio %.3f\n", name, median(t),
                static_cast<unsigned long long>(r.rr_sets), r.certified_ratio);
    t.clear();
    // Same features as the plan (targeted + deadline) for a like-for-like selector time.
    for (int i = 0; i < reps; ++i) {
      OpimOptions o;
      o.epsilon = eps;
      o.threads = threads;
      o.seed = 1;
      o.max_depth = deadline;
      o.root_weights = aud.weights;
      r = opim_c(g, IndependentCascade{}, 50, o);
      t.push_back(r.seconds);
    }
    std::printf("%-9s OPIM-C k=50 weighted+T=3    time %.4f s  rr_sets %8llu  ratio %.3f\n", name, median(t),
                static_cast<unsigned long long>(r.rr_sets), r.certified_ratio);
    t.clear();
    ImmResult ir;
    for (int i = 0; i < reps; ++i) {
      ImmOptions o;
      o.epsilon = eps;
      o.threads = threads;
      o.seed = 1;
      ir = imm(g, IndependentCascade{}, 50, o);
      t.push_back(ir.seconds);
    }
    std::printf("%-9s IMM k=50                    time %.4f s  rr_sets %8llu\n", name, median(t),
                static_cast<unsigned long long>(ir.rr_sets));
  }
  CampaignSpec spec;
  spec.budget = budget;
  spec.deadline = deadline;
  spec.audience = aud;
  spec.epsilon = eps;
  spec.threads = threads;
  spec.seed = 1;
  spec.check_trials = 0;
  for (int variant = 0; variant < 2; ++variant) {
    if (variant == 1) spec.max_kols = 30;
    std::vector<double> t;
    CampaignPlan p;
    for (int i = 0; i < reps; ++i) {
      p = plan_campaign(g, IndependentCascade{}, roster, spec);
      t.push_back(p.seconds);
    }
    std::string phases;
    for (auto& [ph, s] : p.phase_seconds) phases += " " + ph + "=" + std::to_string(s);
    std::printf("%-9s plan (select) %-13s time %.4f s  rr_sets %8llu  ratio %.3f  rounds %d  KOLs %zu  fee %.0f  "
                "rule %s  peak MB %.1f %s\n",
                name, variant ? "budget+k=30" : "budget", median(t), static_cast<unsigned long long>(p.rr_sets),
                p.certified_ratio, p.rounds, p.kols.size(), p.total_fee, p.rule.c_str(),
                static_cast<double>(p.peak_bytes) / 1048576.0, phases.c_str());
  }
  spec.max_kols = 0;
  if (trials > 0) {
    spec.check_trials = trials;
    const CampaignPlan p = plan_campaign(g, IndependentCascade{}, roster, spec);
    std::string phases;
    for (auto& [ph, s] : p.phase_seconds) phases += " " + ph + "=" + std::to_string(s);
    std::printf("%-9s plan (+check %llu trials)    time %.4f s  weighted reach %.1f +- %.1f (RR %.1f)  accounts "
                "%.1f +- %.1f %s\n",
                name, static_cast<unsigned long long>(trials), p.seconds, p.reach, p.reach_se, p.reach_rr,
                p.accounts_reached, p.accounts_reached_se, phases.c_str());
    for (const auto& gr : p.groups)
      std::printf("%-9s   group %-8s size %8llu reached %.1f +- %.1f\n", name, gr.name.c_str(),
                  static_cast<unsigned long long>(gr.size), gr.reach, gr.se);
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string which = "all";
  std::uint64_t trials = 1000;
  double eps = -1;
  int threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--trials" && i + 1 < argc) trials = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--eps" && i + 1 < argc) eps = std::atof(argv[++i]);
    else if (a == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
    else which = a;
  }
  const char* env = std::getenv("KOLSIM_DATA_DIR");
  const std::string dir = env ? env : "/work/shared/datasets";
  if (which == "slashdot" || which == "all") {
    const auto g = weighted_cascade(read_edge_list(dir + "/soc-Slashdot0902/soc-Slashdot0902.txt.gz"));
    bench("Slashdot", g, eps > 0 ? eps : 0.1, threads, trials);
  }
  if (which == "pl1m" || which == "all") {
    const auto g = weighted_cascade(pl1m_graph(1));
    bench("PL1M", g, eps > 0 ? eps : 0.5, threads, trials);
  }
  return 0;
}

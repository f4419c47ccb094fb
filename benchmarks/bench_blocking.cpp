// SPDX-License-Identifier: MIT
/// Benchmark of blocking selection (k = 20 corrective KOLs against 10 misleading seeds) on
/// Slashdot and PL1M under competitive IC or (--lt) competitive LT: selection time and the
/// falsehood's Monte Carlo reach under each correction.
///
/// Run: build-comp/benchmarks/bench_blocking [slashdot|pl1m|all] [--worlds W] [--roots R]
///      [--trials N] [--threads T] [--celf] [--lt [--lt-candidates C] [--lt-trials N]]
///      (--lt: competitive LT of Borodin et al. on the same weights instead of competitive IC:
///      the baselines and CELF on the C top-degree candidates, default 200, with N common-random-
///      number worlds, default 100; rr does not apply) (data from $KOLSIM_DATA_DIR, default
///      /work/shared/datasets). Both campaigns use weighted cascade p = 1/indeg(v), tie rule
///      misleading_wins, no delay. Misleading seeds = the 10 accounts with most followers (the
///      worst case: the falsehood starts at the hubs). "reach" is estimate_competition with N
///      trials (default 1000) on worlds disjoint from the selection's, mean +- standard error.
#include <kolsim/diffusion/competitive.hpp>
#include <kolsim/estimate/competitive_estimate.hpp>
#include <kolsim/graph/generators.hpp>
#include <kolsim/graph/probabilities.hpp>
#include <kolsim/io/edge_list.hpp>
#include <kolsim/select/blocking.hpp>
#include <kolsim/select/heuristics.hpp>
#include "pl1m.hpp"

#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace kolsim;

namespace {

double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

template <class Model>
void run_methods(const char* name, const Model& model, const FollowerGraph& g, std::uint64_t worlds, std::uint32_t roots,
                 std::uint64_t trials, int threads, const std::vector<BlockingMethod>& methods,
                 std::size_t celf_candidates, std::uint64_t celf_trials) {
  const std::vector<vertex_t> f = top_degree(g, 10).seeds;
  std::printf("\n%s, %s: n = %u, m = %llu, 10 misleading seeds (top degree), k = 20, eval trials = %llu\n", name,
              Model::name.data(), g.num_vertices(), static_cast<unsigned long long>(g.num_edges()),
              static_cast<unsigned long long>(trials));
  std::printf("%-14s %10s %10s %22s %22s\n", "correction", "select s", "cpu s", "F reach +- se", "saved +- se");
  BlockingOptions opt;
  opt.seed = 2026;
  opt.threads = threads;
  opt.evaluation_trials = trials;
  opt.worlds = worlds;
  opt.roots_per_world = roots;
  opt.imm_epsilon = 0.5;
  bool first = true;
  for (BlockingMethod m : methods) {
    opt.method = m;
    if (m == BlockingMethod::celf) {
      // CELF runs on a candidate pool: the accounts with most followers.
      opt.candidates.clear();
      for (vertex_t v : top_degree(g, celf_candidates + 10).seeds)
        if (std::find(f.begin(), f.end(), v) == f.end() && opt.candidates.size() < celf_candidates)
          opt.candidates.push_back(v);
      opt.trials = celf_trials;
    }
    const double c0 = cpu_seconds();
    const BlockingResult r = select_blockers(model, f, 20, opt);
    const double cpu = cpu_seconds() - c0;
    double select_s = 0;
    for (const auto& [phase, s] : r.phase_seconds)
      if (phase != "evaluation") select_s += s;
    if (first) {
      std::printf("%-14s %10s %10s %13.1f +- %6.1f %13s\n", "none", "-", "-", r.reach_before, r.reach_before_error,
                  "-");
      first = false;
    }
    std::printf("%-14s %10.3f %10.2f %13.1f +- %6.1f %13.1f +- %6.1f", r.method.c_str(), select_s, cpu,
                r.reach_after, r.reach_after_error, r.saved, r.saved_error);
    if (m == BlockingMethod::rr)
      std::printf("   (%llu RR sets, own estimate %.1f, %.0f MB)", static_cast<unsigned long long>(r.rr_sets), r.spread,
                  static_cast<double>(r.peak_bytes) / 1e6);
    if (m == BlockingMethod::celf)
      std::printf("   (%zu candidates, %llu trials)", celf_candidates, static_cast<unsigned long long>(opt.trials));
    std::printf("\n");
    std::fflush(stdout);
  }
}

struct LtBench {
  bool on = false;
  std::size_t candidates = 200;
  std::uint64_t trials = 100;
};

void run(const char* name, const FollowerGraph& g, std::uint64_t worlds, std::uint32_t roots, std::uint64_t trials,
         int threads, bool with_celf, const LtBench& lt) {
  if (lt.on) {
    run_methods(name, CompetitiveLT(g), g, worlds, roots, trials, threads,
                {BlockingMethod::degree, BlockingMethod::neighbourhood, BlockingMethod::imm, BlockingMethod::celf},
                lt.candidates, lt.trials);
    return;
  }
  std::vector<BlockingMethod> methods{BlockingMethod::degree, BlockingMethod::neighbourhood, BlockingMethod::imm,
                                      BlockingMethod::rr};
  if (with_celf) methods.push_back(BlockingMethod::celf);
  run_methods(name, CompetitiveIC(g, TieRule::misleading_wins, 0), g, worlds, roots, trials, threads, methods, 200, 100);
}

}  // namespace

int main(int argc, char** argv) {
  std::string which = "all";
  std::uint64_t worlds = 2000, trials = 1000;
  std::uint32_t roots = 16;
  int threads = 0;
  bool celf = false;
  LtBench lt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--worlds" && i + 1 < argc) worlds = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--roots" && i + 1 < argc) roots = static_cast<std::uint32_t>(std::strtoul(argv[++i], nullptr, 10));
    else if (a == "--trials" && i + 1 < argc) trials = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (a == "--celf") celf = true;
    else if (a == "--lt") lt.on = true;
    else if (a == "--lt-candidates" && i + 1 < argc) lt.candidates = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--lt-trials" && i + 1 < argc) lt.trials = std::strtoull(argv[++i], nullptr, 10);
    else which = a;
  }
  const char* env = std::getenv("KOLSIM_DATA_DIR");
  const std::string dir = env ? env : "/work/shared/datasets";
  if (which == "slashdot" || which == "all") {
    const FollowerGraph g = weighted_cascade(read_edge_list(dir + "/soc-Slashdot0902/soc-Slashdot0902.txt.gz"));
    run("soc-Slashdot0902 (weighted cascade)", g, worlds, roots, trials, threads, celf, lt);
  }
  if (which == "pl1m" || which == "all") {
    const FollowerGraph g = weighted_cascade(pl1m_graph(1));
    run("PL1M (benchmarks/pl1m.hpp, weighted cascade)", g, worlds, roots, trials, threads, false, lt);
  }
  return 0;
}

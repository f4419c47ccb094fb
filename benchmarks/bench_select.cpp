// SPDX-License-Identifier: MIT
/// Benchmark of IMM and OPIM-C (weighted cascade, IC and LT, k = 50) on Slashdot and PL1M, printing
/// algorithm time, RR sets, memory and an independent Monte Carlo spread of the chosen seeds.
///
/// Run: build-rr/benchmarks/bench_select [slashdot|pl1m|all] [--trials N] [--eps E] [--threads T]
///      [--model ic|lt]   (data from $KOLSIM_DATA_DIR, default /work/shared/datasets)
/// The spread column is estimate_spread (forward Monte Carlo, default 10,000 trials) of the
/// returned seeds, independent of the RR sets the selector used.
#include <kolsim/estimate/monte_carlo.hpp>
#include <kolsim/graph/generators.hpp>
#include <kolsim/graph/probabilities.hpp>
#include <kolsim/io/edge_list.hpp>
#include <kolsim/select/imm.hpp>
#include <kolsim/select/opim.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace kolsim;

namespace {

/// Resets the process's peak resident set (Linux: "5" > /proc/self/clear_refs resets VmHWM).
void reset_peak_rss() {
  if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
    std::fputs("5", f);
    std::fclose(f);
  }
}

/// Peak resident set since the last reset (VmHWM), in MB; graph included.
double peak_rss_mb() {
  double kb = 0;
  if (std::FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
      if (std::strncmp(line, "VmHWM:", 6) == 0) kb = std::atof(line + 6);
    }
    std::fclose(f);
  }
  return kb / 1024.0;
}

template <class M>
void run(const char* graph_name, const FollowerGraph& g, const char* model_name, double eps, int threads,
         std::uint64_t trials) {
  for (int alg = 0; alg < 2; ++alg) {
    SelectResult r;
    std::string extra;
    const int reps = 3;
    std::vector<double> times;
    reset_peak_rss();
    for (int rep = 0; rep < reps; ++rep) {
      if (alg == 0) {
        ImmOptions o;
        o.epsilon = eps;
        o.threads = threads;
        o.seed = 1;
        auto res = imm(g, M{}, 50, o);
        extra = "theta=" + std::to_string(res.theta);
        r = res;
      } else {
        OpimOptions o;
        o.epsilon = eps;
        o.threads = threads;
        o.seed = 1;
        auto res = opim_c(g, M{}, 50, o);
        char buf[64];
        std::snprintf(buf, sizeof buf, "ratio=%.3f rounds=%d", res.certified_ratio, res.rounds);
        extra = buf;
        r = res;
      }
      times.push_back(r.seconds);
    }
    std::sort(times.begin(), times.end());
    const double peak_mb = peak_rss_mb();
    SpreadEstimate mc;
    if (trials) {
      MonteCarloOptions mo;
      mo.trials = trials;
      mo.seed = 12345;
      mc = estimate_spread(g, M{}, r.seeds, mo);
    }
    std::string phases;
    for (auto& [name, sec] : r.phase_seconds) phases += " " + name + "=" + std::to_string(sec);
    extra += phases;
    std::printf("%-9s %-2s %-6s eps=%.2f thr=%d  time %.4f s (median of %d)  rr_sets %9llu  algo MB %6.1f  "
                "peak RSS MB %6.1f  spread %9.1f +- %5.1f (%llu trials)  own %.1f  %s\n",
                graph_name, model_name, alg == 0 ? "IMM" : "OPIM-C", eps, threads, times[reps / 2], reps,
                static_cast<unsigned long long>(r.rr_sets), static_cast<double>(r.peak_bytes) / 1048576.0,
                peak_mb, mc.mean, mc.std_error, static_cast<unsigned long long>(trials), r.spread, extra.c_str());
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string which = "slashdot", model = "both";
  std::uint64_t trials = 10000;
  std::vector<double> epss{0.5, 0.1};
  std::vector<int> thr{1, 2};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--trials" && i + 1 < argc) trials = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--eps" && i + 1 < argc) epss = {std::atof(argv[++i])};
    else if (a == "--threads" && i + 1 < argc) thr = {std::atoi(argv[++i])};
    else if (a == "--model" && i + 1 < argc) model = argv[++i];
    else which = a;
  }
  const char* env = std::getenv("KOLSIM_DATA_DIR");
  const std::string dir = env ? env : "/work/shared/datasets";
  auto bench_graph = [&](const char* name, const FollowerGraph& g) {
    std::printf("# %s: %u nodes, %llu arcs (weighted cascade)\n", name, g.num_vertices(),
                static_cast<unsigned long long>(g.num_edges()));
    for (double e : epss)
      for (int t : thr) {
        if (model != "lt") run<IndependentCascade>(name, g, "IC", e, t, trials);
        if (model != "ic") run<LinearThreshold>(name, g, "LT", e, t, trials);
      }
  };
  if (which == "slashdot" || which == "all") {
    auto g = weighted_cascade(read_edge_list(dir + "/soc-Slashdot0902/soc-Slashdot0902.txt.gz"));
    bench_graph("Slashdot", g);
  }
  if (which == "pl1m" || which == "all") {
    auto g = weighted_cascade(chung_lu(1'000'000, 10.4, 2.5, 2.1, 1));
    bench_graph("PL1M", g);
  }
  return 0;
}

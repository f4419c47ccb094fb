// SPDX-License-Identifier: MIT
/// Benchmark of IMM and OPIM-C (weighted cascade, IC and LT, k = 50) on Slashdot and PL1M, printing
/// algorithm time, RR sets, memory and an independent Monte Carlo spread of the chosen seeds.
///
/// Run: build/benchmarks/bench_select [slashdot|nethept|pl1m|all] [--trials N] [--eps E] [--threads T]
///      [--model ic|lt]   (data from $KOLSIM_DATA_DIR, default /work/shared/datasets)
/// The spread column is estimate_spread (forward Monte Carlo, default 10,000 trials) of the
/// returned seeds, independent of the RR sets the selector used.
///
///      build/benchmarks/bench_select pl1m-wall [--eps 0.5] [--threads 2] [--trials N]
/// measures what a user waits for on PL1M: wall time of load + weighted cascade + IMM, from a
/// text edge list and from a binary snapshot (written once to /tmp), each in a fresh process
/// so that its peak RSS is its own.
///
///      build/benchmarks/bench_select slashdot-ttq [--threads 2] [--seeds 8] [--trials N]
/// time to quality on Slashdot IC: for several configurations (IMM and OPIM-C with a large
/// selection ratio), over seeds 1..S, the algorithm time (median of 3) and the independent spread
/// of each seed's result, and how many reach 17,560 (99% of the best known spread).
///
///      build/benchmarks/bench_select nethept-imm [--eps 0.1] [--threads 1] [--reps 5] [--trials N]
/// IMM's two lower-bound phases side by side in one run on NetHEPT IC (k = 50): classic (IMM's
/// doubling with eps') and validated (R1/R2 certified, ratios 1 and 2), interleaved, each
/// repetition seed 1; median algorithm time and process CPU time, RR sets (bound phase / final),
/// and the spread of each variant's seeds by one estimator (estimate_spread, seed 12345).
///      build/benchmarks/bench_select opim-quality [--eps 0.1] [--threads 2] [--seeds 8] [--trials N]
///                                                 [--max-noise X]   (1 = the paper's stopping rule)
/// OPIM-C's quality on Slashdot IC at its defaults, seeds 1..S (issue 15, goal 5): per seed the
/// stopping round, |R1| and |R2|, the certified ratio, the greedy's sampling noise, the algorithm
/// time (median of 3) and the spread of the seeds by one Monte Carlo estimator (same seed for all);
/// then median, minimum and mean +- standard error over the seeds. Without --eps: eps 0.1 and 0.5.
#include <kolsim/estimate/monte_carlo.hpp>
#include <kolsim/graph/generators.hpp>
#include <kolsim/graph/probabilities.hpp>
#include <kolsim/io/edge_list.hpp>
#include <kolsim/io/snapshot.hpp>
#include <kolsim/select/imm.hpp>
#include <kolsim/select/opim.hpp>
#include "pl1m.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <string>
#include <ctime>
#include <sys/stat.h>
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

/// Forward Monte Carlo spread of `seeds` (fixed seed, independent of any RR sets); empty when
/// trials = 0.
template <class M>
SpreadEstimate independent_spread(const FollowerGraph& g, const std::vector<vertex_t>& seeds, std::uint64_t trials,
                                  int threads) {
  if (trials == 0) return {};
  MonteCarloOptions mo;
  mo.trials = trials;
  mo.seed = 12345;
  mo.threads = threads;
  return estimate_spread(g, M{}, seeds, mo);
}

/// One IMM (opim = false) or OPIM-C run; `extra` (optional) receives the method's own figures.
template <class M>
SelectResult select_once(const FollowerGraph& g, bool opim, double eps, int threads, std::uint64_t seed,
                         double selection_ratio, std::string* extra = nullptr) {
  if (!opim) {
    ImmOptions o;
    o.epsilon = eps;
    o.threads = threads;
    o.seed = seed;
    auto res = imm(g, M{}, 50, o);
    if (extra) *extra = "theta=" + std::to_string(res.theta);
    return res;
  }
  OpimOptions o;
  o.epsilon = eps;
  o.threads = threads;
  o.seed = seed;
  o.selection_ratio = selection_ratio;
  auto res = opim_c(g, M{}, 50, o);
  if (extra) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "ratio=%.3f rounds=%d R2=%llu", res.certified_ratio, res.rounds,
                  static_cast<unsigned long long>(res.validation_sets));
    *extra = buf;
  }
  return res;
}

template <class M>
void run(const char* graph_name, const FollowerGraph& g, const char* model_name, double eps, int threads,
         std::uint64_t trials, double selection_ratio) {
  for (int alg = 0; alg < 2; ++alg) {
    SelectResult r;
    std::string extra;
    const int reps = 3;
    std::vector<double> times;
    reset_peak_rss();
    for (int rep = 0; rep < reps; ++rep) {
      r = select_once<M>(g, alg == 1, eps, threads, 1, selection_ratio, &extra);
      times.push_back(r.seconds);
    }
    std::sort(times.begin(), times.end());
    const double peak_mb = peak_rss_mb();
    const SpreadEstimate mc = independent_spread<M>(g, r.seeds, trials, 0);
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

/// Time to quality: each configuration over seeds 1..`seeds`.
void time_to_quality(const FollowerGraph& g, int threads, int seeds, std::uint64_t trials) {
  constexpr double kTarget = 17560;
  struct Config {
    const char* method;
    double eps, ratio;
  };
  for (const Config c : {Config{"imm", 0.5, 0}, Config{"opim-c", 0.1, 12}, Config{"opim-c", 0.2, 48},
                         Config{"opim-c", 0.2, 64}}) {
    int reached = 0;
    double time_sum = 0, time_max = 0, spread_sum = 0, spread_min = 1e300;
    for (int seed = 1; seed <= seeds; ++seed) {
      std::vector<double> times;
      SelectResult r;
      for (int rep = 0; rep < 3; ++rep) {
        r = select_once<IndependentCascade>(g, c.ratio != 0, c.eps, threads, static_cast<std::uint64_t>(seed), c.ratio);
        times.push_back(r.seconds);
      }
      std::sort(times.begin(), times.end());
      const SpreadEstimate mc = independent_spread<IndependentCascade>(g, r.seeds, trials, 0);
      std::printf("#   %-6s eps=%.2f ratio=%-3g seed %d  time %.4f s  rr_sets %7llu  spread %.1f +- %.1f\n", c.method,
                  c.eps, c.ratio, seed, times[1], static_cast<unsigned long long>(r.rr_sets), mc.mean, mc.std_error);
      reached += mc.mean >= kTarget;
      time_sum += times[1];
      time_max = std::max(time_max, times[1]);
      spread_sum += mc.mean;
      spread_min = std::min(spread_min, mc.mean);
    }
    std::printf("Slashdot IC %-6s eps=%.2f ratio=%-3g thr=%d  reached %.0f: %d of %d seeds  time mean %.4f s max %.4f s"
                "  spread mean %.1f min %.1f (%llu trials)\n",
                c.method, c.eps, c.ratio, threads, kTarget, reached, seeds, time_sum / seeds, time_max,
                spread_sum / seeds, spread_min, static_cast<unsigned long long>(trials));
    std::fflush(stdout);
  }
}

/// " phase=seconds" for each phase of r.
std::string phases(const SelectResult& r) {
  std::string s;
  char buf[64];
  for (auto& [name, sec] : r.phase_seconds) {
    std::snprintf(buf, sizeof buf, " %s=%.4f", name.c_str(), sec);
    s += buf;
  }
  return s;
}

/// CPU seconds of this process (all threads).
double cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// IMM's classic and validated lower-bound phases on one graph, interleaved (see the file comment).
void imm_phases(const FollowerGraph& g, double eps, int threads, int reps, std::uint64_t trials) {
  struct Variant {
    const char* name;
    ImmBoundPhase phase;
    double ratio;
  };
  const Variant variants[] = {{"classic", ImmBoundPhase::classic, 1},
                              {"validated r1", ImmBoundPhase::validated, 1},
                              {"validated r2", ImmBoundPhase::validated, 2},
                              {"validated r4", ImmBoundPhase::validated, 4}};
  constexpr int nv = 4;
  std::vector<double> wall[nv], cpu[nv];
  ImmResult last[nv];
  for (int rep = 0; rep < reps; ++rep)
    for (int v = 0; v < nv; ++v) {
      ImmOptions o;
      o.epsilon = eps;
      o.threads = threads;
      o.seed = 1;
      o.bound_phase = variants[v].phase;
      o.validation_ratio = variants[v].ratio;
      const double c0 = cpu_seconds();
      last[v] = imm(g, IndependentCascade{}, 50, o);
      cpu[v].push_back(cpu_seconds() - c0);
      wall[v].push_back(last[v].seconds);
    }
  for (int v = 0; v < nv; ++v) {
    std::sort(wall[v].begin(), wall[v].end());
    std::sort(cpu[v].begin(), cpu[v].end());
    const ImmResult& r = last[v];
    const SpreadEstimate mc = independent_spread<IndependentCascade>(g, r.seeds, trials, 0);
    std::printf("IMM %-13s eps=%.2f thr=%d  time %.4f s  cpu %.4f s (medians of %d)  rr_sets %8llu = bound %7llu "
                "(%d rounds) + final %8llu  LB %.1f  spread %.1f +- %.1f (%llu trials)  own %.1f %s\n",
                variants[v].name, eps, threads, wall[v][reps / 2], cpu[v][reps / 2], reps,
                static_cast<unsigned long long>(r.rr_sets), static_cast<unsigned long long>(r.rr_sets - r.theta),
                r.bound_rounds, static_cast<unsigned long long>(r.theta), r.lower_bound, mc.mean, mc.std_error,
                static_cast<unsigned long long>(trials), r.spread, phases(r).c_str());
    std::fflush(stdout);
  }
}

/// OPIM-C quality table (see the file comment): defaults except epsilon and threads.
void opim_quality(const FollowerGraph& g, const std::vector<double>& epss, int threads, int seeds,
                  std::uint64_t trials, double max_noise) {
  for (double eps : epss) {
    std::vector<double> spreads, times;
    for (int seed = 1; seed <= seeds; ++seed) {
      std::vector<double> t;
      OpimResult r;
      for (int rep = 0; rep < 3; ++rep) {
        OpimOptions o;
        o.epsilon = eps;
        o.threads = threads;
        o.seed = static_cast<std::uint64_t>(seed);
        o.max_selection_noise = max_noise;
        r = opim_c(g, IndependentCascade{}, 50, o);
        t.push_back(r.seconds);
      }
      std::sort(t.begin(), t.end());
      const SpreadEstimate mc = independent_spread<IndependentCascade>(g, r.seeds, trials, 0);
      // The greedy's sampling noise (OpimOptions::max_selection_noise) from its marginal counts.
      const double th1 = static_cast<double>(r.rr_sets - r.validation_sets), n = g.num_vertices();
      double noise = 0, cover = 0;
      for (double gain : r.marginal_gains) {
        noise += std::sqrt(std::round(gain * th1 / n));
        cover += std::round(gain * th1 / n);
      }
      std::printf("#   OPIM-C eps=%.2f seed %d  round %d  R1 %7llu  R2 %6llu  certified %.4f  noise %.3f  time %.4f s  "
                  "spread %.1f +- %.1f\n",
                  eps, seed, r.rounds, static_cast<unsigned long long>(r.rr_sets - r.validation_sets),
                  static_cast<unsigned long long>(r.validation_sets), r.certified_ratio, noise / cover, t[1], mc.mean,
                  mc.std_error);
      std::fflush(stdout);
      spreads.push_back(mc.mean);
      times.push_back(t[1]);
    }
    std::vector<double> sorted = spreads;
    std::sort(sorted.begin(), sorted.end());
    const double median = (sorted[(sorted.size() - 1) / 2] + sorted[sorted.size() / 2]) / 2;
    double mean = 0, var = 0;
    for (double x : spreads) mean += x / static_cast<double>(spreads.size());
    const double count = static_cast<double>(spreads.size());
    for (double x : spreads) var += (x - mean) * (x - mean) / std::max(1.0, count - 1);
    std::sort(times.begin(), times.end());
    std::printf("Slashdot IC OPIM-C eps=%.2f noise<=%.3f thr=%d seeds 1-%d  spread median %.1f min %.1f "
                "mean %.1f +- %.1f  time median %.4f s max %.4f s (%llu trials)\n",
                eps, max_noise, threads, seeds, median, sorted.front(), mean, std::sqrt(var / count),
                (times[(times.size() - 1) / 2] + times[times.size() / 2]) / 2, times.back(),
                static_cast<unsigned long long>(trials));
    std::fflush(stdout);
  }
}

const std::string pl1m_text = std::string("/tmp/kolsim_bench_select_pl1m_") + pl1m_tag + ".txt";
const std::string pl1m_snap = std::string("/tmp/kolsim_bench_select_pl1m_") + pl1m_tag + ".kgs";

/// One PL1M run in this (fresh) process: load from `source` ("text" or "snapshot"), IMM, report.
int pl1m_run(const std::string& source, double eps, int threads, std::uint64_t trials) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  EdgeListReport rep;
  FollowerGraph g = source == "text" ? weighted_cascade(read_edge_list(pl1m_text, {}, &rep)) : load_snapshot(pl1m_snap);
  const double load = std::chrono::duration<double>(clock::now() - t0).count();
  if (source == "text") std::printf("#   text: parse %.3f s, build %.3f s\n", rep.parse_seconds, rep.build_seconds);
  ImmOptions o;
  o.epsilon = eps;
  o.threads = threads;
  o.seed = 1;
  const ImmResult r = imm(g, IndependentCascade{}, 50, o);
  const double total = std::chrono::duration<double>(clock::now() - t0).count();
  const double peak = peak_rss_mb();
  const SpreadEstimate mc = independent_spread<IndependentCascade>(g, r.seeds, trials, threads);
  std::printf("PL1M from %-8s IC IMM eps=%.2f thr=%d  wall %.3f s = load %.3f + IMM %.3f  rr_sets %llu  peak RSS MB %.1f"
              "  spread %.1f +- %.1f (%llu trials)\n",
              source.c_str(), eps, threads, total, load, r.seconds, static_cast<unsigned long long>(r.rr_sets), peak,
              mc.mean, mc.std_error, static_cast<unsigned long long>(trials));
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string which = "slashdot", model = "both";
  std::uint64_t trials = 10000;
  std::vector<double> epss{0.5, 0.1};
  std::vector<int> thr{1, 2};
  double selection_ratio = OpimOptions{}.selection_ratio;
  double max_noise = OpimOptions{}.max_selection_noise;
  int seeds = 8, reps = 5;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seeds" && i + 1 < argc) seeds = std::max(1, std::atoi(argv[++i]));
    else if (a == "--reps" && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
    else if (a == "--trials" && i + 1 < argc) trials = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--selection-ratio" && i + 1 < argc) selection_ratio = std::atof(argv[++i]);
    else if (a == "--max-noise" && i + 1 < argc) max_noise = std::atof(argv[++i]);
    else if (a == "--eps" && i + 1 < argc) epss = {std::atof(argv[++i])};
    else if (a == "--threads" && i + 1 < argc) thr = {std::atoi(argv[++i])};
    else if (a == "--model" && i + 1 < argc) model = argv[++i];
    else which = a;
  }
  if (which == "pl1m-text" || which == "pl1m-snapshot") {
    return pl1m_run(which.substr(5), epss.back(), thr.back(), trials);
  }
  if (which == "pl1m-wall") {
    struct stat st {};
    if (::stat(pl1m_text.c_str(), &st) != 0 || ::stat(pl1m_snap.c_str(), &st) != 0) {
      std::printf("# writing %s and %s (once)\n", pl1m_text.c_str(), pl1m_snap.c_str());
      const FollowerGraph g = pl1m_graph(1);
      write_edge_list(g, pl1m_text, false);
      save_snapshot(weighted_cascade(g), pl1m_snap);
    }
    const double eps = epss.size() == 1 ? epss[0] : 0.5;
    const int t = thr.size() == 1 ? thr[0] : 2;
    for (const char* src : {"pl1m-text", "pl1m-snapshot"}) {
      const std::string cmd = std::string(argv[0]) + " " + src + " --eps " + std::to_string(eps) + " --threads " +
                              std::to_string(t) + " --trials " + std::to_string(trials);
      if (std::system(cmd.c_str()) != 0) return 1;
    }
    return 0;
  }
  const char* env = std::getenv("KOLSIM_DATA_DIR");
  const std::string dir = env ? env : "/work/shared/datasets";
  auto bench_graph = [&](const char* name, const FollowerGraph& g) {
    std::printf("# %s: %u nodes, %llu arcs (weighted cascade)\n", name, g.num_vertices(),
                static_cast<unsigned long long>(g.num_edges()));
    for (double e : epss)
      for (int t : thr) {
        if (model != "lt") run<IndependentCascade>(name, g, "IC", e, t, trials, selection_ratio);
        if (model != "ic") run<LinearThreshold>(name, g, "LT", e, t, trials, selection_ratio);
      }
  };
  if (which == "slashdot-ttq") {
    auto g = weighted_cascade(read_edge_list(dir + "/soc-Slashdot0902/soc-Slashdot0902.txt.gz"));
    time_to_quality(g, thr.size() == 1 ? thr[0] : 2, seeds, trials);
    return 0;
  }
  if (which == "opim-quality") {
    auto g = weighted_cascade(read_edge_list(dir + "/soc-Slashdot0902/soc-Slashdot0902.txt.gz"));
    const std::vector<double> eps_list = epss.size() == 1 ? epss : std::vector<double>{0.1, 0.5};
    opim_quality(g, eps_list, thr.size() == 1 ? thr[0] : 2, seeds, trials, max_noise);
    return 0;
  }
  if (which == "slashdot" || which == "all") {
    auto g = weighted_cascade(read_edge_list(dir + "/soc-Slashdot0902/soc-Slashdot0902.txt.gz"));
    bench_graph("Slashdot", g);
  }
  if (which == "nethept-imm") {
    EdgeListOptions eo;
    eo.first_line_counts = true;
    eo.build.undirected = true;
    const FollowerGraph g = weighted_cascade(read_edge_list(dir + "/NetHEPT/hep.txt", eo));
    imm_phases(g, epss.size() == 1 ? epss[0] : 0.1, thr.size() == 1 ? thr[0] : 1, reps, trials);
    return 0;
  }
  if (which == "nethept" || which == "all") {
    // PERFORMANCE.md's NetHEPT: both directions, self-loops dropped, parallel co-authorship
    // edges merged into one arc.
    EdgeListOptions eo;
    eo.first_line_counts = true;
    eo.build.undirected = true;
    auto g = weighted_cascade(read_edge_list(dir + "/NetHEPT/hep.txt", eo));
    bench_graph("NetHEPT", g);
  }
  if (which == "pl1m" || which == "all") {
    auto g = weighted_cascade(pl1m_graph(1));
    bench_graph("PL1M", g);
  }
  return 0;
}

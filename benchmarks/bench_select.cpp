// SPDX-License-Identifier: MIT
/// Benchmark of IMM and OPIM-C (weighted cascade, IC and LT, k = 50) on Slashdot and PL1M, printing
/// algorithm time, RR sets, memory and an independent Monte Carlo spread of the chosen seeds.
///
/// Run: build-rr/benchmarks/bench_select [slashdot|pl1m|all] [--trials N] [--eps E] [--threads T]
///      [--model ic|lt]   (data from $KOLSIM_DATA_DIR, default /work/shared/datasets)
/// The spread column is a forward Monte Carlo (default 10,000 trials; streams (seed, trial)) of
/// the returned seeds, independent of the RR sets the selector used.
#include <sys/resource.h>

#include <kolsim/core/parallel.hpp>
#include <kolsim/core/rng.hpp>
#include <kolsim/graph/generators.hpp>
#include <kolsim/io/edge_list.hpp>
#include <kolsim/select/imm.hpp>
#include <kolsim/select/opim.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace kolsim;

namespace {

FollowerGraph weighted_cascade_probs(const FollowerGraph& g) {
  std::vector<prob_t> p(g.num_edges());
  auto tg = g.out_targets();
  for (edge_t e = 0; e < g.num_edges(); ++e) p[e] = 1.0f / static_cast<prob_t>(g.in_degree(tg[e]));
  return g.with_probabilities(std::move(p));
}

struct Mc {
  double mean, se;
};

/// Forward Monte Carlo of spread(seeds): trial t draws from Rng(seed, t, domain::trial).
template <class M>
Mc monte_carlo(const FollowerGraph& g, const std::vector<vertex_t>& seeds, std::uint64_t trials, int threads) {
  const vertex_t n = g.num_vertices();
  const int nt = resolve_threads(threads);
  std::vector<std::uint64_t> reach(trials);
  parallel_threads(nt, [&](int t, int team) {
    std::vector<std::uint32_t> mark(n, 0);
    std::vector<float> weight(n, 0.0f), thresh(n, 0.0f);
    std::vector<vertex_t> queue;
    const edge_t* off = g.out_offsets().data();
    const vertex_t* tgt = g.out_targets().data();
    const prob_t* pr = g.edge_probs().data();
    for (std::uint64_t i = static_cast<std::uint64_t>(t); i < trials; i += static_cast<std::uint64_t>(team)) {
      const auto ep = static_cast<std::uint32_t>(i + 1);
      Rng rng(12345, i, domain::trial);
      queue.clear();
      for (vertex_t s : seeds) {
        if (mark[s] != ep) {
          mark[s] = ep;
          queue.push_back(s);
        }
      }
      std::vector<std::uint32_t> touched;  // LT: epoch of threshold per vertex reuses `mark` bit 31
      for (std::size_t h = 0; h < queue.size(); ++h) {
        const vertex_t u = queue[h];
        for (edge_t e = off[u]; e < off[u + 1]; ++e) {
          const vertex_t v = tgt[e];
          if (mark[v] == ep) continue;
          if constexpr (std::is_same_v<M, IndependentCascade>) {
            if (rng.bernoulli(pr[e])) {
              mark[v] = ep;
              queue.push_back(v);
            }
          } else {
            if (mark[v] != (ep | 0x80000000u)) {
              mark[v] = ep | 0x80000000u;
              weight[v] = 0.0f;
              thresh[v] = 1.0f - rng.uniform_float();
            }
            weight[v] += pr[e];
            if (weight[v] >= thresh[v]) {
              mark[v] = ep;
              queue.push_back(v);
            }
          }
        }
      }
      reach[i] = queue.size();
    }
  });
  double s = 0, s2 = 0;
  for (auto r : reach) {
    s += static_cast<double>(r);
    s2 += static_cast<double>(r) * static_cast<double>(r);
  }
  const double mean = s / static_cast<double>(trials);
  const double var = std::max(0.0, s2 / static_cast<double>(trials) - mean * mean);
  return {mean, std::sqrt(var / static_cast<double>(trials))};
}

double max_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

template <class M>
void run(const char* graph_name, const FollowerGraph& g, const char* model_name, double eps, int threads,
         std::uint64_t trials) {
  for (int alg = 0; alg < 2; ++alg) {
    SelectResult r;
    std::string extra;
    const int reps = 3;
    std::vector<double> times;
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
    const Mc mc = trials ? monte_carlo<M>(g, r.seeds, trials, 0) : Mc{0, 0};
    std::string phases;
    for (auto& [name, sec] : r.phase_seconds) phases += " " + name + "=" + std::to_string(sec);
    extra += phases;
    std::printf("%-9s %-2s %-6s eps=%.2f thr=%d  time %.4f s (median of %d)  rr_sets %9llu  algo MB %6.1f  "
                "maxrss MB %6.1f  spread %9.1f +- %5.1f (%llu trials)  own %.1f  %s\n",
                graph_name, model_name, alg == 0 ? "IMM" : "OPIM-C", eps, threads, times[reps / 2], reps,
                static_cast<unsigned long long>(r.rr_sets), static_cast<double>(r.peak_bytes) / 1048576.0,
                max_rss_mb(), mc.mean, mc.se, static_cast<unsigned long long>(trials), r.spread, extra.c_str());
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
    auto g = weighted_cascade_probs(read_edge_list(dir + "/soc-Slashdot0902/soc-Slashdot0902.txt.gz"));
    bench_graph("Slashdot", g);
  }
  if (which == "pl1m" || which == "all") {
    auto g = weighted_cascade_probs(chung_lu(1'000'000, 10.4, 2.5, 2.1, 1));
    bench_graph("PL1M", g);
  }
  return 0;
}

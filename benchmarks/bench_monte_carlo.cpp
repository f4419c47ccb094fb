// SPDX-License-Identifier: MIT
/// Monte Carlo spread throughput (edges examined/s, cascades/s) for IC and LT (fused and plain)
/// with weighted-cascade probabilities on PL1M and, when KOLSIM_DATA_DIR is set, soc-Slashdot0902;
/// and the fused kernels on PL1M with each coin-scan instruction set (scalar, AVX2, AVX-512) that
/// this processor runs, one thread (BM_PL1M_*_Fused_Isa/<isa>: 0 scalar, 1 AVX2, 2 AVX-512).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "kolsim/detail/cascade_kernels.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/estimate/monte_carlo.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/graph/generators.hpp"
#include "kolsim/graph/probabilities.hpp"
#include "kolsim/io/edge_list.hpp"
#include "pl1m.hpp"

namespace {

using namespace kolsim;

struct Fixture {
  FollowerGraph graph;
  std::vector<vertex_t> seeds;  // 50 top out-degree accounts
};

std::vector<vertex_t> top_out_degree(const FollowerGraph& g, std::size_t k) {
  std::vector<vertex_t> order(g.num_vertices());
  std::iota(order.begin(), order.end(), vertex_t{0});
  k = std::min<std::size_t>(k, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](vertex_t a, vertex_t b) {
                      return g.out_degree(a) != g.out_degree(b) ? g.out_degree(a) > g.out_degree(b) : a < b;
                    });
  order.resize(k);
  return order;
}

/// PL1M: directed Chung-Lu, 1M accounts, ~10.37M arcs (PERFORMANCE.md), weighted cascade.
const Fixture& pl1m() {
  static const Fixture f = [] {
    Fixture x;
    x.graph = weighted_cascade(pl1m_graph(2026));
    x.seeds = top_out_degree(x.graph, 50);
    return x;
  }();
  return f;
}

/// soc-Slashdot0902 from $KOLSIM_DATA_DIR (self-loops and duplicate arcs dropped), or nothing.
const std::optional<Fixture>& slashdot() {
  static const std::optional<Fixture> f = []() -> std::optional<Fixture> {
    const char* dir = std::getenv("KOLSIM_DATA_DIR");
    if (!dir) return std::nullopt;
    Fixture x;
    x.graph = weighted_cascade(read_edge_list(std::string(dir) + "/soc-Slashdot0902/soc-Slashdot0902.txt.gz"));
    x.seeds = top_out_degree(x.graph, 50);
    return x;
  }();
  return f;
}

enum class Kind { ic_fused, ic_plain, lt_fused, lt_plain };

void run(benchmark::State& state, const Fixture& f, Kind kind) {
  MonteCarloOptions o;
  o.threads = static_cast<int>(state.range(0));
  o.trials = static_cast<std::uint64_t>(state.range(1));
  o.fused = kind == Kind::ic_fused || kind == Kind::lt_fused;
  std::uint64_t edges = 0, trials = 0;
  double spread = 0;
  for (auto _ : state) {
    o.seed = trials;  // fresh cascades each iteration
    const bool lt = kind == Kind::lt_fused || kind == Kind::lt_plain;
    auto est = lt ? estimate_spread(f.graph, LinearThreshold{}, f.seeds, o)
                                : estimate_spread(f.graph, IndependentCascade{}, f.seeds, o);
    edges += est.edges_examined;
    trials += est.trials;
    spread = est.mean;
    benchmark::DoNotOptimize(est.mean);
  }
  state.counters["edges_per_s"] = benchmark::Counter(static_cast<double>(edges), benchmark::Counter::kIsRate);
  state.counters["cascades_per_s"] = benchmark::Counter(static_cast<double>(trials), benchmark::Counter::kIsRate);
  state.counters["spread"] = spread;
}

void BM_PL1M_IC_Fused(benchmark::State& s) { run(s, pl1m(), Kind::ic_fused); }
void BM_PL1M_IC_Plain(benchmark::State& s) { run(s, pl1m(), Kind::ic_plain); }
void BM_PL1M_LT_Fused(benchmark::State& s) { run(s, pl1m(), Kind::lt_fused); }
void BM_PL1M_LT_Plain(benchmark::State& s) { run(s, pl1m(), Kind::lt_plain); }

/// The fused kernel with coin-scan instruction set state.range(0) (skipped when unsupported).
void run_isa(benchmark::State& s, Kind kind) {
  const auto isa = static_cast<detail::KernelIsa>(s.range(0));
  if (!detail::kernel_isa_supported(isa)) {
    s.SkipWithError("this build or processor does not run this instruction set");
    for (auto _ : s) {
    }
    return;
  }
  s.SetLabel(detail::kernel_isa_name(isa));
  const Fixture& f = pl1m();  // built before the ISA is forced
  detail::force_kernel_isa(isa);
  MonteCarloOptions o;
  o.threads = 1;
  o.trials = 128;
  std::uint64_t edges = 0, trials = 0;
  for (auto _ : s) {
    o.seed = trials;
    auto est = kind == Kind::lt_fused ? estimate_spread(f.graph, LinearThreshold{}, f.seeds, o)
                                      : estimate_spread(f.graph, IndependentCascade{}, f.seeds, o);
    edges += est.edges_examined;
    trials += est.trials;
    benchmark::DoNotOptimize(est.mean);
  }
  detail::force_kernel_isa(std::nullopt);
  s.counters["edges_per_s"] = benchmark::Counter(static_cast<double>(edges), benchmark::Counter::kIsRate);
  s.counters["cascades_per_s"] = benchmark::Counter(static_cast<double>(trials), benchmark::Counter::kIsRate);
}
void BM_PL1M_IC_Fused_Isa(benchmark::State& s) { run_isa(s, Kind::ic_fused); }
void BM_PL1M_LT_Fused_Isa(benchmark::State& s) { run_isa(s, Kind::lt_fused); }

void slashdot_or_skip(benchmark::State& s, Kind kind) {
  const auto& f = slashdot();
  if (!f) {
    s.SkipWithError("set KOLSIM_DATA_DIR to the datasets folder to run the Slashdot fixture");
    for (auto _ : s) {
    }
    return;
  }
  run(s, *f, kind);
}
void BM_Slashdot_IC_Fused(benchmark::State& s) { slashdot_or_skip(s, Kind::ic_fused); }
void BM_Slashdot_IC_Plain(benchmark::State& s) { slashdot_or_skip(s, Kind::ic_plain); }
void BM_Slashdot_LT_Fused(benchmark::State& s) { slashdot_or_skip(s, Kind::lt_fused); }
void BM_Slashdot_LT_Plain(benchmark::State& s) { slashdot_or_skip(s, Kind::lt_plain); }

// Args: {threads, trials per iteration}.
BENCHMARK(BM_PL1M_IC_Fused)->Args({1, 128})->Args({2, 128})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PL1M_IC_Plain)->Args({1, 16})->Args({2, 16})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PL1M_LT_Fused)->Args({1, 128})->Args({2, 128})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PL1M_LT_Plain)->Args({1, 16})->Args({2, 16})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PL1M_IC_Fused_Isa)->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PL1M_LT_Fused_Isa)->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Slashdot_IC_Fused)->Args({1, 1024})->Args({2, 1024})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Slashdot_IC_Plain)->Args({1, 256})->Args({2, 256})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Slashdot_LT_Fused)->Args({1, 1024})->Args({2, 1024})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Slashdot_LT_Plain)->Args({1, 256})->Args({2, 256})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

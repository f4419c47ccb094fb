// SPDX-License-Identifier: MIT
/// Throughput of the further models against the dedicated IC/LT paths on a 100k-account
/// Chung-Lu graph (weighted cascade): Monte Carlo through the triggering path (IC, LT,
/// uniform-1), complex contagion, competitive LT, and IMM on a triggering sampler.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "kolsim/diffusion/competitive.hpp"
#include "kolsim/select/complex_greedy.hpp"
#include "kolsim/estimate/triggering_estimate.hpp"
#include "kolsim/estimate/competitive_estimate.hpp"
#include "kolsim/graph/generators.hpp"
#include "kolsim/graph/probabilities.hpp"
#include "kolsim/select/imm.hpp"

namespace {

using namespace kolsim;

struct Fixture {
  FollowerGraph graph;
  std::vector<vertex_t> seeds, rivals;  // 50 top out-degree accounts; the next 50
};

const Fixture& medium() {
  static const Fixture f = [] {
    Fixture x;
    x.graph = weighted_cascade(chung_lu(100'000, 10.0, 2.5, 2.1, 2026));
    std::vector<vertex_t> order(x.graph.num_vertices());
    std::iota(order.begin(), order.end(), vertex_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](vertex_t a, vertex_t b) { return x.graph.out_degree(a) > x.graph.out_degree(b); });
    x.seeds.assign(order.begin(), order.begin() + 50);
    x.rivals.assign(order.begin() + 50, order.begin() + 100);
    return x;
  }();
  return f;
}

template <class M>
void run_mc(benchmark::State& state, const M& model, bool fused = false) {
  const Fixture& f = medium();
  MonteCarloOptions o;
  o.trials = 200;
  o.threads = static_cast<int>(state.range(0));
  o.fused = fused;
  std::uint64_t edges = 0, trials = 0;
  double mean = 0;
  for (auto _ : state) {
    const auto e = estimate_spread(f.graph, model, std::span<const vertex_t>(f.seeds), o);
    edges += e.edges_examined;
    trials += e.trials;
    mean = e.mean;
  }
  state.counters["edges/s"] = benchmark::Counter(static_cast<double>(edges), benchmark::Counter::kIsRate);
  state.counters["cascades/s"] = benchmark::Counter(static_cast<double>(trials), benchmark::Counter::kIsRate);
  state.counters["spread"] = mean;
}

void BM_IcDedicated(benchmark::State& s) { run_mc(s, IndependentCascade{}); }
void BM_IcTriggering(benchmark::State& s) { run_mc(s, TriggeringModel<IcTriggering>{}); }
void BM_LtDedicated(benchmark::State& s) { run_mc(s, LinearThreshold{}); }
void BM_LtTriggering(benchmark::State& s) { run_mc(s, TriggeringModel<LtTriggering>{}); }
void BM_UniformTriggering(benchmark::State& s) { run_mc(s, TriggeringModel<UniformTriggering>{{1}}); }
void BM_KExposure2(benchmark::State& s) { run_mc(s, ComplexContagion::k_exposure(2, -1.0)); }
void BM_Fractional(benchmark::State& s) { run_mc(s, ComplexContagion::fractional(0.05, 1.0)); }

void BM_CompetitiveLT(benchmark::State& state) {
  const Fixture& f = medium();
  const CompetitiveLT model(f.graph);
  CompetitionOptions o;
  o.trials = 200;
  o.threads = static_cast<int>(state.range(0));
  std::uint64_t edges = 0;
  double saved = 0;
  for (auto _ : state) {
    const auto e = estimate_competition(model, std::span<const vertex_t>(f.seeds), std::span<const vertex_t>(f.rivals), o);
    edges += e.edges_examined;
    saved = e.saved.mean;
  }
  state.counters["edges/s"] = benchmark::Counter(static_cast<double>(edges), benchmark::Counter::kIsRate);
  state.counters["saved"] = saved;
}

template <class M>
void run_imm(benchmark::State& state, const M& model) {
  const Fixture& f = medium();
  ImmOptions o;
  o.epsilon = 0.5;
  o.threads = static_cast<int>(state.range(0));
  std::uint64_t sets = 0;
  double spread = 0;
  for (auto _ : state) {
    const auto r = imm(f.graph, model, 20, o);
    sets += r.rr_sets;
    spread = r.spread;
  }
  state.counters["RRsets/s"] = benchmark::Counter(static_cast<double>(sets), benchmark::Counter::kIsRate);
  state.counters["spread"] = spread;
}
void BM_ImmLtDedicated(benchmark::State& s) { run_imm(s, LinearThreshold{}); }
void BM_ImmLtTriggering(benchmark::State& s) { run_imm(s, TriggeringModel<LtTriggering>{}); }
void BM_ImmUniformTriggering(benchmark::State& s) { run_imm(s, TriggeringModel<UniformTriggering>{{1}}); }

}  // namespace

BENCHMARK(BM_IcDedicated)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IcTriggering)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LtDedicated)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LtTriggering)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_UniformTriggering)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_KExposure2)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fractional)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CompetitiveLT)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ImmLtDedicated)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ImmLtTriggering)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ImmUniformTriggering)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();

// SPDX-License-Identifier: MIT
/// Throughput on a three-platform multiplex (three 100k-account Chung-Lu layers, weighted
/// cascade, 30% of people on two platforms or more, cross-posting 0.3): Monte Carlo reach in
/// people against plain IC on one layer, person-rooted RR sets, and IMM.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "kolsim/estimate/multiplex_estimate.hpp"
#include "kolsim/graph/generators.hpp"
#include "kolsim/graph/probabilities.hpp"
#include "kolsim/select/imm.hpp"

namespace {

using namespace kolsim;

struct Fixture {
  Multiplex mx;
  std::vector<vertex_t> seeds;        // 50 top out-degree accounts of layer 0 (expanded = layer vertex)
  std::vector<vertex_t> layer_seeds;  // the same accounts in layer 0's own graph
};

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture x;
    constexpr vertex_t n = 100'000;
    std::vector<MultiplexLayer> layers;
    const char* names[] = {"video", "microblog", "forum"};
    for (std::uint32_t l = 0; l < 3; ++l) layers.push_back({names[l], weighted_cascade(chung_lu(n, 10.0, 2.5, 2.1, 2026 + l))});
    // Person p owns vertex p of layer 0; 30% of them also vertex p of layer 1, 15% of layer 2.
    std::vector<IdentityRow> id;
    for (vertex_t v = 0; v < n; ++v) {
      id.push_back({v, 0, layers[0].graph.account(v)});
      if (v % 10 < 3) id.push_back({v, 1, layers[1].graph.account(v)});
      if (v % 20 < 3) id.push_back({v, 2, layers[2].graph.account(v)});
    }
    std::vector<double> c(9, 0.3);
    c[0] = c[4] = c[8] = 0.0;
    const FollowerGraph& g0 = layers[0].graph;
    std::vector<vertex_t> order(n);
    std::iota(order.begin(), order.end(), vertex_t{0});
    std::stable_sort(order.begin(), order.end(), [&](vertex_t a, vertex_t b) { return g0.out_degree(a) > g0.out_degree(b); });
    x.layer_seeds.assign(order.begin(), order.begin() + 50);
    x.mx = Multiplex(std::move(layers), id, c);
    for (vertex_t v : x.layer_seeds) x.seeds.push_back(x.mx.layer_offset(0) + v);
    return x;
  }();
  return f;
}

void BM_MultiplexMonteCarlo(benchmark::State& state) {
  const Fixture& f = fixture();
  MonteCarloOptions o;
  o.trials = 200;
  o.threads = static_cast<int>(state.range(0));
  std::uint64_t edges = 0, trials = 0;
  double people = 0;
  for (auto _ : state) {
    const auto e = estimate_spread(f.mx, std::span<const vertex_t>(f.seeds), o);
    edges += e.edges_examined;
    trials += e.trials;
    people = e.mean;
  }
  state.counters["edges/s"] = benchmark::Counter(static_cast<double>(edges), benchmark::Counter::kIsRate);
  state.counters["cascades/s"] = benchmark::Counter(static_cast<double>(trials), benchmark::Counter::kIsRate);
  state.counters["people"] = people;
}

/// Plain IC (generic driver) on layer 0 alone, for comparison.
void BM_LayerZeroIc(benchmark::State& state) {
  const Fixture& f = fixture();
  MonteCarloOptions o;
  o.trials = 200;
  o.threads = static_cast<int>(state.range(0));
  o.fused = false;
  std::uint64_t edges = 0, trials = 0;
  double mean = 0;
  for (auto _ : state) {
    const auto e = estimate_spread(f.mx.layer(0).graph, IndependentCascade{}, std::span<const vertex_t>(f.layer_seeds), o);
    edges += e.edges_examined;
    trials += e.trials;
    mean = e.mean;
  }
  state.counters["edges/s"] = benchmark::Counter(static_cast<double>(edges), benchmark::Counter::kIsRate);
  state.counters["cascades/s"] = benchmark::Counter(static_cast<double>(trials), benchmark::Counter::kIsRate);
  state.counters["spread"] = mean;
}

void BM_MultiplexRRSets(benchmark::State& state) {
  const Fixture& f = fixture();
  RRSampler<MultiplexIC> sampler(f.mx.expanded(), MultiplexIC{f.mx});
  std::uint64_t sets = 0, nodes = 0, first = 0;
  for (auto _ : state) {
    RRCollection rr;
    sampler.sample(1, domain::rr_set, first, 10'000, rr, static_cast<int>(state.range(0)));
    first += rr.size();
    sets += rr.size();
    nodes += rr.total_nodes();
  }
  state.counters["RR sets/s"] = benchmark::Counter(static_cast<double>(sets), benchmark::Counter::kIsRate);
  state.counters["mean size"] = static_cast<double>(nodes) / static_cast<double>(std::max<std::uint64_t>(sets, 1));
}

void BM_MultiplexImm(benchmark::State& state) {
  const Fixture& f = fixture();
  ImmOptions o;
  o.epsilon = 0.5;
  o.seed = 1;
  o.threads = static_cast<int>(state.range(0));
  double people = 0;
  std::uint64_t sets = 0;
  for (auto _ : state) {
    const auto r = imm(f.mx.expanded(), MultiplexIC{f.mx}, 20, o);
    people = r.spread;
    sets += r.rr_sets;
  }
  state.counters["RR sets/s"] = benchmark::Counter(static_cast<double>(sets), benchmark::Counter::kIsRate);
  state.counters["people"] = people;
}

}  // namespace

BENCHMARK(BM_MultiplexMonteCarlo)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LayerZeroIc)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MultiplexRRSets)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MultiplexImm)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();

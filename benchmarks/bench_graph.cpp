// SPDX-License-Identifier: MIT
/// Benchmarks for building large follower graphs: the PL1M Chung-Lu generator and
/// build_graph_dense from 10M unsorted edges, reporting edges/s and peak resident memory.
///
/// Peak memory: before each run the process's high-water mark is reset (writing 5 to
/// /proc/self/clear_refs), and afterwards VmHWM is read from /proc/self/status. `peak_MB` is the
/// process peak during the run; `peak_B_per_edge` is (peak - resident before the run) / edges,
/// i.e. what the build itself cost on top of what the caller already held.
#include <benchmark/benchmark.h>

#include <kolsim/core/rng.hpp>
#include <kolsim/graph/builder.hpp>
#include <kolsim/graph/generators.hpp>
#include "pl1m.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

using namespace kolsim;

namespace {

constexpr std::uint64_t bench_seed = 20260611;

/// A field of /proc/self/status in kB (0 when unavailable).
std::uint64_t status_kb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::size_t len = std::strlen(field);
  while (std::getline(in, line))
    if (line.compare(0, len, field) == 0) return std::stoull(line.substr(len + 1));
  return 0;
}

void reset_peak() {
  if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
    std::fputs("5", f);
    std::fclose(f);
  }
}

void report_memory(benchmark::State& state, std::uint64_t rss_before_kb, edge_t edges) {
  const std::uint64_t peak_kb = status_kb("VmHWM:");
  state.counters["peak_MB"] = static_cast<double>(peak_kb) / 1024.0;
  state.counters["peak_B_per_edge"] =
      edges ? static_cast<double>(peak_kb > rss_before_kb ? peak_kb - rss_before_kb : 0) * 1024.0 / edges : 0.0;
  state.counters["edges"] = static_cast<double>(edges);
  state.counters["edges_per_s"] = benchmark::Counter(static_cast<double>(edges), benchmark::Counter::kIsRate);
}

/// PL1M as in PERFORMANCE.md (benchmarks/pl1m.hpp, about 10.38M arcs).
void BM_ChungLuPL1M(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  edge_t edges = 0;
  std::uint64_t before = 0;
  for (auto _ : state) {
    state.PauseTiming();
    before = status_kb("VmRSS:");
    reset_peak();
    state.ResumeTiming();
    auto g = pl1m_graph(bench_seed, threads);
    edges = g.num_edges();
    benchmark::DoNotOptimize(g.out_targets().data());
  }
  report_memory(state, before, edges);
}
BENCHMARK(BM_ChungLuPL1M)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

/// build_graph_dense from the PL1M edges (10.37M) in shuffled order, as a reader would pass them.
void BM_BuildGraphDense10M(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  std::vector<vertex_t> src, dst;
  {
    auto g = pl1m_graph(bench_seed, 0);
    const auto offs = g.out_offsets();
    const auto tgt = g.out_targets();
    src.resize(g.num_edges());
    dst.assign(tgt.begin(), tgt.end());
    for (vertex_t u = 0; u < g.num_vertices(); ++u)
      for (edge_t e = offs[u]; e < offs[u + 1]; ++e) src[e] = u;
    Rng rng(bench_seed, 0, domain::generator);
    for (std::size_t i = src.size() - 1; i > 0; --i) {
      const std::size_t j = static_cast<std::size_t>(rng.uniform() * static_cast<double>(i + 1));
      std::swap(src[i], src[j]);
      std::swap(dst[i], dst[j]);
    }
  }
  edge_t edges = 0;
  std::uint64_t before = 0;
  BuildOptions opt;
  opt.threads = threads;
  for (auto _ : state) {
    state.PauseTiming();
    before = status_kb("VmRSS:");
    reset_peak();
    state.ResumeTiming();
    auto g = build_graph_dense(1'000'000, src, dst, {}, opt);
    edges = g.num_edges();
    benchmark::DoNotOptimize(g.in_sources().data());
  }
  report_memory(state, before, edges);
}
BENCHMARK(BM_BuildGraphDense10M)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

/// Directed G(n, m) with n = 1M, m = 10M.
void BM_ErdosRenyi10M(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  edge_t edges = 0;
  std::uint64_t before = 0;
  for (auto _ : state) {
    state.PauseTiming();
    before = status_kb("VmRSS:");
    reset_peak();
    state.ResumeTiming();
    auto g = erdos_renyi(1'000'000, 10'000'000, bench_seed, threads);
    edges = g.num_edges();
    benchmark::DoNotOptimize(g.out_targets().data());
  }
  report_memory(state, before, edges);
}
BENCHMARK(BM_ErdosRenyi10M)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

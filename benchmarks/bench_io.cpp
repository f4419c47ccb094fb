// SPDX-License-Identifier: MIT
/// Benchmarks of the I/O layer on a generated 1M-account / 10M-edge power-law edge list:
/// text parsing on 1 and 2 threads, snapshot save/load and the graph checksum.
#include <benchmark/benchmark.h>

#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "kolsim/io/atomic_file.hpp"
#include "kolsim/io/edge_list.hpp"
#include "kolsim/io/snapshot.hpp"

namespace {

using namespace kolsim;

constexpr std::uint64_t bench_n = 1'000'000;
constexpr std::uint64_t bench_m = 10'000'000;
const std::string text_path = "/tmp/kolsim_bench_io_pl1m_v2.txt";
const std::string snap_path = "/tmp/kolsim_bench_io_pl1m_v2.snap2.kgs";  // snapshot format 2
const std::string snap_v1_path = "/tmp/kolsim_bench_io_pl1m_v2.kgs";     // format 1, if an older build wrote it

/// CPU seconds of the whole process (every thread) so far.
double process_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

std::uint64_t file_size(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

/// Writes (once) a directed Chung-Lu style power-law edge list in the PL1M shape: endpoints drawn
/// with weight ~ (rank + offset)^(-1/(gamma-1)) by inverse transform, out-degree exponent 2.5 and
/// in-degree (follower) exponent 2.1, offsets capping the hubs near 7k out / 12k in, ids
/// scattered by a multiplicative permutation, fixed seed, edges in random order.
const std::string& edge_list_file() {
  static const bool made = [] {
    if (file_size(text_path) > 0) return true;
    std::uint64_t x = 0x2545F4914F6CDD1Dull;
    auto uniform = [&] {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      return static_cast<double>(x >> 11) * 0x1.0p-53;
    };
    struct PowerLaw {
      double e, lo, span, offset;
      PowerLaw(double gamma, double offset_) : e(1.0 - 1.0 / (gamma - 1.0)), offset(offset_) {
        lo = std::pow(offset, e);
        span = std::pow(static_cast<double>(bench_n) + offset, e) - lo;
      }
      std::uint64_t rank(double r) const {
        const auto i = static_cast<std::uint64_t>(std::pow(lo + r * span, 1.0 / e) - offset);
        return std::min(i, bench_n - 1);
      }
    };
    const PowerLaw out_law(2.5, 10.0), in_law(2.1, 50.0);
    auto draw = [&](const PowerLaw& law) { return (law.rank(uniform()) * 600'011ull) % bench_n; };
    AtomicFile f(text_path);
    std::string buf;
    char tmp[48];
    for (std::uint64_t i = 0; i < bench_m; ++i) {
      char* q = std::to_chars(tmp, tmp + 20, draw(out_law)).ptr;
      *q++ = ' ';
      q = std::to_chars(q, q + 20, draw(in_law)).ptr;
      *q++ = '\n';
      buf.append(tmp, static_cast<std::size_t>(q - tmp));
      if (buf.size() > (1u << 20)) {
        f.write(buf);
        buf.clear();
      }
    }
    f.write(buf);
    f.commit();
    return true;
  }();
  (void)made;
  return text_path;
}

/// The graph with weighted-cascade probabilities p(u, v) = 1 / indeg(v).
const FollowerGraph& bench_graph() {
  static const FollowerGraph g = [] {
    const auto topo = read_edge_list(edge_list_file());
    std::vector<prob_t> p(topo.num_edges());
    const auto off = topo.out_offsets();
    const auto tgt = topo.out_targets();
    for (vertex_t u = 0; u < topo.num_vertices(); ++u)
      for (edge_t e = off[u]; e < off[u + 1]; ++e) p[e] = 1.0f / static_cast<float>(topo.in_degree(tgt[e]));
    return topo.with_probabilities(std::move(p));
  }();
  return g;
}

void BM_ReadEdgeList(benchmark::State& state) {
  const std::string& path = edge_list_file();
  EdgeListOptions o;
  o.build.threads = static_cast<int>(state.range(0));
  EdgeListReport rep;
  double parse = 0, build = 0;
  for (auto _ : state) {
    auto g = read_edge_list(path, o, &rep);
    benchmark::DoNotOptimize(g.num_edges());
    parse += rep.parse_seconds;
    build += rep.build_seconds;
  }
  const auto it = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * file_size(path)));
  state.counters["edges/s"] = benchmark::Counter(static_cast<double>(rep.edge_lines) * it, benchmark::Counter::kIsRate);
  state.counters["parse_s"] = parse / it;
  state.counters["build_s"] = build / it;
  state.counters["parse_MB/s"] = static_cast<double>(file_size(path)) / 1e6 / (parse / it);
  state.counters["m"] = static_cast<double>(rep.build.edges);
}
BENCHMARK(BM_ReadEdgeList)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

/// The text load again with the build's phases (mean wall seconds per load) and the process's
/// CPU seconds per load (the machine may be shared: CPU time is the steadier figure).
void BM_ReadEdgeListPhases(benchmark::State& state) {
  const std::string& path = edge_list_file();
  EdgeListOptions o;
  o.build.threads = static_cast<int>(state.range(0));
  EdgeListReport rep;
  BuildPhaseSeconds sum;
  double parse = 0, build = 0, cpu = 0;
  for (auto _ : state) {
    const double c0 = process_cpu_seconds();
    auto g = read_edge_list(path, o, &rep);
    cpu += process_cpu_seconds() - c0;
    benchmark::DoNotOptimize(g.num_edges());
    parse += rep.parse_seconds;
    build += rep.build_seconds;
    const auto& s = rep.build.seconds;
    sum.index += s.index, sum.map += s.map, sum.validate += s.validate, sum.count += s.count;
    sum.scatter += s.scatter, sum.sort += s.sort, sum.merge += s.merge, sum.transpose += s.transpose;
    sum.finish += s.finish;
  }
  const auto it = static_cast<double>(state.iterations());
  state.counters["parse_s"] = parse / it;
  state.counters["build_s"] = build / it;
  state.counters["cpu_s"] = cpu / it;
  state.counters["b_index"] = sum.index / it;
  state.counters["b_map"] = sum.map / it;
  state.counters["b_validate"] = sum.validate / it;
  state.counters["b_count"] = sum.count / it;
  state.counters["b_scatter"] = sum.scatter / it;
  state.counters["b_sort"] = sum.sort / it;
  state.counters["b_merge"] = sum.merge / it;
  state.counters["b_transpose"] = sum.transpose / it;
  state.counters["b_finish"] = sum.finish / it;
  state.counters["m"] = static_cast<double>(rep.build.edges);
}
BENCHMARK(BM_ReadEdgeListPhases)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void BM_SaveSnapshot(benchmark::State& state) {
  const auto& g = bench_graph();
  for (auto _ : state) save_snapshot(g, snap_path);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * file_size(snap_path)));
  state.counters["edges/s"] =
      benchmark::Counter(static_cast<double>(g.num_edges() * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SaveSnapshot)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

/// Loads `path` (mapped in place for format 2, copied for format 1) and reports the steps.
void load_snapshot_bench(benchmark::State& state, const std::string& path) {
  SnapshotReport rep;
  double map = 0, checksum = 0, check = 0, cpu = 0;
  for (auto _ : state) {
    const double c0 = process_cpu_seconds();
    auto h = load_snapshot(path, static_cast<int>(state.range(0)), &rep);
    cpu += process_cpu_seconds() - c0;
    benchmark::DoNotOptimize(h.num_edges());
    map += rep.map_seconds;
    checksum += rep.checksum_seconds;
    check += rep.check_seconds;
  }
  const auto it = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * file_size(path)));
  state.counters["edges/s"] =
      benchmark::Counter(static_cast<double>(bench_graph().num_edges()) * it, benchmark::Counter::kIsRate);
  state.counters["map_s"] = map / it;
  state.counters["checksum_s"] = checksum / it;
  state.counters["check_s"] = check / it;
  state.counters["check_ns/edge"] = check / it * 1e9 / static_cast<double>(bench_graph().num_edges());
  state.counters["cpu_s"] = cpu / it;
  state.counters["mapped"] = rep.mapped ? 1 : 0;
  state.counters["streamed"] = rep.streamed ? 1 : 0;
  state.counters["version"] = rep.version;
}

void BM_LoadSnapshot(benchmark::State& state) {
  const auto& g = bench_graph();
  if (file_size(snap_path) == 0) save_snapshot(g, snap_path);
  load_snapshot_bench(state, snap_path);
}
BENCHMARK(BM_LoadSnapshot)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

/// The same load streamed (pages read in as checked and released once verified, as large files
/// are), to compare with BM_LoadSnapshot (PL1M's 183 MB file is read in at once by default).
void BM_LoadSnapshotStreamed(benchmark::State& state) {
  const auto& g = bench_graph();
  if (file_size(snap_path) == 0) save_snapshot(g, snap_path);
  const std::uint64_t old = detail::snapshot_stream_min_bytes;
  detail::snapshot_stream_min_bytes = 0;
  load_snapshot_bench(state, snap_path);
  detail::snapshot_stream_min_bytes = old;
}
BENCHMARK(BM_LoadSnapshotStreamed)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

void BM_LoadSnapshotV1(benchmark::State& state) {
  if (file_size(snap_v1_path) == 0) {
    state.SkipWithError("no format-1 snapshot at /tmp (written by an older bench_io)");
    return;
  }
  load_snapshot_bench(state, snap_v1_path);
}
BENCHMARK(BM_LoadSnapshotV1)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

void BM_GraphChecksum(benchmark::State& state) {
  const auto& g = bench_graph();
  for (auto _ : state) benchmark::DoNotOptimize(graph_checksum(g));
  state.SetBytesProcessed(static_cast<std::int64_t>(
      state.iterations() * (g.num_edges() * (sizeof(vertex_t) + sizeof(prob_t)) +
                            g.num_vertices() * (sizeof(edge_t) + sizeof(account_t)))));
}
BENCHMARK(BM_GraphChecksum)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

}  // namespace

BENCHMARK_MAIN();

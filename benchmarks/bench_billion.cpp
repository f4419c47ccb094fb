// SPDX-License-Identifier: MIT
/// Issue 15 goal 1 end to end: a streamed Chung-Lu follower graph (PL1M exponents) -> mapped
/// snapshot load -> OPIM-C (IC, weighted cascade, epsilon 0.1, k 50) -> Monte Carlo check of the
/// seeds, printing wall time and peak resident set (VmHWM, reset per phase; and the sampled peaks
/// of its two parts, RssFile: the snapshot's mapped pages, RssAnon: allocations) for each phase.
///
///   bench_billion --edges 1e8 [--degree 10] [--file /tmp/kolsim_billion_1e8.kgs] [--keep]
///                 [--threads 2] [--k 50] [--epsilon 0.1] [--trials 32] [--seed 1] [--load-only]
///                 [--stream-min-bytes B]
/// The snapshot is generated when absent and deleted at the end unless --keep (--load-only
/// keeps it). --stream-min-bytes sets detail::snapshot_stream_min_bytes (0: stream any file;
/// 18446744073709551615: read it in at once, as before streaming).
#include <kolsim/estimate/monte_carlo.hpp>
#include <kolsim/graph/probabilities.hpp>
#include <kolsim/io/snapshot.hpp>
#include <kolsim/io/stream_generate.hpp>
#include <kolsim/select/opim.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

using namespace kolsim;

namespace {

double status_mb(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(key, 0) == 0) return std::atof(line.c_str() + std::strlen(key)) / 1024.0;
  return 0;
}

/// Peak RssFile (mapped file pages) and RssAnon (heap, stacks) of a phase, sampled every 10 ms
/// by a background thread (the kernel keeps only the peak of their sum, VmHWM).
struct RssSampler {
  std::atomic<double> file{0}, anon{0};
  std::atomic<bool> stop{false};
  std::thread thread;
  RssSampler() : thread([this] {
    while (!stop.load()) {
      sample();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }) {}
  ~RssSampler() {
    stop = true;
    thread.join();
  }
  void sample() {
    raise(file, status_mb("RssFile:"));
    raise(anon, status_mb("RssAnon:"));
  }
  static void raise(std::atomic<double>& peak, double v) {
    double now = peak.load();
    while (v > now && !peak.compare_exchange_weak(now, v)) {
    }
  }
  /// Starts a phase: the kernel's peak (VmHWM) and the sampled peaks restart from now.
  void reset() {
    std::ofstream("/proc/self/clear_refs") << "5";
    file = 0;
    anon = 0;
    sample();
  }
};

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void phase(RssSampler& rss, const char* name, double seconds) {
  rss.sample();
  std::printf("%-10s %9.2f s   peak RSS %9.1f MB (file %9.1f, anon %9.1f)   RSS now %9.1f MB (file %9.1f, anon %9.1f)\n",
              name, seconds, status_mb("VmHWM:"), rss.file.load(), rss.anon.load(), status_mb("VmRSS:"),
              status_mb("RssFile:"), status_mb("RssAnon:"));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  double edges = 1e8, degree = 10, epsilon = 0.1;
  std::string file;
  bool keep = false, load_only = false;
  int threads = 2;
  std::size_t k = 50;
  std::uint64_t trials = 32, seed = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_billion: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return std::string(argv[++i]);
    };
    if (a == "--edges") edges = std::stod(next());
    else if (a == "--degree") degree = std::stod(next());
    else if (a == "--file") file = next();
    else if (a == "--keep") keep = true;
    else if (a == "--load-only") load_only = true;
    else if (a == "--stream-min-bytes") detail::snapshot_stream_min_bytes = std::stoull(next());
    else if (a == "--threads") threads = std::stoi(next());
    else if (a == "--k") k = std::stoul(next());
    else if (a == "--epsilon") epsilon = std::stod(next());
    else if (a == "--trials") trials = std::stoull(next());
    else if (a == "--seed") seed = std::stoull(next());
    else {
      std::fprintf(stderr, "bench_billion: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  const auto n = static_cast<vertex_t>(edges / degree);
  if (file.empty()) {
    char name[64];
    std::snprintf(name, sizeof name, "/tmp/kolsim_billion_%.0e.kgs", edges);
    file = name;
  }
  std::printf("bench_billion: n = %u accounts, degree %.1f, file %s, %d threads, OPIM-C k = %zu eps = %.2f\n", n,
              degree, file.c_str(), threads, k, epsilon);

  RssSampler rss;
  if (!std::filesystem::exists(file)) {
    rss.reset();
    StreamChungLuOptions o;
    o.seed = seed;
    o.threads = threads;
    const auto r = stream_chung_lu(file, n, degree, o);
    std::printf("generate: m = %llu edges, %.2f GB file, %llu transpose passes (count %.1f s, out %.1f s, in %.1f s)\n",
                static_cast<unsigned long long>(r.m), r.file_bytes / 1e9,
                static_cast<unsigned long long>(r.transpose_passes), r.count_seconds, r.out_seconds, r.in_seconds);
    phase(rss, "generate", r.seconds);
  }

  rss.reset();
  auto t0 = std::chrono::steady_clock::now();
  SnapshotReport rep;
  const FollowerGraph g = load_snapshot(file, threads, &rep);
  std::printf("load: n = %u, m = %llu, version %u, mapped %d, streamed %d, kind %s (map %.2f s, checksum %.2f s, "
              "check %.2f s)\n",
              g.num_vertices(), static_cast<unsigned long long>(g.num_edges()), rep.version, rep.mapped ? 1 : 0,
              rep.streamed ? 1 : 0,
              g.probability_kind() == ProbabilityKind::weighted_cascade ? "weighted cascade (implicit)" : "other",
              rep.map_seconds, rep.checksum_seconds, rep.check_seconds);
  phase(rss, "load", since(t0));
  if (load_only) return 0;

  rss.reset();
  t0 = std::chrono::steady_clock::now();
  OpimOptions oo;
  oo.epsilon = epsilon;
  oo.seed = seed;
  oo.threads = threads;
  const OpimResult r = opim_c(g, IndependentCascade{}, k, oo);
  std::printf("opim-c: spread (own estimate) %.0f, certified ratio %.3f, %llu RR sets, %d rounds, arrays "
              "materialised %d\n",
              r.spread, r.certified_ratio, static_cast<unsigned long long>(r.rr_sets), r.rounds,
              g.probabilities_materialised());
  phase(rss, "opim-c", since(t0));

  // OPIM-C read the in-rows; the Monte Carlo check reads the out-rows and the in-offsets: drop
  // the pages of the first side before the second comes in.
  t0 = std::chrono::steady_clock::now();
  g.release_mapped_pages();
  std::printf("release_mapped_pages: %.3f s, RSS now %.1f MB (file %.1f, anon %.1f)\n", since(t0),
              status_mb("VmRSS:"), status_mb("RssFile:"), status_mb("RssAnon:"));

  rss.reset();
  t0 = std::chrono::steady_clock::now();
  MonteCarloOptions mo;
  mo.trials = trials;
  mo.seed = seed + 1;
  mo.threads = threads;
  const auto mc = estimate_spread(g, IndependentCascade{}, r.seeds, mo);
  std::printf("mc check: spread %.0f +- %.0f (SE, %llu trials), OPIM-C estimate %.0f, arrays materialised %d\n",
              mc.mean, mc.std_error, static_cast<unsigned long long>(mc.trials), r.spread,
              g.probabilities_materialised());
  phase(rss, "mc", since(t0));

  if (!keep) std::filesystem::remove(file);
  return 0;
}

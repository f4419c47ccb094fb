// SPDX-License-Identifier: MIT
/// Benchmark of the distributed back end: IMM, OPIM-C and Monte Carlo estimate_spread over the
/// ranks of MPI_COMM_WORLD (weighted cascade IC, k = 50), printing per run the wall time, the
/// largest peak RSS over the ranks, RR sets per rank, and the greedy's bytes per chosen seed
/// (sparse decrement messages, all ranks' payloads) next to one dense n-vector of 64-bit counts;
/// then the distributed coverage greedy alone on a fixed collection (--greedy-sets, split in
/// blocks over the ranks; median of 5); then the budgeted campaign planner (--plan-kols R: a
/// roster of the R accounts with most followers; its restricted RR-set bytes per chosen KOL next
/// to one dense n-vector). Every rank checks its answer against the one-process result of the
/// same options.
///
/// Run: mpirun -np P --oversubscribe --bind-to none build/benchmarks/bench_distributed
///      [slashdot|pl1m] [--eps E] [--threads T] [--trials N] [--greedy-sets S] [--plan-kols R]
///      (data from $KOLSIM_DATA_DIR, default /work/shared/datasets)
#include <mpi.h>
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <string>
#include <vector>

#include "kolsim/core/stopwatch.hpp"
#include "kolsim/distributed/monte_carlo.hpp"
#include "kolsim/distributed/plan.hpp"
#include "kolsim/distributed/select.hpp"
#include "kolsim/graph/probabilities.hpp"
#include "kolsim/io/edge_list.hpp"
#include "pl1m.hpp"

namespace {

using namespace kolsim;
namespace kd = kolsim::distributed;

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // KiB on Linux
}

/// CPU seconds (user + system) of this process so far: on a shared machine the split of the
/// work shows here when wall time cannot.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double max_over_ranks(kd::Communicator& c, double x) {
  double m = x;
  MPI_Allreduce(&x, &m, 1, MPI_DOUBLE, MPI_MAX, c.get());
  return m;
}

template <class Result>
void report(kd::Communicator& c, const char* name, const char* graph, int threads, const Result& r,
            const kd::DistributedStats& st, double rss, double cpu, bool same, vertex_t n) {
  const double cpu_max = max_over_ranks(c, cpu);
  const double secs = max_over_ranks(c, r.seconds);
  const double local_sets = max_over_ranks(c, static_cast<double>(st.local_sets));
  const double local_peak = max_over_ranks(c, static_cast<double>(st.local_peak_bytes)) / 1e6;
  const double per_seed = st.traffic.picks ? static_cast<double>(st.traffic.sparse_bytes) / st.traffic.picks : 0.0;
  std::uint64_t sets_entries[2] = {st.local_sets, st.local_entries};
  MPI_Allreduce(MPI_IN_PLACE, sets_entries, 2, MPI_UINT64_T, MPI_SUM, c.get());
  int all_same = same ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &all_same, 1, MPI_INT, MPI_MIN, c.get());
  if (c.root())
    std::printf("%-8s %-7s ranks=%d thr=%d  %8.3f s  cpu/rank max %7.3f s  rr_sets=%10llu  max sets/rank=%9.0f  RR+greedy/rank=%8.1f MB  "
                "mean RR size=%.1f  peak RSS/rank=%7.1f MB  bytes/seed=%10.0f (dense n-vector %llu)  same as 1 process: %s\n",
                graph, name, c.size(), threads, secs, cpu_max, static_cast<unsigned long long>(r.rr_sets), local_sets,
                local_peak, sets_entries[0] ? static_cast<double>(sets_entries[1]) / static_cast<double>(sets_entries[0]) : 0.0,
                rss, per_seed, static_cast<unsigned long long>(n) * 8, all_same ? "yes" : "NO");
  std::fflush(stdout);
}

/// The distributed coverage greedy alone (k = 50, with the top-k bound) on RR sets [0, sets) of
/// one stream, each rank holding its block: median wall time over 5 runs (slowest rank), this
/// rank's RR sets, bytes per seed; checks the result against max_coverage() in one process.
void bench_greedy(kd::Communicator& c, const FollowerGraph& g, const char* graph, std::uint64_t sets, int threads) {
  RRCollection mine;
  const std::uint64_t lo = c.block_begin(sets, c.rank()), hi = c.block_begin(sets, c.rank() + 1);
  RRSampleOptions so;
  so.threads = threads;
  sample_rr_sets(g, IndependentCascade{}, 1, domain::rr_set, lo, hi - lo, mine, so);
  MaxCoverageOptions mo;
  mo.threads = threads;
  std::vector<double> secs;
  MaxCoverageResult d;
  kd::CoverageTraffic tr;
  for (int rep = 0; rep < 5; ++rep) {
    tr = {};
    MPI_Barrier(c.get());
    const Stopwatch clock;
    d = kd::max_coverage(c, mine, g.num_vertices(), 50, mo, &tr);
    secs.push_back(max_over_ranks(c, clock.seconds()));
  }
  std::sort(secs.begin(), secs.end());
  bool same = true;
  if (c.size() > 1) {
    RRCollection all;
    sample_rr_sets(g, IndependentCascade{}, 1, domain::rr_set, 0, sets, all, so);
    const MaxCoverageResult s = max_coverage(all, g.num_vertices(), 50, mo);
    same = d.seeds == s.seeds && d.marginal == s.marginal && d.upper_bound == s.upper_bound;
  }
  int all_same = same ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &all_same, 1, MPI_INT, MPI_MIN, c.get());
  const double local_sets = max_over_ranks(c, static_cast<double>(mine.size()));
  const double greedy_mb = max_over_ranks(c, static_cast<double>(d.bytes)) / 1e6;
  if (c.root())
    std::printf("%-8s %-7s ranks=%d thr=%d  %8.4f s (median of 5; min %.4f max %.4f)  rr_sets=%10llu  max sets/rank=%9.0f  "
                "greedy/rank=%7.1f MB  bytes/seed=%10.0f  same as 1 process: %s\n",
                graph, "greedy", c.size(), threads, secs[2], secs[0], secs[4], static_cast<unsigned long long>(sets),
                local_sets, greedy_mb, tr.picks ? static_cast<double>(tr.sparse_bytes) / static_cast<double>(tr.picks) : 0.0,
                all_same ? "yes" : "NO");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  kd::Environment env(&argc, &argv);
  kd::Communicator world;
  std::string which = "slashdot";
  double eps = 0.1;
  int threads = 1;
  std::uint64_t trials = 10000, greedy_sets = 400000, plan_kols = 500;  // --plan-kols 0: no plan row
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--eps" && i + 1 < argc) eps = std::atof(argv[++i]);
    else if (a == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (a == "--trials" && i + 1 < argc) trials = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--greedy-sets" && i + 1 < argc) greedy_sets = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--plan-kols" && i + 1 < argc) plan_kols = std::strtoull(argv[++i], nullptr, 10);
    else which = a;
  }
  const char* env_dir = std::getenv("KOLSIM_DATA_DIR");
  const std::string dir = env_dir ? env_dir : "/work/shared/datasets";
  const FollowerGraph g = which == "pl1m" ? weighted_cascade(pl1m_graph(1, threads))
                                          : weighted_cascade(read_edge_list(dir + "/soc-Slashdot0902/soc-Slashdot0902.txt.gz"));
  const char* name = which == "pl1m" ? "PL1M" : "Slashdot";
  if (world.root())
    std::printf("%s: %u accounts, %llu edges; %d ranks x %d threads on %ld online cores\n", name, g.num_vertices(),
                static_cast<unsigned long long>(g.num_edges()), world.size(), threads, sysconf(_SC_NPROCESSORS_ONLN));
  const std::size_t k = 50;
  {
    ImmOptions o;
    o.epsilon = eps;
    o.seed = 1;
    o.threads = threads;
    kd::DistributedStats st;
    const double cpu0 = cpu_seconds();
    const ImmResult d = kd::imm(world, g, IndependentCascade{}, k, o, &st);
    const double cpu = cpu_seconds() - cpu0;
    const double rss = max_over_ranks(world, peak_rss_mb());  // before the one-process check
    const ImmResult s = world.size() == 1 ? d : imm(g, IndependentCascade{}, k, o);
    report(world, "imm", name, threads, d, st, rss, cpu, d.seeds == s.seeds && d.theta == s.theta && d.rr_sets == s.rr_sets, g.num_vertices());
  }
  {
    OpimOptions o;
    o.epsilon = eps;
    o.seed = 1;
    o.threads = threads;
    kd::DistributedStats st;
    const double cpu0 = cpu_seconds();
    const OpimResult d = kd::opim_c(world, g, IndependentCascade{}, k, o, &st);
    const double cpu = cpu_seconds() - cpu0;
    const double rss = max_over_ranks(world, peak_rss_mb());
    const OpimResult s = world.size() == 1 ? d : opim_c(g, IndependentCascade{}, k, o);
    report(world, "opim_c", name, threads, d, st, rss, cpu,
           d.seeds == s.seeds && d.rr_sets == s.rr_sets && d.certified_ratio == s.certified_ratio, g.num_vertices());
  }
  {
    std::vector<vertex_t> seeds;
    for (vertex_t v = 0; v < 50 && v < g.num_vertices(); ++v) seeds.push_back(v);
    MonteCarloOptions o;
    o.trials = trials;
    o.seed = 1;
    o.threads = threads;
    const std::uint64_t before = world.bytes_received();
    const double cpu0 = cpu_seconds();
    const SpreadEstimate d = kd::estimate_spread(world, g, IndependentCascade{}, std::span<const vertex_t>(seeds), o);
    const double secs = max_over_ranks(world, d.seconds);
    const double cpu = max_over_ranks(world, cpu_seconds() - cpu0);
    const double got = static_cast<double>(world.bytes_received() - before);
    const double rss = max_over_ranks(world, peak_rss_mb());
    if (world.root())
      std::printf("%-8s %-7s ranks=%d thr=%d  %8.3f s  cpu/rank max %7.3f s  trials=%llu  spread %.1f +- %.1f  peak RSS/rank=%7.1f MB  "
                  "bytes received by rank 0=%.0f\n",
                  name, "spread", world.size(), threads, secs, cpu, static_cast<unsigned long long>(d.trials), d.mean,
                  d.std_error, rss, got);
  }
  if (greedy_sets > 0) bench_greedy(world, g, name, greedy_sets, threads);
  if (plan_kols > 0) {
    // The budgeted planner: a roster of the plan_kols accounts with the most followers (fee
    // grows with followers, risk 0-0.2), a budget of ~10 mid-priced KOLs, deadline 3 steps.
    std::vector<vertex_t> order(g.num_vertices());
    for (vertex_t v = 0; v < g.num_vertices(); ++v) order[v] = v;
    const auto off = g.out_offsets();
    std::stable_sort(order.begin(), order.end(),
                     [&](vertex_t a, vertex_t b) { return off[a + 1] - off[a] > off[b + 1] - off[b]; });
    order.resize(std::min<std::size_t>(order.size(), plan_kols));
    std::vector<account_t> acc;
    std::vector<double> fee, risk;
    for (vertex_t v : order) {
      acc.push_back(g.account(v));
      fee.push_back(10.0 + std::sqrt(static_cast<double>(off[v + 1] - off[v])));
      risk.push_back(static_cast<double>(v % 5) * 0.05);
    }
    const Roster roster = Roster::from_arrays(g, acc, fee, risk);
    CampaignSpec spec;
    spec.budget = 10.0 * fee[fee.size() / 2];
    spec.deadline = 3;
    spec.epsilon = eps;
    spec.seed = 1;
    spec.threads = threads;
    spec.check_trials = 2000;
    kd::PlanTraffic tr;
    const double cpu0 = cpu_seconds();
    const CampaignPlan d = kd::plan_campaign(world, g, IndependentCascade{}, roster, spec, &tr);
    const double cpu = max_over_ranks(world, cpu_seconds() - cpu0);
    const double secs = max_over_ranks(world, d.seconds);
    const double rss = max_over_ranks(world, peak_rss_mb());
    bool same = true;
    if (world.size() > 1) {
      const CampaignPlan s = plan_campaign(g, IndependentCascade{}, roster, spec);
      same = d.rr_sets == s.rr_sets && d.certified_ratio == s.certified_ratio && d.reach == s.reach &&
             d.reach_se == s.reach_se && d.kols.size() == s.kols.size();
      for (std::size_t i = 0; same && i < d.kols.size(); ++i) same = d.kols[i].account == s.kols[i].account;
    }
    if (world.root())
      std::printf("%-8s %-7s ranks=%d thr=%d  %8.3f s  cpu/rank max %7.3f s  rr_sets=%10llu  kols=%zu  reach %.1f +- %.1f  "
                  "peak RSS/rank=%7.1f MB  restricted RR bytes received=%llu (%.1f entries/set)  check bytes=%llu  "
                  "RR bytes/KOL=%.0f (dense n-vector %llu)  same as 1 process: %s\n",
                  name, "plan", world.size(), threads, secs, cpu, static_cast<unsigned long long>(d.rr_sets),
                  d.kols.size(), d.reach, d.reach_se, rss, static_cast<unsigned long long>(tr.rr_bytes),
                  tr.rr_sets ? static_cast<double>(tr.rr_entries) / static_cast<double>(tr.rr_sets) : 0.0,
                  static_cast<unsigned long long>(tr.check_bytes),
                  d.kols.empty() ? 0.0 : static_cast<double>(tr.rr_bytes) / static_cast<double>(d.kols.size()),
                  static_cast<unsigned long long>(g.num_vertices()) * 8, same ? "yes" : "NO");
  }
  return 0;
}

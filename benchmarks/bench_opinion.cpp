// SPDX-License-Identifier: MIT
/// Friedkin-Johnsen equilibrium with 50 stubborn KOLs on soc-Slashdot0902 and a 1M-node
/// Chung-Lu graph: BiCGSTAB (and SparseLU on Slashdot) against plain iteration; seconds,
/// residual, iterations. Also a DeGroot step and greedy opinion maximisation on Slashdot.
/// Data: $KOLSIM_DATA_DIR (default /work/shared/datasets); Slashdot cases are skipped if absent.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "kolsim/graph/generators.hpp"
#include "kolsim/io/edge_list.hpp"
#include "kolsim/opinion/dynamics.hpp"
#include "kolsim/opinion/stubborn.hpp"
#include "pl1m.hpp"

using namespace kolsim;

namespace {

struct Instance {
  FollowerGraph g;
  std::vector<double> innate;
  std::vector<double> lambda;
  std::vector<vertex_t> kols;  ///< 50 accounts with the most followers
};

Instance make_instance(FollowerGraph g) {
  Instance in;
  const vertex_t n = g.num_vertices();
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> op(-1.0, 1.0), su(0.0, 0.9);
  in.innate.resize(n);
  in.lambda.resize(n);
  for (vertex_t v = 0; v < n; ++v) {
    in.innate[v] = op(rng);
    in.lambda[v] = su(rng);
  }
  std::vector<vertex_t> order(n);
  std::iota(order.begin(), order.end(), vertex_t{0});
  std::partial_sort(order.begin(), order.begin() + std::min<vertex_t>(50, n), order.end(),
                    [&](vertex_t a, vertex_t b) { return g.out_degree(a) > g.out_degree(b); });
  in.kols.assign(order.begin(), order.begin() + std::min<vertex_t>(50, n));
  in.g = std::move(g);
  return in;
}

const Instance* slashdot() {
  static std::unique_ptr<Instance> inst = [] {
    const char* env = std::getenv("KOLSIM_DATA_DIR");
    const std::string dir = env ? env : "/work/shared/datasets";
    const std::string path = dir + "/soc-Slashdot0902/soc-Slashdot0902.txt.gz";
    if (!std::filesystem::exists(path)) return std::unique_ptr<Instance>();
    return std::make_unique<Instance>(make_instance(read_edge_list(path)));
  }();
  return inst.get();
}

const Instance* pl1m() {
  static std::unique_ptr<Instance> inst =
      std::make_unique<Instance>(make_instance(pl1m_graph(7)));
  return inst.get();
}

void run_fj(benchmark::State& state, const Instance* in, FjSolver solver) {
  if (!in) {
    state.SkipWithError("dataset not found");
    return;
  }
  FjOptions opt;
  opt.solver = solver;
  opt.stubborn = in->kols;
  opt.record_trajectory = false;
  opt.tolerance = 1e-10;
  opt.steps = 5000;
  opt.solver_tolerance = 1e-10;
  FjResult r;
  for (auto _ : state) {
    r = friedkin_johnsen_equilibrium(in->g, in->innate, in->lambda, opt);
    benchmark::DoNotOptimize(r.opinions.data());
  }
  state.counters["n"] = in->g.num_vertices();
  state.counters["m"] = static_cast<double>(in->g.num_edges());
  state.counters["residual"] = r.residual;
  state.counters["iterations"] = static_cast<double>(r.iterations);
  state.counters["converged"] = r.converged;
  state.counters["mean_opinion"] = r.summary.mean;
  state.counters["solve_s"] = r.seconds;
}

void BM_FjSlashdotBicgstab(benchmark::State& s) { run_fj(s, slashdot(), FjSolver::bicgstab); }
void BM_FjSlashdotIterate(benchmark::State& s) { run_fj(s, slashdot(), FjSolver::iterate); }
void BM_FjSlashdotSparseLu(benchmark::State& s) { run_fj(s, slashdot(), FjSolver::sparse_lu); }
void BM_FjPL1MBicgstab(benchmark::State& s) { run_fj(s, pl1m(), FjSolver::bicgstab); }
void BM_FjPL1MIterate(benchmark::State& s) { run_fj(s, pl1m(), FjSolver::iterate); }

void BM_DeGrootStepPL1M(benchmark::State& state) {
  const Instance* in = pl1m();
  OpinionOptions opt;
  opt.steps = 10;
  opt.tolerance = 0.0;
  opt.record_trajectory = false;
  for (auto _ : state) benchmark::DoNotOptimize(degroot(in->g, in->innate, opt).opinions.data());
  state.counters["edges_per_s"] = benchmark::Counter(static_cast<double>(in->g.num_edges()) * 10.0,
                                                     benchmark::Counter::kIsIterationInvariantRate);
}

void BM_MaximiseOpinionSlashdot(benchmark::State& state) {
  const Instance* in = slashdot();
  if (!in) {
    state.SkipWithError("dataset not found");
    return;
  }
  OpinionMaxOptions opt;
  opt.solver_tolerance = 1e-10;
  SelectResult r;
  std::vector<double> innate = in->innate;  // in [-1, 1]: submodular with stubborn opinion 1
  for (auto _ : state) r = maximise_opinion(in->g, innate, in->lambda, static_cast<std::size_t>(state.range(0)), opt);
  state.counters["sum_opinions"] = r.spread;
  for (const auto& [name, sec] : r.phase_seconds) state.counters[name + "_s"] = sec;
}

}  // namespace

BENCHMARK(BM_FjSlashdotBicgstab)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_FjSlashdotIterate)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_FjSlashdotSparseLu)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_FjPL1MBicgstab)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_FjPL1MIterate)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_DeGrootStepPL1M)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_MaximiseOpinionSlashdot)->Arg(5)->Unit(benchmark::kMillisecond)->Iterations(1);

BENCHMARK_MAIN();

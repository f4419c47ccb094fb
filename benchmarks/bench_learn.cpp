// SPDX-License-Identifier: MIT
/// Learning from real cascades: EM (plain and with exogenous adoption), NetRate and the credit
/// baseline on the StackExchange sets (cascades-android: 29k adoptions; cascades-christianity),
/// plus held-out prediction scoring. Reports seconds, iterations and adoptions per second.
/// Data: $KOLSIM_DATA_DIR (default /work/shared/datasets); cases are skipped when absent.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "kolsim/graph/probabilities.hpp"
#include "kolsim/io/edge_list.hpp"
#include "kolsim/learn/cascades.hpp"
#include "kolsim/learn/ic_em.hpp"
#include "kolsim/learn/netrate.hpp"
#include "kolsim/learn/predict.hpp"

using namespace kolsim;

namespace {

struct Set {
  FollowerGraph g;
  Cascades train, test;
};

const Set* load(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Set>> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second.get();
  const char* env = std::getenv("KOLSIM_DATA_DIR");
  const std::filesystem::path dir = std::filesystem::path(env ? env : "/work/shared/datasets") / name;
  std::unique_ptr<Set> s;
  if (std::filesystem::exists(dir / "cascades.txt")) {
    s = std::make_unique<Set>();
    EdgeListOptions o;
    o.format = EdgeFormat::csv;
    o.build.flip = true;  // "a,b": information flows b -> a (the dataset's README)
    s->g = read_edge_list((dir / "edges.txt").string(), o);
    const auto all = read_cascades((dir / "cascades.txt").string(), s->g);
    const auto split = split_by_time(all, 0.2);
    s->train = all.subset(split.train);
    s->test = all.subset(split.test);
  }
  return (cache[name] = std::move(s)).get();
}

void BM_Em(benchmark::State& st, const char* name, bool exogenous, int threads) {
  const Set* s = load(name);
  if (!s) {
    st.SkipWithError("dataset not found (set KOLSIM_DATA_DIR)");
    return;
  }
  EmOptions o;
  o.exogenous = exogenous;
  o.threads = threads;
  std::uint32_t it = 0;
  for (auto _ : st) {
    auto r = learn_ic_em(s->g, s->train, o);
    it = r.iterations;
    benchmark::DoNotOptimize(r.log_likelihood);
  }
  st.counters["iterations"] = it;
  st.counters["adoptions/s"] =
      benchmark::Counter(static_cast<double>(s->train.adoptions()) * st.iterations(), benchmark::Counter::kIsRate);
}

void BM_NetRate(benchmark::State& st, const char* name, DelayModel delay) {
  const Set* s = load(name);
  if (!s) {
    st.SkipWithError("dataset not found (set KOLSIM_DATA_DIR)");
    return;
  }
  NetRateOptions o;
  o.delay = delay;
  o.min_delay = 60;
  o.threads = 1;
  std::uint32_t it = 0;
  for (auto _ : st) {
    auto r = learn_netrate(s->g, s->train, o);
    it = r.iterations;
    benchmark::DoNotOptimize(r.log_likelihood);
  }
  st.counters["iterations"] = it;
}

void BM_Credit(benchmark::State& st, const char* name) {
  const Set* s = load(name);
  if (!s) {
    st.SkipWithError("dataset not found (set KOLSIM_DATA_DIR)");
    return;
  }
  for (auto _ : st) benchmark::DoNotOptimize(learn_credit(s->g, s->train, CreditScheme::bernoulli).log_likelihood);
}

void BM_Evaluate(benchmark::State& st, const char* name) {
  const Set* s = load(name);
  if (!s) {
    st.SkipWithError("dataset not found (set KOLSIM_DATA_DIR)");
    return;
  }
  const auto g = weighted_cascade(s->g);
  PredictOptions o;
  o.trials = 200;
  o.seed = 1;
  for (auto _ : st) benchmark::DoNotOptimize(evaluate_predictions(g, IndependentCascade{}, s->test, o).coverage90);
  st.counters["cascades"] = static_cast<double>(s->test.size());
}

}  // namespace

BENCHMARK_CAPTURE(BM_Em, android_1thread, "cascades-android", false, 1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Em, android_2threads, "cascades-android", false, 2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Em, android_exogenous, "cascades-android", true, 2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Em, christianity_exogenous, "cascades-christianity", true, 2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_NetRate, android_exponential, "cascades-android", DelayModel::exponential)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_NetRate, android_power_law, "cascades-android", DelayModel::power_law)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Credit, android, "cascades-android")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Evaluate, android_wc_200_trials, "cascades-android")->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

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

#include "kolsim/diffusion/continuous.hpp"
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

void BM_Em(benchmark::State& st, const char* name, bool exogenous, int threads, bool squarem = false) {
  const Set* s = load(name);
  if (!s) {
    st.SkipWithError("dataset not found (set KOLSIM_DATA_DIR)");
    return;
  }
  EmOptions o;
  o.exogenous = exogenous;
  o.threads = threads;
  o.squarem = squarem;
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

/// Continuous-time reach curve (1 h .. 1 year) of one cascade seeded by a test cascade's first
/// adopter, weighted cascade probabilities, 1-hour exponential delays, power-law fading novelty.
void BM_ContinuousReach(benchmark::State& st, const char* name) {
  const Set* s = load(name);
  if (!s) {
    st.SkipWithError("dataset not found (set KOLSIM_DATA_DIR)");
    return;
  }
  const auto g = weighted_cascade(s->g);
  ContinuousOptions o;
  o.times = {3600, 86400, 7 * 86400, 365 * 86400};
  o.default_rate = 1.0 / 3600;
  o.decay = NoveltyDecay::power_law;
  o.trials = 1000;
  o.threads = 1;
  const std::vector<vertex_t> seeds{s->test.adopters(0)[0]};
  for (auto _ : st) benchmark::DoNotOptimize(continuous_reach(g, seeds, o).mean.back());
  st.counters["trials/s"] = benchmark::Counter(static_cast<double>(o.trials) * st.iterations(), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK_CAPTURE(BM_Em, android_1thread, "cascades-android", false, 1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Em, android_1thread_squarem, "cascades-android", false, 1, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Em, android_exogenous_squarem, "cascades-android", true, 2, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Em, christianity_exogenous_squarem, "cascades-christianity", true, 2, true)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Em, android_2threads, "cascades-android", false, 2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Em, android_exogenous, "cascades-android", true, 2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Em, christianity_exogenous, "cascades-christianity", true, 2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_NetRate, android_exponential, "cascades-android", DelayModel::exponential)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_NetRate, android_power_law, "cascades-android", DelayModel::power_law)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Credit, android, "cascades-android")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Evaluate, android_wc_200_trials, "cascades-android")->Unit(benchmark::kMillisecond);

BENCHMARK_CAPTURE(BM_ContinuousReach, android_wc_1000_trials, "cascades-android")->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

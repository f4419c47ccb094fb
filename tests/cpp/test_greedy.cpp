// SPDX-License-Identifier: MIT
/// Tests of greedy, CELF and CELF++ over common live-edge worlds: identical answers, hand-checked
/// deterministic cases, the (1 - 1/e) bound against brute force, evaluation counts, options.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <vector>

#include "kolsim/core/rng.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/estimate/exact.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/select/greedy.hpp"

using namespace kolsim;

namespace {

std::uint64_t test_seed() {
  std::uint64_t s = 977;
  if (const char* env = std::getenv("KOLSIM_TEST_SEED")) s = std::strtoull(env, nullptr, 10);
  std::cout << "[ seed ] KOLSIM_TEST_SEED=" << s << "\n";
  return s;
}

FollowerGraph make(vertex_t n, const std::vector<vertex_t>& src, const std::vector<vertex_t>& dst,
                   const std::vector<prob_t>& p) {
  return build_graph_dense(n, src, dst, p);
}

struct RandomGraphs {
  FollowerGraph ic, lt;
};

// Random digraph with about `avg_deg` out-edges per vertex; IC probabilities in [0.05, 0.6],
// LT weights splitting 0.95 of each account's weight at random over its in-edges.
RandomGraphs random_graphs(vertex_t n, double avg_deg, std::uint64_t seed, std::uint64_t stream) {
  Rng gen(seed, stream, domain::generator);
  std::vector<vertex_t> src, dst;
  std::vector<prob_t> p;
  const double q = avg_deg / (n - 1);
  for (vertex_t u = 0; u < n; ++u)
    for (vertex_t v = 0; v < n; ++v)
      if (u != v && gen.uniform() < q) {
        src.push_back(u);
        dst.push_back(v);
        p.push_back(0.05f + 0.55f * gen.uniform_float());
      }
  std::vector<double> raw(src.size()), tot(n, 0.0);
  for (std::size_t e = 0; e < src.size(); ++e) tot[dst[e]] += raw[e] = 0.1 + gen.uniform();
  std::vector<prob_t> w(src.size());
  for (std::size_t e = 0; e < src.size(); ++e) w[e] = static_cast<prob_t>(0.95 * raw[e] / tot[dst[e]]);
  return {make(n, src, dst, p), make(n, src, dst, w)};
}

// 0 -> {1, 2, 3}, 3 -> 5, 4 -> 5 -> 6 -> 7 -> 8, 9 -> 10 (p = 1), 9 -> 11 (p = 0).
FollowerGraph deterministic_graph(bool overlap) {
  std::vector<vertex_t> src{0, 0, 0, 4, 5, 6, 7, 9, 9}, dst{1, 2, 3, 5, 6, 7, 8, 10, 11};
  std::vector<prob_t> p{1, 1, 1, 1, 1, 1, 1, 1, 0};
  if (overlap) {
    src.push_back(3);
    dst.push_back(5);
    p.push_back(1);
  }
  return make(12, src, dst, p);
}

void expect_same(const SelectResult& a, const SelectResult& b) {
  EXPECT_EQ(a.seeds, b.seeds) << a.method << " vs " << b.method;
  EXPECT_EQ(a.marginal_gains, b.marginal_gains) << a.method << " vs " << b.method;
  EXPECT_EQ(a.spread, b.spread) << a.method << " vs " << b.method;
}

}  // namespace

TEST(Greedy, LazyVariantsEqualPlainGreedy) {
  const std::uint64_t seed = test_seed();
  for (std::uint64_t rep = 0; rep < 4; ++rep) {
    auto gs = random_graphs(40, 2.5, seed, rep);
    for (std::uint32_t steps : {std::numeric_limits<std::uint32_t>::max(), 2u}) {
      GreedyOptions o;
      o.seed = seed + rep;
      o.trials = 200;
      o.max_steps = steps;
      o.threads = 2;
      for (int model = 0; model < 2; ++model) {
        auto run = [&](auto algo) {
          return model == 0 ? algo(gs.ic, IndependentCascade{}) : algo(gs.lt, LinearThreshold{});
        };
        auto plain = run([&](const FollowerGraph& g, auto m) { return greedy(g, m, 6, o); });
        auto lazy = run([&](const FollowerGraph& g, auto m) { return celf(g, m, 6, o); });
        auto lazier = run([&](const FollowerGraph& g, auto m) { return celf_plus_plus(g, m, 6, o); });
        expect_same(plain, lazy);
        expect_same(plain, lazier);
        EXPECT_EQ(plain.method, "greedy");
        EXPECT_EQ(lazy.method, "celf");
        EXPECT_EQ(lazier.method, "celf++");
        ASSERT_EQ(plain.seeds.size(), 6u);
        // Gains are non-increasing (submodularity) and sum to the spread.
        double sum = 0;
        for (std::size_t i = 0; i < plain.marginal_gains.size(); ++i) {
          sum += plain.marginal_gains[i];
          if (i > 0) {
            EXPECT_LE(plain.marginal_gains[i], plain.marginal_gains[i - 1]);
          }
        }
        EXPECT_NEAR(sum, plain.spread, 1e-9);
        EXPECT_LT(lazy.trials, plain.trials);
      }
    }
  }
}

TEST(Greedy, DeterministicGraphsMatchHandComputedGreedy) {
  auto g = deterministic_graph(true);
  GreedyOptions o;
  o.trials = 50;
  for (auto* algo : {&greedy<IndependentCascade>, &celf<IndependentCascade>, &celf_plus_plus<IndependentCascade>}) {
    auto r = (*algo)(g, IndependentCascade{}, 3, o);
    EXPECT_EQ(r.seeds, (std::vector<vertex_t>{0, 9, 4})) << r.method;  // 4 and 11 tie at 1: lower index
    EXPECT_EQ(r.marginal_gains, (std::vector<double>{8, 2, 1})) << r.method;
    EXPECT_DOUBLE_EQ(r.spread, 11.0);
    GreedyOptions d = o;
    d.max_steps = 1;
    auto rd = (*algo)(g, IndependentCascade{}, 3, d);
    EXPECT_EQ(rd.seeds, (std::vector<vertex_t>{0, 4, 6})) << rd.method;
    EXPECT_EQ(rd.marginal_gains, (std::vector<double>{4, 2, 2})) << rd.method;
  }
  // LT on a forest with unit weights is deterministic too.
  auto tree = deterministic_graph(false);
  for (auto* algo : {&greedy<LinearThreshold>, &celf<LinearThreshold>, &celf_plus_plus<LinearThreshold>}) {
    auto r = (*algo)(tree, LinearThreshold{}, 3, o);
    EXPECT_EQ(r.seeds, (std::vector<vertex_t>{4, 0, 9})) << r.method;
    EXPECT_EQ(r.marginal_gains, (std::vector<double>{5, 4, 2})) << r.method;
  }
}

// The sampled objective with fixed seeds only is an unbiased estimate of the exact spread:
// this checks the live-edge coins of both models, with and without a deadline.
TEST(Greedy, WorldsEstimateExactSpread) {
  const std::uint64_t seed = test_seed();
  auto gs = random_graphs(9, 1.6, seed, 100);
  std::vector<vertex_t> fixed{0, 5};
  for (std::uint32_t steps : {std::numeric_limits<std::uint32_t>::max(), 1u}) {
    GreedyOptions o;
    o.seed = seed;
    o.trials = 20000;
    o.fixed_seeds = fixed;
    o.max_steps = steps;
    ExactOptions eo;
    eo.max_steps = steps;
    for (int model = 0; model < 2; ++model) {
      auto r = model == 0 ? celf(gs.ic, IndependentCascade{}, 0, o) : celf(gs.lt, LinearThreshold{}, 0, o);
      auto ex = model == 0 ? exact_spread(gs.ic, IndependentCascade{}, fixed, eo)
                           : exact_spread(gs.lt, LinearThreshold{}, fixed, eo);
      const double bound = 6 * std::sqrt(ex.variance / static_cast<double>(o.trials));
      EXPECT_LE(std::abs(r.spread - ex.spread), bound + 1e-12)
          << "model " << model << " steps " << steps << " sampled " << r.spread << " exact " << ex.spread;
      EXPECT_GT(ex.variance, 0.0);
    }
  }
}

// Greedy maximises the sampled objective f^ within 1 - 1/e. By Hoeffding (reach lies in an
// interval of length < n) and a union bound over all C(n, k) seed sets, with probability
// >= 1 - 1e-9 every set has |f^ - f| <= t = n sqrt(ln(2 C / 1e-9) / (2 R)). Then
// f(greedy) >= f^(greedy) - t >= (1 - 1/e) f^(opt) - t >= (1 - 1/e) f(opt) - (2 - 1/e) t.
TEST(Greedy, WithinOneMinusOneOverEOfBruteForce) {
  const std::uint64_t seed = test_seed();
  const vertex_t n = 10;
  const std::size_t k = 3;
  const double subsets = 120;  // C(10, 3)
  int ran = 0;
  for (std::uint64_t rep = 0; rep < 50 && ran < 2; ++rep) {
    auto gs = random_graphs(n, 1.4, seed, 200 + rep);
    if (gs.ic.num_edges() > 14) continue;  // keep the enumeration small (<= 2^14 worlds)
    ++ran;
    GreedyOptions o;
    o.seed = seed + rep;
    o.trials = 2000;
    const double t = n * std::sqrt(std::log(2 * subsets / 1e-9) / (2.0 * static_cast<double>(o.trials)));
    for (int model = 0; model < 2; ++model) {
      auto exact = [&](const std::vector<vertex_t>& s) {
        return model == 0 ? exact_spread(gs.ic, IndependentCascade{}, s).spread
                          : exact_spread(gs.lt, LinearThreshold{}, s).spread;
      };
      auto r = model == 0 ? celf_plus_plus(gs.ic, IndependentCascade{}, k, o)
                          : celf_plus_plus(gs.lt, LinearThreshold{}, k, o);
      double best = 0;
      for (vertex_t a = 0; a < n; ++a)
        for (vertex_t b = a + 1; b < n; ++b)
          for (vertex_t c = b + 1; c < n; ++c) best = std::max(best, exact({a, b, c}));
      const double got = exact(r.seeds);
      std::cout << "model " << model << " greedy exact " << got << " best " << best << " slack " << (2 - 1 / M_E) * t
                << "\n";
      EXPECT_GE(got, (1 - 1 / M_E) * best - (2 - 1 / M_E) * t);
      EXPECT_LE(got, best + 1e-9);
    }
  }
  EXPECT_EQ(ran, 2);
}

// Hub 0 reaches 6 accounts, 6/8/10/12 reach 2 each, everyone else 1 (all p = 1). CELF: 14 initial
// evaluations, one re-evaluation in each of rounds 2 and 3, 3 commits. CELF++: in round 2 the
// top node's mg2 (computed given {0}) is already exact, so round 2 needs no evaluation.
TEST(Greedy, CelfPlusPlusSavesAnEvaluation) {
  std::vector<vertex_t> src{0, 0, 0, 0, 0, 6, 8, 10, 12}, dst{1, 2, 3, 4, 5, 7, 9, 11, 13};
  auto g = make(14, src, dst, std::vector<prob_t>(src.size(), 1.0f));
  GreedyOptions o;
  o.trials = 10;
  auto plain = greedy(g, IndependentCascade{}, 3, o);
  auto lazy = celf(g, IndependentCascade{}, 3, o);
  auto lazier = celf_plus_plus(g, IndependentCascade{}, 3, o);
  expect_same(plain, lazy);
  expect_same(plain, lazier);
  EXPECT_EQ(plain.seeds, (std::vector<vertex_t>{0, 6, 8}));
  EXPECT_EQ(plain.trials, (14 + 13 + 12 + 3) * o.trials);
  EXPECT_EQ(lazy.trials, (14 + 2 + 3) * o.trials);
  EXPECT_EQ(lazier.trials, (14 + 1 + 3) * o.trials);
  EXPECT_LE(lazier.trials, lazy.trials);
}

TEST(Greedy, CandidatesAndFixedSeeds) {
  auto g = deterministic_graph(true);
  GreedyOptions o;
  o.trials = 20;
  o.fixed_seeds = {0};
  for (auto* algo : {&greedy<IndependentCascade>, &celf<IndependentCascade>, &celf_plus_plus<IndependentCascade>}) {
    auto r = (*algo)(g, IndependentCascade{}, 1, o);
    EXPECT_EQ(r.seeds, (std::vector<vertex_t>{9})) << r.method;
    EXPECT_DOUBLE_EQ(r.spread, 10.0);
    EXPECT_EQ(r.marginal_gains, (std::vector<double>{2}));
  }
  GreedyOptions c;
  c.trials = 20;
  c.candidates = {11, 1, 4, 2};
  for (auto* algo : {&greedy<IndependentCascade>, &celf<IndependentCascade>, &celf_plus_plus<IndependentCascade>}) {
    auto r = (*algo)(g, IndependentCascade{}, 2, c);
    EXPECT_EQ(r.seeds, (std::vector<vertex_t>{4, 1})) << r.method;  // 4 reaches 5; then 1, 2, 11 tie at 1
    EXPECT_DOUBLE_EQ(r.spread, 6.0);
  }
  c.fixed_seeds = {4};
  auto r = celf_plus_plus(g, IndependentCascade{}, 3, c);
  EXPECT_EQ(r.seeds, (std::vector<vertex_t>{1, 2, 11}));
  EXPECT_DOUBLE_EQ(r.spread, 8.0);
}

TEST(Greedy, BadArguments) {
  auto g = deterministic_graph(true);
  GreedyOptions o;
  o.trials = 10;
  EXPECT_THROW(greedy(g, IndependentCascade{}, 13, o), std::invalid_argument);
  EXPECT_THROW(celf(g, IndependentCascade{}, 13, o), std::invalid_argument);
  EXPECT_THROW(celf_plus_plus(g, IndependentCascade{}, 13, o), std::invalid_argument);
  GreedyOptions f = o;
  f.fixed_seeds = {0, 1};
  EXPECT_THROW(celf(g, IndependentCascade{}, 11, f), std::invalid_argument);
  EXPECT_NO_THROW(celf(g, IndependentCascade{}, 10, f));
  GreedyOptions c = o;
  c.candidates = {12};
  EXPECT_THROW(celf(g, IndependentCascade{}, 1, c), std::out_of_range);
  GreedyOptions z = o;
  z.trials = 0;
  EXPECT_THROW(greedy(g, IndependentCascade{}, 1, z), std::invalid_argument);
  GreedyOptions t = o;
  t.threads = -1;
  EXPECT_THROW(greedy(g, IndependentCascade{}, 1, t), std::invalid_argument);
  auto no_probs = build_graph_dense(2, std::vector<vertex_t>{0}, std::vector<vertex_t>{1});
  EXPECT_THROW(celf(no_probs, IndependentCascade{}, 1, o), std::invalid_argument);
  GreedyOptions s = o;
  s.stop = [] { return true; };
  EXPECT_THROW(celf_plus_plus(g, IndependentCascade{}, 1, s), Interrupted);
  auto r = celf(g, IndependentCascade{}, 0, o);
  EXPECT_TRUE(r.seeds.empty());
  EXPECT_DOUBLE_EQ(r.spread, 0.0);
}

TEST(Greedy, ThreadCountDoesNotChangeResults) {
  const std::uint64_t seed = test_seed();
  auto gs = random_graphs(60, 2.0, seed, 300);
  GreedyOptions o;
  o.seed = seed;
  o.trials = 500;
  for (auto steps : {std::numeric_limits<std::uint32_t>::max(), 3u}) {
    o.max_steps = steps;
    o.threads = 1;
    auto a = celf_plus_plus(gs.ic, IndependentCascade{}, 5, o);
    auto la = celf(gs.lt, LinearThreshold{}, 5, o);
    o.threads = 2;
    auto b = celf_plus_plus(gs.ic, IndependentCascade{}, 5, o);
    auto lb = celf(gs.lt, LinearThreshold{}, 5, o);
    o.threads = 3;
    auto c = greedy(gs.ic, IndependentCascade{}, 5, o);
    expect_same(a, b);
    expect_same(a, c);
    expect_same(la, lb);
    EXPECT_EQ(a.trials, b.trials);
  }
  // Enough worlds that single evaluations run in parallel over worlds too.
  auto small = random_graphs(20, 2.0, seed, 301);
  GreedyOptions big;
  big.seed = seed;
  big.trials = 3000;
  big.max_steps = 2;
  big.threads = 1;
  auto s1 = celf_plus_plus(small.lt, LinearThreshold{}, 3, big);
  auto i1 = celf(small.ic, IndependentCascade{}, 3, big);
  big.threads = 2;
  auto s2 = celf_plus_plus(small.lt, LinearThreshold{}, 3, big);
  auto i2 = celf(small.ic, IndependentCascade{}, 3, big);
  expect_same(s1, s2);
  expect_same(i1, i2);
  // A different seed fixes different worlds.
  o.seed = seed + 1;
  auto d = celf(gs.ic, IndependentCascade{}, 5, o);
  o.seed = seed;
  auto e = celf(gs.ic, IndependentCascade{}, 5, o);
  EXPECT_NE(d.spread, e.spread);
}

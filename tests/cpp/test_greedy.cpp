// SPDX-License-Identifier: MIT
/// Tests of greedy, CELF and CELF++ over common live-edge worlds: identical answers, hand-checked
/// deterministic cases, the (1 - 1/e) bound against brute force and on a trap instance where
/// degree and random selection fail it, evaluation counts, options, 1/3/7-thread invariance.
/// Also checks the test helpers of support.hpp (closed-form two-layer spread, exact optimum).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <span>
#include <stdexcept>
#include <vector>

#include "kolsim/core/rng.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/estimate/exact.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/select/greedy.hpp"
#include "kolsim/select/heuristics.hpp"
#include "support.hpp"

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

// The closed form of support.hpp's two-layer spread equals live-edge enumeration (IC and LT, with
// shared and exclusive followers, seeds among the followers too), and its branch-and-bound
// optimum equals brute force: the trap tests below rest on both.
TEST(Greedy, SupportTwoLayerClosedFormAndExactOptimum) {
  // Sources 0..4, followers 5..11; 5 and 6 follow three sources, 7 two.
  const std::vector<std::pair<vertex_t, vertex_t>> edges{{0, 5}, {0, 6},  {0, 7}, {1, 5}, {1, 6}, {1, 8},
                                                         {2, 5}, {2, 9},  {2, 7}, {3, 6}, {3, 10}, {4, 11},
                                                         {4, 10}};
  const std::vector<prob_t> ic{0.5f, 0.3f, 0.7f, 0.2f, 0.6f, 0.9f, 0.4f, 0.35f, 0.15f, 0.05f, 0.8f, 0.45f, 0.1f};
  std::vector<prob_t> lt = ic;
  for (prob_t& w : lt) w *= 0.5f;  // in-weights of 5 and 6 sum to <= 1
  for (bool is_lt : {false, true}) {
    test_support::TwoLayer t{test_support::make_graph(12, edges, is_lt ? lt : ic), test_support::all_vertices(5),
                             is_lt, "small"};
    auto exact = [&](const std::vector<vertex_t>& s) {
      return is_lt ? exact_spread(t.graph, LinearThreshold{}, s).spread
                   : exact_spread(t.graph, IndependentCascade{}, s).spread;
    };
    for (const std::vector<vertex_t>& s : {std::vector<vertex_t>{0}, std::vector<vertex_t>{0, 1, 2},
                                           std::vector<vertex_t>{1, 3, 6}, std::vector<vertex_t>{2, 4, 5, 10},
                                           std::vector<vertex_t>{0, 1, 2, 3, 4}})
      EXPECT_NEAR(test_support::two_layer_spread(t, s), exact(s), 1e-5) << "lt " << is_lt;
    auto f = [&](std::span<const vertex_t> s) { return test_support::two_layer_spread(t, s); };
    for (std::size_t k : {1u, 2u, 3u}) {
      const auto pool = test_support::all_vertices(12);
      double brute = 0;
      std::vector<int> sel(pool.size(), 0);
      std::fill(sel.end() - static_cast<std::ptrdiff_t>(k), sel.end(), 1);
      do {
        std::vector<vertex_t> c;
        for (std::size_t i = 0; i < pool.size(); ++i)
          if (sel[i]) c.push_back(pool[i]);
        brute = std::max(brute, f(c));
      } while (std::next_permutation(sel.begin(), sel.end()));
      EXPECT_DOUBLE_EQ(test_support::exact_optimum(f, pool, k), brute) << "k " << k;
      EXPECT_DOUBLE_EQ(test_support::exact_optimum(f, t.sources, k), brute) << "k " << k;
    }
  }
  // The trap's parts are worth what its comment says.
  const auto trap = test_support::trap_graph(false);
  EXPECT_NEAR(test_support::two_layer_spread(trap, std::vector<vertex_t>{0}), 2.2, 1e-5);
  EXPECT_NEAR(test_support::two_layer_spread(trap, std::vector<vertex_t>{19}), 20.2, 1e-5);
  EXPECT_NEAR(test_support::two_layer_spread(trap, std::vector<vertex_t>{19, 20}), 2 + 24 * (1 - 0.2 * 0.2), 1e-4);
  EXPECT_EQ(trap.graph.num_vertices(), 272u);
  EXPECT_EQ(trap.graph.num_edges(), 766u);
}

// Greedy over R sampled worlds on the trap instance (support.hpp), where the 6 highest follower
// counts and random 6-sets fail the bound. Greedy maximises the sample average f^, monotone and
// submodular, within 1 - 1/e; with |f^ - f| <= t on every k-set (Bernstein: reach lies in [0, n],
// its variance is <= n / 4 on a two-layer graph; union bound over C(n, k) sets at total failure
// probability 1e-6), f(greedy) >= (1 - 1/e) OPT - (2 - 1/e) t. Exact spreads, exact optimum.
TEST(Greedy, NearOptimalWhereBaselinesFail) {
  const std::uint64_t seed = test_seed();
  const std::size_t k = 6;
  for (bool lt : {false, true}) {
    const test_support::TwoLayer t = test_support::trap_graph(lt);
    const double n = t.graph.num_vertices();
    auto f = [&](std::span<const vertex_t> s) { return test_support::two_layer_spread(t, s); };
    const double opt = test_support::exact_optimum(f, t.sources, k);
    GreedyOptions o;
    o.seed = seed;
    o.trials = 2000;
    double log_sets = 0;
    for (std::size_t i = 0; i < k; ++i) log_sets += std::log((n - static_cast<double>(i)) / static_cast<double>(i + 1));
    const double L = std::log(2.0 / test_support::test_delta) + log_sets;
    const double R = static_cast<double>(o.trials);
    const double tol = (n * L / 3 + std::sqrt(std::pow(n * L / 3, 2) + 2 * (n / 4) * R * L)) / R;
    const double bound = (1 - 1 / M_E) * opt - (2 - 1 / M_E) * tol;
    test_support::expect_baselines_fail(t, k, bound, top_degree(t.graph, k).seeds);
    const SelectResult lazy = lt ? celf(t.graph, LinearThreshold{}, k, o) : celf(t.graph, IndependentCascade{}, k, o);
    const SelectResult lazier =
        lt ? celf_plus_plus(t.graph, LinearThreshold{}, k, o) : celf_plus_plus(t.graph, IndependentCascade{}, k, o);
    const SelectResult plain = lt ? greedy(t.graph, LinearThreshold{}, k, o) : greedy(t.graph, IndependentCascade{}, k, o);
    expect_same(plain, lazy);
    expect_same(plain, lazier);
    const double got = f(lazy.seeds);
    std::printf("[%s] celf: exact spread %.3f, optimum %.3f, bound %.3f (slack %.3f)\n", t.description.c_str(), got, opt,
                bound, (2 - 1 / M_E) * tol);
    EXPECT_GE(got, bound) << t.description;
    EXPECT_LE(got, opt + 1e-9);
  }
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
    for (int model = 0; model < 2; ++model) {
      auto run = [&](int algo, int threads) {
        o.threads = threads;
        const auto& g = model == 0 ? gs.ic : gs.lt;
        auto go = [&](auto m) {
          return algo == 0 ? greedy(g, m, 5, o) : algo == 1 ? celf(g, m, 5, o) : celf_plus_plus(g, m, 5, o);
        };
        return model == 0 ? go(IndependentCascade{}) : go(LinearThreshold{});
      };
      for (int algo = 0; algo < 3; ++algo) {
        const SelectResult a = run(algo, 1);
        for (int threads : {3, 7}) {
          const SelectResult b = run(algo, threads);
          expect_same(a, b);
          EXPECT_EQ(a.trials, b.trials) << a.method << " " << threads << " threads";
        }
      }
    }
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
  for (int threads : {3, 7}) {
    big.threads = threads;
    expect_same(s1, celf_plus_plus(small.lt, LinearThreshold{}, 3, big));
    expect_same(i1, celf(small.ic, IndependentCascade{}, 3, big));
  }
  // A different seed fixes different worlds.
  o.seed = seed + 1;
  auto d = celf(gs.ic, IndependentCascade{}, 5, o);
  o.seed = seed;
  auto e = celf(gs.ic, IndependentCascade{}, 5, o);
  EXPECT_NE(d.spread, e.spread);
}

namespace {

/// Weighted set cover as a marginal-gain oracle (monotone submodular): element e of weight
/// w[e] is covered by the vertices listing it. Serves CELF++ too: the look-ahead set is the
/// last recorded vertex's elements.
struct CoverOracle {
  std::vector<std::vector<std::uint32_t>> sets;
  std::vector<std::uint64_t> weight;
  std::vector<char> covered;
  std::vector<char> lookahead;
  vertex_t recorded = no_vertex;
  std::uint64_t calls = 0;

  std::uint64_t gain_over(vertex_t v, const std::vector<char>* also) const {
    std::uint64_t g = 0;
    for (auto e : sets[v])
      if (!covered[e] && !(also && (*also)[e])) g += weight[e];
    return g;
  }
  void gains(std::span<const vertex_t> block, bool la, detail::GainPairs& out) {
    out.clear();
    for (vertex_t v : block) out.emplace_back(gain_over(v, nullptr), la ? gain_over(v, &lookahead) : 0);
    calls += block.size();
  }
  std::uint64_t gain(vertex_t v, bool record = false) {
    ++calls;
    if (record) recorded = v;
    return gain_over(v, nullptr);
  }
  std::pair<std::uint64_t, std::uint64_t> gain_pair(vertex_t v, bool record = false) {
    ++calls;
    if (record) recorded = v;
    return {gain_over(v, nullptr), gain_over(v, &lookahead)};
  }
  void keep_record_as_lookahead() {
    lookahead.assign(covered.size(), 0);
    for (auto e : sets[recorded]) lookahead[e] = 1;
  }
  void clear_lookahead() { lookahead.assign(covered.size(), 0); }
  std::uint64_t add(vertex_t v) {
    const std::uint64_t g = gain_over(v, nullptr);
    for (auto e : sets[v]) covered[e] = 1;
    clear_lookahead();
    return g;
  }
};

CoverOracle random_cover(std::uint64_t seed, vertex_t n, std::uint32_t elements) {
  CoverOracle o;
  Rng rng(seed, 0);
  o.sets.resize(n);
  for (auto& s : o.sets) {
    const std::uint32_t size = 1 + rng.below(6);
    for (std::uint32_t j = 0; j < size; ++j) s.push_back(rng.below(elements));
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
  }
  for (std::uint32_t e = 0; e < elements; ++e) o.weight.push_back(1 + rng.below(3));  // many ties
  o.covered.assign(elements, 0);
  o.lookahead.assign(elements, 0);
  return o;
}

}  // namespace

TEST(LazyGreedy, EveryModeEqualsBruteForceGreedyWithLowIndexTies) {
  const std::uint64_t seed = test_seed();
  for (std::uint64_t rep = 0; rep < 20; ++rep) {
    const vertex_t n = 300;  // more than one sweep block of 256 candidates
    std::vector<char> allowed(n, 1);
    for (vertex_t v = 0; v < n; v += 7) allowed[v] = 0;
    // Brute force: every round the largest gain, ties to the lower index.
    CoverOracle ref = random_cover(seed + rep, n, 120);
    std::vector<vertex_t> want;
    std::vector<std::uint64_t> want_gain;
    std::vector<char> used(n, 0);
    for (int round = 0; round < 15; ++round) {
      vertex_t best = no_vertex;
      std::uint64_t bg = 0;
      for (vertex_t v = 0; v < n; ++v) {
        if (!allowed[v] || used[v]) continue;
        const std::uint64_t g = ref.gain_over(v, nullptr);
        if (best == no_vertex || g > bg) best = v, bg = g;
      }
      used[best] = 1;
      want.push_back(best);
      want_gain.push_back(ref.add(best));
    }
    for (auto mode : {detail::LazyMode::none, detail::LazyMode::celf, detail::LazyMode::celf_plus_plus}) {
      CoverOracle o = random_cover(seed + rep, n, 120);
      detail::LazyGreedy<CoverOracle> lazy(o, allowed, StopToken{});
      int initial = 0;
      lazy.run(15, mode, [&] { ++initial; });
      EXPECT_EQ(lazy.seeds, want) << "mode " << static_cast<int>(mode) << " seed " << seed + rep;
      EXPECT_EQ(lazy.gains, want_gain) << "mode " << static_cast<int>(mode);
      EXPECT_EQ(initial, mode == detail::LazyMode::none ? 0 : 1);
    }
  }
}

TEST(Greedy, CandidatesAndFixedSeedsAsAccountIds) {
  // The deterministic graph with account id 100 + 5 v for vertex v: ids differ from indices.
  const auto d = deterministic_graph(true);
  std::vector<account_t> src, dst, all;
  for (vertex_t u = 0; u < d.num_vertices(); ++u) {
    all.push_back(100 + 5 * u);
    for (vertex_t v : d.out_neighbors(u)) {
      src.push_back(100 + 5 * u);
      dst.push_back(100 + 5 * v);
    }
  }
  const auto g = build_graph(src, dst, std::vector<prob_t>(d.edge_probs().begin(), d.edge_probs().end()), {},
                             nullptr, all);
  GreedyOptions dense, ids;
  dense.trials = ids.trials = 20;
  dense.candidates = {11, 1, 4, 2};
  dense.fixed_seeds = {4};
  dense.candidates.erase(dense.candidates.begin() + 2);
  ids.set_candidates(g, Accounts{155, 105, 110}).set_fixed_seeds(g, Accounts{120});
  EXPECT_EQ(ids.candidates, dense.candidates);
  EXPECT_EQ(ids.fixed_seeds, dense.fixed_seeds);
  const auto a = celf(g, IndependentCascade{}, 3, ids);
  EXPECT_EQ(g.accounts_of(a.seeds), (std::vector<account_t>{105, 110, 155}));
  EXPECT_DOUBLE_EQ(a.spread, 8.0);
  EXPECT_THROW(ids.set_candidates(g, Accounts{105, 7}), std::out_of_range);   // 7 is not an account
  EXPECT_THROW(ids.set_fixed_seeds(g, Accounts{11}), std::out_of_range);      // an index, not an id
  GreedyOptions twice;
  twice.trials = 20;
  twice.set_candidates(g, Accounts{105, 105});
  try {
    celf(g, IndependentCascade{}, 1, twice);
    FAIL() << "duplicate candidate accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("105"), std::string::npos) << e.what();
  }
}

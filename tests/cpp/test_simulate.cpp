// SPDX-License-Identifier: MIT
/// Tests of simulate(): degenerate probabilities, deadlines, posting seeds, trace invariants, errors.
#include <gtest/gtest.h>

#include "support.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

#include "kolsim/diffusion/model.hpp"
#include "kolsim/diffusion/simulate.hpp"
#include "kolsim/graph/builder.hpp"

namespace {

using namespace kolsim;
using Seeds = std::vector<vertex_t>;  // dense indices

std::uint64_t test_seed() { return test_support::test_seed("test_simulate", 20261129); }
using test_support::make_graph;

FollowerGraph constant_graph(vertex_t n, const std::vector<std::pair<vertex_t, vertex_t>>& edges, prob_t p) {
  return make_graph(n, edges, std::vector<prob_t>(edges.size(), p));
}

/// Random graph with weighted-cascade probabilities (valid for IC and LT).
FollowerGraph random_wc_graph(vertex_t n, std::size_t m, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::uniform_int_distribution<vertex_t> pick(0, n - 1);
  std::vector<vertex_t> s, t;
  std::set<std::pair<vertex_t, vertex_t>> seen;
  while (s.size() < m) {
    vertex_t a = pick(gen), b = pick(gen);
    if (a == b || !seen.insert({a, b}).second) continue;
    s.push_back(a);
    t.push_back(b);
  }
  std::vector<std::uint32_t> indeg(n, 0);
  for (auto b : t) ++indeg[b];
  std::vector<prob_t> p(m);
  for (std::size_t i = 0; i < m; ++i) p[i] = 1.0f / static_cast<float>(indeg[t[i]]);
  return build_graph_dense(n, s, t, p);
}

/// BFS distances from the seeds (UINT32_MAX = unreachable).
std::vector<std::uint32_t> bfs(const FollowerGraph& g, const std::vector<vertex_t>& seeds) {
  std::vector<std::uint32_t> d(g.num_vertices(), UINT32_MAX);
  std::deque<vertex_t> q;
  for (auto s : seeds) {
    d[s] = 0;
    q.push_back(s);
  }
  while (!q.empty()) {
    vertex_t u = q.front();
    q.pop_front();
    for (auto v : g.out_neighbors(u))
      if (d[v] == UINT32_MAX) {
        d[v] = d[u] + 1;
        q.push_back(v);
      }
  }
  return d;
}

template <class M>
void check_invariants(const FollowerGraph& g, const Trace& t, const std::vector<vertex_t>& seeds) {
  const std::size_t k = t.activated.size();
  ASSERT_EQ(t.step.size(), k);
  ASSERT_EQ(t.parent.size(), k);
  std::vector<std::int64_t> when(g.num_vertices(), -1);
  std::uint64_t total = 0;
  for (auto c : t.new_per_step) total += c;
  EXPECT_EQ(total, k);
  std::vector<std::uint64_t> per_step(t.new_per_step.size(), 0);
  for (std::size_t i = 0; i < k; ++i) {
    const vertex_t v = t.activated[i];
    ASSERT_LT(v, g.num_vertices());
    EXPECT_EQ(when[v], -1) << "account activated twice";
    when[v] = t.step[i];
    if (i > 0) {
      EXPECT_GE(t.step[i], t.step[i - 1]) << "steps must be nondecreasing";
    }
    ASSERT_LT(t.step[i], per_step.size());
    ++per_step[t.step[i]];
    if (i < seeds.size()) {
      EXPECT_EQ(v, seeds[i]) << "seeds come first, in order";
      EXPECT_EQ(t.step[i], 0u);
      EXPECT_EQ(t.parent[i], no_vertex);
    } else {
      EXPECT_GT(t.step[i], 0u);
      const vertex_t p = t.parent[i];
      ASSERT_NE(p, no_vertex);
      ASSERT_GE(when[p], 0) << "parent must be active before its child";
      EXPECT_EQ(static_cast<std::uint32_t>(when[p]) + 1, t.step[i]) << "parent active exactly one step earlier";
      auto nb = g.out_neighbors(p);
      EXPECT_TRUE(std::find(nb.begin(), nb.end(), v) != nb.end()) << "parent must have an edge to its child";
    }
  }
  EXPECT_EQ(per_step, t.new_per_step);
}

TEST(Simulate, ZeroProbabilityReachesOnlySeeds) {
  auto g = random_wc_graph(30, 120, test_seed());
  auto g0 = g.with_probabilities(std::vector<prob_t>(g.num_edges(), 0.0f));
  std::vector<vertex_t> seeds{3, 7, 11};
  for (std::uint64_t s = 0; s < 20; ++s) {
    auto t = simulate(g0, IndependentCascade{}, seeds, test_seed() + s);
    EXPECT_EQ(t.activated, seeds);
    EXPECT_EQ(t.new_per_step, std::vector<std::uint64_t>{3});
    auto tl = simulate(g0, LinearThreshold{}, seeds, test_seed() + s);
    EXPECT_EQ(tl.activated, seeds);
  }
}

TEST(Simulate, ProbabilityOneReachesBfsClosureAtBfsSteps) {
  auto g = random_wc_graph(40, 90, test_seed() + 1);
  auto g1 = g.with_probabilities(std::vector<prob_t>(g.num_edges(), 1.0f));
  std::vector<vertex_t> seeds{0, 5};
  auto d = bfs(g1, seeds);
  auto t = simulate(g1, IndependentCascade{}, seeds, test_seed());
  check_invariants<IndependentCascade>(g1, t, seeds);
  std::size_t reach = 0;
  for (auto x : d) reach += x != UINT32_MAX;
  EXPECT_EQ(t.activated.size(), reach);
  for (std::size_t i = 0; i < t.activated.size(); ++i) EXPECT_EQ(t.step[i], d[t.activated[i]]);
}

TEST(Simulate, LinearThresholdWithFullWeightsIsDeterministic) {
  // Path 0 -> 1 -> 2 -> 3 with weight 1: every threshold in (0, 1] is met.
  auto g = constant_graph(4, {{0, 1}, {1, 2}, {2, 3}}, 1.0f);
  auto t = simulate(g, LinearThreshold{}, Seeds{0}, test_seed());
  EXPECT_EQ(t.activated, (Seeds{0, 1, 2, 3}));
  EXPECT_EQ(t.step, (std::vector<std::uint32_t>{0, 1, 2, 3}));
  EXPECT_EQ(t.parent, (Seeds{no_vertex, 0, 1, 2}));
}

TEST(Simulate, DeadlineStopsOnPath) {
  auto g = constant_graph(6, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}}, 1.0f);
  for (std::uint32_t k = 0; k < 7; ++k) {
    SimulateOptions o;
    o.max_steps = k;
    auto t = simulate(g, IndependentCascade{}, Seeds{0}, test_seed(), o);
    EXPECT_EQ(t.activated.size(), std::min<std::size_t>(k + 1, 6)) << "max_steps " << k;
    EXPECT_EQ(t.new_per_step.size(), std::min<std::size_t>(k + 1, 6));
  }
}

TEST(Simulate, SeedProbabilities) {
  // 0 -> 1 -> 2 with p = 1; seeds {0, 1}: seed 0 never posts, seed 1 always does.
  auto g = constant_graph(3, {{0, 1}, {1, 2}}, 1.0f);
  SimulateOptions o;
  o.seed_probabilities = {0.0f, 1.0f};
  auto t = simulate(g, IndependentCascade{}, Seeds{0, 1}, test_seed(), o);
  EXPECT_EQ(t.activated, (Seeds{1, 2}));
  // A seed that does not post may still be reached: seed 2 never posts but 1 -> 2 is live.
  o.seed_probabilities = {1.0f, 0.0f};
  t = simulate(g, IndependentCascade{}, Seeds{1, 2}, test_seed(), o);
  EXPECT_EQ(t.activated, (Seeds{1, 2}));
  EXPECT_EQ(t.step, (std::vector<std::uint32_t>{0, 1}));
  // Posting frequency of a p = 0.3 seed.
  o.seed_probabilities = {0.3f};
  int posts = 0;
  const int runs = 4000;
  for (int i = 0; i < runs; ++i) posts += !simulate(g, IndependentCascade{}, Seeds{2}, test_seed() + i, o).activated.empty();
  const double sd = std::sqrt(0.3 * 0.7 / runs);
  EXPECT_NEAR(posts / double(runs), 0.3, 6 * sd);
}

TEST(Simulate, TraceInvariantsOnRandomGraphs) {
  for (int rep = 0; rep < 10; ++rep) {
    auto g = random_wc_graph(200, 1500, test_seed() + 100 + rep);
    std::vector<vertex_t> seeds{1, 2, 3, 50, 199};
    auto a = simulate(g, IndependentCascade{}, seeds, test_seed() + rep);
    check_invariants<IndependentCascade>(g, a, seeds);
    auto l = simulate(g, LinearThreshold{}, seeds, test_seed() + rep);
    check_invariants<LinearThreshold>(g, l, seeds);
    // Same seed, same trace.
    auto b = simulate(g, IndependentCascade{}, seeds, test_seed() + rep);
    EXPECT_EQ(a.activated, b.activated);
    EXPECT_EQ(a.parent, b.parent);
  }
}

TEST(Simulate, TwoParentFrequencies) {
  // a -> c with x, b -> c with y; seeds {a, b}: IC P(c) = 1-(1-x)(1-y), LT P(c) = x + y.
  const float x = 0.3f, y = 0.4f;
  auto g = make_graph(3, {{0, 2}, {1, 2}}, {x, y});
  const int runs = 20000;
  int ic = 0, lt = 0;
  for (int i = 0; i < runs; ++i) {
    ic += simulate(g, IndependentCascade{}, Seeds{0, 1}, test_seed() + i).activated.size() == 3;
    lt += simulate(g, LinearThreshold{}, Seeds{0, 1}, test_seed() + i).activated.size() == 3;
  }
  const double pic = 1 - (1 - double(x)) * (1 - double(y)), plt = double(x) + double(y);
  EXPECT_NEAR(ic / double(runs), pic, 6 * std::sqrt(pic * (1 - pic) / runs));
  EXPECT_NEAR(lt / double(runs), plt, 6 * std::sqrt(plt * (1 - plt) / runs));
}

TEST(Simulate, BadInputThrows) {
  auto g = constant_graph(4, {{0, 1}, {1, 2}}, 0.5f);
  EXPECT_THROW(simulate(g, IndependentCascade{}, Seeds{4}, 1), std::out_of_range);
  EXPECT_THROW(simulate(g, IndependentCascade{}, Seeds{1, 1}, 1), std::invalid_argument);
  SimulateOptions o;
  o.seed_probabilities = {0.5f};
  EXPECT_THROW(simulate(g, IndependentCascade{}, Seeds{0, 1}, 1, o), std::invalid_argument);
  o.seed_probabilities = {0.5f, 1.5f};
  EXPECT_THROW(simulate(g, IndependentCascade{}, Seeds{0, 1}, 1, o), std::invalid_argument);
  auto bare = build_graph_dense(3, Seeds{0}, Seeds{1});
  EXPECT_THROW(simulate(bare, IndependentCascade{}, Seeds{0}, 1), std::invalid_argument);
  auto heavy = make_graph(3, {{0, 2}, {1, 2}}, {0.7f, 0.7f});
  EXPECT_THROW(simulate(heavy, LinearThreshold{}, Seeds{0}, 1), std::invalid_argument);
  EXPECT_NO_THROW(simulate(heavy, IndependentCascade{}, Seeds{0}, 1));
}

}  // namespace

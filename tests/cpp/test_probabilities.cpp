// SPDX-License-Identifier: MIT
/// Tests for the edge-probability schemes: weighted cascade sums, trivalency and uniform
/// values, LT normalisation, determinism across thread counts, and argument checks.
#include <gtest/gtest.h>

#include <kolsim/graph/builder.hpp>
#include <kolsim/graph/generators.hpp>
#include <kolsim/graph/probabilities.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace kolsim;

namespace {

std::uint64_t test_seed() {
  static const std::uint64_t seed = [] {
    const char* env = std::getenv("KOLSIM_TEST_SEED");
    const std::uint64_t s = env ? std::strtoull(env, nullptr, 10) : 424242ull;
    std::printf("test_probabilities seed = %llu (set KOLSIM_TEST_SEED to override)\n",
                static_cast<unsigned long long>(s));
    return s;
  }();
  return seed;
}

std::vector<double> in_sums(const FollowerGraph& g) {
  std::vector<double> s(g.num_vertices(), 0.0);
  for (vertex_t v = 0; v < g.num_vertices(); ++v)
    for (prob_t p : g.in_probs(v)) s[v] += p;
  return s;
}

/// 0 follows nobody (in-degree 0) and sits before accounts that do: the OPIM 1.1 trap.
/// Arcs: 0->1, 0->2, 1->2, 2->3, 0->3 twice (parallel), 3->1.
FollowerGraph small_graph() {
  std::vector<vertex_t> src{0, 0, 1, 2, 0, 0, 3}, dst{1, 2, 2, 3, 3, 3, 1};
  BuildOptions opt;
  opt.duplicates = Duplicates::keep;
  return build_graph_dense(4, src, dst, {}, opt);
}

}  // namespace

TEST(Probabilities, ConstantAndSharedTopology) {
  auto g = small_graph();
  auto c = constant_probability(g, 0.25f);
  ASSERT_TRUE(c.has_probabilities());
  EXPECT_EQ(c.topology(), g.topology());
  for (prob_t p : c.edge_probs()) EXPECT_EQ(p, 0.25f);
  EXPECT_FALSE(g.has_probabilities());
  EXPECT_THROW(constant_probability(g, 1.5f), std::invalid_argument);
  EXPECT_THROW(constant_probability(g, -0.1f), std::invalid_argument);
}

TEST(Probabilities, WeightedCascadeIsOneOverInDegree) {
  auto g = weighted_cascade(small_graph());
  // In-degrees: 0 -> 0, 1 -> 2 (from 0, 3), 2 -> 2 (from 0, 1), 3 -> 3 (2 and 0 twice).
  // Out-edge order: 0->1, 0->2, 0->3, 0->3, 1->2, 2->3, 3->1.
  const std::vector<prob_t> expected{0.5f, 0.5f, 1.0f / 3, 1.0f / 3, 0.5f, 1.0f / 3, 0.5f};
  const auto p = g.edge_probs();
  ASSERT_EQ(p.size(), expected.size());
  for (std::size_t e = 0; e < p.size(); ++e) EXPECT_FLOAT_EQ(p[e], expected[e]) << "edge " << e;
  const auto s = in_sums(g);
  EXPECT_EQ(s[0], 0.0);
  for (vertex_t v = 1; v < 4; ++v) EXPECT_NEAR(s[v], 1.0, 1e-6);
  auto big = weighted_cascade(chung_lu(20000, 8, 2.5, 2.2, test_seed()));
  const auto sb = in_sums(big);
  for (vertex_t v = 0; v < big.num_vertices(); ++v) {
    if (big.in_degree(v) > 0) {
      ASSERT_NEAR(sb[v], 1.0, 1e-4) << v;
    } else {
      ASSERT_EQ(sb[v], 0.0);
    }
  }
}

TEST(Probabilities, TrivalencyValuesFrequenciesAndDeterminism) {
  const auto seed = test_seed();
  auto base = erdos_renyi(3000, 60000, seed);
  auto g = trivalency(base, seed, {0.1f, 0.01f, 0.001f}, 1);
  std::vector<double> count(3, 0.0);
  for (prob_t p : g.edge_probs()) {
    if (p == 0.1f) count[0] += 1;
    else if (p == 0.01f) count[1] += 1;
    else if (p == 0.001f) count[2] += 1;
    else FAIL() << "unexpected value " << p;
  }
  const double m = static_cast<double>(g.num_edges()), sd = std::sqrt(m * (1.0 / 3) * (2.0 / 3));
  for (double c : count) EXPECT_LE(std::abs(c - m / 3), 6 * sd);
  auto g2 = trivalency(base, seed, {0.1f, 0.01f, 0.001f}, 2);
  EXPECT_TRUE(std::equal(g.edge_probs().begin(), g.edge_probs().end(), g2.edge_probs().begin()));
  // The in-order copy matches the out-order one edge by edge.
  for (vertex_t v = 0; v < 50; ++v) {
    const auto src = g.in_neighbors(v);
    for (std::size_t i = 0; i < src.size(); ++i) {
      const auto out = g.out_neighbors(src[i]);
      const auto pos = std::lower_bound(out.begin(), out.end(), v) - out.begin();
      EXPECT_EQ(g.in_probs(v)[i], g.out_probs(src[i])[pos]);
    }
  }
  auto other = trivalency(base, seed + 1);
  EXPECT_FALSE(std::equal(g.edge_probs().begin(), g.edge_probs().end(), other.edge_probs().begin()));
  EXPECT_THROW(trivalency(base, seed, {0.1f, 1.1f, 0.0f}), std::invalid_argument);
}

TEST(Probabilities, UniformBoundsMeanAndDeterminism) {
  const auto seed = test_seed();
  auto base = erdos_renyi(3000, 60000, seed);
  auto g = uniform_probability(base, 0.2f, 0.6f, seed, 1);
  double sum = 0.0;
  for (prob_t p : g.edge_probs()) {
    ASSERT_GE(p, 0.2f);
    ASSERT_LE(p, 0.6f);
    sum += p;
  }
  const double m = static_cast<double>(g.num_edges());
  const double sd = 0.4 / std::sqrt(12.0);
  EXPECT_LE(std::abs(sum / m - 0.4), 6 * sd / std::sqrt(m));
  auto g2 = uniform_probability(base, 0.2f, 0.6f, seed, 2);
  EXPECT_TRUE(std::equal(g.edge_probs().begin(), g.edge_probs().end(), g2.edge_probs().begin()));
  auto point = uniform_probability(base, 0.3f, 0.3f, seed);
  for (prob_t p : point.edge_probs()) ASSERT_EQ(p, 0.3f);
  EXPECT_THROW(uniform_probability(base, 0.6f, 0.2f, seed), std::invalid_argument);
  EXPECT_THROW(uniform_probability(base, -0.1f, 0.2f, seed), std::invalid_argument);
  EXPECT_THROW(uniform_probability(base, 0.1f, 1.2f, seed), std::invalid_argument);
}

TEST(Probabilities, LtNormalise) {
  auto g = constant_probability(small_graph(), 0.4f);
  // In-sums: 1 -> 0.8, 2 -> 0.8, 3 -> 1.2.
  auto only = lt_normalise(g);
  auto s = in_sums(only);
  EXPECT_NEAR(s[1], 0.8, 1e-6);
  EXPECT_NEAR(s[2], 0.8, 1e-6);
  EXPECT_LE(s[3], 1.0);
  EXPECT_NEAR(s[3], 1.0, 1e-6);
  for (prob_t p : only.in_probs(3)) EXPECT_FLOAT_EQ(p, 1.0f / 3);
  for (prob_t p : only.in_probs(1)) EXPECT_EQ(p, 0.4f);  // untouched
  auto all = lt_normalise(g, false);
  s = in_sums(all);
  EXPECT_EQ(s[0], 0.0);
  for (vertex_t v = 1; v < 4; ++v) {
    EXPECT_NEAR(s[v], 1.0, 1e-6);
    EXPECT_LE(s[v], 1.0);
  }
  for (prob_t p : all.in_probs(2)) EXPECT_FLOAT_EQ(p, 0.5f);
  EXPECT_THROW(lt_normalise(small_graph()), std::invalid_argument);  // no probabilities
}

TEST(Probabilities, RandomLtWeightsSumToOne) {
  const auto seed = test_seed();
  auto base = chung_lu(20000, 8, 2.5, 2.2, seed);
  auto g = random_lt_weights(base, seed);
  const auto s = in_sums(g);
  for (vertex_t v = 0; v < g.num_vertices(); ++v) {
    if (g.in_degree(v) == 0) continue;
    ASSERT_LE(s[v], 1.0) << v;
    ASSERT_NEAR(s[v], 1.0, 1e-5) << v;
    for (prob_t p : g.in_probs(v)) ASSERT_GT(p, 0.0f);
  }
  auto g2 = random_lt_weights(base, seed, 2);
  EXPECT_TRUE(std::equal(g.edge_probs().begin(), g.edge_probs().end(), g2.edge_probs().begin()));
}

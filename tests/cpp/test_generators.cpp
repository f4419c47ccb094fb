// SPDX-License-Identifier: MIT
/// Tests for the random graph generators: exact sizes, no loops or repeats where promised,
/// heavy tails, block densities, and identical output for 1 and 2 threads.
#include <gtest/gtest.h>

#include <kolsim/graph/generators.hpp>

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
    const std::uint64_t s = env ? std::strtoull(env, nullptr, 10) : 20260611ull;
    std::printf("test_generators seed = %llu (set KOLSIM_TEST_SEED to override)\n", static_cast<unsigned long long>(s));
    return s;
  }();
  return seed;
}

/// Rows strictly increasing (no repeats) and no u -> u.
void expect_simple(const FollowerGraph& g) {
  for (vertex_t u = 0; u < g.num_vertices(); ++u) {
    const auto nb = g.out_neighbors(u);
    for (std::size_t i = 0; i < nb.size(); ++i) {
      ASSERT_NE(nb[i], u) << "self-loop at " << u;
      if (i > 0) {
        ASSERT_LT(nb[i - 1], nb[i]) << "repeated or unsorted arc from " << u;
      }
    }
  }
}

void expect_same(const FollowerGraph& a, const FollowerGraph& b) {
  ASSERT_EQ(a.num_vertices(), b.num_vertices());
  ASSERT_EQ(a.num_edges(), b.num_edges());
  EXPECT_TRUE(std::equal(a.out_offsets().begin(), a.out_offsets().end(), b.out_offsets().begin()));
  EXPECT_TRUE(std::equal(a.out_targets().begin(), a.out_targets().end(), b.out_targets().begin()));
}

edge_t max_out_degree(const FollowerGraph& g) {
  edge_t d = 0;
  for (vertex_t v = 0; v < g.num_vertices(); ++v) d = std::max(d, g.out_degree(v));
  return d;
}

bool identity_accounts(const FollowerGraph& g) {
  for (vertex_t v = 0; v < g.num_vertices(); ++v)
    if (g.accounts()[v] != v) return false;
  return !g.has_probabilities();
}

}  // namespace

TEST(ErdosRenyi, ExactDistinctArcsAndThreadIndependent) {
  const auto seed = test_seed();
  auto g = erdos_renyi(5000, 300000, seed, 1);
  EXPECT_EQ(g.num_vertices(), 5000u);
  EXPECT_EQ(g.num_edges(), 300000u);
  expect_simple(g);
  EXPECT_TRUE(identity_accounts(g));
  expect_same(g, erdos_renyi(5000, 300000, seed, 2));
  // Dense (complement) branch and the complete graph.
  auto d = erdos_renyi(10, 80, seed);
  EXPECT_EQ(d.num_edges(), 80u);
  expect_simple(d);
  auto full = erdos_renyi(10, 90, seed);
  EXPECT_EQ(full.num_edges(), 90u);
  EXPECT_EQ(erdos_renyi(10, 0, seed).num_edges(), 0u);
  EXPECT_EQ(erdos_renyi(1, 0, seed).num_vertices(), 1u);
}

TEST(ErdosRenyi, EachArcEquallyLikely) {
  // n = 5: 20 possible arcs, m = 7. Over R graphs arc 0 -> 1 appears Binomial(R, 7/20) times;
  // arc 4 -> 3 likewise (checks both the trimming and the decoding).
  const auto seed = test_seed();
  const int R = 2000;
  const double p = 7.0 / 20.0, sd = std::sqrt(p * (1 - p));
  int hits01 = 0, hits43 = 0;
  for (int r = 0; r < R; ++r) {
    auto g = erdos_renyi(5, 7, seed + static_cast<std::uint64_t>(r) * 7919, 1);
    ASSERT_EQ(g.num_edges(), 7u);
    auto a = g.out_neighbors(0);
    auto b = g.out_neighbors(4);
    hits01 += std::binary_search(a.begin(), a.end(), 1u);
    hits43 += std::binary_search(b.begin(), b.end(), 3u);
  }
  EXPECT_LE(std::abs(hits01 / double(R) - p), 6 * sd / std::sqrt(R)) << hits01;
  EXPECT_LE(std::abs(hits43 / double(R) - p), 6 * sd / std::sqrt(R)) << hits43;
}

TEST(ErdosRenyi, BadArguments) {
  EXPECT_THROW(erdos_renyi(0, 0, 1), std::invalid_argument);
  EXPECT_THROW(erdos_renyi(10, 91, 1), std::invalid_argument);
  EXPECT_THROW(erdos_renyi(10, 5, 1, -1), std::invalid_argument);
}

TEST(PreferentialAttachment, SizesAndHeavyFollowerTail) {
  const auto seed = test_seed();
  const vertex_t n = 20000;
  const std::uint32_t f = 5;
  auto g = preferential_attachment(n, f, seed);
  edge_t expected = 0;
  for (vertex_t t = 1; t < n; ++t) expected += std::min<edge_t>(t, f);
  EXPECT_EQ(g.num_edges(), expected);
  expect_simple(g);
  EXPECT_TRUE(identity_accounts(g));
  for (vertex_t t = 0; t < n; ++t) {
    ASSERT_EQ(g.in_degree(t), std::min<edge_t>(t, f));  // t follows min(t, f) accounts
    for (vertex_t u : g.in_neighbors(t)) ASSERT_LT(u, t);  // only earlier ones
  }
  auto er = erdos_renyi(n, g.num_edges(), seed);
  // PA hubs: the expected largest follower count grows like n^(1/2) (~ hundreds); ER's stays ~ 20.
  EXPECT_GT(max_out_degree(g), 4 * max_out_degree(er)) << max_out_degree(g) << " vs " << max_out_degree(er);
  expect_same(g, preferential_attachment(n, f, seed));
  EXPECT_THROW(preferential_attachment(0, 2, seed), std::invalid_argument);
  EXPECT_THROW(preferential_attachment(10, 2, seed, 0.0), std::invalid_argument);
}

TEST(ChungLu, PowerLawShapeAndThreadIndependent) {
  const auto seed = test_seed();
  const vertex_t n = 100000;
  auto g = chung_lu(n, 10.4, 2.5, 2.1, seed, 1);
  expect_simple(g);
  EXPECT_TRUE(identity_accounts(g));
  // 1.04M draws; loops and repeats remove under 1%.
  EXPECT_LE(g.num_edges(), 1040000u);
  EXPECT_GE(g.num_edges(), 1030000u);
  expect_same(g, chung_lu(n, 10.4, 2.5, 2.1, seed, 2));
  auto er = erdos_renyi(n, g.num_edges(), seed);
  EXPECT_GT(max_out_degree(g), 5 * max_out_degree(er));
  // Both maxima sit near the structural cutoff sqrt(n d) ~ 1,020; the in-degree exponent 2.1
  // gives the heavier tail: more accounts with in-degree >= 100 than with out-degree >= 100.
  edge_t max_in = 0;
  std::size_t big_in = 0, big_out = 0;
  for (vertex_t v = 0; v < n; ++v) {
    max_in = std::max(max_in, g.in_degree(v));
    big_in += g.in_degree(v) >= 100;
    big_out += g.out_degree(v) >= 100;
  }
  EXPECT_GT(big_in, big_out + big_out / 2) << big_in << " vs " << big_out;
  for (const edge_t top : {max_in, max_out_degree(g)}) {
    EXPECT_GT(top, 850u);
    EXPECT_LT(top, 1200u);
  }
  // Vertex 0 has the largest out-weight: its expected follower count is the cutoff.
  EXPECT_GT(g.out_degree(0), 850u);
  // A chosen cutoff moves the largest degrees: 4,000 draws for vertex 0 (~9% fall away as
  // repeats onto the flat in-side whose largest expected degree is 300).
  auto h = chung_lu(n, 10.4, 2.5, 2.1, seed, 2, 4000, 300);
  EXPECT_GT(h.out_degree(0), 3400u);
  EXPECT_LT(h.out_degree(0), 4000u + 4 * 64u);
  edge_t h_in = 0;
  for (vertex_t v = 0; v < n; ++v) h_in = std::max(h_in, h.in_degree(v));
  EXPECT_GE(h_in, 290u);
  EXPECT_LE(h_in, 360u);
  EXPECT_THROW(chung_lu(n, 10.4, 2.5, 2.1, seed, 1, 10.0), std::invalid_argument);     // not above the mean
  EXPECT_THROW(chung_lu(n, 10.4, 2.5, 2.1, seed, 1, 0, 1e6), std::invalid_argument);   // above n - 1
  // Dense: the default cutoff leaves no room above the mean; uniform weights.
  EXPECT_NO_THROW(chung_lu(10, 9.0, 2.5, 2.1, seed));
  EXPECT_THROW(chung_lu(n, 10, 2.0, 2.1, seed), std::invalid_argument);
  EXPECT_THROW(chung_lu(n, 10, 2.5, 1.5, seed), std::invalid_argument);
  EXPECT_THROW(chung_lu(0, 10, 2.5, 2.5, seed), std::invalid_argument);
  EXPECT_THROW(chung_lu(10, 0.0, 2.5, 2.5, seed), std::invalid_argument);
}

TEST(WattsStrogatz, RingAndRewiring) {
  const auto seed = test_seed();
  auto ring = watts_strogatz(100, 4, 0.0, seed);
  EXPECT_EQ(ring.num_edges(), 400u);
  expect_simple(ring);
  auto nb = ring.out_neighbors(0);
  EXPECT_EQ(std::vector<vertex_t>(nb.begin(), nb.end()), (std::vector<vertex_t>{1, 2, 98, 99}));
  auto g = watts_strogatz(1000, 6, 0.3, seed);
  EXPECT_EQ(g.num_edges(), 6000u);
  expect_simple(g);
  edge_t lattice = 0;
  for (vertex_t u = 0; u < g.num_vertices(); ++u) {
    for (vertex_t v : g.out_neighbors(u)) {
      auto back = g.out_neighbors(v);
      ASSERT_TRUE(std::binary_search(back.begin(), back.end(), u));  // links go both ways
      const vertex_t dist = std::min((v + 1000 - u) % 1000, (u + 1000 - v) % 1000);
      lattice += dist <= 3;
    }
  }
  // About (1 - 0.3) of the 3000 links stay on the lattice (plus rare rewires onto it).
  EXPECT_GT(lattice, 2 * 1800u);
  EXPECT_LT(lattice, 2 * 2400u);
  expect_same(g, watts_strogatz(1000, 6, 0.3, seed));
  EXPECT_THROW(watts_strogatz(10, 3, 0.1, seed), std::invalid_argument);
  EXPECT_THROW(watts_strogatz(10, 10, 0.1, seed), std::invalid_argument);
  EXPECT_THROW(watts_strogatz(10, 4, 1.5, seed), std::invalid_argument);
}

TEST(Rmat, SimpleSkewedAndThreadIndependent) {
  const auto seed = test_seed();
  auto g = rmat(14, 200000, seed, 0.57, 0.19, 0.19, 1);
  EXPECT_EQ(g.num_vertices(), 1u << 14);
  EXPECT_LE(g.num_edges(), 200000u);
  EXPECT_GT(g.num_edges(), 150000u);
  expect_simple(g);
  expect_same(g, rmat(14, 200000, seed, 0.57, 0.19, 0.19, 2));
  // Vertex 0 sits in the a-quadrant at every level: the largest out-degree.
  EXPECT_EQ(max_out_degree(g), g.out_degree(0));
  // a = 1: every draw is 0 -> 0, a loop: no arcs.
  EXPECT_EQ(rmat(4, 100, seed, 1.0, 0.0, 0.0).num_edges(), 0u);
  EXPECT_THROW(rmat(0, 10, seed), std::invalid_argument);
  EXPECT_THROW(rmat(4, 10, seed, 0.5, 0.5, 0.5), std::invalid_argument);
}

TEST(StochasticBlockModel, BlockDensitiesWithinBinomialTolerance) {
  const auto seed = test_seed();
  const std::vector<vertex_t> sizes{3000, 2000, 500};
  const std::vector<std::vector<double>> p{{0.01, 0.001, 0.0}, {0.002, 0.02, 1.0}, {0.0005, 0.0, 0.3}};
  auto sbm = stochastic_block_model(sizes, p, seed, 1);
  const auto& g = sbm.graph;
  ASSERT_EQ(g.num_vertices(), 5500u);
  ASSERT_EQ(sbm.community.size(), 5500u);
  EXPECT_EQ(sbm.community[0], 0u);
  EXPECT_EQ(sbm.community[3000], 1u);
  EXPECT_EQ(sbm.community[5499], 2u);
  expect_simple(g);
  std::vector<std::vector<double>> count(3, std::vector<double>(3, 0.0));
  for (vertex_t u = 0; u < g.num_vertices(); ++u)
    for (vertex_t v : g.out_neighbors(u)) count[sbm.community[u]][sbm.community[v]] += 1;
  for (int r = 0; r < 3; ++r) {
    for (int s = 0; s < 3; ++s) {
      const double cells = double(sizes[r]) * sizes[s] - (r == s ? sizes[r] : 0);
      const double mean = cells * p[r][s], sd = std::sqrt(cells * p[r][s] * (1 - p[r][s]));
      EXPECT_LE(std::abs(count[r][s] - mean), 6 * sd + 1e-9) << "block pair " << r << "," << s;
    }
  }
  EXPECT_EQ(count[1][2], 2000.0 * 500.0);  // p = 1: every arc
  auto again = stochastic_block_model(sizes, p, seed, 2);
  expect_same(g, again.graph);
  EXPECT_THROW(stochastic_block_model(sizes, {{0.1}}, seed), std::invalid_argument);
  EXPECT_THROW(stochastic_block_model(std::vector<vertex_t>{2}, {{1.5}}, seed), std::invalid_argument);
  EXPECT_THROW(stochastic_block_model(std::vector<vertex_t>{}, {}, seed), std::invalid_argument);
}

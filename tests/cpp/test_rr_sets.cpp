// SPDX-License-Identifier: MIT
/// Tests for the RR engine and greedy max coverage: estimator vs exact spread (IC, LT, deadlines,
/// weighted roots), LT picks by weight, thread-count independence, greedy vs brute force.
#include <gtest/gtest.h>

#include "support.hpp"

#include <kolsim/estimate/exact.hpp>
#include <kolsim/estimate/rr_sets.hpp>
#include <kolsim/graph/builder.hpp>
#include <kolsim/graph/generators.hpp>
#include <kolsim/graph/probabilities.hpp>
#include <kolsim/select/max_coverage.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <set>
#include <vector>

using namespace kolsim;

namespace {

std::uint64_t test_seed() { return test_support::test_seed("test_rr_sets", 20240601ULL); }

/// Random graph on n vertices with m distinct non-loop edges, probabilities in [0.05, 0.9] or
/// all 0.3; LT-normalised if lt.
FollowerGraph random_graph(vertex_t n, std::size_t m, std::uint64_t seed, bool lt, bool equal_probs = false) {
  return test_support::tiny_graph(n, m, seed, lt, 0.05, equal_probs ? 0.3f : 0.0f);
}

template <class M>
void check_estimate(const FollowerGraph& g, const M& model, std::vector<vertex_t> seeds, std::uint64_t T,
                    std::uint32_t depth = UINT32_MAX, std::vector<double> weights = {}) {
  ExactOptions eo;
  eo.max_steps = depth;
  eo.account_weights = weights;
  const double exact = exact_spread(g, model, seeds, eo).spread;
  RRCollection rr;
  RRSampleOptions so;
  so.max_depth = depth;
  so.root_weights = weights;
  sample_rr_sets(g, model, test_seed(), domain::rr_set, 0, T, rr, so);
  ASSERT_EQ(rr.size(), T);
  double W = g.num_vertices();
  if (!weights.empty()) {
    W = 0;
    for (double w : weights) W += w;
  }
  double se = 0;
  const double est = estimate_spread_rr(rr, seeds, W, &se);
  const double q = exact / W;
  const double tol = 6.0 * W * std::sqrt(std::max(0.0, q * (1 - q)) / static_cast<double>(T)) + 1e-9;
  EXPECT_NEAR(est, exact, tol) << M::name << " depth " << depth;
}

}  // namespace

TEST(RRSets, IndependentCascadeMatchesExact) {
  for (int rep = 0; rep < 3; ++rep) {
    auto g = random_graph(7, 12, test_seed() + rep, false);
    check_estimate(g, IndependentCascade{}, {0}, 200000);
    check_estimate(g, IndependentCascade{}, {1, 4}, 200000);
  }
}

TEST(RRSets, IndependentCascadeGeometricSkipsMatchExact) {
  // Vertex 0 has 9 in-edges of one probability (geometric skips), others mixed.
  std::vector<vertex_t> s, t;
  std::vector<prob_t> p;
  for (vertex_t u = 1; u <= 9; ++u) {
    s.push_back(u);
    t.push_back(0);
    p.push_back(0.15f);
  }
  s.push_back(0); t.push_back(10); p.push_back(0.5f);
  s.push_back(3); t.push_back(10); p.push_back(0.25f);
  s.push_back(10); t.push_back(2); p.push_back(0.6f);
  auto g = build_graph_dense(11, s, t, p);
  check_estimate(g, IndependentCascade{}, {1, 2}, 300000);
  check_estimate(g, IndependentCascade{}, {3}, 300000);
  check_estimate(g, IndependentCascade{}, {5, 9}, 300000, 1);
}

TEST(RRSets, WeightedCascadeBinomialRowsMatchExact) {
  // Weighted cascade on a graph whose in-degrees are 1 (all live), 2, 3 and 6: the rows of
  // in-degree >= 2 draw a binomial count and distinct slots. 17 uncertain edges: 2^17 worlds.
  std::vector<vertex_t> s, t;
  auto arc = [&](vertex_t a, vertex_t b) {
    s.push_back(a);
    t.push_back(b);
  };
  for (vertex_t u : {1u, 2u, 3u, 4u, 5u, 6u}) arc(u, 0);  // indeg(0) = 6
  for (vertex_t u : {0u, 7u, 8u}) arc(u, 1);              // indeg(1) = 3
  for (vertex_t u : {2u, 8u}) arc(u, 3);                  // indeg(3) = 2
  for (vertex_t u : {4u, 0u}) arc(u, 7);                  // indeg(7) = 2
  for (vertex_t u : {3u, 1u, 6u}) arc(u, 8);              // indeg(8) = 3
  arc(0, 2);                                               // indeg(2) = 1
  auto g = weighted_cascade(build_graph_dense(9, s, t));
  check_estimate(g, IndependentCascade{}, {0}, 300000);
  check_estimate(g, IndependentCascade{}, {1, 4}, 300000);
  check_estimate(g, IndependentCascade{}, {8}, 300000, 2);
}

TEST(RRSets, WeightedCascadeRowDrawsEveryLiveSubsetWithItsProbability) {
  // A star: in-neighbours 1..d of account 0, every RR set rooted at 0, so a set is 0 plus the
  // live in-edges of one row. The number of live in-edges must be Binomial(d, 1/d) and every
  // slot live with probability 1/d; for d = 3 every one of the 8 subsets has its probability.
  // d = 5000 is above the table (geometric skips) and is held to the same law.
  const std::uint64_t T = 300000;
  for (std::uint32_t d : {2u, 3u, 7u, 40u, 5000u}) {
    std::vector<vertex_t> s, t;
    for (vertex_t u = 1; u <= d; ++u) {
      s.push_back(u);
      t.push_back(0);
    }
    auto g = weighted_cascade(build_graph_dense(d + 1, s, t));
    std::vector<double> w(d + 1, 0.0);
    w[0] = 1.0;
    RRCollection rr;
    RRSampleOptions so;
    so.root_weights = w;
    sample_rr_sets(g, IndependentCascade{}, test_seed() + d, domain::rr_set, 0, T, rr, so);
    const double p = weighted_cascade_probability(d);
    std::vector<double> count_freq(d + 1, 0.0), slot_freq(d + 1, 0.0), subset_freq(8, 0.0);
    for (std::uint64_t j = 0; j < T; ++j) {
      auto set = rr.set(j);
      ASSERT_EQ(set[0], 0u);
      std::set<vertex_t> distinct(set.begin() + 1, set.end());
      ASSERT_EQ(distinct.size(), set.size() - 1) << "a slot drawn twice, d = " << d;
      count_freq[set.size() - 1] += 1;
      unsigned mask = 0;
      for (std::size_t i = 1; i < set.size(); ++i) {
        slot_freq[set[i]] += 1;
        if (d == 3) mask |= 1u << (set[i] - 1);
      }
      if (d == 3) subset_freq[mask] += 1;
    }
    auto near = [&](double observed, double prob, const char* what, std::uint64_t i) {
      const double tol = 6.0 * std::sqrt(prob * (1 - prob) / static_cast<double>(T)) + 1e-12;
      EXPECT_NEAR(observed / static_cast<double>(T), prob, tol) << what << " " << i << ", d = " << d;
    };
    double pk = std::pow(1 - p, d);
    for (std::uint32_t k = 0; k <= std::min(d, 6u); ++k) {
      near(count_freq[k], pk, "live count", k);
      pk *= static_cast<double>(d - k) / (k + 1) * p / (1 - p);
    }
    for (vertex_t u = 1; u <= std::min<vertex_t>(d, 60); ++u) near(slot_freq[u], p, "slot", u);
    if (d == 3) {
      for (unsigned mask = 0; mask < 8; ++mask) {
        const int live = __builtin_popcount(mask);
        near(subset_freq[mask], std::pow(p, live) * std::pow(1 - p, 3 - live), "subset", mask);
      }
    }
  }
}

TEST(RRSets, WeightedCascadeThresholdsAndTailAgree) {
  // The table row and the tail walk must give the same count for every draw u: at each
  // threshold t[k] the count steps from k to k + 1, and beyond the table the tail continues.
  for (std::uint32_t d : {2u, 3u, 6u, 9u, 100u, 4096u}) {
    const detail::WcRow t = detail::wc_row(d);
    for (unsigned k = 0; k < detail::kWcTable && k < d; ++k) {
      if (k > 0) {
        EXPECT_LE(t[k - 1], t[k]) << "d = " << d;
      }
      if (t[k] == UINT32_MAX) continue;
      EXPECT_EQ(detail::wc_tail_count(d, t[k] - 1), k) << "d = " << d;
      EXPECT_GT(detail::wc_tail_count(d, t[k]), k) << "d = " << d;
    }
    // The largest draw has the largest count the doubles can tell apart, never more than d.
    const std::uint32_t top = detail::wc_tail_count(d, UINT32_MAX);
    EXPECT_LE(top, d);
    EXPECT_GE(top, std::min<std::uint32_t>(d, detail::kWcTable - 1)) << "d = " << d;
  }
  // Distinct slots: by rejection (count <= kWcTable) and by selection sampling (more).
  Rng rng(test_seed(), 0, 0);
  for (std::uint32_t count : {0u, 1u, 5u, detail::kWcTable, detail::kWcTable + 1, 30u}) {
    for (std::uint32_t d : {count, count + 1, 64u}) {
      if (d == 0 || count > d) continue;
      std::vector<std::uint32_t> got;
      detail::rr_distinct_slots(d, count, rng, [&](std::uint32_t j) { got.push_back(j); });
      ASSERT_EQ(got.size(), count);
      std::set<std::uint32_t> distinct(got.begin(), got.end());
      EXPECT_EQ(distinct.size(), count) << "d = " << d;
      for (auto j : got) EXPECT_LT(j, d);
      if (count > detail::kWcTable) {
        EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
      }
    }
  }
}

TEST(RRSets, LinearThresholdMatchesExact) {
  for (int rep = 0; rep < 3; ++rep) {
    auto g = random_graph(7, 13, test_seed() + 100 + rep, true);
    check_estimate(g, LinearThreshold{}, {0}, 200000);
    check_estimate(g, LinearThreshold{}, {2, 5}, 200000);
  }
}

TEST(RRSets, LinearThresholdPicksInNeighbourByWeight) {
  // a=0 -> c=2 with w 0.7, b=1 -> c with w 0.1. spread({a}) = 1 + 0.7 = 1.7 (a uniform pick
  // among in-neighbours with prob sum=0.8 would give 1 + 0.4 = 1.4).
  std::vector<vertex_t> s{0, 1}, t{2, 2};
  std::vector<prob_t> p{0.7f, 0.1f};
  auto g = build_graph_dense(3, s, t, p);
  const std::uint64_t T = 200000;
  RRCollection rr;
  sample_rr_sets(g, LinearThreshold{}, test_seed(), domain::rr_set, 0, T, rr);
  std::vector<vertex_t> seeds{0};
  const double est = estimate_spread_rr(rr, seeds, 3.0);
  const double q = 1.7 / 3.0, tol = 6 * 3 * std::sqrt(q * (1 - q) / T);
  EXPECT_NEAR(est, 1.7, tol);
  EXPECT_GT(std::abs(est - 1.4), 5 * tol);
  check_estimate(g, LinearThreshold{}, {1}, T);
}

TEST(RRSets, DeadlineTruncationMatchesExact) {
  auto g = random_graph(7, 14, test_seed() + 7, false);
  for (std::uint32_t d : {1u, 2u, 3u}) check_estimate(g, IndependentCascade{}, {0, 3}, 200000, d);
  auto h = random_graph(7, 14, test_seed() + 8, true);
  for (std::uint32_t d : {1u, 2u}) check_estimate(h, LinearThreshold{}, {1}, 200000, d);
}

TEST(RRSets, WeightedRootsMatchExactWeightedSpread) {
  auto g = random_graph(7, 12, test_seed() + 9, false);
  std::vector<double> w{0.0, 3.0, 1.0, 0.5, 2.0, 0.0, 1.5};
  check_estimate(g, IndependentCascade{}, {0}, 200000, UINT32_MAX, w);
  check_estimate(g, IndependentCascade{}, {2, 6}, 200000, UINT32_MAX, w);
  auto h = random_graph(7, 12, test_seed() + 10, true);
  check_estimate(h, LinearThreshold{}, {0, 3}, 200000, UINT32_MAX, w);
}

TEST(RRSets, IdenticalForAnyThreadCountAndBatching) {
  auto g = random_graph(200, 2000, test_seed() + 11, false);
  auto h = random_graph(200, 2000, test_seed() + 12, true);
  auto run = [&](auto model, const FollowerGraph& gr, int threads, bool split) {
    RRCollection rr;
    RRSampleOptions so;
    so.threads = threads;
    if (split) {
      sample_rr_sets(gr, model, 5, domain::rr_set, 0, 1000, rr, so);
      sample_rr_sets(gr, model, 5, domain::rr_set, 1000, 4000, rr, so);
    } else {
      sample_rr_sets(gr, model, 5, domain::rr_set, 0, 5000, rr, so);
    }
    return rr;
  };
  auto same = [](const RRCollection& a, const RRCollection& b) {
    return std::vector<vertex_t>(a.nodes().begin(), a.nodes().end()) ==
               std::vector<vertex_t>(b.nodes().begin(), b.nodes().end()) &&
           std::vector<edge_t>(a.offsets().begin(), a.offsets().end()) ==
               std::vector<edge_t>(b.offsets().begin(), b.offsets().end());
  };
  auto a1 = run(IndependentCascade{}, g, 1, false), a2 = run(IndependentCascade{}, g, 2, false),
       a3 = run(IndependentCascade{}, g, 2, true);
  EXPECT_TRUE(same(a1, a2));
  EXPECT_TRUE(same(a1, a3));
  EXPECT_GT(a1.total_nodes(), a1.size());
  auto b1 = run(LinearThreshold{}, h, 1, false), b2 = run(LinearThreshold{}, h, 2, true);
  EXPECT_TRUE(same(b1, b2));
  // Appending collections concatenates.
  RRCollection c = a1;
  c.append(b1);
  EXPECT_EQ(c.size(), a1.size() + b1.size());
  EXPECT_TRUE(std::equal(c.set(5000).begin(), c.set(5000).end(), b1.set(0).begin()));
  EXPECT_GT(c.bytes(), 0u);
}

TEST(RRSets, InterleavedSamplerReproducesSimpleBitForBit) {
  // Mixed plans: weighted cascade (binomial rows, all-live rows), random
  // probabilities (coin flips), equal 0.3 (dense: big sets that outlive the commit window),
  // LT with equal and unequal weights; deadlines and weighted roots.
  auto wc = weighted_cascade(random_graph(600, 6000, test_seed() + 21, false));
  auto rnd = random_graph(300, 3000, test_seed() + 22, false);
  auto dense = random_graph(400, 2400, test_seed() + 23, false, true);
  auto lt = random_graph(300, 3000, test_seed() + 24, true);
  auto ltwc = weighted_cascade(random_graph(600, 6000, test_seed() + 25, false));
  std::vector<double> w(600);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<double>((i * 7) % 5);
  auto same = [](const RRCollection& a, const RRCollection& b) {
    return std::vector<vertex_t>(a.nodes().begin(), a.nodes().end()) ==
               std::vector<vertex_t>(b.nodes().begin(), b.nodes().end()) &&
           std::vector<edge_t>(a.offsets().begin(), a.offsets().end()) ==
               std::vector<edge_t>(b.offsets().begin(), b.offsets().end());
  };
  auto check = [&](auto model, const FollowerGraph& g, std::uint32_t depth, std::span<const double> rw) {
    for (int threads : {1, 2}) {
      RRSampler<decltype(model)> simple(g, model, depth, rw), fast(g, model, depth, rw);
      simple.set_interleaved(false);
      fast.set_interleaved(true);
      RRCollection a, b;
      // 1000 sets run on one thread, 3000 (>= 2048) are split over `threads`.
      simple.sample(test_seed(), domain::rr_set, 0, 4000, a, 1);
      fast.sample(test_seed(), domain::rr_set, 0, 1000, b, threads);
      fast.sample(test_seed(), domain::rr_set, 1000, 3000, b, threads);
      EXPECT_TRUE(same(a, b)) << decltype(model)::name << " depth " << depth << " threads " << threads;
      EXPECT_EQ(b.size(), 4000u);
    }
  };
  for (std::uint32_t depth : {UINT32_MAX, 1u, 2u, 3u}) {
    check(IndependentCascade{}, wc, depth, {});
    check(IndependentCascade{}, rnd, depth, {});
    check(IndependentCascade{}, dense, depth, {});
    check(LinearThreshold{}, lt, depth, {});
    check(LinearThreshold{}, ltwc, depth, {});
  }
  check(IndependentCascade{}, wc, UINT32_MAX, w);
  check(LinearThreshold{}, ltwc, UINT32_MAX, w);
  RRCollection big;
  RRSampler<IndependentCascade> sd(dense, IndependentCascade{});
  sd.sample(1, domain::rr_set, 0, 200, big, 1);
  EXPECT_GT(big.mean_size(), 50.0);  // the dense case really has large sets
  // The automatic choice: one set at a time while the tables fit in a core's cache.
  EXPECT_FALSE(RRSampler<IndependentCascade>(wc, IndependentCascade{}).interleaved());
  auto large = weighted_cascade(chung_lu(400000, 4.0, 2.5, 2.1, test_seed()));
  EXPECT_TRUE(RRSampler<IndependentCascade>(large, IndependentCascade{}).interleaved());
  EXPECT_TRUE(RRSampler<LinearThreshold>(large, LinearThreshold{}).interleaved());
}

namespace {

/// Brute-force greedy with ties to the lowest id; returns the seed order.
std::vector<vertex_t> brute_greedy(const RRCollection& rr, vertex_t n, std::size_t k, const std::vector<char>& allowed,
                                   const std::vector<vertex_t>& fixed) {
  std::vector<vertex_t> chosen = fixed, seeds;
  for (std::size_t it = 0; it < k; ++it) {
    std::uint64_t base = rr_coverage(rr, chosen, n);
    std::int64_t best = -1;
    vertex_t bv = 0;
    for (vertex_t v = 0; v < n; ++v) {
      if (!allowed[v] || std::find(chosen.begin(), chosen.end(), v) != chosen.end()) continue;
      auto c = chosen;
      c.push_back(v);
      auto gain = static_cast<std::int64_t>(rr_coverage(rr, c, n) - base);
      if (gain > best) {
        best = gain;
        bv = v;
      }
    }
    chosen.push_back(bv);
    seeds.push_back(bv);
  }
  return seeds;
}

}  // namespace

// The inverted index is built in tiers (the vertices in most sets first): a vertex in few sets
// that becomes the best choice once a hub covered the rest must still be found, with the same
// result as brute force.
TEST(MaxCoverage, VertexOutsideTheFirstIndexTier) {
  const vertex_t n = 700, hub = 600, loner = 601;
  RRCollection rr;
  for (vertex_t i = 0; i < 600; ++i)
    for (int r = 0; r < 3; ++r) rr.push_set(std::vector<vertex_t>{i, hub});
  rr.push_set(std::vector<vertex_t>{loner});
  for (vertex_t i = 602; i < n; ++i) rr.push_set(std::vector<vertex_t>{i, hub});
  std::vector<char> allowed(n, 1);
  for (std::size_t k : {1u, 2u, 3u}) {
    MaxCoverageOptions mo;
    auto r = max_coverage(rr, n, k, mo);
    EXPECT_EQ(r.seeds, brute_greedy(rr, n, k, allowed, {})) << "k " << k;
    EXPECT_EQ(r.coverage, rr_coverage(rr, r.seeds, n));
  }
  auto r = max_coverage(rr, n, 3);
  EXPECT_EQ(r.seeds, (std::vector<vertex_t>{hub, loner, 0}));
  EXPECT_EQ(r.marginal, (std::vector<std::uint64_t>{1898, 1, 0}));
}

// A vertex of the first tier (y) whose marginal falls to tie with a vertex outside it (3):
// the lower id must win, as in a heap over all vertices.
TEST(MaxCoverage, TieAcrossATierBoundaryGoesToTheLowestId) {
  const vertex_t n = 800, hub = 790, y = 700, low = 3;
  RRCollection rr;
  for (vertex_t t = 100; t < 628; ++t)  // 528 vertices in 5 sets each, all shared with the hub
    for (int r = 0; r < 5; ++r) rr.push_set(std::vector<vertex_t>{t, hub});
  for (int r = 0; r < 2; ++r) rr.push_set(std::vector<vertex_t>{y, hub});
  for (int r = 0; r < 4; ++r) rr.push_set(std::vector<vertex_t>{y});
  for (int r = 0; r < 4; ++r) rr.push_set(std::vector<vertex_t>{low});
  const auto r = max_coverage(rr, n, 2);
  EXPECT_EQ(r.seeds, (std::vector<vertex_t>{hub, low}));
  EXPECT_EQ(r.marginal, (std::vector<std::uint64_t>{2642, 4}));
  std::vector<char> allowed(n, 1);
  EXPECT_EQ(r.seeds, brute_greedy(rr, n, 2, allowed, {}));
}

TEST(MaxCoverage, MatchesBruteForceGreedyAndRecount) {
  std::mt19937_64 gen(test_seed() + 13);
  const vertex_t n = 9;
  for (int rep = 0; rep < 40; ++rep) {
    RRCollection rr;
    std::uniform_int_distribution<int> sz(1, 4);
    std::uniform_int_distribution<vertex_t> pv(0, n - 1);
    for (int j = 0; j < 30; ++j) {
      std::set<vertex_t> s;
      const int z = sz(gen);
      while (static_cast<int>(s.size()) < z) s.insert(pv(gen));
      std::vector<vertex_t> sv(s.begin(), s.end());
      rr.push_set(sv);
    }
    std::vector<char> allowed(n, 1);
    std::vector<vertex_t> fixed;
    if (rep % 3 == 1) allowed[pv(gen)] = 0, allowed[pv(gen)] = 0;
    if (rep % 3 == 2) fixed = {pv(gen)};
    for (vertex_t f : fixed) allowed[f] = 0;
    for (std::size_t k = 1; k <= 3; ++k) {
      MaxCoverageOptions mo;
      mo.allowed = allowed;
      mo.fixed_seeds = fixed;
      mo.threads = 1 + rep % 2;
      auto r = max_coverage(rr, n, k, mo);
      ASSERT_EQ(r.seeds, brute_greedy(rr, n, k, allowed, fixed)) << "rep " << rep << " k " << k;
      MaxCoverageOptions lean = mo;  // without the upper bound: the same greedy
      lean.upper_bound = false;
      const auto rl = max_coverage(rr, n, k, lean);
      EXPECT_EQ(rl.seeds, r.seeds);
      EXPECT_EQ(rl.marginal, r.marginal);
      EXPECT_EQ(rl.upper_bound, rr.size());
      auto all = fixed;
      all.insert(all.end(), r.seeds.begin(), r.seeds.end());
      EXPECT_EQ(r.coverage, rr_coverage(rr, all, n));
      EXPECT_EQ(r.fixed_coverage, rr_coverage(rr, fixed, n));
      std::uint64_t sum = r.fixed_coverage;
      for (auto m : r.marginal) sum += m;
      EXPECT_EQ(sum, r.coverage);
      // Optimum by enumeration: upper bound must hold, greedy within 1 - 1/e.
      std::uint64_t opt = 0;
      std::vector<vertex_t> pool;
      for (vertex_t v = 0; v < n; ++v) if (allowed[v]) pool.push_back(v);
      std::vector<int> sel(pool.size(), 0);
      std::fill(sel.end() - static_cast<std::ptrdiff_t>(k), sel.end(), 1);
      do {
        auto c = fixed;
        for (std::size_t i = 0; i < pool.size(); ++i) if (sel[i]) c.push_back(pool[i]);
        opt = std::max(opt, rr_coverage(rr, c, n));
      } while (std::next_permutation(sel.begin(), sel.end()));
      EXPECT_GE(r.upper_bound, opt);
      EXPECT_GE(static_cast<double>(r.coverage), (1 - 1 / std::exp(1.0)) * static_cast<double>(opt));
    }
  }
}

// Hundreds of seeds' worth of tiers: a skewed collection where many vertices tie on their
// counts, so the greedy keeps pulling in tiers and must break ties at tier boundaries exactly
// as a plain greedy that recounts every marginal each step (also for the top-k upper bound).
TEST(MaxCoverage, TieredIndexMatchesPlainGreedyOnLargeSkewedCollections) {
  std::mt19937_64 gen(test_seed() + 15);
  const vertex_t n = 3000;
  for (int rep = 0; rep < 6; ++rep) {
    RRCollection rr;
    std::uniform_int_distribution<int> sz(1, 6);
    for (int j = 0; j < 2500 + 500 * rep; ++j) {
      std::set<vertex_t> s;
      const int z = sz(gen);
      while (static_cast<int>(s.size()) < z) {  // popularity ~ 1/rank, coarsened so counts tie
        const double u = std::uniform_real_distribution<double>(0.0, 1.0)(gen);
        s.insert(static_cast<vertex_t>(std::min<double>(n - 1, std::pow(n, u) - 1.0)) / (1 + rep % 3) * (1 + rep % 3));
      }
      rr.push_set(std::vector<vertex_t>(s.begin(), s.end()));
    }
    std::vector<char> allowed(n, 1);
    std::vector<vertex_t> fixed;
    if (rep % 2 == 1) for (vertex_t v = 0; v < n; v += 7) allowed[v] = 0;
    if (rep >= 3) fixed = {1, 5, 40};
    for (vertex_t f : fixed) allowed[f] = 0;
    const std::size_t k = 40 + 60 * static_cast<std::size_t>(rep);
    // Plain greedy: recount all marginals each step.
    std::vector<char> cov(rr.size(), 0), taken(n, 0);
    for (vertex_t f : fixed) taken[f] = 1;
    auto gains = [&]() {
      std::vector<std::uint64_t> g(n, 0);
      for (std::uint64_t j = 0; j < rr.size(); ++j) {
        if (cov[j]) continue;
        for (vertex_t v : rr.set(j)) ++g[v];
      }
      return g;
    };
    auto cover = [&](vertex_t v) {
      std::uint64_t got = 0;
      for (std::uint64_t j = 0; j < rr.size(); ++j) {
        if (cov[j]) continue;
        const auto s = rr.set(j);
        if (std::find(s.begin(), s.end(), v) != s.end()) cov[j] = 1, ++got;
      }
      return got;
    };
    std::uint64_t c = 0;
    for (vertex_t f : fixed) c += cover(f);
    std::vector<vertex_t> seeds;
    std::vector<std::uint64_t> marg;
    std::uint64_t bound = rr.size();
    for (std::size_t it = 0;; ++it) {
      const auto g = gains();
      std::vector<std::uint64_t> avail;
      for (vertex_t v = 0; v < n; ++v) if (allowed[v] && !taken[v]) avail.push_back(g[v]);
      std::sort(avail.rbegin(), avail.rend());
      std::uint64_t top = 0;
      for (std::size_t i = 0; i < std::min(k, avail.size()); ++i) top += avail[i];
      bound = std::min(bound, c + top);
      if (it == k) break;
      vertex_t best = n;
      for (vertex_t v = 0; v < n; ++v)
        if (allowed[v] && !taken[v] && (best == n || g[v] > g[best])) best = v;
      taken[best] = 1;
      seeds.push_back(best);
      marg.push_back(cover(best));
      c += marg.back();
    }
    MaxCoverageOptions mo;
    mo.allowed = allowed;
    mo.fixed_seeds = fixed;
    const auto r = max_coverage(rr, n, k, mo);
    ASSERT_EQ(r.seeds, seeds) << "rep " << rep;
    EXPECT_EQ(r.marginal, marg);
    EXPECT_EQ(r.coverage, c);
    EXPECT_EQ(r.upper_bound, bound);
    mo.upper_bound = false;
    EXPECT_EQ(max_coverage(rr, n, k, mo).seeds, seeds);
  }
}

TEST(MaxCoverage, LargeCollectionParallelIndexIsDeterministic) {
  auto g = random_graph(300, 3000, test_seed() + 14, false);
  RRCollection rr;
  sample_rr_sets(g, IndependentCascade{}, 9, domain::rr_set, 0, 8000, rr);
  MaxCoverageOptions m1, m2;
  m1.threads = 1;
  m2.threads = 2;
  auto a = max_coverage(rr, 300, 10, m1), b = max_coverage(rr, 300, 10, m2);
  EXPECT_EQ(a.seeds, b.seeds);
  EXPECT_EQ(a.marginal, b.marginal);
  EXPECT_EQ(a.coverage, rr_coverage(rr, a.seeds, 300));
  EXPECT_GE(a.upper_bound, a.coverage);
}

TEST(RRSets, MemoryEstimateAndBadArguments) {
  EXPECT_THROW(check_rr_memory("imm", 100.0, 1e9, 0, 1 << 20), MemoryLimitError);
  EXPECT_NO_THROW(check_rr_memory("imm", 10.0, 10, 0, 1 << 20));
  try {
    check_rr_memory("imm", 100.0, 1e9, 0, 1 << 20);
  } catch (const MemoryLimitError& e) {
    EXPECT_NE(std::string(e.what()).find("memory_limit"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("epsilon"), std::string::npos);
  }
  EXPECT_GT(default_memory_limit(), 0u);
  auto g = random_graph(5, 6, 1, false);
  RRCollection rr;
  RRSampleOptions so;
  std::vector<double> w{1, 2};
  so.root_weights = w;
  EXPECT_THROW(sample_rr_sets(g, IndependentCascade{}, 1, domain::rr_set, 0, 10, rr, so), std::invalid_argument);
  std::vector<double> wn{1, -2, 1, 1, 1};
  so.root_weights = wn;
  EXPECT_THROW(sample_rr_sets(g, IndependentCascade{}, 1, domain::rr_set, 0, 10, rr, so), std::invalid_argument);
  RRSampleOptions sd;
  sd.max_depth = 0;
  EXPECT_THROW(sample_rr_sets(g, IndependentCascade{}, 1, domain::rr_set, 0, 10, rr, sd), std::invalid_argument);
  FollowerGraph noprob = build_graph_dense(2, std::vector<vertex_t>{0}, std::vector<vertex_t>{1});
  EXPECT_THROW(sample_rr_sets(noprob, IndependentCascade{}, 1, domain::rr_set, 0, 10, rr), std::invalid_argument);
  EXPECT_THROW(estimate_spread_rr(RRCollection{}, std::vector<vertex_t>{0}, 1.0), std::invalid_argument);
  // LT: the plan finds in-weights above 1 and the model's check names the lowest such account
  // (accounts 3 and 5 of 6 are too heavy; 4 sums to exactly 1 + 1e-5, within the tolerance).
  std::vector<vertex_t> s{0, 1, 0, 1, 0, 1, 2}, t{3, 3, 4, 4, 5, 5, 5};
  std::vector<prob_t> p{0.7f, 0.6f, 0.5f, 0.50001f, 0.4f, 0.4f, 0.4f};
  auto heavy = build_graph_dense(6, s, t, p);
  for (int threads : {1, 2}) {
    try {
      RRSampler<LinearThreshold> bad(heavy, LinearThreshold{}, UINT32_MAX, {}, threads);
      ADD_FAILURE() << "over-weighted LT graph accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("in-weights of account 3 sum to"), std::string::npos) << e.what();
    }
  }
  p[0] = 0.4f;  // 0.4 + 0.6
  p[5] = 0.3f;  // 0.4 + 0.3 + 0.3
  p[6] = 0.3f;
  EXPECT_NO_THROW(RRSampler<LinearThreshold>(build_graph_dense(6, s, t, p), LinearThreshold{}));
}

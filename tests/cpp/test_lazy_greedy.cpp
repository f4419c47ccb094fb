// SPDX-License-Identifier: MIT
/// Tests of the lazy-greedy driver's real-valued, bound-started CELF (the path maximise_opinion
/// runs): seeds and gains equal a brute-force greedy, bounds are never taken for exact gains,
/// begin_round() runs once per seed set, and bounds save evaluations.
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <vector>

#include "kolsim/core/rng.hpp"
#include "kolsim/select/lazy_greedy.hpp"
#include "support.hpp"

using namespace kolsim;

namespace {

std::uint64_t test_seed() { return test_support::test_seed("test_lazy_greedy", 4242); }

/// Weighted coverage with real weights: gain(v) = weight of v's uncovered elements. bound(v) =
/// the weight of all of v's elements (exact before the first seed) plus `slack` on odd vertices,
/// so the largest bound is often not the largest gain: a bound taken for a gain picks wrongly.
struct BoundedCover {
  using gain_type = double;
  std::vector<std::vector<std::uint32_t>> sets;
  std::vector<double> weight;
  std::vector<char> covered;
  double slack = 0.0;
  std::uint64_t evaluations = 0, rounds = 0, bounds = 0;

  double gain_over(vertex_t v) const {
    double g = 0;
    for (auto e : sets[v])
      if (!covered[e]) g += weight[e];
    return g;
  }
  void begin_round() { ++rounds; }
  double bound(vertex_t v) {
    ++bounds;
    double b = 0;
    for (auto e : sets[v]) b += weight[e];
    return b + (v % 2 ? slack : 0.0);
  }
  void gains(std::span<const vertex_t> block, bool, detail::BasicGainPairs<double>& out) {
    out.clear();
    for (vertex_t v : block) out.emplace_back(gain_over(v), 0.0);
    evaluations += block.size();
  }
  double gain(vertex_t v) {
    ++evaluations;
    return gain_over(v);
  }
  double add(vertex_t v) {
    const double g = gain_over(v);
    for (auto e : sets[v]) covered[e] = 1;
    return g;
  }
};
static_assert(detail::BoundingOracle<BoundedCover>);

/// Each element lies in 1 to 3 random vertices' sets and weighs 0.25, 0.5, 0.75 or 1 (ties).
BoundedCover random_cover(std::uint64_t seed, vertex_t n, std::uint32_t elements, double slack) {
  BoundedCover o;
  Rng rng(seed, 1);
  o.sets.resize(n);
  for (std::uint32_t e = 0; e < elements; ++e) {
    o.weight.push_back(0.25 * (1 + rng.below(4)));
    for (std::uint32_t h = 1 + rng.below(3); h > 0; --h) {
      auto& set = o.sets[rng.below(n)];
      if (set.empty() || set.back() != e) set.push_back(e);
    }
  }
  o.covered.assign(elements, 0);
  o.slack = slack;
  return o;
}

}  // namespace

TEST(LazyGreedy, BoundStartedCelfEqualsBruteForceGreedy) {
  const std::uint64_t seed = test_seed();
  const std::size_t k = 12;
  for (std::uint64_t rep = 0; rep < 20; ++rep) {
    const vertex_t n = 300;
    std::vector<char> allowed(n, 1);
    for (vertex_t v = 0; v < n; v += 7) allowed[v] = 0;
    BoundedCover ref = random_cover(seed + rep, n, 400, 0.0);
    std::vector<vertex_t> want;
    std::vector<double> want_gain;
    std::vector<char> used(n, 0);
    for (std::size_t round = 0; round < k; ++round) {
      vertex_t best = no_vertex;
      double bg = 0;
      for (vertex_t v = 0; v < n; ++v) {
        if (!allowed[v] || used[v]) continue;
        const double g = ref.gain_over(v);
        if (best == no_vertex || g > bg) best = v, bg = g;
      }
      used[best] = 1;
      want.push_back(best);
      want_gain.push_back(ref.add(best));
    }
    for (double slack : {0.0, 0.5, 3.0}) {
      for (auto mode : {detail::LazyMode::none, detail::LazyMode::celf}) {
        BoundedCover o = random_cover(seed + rep, n, 400, slack);
        detail::LazyGreedy<BoundedCover> lazy(o, allowed, StopToken{});
        int initial = 0;
        lazy.run(k, mode, [&] { ++initial; });
        EXPECT_EQ(lazy.seeds, want) << "mode " << static_cast<int>(mode) << " slack " << slack << " seed " << seed + rep;
        EXPECT_EQ(lazy.gains, want_gain) << "mode " << static_cast<int>(mode) << " slack " << slack;
        EXPECT_EQ(o.rounds, k) << "one begin_round per seed set, none after the last seed";
        if (mode == detail::LazyMode::celf) {
          EXPECT_EQ(initial, 1);
          EXPECT_GT(o.bounds, 0u);
          // Bounds and stale keys spare most of the plain sweep's k x n evaluations.
          EXPECT_LT(o.evaluations, static_cast<std::uint64_t>(k) * n / 4) << "slack " << slack;
        } else {
          EXPECT_EQ(o.bounds, 0u);
        }
      }
    }
  }
}

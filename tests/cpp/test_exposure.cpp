// SPDX-License-Identifier: MIT
/// Tests of exposure counts and exposure curves: exact hand-built cascades (ties in time,
/// self-loops, exogenous adopters, several cascades), thread invariance, and Monte Carlo curves
/// of cascades simulated from IC and from 2-exposure contagion.
#include <gtest/gtest.h>

#include <kolsim/kolsim.hpp>
#include <kolsim/learn/exposure.hpp>

#include <cmath>
#include <map>
#include <tuple>
#include <vector>

#include "support.hpp"

namespace {

using namespace kolsim;

std::uint64_t test_seed() { return test_support::test_seed("test_exposure", 20261203ULL); }

/// Accounts 0..6 (dense = id): 1 -> 3, 2 -> 3, 1 -> 4, 2 -> 4, 3 -> 4, 4 -> 1, 1 -> 5, and a
/// self-loop 3 -> 3 kept on purpose.
FollowerGraph hand_graph() {
  std::vector<vertex_t> s{1, 2, 1, 2, 3, 4, 1, 3}, t{3, 3, 4, 4, 4, 1, 5, 3};
  BuildOptions o;
  o.self_loops = SelfLoops::keep;
  return build_graph_dense(7, s, t, {}, o);
}

Cascades hand_cascades() {
  Cascades cs;
  cs.graph_vertices = 7;
  // 1@0, 6@3 (no in-neighbour), 2@5 and 3@5 (tie: 2 does not expose 3), 4@10.
  std::vector<vertex_t> a{1, 6, 2, 3, 4};
  std::vector<double> t{0, 3, 5, 5, 10};
  cs.add(a, t, 0);
  // 3@0, 4@1: 4 exposed once; 1 (follows 4) exposed and never adopts.
  std::vector<vertex_t> b{3, 4};
  std::vector<double> u{0, 1};
  cs.add(b, u, 1);
  return cs;
}

struct Row {
  std::uint32_t exposures;
  bool adopted;
  std::vector<std::uint32_t> steps;
};

std::map<std::pair<std::uint32_t, vertex_t>, Row> rows_of(const ExposureData& d) {
  std::map<std::pair<std::uint32_t, vertex_t>, Row> m;
  for (std::size_t r = 0; r < d.size(); ++r)
    m[{d.cascade[r], d.vertex[r]}] = Row{d.exposures[r], d.adopted[r] != 0,
                                         std::vector<std::uint32_t>(d.steps.begin() + d.step_offsets[r],
                                                                    d.steps.begin() + d.step_offsets[r + 1])};
  return m;
}

TEST(Exposure, HandBuiltCascadesExact) {
  const auto g = hand_graph();
  const auto cs = hand_cascades();
  const auto d = exposure_counts(g, cs);
  const auto m = rows_of(d);
  ASSERT_EQ(d.size(), 5u);
  ASSERT_EQ(m.size(), 5u);
  // Cascade 0. 3: 1 before it, 2 at the same second (not counted), itself (self-loop, not counted).
  EXPECT_EQ(m.at({0, 3}).exposures, 1u);
  EXPECT_TRUE(m.at({0, 3}).adopted);
  EXPECT_EQ(m.at({0, 3}).steps, (std::vector<std::uint32_t>{1}));
  // 4: 1 at 0, then 2 and 3 together at 5: two batches.
  EXPECT_EQ(m.at({0, 4}).exposures, 3u);
  EXPECT_TRUE(m.at({0, 4}).adopted);
  EXPECT_EQ(m.at({0, 4}).steps, (std::vector<std::uint32_t>{1, 3}));
  // 5 never adopts: exposed by 1 until the end.
  EXPECT_EQ(m.at({0, 5}).exposures, 1u);
  EXPECT_FALSE(m.at({0, 5}).adopted);
  // 1 follows 4, who adopted after 1: no row for 1 in cascade 0; 2 has no in-neighbour.
  EXPECT_EQ(m.count({0, 1}), 0u);
  EXPECT_EQ(m.count({0, 2}), 0u);
  EXPECT_EQ(m.count({0, 6}), 0u);
  // Cascade 1.
  EXPECT_EQ(m.at({1, 4}).exposures, 1u);
  EXPECT_TRUE(m.at({1, 4}).adopted);
  EXPECT_EQ(m.at({1, 1}).exposures, 1u);
  EXPECT_FALSE(m.at({1, 1}).adopted);
  // Rows in cascade order.
  EXPECT_TRUE(std::is_sorted(d.cascade.begin(), d.cascade.end()));
  // Exogenous: 1, 6, 2 in cascade 0; 3 in cascade 1.
  EXPECT_EQ(d.exogenous, 4u);
  EXPECT_EQ(d.adopters, 7u);
  EXPECT_EQ(d.decisions(), 6u);

  const auto cv = exposure_curve(d);
  ASSERT_EQ(cv.exposures.size(), 3u);
  EXPECT_EQ(cv.trials, (std::vector<std::uint64_t>{4, 0, 1}));
  EXPECT_EQ(cv.adopted, (std::vector<std::uint64_t>{2, 0, 1}));
  EXPECT_DOUBLE_EQ(cv.probability[0], 0.5);
  EXPECT_DOUBLE_EQ(cv.std_error[0], 0.25);
  EXPECT_TRUE(std::isnan(cv.probability[1]));
  EXPECT_DOUBLE_EQ(cv.probability[2], 1.0);
  EXPECT_EQ(cv.reached, (std::vector<std::uint64_t>{5, 1, 1}));
  EXPECT_DOUBLE_EQ(cv.hazard[0], 0.4);
  EXPECT_DOUBLE_EQ(cv.hazard[2], 1.0);
}

TEST(Exposure, OnlyExogenousAndEmptyCascades) {
  const auto g = hand_graph();
  Cascades cs;
  cs.graph_vertices = 7;
  std::vector<vertex_t> a{0, 6};
  std::vector<double> t{0, 0};
  cs.add(a, t, 0);
  cs.add(std::span<const vertex_t>{}, std::span<const double>{}, 1);
  const auto d = exposure_counts(g, cs);
  EXPECT_EQ(d.size(), 0u);
  EXPECT_EQ(d.exogenous, 2u);
  EXPECT_EQ(exposure_curve(d).exposures.size(), 0u);
}

TEST(Exposure, RejectsCascadesOfAnotherGraph) {
  const auto g = hand_graph();
  Cascades cs;
  cs.graph_vertices = 8;
  EXPECT_THROW(exposure_counts(g, cs), std::invalid_argument);
  ExposureOptions o;
  o.threads = -1;
  EXPECT_THROW(exposure_counts(g, hand_cascades(), o), std::invalid_argument);
  ExposureData bad;
  bad.exposures = {0};
  bad.adopted = {1};
  EXPECT_THROW(exposure_curve(bad), std::invalid_argument);
}

/// Sources 0..S-1 and targets S..S+T-1; target i has 1 + i % 5 distinct random source parents.
/// Each cascade seeds every source with probability 0.3 at step 0, so every target receives all
/// its exposures at once (step 0) and P(adopt | j) is exactly the model's one-batch law.
struct Bipartite {
  FollowerGraph g;
  vertex_t sources = 40, targets = 800;
};

Bipartite bipartite(float p, std::uint64_t seed) {
  Bipartite b;
  std::vector<vertex_t> s, t;
  for (vertex_t i = 0; i < b.targets; ++i) {
    Rng rng(seed, i, domain::probability);
    std::vector<vertex_t> parents;
    while (parents.size() < 1 + i % 5) {
      const auto u = static_cast<vertex_t>(rng.next_u64() % b.sources);
      if (std::find(parents.begin(), parents.end(), u) == parents.end()) parents.push_back(u);
    }
    for (auto u : parents) {
      s.push_back(u);
      t.push_back(b.sources + i);
    }
  }
  std::vector<prob_t> probs(s.size(), p);
  b.g = build_graph_dense(b.sources + b.targets, s, t, probs);
  return b;
}

std::vector<vertex_t> seed_set(const Bipartite& b, std::uint64_t seed, std::size_t c) {
  Rng rng(seed, c, domain::selection);
  std::vector<vertex_t> seeds;
  for (vertex_t u = 0; u < b.sources; ++u)
    if (rng.uniform() < 0.3) seeds.push_back(u);
  if (seeds.empty()) seeds.push_back(0);
  return seeds;
}

Cascades from_traces(const Bipartite& b, std::size_t count, std::uint64_t seed, const ComplexContagion* complex) {
  Cascades cs;
  cs.graph_vertices = b.g.num_vertices();
  detail::ComplexWorkspace ws(b.g.num_vertices());
  for (std::size_t c = 0; c < count; ++c) {
    const auto seeds = seed_set(b, seed, c);
    Trace tr;
    if (complex == nullptr) {  // Independent Cascade with the graph's probabilities
      tr = simulate(b.g, IndependentCascade{}, std::span<const vertex_t>(seeds), seed * 7919 + c);
    } else {
      Rng rng(seed, c, domain::trial);
      auto record = detail::record_into(tr);
      ws.run(b.g, *complex, seeds, std::numeric_limits<std::uint32_t>::max(),
             [&](edge_t, prob_t p) { return rng.bernoulli(p); },
             [&](vertex_t v, std::uint32_t step) { record(v, no_vertex, step); });
    }
    const std::vector<double> when(tr.step.begin(), tr.step.end());
    cs.add(tr.activated, when, c);
  }
  return cs;
}

TEST(Exposure, MonteCarloIndependentCascadeCurve) {
  const std::uint64_t seed = test_seed();
  const double p = 0.3;
  const auto b = bipartite(static_cast<float>(p), seed);
  const auto cs = from_traces(b, 150, seed + 1, nullptr);
  const auto cv = exposure_curve(exposure_counts(b.g, cs));
  ASSERT_GE(cv.exposures.size(), 4u);
  for (std::size_t j = 0; j < 4; ++j) {
    ASSERT_GE(cv.trials[j], 500u) << "j=" << j + 1;
    const double want = 1.0 - std::pow(1.0 - p, static_cast<double>(j + 1));
    const double sd = std::sqrt(want * (1 - want) / static_cast<double>(cv.trials[j]));
    EXPECT_LE(std::abs(cv.probability[j] - want), 6 * sd) << "j=" << j + 1 << " seed " << seed;
  }
  EXPECT_GT(cv.probability[0], 0.2);
}

TEST(Exposure, MonteCarloTwoExposureCurve) {
  const std::uint64_t seed = test_seed();
  const double p = 0.6;
  const auto b = bipartite(1.0f, seed);
  const auto model = ComplexContagion::k_exposure(2, p);
  const auto cs = from_traces(b, 150, seed + 2, &model);
  const auto cv = exposure_curve(exposure_counts(b.g, cs));
  ASSERT_GE(cv.exposures.size(), 3u);
  ASSERT_GE(cv.trials[0], 500u);
  EXPECT_EQ(cv.adopted[0], 0u);  // one exposure never suffices
  // j = 2: both pass; j = 3: at least two of three pass.
  const double want[2] = {p * p, 3 * p * p * (1 - p) + p * p * p};
  for (std::size_t j = 1; j < 3; ++j) {
    const double w = want[j - 1];
    const double sd = std::sqrt(w * (1 - w) / static_cast<double>(cv.trials[j]));
    EXPECT_LE(std::abs(cv.probability[j] - w), 6 * sd) << "j=" << j + 1 << " seed " << seed;
  }
}

TEST(Exposure, ThreadInvariance) {
  const std::uint64_t seed = test_seed();
  const auto b = bipartite(0.3f, seed);
  const auto cs = from_traces(b, 120, seed + 3, nullptr);
  ExposureOptions one, many;
  one.threads = 1;
  many.threads = 4;
  const auto x = exposure_counts(b.g, cs, one), y = exposure_counts(b.g, cs, many);
  auto fields = [](const ExposureData& d) {
    return std::tie(d.cascade, d.vertex, d.exposures, d.adopted, d.step_offsets, d.steps, d.exogenous);
  };
  EXPECT_TRUE(fields(x) == fields(y));
}

TEST(Exposure, StopTokenInterrupts) {
  const auto g = hand_graph();
  ExposureOptions o;
  o.stop = [] { return true; };
  EXPECT_THROW(exposure_counts(g, hand_cascades(), o), Interrupted);
}

}  // namespace

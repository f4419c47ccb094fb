// SPDX-License-Identifier: MIT
/// Tests of exact_spread: closed forms, degenerate probabilities, deadlines, probabilistic seeds,
/// weights, refusal of huge enumerations, and agreement with simulated IC/LT cascades.
#include <gtest/gtest.h>

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

using namespace kolsim;

namespace {

std::uint64_t test_seed() {
  std::uint64_t s = 20240611;
  if (const char* env = std::getenv("KOLSIM_TEST_SEED")) s = std::strtoull(env, nullptr, 10);
  std::cout << "[ seed ] KOLSIM_TEST_SEED=" << s << "\n";
  return s;
}

FollowerGraph make(vertex_t n, std::vector<vertex_t> src, std::vector<vertex_t> dst, std::vector<prob_t> p) {
  BuildOptions bo;
  bo.duplicates = Duplicates::keep;
  bo.self_loops = SelfLoops::keep;
  return build_graph_dense(n, src, dst, p, bo);
}

// Path a -> b -> c with probabilities p, q.
FollowerGraph path3(prob_t p, prob_t q) { return make(3, {0, 1}, {1, 2}, {p, q}); }

// Two parents: a -> c (x), b -> c (y).
FollowerGraph two_parent(prob_t x, prob_t y) { return make(3, {0, 1}, {2, 2}, {x, y}); }

constexpr double tol = 1e-6;

}  // namespace

TEST(Exact, PathClosedFormBothModels) {
  const double p = 0.3f, q = 0.6f;
  auto g = path3(static_cast<prob_t>(p), static_cast<prob_t>(q));
  std::vector<vertex_t> s{0};
  for (int model = 0; model < 2; ++model) {
    ExactResult r = model == 0 ? exact_spread(g, IndependentCascade{}, s) : exact_spread(g, LinearThreshold{}, s);
    EXPECT_NEAR(r.spread, 1 + p + p * q, tol);
    ASSERT_EQ(r.new_per_step.size(), 3u);
    EXPECT_NEAR(r.new_per_step[0], 1.0, tol);
    EXPECT_NEAR(r.new_per_step[1], p, tol);
    EXPECT_NEAR(r.new_per_step[2], p * q, tol);
    EXPECT_NEAR(r.activation_probability[0], 1.0, tol);
    EXPECT_NEAR(r.activation_probability[1], p, tol);
    EXPECT_NEAR(r.activation_probability[2], p * q, tol);
    // Reach is 1, 2, 3 with probabilities 1-p, p(1-q), pq.
    const double e1 = 1 * (1 - p) + 2 * p * (1 - q) + 3 * p * q;
    const double e2 = 1 * (1 - p) + 4 * p * (1 - q) + 9 * p * q;
    EXPECT_NEAR(r.variance, e2 - e1 * e1, tol);
    EXPECT_EQ(r.worlds, model == 0 ? 4u : 4u);
  }
}

TEST(Exact, TwoParentSeparatesIcFromLt) {
  const double x = 0.25, y = 0.5;
  auto g = two_parent(static_cast<prob_t>(x), static_cast<prob_t>(y));
  std::vector<vertex_t> both{0, 1}, only_a{0};
  EXPECT_NEAR(exact_spread(g, IndependentCascade{}, both).spread, 2 + 1 - (1 - x) * (1 - y), tol);
  EXPECT_NEAR(exact_spread(g, LinearThreshold{}, both).spread, 2 + x + y, tol);
  EXPECT_NEAR(exact_spread(g, IndependentCascade{}, only_a).spread, 1 + x, tol);
  EXPECT_NEAR(exact_spread(g, LinearThreshold{}, only_a).spread, 1 + x, tol);
  // LT: c keeps a's edge, b's edge or none: 3 worlds.
  EXPECT_EQ(exact_spread(g, LinearThreshold{}, both).worlds, 3u);
  EXPECT_EQ(exact_spread(g, IndependentCascade{}, both).worlds, 4u);
}

TEST(Exact, DegenerateProbabilities) {
  // 0 -> 1 -> 2 -> 3, 0 -> 4, 4 -> 5 ; vertex 6 isolated.
  std::vector<vertex_t> src{0, 1, 2, 0, 4}, dst{1, 2, 3, 4, 5};
  auto g0 = make(7, src, dst, std::vector<prob_t>(5, 0.0f));
  auto g1 = make(7, src, dst, std::vector<prob_t>(5, 1.0f));
  std::vector<vertex_t> s{0, 6};
  for (int model = 0; model < 2; ++model) {
    auto r0 = model == 0 ? exact_spread(g0, IndependentCascade{}, s) : exact_spread(g0, LinearThreshold{}, s);
    EXPECT_DOUBLE_EQ(r0.spread, 2.0);
    EXPECT_DOUBLE_EQ(r0.variance, 0.0);
    EXPECT_EQ(r0.worlds, 1u);
    auto r1 = model == 0 ? exact_spread(g1, IndependentCascade{}, s) : exact_spread(g1, LinearThreshold{}, s);
    EXPECT_DOUBLE_EQ(r1.spread, 7.0);
    EXPECT_DOUBLE_EQ(r1.variance, 0.0);
    EXPECT_EQ(r1.worlds, 1u);
    ASSERT_EQ(r1.new_per_step.size(), 4u);
    EXPECT_DOUBLE_EQ(r1.new_per_step[0], 2.0);
    EXPECT_DOUBLE_EQ(r1.new_per_step[1], 2.0);
    EXPECT_DOUBLE_EQ(r1.new_per_step[2], 2.0);
    EXPECT_DOUBLE_EQ(r1.new_per_step[3], 1.0);
  }
}

TEST(Exact, DeadlineOnPath) {
  const double p = 0.5;
  auto g = make(5, {0, 1, 2, 3}, {1, 2, 3, 4}, std::vector<prob_t>(4, static_cast<prob_t>(p)));
  std::vector<vertex_t> s{0};
  for (std::uint32_t t = 0; t <= 5; ++t) {
    ExactOptions o;
    o.max_steps = t;
    double expect = 0, pk = 1;
    for (std::uint32_t d = 0; d <= std::min<std::uint32_t>(t, 4); ++d, pk *= p) expect += pk;
    EXPECT_NEAR(exact_spread(g, IndependentCascade{}, s, o).spread, expect, tol) << "max_steps " << t;
    EXPECT_NEAR(exact_spread(g, LinearThreshold{}, s, o).spread, expect, tol) << "max_steps " << t;
    EXPECT_EQ(exact_spread(g, IndependentCascade{}, s, o).new_per_step.size(), std::min<std::uint32_t>(t, 4) + 1);
  }
  // A shortcut changes the step, not just the reach: 0 -> 1 -> 2 (p = 1) and 0 -> 2 (p = r).
  const double r = 0.25;
  auto h = make(3, {0, 1, 0}, {1, 2, 2}, {1.0f, 1.0f, static_cast<prob_t>(r)});
  ExactOptions o1;
  o1.max_steps = 1;
  EXPECT_NEAR(exact_spread(h, IndependentCascade{}, s, o1).spread, 2 + r, tol);
  EXPECT_NEAR(exact_spread(h, IndependentCascade{}, s).spread, 3.0, tol);
}

TEST(Exact, ProbabilisticSeeds) {
  const double p = 0.4, qa = 0.7, qb = 0.2;
  auto g = make(2, {0}, {1}, {static_cast<prob_t>(p)});
  ExactOptions o;
  o.seed_probabilities = {static_cast<prob_t>(qa)};
  std::vector<vertex_t> sa{0};
  EXPECT_NEAR(exact_spread(g, IndependentCascade{}, sa, o).spread, qa * (1 + p), tol);
  std::vector<vertex_t> sab{0, 1};
  o.seed_probabilities = {static_cast<prob_t>(qa), static_cast<prob_t>(qb)};
  for (int model = 0; model < 2; ++model) {
    auto r = model == 0 ? exact_spread(g, IndependentCascade{}, sab, o) : exact_spread(g, LinearThreshold{}, sab, o);
    EXPECT_NEAR(r.spread, qa + 1 - (1 - qb) * (1 - qa * p), tol);
    EXPECT_NEAR(r.activation_probability[0], qa, tol);
    EXPECT_NEAR(r.new_per_step[0], qa + qb, tol);
    EXPECT_NEAR(r.new_per_step[1], qa * p * (1 - qb), tol);
    EXPECT_EQ(r.worlds, 8u);
  }
  // Probabilities 0 and 1 are deterministic.
  o.seed_probabilities = {1.0f, 0.0f};
  auto r = exact_spread(g, IndependentCascade{}, sab, o);
  EXPECT_NEAR(r.spread, 1 + p, tol);
  EXPECT_EQ(r.worlds, 2u);
}

TEST(Exact, AccountWeights) {
  const double p = 0.3, q = 0.6;
  auto g = path3(static_cast<prob_t>(p), static_cast<prob_t>(q));
  ExactOptions o;
  o.account_weights = {2.0, 5.0, 0.5};
  std::vector<vertex_t> s{0};
  auto r = exact_spread(g, IndependentCascade{}, s, o);
  EXPECT_NEAR(r.spread, 2 + 5 * p + 0.5 * p * q, tol);
  // Reach is 2, 7, 7.5 with probabilities 1-p, p(1-q), pq.
  const double e1 = 2 * (1 - p) + 7 * p * (1 - q) + 7.5 * p * q;
  const double e2 = 4 * (1 - p) + 49 * p * (1 - q) + 56.25 * p * q;
  EXPECT_NEAR(r.variance, e2 - e1 * e1, tol);
  EXPECT_NEAR(r.activation_probability[2], p * q, tol);  // unweighted probability
  EXPECT_NEAR(r.new_per_step[1], 5 * p, tol);
}

TEST(Exact, VarianceOfOneBernoulliEdge) {
  for (double p : {0.1, 0.5, 0.9}) {
    auto g = make(2, {0}, {1}, {static_cast<prob_t>(p)});
    std::vector<vertex_t> s{0};
    auto r = exact_spread(g, IndependentCascade{}, s);
    EXPECT_NEAR(r.spread, 1 + p, tol);
    EXPECT_NEAR(r.variance, p * (1 - p), tol);
    EXPECT_NEAR(exact_spread(g, LinearThreshold{}, s).variance, p * (1 - p), tol);
  }
}

TEST(Exact, RefusesHugeEnumerations) {
  std::vector<vertex_t> src, dst;
  for (vertex_t i = 0; i < 25; ++i) {
    src.push_back(i);
    dst.push_back(i + 1);
  }
  auto g = make(26, src, dst, std::vector<prob_t>(25, 0.5f));
  std::vector<vertex_t> s{0};
  EXPECT_THROW(exact_spread(g, IndependentCascade{}, s), std::invalid_argument);
  try {
    exact_spread(g, IndependentCascade{}, s);
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("max_worlds"), std::string::npos) << e.what();
  }
  ExactOptions o;
  o.max_worlds = 3;
  auto small = path3(0.5f, 0.5f);
  EXPECT_THROW(exact_spread(small, IndependentCascade{}, s, o), std::invalid_argument);
  o.max_worlds = 4;
  EXPECT_NO_THROW(exact_spread(small, IndependentCascade{}, s, o));
}

TEST(Exact, BadArguments) {
  auto g = path3(0.5f, 0.5f);
  std::vector<vertex_t> bad{3}, dup{0, 0}, ok{0};
  EXPECT_THROW(exact_spread(g, IndependentCascade{}, bad), std::out_of_range);
  EXPECT_THROW(exact_spread(g, IndependentCascade{}, dup), std::invalid_argument);
  ExactOptions o;
  o.seed_probabilities = {0.5f, 0.5f};
  EXPECT_THROW(exact_spread(g, IndependentCascade{}, ok, o), std::invalid_argument);
  o.seed_probabilities = {1.5f};
  EXPECT_THROW(exact_spread(g, IndependentCascade{}, ok, o), std::invalid_argument);
  ExactOptions w;
  w.account_weights = {1.0};
  EXPECT_THROW(exact_spread(g, IndependentCascade{}, ok, w), std::invalid_argument);
  auto no_probs = build_graph_dense(2, std::vector<vertex_t>{0}, std::vector<vertex_t>{1});
  EXPECT_THROW(exact_spread(no_probs, IndependentCascade{}, ok), std::invalid_argument);
  auto heavy = two_parent(0.8f, 0.8f);  // LT in-weights sum to 1.6
  EXPECT_THROW(exact_spread(heavy, LinearThreshold{}, ok), std::invalid_argument);
  std::vector<vertex_t> none;
  EXPECT_DOUBLE_EQ(exact_spread(g, IndependentCascade{}, none).spread, 0.0);
}

TEST(Exact, LtFloatWeightsSummingToOneAddNoNoneOption) {
  const prob_t third = 1.0f / 3.0f;
  auto g = make(4, {0, 1, 2}, {3, 3, 3}, {third, third, third});
  std::vector<vertex_t> s{0};
  auto r = exact_spread(g, LinearThreshold{}, s);
  EXPECT_EQ(r.worlds, 3u);
  EXPECT_NEAR(r.spread, 1 + 1.0 / 3.0, 1e-6);
}

// Simulates the model's own step rule (the DiffusionModel driver contract) and checks the
// exact value within 6 exact standard deviations: this tests the live-edge equivalence itself.
template <class M>
void check_against_simulation(const FollowerGraph& g, const M& model, const std::vector<vertex_t>& seeds,
                              std::uint64_t seed, std::uint32_t max_steps) {
  ExactOptions o;
  o.max_steps = max_steps;
  const auto ex = exact_spread(g, model, seeds, o);
  const vertex_t n = g.num_vertices();
  const int trials = 200000;
  double sum = 0;
  for (int t = 0; t < trials; ++t) {
    Rng rng(seed, static_cast<std::uint64_t>(t), domain::trial);
    std::vector<typename M::NodeState> st(n);
    std::vector<char> active(n, 0);
    std::vector<vertex_t> frontier(seeds), next;
    for (vertex_t s : seeds) active[s] = 1;
    std::size_t reached = seeds.size();
    for (std::uint32_t step = 0; step < max_steps && !frontier.empty(); ++step) {
      next.clear();
      for (vertex_t u : frontier) {
        auto nb = g.out_neighbors(u);
        auto pr = g.out_probs(u);
        for (std::size_t j = 0; j < nb.size(); ++j) {
          const vertex_t v = nb[j];
          if (active[v]) continue;
          if (model.attempt(st[v], pr[j], rng)) {
            active[v] = 1;
            next.push_back(v);
          }
        }
      }
      reached += next.size();
      frontier.swap(next);
    }
    sum += static_cast<double>(reached);
  }
  const double mean = sum / trials;
  const double bound = 6 * std::sqrt(ex.variance) / std::sqrt(static_cast<double>(trials));
  EXPECT_LE(std::abs(mean - ex.spread), bound + 1e-12)
      << M::name << " exact " << ex.spread << " simulated " << mean << " max_steps " << max_steps;
}

TEST(Exact, AgreesWithSimulationOnRandomGraphs) {
  const std::uint64_t seed = test_seed();
  Rng gen(seed, 0, domain::generator);
  for (int rep = 0; rep < 3; ++rep) {
    const vertex_t n = 7;
    std::vector<vertex_t> src, dst;
    std::vector<prob_t> p_ic;
    for (vertex_t u = 0; u < n; ++u)
      for (vertex_t v = 0; v < n; ++v)
        if (u != v && gen.uniform() < 0.25 && src.size() < 14) {
          src.push_back(u);
          dst.push_back(v);
          p_ic.push_back(0.1f + 0.8f * gen.uniform_float());
        }
    auto gic = make(n, src, dst, p_ic);
    // LT weights: split 0.9 of each account's weight at random over its in-edges.
    std::vector<double> raw(src.size()), tot(n, 0.0);
    for (std::size_t e = 0; e < src.size(); ++e) tot[dst[e]] += raw[e] = 0.2 + gen.uniform();
    std::vector<prob_t> p_lt(src.size());
    for (std::size_t e = 0; e < src.size(); ++e) p_lt[e] = static_cast<prob_t>(0.9 * raw[e] / tot[dst[e]]);
    auto glt = make(n, src, dst, p_lt);
    std::vector<vertex_t> seeds{static_cast<vertex_t>(rep), static_cast<vertex_t>(rep + 3)};
    check_against_simulation(gic, IndependentCascade{}, seeds, seed + rep, UINT32_MAX);
    check_against_simulation(glt, LinearThreshold{}, seeds, seed + rep, UINT32_MAX);
    check_against_simulation(gic, IndependentCascade{}, seeds, seed + rep, 1);
    check_against_simulation(glt, LinearThreshold{}, seeds, seed + rep, 2);
  }
}

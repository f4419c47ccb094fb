// SPDX-License-Identifier: MIT
/// Tests of competitive IC: exact enumeration vs Monte Carlo per tie rule, coupling with
/// single-campaign IC, exact saved counts, thread invariance and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "kolsim/diffusion/competitive.hpp"
#include "kolsim/estimate/competitive_estimate.hpp"
#include "kolsim/estimate/exact.hpp"
#include "kolsim/estimate/monte_carlo.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/graph/generators.hpp"
#include "kolsim/graph/probabilities.hpp"

using namespace kolsim;

namespace {

using Seeds = std::vector<vertex_t>;  // dense indices

std::uint64_t test_seed() {
  static const std::uint64_t s = [] {
    std::uint64_t v = 20260529;
    if (const char* env = std::getenv("KOLSIM_TEST_SEED")) v = std::strtoull(env, nullptr, 10);
    std::printf("test_competitive seed = %llu (override with KOLSIM_TEST_SEED)\n", static_cast<unsigned long long>(v));
    return v;
  }();
  return s;
}

struct Arc {
  vertex_t u, v;
  prob_t pf, pc;
};

/// Model on dense vertices 0..n-1 with per-campaign probabilities.
CompetitiveIC make_model(vertex_t n, const std::vector<Arc>& arcs, TieRule rule, std::uint32_t delay = 0) {
  std::vector<vertex_t> src, dst;
  std::vector<prob_t> pf;
  std::map<std::pair<vertex_t, vertex_t>, prob_t> pc_of;
  for (const Arc& a : arcs) {
    src.push_back(a.u);
    dst.push_back(a.v);
    pf.push_back(a.pf);
    pc_of[{a.u, a.v}] = a.pc;
  }
  FollowerGraph gf = build_graph_dense(n, src, dst, pf);
  std::vector<prob_t> pc;
  for (vertex_t u = 0; u < n; ++u)
    for (vertex_t v : gf.out_neighbors(u)) pc.push_back(pc_of.at({u, v}));
  return CompetitiveIC(gf, gf.with_probabilities(pc), rule, delay);
}

void expect_close(const CountEstimate& mc, const ExactCount& ex, std::uint64_t trials, const char* what) {
  const double tol = 6.0 * std::sqrt(ex.variance) / std::sqrt(static_cast<double>(trials)) + 1e-9;
  EXPECT_LE(std::abs(mc.mean - ex.mean), tol) << what << ": mc " << mc.mean << " exact " << ex.mean;
}

// A small race: F seed 0, C seed 1; several routes cross, so ties, blocking and delays matter.
std::vector<Arc> race_arcs() {
  return {{0, 2, 0.6f, 0.3f}, {1, 2, 0.5f, 0.7f}, {2, 3, 0.8f, 0.4f}, {0, 3, 0.3f, 0.5f},
          {1, 4, 0.4f, 0.9f}, {3, 4, 0.7f, 0.2f}, {4, 5, 0.5f, 0.6f}, {2, 5, 0.2f, 0.8f}};
}

}  // namespace

TEST(Competitive, TieRulesExactByHand) {
  // F seed 0 and C seed 1 both follow-reach 2 with certainty in step 1: a pure tie.
  for (auto [rule, f_expect] : {std::pair{TieRule::misleading_wins, 2.0}, std::pair{TieRule::corrective_wins, 1.0},
                                std::pair{TieRule::random, 1.5}}) {
    const CompetitiveIC model = make_model(3, {{0, 2, 1.0f, 1.0f}, {1, 2, 1.0f, 1.0f}}, rule);
    const ExactCompetition ex = exact_competition(model, Seeds{0}, Seeds{1});
    EXPECT_DOUBLE_EQ(ex.misleading.mean, f_expect) << tie_rule_name(rule);
    EXPECT_DOUBLE_EQ(ex.corrective.mean, 3.0 - f_expect) << tie_rule_name(rule);
    EXPECT_DOUBLE_EQ(ex.misleading_alone.mean, 2.0);
    EXPECT_DOUBLE_EQ(ex.saved.mean, 2.0 - f_expect);
  }
  // With a delay of 1 the correction posts at step 1 and reaches 2 only at step 2: F wins.
  const CompetitiveIC late = make_model(3, {{0, 2, 1.0f, 1.0f}, {1, 2, 1.0f, 1.0f}}, TieRule::corrective_wins, 1);
  const ExactCompetition ex = exact_competition(late, Seeds{0}, Seeds{1});
  EXPECT_DOUBLE_EQ(ex.misleading.mean, 2.0);
  EXPECT_DOUBLE_EQ(ex.corrective.mean, 1.0);
  ASSERT_EQ(ex.corrective_per_step.size(), 2u);
  EXPECT_DOUBLE_EQ(ex.corrective_per_step[1], 1.0);
  // A C seed that F reaches before the delay adopts F and never posts.
  const CompetitiveIC hijack = make_model(2, {{0, 1, 1.0f, 1.0f}}, TieRule::corrective_wins, 2);
  const ExactCompetition h = exact_competition(hijack, Seeds{0}, Seeds{1});
  EXPECT_DOUBLE_EQ(h.misleading.mean, 2.0);
  EXPECT_DOUBLE_EQ(h.corrective.mean, 0.0);
}

TEST(Competitive, ExactMatchesMonteCarloEveryTieRule) {
  const std::uint64_t trials = 40000;
  for (TieRule rule : {TieRule::misleading_wins, TieRule::corrective_wins, TieRule::random}) {
    for (std::uint32_t delay : {0u, 1u}) {
      for (std::uint32_t max_steps : {2u, UINT32_MAX}) {
        const CompetitiveIC model = make_model(6, race_arcs(), rule, delay);
        ExactCompetitionOptions eo;
        eo.max_steps = max_steps;
        const ExactCompetition ex = exact_competition(model, Seeds{0}, Seeds{1}, eo);
        CompetitionOptions co;
        co.trials = trials;
        co.seed = test_seed();
        co.max_steps = max_steps;
        const CompetitiveEstimate mc = estimate_competition(model, Seeds{0}, Seeds{1}, co);
        SCOPED_TRACE(::testing::Message() << tie_rule_name(rule) << " delay " << delay << " max_steps " << max_steps);
        expect_close(mc.misleading, ex.misleading, trials, "misleading");
        expect_close(mc.corrective, ex.corrective, trials, "corrective");
        expect_close(mc.saved, ex.saved, trials, "saved");
        expect_close(mc.misleading_alone, ex.misleading_alone, trials, "alone");
        EXPECT_EQ(mc.trials, trials);
        // Per-step profiles sum to the reaches.
        double fs = 0, cs = 0;
        for (double x : mc.misleading_per_step) fs += x;
        for (double x : mc.corrective_per_step) cs += x;
        EXPECT_NEAR(fs, mc.misleading.mean, 1e-9);
        EXPECT_NEAR(cs, mc.corrective.mean, 1e-9);
        double efs = 0;
        for (double x : ex.misleading_per_step) efs += x;
        EXPECT_NEAR(efs, ex.misleading.mean, 1e-9);
        // The random tie rule lies between the two priority rules.
        if (max_steps == UINT32_MAX) {
          EXPECT_GT(ex.worlds, 1u);
        }
      }
    }
  }
  // Monotone in the tie rule: F does best when it wins ties.
  const auto f = [&](TieRule r) { return exact_competition(make_model(6, race_arcs(), r), Seeds{0}, Seeds{1}).misleading.mean; };
  EXPECT_GE(f(TieRule::misleading_wins), f(TieRule::random) - 1e-12);
  EXPECT_GE(f(TieRule::random), f(TieRule::corrective_wins) - 1e-12);
  EXPECT_GT(f(TieRule::misleading_wins), f(TieRule::corrective_wins));
}

TEST(Competitive, NoCorrectionIsSingleCampaignIc) {
  const CompetitiveIC model = make_model(6, race_arcs(), TieRule::random);
  // Exact: equals the IC enumeration of exact_spread on the misleading graph.
  const ExactCompetition ex = exact_competition(model, Seeds{0}, Seeds{});
  const ExactResult ic = exact_spread(model.misleading(), IndependentCascade{}, Seeds{0});
  EXPECT_NEAR(ex.misleading.mean, ic.spread, 1e-12);
  EXPECT_NEAR(ex.misleading.variance, ic.variance, 1e-9);
  EXPECT_DOUBLE_EQ(ex.corrective.mean, 0.0);
  // Monte Carlo: coupled per trial (alone == misleading exactly), and within tolerance of
  // estimate_spread (whose coins differ).
  const std::uint64_t trials = 40000;
  CompetitionOptions co;
  co.trials = trials;
  co.seed = test_seed();
  const CompetitiveEstimate mc = estimate_competition(model, Seeds{0}, Seeds{}, co);
  EXPECT_EQ(mc.misleading.mean, mc.misleading_alone.mean);
  EXPECT_EQ(mc.saved.mean, 0.0);
  MonteCarloOptions mo;
  mo.trials = trials;
  mo.seed = test_seed() + 1;
  const SpreadEstimate se = estimate_spread(model.misleading(), IndependentCascade{}, Seeds{0}, mo);
  const double tol = 6.0 * std::sqrt(2.0 * ic.variance / static_cast<double>(trials));
  EXPECT_LE(std::abs(mc.misleading.mean - se.mean), tol);
  expect_close(mc.misleading, {ic.spread, ic.variance}, trials, "vs exact_spread");

  // Larger graph: F-alone reach over the same worlds as the competitive run with C.
  const FollowerGraph g = constant_probability(erdos_renyi(300, 1500, 7), 0.15f);
  const CompetitiveIC big(g, TieRule::misleading_wins);
  co.trials = 4000;
  const CompetitiveEstimate a = estimate_competition(big, Seeds{0, 1, 2}, Seeds{}, co);
  const CompetitiveEstimate b = estimate_competition(big, Seeds{0, 1, 2}, Seeds{10, 11}, co);
  EXPECT_EQ(a.misleading.mean, b.misleading_alone.mean);  // same worlds, bit for bit
  EXPECT_NEAR(b.saved.mean, b.misleading_alone.mean - b.misleading.mean, 1e-9);
  EXPECT_GE(b.saved.mean, 0.0);
}

TEST(Competitive, CoveringFollowersAtProbabilityOneSavesExactly) {
  // C seeds = every follower of the F seeds, C probabilities 1, no delay: F never leaves its
  // seeds, so saved = (F-alone reach) - |F seeds| in every world.
  const FollowerGraph base = erdos_renyi(200, 1000, 11);
  const FollowerGraph gf = constant_probability(base, 0.3f);
  const FollowerGraph gc = constant_probability(base, 1.0f);
  const std::vector<vertex_t> fseeds{0, 1, 2};
  std::vector<char> is_f(200, 0), is_c(200, 0);
  for (vertex_t s : fseeds) is_f[s] = 1;
  std::vector<vertex_t> cseeds;
  for (vertex_t s : fseeds)
    for (vertex_t v : gf.out_neighbors(s))
      if (!is_f[v] && !is_c[v]) {
        is_c[v] = 1;
        cseeds.push_back(v);
      }
  for (TieRule rule : {TieRule::misleading_wins, TieRule::random}) {
    const CompetitiveIC model(gf, gc, rule);
    CompetitionOptions co;
    co.trials = 2000;
    co.seed = test_seed();
    const CompetitiveEstimate e = estimate_competition(model, fseeds, cseeds, co);
    EXPECT_EQ(e.misleading.mean, 3.0);
    EXPECT_EQ(e.misleading.std_error, 0.0);
    EXPECT_DOUBLE_EQ(e.saved.mean, e.misleading_alone.mean - 3.0);
    EXPECT_NEAR(e.saved.std_error, e.misleading_alone.std_error, 1e-9);
    // Deterministic version: pF = 1 too, so saved = |reach(F)| - 3 exactly.
    const CompetitiveIC det(gc, gc, rule);
    const CompetitiveEstimate d = estimate_competition(det, fseeds, cseeds, co);
    const SpreadEstimate reach = estimate_spread(gc, IndependentCascade{}, fseeds, [] { MonteCarloOptions o; o.trials = 64; return o; }());
    EXPECT_EQ(d.saved.mean, reach.mean - 3.0);
    EXPECT_EQ(d.saved.std_error, 0.0);
  }
}

TEST(Competitive, ThreadInvariance) {
  const FollowerGraph base = chung_lu(3000, 6.0, 2.5, 2.1, 5);
  const CompetitiveIC model(weighted_cascade(base), uniform_probability(base, 0.0f, 0.4f, 9), TieRule::random, 1);
  CompetitionOptions co;
  co.trials = 3000;
  co.seed = test_seed();
  co.threads = 1;
  const CompetitiveEstimate a = estimate_competition(model, Seeds{0, 5, 9}, Seeds{100, 200}, co);
  co.threads = 2;
  const CompetitiveEstimate b = estimate_competition(model, Seeds{0, 5, 9}, Seeds{100, 200}, co);
  EXPECT_EQ(a.misleading.mean, b.misleading.mean);
  EXPECT_EQ(a.misleading.std_error, b.misleading.std_error);
  EXPECT_EQ(a.corrective.mean, b.corrective.mean);
  EXPECT_EQ(a.saved.mean, b.saved.mean);
  EXPECT_EQ(a.misleading_per_step, b.misleading_per_step);
  EXPECT_EQ(a.corrective_per_step, b.corrective_per_step);
  EXPECT_EQ(a.edges_examined, b.edges_examined);
}

TEST(Competitive, TraceIsTrialZero) {
  const CompetitiveIC model = make_model(6, race_arcs(), TieRule::random, 1);
  const CompetitiveTrace t = simulate_competition(model, Seeds{0}, Seeds{1}, 42);
  CompetitionOptions co;
  co.trials = 1;
  co.seed = 42;
  const CompetitiveEstimate e = estimate_competition(model, Seeds{0}, Seeds{1}, co);
  EXPECT_EQ(static_cast<double>(t.misleading_reach), e.misleading.mean);
  EXPECT_EQ(static_cast<double>(t.corrective_reach), e.corrective.mean);
  EXPECT_EQ(static_cast<double>(t.misleading_alone), e.misleading_alone.mean);
  EXPECT_EQ(t.activated.size(), t.misleading_reach + t.corrective_reach);
  EXPECT_EQ(t.activated[0], 0u);
  for (std::size_t i = 1; i < t.step.size(); ++i) EXPECT_LE(t.step[i - 1], t.step[i]);
}

TEST(Competitive, BadInput) {
  const CompetitiveIC model = make_model(6, race_arcs(), TieRule::misleading_wins);
  EXPECT_THROW(estimate_competition(model, Seeds{0, 1}, Seeds{1}), std::invalid_argument);  // overlap
  EXPECT_THROW(estimate_competition(model, Seeds{0, 0}, Seeds{1}), std::invalid_argument);  // duplicate
  EXPECT_THROW(estimate_competition(model, Seeds{0}, Seeds{1, 1}), std::invalid_argument);
  EXPECT_THROW(estimate_competition(model, Seeds{0}, Seeds{6}), std::out_of_range);
  EXPECT_THROW(exact_competition(model, Seeds{9}, Seeds{1}), std::out_of_range);
  CompetitionOptions zero;
  zero.trials = 0;
  EXPECT_THROW(estimate_competition(model, Seeds{0}, Seeds{1}, zero), std::invalid_argument);
  EXPECT_THROW(parse_tie_rule("fifty_fifty"), std::invalid_argument);
  EXPECT_EQ(parse_tie_rule("random"), TieRule::random);
  // Different topologies.
  const FollowerGraph a = constant_probability(erdos_renyi(20, 40, 1), 0.1f);
  const FollowerGraph b = constant_probability(erdos_renyi(20, 40, 2), 0.1f);
  EXPECT_THROW(CompetitiveIC(a, b), std::invalid_argument);
  // Equal structure built twice is accepted.
  const FollowerGraph a2 = constant_probability(erdos_renyi(20, 40, 1), 0.2f);
  EXPECT_NO_THROW(CompetitiveIC(a, a2));
  // No probabilities.
  EXPECT_THROW(CompetitiveIC(erdos_renyi(20, 40, 1)), std::invalid_argument);
  // Too many worlds.
  const CompetitiveIC big(constant_probability(erdos_renyi(30, 200, 3), 0.5f));
  EXPECT_THROW(exact_competition(big, Seeds{0}, Seeds{1}), std::invalid_argument);
}

// ---- Competitive LT (weight-proportional, Borodin, Filmus, Oren 2010) ----

namespace {

FollowerGraph lt_graph(vertex_t n, std::vector<std::pair<vertex_t, vertex_t>> edges, std::vector<prob_t> w) {
  std::vector<vertex_t> s, t;
  for (auto [a, b] : edges) {
    s.push_back(a);
    t.push_back(b);
  }
  return build_graph_dense(n, s, t, w);
}

// Random tiny LT graph: m distinct arcs, in-weights scaled to sum <= 0.9.
FollowerGraph random_lt(vertex_t n, std::size_t m, std::uint64_t seed) {
  Rng rng(seed, 0, domain::generator);
  std::vector<std::pair<vertex_t, vertex_t>> arcs;
  std::vector<prob_t> w;
  std::vector<double> insum(n, 0.0);
  while (arcs.size() < m) {
    const vertex_t a = rng.below(n), b = rng.below(n);
    if (a == b || std::find(arcs.begin(), arcs.end(), std::make_pair(a, b)) != arcs.end()) continue;
    arcs.push_back({a, b});
    w.push_back(static_cast<prob_t>(0.1 + 0.8 * rng.uniform()));
    insum[b] += w.back();
  }
  for (std::size_t i = 0; i < arcs.size(); ++i)
    if (insum[arcs[i].second] > 0.9) w[i] = static_cast<prob_t>(w[i] * 0.9 / insum[arcs[i].second]);
  return lt_graph(n, arcs, w);
}

}  // namespace

TEST(CompetitiveLT, ExactByHand) {
  // a (F) -> c (0.3), b (C) -> c (0.5): c adopts with 0.8, F with share 0.3 / 0.8.
  const CompetitiveLT m(lt_graph(3, {{0, 2}, {1, 2}}, {0.3f, 0.5f}));
  const auto r = exact_competition(m, Seeds{0}, Seeds{1});
  EXPECT_NEAR(r.misleading.mean, 1.3, 1e-6);
  EXPECT_NEAR(r.corrective.mean, 1.5, 1e-6);
  EXPECT_NEAR(r.misleading_alone.mean, 1.3, 1e-6);
  // C's weight can tip an account that then picks F: a (F) -> c (0.3), b (C) -> x (1) -> c (0.3).
  // Step 1: c adopts F with 0.3. Step 2 (x active): c adopts with (0.6 - 0.3) / 0.7 more, F with
  // share 1/2: P(c adopts F) = 0.3 + 0.15 = 0.45, P(C) = 0.15. The live-edge variant would give 0.3.
  const CompetitiveLT m2(lt_graph(4, {{0, 3}, {1, 2}, {2, 3}}, {0.3f, 1.0f, 0.3f}));
  const auto r2 = exact_competition(m2, Seeds{0}, Seeds{1});
  EXPECT_NEAR(r2.misleading_probability[3], 0.45, 1e-6);
  EXPECT_NEAR(r2.corrective_probability[3], 0.15, 1e-6);
  EXPECT_NEAR(r2.saved.mean, -0.15, 1e-6);  // the correction raised F's reach
  EXPECT_GT(r2.saved.variance, 0.0);
}

TEST(CompetitiveLT, NoCorrectionIsLinearThreshold) {
  // The branching enumeration with no C equals the live-edge enumeration of LT.
  for (std::uint64_t i = 0; i < 6; ++i) {
    const auto g = random_lt(6, 10, test_seed() + i);
    const CompetitiveLT m(g);
    for (std::uint32_t steps : {1u, 2u, UINT32_MAX}) {
      ExactCompetitionOptions eo;
      eo.max_steps = steps;
      ExactOptions lo;
      lo.max_steps = steps;
      const Seeds f{static_cast<vertex_t>(i % 6)};
      const auto a = exact_competition(m, f, Seeds{}, eo);
      const auto b = exact_spread(g, LinearThreshold{}, f, lo);
      EXPECT_NEAR(a.misleading.mean, b.spread, 1e-9);
      EXPECT_NEAR(a.misleading.variance, b.variance, 1e-9);
      for (vertex_t v = 0; v < 6; ++v) EXPECT_NEAR(a.misleading_probability[v], b.activation_probability[v], 1e-9);
    }
  }
}

TEST(CompetitiveLT, ExactMatchesMonteCarlo) {
  const std::uint64_t trials = 20000;
  for (std::uint64_t i = 0; i < 4; ++i) {
    const CompetitiveLT m(random_lt(7, 14, test_seed() + 50 + i));
    const Seeds f{0, 1}, c{2};
    const auto ex = exact_competition(m, f, c);
    CompetitionOptions o;
    o.trials = trials;
    o.seed = test_seed() + i;
    const auto mc = estimate_competition(m, f, c, o);
    auto near = [&](const CountEstimate& e, const ExactCount& x, const char* what) {
      EXPECT_NEAR(e.mean, x.mean, 6.0 * std::sqrt(x.variance / trials) + 1e-9) << what << " graph " << i;
    };
    near(mc.misleading, ex.misleading, "misleading");
    near(mc.corrective, ex.corrective, "corrective");
    near(mc.misleading_alone, ex.misleading_alone, "alone");
    near(mc.saved, ex.saved, "saved");
    double sum = 0;
    for (double x : ex.misleading_per_step) sum += x;
    EXPECT_NEAR(sum, ex.misleading.mean, 1e-9);
  }
}

TEST(CompetitiveLT, ThreadInvarianceTraceAndBadInput) {
  const auto g = weighted_cascade(erdos_renyi(400, 2400, 3));
  const CompetitiveLT m(g);
  const Seeds f{0, 1, 2}, c{3, 4};
  CompetitionOptions o;
  o.trials = 3000;
  o.seed = 11;
  o.threads = 1;
  const auto a = estimate_competition(m, f, c, o);
  o.threads = 3;
  const auto b = estimate_competition(m, f, c, o);
  EXPECT_EQ(a.misleading.mean, b.misleading.mean);
  EXPECT_EQ(a.saved.std_error, b.saved.std_error);
  EXPECT_EQ(a.corrective_per_step, b.corrective_per_step);
  EXPECT_GT(a.corrective.mean, 2.0);
  const auto tr = simulate_competition(m, f, c, 11);
  o.trials = 1;
  const auto one = estimate_competition(m, f, c, o);
  EXPECT_EQ(static_cast<double>(tr.misleading_reach), one.misleading.mean);
  EXPECT_EQ(static_cast<double>(tr.misleading_alone), one.misleading_alone.mean);
  EXPECT_THROW(estimate_competition(m, f, Seeds{0}, o), std::invalid_argument);
  EXPECT_THROW(estimate_competition(m, f, Seeds{400}, o), std::out_of_range);
  EXPECT_THROW(CompetitiveLT(lt_graph(3, {{0, 2}, {1, 2}}, {0.7f, 0.7f})), std::invalid_argument);
}

// SPDX-License-Identifier: MIT
/// Tests of the cascade layer: readers, summaries, splits, EM and credit learners (exact cases and
/// recovery of known probabilities), the IC likelihood, and held-out prediction scores.
#include <gtest/gtest.h>

#include <kolsim/kolsim.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "support.hpp"

namespace {

using namespace kolsim;

std::uint64_t test_seed() { return test_support::test_seed("test_learn", 20261203ULL); }

std::string write_temp(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / "kolsim_test_learn";
  std::filesystem::create_directories(dir);
  const auto p = (dir / name).string();
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

/// Accounts 10, 20, 30, 40: 10 -> 20 -> 30, 10 -> 30, 40 isolated-ish (40 -> 10).
FollowerGraph small_graph() {
  std::vector<account_t> src{10, 20, 10, 40}, dst{20, 30, 30, 10};
  return build_graph(src, dst);
}

TEST(Cascades, ReadsBothPerLineLayoutsAndTheRootField) {
  const auto g = small_graph();
  // Layout A with the MS-HGAT root field, and layout B; a byte-order mark is skipped and a lone
  // CR ends a line (the text grammar every reader shares).
  const auto p = write_temp("a.txt", "\xEF\xBB\xBF" "10 20 5,30 7,\r20,1 30,2\n# comment\n40 0, 99 3, 10 4\n");
  CascadeReadReport rep;
  const auto cs = read_cascades(p, g, {}, &rep);
  ASSERT_EQ(cs.size(), 3u);
  EXPECT_EQ(std::vector<vertex_t>(cs.adopters(0).begin(), cs.adopters(0).end()),
            (std::vector<vertex_t>{g.index_of(10), g.index_of(20), g.index_of(30)}));
  EXPECT_EQ(cs.adoption_times(0)[0], 5.0);
  EXPECT_EQ(cs.adoption_times(0)[2], 7.0);
  EXPECT_EQ(cs.adopters(1).size(), 2u);
  EXPECT_EQ(cs.adopters(2).size(), 2u);  // 99 is not in the graph
  EXPECT_EQ(cs.outside[2], 1u);
  EXPECT_EQ(rep.outside_adoptions, 1u);
  EXPECT_EQ(cs.ids[2], 4u);  // line numbers
}

TEST(Cascades, ReadsLongCsvGroupedAndSortedByTime) {
  const auto g = small_graph();
  const auto p = write_temp("b.csv", "cascade_id,account,time\n7,30,9\n7,10,1\n3,20,2\n7,20,5\n3,20,8\n");
  CascadeReadReport rep;
  const auto cs = read_cascades(p, g, {}, &rep);
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs.ids[0], 7u);
  EXPECT_EQ(cs.adopters(0)[0], g.index_of(10));
  EXPECT_EQ(cs.adopters(0)[2], g.index_of(30));
  EXPECT_EQ(cs.adopters(1).size(), 1u);  // the repeat adoption of 20 is ignored, and counted
  EXPECT_EQ(rep.repeat_adoptions, 1u);
}

TEST(Cascades, BadInputNamesFileAndLine) {
  const auto g = small_graph();
  auto expect_error = [&](const std::string& name, const std::string& text, std::uint64_t line, const char* what) {
    const auto p = write_temp(name, text);
    try {
      (void)read_cascades(p, g);
      ADD_FAILURE() << name << ": no error";
    } catch (const ParseError& e) {
      EXPECT_EQ(e.line(), line) << e.what();
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  };
  expect_error("dec.txt", "10 5,20 7\n20 9,30 3\n", 2, "decrease");
  expect_error("hex.txt", "10 0x10,20 7\n", 1, "time");
  expect_error("inf.txt", "10 inf,20 7\n", 1, "time");
  expect_error("neg.txt", "-10 1,20 7\n", 1, "account");
  expect_error("shape.txt", "10 1,20 7 8 9\n", 1, "adoption 2");
  expect_error("hdr.csv", "cascade_id,account\n1,10\n", 1, "header");
  CascadeReadOptions strict;
  strict.allow_outside = false;
  const auto p = write_temp("out.txt", "10 1,77 2\n");
  EXPECT_THROW((void)read_cascades(p, g, strict), ParseError);
  EXPECT_THROW((void)read_cascades(write_temp("x", "") + ".missing", g), IoError);
}

TEST(Cascades, SummaryCountsExplainedAdoptionsDepthAndTimes) {
  const auto g = small_graph();
  Cascades cs;
  cs.graph_vertices = g.num_vertices();
  const vertex_t a = g.index_of(10), b = g.index_of(20), c = g.index_of(30), d = g.index_of(40);
  std::vector<vertex_t> v1{a, b, c}, v2{c, d};
  std::vector<double> t1{0, 10, 30}, t2{0, 4};
  cs.add(v1, t1, 1);
  cs.add(v2, t2, 2);
  const auto s = summarize_cascades(g, cs);
  EXPECT_EQ(s.sizes, (std::vector<std::uint64_t>{3, 2}));
  EXPECT_EQ(s.depths, (std::vector<std::uint32_t>{2, 0}));    // 10 -> 20 -> 30; 40 has no adopting in-neighbour
  EXPECT_DOUBLE_EQ(s.explained_fraction, 2.0 / 3.0);         // b and c explained, d not
  EXPECT_DOUBLE_EQ(s.durations[0], 30.0);
  EXPECT_DOUBLE_EQ(s.time_to_half[0], 10.0);  // 2 of 3 adopters by t = 10
  EXPECT_DOUBLE_EQ(s.time_to_90[0], 30.0);
}

TEST(Cascades, SplitsAreDeterministic) {
  Cascades cs;
  cs.graph_vertices = 5;
  for (std::uint64_t i = 0; i < 10; ++i) {
    std::vector<vertex_t> v{static_cast<vertex_t>(i % 5)};
    std::vector<double> t{static_cast<double>(100 - i)};  // later lines start earlier
    cs.add(v, t, i);
  }
  const auto s = split_by_time(cs, 0.2);
  EXPECT_EQ(s.test, (std::vector<std::size_t>{1, 0}));  // the two latest starts
  EXPECT_EQ(s.train.size(), 8u);
  const auto r1 = split_by_cascade(cs, 0.3, 7), r2 = split_by_cascade(cs, 0.3, 7);
  EXPECT_EQ(r1.test, r2.test);
  EXPECT_EQ(r1.test.size(), 3u);
}

/// Cascades on the single edge u -> v: u adopts in every cascade, v after it in `hits` of them.
Cascades single_edge_cascades(const FollowerGraph& g, int total, int hits) {
  Cascades cs;
  cs.graph_vertices = g.num_vertices();
  for (int i = 0; i < total; ++i) {
    std::vector<vertex_t> v{0};
    std::vector<double> t{0};
    if (i < hits) {
      v.push_back(1);
      t.push_back(1);
    }
    cs.add(v, t, static_cast<std::uint64_t>(i));
  }
  return cs;
}

TEST(LearnEm, SingleEdgeGivesTheExactMaximumLikelihood) {
  const auto g = build_graph(std::vector<account_t>{0}, std::vector<account_t>{1});
  const auto cs = single_edge_cascades(g, 40, 10);
  EmOptions o;
  o.shrinkage = false;
  const auto r = learn_ic_em(g, cs, o);
  EXPECT_NEAR(r.probability[0], 0.25, 1e-9);
  EXPECT_EQ(r.trials[0], 40u);
  EXPECT_NEAR(r.successes[0], 10.0, 1e-9);
  EXPECT_NEAR(r.log_likelihood, 10 * std::log(0.25) + 30 * std::log(0.75), 1e-9);
  EXPECT_TRUE(r.converged);
  // Shrinkage with a given Beta(2, 6) prior: (10 + 2) / (40 + 8), posterior sd of Beta(12, 36).
  o.shrinkage = true;
  o.prior_alpha = 2;
  o.prior_beta = 6;
  const auto s = learn_ic_em(g, cs, o);
  EXPECT_NEAR(s.probability[0], 12.0 / 48.0, 1e-9);
  EXPECT_NEAR(s.std_error[0], std::sqrt(12.0 * 36.0 / (48.0 * 48.0 * 49.0)), 1e-9);
  // The learned graph carries the probabilities for every estimator.
  EXPECT_FLOAT_EQ(s.graph.edge_probs()[0], 0.25f);
}

TEST(LearnEm, PriorMustBeFinitePositivePairOrNone) {
  const auto g = build_graph(std::vector<account_t>{0}, std::vector<account_t>{1});
  Cascades cs;
  cs.graph_vertices = g.num_vertices();
  std::vector<vertex_t> v{0, 1};
  std::vector<double> t{0, 1};
  cs.add(v, t, 1);
  EmOptions o;
  o.shrinkage = true;
  const double inf = std::numeric_limits<double>::infinity();
  for (auto [a, b] : std::vector<std::pair<double, double>>{
           {inf, 1.0}, {1.0, inf}, {std::nan(""), 1.0}, {1.0, std::nan("")}, {-1.0, 1.0}, {1.0, 0.0}}) {
    o.prior_alpha = a;
    o.prior_beta = b;
    try {
      learn_ic_em(g, cs, o);
      ADD_FAILURE() << "prior (" << a << ", " << b << ") was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("prior_alpha = "), std::string::npos) << e.what();
    }
  }
}

TEST(LearnEm, TwoParentsShareCreditAndMatchTheirMarginals) {
  // a -> c and b -> c; a alone in 20 cascades (c follows in 10), b alone in 20 (c follows in 5),
  // both in 20 (c follows in 11). The MLE has p_a = 0.5, p_b = 0.25 and fits the joint cell
  // 1 - 0.5 * 0.75 = 0.625 against 11/20 = 0.55: EM converges to the joint maximum, which we check
  // by perturbation (no direction improves the likelihood).
  const auto g = build_graph(std::vector<account_t>{0, 1}, std::vector<account_t>{2, 2});
  Cascades cs;
  cs.graph_vertices = 3;
  auto add = [&](std::vector<vertex_t> v) {
    std::vector<double> t(v.size());
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<double>(i == 0 ? 0 : (v[i] == 2 ? 2 : 0));
    cs.add(v, t, cs.size());
  };
  for (int i = 0; i < 20; ++i) add(i < 10 ? std::vector<vertex_t>{0, 2} : std::vector<vertex_t>{0});
  for (int i = 0; i < 20; ++i) add(i < 5 ? std::vector<vertex_t>{1, 2} : std::vector<vertex_t>{1});
  for (int i = 0; i < 20; ++i) add(i < 11 ? std::vector<vertex_t>{0, 1, 2} : std::vector<vertex_t>{0, 1});
  EmOptions o;
  o.shrinkage = false;
  o.tolerance = 1e-12;
  o.max_iterations = 100000;
  const auto r = learn_ic_em(g, cs, o);
  ASSERT_TRUE(r.converged);
  auto ll = [&](double pa, double pb) {
    return 10 * std::log(pa) + 10 * std::log(1 - pa) + 5 * std::log(pb) + 15 * std::log(1 - pb) +
           11 * std::log(1 - (1 - pa) * (1 - pb)) + 9 * std::log((1 - pa) * (1 - pb));
  };
  const double pa = r.probability[0], pb = r.probability[1];
  EXPECT_NEAR(r.log_likelihood, ll(pa, pb), 1e-9);
  for (double da : {-1e-4, 0.0, 1e-4})
    for (double db : {-1e-4, 0.0, 1e-4}) EXPECT_LE(ll(pa + da, pb + db), ll(pa, pb) + 1e-12);
  // The likelihood of the same cascades through ic_log_likelihood agrees.
  EXPECT_NEAR(ic_log_likelihood(r.graph, cs).log_likelihood, ll(pa, pb), 1e-5);  // graph stores floats
}

TEST(LearnEm, SaitoWindowCountsOnlyTheNextStep) {
  // u adopts at step 0; v at step 3 in one cascade, at step 1 in another. With Saito's window
  // (lag exactly 1 step) the first is a failure and the second a success: p = 1/2.
  const auto g = build_graph(std::vector<account_t>{0}, std::vector<account_t>{1});
  Cascades cs;
  cs.graph_vertices = 2;
  std::vector<vertex_t> v{0, 1};
  std::vector<double> t1{0, 3}, t2{0, 1};
  cs.add(v, t1, 0);
  cs.add(v, t2, 1);
  EmOptions o;
  o.shrinkage = false;
  o.window.min_lag_steps = 1;
  o.window.max_lag_steps = 1;
  const auto r = learn_ic_em(g, cs, o);
  EXPECT_NEAR(r.probability[0], 0.5, 1e-9);
  EXPECT_EQ(r.unexplained, 1u);  // v at step 3 has no parent in the window
  o.window.max_lag_steps = 5;
  EXPECT_NEAR(learn_ic_em(g, cs, o).probability[0], 1.0, 1e-9);
}

TEST(LearnCredit, BernoulliAndJaccardCount) {
  const auto g = build_graph(std::vector<account_t>{0}, std::vector<account_t>{1});
  auto cs = single_edge_cascades(g, 40, 10);
  std::vector<vertex_t> only_v{1};
  std::vector<double> t{0};
  for (int i = 0; i < 10; ++i) cs.add(only_v, t, 100 + i);  // v alone: Jaccard's denominator grows
  EmOptions o;
  o.shrinkage = false;
  EXPECT_NEAR(learn_credit(g, cs, CreditScheme::bernoulli, o).probability[0], 10.0 / 40.0, 1e-12);
  EXPECT_NEAR(learn_credit(g, cs, CreditScheme::jaccard, o).probability[0], 10.0 / 50.0, 1e-12);
  EXPECT_NEAR(learn_credit(g, cs, CreditScheme::lt_weights, o).probability[0], 10.0 / 20.0, 1e-12);
}

/// Simulates `count` IC cascades from random single seeds, with adoption time = step.
Cascades simulate_cascades(const FollowerGraph& g, std::size_t count, std::uint64_t seed) {
  Cascades cs;
  cs.graph_vertices = g.num_vertices();
  for (std::size_t i = 0; i < count; ++i) {
    Rng rng(seed, i, domain::selection);
    const std::vector<vertex_t> s{static_cast<vertex_t>(rng.next_u64() % g.num_vertices())};
    const auto tr = simulate(g, IndependentCascade{}, std::span<const vertex_t>(s), seed * 1000003 + i);
    std::vector<double> t(tr.step.begin(), tr.step.end());
    cs.add(tr.activated, t, i);
  }
  return cs;
}

TEST(LearnEm, RecoversKnownProbabilitiesAsCascadesGrow) {
  // Truth: a random graph with probabilities in [0.05, 0.6]; cascades simulated in discrete time;
  // Saito's window. The reported standard errors must cover the truth at about their nominal
  // rate, and the error must shrink with more cascades.
  const std::uint64_t seed = test_seed();
  auto topo = erdos_renyi(60, 280, seed);
  const auto g = uniform_probability(topo, 0.05f, 0.6f, seed + 1);
  EmOptions o;
  o.window.min_lag_steps = 1;
  o.window.max_lag_steps = 1;
  o.tolerance = 1e-9;
  o.max_iterations = 5000;
  double err_small = 0, err_large = 0;
  std::size_t covered = 0, scored = 0;
  for (std::size_t count : {300u, 6000u}) {
    const auto cs = simulate_cascades(g, count, seed + count);
    const auto r = learn_ic_em(g, cs, o);
    double err = 0;
    std::size_t k = 0;
    for (edge_t e = 0; e < g.num_edges(); ++e) {
      if (r.trials[e] < 30) continue;
      const double truth = g.edge_probs()[e];
      err += std::abs(r.probability[e] - truth);
      ++k;
      if (count == 6000u) {
        ++scored;
        covered += std::abs(r.probability[e] - truth) <= 2.0 * r.std_error[e];
      }
    }
    ASSERT_GT(k, 20u) << "seed " << seed;
    (count == 300u ? err_small : err_large) = err / static_cast<double>(k);
  }
  EXPECT_LT(err_large, 0.6 * err_small) << "seed " << seed;
  EXPECT_LT(err_large, 0.05) << "seed " << seed;
  // +-2 sd holds ~95% of edges if the errors are honest; allow for a few hundred edges' noise.
  const double rate = static_cast<double>(covered) / static_cast<double>(scored);
  std::printf("recovery: mean abs error %.4f (300 cascades) -> %.4f (6000); truth within 2 sd on %.3f of %zu edges\n",
              err_small, err_large, rate, scored);
  EXPECT_GT(rate, 0.85) << "seed " << seed << ", " << scored << " edges";
}

TEST(LearnEm, SquaremReachesTheSameFixedPointInFewerSteps) {
  // Same evidence, same stopping rule: SQUAREM and plain EM agree on every probability (to well
  // within the tolerance's reach) and on the likelihood; SQUAREM takes far fewer EM steps.
  const std::uint64_t seed = test_seed();
  auto topo = erdos_renyi(60, 280, seed);
  const auto g = uniform_probability(topo, 0.05f, 0.6f, seed + 1);
  const auto cs = simulate_cascades(g, 800, seed + 7);
  for (bool exogenous : {false, true}) {
    EmOptions o;
    o.tolerance = 1e-10;
    o.max_iterations = 20000;
    o.exogenous = exogenous;
    o.squarem = false;
    const auto plain = learn_ic_em(g, cs, o);
    o.squarem = true;
    const auto fast = learn_ic_em(g, cs, o);
    ASSERT_TRUE(plain.converged);
    ASSERT_TRUE(fast.converged);
    double worst = 0;
    for (edge_t e = 0; e < g.num_edges(); ++e) worst = std::max(worst, std::abs(plain.probability[e] - fast.probability[e]));
    for (std::size_t v = 0; v < plain.exogenous.size(); ++v)
      worst = std::max(worst, std::abs(plain.exogenous[v] - fast.exogenous[v]));
    std::printf("squarem (exogenous %d): %u -> %u EM steps, largest difference %.2e\n", exogenous, plain.iterations,
                fast.iterations, worst);
    EXPECT_LT(worst, 1e-5);
    EXPECT_NEAR(plain.log_likelihood, fast.log_likelihood, 1e-6 * std::abs(plain.log_likelihood));
    EXPECT_LT(fast.iterations * 2, plain.iterations);
  }
}

TEST(Predict, NowcastingConditionsTheIntensityOnThePrefix) {
  // 40 accounts without edges: every adoption is exogenous, q = 0.05 each, intensities {0.2, 1, 5}.
  // A cascade whose first 100 s hold many adoptions is predicted larger than one with a single
  // adopter; unconditioned, both add the same exogenous draws to their prefix.
  const vertex_t n = 40;
  std::vector<vertex_t> none;
  const auto g = build_graph_dense(n, none, none, std::span<const prob_t>{});
  const auto gp = g.with_probabilities(std::vector<prob_t>{});
  Cascades cs;
  cs.graph_vertices = n;
  std::vector<vertex_t> busy, quiet{5, 6};
  std::vector<double> tb, tq{0, 500};
  for (vertex_t v = 10; v < 18; ++v) {
    busy.push_back(v);
    tb.push_back((v - 10) * 10.0);
  }
  cs.add(busy, tb, 0);
  cs.add(quiet, tq, 1);
  PredictOptions o;
  o.trials = 2000;
  o.seed = test_seed();
  o.observed_seconds = 100;
  o.exogenous.assign(n, 0.05);
  o.exogenous_scales = {0.2, 1.0, 5.0};
  const auto plain = evaluate_predictions(gp, IndependentCascade{}, cs, o);
  o.exogenous_delays = {50, 150};  // half of the exogenous adoption happens by 100 s
  const auto cond = evaluate_predictions(gp, IndependentCascade{}, cs, o);
  const double added_busy = cond.cascades[0].predicted_mean - cond.cascades[0].seeded;
  const double added_quiet = cond.cascades[1].predicted_mean - cond.cascades[1].seeded;
  std::printf("nowcast: added adopters busy %.2f quiet %.2f (unconditioned %.2f %.2f)\n", added_busy, added_quiet,
              plain.cascades[0].predicted_mean - plain.cascades[0].seeded,
              plain.cascades[1].predicted_mean - plain.cascades[1].seeded);
  EXPECT_GT(added_busy, 3.0 * added_quiet);
  // Exact: when every exogenous adoption happens by tau, nothing is left to come.
  o.exogenous_delays = {50, 60};
  const auto done = evaluate_predictions(gp, IndependentCascade{}, cs, o);
  EXPECT_EQ(done.cascades[0].predicted_mean, done.cascades[0].seeded);
  EXPECT_EQ(done.cascades[1].predicted_mean, done.cascades[1].seeded);
}

TEST(Predict, IntensitySpreadKeepsTheMeanAndWidensTheInterval) {
  const vertex_t n = 200;
  std::vector<vertex_t> none;
  const auto gp = build_graph_dense(n, none, none, std::span<const prob_t>{}).with_probabilities(std::vector<prob_t>{});
  PredictOptions o;
  o.trials = 4000;
  o.seed = test_seed();
  o.exogenous.assign(n, 0.05);
  o.exogenous_scales = {1.0};
  const std::vector<vertex_t> seeds{0};
  const auto a = predict_cascade(gp, IndependentCascade{}, seeds, o);
  o.intensity_spread = 0.8;
  const auto b = predict_cascade(gp, IndependentCascade{}, seeds, o);
  EXPECT_NEAR(a.mean, 1 + 199 * 0.05, 6 * a.std_error);
  EXPECT_NEAR(b.mean, a.mean, 6 * b.std_error);
  EXPECT_GT(b.quantile(0.95) - b.quantile(0.05), 1.5 * (a.quantile(0.95) - a.quantile(0.05)));
}

TEST(Predict, DegenerateProbabilitiesAreExact) {
  const auto topo = small_graph();
  const std::vector<vertex_t> seeds{topo.index_of(10)};
  PredictOptions o;
  o.trials = 50;
  o.seed = test_seed();
  const auto d0 = predict_cascade(constant_probability(topo, 0.0f), IndependentCascade{}, std::span<const vertex_t>(seeds), o);
  for (auto s : d0.sizes) EXPECT_EQ(s, 1u);
  const auto d1 = predict_cascade(constant_probability(topo, 1.0f), IndependentCascade{}, std::span<const vertex_t>(seeds), o);
  for (auto s : d1.sizes) EXPECT_EQ(s, 3u);  // 10 reaches 20 and 30, not 40
  EXPECT_DOUBLE_EQ(d1.adoption_probability[topo.index_of(40)], 0.0);
  EXPECT_DOUBLE_EQ(d1.quantile(0.5), 3.0);
  // Exogenous probability 1 for everyone: every trial reaches all four accounts.
  o.exogenous.assign(4, 1.0);
  const auto dx = predict_cascade(constant_probability(topo, 0.0f), IndependentCascade{}, std::span<const vertex_t>(seeds), o);
  for (auto s : dx.sizes) EXPECT_EQ(s, 4u);
}

TEST(Predict, MeanMatchesExactSpreadAndThreadsDoNotMatter) {
  const std::uint64_t seed = test_seed();
  const auto g = uniform_probability(erdos_renyi(10, 14, seed), 0.1f, 0.5f, seed + 2);
  const std::vector<vertex_t> seeds{0};
  const double exact = exact_spread(g, IndependentCascade{}, std::span<const vertex_t>(seeds)).spread;
  PredictOptions o;
  o.trials = 20000;
  o.seed = seed;
  o.threads = 1;
  const auto a = predict_cascade(g, IndependentCascade{}, std::span<const vertex_t>(seeds), o);
  EXPECT_LE(std::abs(a.mean - exact), 6 * a.std_error + 1e-12) << "seed " << seed;
  for (int t : {3, 7}) {
    o.threads = t;
    const auto b = predict_cascade(g, IndependentCascade{}, std::span<const vertex_t>(seeds), o);
    EXPECT_EQ(a.sizes, b.sizes);
    EXPECT_EQ(a.adoption_probability, b.adoption_probability);
  }
}

TEST(Predict, RankScoresAreExact) {
  // Scores 0.9(+) 0.8(-) 0.8(+) 0.1(-): pairs (+,-): (0.9,0.8) win, (0.9,0.1) win, (0.8,0.8) tie,
  // (0.8,0.1) win -> AUC 3.5 / 4. AP: the tie group {0.8} ends at rank 3 with 2 positives seen.
  const std::vector<double> s{0.9, 0.8, 0.8, 0.1};
  const std::vector<char> l{1, 0, 1, 0};
  const auto [auc, ap] = detail::rank_scores(s, l);
  EXPECT_DOUBLE_EQ(auc, 3.5 / 4.0);
  EXPECT_DOUBLE_EQ(ap, (1.0 / 1.0 + 2.0 / 3.0) / 2.0);
}

TEST(Predict, EvaluationScoresAPerfectModelAsCalibrated) {
  // Cascades generated by the model itself: the 90% intervals hold about 90% of them.
  const std::uint64_t seed = test_seed();
  const auto g = uniform_probability(erdos_renyi(80, 320, seed), 0.1f, 0.4f, seed + 3);
  const auto cs = simulate_cascades(g, 300, seed + 4);
  PredictOptions o;
  o.trials = 400;
  o.seed = seed;
  const auto sc = evaluate_predictions(g, IndependentCascade{}, cs, o);
  EXPECT_EQ(sc.cascades.size(), 300u);
  EXPECT_GT(sc.coverage90, 0.84) << "seed " << seed;
  EXPECT_GT(sc.mean_auc, 0.6) << "seed " << seed;
  // A model with every probability 0 predicts size 1: its intervals miss every larger cascade.
  const auto none = evaluate_predictions(constant_probability(g, 0.0f), IndependentCascade{}, cs, o);
  std::size_t larger = 0;
  for (std::size_t c = 0; c < cs.size(); ++c) larger += cs.adopters(c).size() > 1;
  EXPECT_NEAR(none.coverage90, 1.0 - static_cast<double>(larger) / 300.0, 1e-12);
}

}  // namespace

namespace {

TEST(NetRate, PriorMustBeFiniteAndNonNegative) {
  // A Gamma(shape, rate) prior with a negative, NaN or infinite pseudo-count has no meaning (an
  // infinite shape makes every rate infinite, an infinite rate makes every rate 0): refused,
  // naming the field and the value. Zero and finite positive values are fine.
  const auto g = build_graph(std::vector<account_t>{0}, std::vector<account_t>{1});
  Cascades cs;
  cs.graph_vertices = 2;
  std::vector<vertex_t> both{0, 1};
  std::vector<double> t{0.0, 2.0};
  cs.add(both, t, 0);
  const double bad[] = {-1.0, -0.0 - 1e-300, std::nan(""), std::numeric_limits<double>::infinity(),
                        -std::numeric_limits<double>::infinity()};
  for (const char* field : {"prior_shape", "prior_rate"}) {
    for (double v : bad) {
      NetRateOptions o;
      (std::string(field) == "prior_shape" ? o.prior_shape : o.prior_rate) = v;
      try {
        (void)learn_netrate(g, cs, o);
        ADD_FAILURE() << field << " = " << v << " was accepted";
      } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(std::string("learn_netrate: ") + field), std::string::npos) << what;
        EXPECT_NE(what.find(detail::concat(v)), std::string::npos) << what;
      }
    }
  }
  NetRateOptions ok;
  ok.prior_shape = 0.5;
  ok.prior_rate = 0;
  EXPECT_NO_THROW((void)learn_netrate(g, cs, ok));
  ok.prior_shape = 0;
  ok.prior_rate = 3;
  EXPECT_NO_THROW((void)learn_netrate(g, cs, ok));
}

TEST(NetRate, SingleEdgeExponentialIsTheClosedFormMle) {
  // v adopts d = 2, 3, 5 after u in three cascades; in two more only u adopts. Window 10:
  // alpha = 3 / (2 + 3 + 5 + 2 * 10) = 0.1, and the likelihood is 3 log alpha - 30 alpha.
  const auto g = build_graph(std::vector<account_t>{0}, std::vector<account_t>{1});
  Cascades cs;
  cs.graph_vertices = 2;
  std::vector<vertex_t> both{0, 1}, only{0};
  for (double d : {2.0, 3.0, 5.0}) {
    std::vector<double> t{0.0, d};
    cs.add(both, t, 0);
  }
  std::vector<double> t0{0.0};
  cs.add(only, t0, 1);
  cs.add(only, t0, 2);
  NetRateOptions o;
  o.observation_window = 10;
  o.horizon = 4;
  const auto r = learn_netrate(g, cs, o);
  EXPECT_NEAR(r.rate[0], 0.1, 1e-9);
  EXPECT_NEAR(r.log_likelihood, 3 * std::log(0.1) - 3.0, 1e-9);
  EXPECT_NEAR(r.graph.edge_probs()[0], 1 - std::exp(-0.4), 1e-6);  // P(delay <= 4)
  // Rayleigh: alpha = 3 / sum(d^2 / 2 ... ) with window exposures 10^2 / 2.
  o.delay = DelayModel::rayleigh;
  const auto ry = learn_netrate(g, cs, o);
  EXPECT_NEAR(ry.rate[0], 3.0 / ((4 + 9 + 25) / 2.0 + 2 * 50.0), 1e-9);
  // Power law with min_delay 1: alpha = 3 / (log 2 + log 3 + log 5 + 2 log 10).
  o.delay = DelayModel::power_law;
  const auto pw = learn_netrate(g, cs, o);
  EXPECT_NEAR(pw.rate[0], 3.0 / (std::log(30.0) + 2 * std::log(10.0)), 1e-9);
}

/// Continuous-time IC with exponential delays (rate per edge), censored at `window`.
Cascades simulate_continuous(const FollowerGraph& g, std::span<const double> rate, std::size_t count, double window,
                             std::uint64_t seed) {
  Cascades cs;
  cs.graph_vertices = g.num_vertices();
  const vertex_t n = g.num_vertices();
  for (std::size_t c = 0; c < count; ++c) {
    Rng rng(seed, c, domain::trial);
    std::vector<double> arrive(n, std::numeric_limits<double>::infinity());
    const vertex_t s = static_cast<vertex_t>(rng.next_u64() % n);
    arrive[s] = 0;
    std::vector<char> done(n, 0);
    for (;;) {  // Dijkstra over sampled delays (n is small)
      vertex_t u = no_vertex;
      for (vertex_t v = 0; v < n; ++v)
        if (!done[v] && arrive[v] <= window && (u == no_vertex || arrive[v] < arrive[u])) u = v;
      if (u == no_vertex) break;
      done[u] = 1;
      for (edge_t e = g.out_offsets()[u]; e < g.out_offsets()[u + 1]; ++e) {
        const double delay = -std::log(1.0 - rng.uniform()) / rate[e];
        const vertex_t v = g.out_targets()[e];
        arrive[v] = std::min(arrive[v], arrive[u] + delay);
      }
    }
    std::vector<std::pair<double, vertex_t>> order;
    for (vertex_t v = 0; v < n; ++v)
      if (done[v]) order.emplace_back(arrive[v], v);
    std::sort(order.begin(), order.end());
    std::vector<vertex_t> a;
    std::vector<double> t;
    for (auto& [tt, v] : order) {
      a.push_back(v);
      t.push_back(tt);
    }
    cs.add(a, t, c);
  }
  return cs;
}

TEST(NetRate, RecoversKnownRatesAsCascadesGrow) {
  const std::uint64_t seed = test_seed();
  const auto g = erdos_renyi(40, 160, seed);
  std::vector<double> truth(g.num_edges());
  for (edge_t e = 0; e < g.num_edges(); ++e) truth[e] = 0.2 + 0.8 * Rng(seed, e, domain::probability).uniform();
  NetRateOptions o;
  o.observation_window = 3.0;
  o.tolerance = 1e-9;
  o.max_iterations = 20000;
  double err[2] = {0, 0};
  std::size_t covered = 0, scored = 0;
  int i = 0;
  for (std::size_t count : {200u, 4000u}) {
    const auto cs = simulate_continuous(g, truth, count, o.observation_window, seed + count);
    const auto r = learn_netrate(g, cs, o);
    std::size_t k = 0;
    for (edge_t e = 0; e < g.num_edges(); ++e) {
      if (r.credit[e] < 5) continue;
      err[i] += std::abs(r.rate[e] - truth[e]) / truth[e];
      ++k;
      if (i == 1) {
        ++scored;
        covered += std::abs(r.rate[e] - truth[e]) <= 2.0 * r.std_error[e];
      }
    }
    ASSERT_GT(k, 20u);
    err[i] /= static_cast<double>(k);
    ++i;
  }
  const double rate = static_cast<double>(covered) / static_cast<double>(scored);
  std::printf("netrate recovery: mean relative error %.3f (200 cascades) -> %.3f (4000); within 2 sd: %.3f of %zu\n",
              err[0], err[1], rate, scored);
  EXPECT_LT(err[1], 0.6 * err[0]) << "seed " << seed;
  EXPECT_LT(err[1], 0.12) << "seed " << seed;
  EXPECT_GT(rate, 0.85) << "seed " << seed;
}

}  // namespace

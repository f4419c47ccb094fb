// SPDX-License-Identifier: MIT
/// Competition and blocking on a multiplex: exact people counts by hand (tie rules, cross-posting,
/// per platform), Monte Carlo within 6 sigma of exact on random tiny multiplexes, 1/3/7-thread
/// invariance, a one-layer multiplex equal to the plain graph bit for bit, CELF against brute
/// force over the sampled people objective, and a case where counting accounts picks another
/// blocker than counting people.
#include <kolsim/estimate/multiplex_competitive.hpp>
#include <kolsim/select/multiplex_blocking.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "support.hpp"

using namespace kolsim;
using kolsim::test_support::make_graph;
using kolsim::test_support::tiny_graph;

namespace {

std::uint64_t seed() { return test_support::test_seed("test_multiplex_blocking", 20261216); }

/// Two platforms X (1 -> 2 with 0.5) and Y (10 -> 20 with 0.4); person 100 owns X:1 and Y:10,
/// person 200 owns X:2 and Y:20; cross-posting X -> Y 0.3 and Y -> X `y_to_x`.
Multiplex hand_multiplex(double y_to_x) {
  std::vector<account_t> xs{1}, xt{2}, ys{10}, yt{20};
  std::vector<prob_t> xp{0.5f}, yp{0.4f};
  std::vector<MultiplexLayer> layers{{"x", build_graph(xs, xt, xp)}, {"y", build_graph(ys, yt, yp)}};
  const std::vector<IdentityRow> id{{100, 0, 1}, {100, 1, 10}, {200, 0, 2}, {200, 1, 20}};
  const std::vector<double> c{0.0, 0.3, y_to_x, 0.0};
  return Multiplex(std::move(layers), id, c);
}

/// A random tiny multiplex of L layers of n accounts, m edges each; person 1000 + v owns account
/// v on a layer with probability 0.6; random cross-posting. Rerolled until the expanded graph
/// has at most max_edges edges (the exact race enumerates 4^edges worlds).
Multiplex small_multiplex(std::uint32_t L, vertex_t n, std::size_t m, std::uint64_t s, edge_t max_edges) {
  static const char* const names[] = {"p0", "p1", "p2"};
  for (std::uint64_t j = 0;; ++j) {
    std::mt19937_64 gen(s + 1000 * j);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<MultiplexLayer> layers;
    for (std::uint32_t l = 0; l < L; ++l) layers.push_back({names[l], tiny_graph(n, m, s * 31 + l + 7 * j, false, 0.2)});
    std::vector<IdentityRow> id;
    for (vertex_t v = 0; v < n; ++v)
      for (std::uint32_t l = 0; l < L; ++l)
        if (u(gen) < 0.6) id.push_back({1000 + v, l, v});
    std::vector<double> c(static_cast<std::size_t>(L) * L, 0.0);
    for (std::uint32_t a = 0; a < L; ++a)
      for (std::uint32_t b = 0; b < L; ++b)
        if (a != b) c[a * L + b] = 0.2 + 0.6 * u(gen);
    Multiplex mx(std::move(layers), id, c);
    if (mx.expanded().num_edges() <= max_edges && mx.num_cross_edges() >= 2) return mx;
  }
}

/// People F reaches in world i of `race` against corrective seeds c (the brute-force objective,
/// counted here with a std::set, independently of the library's people counting).
std::uint64_t people_f(const MultiplexCompetition& race, const std::vector<vertex_t>& f, const std::vector<vertex_t>& c,
                       std::uint64_t sd, std::uint64_t trials, bool by_account = false) {
  detail::CompetitiveWorkspace ws(race.model().num_vertices());
  std::uint64_t total = 0;
  for (std::uint64_t i = 0; i < trials; ++i) {
    std::set<vertex_t> people;
    ws.run(race.model(), f, c, UINT32_MAX, detail::CompetitiveCoins(sd, i), [&](vertex_t v, Campaign camp, std::uint32_t) {
      if (camp == Campaign::misleading) people.insert(by_account ? v : race.multiplex().person_of(v));
    });
    total += people.size();
  }
  return total;
}

void expect_same(const CountEstimate& a, const CountEstimate& b) {
  EXPECT_EQ(a.mean, b.mean);
  EXPECT_EQ(a.std_error, b.std_error);
}

void expect_same(const CompetitiveEstimate& a, const CompetitiveEstimate& b) {
  expect_same(a.misleading, b.misleading);
  expect_same(a.corrective, b.corrective);
  expect_same(a.saved, b.saved);
  expect_same(a.misleading_alone, b.misleading_alone);
  EXPECT_EQ(a.misleading_per_step, b.misleading_per_step);
  EXPECT_EQ(a.corrective_per_step, b.corrective_per_step);
  EXPECT_EQ(a.edges_examined, b.edges_examined);
}

void expect_same(const BlockingResult& a, const BlockingResult& b) {
  EXPECT_EQ(a.seeds, b.seeds);
  EXPECT_EQ(a.marginal_gains, b.marginal_gains);
  EXPECT_EQ(a.spread, b.spread);
  EXPECT_EQ(a.reach_before, b.reach_before);
  EXPECT_EQ(a.reach_after, b.reach_after);
  EXPECT_EQ(a.saved, b.saved);
  EXPECT_EQ(a.saved_error, b.saved_error);
}

}  // namespace

TEST(MultiplexCompetition, HandComputedPeopleAndPlatforms) {
  // F posts as person 100 on X; C as person 200 on Y (Y:20, at step 0). Without C, person 200
  // hears F through X:1 -> X:2 (0.5) or X:1 => Y:10 -> Y:20 (0.3 * 0.4): 1 - 0.5 * 0.88 = 0.56.
  const std::vector<MultiplexSeed> f{{100, 0}}, c{{200, 1}};
  {
    const MultiplexCompetition race(hand_multiplex(0.0));
    const MultiplexExactCompetition r = exact_competition(race, f, c);
    EXPECT_NEAR(r.misleading_alone.mean, 1.56, 1e-6);
    EXPECT_NEAR(r.misleading_alone.variance, 0.56 * 0.44, 1e-6);
    EXPECT_NEAR(r.misleading.mean, 1.5, 1e-6);  // Y:20 is C's: 200 hears F only on X
    EXPECT_NEAR(r.corrective.mean, 1.0, 1e-6);
    EXPECT_NEAR(r.saved.mean, 0.06, 1e-6);
    ASSERT_EQ(r.misleading_probability.size(), 2u);  // per person
    EXPECT_NEAR(r.misleading_probability[0], 1.0, 1e-6);
    EXPECT_NEAR(r.misleading_probability[1], 0.5, 1e-6);
    // Per platform (accounts): X: 1 + 0.5 with or without C; Y: Y:10 0.3, Y:20 alone
    // 1 - (1 - 0.12) * (1 - 0.5 * 0.3) = 0.252.
    EXPECT_NEAR(r.layer_misleading[0], 1.5, 1e-6);
    EXPECT_NEAR(r.layer_misleading[1], 0.3, 1e-6);
    EXPECT_NEAR(r.layer_corrective[0], 0.0, 1e-6);
    EXPECT_NEAR(r.layer_corrective[1], 1.0, 1e-6);
    EXPECT_NEAR(r.layer_misleading_alone[1], 0.552, 1e-6);
    EXPECT_NEAR(r.layer_saved[0], 0.0, 1e-6);
    EXPECT_NEAR(r.layer_saved[1], 0.252, 1e-6);
    // Counting accounts would give 1 + 0.5 + 0.3 + 0.252 = 2.052 for F alone.
    const ExactCompetition accounts = exact_competition(race.model(), multiplex_seed_vertices(race.multiplex(), f),
                                                        multiplex_seed_vertices(race.multiplex(), c));
    EXPECT_NEAR(accounts.misleading_alone.mean, 2.052, 1e-6);
  }
  // Y -> X cross-posting 1: C reaches X:2 at step 1, as F may (0.5): the tie rule decides.
  const double f_people[] = {1.5, 1.0, 1.25};  // misleading_wins, corrective_wins, random
  const TieRule rules[] = {TieRule::misleading_wins, TieRule::corrective_wins, TieRule::random};
  for (int i = 0; i < 3; ++i) {
    const MultiplexCompetition race(hand_multiplex(1.0), rules[i]);
    const MultiplexExactCompetition r = exact_competition(race, f, c);
    EXPECT_NEAR(r.misleading.mean, f_people[i], 1e-6) << tie_rule_name(rules[i]);
    EXPECT_NEAR(r.saved.mean, 1.56 - f_people[i], 1e-6) << tie_rule_name(rules[i]);
  }
  // A correction delay of 5: F's cascade is over (at most two steps) before C posts.
  const MultiplexCompetition late(hand_multiplex(0.0), TieRule::misleading_wins, 5);
  EXPECT_NEAR(exact_competition(late, f, c).misleading.mean, 1.56, 1e-6);  // F is done before C posts
}

TEST(MultiplexCompetition, MonteCarloWithinSixSigmaOfExact) {
  const std::uint64_t sd = seed();
  int cases = 0;
  for (std::uint64_t s = 1; s <= 4; ++s) {
    const Multiplex mx = small_multiplex(2, 4, 3, s, 9);
    for (TieRule rule : {TieRule::misleading_wins, TieRule::random}) {
      const MultiplexCompetition race(mx, rule, s % 2);
      const std::vector<vertex_t> f{0}, c{mx.num_accounts() - 1};
      const MultiplexExactCompetition ex = exact_competition(race, f, c);
      CompetitionOptions opt;
      opt.trials = 20000;
      opt.seed = sd + s;
      const MultiplexCompetitiveEstimate mc = estimate_competition(race, f, c, opt);
      const double R = static_cast<double>(opt.trials);
      auto near = [&](double got, const ExactCount& want, const char* what) {
        EXPECT_LE(std::abs(got - want.mean), 6.0 * std::sqrt(want.variance / R) + 1e-12)
            << what << " case " << s << " " << tie_rule_name(rule) << ": mc " << got << " exact " << want.mean;
      };
      near(mc.misleading.mean, ex.misleading, "F people");
      near(mc.corrective.mean, ex.corrective, "C people");
      near(mc.saved.mean, ex.saved, "saved people");
      near(mc.misleading_alone.mean, ex.misleading_alone, "F alone people");
      for (std::uint32_t l = 0; l < 2; ++l) {  // per platform: 6 sigma with the Monte Carlo sd (|layer| <= 4)
        EXPECT_LE(std::abs(mc.layer_misleading[l].mean - ex.layer_misleading[l]),
                  6.0 * mc.layer_misleading[l].std_error + 4.0 / R);
        EXPECT_LE(std::abs(mc.layer_corrective[l].mean - ex.layer_corrective[l]),
                  6.0 * mc.layer_corrective[l].std_error + 4.0 / R);
        EXPECT_LE(std::abs(mc.layer_saved[l].mean - ex.layer_saved[l]), 6.0 * mc.layer_saved[l].std_error + 4.0 / R);
      }
      double step_sum = 0;
      for (double x : mc.misleading_per_step) step_sum += x;
      EXPECT_NEAR(step_sum, mc.misleading.mean, 1e-9);  // per-step counts are people too
      EXPECT_LE(ex.misleading.mean, ex.misleading_alone.mean + 1e-12);
      ++cases;
    }
  }
  EXPECT_EQ(cases, 8);
}

TEST(MultiplexCompetition, ThreadsGiveIdenticalResults) {
  const Multiplex mx = small_multiplex(3, 30, 80, seed(), 1000);
  const MultiplexCompetition race(mx, TieRule::random, 1);
  const std::vector<vertex_t> f{0, 31}, c{5, 62};
  CompetitionOptions opt;
  opt.trials = 3000;
  opt.seed = seed();
  BlockingOptions bo;
  bo.method = BlockingMethod::celf;
  bo.trials = 60;
  bo.evaluation_trials = 300;
  bo.seed = seed();
  opt.threads = bo.threads = 1;
  const MultiplexCompetitiveEstimate one = estimate_competition(race, f, c, opt);
  const BlockingResult b1 = select_blockers(race, f, 3, bo);
  EXPECT_GT(one.misleading_alone.mean, 2.0);
  for (int t : {3, 7}) {
    if (t > max_threads()) continue;
    opt.threads = bo.threads = t;
    const MultiplexCompetitiveEstimate e = estimate_competition(race, f, c, opt);
    expect_same(e, one);
    for (std::uint32_t l = 0; l < 3; ++l) {
      expect_same(e.layer_misleading[l], one.layer_misleading[l]);
      expect_same(e.layer_saved[l], one.layer_saved[l]);
    }
    expect_same(select_blockers(race, f, 3, bo), b1);
  }
}

TEST(MultiplexCompetition, OneLayerEqualsThePlainGraph) {
  const FollowerGraph g = tiny_graph(40, 160, seed(), false, 0.1);
  // Person ids in reverse account order: one account per person, so people = accounts.
  std::vector<IdentityRow> id;
  for (vertex_t v = 0; v < 40; ++v) id.push_back({500 - v, 0, g.account(v)});
  const std::vector<double> zero{0.0};
  for (bool with_identity : {false, true}) {
    const Multiplex mx(std::vector<MultiplexLayer>{MultiplexLayer{"only", g}}, with_identity ? std::span<const IdentityRow>(id) : std::span<const IdentityRow>(),
                       zero);
    const MultiplexCompetition race(mx, TieRule::random, 1);
    const CompetitiveIC plain(g, TieRule::random, 1);
    const std::vector<vertex_t> f{0, 1}, c{7};
    CompetitionOptions opt;
    opt.trials = 2000;
    opt.seed = seed();
    const MultiplexCompetitiveEstimate e = estimate_competition(race, f, c, opt);
    expect_same(e, estimate_competition(plain, f, c, opt));
    EXPECT_EQ(e.layer_misleading[0].mean, e.misleading.mean);
    BlockingOptions bo;
    bo.trials = 50;
    bo.evaluation_trials = 200;
    bo.seed = seed();
    bo.candidates = {2, 3, 5, 8, 9, 11, 13, 17, 19, 23};
    bo.fixed_seeds = {7};
    expect_same(block_celf(race, f, 3, bo), block_celf(plain, f, 3, bo));
    for (BlockingMethod m : {BlockingMethod::degree, BlockingMethod::neighbourhood})
      expect_same(block_baseline(race, f, 3, m, bo), block_baseline(plain, f, 3, m, bo));
  }
  const FollowerGraph t = tiny_graph(6, 5, seed(), false, 0.2);
  const MultiplexCompetition race(Multiplex(std::vector<MultiplexLayer>{MultiplexLayer{"only", t}}, {}, zero), TieRule::random);
  const MultiplexExactCompetition a = exact_competition(race, std::vector<vertex_t>{0}, std::vector<vertex_t>{3});
  const ExactCompetition b = exact_competition(CompetitiveIC(t, TieRule::random), std::vector<vertex_t>{0},
                                               std::vector<vertex_t>{3});
  EXPECT_EQ(a.misleading.mean, b.misleading.mean);
  EXPECT_EQ(a.saved.mean, b.saved.mean);
  EXPECT_EQ(a.saved.variance, b.saved.variance);
  EXPECT_EQ(a.misleading_probability, b.misleading_probability);
  EXPECT_EQ(a.worlds, b.worlds);
}

TEST(MultiplexBlocking, CelfEqualsBruteForceOnTheSampledObjective) {
  const std::uint64_t sd = seed();
  for (std::uint64_t s = 1; s <= 5; ++s) {
    const Multiplex mx = small_multiplex(2, 6, 8, 40 + s, 1000);
    const MultiplexCompetition race(mx, s % 2 ? TieRule::misleading_wins : TieRule::random);
    const std::vector<vertex_t> f{0};
    BlockingOptions bo;
    bo.method = BlockingMethod::celf;
    bo.trials = 300;
    bo.evaluation_trials = 0;
    bo.seed = sd + s;
    const BlockingResult r = select_blockers(race, f, 1, bo);
    ASSERT_EQ(r.seeds.size(), 1u);
    std::uint64_t best = UINT64_MAX;
    for (vertex_t x = 1; x < mx.num_accounts(); ++x) best = std::min(best, people_f(race, f, {x}, bo.seed, bo.trials));
    const std::uint64_t got = people_f(race, f, r.seeds, bo.seed, bo.trials);
    EXPECT_EQ(got, best) << "case " << s;
    EXPECT_DOUBLE_EQ(r.spread, static_cast<double>(got) / static_cast<double>(bo.trials));
    const std::uint64_t none = people_f(race, f, {}, bo.seed, bo.trials);
    EXPECT_DOUBLE_EQ(r.marginal_gains[0], static_cast<double>(none - got) / static_cast<double>(bo.trials));
    // With a candidate list: the best among the candidates.
    bo.candidates = {2, static_cast<vertex_t>(mx.num_accounts() - 1), 4};
    const BlockingResult rc = block_celf(race, f, 1, bo);
    std::uint64_t cbest = UINT64_MAX;
    for (vertex_t x : bo.candidates) cbest = std::min(cbest, people_f(race, f, {x}, bo.seed, bo.trials));
    ASSERT_EQ(rc.seeds.size(), 1u);
    EXPECT_NE(std::find(bo.candidates.begin(), bo.candidates.end(), rc.seeds[0]), bo.candidates.end());
    EXPECT_EQ(people_f(race, f, rc.seeds, bo.seed, bo.trials), cbest);
  }
}

TEST(MultiplexBlocking, CountsPeopleNotAccounts) {
  // X: s -> a, s -> b, b -> c (probability 1). Person 7 owns X:a, Y:a and Z:a, cross-posting 1
  // between all platforms, so F reaches 3 accounts of ONE person through X:a. Blocking X:a saves
  // 3 accounts (1 person); blocking X:b saves X:b and X:c (2 accounts, 2 people).
  std::vector<account_t> xs{1, 1, 3}, xt{2, 3, 4};
  std::vector<prob_t> xp{1.0f, 1.0f, 1.0f};
  std::vector<account_t> ys{2}, yt{9}, zs{2}, zt{9};  // a's accounts on Y and Z (id 2), each with a follower
  std::vector<prob_t> yp{0.0f}, zp{0.0f};
  std::vector<MultiplexLayer> layers{{"x", build_graph(xs, xt, xp)},
                                     {"y", build_graph(ys, yt, yp)},
                                     {"z", build_graph(zs, zt, zp)}};
  const std::vector<IdentityRow> id{{7, 0, 2}, {7, 1, 2}, {7, 2, 2}};
  const std::vector<double> cross{0, 1, 1, 1, 0, 1, 1, 1, 0};
  const Multiplex mx(std::move(layers), id, cross);
  const MultiplexCompetition race(mx);
  const std::vector<vertex_t> f{mx.vertex_of(0, 1)};
  const vertex_t xa = mx.vertex_of(0, 2), xb = mx.vertex_of(0, 3);
  BlockingOptions bo;
  bo.method = BlockingMethod::celf;
  bo.trials = 10;
  bo.evaluation_trials = 100;
  const BlockingResult people = select_blockers(race, f, 1, bo);
  ASSERT_EQ(people.seeds.size(), 1u);
  EXPECT_EQ(people.seeds[0], xb);
  EXPECT_DOUBLE_EQ(people.spread, 2.0);           // s's person and a's person
  EXPECT_DOUBLE_EQ(people.reach_before, 4.0);     // s, a, b, c
  EXPECT_DOUBLE_EQ(people.saved, 2.0);
  // The same race counted in accounts prefers X:a (the test above fails for a per-account count).
  const BlockingResult accounts = block_celf(race.model(), f, 1, bo);
  EXPECT_EQ(accounts.seeds[0], xa);
  EXPECT_EQ(people_f(race, f, {xa}, 0, 1, true), 3u);  // s, b, c
  EXPECT_EQ(people_f(race, f, {xb}, 0, 1, true), 4u);  // s and a's three accounts
  // Estimates count people; per platform accounts.
  CompetitionOptions co;
  co.trials = 5;
  const MultiplexCompetitiveEstimate e = estimate_competition(race, f, std::vector<vertex_t>{xb}, co);
  EXPECT_EQ(e.misleading.mean, 2.0);
  EXPECT_EQ(e.corrective.mean, 2.0);  // X:b and X:c: two people
  EXPECT_EQ(e.misleading_alone.mean, 4.0);
  EXPECT_EQ(e.layer_misleading_alone[0].mean, 4.0);  // X: s, a, b, c
  EXPECT_EQ(e.layer_misleading_alone[1].mean, 1.0);  // Y:a (cross-posted)
  EXPECT_EQ(e.layer_misleading_alone[2].mean, 1.0);  // Z:a
}

TEST(MultiplexBlocking, MethodsAndErrors) {
  const Multiplex mx = small_multiplex(2, 20, 50, seed(), 1000);
  const MultiplexCompetition race(mx);
  const std::vector<vertex_t> f{0};
  BlockingOptions bo;
  bo.trials = 20;
  bo.evaluation_trials = 100;
  bo.method = BlockingMethod::rr;
  EXPECT_THROW(select_blockers(race, f, 2, bo), std::invalid_argument);
  for (BlockingMethod m : {BlockingMethod::degree, BlockingMethod::neighbourhood, BlockingMethod::imm}) {
    bo.method = m;
    const BlockingResult r = select_blockers(race, f, 2, bo);
    EXPECT_EQ(r.seeds.size(), 2u);
    for (vertex_t x : r.seeds) EXPECT_NE(x, 0u);
    EXPECT_LE(r.reach_after, r.reach_before + 1e-12);
    EXPECT_LE(r.reach_before, static_cast<double>(mx.num_people()));
  }
  bo.method = BlockingMethod::celf;
  EXPECT_THROW(select_blockers(race, std::vector<vertex_t>{mx.num_accounts()}, 1, bo), std::out_of_range);
  EXPECT_THROW(select_blockers(race, f, 0, bo), std::invalid_argument);
  const std::vector<MultiplexSeed> bad{{123456, 0}};
  EXPECT_THROW(select_blockers(race, bad, 1, bo), std::out_of_range);
  EXPECT_THROW(estimate_competition(race, f, f), std::invalid_argument);  // an account carries one campaign
  CompetitionOptions co;
  co.trials = 0;
  EXPECT_THROW(estimate_competition(race, f, std::vector<vertex_t>{}, co), std::invalid_argument);
}

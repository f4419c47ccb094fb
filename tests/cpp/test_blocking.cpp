// SPDX-License-Identifier: MIT
/// Tests of blocking selection: CELF reference vs brute force on exact objectives, the RR method
/// vs CELF on a medium graph (gap reported), blocking vs the degree baseline on a bridge instance
/// with an exact objective, baselines, 1/3/7-thread invariance and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "kolsim/diffusion/competitive.hpp"
#include "kolsim/estimate/competitive_estimate.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/graph/generators.hpp"
#include "kolsim/graph/probabilities.hpp"
#include "kolsim/select/blocking.hpp"
#include "kolsim/select/heuristics.hpp"

using namespace kolsim;

namespace {

std::uint64_t test_seed() {
  static const std::uint64_t s = [] {
    std::uint64_t v = 777;
    if (const char* env = std::getenv("KOLSIM_TEST_SEED")) v = std::strtoull(env, nullptr, 10);
    std::printf("test_blocking seed = %llu (override with KOLSIM_TEST_SEED)\n", static_cast<unsigned long long>(v));
    return v;
  }();
  return s;
}

double exact_f(const CompetitiveIC& model, const std::vector<vertex_t>& f, const std::vector<vertex_t>& c) {
  return exact_competition(model, f, c).misleading.mean;
}

}  // namespace

TEST(Blocking, CelfVersusBruteForceOnTinyGraphs) {
  const std::uint64_t seed = test_seed();
  int checked = 0;
  for (std::uint64_t gseed : {3u, 4u}) {
    const FollowerGraph base = erdos_renyi(9, 14, gseed);
    for (TieRule rule : {TieRule::misleading_wins, TieRule::corrective_wins}) {
      const CompetitiveIC model(constant_probability(base, 0.7f), constant_probability(base, 1.0f), rule);
      const std::vector<vertex_t> f = top_degree(base, 1).seeds;
      const ExactCompetition none = exact_competition(model, f, std::vector<vertex_t>{});
      if (none.misleading.mean < 2.0) continue;  // F barely spreads: nothing to block
      // Brute force over all singles and pairs with the exact objective.
      double best1 = 1e18, best2 = 1e18;
      for (vertex_t a = 0; a < 9; ++a) {
        if (a == f[0]) continue;
        best1 = std::min(best1, exact_f(model, f, {a}));
        for (vertex_t b = a + 1; b < 9; ++b)
          if (b != f[0]) best2 = std::min(best2, exact_f(model, f, {a, b}));
      }
      BlockingOptions opt;
      opt.seed = seed;
      opt.trials = 4000;
      opt.evaluation_trials = 0;
      const BlockingResult r = block_celf(model, f, 2, opt);
      ASSERT_EQ(r.seeds.size(), 2u);
      const double sd = std::sqrt(none.misleading.variance);
      const double tol = 2.0 * 6.0 * sd / std::sqrt(static_cast<double>(opt.trials));
      const double got1 = exact_f(model, f, {r.seeds[0]});
      const double got2 = exact_f(model, f, r.seeds);
      std::printf("graph %llu %s: F alone %.4f, best single %.4f (celf %.4f), best pair %.4f (celf %.4f)\n",
                  static_cast<unsigned long long>(gseed), std::string(tie_rule_name(rule)).c_str(),
                  none.misleading.mean, best1, got1, best2, got2);
      EXPECT_LE(got1, best1 + tol);
      const double opt_saved = none.misleading.mean - best2, got_saved = none.misleading.mean - got2;
      EXPECT_GE(got_saved, (1.0 - 1.0 / std::exp(1.0)) * opt_saved - tol);
      // CELF's own objective is the common-random-number average, reproducible by estimate_competition.
      CompetitionOptions co;
      co.trials = opt.trials;
      co.seed = seed;
      EXPECT_EQ(r.spread, estimate_competition(model, f, r.seeds, co).misleading.mean);
      // RR sets estimate a lower bound of saved.
      BlockingOptions ro;
      ro.seed = seed;
      ro.worlds = 8000;
      ro.roots_per_world = 2;
      ro.evaluation_trials = 0;
      const BlockingResult rr = block_rr(model, f, 2, ro);
      const double rr_saved = none.misleading.mean - rr.spread;
      const double rr_exact_saved = none.misleading.mean - exact_f(model, f, rr.seeds);
      EXPECT_LE(rr_saved, rr_exact_saved + tol);
      ++checked;
    }
  }
  EXPECT_GE(checked, 3);
}

TEST(Blocking, SingleSeedWinsOnALine) {
  // 0 -> 1 -> 2 -> 3 -> 4 at p = 1 for both campaigns; F starts at 0. A corrective seed at 1
  // saves 1..4 (F keeps only its seed), so it is the unique best single blocker.
  const std::vector<vertex_t> src{0, 1, 2, 3}, dst{1, 2, 3, 4};
  const FollowerGraph line = constant_probability(build_graph_dense(5, src, dst), 1.0f);
  const CompetitiveIC model(line, TieRule::corrective_wins);
  const std::vector<vertex_t> f{0};
  BlockingOptions opt;
  opt.seed = test_seed();
  opt.worlds = 4000;
  opt.evaluation_trials = 100;
  for (BlockingMethod m : {BlockingMethod::rr, BlockingMethod::celf}) {
    opt.method = m;
    const BlockingResult r = select_blockers(model, f, 1, opt);
    EXPECT_EQ(r.seeds, std::vector<vertex_t>{1});
    EXPECT_EQ(r.reach_before, 5.0);
    EXPECT_EQ(r.reach_after, 1.0);
    EXPECT_EQ(r.saved, 4.0);
    EXPECT_NEAR(r.spread, 1.0, 0.25);  // rr: root sampling noise only
  }
  // With a delay of 2 the correction posts at step 2: at 1 or 2 it is too late (F is there by
  // then or ties and wins), at 3 it is in time (F arrives at step 3) and saves 3 and 4.
  const CompetitiveIC late(line, TieRule::misleading_wins, 2);
  opt.method = BlockingMethod::rr;
  const BlockingResult r = select_blockers(late, f, 1, opt);
  EXPECT_EQ(r.seeds, std::vector<vertex_t>{3});
  EXPECT_EQ(r.reach_after, 3.0);
}

TEST(Blocking, RrAgainstCelfOnAMediumGraph) {
  const std::uint64_t seed = test_seed();
  const FollowerGraph base = chung_lu(2000, 5.0, 2.5, 2.1, 13);
  const FollowerGraph wc = weighted_cascade(base);
  const CompetitiveIC model(wc, wc, TieRule::misleading_wins);
  const std::vector<vertex_t> f = top_degree(base, 5).seeds;
  // Candidates: the 150 accounts with most followers, for both methods (keeps CELF fast).
  std::vector<vertex_t> pool = top_degree(base, 155).seeds;
  std::vector<vertex_t> cand;
  for (vertex_t v : pool)
    if (std::find(f.begin(), f.end(), v) == f.end() && cand.size() < 150) cand.push_back(v);
  BlockingOptions opt;
  opt.seed = seed;
  opt.candidates = cand;
  opt.evaluation_trials = 4000;
  opt.trials = 200;
  const BlockingResult celf = block_celf(model, f, 5, opt);
  opt.worlds = 4000;
  opt.roots_per_world = 8;
  const BlockingResult rr = block_rr(model, f, 5, opt);
  BlockingOptions all = opt;
  all.candidates.clear();
  const BlockingResult rr_all = block_rr(model, f, 5, all);
  const BlockingResult deg = block_baseline(model, f, 5, BlockingMethod::degree, all);
  const BlockingResult nb = block_baseline(model, f, 5, BlockingMethod::neighbourhood, all);
  const BlockingResult im = block_baseline(model, f, 5, BlockingMethod::imm, all);
  for (const BlockingResult* r : {&celf, &rr, &rr_all, &deg, &nb, &im})
    std::printf("%-14s F reach %.2f -> %.2f +- %.2f (saved %.2f +- %.2f) in %.3f s\n", r->method.c_str(),
                r->reach_before, r->reach_after, r->reach_after_error, r->saved, r->saved_error, r->seconds);
  std::printf("gap rr vs celf (same 150 candidates): %.1f%% of celf's saved\n",
              100.0 * (celf.saved - rr.saved) / std::max(celf.saved, 1e-9));
  EXPECT_GT(celf.saved, 0.0);
  EXPECT_GE(rr.saved, 0.8 * celf.saved - 4.0 * (rr.saved_error + celf.saved_error));
  EXPECT_GE(rr_all.saved, rr.saved - 4.0 * (rr.saved_error + rr_all.saved_error));
  // Every method returns k distinct non-misleading seeds.
  for (const BlockingResult* r : {&celf, &rr, &rr_all, &deg, &nb, &im}) {
    ASSERT_EQ(r->seeds.size(), 5u);
    for (vertex_t v : r->seeds) EXPECT_EQ(std::find(f.begin(), f.end(), v), f.end());
    std::vector<vertex_t> s = r->seeds;
    std::sort(s.begin(), s.end());
    EXPECT_EQ(std::unique(s.begin(), s.end()), s.end());
  }
  // Same evaluation worlds: every method sees the same reach before.
  EXPECT_EQ(celf.reach_before, rr.reach_before);
  EXPECT_EQ(deg.reach_before, rr.reach_before);
}

TEST(Blocking, DeadlineAndFixedSeeds) {
  const FollowerGraph base = chung_lu(1500, 5.0, 2.5, 2.1, 21);
  const CompetitiveIC model(weighted_cascade(base), TieRule::random, 1);
  const std::vector<vertex_t> f = top_degree(base, 3).seeds;
  BlockingOptions opt;
  opt.seed = test_seed();
  opt.max_steps = 3;
  opt.worlds = 1000;
  opt.evaluation_trials = 2000;
  const BlockingResult r = block_rr(model, f, 4, opt);
  EXPECT_LE(r.reach_after, r.reach_before);
  CompetitionOptions co;
  co.trials = 2000;
  co.seed = opt.seed;
  co.max_steps = 3;
  const double unlimited = estimate_competition(model, f, std::vector<vertex_t>{}, [&] { CompetitionOptions u; u.trials = co.trials; u.seed = co.seed; return u; }()).misleading.mean;
  EXPECT_LE(r.reach_before, unlimited + 1e-9 + 6.0 * r.reach_before_error);
  // Fixed seeds count as already contracted correction.
  opt.fixed_seeds = {r.seeds[0]};
  const BlockingResult r2 = block_rr(model, f, 3, opt);
  for (vertex_t v : r2.seeds) EXPECT_NE(v, r.seeds[0]);
  EXPECT_LE(r2.reach_before, r.reach_before);
}

TEST(Blocking, ThreadInvariance) {
  const FollowerGraph base = chung_lu(2000, 5.0, 2.5, 2.1, 8);
  const CompetitiveIC model(weighted_cascade(base), uniform_probability(base, 0.0f, 0.3f, 2), TieRule::random, 0);
  const std::vector<vertex_t> f = top_degree(base, 4).seeds;
  BlockingOptions opt;
  opt.seed = test_seed();
  opt.worlds = 1500;
  opt.evaluation_trials = 500;
  opt.trials = 50;
  opt.candidates = top_degree(base, 60).seeds;
  opt.candidates.erase(std::remove_if(opt.candidates.begin(), opt.candidates.end(),
                                      [&](vertex_t v) { return std::find(f.begin(), f.end(), v) != f.end(); }),
                       opt.candidates.end());
  for (BlockingMethod m : {BlockingMethod::rr, BlockingMethod::celf}) {
    opt.method = m;
    opt.threads = 1;
    const BlockingResult a = select_blockers(model, f, 4, opt);
    for (int threads : {3, 7}) {
      opt.threads = threads;
      const BlockingResult b = select_blockers(model, f, 4, opt);
      EXPECT_EQ(a.seeds, b.seeds) << a.method << ", " << threads << " threads";
      EXPECT_EQ(a.marginal_gains, b.marginal_gains);
      EXPECT_EQ(a.spread, b.spread);
      EXPECT_EQ(a.reach_before, b.reach_before);
      EXPECT_EQ(a.reach_after, b.reach_after);
      EXPECT_EQ(a.saved, b.saved);
      EXPECT_EQ(a.saved_error, b.saved_error);
    }
  }
}

namespace {

/// Bridge instance: misleading seed 0 reaches bridges 1..6 surely (p = 1) and, only through
/// bridge i, its own audience of 8 + 2 i accounts at q = 0.8 (bridge out-degree 10..20).
/// Eight decoy accounts with 40 followers each (p = 0.5) are the highest follower counts and are
/// unconnected to 0. Both campaigns share the probabilities; F wins ties; no delay.
/// Saved accounts have a closed form: a corrective seed at bridge i is active before F arrives
/// (step 1), so F never passes it: it saves 1 + q (8 + 2 i); a seed at an audience account whose
/// bridge is not blocked saves q (F would have reached it); any other account saves nothing.
struct Bridges {
  FollowerGraph graph;
  std::vector<vertex_t> bridge_of;  ///< per account: its bridge (audience) or no_vertex
  std::vector<vertex_t> audience;   ///< per bridge 1..6: audience size (0 elsewhere)
  static constexpr double q = 0.8;
};

Bridges bridge_instance() {
  std::vector<vertex_t> s, t;
  std::vector<prob_t> p;
  vertex_t next = 7;
  Bridges b;
  b.audience.assign(7, 0);
  for (vertex_t i = 1; i <= 6; ++i) {
    s.push_back(0);
    t.push_back(i);
    p.push_back(1.0f);
    b.audience[i] = 8 + 2 * i;
    for (vertex_t j = 0; j < b.audience[i]; ++j) {
      s.push_back(i);
      t.push_back(next + j);
      p.push_back(static_cast<prob_t>(Bridges::q));
    }
    next += b.audience[i];
  }
  const vertex_t audience_end = next;
  for (vertex_t d = 0; d < 8; ++d) {
    const vertex_t hub = next++;
    for (vertex_t j = 0; j < 40; ++j) {
      s.push_back(hub);
      t.push_back(next++);
      p.push_back(0.5f);
    }
  }
  b.graph = build_graph_dense(next, s, t, p);
  b.bridge_of.assign(next, no_vertex);
  for (vertex_t i = 1, v = 7; i <= 6; ++i)
    for (vertex_t j = 0; j < b.audience[i]; ++j) b.bridge_of[v++] = i;
  EXPECT_EQ(audience_end, 7u + 90u);
  return b;
}

/// Exact expected number of accounts the corrective seeds c save from misleading seed 0.
double bridge_saved(const Bridges& b, const std::vector<vertex_t>& c) {
  std::vector<char> blocked(7, 0);
  for (vertex_t v : c)
    if (v >= 1 && v <= 6) blocked[v] = 1;
  double saved = 0;
  for (vertex_t i = 1; i <= 6; ++i)
    if (blocked[i]) saved += 1 + Bridges::q * b.audience[i];
  for (vertex_t v : c)
    if (b.bridge_of[v] != no_vertex && !blocked[b.bridge_of[v]]) saved += Bridges::q;
  return saved;
}

}  // namespace

// Blocking must find the two largest bridges (saved 2 + 0.8 * 38 = 32.4, the exact optimum);
// top-degree picks decoys and saves nothing. Checked by the exact saved count of the chosen
// seeds, and the methods' own evaluation against it within 5 of its standard errors. Random
// 2-sets save half the optimum with probability < 1% (0.56%, printed).
TEST(Blocking, BeatsDegreeWhereTheAudienceSitsBehindBridges) {
  const Bridges b = bridge_instance();
  const CompetitiveIC model(b.graph, TieRule::misleading_wins, 0);
  const std::vector<vertex_t> f{0};
  const std::size_t k = 2;
  const double opt = bridge_saved(b, std::vector<vertex_t>{5, 6});
  const double reach_alone = 1 + 6 + Bridges::q * 90;
  // Brute force over all pairs confirms the optimum; random pairs rarely reach half of it.
  double best = 0;
  int half = 0, pairs = 0;
  const vertex_t n = b.graph.num_vertices();
  for (vertex_t x = 1; x < n; ++x)
    for (vertex_t y = x + 1; y < n; ++y) {
      const double v = bridge_saved(b, std::vector<vertex_t>{x, y});
      best = std::max(best, v);
      half += v >= 0.5 * opt;
      ++pairs;
    }
  EXPECT_DOUBLE_EQ(best, opt);
  BlockingOptions opt_rr;
  opt_rr.seed = test_seed();
  opt_rr.worlds = 2000;
  opt_rr.trials = 300;
  opt_rr.evaluation_trials = 4000;
  const BlockingResult rr = block_rr(model, f, k, opt_rr);
  const BlockingResult celf = block_celf(model, f, k, opt_rr);
  const BlockingResult deg = block_baseline(model, f, k, BlockingMethod::degree, opt_rr);
  const double deg_saved = bridge_saved(b, deg.seeds);
  std::printf("bridges: optimum saved %.2f of %.2f; random pairs saving >= half: %.5f; degree %.2f\n", opt,
              reach_alone, static_cast<double>(half) / pairs, deg_saved);
  EXPECT_LT(static_cast<double>(half) / pairs, 0.01);
  EXPECT_EQ(deg_saved, 0.0);
  for (const BlockingResult* r : {&rr, &celf, &deg}) {
    const double exact = bridge_saved(b, r->seeds);
    std::printf("%-7s seeds %u %u: exact saved %.3f, evaluated %.3f +- %.3f (before %.3f)\n", r->method.c_str(),
                r->seeds[0], r->seeds[1], exact, r->saved, r->saved_error, r->reach_before);
    EXPECT_NEAR(r->saved, exact, 5 * r->saved_error + 1e-9) << r->method;
    EXPECT_NEAR(r->reach_before, reach_alone, 5 * r->reach_before_error) << r->method;
  }
  for (const BlockingResult* r : {&rr, &celf}) {
    EXPECT_GE(bridge_saved(b, r->seeds), 0.9 * opt) << r->method;
    EXPECT_GE(bridge_saved(b, r->seeds) - deg_saved, 0.5 * opt) << r->method;
    EXPECT_GT(r->saved - deg.saved, 5 * (r->saved_error + deg.saved_error)) << r->method;
  }
}

TEST(Blocking, BadInput) {
  const FollowerGraph g = constant_probability(erdos_renyi(20, 60, 1), 0.2f);
  const CompetitiveIC model(g);
  const std::vector<vertex_t> f{0, 1};
  BlockingOptions opt;
  opt.evaluation_trials = 0;
  EXPECT_THROW(block_rr(model, f, 19, opt), std::invalid_argument);  // only 18 selectable
  EXPECT_THROW(block_rr(model, f, 0, opt), std::invalid_argument);
  EXPECT_THROW(block_rr(model, std::vector<vertex_t>{0, 0}, 1, opt), std::invalid_argument);
  EXPECT_THROW(block_celf(model, std::vector<vertex_t>{25}, 1, opt), std::out_of_range);
  opt.fixed_seeds = {1};  // a misleading seed cannot be a corrective one
  EXPECT_THROW(block_celf(model, f, 1, opt), std::invalid_argument);
  opt.fixed_seeds.clear();
  opt.worlds = 0;
  EXPECT_THROW(block_rr(model, f, 1, opt), std::invalid_argument);
  EXPECT_THROW(parse_blocking_method("pagerank"), std::invalid_argument);
  EXPECT_EQ(parse_blocking_method("neighbourhood"), BlockingMethod::neighbourhood);
  // Misleading seeds never chosen even when listed as candidates.
  opt.worlds = 100;
  opt.candidates = {0, 1, 2};
  const BlockingResult r = block_rr(model, f, 1, opt);
  EXPECT_EQ(r.seeds, std::vector<vertex_t>{2});
}

TEST(Blocking, RrReportsProgress) {
  const FollowerGraph g = weighted_cascade(erdos_renyi(300, 1500, 5));
  const CompetitiveIC model(g);
  BlockingOptions opt;
  opt.worlds = 1000;  // several blocks of 64 worlds per thread
  opt.roots_per_world = 2;
  opt.evaluation_trials = 0;
  opt.threads = 1;
  std::vector<std::tuple<std::string, std::uint64_t, std::uint64_t>> seen;
  opt.progress = [&](std::string_view phase, std::uint64_t done, std::uint64_t total) {
    seen.emplace_back(std::string(phase), done, total);
  };
  const BlockingResult r = block_rr(model, std::vector<vertex_t>{0, 1}, 3, opt);
  ASSERT_GE(seen.size(), 4u);
  std::uint64_t last = 0;
  std::size_t sampling = 0;
  for (const auto& [phase, done, total] : seen) {
    if (phase != "sampling") continue;
    ++sampling;
    EXPECT_EQ(total, opt.worlds);
    EXPECT_GE(done, last);
    last = done;
  }
  EXPECT_GE(sampling, 3u);  // start, between blocks, end: real progress, not one final report
  EXPECT_EQ(last, opt.worlds);
  EXPECT_EQ(seen.back(), std::make_tuple(std::string("seeds"), std::uint64_t{3}, std::uint64_t{3}));
  EXPECT_EQ(r.seeds.size(), 3u);
}

// ---- Blocking under competitive LT (Borodin, Filmus, Oren 2010): CELF on coupled worlds ----

namespace {

FollowerGraph lt_graph(vertex_t n, std::vector<std::pair<vertex_t, vertex_t>> edges, std::vector<prob_t> w) {
  std::vector<vertex_t> s, t;
  for (auto [a, b] : edges) {
    s.push_back(a);
    t.push_back(b);
  }
  return build_graph_dense(n, s, t, w);
}

double exact_f(const CompetitiveLT& model, const std::vector<vertex_t>& f, const std::vector<vertex_t>& c) {
  return exact_competition(model, f, c).misleading.mean;
}

}  // namespace

TEST(BlockingLT, CelfVersusBruteForceOnTinyGraphs) {
  const std::uint64_t seed = test_seed();
  int checked = 0;
  for (std::uint64_t gseed : {3u, 5u, 8u}) {
    const CompetitiveLT model(random_lt_weights(erdos_renyi(8, 16, gseed), gseed));
    const std::vector<vertex_t> f = top_degree(model.graph(), 1).seeds;
    const ExactCompetition none = exact_competition(model, f, std::vector<vertex_t>{});
    double best1 = 1e18;
    for (vertex_t a = 0; a < 8; ++a)
      if (a != f[0]) best1 = std::min(best1, exact_f(model, f, {a}));
    BlockingOptions opt;
    opt.seed = seed;
    opt.trials = 4000;
    opt.evaluation_trials = 0;
    const BlockingResult r = block_celf(model, f, 1, opt);
    ASSERT_EQ(r.seeds.size(), 1u);
    // Common random numbers: two sample means of one world set; each within 6 sd of exact.
    const double tol = 2.0 * 6.0 * std::sqrt(none.misleading.variance + 0.25) / std::sqrt(4000.0);
    const double got = exact_f(model, f, r.seeds);
    std::printf("LT graph %llu: F alone %.4f, best single %.4f, celf %.4f (tol %.4f)\n",
                static_cast<unsigned long long>(gseed), none.misleading.mean, best1, got, tol);
    EXPECT_LE(got, best1 + tol);
    EXPECT_LT(got, none.misleading.mean);
    CompetitionOptions co;
    co.trials = opt.trials;
    co.seed = seed;
    EXPECT_EQ(r.spread, estimate_competition(model, f, r.seeds, co).misleading.mean);
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(BlockingLT, BeatsDegreeWhereTheAudienceSitsBehindABridge) {
  // f (F seed) -> b (1.0); b -> leaf i (0.6) for 5 leaves; a decoy hub h -> leaf i (0.4) and
  // h -> 6 extra followers (1.0). Degree picks h (11 followers, b has 5); taking the bridge b
  // stops F entirely. Exact (enumerated) F reach: none 2 + 0.6 * 5 = 5, with h 2 + 0.36 * 5 =
  // 3.8 (each leaf: C first with 0.4, else F with share 0.6), with b 1.
  const vertex_t L = 5, h = 2 + L;
  std::vector<std::pair<vertex_t, vertex_t>> e{{0, 1}};
  std::vector<prob_t> w{1.0f};
  for (vertex_t i = 0; i < L; ++i) {
    e.push_back({1, 2 + i});
    w.push_back(0.6f);
    e.push_back({h, 2 + i});
    w.push_back(0.4f);
  }
  for (vertex_t i = 0; i <= L; ++i) {
    e.push_back({h, h + 1 + i});
    w.push_back(1.0f);
  }
  const CompetitiveLT model(lt_graph(h + L + 2, e, w));
  const std::vector<vertex_t> f{0};
  BlockingOptions opt;
  opt.seed = test_seed();
  opt.trials = 300;
  opt.evaluation_trials = 2000;
  opt.method = BlockingMethod::celf;
  const BlockingResult celf = select_blockers(model, f, 1, opt);
  opt.method = BlockingMethod::degree;
  const BlockingResult deg = select_blockers(model, f, 1, opt);
  ASSERT_EQ(deg.seeds, std::vector<vertex_t>{h});
  const double none = exact_f(model, f, {}), with_celf = exact_f(model, f, celf.seeds),
               with_deg = exact_f(model, f, deg.seeds);
  std::printf("LT bridge: F reach none %.4f, degree %.4f, celf %.4f (seed %u)\n", none, with_deg, with_celf,
              celf.seeds[0]);
  EXPECT_NEAR(none, 5.0, 1e-6);
  EXPECT_NEAR(with_deg, 3.8, 1e-6);
  EXPECT_NEAR(with_celf, 1.0, 1e-6);
  EXPECT_GT(with_deg - with_celf, 2.0);
  // The independent Monte Carlo check agrees with the exact values within 6 sigma.
  EXPECT_NEAR(celf.reach_after, with_celf, 6 * celf.reach_after_error + 1e-6);
  EXPECT_NEAR(deg.reach_after, with_deg, 6 * deg.reach_after_error);
}

TEST(BlockingLT, TakesTheLeastHarmWhenEveryCandidateHarms) {
  // f (F) -> v (0.5); c -> y (1.0) -> v (0.5); z is isolated. As a corrective seed, c makes v
  // adopt more often at step 2, and then F with share 1/2: P(v adopts F) = 0.5 + 0.25 = 0.75
  // (0.5 without). Among candidates {c, z} the right choice is z (gain 0); clamping signed
  // gains at 0 would tie them and take c, the lower index.
  const CompetitiveLT model(lt_graph(5, {{0, 1}, {2, 3}, {3, 1}}, {0.5f, 1.0f, 0.5f}));
  const std::vector<vertex_t> f{0};
  EXPECT_NEAR(exact_f(model, f, {2}) - exact_f(model, f, {}), 0.25, 1e-9);
  BlockingOptions opt;
  opt.seed = test_seed();
  opt.trials = 4000;
  opt.evaluation_trials = 0;
  opt.candidates = {2, 4};
  const BlockingResult r1 = block_celf(model, f, 1, opt);
  EXPECT_EQ(r1.seeds, std::vector<vertex_t>{4});
  EXPECT_EQ(r1.marginal_gains, std::vector<double>{0.0});
  const BlockingResult r2 = block_celf(model, f, 2, opt);
  ASSERT_EQ(r2.seeds, (std::vector<vertex_t>{4, 2}));
  // Signed gain of c: -0.25 accounts per world; per-world differences are within [-1, 0].
  EXPECT_NEAR(r2.marginal_gains[1], -0.25, 6.0 * 0.5 / std::sqrt(4000.0));
  EXPECT_NEAR(r2.spread, 1.5 - r2.marginal_gains[1], 1e-12 + 6.0 * 0.5 / std::sqrt(4000.0) * 2);
}

TEST(BlockingLT, ThreadInvarianceProgressAndBadInput) {
  const CompetitiveLT model(random_lt_weights(erdos_renyi(200, 900, 4), 4));
  const std::vector<vertex_t> f = top_degree(model.graph(), 3).seeds;
  BlockingOptions opt;
  opt.seed = test_seed();
  opt.trials = 60;
  opt.evaluation_trials = 100;
  for (vertex_t v : top_degree(model.graph(), 30).seeds)
    if (std::find(f.begin(), f.end(), v) == f.end()) opt.candidates.push_back(v);
  opt.method = BlockingMethod::celf;
  std::vector<BlockingResult> rs;
  std::uint64_t last_seeds = 0;
  for (int t : {1, 3, 7}) {
    opt.threads = t;
    opt.progress = [&](std::string_view phase, std::uint64_t done, std::uint64_t) {
      if (phase == "seeds") last_seeds = done;
    };
    rs.push_back(select_blockers(model, f, 3, opt));
    EXPECT_EQ(last_seeds, 3u);
  }
  for (std::size_t i = 1; i < rs.size(); ++i) {
    EXPECT_EQ(rs[i].seeds, rs[0].seeds);
    EXPECT_EQ(rs[i].marginal_gains, rs[0].marginal_gains);
    EXPECT_EQ(rs[i].spread, rs[0].spread);
    EXPECT_EQ(rs[i].reach_after, rs[0].reach_after);
  }
  opt.progress = {};
  for (BlockingMethod m : {BlockingMethod::degree, BlockingMethod::neighbourhood, BlockingMethod::imm}) {
    opt.method = m;
    EXPECT_EQ(select_blockers(model, f, 2, opt).seeds.size(), 2u);
  }
  opt.method = BlockingMethod::rr;
  EXPECT_THROW(select_blockers(model, f, 1, opt), std::invalid_argument);
  opt.method = BlockingMethod::celf;
  EXPECT_THROW(select_blockers(model, std::vector<vertex_t>{0, 0}, 1, opt), std::invalid_argument);
  EXPECT_THROW(select_blockers(model, std::vector<vertex_t>{500}, 1, opt), std::out_of_range);
  opt.fixed_seeds = {f[0]};
  EXPECT_THROW(select_blockers(model, f, 1, opt), std::invalid_argument);
}

// SPDX-License-Identifier: MIT
/// Campaign planning on multiplexes: (person, platform) rosters and their errors, a one-layer
/// multiplex plan equal to the plain plan bit for bit, the people-counting check against exact
/// enumeration (reach, per-platform reach, weighted audiences and groups in people), the
/// certificate against the brute-force optimum, and thread invariance.
#include <kolsim/campaign/multiplex_plan.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "support.hpp"

using namespace kolsim;
using kolsim::test_support::tiny_graph;

namespace {

std::uint64_t seed() { return test_support::test_seed("test_multiplex_plan", 20261216); }

/// `L` layers of `n` accounts (ids 0..n-1, m edges each); person 1000 + v owns account v on each
/// layer with probability `share`; cross-posting probabilities in [0.2, 0.8].
Multiplex random_multiplex(std::uint32_t L, vertex_t n, std::size_t m, std::uint64_t s, double share = 0.6) {
  std::mt19937_64 gen(s);
  std::vector<MultiplexLayer> layers;
  static const char* const names[] = {"video", "micro", "forum", "chat"};
  for (std::uint32_t l = 0; l < L; ++l) layers.push_back({names[l], tiny_graph(n, m, s * 31 + l, false, 0.2)});
  std::vector<IdentityRow> id;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (vertex_t v = 0; v < n; ++v)
    for (std::uint32_t l = 0; l < L; ++l)
      if (u(gen) < share) id.push_back({1000 + v, l, v});
  std::vector<double> c(static_cast<std::size_t>(L) * L, 0.0);
  for (std::uint32_t a = 0; a < L; ++a)
    for (std::uint32_t b = 0; b < L; ++b)
      if (a != b) c[a * L + b] = 0.2 + 0.6 * u(gen);
  return Multiplex(std::move(layers), id, c);
}

/// A random tiny multiplex with shared people and at most `max_edges` expanded edges.
Multiplex tiny_shared_multiplex(std::uint64_t s, edge_t max_edges) {
  for (std::uint64_t j = 0;; ++j) {
    Multiplex mx = random_multiplex(2, 4, 3, s + 1000 * j);
    if (mx.expanded().num_edges() <= max_edges && mx.num_people() < mx.num_accounts()) return mx;
  }
}

/// Every (person, platform) of mx as a roster row with a random fee in [1, 3] and risk in [0, 0.3].
MultiplexRoster full_roster(const Multiplex& mx, std::uint64_t s, bool risky = true) {
  std::mt19937_64 gen(s);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<account_t> people;
  std::vector<std::string> platforms;
  std::vector<double> fees, risks;
  for (vertex_t x = 0; x < mx.num_accounts(); ++x) {
    people.push_back(mx.people()[mx.person_of(x)]);
    platforms.push_back(mx.layer(mx.layer_of(x)).name);
    fees.push_back(std::round((1.0 + 2.0 * u(gen)) * 4.0) / 4.0);
    risks.push_back(risky ? 0.3 * u(gen) : 0.0);
  }
  return MultiplexRoster::from_rows(mx, people, platforms, fees, risks);
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

void expect_same_plan(const CampaignPlan& a, const CampaignPlan& b) {
  ASSERT_EQ(a.kols.size(), b.kols.size());
  for (std::size_t i = 0; i < a.kols.size(); ++i) {
    EXPECT_EQ(a.kols[i].account, b.kols[i].account);
    EXPECT_EQ(a.kols[i].vertex, b.kols[i].vertex);
    EXPECT_EQ(a.kols[i].fee, b.kols[i].fee);
    EXPECT_EQ(a.kols[i].marginal_reach, b.kols[i].marginal_reach);
    EXPECT_EQ(a.kols[i].marginal_se, b.kols[i].marginal_se);
    EXPECT_EQ(a.kols[i].own_reach, b.kols[i].own_reach);
  }
  EXPECT_EQ(a.certified_ratio, b.certified_ratio);
  EXPECT_EQ(a.reach, b.reach);
  EXPECT_EQ(a.reach_se, b.reach_se);
  EXPECT_EQ(a.reach_rr, b.reach_rr);
  EXPECT_EQ(a.accounts_reached, b.accounts_reached);
  EXPECT_EQ(a.reach_by_step, b.reach_by_step);
  EXPECT_EQ(a.rr_sets, b.rr_sets);
  EXPECT_EQ(a.total_fee, b.total_fee);
  ASSERT_EQ(a.groups.size(), b.groups.size());
  for (std::size_t g = 0; g < a.groups.size(); ++g) {
    EXPECT_EQ(a.groups[g].reach, b.groups[g].reach);
    EXPECT_EQ(a.groups[g].size, b.groups[g].size);
  }
}

}  // namespace

TEST(MultiplexPlan, RosterRowsAndErrorsNameRowAndColumn) {
  // Two platforms; person 100 is on both, 200 only on x, 300 only on y.
  std::vector<account_t> xs{1, 2}, xt{2, 1}, ys{10}, yt{30};
  std::vector<prob_t> xp{0.5f, 0.5f}, yp{0.4f};
  std::vector<MultiplexLayer> layers{{"x", build_graph(xs, xt, xp)}, {"y", build_graph(ys, yt, yp)}};
  const std::vector<IdentityRow> id{{100, 0, 1}, {100, 1, 10}, {200, 0, 2}, {300, 1, 30}};
  const Multiplex mx(std::move(layers), id, std::vector<double>{0, 0.5, 0.5, 0});
  const std::vector<account_t> people{100, 100, 200};
  const std::vector<std::string> plats{"x", "y", "x"};
  const std::vector<double> fees{1.0, 2.5, 1.0};
  const MultiplexRoster ro = MultiplexRoster::from_rows(mx, people, plats, fees);
  ASSERT_EQ(ro.size(), 3u);
  EXPECT_EQ(ro.accounts()[1].vertex, mx.seed_vertex(100, 1));
  EXPECT_EQ(ro.accounts()[1].platform, "y");
  EXPECT_EQ(ro.accounts()[1].fee, 2.5);
  EXPECT_EQ(ro.person(1), 100u);

  auto bad = [&](std::vector<account_t> p, std::vector<std::string> pl) {
    return error_of([&] { (void)MultiplexRoster::from_rows(mx, p, pl, std::vector<double>(p.size(), 1.0)); });
  };
  EXPECT_EQ(bad({100, 999}, {"x", "x"}), "roster row 1, column 'person': person 999 is not in the multiplex");
  EXPECT_EQ(bad({100, 200}, {"x", "y"}), "roster row 1, column 'platform': person 200 has no account on platform 'y'");
  EXPECT_EQ(bad({100, 200}, {"x", "tiktok"}),
            "roster row 1, column 'platform': unknown platform 'tiktok' (the multiplex has 'x', 'y')");
  EXPECT_NE(bad({100, 100}, {"y", "y"}).find("roster row 1: person 100 on platform 'y' is listed twice"),
            std::string::npos);
  EXPECT_THROW((void)MultiplexRoster::from_rows(mx, std::vector<account_t>{100}, std::vector<std::string>{"x"},
                                                std::vector<double>{-1.0}),
               std::invalid_argument);

  // The CSV reader: file:line and column.
  const std::string path = testing::TempDir() + "mx_roster.csv";
  auto read = [&](const std::string& text) {
    std::ofstream(path) << text;
    return error_of([&] { (void)read_multiplex_roster(path, mx); });
  };
  EXPECT_EQ(read("person,platform,fee,risk\n100,x,1,0.1\n100,y,2.5,\n200,x,1,0.2\n"), "");
  {
    const MultiplexRoster r = read_multiplex_roster(path, mx);
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r.accounts()[0].risk, 0.1);
    EXPECT_EQ(r.accounts()[1].vertex, mx.seed_vertex(100, 1));
    EXPECT_EQ(r.person(2), 200u);
  }
  EXPECT_EQ(read("person,platform,fee\n100,x,1\n300,x,1\n"),
            path + ":3: column 'platform': person 300 has no account on platform 'x'");
  EXPECT_EQ(read("person,platform,fee\n7,x,1\n"), path + ":2: column 'person': person 7 is not in the multiplex");
  EXPECT_EQ(read("person,platform,fee\n100,z,1\n"),
            path + ":2: column 'platform': unknown platform 'z' (the multiplex has 'x', 'y')");
  EXPECT_EQ(read("person,platform,fee\n100,x,1\n100,x,2\n"),
            path + ":3: duplicate row: person 100 on platform 'x' (first listed on line 2)");
  EXPECT_NE(read("account,fee\n1,1\n").find(":1: missing required column 'person'"), std::string::npos);
  EXPECT_NE(read("person,platform,fee\n100,x,-2\n").find(":2: person 100 on 'x': fee must be >= 0"),
            std::string::npos);
  std::remove(path.c_str());

  // A roster of another multiplex, and deadline 0, are refused.
  const Multiplex other = random_multiplex(2, 5, 5, 7);
  CampaignSpec spec;
  spec.budget = 2.0;
  EXPECT_NE(error_of([&] { (void)plan_campaign(other, ro, spec); }).find("another multiplex"), std::string::npos);
  spec.deadline = 0;
  EXPECT_NE(error_of([&] { (void)plan_campaign(mx, ro, spec); }).find("deadline 0"), std::string::npos);
}

TEST(MultiplexPlan, OneLayerIsThePlainPlan) {
  for (std::uint64_t i = 0; i < 3; ++i) {
    const FollowerGraph g = tiny_graph(40, 120, seed() + 7 * i, false, 0.05);
    std::vector<IdentityRow> id;
    for (vertex_t v = 0; v < g.num_vertices(); ++v) id.push_back({g.account(v), 0, g.account(v)});
    const Multiplex mx({{"only", g}}, id, std::vector<double>{0.0});
    std::mt19937_64 gen(seed() + i);
    std::vector<account_t> acc;
    std::vector<std::string> plat;
    std::vector<double> fees, risks, weights;
    for (vertex_t v = 0; v < g.num_vertices(); v += 2) {
      acc.push_back(g.account(v));
      plat.push_back("only");
      fees.push_back(1.0 + static_cast<double>(gen() % 4));
      risks.push_back(static_cast<double>(gen() % 3) * 0.1);
    }
    for (vertex_t v = 0; v < g.num_vertices(); ++v) weights.push_back(static_cast<double>(1 + gen() % 3));
    const Roster plain_roster = Roster::from_arrays(g, acc, fees, risks);
    const MultiplexRoster mx_roster = MultiplexRoster::from_rows(mx, acc, plat, fees, risks);
    CampaignSpec spec;
    spec.budget = 6.0;
    spec.seed = seed() + i;
    spec.threads = 1;
    spec.check_trials = 3000;
    spec.epsilon = 0.2;
    spec.budget_curve = {3.0};
    CampaignSpec mspec = spec;
    if (i == 2) {  // a weighted audience with groups: per account, and per person
      std::vector<account_t> all;
      std::vector<std::string> groups;
      for (vertex_t v = 0; v < g.num_vertices(); ++v) {
        all.push_back(g.account(v));
        groups.push_back(v % 3 == 0 ? "a" : "b");
      }
      spec.audience = Audience::from_groups(g, all, groups);
      spec.audience.weights = weights;
      spec.group_minimums = {{"a", 2.0}};
      mspec.audience = spec.audience;
      mspec.audience.graph = GraphBinding();  // per person: person index = vertex here
      mspec.group_minimums = spec.group_minimums;
    }
    const CampaignPlan a = plan_campaign(g, IndependentCascade{}, plain_roster, spec);
    const MultiplexPlan b = plan_campaign(mx, mx_roster, mspec);
    EXPECT_EQ(b.counting, "accounts");
    ASSERT_FALSE(a.kols.empty());
    expect_same_plan(b, a);
    ASSERT_EQ(b.platforms.size(), 1u);
    EXPECT_EQ(b.platforms[0].kols, a.kols.size());
    EXPECT_EQ(b.platforms[0].fee, a.total_fee);
    if (i < 2) {
      EXPECT_NEAR(b.platforms[0].reach, a.reach, 6.0 * std::hypot(a.reach_se, b.platforms[0].se));
    }
  }
}

TEST(MultiplexPlan, PeopleReachMatchesExactEnumeration) {
  for (std::uint64_t i = 0; i < 4; ++i) {
    const Multiplex mx = tiny_shared_multiplex(seed() + 100 * i, 16);
    const MultiplexRoster ro = full_roster(mx, seed() + i);
    CampaignSpec spec;
    spec.budget = 4.0;
    spec.seed = seed() + i;
    spec.threads = 1;
    spec.check_trials = 20000;
    spec.epsilon = 0.1;
    spec.delta = 0.01;
    if (i % 2 == 1) spec.deadline = 1;
    const MultiplexPlan plan = plan_campaign(mx, ro, spec);
    EXPECT_EQ(plan.counting, "people");
    EXPECT_EQ(plan.total_weight, static_cast<double>(mx.num_people()));
    ASSERT_FALSE(plan.kols.empty());
    std::vector<vertex_t> seeds;
    ExactOptions eo;
    eo.max_steps = spec.deadline;
    for (const KolChoice& k : plan.kols) {
      seeds.push_back(k.vertex);
      eo.seed_probabilities.push_back(static_cast<prob_t>(1.0 - k.risk));
      EXPECT_EQ(k.account, mx.people()[mx.person_of(k.vertex)]);
      EXPECT_EQ(k.platform, mx.layer(mx.layer_of(k.vertex)).name);
    }
    const MultiplexExact ex = exact_spread(mx, seeds, eo);
    const double R = static_cast<double>(spec.check_trials);
    const double tol = 6.0 * std::sqrt(ex.variance / R) + 1e-9;
    EXPECT_NEAR(plan.reach, ex.spread, tol) << "multiplex " << i;
    EXPECT_NEAR(plan.accounts_reached, ex.spread, tol) << "people reached, unweighted";
    for (std::uint32_t l = 0; l < mx.num_layers(); ++l)
      EXPECT_NEAR(plan.platforms[l].reach, ex.layer_spread[l], 6.0 * std::sqrt(ex.layer_variance[l] / R) + 1e-9)
          << "platform " << l;
    // Each KOL alone (posting surely) in people.
    for (const KolChoice& k : plan.kols) {
      const vertex_t one[1] = {k.vertex};
      ExactOptions o1;
      o1.max_steps = spec.deadline;
      const MultiplexExact e1 = exact_spread(mx, std::span<const vertex_t>(one), o1);
      EXPECT_NEAR(k.own_reach, e1.spread, 6.0 * std::sqrt(e1.variance / 2000.0) + 1e-9);
    }
    // Certificate: exact reach of the plan >= certified_ratio x the brute-force optimum over
    // every affordable set of roster rows.
    const std::size_t r = ro.size();
    double opt = 0.0;
    for (std::uint64_t mask = 1; mask < (std::uint64_t{1} << r); ++mask) {
      double fee = 0.0;
      std::vector<vertex_t> s;
      ExactOptions o;
      o.max_steps = spec.deadline;
      for (std::size_t j = 0; j < r; ++j) {
        if (!(mask >> j & 1)) continue;
        fee += ro.accounts()[j].fee;
        s.push_back(ro.accounts()[j].vertex);
        o.seed_probabilities.push_back(static_cast<prob_t>(1.0 - ro.accounts()[j].risk));
      }
      if (fee > spec.budget) continue;
      opt = std::max(opt, exact_spread(mx, s, o).spread);
    }
    EXPECT_GT(plan.certified_ratio, 0.3);
    EXPECT_GE(ex.spread, plan.certified_ratio * opt - 1e-9) << "certified " << plan.certified_ratio << " opt " << opt;
    EXPECT_LE(plan.total_fee, spec.budget);
    const std::string js = plan.to_json();
    EXPECT_NE(js.find("\"multiplex\""), std::string::npos);
    EXPECT_NE(js.find("\"counting\": \"people\""), std::string::npos);
    EXPECT_NE(plan.to_table().find("people reached per platform"), std::string::npos);
  }
}

TEST(MultiplexPlan, WeightedPeopleAndGroupMinimumsCountPeople) {
  const Multiplex mx = tiny_shared_multiplex(seed() + 5, 16);
  const MultiplexRoster ro = full_roster(mx, seed() + 9, false);
  const vertex_t P = mx.num_people();
  CampaignSpec spec;
  spec.max_kols = 2;
  spec.seed = seed();
  spec.threads = 1;
  spec.check_trials = 20000;
  spec.audience.weights.resize(P);
  spec.audience.group_of.resize(P);
  spec.audience.group_names = {"even", "odd"};
  for (vertex_t p = 0; p < P; ++p) {
    spec.audience.weights[p] = 1.0 + static_cast<double>(p % 3);
    spec.audience.group_of[p] = p % 2;
  }
  spec.group_minimums = {{"odd", 0.5}};
  const MultiplexPlan plan = plan_campaign(mx, ro, spec);
  std::vector<vertex_t> seeds;
  for (const KolChoice& k : plan.kols) seeds.push_back(k.vertex);
  const MultiplexExact ex = exact_spread(mx, seeds);
  double weighted = 0.0, odd = 0.0;
  std::uint64_t odd_size = 0;
  for (vertex_t p = 0; p < P; ++p) {
    weighted += spec.audience.weights[p] * ex.person_probability[p];
    if (p % 2 == 1) {
      odd += ex.person_probability[p];
      ++odd_size;
    }
  }
  EXPECT_NEAR(plan.reach, weighted, 6.0 * plan.reach_se + 1e-9);
  EXPECT_NEAR(plan.accounts_reached, ex.spread, 6.0 * std::sqrt(ex.variance / 20000.0) + 1e-9);
  ASSERT_EQ(plan.groups.size(), 2u);
  EXPECT_EQ(plan.groups[1].size, odd_size);
  EXPECT_NEAR(plan.groups[1].reach, odd, 6.0 * plan.groups[1].se + 1e-9);
  EXPECT_GE(plan.groups[1].reach, 0.5);
  double total = 0.0;
  for (double w : spec.audience.weights) total += w;
  EXPECT_EQ(plan.total_weight, total);
  // The audience is per person: one weight per account is refused.
  CampaignSpec bad = spec;
  bad.audience.weights.assign(mx.num_accounts() + 1, 1.0);
  bad.audience.group_of.clear();
  bad.audience.group_names.clear();
  bad.group_minimums.clear();
  EXPECT_THROW((void)plan_campaign(mx, ro, bad), std::invalid_argument);
}

TEST(MultiplexPlan, ThreadCountsGiveIdenticalPlans) {
  const Multiplex mx = random_multiplex(3, 60, 180, seed() + 3, 0.5);
  ASSERT_LT(mx.num_people(), mx.num_accounts());
  const MultiplexRoster ro = full_roster(mx, seed() + 4);
  CampaignSpec spec;
  spec.budget = 8.0;
  spec.seed = seed();
  spec.check_trials = 2000;
  spec.budget_curve = {4.0};
  MultiplexPlan ref;
  for (int t : {1, 3, 7}) {
    spec.threads = t;
    const MultiplexPlan p = plan_campaign(mx, ro, spec);
    EXPECT_EQ(p.counting, "people");
    if (t == 1) {
      ref = p;
      continue;
    }
    expect_same_plan(p, ref);
    ASSERT_EQ(p.platforms.size(), ref.platforms.size());
    for (std::size_t l = 0; l < p.platforms.size(); ++l) {
      EXPECT_EQ(p.platforms[l].reach, ref.platforms[l].reach);
      EXPECT_EQ(p.platforms[l].se, ref.platforms[l].se);
    }
    ASSERT_EQ(p.budget_curve.size(), ref.budget_curve.size());
    for (std::size_t j = 0; j < p.budget_curve.size(); ++j) EXPECT_EQ(p.budget_curve[j].reach, ref.budget_curve[j].reach);
  }
}

// SPDX-License-Identifier: MIT
/// The coverage engine (select/max_coverage.hpp) and the budgeted greedy on it, pinned against
/// brute-force greedies that recount every marginal each step: per-set weights, fees, post
/// probabilities, penalties, KOL limits, budgets, candidate scope, fixed seeds and group minimums.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "kolsim/campaign/budgeted_coverage.hpp"
#include "kolsim/select/max_coverage.hpp"
#include "support.hpp"

using namespace kolsim;

namespace {

std::uint64_t test_seed() { return test_support::test_seed("test_coverage", 20261203ULL); }

RRCollection random_sets(std::mt19937_64& gen, vertex_t n, int count, int max_size) {
  RRCollection rr;
  std::uniform_int_distribution<int> size(1, max_size);
  std::uniform_int_distribution<vertex_t> pick(0, n - 1);
  for (int j = 0; j < count; ++j) {
    std::set<vertex_t> s;
    const int z = size(gen);
    while (static_cast<int>(s.size()) < z) s.insert(pick(gen));
    rr.push_set(std::vector<vertex_t>(s.begin(), s.end()));
  }
  return rr;
}

/// Weighted greedy that recounts every marginal each step (ties to the lowest id).
struct PlainWeighted {
  std::vector<vertex_t> seeds;
  std::vector<std::uint64_t> marginal;
  std::uint64_t fixed = 0, coverage = 0;
};
PlainWeighted plain_weighted(const RRCollection& rr, vertex_t n, std::size_t k, const std::vector<std::uint64_t>& w,
                             const std::vector<char>& allowed, const std::vector<vertex_t>& fixed) {
  std::vector<char> cov(rr.size(), 0), taken(n, 0);
  std::vector<std::vector<std::uint64_t>> sets_of(n);
  for (std::uint64_t j = 0; j < rr.size(); ++j)
    for (vertex_t v : rr.set(j)) sets_of[v].push_back(j);
  auto gain = [&](vertex_t v, bool apply) {
    std::uint64_t g = 0;
    for (std::uint64_t j : sets_of[v]) {
      if (cov[j]) continue;
      g += w[j];
      if (apply) cov[j] = 1;
    }
    return g;
  };
  PlainWeighted p;
  for (vertex_t f : fixed) p.fixed += gain(f, true), taken[f] = 1;
  p.coverage = p.fixed;
  while (p.seeds.size() < k) {
    vertex_t best = n;
    std::uint64_t bg = 0;
    for (vertex_t v = 0; v < n; ++v) {
      if (!allowed[v] || taken[v]) continue;
      const std::uint64_t g = gain(v, false);
      if (best == n || g > bg) best = v, bg = g;
    }
    if (best == n) break;
    taken[best] = 1;
    p.seeds.push_back(best);
    p.marginal.push_back(gain(best, true));
    p.coverage += p.marginal.back();
  }
  return p;
}

/// The rules of budgeted_max_coverage (file comment of campaign/budgeted_coverage.hpp) by brute
/// force: every step recomputes f(S + v) - f(S) from scratch for every candidate.
struct PlainBudgeted {
  std::vector<vertex_t> seeds;
  double coverage = 0;
  std::string rule;
  std::vector<double> group_coverage;
};
PlainBudgeted plain_budgeted(const RRCollection& rr, vertex_t n, const BudgetedCoverageOptions& o) {
  auto q = [&](vertex_t v) { return o.post_probability.empty() ? 1.0 : o.post_probability[v]; };
  auto fee = [&](vertex_t v) { return o.fees.empty() ? 1.0 : o.fees[v]; };
  auto pen = [&](vertex_t v) { return o.penalty.empty() ? 0.0 : o.penalty[v]; };
  const bool budgeted = std::isfinite(o.budget), fair = !o.group_target.empty();
  // unc[j] for seed set s; f and group coverage from it.
  auto uncovered = [&](const std::vector<vertex_t>& s) {
    std::vector<double> unc(rr.size(), 1.0);
    for (vertex_t v : s)
      for (std::uint64_t j = 0; j < rr.size(); ++j) {
        const auto set = rr.set(j);
        if (std::find(set.begin(), set.end(), v) != set.end()) unc[j] *= 1.0 - q(v);
      }
    return unc;
  };
  auto f = [&](const std::vector<vertex_t>& s) {
    double c = 0;
    for (double u : uncovered(s)) c += 1.0 - u;
    return c;
  };
  auto groups = [&](const std::vector<vertex_t>& s) {
    std::vector<double> g(o.group_target.size(), 0.0);
    const auto unc = uncovered(s);
    for (std::uint64_t j = 0; j < rr.size(); ++j)
      if (o.set_group[j] != no_group) g[o.set_group[j]] += (1.0 - unc[j]) * o.set_unit[j];
    return g;
  };
  auto truncated = [&](const std::vector<vertex_t>& s) {
    const auto g = groups(s);
    double t = 0;
    for (std::size_t i = 0; i < g.size(); ++i) t += std::min(g[i], o.group_target[i]);
    return t;
  };
  auto ratio = [&](double net, vertex_t v) {
    if (!budgeted) return net;
    return fee(v) > 0.0 ? net / fee(v) : (net > 0.0 ? net * 1e200 : net);
  };
  const double tol = 1e-9 * std::max(1.0, budgeted ? o.budget : 1.0);
  std::vector<vertex_t> base(o.fixed_seeds.begin(), o.fixed_seeds.end());
  // Best candidate by score(v, S) among those that fit the budget left (ties to the lowest id).
  auto argmax = [&](const std::vector<vertex_t>& s, double spent, auto score) {
    vertex_t best = no_vertex;
    double bk = 0;
    for (vertex_t v = 0; v < n; ++v) {
      if (std::find(s.begin(), s.end(), v) != s.end()) continue;
      if (!o.allowed.empty() && !o.allowed[v]) continue;
      if (fee(v) > o.budget - spent + tol) continue;
      const double k = score(v, s);
      if (best == no_vertex || k > bk) best = v, bk = k;
    }
    return std::make_pair(best, bk);
  };
  auto net = [&](vertex_t v, const std::vector<vertex_t>& s) {
    auto t = s;
    t.push_back(v);
    return f(t) - f(s) - pen(v);
  };
  std::vector<vertex_t> s = base, seeds;
  double spent = 0, penalty = 0;
  if (fair) {
    auto unmet = [&] {
      const auto g = groups(s);
      for (std::size_t i = 0; i < g.size(); ++i)
        if (g[i] < o.group_target[i]) return true;
      return false;
    };
    while (unmet() && seeds.size() < o.max_kols) {
      auto [v, k] = argmax(s, spent, [&](vertex_t u, const std::vector<vertex_t>& x) {
        auto t = x;
        t.push_back(u);
        return ratio(truncated(t) - truncated(x), u);
      });
      if (v == no_vertex || k <= 0.0) break;
      s.push_back(v), seeds.push_back(v), spent += fee(v), penalty += pen(v);
    }
  }
  const std::size_t phase1 = seeds.size();
  double best_aug = -std::numeric_limits<double>::infinity();
  std::size_t aug_prefix = 0;
  vertex_t aug_v = no_vertex;
  while (seeds.size() < o.max_kols) {
    if (budgeted && (o.method != BudgetedMethod::greedy_or_single || seeds.size() == phase1)) {
      auto [v, k] = argmax(s, spent, net);
      if (v != no_vertex && f(s) - penalty + k > best_aug) best_aug = f(s) - penalty + k, aug_prefix = seeds.size(), aug_v = v;
    }
    auto [v, k] = argmax(s, spent, [&](vertex_t u, const std::vector<vertex_t>& x) { return ratio(net(u, x), u); });
    if (v == no_vertex || k <= 0.0) break;
    s.push_back(v), seeds.push_back(v), spent += fee(v), penalty += pen(v);
  }
  PlainBudgeted r;
  r.rule = "greedy";
  double cov = f(s);
  if (aug_v != no_vertex && best_aug > cov - penalty + 1e-12 * std::max(1.0, std::abs(cov))) {
    seeds.resize(aug_prefix);
    seeds.push_back(aug_v);
    s = base;
    s.insert(s.end(), seeds.begin(), seeds.end());
    cov = f(s);
    penalty = 0;
    for (vertex_t v : seeds) penalty += pen(v);
    r.rule = aug_prefix == 0 ? "best_single" : "greedy+single";
  }
  if (budgeted && !fair && o.method != BudgetedMethod::greedy_or_single) {
    std::vector<vertex_t> us = base, useeds;
    double uspent = 0, upen = 0;
    while (useeds.size() < o.max_kols) {
      auto [v, k] = argmax(us, uspent, net);
      if (v == no_vertex || k <= 0.0) break;
      us.push_back(v), useeds.push_back(v), uspent += fee(v), upen += pen(v);
    }
    if (o.method == BudgetedMethod::unit_cost || f(us) - upen > cov - penalty + 1e-9 * std::max(1.0, std::abs(cov))) {
      seeds = useeds, s = us, cov = f(us), r.rule = "unit_cost_greedy";
    }
  }
  r.seeds = seeds;
  r.coverage = cov;
  if (fair) r.group_coverage = groups(s);
  return r;
}

}  // namespace

// Per-set weights (some above 2^32, so marginals need 64 bits), candidate scope and fixed seeds:
// the engine's seeds, marginals and coverage equal the recounting greedy's, ties included.
TEST(CoverageEngine, WeightedMatchesBruteForceGreedy) {
  std::mt19937_64 gen(test_seed());
  for (int rep = 0; rep < 60; ++rep) {
    const vertex_t n = 10 + static_cast<vertex_t>(rep % 3);
    const RRCollection rr = random_sets(gen, n, 25 + rep % 20, 4);
    std::vector<std::uint64_t> w(rr.size());
    for (auto& x : w) x = rep % 4 == 3 ? (gen() % 3) << 33 : gen() % 4;  // zeros and ties on purpose
    std::vector<char> allowed(n, 1);
    std::vector<vertex_t> fixed;
    if (rep % 3 == 1) allowed[gen() % n] = 0, allowed[gen() % n] = 0;
    if (rep % 3 == 2) fixed = {static_cast<vertex_t>(gen() % n)};
    for (vertex_t f : fixed) allowed[f] = 0;
    const std::size_t k = 1 + rep % 5;
    MaxCoverageOptions mo;
    mo.allowed = allowed;
    mo.fixed_seeds = fixed;
    mo.set_weights = w;
    mo.upper_bound = false;
    const MaxCoverageResult r = max_coverage(rr, n, k, mo);
    const PlainWeighted p = plain_weighted(rr, n, k, w, allowed, fixed);
    ASSERT_EQ(r.seeds, p.seeds) << "rep " << rep;
    EXPECT_EQ(r.marginal, p.marginal) << "rep " << rep;
    EXPECT_EQ(r.fixed_coverage, p.fixed);
    EXPECT_EQ(r.coverage, p.coverage);
  }
}

// Random instances of that shape (below): thousands of vertices whose sets all hold one of two
// hubs, so their marginals collapse once the hubs are taken, and a few loners in sets of their
// own, most of them outside the first index tier (8k + 512 vertices): the greedy must pull in
// further tiers and still break ties exactly as the recounting greedy.
TEST(CoverageEngine, WeightedTiersMatchBruteForceGreedy) {
  std::mt19937_64 gen(test_seed() + 1);
  const vertex_t n = 5000, hub_a = 4990, hub_b = 4991;
  for (int rep = 0; rep < 4; ++rep) {
    RRCollection rr;
    std::vector<std::uint64_t> w;
    for (vertex_t i = 0; i < 4000; ++i)
      for (std::uint64_t r = 0, c = 1 + gen() % 3; r < c; ++r) {
        rr.push_set(std::vector<vertex_t>{i, gen() % 2 ? hub_a : hub_b});
        w.push_back(1 + gen() % 3);
      }
    for (vertex_t i = 4000; i < 4040; ++i) {
      rr.push_set(std::vector<vertex_t>{i});
      w.push_back(1 + gen() % 9);
    }
    std::vector<char> allowed(n, 1);
    if (rep % 2 == 1) allowed[hub_b] = 0;
    const std::size_t k = 30 + 10 * static_cast<std::size_t>(rep);
    MaxCoverageOptions mo;
    mo.allowed = allowed;
    mo.set_weights = w;
    mo.upper_bound = false;
    const MaxCoverageResult r = max_coverage(rr, n, k, mo);
    const PlainWeighted p = plain_weighted(rr, n, k, w, allowed, {});
    ASSERT_EQ(r.seeds, p.seeds) << "rep " << rep;
    EXPECT_EQ(r.marginal, p.marginal);
    EXPECT_EQ(r.coverage, p.coverage);
  }
}

// A vertex outside the first tier (the loner, in one heavy set) becomes the best choice once
// the hub has covered the rest; ties at 0 then go to the lowest ids.
TEST(CoverageEngine, WeightedVertexOutsideTheFirstIndexTier) {
  const vertex_t n = 700, hub = 600, loner = 601;
  RRCollection rr;
  std::vector<std::uint64_t> w;
  for (vertex_t i = 0; i < 600; ++i)
    for (int r = 0; r < 3; ++r) rr.push_set(std::vector<vertex_t>{i, hub}), w.push_back(2);
  rr.push_set(std::vector<vertex_t>{loner}), w.push_back(5);
  for (vertex_t i = 602; i < n; ++i) rr.push_set(std::vector<vertex_t>{i, hub}), w.push_back(1);
  MaxCoverageOptions mo;
  mo.set_weights = w;
  mo.upper_bound = false;
  const MaxCoverageResult r = max_coverage(rr, n, 3, mo);
  EXPECT_EQ(r.seeds, (std::vector<vertex_t>{hub, loner, 0}));
  EXPECT_EQ(r.marginal, (std::vector<std::uint64_t>{3698, 5, 0}));
  EXPECT_EQ(r.coverage, 3703u);
  EXPECT_EQ(r.seeds, plain_weighted(rr, n, 3, w, std::vector<char>(n, 1), {}).seeds);
}

TEST(CoverageEngine, WeightedArgumentsAreChecked) {
  RRCollection rr;
  rr.push_set(std::vector<vertex_t>{0, 1});
  std::vector<std::uint64_t> w{1, 2};
  MaxCoverageOptions mo;
  mo.set_weights = w;
  mo.upper_bound = false;
  EXPECT_THROW(max_coverage(rr, 2, 1, mo), std::invalid_argument);  // two weights, one set
  w.resize(1);
  mo.set_weights = w;
  mo.upper_bound = true;
  EXPECT_THROW(max_coverage(rr, 2, 1, mo), std::invalid_argument);  // no top-k bound with weights
}

// Fees, post probabilities, penalties, KOL limits, budgets, candidates and fixed seeds: every
// rule of budgeted_max_coverage against the recounting reference. q in {0.5, 1} and
// penalties in halves keep every sum exact, so ties break the same way in both.
TEST(CoverageEngine, BudgetedMatchesBruteForceRules) {
  std::mt19937_64 gen(test_seed() + 2);
  int augmented = 0, unit_cost = 0;
  for (int rep = 0; rep < 48; ++rep) {
    const vertex_t n = 9;
    const RRCollection rr = random_sets(gen, n, 40, 4);
    std::vector<double> fee(n), q(n), pen(n);
    for (vertex_t v = 0; v < n; ++v) {
      fee[v] = 1.0 + static_cast<double>(gen() % 6);
      q[v] = gen() % 2 ? 0.5 : 1.0;
      pen[v] = 0.5 * static_cast<double>(gen() % 4);
    }
    std::vector<char> allowed(n, 1);
    std::vector<vertex_t> fixed;
    if (rep % 4 == 1) allowed[gen() % n] = 0;
    if (rep % 4 == 2) fixed = {static_cast<vertex_t>(gen() % n)};
    for (vertex_t f : fixed) allowed[f] = 0;
    BudgetedCoverageOptions o;
    o.allowed = allowed;
    o.fixed_seeds = fixed;
    o.fees = fee;
    o.post_probability = q;
    if (rep % 3 != 2) o.budget = 4.0 + static_cast<double>(gen() % 8);
    if (rep % 3 != 0) o.max_kols = 1 + gen() % 4;
    if (rep % 2) o.penalty = pen;
    for (auto method : {BudgetedMethod::greedy_plus, BudgetedMethod::greedy_or_single, BudgetedMethod::unit_cost}) {
      o.method = method;
      o.upper_bound = o.penalty.empty();
      const BudgetedCoverageResult r = budgeted_max_coverage(rr, n, o);
      const PlainBudgeted p = plain_budgeted(rr, n, o);
      ASSERT_EQ(r.seeds, p.seeds) << "rep " << rep << " method " << static_cast<int>(method);
      EXPECT_EQ(r.rule, p.rule) << "rep " << rep;
      EXPECT_DOUBLE_EQ(r.coverage, p.coverage) << "rep " << rep;
      augmented += r.rule == "greedy+single" || r.rule == "best_single";
      unit_cost += r.rule == "unit_cost_greedy" && method != BudgetedMethod::unit_cost;
      if (!o.upper_bound) continue;
      // The bound holds for every feasible set (brute force over all 2^9).
      double best = 0;
      for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
        std::vector<vertex_t> s(fixed);
        double spent = 0;
        std::size_t picked = 0;
        bool ok = true;
        for (vertex_t v = 0; v < n; ++v)
          if (mask >> v & 1) {
            ok = ok && allowed[v];
            s.push_back(v), spent += fee[v], ++picked;
          }
        if (!ok || spent > o.budget + 1e-9 || picked > o.max_kols) continue;
        std::vector<double> qs;
        for (vertex_t v : s) qs.push_back(q[v]);
        double c = 0;
        for (std::uint64_t j = 0; j < rr.size(); ++j) {
          double unc = 1;
          for (std::size_t i = 0; i < s.size(); ++i) {
            const auto set = rr.set(j);
            if (std::find(set.begin(), set.end(), s[i]) != set.end()) unc *= 1 - qs[i];
          }
          c += 1 - unc;
        }
        best = std::max(best, c);
      }
      EXPECT_GE(r.upper_bound, best - 1e-9) << "rep " << rep;
    }
  }
  // The instances reach the augmenting and the unit-cost rules, not only the plain greedy.
  EXPECT_GT(augmented, 0);
  EXPECT_GT(unit_cost, 0);
}

// Group minimums (phase 1 on the truncated objective) with fees and post probabilities.
TEST(CoverageEngine, GroupMinimumsMatchBruteForceRules) {
  std::mt19937_64 gen(test_seed() + 3);
  int met = 0;
  for (int rep = 0; rep < 30; ++rep) {
    const vertex_t n = 10;
    const RRCollection rr = random_sets(gen, n, 50, 3);
    std::vector<double> fee(n), q(n);
    for (vertex_t v = 0; v < n; ++v) {
      fee[v] = 1.0 + static_cast<double>(gen() % 4);
      q[v] = gen() % 3 ? 1.0 : 0.5;
    }
    std::vector<std::uint32_t> group(rr.size());
    std::vector<double> unit(rr.size());
    for (std::uint64_t j = 0; j < rr.size(); ++j) {
      const vertex_t root = rr.set(j)[0];
      group[j] = root % 4 == 3 ? no_group : root % 3;
      unit[j] = 0.5 * static_cast<double>(1 + j % 3);
    }
    std::vector<double> target{2.0 + static_cast<double>(gen() % 6), 1.0 + static_cast<double>(gen() % 4),
                               rep % 2 ? 0.0 : 3.0};
    BudgetedCoverageOptions o;
    o.fees = fee;
    o.post_probability = q;
    o.set_group = group;
    o.set_unit = unit;
    o.group_target = target;
    if (rep % 3 != 0) o.budget = 5.0 + static_cast<double>(gen() % 6);
    if (rep % 3 != 1) o.max_kols = 2 + gen() % 3;
    const BudgetedCoverageResult r = budgeted_max_coverage(rr, n, o);
    const PlainBudgeted p = plain_budgeted(rr, n, o);
    ASSERT_EQ(r.seeds, p.seeds) << "rep " << rep;
    EXPECT_EQ(r.rule, p.rule);
    EXPECT_DOUBLE_EQ(r.coverage, p.coverage);
    ASSERT_EQ(r.group_coverage.size(), p.group_coverage.size());
    bool all = true;
    for (std::size_t g = 0; g < target.size(); ++g) {
      EXPECT_DOUBLE_EQ(r.group_coverage[g], p.group_coverage[g]);
      all = all && r.group_coverage[g] >= target[g];
    }
    met += all;
  }
  EXPECT_GT(met, 0);
}

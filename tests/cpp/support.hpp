// SPDX-License-Identifier: MIT
/// Helpers shared by the C++ test programs: the printed, overridable test seed, random tiny
/// graphs, the brute-force optimum by exact spread, and a "trap" instance (closed-form spread,
/// exact optimum) on which random and degree selection fail the (1 - 1/e - epsilon) bound.
#pragma once

#include <kolsim/estimate/exact.hpp>
#include <kolsim/graph/builder.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <numeric>
#include <span>
#include <string>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace kolsim::test_support {

/// The seed a test program uses: `fallback`, or KOLSIM_TEST_SEED when set; printed once.
inline std::uint64_t test_seed(const char* program, std::uint64_t fallback) {
  static const std::uint64_t s = [&] {
    const char* env = std::getenv("KOLSIM_TEST_SEED");
    const std::uint64_t v = env ? std::strtoull(env, nullptr, 10) : fallback;
    std::printf("[%s] seed = %llu (override with KOLSIM_TEST_SEED)\n", program, static_cast<unsigned long long>(v));
    return v;
  }();
  return s;
}

/// Random graph on n vertices with m distinct non-loop edges, probabilities uniform in
/// [low, 0.9] (or all `equal` when it is > 0); with `lt`, in-weights above 0.95 are scaled down
/// to 0.95.
inline FollowerGraph tiny_graph(vertex_t n, std::size_t m, std::uint64_t seed, bool lt, double low = 0.1,
                                prob_t equal = 0.0f) {
  std::mt19937_64 gen(seed);
  std::set<std::pair<vertex_t, vertex_t>> es;
  std::uniform_int_distribution<vertex_t> pick(0, n - 1);
  while (es.size() < m) {
    vertex_t a = pick(gen), b = pick(gen);
    if (a != b) es.insert({a, b});
  }
  std::vector<vertex_t> s, t;
  std::vector<prob_t> p;
  std::vector<double> insum(n, 0.0);
  std::uniform_real_distribution<double> u(low, 0.9);
  for (auto [a, b] : es) {
    s.push_back(a);
    t.push_back(b);
    p.push_back(equal > 0.0f ? equal : static_cast<prob_t>(u(gen)));
    insum[b] += p.back();
  }
  if (lt) {
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (insum[t[i]] > 0.95) p[i] = static_cast<prob_t>(p[i] * 0.95 / insum[t[i]]);
    }
  }
  return build_graph_dense(n, s, t, p);
}

/// Best exact spread of fixed + any k-subset of the pool.
template <class M>
double brute_opt(const FollowerGraph& g, const M& model, std::size_t k, const std::vector<vertex_t>& pool,
                 const std::vector<vertex_t>& fixed) {
  std::vector<int> sel(pool.size(), 0);
  std::fill(sel.end() - static_cast<std::ptrdiff_t>(k), sel.end(), 1);
  double best = 0;
  do {
    auto c = fixed;
    for (std::size_t i = 0; i < pool.size(); ++i)
      if (sel[i]) c.push_back(pool[i]);
    best = std::max(best, exact_spread(g, model, c).spread);
  } while (std::next_permutation(sel.begin(), sel.end()));
  return best;
}

/// Graph on 0 .. n-1 from an edge list with one probability per edge.
inline FollowerGraph make_graph(vertex_t n, const std::vector<std::pair<vertex_t, vertex_t>>& edges,
                                const std::vector<prob_t>& probs) {
  std::vector<vertex_t> s, t;
  for (auto [a, b] : edges) {
    s.push_back(a);
    t.push_back(b);
  }
  return build_graph_dense(n, s, t, probs);
}

/// 0 .. n-1.
inline std::vector<vertex_t> all_vertices(vertex_t n) {
  std::vector<vertex_t> v(n);
  for (vertex_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

/// Failure probability the tests give probabilistic guarantees (IMM's 1/n^ell, OPIM-C's delta):
/// small enough that a correct selector essentially never fails a test by bad luck.
inline constexpr double test_delta = 1e-6;

/// IMM's ell for test_delta: 1/n^ell <= test_delta.
inline double ell_for_test_delta(vertex_t n) {
  return std::ceil(std::log(1.0 / test_delta) / std::log(static_cast<double>(n)) * 100.0) / 100.0;
}

/// Tolerance of a selector's own RR estimate n * F_R(S) / theta of the spread of a set S that it
/// chose on those same theta RR sets. For one fixed set the estimate has standard error
/// se = n sqrt(q (1 - q) / theta), q = exact / n (each RR set is covered with probability q).
/// S was picked among at most C(pool, k) sets, so the selection can bias it upward: a union bound
/// over all of them at total failure probability test_delta asks for z standard errors with
/// 2 C exp(-z^2 / 2) <= test_delta (normal tail; theta is in the thousands), plus 1e-9.
inline double selection_estimate_tolerance(double exact, double n, std::uint64_t theta, std::size_t pool,
                                           std::size_t k) {
  double log_sets = 0;  // log C(pool, k)
  for (std::size_t i = 0; i < k; ++i) log_sets += std::log(static_cast<double>(pool - i) / static_cast<double>(i + 1));
  const double z = std::sqrt(2.0 * (std::log(2.0 / test_delta) + log_sets));
  const double q = std::clamp(exact / n, 0.0, 1.0);
  return z * n * std::sqrt(q * (1 - q) / static_cast<double>(std::max<std::uint64_t>(theta, 1))) + 1e-9;
}

/// A two-layer graph: every edge runs from a source (no in-edges) to an audience account (no
/// out-edges). Its spread has a closed form, so exact values need no enumeration. IC:
/// |S| + sum over v not in S of 1 - prod_{s in S, s -> v} (1 - p(s, v)); LT: the same with
/// sum_{s in S, s -> v} w(s, v) (in-weights sum to <= 1). In both models the audience
/// accounts activate independently given S, so Var(reach) = sum P(v)(1 - P(v)) <= n / 4.
struct TwoLayer {
  FollowerGraph graph;
  std::vector<vertex_t> sources;  ///< accounts with followers, ascending
  bool lt = false;                ///< weights are LT weights (else IC probabilities)
  std::string description;
};

/// Exact spread of `seeds` on a two-layer graph (see TwoLayer).
inline double two_layer_spread(const TwoLayer& t, std::span<const vertex_t> seeds) {
  const FollowerGraph& g = t.graph;
  const auto off = g.out_offsets();
  const auto tgt = g.out_targets();
  const auto p = g.edge_probs();
  std::vector<double> miss(g.num_vertices(), 1.0);  // IC: P(not reached); LT: 1 - sum of weights
  std::vector<char> seed(g.num_vertices(), 0);
  for (vertex_t s : seeds) seed[s] = 1;
  std::vector<vertex_t> touched;
  for (vertex_t s : seeds) {
    for (edge_t e = off[s]; e < off[s + 1]; ++e) {
      const vertex_t v = tgt[e];
      if (miss[v] == 1.0) touched.push_back(v);
      miss[v] = t.lt ? miss[v] - p[e] : miss[v] * (1.0 - p[e]);
    }
  }
  double f = static_cast<double>(seeds.size());
  for (vertex_t v : touched)
    if (!seed[v] && miss[v] != 1.0) f += 1.0 - std::max(0.0, miss[v]);
  return f;
}

/// Exact maximum of a monotone submodular set function `f` over k-subsets of `pool`, by branch
/// and bound: a branch holding S with r picks left is cut when f(S) plus its r largest marginal
/// gains f(S + v) - f(S) (an upper bound, by submodularity) cannot beat the best found. Starts
/// from the greedy value. Exact, and as exhaustive as brute force wherever the bound is loose.
inline double exact_optimum(const std::function<double(std::span<const vertex_t>)>& f,
                            const std::vector<vertex_t>& pool, std::size_t k) {
  double best = 0;
  std::vector<vertex_t> cur;
  std::function<void(std::size_t, double)> go = [&](std::size_t from, double fcur) {
    if (cur.size() == k) {
      best = std::max(best, fcur);
      return;
    }
    const std::size_t left = k - cur.size();
    if (pool.size() - from < left) return;
    std::vector<std::pair<double, std::size_t>> gains;
    for (std::size_t i = from; i < pool.size(); ++i) {
      cur.push_back(pool[i]);
      gains.push_back({f(cur), i});
      cur.pop_back();
    }
    std::vector<double> g;
    for (auto [v, i] : gains) g.push_back(v - fcur);
    std::vector<double> top = g;
    std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(left), top.end(), std::greater<>());
    if (fcur + std::accumulate(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(left), 0.0) <= best + 1e-12)
      return;
    for (auto [v, i] : gains) {
      cur.push_back(pool[i]);
      go(i + 1, v);
      cur.pop_back();
    }
  };
  // Greedy start: a good incumbent makes the cuts bite from the first branch.
  std::vector<vertex_t> gs;
  for (std::size_t r = 0; r < k; ++r) {
    double bv = -1;
    vertex_t bu = 0;
    for (vertex_t u : pool) {
      if (std::find(gs.begin(), gs.end(), u) != gs.end()) continue;
      gs.push_back(u);
      const double v = f(gs);
      gs.pop_back();
      if (v > bv) bv = v, bu = u;
    }
    gs.push_back(bu);
  }
  best = f(gs);
  go(0, f(cur));
  return best;
}

/// The trap instance (two-layer; n = 272, 766 edges, 50 sources), k = 6 in the tests:
///  - 14 "hub" sources share one audience of 40 at p = 0.03: the highest follower counts
///    (degree 40), worth 2.2 alone and little more together;
///  - 5 "core" sources each own 20 followers at p = 0.62, 0.66, ..., 0.78 (distinct, so greedy's
///    choice is unique), worth 13.4 .. 16.6;
///  - 2 "twin" sources share 24 followers (IC p = 0.8: 20.2 alone, +2 for the second twin; LT
///    w = 0.45, in-weights <= 1: 11.8 each);
///  - 29 "filler" sources with 2 followers at 0.3 (1.6 each).
/// The best 6 are one twin and the 5 cores (IC 95.2, LT 86.8). The 6 highest degrees are hubs
/// (12.7 / 13.2, ratio < 0.16), and a random 6-set, of all accounts or of the 50 sources,
/// passes half the optimum rarely (see baseline_pass_fraction).
inline TwoLayer trap_graph(bool lt) {
  std::vector<vertex_t> s, t;
  std::vector<prob_t> p;
  vertex_t next = 50;  // audience ids start after the 50 sources
  auto follow = [&](vertex_t src, vertex_t first, vertex_t count, double prob) {
    for (vertex_t j = 0; j < count; ++j) {
      s.push_back(src);
      t.push_back(first + j);
      p.push_back(static_cast<prob_t>(prob));
    }
  };
  const vertex_t pool = next;
  next += 40;
  for (vertex_t h = 0; h < 14; ++h) follow(h, pool, 40, 0.03);
  for (vertex_t c = 0; c < 5; ++c, next += 20) follow(14 + c, next, 20, 0.62 + 0.04 * c);
  follow(19, next, 24, lt ? 0.45 : 0.8);
  follow(20, next, 24, lt ? 0.45 : 0.8);
  next += 24;
  for (vertex_t f = 21; f < 50; ++f, next += 2) follow(f, next, 2, 0.3);
  TwoLayer r{build_graph_dense(next, s, t, p), all_vertices(50), lt, lt ? "trap LT" : "trap IC"};
  return r;
}

/// Fraction of `draws` uniformly random k-subsets of `from` whose exact spread reaches `bound`
/// (fixed generator seed: the number is reproducible).
inline double baseline_pass_fraction(const TwoLayer& t, const std::vector<vertex_t>& from, std::size_t k,
                                     double bound, int draws = 20000) {
  std::mt19937_64 gen(12345);
  std::vector<vertex_t> pick = from;
  int pass = 0;
  for (int d = 0; d < draws; ++d) {
    for (std::size_t i = 0; i < k; ++i) {
      std::uniform_int_distribution<std::size_t> u(i, pick.size() - 1);
      std::swap(pick[i], pick[u(gen)]);
    }
    if (two_layer_spread(t, std::span<const vertex_t>(pick.data(), k)) >= bound) ++pass;
  }
  return static_cast<double>(pass) / draws;
}

/// Shows that `bound` separates on `t`: the top-k by follower count and random k-sets (of all
/// accounts and of the sources) fail it, except for a fraction below 5%. Prints the numbers.
inline void expect_baselines_fail(const TwoLayer& t, std::size_t k, double bound, const std::vector<vertex_t>& degree_top) {
  const double deg = two_layer_spread(t, degree_top);
  const double any = baseline_pass_fraction(t, all_vertices(t.graph.num_vertices()), k, bound);
  const double src = baseline_pass_fraction(t, t.sources, k, bound);
  std::printf("[%s k=%zu] bound %.3f: degree top-k spread %.3f; random k-sets passing: %.4f of all accounts, "
              "%.4f of sources\n",
              t.description.c_str(), k, bound, deg, any, src);
  EXPECT_LT(deg, bound) << t.description;
  EXPECT_LT(any, 0.05) << t.description;
  EXPECT_LT(src, 0.05) << t.description;
}

/// The promises every selector makes about a candidate pool and fixed seeds, checked on `g`
/// (n = 12) with pool {1, 3, ..., 11}, fixed seed 0, epsilon 0.2 and failure probability
/// test_delta: seeds come from the pool and never repeat the fixed seed, exact spread >=
/// (1 - 1/e - epsilon) OPT, and (unless `check_spread` is false, for selectors that check their
/// own estimate against its error bar) the selector's own spread, taken on the theta RR sets it
/// selected on, is within selection_estimate_tolerance of the exact value. `select(options)` runs the
/// algorithm; the result and the exact spread / optimum are returned for algorithm-specific checks.
template <class Options, class Select>
auto check_candidates_and_fixed(const FollowerGraph& g, Options o, Select select, bool check_spread = true) {
  struct Checked {
    decltype(select(o)) result;
    double exact;
    double optimum;
  };
  o.epsilon = 0.2;
  if constexpr (requires { o.ell; }) o.ell = ell_for_test_delta(12);
  if constexpr (requires { o.delta; }) o.delta = test_delta;
  o.candidates = {1, 3, 5, 7, 9, 11};
  o.fixed_seeds = {0};
  auto r = select(o);
  EXPECT_EQ(r.seeds.size(), 2u);
  for (vertex_t s : r.seeds) {
    EXPECT_TRUE(std::find(o.candidates.begin(), o.candidates.end(), s) != o.candidates.end());
    EXPECT_NE(s, 0u);
  }
  auto all = o.fixed_seeds;
  all.insert(all.end(), r.seeds.begin(), r.seeds.end());
  const double got = exact_spread(g, IndependentCascade{}, all).spread;
  const double opt = brute_opt(g, IndependentCascade{}, 2, o.candidates, o.fixed_seeds);
  EXPECT_GE(got, (1 - 1 / std::exp(1.0) - 0.2) * opt);
  if (check_spread) {
    std::uint64_t sets = r.rr_sets;
    if constexpr (requires { r.theta; }) sets = r.theta;
    EXPECT_NEAR(r.spread, got, selection_estimate_tolerance(got, 12, sets, 6, 2));
  }
  return Checked{std::move(r), got, opt};
}

}  // namespace kolsim::test_support

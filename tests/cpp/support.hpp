// SPDX-License-Identifier: MIT
/// Helpers shared by the C++ test programs: the printed, overridable test seed, random tiny
/// graphs, and the brute-force optimum by exact spread.
#pragma once

#include <kolsim/estimate/exact.hpp>
#include <kolsim/graph/builder.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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

/// The promises every selector makes about a candidate pool and fixed seeds, checked on `g`
/// (n = 12) with pool {1, 3, ..., 11}, fixed seed 0 and epsilon 0.2: seeds come from the pool and
/// never repeat the fixed seed, exact spread >= (1 - 1/e - epsilon) OPT, and (unless
/// `check_spread` is false, for selectors that check their own estimate against its error bar)
/// the selector's own spread is within 10% of the exact value. `select(options)` runs the
/// algorithm; the result and the exact spread / optimum are returned for algorithm-specific checks.
template <class Options, class Select>
auto check_candidates_and_fixed(const FollowerGraph& g, Options o, Select select, bool check_spread = true) {
  struct Checked {
    decltype(select(o)) result;
    double exact;
    double optimum;
  };
  o.epsilon = 0.2;
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
    EXPECT_NEAR(r.spread, got, 0.1 * got);
  }
  return Checked{std::move(r), got, opt};
}

}  // namespace kolsim::test_support

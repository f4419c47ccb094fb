// SPDX-License-Identifier: MIT
/// Helpers shared by the C++ test programs: the printed, overridable test seed, random tiny
/// graphs, and the brute-force optimum by exact spread.
#pragma once

#include <kolsim/estimate/exact.hpp>
#include <kolsim/graph/builder.hpp>

#include <algorithm>
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

/// Random graph on n vertices with m distinct non-loop edges, probabilities in [0.1, 0.9];
/// with `lt`, in-weights above 0.95 are scaled down to 0.95.
inline FollowerGraph tiny_graph(vertex_t n, std::size_t m, std::uint64_t seed, bool lt) {
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
  std::uniform_real_distribution<double> u(0.1, 0.9);
  for (auto [a, b] : es) {
    s.push_back(a);
    t.push_back(b);
    p.push_back(static_cast<prob_t>(u(gen)));
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

}  // namespace kolsim::test_support

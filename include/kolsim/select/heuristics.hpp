// SPDX-License-Identifier: MIT
/// Score-based seed heuristics: follower count, degree discount, influence PageRank, follower
/// core numbers, Katz and eigenvector centrality, and top-k selection over any score vector.
///
/// None of these carries an approximation guarantee; they are fast baselines (O(m) to O(m log n)
/// or a fixed number of O(m) sweeps) against which greedy, IMM and OPIM are compared. Direction
/// as everywhere in kolsim: u -> v means "v follows u"; influence flows u -> v, so an account's
/// follower count is its out-degree and influence scores are taken from followers. Every
/// selector honours SelectOptions::candidates and fixed_seeds (via make_seed_scope) and breaks
/// ties toward the lowest vertex index, so results are deterministic.
#pragma once

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <queue>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/IterativeLinearSolvers>
#include <Eigen/Sparse>
#include <boost/graph/core_numbers.hpp>
#include <boost/graph/page_rank.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <boost/graph/strong_components.hpp>

#include "kolsim/core/error.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/bgl.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/select/common.hpp"

namespace kolsim {

/// The k allowed accounts with the highest scores (ties to the lowest index), skipping fixed
/// seeds and non-candidates; marginal_gains holds each chosen account's score. O(n log k).
/// Invalid: scores.size() != n, a NaN score, k above the selectable pool.
inline SelectResult select_top_scores(const FollowerGraph& g, std::span<const double> scores, std::size_t k,
                                      const SelectOptions& opt = {}, std::string method = "score") {
  Stopwatch clock;
  const vertex_t n = g.num_vertices();
  KOLSIM_REQUIRE(scores.size() == n, "select_top_scores: ", scores.size(), " scores for ", n, " accounts");
  for (vertex_t v = 0; v < n; ++v)
    KOLSIM_REQUIRE(!std::isnan(scores[v]), "select_top_scores: score of vertex ", v, " is NaN");
  const SeedScope scope = make_seed_scope(g, k, opt);
  std::vector<vertex_t> pool;
  pool.reserve(scope.num_allowed);
  for (vertex_t v = 0; v < n; ++v)
    if (scope.allowed[v]) pool.push_back(v);
  auto better = [&](vertex_t a, vertex_t b) { return scores[a] > scores[b] || (scores[a] == scores[b] && a < b); };
  std::partial_sort(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(k), pool.end(), better);
  SelectResult r;
  r.method = std::move(method);
  r.seeds.assign(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(k));
  for (vertex_t v : r.seeds) r.marginal_gains.push_back(scores[v]);
  r.seconds = clock.seconds();
  r.phase_seconds.emplace_back("select", r.seconds);
  return r;
}

/// The k accounts with the most followers (out-degree, parallel edges counted).
inline SelectResult top_degree(const FollowerGraph& g, std::size_t k, const SelectOptions& opt = {}) {
  std::vector<double> score(g.num_vertices());
  for (vertex_t v = 0; v < g.num_vertices(); ++v) score[v] = static_cast<double>(g.out_degree(v));
  return select_top_scores(g, score, k, opt, "top_degree");
}

/// DegreeDiscountIC (Chen, Wang, Yang, KDD 2009), directed: d_v = follower count (out-degree),
/// t_v = number of chosen seeds (fixed seeds included) that v follows, counted per edge; after
/// each choice the chosen account's followers v get dd_v = d_v - 2 t_v - (d_v - t_v) t_v p.
/// Picks the largest dd_v each round (ties to the lowest index); marginal_gains holds dd at the
/// time of choice. O((n + m) log n) with a lazy max-heap. Invalid: p outside [0, 1].
inline SelectResult degree_discount(const FollowerGraph& g, std::size_t k, prob_t p, const SelectOptions& opt = {}) {
  Stopwatch clock;
  KOLSIM_REQUIRE(p >= 0.0f && p <= 1.0f, "degree_discount: p must be in [0, 1], got ", p);
  const SeedScope scope = make_seed_scope(g, k, opt);
  const vertex_t n = g.num_vertices();
  const double pp = p;
  std::vector<double> dd(n);
  std::vector<std::uint64_t> t(n, 0);
  std::vector<char> chosen(n, 0);
  for (vertex_t v = 0; v < n; ++v) dd[v] = static_cast<double>(g.out_degree(v));
  auto discount = [&](vertex_t v) {
    const double d = static_cast<double>(g.out_degree(v)), tv = static_cast<double>(t[v]);
    dd[v] = d - 2.0 * tv - (d - tv) * tv * pp;
  };
  using Entry = std::pair<double, vertex_t>;
  auto lower = [](const Entry& a, const Entry& b) {  // heap top = largest score, then lowest index
    return a.first < b.first || (a.first == b.first && a.second > b.second);
  };
  std::priority_queue<Entry, std::vector<Entry>, decltype(lower)> heap(lower);
  auto pick = [&](vertex_t u) {
    chosen[u] = 1;
    for (vertex_t v : g.out_neighbors(u)) {
      if (chosen[v]) continue;
      ++t[v];
      discount(v);
      if (scope.allowed[v]) heap.emplace(dd[v], v);
    }
  };
  for (vertex_t f : scope.fixed) pick(f);
  for (vertex_t v = 0; v < n; ++v)
    if (scope.allowed[v] && !chosen[v]) heap.emplace(dd[v], v);
  SelectResult r;
  r.method = "degree_discount";
  while (r.seeds.size() < k) {
    assert(!heap.empty());
    const auto [score, u] = heap.top();
    heap.pop();
    if (chosen[u] || score != dd[u]) continue;  // stale entry
    r.seeds.push_back(u);
    r.marginal_gains.push_back(score);
    pick(u);
  }
  r.seconds = clock.seconds();
  r.phase_seconds.emplace_back("select", r.seconds);
  return r;
}

/// PageRank in the influence direction (Brin & Page 1998): rank flows from a follower to the
/// account it follows, i.e. Boost.Graph's page_rank run on boost::reverse_graph of g for
/// `iterations` sweeps from 1/n. BGL's form is used as is: r(u) = (1 - d) + d * sum over
/// followers v of r(v) / (accounts v follows); no dangling-mass redistribution, so ranks sum to
/// about n (less when some accounts follow nobody). O(iterations * (n + m log d)).
/// Invalid: damping outside [0, 1), iterations < 1.
inline std::vector<double> influence_pagerank(const FollowerGraph& g, double damping = 0.85, int iterations = 50) {
  KOLSIM_REQUIRE(damping >= 0.0 && damping < 1.0, "influence_pagerank: damping must be in [0, 1), got ", damping);
  KOLSIM_REQUIRE(iterations >= 1, "influence_pagerank: iterations must be >= 1, got ", iterations);
  const vertex_t n = g.num_vertices();
  std::vector<double> rank(n, 0.0);
  if (n == 0) return rank;
  const boost::reverse_graph<FollowerGraph> rg(g);
  boost::graph::page_rank(rg, boost::make_iterator_property_map(rank.begin(), get(boost::vertex_index, g)),
                   boost::graph::n_iterations(iterations), damping);
  return rank;
}

/// Follower core numbers via Boost.Graph's core_numbers (Batagelj & Zaversnik 2003) on
/// boost::reverse_graph of g: the degree is the follower count (out-degree, parallel edges
/// counted), so core c means "inside a subgraph where every account has >= c followers within
/// the subgraph". O(n + m).
inline std::vector<std::uint32_t> core_numbers(const FollowerGraph& g) {
  const vertex_t n = g.num_vertices();
  std::vector<std::uint64_t> core(n, 0);
  if (n > 0) {
    boost::reverse_graph<FollowerGraph> rg(g);
    boost::core_numbers(rg, boost::make_iterator_property_map(core.begin(), get(boost::vertex_index, g)));
  }
  return std::vector<std::uint32_t>(core.begin(), core.end());
}

namespace detail {

/// Sparse A with A[u][v] = number of arcs u -> v (rows = accounts, columns = followers).
inline Eigen::SparseMatrix<double, Eigen::RowMajor, std::int64_t> influence_matrix(const FollowerGraph& g) {
  const vertex_t n = g.num_vertices();
  std::vector<Eigen::Triplet<double, std::int64_t>> trip;
  trip.reserve(g.num_edges());
  for (vertex_t u = 0; u < n; ++u)
    for (vertex_t v : g.out_neighbors(u)) trip.emplace_back(u, v, 1.0);
  Eigen::SparseMatrix<double, Eigen::RowMajor, std::int64_t> a(n, n);
  a.setFromTriplets(trip.begin(), trip.end());  // parallel arcs add up
  return a;
}

/// Spectral radius of A = influence_matrix(g): exactly 0 when g has no cycle (every strong
/// component a single account without a self-loop), else power iteration on A + I (the shift
/// makes periodic graphs converge; the 1-norm ratio of a non-negative vector is bracketed by
/// the Collatz-Wielandt bounds).
inline double spectral_radius_estimate(const FollowerGraph& g,
                                       const Eigen::SparseMatrix<double, Eigen::RowMajor, std::int64_t>& a) {
  const auto n = a.rows();
  {
    std::vector<vertex_t> comp(g.num_vertices());
    const auto count = boost::strong_components(
        g, boost::make_iterator_property_map(comp.begin(), get(boost::vertex_index, g)));
    bool cyclic = static_cast<vertex_t>(count) < g.num_vertices();
    for (vertex_t u = 0; u < g.num_vertices() && !cyclic; ++u)
      for (vertex_t v : g.out_neighbors(u)) cyclic = cyclic || v == u;
    if (!cyclic) return 0.0;
  }
  Eigen::VectorXd x = Eigen::VectorXd::Constant(n, 1.0 / static_cast<double>(n));
  double lambda = 0.0;
  for (int it = 0; it < 1000; ++it) {
    Eigen::VectorXd y = a * x + x;
    const double norm = y.sum();  // x >= 0 and sums to 1, so this is the 1-norm ratio
    const double next = norm - 1.0;
    x = y / norm;
    if (it > 10 && std::abs(next - lambda) <= 1e-9 * std::max(1.0, next)) {
      lambda = next;
      break;
    }
    lambda = next;
  }
  return std::max(lambda, 0.0);
}

}  // namespace detail

/// Katz centrality (Katz, Psychometrika 1953) in the influence direction: x = alpha A x + beta
/// with A[u][v] = 1 per arc u -> v, so an account scores from its followers' scores. Solved as
/// (I - alpha A) x = beta 1 with Eigen's BiCGSTAB (relative tolerance 1e-12). alpha = 0 picks
/// 0.9 / lambda, with lambda the spectral radius of A estimated by power iteration (0.9 when
/// the graph is acyclic). Invalid: alpha < 0, alpha >= 1 / lambda (series diverges).
inline std::vector<double> katz_centrality(const FollowerGraph& g, double alpha = 0, double beta = 1) {
  KOLSIM_REQUIRE(alpha >= 0.0 && std::isfinite(alpha), "katz_centrality: alpha must be >= 0, got ", alpha);
  KOLSIM_REQUIRE(std::isfinite(beta), "katz_centrality: beta must be finite");
  const vertex_t n = g.num_vertices();
  if (n == 0) return {};
  const auto a = detail::influence_matrix(g);
  const double lambda = detail::spectral_radius_estimate(g, a);
  if (alpha == 0.0) alpha = lambda > 1e-9 ? 0.9 / lambda : 0.9;
  KOLSIM_REQUIRE(alpha * lambda < 1.0, "katz_centrality: alpha = ", alpha,
                 " is not below 1 / spectral radius = ", lambda > 0 ? 1.0 / lambda : 0.0);
  Eigen::SparseMatrix<double, Eigen::RowMajor, std::int64_t> id(n, n);
  id.setIdentity();
  const Eigen::SparseMatrix<double, Eigen::RowMajor, std::int64_t> m = id - alpha * a;
  Eigen::BiCGSTAB<Eigen::SparseMatrix<double, Eigen::RowMajor, std::int64_t>> solver;
  solver.setTolerance(1e-12);
  solver.setMaxIterations(std::max<Eigen::Index>(1000, 2 * static_cast<Eigen::Index>(n)));
  solver.compute(m);
  const Eigen::VectorXd rhs = Eigen::VectorXd::Constant(n, beta);
  const Eigen::VectorXd x = solver.solve(rhs);
  return std::vector<double>(x.data(), x.data() + n);
}

/// Eigenvector centrality in the influence direction: the Perron vector of A (A[u][v] = 1 per
/// arc u -> v; an account scores from its followers), by power iteration on A + I with Eigen
/// sparse matvecs, normalised to unit Euclidean norm. Stops when the 1-norm change is below
/// n * tol or after max_iterations (returning the last iterate). Invalid: max_iterations < 1,
/// tol <= 0.
inline std::vector<double> eigenvector_centrality(const FollowerGraph& g, int max_iterations = 200,
                                                  double tol = 1e-10) {
  KOLSIM_REQUIRE(max_iterations >= 1, "eigenvector_centrality: max_iterations must be >= 1");
  KOLSIM_REQUIRE(tol > 0.0, "eigenvector_centrality: tol must be > 0");
  const vertex_t n = g.num_vertices();
  if (n == 0) return {};
  const auto a = detail::influence_matrix(g);
  Eigen::VectorXd x = Eigen::VectorXd::Constant(n, 1.0 / std::sqrt(static_cast<double>(n)));
  for (int it = 0; it < max_iterations; ++it) {
    Eigen::VectorXd y = a * x + x;
    y /= y.norm();
    const double change = (y - x).lpNorm<1>();
    x = std::move(y);
    if (change < static_cast<double>(n) * tol) break;
  }
  return std::vector<double>(x.data(), x.data() + n);
}

/// The k accounts with the highest influence PageRank.
inline SelectResult top_pagerank(const FollowerGraph& g, std::size_t k, const SelectOptions& opt = {},
                                 double damping = 0.85, int iterations = 50) {
  Stopwatch clock;
  const auto score = influence_pagerank(g, damping, iterations);
  auto r = select_top_scores(g, score, k, opt, "top_pagerank");
  r.seconds = clock.seconds();
  return r;
}

/// The k accounts with the highest follower core number (ties to the lowest index).
inline SelectResult top_core_number(const FollowerGraph& g, std::size_t k, const SelectOptions& opt = {}) {
  Stopwatch clock;
  const auto core = core_numbers(g);
  const std::vector<double> score(core.begin(), core.end());
  auto r = select_top_scores(g, score, k, opt, "top_core_number");
  r.seconds = clock.seconds();
  return r;
}

/// The k accounts with the highest Katz centrality.
inline SelectResult top_katz(const FollowerGraph& g, std::size_t k, const SelectOptions& opt = {}, double alpha = 0,
                             double beta = 1) {
  Stopwatch clock;
  const auto score = katz_centrality(g, alpha, beta);
  auto r = select_top_scores(g, score, k, opt, "top_katz");
  r.seconds = clock.seconds();
  return r;
}

/// The k accounts with the highest eigenvector centrality.
inline SelectResult top_eigenvector(const FollowerGraph& g, std::size_t k, const SelectOptions& opt = {},
                                    int max_iterations = 200, double tol = 1e-10) {
  Stopwatch clock;
  const auto score = eigenvector_centrality(g, max_iterations, tol);
  auto r = select_top_scores(g, score, k, opt, "top_eigenvector");
  r.seconds = clock.seconds();
  return r;
}

}  // namespace kolsim

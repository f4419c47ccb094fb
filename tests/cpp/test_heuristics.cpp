// SPDX-License-Identifier: MIT
/// Tests for the score-based selectors: hand-computed degree discount, PageRank / Katz /
/// eigenvector centrality against dense Eigen solves, core numbers, options and bad arguments,
/// identical results for 1, 3 and 7 threads.
#include <gtest/gtest.h>

#include <kolsim/graph/builder.hpp>
#include <kolsim/graph/generators.hpp>
#include <kolsim/select/heuristics.hpp>

#include <Eigen/Dense>

#include <cmath>
#include <limits>
#include <vector>

using namespace kolsim;

namespace {

/// Star 0 -> {1, 2, 3, 4}, 1 -> {2, 3, 4} (1 is followed by the star's leaves too), path 5 -> {6, 7}.
FollowerGraph star_and_path() {
  std::vector<vertex_t> src{0, 0, 0, 0, 1, 1, 1, 5, 5}, dst{1, 2, 3, 4, 2, 3, 4, 6, 7};
  return build_graph_dense(8, src, dst);
}

/// A small graph with cycles, a parallel arc 2 -> 3, and accounts that follow nobody (0 and 6).
FollowerGraph mixed_graph() {
  std::vector<vertex_t> src{0, 0, 1, 2, 2, 3, 3, 4, 4, 5, 6, 2}, dst{1, 2, 2, 3, 4, 1, 5, 5, 3, 1, 3, 3};
  BuildOptions opt;
  opt.duplicates = Duplicates::keep;
  return build_graph_dense(7, src, dst, {}, opt);
}

Eigen::MatrixXd dense_adjacency(const FollowerGraph& g) {
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(g.num_vertices(), g.num_vertices());
  for (vertex_t u = 0; u < g.num_vertices(); ++u)
    for (vertex_t v : g.out_neighbors(u)) a(u, v) += 1.0;
  return a;
}

std::vector<vertex_t> seeds(const SelectResult& r) { return r.seeds; }

}  // namespace

TEST(Heuristics, TopDegreeWithTiesCandidatesAndFixedSeeds) {
  auto g = star_and_path();
  auto r = top_degree(g, 3);
  EXPECT_EQ(r.method, "top_degree");
  EXPECT_EQ(seeds(r), (std::vector<vertex_t>{0, 1, 5}));
  EXPECT_EQ(r.marginal_gains, (std::vector<double>{4, 3, 2}));
  // Zero-degree ties go to the lowest index.
  EXPECT_EQ(seeds(top_degree(g, 5)), (std::vector<vertex_t>{0, 1, 5, 2, 3}));
  SelectOptions opt;
  opt.fixed_seeds = {0};
  EXPECT_EQ(seeds(top_degree(g, 2, opt)), (std::vector<vertex_t>{1, 5}));
  SelectOptions cand;
  cand.candidates = {6, 2, 3, 5};
  EXPECT_EQ(seeds(top_degree(g, 2, cand)), (std::vector<vertex_t>{5, 2}));
  EXPECT_THROW(top_degree(g, 5, cand), std::invalid_argument);
  cand.candidates = {9};
  EXPECT_THROW(top_degree(g, 1, cand), std::out_of_range);
}

TEST(Heuristics, DegreeDiscountHandComputed) {
  // p = 0.5. Round 1: dd = d, pick 0 (4). Its followers 1..4 get t = 1:
  //   dd1 = 3 - 2 - (3 - 1) * 0.5 = 0, dd2..4 = 0 - 2 - (0 - 1) * 0.5 = -1.5.
  // Round 2: 5 (2) beats 1 (0). Its followers 6, 7 drop to -1.5. Round 3: 1 (0).
  auto g = star_and_path();
  auto r = degree_discount(g, 3, 0.5f);
  EXPECT_EQ(r.method, "degree_discount");
  EXPECT_EQ(seeds(r), (std::vector<vertex_t>{0, 5, 1}));
  EXPECT_EQ(r.marginal_gains, (std::vector<double>{4, 2, 0}));
  EXPECT_EQ(seeds(top_degree(g, 3)), (std::vector<vertex_t>{0, 1, 5}));  // the plain ranking differs
  // p = 0 still discounts by 2 t: 1 drops to 1 and loses to 5.
  EXPECT_EQ(seeds(degree_discount(g, 2, 0.0f)), (std::vector<vertex_t>{0, 5}));
  // A fixed seed discounts its followers first.
  SelectOptions opt;
  opt.fixed_seeds = {0};
  auto f = degree_discount(g, 2, 0.5f, opt);
  EXPECT_EQ(seeds(f), (std::vector<vertex_t>{5, 1}));
  EXPECT_EQ(f.marginal_gains, (std::vector<double>{2, 0}));
  // Candidates 1, 2, 3: pick 1 (3); 2 and 3 drop to -1.5; tie to the lower index.
  SelectOptions cand;
  cand.candidates = {3, 2, 1};
  auto c = degree_discount(g, 2, 0.5f, cand);
  EXPECT_EQ(seeds(c), (std::vector<vertex_t>{1, 2}));
  EXPECT_EQ(c.marginal_gains, (std::vector<double>{3, -1.5}));
  EXPECT_THROW(degree_discount(g, 2, 1.5f), std::invalid_argument);
  EXPECT_THROW(degree_discount(g, 9, 0.1f), std::invalid_argument);
}

TEST(Heuristics, InfluencePageRankMatchesDenseSolve) {
  // BGL's fixed point on the reversed graph: r = (1 - d) 1 + d M r with
  // M[u][v] = (arcs u -> v) / indeg(v): rank flows from follower v to the account u it follows.
  auto g = mixed_graph();
  const double d = 0.85;
  Eigen::MatrixXd m = dense_adjacency(g);
  for (vertex_t v = 0; v < g.num_vertices(); ++v)
    if (g.in_degree(v) > 0) m.col(v) /= static_cast<double>(g.in_degree(v));
  const Eigen::VectorXd exact =
      (Eigen::MatrixXd::Identity(7, 7) - d * m).fullPivLu().solve(Eigen::VectorXd::Constant(7, 1 - d));
  const auto rank = influence_pagerank(g, d, 300);
  ASSERT_EQ(rank.size(), 7u);
  for (vertex_t v = 0; v < 7; ++v) EXPECT_NEAR(rank[v], exact[v], 1e-10) << v;
  auto r = top_pagerank(g, 2, {}, d, 300);
  EXPECT_EQ(r.method, "top_pagerank");
  std::vector<vertex_t> order(7);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](vertex_t a, vertex_t b) { return exact[a] > exact[b]; });
  EXPECT_EQ(seeds(r), (std::vector<vertex_t>{order[0], order[1]}));
  EXPECT_THROW(influence_pagerank(g, 1.0), std::invalid_argument);
  EXPECT_THROW(influence_pagerank(g, 0.85, 0), std::invalid_argument);
}

TEST(Heuristics, KatzMatchesDenseSolve) {
  auto g = mixed_graph();
  const Eigen::MatrixXd a = dense_adjacency(g);
  const auto n = static_cast<Eigen::Index>(g.num_vertices());
  auto exact = [&](double alpha, double beta) {
    return Eigen::VectorXd((Eigen::MatrixXd::Identity(n, n) - alpha * a).fullPivLu().solve(
        Eigen::VectorXd::Constant(n, beta)));
  };
  const auto x = katz_centrality(g, 0.2, 2.0);
  const Eigen::VectorXd ex = exact(0.2, 2.0);
  for (Eigen::Index v = 0; v < n; ++v) EXPECT_NEAR(x[v], ex[v], 1e-8 * std::abs(ex[v])) << v;
  // Default alpha = 0.9 / spectral radius (from the dense eigenvalues).
  const double lambda = a.eigenvalues().cwiseAbs().maxCoeff();
  ASSERT_GT(lambda, 0.5);
  const auto xd = katz_centrality(g);
  const Eigen::VectorXd exd = exact(0.9 / lambda, 1.0);
  for (Eigen::Index v = 0; v < n; ++v) EXPECT_NEAR(xd[v], exd[v], 1e-5 * std::abs(exd[v])) << v;
  EXPECT_THROW(katz_centrality(g, 1.0 / lambda * 1.01), std::invalid_argument);
  EXPECT_THROW(katz_centrality(g, -0.1), std::invalid_argument);
  // Acyclic path 0 -> 1 -> 2: spectral radius 0, default alpha 0.9.
  std::vector<vertex_t> src{0, 1}, dst{1, 2};
  const auto path = katz_centrality(build_graph_dense(3, src, dst));
  EXPECT_NEAR(path[2], 1.0, 1e-10);
  EXPECT_NEAR(path[1], 1.9, 1e-10);
  EXPECT_NEAR(path[0], 1.0 + 0.9 * 1.9, 1e-10);
  EXPECT_EQ(top_katz(g, 1).seeds[0], static_cast<vertex_t>(std::max_element(xd.begin(), xd.end()) - xd.begin()));
}

TEST(Heuristics, EigenvectorMatchesDenseEigenSolver) {
  // Strongly connected: 0 -> 1 -> 2 -> 0, 0 -> 2, 2 -> 1, 1 -> 3 -> 0.
  std::vector<vertex_t> src{0, 1, 2, 0, 2, 1, 3}, dst{1, 2, 0, 2, 1, 3, 0};
  auto g = build_graph_dense(4, src, dst);
  const Eigen::MatrixXd a = dense_adjacency(g);
  Eigen::EigenSolver<Eigen::MatrixXd> es(a);
  Eigen::Index best = 0;
  es.eigenvalues().real().maxCoeff(&best);
  Eigen::VectorXd perron = es.eigenvectors().col(best).real();
  perron /= perron.norm();
  if (perron.sum() < 0) perron = -perron;
  const auto x = eigenvector_centrality(g, 1000, 1e-14);
  for (int v = 0; v < 4; ++v) EXPECT_NEAR(x[v], perron[v], 1e-8) << v;
  const auto r = top_eigenvector(g, 1);
  EXPECT_EQ(r.seeds[0], static_cast<vertex_t>(std::max_element(x.begin(), x.end()) - x.begin()));
  EXPECT_THROW(eigenvector_centrality(g, 0), std::invalid_argument);
}

TEST(Heuristics, FollowerCoreNumbers) {
  // Mutual triangle 0, 1, 2; 3 -> 0 (0 follows 3); 0 -> 4 (4 follows 0, nobody follows 4).
  std::vector<vertex_t> src{0, 1, 1, 2, 2, 0, 3, 0}, dst{1, 0, 2, 1, 0, 2, 0, 4};
  auto g = build_graph_dense(5, src, dst);
  EXPECT_EQ(core_numbers(g), (std::vector<std::uint32_t>{2, 2, 2, 1, 0}));
  auto r = top_core_number(g, 4);
  EXPECT_EQ(seeds(r), (std::vector<vertex_t>{0, 1, 2, 3}));
  EXPECT_EQ(r.marginal_gains, (std::vector<double>{2, 2, 2, 1}));
}

TEST(Heuristics, SelectTopScoresValidates) {
  auto g = star_and_path();
  std::vector<double> s{1, 5, 5, 0, 0, 0, 0, 2};
  auto r = select_top_scores(g, s, 3, {}, "mine");
  EXPECT_EQ(r.method, "mine");
  EXPECT_EQ(seeds(r), (std::vector<vertex_t>{1, 2, 7}));
  EXPECT_THROW(select_top_scores(g, std::vector<double>{1, 2}, 1), std::invalid_argument);
  s[3] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(select_top_scores(g, s, 1), std::invalid_argument);
}

TEST(Heuristics, RunOnGeneratedGraph) {
  auto g = chung_lu(20000, 8, 2.5, 2.2, 99);
  const auto pr = influence_pagerank(g);
  const auto katz = katz_centrality(g);
  const auto ev = eigenvector_centrality(g);
  const auto core = core_numbers(g);
  ASSERT_EQ(pr.size(), 20000u);
  for (vertex_t v = 0; v < 20000; ++v) {
    ASSERT_TRUE(std::isfinite(pr[v]) && pr[v] > 0);
    ASSERT_TRUE(std::isfinite(katz[v]) && katz[v] >= 1.0 - 1e-9);
    ASSERT_TRUE(std::isfinite(ev[v]) && ev[v] >= 0);
    ASSERT_LE(core[v], g.out_degree(v));
  }
  auto dd = degree_discount(g, 20, 0.01f);
  EXPECT_EQ(dd.seeds.size(), 20u);
  EXPECT_EQ(dd.seeds[0], top_degree(g, 1).seeds[0]);
}

TEST(Heuristics, IdenticalForOneThreeAndSevenThreads) {
  const FollowerGraph g = chung_lu(2000, 5.0, 2.5, 2.1, 17);
  auto run = [&](int which, int threads) {
    SelectOptions o;
    o.threads = threads;
    switch (which) {
      case 0: return degree_discount(g, 10, 0.05f, o);
      case 1: return top_degree(g, 10, o);
      case 2: return top_pagerank(g, 10, o);
      case 3: return top_core_number(g, 10, o);
      case 4: return top_katz(g, 10, o);
      default: return top_eigenvector(g, 10, o);
    }
  };
  for (int which = 0; which < 6; ++which) {
    const SelectResult a = run(which, 1);
    for (int threads : {3, 7}) {
      const SelectResult b = run(which, threads);
      EXPECT_EQ(a.seeds, b.seeds) << a.method << ", " << threads << " threads";
      EXPECT_EQ(a.marginal_gains, b.marginal_gains) << a.method;
    }
  }
}

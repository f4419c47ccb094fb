// SPDX-License-Identifier: MIT
/// Tests of the opinion layer: influence matrix, DeGroot consensus, Friedkin-Johnsen solvers,
/// the Musco et al. measures and greedy opinion maximisation against brute force.
#include <gtest/gtest.h>

#include <Eigen/Dense>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <vector>

#include "kolsim/graph/builder.hpp"
#include "kolsim/graph/generators.hpp"
#include "kolsim/opinion/dynamics.hpp"
#include "kolsim/opinion/measures.hpp"
#include "kolsim/opinion/stubborn.hpp"

using namespace kolsim;

namespace {

std::uint64_t test_seed() {
  static const std::uint64_t seed = [] {
    const char* s = std::getenv("KOLSIM_TEST_SEED");
    const std::uint64_t v = s ? std::strtoull(s, nullptr, 10) : 20260601ULL;
    std::cout << "[opinion] KOLSIM_TEST_SEED = " << v << "\n";
    return v;
  }();
  return seed;
}

FollowerGraph graph_of(vertex_t n, const std::vector<std::pair<vertex_t, vertex_t>>& edges,
                       const std::vector<prob_t>& probs = {}) {
  std::vector<vertex_t> s, t;
  for (auto [a, b] : edges) {
    s.push_back(a);
    t.push_back(b);
  }
  return build_graph_dense(n, s, t, probs);
}

/// A random graph on n vertices with a directed cycle (strongly connected) plus extra edges,
/// with random weights in [0.1, 1].
FollowerGraph random_graph(vertex_t n, std::size_t extra, std::mt19937_64& rng, bool cycle = true) {
  std::vector<std::pair<vertex_t, vertex_t>> edges;
  if (cycle)
    for (vertex_t v = 0; v < n; ++v) edges.emplace_back(v, (v + 1) % n);
  std::uniform_int_distribution<vertex_t> pick(0, n - 1);
  for (std::size_t i = 0; i < extra; ++i) {
    vertex_t a = pick(rng), b = pick(rng);
    if (a != b) edges.emplace_back(a, b);
  }
  std::vector<prob_t> p;
  std::uniform_real_distribution<double> w(0.1, 1.0);
  for (std::size_t i = 0; i < edges.size(); ++i) p.push_back(static_cast<prob_t>(w(rng)));
  BuildOptions bo;
  bo.duplicates = Duplicates::first;
  std::vector<vertex_t> s, t;
  for (auto [a, b] : edges) {
    s.push_back(a);
    t.push_back(b);
  }
  return build_graph_dense(n, s, t, p, bo);
}

Eigen::MatrixXd dense(const InfluenceMatrix& w) { return Eigen::MatrixXd(w); }

std::vector<double> uniform_vector(std::size_t n, double lo, double hi, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

/// Dense reference: x* = (I - Lambda W)^{-1} (I - Lambda) s with stubborn accounts at `c`.
std::vector<double> dense_fj(const FollowerGraph& g, std::vector<double> s, std::vector<double> lambda,
                             const std::vector<vertex_t>& stubborn, double c) {
  const Eigen::MatrixXd w = dense(influence_matrix(g));
  const auto n = static_cast<Eigen::Index>(g.num_vertices());
  for (vertex_t v : stubborn) {
    s[v] = c;
    lambda[v] = 0.0;
  }
  for (vertex_t v = 0; v < g.num_vertices(); ++v)
    if (g.in_degree(v) == 0) lambda[v] = 0.0;
  Eigen::MatrixXd a = Eigen::MatrixXd::Identity(n, n);
  Eigen::VectorXd b(n);
  for (Eigen::Index v = 0; v < n; ++v) {
    a.row(v) -= lambda[v] * w.row(v);
    b[v] = (1.0 - lambda[v]) * s[v];
  }
  Eigen::VectorXd x = a.partialPivLu().solve(b);
  return std::vector<double>(x.data(), x.data() + n);
}

double sum_of(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s;
}

}  // namespace

TEST(Influence, RowsAreNormalisedAndNonListenersKeepTheirOpinion) {
  // 0 -> 2 (w .5), 1 -> 2 (w .25), 2 -> 0 (w 1); account 1 follows nobody.
  const FollowerGraph g = graph_of(3, {{0, 2}, {1, 2}, {2, 0}}, {0.5f, 0.25f, 1.0f});
  const Eigen::MatrixXd w = dense(influence_matrix(g));
  EXPECT_DOUBLE_EQ(w(2, 0), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(w(2, 1), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(w(0, 2), 1.0);
  EXPECT_DOUBLE_EQ(w(1, 1), 1.0);
  EXPECT_DOUBLE_EQ(w.sum(), 3.0);
  const Eigen::MatrixXd u = dense(influence_matrix(g, false));
  EXPECT_DOUBLE_EQ(u(2, 0), 0.5);
  EXPECT_DOUBLE_EQ(u(2, 1), 0.5);
}

TEST(Measures, HandComputedPath) {
  const FollowerGraph g = graph_of(3, {{0, 1}, {1, 2}}, {0.5f, 0.25f});
  const std::vector<double> x{0.0, 1.0, 3.0};
  EXPECT_DOUBLE_EQ(mean_opinion(x), 4.0 / 3.0);
  EXPECT_NEAR(polarisation(x), 14.0 / 3.0, 1e-14);
  EXPECT_DOUBLE_EQ(disagreement(g, x, false), 5.0);
  EXPECT_DOUBLE_EQ(disagreement(g, x, true), 0.5 * 1.0 + 0.25 * 4.0);
  EXPECT_NEAR(polarisation_disagreement_index(g, x, false), 14.0 / 3.0 + 5.0, 1e-14);
  const OpinionSummary s = summarise_opinions(g, x, true);
  EXPECT_NEAR(s.index(), 14.0 / 3.0 + 1.5, 1e-14);
  EXPECT_DOUBLE_EQ(polarisation(std::vector<double>{2.0, 2.0}), 0.0);
  EXPECT_DOUBLE_EQ(mean_opinion(std::vector<double>{}), 0.0);
}

TEST(DeGroot, ConvergesToLeftPerronConsensus) {
  std::mt19937_64 rng(test_seed());
  for (int rep = 0; rep < 5; ++rep) {
    // Cycle of length 7 plus random chords (a 2- or 3-cycle makes it aperiodic almost surely;
    // add 0 -> 2 and 2 -> 0 to be sure: cycle lengths 2 and 7 are coprime).
    FollowerGraph g = random_graph(7, 8, rng);
    std::vector<std::pair<vertex_t, vertex_t>> edges;
    std::vector<prob_t> p;
    for (vertex_t u = 0; u < 7; ++u)
      for (std::size_t i = 0; i < g.out_degree(u); ++i) {
        edges.emplace_back(u, g.out_neighbors(u)[i]);
        p.push_back(g.out_probs(u)[i]);
      }
    edges.emplace_back(0, 2);
    edges.emplace_back(2, 0);
    p.push_back(0.7f);
    p.push_back(0.4f);
    BuildOptions bo;
    bo.duplicates = Duplicates::first;
    std::vector<vertex_t> s, t;
    for (auto [a, b] : edges) {
      s.push_back(a);
      t.push_back(b);
    }
    g = build_graph_dense(7, s, t, p, bo);
    const Eigen::MatrixXd w = dense(influence_matrix(g));
    Eigen::EigenSolver<Eigen::MatrixXd> es(w.transpose());
    Eigen::Index best = 0;
    for (Eigen::Index i = 1; i < es.eigenvalues().size(); ++i)
      if (std::abs(es.eigenvalues()[i] - 1.0) < std::abs(es.eigenvalues()[best] - 1.0)) best = i;
    ASSERT_NEAR(es.eigenvalues()[best].real(), 1.0, 1e-10);
    Eigen::VectorXd pi = es.eigenvectors().col(best).real();
    pi /= pi.sum();
    const std::vector<double> x0 = uniform_vector(7, -1.0, 1.0, rng);
    const double consensus = pi.dot(Eigen::Map<const Eigen::VectorXd>(x0.data(), 7));
    OpinionOptions opt;
    opt.steps = 100000;
    opt.tolerance = 1e-14;
    const OpinionTrajectory r = degroot(g, x0, opt);
    EXPECT_TRUE(r.converged);
    for (double v : r.opinions) EXPECT_NEAR(v, consensus, 1e-11);
    ASSERT_EQ(r.trajectory.size(), r.steps + 1);
    EXPECT_NEAR(r.trajectory.back().polarisation, 0.0, 1e-20);
    EXPECT_NEAR(r.trajectory.front().mean, mean_opinion(x0), 1e-15);
  }
}

TEST(DeGroot, StepsAndNonListeners) {
  // 0 -> 1 -> 2, 0 follows nobody: after two steps everyone holds x0[0].
  const FollowerGraph g = graph_of(3, {{0, 1}, {1, 2}});
  OpinionOptions opt;
  opt.steps = 1;
  opt.tolerance = 0.0;
  OpinionTrajectory r = degroot(g, std::vector<double>{1.0, 0.0, -1.0}, opt);
  EXPECT_EQ(r.opinions, (std::vector<double>{1.0, 1.0, 0.0}));
  EXPECT_FALSE(r.converged);
  opt.steps = 10;
  opt.tolerance = 1e-12;
  r = degroot(g, std::vector<double>{1.0, 0.0, -1.0}, opt);
  EXPECT_EQ(r.opinions, (std::vector<double>{1.0, 1.0, 1.0}));
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(r.steps, 3u);
}

TEST(DeGroot, SameResultForAnyThreadCount) {
  const FollowerGraph g = chung_lu(30000, 8.0, 2.5, 2.1, test_seed(), 1);
  std::mt19937_64 rng(test_seed());
  const std::vector<double> x0 = uniform_vector(g.num_vertices(), -1.0, 1.0, rng);
  OpinionOptions opt;
  opt.steps = 20;
  opt.tolerance = 0.0;
  opt.threads = 1;
  const auto a = degroot(g, x0, opt);
  opt.threads = 2;
  const auto b = degroot(g, x0, opt);
  EXPECT_EQ(a.opinions, b.opinions);
}

TEST(FriedkinJohnsen, DirectEqualsIterationAndDenseSolve) {
  std::mt19937_64 rng(test_seed() + 1);
  for (int rep = 0; rep < 6; ++rep) {
    const vertex_t n = 40;
    const FollowerGraph g = random_graph(n, 120, rng, rep % 2 == 0);
    const std::vector<double> s = uniform_vector(n, -1.0, 1.0, rng);
    const std::vector<double> lambda = uniform_vector(n, 0.0, 0.9, rng);
    FjOptions opt;
    opt.stubborn = {3, 17};
    opt.stubborn_opinion = 1.0;
    opt.tolerance = 1e-14;
    opt.steps = 100000;
    const auto ref = dense_fj(g, s, lambda, opt.stubborn, 1.0);
    const FjResult bi = friedkin_johnsen_equilibrium(g, s, lambda, opt);
    opt.solver = FjSolver::sparse_lu;
    const FjResult lu = friedkin_johnsen_equilibrium(g, s, lambda, opt);
    opt.solver = FjSolver::iterate;
    const FjResult it = friedkin_johnsen_equilibrium(g, s, lambda, opt);
    EXPECT_TRUE(bi.converged && lu.converged && it.converged);
    EXPECT_EQ(bi.method, "bicgstab");
    EXPECT_EQ(lu.method, "sparse_lu");
    EXPECT_EQ(it.method, "iterate");
    EXPECT_LT(bi.residual, 1e-12);
    EXPECT_LT(lu.residual, 1e-12);
    for (vertex_t v = 0; v < n; ++v) {
      EXPECT_NEAR(bi.opinions[v], ref[v], 1e-10);
      EXPECT_NEAR(lu.opinions[v], ref[v], 1e-12);
      EXPECT_NEAR(it.opinions[v], bi.opinions[v], 1e-9);
    }
    EXPECT_DOUBLE_EQ(bi.opinions[3], 1.0);
    EXPECT_DOUBLE_EQ(it.opinions[17], 1.0);
  }
}

TEST(FriedkinJohnsen, FullySusceptibleAccountsFollowStubbornKols) {
  // Cycle 1 -> 2 -> 3 -> 1, everyone fully susceptible, KOL 1 stubborn: the cycle adopts its
  // opinion; account 0 follows nobody and keeps its innate opinion.
  const FollowerGraph g = graph_of(4, {{1, 2}, {2, 3}, {3, 1}});
  FjOptions opt;
  opt.stubborn = {1};
  opt.stubborn_opinion = 0.75;
  const std::vector<double> s{-1.0, -1.0, 0.5, 0.2};
  for (FjSolver solver : {FjSolver::bicgstab, FjSolver::sparse_lu, FjSolver::iterate}) {
    opt.solver = solver;
    const FjResult r = friedkin_johnsen_equilibrium(g, s, std::vector<double>{1.0}, opt);
    EXPECT_EQ(r.opinions[0], -1.0);
    EXPECT_EQ(r.opinions[1], 0.75);
    for (vertex_t v = 2; v < 4; ++v) EXPECT_NEAR(r.opinions[v], 0.75, 1e-12);
  }
  opt.solver = FjSolver::bicgstab;
  // Without the KOL, the cycle 1 -> 2 -> 3 -> 1 with lambda = 1 has no unique equilibrium.
  opt.stubborn.clear();
  EXPECT_THROW(
      {
        try {
          friedkin_johnsen_equilibrium(g, s, std::vector<double>{1.0}, opt);
        } catch (const std::invalid_argument& e) {
          EXPECT_NE(std::string(e.what()).find("not unique"), std::string::npos);
          throw;
        }
      },
      std::invalid_argument);
}

TEST(FriedkinJohnsen, ZeroSusceptibilityKeepsInnateOpinions) {
  std::mt19937_64 rng(test_seed() + 2);
  const FollowerGraph g = random_graph(50, 200, rng);
  const std::vector<double> s = uniform_vector(50, -3.0, 3.0, rng);
  for (FjSolver solver : {FjSolver::bicgstab, FjSolver::sparse_lu, FjSolver::iterate}) {
    FjOptions opt;
    opt.solver = solver;
    const FjResult r = friedkin_johnsen_equilibrium(g, s, std::vector<double>(50, 0.0), opt);
    EXPECT_EQ(r.opinions, s);
  }
}

TEST(FriedkinJohnsen, BadInputsThrowClearly) {
  const FollowerGraph g = graph_of(3, {{0, 1}, {1, 2}});
  auto msg = [&](auto&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  const std::vector<double> s{0.1, 0.2, 0.3};
  const std::vector<double> lam{0.5, 0.5, 0.5};
  EXPECT_THROW(friedkin_johnsen_equilibrium(g, std::vector<double>{0.1, 0.2}, lam), std::invalid_argument);
  EXPECT_NE(msg([&] { friedkin_johnsen_equilibrium(g, std::vector<double>{0.1, 0.2}, lam); }).find("innate must have one value per account (3), got 2"),
            std::string::npos);
  EXPECT_THROW(friedkin_johnsen_equilibrium(g, s, std::vector<double>{0.5, 0.5}), std::invalid_argument);
  EXPECT_NE(msg([&] { friedkin_johnsen_equilibrium(g, s, std::vector<double>{0.5, 1.5, 0.5}); })
                .find("susceptibility[1] must be in [0, 1], got 1.5"),
            std::string::npos);
  EXPECT_THROW(friedkin_johnsen_equilibrium(g, s, std::vector<double>{0.5, -0.1, 0.5}), std::invalid_argument);
  EXPECT_THROW(friedkin_johnsen_equilibrium(g, s, std::vector<double>{0.5, NAN, 0.5}), std::invalid_argument);
  EXPECT_NE(msg([&] { friedkin_johnsen_equilibrium(g, std::vector<double>{0.1, NAN, 0.3}, lam); }).find("innate[1] is not finite"),
            std::string::npos);
  FjOptions opt;
  opt.stubborn = {7};
  EXPECT_THROW(friedkin_johnsen_equilibrium(g, s, lam, opt), std::out_of_range);
  opt.stubborn = {};
  opt.stubborn_opinion = INFINITY;
  EXPECT_THROW(friedkin_johnsen_equilibrium(g, s, lam, opt), std::invalid_argument);
  EXPECT_THROW(degroot(g, std::vector<double>{1.0}), std::invalid_argument);
  EXPECT_THROW(degroot(g, std::vector<double>{1.0, INFINITY, 0.0}), std::invalid_argument);
  OpinionOptions oo;
  oo.tolerance = -1.0;
  EXPECT_THROW(degroot(g, s, oo), std::invalid_argument);
  EXPECT_THROW(disagreement(g, std::vector<double>{1.0}), std::invalid_argument);
  EXPECT_THROW(polarisation(std::vector<double>{1.0, NAN}), std::invalid_argument);
  EXPECT_THROW(maximise_opinion(g, s, lam, 4), std::invalid_argument);
  OpinionMaxOptions mo;
  mo.solver = FjSolver::iterate;
  EXPECT_THROW(maximise_opinion(g, s, lam, 1, mo), std::invalid_argument);
}

namespace {

/// Sum of equilibrium opinions with `set` stubborn at 1 (dense reference).
double objective(const FollowerGraph& g, const std::vector<double>& s, const std::vector<double>& lambda,
                 const std::vector<vertex_t>& set) {
  return sum_of(dense_fj(g, s, lambda, set, 1.0));
}

/// Brute-force best value over all subsets of size k (from `fixed` plus k of the others).
double brute_best(const FollowerGraph& g, const std::vector<double>& s, const std::vector<double>& lambda,
                  std::size_t k, const std::vector<vertex_t>& fixed, std::vector<vertex_t>* arg = nullptr) {
  const vertex_t n = g.num_vertices();
  double best = -INFINITY;
  for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
    if (static_cast<std::size_t>(__builtin_popcount(mask)) != k) continue;
    std::vector<vertex_t> set = fixed;
    bool clash = false;
    for (vertex_t v = 0; v < n; ++v)
      if (mask >> v & 1u) {
        for (vertex_t f : fixed) clash = clash || f == v;
        set.push_back(v);
      }
    if (clash) continue;
    const double val = objective(g, s, lambda, set);
    if (val > best) {
      best = val;
      if (arg) *arg = set;
    }
  }
  return best;
}

}  // namespace

TEST(MaximiseOpinion, GreedyMatchesBruteForce) {
  std::mt19937_64 rng(test_seed() + 3);
  const double ratio = 1.0 - 1.0 / std::exp(1.0);
  for (int rep = 0; rep < 8; ++rep) {
    const vertex_t n = 10;
    const FollowerGraph g = random_graph(n, 18, rng, rep % 2 == 0);
    const std::vector<double> s = uniform_vector(n, -1.0, 1.0, rng);
    const std::vector<double> lambda = uniform_vector(n, 0.3, 1.0, rng);
    const double base = objective(g, s, lambda, {});
    for (std::size_t k = 1; k <= 3; ++k) {
      for (FjSolver solver : {FjSolver::bicgstab, FjSolver::sparse_lu}) {
        for (bool lazy : {true, false}) {
          OpinionMaxOptions opt;
          opt.solver = solver;
          opt.lazy = lazy;
          const SelectResult r = maximise_opinion(g, s, lambda, k, opt);
          ASSERT_EQ(r.seeds.size(), k);
          EXPECT_NEAR(r.approximation, ratio, 1e-15);
          const double got = objective(g, s, lambda, r.seeds);
          EXPECT_NEAR(r.spread, got, 1e-9);
          // Marginal gains are exact.
          double acc = base;
          std::vector<vertex_t> prefix;
          for (std::size_t i = 0; i < k; ++i) {
            prefix.push_back(r.seeds[i]);
            const double next = objective(g, s, lambda, prefix);
            EXPECT_NEAR(r.marginal_gains[i], next - acc, 1e-9);
            acc = next;
          }
          const double best = brute_best(g, s, lambda, k, {});
          if (k == 1) {
            EXPECT_NEAR(got, best, 1e-9) << "rep " << rep;
          } else {
            EXPECT_GE(got - base, ratio * (best - base) - 1e-9) << "rep " << rep << " k " << k;
            EXPECT_LE(got, best + 1e-9);
          }
        }
      }
    }
  }
}

TEST(MaximiseOpinion, RespectsCandidatesAndFixedSeeds) {
  std::mt19937_64 rng(test_seed() + 4);
  const FollowerGraph g = random_graph(9, 16, rng);
  const std::vector<double> s = uniform_vector(9, -1.0, 0.5, rng);
  const std::vector<double> lambda = uniform_vector(9, 0.2, 0.95, rng);
  OpinionMaxOptions opt;
  opt.candidates = {1, 2, 4, 5, 8};
  opt.fixed_seeds = {4};
  const SelectResult r = maximise_opinion(g, s, lambda, 2, opt);
  ASSERT_EQ(r.seeds.size(), 2u);
  for (vertex_t v : r.seeds) EXPECT_TRUE(v == 1 || v == 2 || v == 5 || v == 8);
  std::vector<vertex_t> set{4};
  set.insert(set.end(), r.seeds.begin(), r.seeds.end());
  EXPECT_NEAR(r.spread, objective(g, s, lambda, set), 1e-9);
  // k = 1 against brute force restricted to candidates minus fixed seeds.
  const SelectResult one = maximise_opinion(g, s, lambda, 1, opt);
  double best = -INFINITY;
  vertex_t arg = no_vertex;
  for (vertex_t v : {1u, 2u, 5u, 8u}) {
    const double val = objective(g, s, lambda, {4, v});
    if (val > best) {
      best = val;
      arg = v;
    }
  }
  EXPECT_EQ(one.seeds[0], arg);
  EXPECT_NEAR(one.spread, best, 1e-9);
}

TEST(MaximiseOpinion, WithoutSubmodularityNoGuaranteeIsClaimed) {
  std::mt19937_64 rng(test_seed() + 5);
  const FollowerGraph g = random_graph(8, 12, rng);
  std::vector<double> s = uniform_vector(8, -1.0, 1.0, rng);
  s[2] = 2.0;  // above the stubborn opinion
  const SelectResult r = maximise_opinion(g, s, std::vector<double>{0.8}, 1, {});
  EXPECT_EQ(r.approximation, 0.0);
  EXPECT_EQ(r.method, "opinion_greedy");
  EXPECT_NEAR(r.spread, brute_best(g, s, std::vector<double>(8, 0.8), 1, {}), 1e-9);
}

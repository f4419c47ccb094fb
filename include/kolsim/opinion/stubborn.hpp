// SPDX-License-Identifier: MIT
/// Opinion maximisation: choose k accounts to make stubborn KOLs (lambda = 0, opinion
/// stubborn_opinion) so that the sum of Friedkin-Johnsen equilibrium opinions is largest.
///
/// Gionis, Terzi, Tsaparas, "Opinion maximization in social networks", SDM 2013. Read x* as the
/// expected payoff of an absorbing random walk (from v: with probability 1 - lambda_v stop and
/// pay s_v, else move to u with probability W[v][u]; stubborn accounts stop at once). Making v
/// stubborn changes x*_i by h_i(v) (1 - x*_v) where h_i(v) = G_iv / G_vv is the probability that
/// the walk from i visits v, G = (I - Lambda W)^{-1}. So g(S) = sum_i x*_i(S) - sum_i x*_i(empty)
/// is a weighted coverage of walks, monotone and submodular whenever every innate opinion is
/// <= stubborn_opinion (Gionis et al., Thm. 2); the greedy then returns S with
/// g(S) >= (1 - 1/e) max_{|T| = k} g(T) (Nemhauser, Wolsey, Fisher 1978), up to the solver
/// tolerance. The problem itself is NP-hard (Gionis et al., Thm. 1).
///
/// Evaluation. Per round: one solve for the current x*, one transposed solve y = G^T 1 whose
/// entries bound every gain, (1 - x*_v) y_v >= gain(v) because G_vv >= 1, and one column solve
/// G e_v per candidate actually evaluated (CELF: lazy, in decreasing order of the tighter of
/// the previous gain and the new bound). Exact gain = (1 - x*_v) sum_i G_iv / G_vv.
/// Cost: k (2 + evaluations) sparse solves, each O(m) per BiCGSTAB iteration (or one SparseLU
/// factorisation per round with cheap solves). Without the submodularity condition every
/// candidate is evaluated every round (plain greedy, no guarantee: approximation = 0).
#pragma once

#include <cmath>
#include <limits>
#include <queue>
#include <span>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/opinion/dynamics.hpp"
#include "kolsim/select/common.hpp"

namespace kolsim {

/// Options of maximise_opinion: the common selector options plus the opinion model settings.
struct OpinionMaxOptions : SelectOptions {
  bool use_edge_weights = true;      ///< weights = edge probabilities when assigned (else 1)
  double stubborn_opinion = 1.0;     ///< opinion of the chosen (and fixed) stubborn KOLs
  FjSolver solver = FjSolver::bicgstab;  ///< bicgstab or sparse_lu
  double solver_tolerance = 1e-13;   ///< BiCGSTAB relative residual
  std::size_t solver_iterations = 0; ///< BiCGSTAB cap (0 = max(1000, n))
  bool lazy = true;                  ///< CELF with G^T 1 bounds (only used when submodular)
};

/// Greedy opinion maximisation (see the file comment). `fixed_seeds` are stubborn already and
/// count toward the objective, not toward k. Returns seeds in choice order, their exact marginal
/// gains in the sum of equilibrium opinions, spread = that sum for fixed + seeds (fresh solve),
/// approximation = 1 - 1/e when innate <= stubborn_opinion everywhere, else 0. Throws like
/// friedkin_johnsen_equilibrium, and for k larger than the candidate pool.
inline SelectResult maximise_opinion(const FollowerGraph& g, std::span<const double> innate,
                                     std::span<const double> susceptibility, std::size_t k,
                                     const OpinionMaxOptions& opt = {}) {
  Stopwatch total;
  Stopwatch phase;
  const char* who = "maximise_opinion";
  KOLSIM_REQUIRE(opt.solver != FjSolver::iterate, who, ": solver must be bicgstab or sparse_lu");
  const vertex_t n = g.num_vertices();
  SeedScope scope = make_seed_scope(g, k, opt);
  std::vector<vertex_t> stubborn = scope.fixed;
  detail::FjSystem sys = detail::fj_system(g, innate, susceptibility, stubborn, opt.stubborn_opinion,
                                           opt.use_edge_weights, who);
  detail::require_anchored(g, sys.lambda, opt.use_edge_weights, who);
  bool submodular = true;
  for (vertex_t v = 0; v < n; ++v) submodular = submodular && sys.s[v] <= opt.stubborn_opinion;
  const bool lazy = opt.lazy && submodular;
  detail::EigenThreadScope threads(opt.threads);

  SelectResult r;
  r.method = lazy ? "opinion_greedy_celf" : "opinion_greedy";
  r.approximation = submodular ? 1.0 - 1.0 / std::exp(1.0) : 0.0;
  const double c = opt.stubborn_opinion;
  std::vector<double> bound(n, std::numeric_limits<double>::infinity());
  std::vector<std::size_t> evaluated(n, std::numeric_limits<std::size_t>::max());
  std::vector<char> chosen(n, 0);
  Eigen::VectorXd x = sys.s;
  double solve_seconds = 0.0, bound_seconds = 0.0, eval_seconds = 0.0;
  r.phase_seconds.emplace_back("setup", phase.lap());

  for (std::size_t round = 0; round < k; ++round) {
    check_stop(opt.stop);
    // Current system: rows of stubborn accounts are e_v^T.
    detail::FjLinearSolver solver(opt.solver, opt.solver_tolerance, opt.solver_iterations, &opt.stop);
    solver.compute(detail::identity_minus(sys.q));
    bool ok = false;
    std::size_t iters = 0;
    x = solver.solve(sys.b, x, ok, iters);
    KOLSIM_REQUIRE(ok, who, ": the linear solver did not converge (round ", round, ")");
    solve_seconds += phase.lap();
    if (lazy) {
      detail::FjLinearSolver tsolver(opt.solver, opt.solver_tolerance, opt.solver_iterations, &opt.stop);
      InfluenceMatrix at = solver.matrix().transpose();
      tsolver.compute(std::move(at));
      const Eigen::VectorXd ones = Eigen::VectorXd::Ones(n);
      const Eigen::VectorXd y = tsolver.solve(ones, ones, ok, iters);
      KOLSIM_REQUIRE(ok, who, ": the transposed solve did not converge (round ", round, ")");
      for (vertex_t v = 0; v < n; ++v) {
        if (!scope.allowed[v] || chosen[v]) continue;
        const double b = (c - x[v]) * y[v];
        bound[v] = std::min(bound[v], b * (1.0 + 1e-9) + 1e-12);
      }
      bound_seconds += phase.lap();
    }
    auto gain_of = [&](vertex_t v) {
      Eigen::VectorXd e = Eigen::VectorXd::Zero(n);
      e[v] = 1.0;
      bool good = false;
      std::size_t it = 0;
      const Eigen::VectorXd col = solver.solve(e, e, good, it);
      KOLSIM_REQUIRE(good, who, ": the linear solver did not converge (column of account ", g.account(v), ")");
      return (c - x[v]) * col.sum() / col[v];
    };
    vertex_t best = no_vertex;
    double best_gain = -std::numeric_limits<double>::infinity();
    if (lazy) {
      // Max-heap on (bound, lower vertex first).
      using Entry = std::pair<double, vertex_t>;
      auto less = [](const Entry& a, const Entry& b) {
        return a.first < b.first || (a.first == b.first && a.second > b.second);
      };
      std::priority_queue<Entry, std::vector<Entry>, decltype(less)> heap(less);
      for (vertex_t v = 0; v < n; ++v)
        if (scope.allowed[v] && !chosen[v]) heap.emplace(bound[v], v);
      while (!heap.empty()) {
        const auto [b, v] = heap.top();
        heap.pop();
        if (evaluated[v] == round) {
          best = v;
          best_gain = b;
          break;
        }
        check_stop(opt.stop);
        bound[v] = gain_of(v);
        evaluated[v] = round;
        heap.emplace(bound[v], v);
      }
    } else {
      for (vertex_t v = 0; v < n; ++v) {
        if (!scope.allowed[v] || chosen[v]) continue;
        check_stop(opt.stop);
        const double gv = gain_of(v);
        if (gv > best_gain) {
          best_gain = gv;
          best = v;
        }
      }
    }
    eval_seconds += phase.lap();
    // Make `best` stubborn: its row of Q becomes zero, its term of b becomes the opinion.
    chosen[best] = 1;
    r.seeds.push_back(best);
    r.marginal_gains.push_back(best_gain);
    for (InfluenceMatrix::InnerIterator it(sys.q, best); it; ++it) it.valueRef() = 0.0;
    sys.lambda[best] = 0.0;
    sys.s[best] = c;
    sys.b[best] = c;
    x[best] = c;
  }
  r.phase_seconds.emplace_back("solve", solve_seconds);
  r.phase_seconds.emplace_back("bounds", bound_seconds);
  r.phase_seconds.emplace_back("evaluate", eval_seconds);
  // Independent final solve of the chosen configuration.
  FjOptions fo;
  fo.use_edge_weights = opt.use_edge_weights;
  fo.solver = opt.solver;
  fo.solver_tolerance = opt.solver_tolerance;
  fo.solver_iterations = opt.solver_iterations;
  fo.threads = opt.threads;
  fo.stop = opt.stop;
  fo.stubborn = scope.fixed;
  fo.stubborn.insert(fo.stubborn.end(), r.seeds.begin(), r.seeds.end());
  fo.stubborn_opinion = c;
  const FjResult fin = friedkin_johnsen_equilibrium(g, innate, susceptibility, fo);
  r.spread = 0.0;
  for (double v : fin.opinions) r.spread += v;
  r.phase_seconds.emplace_back("final", phase.lap());
  r.seconds = total.seconds();
  return r;
}

}  // namespace kolsim

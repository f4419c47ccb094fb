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

namespace detail {

/// The greedy of maximise_opinion, one method a phase: per round solve the current system,
/// tighten every candidate's upper bound (lazy mode), pick the best candidate (CELF over the
/// bounds, or a plain sweep), make it stubborn; finally solve the chosen configuration afresh.
class OpinionGreedy {
 public:
  OpinionGreedy(const FollowerGraph& g, std::span<const double> innate, std::span<const double> susceptibility,
                std::size_t k, const OpinionMaxOptions& opt)
      : g_(g), innate_(innate), susceptibility_(susceptibility), opt_(opt), total_(), phase_(), n_(g.num_vertices()),
        scope_(make_seed_scope(g, k, opt)),
        sys_(fj_system(g, innate, susceptibility, scope_.fixed, opt.stubborn_opinion, opt.use_edge_weights, who)),
        c_(opt.stubborn_opinion) {
    require_anchored(g, sys_.lambda, opt.use_edge_weights, who);
    bool submodular = true;
    for (vertex_t v = 0; v < n_; ++v) submodular = submodular && sys_.s[v] <= c_;
    lazy_ = opt.lazy && submodular;
    r_.method = lazy_ ? "opinion_greedy_celf" : "opinion_greedy";
    r_.approximation = submodular ? 1.0 - 1.0 / std::exp(1.0) : 0.0;
    bound_.assign(n_, std::numeric_limits<double>::infinity());
    evaluated_.assign(n_, std::numeric_limits<std::size_t>::max());
    chosen_.assign(n_, 0);
    x_ = sys_.s;
  }

  SelectResult run(std::size_t k) {
    EigenThreadScope threads(opt_.threads);
    r_.phase_seconds.emplace_back("setup", phase_.lap());
    for (std::size_t round = 0; round < k; ++round) {
      check_stop(opt_.stop);
      // A local of the round: BiCGSTAB keeps a reference to the solver's own matrix (not movable).
      FjLinearSolver solver(opt_.solver, opt_.solver_tolerance, opt_.solver_iterations, &opt_.stop);
      solve_round(solver, round);
      if (lazy_) refresh_bounds(solver, round);
      const auto [best, gain] = lazy_ ? pick_lazy(solver, round) : pick_plain(solver);
      eval_seconds_ += phase_.lap();
      make_stubborn(best, gain);
    }
    r_.phase_seconds.emplace_back("solve", solve_seconds_);
    r_.phase_seconds.emplace_back("bounds", bound_seconds_);
    r_.phase_seconds.emplace_back("evaluate", eval_seconds_);
    final_solve();
    r_.phase_seconds.emplace_back("final", phase_.lap());
    r_.seconds = total_.seconds();
    return std::move(r_);
  }

 private:
  static constexpr const char* who = "maximise_opinion";
  const FollowerGraph& g_;
  std::span<const double> innate_, susceptibility_;
  const OpinionMaxOptions& opt_;
  Stopwatch total_, phase_;  // before the members the constructor builds: "setup" times them
  vertex_t n_;
  SeedScope scope_;
  FjSystem sys_;
  double c_;
  bool lazy_ = false;
  SelectResult r_;
  std::vector<double> bound_;           // upper bound (or exact gain this round) per candidate
  std::vector<std::size_t> evaluated_;  // round in which bound_[v] became an exact gain
  std::vector<char> chosen_;
  Eigen::VectorXd x_;                   // current equilibrium opinions
  double solve_seconds_ = 0.0, bound_seconds_ = 0.0, eval_seconds_ = 0.0;

  /// Solves the current system (rows of stubborn accounts are e_v^T) into x_; the solver's
  /// factorisation (or matrix) then serves the column solves of this round.
  void solve_round(FjLinearSolver& solver, std::size_t round) {
    solver.compute(identity_minus(sys_.q));
    bool ok = false;
    std::size_t iters = 0;
    x_ = solver.solve(sys_.b, x_, ok, iters);
    KOLSIM_REQUIRE(ok, who, ": the linear solver did not converge (round ", round, ")");
    solve_seconds_ += phase_.lap();
  }

  /// Lazy mode: y = G^T 1 bounds every gain, (c - x_v) y_v >= gain(v) since G_vv >= 1; keeps the
  /// tighter of that bound and the previous key (with a relative slack for solver error).
  void refresh_bounds(const FjLinearSolver& solver, std::size_t round) {
    FjLinearSolver tsolver(opt_.solver, opt_.solver_tolerance, opt_.solver_iterations, &opt_.stop);
    InfluenceMatrix at = solver.matrix().transpose();
    tsolver.compute(std::move(at));
    const Eigen::VectorXd ones = Eigen::VectorXd::Ones(n_);
    bool ok = false;
    std::size_t iters = 0;
    const Eigen::VectorXd y = tsolver.solve(ones, ones, ok, iters);
    KOLSIM_REQUIRE(ok, who, ": the transposed solve did not converge (round ", round, ")");
    for (vertex_t v = 0; v < n_; ++v) {
      if (!scope_.allowed[v] || chosen_[v]) continue;
      const double b = (c_ - x_[v]) * y[v];
      bound_[v] = std::min(bound_[v], b * (1.0 + 1e-9) + 1e-12);
    }
    bound_seconds_ += phase_.lap();
  }

  /// The exact gain of making v stubborn: (c - x_v) sum_i G_iv / G_vv, from one column solve.
  double gain_of(FjLinearSolver& solver, vertex_t v) const {
    Eigen::VectorXd e = Eigen::VectorXd::Zero(n_);
    e[v] = 1.0;
    bool good = false;
    std::size_t it = 0;
    const Eigen::VectorXd col = solver.solve(e, e, good, it);
    KOLSIM_REQUIRE(good, who, ": the linear solver did not converge (column of account ", g_.account(v), ")");
    return (c_ - x_[v]) * col.sum() / col[v];
  }

  /// CELF over the bounds: a max-heap on (key, lower vertex first); a key evaluated this round
  /// that reaches the top is the best exact gain.
  std::pair<vertex_t, double> pick_lazy(FjLinearSolver& solver, std::size_t round) {
    using Entry = std::pair<double, vertex_t>;
    auto less = [](const Entry& a, const Entry& b) {
      return a.first < b.first || (a.first == b.first && a.second > b.second);
    };
    std::priority_queue<Entry, std::vector<Entry>, decltype(less)> heap(less);
    for (vertex_t v = 0; v < n_; ++v)
      if (scope_.allowed[v] && !chosen_[v]) heap.emplace(bound_[v], v);
    while (!heap.empty()) {
      const auto [b, v] = heap.top();
      heap.pop();
      if (evaluated_[v] == round) return {v, b};
      check_stop(opt_.stop);
      bound_[v] = gain_of(solver, v);
      evaluated_[v] = round;
      heap.emplace(bound_[v], v);
    }
    return {no_vertex, -std::numeric_limits<double>::infinity()};
  }

  /// Plain greedy: every remaining candidate's exact gain; ties to the lower index.
  std::pair<vertex_t, double> pick_plain(FjLinearSolver& solver) {
    vertex_t best = no_vertex;
    double best_gain = -std::numeric_limits<double>::infinity();
    for (vertex_t v = 0; v < n_; ++v) {
      if (!scope_.allowed[v] || chosen_[v]) continue;
      check_stop(opt_.stop);
      const double gv = gain_of(solver, v);
      if (gv > best_gain) {
        best_gain = gv;
        best = v;
      }
    }
    return {best, best_gain};
  }

  /// Makes `best` stubborn: its row of Q becomes zero, its term of b becomes the opinion.
  void make_stubborn(vertex_t best, double gain) {
    chosen_[best] = 1;
    r_.seeds.push_back(best);
    r_.marginal_gains.push_back(gain);
    for (InfluenceMatrix::InnerIterator it(sys_.q, best); it; ++it) it.valueRef() = 0.0;
    sys_.lambda[best] = 0.0;
    sys_.s[best] = c_;
    sys_.b[best] = c_;
    x_[best] = c_;
  }

  /// Independent final solve of the chosen configuration: spread = the sum of its opinions.
  void final_solve() {
    FjOptions fo;
    fo.use_edge_weights = opt_.use_edge_weights;
    fo.solver = opt_.solver;
    fo.solver_tolerance = opt_.solver_tolerance;
    fo.solver_iterations = opt_.solver_iterations;
    fo.threads = opt_.threads;
    fo.stop = opt_.stop;
    fo.stubborn = scope_.fixed;
    fo.stubborn.insert(fo.stubborn.end(), r_.seeds.begin(), r_.seeds.end());
    fo.stubborn_opinion = c_;
    const FjResult fin = friedkin_johnsen_equilibrium(g_, innate_, susceptibility_, fo);
    r_.spread = 0.0;
    for (double v : fin.opinions) r_.spread += v;
  }
};

}  // namespace detail

/// Greedy opinion maximisation (see the file comment). `fixed_seeds` are stubborn already and
/// count toward the objective, not toward k. Returns seeds in choice order, their exact marginal
/// gains in the sum of equilibrium opinions, spread = that sum for fixed + seeds (fresh solve),
/// approximation = 1 - 1/e when innate <= stubborn_opinion everywhere, else 0. Throws like
/// friedkin_johnsen_equilibrium, and for k larger than the candidate pool.
inline SelectResult maximise_opinion(const FollowerGraph& g, std::span<const double> innate,
                                     std::span<const double> susceptibility, std::size_t k,
                                     const OpinionMaxOptions& opt = {}) {
  KOLSIM_REQUIRE(opt.solver != FjSolver::iterate, "maximise_opinion: solver must be bicgstab or sparse_lu");
  return detail::OpinionGreedy(g, innate, susceptibility, k, opt).run(k);
}

}  // namespace kolsim

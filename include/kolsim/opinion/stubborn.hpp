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
/// G e_v per candidate actually evaluated (CELF of the library's lazy-greedy driver: lazy, in
/// decreasing order of the tighter of the previous gain and the new bound). Exact gain =
/// (1 - x*_v) sum_i G_iv / G_vv.
/// Cost: k (2 + evaluations) sparse solves, each O(m) per BiCGSTAB iteration (or one SparseLU
/// factorisation per round with cheap solves). Without the submodularity condition every
/// candidate is evaluated every round (plain greedy, no guarantee: approximation = 0).
#pragma once

#include <cmath>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/opinion/dynamics.hpp"
#include "kolsim/select/common.hpp"
#include "kolsim/select/lazy_greedy.hpp"

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

/// The marginal-gain oracle of maximise_opinion for the lazy-greedy driver (select/lazy_greedy.hpp).
/// begin_round() solves the current system (and, lazy, the transposed system whose solution y
/// bounds every gain), gain(v) is one column solve, add(v) makes v stubborn; the driver runs the
/// plain sweep or CELF over the bounds. finish() solves the chosen configuration afresh.
class OpinionGainOracle {
 public:
  using gain_type = double;

  OpinionGainOracle(const FollowerGraph& g, std::span<const double> innate, std::span<const double> susceptibility,
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
    last_gain_.assign(n_, 0.0);
    x_ = sys_.s;
  }

  bool lazy() const { return lazy_; }
  const SeedScope& scope() const { return scope_; }

  /// Solves the current system (rows of stubborn accounts are e_v^T) into x_; the solver's
  /// factorisation (or matrix) then serves the column solves of this round. Lazy mode: also
  /// y = G^T 1, which bounds every gain.
  void begin_round() {
    check_stop(opt_.stop);
    // BiCGSTAB keeps a reference to the solver's own matrix (not movable): rebuilt in place.
    solver_.emplace(opt_.solver, opt_.solver_tolerance, opt_.solver_iterations, &opt_.stop);
    solver_->compute(identity_minus(sys_.q));
    bool ok = false;
    std::size_t iters = 0;
    x_ = solver_->solve(sys_.b, x_, ok, iters);
    KOLSIM_REQUIRE(ok, who, ": the linear solver did not converge (round ", round_, ")");
    solve_seconds_ += phase_.lap();
    if (lazy_) transposed_solve();
  }

  /// Upper bound of gain(v): (c - x_v) y_v >= gain(v) since G_vv >= 1, with a relative slack for
  /// solver error.
  double bound(vertex_t v) const { return (c_ - x_[v]) * y_[v] * (1.0 + 1e-9) + 1e-12; }

  /// The exact gain of making v stubborn: (c - x_v) sum_i G_iv / G_vv, from one column solve.
  double gain(vertex_t v) {
    Eigen::VectorXd e = Eigen::VectorXd::Zero(n_);
    e[v] = 1.0;
    bool good = false;
    std::size_t it = 0;
    const Eigen::VectorXd col = solver_->solve(e, e, good, it);
    KOLSIM_REQUIRE(good, who, ": the linear solver did not converge (column of account ", g_.account(v), ")");
    return last_gain_[v] = (c_ - x_[v]) * col.sum() / col[v];
  }

  /// Plain sweep: every candidate's exact gain, one after the other.
  void gains(std::span<const vertex_t> block, bool, BasicGainPairs<double>& out) {
    out.assign(block.size(), {0.0, 0.0});
    for (std::size_t j = 0; j < block.size(); ++j) {
      check_stop(opt_.stop);
      out[j].first = gain(block[j]);
    }
  }

  /// Makes v stubborn: its row of Q becomes zero, its term of b becomes the opinion. Returns the
  /// gain evaluated for v this round.
  double add(vertex_t v) {
    eval_seconds_ += phase_.lap();
    ++round_;
    for (InfluenceMatrix::InnerIterator it(sys_.q, v); it; ++it) it.valueRef() = 0.0;
    sys_.lambda[v] = 0.0;
    sys_.s[v] = c_;
    sys_.b[v] = c_;
    x_[v] = c_;
    return last_gain_[v];
  }

  /// The result for `seeds` and `gains` (in choice order): spread from an independent final
  /// solve of the chosen configuration, and the phase times.
  SelectResult finish(std::vector<vertex_t> seeds, std::vector<double> gains) {
    r_.seeds = std::move(seeds);
    r_.marginal_gains = std::move(gains);
    r_.phase_seconds.emplace_back("solve", solve_seconds_);
    r_.phase_seconds.emplace_back("bounds", bound_seconds_);
    r_.phase_seconds.emplace_back("evaluate", eval_seconds_);
    final_solve();
    r_.phase_seconds.emplace_back("final", phase_.lap());
    r_.seconds = total_.seconds();
    return std::move(r_);
  }

  /// Records the setup time (the members the constructor built).
  void setup_done() { r_.phase_seconds.emplace_back("setup", phase_.lap()); }

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
  std::size_t round_ = 0;              // seeds made stubborn so far
  std::optional<FjLinearSolver> solver_;  // this round's system
  std::vector<double> last_gain_;      // the latest exact gain per candidate
  Eigen::VectorXd x_;                  // current equilibrium opinions
  Eigen::VectorXd y_;                  // lazy: G^T 1 of this round
  double solve_seconds_ = 0.0, bound_seconds_ = 0.0, eval_seconds_ = 0.0;

  /// y = G^T 1 from the transposed system of this round.
  void transposed_solve() {
    FjLinearSolver tsolver(opt_.solver, opt_.solver_tolerance, opt_.solver_iterations, &opt_.stop);
    InfluenceMatrix at = solver_->matrix().transpose();
    tsolver.compute(std::move(at));
    const Eigen::VectorXd ones = Eigen::VectorXd::Ones(n_);
    bool ok = false;
    std::size_t iters = 0;
    y_ = tsolver.solve(ones, ones, ok, iters);
    KOLSIM_REQUIRE(ok, who, ": the transposed solve did not converge (round ", round_, ")");
    bound_seconds_ += phase_.lap();
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
  detail::OpinionGainOracle oracle(g, innate, susceptibility, k, opt);
  detail::EigenThreadScope threads(opt.threads);
  oracle.setup_done();
  detail::LazyGreedy<detail::OpinionGainOracle> greedy(oracle, oracle.scope().allowed, opt.stop);
  greedy.run(k, oracle.lazy() ? detail::LazyMode::celf : detail::LazyMode::none, [] {});
  return oracle.finish(std::move(greedy.seeds), std::move(greedy.gains));
}

}  // namespace kolsim

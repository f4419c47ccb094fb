// SPDX-License-Identifier: MIT
/// Opinion dynamics on the follower graph with Eigen: the row-normalised influence matrix,
/// DeGroot averaging and the Friedkin-Johnsen model with stubborn KOLs (iterated or solved).
///
/// Model. An account v listens to the accounts it follows (its in-neighbours u, edge u -> v)
/// with weights w(u, v) = the edge probability when assigned and `use_edge_weights`, else 1
/// (parallel edges add up, zero weights are ignored). The influence matrix is row-normalised
/// per listener: W[v][u] = w(u, v) / sum_u' w(u', v). Accounts that follow nobody keep their
/// opinion (W[v][v] = 1; in Friedkin-Johnsen they hold their innate opinion).
///
/// DeGroot (J. Amer. Statist. Assoc. 1974): x_{t+1} = W x_t. On a strongly connected aperiodic
/// graph x_t -> (pi^T x_0) 1 with pi the left Perron vector of W. O(m) per step.
///
/// Friedkin-Johnsen (J. Math. Sociol. 1990): x_{t+1} = Lambda W x_t + (I - Lambda) s with
/// susceptibility lambda_v in [0, 1] (stubbornness 1 - lambda_v) and innate opinion s. The
/// equilibrium x* = (I - Lambda W)^{-1} (I - Lambda) s exists and is unique iff every account
/// reaches (by listening, transitively) one with lambda < 1; this is checked in O(n + m).
/// Stubborn KOLs that keep pushing a position get lambda = 0 and innate opinion
/// `stubborn_opinion` (e.g. +1 for the campaign message).
///
/// Solvers. I - Lambda W is not symmetric (so CG / LDLT do not apply) but it is an M-matrix,
/// row diagonally dominant (row sums of Lambda W are lambda_v <= 1). Default: BiCGSTAB with a
/// diagonal (Jacobi) preconditioner, O(m) per iteration, memory O(n + m), which converges in
/// far fewer matrix-vector products than the fixed-point iteration when many lambda are near 1.
/// SparseLU (COLAMD ordering) is offered for small and medium graphs; its fill-in on social
/// graphs with hubs grows quickly. The iteration itself converges geometrically at rate
/// <= spectral radius of Lambda W (max lambda when all lambda < 1).
///
/// Threads. Eigen parallelises row-major sparse * dense vector products with OpenMP itself
/// (Eigen 3.4 SparseDenseProduct.h: rows split dynamically once nnz > 20000), and BiCGSTAB uses
/// that product; each row is computed by one thread, so results do not depend on the thread
/// count. `threads` sets the team size for the duration of the call (thread-local OpenMP ICV).
#pragma once

#include <Eigen/IterativeLinearSolvers>
#include <Eigen/SparseCore>
#include <Eigen/SparseLU>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/progress.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/opinion/measures.hpp"
#include "kolsim/select/common.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace kolsim {

/// Row-major sparse influence matrix W (row v = whom v listens to, rows sum to 1).
using InfluenceMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor>;

/// Options of the opinion dynamics.
struct OpinionOptions {
  bool use_edge_weights = true;  ///< weights = edge probabilities when assigned (else 1)
  std::size_t steps = 1000;      ///< at most this many iterations
  double tolerance = 1e-12;      ///< stop once max_v |x_{t+1}(v) - x_t(v)| <= tolerance (0: run all steps)
  bool record_trajectory = true; ///< keep the summary measures of every step
  int threads = 0;               ///< 0 = all
  StopToken stop;                ///< polled every step; throws Interrupted
  ProgressFn progress;           ///< ("steps", step, steps) every step
};

/// Summary measures after one step (step 0 = the starting opinions).
struct OpinionStep {
  std::size_t step = 0;
  double mean = 0.0;
  double polarisation = 0.0;
  double disagreement = 0.0;
  double change = 0.0;  ///< max_v |x_t(v) - x_{t-1}(v)| (0 for step 0)
};

/// Result of an iteration: the final opinions and the per-step measures.
struct OpinionTrajectory {
  std::vector<double> opinions;        ///< one per account, graph order
  std::vector<OpinionStep> trajectory; ///< steps 0 .. steps (empty unless record_trajectory)
  std::size_t steps = 0;               ///< iterations performed
  bool converged = false;              ///< the tolerance was met
  double change = 0.0;                 ///< max change of the last step
  OpinionSummary summary;              ///< measures of the final opinions
  double seconds = 0.0;
};

/// How friedkin_johnsen_equilibrium solves (I - Lambda W) x = (I - Lambda) s.
enum class FjSolver { bicgstab, sparse_lu, iterate };

/// Options of Friedkin-Johnsen: the dynamics options plus stubborn KOLs and the solver.
struct FjOptions : OpinionOptions {
  FjSolver solver = FjSolver::bicgstab;
  std::vector<vertex_t> stubborn;   ///< KOLs with lambda = 0 and innate opinion stubborn_opinion
  double stubborn_opinion = 1.0;    ///< the position the stubborn KOLs keep pushing
  double solver_tolerance = 1e-13;  ///< BiCGSTAB: relative residual ||A x - b|| / ||b||
  std::size_t solver_iterations = 0; ///< BiCGSTAB iteration cap (0 = max(1000, n))
};

/// Result of a Friedkin-Johnsen computation.
struct FjResult {
  std::vector<double> opinions;         ///< one per account, graph order
  std::string method;                   ///< "bicgstab", "sparse_lu" or "iterate"
  std::size_t iterations = 0;           ///< solver iterations or model steps
  bool converged = false;
  double residual = 0.0;                ///< max_v |((I - Lambda W) x - (I - Lambda) s)_v|
  OpinionSummary summary;               ///< measures of the opinions
  std::vector<OpinionStep> trajectory;  ///< per-step measures (iterate with record_trajectory)
  double seconds = 0.0;
};

namespace detail {

/// Sets the OpenMP team size of the calling thread (used by Eigen) for a scope.
class EigenThreadScope {
 public:
  explicit EigenThreadScope(int threads) {
    const int nt = resolve_threads(threads);
#ifdef _OPENMP
    previous_ = omp_get_max_threads();
    omp_set_num_threads(nt);
#else
    (void)nt;
#endif
  }
  ~EigenThreadScope() {
#ifdef _OPENMP
    omp_set_num_threads(previous_);
#endif
  }
  EigenThreadScope(const EigenThreadScope&) = delete;
  EigenThreadScope& operator=(const EigenThreadScope&) = delete;

 private:
  int previous_ = 1;
};

/// W plus which accounts listen to anyone (rows with positive total weight).
struct InfluenceBuild {
  InfluenceMatrix w;
  std::vector<char> listens;
};

inline InfluenceBuild build_influence(const FollowerGraph& g, bool use_edge_weights) {
  const vertex_t n = g.num_vertices();
  const auto off = g.in_offsets();
  const auto src = g.in_sources();
  const InEdgeProbs p(g);  // any storage: an implicit graph is not materialised
  const bool weighted = use_edge_weights && g.has_probabilities();
  auto weight = [&](edge_t e, vertex_t v) { return weighted ? static_cast<double>(p(e, v)) : 1.0; };
  InfluenceBuild b;
  b.listens.assign(n, 0);
  // Pass 1: entries per row (in-rows are sorted by source, so parallel edges are adjacent).
  std::vector<std::size_t> count(n, 0);
  std::size_t nnz = 0;
  for (vertex_t v = 0; v < n; ++v) {
    std::size_t c = 0;
    vertex_t last = no_vertex;
    for (edge_t e = off[v]; e < off[v + 1]; ++e) {
      if (!(weight(e, v) > 0.0)) continue;
      if (src[e] != last) ++c;
      last = src[e];
    }
    b.listens[v] = c > 0 ? 1 : 0;
    count[v] = c > 0 ? c : 1;
    nnz += count[v];
  }
  KOLSIM_REQUIRE(nnz <= static_cast<std::size_t>(INT_MAX), "influence_matrix: ", nnz,
                 " entries exceed Eigen's 32-bit sparse index");
  require_memory(detail::concat("influence_matrix: ", nnz, " entries for ", n, " accounts"),
                 static_cast<double>(nnz) * (sizeof(double) + sizeof(int)) + static_cast<double>(n) * 24.0);
  b.w.resize(n, n);
  b.w.resizeNonZeros(static_cast<Eigen::Index>(nnz));
  int* outer = b.w.outerIndexPtr();
  int* inner = b.w.innerIndexPtr();
  double* val = b.w.valuePtr();
  std::size_t k = 0;
  outer[0] = 0;
  for (vertex_t v = 0; v < n; ++v) {
    const std::size_t start = k;
    if (!b.listens[v]) {
      inner[k] = static_cast<int>(v);
      val[k++] = 1.0;
    } else {
      double total = 0.0;
      vertex_t last = no_vertex;
      for (edge_t e = off[v]; e < off[v + 1]; ++e) {
        const double w = weight(e, v);
        if (!(w > 0.0)) continue;
        if (src[e] != last) {
          inner[k] = static_cast<int>(src[e]);
          val[k++] = w;
        } else {
          val[k - 1] += w;
        }
        last = src[e];
        total += w;
      }
      for (std::size_t i = start; i < k; ++i) val[i] /= total;
    }
    outer[v + 1] = static_cast<int>(k);
  }
  return b;
}

/// The Friedkin-Johnsen linear system after validation: Q = Lambda W, b = (I - Lambda) s.
struct FjSystem {
  InfluenceMatrix q;        ///< Lambda_eff W
  Eigen::VectorXd b;        ///< (I - Lambda_eff) s_eff
  Eigen::VectorXd s;        ///< innate opinions with stubborn ones replaced
  std::vector<double> lambda;  ///< effective susceptibility (0 for stubborn and non-listeners)
};

inline FjSystem fj_system(const FollowerGraph& g, std::span<const double> innate, std::span<const double> susceptibility,
                          std::span<const vertex_t> stubborn, double stubborn_opinion, bool use_edge_weights,
                          const char* who) {
  const vertex_t n = g.num_vertices();
  require_opinions(innate, n, who, "innate");
  KOLSIM_REQUIRE(susceptibility.size() == n || susceptibility.size() == 1, who,
                 ": susceptibility must have one value per account (", n, ") or a single value, got ",
                 susceptibility.size());
  for (std::size_t i = 0; i < susceptibility.size(); ++i)
    KOLSIM_REQUIRE(susceptibility[i] >= 0.0 && susceptibility[i] <= 1.0, who, ": susceptibility[", i,
                   "] must be in [0, 1], got ", susceptibility[i]);
  KOLSIM_REQUIRE(std::isfinite(stubborn_opinion), who, ": stubborn_opinion must be finite, got ", stubborn_opinion);
  FjSystem sys;
  sys.s = Eigen::Map<const Eigen::VectorXd>(innate.data(), static_cast<Eigen::Index>(n));
  sys.lambda.resize(n);
  for (vertex_t v = 0; v < n; ++v) sys.lambda[v] = susceptibility.size() == 1 ? susceptibility[0] : susceptibility[v];
  for (vertex_t v : stubborn) {
    KOLSIM_REQUIRE_INDEX(v < n, who, ": stubborn vertex ", v, " out of range (n = ", n, ")");
    sys.lambda[v] = 0.0;
    sys.s[v] = stubborn_opinion;
  }
  InfluenceBuild ib = build_influence(g, use_edge_weights);
  for (vertex_t v = 0; v < n; ++v)
    if (!ib.listens[v]) sys.lambda[v] = 0.0;
  sys.q = std::move(ib.w);
  for (vertex_t v = 0; v < n; ++v) {
    for (InfluenceMatrix::InnerIterator it(sys.q, v); it; ++it) it.valueRef() *= sys.lambda[v];
  }
  sys.b.resize(n);
  for (vertex_t v = 0; v < n; ++v) sys.b[v] = (1.0 - sys.lambda[v]) * sys.s[v];
  return sys;
}

/// Throws when some accounts never reach an account with lambda < 1 (I - Lambda W singular).
inline void require_anchored(const FollowerGraph& g, const std::vector<double>& lambda, bool use_edge_weights,
                             const char* who) {
  const vertex_t n = g.num_vertices();
  std::vector<char> anchored(n, 0);
  std::vector<vertex_t> queue;
  for (vertex_t v = 0; v < n; ++v)
    if (lambda[v] < 1.0) {
      anchored[v] = 1;
      queue.push_back(v);
    }
  const bool weighted = use_edge_weights && g.has_probabilities();
  const OutEdgeProbs p(g);  // any storage: an implicit graph is not materialised
  const auto off = g.out_offsets();
  const auto tgt = g.out_targets();
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const vertex_t u = queue[head];
    for (edge_t e = off[u]; e < off[u + 1]; ++e) {
      const vertex_t v = tgt[e];
      if (anchored[v] || (weighted && !(p(e, v) > 0.0f))) continue;
      anchored[v] = 1;
      queue.push_back(v);
    }
  }
  if (queue.size() == n) return;
  vertex_t example = 0;
  while (anchored[example]) ++example;
  KOLSIM_REQUIRE(false, who, ": the equilibrium is not unique: ", n - queue.size(),
                 " accounts (e.g. account ", g.account(example),
                 ") have susceptibility 1 and listen, directly or through others, only to accounts with "
                 "susceptibility 1; give one of them susceptibility < 1 or make it stubborn");
}

/// I - Q for a row-major Q.
inline InfluenceMatrix identity_minus(const InfluenceMatrix& q) {
  InfluenceMatrix id(q.rows(), q.cols());
  id.setIdentity();
  InfluenceMatrix a = id - q;
  return a;
}

/// Jacobi preconditioner that polls a stop token each time BiCGSTAB applies it (twice per
/// iteration, O(n) each), so a long solve stops within an iteration; the numbers are unchanged.
class StoppableJacobi : public Eigen::DiagonalPreconditioner<double> {
  using Base = Eigen::DiagonalPreconditioner<double>;

 public:
  StoppableJacobi() = default;
  template <class Mat>
  explicit StoppableJacobi(const Mat& m) : Base(m) {}
  void set_stop(const StopToken* stop) noexcept { stop_ = stop; }
  template <class Rhs>
  auto solve(const Eigen::MatrixBase<Rhs>& b) const {
    if (stop_ != nullptr) check_stop(*stop_);
    return Base::solve(b);
  }

 private:
  const StopToken* stop_ = nullptr;
};

/// A linear solver for A x = b with A = I - Q (BiCGSTAB + Jacobi, or SparseLU). BiCGSTAB polls
/// `stop` (which must outlive the solver) every iteration; SparseLU's factorisation cannot be
/// interrupted (the stop is seen before and after it).
class FjLinearSolver {
 public:
  FjLinearSolver(FjSolver kind, double tolerance, std::size_t max_iterations, const StopToken* stop = nullptr)
      : kind_(kind), tolerance_(tolerance), max_iterations_(max_iterations), stop_(stop) {
    KOLSIM_REQUIRE(kind != FjSolver::iterate, "FjLinearSolver: iterate is not a linear solver");
    KOLSIM_REQUIRE(tolerance > 0.0 && std::isfinite(tolerance), "solver_tolerance must be > 0, got ", tolerance);
  }
  /// Takes ownership of A (the iterative solver keeps a reference to it).
  void compute(InfluenceMatrix a) {
    a_ = std::move(a);
    const double n = static_cast<double>(a_.rows()), nnz = static_cast<double>(a_.nonZeros());
    // BiCGSTAB: about ten work vectors; SparseLU: a column-major copy plus at least as much fill.
    require_memory(detail::concat(name(), ": a system of ", a_.rows(), " accounts and ", a_.nonZeros(), " entries"),
                   kind_ == FjSolver::bicgstab ? 10.0 * n * sizeof(double)
                                               : 2.0 * nnz * (sizeof(double) + sizeof(int)) + 10.0 * n * sizeof(double));
    if (stop_ != nullptr) check_stop(*stop_);
    if (kind_ == FjSolver::bicgstab) {
      bicg_.preconditioner().set_stop(stop_);
      bicg_.setTolerance(tolerance_);
      bicg_.setMaxIterations(static_cast<Eigen::Index>(
          max_iterations_ ? max_iterations_ : std::max<std::size_t>(1000, static_cast<std::size_t>(a_.rows()))));
      bicg_.compute(a_);
    } else {
      Eigen::SparseMatrix<double> ac = a_;
      ac.makeCompressed();
      lu_.analyzePattern(ac);
      lu_.factorize(ac);
      KOLSIM_REQUIRE(lu_.info() == Eigen::Success, "SparseLU: factorisation failed: ", lu_.lastErrorMessage());
      if (stop_ != nullptr) check_stop(*stop_);
    }
  }
  /// Solves A x = b (starting BiCGSTAB from `guess`); sets ok and iterations.
  Eigen::VectorXd solve(const Eigen::VectorXd& b, const Eigen::VectorXd& guess, bool& ok, std::size_t& iterations) {
    Eigen::VectorXd x;
    if (kind_ == FjSolver::bicgstab) {
      x = bicg_.solveWithGuess(b, guess);
      ok = bicg_.info() == Eigen::Success;
      iterations = static_cast<std::size_t>(bicg_.iterations());
    } else {
      x = lu_.solve(b);
      ok = lu_.info() == Eigen::Success;
      iterations = 1;
    }
    return x;
  }
  const InfluenceMatrix& matrix() const noexcept { return a_; }
  const char* name() const noexcept { return kind_ == FjSolver::bicgstab ? "bicgstab" : "sparse_lu"; }

 private:
  FjSolver kind_;
  double tolerance_;
  std::size_t max_iterations_;
  const StopToken* stop_;
  InfluenceMatrix a_;
  Eigen::BiCGSTAB<InfluenceMatrix, StoppableJacobi> bicg_;
  Eigen::SparseLU<Eigen::SparseMatrix<double>, Eigen::COLAMDOrdering<int>> lu_;
};

inline OpinionStep opinion_step(const FollowerGraph& g, const Eigen::VectorXd& x, std::size_t step, double change,
                                bool use_edge_weights) {
  const std::span<const double> xs(x.data(), static_cast<std::size_t>(x.size()));
  const OpinionSummary s = summarise_opinions(g, xs, use_edge_weights);
  return OpinionStep{step, s.mean, s.polarisation, s.disagreement, change};
}

inline void require_iteration_options(const OpinionOptions& opt, const char* who) {
  KOLSIM_REQUIRE(opt.tolerance >= 0.0 && std::isfinite(opt.tolerance), who, ": tolerance must be >= 0, got ",
                 opt.tolerance);
  (void)resolve_threads(opt.threads);
}

/// How an opinion iteration ended: steps performed, the largest change of the last step, and
/// whether that change met the tolerance.
struct IterationEnd {
  std::size_t steps = 0;
  double change = 0.0;
  bool converged = false;
};

/// The one iteration loop of DeGroot and Friedkin-Johnsen by iteration: `update(x, y)` writes
/// the next opinions into y; runs at most opt.steps steps or until the largest change is <=
/// opt.tolerance (> 0), polling opt.stop, reporting ("steps", t, opt.steps) and recording the
/// per-step measures (step 0 = the starting opinions) when opt.record_trajectory.
template <class Update>
IterationEnd iterate_opinions(const FollowerGraph& g, Eigen::VectorXd& x, const OpinionOptions& opt,
                              std::vector<OpinionStep>& trajectory, Update&& update) {
  const Eigen::Index n = x.size();
  Eigen::VectorXd y(n);
  IterationEnd end;
  if (opt.record_trajectory) trajectory.push_back(opinion_step(g, x, 0, 0.0, opt.use_edge_weights));
  for (std::size_t t = 1; t <= opt.steps; ++t) {
    check_stop(opt.stop);
    report_progress(opt.progress, "steps", t - 1, opt.steps);
    update(x, y);
    const double change = n ? (y - x).cwiseAbs().maxCoeff() : 0.0;
    x.swap(y);
    end.steps = t;
    end.change = change;
    if (opt.record_trajectory) trajectory.push_back(opinion_step(g, x, t, change, opt.use_edge_weights));
    if (opt.tolerance > 0.0 && change <= opt.tolerance) {
      end.converged = true;
      break;
    }
  }
  return end;
}

/// The Friedkin-Johnsen system of the inputs, after the checks every FJ solver shares.
inline FjSystem checked_fj_system(const FollowerGraph& g, std::span<const double> innate,
                                  std::span<const double> susceptibility, const FjOptions& opt) {
  require_iteration_options(opt, "friedkin_johnsen");
  return fj_system(g, innate, susceptibility, opt.stubborn, opt.stubborn_opinion, opt.use_edge_weights,
                   "friedkin_johnsen");
}

/// Stores the final opinions x, their summary measures and the elapsed time into r.
template <class Result>
void store_opinions(Result& r, const FollowerGraph& g, const Eigen::VectorXd& x, bool use_edge_weights,
                    const Stopwatch& clock) {
  r.opinions.assign(x.data(), x.data() + x.size());
  r.summary = summarise_opinions(g, r.opinions, use_edge_weights);
  r.seconds = clock.seconds();
}

}  // namespace detail

/// The row-stochastic influence matrix W of g (see the file comment). O(n + m).
inline InfluenceMatrix influence_matrix(const FollowerGraph& g, bool use_edge_weights = true) {
  return detail::build_influence(g, use_edge_weights).w;
}

/// DeGroot averaging x_{t+1} = W x_t from `initial` (one finite value per account), for at most
/// opt.steps steps or until the largest change is <= opt.tolerance. O(n + m) per step.
inline OpinionTrajectory degroot(const FollowerGraph& g, std::span<const double> initial,
                                 const OpinionOptions& opt = {}) {
  Stopwatch clock;
  const vertex_t n = g.num_vertices();
  detail::require_opinions(initial, n, "degroot", "initial");
  detail::require_iteration_options(opt, "degroot");
  detail::EigenThreadScope threads(opt.threads);
  const InfluenceMatrix w = influence_matrix(g, opt.use_edge_weights);
  Eigen::VectorXd x = Eigen::Map<const Eigen::VectorXd>(initial.data(), static_cast<Eigen::Index>(n));
  OpinionTrajectory r;
  const detail::IterationEnd end = detail::iterate_opinions(
      g, x, opt, r.trajectory, [&](const Eigen::VectorXd& from, Eigen::VectorXd& to) { to.noalias() = w * from; });
  r.steps = end.steps;
  r.change = end.change;
  r.converged = end.converged;
  detail::store_opinions(r, g, x, opt.use_edge_weights, clock);
  return r;
}

/// Friedkin-Johnsen by iteration from x_0 = s (stubborn accounts at stubborn_opinion) for at
/// most opt.steps steps or until the largest change is <= opt.tolerance. O(n + m) per step.
/// Does not require a unique equilibrium (the limit then depends on the start).
inline FjResult friedkin_johnsen_iterate(const FollowerGraph& g, std::span<const double> innate,
                                         std::span<const double> susceptibility, const FjOptions& opt = {}) {
  Stopwatch clock;
  const vertex_t n = g.num_vertices();
  detail::FjSystem sys = detail::checked_fj_system(g, innate, susceptibility, opt);
  detail::EigenThreadScope threads(opt.threads);
  Eigen::VectorXd x = sys.s;
  FjResult r;
  r.method = "iterate";
  const detail::IterationEnd end =
      detail::iterate_opinions(g, x, opt, r.trajectory, [&](const Eigen::VectorXd& from, Eigen::VectorXd& to) {
        to.noalias() = sys.q * from;
        to += sys.b;
      });
  r.iterations = end.steps;
  r.converged = end.converged;
  Eigen::VectorXd y(n);
  y.noalias() = x - sys.q * x;
  r.residual = n ? (y - sys.b).cwiseAbs().maxCoeff() : 0.0;
  detail::store_opinions(r, g, x, opt.use_edge_weights, clock);
  return r;
}

/// The Friedkin-Johnsen equilibrium x* = (I - Lambda W)^{-1} (I - Lambda) s, solved directly
/// (opt.solver = bicgstab or sparse_lu) or by iteration (iterate). `susceptibility` holds one
/// value in [0, 1] per account or a single value for all. Throws std::invalid_argument on bad
/// lengths, non-finite opinions, susceptibility outside [0, 1], or when the equilibrium is not
/// unique; std::out_of_range for unknown stubborn vertices. BiCGSTAB: O(m) per iteration.
inline FjResult friedkin_johnsen_equilibrium(const FollowerGraph& g, std::span<const double> innate,
                                             std::span<const double> susceptibility, const FjOptions& opt = {}) {
  if (opt.solver == FjSolver::iterate) return friedkin_johnsen_iterate(g, innate, susceptibility, opt);
  Stopwatch clock;
  const vertex_t n = g.num_vertices();
  detail::FjSystem sys = detail::checked_fj_system(g, innate, susceptibility, opt);
  detail::require_anchored(g, sys.lambda, opt.use_edge_weights, "friedkin_johnsen");
  detail::EigenThreadScope threads(opt.threads);
  detail::FjLinearSolver solver(opt.solver, opt.solver_tolerance, opt.solver_iterations, &opt.stop);
  solver.compute(detail::identity_minus(sys.q));
  FjResult r;
  r.method = solver.name();
  Eigen::VectorXd x = n ? solver.solve(sys.b, sys.s, r.converged, r.iterations) : Eigen::VectorXd();
  if (n == 0) r.converged = true;
  Eigen::VectorXd res = solver.matrix() * x - sys.b;
  r.residual = n ? res.cwiseAbs().maxCoeff() : 0.0;
  detail::store_opinions(r, g, x, opt.use_edge_weights, clock);
  return r;
}

}  // namespace kolsim

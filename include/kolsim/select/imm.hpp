// SPDX-License-Identifier: MIT
/// IMM influence maximisation (Tang, Shi, Xiao, SIGMOD 2015) with Chen's correction
/// (arXiv 1808.09363): the final theta = ceil(lambda* / LB) RR sets are drawn fresh, never
/// reusing the sets that gave the lower bound LB on OPT.
///
/// Lower-bound phase. IMM needs only LB <= OPT with probability >= 1 - 1/(2 n^ell); the tighter
/// LB, the fewer final sets. By default (ImmBoundPhase::validated) LB is proven as in OPIM-C
/// (Tang, Tang, Xiao, Yuan, SIGMOD 2018): in round i the greedy picks S_i on R1 (stream rr_set)
/// and the independent R2 (stream rr_validate, theta2_i sets) certifies
///   LB_i = ((sqrt(cov2 + 2a/9) - sqrt(a/2))^2 - a/18) * scale / theta2_i <= spread(S_i) <= OPT,
/// a martingale (Chernoff) lower tail with a = log(rounds * 2 n^ell): S_i depends on R1 only, so
/// each LB_i fails with probability <= 1/(rounds * 2 n^ell) and all of them hold together with
/// probability >= 1 - 1/(2 n^ell), whichever round the data-driven stop picks. No union bound
/// over the C(n, k) seed sets is needed (IMM's lambda' carries one), and LB ends within a few
/// percent of spread(S_i) instead of f / (1 + eps'). Rounds double R1 and R2 and stop when
/// the final sets the next round is predicted to save are fewer than it would draw. The final
/// phase is IMM's, unchanged, with failure probability 1/(2 n^ell): together 1/n^ell, and the
/// final sets are independent of everything that chose theta. NetHEPT IC, eps 0.1, k 50: 1.120M
/// RR sets instead of 1.398M (LB 846 instead of 722, spread 967.7 either way;
/// `bench_select nethept-imm`, docs/distributed.md has the figures).
///
/// ImmBoundPhase::classic is IMM's own phase: doubling x = scale / 2^i until the greedy's
/// coverage estimate f on lambda'(eps') / x sets reaches (1 + eps') x, LB = f / (1 + eps').
/// eps' is free in IMM's analysis (the paper picks sqrt(2) * epsilon to balance the phases when
/// the sets are reused). With fresh final sets the total drawn is about (1 + eps') (lambda* + g
/// lambda'(eps')) / OPT, g in [1, 2) from the doubling, so by default eps' is the value
/// minimising that (0.3-0.4 at eps = 0.1 on Slashdot: ~30% fewer sets than sqrt(2) * eps).
///
/// Guarantee (either phase): spread(fixed + seeds) >= (1 - 1/e - epsilon) * OPT with probability
/// >= 1 - 1/n^ell. Cost: O((k + ell) (n + m) log n / epsilon^2) expected edges examined.
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/select/rr_select.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/estimate/rr_sets.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/select/common.hpp"
#include "kolsim/select/max_coverage.hpp"

namespace kolsim {

/// How IMM proves its lower bound on OPT (see above): both keep the guarantee.
enum class ImmBoundPhase {
  validated,  ///< greedy on R1, certified on independent R2 (OPIM-C's bound): fewer RR sets
  classic,    ///< IMM's doubling with epsilon' (the results of kolsim before 2026-12)
};

/// IMM options (plus candidates, fixed_seeds, seed, threads, stop from SelectOptions).
struct ImmOptions : SelectOptions {
  double epsilon = 0.1;
  double ell = 1.0;                         ///< failure probability 1/n^ell
  std::size_t memory_limit = 0;             ///< bytes; 0 = usable_memory() (RAM, cgroup, ulimit)
  std::uint32_t max_depth = UINT32_MAX;     ///< deadline in propagation steps (time-critical IM)
  std::vector<double> root_weights;         ///< targeted reach: spread = sum of weights reached
  /// epsilon' of the classic lower-bound phase, in (0, 1); 0 = the value minimising the expected
  /// number of RR sets drawn (see above); sqrt(2) * epsilon is the IMM paper's choice. A value
  /// > 0 selects the classic phase whatever `bound_phase` says.
  double estimation_epsilon = 0;
  ImmBoundPhase bound_phase = ImmBoundPhase::validated;
  /// |R1| / |R2| of the validated phase, in [1, 64]: R1 chooses the set whose spread is bounded,
  /// so a larger R1 gives a better set and a tighter LB for more sets drawn. NetHEPT IC eps 0.1:
  /// ratio 1 / 2 / 4 draw 1.118M / 1.120M / 1.183M sets, with the fewest final sets (greedy work) at 2.
  double validation_ratio = 2;
};

namespace detail {

/// IMM's lambda' (Tang et al. 2015, eq. 9) for epsilon' = ep; `log_terms` = log C(n, k) +
/// ell log n + log log2 n.
inline double imm_lambda_prime(double ep, double log_terms, double scale) {
  return (2.0 + 2.0 * ep / 3.0) * log_terms * scale / (ep * ep);
}

/// The epsilon' in [0.01, 0.99] minimising (1 + ep) (lambda_star + g * lambda'(ep)), the expected
/// RR sets of IMM with fresh final sets up to the common factor 1 / OPT; g = 1 / ln 2 is the mean
/// overshoot of the doubling search for a log-uniform OPT. Golden-section search (the function is
/// unimodal: lambda' falls like 1 / ep^2 while 1 + ep rises).
inline double imm_best_estimation_epsilon(double lambda_star, double log_terms, double scale) {
  const double g = 1.0 / std::log(2.0);
  auto cost = [&](double ep) { return (1.0 + ep) * (lambda_star + g * imm_lambda_prime(ep, log_terms, scale)); };
  double lo = 0.01, hi = 0.99;
  const double r = (std::sqrt(5.0) - 1.0) / 2.0;
  double a = hi - r * (hi - lo), b = lo + r * (hi - lo);
  double fa = cost(a), fb = cost(b);
  for (int it = 0; it < 60; ++it) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - r * (hi - lo);
      fa = cost(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + r * (hi - lo);
      fb = cost(b);
    }
  }
  return 0.5 * (lo + hi);
}

}  // namespace detail

/// IMM result: `theta` = final RR sets, `lower_bound` = the proven lower bound on OPT.
struct ImmResult : SelectResult {
  std::uint64_t theta = 0;
  double lower_bound = 0;
  /// classic phase: the epsilon' it used; validated phase: estimate / LB - 1 in the round
  /// that gave LB (the bound's relative margin), 0 if no round proved a positive bound.
  double estimation_epsilon = 0;
  int bound_rounds = 0;  ///< rounds of the lower-bound phase
};

namespace detail {

/// IMM's constants for one instance: lambda* (Tang et al. 2015, eq. 6) and the lower-bound
/// phase's epsilon' and lambda' (eq. 9), with ell' = ell + log 2 / log n so that each of the two
/// phases fails with probability <= 1 / (2 n^ell) (Chen 2018).
struct ImmParams {
  double scale = 0;        ///< total root weight: OPT <= scale (n for unit weights)
  double nd = 2;           ///< max(n, 2)
  double ell = 1;          ///< ell'
  double e1 = 0;           ///< 1 - 1/e
  double lambda_star = 0;  ///< final RR sets = ceil(lambda_star / lower bound on OPT)
  double eps_p = 0;        ///< epsilon' of the lower-bound phase
  double lambda_p = 0;     ///< lambda'(epsilon')
};

inline ImmParams imm_params(double scale, vertex_t n, std::size_t pool, std::size_t k, const ImmOptions& opt) {
  ImmParams p;
  p.scale = scale;
  p.nd = std::max<double>(n, 2.0);
  p.ell = opt.ell + std::log(2.0) / std::log(p.nd);
  p.e1 = 1.0 - 1.0 / std::exp(1.0);
  const double lognk = rr_log_binom(static_cast<double>(pool), static_cast<double>(k));
  const double eps = opt.epsilon, e1 = p.e1, ln = std::log(p.nd);
  const double alpha = std::sqrt(p.ell * ln + std::log(2.0));
  const double beta = std::sqrt(e1 * (lognk + p.ell * ln + std::log(2.0)));
  p.lambda_star = 2.0 * scale * (e1 * alpha + beta) * (e1 * alpha + beta) / (eps * eps);
  const double log_terms = lognk + p.ell * ln + std::log(std::max(1.0, std::log2(p.nd)));
  p.eps_p = opt.estimation_epsilon > 0.0 ? opt.estimation_epsilon
                                         : imm_best_estimation_epsilon(p.lambda_star, log_terms, scale);
  p.lambda_p = imm_lambda_prime(p.eps_p, log_terms, scale);
  return p;
}

/// RR sets of one stream as a selector sees them: `local` = the sets this process holds,
/// `total` = the sets drawn by all processes (local.size() in one process).
struct RRShare {
  RRCollection local;
  std::uint64_t total = 0;
};

/// What a selector's collection back end needs besides the sets: sampler, scope and limits.
template <class M>
struct RRJob {
  const char* who;
  RRSampler<M>& sampler;
  const SeedScope& scope;
  vertex_t n;
  int threads;
  std::uint64_t seed;
  std::size_t memory_limit;
  const StopToken& stop;
  std::uint64_t drawn = 0;  ///< RR sets drawn so far, over all processes
};

/// A back end of the RR-based selectors: where the RR sets live and how the coverage greedy runs
/// on them. grow() extends a share to `target` sets in total (set i of a stream is a pure
/// function of (seed, domain, i), so any back end draws the same sets), greedy() returns the
/// max_coverage() result on the union of all processes' sets, coverage() the number of sets (all
/// processes) that `seeds` hit. LocalRR is one process; distributed::detail::RankRR the ranks of
/// a communicator. Each formula of a selector is written once, over this interface.
template <class B, class M>
concept RRBackend = requires(B& b, RRJob<M>& job, RRShare& share, std::uint64_t target, std::uint32_t domain,
                             std::size_t bytes, std::size_t k, bool flag, std::span<const vertex_t> seeds) {
  b.grow(job, share, target, domain, bytes);
  { b.greedy(job, share, k, flag) } -> std::same_as<MaxCoverageResult>;
  { b.coverage(job, share, seeds) } -> std::same_as<std::uint64_t>;
  b.progress("phase", target, target);
  b.finished(share, bytes);
};

/// The one-process back end: rr_grow and the max_coverage engine (its O(n) workspace shared by
/// all calls), progress reported to the caller.
class LocalRR {
 public:
  explicit LocalRR(const ProgressFn& progress) : progress_(progress) {}

  template <class M>
  void grow(RRJob<M>& job, RRShare& share, std::uint64_t target, std::uint32_t domain, std::size_t other_bytes) {
    rr_grow(job.who, job.sampler, share.local, target, job.seed, domain, other_bytes, job.memory_limit, job.threads,
            job.stop, job.drawn);
    share.total = share.local.size();
  }
  template <class M>
  MaxCoverageResult greedy(RRJob<M>& job, const RRShare& share, std::size_t k, bool upper_bound) {
    return rr_greedy(share.local, job.n, k, job.scope, job.threads, upper_bound, &work_);
  }
  template <class M>
  std::uint64_t coverage(RRJob<M>& job, const RRShare& share, std::span<const vertex_t> seeds) {
    return rr_coverage(share.local, seeds, job.n);
  }
  void progress(std::string_view phase, std::uint64_t done, std::uint64_t total) {
    report_progress(progress_, phase, done, total);
  }
  void finished(const RRShare&, std::size_t) {}

 private:
  const ProgressFn& progress_;
  MaxCoverageWorkspace work_;
};

/// IMM's lower-bound phase as in the paper: doubling x = scale / 2^i, lambda' / x sets of stream
/// rr_set, greedy on them, until its coverage estimate f >= (1 + eps') x; then OPT >= f / (1 + eps').
template <class M, class B>
double imm_classic_bound(RRJob<M>& job, B& backend, const ImmParams& p, std::size_t k, std::size_t base_bytes,
                         std::size_t& peak, int& rounds) {
  RRShare est;
  const int imax = std::max(1, static_cast<int>(std::ceil(std::log2(p.nd))) - 1);
  for (int i = 1; i <= imax; ++i) {
    rounds = i;
    const double x = p.scale / std::pow(2.0, i);
    const auto theta_i = static_cast<std::uint64_t>(std::ceil(p.lambda_p / x));
    backend.grow(job, est, theta_i, domain::rr_set, base_bytes);
    const MaxCoverageResult mc = backend.greedy(job, est, k, false);
    backend.progress("estimation", static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(imax));
    peak = std::max(peak, est.local.bytes() + mc.bytes + base_bytes);
    const double f = p.scale * static_cast<double>(mc.coverage) / static_cast<double>(est.total);
    if (f >= (1.0 + p.eps_p) * x) return f / (1.0 + p.eps_p);
  }
  return 1.0;
}

/// OPIM-C's lower confidence bound on spread(S) from `cov` of `sets` independent RR sets that S
/// hits (Tang et al. 2018, Lemma 4.2 with the martingale tail): holds with probability
/// >= 1 - exp(-a). Never negative.
inline double martingale_lower_bound(double cov, double sets, double scale, double a) {
  const double root = std::sqrt(cov + 2.0 * a / 9.0) - std::sqrt(a / 2.0);
  return std::max(0.0, root * root - a / 18.0) * scale / sets;
}

/// a of the validated phase's bounds over `rounds` rounds: each fails with probability exp(-a) =
/// 1 / (rounds n^ell') = 1 / (rounds 2 n^ell), so all hold together with probability >= 1 - 1/(2 n^ell).
inline double imm_validation_confidence(const ImmParams& p, int rounds) {
  return std::log(static_cast<double>(rounds)) + p.ell * std::log(p.nd);
}

/// The validated lower-bound phase (see the file comment): returns LB; `margin` = estimate / LB
/// - 1 of the round that gave it, `rounds` = rounds drawn.
template <class M, class B>
double imm_validated_bound(RRJob<M>& job, B& backend, const ImmParams& p, std::size_t k, double ratio,
                           std::size_t base_bytes, std::size_t& peak, double& margin, int& rounds) {
  const std::uint64_t theta0 = 64;
  // Rounds are capped where theta2 would exceed the final sets for LB = 1 (no round can help
  // beyond); the union bound is over this fixed number of rounds.
  const int rmax = std::max(1, static_cast<int>(std::ceil(std::log2(std::max(2.0, p.lambda_star / theta0)))) + 1);
  const double a = imm_validation_confidence(p, rmax);
  auto r1_size = [&](std::uint64_t t2) { return static_cast<std::uint64_t>(std::ceil(ratio * static_cast<double>(t2))); };
  RRShare r1, r2;
  double lb = 0;
  std::uint64_t theta2 = theta0;
  for (int i = 1; i <= rmax; ++i) {
    rounds = i;
    backend.grow(job, r1, r1_size(theta2), domain::rr_set, base_bytes + r2.local.bytes());
    backend.grow(job, r2, theta2, domain::rr_validate, base_bytes + r1.local.bytes());
    const MaxCoverageResult mc = backend.greedy(job, r1, k, false);
    std::vector<vertex_t> all(job.scope.fixed);
    all.insert(all.end(), mc.seeds.begin(), mc.seeds.end());
    const auto cov2 = static_cast<double>(backend.coverage(job, r2, all));
    backend.progress("estimation", static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(rmax));
    peak = std::max(peak, r1.local.bytes() + r2.local.bytes() + mc.bytes + base_bytes);
    const double t2 = static_cast<double>(r2.total);
    const double lower = martingale_lower_bound(cov2, t2, p.scale, a);
    if (lower > lb) {
      lb = lower;
      margin = p.scale * cov2 / t2 / lower - 1.0;
    }
    // Next round draws r1.total + r2.total more sets; predicted LB if the hit rate stays.
    const double cost = static_cast<double>(r1.total + r2.total);
    const double next = martingale_lower_bound(2.0 * cov2, 2.0 * t2, p.scale, a);
    if (lb > 0 && p.lambda_star / lb - p.lambda_star / std::max(lb, next) <= cost) break;
    theta2 *= 2;
  }
  return lb > 0 ? lb : 1.0;
}

/// IMM on any back end: the lower-bound phase, then theta = ceil(lambda* / LB) fresh sets of
/// stream rr_final and the greedy on them.
template <DiffusionModel M, class B>
  requires RRBackend<B, M>
ImmResult imm_run(const FollowerGraph& g, const M& model, std::size_t k, const ImmOptions& opt, B& backend) {
  Stopwatch total, lap;
  const SeedScope scope = rr_check("imm", g, k, opt.epsilon, opt.max_depth, opt.root_weights, opt);
  KOLSIM_REQUIRE(opt.ell > 0.0 && std::isfinite(opt.ell), "imm: ell must be > 0, got ", opt.ell);
  KOLSIM_REQUIRE(opt.estimation_epsilon == 0.0 || (opt.estimation_epsilon > 0.0 && opt.estimation_epsilon < 1.0),
                 "imm: estimation_epsilon must be 0 (automatic) or in (0, 1), got ", opt.estimation_epsilon);
  KOLSIM_REQUIRE(opt.validation_ratio >= 1.0 && opt.validation_ratio <= 64.0,  // false for NaN
                 "imm: validation_ratio must be in [1, 64], got ", opt.validation_ratio);
  const int threads = resolve_threads(opt.threads);
  const vertex_t n = g.num_vertices();
  RRSampler<M> sampler(g, model, opt.max_depth, opt.root_weights, threads);
  const ImmParams p = imm_params(sampler.total_weight(), n, scope.num_allowed, k, opt);
  RRJob<M> job{"imm", sampler, scope, n, threads, opt.seed, opt.memory_limit, opt.stop};

  ImmResult res;
  res.method = "imm";
  std::size_t peak = 0;
  const std::size_t base_bytes = sampler.bytes() + static_cast<std::size_t>(threads) * n * 4;
  const bool classic = opt.bound_phase == ImmBoundPhase::classic || opt.estimation_epsilon > 0.0;
  double margin = 0;
  int rounds = 0;
  const double lb = classic ? imm_classic_bound(job, backend, p, k, base_bytes, peak, rounds)
                            : imm_validated_bound(job, backend, p, k, opt.validation_ratio, base_bytes, peak, margin, rounds);
  res.phase_seconds.emplace_back("estimation", lap.lap());
  const auto theta = static_cast<std::uint64_t>(std::ceil(p.lambda_star / lb));
  RRShare rr;
  backend.progress("sampling", job.drawn, job.drawn + theta);
  backend.grow(job, rr, theta, domain::rr_final, base_bytes);
  res.phase_seconds.emplace_back("sampling", lap.lap());
  backend.progress("sampling", job.drawn, job.drawn);
  const MaxCoverageResult mc = backend.greedy(job, rr, k, false);
  res.phase_seconds.emplace_back("selection", lap.lap());
  peak = std::max(peak, rr.local.bytes() + mc.bytes + base_bytes);

  const double per_set = p.scale / static_cast<double>(rr.total);
  res.seeds = mc.seeds;
  for (auto c : mc.marginal) res.marginal_gains.push_back(per_set * static_cast<double>(c));
  res.spread = per_set * static_cast<double>(mc.coverage);
  res.rr_sets = job.drawn;
  res.peak_bytes = peak;
  res.approximation = p.e1 - opt.epsilon;
  res.theta = rr.total;
  res.lower_bound = lb;
  res.estimation_epsilon = classic ? p.eps_p : margin;
  res.bound_rounds = rounds;
  backend.finished(rr, peak);
  res.seconds = total.seconds();
  return res;
}

}  // namespace detail

/// Selects k seeds maximising spread(fixed_seeds + seeds) under `model` (IC or LT).
template <DiffusionModel M>
ImmResult imm(const FollowerGraph& g, const M& model, std::size_t k, const ImmOptions& opt = {}) {
  detail::LocalRR backend(opt.progress);
  return detail::imm_run(g, model, k, opt, backend);
}

}  // namespace kolsim

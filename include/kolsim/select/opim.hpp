// SPDX-License-Identifier: MIT
/// OPIM-C influence maximisation (Tang, Tang, Xiao, Yuan, SIGMOD 2018): greedy on RR sets R1,
/// validated on independent RR sets R2, doubling both until the certified ratio suffices.
///
/// Guarantee: with probability >= 1 - delta, spread(S) / OPT >= certified_ratio, and the loop
/// stops once certified_ratio >= 1 - 1/e - epsilon (or at the round cap that guarantees it) and
/// the greedy's last pick is resolved (OpimOptions::resolution; any data-dependent extra stopping
/// condition keeps the guarantee, whose union bound runs over the imax possible rounds).
/// Cost: O((k log n + log 1/delta) (n + m) / epsilon^2) edges examined in the worst case.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
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

/// OPIM-C options (plus candidates, fixed_seeds, seed, threads, stop from SelectOptions).
struct OpimOptions : SelectOptions {
  double epsilon = 0.1;
  double delta = 0;                         ///< failure probability; 0 = 1/n
  std::size_t memory_limit = 0;             ///< bytes; 0 = usable_memory() (RAM, cgroup, ulimit)
  std::uint32_t max_depth = UINT32_MAX;     ///< deadline in propagation steps (time-critical IM)
  std::vector<double> root_weights;         ///< targeted reach: spread = sum of weights reached
  /// |R1| / |R2|. The seeds are chosen on R1 and only certified on R2, so their quality depends on
  /// R1 alone; the guarantee holds for any sizes. Spending more on R1 returns better seeds for
  /// similar work. (The figures that follow predate max_selection_noise: they are its value 1.)
  /// Slashdot, weighted cascade IC, k = 50, epsilon 0.1, 2 threads, seeds 1-8 (spread by
  /// 10,000-trial Monte Carlo): ratio 3 / 4 / 5 give mean spreads 17,184 / 17,354 / 17,334 in
  /// 0.0126 / 0.0128 / 0.0118 s (ratio 5 stops a round early on some seeds, with worse seeds). LT,
  /// mean of 8 seeds: ratio 1 (the paper's equal sizes) / 3 / 4 give 29,895 / 30,268 / 30,253 with
  /// 8,472 / 9,884 / 7,060 RR sets. For near-best seeds in the least time, loosen epsilon and raise
  /// the ratio: epsilon 0.2 with ratio 48 certifies in its first round on Slashdot IC (34,594 RR
  /// sets, 0.0185 s on 2 threads, mean spread 17,599 over seeds 1-8, against IMM epsilon 0.5's
  /// 17,542 in 0.030 s; `bench_select slashdot-ttq`).
  double selection_ratio = 4;
  /// OPIM-C stops only once the greedy on R1 is resolved: its sampling noise, the standard
  /// errors of its picks' marginal counts m_i summed and divided by its coverage C,
  /// sum_i sqrt(m_i) / C, is at most this. The noise shrinks as 1 / sqrt(|R1|); the loss it causes
  /// is a fraction of it. The paper stops at the first certified round, where the noise (and so
  /// the quality) is whatever that round left: Slashdot IC, k = 50, seeds 1-8, spread by one
  /// 10,000-trial Monte Carlo estimator: epsilon 0.1 stops at |R1| = 11,296 with noise 0.13,
  /// median 17,366, min 17,183; epsilon 0.5 at 2,824 with noise 0.24, median 16,128. With 0.07
  /// both stop at |R1| = 45,184 (noise 0.063; 4x and 16x the RR sets), median 17,638, min 17,556
  /// (IMM epsilon 0.1: 17,730); `bench_select opim-quality`. An unresolved round jumps straight
  /// to the power-of-two size that the noise asks for. Extra stopping conditions keep the
  /// guarantee (its union bound runs over all imax rounds). 1 = the paper's rule (the noise is
  /// never above 1).
  double max_selection_noise = 0.07;
};

/// OPIM-C result: lower_bound on spread(S), upper_bound on OPT, their ratio, doubling rounds.
struct OpimResult : SelectResult {
  double certified_ratio = 0;
  double lower_bound = 0;
  double upper_bound = 0;
  int rounds = 0;
  std::uint64_t validation_sets = 0;  ///< |R2|: `spread` is estimated on these alone (unbiased)
};

namespace detail {

/// OPIM-C's constants for one run (Tang et al. 2018, Algorithm 2): the first validation size
/// theta0, the round cap imax (at theta_max the guarantee holds without a certificate) and the
/// confidence terms a1 (upper bound on OPT, from R1) and a2 (lower bound on spread(S), from R2).
struct OpimPlan {
  double scale = 0;  ///< total root weight (n for plain spread): spread = scale * coverage / sets
  double e1 = 0;     ///< 1 - 1/e
  double theta0 = 0;
  int imax = 1;
  double a1 = 0, a2 = 0;
};

/// The plan for `k` seeds out of `pool` candidates, failure probability `delta`.
inline OpimPlan opim_plan(double scale, double pool, std::size_t k, double eps, double delta) {
  OpimPlan p;
  p.scale = scale;
  p.e1 = 1.0 - 1.0 / std::exp(1.0);
  const double lognk = rr_log_binom(pool, static_cast<double>(k));
  const double l6d = std::log(6.0 / delta);
  const double root = p.e1 * std::sqrt(l6d) + std::sqrt(p.e1 * (lognk + l6d));
  const double theta_max = 2.0 * scale * root * root / (eps * eps * static_cast<double>(k));
  p.theta0 = std::max(1.0, theta_max * eps * eps * static_cast<double>(k) / scale);
  p.imax = std::max(1, static_cast<int>(std::ceil(std::log2(theta_max / p.theta0))));
  p.a1 = std::log(3.0 * p.imax / delta);  // S° is one fixed set: no union bound
  p.a2 = std::log(3.0 * p.imax / delta);
  return p;
}

/// One round's certificate: lower bound on spread(S) from its coverage cov2 in th2 validation
/// sets, upper bound on OPT from upper_cov (an upper bound on the best k-set's coverage of th1
/// selection sets), and their ratio.
struct OpimBounds {
  double lower = 0, upper = 0, ratio = 0;
};

inline OpimBounds opim_bounds(const OpimPlan& p, double cov2, double th2, double upper_cov, double th1) {
  OpimBounds b;
  const double lo_root = std::sqrt(cov2 + 2.0 * p.a2 / 9.0) - std::sqrt(p.a2 / 2.0);
  b.lower = std::max(0.0, (lo_root * lo_root - p.a2 / 18.0)) * p.scale / th2;
  const double up_root = std::sqrt(upper_cov + p.a1 / 2.0) + std::sqrt(p.a1 / 2.0);
  b.upper = up_root * up_root * p.scale / th1;
  b.ratio = b.upper > 0 ? std::min(1.0, b.lower / b.upper) : 0.0;
  return b;
}

/// How many doublings of R1 (at most `left`) bring the greedy's sampling noise
/// sum_i sqrt(m_i) / coverage (see OpimOptions::max_selection_noise), which shrinks as
/// 1 / sqrt(|R1|), down to `max_noise`; 0 when it is there.
inline int opim_resolution_step(const MaxCoverageResult& mc, double max_noise, int left) {
  double noise = 0;
  for (auto m : mc.marginal) noise += std::sqrt(static_cast<double>(m));
  if (mc.coverage == 0 || noise <= max_noise * static_cast<double>(mc.coverage)) return 0;
  noise /= static_cast<double>(mc.coverage);
  int step = 0;
  while (step < left && noise > max_noise) {
    ++step;
    noise *= std::sqrt(0.5);
  }
  return step;
}

/// R1 and R2 in one process: OPIM-C's collection/greedy back end for opim_run. A back end holds
/// the two collections (or this process's share of them) and provides grow (to |R1| = want1,
/// |R2| = want2 sets of the two streams), select (the coverage greedy on R1 with the top-k
/// upper bound), validate (the coverage of a set in R2), sets1/sets2 (|R1|, |R2| in total) and
/// bytes (of the collections held here).
class OpimLocal {
 public:
  template <class M>
  void grow(RRSampler<M>& sampler, std::uint64_t want1, std::uint64_t want2, const OpimOptions& opt,
            std::size_t base_bytes, int threads, std::uint64_t& drawn) {
    rr_grow_pair("opim_c", sampler, r1_, domain::rr_final, want1, r2_, domain::rr_validate, want2, opt.seed,
                 base_bytes, opt.memory_limit, threads, opt.stop, drawn);
  }
  MaxCoverageResult select(vertex_t n, std::size_t k, const SeedScope& scope, int threads) {
    return rr_greedy(r1_, n, k, scope, threads, true, &work_);
  }
  std::uint64_t validate(std::span<const vertex_t> seeds, vertex_t n) const { return rr_coverage(r2_, seeds, n); }
  std::uint64_t sets1() const { return r1_.size(); }
  std::uint64_t sets2() const { return r2_.size(); }
  std::size_t bytes() const { return r1_.bytes() + r2_.bytes(); }

 private:
  RRCollection r1_, r2_;
  MaxCoverageWorkspace work_;  // the greedy's O(n) arrays, shared by all rounds
};

/// OPIM-C's driver over a back end (OpimLocal here, distributed::detail::OpimShared over MPI
/// ranks): the argument checks, the plan, the doubling rounds, the stopping rule and the result
/// exist once, so every back end returns the same seeds, counts and bounds.
template <DiffusionModel M, class Backend>
OpimResult opim_run(const FollowerGraph& g, const M& model, std::size_t k, const OpimOptions& opt, Backend& backend) {
  Stopwatch total;
  const SeedScope scope = rr_check("opim_c", g, k, opt.epsilon, opt.max_depth, opt.root_weights, opt);
  const vertex_t n = g.num_vertices();
  const double nd = std::max<double>(n, 2.0);
  const double delta = opt.delta == 0 ? 1.0 / nd : opt.delta;
  KOLSIM_REQUIRE(delta > 0.0 && delta < 1.0, "opim_c: delta must be in (0, 1), got ", opt.delta);
  KOLSIM_REQUIRE(opt.selection_ratio >= 1.0 && opt.selection_ratio <= 64.0,  // false for NaN
                 "opim_c: selection_ratio must be in [1, 64], got ", opt.selection_ratio);
  KOLSIM_REQUIRE(opt.max_selection_noise > 0.0 && opt.max_selection_noise <= 1.0,  // false for NaN
                 "opim_c: max_selection_noise must be in (0, 1], got ", opt.max_selection_noise);
  const int threads = resolve_threads(opt.threads);
  RRSampler<M> sampler(g, model, opt.max_depth, opt.root_weights, threads);
  const OpimPlan plan = opim_plan(sampler.total_weight(), static_cast<double>(scope.num_allowed), k, opt.epsilon,
                                  delta);
  const double scale = plan.scale, e1 = plan.e1;

  OpimResult res;
  res.method = "opim_c";
  std::uint64_t drawn = 0;
  std::size_t peak = 0;
  const std::size_t base_bytes = sampler.bytes() + static_cast<std::size_t>(threads) * n * 4;
  auto r1_target = [&](std::uint64_t theta2) {
    return static_cast<std::uint64_t>(std::ceil(opt.selection_ratio * static_cast<double>(theta2)));
  };
  double t_sample = 0, t_select = 0;
  auto theta = static_cast<std::uint64_t>(std::ceil(plan.theta0));
  for (int i = 1, step = 1;; i += step) {
    Stopwatch sw;
    backend.grow(sampler, r1_target(theta), theta, opt, base_bytes, threads, drawn);
    t_sample += sw.lap();
    const MaxCoverageResult mc = backend.select(n, k, scope, threads);
    // Coverage of fixed + seeds in R2 (the independent validation collection).
    std::vector<vertex_t> all(scope.fixed);
    all.insert(all.end(), mc.seeds.begin(), mc.seeds.end());
    const auto cov2 = static_cast<double>(backend.validate(all, n));
    t_select += sw.lap();
    peak = std::max(peak, backend.bytes() + mc.bytes + base_bytes);
    const double th1 = static_cast<double>(backend.sets1()), th2 = static_cast<double>(backend.sets2());
    const double upper_cov = std::min(static_cast<double>(mc.upper_bound), static_cast<double>(mc.coverage) / e1);
    const OpimBounds b = opim_bounds(plan, cov2, th2, upper_cov, th1);
    report_progress(opt.progress, "rounds", static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(plan.imax));
    step = opim_resolution_step(mc, opt.max_selection_noise, plan.imax - i);
    if ((b.ratio >= e1 - opt.epsilon && step == 0) || i >= plan.imax) {
      res.seeds = mc.seeds;
      for (auto c : mc.marginal) res.marginal_gains.push_back(scale * static_cast<double>(c) / th1);
      res.spread = scale * cov2 / th2;
      res.certified_ratio = b.ratio;
      res.approximation = b.ratio;
      res.lower_bound = b.lower;
      res.upper_bound = b.upper;
      res.rounds = i;
      res.validation_sets = backend.sets2();
      break;
    }
    step = std::max(step, 1);
    theta <<= step;
  }
  res.rr_sets = drawn;
  res.peak_bytes = peak;
  res.phase_seconds = {{"sampling", t_sample}, {"selection", t_select}};
  res.seconds = total.seconds();
  return res;
}

}  // namespace detail

/// Selects k seeds maximising spread(fixed_seeds + seeds) under `model` (IC or LT).
template <DiffusionModel M>
OpimResult opim_c(const FollowerGraph& g, const M& model, std::size_t k, const OpimOptions& opt = {}) {
  detail::OpimLocal backend;
  return detail::opim_run(g, model, k, opt, backend);
}

}  // namespace kolsim

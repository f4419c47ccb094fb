// SPDX-License-Identifier: MIT
/// OPIM-C influence maximisation (Tang, Tang, Xiao, Yuan, SIGMOD 2018): greedy on RR sets R1,
/// validated on independent RR sets R2, doubling both until the certified ratio suffices.
///
/// Guarantee: with probability >= 1 - delta, spread(S) / OPT >= certified_ratio, and the loop
/// stops once certified_ratio >= 1 - 1/e - epsilon (or at the round cap that guarantees it).
/// Cost: O((k log n + log 1/delta) (n + m) / epsilon^2) edges examined in the worst case.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
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
  /// |R1| / |R2|. The seeds are chosen on R1 and only certified on R2, so their quality depends
  /// on R1 alone; the guarantee holds for any sizes. Spending more on R1 returns better seeds for
  /// similar work. Slashdot, weighted cascade IC, k = 50, epsilon 0.1, 2 threads, seeds 1-8
  /// (spread by 10,000-trial Monte Carlo): ratio 3 / 4 / 5 give mean spreads 17,184 / 17,354 /
  /// 17,334 in 0.0126 / 0.0128 / 0.0118 s (ratio 5 stops a round early on some seeds, with
  /// worse seeds). LT, mean of 8 seeds: ratio 1 (the paper's equal sizes) / 3 / 4 give 29,895 /
  /// 30,268 / 30,253 with 8,472 / 9,884 / 7,060 RR sets. For near-best seeds in the least time,
  /// loosen epsilon and raise the ratio: epsilon 0.2 with ratio 48 certifies in its first round
  /// on Slashdot IC (34,594 RR sets, 0.0185 s on 2 threads, mean spread 17,599 over seeds 1-8,
  /// against IMM epsilon 0.5's 17,542 in 0.030 s; `bench_select slashdot-ttq`).
  double selection_ratio = 4;
};

/// OPIM-C result: lower_bound on spread(S), upper_bound on OPT, their ratio, doubling rounds.
struct OpimResult : SelectResult {
  double certified_ratio = 0;
  double lower_bound = 0;
  double upper_bound = 0;
  int rounds = 0;
  std::uint64_t validation_sets = 0;  ///< |R2|: `spread` is estimated on these alone (unbiased)
};

/// Selects k seeds maximising spread(fixed_seeds + seeds) under `model` (IC or LT).
template <DiffusionModel M>
OpimResult opim_c(const FollowerGraph& g, const M& model, std::size_t k, const OpimOptions& opt = {}) {
  Stopwatch total;
  const SeedScope scope =
      detail::rr_check("opim_c", g, k, opt.epsilon, opt.max_depth, opt.root_weights, opt);
  const vertex_t n = g.num_vertices();
  const double nd = std::max<double>(n, 2.0);
  const double delta = opt.delta == 0 ? 1.0 / nd : opt.delta;
  KOLSIM_REQUIRE(delta > 0.0 && delta < 1.0, "opim_c: delta must be in (0, 1), got ", opt.delta);
  KOLSIM_REQUIRE(opt.selection_ratio >= 1.0 && opt.selection_ratio <= 64.0,  // false for NaN
                 "opim_c: selection_ratio must be in [1, 64], got ", opt.selection_ratio);
  const int threads = resolve_threads(opt.threads);
  RRSampler<M> sampler(g, model, opt.max_depth, opt.root_weights, threads);
  const double scale = sampler.total_weight();
  const double e1 = 1.0 - 1.0 / std::exp(1.0);
  const double eps = opt.epsilon;
  const double lognk = detail::rr_log_binom(static_cast<double>(scope.num_allowed), static_cast<double>(k));
  const double l6d = std::log(6.0 / delta);
  const double root = e1 * std::sqrt(l6d) + std::sqrt(e1 * (lognk + l6d));
  const double theta_max = 2.0 * scale * root * root / (eps * eps * static_cast<double>(k));
  const double theta0 = std::max(1.0, theta_max * eps * eps * static_cast<double>(k) / scale);
  const int imax = std::max(1, static_cast<int>(std::ceil(std::log2(theta_max / theta0))));
  const double a1 = std::log(3.0 * imax / delta);  // S° is one fixed set: no union bound
  const double a2 = std::log(3.0 * imax / delta);

  OpimResult res;
  res.method = "opim_c";
  std::uint64_t drawn = 0;
  std::size_t peak = 0;
  const std::size_t base_bytes = sampler.bytes() + static_cast<std::size_t>(threads) * n * 4;
  auto r1_target = [&](std::uint64_t theta2) {
    return static_cast<std::uint64_t>(std::ceil(opt.selection_ratio * static_cast<double>(theta2)));
  };
  RRCollection r1, r2;
  MaxCoverageWorkspace work;  // the greedy's O(n) arrays, shared by all rounds
  double t_sample = 0, t_select = 0;
  auto theta = static_cast<std::uint64_t>(std::ceil(theta0));
  for (int i = 1;; ++i) {
    Stopwatch sw;
    detail::rr_grow_pair("opim_c", sampler, r1, domain::rr_final, r1_target(theta), r2, domain::rr_validate, theta,
                         opt.seed, base_bytes, opt.memory_limit, threads, opt.stop, drawn);
    t_sample += sw.lap();
    const MaxCoverageResult mc = detail::rr_greedy(r1, n, k, scope, threads, true, &work);
    // Coverage of fixed + seeds in R2 (the independent validation collection).
    std::vector<vertex_t> all(scope.fixed);
    all.insert(all.end(), mc.seeds.begin(), mc.seeds.end());
    const auto cov2 = static_cast<double>(rr_coverage(r2, all, n));
    t_select += sw.lap();
    peak = std::max(peak, r1.bytes() + r2.bytes() + mc.bytes + base_bytes);
    const double th1 = static_cast<double>(r1.size()), th2 = static_cast<double>(r2.size());
    const double upper_cov = std::min(static_cast<double>(mc.upper_bound), static_cast<double>(mc.coverage) / e1);
    const double lo_root = std::sqrt(cov2 + 2.0 * a2 / 9.0) - std::sqrt(a2 / 2.0);
    const double lower = std::max(0.0, (lo_root * lo_root - a2 / 18.0)) * scale / th2;
    const double up_root = std::sqrt(upper_cov + a1 / 2.0) + std::sqrt(a1 / 2.0);
    const double upper = up_root * up_root * scale / th1;
    const double ratio = upper > 0 ? std::min(1.0, lower / upper) : 0.0;
    report_progress(opt.progress, "rounds", static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(imax));
    if (ratio >= e1 - eps || i >= imax) {
      res.seeds = mc.seeds;
      for (auto c : mc.marginal) res.marginal_gains.push_back(scale * static_cast<double>(c) / th1);
      res.spread = scale * cov2 / th2;
      res.certified_ratio = ratio;
      res.approximation = ratio;
      res.lower_bound = lower;
      res.upper_bound = upper;
      res.rounds = i;
      res.validation_sets = r2.size();
      break;
    }
    theta *= 2;
  }
  res.rr_sets = drawn;
  res.peak_bytes = peak;
  res.phase_seconds = {{"sampling", t_sample}, {"selection", t_select}};
  res.seconds = total.seconds();
  return res;
}

}  // namespace kolsim

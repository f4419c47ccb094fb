// SPDX-License-Identifier: MIT
/// Distributed IMM and OPIM-C: RR sets spread over the ranks of a communicator, seed selection by
/// the distributed coverage greedy, with the seeds, RR-set counts and bounds of one process.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "kolsim/core/stopwatch.hpp"
#include "kolsim/distributed/comm.hpp"
#include "kolsim/distributed/max_coverage.hpp"
#include "kolsim/select/imm.hpp"
#include "kolsim/select/opim.hpp"

namespace kolsim::distributed {

/// What a distributed selector moved and held on this rank.
struct DistributedStats {
  int ranks = 1;
  std::uint64_t local_sets = 0;     ///< RR sets this rank drew and held (last round)
  std::uint64_t local_entries = 0;  ///< vertices in those sets (their sum over ranks / sets = mean RR set size)
  std::size_t local_peak_bytes = 0; ///< this rank's RR sets + greedy structures at their largest
  CoverageTraffic traffic;          ///< summed over every greedy call
};

namespace detail {

/// This rank's share of RR sets [have, target) of one stream: a contiguous block per rank, so
/// set i is drawn by exactly one rank from Rng(seed, i, domain) as in one process.
template <class M>
void grow_share(Communicator& comm, const char* who, RRSampler<M>& sampler, RRCollection& local, std::uint64_t& have,
                std::uint64_t target, std::uint64_t seed, std::uint32_t domain, std::size_t other_bytes,
                std::size_t limit, int threads, const StopToken& stop, std::uint64_t& drawn) {
  if (target <= have) return;
  const std::uint64_t count = target - have;
  const std::uint64_t lo = have + comm.block_begin(count, comm.rank());
  const std::uint64_t hi = have + comm.block_begin(count, comm.rank() + 1);
  std::uint64_t at = lo;
  if (local.empty() && hi > lo) {  // pilot for the mean size
    const std::uint64_t pilot = std::min<std::uint64_t>(hi - lo, 256);
    sampler.sample(seed, domain, at, pilot, local, threads, stop);
    at += pilot;
  }
  const double mine = static_cast<double>(local.size() + (hi - at));
  check_rr_memory(who, local.mean_size(), mine, other_bytes, limit);
  if (hi > at) {
    local.reserve(static_cast<std::uint64_t>(mine), static_cast<edge_t>(local.mean_size() * mine * 1.05) + 16);
    sampler.sample(seed, domain, at, hi - at, local, threads, stop);
  }
  have = target;
  drawn += count;
}

inline MaxCoverageResult greedy_share(Communicator& comm, const RRCollection& local, vertex_t n, std::size_t k,
                                      const SeedScope& scope, int threads, bool upper_bound, CoverageTraffic& traffic) {
  MaxCoverageOptions mo;
  if (scope.num_allowed + scope.fixed.size() != n) mo.allowed = scope.allowed;
  mo.fixed_seeds = scope.fixed;
  mo.threads = threads;
  mo.upper_bound = upper_bound;
  return max_coverage(comm, local, n, k, mo, &traffic);
}

/// The back end of kolsim::detail::imm_run over the ranks of a communicator: each rank draws
/// its block of every batch (grow_share), the greedy runs on reductions of the counts
/// (distributed max_coverage), coverage is one sum; `stats` receives the traffic and, when the
/// selector finishes, the final sets and peak of this rank.
class RankRR {
 public:
  RankRR(Communicator& comm, DistributedStats& stats) : comm_(comm), stats_(stats) {}

  template <class M>
  void grow(kolsim::detail::RRJob<M>& job, kolsim::detail::RRShare& share, std::uint64_t target,
            std::uint32_t domain, std::size_t other_bytes) {
    grow_share(comm_, job.who, job.sampler, share.local, share.total, target, job.seed, domain, other_bytes,
               job.memory_limit, job.threads, job.stop, job.drawn);
  }
  template <class M>
  MaxCoverageResult greedy(kolsim::detail::RRJob<M>& job, const kolsim::detail::RRShare& share, std::size_t k,
                           bool upper_bound) {
    return greedy_share(comm_, share.local, job.n, k, job.scope, job.threads, upper_bound, stats_.traffic);
  }
  template <class M>
  std::uint64_t coverage(kolsim::detail::RRJob<M>& job, const kolsim::detail::RRShare& share,
                         std::span<const vertex_t> seeds) {
    const std::uint64_t mine = rr_coverage(share.local, seeds, job.n);
    comm_.sync();
    return comm_.allreduce_sum(mine);
  }
  void progress(std::string_view, std::uint64_t, std::uint64_t) {}
  void finished(const kolsim::detail::RRShare& final_sets, std::size_t peak) {
    stats_.local_sets = final_sets.local.size();
    stats_.local_entries = final_sets.local.total_nodes();
    stats_.local_peak_bytes = peak;
  }

 private:
  Communicator& comm_;
  DistributedStats& stats_;
};

}  // namespace detail

/// IMM over the ranks of `comm` (Tang, Shi, Xiao 2015, with Chen's fresh final sets as
/// kolsim::imm): every rank passes the same graph, model, k and options and gets the result of
/// kolsim::imm in one process — the same seeds, marginal gains, theta, RR-set count, lower bound
/// and spread, for any rank and thread count. Each rank draws and holds ~1/P of the RR sets;
/// `peak_bytes` is this rank's. A failure on any rank (bad input, MemoryLimitError for its
/// share, Interrupted) is thrown on every rank. It is kolsim::imm's driver with the RankRR back end.
template <DiffusionModel M>
ImmResult imm(Communicator& comm, const FollowerGraph& g, const M& model, std::size_t k, const ImmOptions& opt = {},
              DistributedStats* stats = nullptr) {
  return detail::collective(comm, [&] {
    DistributedStats st;
    st.ranks = comm.size();
    detail::RankRR backend(comm, st);
    ImmResult res = kolsim::detail::imm_run(g, model, k, opt, backend);
    if (stats) *stats = st;
    return res;
  });
}

/// OPIM-C over the ranks of `comm` (Tang, Tang, Xiao, Yuan 2018, as kolsim::opim_c): the same
/// seeds, RR-set counts, bounds and certified ratio as one process for any rank and thread
/// count; R1 and R2 are both spread over the ranks, the coverage of the seeds in R2 is one sum.
template <DiffusionModel M>
OpimResult opim_c(Communicator& comm, const FollowerGraph& g, const M& model, std::size_t k,
                  const OpimOptions& opt = {}, DistributedStats* stats = nullptr) {
  return detail::collective(comm, [&] {
    Stopwatch total;
    const SeedScope scope =
        kolsim::detail::rr_check("opim_c", g, k, opt.epsilon, opt.max_depth, opt.root_weights, opt);
    const vertex_t n = g.num_vertices();
    const double nd = std::max<double>(n, 2.0);
    const double delta = opt.delta == 0 ? 1.0 / nd : opt.delta;
    KOLSIM_REQUIRE(delta > 0.0 && delta < 1.0, "opim_c: delta must be in (0, 1), got ", opt.delta);
    KOLSIM_REQUIRE(opt.selection_ratio >= 1.0 && opt.selection_ratio <= 64.0,
                   "opim_c: selection_ratio must be in [1, 64], got ", opt.selection_ratio);
    const int threads = resolve_threads(opt.threads);
    RRSampler<M> sampler(g, model, opt.max_depth, opt.root_weights, threads);
    // The parameters of kolsim::opim_c, term for term.
    const double scale = sampler.total_weight();
    const double e1 = 1.0 - 1.0 / std::exp(1.0);
    const double eps = opt.epsilon;
    const double lognk =
        kolsim::detail::rr_log_binom(static_cast<double>(scope.num_allowed), static_cast<double>(k));
    const double l6d = std::log(6.0 / delta);
    const double root = e1 * std::sqrt(l6d) + std::sqrt(e1 * (lognk + l6d));
    const double theta_max = 2.0 * scale * root * root / (eps * eps * static_cast<double>(k));
    const double theta0 = std::max(1.0, theta_max * eps * eps * static_cast<double>(k) / scale);
    const int imax = std::max(1, static_cast<int>(std::ceil(std::log2(theta_max / theta0))));
    const double a1 = std::log(3.0 * imax / delta);
    const double a2 = std::log(3.0 * imax / delta);

    OpimResult res;
    res.method = "opim_c";
    DistributedStats st;
    st.ranks = comm.size();
    std::uint64_t drawn = 0;
    std::size_t peak = 0;
    const std::size_t base_bytes = sampler.bytes() + static_cast<std::size_t>(threads) * n * 4;
    auto r1_target = [&](std::uint64_t theta2) {
      return static_cast<std::uint64_t>(std::ceil(opt.selection_ratio * static_cast<double>(theta2)));
    };
    RRCollection r1, r2;
    std::uint64_t have1 = 0, have2 = 0;
    double t_sample = 0, t_select = 0;
    auto theta = static_cast<std::uint64_t>(std::ceil(theta0));
    for (int i = 1;; ++i) {
      Stopwatch sw;
      const std::uint64_t want1 = r1_target(theta);
      const auto projected2 = static_cast<std::size_t>(
          r2.empty() ? 0.0 : rr_bytes_estimate(r2.mean_size(), static_cast<double>(theta) / comm.size()));
      detail::grow_share(comm, "opim_c", sampler, r1, have1, want1, opt.seed, domain::rr_final,
                         base_bytes + projected2, opt.memory_limit, threads, opt.stop, drawn);
      detail::grow_share(comm, "opim_c", sampler, r2, have2, theta, opt.seed, domain::rr_validate,
                         base_bytes + r1.bytes(), opt.memory_limit, threads, opt.stop, drawn);
      t_sample += sw.lap();
      const MaxCoverageResult mc = detail::greedy_share(comm, r1, n, k, scope, threads, true, st.traffic);
      std::vector<vertex_t> all(scope.fixed);
      all.insert(all.end(), mc.seeds.begin(), mc.seeds.end());
      const std::uint64_t local_cov2 = rr_coverage(r2, all, n);
      comm.sync();
      const auto cov2 = static_cast<double>(comm.allreduce_sum(local_cov2));
      t_select += sw.lap();
      peak = std::max(peak, r1.bytes() + r2.bytes() + mc.bytes + base_bytes);
      const double th1 = static_cast<double>(have1), th2 = static_cast<double>(have2);
      const double upper_cov = std::min(static_cast<double>(mc.upper_bound), static_cast<double>(mc.coverage) / e1);
      const double lo_root = std::sqrt(cov2 + 2.0 * a2 / 9.0) - std::sqrt(a2 / 2.0);
      const double lower = std::max(0.0, (lo_root * lo_root - a2 / 18.0)) * scale / th2;
      const double up_root = std::sqrt(upper_cov + a1 / 2.0) + std::sqrt(a1 / 2.0);
      const double upper = up_root * up_root * scale / th1;
      const double ratio = upper > 0 ? std::min(1.0, lower / upper) : 0.0;
      if (ratio >= e1 - eps || i >= imax) {
        res.seeds = mc.seeds;
        for (auto c : mc.marginal) res.marginal_gains.push_back(scale * static_cast<double>(c) / th1);
        res.spread = scale * cov2 / th2;
        res.certified_ratio = ratio;
        res.approximation = ratio;
        res.lower_bound = lower;
        res.upper_bound = upper;
        res.rounds = i;
        res.validation_sets = have2;
        break;
      }
      theta *= 2;
    }
    res.rr_sets = drawn;
    res.peak_bytes = peak;
    res.phase_seconds = {{"sampling", t_sample}, {"selection", t_select}};
    res.seconds = total.seconds();
    st.local_sets = r1.size() + r2.size();
    st.local_entries = r1.total_nodes() + r2.total_nodes();
    st.local_peak_bytes = peak;
    if (stats) *stats = st;
    return res;
  });
}

}  // namespace kolsim::distributed

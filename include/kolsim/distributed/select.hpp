// SPDX-License-Identifier: MIT
/// Distributed IMM and OPIM-C: RR sets spread over the ranks of a communicator, seed selection by
/// the distributed coverage greedy, with the seeds, RR-set counts and bounds of one process.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
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

}  // namespace detail

/// IMM over the ranks of `comm` (Tang, Shi, Xiao 2015, with Chen's fresh final sets as
/// kolsim::imm): every rank passes the same graph, model, k and options and gets the result of
/// kolsim::imm in one process — the same seeds, marginal gains, theta, RR-set count, lower bound
/// and spread, for any rank and thread count. Each rank draws and holds ~1/P of the RR sets;
/// `peak_bytes` is this rank's. A failure on any rank (bad input, MemoryLimitError for its
/// share, Interrupted) is thrown on every rank.
template <DiffusionModel M>
ImmResult imm(Communicator& comm, const FollowerGraph& g, const M& model, std::size_t k, const ImmOptions& opt = {},
              DistributedStats* stats = nullptr) {
  return detail::collective(comm, [&] {
    Stopwatch total, lap;
    const SeedScope scope = kolsim::detail::rr_check("imm", g, k, opt.epsilon, opt.max_depth, opt.root_weights, opt);
    KOLSIM_REQUIRE(opt.ell > 0.0 && std::isfinite(opt.ell), "imm: ell must be > 0, got ", opt.ell);
    KOLSIM_REQUIRE(opt.estimation_epsilon == 0.0 || (opt.estimation_epsilon > 0.0 && opt.estimation_epsilon < 1.0),
                   "imm: estimation_epsilon must be 0 (automatic) or in (0, 1), got ", opt.estimation_epsilon);
    const int threads = resolve_threads(opt.threads);
    const vertex_t n = g.num_vertices();
    RRSampler<M> sampler(g, model, opt.max_depth, opt.root_weights, threads);
    // The parameters of kolsim::imm, term for term.
    const double scale = sampler.total_weight();
    const double nd = std::max<double>(n, 2.0);
    const double pool = static_cast<double>(scope.num_allowed);
    const double ell = opt.ell + std::log(2.0) / std::log(nd);
    const double lognk = kolsim::detail::rr_log_binom(pool, static_cast<double>(k));
    const double eps = opt.epsilon;
    const double e1 = 1.0 - 1.0 / std::exp(1.0);
    const double alpha = std::sqrt(ell * std::log(nd) + std::log(2.0));
    const double beta = std::sqrt(e1 * (lognk + ell * std::log(nd) + std::log(2.0)));
    const double lambda_star = 2.0 * scale * (e1 * alpha + beta) * (e1 * alpha + beta) / (eps * eps);
    const double log_terms = lognk + ell * std::log(nd) + std::log(std::max(1.0, std::log2(nd)));
    const double eps_p = opt.estimation_epsilon > 0.0
                             ? opt.estimation_epsilon
                             : kolsim::detail::imm_best_estimation_epsilon(lambda_star, log_terms, scale);
    const double lambda_p = kolsim::detail::imm_lambda_prime(eps_p, log_terms, scale);

    ImmResult res;
    res.method = "imm";
    DistributedStats st;
    st.ranks = comm.size();
    std::uint64_t drawn = 0;
    std::size_t peak = 0;
    double lb = 1.0;
    const std::size_t base_bytes = sampler.bytes() + static_cast<std::size_t>(threads) * n * 4;
    {
      RRCollection est;
      std::uint64_t have = 0;
      const int imax = std::max(1, static_cast<int>(std::ceil(std::log2(nd))) - 1);
      for (int i = 1; i <= imax; ++i) {
        const double x = scale / std::pow(2.0, i);
        const auto theta_i = static_cast<std::uint64_t>(std::ceil(lambda_p / x));
        detail::grow_share(comm, "imm", sampler, est, have, theta_i, opt.seed, domain::rr_set, base_bytes,
                           opt.memory_limit, threads, opt.stop, drawn);
        const MaxCoverageResult mc = detail::greedy_share(comm, est, n, k, scope, threads, false, st.traffic);
        peak = std::max(peak, est.bytes() + mc.bytes + base_bytes);
        const double f = scale * static_cast<double>(mc.coverage) / static_cast<double>(have);
        if (f >= (1.0 + eps_p) * x) {
          lb = f / (1.0 + eps_p);
          break;
        }
      }
    }
    res.phase_seconds.emplace_back("estimation", lap.lap());
    const auto theta = static_cast<std::uint64_t>(std::ceil(lambda_star / lb));
    RRCollection rr;
    std::uint64_t have = 0;
    detail::grow_share(comm, "imm", sampler, rr, have, theta, opt.seed, domain::rr_final, base_bytes, opt.memory_limit,
                       threads, opt.stop, drawn);
    res.phase_seconds.emplace_back("sampling", lap.lap());
    const MaxCoverageResult mc = detail::greedy_share(comm, rr, n, k, scope, threads, false, st.traffic);
    res.phase_seconds.emplace_back("selection", lap.lap());
    peak = std::max(peak, rr.bytes() + mc.bytes + base_bytes);

    const double per_set = scale / static_cast<double>(have);
    res.seeds = mc.seeds;
    for (auto c : mc.marginal) res.marginal_gains.push_back(per_set * static_cast<double>(c));
    res.spread = per_set * static_cast<double>(mc.coverage);
    res.rr_sets = drawn;
    res.peak_bytes = peak;
    res.approximation = e1 - eps;
    res.theta = have;
    res.lower_bound = lb;
    res.estimation_epsilon = eps_p;
    res.seconds = total.seconds();
    st.local_sets = rr.size();
    st.local_entries = rr.total_nodes();
    st.local_peak_bytes = peak;
    if (stats) *stats = st;
    return res;
  });
}

namespace detail {

/// OPIM-C's back end over the ranks of a communicator (see kolsim::detail::opim_run): R1 and R2
/// both spread over the ranks, the greedy is the distributed one, the coverage of the seeds in
/// R2 is one sum.
class OpimShared {
 public:
  OpimShared(Communicator& comm, CoverageTraffic& traffic) : comm_(comm), traffic_(traffic) {}
  template <class M>
  void grow(RRSampler<M>& sampler, std::uint64_t want1, std::uint64_t want2, const OpimOptions& opt,
            std::size_t base_bytes, int threads, std::uint64_t& drawn) {
    const auto projected2 = static_cast<std::size_t>(
        r2_.empty() ? 0.0 : rr_bytes_estimate(r2_.mean_size(), static_cast<double>(want2) / comm_.size()));
    grow_share(comm_, "opim_c", sampler, r1_, have1_, want1, opt.seed, domain::rr_final, base_bytes + projected2,
               opt.memory_limit, threads, opt.stop, drawn);
    grow_share(comm_, "opim_c", sampler, r2_, have2_, want2, opt.seed, domain::rr_validate, base_bytes + r1_.bytes(),
               opt.memory_limit, threads, opt.stop, drawn);
  }
  MaxCoverageResult select(vertex_t n, std::size_t k, const SeedScope& scope, int threads) {
    return greedy_share(comm_, r1_, n, k, scope, threads, true, traffic_);
  }
  std::uint64_t validate(std::span<const vertex_t> seeds, vertex_t n) {
    const std::uint64_t local = rr_coverage(r2_, seeds, n);
    comm_.sync();
    return comm_.allreduce_sum(local);
  }
  std::uint64_t sets1() const { return have1_; }
  std::uint64_t sets2() const { return have2_; }
  std::size_t bytes() const { return r1_.bytes() + r2_.bytes(); }
  const RRCollection& r1() const { return r1_; }
  const RRCollection& r2() const { return r2_; }

 private:
  Communicator& comm_;
  CoverageTraffic& traffic_;
  RRCollection r1_, r2_;
  std::uint64_t have1_ = 0, have2_ = 0;
};

}  // namespace detail

/// OPIM-C over the ranks of `comm` (Tang, Tang, Xiao, Yuan 2018): kolsim::opim_c's driver with
/// the back end above, so the same seeds, RR-set counts, bounds and certified ratio as one
/// process for any rank and thread count.
template <DiffusionModel M>
OpimResult opim_c(Communicator& comm, const FollowerGraph& g, const M& model, std::size_t k,
                  const OpimOptions& opt = {}, DistributedStats* stats = nullptr) {
  return detail::collective(comm, [&] {
    DistributedStats st;
    st.ranks = comm.size();
    detail::OpimShared backend(comm, st.traffic);
    OpimResult res = kolsim::detail::opim_run(g, model, k, opt, backend);
    st.local_sets = backend.r1().size() + backend.r2().size();
    st.local_entries = backend.r1().total_nodes() + backend.r2().total_nodes();
    st.local_peak_bytes = res.peak_bytes;
    if (stats) *stats = st;
    return res;
  });
}

}  // namespace kolsim::distributed

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

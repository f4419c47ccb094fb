// SPDX-License-Identifier: MIT
/// Distributed coverage greedy: RR sets split over ranks, the one coverage engine
/// (select/max_coverage.hpp) run on reductions of 64-bit coverage counts, with the seeds, gains
/// and upper bound of the one-process max_coverage().
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kolsim/distributed/comm.hpp"
#include "kolsim/select/max_coverage.hpp"

namespace kolsim::distributed {

/// What the distributed greedy moved between ranks.
struct CoverageTraffic {
  std::uint64_t dense_bytes = 0;   ///< the initial sum of the n counts (8 bytes each, per rank)
  std::uint64_t sparse_bytes = 0;  ///< decrement messages after the picks (all ranks' payloads)
  std::uint64_t picks = 0;         ///< seeds and fixed seeds taken
};

namespace detail {

/// The coverage engine's counts over the ranks of a communicator (the Counts of
/// kolsim::detail::CoverageGreedy): one dense sum of the n counts, then after each pick the
/// counts that fell, as (vertex, decrement) pairs gathered from every rank.
class RankCounts {
 public:
  static constexpr bool shared = true;
  RankCounts(Communicator& comm, vertex_t n, CoverageTraffic& traffic)
      : comm_(&comm), traffic_(&traffic), fall_(n, 0) {}

  std::uint64_t total(std::uint64_t local_sets) {
    comm_->sync();
    return comm_->allreduce_sum(local_sets);
  }
  void sum(std::vector<std::uint64_t>& deg) {
    comm_->allreduce_sum_chunked(deg);
    traffic_->dense_bytes += static_cast<std::uint64_t>(deg.size()) * 8;
  }
  void fell(vertex_t u) {
    if (fall_[u]++ == 0) touched_.push_back(u);
  }
  template <class Lower>
  void exchange(Lower&& lower) {
    std::vector<std::uint64_t> mine;
    mine.reserve(touched_.size() * 2);
    for (vertex_t u : touched_) {
      mine.push_back(u);
      mine.push_back(fall_[u]);
      fall_[u] = 0;
    }
    touched_.clear();
    comm_->sync();
    const std::vector<std::uint64_t> all = comm_->allgatherv<std::uint64_t>(mine);
    traffic_->sparse_bytes += all.size() * 8;
    ++traffic_->picks;
    for (std::size_t i = 0; i < all.size(); i += 2) lower(static_cast<vertex_t>(all[i]), all[i + 1]);
  }

 private:
  Communicator* comm_;
  CoverageTraffic* traffic_;
  std::vector<std::uint64_t> fall_;  // this rank's falls since the last exchange
  std::vector<vertex_t> touched_;
};

}  // namespace detail

/// Greedy maximum coverage of the union of every rank's `local` sets (vertices < n), with the
/// result of max_coverage() on the whole collection in one process: the same seeds in the same
/// order (largest marginal, ties to the lowest vertex id), marginals, coverage and, with
/// opt.upper_bound, the same top-k bound. Unit weights only (opt.set_weights must be empty).
///
/// It is the one-process engine (lazy greedy over a tiered index of this rank's sets) with the
/// counts summed over ranks: one sum of the n 64-bit counts gives every rank the global counts,
/// so every rank takes the same tiers and the same best vertex with no further reduction. After
/// each pick the ranks exchange only the counts that fell, (vertex, decrement) pairs, so the
/// traffic per seed is 16 bytes per changed count, far below a dense n-vector when few change.
/// Collective: every rank calls it with the same n, k and opt.
inline MaxCoverageResult max_coverage(Communicator& comm, const CoverageSets& local, vertex_t n, std::size_t k,
                                      const MaxCoverageOptions& opt = {}, CoverageTraffic* traffic = nullptr) {
  KOLSIM_REQUIRE(opt.set_weights.empty(), "distributed max_coverage: set weights are not supported");
  KOLSIM_REQUIRE(opt.allowed.empty() || opt.allowed.size() == n, "max_coverage: allowed mask has ",
                 opt.allowed.size(), " entries, expected ", n);
  KOLSIM_REQUIRE(local.size() < UINT32_MAX, "distributed max_coverage: too many RR sets on one rank (", local.size(), ")");
  CoverageTraffic tr;
  MaxCoverageWorkspace ws;
  MaxCoverageResult res =
      kolsim::detail::CoverageGreedy<std::uint64_t, detail::RankCounts>(local, n, k, opt, ws, {comm, n, tr}).run();
  if (traffic) {
    traffic->dense_bytes += tr.dense_bytes;
    traffic->sparse_bytes += tr.sparse_bytes;
    traffic->picks += tr.picks;
  }
  return res;
}

}  // namespace kolsim::distributed

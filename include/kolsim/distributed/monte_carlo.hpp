// SPDX-License-Identifier: MIT
/// Distributed Monte Carlo spread estimation: the trials of estimate_spread() spread over the
/// ranks of a communicator, with the same answer as one process.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kolsim/distributed/comm.hpp"
#include "kolsim/distributed/share.hpp"
#include "kolsim/estimate/monte_carlo.hpp"

namespace kolsim::distributed {

namespace detail {

/// The BatchShare of one communicator: contiguous blocks of each round's batches per rank; the
/// tallies travel bit for bit (allgatherv in rank order = batch order), so the ordered merge of
/// estimate_spread() sees exactly the tallies of one process.
class CommBatchShare final : public kolsim::detail::BatchShare {
 public:
  explicit CommBatchShare(Communicator& comm) : comm_(comm) {}

  void range(std::uint64_t batches, std::uint64_t& lo, std::uint64_t& hi) override {
    rank_block(comm_, batches, lo, hi);
  }

  bool exchange(std::span<kolsim::detail::BatchTally> tallies, std::uint64_t lo, std::uint64_t hi,
                bool stopped) override {
    comm_.sync();
    // Per tally: trials, edges, steps (u64), mean, m2, steps values (f64 bit patterns).
    std::vector<std::uint64_t> mine;
    mine.push_back(stopped ? 1 : 0);
    for (std::uint64_t i = lo; i < hi; ++i) {
      const auto& t = tallies[i];
      mine.push_back(t.trials);
      mine.push_back(t.edges);
      mine.push_back(t.new_per_step.size());
      mine.push_back(double_bits(t.mean));
      mine.push_back(double_bits(t.m2));
      for (double s : t.new_per_step) mine.push_back(double_bits(s));
    }
    const std::vector<std::uint64_t> all = comm_.allgatherv<std::uint64_t>(mine);
    bool any_stopped = false;
    std::size_t at = 0;
    for (int r = 0; r < comm_.size(); ++r) {
      any_stopped |= all[at++] != 0;
      const std::uint64_t rlo = comm_.block_begin(tallies.size(), r), rhi = comm_.block_begin(tallies.size(), r + 1);
      for (std::uint64_t i = rlo; i < rhi; ++i) {
        auto& t = tallies[i];
        t.trials = all[at++];
        t.edges = all[at++];
        t.new_per_step.resize(all[at++]);
        t.mean = bits_double(all[at++]);
        t.m2 = bits_double(all[at++]);
        for (double& s : t.new_per_step) s = bits_double(all[at++]);
      }
    }
    return any_stopped;
  }

  void sum(std::span<std::uint64_t> counts) override {
    comm_.sync();
    comm_.allreduce_sum_chunked(counts);
  }

 private:
  Communicator& comm_;
};

}  // namespace detail

/// estimate_spread() over the ranks of `comm`: each round's batches of trials are cut into one
/// contiguous block per rank (OpenMP threads inside each), and every rank merges all batch
/// tallies in batch order, so mean, std_error, the step profile and the per-account
/// probabilities are bit-identical to one process for any rank and thread count. Every rank
/// passes the same graph, model, seeds and options and gets the whole estimate (`seconds` and
/// nothing else differs). Communication per round: the batch tallies (~40 bytes + 8 per step
/// each), plus one dense n-vector of counts with per_account. A failure on any rank (bad
/// input, MemoryLimitError, Interrupted) is thrown on every rank.
template <DiffusionModel M>
SpreadEstimate estimate_spread(Communicator& comm, const FollowerGraph& g, const M& model,
                               std::span<const vertex_t> seeds, MonteCarloOptions opt = {}) {
  detail::CommBatchShare share(comm);
  opt.share = &share;
  return kolsim::distributed::detail::collective(comm, [&] { return kolsim::estimate_spread(g, model, seeds, opt); });
}

/// estimate_spread() over `comm` with the seeds given as account ids.
template <DiffusionModel M>
SpreadEstimate estimate_spread(Communicator& comm, const FollowerGraph& g, const M& model, const Accounts& seeds,
                               const MonteCarloOptions& opt = {}) {
  std::vector<vertex_t> s;
  kolsim::distributed::detail::collective(comm, [&] { s = g.indices_of(seeds.ids); });
  return estimate_spread(comm, g, model, std::span<const vertex_t>(s), opt);
}

}  // namespace kolsim::distributed

// SPDX-License-Identifier: MIT
/// Distributed competitive estimation: the trials of estimate_competition() (competitive IC or
/// competitive LT) spread over the ranks of a communicator, with the same answer as one process.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "kolsim/distributed/comm.hpp"
#include "kolsim/estimate/competitive_estimate.hpp"

namespace kolsim::distributed {

namespace detail {

__extension__ typedef unsigned __int128 uint128;
__extension__ typedef __int128 int128;

/// Sums of squares below this are exact in the double sums of one process (2^53); a test hook:
/// tests lower it to 0 to run the gather-every-tally path.
inline std::uint64_t competition_exact_limit = std::uint64_t{1} << 53;

/// Trials per rank between two agreement points of estimate_competition (a test hook too).
inline std::uint64_t competition_sync_trials = std::uint64_t{1} << 14;

using kolsim::detail::CompetitionTally;

/// Exact integer sums of one rank's tallies: the counts, F-alone minus F ("saved", signed) and
/// their squares, 128-bit so that no trial count or graph size overflows them.
struct CompetitionSums {
  uint128 f = 0, c = 0, alone = 0, ff = 0, cc = 0, aa = 0, ss = 0;
  int128 s = 0;
  std::uint64_t edges = 0;

  void add(const CompetitionTally& t) {
    const int128 s1 = static_cast<int128>(t.alone) - static_cast<int128>(t.f);
    f += t.f, c += t.c, alone += t.alone, s += s1, edges += t.edges;
    ff += static_cast<uint128>(t.f) * t.f, cc += static_cast<uint128>(t.c) * t.c;
    aa += static_cast<uint128>(t.alone) * t.alone, ss += static_cast<uint128>(s1 * s1);
  }
  void add(const CompetitionSums& o) {
    f += o.f, c += o.c, alone += o.alone, s += o.s, edges += o.edges;
    ff += o.ff, cc += o.cc, aa += o.aa, ss += o.ss;
  }
  static void put(std::vector<std::uint64_t>& out, uint128 x) {
    out.push_back(static_cast<std::uint64_t>(x));
    out.push_back(static_cast<std::uint64_t>(x >> 64));
  }
  static uint128 get(const std::uint64_t*& in) {
    const uint128 x = static_cast<uint128>(in[0]) | (static_cast<uint128>(in[1]) << 64);
    in += 2;
    return x;
  }
  static constexpr std::size_t words = 17;
  void put(std::vector<std::uint64_t>& out) const {
    for (uint128 x : {f, c, alone, ff, cc, aa, ss, static_cast<uint128>(s)}) put(out, x);
    out.push_back(edges);
  }
  static CompetitionSums get_sums(const std::uint64_t*& in) {
    CompetitionSums r;
    r.f = get(in), r.c = get(in), r.alone = get(in), r.ff = get(in), r.cc = get(in), r.aa = get(in),
    r.ss = get(in), r.s = static_cast<int128>(get(in));
    r.edges = *in++;
    return r;
  }
};

/// Runs this rank's block [lo, hi) of the `total` trials in as many chunks of at most
/// competition_sync_trials as the largest block needs, meeting the other ranks after each (one
/// integer reduction), so a failure or a stop on one rank stops every rank within one chunk
/// instead of after its whole block.
template <class Model>
void run_block(Communicator& comm, kolsim::detail::CompetitionTrials<Model>& trials, std::uint64_t lo,
               std::uint64_t hi, std::uint64_t total) {
  const std::uint64_t chunk = competition_sync_trials;
  const auto ranks = static_cast<std::uint64_t>(comm.size());
  const std::uint64_t largest = total / ranks + (total % ranks != 0 ? 1 : 0);
  for (std::uint64_t k = 0; k * chunk < largest; ++k) {
    trials.run(std::min(hi, lo + k * chunk), std::min(hi, lo + (k + 1) * chunk));
    comm.sync();
  }
}

/// The exact sums and per-step adoption totals of every rank's trials.
struct CompetitionTotals {
  CompetitionSums sums;
  std::vector<std::uint64_t> f, c;  ///< F and C adoptions per step
};

/// This rank's exact sums and per-step totals, gathered from every rank and added in rank order.
template <class Model>
CompetitionTotals gather_totals(Communicator& comm, const kolsim::detail::CompetitionTrials<Model>& trials) {
  CompetitionSums mine;
  for (const CompetitionTally& t : trials.tallies()) mine.add(t);
  std::vector<std::uint64_t> ftot, ctot;
  trials.step_totals(ftot, ctot);
  std::vector<std::uint64_t> payload;
  mine.put(payload);
  payload.push_back(ftot.size());
  payload.push_back(ctot.size());
  payload.insert(payload.end(), ftot.begin(), ftot.end());
  payload.insert(payload.end(), ctot.begin(), ctot.end());
  comm.sync();
  const std::vector<std::uint64_t> all = comm.allgatherv<std::uint64_t>(payload);
  CompetitionTotals total;
  const std::uint64_t* at = all.data();
  for (int r = 0; r < comm.size(); ++r) {
    total.sums.add(CompetitionSums::get_sums(at));
    const std::uint64_t nf = *at++, nc = *at++;
    if (total.f.size() < nf) total.f.resize(nf, 0);
    if (total.c.size() < nc) total.c.resize(nc, 0);
    for (std::uint64_t t = 0; t < nf; ++t) total.f[t] += *at++;
    for (std::uint64_t t = 0; t < nc; ++t) total.c[t] += *at++;
  }
  return total;
}

/// r's four count estimates and edges_examined, as one process computes them: from the exact
/// totals when every sum of squares stays below competition_exact_limit (then every partial
/// double sum of one process is an exact integer: |x| <= x^2 for integers, so the running sums
/// of the counts stay below their sums of squares), else from every trial's tally gathered and
/// reduced in trial order, where rounding matters.
inline void count_estimates(Communicator& comm, std::span<const CompetitionTally> tallies,
                            const CompetitionSums& total, std::uint64_t trials, CompetitiveEstimate& r) {
  const uint128 exact = competition_exact_limit;
  if (total.ff < exact && total.cc < exact && total.aa < exact && total.ss < exact) {
    const auto d = [](auto x) { return static_cast<double>(static_cast<std::int64_t>(x)); };
    r.misleading = kolsim::detail::count_estimate(d(total.f), d(total.ff), trials);
    r.corrective = kolsim::detail::count_estimate(d(total.c), d(total.cc), trials);
    r.misleading_alone = kolsim::detail::count_estimate(d(total.alone), d(total.aa), trials);
    r.saved = kolsim::detail::count_estimate(d(total.s), d(total.ss), trials);
    r.edges_examined = total.edges;
  } else {
    comm.sync();
    const std::vector<CompetitionTally> every = comm.allgatherv<CompetitionTally>(tallies);
    kolsim::detail::reduce_tallies(every, trials, r);
  }
}

}  // namespace detail

/// estimate_competition() over the ranks of `comm`: trial i (the world of coins keyed by
/// (opt.seed, i), run with and without C) is run by exactly one rank, in contiguous blocks of
/// trials per rank, OpenMP threads inside each. Every rank passes the same model, seeds and
/// options and gets the whole estimate, bit-identical to estimate_competition() in one process
/// for any rank and thread count (`seconds` aside).
///
/// How it stays bit-identical: one process sums each count and its square in double, trial by
/// trial. Every rank sums its block exactly in 128-bit integers and the ranks exchange these
/// sums (~140 bytes + 16 per step each). When every sum of squares stays below 2^53, every
/// partial double sum of one process is an exact integer, so its result is the exact total,
/// which is what is returned. Otherwise (huge reaches times many trials) the ranks gather all
/// per-trial tallies (32 bytes per trial) and reduce them in trial order as one process does.
/// A failure on any rank (bad seeds, trials = 0, MemoryLimitError, Interrupted) is thrown on
/// every rank.
template <class Model>
  requires std::same_as<Model, CompetitiveIC> || std::same_as<Model, CompetitiveLT>
CompetitiveEstimate estimate_competition(Communicator& comm, const Model& model,
                                         std::span<const vertex_t> misleading_seeds,
                                         std::span<const vertex_t> corrective_seeds,
                                         const CompetitionOptions& opt = {}) {
  return detail::collective(comm, [&] {
    Stopwatch clock;
    const int threads = kolsim::detail::check_competition(model, misleading_seeds, corrective_seeds, opt);
    const std::uint64_t lo = comm.block_begin(opt.trials, comm.rank());
    const std::uint64_t hi = comm.block_begin(opt.trials, comm.rank() + 1);
    kolsim::detail::CompetitionTrials<Model> trials(model, misleading_seeds, corrective_seeds, opt, threads, lo, hi);
    detail::run_block(comm, trials, lo, hi, opt.trials);
    detail::CompetitionTotals total = detail::gather_totals(comm, trials);
    CompetitiveEstimate r;
    r.trials = opt.trials;
    detail::count_estimates(comm, trials.tallies(), total.sums, opt.trials, r);
    kolsim::detail::per_step_means(std::move(total.f), std::move(total.c), opt.trials, r);
    r.seconds = clock.seconds();
    return r;
  });
}

/// estimate_competition() over `comm` with the seeds given as account ids (of
/// model.misleading() for competitive IC, model.graph() for competitive LT).
template <class Model>
  requires std::same_as<Model, CompetitiveIC> || std::same_as<Model, CompetitiveLT>
CompetitiveEstimate estimate_competition(Communicator& comm, const Model& model, const Accounts& misleading_seeds,
                                         const Accounts& corrective_seeds, const CompetitionOptions& opt = {}) {
  std::vector<vertex_t> f, c;
  detail::collective(comm, [&] {
    const FollowerGraph* g = nullptr;
    if constexpr (std::same_as<Model, CompetitiveIC>) g = &model.misleading();
    else g = &model.graph();
    f = g->indices_of(misleading_seeds.ids);
    c = g->indices_of(corrective_seeds.ids);
  });
  return estimate_competition(comm, model, std::span<const vertex_t>(f), std::span<const vertex_t>(c), opt);
}

}  // namespace kolsim::distributed

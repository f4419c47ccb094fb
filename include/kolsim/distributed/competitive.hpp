// SPDX-License-Identifier: MIT
/// Distributed competitive estimation: the trials of estimate_competition() (competitive IC or
/// competitive LT) spread over the ranks of a communicator, with the same answer as one process.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <memory>
#include <span>
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

/// One trial of the race (F with C, C, F alone, edges examined), as estimate_competition keeps it.
struct CompetitionTally {
  std::uint64_t f = 0, c = 0, alone = 0, edges = 0;
};

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
    using Driver = kolsim::detail::CompetitionDriver<Model>;
    using detail::CompetitionSums;
    using detail::CompetitionTally;
    Stopwatch clock;
    kolsim::detail::validate_competitive_seeds(model, misleading_seeds, corrective_seeds, "estimate_competition");
    KOLSIM_REQUIRE(opt.trials >= 1, "estimate_competition: trials must be >= 1");
    KOLSIM_REQUIRE(opt.trials < (std::uint64_t{1} << 48), "estimate_competition: at most 2^48 trials");
    const int threads = resolve_threads(opt.threads);
    const vertex_t n = model.num_vertices();
    check_stop(opt.stop);
    const std::uint64_t lo = comm.block_begin(opt.trials, comm.rank());
    const std::uint64_t hi = comm.block_begin(opt.trials, comm.rank() + 1);

    const int slots = std::max(threads, 1);
    require_memory(kolsim::detail::concat("estimate_competition: ", hi - lo, " trial tallies (this rank's share of ",
                                          opt.trials, ") and ", slots, " workspaces of ", n,
                                          " accounts (lower trials)"),
                   static_cast<double>(hi - lo) * sizeof(CompetitionTally) +
                       static_cast<double>(slots) * static_cast<double>(n) * 32.0);
    std::vector<CompetitionTally> tally(hi - lo);
    StopPoller poll(opt.stop, 16);
    std::vector<std::unique_ptr<typename Driver::Workspace>> ws(static_cast<std::size_t>(slots));
    std::vector<std::vector<std::uint64_t>> fsteps(static_cast<std::size_t>(slots)), csteps(fsteps);
    constexpr std::uint64_t batch = 256;
    const std::uint64_t round = batch * static_cast<std::uint64_t>(slots) * 4;
    // Runs trials [t0, t1) of this rank's block, in rounds as one process does.
    const auto run_trials = [&](std::uint64_t t0, std::uint64_t t1) {
      for (std::uint64_t b0 = t0; b0 < t1; b0 += round) {
        check_stop(opt.stop);
        const std::uint64_t b1 = std::min(t1, b0 + round);
        parallel_for(b0, b1, threads, [&](std::size_t i) {
          if (poll.poll()) return;
          const auto slot = static_cast<std::size_t>(thread_index());
          if (!ws[slot]) ws[slot] = std::make_unique<typename Driver::Workspace>(n);
          auto& fs = fsteps[slot];
          auto& cs = csteps[slot];
          const typename Driver::Coins coins(opt.seed, i);
          CompetitionTally t;
          t.edges = ws[slot]->run(model, misleading_seeds, corrective_seeds, opt.max_steps, coins,
                                  [&](vertex_t, Campaign c, std::uint32_t step) {
                                    auto& per = c == Campaign::misleading ? fs : cs;
                                    if (per.size() <= step) per.resize(step + 1, 0);
                                    ++per[step];
                                    (c == Campaign::misleading ? t.f : t.c) += 1;
                                  });
          if (corrective_seeds.empty()) {
            t.alone = t.f;
          } else {
            t.edges += ws[slot]->run(model, misleading_seeds, {}, opt.max_steps, coins,
                                     [&](vertex_t, Campaign, std::uint32_t) { ++t.alone; });
          }
          tally[i - lo] = t;
        });
        poll.throw_if_stopped();
      }
    };
    // Every rank runs its block in the same number of chunks of at most competition_sync_trials
    // and meets the others after each (one integer reduction), so a failure or a stop on one
    // rank stops every rank within one chunk instead of after its whole block.
    const std::uint64_t chunk = detail::competition_sync_trials;
    const auto ranks = static_cast<std::uint64_t>(comm.size());
    const std::uint64_t largest = opt.trials / ranks + (opt.trials % ranks != 0 ? 1 : 0);
    for (std::uint64_t k = 0; k * chunk < largest; ++k) {
      run_trials(std::min(hi, lo + k * chunk), std::min(hi, lo + (k + 1) * chunk));
      comm.sync();
    }

    // This rank's exact sums and per-step counts; every rank gets all ranks' (rank order).
    CompetitionSums mine;
    for (const CompetitionTally& t : tally) mine.add(t);
    std::vector<std::uint64_t> ftot, ctot;
    for (int s = 0; s < slots; ++s) {
      const auto& fs = fsteps[static_cast<std::size_t>(s)];
      const auto& cs = csteps[static_cast<std::size_t>(s)];
      if (ftot.size() < fs.size()) ftot.resize(fs.size(), 0);
      if (ctot.size() < cs.size()) ctot.resize(cs.size(), 0);
      for (std::size_t t = 0; t < fs.size(); ++t) ftot[t] += fs[t];
      for (std::size_t t = 0; t < cs.size(); ++t) ctot[t] += cs[t];
    }
    std::vector<std::uint64_t> payload;
    mine.put(payload);
    payload.push_back(ftot.size());
    payload.push_back(ctot.size());
    payload.insert(payload.end(), ftot.begin(), ftot.end());
    payload.insert(payload.end(), ctot.begin(), ctot.end());
    comm.sync();
    const std::vector<std::uint64_t> all = comm.allgatherv<std::uint64_t>(payload);
    CompetitionSums total;
    ftot.clear();
    ctot.clear();
    const std::uint64_t* at = all.data();
    for (int r = 0; r < comm.size(); ++r) {
      total.add(CompetitionSums::get_sums(at));
      const std::uint64_t nf = *at++, nc = *at++;
      if (ftot.size() < nf) ftot.resize(nf, 0);
      if (ctot.size() < nc) ctot.resize(nc, 0);
      for (std::uint64_t t = 0; t < nf; ++t) ftot[t] += *at++;
      for (std::uint64_t t = 0; t < nc; ++t) ctot[t] += *at++;
    }

    CompetitiveEstimate r;
    r.trials = opt.trials;
    r.edges_examined = total.edges;
    const detail::uint128 exact = detail::competition_exact_limit;
    if (total.ff < exact && total.cc < exact && total.aa < exact && total.ss < exact) {
      // Every partial double sum of one process is an exact integer (|x| <= x^2 for integers,
      // so the running sums of the counts stay below their sums of squares): it equals these.
      const auto d = [](auto x) { return static_cast<double>(static_cast<std::int64_t>(x)); };
      r.misleading = kolsim::detail::count_estimate(d(total.f), d(total.ff), opt.trials);
      r.corrective = kolsim::detail::count_estimate(d(total.c), d(total.cc), opt.trials);
      r.misleading_alone = kolsim::detail::count_estimate(d(total.alone), d(total.aa), opt.trials);
      r.saved = kolsim::detail::count_estimate(d(total.s), d(total.ss), opt.trials);
    } else {
      // Rounding matters: reduce every trial's tally in trial order, as one process does.
      comm.sync();
      const std::vector<CompetitionTally> every = comm.allgatherv<CompetitionTally>(tally);
      double sf = 0, sff = 0, sc = 0, scc = 0, sa = 0, saa = 0, ss = 0, sss = 0;
      for (const CompetitionTally& t : every) {
        const double f = static_cast<double>(t.f), c = static_cast<double>(t.c), a = static_cast<double>(t.alone);
        const double s = a - f;
        sf += f, sff += f * f, sc += c, scc += c * c, sa += a, saa += a * a, ss += s, sss += s * s;
      }
      r.misleading = kolsim::detail::count_estimate(sf, sff, opt.trials);
      r.corrective = kolsim::detail::count_estimate(sc, scc, opt.trials);
      r.misleading_alone = kolsim::detail::count_estimate(sa, saa, opt.trials);
      r.saved = kolsim::detail::count_estimate(ss, sss, opt.trials);
    }
    const std::size_t len = std::max(ftot.size(), ctot.size());
    ftot.resize(len, 0);
    ctot.resize(len, 0);
    for (std::size_t t = 0; t < len; ++t) {
      r.misleading_per_step.push_back(static_cast<double>(ftot[t]) / static_cast<double>(opt.trials));
      r.corrective_per_step.push_back(static_cast<double>(ctot[t]) / static_cast<double>(opt.trials));
    }
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

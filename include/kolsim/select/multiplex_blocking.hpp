// SPDX-License-Identifier: MIT
/// Blocking selection on a multiplex: choose k corrective accounts, (person, platform) pairs,
/// that minimise the expected number of PEOPLE a misleading campaign reaches (the race of
/// estimate/multiplex_competitive.hpp: competitive IC on the expanded graph, cross-posting
/// included, a person reached when any of their accounts is).
///
/// Methods: celf (the reference: CELF on the sample-average people reached by F over `trials`
/// common-random-number worlds, the engine of block_celf with a people counting; no
/// approximation guarantee, as on one platform) and the baselines degree (most followers in the
/// expanded graph, cross-post edges included), neighbourhood (the F seeds' followers first) and
/// imm (IMM over person-rooted RR sets for C alone, ignoring F). Candidates are accounts
/// (expanded vertices); F seeds are never candidates. A one-layer multiplex gives block_celf and
/// the degree / neighbourhood baselines on the layer's graph bit for bit.
///
/// Method rr is refused. Its lower bound would carry over only in a weaker form: roots are then
/// people reached by F, and a person is saved only when EVERY account of theirs that F reaches
/// is saved, so the RR set of a root person is the intersection, over their F-reached accounts,
/// of the accounts that as a single corrective seed win a race to one of that account's targets
/// (itself or an F dominator). Greedy coverage of such sets still maximises a monotone
/// submodular lower bound of the people saved, but a multi-platform person is saved by one seed
/// only when that seed beats F on all their platforms at once, which cross-posting makes rare:
/// the bound is loose exactly where multiplexes differ from one graph, and it is not
/// implemented (celf is exact on its sampled objective and affordable on the graphs where the
/// multiplex is used).
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/stopwatch.hpp"
#include "kolsim/estimate/multiplex_competitive.hpp"
#include "kolsim/estimate/multiplex_estimate.hpp"
#include "kolsim/select/blocking.hpp"
#include "kolsim/select/imm.hpp"

namespace kolsim {

/// CELF blocking on a multiplex: every evaluation replays worlds 0 .. trials-1 keyed by
/// opt.seed and counts the PEOPLE F reaches (spread, marginal_gains per world; reach_* and saved
/// from the independent evaluation, in people). Deterministic for any thread count. Cost as
/// block_celf on the expanded graph. `misleading` and opt.candidates / fixed_seeds are expanded
/// vertices.
inline BlockingResult block_celf(const MultiplexCompetition& race, std::span<const vertex_t> misleading,
                                 std::size_t k, const BlockingOptions& opt = {}) {
  return detail::block_celf_impl(race.model(), misleading, k, opt, race.people_counting());
}

/// Baselines on a multiplex (degree, neighbourhood, imm; see the top of this file), evaluated in
/// people.
inline BlockingResult block_baseline(const MultiplexCompetition& race, std::span<const vertex_t> misleading,
                                     std::size_t k, BlockingMethod method, const BlockingOptions& opt = {}) {
  if (method != BlockingMethod::imm)
    return detail::block_baseline_impl(race.model(), misleading, k, method, opt, race.people_counting());
  Stopwatch total;
  const SeedScope scope = detail::blocking_scope(race.model(), misleading, k, opt, "block_baseline");
  ImmOptions io;
  io.candidates = detail::allowed_list(scope);
  io.fixed_seeds = opt.fixed_seeds;
  io.seed = opt.seed;
  io.threads = opt.threads;
  io.stop = opt.stop;
  io.epsilon = opt.imm_epsilon;
  io.max_depth = opt.max_steps == std::numeric_limits<std::uint32_t>::max() ? UINT32_MAX : opt.max_steps;
  const Multiplex& mx = race.multiplex();
  SelectResult sel = imm(mx.expanded(), MultiplexIC{mx}, k, io);
  sel.method = "imm";
  BlockingResult res;
  static_cast<SelectResult&>(res) = sel;
  res.spread = 0;
  detail::blocking_evaluate(race.model(), misleading, opt, res, race.people_counting());
  res.phase_seconds.emplace_back("evaluation", total.seconds() - sel.seconds);
  res.seconds = total.seconds();
  return res;
}

/// Chooses k corrective accounts on a multiplex with opt.method: celf or a baseline; rr is
/// refused with std::invalid_argument (see the top of this file).
inline BlockingResult select_blockers(const MultiplexCompetition& race, std::span<const vertex_t> misleading_seeds,
                                      std::size_t k, const BlockingOptions& opt = {}) {
  KOLSIM_REQUIRE(opt.method != BlockingMethod::rr,
                 "select_blockers: method rr is not available on a multiplex (a person is saved only when all "
                 "their F-reached accounts are; see select/multiplex_blocking.hpp); use celf or a baseline");
  if (opt.method == BlockingMethod::celf) return block_celf(race, misleading_seeds, k, opt);
  return block_baseline(race, misleading_seeds, k, opt.method, opt);
}

/// select_blockers() with the misleading seeds as (person id, layer) pairs.
inline BlockingResult select_blockers(const MultiplexCompetition& race, std::span<const MultiplexSeed> misleading_seeds,
                                      std::size_t k, const BlockingOptions& opt = {}) {
  const auto f = multiplex_seed_vertices(race.multiplex(), misleading_seeds);
  return select_blockers(race, std::span<const vertex_t>(f), k, opt);
}

}  // namespace kolsim

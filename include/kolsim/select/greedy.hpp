// SPDX-License-Identifier: MIT
/// Monte Carlo greedy seed selection (Kempe, Kleinberg, Tardos, KDD 2003) with the lazy
/// evaluations of CELF (Leskovec et al., KDD 2007) and CELF++ (Goyal, Lu, Lakshmanan, WWW 2011).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/detail/live_edge.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/select/common.hpp"
#include "kolsim/select/lazy_greedy.hpp"

namespace kolsim {

/// Options of greedy, celf and celf_plus_plus.
struct GreedyOptions : SelectOptions {
  /// Live-edge worlds the objective averages over (common random numbers: every candidate is
  /// evaluated on the same worlds).
  std::uint64_t trials = 1000;
  /// Deadline: only accounts reached within this many steps count.
  std::uint32_t max_steps = std::numeric_limits<std::uint32_t>::max();
};

namespace detail {

template <DiffusionModel M>
SelectResult greedy_driver(const FollowerGraph& g, const M& model, std::size_t k, const GreedyOptions& opt,
                           LazyMode mode, const char* name) {
  static_assert(std::is_same_v<M, IndependentCascade> || std::is_same_v<M, LinearThreshold> || GroupedReachModel<M>,
                "greedy/celf/celf_plus_plus: no live-edge worlds are known for this model "
                "(supported: IndependentCascade, LinearThreshold, MultiplexIC)");
  Stopwatch total, phase;
  const int threads = resolve_threads(opt.threads);
  model.validate(g, threads);
  const SeedScope scope = make_seed_scope(g, k, opt);
  KOLSIM_REQUIRE(opt.trials >= 1, name, ": trials must be >= 1");
  SelectResult res;
  res.method = name;
  with_live_edge_worlds(g, model, opt.trials, opt.seed, opt.max_steps, threads, [&](auto& w) {
    for (vertex_t f : scope.fixed) w.add(f);
    res.phase_seconds.emplace_back("setup", phase.lap());
    LazyGreedy<std::remove_reference_t<decltype(w)>> lazy(w, scope.allowed, opt.stop, opt.progress);
    lazy.run(k, mode, [&] { res.phase_seconds.emplace_back("initial", phase.lap()); });
    res.seeds = std::move(lazy.seeds);
    const double r = static_cast<double>(w.worlds());
    for (std::uint64_t gain : lazy.gains) res.marginal_gains.push_back(static_cast<double>(gain) / r);
    res.phase_seconds.emplace_back(mode == LazyMode::none ? "select" : "lazy", phase.lap());
    res.spread = static_cast<double>(w.total_reach()) / static_cast<double>(w.worlds());
    res.trials = w.evaluations();
    res.peak_bytes = w.memory_bytes();
    return 0;
  }, opt.stop);
  res.seconds = total.seconds();
  return res;
}

}  // namespace detail

/// Plain greedy (Kempe, Kleinberg, Tardos, KDD 2003): each round evaluates every remaining
/// candidate's marginal gain on `trials` fixed live-edge worlds and takes the best (ties to
/// the lower index). The sampled objective is monotone submodular, so the result is within
/// 1 - 1/e of the best k-set for that objective. Cost O(k * n * trials * cascade).
/// World i is fixed by counter-based coins keyed by (seed, i, edge) for IC and (seed, i,
/// account) for LT (see detail/live_edge.hpp), so results are identical for any thread count.
/// With MultiplexIC (on multiplex.expanded()) the worlds are IC's and the objective, gains and
/// spread count people, each once (a person is reached when any of their accounts is).
template <DiffusionModel M>
SelectResult greedy(const FollowerGraph& g, const M& model, std::size_t k, const GreedyOptions& opt = {}) {
  return detail::greedy_driver(g, model, k, opt, detail::LazyMode::none, "greedy");
}

/// CELF (Leskovec et al., KDD 2007): greedy with lazy re-evaluation of stale upper bounds kept
/// in a max-heap. Returns exactly the seeds and gains of greedy() on the same worlds, usually
/// with far fewer evaluations (worst case the same as greedy).
template <DiffusionModel M>
SelectResult celf(const FollowerGraph& g, const M& model, std::size_t k, const GreedyOptions& opt = {}) {
  return detail::greedy_driver(g, model, k, opt, detail::LazyMode::celf, "celf");
}

/// CELF++ (Goyal, Lu, Lakshmanan, WWW 2011): CELF that also computes each node's gain given
/// S + {best node of the current iteration}, skipping a re-evaluation when that node is chosen.
/// Returns exactly the seeds and gains of greedy() on the same worlds. mg1 and mg2 come from
/// one cascade per world, but the look-ahead costs a bitset of trials * n bits and one more
/// cascade per world whenever the look-ahead node was found without its own cascade (after a
/// shortcut, or at the end of an initial block of 256 candidates whose prev_best is the best
/// of the earlier blocks), so it saves work only on some graphs (compare SelectResult::trials).
template <DiffusionModel M>
SelectResult celf_plus_plus(const FollowerGraph& g, const M& model, std::size_t k, const GreedyOptions& opt = {}) {
  return detail::greedy_driver(g, model, k, opt, detail::LazyMode::celf_plus_plus, "celf++");
}

}  // namespace kolsim

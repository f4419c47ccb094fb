// SPDX-License-Identifier: MIT
/// Monte Carlo greedy seed selection (Kempe, Kleinberg, Tardos, KDD 2003) with the lazy
/// evaluations of CELF (Leskovec et al., KDD 2007) and CELF++ (Goyal, Lu, Lakshmanan, WWW 2011).
#pragma once

#include <cstdint>
#include <limits>
#include <queue>
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

enum class LazyMode { none, celf, celf_plus_plus };

/// Candidates evaluated together (in parallel) in a full sweep; fixed, so that CELF++'s
/// look-ahead choices and all counts are the same for any thread count.
inline constexpr std::size_t greedy_block = 256;

/// Heap entry: larger gain first, ties to the lower vertex index.
struct GainEntry {
  std::uint64_t gain;
  vertex_t v;
  bool operator<(const GainEntry& o) const noexcept { return gain < o.gain || (gain == o.gain && v > o.v); }
};

template <class Worlds>
void greedy_select(Worlds& w, std::size_t k, const SeedScope& scope, const GreedyOptions& opt, LazyMode mode,
                   SelectResult& res, Stopwatch& phase) {
  const vertex_t n = static_cast<vertex_t>(scope.allowed.size());
  if (k == 0) return;
  const double r = static_cast<double>(w.worlds());
  auto take = [&](vertex_t v) {
    const std::uint64_t gain = w.add(v);
    res.seeds.push_back(v);
    res.marginal_gains.push_back(static_cast<double>(gain) / r);
    report_progress(opt.progress, "seeds", res.seeds.size(), k);
  };
  std::vector<vertex_t> block;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  // Evaluates the allowed, unchosen vertices in index order in blocks of greedy_block (parallel
  // over candidates inside a block, stop polled between blocks) by calling evaluate_block().
  auto sweep = [&](const std::vector<char>& skip, auto&& evaluate_block) {
    block.clear();
    for (vertex_t v = 0; v < n; ++v) {
      if (!scope.allowed[v] || skip[v]) continue;
      block.push_back(v);
      if (block.size() == greedy_block) {
        check_stop(opt.stop);
        evaluate_block();
        block.clear();
      }
    }
    if (!block.empty()) {
      check_stop(opt.stop);
      evaluate_block();
    }
  };
  std::vector<char> chosen(n, 0);
  if (mode == LazyMode::none) {
    for (std::size_t round = 0; round < k; ++round) {
      vertex_t best = no_vertex;
      std::uint64_t best_gain = 0;
      sweep(chosen, [&] {
        w.gains(block, false, out);
        for (std::size_t j = 0; j < block.size(); ++j) {
          if (best == no_vertex || out[j].first > best_gain) {
            best = block[j];
            best_gain = out[j].first;
          }
        }
      });
      chosen[best] = 1;
      take(best);
    }
    return;
  }
  // Lazy modes: heap keys are exact gains (fresh) or gains w.r.t. a smaller seed set, which
  // bound the current gain from above because the sampled objective is submodular.
  std::priority_queue<GainEntry> heap;
  std::vector<std::uint32_t> flag(n, 0);  // |S| when the key of v was last computed
  if (mode == LazyMode::celf) {
    sweep(chosen, [&] {
      w.gains(block, false, out);
      for (std::size_t j = 0; j < block.size(); ++j) heap.push({out[j].first, block[j]});
    });
    res.phase_seconds.emplace_back("initial", phase.lap());
    while (res.seeds.size() < k) {
      const GainEntry top = heap.top();
      heap.pop();
      const auto size = static_cast<std::uint32_t>(res.seeds.size());
      if (flag[top.v] == size) {
        take(top.v);
        continue;
      }
      check_stop(opt.stop);
      flag[top.v] = size;
      heap.push({w.gain(top.v), top.v});
    }
    return;
  }
  // CELF++: per node mg1 = gain given S, prev_best = the best node evaluated earlier in the
  // same iteration, mg2 = gain given S + {prev_best}. If prev_best becomes the next seed, mg2
  // is the new exact gain and no evaluation is needed. mg1 and mg2 come from one cascade per
  // world (look-ahead set of prev_best kept as a bitset).
  std::vector<std::uint64_t> mg1(n, 0), mg2(n, 0);
  std::vector<vertex_t> prev_best(n, no_vertex);
  vertex_t cur_best = no_vertex;
  std::uint64_t cur_best_gain = 0;
  bool cur_best_installed = false;  // is the look-ahead set of cur_best installed in w?
  vertex_t last_seed = no_vertex;
  auto evaluate = [&](vertex_t u) {
    check_stop(opt.stop);
    if (cur_best == no_vertex) {
      mg1[u] = w.gain(u, true);
      prev_best[u] = no_vertex;
    } else {
      if (!cur_best_installed) {  // cur_best was updated without a cascade: record its set now
        check_stop(opt.stop);
        w.gain(cur_best, true);
        w.keep_record_as_lookahead();
        cur_best_installed = true;
      }
      const auto [g1, g2] = w.gain_pair(u, true);
      mg1[u] = g1;
      mg2[u] = g2;
      prev_best[u] = cur_best;
    }
  };
  auto update_cur_best = [&](vertex_t u, bool recorded) {
    if (cur_best == no_vertex || mg1[u] > cur_best_gain || (mg1[u] == cur_best_gain && u < cur_best)) {
      cur_best = u;
      cur_best_gain = mg1[u];
      if (recorded) {
        w.keep_record_as_lookahead();
        cur_best_installed = true;
      } else {
        w.clear_lookahead();
        cur_best_installed = false;
      }
    }
  };
  // Initial round: the first candidate alone, then blocks evaluated in parallel whose prev_best
  // is the best node of the earlier blocks (the paper updates it after every node; any
  // prev_best keeps mg2 exact, so only the number of saved evaluations can differ).
  std::vector<char> first_done(n, 0);
  for (vertex_t v = 0; v < n; ++v) {
    if (!scope.allowed[v]) continue;
    check_stop(opt.stop);
    evaluate(v);
    heap.push({mg1[v], v});
    update_cur_best(v, true);
    first_done[v] = 1;
    break;
  }
  sweep(first_done, [&] {
    if (!cur_best_installed) {
      w.gain(cur_best, true);
      w.keep_record_as_lookahead();
      cur_best_installed = true;
    }
    w.gains(block, true, out);
    for (std::size_t j = 0; j < block.size(); ++j) {
      const vertex_t v = block[j];
      mg1[v] = out[j].first;
      mg2[v] = out[j].second;
      prev_best[v] = cur_best;
      heap.push({mg1[v], v});
    }
    for (vertex_t v : block) update_cur_best(v, false);
  });
  res.phase_seconds.emplace_back("initial", phase.lap());
  while (res.seeds.size() < k) {
    const GainEntry top = heap.top();
    heap.pop();
    const vertex_t u = top.v;
    const auto size = static_cast<std::uint32_t>(res.seeds.size());
    if (flag[u] == size) {
      take(u);  // also drops the look-ahead set
      last_seed = u;
      cur_best = no_vertex;
      cur_best_installed = false;
      continue;
    }
    bool recorded = true;
    if (last_seed != no_vertex && prev_best[u] == last_seed && flag[u] + 1 == size) {
      mg1[u] = mg2[u];  // mg2 was computed for exactly the current seed set
      recorded = false;
    } else {
      evaluate(u);
    }
    flag[u] = size;
    heap.push({mg1[u], u});
    update_cur_best(u, recorded);
  }
}

template <DiffusionModel M>
SelectResult greedy_driver(const FollowerGraph& g, const M& model, std::size_t k, const GreedyOptions& opt,
                           LazyMode mode, const char* name) {
  static_assert(std::is_same_v<M, IndependentCascade> || std::is_same_v<M, LinearThreshold>,
                "greedy/celf/celf_plus_plus: no live-edge worlds are known for this model "
                "(supported: IndependentCascade, LinearThreshold)");
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
    greedy_select(w, k, scope, opt, mode, res, phase);
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

// SPDX-License-Identifier: MIT
/// The one greedy driver of the library over a marginal-gain oracle: plain greedy (Nemhauser,
/// Wolsey, Fisher 1978), CELF lazy evaluation (Leskovec et al., KDD 2007) and CELF++ look-ahead
/// (Goyal, Lu, Lakshmanan, WWW 2011). Monte Carlo spread (select/greedy.hpp) and blocking
/// (select/blocking.hpp) are integer oracles; opinion maximisation (opinion/stubborn.hpp) is a
/// real-valued oracle whose keys start as upper bounds that each round tightens. The driver owns
/// the heap, the staleness flags and ties.
#pragma once

#include <algorithm>
#include <concepts>
#include <functional>
#include <cstdint>
#include <limits>
#include <queue>
#include <span>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/progress.hpp"
#include "kolsim/core/types.hpp"

namespace kolsim::detail {

enum class LazyMode { none, celf, celf_plus_plus };

/// Gains as (gain given S, gain given S + look-ahead node), one per candidate of a block.
template <class G>
using BasicGainPairs = std::vector<std::pair<G, G>>;
using GainPairs = BasicGainPairs<std::uint64_t>;

/// The gain type of an oracle: O::gain_type when it names one, else std::uint64_t.
template <class O>
struct oracle_gain {
  using type = std::uint64_t;
};
template <class O>
  requires requires { typename O::gain_type; }
struct oracle_gain<O> {
  using type = typename O::gain_type;
};
template <class O>
using oracle_gain_t = typename oracle_gain<O>::type;

/// An objective's marginal gains given the current seed set S: gains() evaluates a block of
/// candidates (in parallel inside; `.second` is unused when lookahead is false), gain(v) one
/// candidate, add(v) puts v into S and returns its gain. Lazy evaluation is exact only for a
/// submodular objective; otherwise CELF's stale keys are a heuristic.
template <class O>
concept MarginalGainOracle =
    requires(O& o, std::span<const vertex_t> block, BasicGainPairs<oracle_gain_t<O>>& out, vertex_t v) {
      o.gains(block, false, out);
      { o.gain(v) } -> std::convertible_to<oracle_gain_t<O>>;
      { o.add(v) } -> std::convertible_to<oracle_gain_t<O>>;
    };

/// An oracle that prepares each round: begin_round() runs before the first evaluation given
/// each seed set S (before the initial keys, and after every seed but the last).
template <class O>
concept RoundOracle = MarginalGainOracle<O> && requires(O& o) { o.begin_round(); };

/// An oracle whose CELF keys start as upper bounds: bound(v) >= gain(v) given the current S
/// (valid after begin_round()). CELF then skips the initial sweep, and every round lowers each
/// key to min(key, bound) (Gionis et al. SDM 2013 use G^T 1 as such bounds).
template <class O>
concept BoundingOracle = RoundOracle<O> && requires(O& o, vertex_t v) {
  { o.bound(v) } -> std::convertible_to<oracle_gain_t<O>>;
};

/// An oracle that also serves CELF++: gain(v, record) can record v's cascade, which
/// keep_record_as_lookahead() installs as the look-ahead set (clear_lookahead() drops it);
/// gain_pair(v, record) and gains(block, true, out) return gains given S and S + look-ahead.
template <class O>
concept LookaheadOracle = MarginalGainOracle<O> && requires(O& o, vertex_t v) {
  o.gain(v, true);
  o.gain_pair(v, true);
  o.keep_record_as_lookahead();
  o.clear_lookahead();
};

/// Candidates evaluated together (in parallel) in a full sweep; fixed, so that CELF++'s
/// look-ahead choices and all counts are the same for any thread count.
inline constexpr std::size_t greedy_block = 256;

/// Heap entry: larger gain first, ties to the lower vertex index.
template <class G>
struct BasicGainEntry {
  G gain;
  vertex_t v;
  bool operator<(const BasicGainEntry& o) const noexcept { return gain < o.gain || (gain == o.gain && v > o.v); }
};
using GainEntry = BasicGainEntry<std::uint64_t>;

/// Greedy over `allowed` (allowed[v] != 0: v may be chosen) until k seeds are taken; seeds and
/// their gains are appended in order. Ties go to the lower index in every mode, so all three
/// modes return the same seeds on a submodular oracle (with exact bounds, for a BoundingOracle).
template <MarginalGainOracle Oracle>
class LazyGreedy {
 public:
  using Gain = oracle_gain_t<Oracle>;

  LazyGreedy(Oracle& o, const std::vector<char>& allowed, const StopToken& stop, ProgressFn progress = {})
      : o_(o),
        allowed_(allowed),
        n_(static_cast<vertex_t>(allowed.size())),
        stop_(stop),
        progress_(std::move(progress)),
        chosen_(n_, 0) {}

  std::vector<vertex_t> seeds;
  std::vector<Gain> gains;

  /// Runs `mode` until k seeds; on_initial() is called after the initial sweep of a lazy mode.
  template <class OnInitial>
  void run(std::size_t k, LazyMode mode, OnInitial&& on_initial) {
    if (k == 0) return;
    k_ = k;
    begin_round();
    if (mode == LazyMode::none) return run_plain(k);
    if (mode == LazyMode::celf) return run_celf(k, on_initial);
    if constexpr (LookaheadOracle<Oracle>) {
      static_assert(!BoundingOracle<Oracle>, "lazy greedy: CELF++ keys cannot start from bounds");
      return run_celf_plus_plus(k, on_initial);
    } else {
      KOLSIM_REQUIRE(false, "lazy greedy: this objective has no CELF++ look-ahead");
    }
  }

 private:
  Oracle& o_;
  const std::vector<char>& allowed_;
  vertex_t n_;
  StopToken stop_;
  ProgressFn progress_;  // ("seeds", seeds taken, k) from the caller's thread
  std::size_t k_ = 0;
  std::vector<char> chosen_;
  std::vector<vertex_t> block_;
  BasicGainPairs<Gain> out_;
  std::priority_queue<BasicGainEntry<Gain>> heap_;
  std::vector<std::uint32_t> flag_;  // |S| when the key of v was last computed (never: a bound)
  static constexpr std::uint32_t never = std::numeric_limits<std::uint32_t>::max();
  // CELF++ state: mg1 = gain given S, prev_best = the best node evaluated earlier in the same
  // iteration, mg2 = gain given S + {prev_best}.
  std::vector<Gain> mg1_, mg2_;
  std::vector<vertex_t> prev_best_;
  vertex_t cur_best_ = no_vertex;
  Gain cur_best_gain_ = 0;
  bool cur_best_installed_ = false;  // is the look-ahead set of cur_best installed in the oracle?

  void take(vertex_t v) {
    gains.push_back(o_.add(v));
    seeds.push_back(v);
    report_progress(progress_, "seeds", seeds.size(), k_);
    if (seeds.size() < k_) begin_round();
  }
  void begin_round() {
    if constexpr (RoundOracle<Oracle>) o_.begin_round();
  }
  std::uint32_t size() const { return static_cast<std::uint32_t>(seeds.size()); }

  /// Evaluates the allowed vertices with skip[v] == 0 in index order in blocks of greedy_block
  /// (parallel inside the oracle, stop polled between blocks) by calling evaluate_block().
  template <class F>
  void sweep(const std::vector<char>& skip, F&& evaluate_block) {
    block_.clear();
    for (vertex_t v = 0; v < n_; ++v) {
      if (!allowed_[v] || skip[v]) continue;
      block_.push_back(v);
      if (block_.size() == greedy_block) {
        check_stop(stop_);
        evaluate_block();
        block_.clear();
      }
    }
    if (!block_.empty()) {
      check_stop(stop_);
      evaluate_block();
    }
  }

  /// Plain greedy: every round evaluates every remaining candidate.
  void run_plain(std::size_t k) {
    for (std::size_t round = 0; round < k; ++round) {
      vertex_t best = no_vertex;
      Gain best_gain = 0;
      sweep(chosen_, [&] {
        o_.gains(block_, false, out_);
        for (std::size_t j = 0; j < block_.size(); ++j) {
          if (best == no_vertex || out_[j].first > best_gain) {
            best = block_[j];
            best_gain = out_[j].first;
          }
        }
      });
      chosen_[best] = 1;
      take(best);
    }
  }

  /// CELF: heap keys are exact gains (fresh) or gains w.r.t. a smaller seed set, which bound the
  /// current gain from above when the objective is submodular. A BoundingOracle's keys start as
  /// its bounds and are lowered to the new bounds after every seed.
  template <class OnInitial>
  void run_celf(std::size_t k, OnInitial& on_initial) {
    if constexpr (BoundingOracle<Oracle>) {
      flag_.assign(n_, never);
      for (vertex_t v = 0; v < n_; ++v)
        if (allowed_[v]) heap_.push({o_.bound(v), v});
    } else {
      flag_.assign(n_, 0);
      sweep(chosen_, [&] {
        o_.gains(block_, false, out_);
        for (std::size_t j = 0; j < block_.size(); ++j) heap_.push({out_[j].first, block_[j]});
      });
    }
    on_initial();
    while (seeds.size() < k) {
      const BasicGainEntry<Gain> top = heap_.top();
      heap_.pop();
      if (flag_[top.v] == size()) {
        take(top.v);
        if constexpr (BoundingOracle<Oracle>)
          if (seeds.size() < k) tighten_keys();
        continue;
      }
      check_stop(stop_);
      flag_[top.v] = size();
      heap_.push({o_.gain(top.v), top.v});
    }
  }

  /// Lowers every key to the oracle's bound for the new seed set (keys keep their flags).
  void tighten_keys() {
    std::vector<BasicGainEntry<Gain>> keys;
    keys.reserve(heap_.size());
    for (; !heap_.empty(); heap_.pop()) keys.push_back(heap_.top());
    for (auto& e : keys) e.gain = std::min(e.gain, o_.bound(e.v));
    heap_ = std::priority_queue<BasicGainEntry<Gain>>(std::less<BasicGainEntry<Gain>>(), std::move(keys));
  }

  /// CELF++ evaluation of u: mg1 alone before the first node of the iteration, else mg1 and
  /// mg2 from one cascade per world against the installed look-ahead set of cur_best.
  void evaluate_pair(vertex_t u) {
    check_stop(stop_);
    if (cur_best_ == no_vertex) {
      mg1_[u] = o_.gain(u, true);
      prev_best_[u] = no_vertex;
      return;
    }
    install_cur_best();
    const auto [g1, g2] = o_.gain_pair(u, true);
    mg1_[u] = g1;
    mg2_[u] = g2;
    prev_best_[u] = cur_best_;
  }

  /// cur_best was updated without a cascade: record its set now.
  void install_cur_best() {
    if (cur_best_installed_) return;
    check_stop(stop_);
    o_.gain(cur_best_, true);
    o_.keep_record_as_lookahead();
    cur_best_installed_ = true;
  }

  void update_cur_best(vertex_t u, bool recorded) {
    if (cur_best_ != no_vertex && !(mg1_[u] > cur_best_gain_ || (mg1_[u] == cur_best_gain_ && u < cur_best_))) return;
    cur_best_ = u;
    cur_best_gain_ = mg1_[u];
    if (recorded) {
      o_.keep_record_as_lookahead();
      cur_best_installed_ = true;
    } else {
      o_.clear_lookahead();
      cur_best_installed_ = false;
    }
  }

  /// Initial round: the first candidate alone, then blocks evaluated in parallel whose
  /// prev_best is the best node of the earlier blocks (the paper updates it after every node;
  /// any prev_best keeps mg2 exact, so only the number of saved evaluations can differ).
  void celf_plus_plus_initial() {
    std::vector<char> first_done(n_, 0);
    for (vertex_t v = 0; v < n_; ++v) {
      if (!allowed_[v]) continue;
      check_stop(stop_);
      evaluate_pair(v);
      heap_.push({mg1_[v], v});
      update_cur_best(v, true);
      first_done[v] = 1;
      break;
    }
    sweep(first_done, [&] {
      install_cur_best();
      o_.gains(block_, true, out_);
      for (std::size_t j = 0; j < block_.size(); ++j) {
        const vertex_t v = block_[j];
        mg1_[v] = out_[j].first;
        mg2_[v] = out_[j].second;
        prev_best_[v] = cur_best_;
        heap_.push({mg1_[v], v});
      }
      for (vertex_t v : block_) update_cur_best(v, false);
    });
  }

  /// CELF++: if prev_best of the top node became the last seed, mg2 is its exact gain and no
  /// evaluation is needed.
  template <class OnInitial>
  void run_celf_plus_plus(std::size_t k, OnInitial& on_initial) {
    flag_.assign(n_, 0);
    mg1_.assign(n_, 0);
    mg2_.assign(n_, 0);
    prev_best_.assign(n_, no_vertex);
    celf_plus_plus_initial();
    on_initial();
    vertex_t last_seed = no_vertex;
    while (seeds.size() < k) {
      const vertex_t u = heap_.top().v;
      heap_.pop();
      if (flag_[u] == size()) {
        take(u);  // also drops the look-ahead set
        last_seed = u;
        cur_best_ = no_vertex;
        cur_best_installed_ = false;
        continue;
      }
      bool recorded = true;
      if (last_seed != no_vertex && prev_best_[u] == last_seed && flag_[u] + 1 == size()) {
        mg1_[u] = mg2_[u];  // mg2 was computed for exactly the current seed set
        recorded = false;
      } else {
        evaluate_pair(u);
      }
      flag_[u] = size();
      heap_.push({mg1_[u], u});
      update_cur_best(u, recorded);
    }
  }
};

}  // namespace kolsim::detail

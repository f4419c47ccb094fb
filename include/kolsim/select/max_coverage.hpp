// SPDX-License-Identifier: MIT
/// The coverage engine: greedy maximum coverage of an RR collection (the selection step of IMM,
/// OPIM-C and blocking), with the upper bound on the optimum coverage that OPIM-C certifies
/// against, and the lazily tiered inverted index and lazy max-heap driver that the budgeted
/// campaign greedy (campaign/budgeted_coverage.hpp) runs on too: both are policies of one
/// lazy-greedy loop (detail::lazy_greedy).
///
/// Greedy gives coverage >= (1 - 1/e) * optimum (Nemhauser, Wolsey, Fisher 1978), also with
/// per-set weights. The upper bound is min over greedy iterations i of cov(S_i) + (sum of the k
/// largest marginal coverages given S_i) (Tang, Tang, Xiao, Yuan, SIGMOD 2018). Cost: O(total RR
/// entries + n + k log n).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/estimate/rr_sets.hpp"

namespace kolsim {

/// The sets the engine covers: set j is nodes[offsets[j] .. offsets[j + 1]) (offsets[0] = 0).
struct CoverageSets {
  std::span<const vertex_t> nodes;
  std::span<const edge_t> offsets;
  CoverageSets(std::span<const vertex_t> nodes_, std::span<const edge_t> offsets_) : nodes(nodes_), offsets(offsets_) {}
  CoverageSets(const RRCollection& rr) : nodes(rr.nodes()), offsets(rr.offsets()) {}  // NOLINT: implicit by design
  std::uint64_t size() const noexcept { return offsets.empty() ? 0 : offsets.size() - 1; }
};

/// What may be chosen, what is already chosen, and what each set is worth.
struct MaxCoverageOptions {
  std::span<const char> allowed;         ///< allowed[v] != 0 if v may be chosen (empty = all)
  std::span<const vertex_t> fixed_seeds; ///< their RR sets are removed first; never chosen
  /// Integer weight of each set (empty = 1 each): coverage, marginals and fixed_coverage are then
  /// sums of weights (exact). The top-k upper bound is for unit weights: set upper_bound = false.
  std::span<const std::uint64_t> set_weights;
  int threads = 0;                       ///< 0 = all (counting)
  /// Track every vertex's marginal for the top-k upper bound (OPIM-C needs it); false leaves
  /// MaxCoverageResult::upper_bound at the number of sets and saves ~1/3 of the greedy's time.
  bool upper_bound = true;
};

/// Greedy result. Coverage counts are numbers of RR sets (sums of weights with set_weights).
struct MaxCoverageResult {
  std::vector<vertex_t> seeds;           ///< in the order chosen (ties to the lowest vertex id)
  std::vector<std::uint64_t> marginal;   ///< new sets covered by seeds[i]
  std::uint64_t fixed_coverage = 0;      ///< sets covered by the fixed seeds
  std::uint64_t coverage = 0;            ///< sets covered by fixed seeds + seeds
  std::uint64_t upper_bound = 0;         ///< >= coverage of fixed seeds + the best k allowed vertices
  std::size_t bytes = 0;                 ///< peak bytes of the greedy's own structures
};

namespace detail {

/// What a lazy heap's front entry is worth now: its key is exact, an outdated upper bound, or
/// the entry can never be chosen again.
enum class Lazy : std::uint8_t { fresh, stale, drop };

/// The one lazy-greedy step (Minoux 1978): returns the heap's front once its key is exact,
/// refreshing outdated keys (`update`) and dropping dead entries on the way, or nullptr when
/// the heap runs empty. Keys only shrink, so a fresh front beats every other entry. The front
/// stays in the heap: the caller pops it when it takes it. Entries order by operator<.
template <class E, class State, class Update>
E* lazy_front(std::vector<E>& heap, State&& state, Update&& update) {
  while (!heap.empty()) {
    const Lazy s = state(heap.front());
    if (s == Lazy::fresh) return &heap.front();
    std::pop_heap(heap.begin(), heap.end());
    if (s == Lazy::drop) {
      heap.pop_back();
      continue;
    }
    update(heap.back());
    std::push_heap(heap.begin(), heap.end());
  }
  return nullptr;
}

/// What the lazy-greedy loop does with the front that lazy_front found (nullptr included).
enum class Pick : std::uint8_t { take, retry, stop };

/// The one lazy-greedy loop. The policy P is the objective and its rules:
///   more()          another pick is wanted (checked before every pick, retries included);
///   before_pick()   work ahead of each pick (bounds, side candidates);
///   state(e) / update(e)   lazy_front's test and refresh of an entry;
///   decide(front)   take it, retry (the policy changed the heap, e.g. loaded a tier), or stop;
///   take(e)         takes the entry, already popped off the heap.
template <class E, class P>
void lazy_greedy(std::vector<E>& heap, P& p) {
  auto state = [&](const E& e) { return p.state(e); };
  auto update = [&](E& e) { p.update(e); };
  while (p.more()) {
    p.before_pick();
    E* front = lazy_front(heap, state, update);
    const Pick d = p.decide(front);
    if (d == Pick::stop) break;
    if (d == Pick::retry) continue;
    const E e = *front;
    std::pop_heap(heap.begin(), heap.end());
    heap.pop_back();
    p.take(e);
  }
}

/// Heap entry of a real-valued objective (the budgeted campaign greedy): key (an upper bound on
/// the score now), vertex (ties to the lowest id), round in which the key was computed.
struct LazyEntry {
  double key;
  vertex_t v;
  std::uint32_t round;
  bool operator<(const LazyEntry& o) const { return key < o.key || (key == o.key && v > o.v); }
};

/// The lazy step for a round-stamped objective: every pick starts a new round, which outdates
/// every key. R supplies round(), live(v) (false once v can never be taken: dropped) and key(v)
/// (v's exact key now). As a lazy_greedy policy it stops at an empty heap or a key <= 0.
template <class R>
struct RoundPolicy {
  R& rule;
  Lazy state(const LazyEntry& e) const {
    if (!rule.live(e.v)) return Lazy::drop;
    return e.round != rule.round() ? Lazy::stale : Lazy::fresh;
  }
  void update(LazyEntry& e) const {
    e.key = rule.key(e.v);
    e.round = rule.round();
  }
};

/// The front of a round-stamped heap once exact (see RoundPolicy), or nullptr.
template <class R>
LazyEntry* lazy_best(std::vector<LazyEntry>& heap, R& rule) {
  const RoundPolicy<R> p{rule};
  return lazy_front(heap, [&](const LazyEntry& e) { return p.state(e); }, [&](LazyEntry& e) { p.update(e); });
}

/// A heap of every vertex v < n with rule.candidate(v) and rule.live(v), keyed in rule.round().
template <class R>
std::vector<LazyEntry> lazy_heap(vertex_t n, R& rule) {
  std::vector<LazyEntry> heap;
  for (vertex_t v = 0; v < n; ++v)
    if (rule.candidate(v) && rule.live(v)) heap.push_back({rule.key(v), v, rule.round()});
  std::make_heap(heap.begin(), heap.end());
  return heap;
}

/// lazy_greedy on a round-stamped objective: R adds more(), before_pick() and take(v) to the
/// members RoundPolicy uses; picks stop when no entry is left or the best key is <= 0.
template <class R>
void lazy_greedy_rounds(std::vector<LazyEntry>& heap, R& rule) {
  struct Policy : RoundPolicy<R> {
    bool more() { return this->rule.more(); }
    void before_pick() { this->rule.before_pick(); }
    Pick decide(const LazyEntry* front) const { return !front || front->key <= 0.0 ? Pick::stop : Pick::take; }
    void take(const LazyEntry& e) { this->rule.take(e.v); }
  } p{{rule}};
  lazy_greedy(heap, p);
}

/// Inverted index vertex -> sets, built in tiers: add() lists the given vertices' sets that are
/// not yet covered, in set order, in one branch-free pass over the collection.
class TieredIndex {
 public:
  static constexpr std::uint32_t none = UINT32_MAX;

  /// Forgets every list (keeps the capacity).
  void reset(vertex_t n) {
    slot_.assign(n, none);
    start_.assign(1, 0);
    idx_.clear();
    identity_ = false;
  }
  /// Lists the sets of each vertex of `add` not yet listed; `count[v]` must be the number of
  /// sets holding v with covered[j] == 0.
  void add(std::span<const vertex_t> add, const CoverageSets& sets, const std::uint32_t* count, const char* covered) {
    const auto first = static_cast<std::uint32_t>(start_.size() - 1);
    start_.reserve(start_.size() + add.size());
    bool identity = first == 0;  // slot[v] = v for every vertex: one tier of all, in order
    for (vertex_t v : add) {
      if (slot_[v] != none) continue;
      identity = identity && v == start_.size() - 1;
      slot_[v] = static_cast<std::uint32_t>(start_.size() - 1);
      start_.push_back(start_.back() + count[v]);
    }
    const auto last = static_cast<std::uint32_t>(start_.size() - 1);
    if (last == first) return;
    if (identity && last == slot_.size()) {
      add_all(sets, covered);
      return;
    }
    // One spare entry at the end of idx takes the writes of vertices outside this tier, so the
    // pass has no unpredictable branch.
    idx_.resize(start_.back() + 1);
    cursor_.assign(start_.begin() + first, start_.begin() + last);
    cursor_.push_back(start_.back());
    // Raw pointers: through the vectors every store would reload their data pointers.
    const std::uint32_t* sl = slot_.data();
    std::uint32_t* out = idx_.data();
    edge_t* cur = cursor_.data();
    const vertex_t* nd = sets.nodes.data();
    const edge_t* offs = sets.offsets.data();
    const std::uint32_t width = last - first;
    const std::uint64_t n_sets = sets.size();
    for (std::uint64_t j = 0; j < n_sets; ++j) {
      if (covered[j]) continue;
      for (edge_t e = offs[j]; e < offs[j + 1]; ++e) {
        const std::uint32_t s = std::min(sl[nd[e]] - first, width);  // wraps for none and earlier tiers
        out[cur[s]] = static_cast<std::uint32_t>(j);
        cur[s] += s < width;
      }
    }
  }
  /// The pass of add() when every vertex is in the tier with slot[v] = v (a counting sort).
  void add_all(const CoverageSets& sets, const char* covered) {
    identity_ = true;
    idx_.resize(start_.back());
    cursor_.assign(start_.begin(), start_.end() - 1);
    std::uint32_t* out = idx_.data();
    edge_t* cur = cursor_.data();
    const vertex_t* nd = sets.nodes.data();
    const edge_t* offs = sets.offsets.data();
    const std::uint64_t n_sets = sets.size();
    for (std::uint64_t j = 0; j < n_sets; ++j) {
      if (covered[j]) continue;
      for (edge_t e = offs[j]; e < offs[j + 1]; ++e) out[cur[nd[e]]++] = static_cast<std::uint32_t>(j);
    }
  }

  /// Sets listed for v (empty if v was never added).
  std::span<const std::uint32_t> of(vertex_t v) const noexcept {
    const std::uint32_t s = identity_ ? v : slot_[v];
    if (s == none) return {};
    return {idx_.data() + start_[s], static_cast<std::size_t>(start_[s + 1] - start_[s])};
  }
  std::size_t bytes() const noexcept {
    return slot_.capacity() * 4 + idx_.capacity() * 4 + (start_.capacity() + cursor_.capacity()) * 8;
  }

 private:
  std::vector<std::uint32_t> slot_, idx_;
  std::vector<edge_t> start_, cursor_;
  bool identity_ = false;  // slot_[v] = v for every vertex (one tier of all)
};

/// Heap key of the coverage greedy: (marginal, lowest id first). Unit weights pack it into one
/// word (marginal << 32 | ~v, marginal < 2^32); weighted marginals need a pair.
struct WeightedKey {
  std::uint64_t gain;
  std::uint32_t inv;  // ~v
  bool operator<(const WeightedKey& o) const noexcept { return gain < o.gain || (gain == o.gain && inv < o.inv); }
};
template <class C>
struct CoverageKey {
  using type = std::uint64_t;
  static type make(C gain, vertex_t v) { return (static_cast<std::uint64_t>(gain) << 32) | (~v & 0xffffffffu); }
  static C gain(type key) { return static_cast<C>(key >> 32); }
  static vertex_t vertex(type key) { return ~static_cast<vertex_t>(key & 0xffffffffu); }
};
template <>
struct CoverageKey<std::uint64_t> {
  using type = WeightedKey;
  static type make(std::uint64_t gain, vertex_t v) { return {gain, ~v}; }
  static std::uint64_t gain(type key) { return key.gain; }
  static vertex_t vertex(type key) { return ~key.inv; }
};

}  // namespace detail

/// Scratch arrays of max_coverage, kept between calls on the same graph (the rounds of IMM and
/// OPIM-C): on a large graph, allocating its O(n) arrays afresh costs page faults that can
/// exceed the greedy itself on a small collection (~8 ms per call at n = 1M).
struct MaxCoverageWorkspace {
  std::vector<std::uint32_t> deg;
  std::vector<std::uint64_t> wdeg;  // weighted marginals (set_weights)
  std::vector<char> state, covered;
  std::vector<vertex_t> order, spill;
  std::vector<std::uint64_t> heap;
  std::vector<detail::WeightedKey> wheap;
  detail::TieredIndex index;
  template <class C>
  std::vector<C>& degrees() {
    if constexpr (std::is_same_v<C, std::uint32_t>) return deg; else return wdeg;
  }
  template <class C>
  std::vector<typename detail::CoverageKey<C>::type>& keys() {
    if constexpr (std::is_same_v<C, std::uint32_t>) return heap; else return wheap;
  }
  std::size_t bytes() const noexcept {
    return deg.capacity() * 4 + wdeg.capacity() * 8 + state.capacity() + covered.capacity() +
           (order.capacity() + spill.capacity()) * 4 + heap.capacity() * 8 + wheap.capacity() * 16 + index.bytes();
  }
};

namespace detail {

/// Where the sets live: in this process, all of them (the counts are final as counted). The
/// distributed back end supplies another Counts with the same members over the sets of every
/// rank (distributed/max_coverage.hpp): `shared` = true, total(local sets) = all ranks' sets,
/// sum(deg) = the sum over ranks, fell(u) notes that a local set holding u was covered, and
/// exchange(lower) calls lower(u, c) for every count that fell by c on any rank since the last.
struct LocalCounts {
  static constexpr bool shared = false;
  std::uint64_t total(std::uint64_t local_sets) { return local_sets; }
  template <class C>
  void sum(std::vector<C>&) {}
  void fell(vertex_t) {}
  template <class Lower>
  void exchange(Lower&&) {}
};

/// One run of the coverage greedy; C is the marginal's type (uint32 = unit weights, uint64 =
/// set_weights, or unit weights summed over ranks when Counts is shared). Phases: count
/// marginals, mark what may be chosen, index the fixed seeds and take them, then the lazy greedy
/// over tiers of the index (see max_coverage).
template <class C, class Counts = LocalCounts>
class CoverageGreedy {
  using Key = CoverageKey<C>;
  static constexpr bool unit = std::is_same_v<C, std::uint32_t>;  // the marginal is ws.deg itself
  static constexpr bool weighted = !unit && !Counts::shared;      // set_weights

 public:
  CoverageGreedy(const CoverageSets& sets, vertex_t n, std::size_t k, const MaxCoverageOptions& opt,
                 MaxCoverageWorkspace& ws, Counts counts = {})
      : sets_(sets), n_(n), k_(k), opt_(opt), ws_(ws), deg_(ws.degrees<C>()), heap_(ws.keys<C>()),
        track_(opt.upper_bound), counts_(std::move(counts)) {}

  MaxCoverageResult run() {
    count_marginals();
    total_sets_ = counts_.total(sets_.size());
    counts_.sum(deg_);
    mark_choosable();
    rank_candidates();
    ws_.covered.assign(sets_.size(), 0);
    ws_.index.reset(n_);
    ws_.index.add(opt_.fixed_seeds, sets_, ws_.deg.data(), ws_.covered.data());
    for (vertex_t f : opt_.fixed_seeds) res_.fixed_coverage += take(f);
    cov_ = res_.fixed_coverage;
    greedy();
    res_.coverage = cov_;
    res_.bytes = ws_.bytes() + (hist_.capacity() + count_.capacity()) * 4 + spill_values_.capacity() * sizeof(C);
    return std::move(res_);
  }

 private:
  /// deg[v] = (weight of) the sets holding v; two halves counted in parallel for large unit collections.
  void count_marginals() {
    std::vector<C>& deg = deg_;
    deg.assign(n_, 0);
    const std::span<const vertex_t> nodes = sets_.nodes;
    if constexpr (!unit) {
      ws_.deg.assign(n_, 0);  // the number of uncovered sets per vertex sizes its index list
      for (std::uint64_t j = 0; j < sets_.size(); ++j) {
        for (edge_t e = sets_.offsets[j]; e < sets_.offsets[j + 1]; ++e) {
          deg[nodes[e]] += weight(static_cast<std::uint32_t>(j));
          ++ws_.deg[nodes[e]];
        }
      }
    } else {
      const int nt = resolve_threads(opt_.threads);
      if (nt <= 1 || nodes.size() <= (1u << 20)) {
        for (vertex_t v : nodes) ++deg[v];
        return;
      }
      std::vector<std::uint32_t> other(n_, 0);
      const std::size_t half = nodes.size() / 2;
      parallel_threads(2, [&](int t, int got) {
        for (int b = t; b < 2; b += got) {
          std::uint32_t* c = b == 0 ? deg.data() : other.data();
          const std::size_t lo = b == 0 ? 0 : half, hi = b == 0 ? half : nodes.size();
          for (std::size_t i = lo; i < hi; ++i) ++c[nodes[i]];
        }
      });
      for (vertex_t v = 0; v < n_; ++v) deg[v] += other[v];
    }
  }

  /// state[v]: 0 = may still be chosen, 1 = fixed or already chosen seed, 2 = not allowed.
  void mark_choosable() {
    std::vector<char>& state = ws_.state;
    state.assign(n_, 0);
    for (vertex_t f : opt_.fixed_seeds) {
      KOLSIM_REQUIRE_INDEX(f < n_, "fixed seed vertex ", f, " out of range (n = ", n_, ")");
      state[f] = 1;
    }
    if (!opt_.allowed.empty()) {
      for (vertex_t v = 0; v < n_; ++v) {
        if (opt_.allowed[v] == 0 && !state[v]) state[v] = 2;
      }
    }
  }

  /// order = choosable vertices in at least one set; top = their largest marginal; the
  /// histogram of marginals for the top-k upper bound.
  void rank_candidates() {
    std::vector<vertex_t>& order = ws_.order;
    order.resize(n_);
    std::size_t c = 0;  // branch-free compaction: most of a large graph is in no set
    for (vertex_t v = 0; v < n_; ++v) {
      order[c] = v;
      c += static_cast<std::size_t>(deg_[v] > 0) & static_cast<std::size_t>(ws_.state[v] == 0);
    }
    order.resize(c);
    for (vertex_t v : order) top_ = std::max(top_, deg_[v]);
    if constexpr (!weighted) {
      if (track_) {
        hist_.assign(static_cast<std::size_t>(top_) + 1, 0);
        for (vertex_t v : order) ++hist_[deg_[v]];
      }
    }
  }

  C weight(std::uint32_t j) const {
    if constexpr (!weighted) return 1; else return opt_.set_weights[j];
  }

  /// Marks set j covered and lowers the marginal of every vertex in it (shared counts: notes
  /// the fall, exchange() lowers them).
  void cover_set(std::uint32_t j) {
    ws_.covered[j] = 1;
    const vertex_t* nodes = sets_.nodes.data();
    const edge_t lo = sets_.offsets[j], hi = sets_.offsets[j + 1];
    if constexpr (Counts::shared) {
      for (edge_t e = lo; e < hi; ++e) {
        --ws_.deg[nodes[e]];
        counts_.fell(nodes[e]);
      }
    } else if constexpr (!unit) {
      const C w = weight(j);
      for (edge_t e = lo; e < hi; ++e) {
        deg_[nodes[e]] -= w;
        --ws_.deg[nodes[e]];
      }
    } else if (!track_) {
      for (edge_t e = lo; e < hi; ++e) --deg_[nodes[e]];
    } else {
      for (edge_t e = lo; e < hi; ++e) {
        const vertex_t u = nodes[e];
        const std::uint32_t d = deg_[u]--;
        if (ws_.state[u] == 0) {
          --hist_[d];
          ++hist_[d - 1];
        }
      }
    }
  }

  /// Covers the uncovered sets of v (indexed); returns their weight (over every rank).
  std::uint64_t take(vertex_t v) {
    std::uint64_t gain = 0;
    for (std::uint32_t j : ws_.index.of(v)) {
      if (!ws_.covered[j]) {
        cover_set(j);
        gain += weight(j);
      }
    }
    if constexpr (Counts::shared) {
      gain = deg_[v];  // v's marginal before the pick, summed over ranks
      counts_.exchange([this](vertex_t u, C c) { lower(u, c); });
    }
    return gain;
  }

  /// Lowers u's marginal by c (a fall that came from exchange()).
  void lower(vertex_t u, C c) {
    const C d = deg_[u];
    if (track_ && ws_.state[u] == 0) {
      --hist_[d];
      ++hist_[d - c];
    }
    deg_[u] = d - c;
  }

  /// Sum of the k largest current marginals (the number of sets when not tracked).
  std::uint64_t topk_sum() {
    if constexpr (!weighted) {
      if (!track_) return total_sets_;
      while (top_ > 0 && hist_[top_] == 0) --top_;
      std::uint64_t sum = 0;
      std::size_t left = k_;
      for (C d = top_; d > 0 && left > 0; --d) {
        const std::size_t c = std::min<std::size_t>(left, hist_[d]);
        sum += static_cast<std::uint64_t>(c) * d;
        left -= c;
      }
      return sum;
    } else {
      return total_sets_;
    }
  }

  /// Largest t such that at least `want` of order[ranked ..) have marginal >= t (0 if fewer),
  /// and `below` = the largest marginal under t among them.
  void tier_threshold(std::size_t want, C& threshold, C& below) {
    const std::vector<vertex_t>& order = ws_.order;
    if constexpr (!weighted) {  // histogram: no sort
      count_.assign(static_cast<std::size_t>(rest_max_) + 1, 0);
      for (std::size_t i = ranked_; i < order.size(); ++i) ++count_[deg_[order[i]]];
      threshold = rest_max_;
      for (std::size_t have = count_[threshold]; have < want && threshold > 0;) have += count_[--threshold];
      below = threshold;
      while (below > 0 && count_[--below] == 0) {
      }
    } else {  // weighted marginals are too wide for a histogram
      spill_values_.clear();
      for (std::size_t i = ranked_; i < order.size(); ++i) spill_values_.push_back(deg_[order[i]]);
      threshold = 0;
      if (spill_values_.size() >= want) {
        std::nth_element(spill_values_.begin(), spill_values_.begin() + static_cast<std::ptrdiff_t>(want - 1),
                         spill_values_.end(), std::greater<>());
        threshold = spill_values_[want - 1];
      }
      below = 0;
      for (C d : spill_values_)
        if (d < threshold) below = std::max(below, d);
    }
  }

  /// Indexes and heaps the next tier: every remaining vertex whose current marginal reaches the
  /// threshold at which at least `want` of them do, want = 8k + 512 for the first tier and four
  /// times the indexed count after; rest_max bounds the marginal of every vertex left out.
  void next_tier() {
    std::vector<vertex_t>& order = ws_.order;
    if (ranked_ == order.size()) {
      rest_max_ = 0;
      return;
    }
    const std::size_t want = std::max<std::size_t>(ranked_ * 4, 8 * k_ + 512) - ranked_;
    C threshold = 0, below = 0;
    tier_threshold(want, threshold, below);
    // Branch-free partition of order[ranked ..): the tier first, the rest after it.
    std::vector<vertex_t>& spill = ws_.spill;
    std::size_t in = ranked_, out = 0;
    spill.resize(order.size() - ranked_);
    for (std::size_t i = ranked_; i < order.size(); ++i) {
      const vertex_t v = order[i];
      const bool hit = deg_[v] >= threshold;
      order[in] = v;
      spill[out] = v;
      in += hit;
      out += !hit;
    }
    std::copy(spill.begin(), spill.begin() + static_cast<std::ptrdiff_t>(out), order.begin() + static_cast<std::ptrdiff_t>(in));
    ws_.index.add(std::span<const vertex_t>(order.data() + ranked_, in - ranked_), sets_, ws_.deg.data(),
                  ws_.covered.data());
    for (std::size_t i = ranked_; i < in; ++i) heap_.push_back(Key::make(deg_[order[i]], order[i]));
    std::make_heap(heap_.begin(), heap_.end());
    ranked_ = in;
    rest_max_ = ranked_ == order.size() ? 0 : below;
  }

  /// Lazy greedy over the indexed tiers: heap keys are upper bounds since marginals only
  /// shrink, so a fresh front is the true maximum with the lowest id among ties as long as it
  /// beats rest_max. Vertices in no set never enter the heap: once the best marginal is 0, the
  /// lowest remaining ids follow, as with a heap over all vertices.
  void greedy() {
    heap_.clear();
    rest_max_ = top_;
    next_tier();
    res_.upper_bound = std::min<std::uint64_t>(total_sets_, cov_ + topk_sum());
    Step step{*this};
    lazy_greedy(heap_, step);
    // Every remaining marginal is 0: lowest ids first.
    for (vertex_t v = 0; v < n_ && res_.seeds.size() < k_; ++v) {
      if (ws_.state[v] == 0) {
        res_.seeds.push_back(v);
        res_.marginal.push_back(0);
      }
    }
  }

  /// The coverage objective as a policy of lazy_greedy: a key is exact when its gain is the
  /// vertex's marginal; a front that does not beat every vertex outside the heap loads the
  /// next tier first.
  struct Step {
    CoverageGreedy& g;
    bool more() const { return g.res_.seeds.size() < g.k_; }
    void before_pick() const {}
    Lazy state(const typename Key::type& key) const {
      return Key::gain(key) == g.deg_[Key::vertex(key)] ? Lazy::fresh : Lazy::stale;
    }
    void update(typename Key::type& key) const { key = Key::make(g.deg_[Key::vertex(key)], Key::vertex(key)); }
    Pick decide(const typename Key::type* front) {
      if (!front) {
        if (g.ranked_ == g.ws_.order.size()) return Pick::stop;
        g.next_tier();
        return Pick::retry;
      }
      const C stored = Key::gain(*front);
      if (stored == 0 ? g.rest_max_ > 0 : stored <= g.rest_max_) {  // a vertex outside the heap may beat or tie it
        g.next_tier();
        return Pick::retry;
      }
      return stored == 0 ? Pick::stop : Pick::take;
    }
    void take(const typename Key::type& key) {
      const vertex_t v = Key::vertex(key);
      const std::uint64_t gain = g.take(v);
      g.ws_.state[v] = 1;  // its sets are all covered now: cover_set never meets it again
      g.res_.seeds.push_back(v);
      g.res_.marginal.push_back(gain);
      g.cov_ += gain;
      g.res_.upper_bound = std::min(g.res_.upper_bound, g.cov_ + g.topk_sum());
    }
  };

  const CoverageSets& sets_;
  vertex_t n_;
  std::size_t k_;
  const MaxCoverageOptions& opt_;
  MaxCoverageWorkspace& ws_;
  std::vector<C>& deg_;
  std::vector<typename Key::type>& heap_;
  bool track_;
  Counts counts_;
  MaxCoverageResult res_;
  std::uint64_t cov_ = 0, total_sets_ = 0;
  C top_ = 0, rest_max_ = 0;
  std::size_t ranked_ = 0;  // order[ranked_ ..) are the vertices not yet in the heap
  std::vector<std::uint32_t> hist_, count_;
  std::vector<C> spill_values_;
};

}  // namespace detail

/// Greedy maximum coverage of `sets` (vertices < n) with k seeds. Deterministic. `work`
/// (optional) lends its arrays and keeps them for the next call.
///
/// The inverted index (vertex -> RR sets holding it) is built lazily in tiers: first for the
/// fixed seeds and the choosable vertices in the most sets (at least 8k + 512 of them, cut at a
/// count threshold), and for a next, four times larger tier only when the greedy's best
/// marginal no longer beats every vertex outside the heap (rare on large collections: on
/// Slashdot with 440k RR sets the 50 seeds all rank within the top 400). Each tier costs one
/// pass over the collection; seeds, gains and bounds are exactly those of a full index.
inline MaxCoverageResult max_coverage(const CoverageSets& sets, vertex_t n, std::size_t k,
                                      const MaxCoverageOptions& opt = {}, MaxCoverageWorkspace* work = nullptr) {
  MaxCoverageWorkspace own;
  MaxCoverageWorkspace& ws = work ? *work : own;
  KOLSIM_REQUIRE(opt.allowed.empty() || opt.allowed.size() == n, "max_coverage: allowed mask has ",
                 opt.allowed.size(), " entries, expected ", n);
  KOLSIM_REQUIRE(sets.size() < UINT32_MAX, "max_coverage: too many RR sets (", sets.size(), ")");
  if (opt.set_weights.empty()) return detail::CoverageGreedy<std::uint32_t>(sets, n, k, opt, ws).run();
  KOLSIM_REQUIRE(opt.set_weights.size() == sets.size(), "max_coverage: set_weights has ", opt.set_weights.size(),
                 " entries, expected ", sets.size());
  KOLSIM_REQUIRE(!opt.upper_bound, "max_coverage: the top-k upper bound needs unit weights (set upper_bound = false)");
  return detail::CoverageGreedy<std::uint64_t>(sets, n, k, opt, ws).run();
}

}  // namespace kolsim

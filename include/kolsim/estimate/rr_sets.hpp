// SPDX-License-Identifier: MIT
/// Reverse-reachable (RR) sets: compact storage, a reproducible parallel sampler for IC and LT
/// (with deadlines and weighted roots), the RR spread estimator and the memory estimate.
///
/// Borgs, Brautbar, Chayes, Lucier, SODA 2014: for a random root r and a random live-edge world,
/// the accounts that reach r form an RR set, and spread(S) = W * Pr[S hits an RR set] (W = n, or
/// the total root weight). IC sets use subset sampling where an account's in-edges share one
/// probability (SUBSIM, Guo et al., SIGMOD 2020): under the weighted cascade (p = 1/indeg) the
/// number of live in-edges is drawn by inverting its binomial distribution from a per-degree
/// table and the live slots are drawn uniformly without replacement (no logarithms); other
/// shared probabilities take geometric skips. LT sets walk back one in-neighbour at a time,
/// chosen with probability w(u, v). Cost: O(edges examined) per set.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <type_traits>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/graph/probabilities.hpp"

namespace kolsim {

/// A sequence of RR sets in flat storage: RR set j is nodes()[offsets()[j] .. offsets()[j+1]).
class RRCollection {
 public:
  RRCollection() = default;

  /// Number of RR sets.
  std::uint64_t size() const noexcept { return offsets_.size() - 1; }
  bool empty() const noexcept { return size() == 0; }
  /// Total number of vertex entries over all sets.
  edge_t total_nodes() const noexcept { return nodes_.size(); }
  /// RR set j (vertices in discovery order, root first).
  std::span<const vertex_t> set(std::uint64_t j) const noexcept {
    return {nodes_.data() + offsets_[j], static_cast<std::size_t>(offsets_[j + 1] - offsets_[j])};
  }
  std::span<const vertex_t> nodes() const noexcept { return nodes_; }
  std::span<const edge_t> offsets() const noexcept { return offsets_; }
  /// Bytes held (capacity) by the two arrays.
  std::size_t bytes() const noexcept {
    return nodes_.capacity() * sizeof(vertex_t) + offsets_.capacity() * sizeof(edge_t);
  }
  /// Mean number of vertices per RR set (0 when empty).
  double mean_size() const noexcept { return empty() ? 0.0 : static_cast<double>(nodes_.size()) / size(); }

  /// Appends one RR set.
  void push_set(std::span<const vertex_t> set) {
    nodes_.insert(nodes_.end(), set.begin(), set.end());
    offsets_.push_back(nodes_.size());
  }
  /// Appends every set of `other`, in order.
  void append(const RRCollection& other) {
    const edge_t base = nodes_.size();
    nodes_.insert(nodes_.end(), other.nodes_.begin(), other.nodes_.end());
    offsets_.reserve(offsets_.size() + other.size());
    for (std::uint64_t j = 1; j < other.offsets_.size(); ++j) offsets_.push_back(base + other.offsets_[j]);
  }
  void reserve(std::uint64_t sets, edge_t nodes) {
    offsets_.reserve(sets + 1);
    nodes_.reserve(nodes);
  }
  void clear() noexcept {
    nodes_.clear();
    offsets_.assign(1, 0);
  }
  /// Frees all memory.
  void release() {
    std::vector<vertex_t>().swap(nodes_);
    std::vector<edge_t>(1, 0).swap(offsets_);
  }

 private:
  template <class M>
  friend class RRSampler;
  std::vector<vertex_t> nodes_;
  std::vector<edge_t> offsets_{0};
};

/// How RR sets are drawn.
struct RRSampleOptions {
  /// Time-critical IM (Chen, Lu, Zhang, AAAI 2012): only accounts within max_depth reverse steps
  /// of the root (a deadline of max_depth propagation steps) enter the set.
  std::uint32_t max_depth = UINT32_MAX;
  /// Empty = roots uniform; else root v is drawn with probability weight[v] / sum (targeted or
  /// weighted reach; alias table). One non-negative finite weight per vertex.
  std::span<const double> root_weights;
  int threads = 0;  ///< 0 = all
  StopToken stop;   ///< polled between batches
};

/// The default memory limit of RR-based selectors: usable_memory() (RAM, cgroup, rlimits).
inline std::size_t default_memory_limit() { return static_cast<std::size_t>(usable_memory()); }

/// Bytes that `sets` RR sets of mean size `mean_size` need in an RRCollection plus the inverted
/// index the greedy builds over them.
inline double rr_bytes_estimate(double mean_size, double sets) noexcept {
  return sets * (mean_size * (sizeof(vertex_t) + sizeof(std::uint32_t)) + sizeof(edge_t) + 1.0);
}

/// Throws MemoryLimitError when `sets` RR sets of mean size `mean_size` (plus `other_bytes`)
/// would exceed `limit` bytes (0 = default_memory_limit()). `who` names the algorithm.
inline void check_rr_memory(const char* who, double mean_size, double sets, std::size_t other_bytes,
                            std::size_t limit) {
  if (limit == 0) limit = default_memory_limit();
  const double need = rr_bytes_estimate(mean_size, sets) + static_cast<double>(other_bytes);
  if (need > static_cast<double>(limit)) {
    throw MemoryLimitError(detail::concat(
        who, ": ", static_cast<std::uint64_t>(sets), " RR sets of mean size ", mean_size, " need about ",
        static_cast<std::uint64_t>(need / 1048576.0), " MiB, above the memory limit of ",
        static_cast<std::uint64_t>(static_cast<double>(limit) / 1048576.0),
        " MiB; use a larger epsilon, a smaller k, or raise memory_limit"));
  }
}

namespace detail {

/// Walker's alias table over vertex weights (O(n) build, O(1) draw).
class RRAliasTable {
 public:
  RRAliasTable() = default;
  explicit RRAliasTable(std::span<const double> w) {
    const std::size_t n = w.size();
    double total = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      KOLSIM_REQUIRE(std::isfinite(w[i]) && w[i] >= 0.0, "root_weights: weight of vertex ", i,
                     " must be finite and >= 0, got ", w[i]);
      total += w[i];
    }
    KOLSIM_REQUIRE(total > 0.0, "root_weights: weights sum to 0");
    total_ = total;
    threshold_.assign(n, 0);
    alias_.resize(n);
    std::vector<double> scaled(n);
    std::vector<std::uint32_t> small, large;
    for (std::size_t i = 0; i < n; ++i) {
      scaled[i] = w[i] * static_cast<double>(n) / total;
      alias_[i] = static_cast<std::uint32_t>(i);
      (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
    }
    while (!small.empty() && !large.empty()) {
      const std::uint32_t s = small.back(), l = large.back();
      small.pop_back();
      threshold_[s] = static_cast<std::uint64_t>(scaled[s] * 4294967296.0);
      alias_[s] = l;
      scaled[l] -= 1.0 - scaled[s];
      if (scaled[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
    for (auto i : large) threshold_[i] = std::uint64_t{1} << 32;
    for (auto i : small) threshold_[i] = std::uint64_t{1} << 32;  // rounding leftovers
  }
  double total() const noexcept { return total_; }
  vertex_t draw(Rng& rng) const noexcept {
    const vertex_t i = rng.below(static_cast<std::uint32_t>(alias_.size()));
    return rng.next_u32() < threshold_[i] ? i : alias_[i];
  }
  std::size_t bytes() const noexcept { return threshold_.capacity() * 8 + alias_.capacity() * 4; }

 private:
  std::vector<std::uint64_t> threshold_;
  std::vector<std::uint32_t> alias_;
  double total_ = 0.0;
};

/// Per-thread scratch: epoch-stamped visited marks (simple sampler), one visited bit per set of
/// a batch (batched sampler; all bits are zero between calls) and the batch's buffers.
struct RRScratch {
  /// An edge drawn for RR set `set` of a batch: first its edge index, then its in-neighbour.
  struct Pending {
    edge_t e;
    std::uint32_t set;
  };
  std::vector<std::uint32_t> mark;
  std::vector<std::uint32_t> bits;
  std::vector<std::vector<vertex_t>> bufs;
  std::vector<Pending> pending;
  std::vector<Rng> rngs;
  std::uint32_t epoch = 0;
  void prepare(vertex_t n) {
    if (mark.size() != n) {
      mark.assign(n, 0);
      epoch = 0;
    }
  }
  void prepare_bits(vertex_t n) {
    if (bits.size() != n) bits.assign(n, 0);
  }
  std::uint32_t next_epoch() {
    if (++epoch == 0) {
      std::fill(mark.begin(), mark.end(), 0);
      epoch = 1;
    }
    return epoch;
  }
};

/// Uniform in (0, 1) from 32 random bits (never 0, so log() is finite).
inline double rr_open_uniform(Rng& rng) noexcept {
  return (static_cast<double>(rng.next_u32()) + 0.5) * 0x1.0p-32;
}

/// Weighted-cascade rows: an account with d in-edges of probability p = 1/d (as stored, a
/// float) has K ~ Binomial(d, p) live in-edges, mean 1. The sampler draws K by comparing one
/// 32-bit uniform u with the cumulative distribution scaled to 2^32 (K = number of thresholds
/// <= u), then K distinct slots uniformly. Degrees up to kWcMaxDegree have a table row with
/// the first kWcTable thresholds (K >= kWcTable, probability ~1e-5, is found by wc_tail_count).
inline constexpr std::uint32_t kWcMaxDegree = 4096;
inline constexpr unsigned kWcTable = 8;
using WcRow = std::array<std::uint32_t, kWcTable>;

/// Calls f(k, c) for k = 0, 1, ... with c = Pr[Binomial(d, 1/d) <= k] (one fixed recurrence, so
/// the table and the tail agree) until f returns true or k = d.
template <class F>
std::uint32_t wc_cdf_walk(std::uint32_t d, F&& f) {
  const double p = weighted_cascade_probability(d);
  double pk = std::pow(1.0 - p, static_cast<double>(d)), c = 0.0;
  for (std::uint32_t k = 0; k < d; ++k) {
    c += pk;
    if (f(k, c)) return k;
    pk *= static_cast<double>(d - k) / static_cast<double>(k + 1) * p / (1.0 - p);
  }
  return d;
}

/// Threshold of c scaled to 2^32: u < threshold exactly when u < c * 2^32 (u a 32-bit integer).
inline std::uint32_t wc_threshold(double c) noexcept {
  const double x = std::ceil(c * 4294967296.0);
  return x >= 4294967295.0 ? UINT32_MAX : static_cast<std::uint32_t>(x);
}

/// Table row of in-degree d (2 <= d).
inline WcRow wc_row(std::uint32_t d) {
  WcRow t;
  t.fill(UINT32_MAX);
  wc_cdf_walk(d, [&](std::uint32_t k, double c) {
    t[k] = wc_threshold(c);
    return k + 1 == kWcTable;
  });
  return t;
}

/// K for a draw u beyond the table row (u >= row[kWcTable - 1]): the least k with
/// u < c_k * 2^32, or d.
inline std::uint32_t wc_tail_count(std::uint32_t d, std::uint32_t u) {
  return wc_cdf_walk(d, [&](std::uint32_t, double c) { return static_cast<double>(u) < c * 4294967296.0; });
}

/// Calls emit(j) for `count` distinct slots j of [0, d), uniformly (count <= d): up to
/// kWcTable by rejection of repeats, in draw order; beyond, by selection sampling (Knuth's
/// algorithm S), in slot order.
template <class Emit>
void rr_distinct_slots(std::uint32_t d, std::uint32_t count, Rng& rng, Emit&& emit) {
  if (count <= kWcTable) {
    std::uint32_t got[kWcTable];
    for (std::uint32_t i = 0; i < count; ++i) {
      std::uint32_t x;
      bool seen;
      do {
        x = rng.below(d);
        seen = false;
        for (std::uint32_t j = 0; j < i; ++j) seen |= got[j] == x;
      } while (seen);
      got[i] = x;
      emit(x);
    }
    return;
  }
  std::uint32_t left = count;
  for (std::uint32_t j = 0; j < d && left > 0; ++j) {
    if (rng.below(d - j) < left) {
      emit(j);
      --left;
    }
  }
}

/// The batching and thread split of an RR sampler that draws one set at a time: sets
/// first_index .. first_index + count - 1 are drawn by draw(i, out, scratch) in contiguous
/// per-thread blocks and appended in index order, so `out` is identical for any thread count;
/// `stop` is polled by the caller's thread every 4096 sets. Scratch slots lane * threads + t are
/// used (grown when needed). Used by the RRSampler specialisations of other models.
template <class Scratch, class Draw>
void sample_rr_one_by_one(std::vector<Scratch>& scratch, std::uint64_t first_index, std::uint64_t count,
                          RRCollection& out, int threads, const StopToken& stop, int lane, Draw&& draw) {
  const int nt = resolve_threads(threads);
  check_stop(stop);
  if (count == 0) return;
  const std::size_t base = static_cast<std::size_t>(lane) * static_cast<std::size_t>(nt);
  if (scratch.size() < base + static_cast<std::size_t>(nt)) scratch.resize(base + static_cast<std::size_t>(nt));
  constexpr std::uint64_t batch = 1 << 12;
  if (nt <= 1 || count < 2048) {
    for (std::uint64_t b = 0; b < count; b += batch) {
      check_stop(stop);
      for (std::uint64_t i = b; i < std::min(count, b + batch); ++i) draw(first_index + i, out, scratch[base]);
    }
    return;
  }
  std::vector<RRCollection> local(static_cast<std::size_t>(nt));
  int granted = nt;
  std::atomic<bool> abandon{false};
  parallel_threads(nt, [&](int t, int team) {
    if (t == 0) granted = team;
    const std::uint64_t lo = count * static_cast<std::uint64_t>(t) / static_cast<std::uint64_t>(team);
    const std::uint64_t hi = count * static_cast<std::uint64_t>(t + 1) / static_cast<std::uint64_t>(team);
    RRCollection& dst = t == 0 ? out : local[static_cast<std::size_t>(t)];
    for (std::uint64_t b = lo; b < hi; b += batch) {
      if (t == 0 && stop && stop()) {
        abandon.store(true, std::memory_order_relaxed);
        throw Interrupted();
      }
      if (t != 0 && abandon.load(std::memory_order_relaxed)) return;
      for (std::uint64_t i = b; i < std::min(hi, b + batch); ++i)
        draw(first_index + i, dst, scratch[base + static_cast<std::size_t>(t)]);
    }
  });
  for (int t = 1; t < granted; ++t) out.append(local[static_cast<std::size_t>(t)]);
}

/// Per-lane buffers of a reverse search (begin_reverse_search / reverse_search).
struct ReverseSearchScratch {
  std::vector<std::uint32_t> mark;
  std::uint32_t epoch = 0;
  std::vector<vertex_t> nodes;
  std::vector<edge_t> buf;
};

/// Starts a reverse search over n accounts: a fresh mark epoch and no nodes yet.
inline void begin_reverse_search(ReverseSearchScratch& s, vertex_t n) {
  if (s.mark.size() != n) s.mark.assign(n, 0);
  if (++s.epoch == 0) {
    std::fill(s.mark.begin(), s.mark.end(), 0u);
    s.epoch = 1;
  }
  s.nodes.clear();
}

/// Adds a start account (a root) of the search; each once.
inline void add_reverse_root(ReverseSearchScratch& s, vertex_t x) {
  s.nodes.push_back(x);
  s.mark[x] = s.epoch;
}

/// The reverse search of the one-at-a-time samplers, from the roots in s.nodes: every visited
/// account w draws its live in-edges with sampler.sample(g, w, rng, buf) (a triggering draw) and
/// adds their unvisited sources; accounts max_depth or more reverse steps from the roots are not
/// expanded. s.nodes ends as the RR set.
template <class Sampler>
void reverse_search(const FollowerGraph& g, const Sampler& sampler, Rng& rng, std::uint32_t max_depth,
                    ReverseSearchScratch& s) {
  const vertex_t* in_src = g.in_sources().data();
  std::size_t head = 0, level_end = s.nodes.size();
  std::uint32_t depth = 0;
  while (head < s.nodes.size()) {
    if (head == level_end) {
      if (++depth >= max_depth) break;
      level_end = s.nodes.size();
    }
    const vertex_t w = s.nodes[head++];
    s.buf.clear();
    sampler.sample(g, w, rng, s.buf);
    for (edge_t j : s.buf) {
      const vertex_t u = in_src[j];
      if (s.mark[u] != s.epoch) {
        s.mark[u] = s.epoch;
        s.nodes.push_back(u);
      }
    }
  }
}

/// What the RRSampler specialisations that draw one set at a time (triggering, continuous-time
/// IC) share: the root distribution (uniform, or by root weight through an alias table), the
/// accessors IMM and OPIM-C call, per-lane scratch and sample() through sample_rr_one_by_one.
/// Derived calls init_roots() from its constructor (after its own checks) and provides
/// `draw(seed, domain, index, out, scratch) const`, drawing its root with draw_root().
template <class Derived, class Scratch>
class OneByOneRRSampler {
 public:
  const FollowerGraph& graph() const noexcept { return *g_; }
  double total_weight() const noexcept { return weighted_ ? alias_.total() : static_cast<double>(roots_); }
  std::size_t bytes() const noexcept { return alias_.bytes(); }
  void set_interleaved(bool) noexcept {}
  bool interleaved() const noexcept { return false; }
  void reserve_lanes(int lanes, int threads) {
    const std::size_t need = static_cast<std::size_t>(lanes) * static_cast<std::size_t>(resolve_threads(threads));
    if (scratch_.size() < need) scratch_.resize(need);
  }

  /// Appends RR sets first_index .. first_index + count - 1 to `out` (see RRSampler).
  void sample(std::uint64_t seed, std::uint32_t domain, std::uint64_t first_index, std::uint64_t count,
              RRCollection& out, int threads = 0, const StopToken& stop = {}, int lane = 0) {
    const auto& self = static_cast<const Derived&>(*this);
    sample_rr_one_by_one(scratch_, first_index, count, out, threads, stop, lane,
                         [&](std::uint64_t i, RRCollection& dst, Scratch& s) { self.draw(seed, domain, i, dst, s); });
  }

 protected:
  /// Checks the graph and the root weights (empty = uniform roots). `roots` > 0: roots are
  /// drawn uniformly from 0 .. roots - 1 instead of over the vertices (the multiplex's people).
  void init_roots(const FollowerGraph& g, std::span<const double> root_weights, vertex_t roots = 0) {
    g_ = &g;
    KOLSIM_REQUIRE(g.num_vertices() > 0, "RR sampling: the graph has no vertices");
    roots_ = roots > 0 ? roots : g.num_vertices();
    KOLSIM_REQUIRE(root_weights.empty() || root_weights.size() == g.num_vertices(), "root_weights: expected ",
                   g.num_vertices(), " weights (one per vertex), got ", root_weights.size());
    if (!root_weights.empty()) {
      alias_ = RRAliasTable(root_weights);
      weighted_ = true;
    }
  }
  vertex_t draw_root(Rng& rng) const { return weighted_ ? alias_.draw(rng) : rng.below(roots_); }

 private:
  const FollowerGraph* g_ = nullptr;
  vertex_t roots_ = 0;
  bool weighted_ = false;
  RRAliasTable alias_;
  std::vector<Scratch> scratch_;
};

}  // namespace detail

/// A reusable RR sampler for one graph and model: precomputes per account how its in-edges are
/// sampled (IC: none / all live / weighted-cascade binomial / geometric skips over a shared
/// probability / coin flips; LT: direct index for equal weights / scan), the root alias table,
/// and per-thread marks. Build it once and draw many batches.
///
/// The per-account plan is one 8-byte entry (32-bit row start + a float) when the graph has
/// fewer than 2^32 edges, else 16 bytes: sampling is bound by cache misses on the plan and the
/// in-neighbour rows, and a plan half the size stays in the L2 cache for graphs twice as large.
template <class M>
class RRSampler {
  static_assert(std::is_same_v<M, IndependentCascade> || std::is_same_v<M, LinearThreshold>,
                "RRSampler supports IndependentCascade and LinearThreshold");
  static constexpr bool kIC = std::is_same_v<M, IndependentCascade>;

 public:
  /// `threads` (0 = all) build the per-account plan.
  RRSampler(const FollowerGraph& g, const M& model, std::uint32_t max_depth = UINT32_MAX,
            std::span<const double> root_weights = {}, int threads = 0)
      : g_(&g), max_depth_(max_depth) {
    const int nt = resolve_threads(threads);
    // LT: the plan sums every account's in-weights anyway; validate (and its error) runs only
    // when one sum is above 1 + tolerance.
    if constexpr (kIC) {
      model.validate(g, nt);
    } else {
      g.require_probabilities("LinearThreshold");
    }
    const vertex_t n = g.num_vertices();
    KOLSIM_REQUIRE(n > 0, "RR sampling: the graph has no vertices");
    KOLSIM_REQUIRE(root_weights.empty() || root_weights.size() == n, "root_weights: expected ", n,
                   " weights (one per vertex), got ", root_weights.size());
    if (!root_weights.empty()) {
      alias_ = detail::RRAliasTable(root_weights);
      weighted_ = true;
    }
    if constexpr (kIC) {  // weighted-cascade table rows for the in-degrees that occur
      const auto in_off = g.in_offsets();
      std::vector<char> present(detail::kWcMaxDegree + 1, 0);
      edge_t top = 0;
      for (vertex_t v = 0; v < n; ++v) {
        const edge_t d = std::min<edge_t>(in_off[v + 1] - in_off[v], detail::kWcMaxDegree);
        present[d] = 1;
        top = std::max(top, d);
      }
      wc_.resize(top + 1);
      for (std::uint32_t d = 2; d <= top; ++d)
        if (present[d]) wc_[d] = detail::wc_row(d);
    }
    require_memory("RR sampling: the per-account plan",
                   static_cast<double>(n) * (g.num_edges() < (edge_t{1} << 32) ? 8.0 : 16.0) +
                       (root_weights.empty() ? 0.0 : static_cast<double>(n) * 16.0));
    const bool over_weight = g.num_edges() < (edge_t{1} << 32) ? build_plan(plan32_, nt) : build_plan(plan64_, nt);
    if (over_weight) model.validate(g, nt);
    const std::size_t entry = plan32_.empty() ? sizeof(Entry<edge_t>) : sizeof(Entry<std::uint32_t>);
    interleaved_ = static_cast<double>(n) * static_cast<double>(entry + sizeof(std::uint32_t)) +
                       static_cast<double>(g.num_edges()) * sizeof(vertex_t) >
                   static_cast<double>(kInterleaveBytes);
  }

  const FollowerGraph& graph() const noexcept { return *g_; }
  /// Scale of the estimator: n, or the total root weight.
  double total_weight() const noexcept { return weighted_ ? alias_.total() : static_cast<double>(g_->num_vertices()); }
  /// Bytes held by the sampler's tables (not counting per-thread scratch).
  std::size_t bytes() const noexcept {
    return plan32_.capacity() * sizeof(Entry<std::uint32_t>) + plan64_.capacity() * sizeof(Entry<edge_t>) +
           wc_.capacity() * sizeof(detail::WcRow) + alias_.bytes();
  }

  /// Makes room for `lanes` concurrent sample() calls of up to `threads` threads each.
  void reserve_lanes(int lanes, int threads) {
    const std::size_t need = static_cast<std::size_t>(lanes) * static_cast<std::size_t>(resolve_threads(threads));
    if (scratch_.size() < need) scratch_.resize(need);
  }

  /// Interleaved sampling draws 32 RR sets together, level by level, with prefetches so their
  /// cache misses overlap; off = one set at a time (draw_one). Both give bit-identical
  /// collections. The constructor turns it on when the randomly accessed tables (plan, visited
  /// marks, in-neighbour rows) exceed kInterleaveBytes, beyond one core's L2 cache; below, every
  /// access hits the cache and one set at a time costs less. Weighted-cascade IC, 1 thread:
  /// NetHEPT (0.4 MB) one at a time 1.7x faster; Slashdot (4.5 MB) equal; PL1M (53 MB)
  /// interleaved 1.8x faster.
  static constexpr std::size_t kInterleaveBytes = std::size_t{4} << 20;
  void set_interleaved(bool on) noexcept { interleaved_ = on; }
  bool interleaved() const noexcept { return interleaved_; }

  /// Appends RR sets first_index .. first_index + count - 1 to `out`; RR set i draws only from
  /// Rng(seed, i, domain), so `out` is identical for any thread count.
  ///
  /// Calls on one sampler may run concurrently only with different `lane`s, each lane's
  /// scratch reserved beforehand with reserve_lanes().
  void sample(std::uint64_t seed, std::uint32_t domain, std::uint64_t first_index, std::uint64_t count,
              RRCollection& out, int threads = 0, const StopToken& stop = {}, int lane = 0) {
    const int nt = resolve_threads(threads);
    check_stop(stop);
    if (count == 0) return;
    const std::uint64_t batch = 1 << 14;  // stop polling granularity
    const std::size_t base = static_cast<std::size_t>(lane) * static_cast<std::size_t>(nt);
    if (nt <= 1 || count < 2048) {  // below ~1 ms of work a second thread costs more than it saves
      if (scratch_.size() <= base) scratch_.resize(base + 1);
      for (std::uint64_t b = 0; b < count; b += batch) {
        check_stop(stop);
        const std::uint64_t e = std::min(count, b + batch);
        draw_range(seed, domain, first_index + b, e - b, out, scratch_[base]);
      }
      return;
    }
    // Contiguous index blocks per thread; block 0 writes straight into `out`, the others into
    // local collections appended in index order.
    if (scratch_.size() < base + static_cast<std::size_t>(nt)) scratch_.resize(base + nt);
    std::vector<RRCollection> local(nt);
    const double hint = out.mean_size() > 0 ? out.mean_size() : 4.0;
    int granted = nt;
    std::atomic<bool> abandon{false};  // thread 0 saw a stop request: the others quit too
    parallel_threads(nt, [&](int t, int team) {
      if (t == 0) granted = team;
      const std::uint64_t lo = count * t / team, hi = count * (t + 1) / team;
      RRCollection& dst = t == 0 ? out : local[t];
      if (t != 0) dst.reserve(hi - lo, static_cast<edge_t>(hint * (hi - lo) * 1.1));
      for (std::uint64_t b = lo; b < hi; b += batch) {
        if (t == 0 && stop && stop()) {
          abandon.store(true, std::memory_order_relaxed);
          throw Interrupted();
        }
        if (t != 0 && abandon.load(std::memory_order_relaxed)) return;
        const std::uint64_t e = std::min(hi, b + batch);
        draw_range(seed, domain, first_index + b, e - b, dst, scratch_[base + t]);
      }
    });
    for (int t = 1; t < granted; ++t) {
      out.append(local[t]);
      local[t].release();
    }
  }

 private:
  /// Per-account plan; the row of v is in_sources[begin(v) .. begin(v + 1)). IC aux: < 0 =
  /// 1 / log(1 - p) (geometric skips over a shared p), 0 = a coin flip per edge, kAllLive = every
  /// in-edge live, kNone = no live in-edge possible, kWeightedCascade = p = 1/d on every in-edge
  /// (binomial count from the table wc_[d]). LT aux: < 0 = -w (all weights equal),
  /// > 0 = sum of weights (scan), 0 = no in-edge.
  template <class Off>
  struct Entry {
    Off begin;
    float aux;
  };
  static constexpr float kAllLive = 1.0f;
  static constexpr float kNone = 2.0f;
  static constexpr float kWeightedCascade = 3.0f;

  /// A row as the drawing code sees it.
  struct Row {
    edge_t begin;
    std::uint32_t deg;
    float aux;
  };
  template <class Off>
  static Row row(const Entry<Off>* plan, vertex_t v) noexcept {
    const Entry<Off>& a = plan[v];
    return {static_cast<edge_t>(a.begin), static_cast<std::uint32_t>(plan[v + 1].begin - a.begin), a.aux};
  }
  /// True when the row can contribute (IC: not kNone; LT: some weight).
  static bool live_row(const Row& r) noexcept {
    if constexpr (kIC) {
      return r.aux != kNone;
    } else {
      return r.aux != 0.0f;
    }
  }

  template <class Off>
  /// Builds the plan; true when (LT) some account's in-weights sum above 1 + tolerance.
  bool build_plan(std::vector<Entry<Off>>& plan, int threads) {
    const FollowerGraph& g = *g_;
    const vertex_t n = g.num_vertices();
    plan.resize(static_cast<std::size_t>(n) + 1);
    const auto in_off = g.in_offsets();
    constexpr std::uint64_t block = 1 << 15;
    std::atomic<bool> over_weight{false};
    parallel_for(0, detail::block_count(n, block), threads, [&](std::size_t b) {
      const auto [lo, hi] = detail::block_bounds(b, block, n);
      plan_block(plan, lo, hi, in_off, over_weight);
    }, 1);
    plan[n] = {static_cast<Off>(in_off[n]), 0.0f};
    return over_weight.load();
  }

  /// True when every value of the row is bitwise the same (a branch-free scan that vectorises;
  /// values are validated in [0, 1], so bitwise equality only splits 0 and -0).
  static bool same_values(const ProbRow& ps) noexcept {
    if (ps.empty() || ps.is_uniform()) return true;
    const auto first = std::bit_cast<std::uint32_t>(ps[0]);
    std::uint32_t diff = 0;
    for (prob_t p : ps) diff |= std::bit_cast<std::uint32_t>(p) ^ first;
    return diff == 0;
  }

  template <class Off>
  void plan_block(std::vector<Entry<Off>>& plan, vertex_t lo, vertex_t hi, std::span<const edge_t> in_off,
                  std::atomic<bool>& over_weight) const {
    const FollowerGraph& g = *g_;
    // 1 / log(1 - p) for the last few distinct p (weighted cascade repeats p = 1/d often).
    std::uint32_t memo_key[64];
    float memo_val[64];
    std::fill(std::begin(memo_key), std::end(memo_key), 0u);  // p = 0 never reaches the memo
    for (vertex_t v = lo; v < hi; ++v) {
      auto ps = g.in_probs(v);
      const std::size_t d = ps.size();
      KOLSIM_REQUIRE(d < UINT32_MAX, "RR sampling: in-degree of account ", g.account(v), " is too large");
      Entry<Off>& in = plan[v];
      in.begin = static_cast<Off>(in_off[v]);
      if constexpr (kIC) {
        const bool equal = same_values(ps);
        if (d == 0 || (equal && ps[0] <= 0.0f)) {
          in.aux = kNone;
        } else if (equal && ps[0] >= 1.0f) {
          in.aux = kAllLive;
        } else if (equal && d >= 2 && d < wc_.size() && ps[0] == weighted_cascade_probability(d)) {
          in.aux = kWeightedCascade;
        } else if (equal && d >= 6 && ps[0] < 0.3f) {
          std::uint32_t key;
          const prob_t p0 = ps[0];
          std::memcpy(&key, &p0, sizeof key);
          const std::uint32_t h = (key * 0x9E3779B1u) >> 26;
          if (memo_key[h] != key) {
            memo_key[h] = key;
            memo_val[h] = static_cast<float>(1.0 / std::log1p(-static_cast<double>(ps[0])));
          }
          in.aux = memo_val[h];
        } else {
          in.aux = 0.0f;
        }
      } else {
        const bool equal = same_values(ps);
        const double sum = detail::row_sum(ps);
        if (sum > 1.0 + LinearThreshold::weight_tolerance) over_weight.store(true, std::memory_order_relaxed);
        if (d == 0 || sum <= 0.0) {
          in.aux = 0.0f;
        } else {
          in.aux = equal ? -ps[0] : static_cast<float>(sum);
        }
      }
    }
  }

  /// RR sets first .. first + count - 1, appended in index order.
  void draw_range(std::uint64_t seed, std::uint32_t domain, std::uint64_t first, std::uint64_t count,
                  RRCollection& out, detail::RRScratch& s) const {
    if (!plan32_.empty()) {
      draw_range_t(plan32_.data(), seed, domain, first, count, out, s);
    } else {
      draw_range_t(plan64_.data(), seed, domain, first, count, out, s);
    }
  }

  template <class Off>
  void draw_range_t(const Entry<Off>* plan, std::uint64_t seed, std::uint32_t domain, std::uint64_t first,
                    std::uint64_t count, RRCollection& out, detail::RRScratch& s) const {
    const vertex_t n = g_->num_vertices();
    if (!interleaved_ || count < 4) {
      s.prepare(n);
      for (std::uint64_t i = 0; i < count; ++i) draw_one(plan, seed, domain, first + i, out, s);
      return;
    }
    s.prepare_bits(n);
    draw_batched(plan, seed, domain, first, count, out, s);
  }

  static constexpr unsigned kBatch = 32;  // RR sets drawn together (one visited bit each)

  /// Batched sampling: kBatch RR sets advance level by level together. Each level runs four
  /// tight passes over all the batch's frontier accounts, so the cache misses of one pass are
  /// independent loads the CPU overlaps (and that were prefetched one pass earlier):
  /// rows -> draws (prefetch the drawn row slots) -> read in-neighbours (prefetch their visited
  /// bits and plans) -> visit. Per set, accounts are expanded in queue order and every draw and
  /// visit happens in the order of draw_one, so the collection is bit-identical to it.
  template <class Off>
  void draw_batched(const Entry<Off>* plan, std::uint64_t seed, std::uint32_t domain, std::uint64_t first,
                    std::uint64_t count, RRCollection& out, detail::RRScratch& s) const {
    const vertex_t n = g_->num_vertices();
    const vertex_t* in_src = g_->in_sources().data();
    const prob_t* in_p = in_probs_array();
    std::uint32_t* bits = s.bits.data();
    auto& bufs = s.bufs;
    auto& pending = s.pending;
    bufs.resize(kBatch);
    std::size_t head[kBatch];
    auto& rngs = s.rngs;
    rngs.resize(kBatch, Rng(0, 0, 0));
    for (std::uint64_t b0 = 0; b0 < count; b0 += kBatch) {
      const auto nb = static_cast<unsigned>(std::min<std::uint64_t>(kBatch, count - b0));
      for (unsigned k = 0; k < nb; ++k) {
        rngs[k] = Rng(seed, first + b0 + k, domain);
        const vertex_t root = weighted_ ? alias_.draw(rngs[k]) : rngs[k].below(n);
        bufs[k].clear();
        bufs[k].push_back(root);
        bits[root] |= 1u << k;
        head[k] = 0;
        __builtin_prefetch(plan + root);
      }
      for (std::uint32_t depth = 0; depth < max_depth_; ++depth) {
        // Rows of this level's accounts (their plans were prefetched when they were visited).
        bool any = false;
        for (unsigned k = 0; k < nb; ++k) {
          const auto& b = bufs[k];
          for (std::size_t i = head[k]; i < b.size(); ++i) {
            const Entry<Off>& a = plan[b[i]];
            __builtin_prefetch(in_src + a.begin);
            if (kIC && a.aux == 0.0f && in_p) __builtin_prefetch(in_p + a.begin);
            any = true;
          }
        }
        if (!any) break;
        // Draws, per set in queue order.
        pending.clear();
        for (unsigned k = 0; k < nb; ++k) {
          const auto& b = bufs[k];
          Rng& rng = rngs[k];
          const std::size_t end = b.size();
          for (std::size_t i = head[k]; i < end; ++i) {
            const Row in = row(plan, b[i]);
            if constexpr (kIC) {
              ic_draws(in, rng, in_p, [&](edge_t e) {
                __builtin_prefetch(in_src + e);
                pending.push_back({e, k});
              });
            } else {
              std::uint32_t pick;
              if (live_row(in) && lt_pick(in, rng, in_p, pick)) {
                __builtin_prefetch(in_src + in.begin + pick);
                pending.push_back({in.begin + pick, k});
              }
            }
          }
          head[k] = end;
        }
        // Read the drawn in-neighbours.
        for (auto& p : pending) {
          p.e = in_src[p.e];
          __builtin_prefetch(bits + p.e);
        }
        // Visit (an LT walk ends at an account it already holds: it has no frontier then).
        for (const auto& p : pending) {
          const auto u = static_cast<vertex_t>(p.e);
          const std::uint32_t bit = 1u << p.set;
          if (!(bits[u] & bit)) {
            bits[u] |= bit;
            bufs[p.set].push_back(u);
            __builtin_prefetch(plan + u);
          }
        }
      }
      for (unsigned k = 0; k < nb; ++k) {
        for (vertex_t u : bufs[k]) bits[u] = 0;
        out.push_set(bufs[k]);
      }
    }
  }

  /// IC: calls emit(e) for each in-edge e of row `in` that is live (weighted-cascade binomial
  /// count and distinct slots, geometric skips over a shared p, every edge, or a coin per edge;
  /// nothing for kNone).
  template <class Emit>
  void ic_draws(const Row& in, Rng& rng, const prob_t* in_p, Emit&& emit) const {
    const std::uint32_t d = in.deg;
    if (in.aux == kNone) return;
    if (in.aux == kWeightedCascade) {
      const std::uint32_t u = rng.next_u32();
      const std::uint32_t* t = wc_[d].data();
      if (u < t[0]) return;  // no live in-edge: ~37% of rows
      std::uint32_t count = 0;
      for (unsigned k = 0; k < detail::kWcTable; ++k) count += u >= t[k];
      if (count == detail::kWcTable) count = detail::wc_tail_count(d, u);
      detail::rr_distinct_slots(d, count, rng, [&](std::uint32_t j) { emit(in.begin + j); });
      return;
    }
    if (in.aux < 0.0f) {
      const double inv = in.aux;
      double pos = std::floor(std::log(detail::rr_open_uniform(rng)) * inv);
      while (pos < static_cast<double>(d)) {
        emit(in.begin + static_cast<std::uint32_t>(pos));
        pos += 1.0 + std::floor(std::log(detail::rr_open_uniform(rng)) * inv);
      }
    } else if (in.aux == kAllLive) {
      for (std::uint32_t j = 0; j < d; ++j) emit(in.begin + j);
    } else if (in_p) {
      const prob_t* pr = in_p + in.begin;
      for (std::uint32_t j = 0; j < d; ++j) {
        if (static_cast<double>(rng.next_u32()) < static_cast<double>(pr[j]) * 4294967296.0) emit(in.begin + j);
      }
    } else {
      // Implicit probabilities: the row shares one value (the same bits the array would hold).
      const double thr = static_cast<double>(implicit_row_value(d)) * 4294967296.0;
      for (std::uint32_t j = 0; j < d; ++j) {
        if (static_cast<double>(rng.next_u32()) < thr) emit(in.begin + j);
      }
    }
  }

  /// The in-order probability array, or null when the graph's probabilities are implicit (then
  /// every in-row has one value, implicit_row_value(), and is never materialised).
  const prob_t* in_probs_array() const {
    return g_->implicit_probabilities() ? nullptr : g_->in_edge_probs().data();
  }
  /// The value shared by an implicit in-row of `d` edges.
  prob_t implicit_row_value(std::uint32_t d) const noexcept {
    return g_->probability_kind() == ProbabilityKind::constant ? g_->constant_probability_value()
                                                               : weighted_cascade_probability(d);
  }

  /// LT: picks in-neighbour slot `pick` of row `in` with probability w(pick, v); false when
  /// none is picked (probability 1 - sum of weights).
  static bool lt_pick(const Row& in, Rng& rng, const prob_t* in_p, std::uint32_t& pick) noexcept {
    const double r = rng.uniform();
    if (in.aux < 0.0f) {
      const double w = -static_cast<double>(in.aux);
      if (r >= w * in.deg) return false;
      pick = std::min<std::uint32_t>(in.deg - 1, static_cast<std::uint32_t>(r / w));
      return true;
    }
    if (r >= static_cast<double>(in.aux)) return false;
    const prob_t* pr = in_p + in.begin;
    double acc = 0.0;
    pick = in.deg - 1;
    for (std::uint32_t i = 0; i < in.deg; ++i) {
      acc += pr[i];
      if (r < acc) {
        pick = i;
        break;
      }
    }
    return true;
  }

  template <class Off>
  void draw_one(const Entry<Off>* plan, std::uint64_t seed, std::uint32_t domain, std::uint64_t index,
                RRCollection& out, detail::RRScratch& s) const {
    Rng rng(seed, index, domain);
    const vertex_t root = weighted_ ? alias_.draw(rng) : rng.below(g_->num_vertices());
    const std::uint32_t ep = s.next_epoch();
    std::uint32_t* mark = s.mark.data();
    std::vector<vertex_t>& nodes = out.nodes_;
    const std::size_t start = nodes.size();
    nodes.push_back(root);
    mark[root] = ep;
    const vertex_t* in_src = g_->in_sources().data();
    const prob_t* in_p = in_probs_array();
    auto visit = [&](vertex_t u) {
      if (mark[u] != ep) {
        mark[u] = ep;
        nodes.push_back(u);
      }
    };
    if constexpr (kIC) {
      std::size_t head = start;
      std::size_t level_end = nodes.size();
      std::uint32_t depth = 0;
      while (head < nodes.size()) {
        if (head == level_end) {
          if (++depth >= max_depth_) break;
          level_end = nodes.size();
        }
        ic_draws(row(plan, nodes[head++]), rng, in_p, [&](edge_t e) { visit(in_src[e]); });
      }
    } else {
      vertex_t v = root;
      for (std::uint32_t depth = 0; depth < max_depth_; ++depth) {
        const Row in = row(plan, v);
        if (!live_row(in)) break;
        std::uint32_t pick;
        if (!lt_pick(in, rng, in_p, pick)) break;
        const vertex_t u = in_src[in.begin + pick];
        if (mark[u] == ep) break;
        mark[u] = ep;
        nodes.push_back(u);
        v = u;
      }
    }
    out.offsets_.push_back(nodes.size());
  }

  const FollowerGraph* g_;
  std::uint32_t max_depth_;
  bool weighted_ = false;
  bool interleaved_ = true;
  detail::RRAliasTable alias_;
  std::vector<Entry<std::uint32_t>> plan32_;
  std::vector<Entry<edge_t>> plan64_;
  std::vector<detail::WcRow> wc_;  ///< IC: weighted-cascade thresholds by in-degree (rows 0, 1 unused)
  std::vector<detail::RRScratch> scratch_;
};

/// Appends RR sets first_index .. first_index + count - 1 to `out`; RR set i draws only from
/// Rng(seed, i, domain), so the result is identical for any thread count. For many batches on
/// one graph, build an RRSampler once instead.
template <DiffusionModel M>
void sample_rr_sets(const FollowerGraph& g, const M& model, std::uint64_t seed, std::uint32_t domain,
                    std::uint64_t first_index, std::uint64_t count, RRCollection& out,
                    const RRSampleOptions& opt = {}) {
  KOLSIM_REQUIRE(opt.max_depth >= 1, "RR sampling: max_depth must be >= 1");
  RRSampler<M> sampler(g, model, opt.max_depth, opt.root_weights);
  sampler.sample(seed, domain, first_index, count, out, opt.threads, opt.stop);
}

/// Number of RR sets in `rr` that contain at least one of `seeds` (vertices < n).
inline std::uint64_t rr_coverage(const RRCollection& rr, std::span<const vertex_t> seeds, vertex_t n) {
  std::vector<char> in(n, 0);
  for (vertex_t s : seeds) {
    KOLSIM_REQUIRE_INDEX(s < n, "seed vertex ", s, " out of range (n = ", n, ")");
    in[s] = 1;
  }
  std::uint64_t covered = 0;
  for (std::uint64_t j = 0; j < rr.size(); ++j) {
    for (vertex_t v : rr.set(j)) {
      if (in[v]) {
        ++covered;
        break;
      }
    }
  }
  return covered;
}

/// RR estimate of the spread of `seeds`: total_weight * covered / size (total_weight = n for
/// uniform roots, the total root weight otherwise). When `std_error` is given it receives
/// total_weight * sqrt(q (1 - q) / size), q = covered / size.
inline double estimate_spread_rr(const RRCollection& rr, std::span<const vertex_t> seeds, double total_weight,
                                 double* std_error = nullptr) {
  KOLSIM_REQUIRE(!rr.empty(), "estimate_spread_rr: the RR collection is empty");
  vertex_t n = 0;
  for (vertex_t v : rr.nodes()) n = std::max(n, v + 1);
  for (vertex_t s : seeds) n = std::max(n, s + 1);
  const double q = static_cast<double>(rr_coverage(rr, seeds, n)) / static_cast<double>(rr.size());
  if (std_error) *std_error = total_weight * std::sqrt(q * (1.0 - q) / static_cast<double>(rr.size()));
  return total_weight * q;
}

}  // namespace kolsim

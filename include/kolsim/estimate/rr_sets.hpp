// SPDX-License-Identifier: MIT
/// Reverse-reachable (RR) sets: compact storage, a reproducible parallel sampler for IC and LT
/// (with deadlines and weighted roots), the RR spread estimator and the memory estimate.
///
/// Borgs, Brautbar, Chayes, Lucier, SODA 2014: for a random root r and a random live-edge world,
/// the accounts that reach r form an RR set, and spread(S) = W * Pr[S hits an RR set] (W = n, or
/// the total root weight). IC sets use subset sampling with geometric skips where an account's
/// in-edges share one probability (SUBSIM, Guo et al., SIGMOD 2020); LT sets walk back one
/// in-neighbour at a time, chosen with probability w(u, v). Cost: O(edges examined) per set.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <type_traits>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/graph/follower_graph.hpp"

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

/// 80% of physical memory (sysconf), the default memory limit of RR-based selectors.
inline std::size_t default_memory_limit() noexcept {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return std::numeric_limits<std::size_t>::max();
  return static_cast<std::size_t>(0.8 * static_cast<double>(pages) * static_cast<double>(page));
}

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

/// Per-thread scratch: epoch-stamped visited marks (simple sampler) and one visited bit per
/// in-flight slot (interleaved sampler; all bits are zero between calls).
struct RRScratch {
  std::vector<std::uint32_t> mark;
  std::vector<std::uint16_t> bits;
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

}  // namespace detail

/// A reusable RR sampler for one graph and model: precomputes per account how its in-edges are
/// sampled (IC: none / all live / geometric skips over a shared probability / coin flips; LT:
/// direct index for equal weights / scan), the root alias table, and per-thread marks. Build it
/// once and draw many batches.
template <class M>
class RRSampler {
  static_assert(std::is_same_v<M, IndependentCascade> || std::is_same_v<M, LinearThreshold>,
                "RRSampler supports IndependentCascade and LinearThreshold");

 public:
  RRSampler(const FollowerGraph& g, const M& model, std::uint32_t max_depth = UINT32_MAX,
            std::span<const double> root_weights = {})
      : g_(&g), max_depth_(max_depth) {
    model.validate(g);
    const vertex_t n = g.num_vertices();
    KOLSIM_REQUIRE(n > 0, "RR sampling: the graph has no vertices");
    KOLSIM_REQUIRE(root_weights.empty() || root_weights.size() == n, "root_weights: expected ", n,
                   " weights (one per vertex), got ", root_weights.size());
    if (!root_weights.empty()) {
      alias_ = detail::RRAliasTable(root_weights);
      weighted_ = true;
    }
    info_.resize(n);
    const auto in_off = g.in_offsets();
    for (vertex_t v = 0; v < n; ++v) {
      auto ps = g.in_probs(v);
      const std::size_t d = ps.size();
      Info& in = info_[v];
      in.begin = in_off[v];
      in.deg = static_cast<std::uint32_t>(d);
      KOLSIM_REQUIRE(d < UINT32_MAX, "RR sampling: in-degree of account ", g.account(v), " is too large");
      bool equal = true;
      double sum = 0.0;
      for (std::size_t i = 0; i < d; ++i) {
        equal = equal && ps[i] == ps[0];
        sum += ps[i];
      }
      if constexpr (std::is_same_v<M, IndependentCascade>) {
        if (d == 0 || (equal && ps[0] <= 0.0f)) {
          in.deg = 0;
        } else if (equal && ps[0] >= 1.0f) {
          in.aux = 1.0f;
        } else if (equal && d >= 6 && ps[0] < 0.3f) {
          in.aux = static_cast<float>(1.0 / std::log1p(-static_cast<double>(ps[0])));
        } else {
          in.aux = 0.0f;
        }
      } else {
        if (d == 0 || sum <= 0.0) {
          in.deg = 0;
        } else {
          in.aux = equal ? -ps[0] : static_cast<float>(sum);
        }
      }
    }
  }

  const FollowerGraph& graph() const noexcept { return *g_; }
  /// Scale of the estimator: n, or the total root weight.
  double total_weight() const noexcept { return weighted_ ? alias_.total() : static_cast<double>(g_->num_vertices()); }
  /// Bytes held by the sampler's tables (not counting per-thread scratch).
  std::size_t bytes() const noexcept { return info_.capacity() * sizeof(Info) + alias_.bytes(); }

  /// Interleaved sampling (default on) advances up to 16 RR sets round-robin with prefetches so
  /// their cache misses overlap; off = one set at a time. Both give bit-identical collections.
  void set_interleaved(bool on) noexcept { interleaved_ = on; }
  bool interleaved() const noexcept { return interleaved_; }

  /// Appends RR sets first_index .. first_index + count - 1 to `out`; RR set i draws only from
  /// Rng(seed, i, domain), so `out` is identical for any thread count.
  void sample(std::uint64_t seed, std::uint32_t domain, std::uint64_t first_index, std::uint64_t count,
              RRCollection& out, int threads = 0, const StopToken& stop = {}) {
    const int nt = resolve_threads(threads);
    check_stop(stop);
    if (count == 0) return;
    const std::uint64_t batch = 1 << 14;  // stop polling granularity
    if (nt <= 1 || count < 2048) {  // below ~1 ms of work a second thread costs more than it saves
      if (scratch_.empty()) scratch_.resize(1);
      for (std::uint64_t b = 0; b < count; b += batch) {
        check_stop(stop);
        const std::uint64_t e = std::min(count, b + batch);
        draw_range(seed, domain, first_index + b, e - b, out, scratch_[0]);
      }
      return;
    }
    // Contiguous index blocks per thread; block 0 writes straight into `out`, the others into
    // local collections appended in index order.
    if (scratch_.size() < static_cast<std::size_t>(nt)) scratch_.resize(nt);
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
        draw_range(seed, domain, first_index + b, e - b, dst, scratch_[t]);
      }
    });
    for (int t = 1; t < granted; ++t) {
      out.append(local[t]);
      local[t].release();
    }
  }

 private:
  /// Per-account sampling plan, 16 bytes so one cache line serves four accounts. deg = 0: no
  /// live in-edge possible. IC aux: > 0 all live, < 0 = 1 / log(1 - p) (geometric skips over a
  /// shared p), 0 = coin flip per edge. LT aux: > 0 = sum of weights (scan), < 0 = -w (all equal).
  struct Info {
    edge_t begin = 0;
    std::uint32_t deg = 0;
    float aux = 0.0f;
  };

  /// RR sets first .. first + count - 1, appended in index order.
  void draw_range(std::uint64_t seed, std::uint32_t domain, std::uint64_t first, std::uint64_t count,
                  RRCollection& out, detail::RRScratch& s) const {
    const vertex_t n = g_->num_vertices();
    if (!interleaved_ || count < 4) {
      s.prepare(n);
      for (std::uint64_t i = 0; i < count; ++i) draw_one(seed, domain, first + i, out, s);
      return;
    }
    s.prepare_bits(n);
    draw_interleaved(seed, domain, first, count, out, s.bits.data());
  }

  static constexpr int kSlots = 16;          // sets advanced together (one visited bit each)
  static constexpr std::uint64_t kWindow = 64;  // sets started but not yet appended, at most

  /// One in-flight RR set. IC: BFS queue = buf[head ..], `cand` = in-neighbours drawn at the
  /// last expansion, resolved (visited check, append) at the next step. LT: `pending` = the
  /// in-neighbour slot picked at the last step, read at the next one.
  struct Slot {
    Rng rng{0, 0, 0};
    std::vector<vertex_t>* buf = nullptr;
    std::vector<vertex_t> cand;
    std::vector<edge_t> pos;
    const vertex_t* pending = nullptr;
    std::size_t head = 0, level_end = 0, pf = 0;
    std::uint64_t ring = 0;
    std::uint32_t depth = 0;
    vertex_t cur = 0;
    bool active = false;
  };

  void draw_interleaved(std::uint64_t seed, std::uint32_t domain, std::uint64_t first, std::uint64_t count,
                        RRCollection& out, std::uint16_t* bits) const {
    std::vector<vertex_t> bufs[kWindow];
    bool done[kWindow] = {};
    Slot slots[kSlots];
    std::uint64_t next_start = 0, next_commit = 0;
    const Info* info = info_.data();
    const vertex_t* in_src = g_->in_sources().data();
    const prob_t* in_p = g_->in_edge_probs().data();
    const vertex_t n = g_->num_vertices();
    auto finish = [&](int si) {
      Slot& sl = slots[si];
      const auto clear = static_cast<std::uint16_t>(~(1u << si));
      for (vertex_t u : *sl.buf) bits[u] &= clear;
      done[sl.ring] = true;
      sl.active = false;
      while (next_commit < next_start && done[next_commit % kWindow]) {
        const std::uint64_t r = next_commit % kWindow;
        out.push_set(bufs[r]);
        done[r] = false;
        ++next_commit;
      }
    };
    for (;;) {
      int active = 0;
      for (int si = 0; si < kSlots; ++si) {
        Slot& sl = slots[si];
        if (!sl.active && next_start < count && next_start - next_commit < kWindow) {
          sl.rng = Rng(seed, first + next_start, domain);
          sl.ring = next_start % kWindow;
          ++next_start;
          sl.buf = &bufs[sl.ring];
          sl.buf->clear();
          const vertex_t root = weighted_ ? alias_.draw(sl.rng) : sl.rng.below(n);
          sl.buf->push_back(root);
          bits[root] |= static_cast<std::uint16_t>(1u << si);
          __builtin_prefetch(info + root);
          sl.cand.clear();
          sl.pos.clear();
          sl.pending = nullptr;
          sl.head = 0;
          sl.pf = 0;
          sl.level_end = 1;
          sl.depth = 0;
          sl.cur = root;
          sl.active = true;
        }
        if (!sl.active) continue;
        ++active;
        if (step(sl, si, info, in_src, in_p, bits)) finish(si);
      }
      if (active == 0) break;
    }
  }

  /// Advances one slot; true when its RR set is complete. Draws and visits happen in exactly
  /// the order of draw_one.
  bool step(Slot& sl, int si, const Info* info, const vertex_t* in_src, const prob_t* in_p,
            std::uint16_t* bits) const {
    const auto bit = static_cast<std::uint16_t>(1u << si);
    std::vector<vertex_t>& nodes = *sl.buf;
    if constexpr (std::is_same_v<M, IndependentCascade>) {
      // Pipeline per queued account: pushed (prefetch its plan) -> a later step prefetches its
      // in-neighbour row -> a later step expands it (draws only; prefetch the drawn row slots)
      // -> the next step reads the in-neighbours (prefetch their bits) -> the next resolves
      // them. Resolving always precedes the next expansion, so draws and visits keep the order
      // of draw_one.
      if (!sl.pos.empty()) {  // read the drawn in-neighbours (rows prefetched at the draw)
        for (const edge_t e : sl.pos) {
          const vertex_t u = in_src[e];
          __builtin_prefetch(bits + u);
          sl.cand.push_back(u);
        }
        sl.pos.clear();
        return false;
      }
      const std::size_t before = nodes.size();
      for (vertex_t u : sl.cand) {
        if (!(bits[u] & bit)) {
          bits[u] |= bit;
          nodes.push_back(u);
          __builtin_prefetch(info + u);
        }
      }
      sl.cand.clear();
      Rng& rng = sl.rng;
      while (sl.head < sl.pf) {
        if (sl.head == sl.level_end) {
          if (++sl.depth >= max_depth_) return true;
          sl.level_end = nodes.size();
        }
        const Info in = info[nodes[sl.head++]];
        if (in.deg == 0) continue;
        const std::uint32_t d = in.deg;
        if (in.aux < 0.0f) {
          const double inv = in.aux;
          double pos = std::floor(std::log(detail::rr_open_uniform(rng)) * inv);
          while (pos < static_cast<double>(d)) {
            const edge_t e = in.begin + static_cast<std::uint32_t>(pos);
            __builtin_prefetch(in_src + e);
            sl.pos.push_back(e);
            pos += 1.0 + std::floor(std::log(detail::rr_open_uniform(rng)) * inv);
          }
        } else if (in.aux > 0.0f) {
          for (std::uint32_t i = 0; i < d; ++i) sl.pos.push_back(in.begin + i);
        } else {
          const prob_t* pr = in_p + in.begin;
          for (std::uint32_t i = 0; i < d; ++i) {
            if (static_cast<double>(rng.next_u32()) < static_cast<double>(pr[i]) * 4294967296.0) {
              sl.pos.push_back(in.begin + i);
            }
          }
        }
        if (!sl.pos.empty()) break;
      }
      if (sl.pos.empty() && sl.head >= nodes.size()) return true;
      // Prefetch rows of accounts queued before this step (their plans were prefetched then).
      for (int r = 0; r < 2 && sl.pf < before; ++r, ++sl.pf) {
        const Info& nx = info[nodes[sl.pf]];
        __builtin_prefetch(in_src + nx.begin);
        if (nx.aux == 0.0f) __builtin_prefetch(in_p + nx.begin);
      }
      if (sl.pf == sl.head && sl.pf < nodes.size() && sl.pos.empty()) {
        // Nothing else to overlap with: prefetch the next row now.
        const Info& nx = info[nodes[sl.pf++]];
        __builtin_prefetch(in_src + nx.begin);
        if (nx.aux == 0.0f) __builtin_prefetch(in_p + nx.begin);
      }
      return false;
    } else {
      if (sl.pending) {  // read the picked in-neighbour; check it next step
        const vertex_t u = *sl.pending;
        sl.pending = nullptr;
        __builtin_prefetch(bits + u);
        __builtin_prefetch(info + u);
        sl.cand.push_back(u);
        return false;
      }
      if (!sl.cand.empty()) {
        const vertex_t u = sl.cand.back();
        sl.cand.clear();
        if (bits[u] & bit) return true;
        bits[u] |= bit;
        nodes.push_back(u);
        sl.cur = u;
        ++sl.depth;
      }
      if (sl.depth >= max_depth_) return true;
      const Info in = info[sl.cur];
      if (in.deg == 0) return true;
      const double r = sl.rng.uniform();
      std::uint32_t pick;
      if (in.aux < 0.0f) {
        const double w = -static_cast<double>(in.aux);
        if (r >= w * in.deg) return true;
        pick = std::min<std::uint32_t>(in.deg - 1, static_cast<std::uint32_t>(r / w));
      } else {
        if (r >= static_cast<double>(in.aux)) return true;
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
      }
      sl.pending = in_src + in.begin + pick;
      __builtin_prefetch(sl.pending);
      return false;
    }
  }

  void draw_one(std::uint64_t seed, std::uint32_t domain, std::uint64_t index, RRCollection& out,
                detail::RRScratch& s) const {
    Rng rng(seed, index, domain);
    const vertex_t root = weighted_ ? alias_.draw(rng) : rng.below(g_->num_vertices());
    const std::uint32_t ep = s.next_epoch();
    std::uint32_t* mark = s.mark.data();
    std::vector<vertex_t>& nodes = out.nodes_;
    const std::size_t start = nodes.size();
    nodes.push_back(root);
    mark[root] = ep;
    const vertex_t* in_src = g_->in_sources().data();
    const prob_t* in_p = g_->in_edge_probs().data();
    const Info* info = info_.data();
    auto visit = [&](vertex_t u) {
      if (mark[u] != ep) {
        mark[u] = ep;
        nodes.push_back(u);
      }
    };
    if constexpr (std::is_same_v<M, IndependentCascade>) {
      std::size_t head = start;
      std::size_t level_end = nodes.size();
      std::uint32_t depth = 0;
      while (head < nodes.size()) {
        if (head == level_end) {
          if (++depth >= max_depth_) break;
          level_end = nodes.size();
        }
        const Info in = info[nodes[head++]];
        if (in.deg == 0) continue;
        const vertex_t* src = in_src + in.begin;
        const std::uint32_t d = in.deg;
        if (in.aux < 0.0f) {
          const double inv = in.aux;
          double pos = std::floor(std::log(detail::rr_open_uniform(rng)) * inv);
          while (pos < static_cast<double>(d)) {
            visit(src[static_cast<std::uint32_t>(pos)]);
            pos += 1.0 + std::floor(std::log(detail::rr_open_uniform(rng)) * inv);
          }
        } else if (in.aux > 0.0f) {
          for (std::uint32_t i = 0; i < d; ++i) visit(src[i]);
        } else {
          const prob_t* pr = in_p + in.begin;
          for (std::uint32_t i = 0; i < d; ++i) {
            if (static_cast<double>(rng.next_u32()) < static_cast<double>(pr[i]) * 4294967296.0) visit(src[i]);
          }
        }
      }
    } else {
      vertex_t v = root;
      for (std::uint32_t depth = 0; depth < max_depth_; ++depth) {
        const Info in = info[v];
        if (in.deg == 0) break;
        const double r = rng.uniform();
        std::uint32_t pick;
        if (in.aux < 0.0f) {
          const double w = -static_cast<double>(in.aux);
          if (r >= w * in.deg) break;  // no in-neighbour picked (prob 1 - sum of weights)
          pick = std::min<std::uint32_t>(in.deg - 1, static_cast<std::uint32_t>(r / w));
        } else {
          if (r >= static_cast<double>(in.aux)) break;
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
        }
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
  std::vector<Info> info_;
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

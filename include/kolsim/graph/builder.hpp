// SPDX-License-Identifier: MIT
/// Builds a FollowerGraph from edge arrays in O(n + m) extra memory, with explicit policies for
/// self-loops and duplicate edges and a report that counts what each policy did.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/choice.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// What to do with an edge u -> u.
enum class SelfLoops {
  drop,   ///< remove it and count it in BuildReport::self_loops (default)
  keep,   ///< keep it (it never changes a cascade: u is already active)
  error,  ///< throw InputEdgeError naming the edge
};

/// What to do when u -> v appears more than once.
enum class Duplicates {
  first,    ///< keep the first occurrence in input order, count the rest (default)
  keep,     ///< keep every copy as a parallel edge (IC: each copy is one more chance, as in NetHEPT)
  max,      ///< keep one edge with the largest probability
  combine,  ///< keep one edge with p = 1 - prod(1 - p_i) (IC: same law as the parallel copies)
  sum,      ///< keep one edge with p = sum p_i (LT weights); a sum above 1 is an error
  error,    ///< throw InputEdgeError naming the edge
};

/// The spellings of SelfLoops and Duplicates (command line and Python alike).
inline constexpr Choice<SelfLoops> self_loops_choices[] = {
    {"drop", SelfLoops::drop}, {"keep", SelfLoops::keep}, {"error", SelfLoops::error}};
inline constexpr Choice<Duplicates> duplicates_choices[] = {
    {"first", Duplicates::first}, {"keep", Duplicates::keep}, {"max", Duplicates::max},
    {"combine", Duplicates::combine}, {"sum", Duplicates::sum}, {"error", Duplicates::error}};

/// Options shared by every builder and reader.
struct BuildOptions {
  bool undirected = false;  ///< each input edge {a, b} becomes a -> b and b -> a
  bool flip = false;        ///< reverse every input edge (for "follower first" files)
  SelfLoops self_loops = SelfLoops::drop;
  Duplicates duplicates = Duplicates::first;
  int threads = 0;  ///< 0 = all
};

/// Wall seconds of each phase of a build (benchmarks and profiling; never part of a result).
struct BuildPhaseSeconds {
  double index = 0;      ///< account ids -> sorted unique accounts (presence table or sort)
  double map = 0;        ///< account ids -> dense indices
  double validate = 0;   ///< index range, probability range, self-loop policy
  double count = 0;      ///< per-row arc counts (histograms) and their prefix sums
  double scatter = 0;    ///< arcs scattered into their source rows
  double sort = 0;       ///< each row sorted by target and merged (thread-seconds, run inside `scatter`)
  double merge = 0;      ///< duplicates counted and reported, rows compacted
  double transpose = 0;  ///< in-adjacency (and in-order probabilities) by counting
  double finish = 0;     ///< arrays moved into the graph, probability columns attached
};

/// What a build did, so that nothing is dropped silently.
struct BuildReport {
  edge_t input_edges = 0;  ///< edges given (before undirected doubling)
  edge_t self_loops = 0;   ///< self-loops seen (dropped under SelfLoops::drop)
  edge_t duplicates = 0;   ///< extra copies of an edge seen (merged unless Duplicates::keep)
  edge_t edges = 0;        ///< edges in the graph
  vertex_t vertices = 0;   ///< vertices in the graph
  BuildPhaseSeconds seconds;  ///< time per phase
};

/// An input edge broke a policy; `index` is its position in the input arrays (readers turn it
/// into a file line).
class InputEdgeError : public std::invalid_argument {
 public:
  InputEdgeError(edge_t index, const std::string& msg) : std::invalid_argument(msg), index_(index) {}
  edge_t index() const noexcept { return index_; }

 private:
  edge_t index_;
};

/// Tag: the caller guarantees the input is sorted by (source, target) after flip/undirected are
/// applied (generators emit edges this way), so row sorting is skipped.
struct edges_are_sorted_t {
  explicit edges_are_sorted_t() = default;
};
inline constexpr edges_are_sorted_t edges_are_sorted{};

namespace detail {

/// Lap timer of the build's phases.
class PhaseClock {
 public:
  /// Seconds since the previous lap (or construction).
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - t_).count();
    t_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point t_ = std::chrono::steady_clock::now();
};

inline void check_prob(prob_t p, edge_t i) {
  if (!(p >= 0.0f && p <= 1.0f))
    throw InputEdgeError(i, concat("input edge ", i, ": probability must be in [0, 1], got ", p));
}

/// Contiguous chunk boundaries: chunk c covers [bounds[c], bounds[c+1]).
inline std::vector<edge_t> chunk_bounds(edge_t count, int chunks) {
  std::vector<edge_t> b(static_cast<std::size_t>(chunks) + 1);
  for (int c = 0; c <= chunks; ++c) b[c] = count * static_cast<edge_t>(c) / static_cast<edge_t>(chunks);
  return b;
}

/// Input index of the `occurrence`-th (0-based) input edge that becomes u -> v after flip and
/// undirected expansion (used only to name the line of a policy error).
template <class Endpoints>
edge_t find_input_edge(edge_t count, Endpoints& endpoint, const BuildOptions& opt, vertex_t u, vertex_t v,
                       edge_t occurrence) {
  edge_t seen = 0;
  for (edge_t i = 0; i < count; ++i) {
    auto [a, b] = endpoint(i);
    if (opt.flip) std::swap(a, b);
    if ((a == u && b == v) || (opt.undirected && a == v && b == u)) {
      if (seen++ == occurrence) return i;
    }
  }
  return 0;
}

/// Emits the arcs of input edge i (0, 1 or 2 of them, after flip, self-loop policy and
/// undirected doubling) to f(i, source, target).
template <class Endpoints, class F>
inline void for_each_arc(Endpoints& endpoint, const BuildOptions& opt, edge_t i, F&& f) {
  auto [a, b] = endpoint(i);
  if (opt.flip) std::swap(a, b);
  if (a == b) {
    if (opt.self_loops != SelfLoops::drop) f(i, a, b);
    return;
  }
  f(i, a, b);
  if (opt.undirected) f(i, b, a);
}

/// Checks every input edge (indices < n, probability in [0, 1], self-loop policy) and counts
/// self-loops into rep; the first bad input edge (lowest index) is reported, whatever the
/// thread count.
template <class Endpoints>
void validate_input_edges(std::span<const account_t> accounts, edge_t count, Endpoints& endpoint,
                          std::span<const prob_t> probs, const BuildOptions& opt, int threads, BuildReport& rep) {
  const auto n = static_cast<vertex_t>(accounts.size());
  const bool has_p = !probs.empty();
  const int chunks = std::max(1, std::min<int>(threads, static_cast<int>(count >> 15)));
  const auto bounds = chunk_bounds(count, chunks);
  std::vector<edge_t> first_bad(chunks, count), loops(chunks, 0);
  parallel_for(0, static_cast<std::size_t>(chunks), threads, [&](std::size_t c) {
    for (edge_t i = bounds[c]; i < bounds[c + 1]; ++i) {
      auto [a, b] = endpoint(i);
      if (a >= n || b >= n || (has_p && !(probs[i] >= 0.0f && probs[i] <= 1.0f)) ||
          (a == b && opt.self_loops == SelfLoops::error)) {
        first_bad[c] = i;
        return;
      }
      loops[c] += a == b;
    }
  }, 1);
  for (int c = 0; c < chunks; ++c) {
    if (first_bad[c] == count) {
      rep.self_loops += loops[c];
      continue;
    }
    const edge_t i = first_bad[c];
    auto [a, b] = endpoint(i);
    if (a >= n || b >= n) throw InputEdgeError(i, concat("input edge ", i, ": vertex index out of range (n = ", n, ")"));
    if (has_p) check_prob(probs[i], i);
    throw InputEdgeError(i, concat("input edge ", i, ": self-loop on account ", accounts[a], " (self_loops=error)"));
  }
}

/// Vertices per bucket (as a shift) of the two-level counting sorts: about 256 buckets of at
/// most 65536 vertices, so level 1 writes to few streams and a bucket's counters stay in cache.
inline int bucket_shift(vertex_t n) {
  int s = 0;
  while (s < 16 && (static_cast<std::uint64_t>(n) >> s) >= 256) ++s;
  return s;
}

/// Input chunks of a level-1 pass: the result never depends on it (stable counting), only the
/// load balance does.
inline int level1_chunks(edge_t items, int threads) {
  if (threads <= 1 || items < (edge_t{1} << 16)) return 1;
  return static_cast<int>(std::min<edge_t>(static_cast<edge_t>(threads) * 4, items >> 15));
}

/// Exclusive prefix sums out[i] = in[0] + ... + in[i - 1] for i <= n (out has n + 1 entries),
/// in blocks summed in parallel (integers: the same for any thread count).
template <class Count>
void exclusive_scan(const Count* in, edge_t* out, std::size_t n, int threads) {
  constexpr std::size_t block = std::size_t{1} << 16;
  const std::size_t blocks = (n + block - 1) / block;
  std::vector<edge_t> start(blocks + 1, 0);
  parallel_for(0, blocks, threads, [&](std::size_t b) {
    edge_t s = 0;
    for (std::size_t i = b * block; i < std::min(n, (b + 1) * block); ++i) s += in[i];
    start[b + 1] = s;
  }, 1);
  for (std::size_t b = 0; b < blocks; ++b) start[b + 1] += start[b];
  parallel_for(0, blocks, threads, [&](std::size_t b) {
    edge_t s = start[b];
    for (std::size_t i = b * block; i < std::min(n, (b + 1) * block); ++i) {
      out[i] = s;
      s += in[i];
    }
  }, 1);
  out[n] = start[blocks];
}

/// Sum of a[0 .. n) in parallel blocks (integers: the same for any thread count).
template <class T>
edge_t parallel_sum(const T* a, std::size_t n, int threads) {
  constexpr std::size_t block = std::size_t{1} << 16;
  const std::size_t blocks = (n + block - 1) / block;
  std::vector<edge_t> part(blocks, 0);
  parallel_for(0, blocks, threads, [&](std::size_t b) {
    edge_t s = 0;
    for (std::size_t i = b * block; i < std::min(n, (b + 1) * block); ++i) s += static_cast<edge_t>(a[i]);
    part[b] = s;
  }, 1);
  edge_t s = 0;
  for (edge_t x : part) s += x;
  return s;
}

/// Stable counting sort of items by a key < n in two levels, every step parallel and the result
/// the same for any thread count. Level 1 partitions the items of `chunks` input chunks (in
/// chunk order) into buckets of 2^bucket_shift(n) keys: count_chunk(c, inc) calls inc(key) and
/// scatter_chunk(c, put) calls put(key, value, p) for each item of chunk c, in the same order.
/// Level 2 sorts each bucket by the low bits of the key with the bucket in cache and calls
/// on_rows(t, k0, k1) for its keys [k0, k1) (t: the thread's index, for scratch space). Fills
/// offsets (n + 1 entries), values and p (when has_p) in key order; `seconds` get the count and
/// scatter times.
template <class CountChunk, class ScatterChunk, class OnRows>
void two_level_sort(vertex_t n, int chunks, int threads, bool has_p, CountChunk&& count_chunk,
                    ScatterChunk&& scatter_chunk, OnRows&& on_rows, std::vector<edge_t>& offsets,
                    std::vector<vertex_t>& values, std::vector<prob_t>& p, double* count_seconds,
                    double* scatter_seconds) {
  PhaseClock clock;
  const int shift = bucket_shift(n);
  const vertex_t mask = (vertex_t{1} << shift) - 1;
  const std::size_t buckets = (static_cast<std::size_t>(n) >> shift) + 1;
  std::vector<edge_t> cursor(static_cast<std::size_t>(chunks) * buckets, 0);
  parallel_for(0, static_cast<std::size_t>(chunks), threads, [&](std::size_t c) {
    edge_t* h = cursor.data() + c * buckets;
    count_chunk(c, [&](vertex_t key) { ++h[key >> shift]; });
  }, 1);
  std::vector<edge_t> bucket_start(buckets + 1, 0);
  edge_t total = 0;
  for (std::size_t b = 0; b < buckets; ++b) {
    bucket_start[b] = total;
    for (int c = 0; c < chunks; ++c) {
      const edge_t k = cursor[c * buckets + b];
      cursor[c * buckets + b] = total;
      total += k;
    }
  }
  bucket_start[buckets] = total;
  if (count_seconds) *count_seconds += clock.lap();
  values.resize(total);
  if (has_p) p.resize(total);
  std::vector<std::uint16_t> low(total);
  parallel_for(0, static_cast<std::size_t>(chunks), threads, [&](std::size_t c) {
    edge_t* h = cursor.data() + c * buckets;
    scatter_chunk(c, [&](vertex_t key, vertex_t value, prob_t pv) {
      const edge_t pos = h[key >> shift]++;
      values[pos] = value;
      low[pos] = static_cast<std::uint16_t>(key & mask);
      if (has_p) p[pos] = pv;
    });
  }, 1);
  offsets.resize(static_cast<std::size_t>(n) + 1);
  for (std::size_t b = 0; b < buckets; ++b)  // bucket edges first: on_rows reads its last row's end
    offsets[std::min<std::size_t>(b << shift, n)] = bucket_start[b];
  offsets[n] = total;
  std::atomic<std::size_t> next{0};
  parallel_threads(static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), buckets)),
                   [&](int t, int) {
    std::vector<edge_t> cnt;
    std::vector<vertex_t> tv;
    std::vector<std::uint16_t> tl;
    std::vector<prob_t> tp;
    for (std::size_t b; (b = next.fetch_add(1, std::memory_order_relaxed)) < buckets;) {
      const auto k0 = static_cast<vertex_t>(std::min<std::size_t>(b << shift, n));
      const auto k1 = static_cast<vertex_t>(std::min<std::size_t>((b + 1) << shift, n));
      const edge_t lo = bucket_start[b], hi = bucket_start[b + 1];
      cnt.assign(static_cast<std::size_t>(k1 - k0) + 1, 0);
      for (edge_t e = lo; e < hi; ++e) ++cnt[low[e] + std::size_t{1}];
      for (std::size_t k = 0; k < cnt.size() - 1; ++k) cnt[k + 1] += cnt[k];
      for (vertex_t k = k0 + 1; k < k1; ++k) offsets[k] = lo + cnt[k - k0];
      if (k1 - k0 > 1 && hi - lo > 1) {
        tv.assign(values.begin() + lo, values.begin() + hi);
        tl.assign(low.begin() + lo, low.begin() + hi);
        if (has_p) tp.assign(p.begin() + lo, p.begin() + hi);
        for (edge_t i = 0; i < hi - lo; ++i) {
          const edge_t pos = lo + cnt[tl[i]]++;
          values[pos] = tv[i];
          if (has_p) p[pos] = tp[i];
        }
      }
      on_rows(t, k0, k1);
    }
  });
  if (scatter_seconds) *scatter_seconds += clock.lap();
}

/// Arcs grouped by source before duplicates are merged: row u is [row[u], row[u + 1]).
struct SourceRows {
  std::vector<edge_t> row;
  std::vector<vertex_t> targets;
  std::vector<prob_t> p;  ///< empty without probabilities
};

/// Per row: arcs kept after merging duplicates, copies seen, and whether a Duplicates::sum went over 1.
struct MergedRows {
  std::vector<edge_t> kept, dups;
  std::vector<char> bad_sum;
};

/// Sorts row u by target (stable: the first copy of a duplicate stays first); `buf` is scratch.
inline void sort_row(SourceRows& r, vertex_t u, std::vector<std::pair<vertex_t, prob_t>>& buf) {
  const edge_t lo = r.row[u], hi = r.row[u + 1];
  if (hi - lo < 2 || std::is_sorted(r.targets.begin() + lo, r.targets.begin() + hi)) return;
  if (r.p.empty()) {
    std::sort(r.targets.begin() + lo, r.targets.begin() + hi);
    return;
  }
  buf.resize(hi - lo);
  for (edge_t e = lo; e < hi; ++e) buf[e - lo] = {r.targets[e], r.p[e]};
  std::stable_sort(buf.begin(), buf.end(), [](auto& x, auto& y) { return x.first < y.first; });
  for (edge_t e = lo; e < hi; ++e) std::tie(r.targets[e], r.p[e]) = buf[e - lo];
}

/// Merges the duplicate arcs of sorted row u in place at the front of the row.
inline void merge_row(SourceRows& r, MergedRows& mr, vertex_t u, Duplicates policy) {
  const bool has_p = !r.p.empty();
  auto& targets = r.targets;
  auto& p = r.p;
  const edge_t lo = r.row[u], hi = r.row[u + 1];
  edge_t w = lo;
  for (edge_t e = lo; e < hi; ++e) {
    if (e > lo && targets[e] == targets[w - 1]) {
      ++mr.dups[u];
      switch (policy) {
        case Duplicates::keep: break;
        case Duplicates::first: continue;
        case Duplicates::error: continue;  // reported by report_duplicates with its input line
        case Duplicates::max:
          if (has_p) p[w - 1] = std::max(p[w - 1], p[e]);
          continue;
        case Duplicates::combine:
          if (has_p) p[w - 1] = 1.0f - (1.0f - p[w - 1]) * (1.0f - p[e]);
          continue;
        case Duplicates::sum:
          if (has_p) {
            p[w - 1] += p[e];
            if (p[w - 1] > 1.0f + 1e-6f) mr.bad_sum[u] = 1;
          }
          continue;
      }
    }
    targets[w] = targets[e];
    if (has_p) p[w] = p[e];
    ++w;
  }
  mr.kept[u] = w - lo;
}

/// Groups the arcs by source (a stable two-level counting sort: input order survives within a
/// row), then, bucket by bucket while it is in cache, sorts each row by target (unless `sorted`)
/// and merges its duplicates per `policy` into `mr`. Identical for any thread count.
template <class Arcs>
SourceRows group_by_source(vertex_t n, edge_t count, Arcs&& arcs, std::span<const prob_t> probs, int threads,
                           bool sorted, Duplicates policy, MergedRows& mr, BuildPhaseSeconds* seconds = nullptr) {
  const bool has_p = !probs.empty();
  SourceRows r;
  mr.kept.assign(n, 0);
  mr.dups.assign(n, 0);
  mr.bad_sum.assign(n, 0);
  const int chunks = level1_chunks(count, threads);
  const auto bounds = chunk_bounds(count, chunks);
  std::vector<std::vector<std::pair<vertex_t, prob_t>>> bufs(static_cast<std::size_t>(std::max(threads, 1)));
  std::vector<double> thread_row_seconds(bufs.size(), 0.0);
  two_level_sort(
      n, chunks, threads, has_p,
      [&](std::size_t c, auto&& inc) {
        for (edge_t i = bounds[c]; i < bounds[c + 1]; ++i) arcs(i, [&](edge_t, vertex_t a, vertex_t) { inc(a); });
      },
      [&](std::size_t c, auto&& put) {
        for (edge_t i = bounds[c]; i < bounds[c + 1]; ++i)
          arcs(i, [&](edge_t j, vertex_t a, vertex_t b) { put(a, b, has_p ? probs[j] : prob_t{}); });
      },
      [&](int t, vertex_t k0, vertex_t k1) {
        PhaseClock rows_clock;
        for (vertex_t u = k0; u < k1; ++u) {
          if (!sorted) sort_row(r, u, bufs[t]);
          merge_row(r, mr, u, policy);
        }
        thread_row_seconds[t] += rows_clock.lap();
      },
      r.row, r.targets, r.p, seconds ? &seconds->count : nullptr, seconds ? &seconds->scatter : nullptr);
  if (seconds)  // the rows' sort and merge run inside level 2: thread-seconds, also inside `scatter`
    for (double s : thread_row_seconds) seconds->sort += s;
  return r;
}

/// Adds the duplicate counts to rep and throws InputEdgeError naming the input edge for
/// Duplicates::error (the smallest duplicated target of the first such row) or a
/// Duplicates::sum over 1 (the copy that pushes the sum over 1, in input order).
template <class Endpoints, class Arcs>
void report_duplicates(const MergedRows& mr, const SourceRows& r, std::span<const account_t> accounts, edge_t count,
                       Endpoints& endpoint, Arcs&& arcs, std::span<const prob_t> probs, const BuildOptions& opt,
                       BuildReport& rep, int threads) {
  const auto n = static_cast<vertex_t>(accounts.size());
  const edge_t dups = parallel_sum(mr.dups.data(), n, threads);
  rep.duplicates += dups;
  if (!(dups && opt.duplicates == Duplicates::error) && parallel_sum(mr.bad_sum.data(), n, threads) == 0) return;
  for (vertex_t u = 0; u < n; ++u) {
    if (mr.dups[u] && opt.duplicates == Duplicates::error) {
      vertex_t v = no_vertex;
      std::vector<vertex_t> row;
      for (edge_t i = 0; i < count; ++i)
        arcs(i, [&](edge_t, vertex_t a, vertex_t b) {
          if (a == u) row.push_back(b);
        });
      std::sort(row.begin(), row.end());
      for (std::size_t j = 1; j < row.size(); ++j)
        if (row[j] == row[j - 1]) {
          v = row[j];
          break;
        }
      const edge_t where = find_input_edge(count, endpoint, opt, u, v, 1);
      throw InputEdgeError(where, concat("input edge ", where, ": duplicate edge ", accounts[u], " -> ",
                                         accounts[v], " (duplicates=error)"));
    }
    if (!mr.bad_sum[u]) continue;
    const edge_t lo = r.row[u];
    for (edge_t e = lo; e < lo + mr.kept[u]; ++e) {
      if (r.p[e] <= 1.0f + 1e-6f) continue;
      const vertex_t v = r.targets[e];
      double acc = 0.0;
      for (edge_t occ = 0;; ++occ) {
        const edge_t i = find_input_edge(count, endpoint, opt, u, v, occ);
        acc += probs[i];
        if (acc > 1.0 + 1e-6)
          throw InputEdgeError(i, concat("input edge ", i, ": duplicate edges ", accounts[u], " -> ", accounts[v],
                                         " sum to weight ", acc, " > 1 (duplicates=sum)"));
      }
    }
  }
}

/// The topology's arrays while they are written (vectors); moved into a GraphTopology at the end.
struct TopologyVectors {
  std::vector<edge_t> out_offsets;
  std::vector<vertex_t> out_targets;
  std::vector<edge_t> in_offsets;
  std::vector<vertex_t> in_sources;
  std::vector<account_t> accounts;

  /// Moves every array into a new (read-only) topology.
  std::shared_ptr<GraphTopology> into_topology() {
    auto topo = std::make_shared<GraphTopology>();
    topo->out_offsets = std::move(out_offsets);
    topo->out_targets = std::move(out_targets);
    topo->in_offsets = std::move(in_offsets);
    topo->in_sources = std::move(in_sources);
    topo->accounts = std::move(accounts);
    return topo;
  }
};

/// Moves the kept arcs of each row together into t.out_offsets / t.out_targets (and p), freeing
/// the row buffers, and clamps merged probabilities to 1. Rows move in parallel into fresh
/// arrays (only when some arc was merged away; the endpoints are freed by then).
inline void compact_rows(SourceRows& r, MergedRows& mr, vertex_t n, TopologyVectors& t, std::vector<prob_t>& p,
                         int threads) {
  const bool has_p = !r.p.empty();
  t.out_offsets.resize(static_cast<std::size_t>(n) + 1);
  exclusive_scan(mr.kept.data(), t.out_offsets.data(), n, threads);
  const edge_t m = t.out_offsets[n];
  if (m != r.row[n]) {
    std::vector<vertex_t> targets(m);
    std::vector<prob_t> kept_p(has_p ? m : 0);
    parallel_for(0, n, threads, [&](std::size_t u) {
      std::copy_n(r.targets.begin() + r.row[u], mr.kept[u], targets.begin() + t.out_offsets[u]);
      if (has_p) std::copy_n(r.p.begin() + r.row[u], mr.kept[u], kept_p.begin() + t.out_offsets[u]);
    }, 4096);
    r.targets = std::move(targets);
    r.p = std::move(kept_p);
  }
  std::vector<edge_t>().swap(r.row);
  std::vector<edge_t>().swap(mr.kept);
  std::vector<edge_t>().swap(mr.dups);
  t.out_targets = std::move(r.targets);
  p = std::move(r.p);
  if (has_p)
    parallel_for(0, (p.size() + 65535) / 65536, threads, [&](std::size_t b) {
      for (std::size_t e = b * 65536; e < std::min(p.size(), (b + 1) * 65536); ++e) p[e] = std::min(p[e], 1.0f);
    }, 1);
}

/// The in-adjacency of t from its out-adjacency (the one transpose of the library): a stable
/// two-level counting sort by target over chunks of source rows, so each in-row lists its
/// sources ascending (parallel copies keep their order) for any thread count. `p` (empty = none)
/// holds the out-order probabilities; in_p receives them in in-edge order. t.out_offsets /
/// out_targets must be valid (n + 1 monotone offsets from 0 to m, targets < n).
inline void build_transpose(TopologyVectors& t, std::span<const prob_t> p, std::vector<prob_t>& in_p, int threads) {
  const auto n = static_cast<vertex_t>(t.out_offsets.size() - 1);
  const edge_t m = t.out_offsets[n];
  const bool has_p = !p.empty();
  const int chunks = level1_chunks(m, threads);
  std::vector<vertex_t> first(static_cast<std::size_t>(chunks) + 1, n);
  first[0] = 0;
  for (int c = 1; c < chunks; ++c) {  // split rows so chunks hold about m / chunks edges
    const edge_t goal = m * static_cast<edge_t>(c) / static_cast<edge_t>(chunks);
    first[c] = static_cast<vertex_t>(std::lower_bound(t.out_offsets.begin(), t.out_offsets.end(), goal) -
                                     t.out_offsets.begin());
    first[c] = std::min(std::max(first[c], first[c - 1]), n);
  }
  const edge_t* off = t.out_offsets.data();
  const vertex_t* tgt = t.out_targets.data();
  two_level_sort(
      n, chunks, threads, has_p,
      [&](std::size_t c, auto&& inc) {
        for (edge_t e = off[first[c]]; e < off[first[c + 1]]; ++e) inc(tgt[e]);
      },
      [&](std::size_t c, auto&& put) {
        for (vertex_t u = first[c]; u < first[c + 1]; ++u)
          for (edge_t e = off[u]; e < off[u + 1]; ++e) put(tgt[e], u, has_p ? p[e] : prob_t{});
      },
      [](int, vertex_t, vertex_t) {}, t.in_offsets, t.in_sources, in_p, nullptr, nullptr);
}

/// Core build over dense endpoints; `endpoint(i)` yields the i-th input edge (u, v). Phases:
/// validate, group arcs by source with each row sorted and its duplicates merged, compact,
/// transpose. Stable parallel counting sorts keep the result identical for any thread count.
/// `release` (may be empty) frees the endpoints' storage once no error can name an input edge
/// any more, before the graph's arrays grow.
template <class Endpoints>
FollowerGraph build_dense_impl(std::vector<account_t> accounts, edge_t count, Endpoints&& endpoint,
                               std::span<const prob_t> probs, const BuildOptions& opt, BuildReport* report,
                               bool sorted, const StopToken& stop = {}, const BuildPhaseSeconds& before = {},
                               const std::function<void()>& release = {}) {
  const auto n = static_cast<vertex_t>(accounts.size());
  const bool has_p = !probs.empty();
  KOLSIM_REQUIRE(!has_p || probs.size() == count, "build_graph: ", count, " edges but ", probs.size(),
                 " probabilities");
  const int threads = resolve_threads(opt.threads);
  BuildReport rep;
  rep.input_edges = count;
  rep.vertices = n;
  rep.seconds = before;
  PhaseClock clock;
  check_stop(stop);
  validate_input_edges(accounts, count, endpoint, probs, opt, threads, rep);
  rep.seconds.validate = clock.lap();
  auto arcs = [&](edge_t i, auto&& f) { for_each_arc(endpoint, opt, i, f); };
  check_stop(stop);
  MergedRows merged;
  SourceRows rows = group_by_source(n, count, arcs, probs, threads, sorted, opt.duplicates, merged, &rep.seconds);
  clock.lap();
  check_stop(stop);
  report_duplicates(merged, rows, accounts, count, endpoint, arcs, probs, opt, rep, threads);
  if (release) release();
  TopologyVectors tv;
  std::vector<prob_t> p, in_p;
  compact_rows(rows, merged, n, tv, p, threads);
  rep.seconds.merge = clock.lap();
  check_stop(stop);
  build_transpose(tv, p, in_p, threads);
  rep.seconds.transpose = clock.lap();
  rep.edges = tv.out_offsets[n];
  tv.accounts = std::move(accounts);
  auto topo = tv.into_topology();
  FollowerGraph g = has_p ? FollowerGraph(probabilities_checked, std::move(topo), std::move(p), std::move(in_p))
                          : FollowerGraph(std::move(topo));
  rep.seconds.finish = clock.lap();
  if (report) *report = rep;
  return g;
}

}  // namespace detail

/// Builds a graph on dense vertices 0 .. n-1 (account id = index) from parallel arrays
/// `sources[i] -> targets[i]` with optional per-edge probabilities (empty span = none).
inline FollowerGraph build_graph_dense(vertex_t n, std::span<const vertex_t> sources, std::span<const vertex_t> targets,
                                       std::span<const prob_t> probs = {}, const BuildOptions& opt = {},
                                       BuildReport* report = nullptr) {
  KOLSIM_REQUIRE(sources.size() == targets.size(), "build_graph_dense: ", sources.size(), " sources but ",
                 targets.size(), " targets");
  KOLSIM_REQUIRE(n <= max_vertices, "build_graph_dense: too many vertices");
  std::vector<account_t> ids(n);
  std::iota(ids.begin(), ids.end(), account_t{0});
  return detail::build_dense_impl(
      std::move(ids), sources.size(), [&](edge_t i) { return std::pair<vertex_t, vertex_t>(sources[i], targets[i]); },
      probs, opt, report, false);
}

/// As build_graph_dense, for input already sorted by (source, target) after flip/undirected.
inline FollowerGraph build_graph_dense(edges_are_sorted_t, vertex_t n, std::span<const vertex_t> sources,
                                       std::span<const vertex_t> targets, std::span<const prob_t> probs = {},
                                       const BuildOptions& opt = {}, BuildReport* report = nullptr) {
  KOLSIM_REQUIRE(sources.size() == targets.size(), "build_graph_dense: ", sources.size(), " sources but ",
                 targets.size(), " targets");
  std::vector<account_t> ids(n);
  std::iota(ids.begin(), ids.end(), account_t{0});
  return detail::build_dense_impl(
      std::move(ids), sources.size(), [&](edge_t i) { return std::pair<vertex_t, vertex_t>(sources[i], targets[i]); },
      probs, opt, report, true);
}

namespace detail {

/// The accounts that appear (sorted, unique) and the dense index (rank) of each.
struct AccountIndex {
  std::vector<account_t> accounts;
  std::vector<vertex_t> table;  ///< rank by id when ids are compact; empty otherwise

  /// out[i] = rank(in[i]), in parallel chunks (the lookup chosen once, outside the loop).
  void map(const account_t* in, vertex_t* out, std::size_t m, int threads) const {
    if (!table.empty()) {
      const vertex_t* t = table.data();
      parallel_for(0, m, threads, [&](std::size_t i) { out[i] = t[static_cast<std::size_t>(in[i])]; }, 4096, 1 << 16);
      return;
    }
    parallel_for(0, m, threads, [&](std::size_t i) {
      out[i] = static_cast<vertex_t>(std::lower_bound(accounts.begin(), accounts.end(), in[i]) - accounts.begin());
    }, 4096, 1 << 16);
  }
  /// Dense ids written over the front of the id array itself, in rounds [lo, hi) with hi <= 2 lo
  /// (one parallel loop each): dense id i lands on the bytes of 64-bit element i / 2 < lo, read
  /// in an earlier round. The first round [0, block) goes through a small buffer.
  void map_in_place(account_t* ids, std::size_t m, int threads) const {
    constexpr std::size_t block = std::size_t{1} << 16;
    auto* dense = reinterpret_cast<vertex_t*>(ids);
    const std::size_t first = std::min(m, block);
    std::vector<vertex_t> buf(first);
    map(ids, buf.data(), first, threads);
    std::memcpy(dense, buf.data(), first * sizeof(vertex_t));
    for (std::size_t lo = first; lo < m; lo *= 2) {
      const std::size_t hi = std::min(m, 2 * lo);
      map(ids + lo, dense + lo, hi - lo, threads);
    }
  }
};

/// Sorted unique ids of `ids` (consumed): chunks sorted and deduplicated in parallel, then merged
/// pairwise in parallel rounds. The same set for any thread count.
inline std::vector<account_t> sorted_unique(std::vector<account_t> ids, int threads) {
  const int parts = threads <= 1 || ids.size() < (std::size_t{1} << 16)
                        ? 1
                        : static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), ids.size() >> 15));
  const auto bounds = chunk_bounds(ids.size(), parts);
  std::vector<std::pair<std::size_t, std::size_t>> runs(static_cast<std::size_t>(parts));
  parallel_for(0, static_cast<std::size_t>(parts), threads, [&](std::size_t c) {
    auto lo = ids.begin() + static_cast<std::ptrdiff_t>(bounds[c]), hi = ids.begin() + static_cast<std::ptrdiff_t>(bounds[c + 1]);
    std::sort(lo, hi);
    runs[c] = {bounds[c], bounds[c] + static_cast<std::size_t>(std::unique(lo, hi) - lo)};
  }, 1);
  std::vector<account_t> other(parts > 1 ? ids.size() : 0);
  while (runs.size() > 1) {  // merge runs 2j and 2j + 1 into `other` at run 2j's start
    std::vector<std::pair<std::size_t, std::size_t>> merged((runs.size() + 1) / 2);
    parallel_for(0, merged.size(), threads, [&](std::size_t j) {
      const auto [a0, a1] = runs[2 * j];
      auto out = other.begin() + static_cast<std::ptrdiff_t>(a0);
      if (2 * j + 1 == runs.size()) {
        std::copy(ids.begin() + static_cast<std::ptrdiff_t>(a0), ids.begin() + static_cast<std::ptrdiff_t>(a1), out);
        merged[j] = {a0, a1};
        return;
      }
      const auto [b0, b1] = runs[2 * j + 1];
      auto end = std::set_union(ids.begin() + static_cast<std::ptrdiff_t>(a0), ids.begin() + static_cast<std::ptrdiff_t>(a1),
                                ids.begin() + static_cast<std::ptrdiff_t>(b0), ids.begin() + static_cast<std::ptrdiff_t>(b1), out);
      merged[j] = {a0, a0 + static_cast<std::size_t>(end - out)};
    }, 1);
    runs = std::move(merged);
    ids.swap(other);
  }
  ids.resize(runs.empty() ? 0 : runs[0].second);  // one run, starting at 0
  ids.shrink_to_fit();
  return ids;
}

inline AccountIndex index_accounts(std::span<const account_t> sources, std::span<const account_t> targets,
                                   std::span<const account_t> extra_accounts, int threads) {
  const std::size_t m = sources.size();
  AccountIndex idx;
  const int chunks = std::max(1, std::min<int>(threads, static_cast<int>(m >> 16)));
  const auto bounds = chunk_bounds(m, chunks);
  std::vector<account_t> chunk_max(static_cast<std::size_t>(chunks), 0);
  parallel_for(0, static_cast<std::size_t>(chunks), threads, [&](std::size_t c) {
    account_t x = 0;
    for (std::size_t i = bounds[c]; i < bounds[c + 1]; ++i) x = std::max({x, sources[i], targets[i]});
    chunk_max[c] = x;
  }, 1);
  account_t max_id = 0;
  for (auto x : chunk_max) max_id = std::max(max_id, x);
  for (auto a : extra_accounts) max_id = std::max(max_id, a);
  const bool direct = max_id < (std::uint64_t{1} << 28) && max_id <= 8 * (2 * m + extra_accounts.size()) + 1024;
  if (direct) {
    // Compact ids: a presence table (marked in parallel) gives ranks by a block-parallel scan.
    const std::size_t size = static_cast<std::size_t>(max_id) + 1;
    idx.table.assign(size, 0);
    vertex_t* table = idx.table.data();
    parallel_for(0, static_cast<std::size_t>(chunks), threads, [&](std::size_t c) {
      for (std::size_t i = bounds[c]; i < bounds[c + 1]; ++i) {
        std::atomic_ref<vertex_t>(table[sources[i]]).store(1, std::memory_order_relaxed);
        std::atomic_ref<vertex_t>(table[targets[i]]).store(1, std::memory_order_relaxed);
      }
    }, 1);
    for (auto a : extra_accounts) table[a] = 1;
    constexpr std::size_t block = std::size_t{1} << 16;
    const std::size_t blocks = (size + block - 1) / block;
    std::vector<edge_t> start(blocks + 1, 0);
    parallel_for(0, blocks, threads, [&](std::size_t b) {
      edge_t k = 0;
      for (std::size_t a = b * block; a < std::min(size, (b + 1) * block); ++a) k += table[a];
      start[b + 1] = k;
    }, 1);
    for (std::size_t b = 0; b < blocks; ++b) start[b + 1] += start[b];
    KOLSIM_REQUIRE(start[blocks] <= max_vertices, "build_graph: too many accounts");
    idx.accounts.resize(start[blocks]);
    parallel_for(0, blocks, threads, [&](std::size_t b) {
      auto next = static_cast<vertex_t>(start[b]);
      for (std::size_t a = b * block; a < std::min(size, (b + 1) * block); ++a) {
        if (!table[a]) continue;
        idx.accounts[next] = a;
        table[a] = next++;
      }
    }, 1);
  } else {
    std::vector<account_t> all(2 * m + extra_accounts.size());
    parallel_for(0, static_cast<std::size_t>(chunks), threads, [&](std::size_t c) {
      std::copy(sources.begin() + bounds[c], sources.begin() + bounds[c + 1], all.begin() + bounds[c]);
      std::copy(targets.begin() + bounds[c], targets.begin() + bounds[c + 1], all.begin() + m + bounds[c]);
    }, 1);
    std::copy(extra_accounts.begin(), extra_accounts.end(), all.begin() + 2 * m);
    idx.accounts = sorted_unique(std::move(all), threads);
  }
  KOLSIM_REQUIRE(idx.accounts.size() <= max_vertices, "build_graph: too many accounts");
  return idx;
}

/// The graph on `idx`'s accounts from dense endpoint arrays (the rank table is freed first);
/// `release` frees the endpoint arrays once the build no longer reads them.
inline FollowerGraph build_indexed(AccountIndex&& idx, const vertex_t* src, const vertex_t* dst, std::size_t m,
                                   std::span<const prob_t> probs, const BuildOptions& opt, BuildReport* report,
                                   const StopToken& stop, const BuildPhaseSeconds& before,
                                   const std::function<void()>& release) {
  std::vector<vertex_t>().swap(idx.table);
  return build_dense_impl(
      std::move(idx.accounts), m, [&](edge_t i) { return std::pair<vertex_t, vertex_t>(src[i], dst[i]); }, probs,
      opt, report, false, stop, before, release);
}

}  // namespace detail

/// Builds a graph from edges between original account ids: `sources[i] -> targets[i]` means
/// targets[i] follows sources[i]. Vertices are the accounts that appear, plus `extra_accounts`
/// (accounts without edges that must still exist, e.g. KOLs on a roster); dense index = rank of
/// the account id. Probabilities are optional (empty span = none). `stop` is polled between the
/// build's phases (Interrupted). Policy errors (InputEdgeError) name account ids, not indices.
inline FollowerGraph build_graph(std::span<const account_t> sources, std::span<const account_t> targets,
                                 std::span<const prob_t> probs = {}, const BuildOptions& opt = {},
                                 BuildReport* report = nullptr, std::span<const account_t> extra_accounts = {},
                                 const StopToken& stop = {}) {
  KOLSIM_REQUIRE(sources.size() == targets.size(), "build_graph: ", sources.size(), " sources but ", targets.size(),
                 " targets");
  const std::size_t m = sources.size();
  const int threads = resolve_threads(opt.threads);
  detail::PhaseClock clock;
  BuildPhaseSeconds seconds;
  detail::AccountIndex idx = detail::index_accounts(sources, targets, extra_accounts, threads);
  seconds.index = clock.lap();
  check_stop(stop);
  std::vector<vertex_t> src(m), dst(m);
  idx.map(sources.data(), src.data(), m, threads);
  idx.map(targets.data(), dst.data(), m, threads);
  seconds.map = clock.lap();
  return detail::build_indexed(std::move(idx), src.data(), dst.data(), m, probs, opt, report, stop, seconds, [&] {
    std::vector<vertex_t>().swap(src);
    std::vector<vertex_t>().swap(dst);
  });
}

/// Owner of an id array from std::malloc (so it can shrink in place with realloc).
using MallocIds = std::unique_ptr<account_t[], decltype(&std::free)>;

/// As build_graph, consuming its two id arrays of m entries each: each is turned into dense ids
/// in place and shrunk to half its size before the next, so the 64-bit ids never sit beside the
/// graph being built (the text loader's peak memory). The arrays are freed once the build no
/// longer reads them (after the duplicates are reported, before the rows are compacted).
inline FollowerGraph build_graph(MallocIds sources, MallocIds targets, std::size_t m, std::span<const prob_t> probs,
                                 const BuildOptions& opt = {}, BuildReport* report = nullptr,
                                 const StopToken& stop = {}) {
  const int threads = resolve_threads(opt.threads);
  detail::PhaseClock clock;
  BuildPhaseSeconds seconds;
  detail::AccountIndex idx = detail::index_accounts(std::span<const account_t>(sources.get(), m),
                                                    std::span<const account_t>(targets.get(), m), {}, threads);
  seconds.index = clock.lap();
  auto densify = [&](MallocIds& ids) {
    check_stop(stop);
    idx.map_in_place(ids.get(), m, threads);
    if (void* shrunk = std::realloc(ids.get(), std::max<std::size_t>(m, 1) * sizeof(vertex_t))) {
      ids.release();
      ids.reset(static_cast<account_t*>(shrunk));
    }
  };
  densify(sources);
  densify(targets);
  seconds.map = clock.lap();
  return detail::build_indexed(std::move(idx), reinterpret_cast<const vertex_t*>(sources.get()),
                               reinterpret_cast<const vertex_t*>(targets.get()), m, probs, opt, report, stop, seconds,
                               [&] {
                                 sources.reset();
                                 targets.reset();
                               });
}

/// Rebuilds a graph from its out-adjacency in CSR form (as FollowerGraph::out_offsets(),
/// out_targets(), accounts() and edge_probs() return it, e.g. a pickle state): the in-adjacency
/// is built by the builder's transpose. Everything is checked first, so corrupted arrays throw
/// std::invalid_argument (prefixed by `who`) instead of reading out of bounds: n + 1 offsets
/// from 0 to m, monotone; targets < n and ascending within a row (parallel copies allowed);
/// accounts strictly increasing; probabilities empty or one per edge in [0, 1]. O(n + m).
inline FollowerGraph build_graph_from_csr(std::vector<account_t> accounts, std::vector<edge_t> out_offsets,
                                          std::vector<vertex_t> out_targets, std::vector<prob_t> probs = {},
                                          int threads = 0, const char* who = "build_graph_from_csr") {
  const std::size_t n = accounts.size();
  KOLSIM_REQUIRE(n <= max_vertices, who, ": too many accounts");
  KOLSIM_REQUIRE(out_offsets.size() == n + 1 && out_offsets.front() == 0 && out_offsets.back() == out_targets.size(),
                 who, ": inconsistent offsets");
  KOLSIM_REQUIRE(probs.empty() || probs.size() == out_targets.size(), who, ": ", out_targets.size(), " edges but ",
                 probs.size(), " probabilities");
  for (std::size_t i = 0; i < n; ++i) {
    KOLSIM_REQUIRE(out_offsets[i] <= out_offsets[i + 1], who, ": offsets not monotone");
    KOLSIM_REQUIRE(i == 0 || accounts[i - 1] < accounts[i], who, ": accounts not increasing");
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (edge_t e = out_offsets[i]; e < out_offsets[i + 1]; ++e) {
      KOLSIM_REQUIRE(out_targets[e] < n, who, ": target out of range");
      KOLSIM_REQUIRE(e == out_offsets[i] || out_targets[e - 1] <= out_targets[e], who, ": unsorted row");
    }
  }
  for (prob_t x : probs) KOLSIM_REQUIRE(x >= 0.0f && x <= 1.0f, who, ": probability ", x, " outside [0, 1]");
  detail::TopologyVectors tv;
  tv.out_offsets = std::move(out_offsets);
  tv.out_targets = std::move(out_targets);
  tv.accounts = std::move(accounts);
  std::vector<prob_t> in_p;
  detail::build_transpose(tv, probs, in_p, resolve_threads(threads));
  auto topo = tv.into_topology();
  if (probs.empty()) return FollowerGraph(std::move(topo));
  return FollowerGraph(std::move(topo), std::move(probs), std::move(in_p));
}

}  // namespace kolsim

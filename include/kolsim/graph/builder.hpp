// SPDX-License-Identifier: MIT
/// Builds a FollowerGraph from edge arrays in O(n + m) extra memory, with explicit policies for
/// self-loops and duplicate edges and a report that counts what each policy did.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
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
  double sort = 0;       ///< each row sorted by target
  double merge = 0;      ///< duplicates merged per the policy, rows compacted
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

/// Chunks for a parallel counting sort over n keys: per-chunk histograms cost chunks * n words,
/// so small inputs and huge key ranges use fewer chunks. The result never depends on it.
inline int counting_chunks(edge_t items, vertex_t n, int threads) {
  if (threads <= 1 || items < (edge_t{1} << 16)) return 1;
  const edge_t budget = std::max<edge_t>(items, edge_t{1} << 24);  // words of histogram allowed
  edge_t c = std::min<edge_t>(static_cast<edge_t>(threads), budget / (static_cast<edge_t>(n) + 1));
  return static_cast<int>(std::max<edge_t>(c, 1));
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

/// Arcs grouped by source before duplicates are merged: row u is [row[u], row[u + 1]).
struct SourceRows {
  std::vector<edge_t> row;
  std::vector<vertex_t> targets;
  std::vector<prob_t> p;  ///< empty without probabilities
};

/// Counting sort of the arcs by source: per-chunk histograms over input chunks (stable: input
/// order survives within a row because chunk c precedes chunk c + 1).
template <class Arcs>
SourceRows group_by_source(vertex_t n, edge_t count, Arcs&& arcs, std::span<const prob_t> probs, int threads,
                           BuildPhaseSeconds* seconds = nullptr) {
  PhaseClock clock;
  const bool has_p = !probs.empty();
  SourceRows r;
  r.row.assign(static_cast<std::size_t>(n) + 1, 0);
  const int chunks = counting_chunks(count, n, threads);
  const auto bounds = chunk_bounds(count, chunks);
  std::vector<std::vector<edge_t>> cursor(chunks);
  parallel_for(0, static_cast<std::size_t>(chunks), threads, [&](std::size_t c) {
    auto& h = cursor[c];
    h.assign(n, 0);
    for (edge_t i = bounds[c]; i < bounds[c + 1]; ++i) arcs(i, [&](edge_t, vertex_t a, vertex_t) { ++h[a]; });
  }, 1);
  edge_t total = 0;
  for (vertex_t u = 0; u < n; ++u) {
    r.row[u] = total;
    for (int c = 0; c < chunks; ++c) {
      const edge_t k = cursor[c][u];
      cursor[c][u] = total;
      total += k;
    }
  }
  r.row[n] = total;
  if (seconds) seconds->count = clock.lap();
  r.targets.resize(total);
  if (has_p) r.p.resize(total);
  parallel_for(0, static_cast<std::size_t>(chunks), threads, [&](std::size_t c) {
    auto& h = cursor[c];
    for (edge_t i = bounds[c]; i < bounds[c + 1]; ++i)
      arcs(i, [&](edge_t j, vertex_t a, vertex_t b) {
        const edge_t pos = h[a]++;
        r.targets[pos] = b;
        if (has_p) r.p[pos] = probs[j];
      });
  }, 1);
  if (seconds) seconds->scatter = clock.lap();
  return r;
}

/// Sorts each row by target (stable: the first copy of a duplicate stays first).
inline void sort_rows(SourceRows& r, vertex_t n, int threads) {
  const bool has_p = !r.p.empty();
  parallel_for(0, n, threads, [&](std::size_t u) {
    const edge_t lo = r.row[u], hi = r.row[u + 1];
    if (hi - lo < 2 || std::is_sorted(r.targets.begin() + lo, r.targets.begin() + hi)) return;
    if (!has_p) {
      std::sort(r.targets.begin() + lo, r.targets.begin() + hi);
      return;
    }
    thread_local std::vector<std::pair<vertex_t, prob_t>> row;
    row.resize(hi - lo);
    for (edge_t e = lo; e < hi; ++e) row[e - lo] = {r.targets[e], r.p[e]};
    std::stable_sort(row.begin(), row.end(), [](auto& x, auto& y) { return x.first < y.first; });
    for (edge_t e = lo; e < hi; ++e) std::tie(r.targets[e], r.p[e]) = row[e - lo];
  }, 1024);
}

/// Per row: arcs kept after merging duplicates, copies seen, and whether a Duplicates::sum went over 1.
struct MergedRows {
  std::vector<edge_t> kept, dups;
  std::vector<char> bad_sum;
};

/// Merges duplicate arcs in place at the front of each sorted row (rows are independent).
inline MergedRows merge_duplicates(SourceRows& r, vertex_t n, Duplicates policy, int threads) {
  const bool has_p = !r.p.empty();
  MergedRows mr;
  mr.kept.assign(n, 0);
  mr.dups.assign(n, 0);
  mr.bad_sum.assign(n, 0);
  auto& targets = r.targets;
  auto& p = r.p;
  parallel_for(0, n, threads, [&](std::size_t u) {
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
  }, 1024);
  return mr;
}

/// Adds the duplicate counts to rep and throws InputEdgeError naming the input edge for
/// Duplicates::error (the smallest duplicated target of the first such row) or a
/// Duplicates::sum over 1 (the copy that pushes the sum over 1, in input order).
template <class Endpoints, class Arcs>
void report_duplicates(const MergedRows& mr, const SourceRows& r, std::span<const account_t> accounts, edge_t count,
                       Endpoints& endpoint, Arcs&& arcs, std::span<const prob_t> probs, const BuildOptions& opt,
                       BuildReport& rep) {
  const auto n = static_cast<vertex_t>(accounts.size());
  for (vertex_t u = 0; u < n; ++u) {
    rep.duplicates += mr.dups[u];
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
/// the row buffers, and clamps merged probabilities to 1.
inline void compact_rows(SourceRows& r, MergedRows& mr, vertex_t n, TopologyVectors& t, std::vector<prob_t>& p,
                         int threads) {
  (void)threads;
  const bool has_p = !r.p.empty();
  t.out_offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  for (vertex_t u = 0; u < n; ++u) t.out_offsets[u + 1] = t.out_offsets[u] + mr.kept[u];
  const edge_t m = t.out_offsets[n];
  if (m != r.row[n]) {
    for (vertex_t u = 0; u < n; ++u) {  // leftward moves, in order: never overwrites unread data
      std::copy_n(r.targets.begin() + r.row[u], mr.kept[u], r.targets.begin() + t.out_offsets[u]);
      if (has_p) std::copy_n(r.p.begin() + r.row[u], mr.kept[u], r.p.begin() + t.out_offsets[u]);
    }
    r.targets.resize(m);
    r.targets.shrink_to_fit();
    if (has_p) {
      r.p.resize(m);
      r.p.shrink_to_fit();
    }
  }
  std::vector<edge_t>().swap(r.row);
  std::vector<edge_t>().swap(mr.kept);
  std::vector<edge_t>().swap(mr.dups);
  t.out_targets = std::move(r.targets);
  p = std::move(r.p);
  if (has_p) for (prob_t& x : p) x = std::min(x, 1.0f);
}

/// The in-adjacency of t from its out-adjacency (the one transpose of the library): a counting
/// sort by target over source-ordered chunks of rows, so each in-row lists its sources ascending
/// (parallel copies keep their order) for any thread count. `p` (empty = none) holds the
/// out-order probabilities; in_p receives them in in-edge order. t.out_offsets / out_targets
/// must be valid (n + 1 monotone offsets from 0 to m, targets < n).
inline void build_transpose(TopologyVectors& t, std::span<const prob_t> p, std::vector<prob_t>& in_p, int threads) {
  const auto n = static_cast<vertex_t>(t.out_offsets.size() - 1);
  const edge_t m = t.out_offsets[n];
  const bool has_p = !p.empty();
  t.in_offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  t.in_sources.resize(m);
  in_p.assign(has_p ? m : 0, 0.0f);
  const int chunks = counting_chunks(m, n, threads);
  std::vector<vertex_t> first(static_cast<std::size_t>(chunks) + 1, n);
  first[0] = 0;
  for (int c = 1; c < chunks; ++c) {  // split rows so chunks hold about m / chunks edges
    const edge_t goal = m * static_cast<edge_t>(c) / static_cast<edge_t>(chunks);
    first[c] = static_cast<vertex_t>(std::lower_bound(t.out_offsets.begin(), t.out_offsets.end(), goal) -
                                     t.out_offsets.begin());
    first[c] = std::min(std::max(first[c], first[c - 1]), n);
  }
  std::vector<std::vector<edge_t>> cursor(chunks);
  parallel_for(0, static_cast<std::size_t>(chunks), threads, [&](std::size_t c) {
    auto& h = cursor[c];
    h.assign(n, 0);
    for (edge_t e = t.out_offsets[first[c]]; e < t.out_offsets[first[c + 1]]; ++e) ++h[t.out_targets[e]];
  }, 1);
  edge_t total = 0;
  for (vertex_t v = 0; v < n; ++v) {
    t.in_offsets[v] = total;
    for (int c = 0; c < chunks; ++c) {
      const edge_t k = cursor[c][v];
      cursor[c][v] = total;
      total += k;
    }
  }
  t.in_offsets[n] = total;
  parallel_for(0, static_cast<std::size_t>(chunks), threads, [&](std::size_t c) {
    auto& h = cursor[c];
    for (vertex_t u = first[c]; u < first[c + 1]; ++u)
      for (edge_t e = t.out_offsets[u]; e < t.out_offsets[u + 1]; ++e) {
        const edge_t pos = h[t.out_targets[e]]++;
        t.in_sources[pos] = u;
        if (has_p) in_p[pos] = p[e];
      }
  }, 1);
}

/// Core build over dense endpoints; `endpoint(i)` yields the i-th input edge (u, v). Phases:
/// validate, group arcs by source, sort rows, merge duplicates, compact, transpose. Stable
/// parallel counting sorts (per-chunk histograms, chunks in input order) keep the result
/// identical for any thread count.
template <class Endpoints>
FollowerGraph build_dense_impl(std::vector<account_t> accounts, edge_t count, Endpoints&& endpoint,
                               std::span<const prob_t> probs, const BuildOptions& opt, BuildReport* report,
                               bool sorted, const StopToken& stop = {}, const BuildPhaseSeconds& before = {}) {
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
  SourceRows rows = group_by_source(n, count, arcs, probs, threads, &rep.seconds);
  check_stop(stop);
  clock.lap();
  if (!sorted) sort_rows(rows, n, threads);
  rep.seconds.sort = clock.lap();
  check_stop(stop);
  MergedRows merged = merge_duplicates(rows, n, opt.duplicates, threads);
  report_duplicates(merged, rows, accounts, count, endpoint, arcs, probs, opt, rep);
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
  /// Dense ids written over the front of the id array itself: block by block, each block mapped
  /// into a small buffer and copied back. The copy overwrites bytes of elements < hi / 2, which
  /// were all read before (in this block or an earlier one).
  void map_in_place(account_t* ids, std::size_t m, int threads) const {
    constexpr std::size_t block = std::size_t{1} << 18;
    std::vector<vertex_t> buf(std::min(m, block));
    auto* dense = reinterpret_cast<vertex_t*>(ids);
    for (std::size_t lo = 0; lo < m; lo += block) {
      const std::size_t hi = std::min(m, lo + block);
      map(ids + lo, buf.data(), hi - lo, threads);
      std::memcpy(dense + lo, buf.data(), (hi - lo) * sizeof(vertex_t));
    }
  }
};

inline AccountIndex index_accounts(std::span<const account_t> sources, std::span<const account_t> targets,
                                   std::span<const account_t> extra_accounts, int threads) {
  (void)threads;
  const std::size_t m = sources.size();
  AccountIndex idx;
  account_t max_id = 0;
  for (std::size_t i = 0; i < m; ++i) max_id = std::max({max_id, sources[i], targets[i]});
  for (auto a : extra_accounts) max_id = std::max(max_id, a);
  const bool direct = max_id < (std::uint64_t{1} << 28) && max_id <= 8 * (2 * m + extra_accounts.size()) + 1024;
  if (direct) {
    // Compact ids: a presence table gives ranks in O(max_id).
    idx.table.assign(static_cast<std::size_t>(max_id) + 1, 0);
    for (std::size_t i = 0; i < m; ++i) idx.table[sources[i]] = idx.table[targets[i]] = 1;
    for (auto a : extra_accounts) idx.table[a] = 1;
    vertex_t next = 0;
    for (std::size_t a = 0; a <= max_id; ++a) {
      if (idx.table[a]) {
        idx.accounts.push_back(a);
        idx.table[a] = next++;
      }
    }
  } else {
    idx.accounts.reserve(2 * m + extra_accounts.size());
    idx.accounts.insert(idx.accounts.end(), sources.begin(), sources.end());
    idx.accounts.insert(idx.accounts.end(), targets.begin(), targets.end());
    idx.accounts.insert(idx.accounts.end(), extra_accounts.begin(), extra_accounts.end());
    std::sort(idx.accounts.begin(), idx.accounts.end());
    idx.accounts.erase(std::unique(idx.accounts.begin(), idx.accounts.end()), idx.accounts.end());
    idx.accounts.shrink_to_fit();
  }
  KOLSIM_REQUIRE(idx.accounts.size() <= max_vertices, "build_graph: too many accounts");
  return idx;
}

/// The graph on `idx`'s accounts from dense endpoint arrays (the rank table is freed first).
inline FollowerGraph build_indexed(AccountIndex&& idx, const vertex_t* src, const vertex_t* dst, std::size_t m,
                                   std::span<const prob_t> probs, const BuildOptions& opt, BuildReport* report,
                                   const StopToken& stop, const BuildPhaseSeconds& before) {
  std::vector<vertex_t>().swap(idx.table);
  return build_dense_impl(
      std::move(idx.accounts), m, [&](edge_t i) { return std::pair<vertex_t, vertex_t>(src[i], dst[i]); }, probs,
      opt, report, false, stop, before);
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
  return detail::build_indexed(std::move(idx), src.data(), dst.data(), m, probs, opt, report, stop, seconds);
}

/// Owner of an id array from std::malloc (so it can shrink in place with realloc).
using MallocIds = std::unique_ptr<account_t[], decltype(&std::free)>;

/// As build_graph, consuming its two id arrays of m entries each: each is turned into dense ids
/// in place and shrunk to half its size before the next, so the 64-bit ids never sit beside the
/// graph being built (the text loader's peak memory). The arrays are freed on return.
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
                               reinterpret_cast<const vertex_t*>(targets.get()), m, probs, opt, report, stop, seconds);
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

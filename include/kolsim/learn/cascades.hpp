// SPDX-License-Identifier: MIT
/// Observed cascades as data: who adopted a message and when, joined to a graph's account table;
/// readers for the common formats, the summaries a researcher looks at first, and deterministic
/// train/test splits.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/progress.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// A set of observed cascades over one graph. Cascade c is the adopters
/// `vertices[offsets[c] .. offsets[c+1])` in adoption order with their `times` (seconds, any
/// epoch, nondecreasing within a cascade). Each account adopts at most once per cascade (a
/// repeat keeps the first adoption). Adopters that are not accounts of the graph are counted in
/// `outside` (they cannot be simulated) and never dropped silently.
struct Cascades {
  std::vector<std::uint64_t> offsets{0};   ///< cascades + 1 entries
  std::vector<vertex_t> vertices;          ///< dense indices in the graph
  std::vector<double> times;               ///< adoption time of each entry (seconds)
  std::vector<std::uint64_t> outside;      ///< per cascade: adoptions of accounts not in the graph
  std::vector<std::uint64_t> ids;          ///< per cascade: its id (line number or CSV cascade_id)
  vertex_t graph_vertices = 0;             ///< n of the graph the cascades were joined to

  std::size_t size() const noexcept { return offsets.size() - 1; }
  /// Adoptions (in-graph) of all cascades.
  std::uint64_t adoptions() const noexcept { return vertices.size(); }
  std::span<const vertex_t> adopters(std::size_t c) const {
    KOLSIM_REQUIRE_INDEX(c < size(), "cascade ", c, " out of range (", size(), " cascades)");
    return {vertices.data() + offsets[c], static_cast<std::size_t>(offsets[c + 1] - offsets[c])};
  }
  std::span<const double> adoption_times(std::size_t c) const {
    KOLSIM_REQUIRE_INDEX(c < size(), "cascade ", c, " out of range (", size(), " cascades)");
    return {times.data() + offsets[c], static_cast<std::size_t>(offsets[c + 1] - offsets[c])};
  }
  /// Appends one cascade (adopters in order; times nondecreasing; repeats keep the first).
  void add(std::span<const vertex_t> adopters, std::span<const double> adoption_times, std::uint64_t id,
           std::uint64_t outside_adoptions = 0);
  /// The cascades at these positions, in this order.
  Cascades subset(std::span<const std::size_t> which) const;
};

/// Input layout of a cascade file.
enum class CascadeFormat {
  auto_detect,  ///< `.csv` with a header naming cascade_id -> long, else per_line
  per_line,     ///< one cascade per line: `account,time account,time ...` or `account time,account time,...`
  long_csv,     ///< a header row, then `cascade_id,account,time` rows (cascades grouped by id)
};

/// How to read cascades.
struct CascadeReadOptions {
  CascadeFormat format = CascadeFormat::auto_detect;
  /// per_line: a first chunk with three fields `root account time` (the MS-HGAT / FOREST layout
  /// of the StackExchange sets) makes `root` the first adopter at `time`, before `account`.
  bool root_field = true;
  /// Adopters that are not accounts of the graph: counted per cascade (true) or an error naming
  /// the file and line (false).
  bool allow_outside = true;
  /// Cascades with fewer in-graph adopters than this are skipped (counted in the report).
  std::uint64_t min_size = 1;
  /// ("read", lines parsed, lines of the file) from the caller's thread; the long layout then
  /// ("join", cascades joined, cascades).
  ProgressFn progress{};
};

/// What a cascade read did.
struct CascadeReadReport {
  std::uint64_t lines = 0, cascades = 0, adoptions = 0;
  std::uint64_t outside_adoptions = 0;  ///< adopters not in the graph (kept out, counted)
  std::uint64_t repeat_adoptions = 0;   ///< second adoptions of an account in one cascade (ignored)
  std::uint64_t skipped_small = 0;      ///< cascades below min_size
};

/// Reads cascades and joins them to g's accounts. Times are seconds (integers or decimals, any
/// epoch); within a cascade they must not decrease. Throws ParseError(file, line, message) on
/// malformed data, IoError when the file cannot be read.
Cascades read_cascades(const std::string& path, const FollowerGraph& g, const CascadeReadOptions& options = {},
                       CascadeReadReport* report = nullptr);

/// What a researcher looks at first about a set of cascades.
struct CascadeSummary {
  std::uint64_t cascades = 0, adoptions = 0;
  std::vector<std::uint64_t> sizes;       ///< in-graph adopters per cascade
  std::vector<double> durations;          ///< last minus first adoption time (seconds)
  std::vector<std::uint32_t> depths;      ///< longest chain of explained adoptions (0 = only roots)
  /// Adoptions after the first whose account has an in-neighbour that adopted earlier in the
  /// same cascade, divided by all adoptions after the first.
  double explained_fraction = 0;
  std::vector<double> time_to_half;       ///< seconds until 50% of the final size
  std::vector<double> time_to_90;         ///< seconds until 90% of the final size
};

/// Summaries of `cascades` on graph g (edges u -> v: v may adopt because u did). O(adoptions x
/// in-degree).
CascadeSummary summarize_cascades(const FollowerGraph& g, const Cascades& cascades);

namespace detail {

/// Position "none" for walk_cascades: the follower did not adopt in this cascade.
inline constexpr std::size_t not_adopted = static_cast<std::size_t>(-1);

/// Out-edge index of u -> v (the first of parallel edges), or m when there is none.
inline edge_t find_edge(const FollowerGraph& g, vertex_t u, vertex_t v) {
  auto row = g.out_neighbors(u);
  auto it = std::lower_bound(row.begin(), row.end(), v);
  if (it == row.end() || *it != v) return g.num_edges();
  return g.out_offsets()[u] + static_cast<edge_t>(it - row.begin());
}

/// Walks every non-empty cascade once along the graph's edges, the evidence pass of every
/// learner: begin(c, adopters, times) per cascade; for each adopter i >= 1, parent(i, j, e) for
/// each distinct in-neighbour that adopted earlier (position j < i) along out-edge e, then
/// adopted(i); for each adopter i, exposure(i, e, j) for each distinct follower along out-edge e,
/// j its position in the cascade or not_adopted. O(adoptions x degree).
template <class Begin, class Parent, class Adopted, class Exposure>
void walk_cascades(const FollowerGraph& g, const Cascades& cs, Begin&& begin, Parent&& parent, Adopted&& adopted,
                   Exposure&& exposure) {
  KOLSIM_REQUIRE(cs.graph_vertices == g.num_vertices(), "cascades were read for a graph of ", cs.graph_vertices,
                 " accounts, this graph has ", g.num_vertices());
  const vertex_t n = g.num_vertices();
  std::vector<std::uint32_t> stamp(n, 0);
  std::vector<std::size_t> pos(n, 0);
  std::uint32_t epoch = 0;
  for (std::size_t c = 0; c < cs.size(); ++c) {
    const auto a = cs.adopters(c);
    if (a.empty()) continue;
    if (++epoch == 0) {
      std::fill(stamp.begin(), stamp.end(), 0u);
      epoch = 1;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
      stamp[a[i]] = epoch;
      pos[a[i]] = i;
    }
    begin(c, a, cs.adoption_times(c));
    for (std::size_t i = 1; i < a.size(); ++i) {
      const auto srcs = g.in_neighbors(a[i]);
      for (std::size_t k = 0; k < srcs.size(); ++k) {
        const vertex_t u = srcs[k];
        if (stamp[u] != epoch || pos[u] >= i || (k > 0 && srcs[k - 1] == u)) continue;
        parent(i, pos[u], find_edge(g, u, a[i]));
      }
      adopted(i);
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto followers = g.out_neighbors(a[i]);
      const edge_t base = g.out_offsets()[a[i]];
      for (std::size_t k = 0; k < followers.size(); ++k) {
        const vertex_t v = followers[k];
        if (k > 0 && followers[k - 1] == v) continue;  // parallel edge: counted once
        exposure(i, base + k, stamp[v] == epoch ? pos[v] : not_adopted);
      }
    }
  }
}

}  // namespace detail

/// A deterministic split of cascade positions.
struct CascadeSplit {
  std::vector<std::size_t> train, test;
};

/// Earlier cascades train, later ones test: cascades sorted by first adoption time (ties by
/// position), the last `test_fraction` of them are the test set.
CascadeSplit split_by_time(const Cascades& cascades, double test_fraction = 0.2);

/// A seeded random split by cascade (same seed, same split).
CascadeSplit split_by_cascade(const Cascades& cascades, double test_fraction, std::uint64_t seed);

}  // namespace kolsim

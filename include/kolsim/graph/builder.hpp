// SPDX-License-Identifier: MIT
/// Builds a FollowerGraph from edge arrays in O(n + m) extra memory, with explicit policies for
/// self-loops and duplicate edges and a report that counts what each policy did.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
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

/// What a build did, so that nothing is dropped silently.
struct BuildReport {
  edge_t input_edges = 0;  ///< edges given (before undirected doubling)
  edge_t self_loops = 0;   ///< self-loops seen (dropped under SelfLoops::drop)
  edge_t duplicates = 0;   ///< extra copies of an edge seen (merged unless Duplicates::keep)
  edge_t edges = 0;        ///< edges in the graph
  vertex_t vertices = 0;   ///< vertices in the graph
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

inline void check_prob(prob_t p, edge_t i) {
  if (!(p >= 0.0f && p <= 1.0f))
    throw InputEdgeError(i, concat("input edge ", i, ": probability must be in [0, 1], got ", p));
}

/// Core build over dense endpoints; `endpoint(i)` yields the i-th input edge (u, v).
template <class Endpoints>
FollowerGraph build_dense_impl(std::vector<account_t> accounts, edge_t count, Endpoints&& endpoint,
                               std::span<const prob_t> probs, const BuildOptions& opt, BuildReport* report,
                               bool sorted) {
  const auto n = static_cast<vertex_t>(accounts.size());
  const bool has_p = !probs.empty();
  KOLSIM_REQUIRE(!has_p || probs.size() == count, "build_graph: ", count, " edges but ", probs.size(),
                 " probabilities");
  const int threads = resolve_threads(opt.threads);
  BuildReport rep;
  rep.input_edges = count;
  rep.vertices = n;

  auto topo = std::make_shared<GraphTopology>();
  auto& t = *topo;
  // Pass 1: out-degrees (and validation).
  std::vector<edge_t> deg(static_cast<std::size_t>(n) + 1, 0);
  auto visit = [&](auto&& emit) {
    for (edge_t i = 0; i < count; ++i) {
      auto [a, b] = endpoint(i);
      if (opt.flip) std::swap(a, b);
      if (a == b) {
        if (opt.self_loops == SelfLoops::error)
          throw InputEdgeError(i, concat("input edge ", i, ": self-loop on vertex ", a, " (self_loops=error)"));
        if (opt.self_loops == SelfLoops::drop) continue;
        emit(i, a, b);
        continue;
      }
      emit(i, a, b);
      if (opt.undirected) emit(i, b, a);
    }
  };
  for (edge_t i = 0; i < count; ++i) {
    auto [a, b] = endpoint(i);
    if (a >= n || b >= n)
      throw InputEdgeError(i, concat("input edge ", i, ": vertex index out of range (n = ", n, ")"));
    if (has_p) check_prob(probs[i], i);
    if (a == b) ++rep.self_loops;
  }
  visit([&](edge_t, vertex_t a, vertex_t) { ++deg[a + 1]; });
  std::partial_sum(deg.begin(), deg.end(), deg.begin());
  const edge_t m0 = deg[n];
  // Pass 2: counting sort by source (stable, so input order survives within a row).
  std::vector<vertex_t> targets(m0);
  std::vector<prob_t> p(has_p ? m0 : 0);
  {
    std::vector<edge_t> cur(deg.begin(), deg.end() - 1);
    visit([&](edge_t i, vertex_t a, vertex_t b) {
      const edge_t pos = cur[a]++;
      targets[pos] = b;
      if (has_p) p[pos] = probs[i];
    });
  }
  // Sort each row by target (stable: the first copy of a duplicate stays first).
  if (!sorted) {
    parallel_for(0, n, threads, [&](std::size_t u) {
      const edge_t lo = deg[u], hi = deg[u + 1];
      if (hi - lo < 2) return;
      if (std::is_sorted(targets.begin() + lo, targets.begin() + hi)) return;
      if (!has_p) {
        std::sort(targets.begin() + lo, targets.begin() + hi);
        return;
      }
      std::vector<std::pair<vertex_t, prob_t>> row(hi - lo);
      for (edge_t e = lo; e < hi; ++e) row[e - lo] = {targets[e], p[e]};
      std::stable_sort(row.begin(), row.end(), [](auto& x, auto& y) { return x.first < y.first; });
      for (edge_t e = lo; e < hi; ++e) std::tie(targets[e], p[e]) = row[e - lo];
    }, 256);
  }
  // Duplicates: count, and merge in place unless kept.
  t.out_offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  edge_t w = 0;
  for (vertex_t u = 0; u < n; ++u) {
    const edge_t lo = deg[u], hi = deg[u + 1];
    for (edge_t e = lo; e < hi; ++e) {
      const bool dup = e > lo && targets[e] == targets[e - 1];
      if (dup) {
        ++rep.duplicates;
        switch (opt.duplicates) {
          case Duplicates::keep: break;
          case Duplicates::first: continue;
          case Duplicates::max:
            if (has_p) p[w - 1] = std::max(p[w - 1], p[e]);
            continue;
          case Duplicates::combine:
            if (has_p) p[w - 1] = 1.0f - (1.0f - p[w - 1]) * (1.0f - p[e]);
            continue;
          case Duplicates::sum:
            if (has_p) {
              p[w - 1] += p[e];
              if (p[w - 1] > 1.0f + 1e-6f)
                throw InputEdgeError(0, concat("duplicate edges ", u, " -> ", targets[e],
                                               " sum to weight ", p[w - 1], " > 1 (duplicates=sum)"));
              p[w - 1] = std::min(p[w - 1], 1.0f);
            }
            continue;
          case Duplicates::error: {
            // Find the input position of the second copy for the message.
            edge_t seen = 0, where = 0;
            const vertex_t v = targets[e];
            for (edge_t i = 0; i < count && seen < 2; ++i) {
              auto [a, b] = endpoint(i);
              if (opt.flip) std::swap(a, b);
              if ((a == u && b == v) || (opt.undirected && a == v && b == u)) {
                ++seen;
                where = i;
              }
            }
            throw InputEdgeError(where, concat("input edge ", where, ": duplicate edge ", u, " -> ", v,
                                               " (duplicates=error)"));
          }
        }
      }
      targets[w] = targets[e];
      if (has_p) p[w] = p[e];
      ++w;
    }
    t.out_offsets[u + 1] = w;
  }
  targets.resize(w);
  targets.shrink_to_fit();
  if (has_p) {
    p.resize(w);
    p.shrink_to_fit();
  }
  std::vector<edge_t>().swap(deg);
  t.out_targets = std::move(targets);
  // In-adjacency by counting sort over out-rows in source order: in-rows come out sorted.
  t.in_offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  for (vertex_t v : t.out_targets) ++t.in_offsets[v + 1];
  std::partial_sum(t.in_offsets.begin(), t.in_offsets.end(), t.in_offsets.begin());
  t.in_sources.resize(w);
  {
    std::vector<edge_t> cur(t.in_offsets.begin(), t.in_offsets.end() - 1);
    for (vertex_t u = 0; u < n; ++u)
      for (edge_t e = t.out_offsets[u]; e < t.out_offsets[u + 1]; ++e) t.in_sources[cur[t.out_targets[e]]++] = u;
  }
  rep.edges = w;
  t.accounts = std::move(accounts);
  if (report) *report = rep;
  return FollowerGraph(std::move(topo), std::move(p));
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

/// Builds a graph from edges between original account ids: `sources[i] -> targets[i]` means
/// targets[i] follows sources[i]. Vertices are the accounts that appear, plus `extra_accounts`
/// (accounts without edges that must still exist, e.g. KOLs on a roster); dense index = rank of
/// the account id. Probabilities are optional (empty span = none).
inline FollowerGraph build_graph(std::span<const account_t> sources, std::span<const account_t> targets,
                                 std::span<const prob_t> probs = {}, const BuildOptions& opt = {},
                                 BuildReport* report = nullptr, std::span<const account_t> extra_accounts = {}) {
  KOLSIM_REQUIRE(sources.size() == targets.size(), "build_graph: ", sources.size(), " sources but ", targets.size(),
                 " targets");
  const std::size_t m = sources.size();
  account_t max_id = 0;
  for (std::size_t i = 0; i < m; ++i) max_id = std::max({max_id, sources[i], targets[i]});
  for (auto a : extra_accounts) max_id = std::max(max_id, a);
  std::vector<account_t> accounts;
  std::vector<vertex_t> src(m), dst(m);
  const bool direct = max_id < (std::uint64_t{1} << 28) && max_id <= 8 * (2 * m + extra_accounts.size()) + 1024;
  if (direct) {
    // Compact ids: a presence table gives ranks in O(max_id).
    std::vector<vertex_t> rank(static_cast<std::size_t>(max_id) + 1, 0);
    for (std::size_t i = 0; i < m; ++i) rank[sources[i]] = rank[targets[i]] = 1;
    for (auto a : extra_accounts) rank[a] = 1;
    vertex_t next = 0;
    for (std::size_t a = 0; a <= max_id; ++a) {
      if (rank[a]) {
        accounts.push_back(a);
        rank[a] = next++;
      }
    }
    for (std::size_t i = 0; i < m; ++i) {
      src[i] = rank[sources[i]];
      dst[i] = rank[targets[i]];
    }
  } else {
    accounts.reserve(2 * m + extra_accounts.size());
    accounts.insert(accounts.end(), sources.begin(), sources.end());
    accounts.insert(accounts.end(), targets.begin(), targets.end());
    accounts.insert(accounts.end(), extra_accounts.begin(), extra_accounts.end());
    std::sort(accounts.begin(), accounts.end());
    accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
    accounts.shrink_to_fit();
    auto rank = [&](account_t a) {
      return static_cast<vertex_t>(std::lower_bound(accounts.begin(), accounts.end(), a) - accounts.begin());
    };
    parallel_for(0, m, resolve_threads(opt.threads), [&](std::size_t i) {
      src[i] = rank(sources[i]);
      dst[i] = rank(targets[i]);
    }, 4096, 1 << 16);
  }
  KOLSIM_REQUIRE(accounts.size() <= max_vertices, "build_graph: too many accounts");
  return detail::build_dense_impl(
      std::move(accounts), m, [&](edge_t i) { return std::pair<vertex_t, vertex_t>(src[i], dst[i]); }, probs, opt,
      report, false);
}

}  // namespace kolsim

// SPDX-License-Identifier: MIT
/// Greedy maximum coverage of an RR collection, the selection step of IMM and OPIM-C, with the
/// upper bound on the optimum coverage that OPIM-C certifies against.
///
/// Greedy gives coverage >= (1 - 1/e) * optimum (Nemhauser, Wolsey, Fisher 1978). The upper
/// bound is min over greedy iterations i of cov(S_i) + (sum of the k largest marginal coverages
/// given S_i) (Tang, Tang, Xiao, Yuan, SIGMOD 2018). Cost: O(total RR entries + n + k log n).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/estimate/rr_sets.hpp"

namespace kolsim {

/// What may be chosen and what is already chosen.
struct MaxCoverageOptions {
  std::span<const char> allowed;         ///< allowed[v] != 0 if v may be chosen (empty = all)
  std::span<const vertex_t> fixed_seeds; ///< their RR sets are removed first; never chosen
  int threads = 0;                       ///< 0 = all (counting)
  /// Track every vertex's marginal for the top-k upper bound (OPIM-C needs it); false leaves
  /// MaxCoverageResult::upper_bound at the number of sets and saves ~1/3 of the greedy's time.
  bool upper_bound = true;
};

/// Greedy result. Coverage counts are numbers of RR sets.
struct MaxCoverageResult {
  std::vector<vertex_t> seeds;           ///< in the order chosen (ties to the lowest vertex id)
  std::vector<std::uint64_t> marginal;   ///< new sets covered by seeds[i]
  std::uint64_t fixed_coverage = 0;      ///< sets covered by the fixed seeds
  std::uint64_t coverage = 0;            ///< sets covered by fixed seeds + seeds
  std::uint64_t upper_bound = 0;         ///< >= coverage of fixed seeds + the best k allowed vertices
  std::size_t bytes = 0;                 ///< peak bytes of the greedy's own structures
};

/// Greedy maximum coverage of `rr` (vertices < n) with k seeds. Deterministic.
///
/// The inverted index (vertex -> RR sets holding it) is built lazily in tiers: first for the
/// fixed seeds and the 8k + 512 choosable vertices in the most sets, and for the next, four
/// times larger tier only if the greedy reaches a vertex outside it (rare: on Slashdot with
/// 440k RR sets the 50 seeds all rank within the top 400). Each tier costs one pass over the
/// collection; seeds, gains and bounds are exactly those of a full index.
inline MaxCoverageResult max_coverage(const RRCollection& rr, vertex_t n, std::size_t k,
                                      const MaxCoverageOptions& opt = {}) {
  KOLSIM_REQUIRE(opt.allowed.empty() || opt.allowed.size() == n, "max_coverage: allowed mask has ",
                 opt.allowed.size(), " entries, expected ", n);
  const std::uint64_t sets = rr.size();
  KOLSIM_REQUIRE(sets < UINT32_MAX, "max_coverage: too many RR sets (", sets, ")");
  const std::span<const vertex_t> nodes = rr.nodes();
  const std::span<const edge_t> offs = rr.offsets();
  const int nt = resolve_threads(opt.threads);
  MaxCoverageResult res;

  // Sets per vertex; two halves counted in parallel for large collections.
  std::vector<std::uint32_t> deg(n, 0);
  const int team = (nt > 1 && nodes.size() > (1u << 20)) ? 2 : 1;
  if (team == 1) {
    for (vertex_t v : nodes) ++deg[v];
  } else {
    std::vector<std::uint32_t> other(n, 0);
    const std::size_t half = nodes.size() / 2;
    parallel_threads(2, [&](int t, int got) {
      for (int b = t; b < 2; b += got) {
        std::uint32_t* c = b == 0 ? deg.data() : other.data();
        const std::size_t lo = b == 0 ? 0 : half, hi = b == 0 ? half : nodes.size();
        for (std::size_t i = lo; i < hi; ++i) ++c[nodes[i]];
      }
    });
    for (vertex_t v = 0; v < n; ++v) deg[v] += other[v];
  }

  // state[v]: 0 = may still be chosen, 1 = fixed or already chosen seed, 2 = not allowed.
  std::vector<char> state(n, 0);
  for (vertex_t f : opt.fixed_seeds) {
    KOLSIM_REQUIRE_INDEX(f < n, "fixed seed vertex ", f, " out of range (n = ", n, ")");
    state[f] = 1;
  }
  if (!opt.allowed.empty()) {
    for (vertex_t v = 0; v < n; ++v) {
      if (opt.allowed[v] == 0 && !state[v]) state[v] = 2;
    }
  }
  auto choosable = [&](vertex_t v) { return state[v] == 0; };
  // Choosable vertices in at least one set, most sets first (ties: lowest id).
  std::vector<vertex_t> order(n);
  {
    std::size_t c = 0;  // branch-free compaction: most of a large graph is in no set
    for (vertex_t v = 0; v < n; ++v) {
      order[c] = v;
      c += (deg[v] > 0) & (state[v] == 0);
    }
    order.resize(c);
  }
  auto by_count = [&](vertex_t a, vertex_t b) { return deg[a] != deg[b] ? deg[a] > deg[b] : a < b; };

  // Lazily built inverted index: list of the vertex in slot s = idx[start[s] .. start[s + 1]),
  // the sets holding it that were uncovered when it was indexed (deg[v] of them).
  std::vector<char> covered(sets, 0);
  constexpr std::uint32_t none = UINT32_MAX;
  std::vector<std::uint32_t> slot(n, none);
  std::vector<edge_t> start{0};
  std::vector<std::uint32_t> idx;
  std::size_t ranked = 0;  // order[0 .. ranked) holds the vertices in most sets, all indexed
  std::vector<edge_t> cursor;
  auto index = [&](std::span<const vertex_t> add) {
    const auto first = static_cast<std::uint32_t>(start.size() - 1);
    for (vertex_t v : add) {
      if (slot[v] != none) continue;
      slot[v] = static_cast<std::uint32_t>(start.size() - 1);
      start.push_back(start.back() + deg[v]);
    }
    const auto last = static_cast<std::uint32_t>(start.size() - 1);
    if (last == first) return;
    idx.resize(start.back());
    cursor.assign(start.begin() + first, start.begin() + last);
    for (std::uint64_t j = 0; j < sets; ++j) {
      if (covered[j]) continue;
      for (edge_t e = offs[j]; e < offs[j + 1]; ++e) {
        const std::uint32_t s = slot[nodes[e]];
        if (s >= first && s < last) idx[cursor[s - first]++] = static_cast<std::uint32_t>(j);
      }
    }
  };
  auto next_tier = [&](vertex_t must) {
    const std::size_t want = std::min(order.size(), std::max<std::size_t>(ranked * 4, 8 * k + 512));
    const auto lo = order.begin() + static_cast<std::ptrdiff_t>(ranked);
    const auto mid = order.begin() + static_cast<std::ptrdiff_t>(want);
    if (mid != order.end()) std::nth_element(lo, mid, order.end(), by_count);
    std::vector<vertex_t> add(lo, mid);
    ranked = want;
    if (must != none && slot[must] == none) add.push_back(must);
    index(add);
  };
  index(opt.fixed_seeds);

  // Histogram of current marginal coverage over choosable vertices (for the top-k upper bound).
  const bool track = opt.upper_bound;
  std::uint32_t top = 0;
  std::vector<std::uint32_t> hist;
  if (track) {
    for (vertex_t v : order) top = std::max(top, deg[v]);
    hist.assign(static_cast<std::size_t>(top) + 1, 0);
    for (vertex_t v : order) ++hist[deg[v]];
  }
  auto cover_set = [&](std::uint32_t j) {
    covered[j] = 1;
    if (!track) {
      for (edge_t e = offs[j]; e < offs[j + 1]; ++e) --deg[nodes[e]];
      return;
    }
    for (edge_t e = offs[j]; e < offs[j + 1]; ++e) {
      const vertex_t u = nodes[e];
      const std::uint32_t d = deg[u]--;
      if (choosable(u)) {
        --hist[d];
        ++hist[d - 1];
      }
    }
  };
  auto take = [&](vertex_t v) {
    if (slot[v] == none) next_tier(v);
    std::uint64_t gain = 0;
    const std::uint32_t s = slot[v];
    for (edge_t e = start[s]; e < start[s + 1]; ++e) {
      const std::uint32_t j = idx[e];
      if (!covered[j]) {
        cover_set(j);
        ++gain;
      }
    }
    return gain;
  };
  for (vertex_t f : opt.fixed_seeds) res.fixed_coverage += take(f);
  std::uint64_t cov = res.fixed_coverage;

  auto topk_sum = [&]() -> std::uint64_t {
    if (!track) return sets;
    while (top > 0 && hist[top] == 0) --top;
    std::uint64_t sum = 0;
    std::size_t left = k;
    for (std::uint32_t d = top; d > 0 && left > 0; --d) {
      const std::size_t c = std::min<std::size_t>(left, hist[d]);
      sum += static_cast<std::uint64_t>(c) * d;
      left -= c;
    }
    return sum;
  };

  next_tier(none);
  // Lazy greedy: heap keys (marginal << 32 | ~v) are upper bounds since marginals only shrink;
  // a fresh top is the true maximum with the lowest id among ties. Vertices in no set never
  // enter the heap: once the best marginal is 0, the lowest remaining ids follow, as with a
  // heap over all vertices.
  std::vector<std::uint64_t> heap;
  heap.reserve(order.size());
  for (vertex_t v : order) heap.push_back((static_cast<std::uint64_t>(deg[v]) << 32) | (~v & 0xffffffffu));
  std::make_heap(heap.begin(), heap.end());
  res.upper_bound = std::min<std::uint64_t>(sets, cov + topk_sum());
  while (res.seeds.size() < k && !heap.empty()) {
    std::pop_heap(heap.begin(), heap.end());
    const std::uint64_t key = heap.back();
    const vertex_t v = ~static_cast<vertex_t>(key & 0xffffffffu);
    const std::uint32_t stored = static_cast<std::uint32_t>(key >> 32);
    if (stored != deg[v]) {
      heap.back() = (static_cast<std::uint64_t>(deg[v]) << 32) | (key & 0xffffffffu);
      std::push_heap(heap.begin(), heap.end());
      continue;
    }
    if (stored == 0) break;
    heap.pop_back();
    const std::uint64_t gain = take(v);
    state[v] = 1;  // its sets are all covered now: cover_set never meets it again
    res.seeds.push_back(v);
    res.marginal.push_back(gain);
    cov += gain;
    res.upper_bound = std::min(res.upper_bound, cov + topk_sum());
  }
  // Every remaining marginal is 0: lowest ids first.
  for (vertex_t v = 0; v < n && res.seeds.size() < k; ++v) {
    if (choosable(v)) {
      res.seeds.push_back(v);
      res.marginal.push_back(0);
    }
  }
  res.coverage = cov;
  res.bytes = idx.capacity() * 4 + start.capacity() * 8 + slot.capacity() * 4 + deg.capacity() * 4 +
              covered.capacity() + heap.capacity() * 8 + hist.capacity() * 4 + state.capacity() +
              order.capacity() * 4 + cursor.capacity() * 8;
  return res;
}

}  // namespace kolsim

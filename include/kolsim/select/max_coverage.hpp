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

/// Scratch arrays of max_coverage, kept between calls on the same graph (the rounds of IMM and
/// OPIM-C): on a large graph, allocating its O(n) arrays afresh costs page faults that can
/// exceed the greedy itself on a small collection (~8 ms per call at n = 1M).
struct MaxCoverageWorkspace {
  std::vector<std::uint32_t> deg, slot, idx;
  std::vector<char> state, covered;
  std::vector<vertex_t> order, spill;
  std::vector<std::uint64_t> heap;
  std::size_t bytes() const noexcept {
    return (deg.capacity() + slot.capacity() + idx.capacity()) * 4 + state.capacity() + covered.capacity() +
           (order.capacity() + spill.capacity()) * 4 + heap.capacity() * 8;
  }
};

/// Greedy maximum coverage of `rr` (vertices < n) with k seeds. Deterministic. `work` (optional)
/// lends its arrays and keeps them for the next call.
///
/// The inverted index (vertex -> RR sets holding it) is built lazily in tiers: first for the
/// fixed seeds and the choosable vertices in the most sets (at least 8k + 512 of them, cut at a
/// count threshold), and for a next, four times larger tier only when the greedy's best
/// marginal no longer beats every vertex outside the heap (rare on large collections: on
/// Slashdot with 440k RR sets the 50 seeds all rank within the top 400). Each tier costs one
/// pass over the collection; seeds, gains and bounds are exactly those of a full index.
inline MaxCoverageResult max_coverage(const RRCollection& rr, vertex_t n, std::size_t k,
                                      const MaxCoverageOptions& opt = {}, MaxCoverageWorkspace* work = nullptr) {
  MaxCoverageWorkspace own;
  MaxCoverageWorkspace& ws = work ? *work : own;
  KOLSIM_REQUIRE(opt.allowed.empty() || opt.allowed.size() == n, "max_coverage: allowed mask has ",
                 opt.allowed.size(), " entries, expected ", n);
  const std::uint64_t sets = rr.size();
  KOLSIM_REQUIRE(sets < UINT32_MAX, "max_coverage: too many RR sets (", sets, ")");
  const std::span<const vertex_t> nodes = rr.nodes();
  const std::span<const edge_t> offs = rr.offsets();
  const int nt = resolve_threads(opt.threads);
  MaxCoverageResult res;

  // Sets per vertex; two halves counted in parallel for large collections.
  std::vector<std::uint32_t>& deg = ws.deg;
  deg.assign(n, 0);
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
  std::vector<char>& state = ws.state;
  state.assign(n, 0);
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
  // Choosable vertices in at least one set.
  std::vector<vertex_t>& order = ws.order;
  order.resize(n);
  {
    std::size_t c = 0;  // branch-free compaction: most of a large graph is in no set
    for (vertex_t v = 0; v < n; ++v) {
      order[c] = v;
      c += (deg[v] > 0) & (state[v] == 0);
    }
    order.resize(c);
  }
  std::uint32_t top = 0;
  for (vertex_t v : order) top = std::max(top, deg[v]);
  // Histogram of the current marginal coverage over choosable vertices (for the top-k upper bound).
  const bool track = opt.upper_bound;
  std::vector<std::uint32_t> hist;
  if (track) {
    hist.assign(static_cast<std::size_t>(top) + 1, 0);
    for (vertex_t v : order) ++hist[deg[v]];
  }

  // Lazily built inverted index: list of the vertex in slot s = idx[start[s] .. start[s + 1]),
  // the sets holding it that were uncovered when it was indexed (deg[v] of them).
  std::vector<char>& covered = ws.covered;
  covered.assign(sets, 0);
  constexpr std::uint32_t none = UINT32_MAX;
  std::vector<std::uint32_t>& slot = ws.slot;
  slot.assign(n, none);
  std::vector<edge_t> start{0};
  std::vector<std::uint32_t>& idx = ws.idx;
  idx.clear();
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
    // One spare entry at the end of idx takes the writes of vertices outside this tier, so the
    // pass has no unpredictable branch.
    idx.resize(start.back() + 1);
    cursor.assign(start.begin() + first, start.begin() + last);
    cursor.push_back(start.back());
    // Raw pointers: through the vectors every store would reload their data pointers.
    const char* cov = covered.data();
    const std::uint32_t* sl = slot.data();
    std::uint32_t* out = idx.data();
    edge_t* cur = cursor.data();
    const vertex_t* nd = nodes.data();
    const std::uint32_t width = last - first;
    for (std::uint64_t j = 0; j < sets; ++j) {
      if (cov[j]) continue;
      for (edge_t e = offs[j]; e < offs[j + 1]; ++e) {
        const std::uint32_t s = std::min(sl[nd[e]] - first, width);  // wraps for none and earlier tiers
        out[cur[s]] = static_cast<std::uint32_t>(j);
        cur[s] += s < width;
      }
    }
  };
  index(opt.fixed_seeds);

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

  // Lazy greedy over the indexed tiers: heap keys (marginal << 32 | ~v) are upper bounds since
  // marginals only shrink, so a fresh top is the true maximum with the lowest id among ties as
  // long as it beats `rest_max`, a bound on the marginal of every vertex not yet in the heap.
  // order[ranked ..) are the vertices not yet in the heap. A tier is every remaining vertex whose
  // current marginal reaches the threshold at which at least `want` of them do (found on a
  // histogram: no sort), want = 8k + 512 for the first tier and four times the indexed count
  // after. Vertices in no set never enter the heap: once the best marginal is 0, the lowest
  // remaining ids follow, as with a heap over all vertices.
  std::vector<std::uint64_t>& heap = ws.heap;
  heap.clear();
  std::size_t ranked = 0;
  std::uint32_t rest_max = top;
  std::vector<std::uint32_t> count;
  std::vector<vertex_t>& spill = ws.spill;
  auto next_tier = [&]() {
    if (ranked == order.size()) {
      rest_max = 0;
      return;
    }
    const std::size_t want = std::max<std::size_t>(ranked * 4, 8 * k + 512) - ranked;
    count.assign(static_cast<std::size_t>(rest_max) + 1, 0);
    for (std::size_t i = ranked; i < order.size(); ++i) ++count[deg[order[i]]];
    std::uint32_t threshold = rest_max;
    for (std::size_t have = count[threshold]; have < want && threshold > 0;) have += count[--threshold];
    // Branch-free partition of order[ranked ..): the tier first, the rest after it.
    std::size_t in = ranked, out = 0;
    spill.resize(order.size() - ranked);
    for (std::size_t i = ranked; i < order.size(); ++i) {
      const vertex_t v = order[i];
      const bool hit = deg[v] >= threshold;
      order[in] = v;
      spill[out] = v;
      in += hit;
      out += !hit;
    }
    std::copy(spill.begin(), spill.begin() + static_cast<std::ptrdiff_t>(out), order.begin() + static_cast<std::ptrdiff_t>(in));
    index(std::span<const vertex_t>(order.data() + ranked, in - ranked));
    for (std::size_t i = ranked; i < in; ++i)
      heap.push_back((static_cast<std::uint64_t>(deg[order[i]]) << 32) | (~order[i] & 0xffffffffu));
    std::make_heap(heap.begin(), heap.end());
    ranked = in;
    rest_max = threshold;
    while (rest_max > 0 && count[--rest_max] == 0) {
    }
    if (ranked == order.size()) rest_max = 0;
  };
  next_tier();
  res.upper_bound = std::min<std::uint64_t>(sets, cov + topk_sum());
  while (res.seeds.size() < k) {
    if (heap.empty()) {
      if (ranked == order.size()) break;
      next_tier();
      continue;
    }
    std::pop_heap(heap.begin(), heap.end());
    const std::uint64_t key = heap.back();
    const vertex_t v = ~static_cast<vertex_t>(key & 0xffffffffu);
    const std::uint32_t stored = static_cast<std::uint32_t>(key >> 32);
    if (stored != deg[v]) {
      heap.back() = (static_cast<std::uint64_t>(deg[v]) << 32) | (key & 0xffffffffu);
      std::push_heap(heap.begin(), heap.end());
      continue;
    }
    if (stored == 0 ? rest_max > 0 : stored <= rest_max) {  // a vertex outside the heap may beat or tie it
      std::push_heap(heap.begin(), heap.end());
      next_tier();
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
  res.bytes = ws.bytes() + start.capacity() * 8 + cursor.capacity() * 8 + (hist.capacity() + count.capacity()) * 4;
  return res;
}

}  // namespace kolsim

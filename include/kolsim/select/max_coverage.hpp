// SPDX-License-Identifier: MIT
/// Greedy maximum coverage of an RR collection, the selection step of IMM and OPIM-C, with the
/// upper bound on the optimum coverage that OPIM-C certifies against.
///
/// Greedy gives coverage >= (1 - 1/e) * optimum (Nemhauser, Wolsey, Fisher 1978). The upper
/// bound is min over greedy iterations i of cov(S_i) + (sum of the k largest marginal coverages
/// given S_i) (Tang, Tang, Xiao, Yuan, SIGMOD 2018). Cost: O(total RR entries + k log n).
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
  int threads = 0;                       ///< 0 = all (index construction)
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

  // Inverted index vertex -> RR sets, by counting sort. Each thread counts a contiguous block of
  // sets; per-thread cursors keep every list sorted by set index.
  std::vector<edge_t> idx_off(static_cast<std::size_t>(n) + 1, 0);
  std::vector<std::uint32_t> idx(nodes.size());
  const int team = (nt > 1 && nodes.size() > (1u << 18)) ? nt : 1;
  if (team == 1) {
    for (vertex_t v : nodes) ++idx_off[v + 1];
    for (vertex_t v = 0; v < n; ++v) idx_off[v + 1] += idx_off[v];
    std::vector<edge_t> cur(idx_off.begin(), idx_off.end() - 1);
    for (std::uint64_t j = 0; j < sets; ++j) {
      for (edge_t e = offs[j]; e < offs[j + 1]; ++e) idx[cur[nodes[e]]++] = static_cast<std::uint32_t>(j);
    }
  } else {
    // 32-bit per-block counts (a vertex is in < 2^32 sets); after the prefix pass cnt[b][v] is
    // block b's cursor relative to the start of v's list.
    std::vector<std::vector<std::uint32_t>> cnt(team);
    std::vector<std::uint64_t> lo(team + 1);
    for (int t = 0; t <= team; ++t) lo[t] = sets * t / team;
    parallel_threads(team, [&](int t, int got) {
      // Work split by the granted team: each granted thread takes blocks t, t+got, ...
      for (int b = t; b < team; b += got) {
        auto& c = cnt[b];
        c.assign(n, 0);
        for (edge_t e = offs[lo[b]]; e < offs[lo[b + 1]]; ++e) ++c[nodes[e]];
      }
    });
    edge_t run = 0;
    for (vertex_t v = 0; v < n; ++v) {
      idx_off[v] = run;
      std::uint32_t within = 0;
      for (int b = 0; b < team; ++b) {
        const std::uint32_t c = cnt[b][v];
        cnt[b][v] = within;
        within += c;
      }
      run += within;
    }
    idx_off[n] = run;
    parallel_threads(team, [&](int t, int got) {
      for (int b = t; b < team; b += got) {
        auto& c = cnt[b];
        for (std::uint64_t j = lo[b]; j < lo[b + 1]; ++j) {
          for (edge_t e = offs[j]; e < offs[j + 1]; ++e) {
            const vertex_t v = nodes[e];
            idx[idx_off[v] + c[v]++] = static_cast<std::uint32_t>(j);
          }
        }
      }
    });
  }

  std::vector<std::uint32_t> deg(n);
  for (vertex_t v = 0; v < n; ++v) deg[v] = static_cast<std::uint32_t>(idx_off[v + 1] - idx_off[v]);
  std::vector<char> covered(sets, 0);
  auto allowed = [&](vertex_t v) { return opt.allowed.empty() || opt.allowed[v] != 0; };
  std::vector<char> fixed(n, 0);
  for (vertex_t f : opt.fixed_seeds) {
    KOLSIM_REQUIRE_INDEX(f < n, "fixed seed vertex ", f, " out of range (n = ", n, ")");
    fixed[f] = 1;
  }

  // Histogram of current marginal coverage over choosable vertices (for the top-k upper bound).
  std::uint32_t top = 0;
  for (vertex_t v = 0; v < n; ++v) {
    if (allowed(v) && !fixed[v]) top = std::max(top, deg[v]);
  }
  std::vector<std::uint32_t> hist(static_cast<std::size_t>(top) + 1, 0);
  for (vertex_t v = 0; v < n; ++v) {
    if (allowed(v) && !fixed[v]) ++hist[deg[v]];
  }
  auto cover_set = [&](std::uint32_t j) {
    covered[j] = 1;
    for (edge_t e = offs[j]; e < offs[j + 1]; ++e) {
      const vertex_t u = nodes[e];
      const std::uint32_t d = deg[u]--;
      if (allowed(u) && !fixed[u]) {
        --hist[d];
        ++hist[d - 1];
      }
    }
  };
  auto take = [&](vertex_t v) {
    std::uint64_t gain = 0;
    for (edge_t e = idx_off[v]; e < idx_off[v + 1]; ++e) {
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

  auto topk_sum = [&]() {
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

  // Lazy greedy: heap keys (marginal << 32 | ~v) are upper bounds since marginals only shrink;
  // a fresh top is the true maximum with the lowest id among ties.
  std::vector<std::uint64_t> heap;
  heap.reserve(n);
  for (vertex_t v = 0; v < n; ++v) {
    if (allowed(v) && !fixed[v]) heap.push_back((static_cast<std::uint64_t>(deg[v]) << 32) | (~v & 0xffffffffu));
  }
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
    heap.pop_back();
    const std::uint64_t gain = take(v);
    res.seeds.push_back(v);
    res.marginal.push_back(gain);
    cov += gain;
    res.upper_bound = std::min(res.upper_bound, cov + topk_sum());
  }
  res.coverage = cov;
  res.bytes = idx.capacity() * 4 + idx_off.capacity() * 8 + deg.capacity() * 4 + covered.capacity() +
              heap.capacity() * 8 + hist.capacity() * 4 + fixed.capacity();
  return res;
}

}  // namespace kolsim

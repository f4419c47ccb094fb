// SPDX-License-Identifier: MIT
/// Distributed coverage greedy: RR sets split over ranks, the greedy run on reductions of 64-bit
/// coverage counts, with the seeds, gains and upper bound of the one-process max_coverage().
#pragma once

#include <algorithm>
#include <cstdint>
#include <queue>
#include <span>
#include <utility>
#include <vector>

#include "kolsim/distributed/comm.hpp"
#include "kolsim/select/max_coverage.hpp"

namespace kolsim::distributed {

/// What the distributed greedy moved between ranks.
struct CoverageTraffic {
  std::uint64_t dense_bytes = 0;   ///< the initial sum of the n counts (8 bytes each, per rank)
  std::uint64_t sparse_bytes = 0;  ///< decrement messages after the picks (all ranks' payloads)
  std::uint64_t picks = 0;         ///< seeds and fixed seeds taken
};

/// Greedy maximum coverage of the union of every rank's `local` sets (vertices < n), with the
/// result of max_coverage() on the whole collection in one process: the same seeds in the same
/// order (largest marginal, ties to the lowest vertex id), marginals, coverage and, with
/// opt.upper_bound, the same top-k bound. Unit weights only (opt.set_weights must be empty).
///
/// Each rank counts the marginals of its sets; one sum of the n 64-bit counts gives every rank
/// the global counts, so every rank finds the same best vertex with no further reduction. After
/// each pick the ranks exchange only the counts that fell (vertex, decrement) pairs, so the
/// traffic per seed is 16 bytes per changed count, far below a dense n-vector when few change.
/// Collective: every rank calls it with the same n, k and opt.
inline MaxCoverageResult max_coverage(Communicator& comm, const CoverageSets& local, vertex_t n, std::size_t k,
                                      const MaxCoverageOptions& opt = {}, CoverageTraffic* traffic = nullptr) {
  KOLSIM_REQUIRE(opt.set_weights.empty(), "distributed max_coverage: set weights are not supported");
  KOLSIM_REQUIRE(opt.allowed.empty() || opt.allowed.size() == n, "max_coverage: allowed mask has ",
                 opt.allowed.size(), " entries, expected ", n);
  CoverageTraffic tr;
  MaxCoverageResult res;
  const std::uint64_t nsets = local.size();
  KOLSIM_REQUIRE(nsets < UINT32_MAX, "distributed max_coverage: too many RR sets on one rank (", nsets, ")");
  // Local inverted index (vertex -> local sets holding it), CSR.
  std::vector<std::uint64_t> deg(n, 0);
  for (vertex_t v : local.nodes) ++deg[v];
  std::vector<edge_t> start(static_cast<std::size_t>(n) + 1, 0);
  for (vertex_t v = 0; v < n; ++v) start[v + 1] = start[v] + deg[v];
  std::vector<std::uint32_t> sets_of(local.nodes.size());
  {
    std::vector<edge_t> fill(start.begin(), start.end() - 1);
    for (std::uint64_t j = 0; j < nsets; ++j)
      for (edge_t e = local.offsets[j]; e < local.offsets[j + 1]; ++e) sets_of[fill[local.nodes[e]]++] = static_cast<std::uint32_t>(j);
  }
  std::vector<char> covered(nsets, 0);
  comm.sync();
  const std::uint64_t global_sets = comm.allreduce_sum(nsets);
  comm.allreduce_sum_chunked(deg);
  tr.dense_bytes += static_cast<std::uint64_t>(n) * 8;

  // state: 0 = may be chosen, 1 = fixed or chosen, 2 = not allowed (as max_coverage).
  std::vector<char> state(n, 0);
  for (vertex_t f : opt.fixed_seeds) {
    KOLSIM_REQUIRE_INDEX(f < n, "fixed seed vertex ", f, " out of range (n = ", n, ")");
    state[f] = 1;
  }
  if (!opt.allowed.empty())
    for (vertex_t v = 0; v < n; ++v)
      if (opt.allowed[v] == 0 && !state[v]) state[v] = 2;
  const bool track = opt.upper_bound;
  std::uint64_t top = 0;
  for (vertex_t v = 0; v < n; ++v)
    if (state[v] == 0) top = std::max(top, deg[v]);
  std::vector<std::uint64_t> hist;
  if (track) {
    hist.assign(static_cast<std::size_t>(top) + 1, 0);
    for (vertex_t v = 0; v < n; ++v)
      if (state[v] == 0 && deg[v] > 0) ++hist[deg[v]];
  }

  // Takes v on every rank: covers its local sets, exchanges the decrements; returns v's gain.
  std::vector<std::uint64_t> dec(n, 0);
  std::vector<vertex_t> touched;
  auto take = [&](vertex_t v) {
    const std::uint64_t gain = deg[v];
    touched.clear();
    for (edge_t i = start[v]; i < start[v + 1]; ++i) {
      const std::uint32_t j = sets_of[i];
      if (covered[j]) continue;
      covered[j] = 1;
      for (edge_t e = local.offsets[j]; e < local.offsets[j + 1]; ++e) {
        const vertex_t u = local.nodes[e];
        if (dec[u]++ == 0) touched.push_back(u);
      }
    }
    std::vector<std::uint64_t> mine;
    mine.reserve(touched.size() * 2);
    for (vertex_t u : touched) {
      mine.push_back(u);
      mine.push_back(dec[u]);
      dec[u] = 0;
    }
    comm.sync();
    const std::vector<std::uint64_t> all = comm.allgatherv<std::uint64_t>(mine);
    tr.sparse_bytes += all.size() * 8;
    ++tr.picks;
    for (std::size_t i = 0; i < all.size(); i += 2) {
      const auto u = static_cast<vertex_t>(all[i]);
      const std::uint64_t d = deg[u], c = all[i + 1];
      if (track && state[u] == 0) {
        --hist[d];
        ++hist[d - c];
      }
      deg[u] = d - c;
    }
    return gain;
  };
  auto topk_sum = [&]() -> std::uint64_t {
    if (!track) return global_sets;
    while (top > 0 && hist[top] == 0) --top;
    std::uint64_t sum = 0, left = k;
    for (std::uint64_t d = top; d > 0 && left > 0; --d) {
      const std::uint64_t c = std::min<std::uint64_t>(left, hist[d]);
      sum += c * d;
      left -= c;
    }
    return sum;
  };

  for (vertex_t f : opt.fixed_seeds) res.fixed_coverage += take(f);
  std::uint64_t cov = res.fixed_coverage;
  res.upper_bound = std::min(global_sets, cov + topk_sum());
  // Lazy max-heap of (marginal, lowest id first); keys only shrink.
  using Key = std::pair<std::uint64_t, std::uint32_t>;  // (gain, ~v)
  std::vector<Key> heap;
  for (vertex_t v = 0; v < n; ++v)
    if (state[v] == 0 && deg[v] > 0) heap.emplace_back(deg[v], ~v);
  std::make_heap(heap.begin(), heap.end());
  while (res.seeds.size() < k && !heap.empty()) {
    std::pop_heap(heap.begin(), heap.end());
    Key key = heap.back();
    heap.pop_back();
    const vertex_t v = ~key.second;
    if (key.first != deg[v]) {  // stale: reinsert with its current marginal
      if (deg[v] > 0) {
        heap.emplace_back(deg[v], key.second);
        std::push_heap(heap.begin(), heap.end());
      }
      continue;
    }
    const std::uint64_t gain = take(v);
    state[v] = 1;
    res.seeds.push_back(v);
    res.marginal.push_back(gain);
    cov += gain;
    res.upper_bound = std::min(res.upper_bound, cov + topk_sum());
  }
  // Every remaining marginal is 0: lowest ids first.
  for (vertex_t v = 0; v < n && res.seeds.size() < k; ++v) {
    if (state[v] == 0) {
      state[v] = 1;
      res.seeds.push_back(v);
      res.marginal.push_back(0);
    }
  }
  res.coverage = cov;
  res.bytes = deg.capacity() * 16 + start.capacity() * 8 + sets_of.capacity() * 4 + covered.capacity() +
              state.capacity() + hist.capacity() * 8 + heap.capacity() * sizeof(Key);
  if (traffic) {
    traffic->dense_bytes += tr.dense_bytes;
    traffic->sparse_bytes += tr.sparse_bytes;
    traffic->picks += tr.picks;
  }
  return res;
}

}  // namespace kolsim::distributed

// SPDX-License-Identifier: MIT
/// Shared plumbing of the RR-based selectors (IMM, OPIM-C): argument checks, seed scope, the
/// sampler and its memory accounting, and result filling.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/estimate/rr_sets.hpp"
#include "kolsim/select/common.hpp"
#include "kolsim/select/max_coverage.hpp"

namespace kolsim::detail {

/// log C(n, k).
inline double rr_log_binom(double n, double k) {
  if (k <= 0 || k >= n) return 0.0;
  return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1);
}

/// Common validation; returns the seed scope.
inline SeedScope rr_check(const char* who, const FollowerGraph& g, std::size_t k, double epsilon,
                          std::uint32_t max_depth, std::span<const double> root_weights, const SelectOptions& opt) {
  KOLSIM_REQUIRE(g.num_vertices() > 0, who, ": the graph has no vertices");
  KOLSIM_REQUIRE(k >= 1, who, ": k must be >= 1");
  KOLSIM_REQUIRE(epsilon > 0.0 && epsilon < 1.0, who, ": epsilon must be in (0, 1), got ", epsilon);
  KOLSIM_REQUIRE(max_depth >= 1, who, ": max_depth must be >= 1");
  KOLSIM_REQUIRE(root_weights.empty() || root_weights.size() == g.num_vertices(), who, ": root_weights has ",
                 root_weights.size(), " entries, expected ", g.num_vertices());
  return make_seed_scope(g, k, opt);
}

/// The coverage engine (max_coverage) on `sets` within the scope; `set_weights` as in
/// MaxCoverageOptions (empty = unit weights, which the top-k upper bound needs).
inline MaxCoverageResult rr_greedy(const CoverageSets& sets, vertex_t n, std::size_t k, const SeedScope& scope,
                                   int threads, bool upper_bound = true, MaxCoverageWorkspace* work = nullptr,
                                   std::span<const std::uint64_t> set_weights = {}) {
  MaxCoverageOptions mo;
  // Without a candidate pool every vertex but the fixed seeds may be chosen: no mask needed.
  if (scope.num_allowed + scope.fixed.size() != n) mo.allowed = scope.allowed;
  mo.fixed_seeds = scope.fixed;
  mo.set_weights = set_weights;
  mo.threads = threads;
  mo.upper_bound = upper_bound;
  return max_coverage(sets, n, k, mo, work);
}

/// Grows `rr` to `target` sets (indices rr.size() .., so the sequence is a prefix of one stream),
/// after checking the memory estimate.
template <class M>
void rr_grow(const char* who, RRSampler<M>& sampler, RRCollection& rr, std::uint64_t target, std::uint64_t seed,
             std::uint32_t domain, std::size_t other_bytes, std::size_t limit, int threads, const StopToken& stop,
             std::uint64_t& drawn, int lane = 0) {
  if (target <= rr.size()) return;
  // Pilot for the mean size when the collection is empty.
  if (rr.empty()) {
    const std::uint64_t pilot = std::min<std::uint64_t>(target, 256);
    sampler.sample(seed, domain, 0, pilot, rr, threads, stop, lane);
    drawn += pilot;
  }
  check_rr_memory(who, rr.mean_size(), static_cast<double>(target), other_bytes, limit);
  const std::uint64_t have = rr.size();
  if (target > have) {
    rr.reserve(target, static_cast<edge_t>(rr.mean_size() * static_cast<double>(target) * 1.05) + 16);
    sampler.sample(seed, domain, have, target - have, rr, threads, stop, lane);
    drawn += target - have;
  }
}

/// Grows two collections of one sampler to `target_a` and `target_b` sets (streams as rr_grow).
/// With 2+ threads the work is drawn on two lanes of half the threads each, balanced: lane 1
/// draws b's new sets and, if b needs less than half of the total, the tail of a's new sets
/// into a side collection appended afterwards (so a stays in index order). For the small
/// batches of adaptive algorithms two lanes scale better than splitting each batch.
template <class M>
void rr_grow_pair(const char* who, RRSampler<M>& sampler, RRCollection& a, std::uint32_t domain_a,
                  std::uint64_t target_a, RRCollection& b, std::uint32_t domain_b, std::uint64_t target_b,
                  std::uint64_t seed, std::size_t base_bytes, std::size_t limit, int threads, const StopToken& stop,
                  std::uint64_t& drawn) {
  auto projected = [&](const RRCollection& r, std::uint64_t target) {
    return r.empty() ? r.bytes()
                     : std::max(r.bytes(), static_cast<std::size_t>(rr_bytes_estimate(r.mean_size(), static_cast<double>(target))));
  };
  const std::size_t other_a = base_bytes + projected(b, target_b), other_b = base_bytes + projected(a, target_a);
  if (threads < 2) {
    rr_grow(who, sampler, a, target_a, seed, domain_a, other_a, limit, threads, stop, drawn);
    rr_grow(who, sampler, b, target_b, seed, domain_b, other_b, limit, threads, stop, drawn);
    return;
  }
  // a's pilot first: lane 1's memory check for a's tail needs a's mean set size.
  if (a.empty() && target_a > 0) rr_grow(who, sampler, a, std::min<std::uint64_t>(target_a, 256), seed, domain_a,
                                         other_a, limit, 1, stop, drawn);
  const std::uint64_t need_a = target_a > a.size() ? target_a - a.size() : 0;
  const std::uint64_t need_b = target_b > b.size() ? target_b - b.size() : 0;
  // Lane 1 takes b and the last `moved` of a's new sets.
  const std::uint64_t moved = need_b >= (need_a + need_b) / 2 ? 0 : (need_a + need_b) / 2 - need_b;
  const std::uint64_t split = target_a - moved;
  const double mean_a = a.mean_size();  // lane 0 grows a meanwhile
  const int half = std::max(1, threads / 2);
  sampler.reserve_lanes(2, half);
  std::uint64_t drawn_a = 0, drawn_b = 0;
  RRCollection tail;
  parallel_threads(2, [&](int t, int team) {
    for (int c = t; c < 2; c += team) {  // both on lane 0 if only one thread came
      const int lane = team < 2 ? 0 : c;
      if (c == 0) {
        rr_grow(who, sampler, a, split, seed, domain_a, other_a, limit, half, stop, drawn_a, lane);
      } else {
        rr_grow(who, sampler, b, target_b, seed, domain_b, other_b, limit, half, stop, drawn_b, lane);
        if (moved > 0) {
          check_rr_memory(who, mean_a, static_cast<double>(target_a), other_a, limit);
          sampler.sample(seed, domain_a, split, moved, tail, half, stop, lane);
          drawn_b += moved;
        }
      }
    }
  });
  a.append(tail);
  drawn += drawn_a + drawn_b;
}

}  // namespace kolsim::detail

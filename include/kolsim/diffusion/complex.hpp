// SPDX-License-Identifier: MIT
/// Complex contagion: k-exposure and fractional-threshold adoption (Centola and Macy, AJS 2007),
/// each exposure passing with a probability; Monte Carlo spread, exact enumeration on tiny
/// graphs, and plain greedy selection (the spread is not submodular, so no RR sets and no CELF).
///
/// Process. An account u newly active at step t exposes each follower v once; the exposure
/// passes with probability p (the edge's probability, or one fixed p for every edge; p = 1 is
/// the deterministic threshold model). v adopts at step t + 1 once its passed exposures reach
/// its threshold: k (k-exposure) or max(1, ceil(q * in-degree(v))) (fractional threshold q).
/// With k = 1 and edge probabilities this is exactly Independent Cascade. Live-edge view: every
/// edge carries one exposure coin; given the coins the cascade is deterministic, so exact
/// enumeration visits the 2^m' worlds of the m' edges with 0 < p < 1.
///
/// Not submodular: k = 2, a -> c and b -> c deterministic: spread({a}) = spread({b}) = 1 but
/// spread({a, b}) = 3, so b adds 2 to {a} and only 1 to {} (tested). Hence no (1 - 1/e)
/// guarantee for greedy, CELF's lazy bound is invalid, and RR sets do not apply.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/stopwatch.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/driver.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// Which threshold an account uses.
enum class ExposureRule : std::uint8_t { count = 0, fraction = 1 };

/// A complex contagion model (a small value type).
struct ComplexContagion {
  static constexpr std::string_view name = "complex_contagion";
  ExposureRule rule = ExposureRule::count;
  std::uint32_t k = 2;    ///< count: passed exposures needed
  double fraction = 0.5;  ///< fraction: share of in-neighbours needed, in (0, 1]
  /// < 0: each exposure passes with its edge's probability; else this fixed probability (1 =
  /// deterministic).
  double exposure_probability = 1.0;

  static ComplexContagion k_exposure(std::uint32_t k, double exposure_probability = 1.0) {
    return {ExposureRule::count, k, 0.5, exposure_probability};
  }
  static ComplexContagion fractional(double q, double exposure_probability = 1.0) {
    return {ExposureRule::fraction, 1, q, exposure_probability};
  }

  void validate(const FollowerGraph& g) const {
    KOLSIM_REQUIRE(rule != ExposureRule::count || k >= 1, "ComplexContagion: k must be >= 1");
    KOLSIM_REQUIRE(rule != ExposureRule::fraction || (fraction > 0.0 && fraction <= 1.0),
                   "ComplexContagion: fraction must be in (0, 1], got ", fraction);
    KOLSIM_REQUIRE(exposure_probability <= 1.0 && !std::isnan(exposure_probability),
                   "ComplexContagion: exposure_probability must be <= 1 (negative = the edge probabilities), got ",
                   exposure_probability);
    if (exposure_probability < 0.0) g.require_probabilities("ComplexContagion (edge exposure probabilities)");
  }
  /// Passed exposures v needs.
  std::uint32_t threshold(const FollowerGraph& g, vertex_t v) const noexcept {
    if (rule == ExposureRule::count) return k;
    const double t = std::ceil(fraction * static_cast<double>(g.in_degree(v)) - 1e-9);
    return static_cast<std::uint32_t>(std::max(1.0, t));
  }
  /// Exposure probability of out-edge e, whose target is `target` (read for any storage: an
  /// implicit graph is not materialised).
  prob_t pass(const FollowerGraph& g, edge_t e, vertex_t target) const noexcept {
    return exposure_probability < 0.0 ? g.out_edge_prob(e, target) : static_cast<prob_t>(exposure_probability);
  }
  /// Exposure probability of out-edge e.
  prob_t pass(const FollowerGraph& g, edge_t e) const noexcept { return pass(g, e, g.out_targets()[e]); }
};

namespace detail {

/// Forward driver of complex contagion; `coin(e, p)` decides exposure e. One per thread.
class ComplexWorkspace {
 public:
  explicit ComplexWorkspace(vertex_t n) : search_(n), count_mark_(n, 0), count_(n, 0) {}

  /// One cascade: visit(v, step) per activation, seeds first. Returns the edges examined.
  template <class Coin, class Visit>
  std::uint64_t run(const FollowerGraph& g, const ComplexContagion& model, std::span<const vertex_t> seeds,
                    std::uint32_t max_steps, Coin&& coin, Visit&& visit) {
    const std::uint32_t ep = search_.begin([&] { std::fill(count_mark_.begin(), count_mark_.end(), 0u); });
    return search_.run(
        g, seeds, max_steps, [](std::size_t) { return true; },
        [&](vertex_t, edge_t e, vertex_t v) {
          if (!coin(e, model.pass(g, e, v))) return false;
          if (count_mark_[v] != ep) {
            count_mark_[v] = ep;
            count_[v] = 0;
          }
          return ++count_[v] >= model.threshold(g, v);
        },
        [&](vertex_t v, vertex_t, std::uint32_t step) { visit(v, step); });
  }

 private:
  FrontierSearch search_;
  std::vector<std::uint32_t> count_mark_, count_;
};

inline void validate_complex(const FollowerGraph& g, const ComplexContagion& model, std::span<const vertex_t> seeds,
                             const char* who) {
  model.validate(g);
  detail::validate_cascade_seeds(g, seeds, {}, who);
}

}  // namespace detail

}  // namespace kolsim

// SPDX-License-Identifier: MIT
/// Exposure counts of observed cascades: for every account exposed to a cascade, how many distinct
/// adopting in-neighbours it had seen when it adopted (or when the cascade ended), and the exposure
/// curve P(adopt | j exposures) that separates simple from complex contagion.
///
/// Method: exposure curves of Romero, Meeder and Kleinberg (WWW 2011) and Centola (Science 2010).
/// Account v is exposed to cascade c by each in-neighbour u (edge u -> v: v follows u) that
/// adopted strictly before v did (or at all, when v never adopted). Exposures arriving at the same
/// second form one batch; an account's *decisions* are its batches in time order: after each batch
/// it either adopts before the next one (the last batch of an adopter) or not. Independent Cascade
/// with probability p predicts P(adopted by j exposures) = 1 - (1 - p)^j (concave, P(1) = p > 0);
/// k-exposure predicts 0 below k. Adopters with no earlier adopting in-neighbour (each cascade's
/// first adopter among them) are exogenous: counted, not part of the curve.
///
/// Cost O(adoptions x out-degree + exposures log exposures) per cascade; cascades run in parallel,
/// and the result is concatenated in cascade order, so it is identical for any thread count.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/learn/cascades.hpp"

namespace kolsim {

/// How to count exposures.
struct ExposureOptions {
  int threads = 0;       ///< 0 = all
  StopToken stop{};      ///< polled between cascades
};

/// One row per (cascade, account exposed at least once before its adoption or the cascade end),
/// rows in cascade order, then account order. Row r's decisions are the cumulative exposure
/// counts `steps[step_offsets[r] .. step_offsets[r+1])` after each batch of simultaneous exposures
/// (strictly increasing; the last equals `exposures[r]`); an adopter adopted after its last batch.
struct ExposureData {
  std::vector<std::uint32_t> cascade;       ///< cascade position of each row
  std::vector<vertex_t> vertex;             ///< the exposed account (dense index)
  std::vector<std::uint32_t> exposures;     ///< distinct adopting in-neighbours seen (j >= 1)
  std::vector<std::uint8_t> adopted;        ///< 1 when the account adopted in this cascade
  std::vector<std::uint64_t> step_offsets{0};  ///< rows + 1 entries
  std::vector<std::uint32_t> steps;         ///< cumulative exposures after each batch
  std::uint64_t adopters = 0;               ///< in-graph adoptions of all cascades
  std::uint64_t exogenous = 0;              ///< adopters with no earlier adopting in-neighbour

  std::size_t size() const noexcept { return cascade.size(); }
  std::uint64_t decisions() const noexcept { return steps.size(); }
};

/// The exposure curve over j = 1 .. max exposures seen (index j - 1).
struct ExposureCurve {
  std::vector<std::uint32_t> exposures;     ///< j
  std::vector<std::uint64_t> trials;        ///< rows with exactly j exposures (at adoption or the end)
  std::vector<std::uint64_t> adopted;       ///< of those, the adopters
  std::vector<double> probability;          ///< adopted / trials (NaN when no trials)
  std::vector<double> std_error;            ///< binomial sqrt(P (1 - P) / trials)
  /// Romero et al.'s hazard: rows that ever had >= j exposures (reached), and the share that
  /// adopted with exactly j among them.
  std::vector<std::uint64_t> reached;
  std::vector<double> hazard, hazard_std_error;
};

namespace detail {

/// One cascade's rows of exposure_counts (before concatenation in cascade order).
struct ExposurePart {
  std::vector<vertex_t> vertex;
  std::vector<std::uint32_t> exposures, steps;
  std::vector<std::uint8_t> adopted;
  std::vector<std::uint32_t> step_counts;
  std::uint64_t exogenous = 0;
};

/// A thread's scratch for exposure_counts: adopter stamps and times (epoch-stamped, so a new
/// cascade costs O(its adopters)) and the cascade's counted exposures.
class ExposureScan {
 public:
  /// The rows of cascade c of cs on g.
  ExposurePart scan(const FollowerGraph& g, const Cascades& cs, std::size_t c) {
    const auto a = cs.adopters(c);
    const auto t = cs.adoption_times(c);
    mark_adopters(g.num_vertices(), a, t);
    collect_events(g, a, t);
    return tally_rows(a.size());
  }

 private:
  std::vector<std::uint32_t> stamp_;
  std::vector<double> time_;
  std::vector<std::pair<vertex_t, double>> events_;
  std::uint32_t epoch_ = 0;

  /// Stamps the cascade's adopters with their adoption times.
  void mark_adopters(vertex_t n, std::span<const vertex_t> a, std::span<const double> t) {
    if (stamp_.empty()) {
      stamp_.assign(n, 0);
      time_.assign(n, 0.0);
    }
    if (++epoch_ == 0) {
      std::fill(stamp_.begin(), stamp_.end(), 0u);
      epoch_ = 1;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
      stamp_[a[i]] = epoch_;
      time_[a[i]] = t[i];
    }
  }

  bool adopted(vertex_t v) const { return stamp_[v] == epoch_; }

  /// Every exposure (follower, time of the exposing adoption) that counts: before the
  /// follower's own adoption, or any time when it never adopted; sorted by follower, then time.
  void collect_events(const FollowerGraph& g, std::span<const vertex_t> a, std::span<const double> t) {
    events_.clear();
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto followers = g.out_neighbors(a[i]);
      for (std::size_t k = 0; k < followers.size(); ++k) {
        const vertex_t v = followers[k];
        if (v == a[i] || (k > 0 && followers[k - 1] == v)) continue;  // self-loop; parallel edge counted once
        if (adopted(v) && !(t[i] < time_[v])) continue;               // adopted before or at the same time
        events_.emplace_back(v, t[i]);
      }
    }
    std::sort(events_.begin(), events_.end());
  }

  /// One row per exposed account: its exposure count, whether it adopted, and the cumulative
  /// count after each batch of simultaneous exposures; adopters with no row are exogenous.
  ExposurePart tally_rows(std::size_t adopters) const {
    ExposurePart p;
    std::uint64_t exposed_adopters = 0;
    for (std::size_t b = 0; b < events_.size();) {
      const vertex_t v = events_[b].first;
      std::uint32_t count = 0, batches = 0;
      std::size_t e = b;
      for (; e < events_.size() && events_[e].first == v; ++e) {
        ++count;
        if (e + 1 == events_.size() || events_[e + 1].first != v || events_[e + 1].second != events_[e].second) {
          p.steps.push_back(count);
          ++batches;
        }
      }
      exposed_adopters += adopted(v) ? 1 : 0;
      p.vertex.push_back(v);
      p.exposures.push_back(count);
      p.adopted.push_back(adopted(v) ? 1 : 0);
      p.step_counts.push_back(batches);
      b = e;
    }
    p.exogenous = adopters - exposed_adopters;
    return p;
  }
};

/// The per-cascade parts concatenated in cascade order.
inline ExposureData concat_exposure_parts(const std::vector<ExposurePart>& parts) {
  ExposureData out;
  std::size_t rows = 0, steps = 0;
  for (const auto& p : parts) {
    rows += p.vertex.size();
    steps += p.steps.size();
  }
  out.cascade.reserve(rows);
  out.vertex.reserve(rows);
  out.exposures.reserve(rows);
  out.adopted.reserve(rows);
  out.step_offsets.reserve(rows + 1);
  out.steps.reserve(steps);
  for (std::size_t c = 0; c < parts.size(); ++c) {
    const ExposurePart& p = parts[c];
    out.cascade.insert(out.cascade.end(), p.vertex.size(), static_cast<std::uint32_t>(c));
    out.vertex.insert(out.vertex.end(), p.vertex.begin(), p.vertex.end());
    out.exposures.insert(out.exposures.end(), p.exposures.begin(), p.exposures.end());
    out.adopted.insert(out.adopted.end(), p.adopted.begin(), p.adopted.end());
    out.steps.insert(out.steps.end(), p.steps.begin(), p.steps.end());
    for (auto s : p.step_counts) out.step_offsets.push_back(out.step_offsets.back() + s);
    out.exogenous += p.exogenous;
  }
  return out;
}

}  // namespace detail

/// Exposure counts of `cascades` on g. Throws std::invalid_argument when the cascades were read for
/// another graph, Interrupted when `stop` asks.
inline ExposureData exposure_counts(const FollowerGraph& g, const Cascades& cs, const ExposureOptions& opt = {}) {
  KOLSIM_REQUIRE(cs.graph_vertices == g.num_vertices(), "cascades were read for a graph of ", cs.graph_vertices,
                 " accounts, this graph has ", g.num_vertices());
  KOLSIM_REQUIRE(cs.size() <= std::uint64_t{0xffffffffu}, "exposure_counts: too many cascades (", cs.size(), ")");
  const int threads = resolve_threads(opt.threads);
  std::vector<detail::ExposurePart> parts(cs.size());
  std::vector<detail::ExposureScan> work(static_cast<std::size_t>(std::max(threads, 1)));
  parallel_for(0, cs.size(), threads, [&](std::size_t c) {
    if (c % 16 == 0) check_stop(opt.stop);
    parts[c] = work[static_cast<std::size_t>(thread_index())].scan(g, cs, c);
  });
  ExposureData out = detail::concat_exposure_parts(parts);
  out.adopters = cs.adoptions();
  return out;
}

/// The exposure curve of exposure counts, with binomial standard errors: P(adopt | j exposures)
/// over the rows whose count at adoption (or at the end) is j, and Romero et al.'s hazard over
/// the rows that ever reached j. O(rows).
inline ExposureCurve exposure_curve(const ExposureData& d) {
  KOLSIM_REQUIRE(d.exposures.size() == d.adopted.size(), "exposure_curve: exposures and adopted differ in length");
  std::uint32_t top = 0;
  for (auto j : d.exposures) {
    KOLSIM_REQUIRE(j >= 1, "exposure_curve: exposure counts must be >= 1");
    top = std::max(top, j);
  }
  ExposureCurve cv;
  cv.trials.assign(top, 0);
  cv.adopted.assign(top, 0);
  for (std::size_t r = 0; r < d.exposures.size(); ++r) {
    ++cv.trials[d.exposures[r] - 1];
    cv.adopted[d.exposures[r] - 1] += d.adopted[r] ? 1 : 0;
  }
  cv.reached.assign(top, 0);
  std::uint64_t above = 0;
  for (std::size_t j = top; j-- > 0;) {
    above += cv.trials[j];
    cv.reached[j] = above;
  }
  auto rate = [](std::uint64_t k, std::uint64_t m, double& p, double& se) {
    p = m ? static_cast<double>(k) / static_cast<double>(m) : std::nan("");
    se = m ? std::sqrt(p * (1.0 - p) / static_cast<double>(m)) : std::nan("");
  };
  cv.exposures.resize(top);
  cv.probability.resize(top);
  cv.std_error.resize(top);
  cv.hazard.resize(top);
  cv.hazard_std_error.resize(top);
  for (std::uint32_t j = 0; j < top; ++j) {
    cv.exposures[j] = j + 1;
    rate(cv.adopted[j], cv.trials[j], cv.probability[j], cv.std_error[j]);
    rate(cv.adopted[j], cv.reached[j], cv.hazard[j], cv.hazard_std_error[j]);
  }
  return cv;
}

}  // namespace kolsim

// SPDX-License-Identifier: MIT
/// Continuous-time transmission rates from cascades: NetRate (Gomez-Rodriguez, Balduzzi,
/// Schoelkopf, ICML 2011) on the follower graph's edges, with exponential, power-law and Rayleigh
/// delay models, and the probability of transmission within a horizon.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/progress.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/learn/cascades.hpp"

namespace kolsim {

/// Delay distribution of one transmission u -> v given rate alpha, as hazard H and cumulative
/// hazard Psi of the delay d (survival S = exp(-alpha Psi)):
/// exponential H = alpha, Psi = d; power law H = alpha / d, Psi = log(d / min_delay) for d >
/// min_delay; Rayleigh H = alpha d, Psi = d^2 / 2.
enum class DelayModel { exponential, power_law, rayleigh };

/// Options of learn_netrate().
struct NetRateOptions {
  DelayModel delay = DelayModel::exponential;
  double min_delay = 1.0;           ///< power law: delays at or below this are not transmissions
  double horizon = 86400.0;         ///< seconds: result probabilities = P(delay <= horizon)
  /// Seconds each cascade is observed after its first adoption (exposures end there); 0 = until
  /// its last adoption. Give the real observation window when it is known: a cascade with one
  /// adopter then still tells that its followers did not adopt.
  double observation_window = 0;
  std::uint32_t max_iterations = 2000;
  double tolerance = 1e-7;          ///< relative change of every rate
  /// Gamma(shape, rate) pseudo-counts on each rate: alpha = (credit + shape) / (exposure + rate);
  /// 0, 0 = plain maximum likelihood (edges without evidence get 0).
  double prior_shape = 0, prior_rate = 0;
  int threads = 0;
  StopToken stop;
  /// Reports phase "netrate": iterations done of max_iterations, and (iterations, iterations)
  /// when it stops.
  ProgressFn progress;
};

/// Learned transmission rates per edge (out-edge order).
struct NetRateResult {
  FollowerGraph graph;             ///< probabilities P(delay <= horizon) on every edge
  std::vector<double> rate;        ///< alpha per edge (per second for exponential / Rayleigh scales)
  /// Standard error of each rate from the observed information: the Hessian of the likelihood is
  /// block-diagonal by target account, and each block (up to 400 in-edges with evidence) is
  /// inverted with Eigen, so attribution shared between parents widens the error as it should;
  /// larger blocks and edges without events use the diagonal (Gamma) approximation.
  std::vector<double> std_error;
  std::vector<double> exposure;    ///< cumulative hazard units each edge was exposed to
  std::vector<double> credit;      ///< expected transmissions credited to each edge
  double log_likelihood = 0;       ///< of the training cascades at the returned rates
  std::uint32_t iterations = 0;
  bool converged = false;
  std::uint64_t events = 0, unexplained = 0;
  double seconds = 0;
};

namespace detail {

inline double delay_hazard_factor(DelayModel m, double d) {
  return m == DelayModel::exponential ? 1.0 : m == DelayModel::power_law ? 1.0 / d : d;
}
inline double delay_cumulative(DelayModel m, double d, double min_delay) {
  if (m == DelayModel::exponential) return d;
  if (m == DelayModel::power_law) return d > min_delay ? std::log(d / min_delay) : 0.0;
  return 0.5 * d * d;
}

/// Survival terms and adoption events of NetRate on the graph's edges.
struct RateEvidence {
  std::vector<double> exposure;              ///< per edge: sum of Psi over the edge's exposures
  std::vector<std::uint64_t> event_offsets{0};
  std::vector<edge_t> event_edges;
  std::vector<double> event_factor;          ///< hazard factor of each (event, parent)
  std::uint64_t unexplained = 0;
};

inline RateEvidence gather_rate_evidence(const FollowerGraph& g, const Cascades& cs, const NetRateOptions& opt) {
  const edge_t m = g.num_edges();
  require_memory("NetRate evidence", static_cast<double>(m) * 8.0 + static_cast<double>(cs.adoptions()) * 96.0);
  RateEvidence ev;
  ev.exposure.assign(m, 0.0);
  std::span<const double> t;
  double horizon_end = 0;
  std::size_t before = 0;
  walk_cascades(
      g, cs,
      [&](std::size_t, std::span<const vertex_t>, std::span<const double> times) {
        t = times;
        horizon_end = std::max(t.back(), t.front() + opt.observation_window);
        before = ev.event_edges.size();
      },
      [&](std::size_t i, std::size_t j, edge_t e) {
        // A parent adopted strictly earlier (power law: more than min_delay earlier).
        const double d = t[i] - t[j];
        if (!(d > 0) || (opt.delay == DelayModel::power_law && d <= opt.min_delay)) return;
        ev.event_edges.push_back(e);
        ev.event_factor.push_back(delay_hazard_factor(opt.delay, d));
      },
      [&](std::size_t) {
        ev.event_offsets.push_back(ev.event_edges.size());
        if (ev.event_edges.size() == before) ++ev.unexplained;
        before = ev.event_edges.size();
      },
      [&](std::size_t i, edge_t e, std::size_t j) {
        // Survival: the follower was exposed until it adopted or the observation ended.
        double end = horizon_end;
        if (j != not_adopted) {
          if (t[j] <= t[i]) return;  // the follower was first
          end = t[j];
        }
        ev.exposure[e] += delay_cumulative(opt.delay, end - t[i], opt.min_delay);
      });
  return ev;
}

/// Standard errors from the inverse observed information, block by target account.
inline std::vector<double> rate_standard_errors(const FollowerGraph& g, const RateEvidence& ev,
                                                std::span<const double> rate, std::span<const double> credit,
                                                const NetRateOptions& opt) {
  const edge_t m = g.num_edges();
  std::vector<double> se(m);
  for (edge_t e = 0; e < m; ++e) {  // diagonal (Gamma) approximation first
    const double d = ev.exposure[e] + opt.prior_rate;
    se[e] = d > 0 ? std::sqrt(credit[e] + opt.prior_shape) / d : 0.0;
  }
  // Events grouped by target: every parent edge of an event ends at the event's adopter.
  const std::size_t events = ev.event_offsets.size() - 1;
  std::vector<std::pair<vertex_t, std::size_t>> by_target;
  for (std::size_t k = 0; k < events; ++k)
    if (ev.event_offsets[k + 1] > ev.event_offsets[k])
      by_target.emplace_back(g.out_targets()[ev.event_edges[ev.event_offsets[k]]], k);
  std::stable_sort(by_target.begin(), by_target.end(), [](auto& a, auto& b) { return a.first < b.first; });
  constexpr std::size_t max_block = 400;
  std::vector<edge_t> local;
  for (std::size_t lo = 0; lo < by_target.size();) {
    std::size_t hi = lo;
    while (hi < by_target.size() && by_target[hi].first == by_target[lo].first) ++hi;
    local.clear();
    for (std::size_t i = lo; i < hi; ++i)
      for (std::uint64_t j = ev.event_offsets[by_target[i].second]; j < ev.event_offsets[by_target[i].second + 1]; ++j)
        if (rate[ev.event_edges[j]] > 0) local.push_back(ev.event_edges[j]);
    std::sort(local.begin(), local.end());
    local.erase(std::unique(local.begin(), local.end()), local.end());
    const std::size_t b = local.size();
    if (b > 0 && b <= max_block) {
      Eigen::MatrixXd h = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(b));
      std::vector<std::pair<Eigen::Index, double>> terms;
      for (std::size_t i = lo; i < hi; ++i) {
        const std::size_t k = by_target[i].second;
        double total = 0;
        terms.clear();
        for (std::uint64_t j = ev.event_offsets[k]; j < ev.event_offsets[k + 1]; ++j) {
          total += rate[ev.event_edges[j]] * ev.event_factor[j];
          const auto it = std::lower_bound(local.begin(), local.end(), ev.event_edges[j]);
          if (it != local.end() && *it == ev.event_edges[j])
            terms.emplace_back(static_cast<Eigen::Index>(it - local.begin()), ev.event_factor[j]);
        }
        if (total <= 0) continue;
        for (auto [a, fa] : terms)
          for (auto [c, fc] : terms) h(a, c) += fa * fc / (total * total);
      }
      for (std::size_t a = 0; a < b; ++a)  // the Gamma prior's curvature, and a tiny ridge
        h(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(a)) +=
            opt.prior_shape / (rate[local[a]] * rate[local[a]]) + 1e-12 * h(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(a));
      Eigen::LDLT<Eigen::MatrixXd> ldlt(h);
      if (ldlt.info() == Eigen::Success && ldlt.isPositive()) {
        const Eigen::MatrixXd cov = ldlt.solve(Eigen::MatrixXd::Identity(h.rows(), h.cols()));
        for (std::size_t a = 0; a < b; ++a) {
          const double v = cov(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(a));
          if (v > 0 && std::isfinite(v)) se[local[a]] = std::sqrt(v);
        }
      }
    }
    lo = hi;
  }
  return se;
}

}  // namespace detail

/// Learns per-edge transmission rates by maximising the NetRate likelihood (Gomez-Rodriguez,
/// Balduzzi, Schoelkopf, ICML 2011) restricted to the follower graph's edges: each adopter's
/// hazard is the sum of its adopted in-neighbours' hazards, and every exposure that did not
/// transmit (until the follower adopted or the cascade's last adoption) contributes its
/// survival. The problem is concave in the rates; we solve it with the minorise-maximise
/// fixed point alpha_e <- alpha_e * sum over e's events of (H_e / sum H) / exposure_e, which
/// increases the likelihood at every step and converges to the maximum (edges whose events are
/// all shared may converge slowly; `tolerance` is relative). Gamma pseudo-counts shrink edges
/// with little evidence. O(adoptions x degree) evidence, O(events + m) per iteration.
inline NetRateResult learn_netrate(const FollowerGraph& g, const Cascades& cascades, const NetRateOptions& opt = {}) {
  const auto t0 = std::chrono::steady_clock::now();
  KOLSIM_REQUIRE(opt.horizon > 0 && std::isfinite(opt.horizon), "learn_netrate: horizon must be > 0, got ", opt.horizon);
  KOLSIM_REQUIRE(opt.min_delay > 0, "learn_netrate: min_delay must be > 0, got ", opt.min_delay);
  KOLSIM_REQUIRE(opt.observation_window >= 0 && std::isfinite(opt.observation_window),
                 "learn_netrate: observation_window must be >= 0 and finite, got ", opt.observation_window);
  // A Gamma(shape, rate) prior needs finite pseudo-counts >= 0: an infinite shape or rate would
  // set every learned rate to infinity or zero whatever the cascades say, and NaN passes no check.
  KOLSIM_REQUIRE(opt.prior_shape >= 0 && std::isfinite(opt.prior_shape),
                 "learn_netrate: prior_shape must be finite and >= 0, got ", opt.prior_shape);
  KOLSIM_REQUIRE(opt.prior_rate >= 0 && std::isfinite(opt.prior_rate),
                 "learn_netrate: prior_rate must be finite and >= 0, got ", opt.prior_rate);
  KOLSIM_REQUIRE(opt.tolerance > 0, "learn_netrate: tolerance must be > 0");
  const int threads = resolve_threads(opt.threads);
  const auto ev = detail::gather_rate_evidence(g, cascades, opt);
  const edge_t m = g.num_edges();
  const std::size_t events = ev.event_offsets.size() - 1;
  // Start every exercised edge at the rate that makes its exposure match one event.
  std::vector<double> rate(m, 0.0);
  for (edge_t e = 0; e < m; ++e) rate[e] = ev.exposure[e] > 0 ? 1.0 / ev.exposure[e] : 0.0;
  // Transpose events by edge for thread-independent sums.
  std::vector<std::uint64_t> eoff(static_cast<std::size_t>(m) + 1, 0);
  for (auto e : ev.event_edges) ++eoff[e + 1];
  for (edge_t e = 0; e < m; ++e) eoff[e + 1] += eoff[e];
  std::vector<std::uint64_t> slot(ev.event_edges.size());
  {
    std::vector<std::uint64_t> cur(eoff.begin(), eoff.end() - 1);
    for (std::uint64_t j = 0; j < ev.event_edges.size(); ++j) slot[cur[ev.event_edges[j]]++] = j;
  }
  std::vector<double> share(ev.event_edges.size(), 0.0);  // H_e / sum H of each (event, parent)
  NetRateResult r;
  auto compute_shares = [&] {
    parallel_for(0, events, events >= (1u << 16) ? threads : 1, [&](std::size_t k) {
      double total = 0;
      for (std::uint64_t j = ev.event_offsets[k]; j < ev.event_offsets[k + 1]; ++j)
        total += rate[ev.event_edges[j]] * ev.event_factor[j];
      for (std::uint64_t j = ev.event_offsets[k]; j < ev.event_offsets[k + 1]; ++j)
        share[j] = total > 0 ? rate[ev.event_edges[j]] * ev.event_factor[j] / total : 0.0;
    }, 4096);
  };
  std::vector<double> credit(m, 0.0);
  while (r.iterations < opt.max_iterations) {
    check_stop(opt.stop);
    report_progress(opt.progress, "netrate", r.iterations, opt.max_iterations);
    ++r.iterations;
    compute_shares();
    double worst = 0;
    for (edge_t e = 0; e < m; ++e) {
      double c = 0;
      for (std::uint64_t s = eoff[e]; s < eoff[e + 1]; ++s) c += share[slot[s]];
      credit[e] = c;
      const double d = ev.exposure[e] + opt.prior_rate;
      const double next = d > 0 ? (c + opt.prior_shape) / d : 0.0;
      if (next > 0 || rate[e] > 0) worst = std::max(worst, std::abs(next - rate[e]) / std::max(next, rate[e]));
      rate[e] = next;
    }
    if (worst <= opt.tolerance) {
      r.converged = true;
      break;
    }
  }
  report_progress(opt.progress, "netrate", r.iterations, r.iterations);
  compute_shares();
  // Log-likelihood: events log(sum H), minus every exposure's cumulative hazard.
  for (std::size_t k = 0; k < events; ++k) {
    if (ev.event_offsets[k + 1] == ev.event_offsets[k]) continue;
    double total = 0;
    for (std::uint64_t j = ev.event_offsets[k]; j < ev.event_offsets[k + 1]; ++j)
      total += rate[ev.event_edges[j]] * ev.event_factor[j];
    r.log_likelihood += std::log(std::max(total, 1e-300));
  }
  for (edge_t e = 0; e < m; ++e) r.log_likelihood -= rate[e] * ev.exposure[e];
  r.events = events - ev.unexplained;
  r.unexplained = ev.unexplained;
  r.std_error = detail::rate_standard_errors(g, ev, rate, credit, opt);
  std::vector<prob_t> p(m);
  const double psi_h = detail::delay_cumulative(opt.delay, opt.horizon, opt.min_delay);
  for (edge_t e = 0; e < m; ++e) p[e] = static_cast<prob_t>(std::clamp(1.0 - std::exp(-rate[e] * psi_h), 0.0, 1.0));
  r.rate = std::move(rate);
  r.exposure = ev.exposure;
  r.credit = std::move(credit);
  r.graph = g.with_probabilities(std::move(p));
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace kolsim

// SPDX-License-Identifier: MIT
/// Learning Independent Cascade edge probabilities from observed cascades: the EM algorithm of
/// Saito, Nakano, Kimura (KES 2008) with empirical-Bayes shrinkage and per-edge uncertainty, the
/// static credit baselines of Goyal, Bonchi, Lakshmanan (WSDM 2010), and the IC log-likelihood of
/// any probability assignment on held-out cascades.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/progress.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/learn/cascades.hpp"

namespace kolsim {

/// When an earlier adopter u counts as a possible cause ("parent") of a later adopter v along an
/// edge u -> v. Times are binned into steps of `step_seconds` from each cascade's first adoption;
/// with lag = step(v) - step(u), u is a parent of v when u adopted before v (in cascade order)
/// and min_lag_steps <= lag <= max_lag_steps. Saito et al.'s discrete-time IC is min = max = 1
/// (v adopts exactly one step after u); the defaults (0, unbounded) credit every earlier adopting
/// in-neighbour. An out-neighbour of u that does not adopt within the window is a failed trial.
struct AttemptWindow {
  double step_seconds = 1.0;
  std::uint32_t min_lag_steps = 0;
  std::uint32_t max_lag_steps = std::numeric_limits<std::uint32_t>::max();
};

/// Options of learn_ic_em().
struct EmOptions {
  AttemptWindow window;
  std::uint32_t max_iterations = 500;
  double tolerance = 1e-6;  ///< stop when no probability moves by more than this
  /// Shrink every edge toward a Beta(prior_alpha, prior_beta) prior fitted to the data by the
  /// method of moments (edges with at least `prior_min_trials` trials); edges without evidence
  /// get the prior mean. false = plain maximum likelihood (unexercised edges get 0).
  bool shrinkage = true;
  double prior_alpha = 0, prior_beta = 0;  ///< > 0: use this prior instead of fitting one
  std::uint32_t prior_min_trials = 5;
  /// Also learn a per-account exogenous adoption probability q(v) (adopting through a source
  /// outside the graph, as in Myers, Zhu, Leskovec, KDD 2012): an adoption is then explained by
  /// its parents or by q(v), and adoptions without any parent stop being ignored. Shrunk toward a
  /// fitted Beta prior like the edges.
  bool exogenous = false;
  /// Accelerate EM with SQUAREM (Varadhan and Roland, Scand. J. Statistics 2008; the SqS3 step
  /// with a likelihood safeguard): same fixed point and stopping rule (a plain EM step moving no
  /// probability by more than `tolerance`). 2.6-3.9x fewer EM steps on simulated cascades; on the
  /// StackExchange sets the unshrunk first pass runs into max_iterations either way and each
  /// SQUAREM cycle costs an extra likelihood pass, so it is off by default (docs/cascades.md).
  bool squarem = false;
  int threads = 0;
  StopToken stop;
  /// Reports the EM iterations of each pass (phase "em prior pass", the unshrunk first pass of
  /// shrinkage, then "em"): done of max_iterations, and (iterations, iterations) when it stops.
  ProgressFn progress;
};

/// Learned per-edge probabilities (out-edge order) and what stands behind them.
struct LearnedProbabilities {
  std::string method;
  FollowerGraph graph;                 ///< same topology, learned probabilities: use it with any estimator
  std::vector<double> probability;     ///< per edge
  std::vector<double> std_error;       ///< posterior standard deviation per edge
  std::vector<double> successes;       ///< expected successful trials (EM credit) per edge
  std::vector<std::uint32_t> trials;   ///< trials (chances u had to activate v) per edge
  std::vector<double> exogenous;       ///< per account: probability of adopting from outside the graph (empty = not learned)
  double exogenous_alpha = 0, exogenous_beta = 0;  ///< its shrinkage prior
  /// Per training cascade: its exogenous intensity, the expected exogenous adoptions it had
  /// (EM credit) over those q predicts. Cascades differ in appeal far beyond what one q allows;
  /// predictions draw a trial's intensity from these (PredictOptions::exogenous_scales).
  std::vector<double> cascade_intensity;
  /// Seconds after their cascade's first adoption of the training adoptions without an adopting
  /// in-neighbour before them (in the window): the timing of exogenous adoption, for nowcasting
  /// (PredictOptions::exogenous_delays) and continuous-time prediction.
  std::vector<double> exogenous_delays;
  double prior_alpha = 0, prior_beta = 0;  ///< the shrinkage prior (0, 0 = none)
  double log_likelihood = 0;           ///< on the training cascades, at the returned probabilities
  std::uint32_t iterations = 0;
  bool converged = false;
  std::uint64_t events = 0;            ///< adoptions with at least one parent
  std::uint64_t unexplained = 0;       ///< adoptions after the first with no parent (exogenous)
  std::uint64_t exercised_edges = 0;   ///< edges with at least one trial
  double seconds = 0;
};

/// The IC log-likelihood of cascades under the graph's probabilities.
struct CascadeLikelihood {
  double log_likelihood = 0;     ///< sum over adoption events and failed trials
  std::uint64_t events = 0;      ///< adoptions with a parent
  std::uint64_t failures = 0;    ///< failed trials
  std::uint64_t unexplained = 0; ///< adoptions after the first with no parent (not scored)
  double per_event() const noexcept {
    return events + failures ? log_likelihood / static_cast<double>(events + failures) : 0.0;
  }
};

namespace detail {

/// The evidence in a set of cascades, indexed by out-edge: adoption events (each a list of the
/// edges from its parents) and per-edge counts of failed trials and of events it belongs to.
struct CascadeEvidence {
  std::vector<std::uint64_t> event_offsets{0};  ///< events + 1
  std::vector<edge_t> event_edges;              ///< parent edges of each event
  std::vector<std::uint32_t> failures;          ///< per edge
  std::vector<std::uint32_t> in_events;         ///< per edge: events it belongs to
  std::vector<std::uint64_t> edge_event_offsets;  ///< per edge (m + 1): its events (transpose)
  std::vector<std::uint32_t> edge_events;
  std::vector<vertex_t> event_vertex;          ///< the adopter of each event
  std::vector<std::uint32_t> adopted;           ///< per vertex: cascades it adopted in
  std::vector<std::uint32_t> exposed;           ///< per vertex: cascades where it was not the first adopter
  std::uint64_t cascades = 0;                   ///< non-empty cascades
  std::vector<std::uint32_t> both;              ///< per edge: cascades where u and v both adopted
  std::uint64_t unexplained = 0;                ///< events without a parent (empty edge lists)

  std::size_t events() const noexcept { return event_offsets.size() - 1; }
  bool has_parent(std::size_t k) const noexcept { return event_offsets[k + 1] > event_offsets[k]; }
};

/// `progress`: ("evidence", cascades walked, cascades) every 1024 cascades and at the end.
inline CascadeEvidence gather_evidence(const FollowerGraph& g, const Cascades& cs, const AttemptWindow& w,
                                       const ProgressFn& progress = {}) {
  KOLSIM_REQUIRE(w.step_seconds > 0 && std::isfinite(w.step_seconds), "AttemptWindow: step_seconds must be > 0, got ",
                 w.step_seconds);
  KOLSIM_REQUIRE(w.min_lag_steps <= w.max_lag_steps, "AttemptWindow: min_lag_steps (", w.min_lag_steps,
                 ") > max_lag_steps (", w.max_lag_steps, ")");
  const vertex_t n = g.num_vertices();
  const edge_t m = g.num_edges();
  require_memory("cascade evidence", static_cast<double>(m) * 16.0 + static_cast<double>(cs.adoptions()) * 64.0);
  CascadeEvidence ev;
  ev.failures.assign(m, 0);
  ev.in_events.assign(m, 0);
  ev.both.assign(m, 0);
  ev.adopted.assign(n, 0);
  ev.exposed.assign(n, 0);
  std::span<const vertex_t> a;
  std::vector<double> step;  // per position of the current cascade
  std::size_t before = 0;
  auto in_window = [&](std::size_t from, std::size_t to) {
    const double lag = step[to] - step[from];
    return lag >= static_cast<double>(w.min_lag_steps) && lag <= static_cast<double>(w.max_lag_steps);
  };
  walk_cascades(
      g, cs,
      [&](std::size_t c, std::span<const vertex_t> adopters, std::span<const double> t) {
        if (c % 1024 == 0) report_progress(progress, "evidence", c, cs.size());
        a = adopters;
        ++ev.cascades;
        ++ev.exposed[a[0]];  // counts first adoptions here; turned into exposures below
        step.resize(a.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
          step[i] = std::floor((t[i] - t[0]) / w.step_seconds);
          ++ev.adopted[a[i]];
        }
        before = ev.event_edges.size();
      },
      [&](std::size_t i, std::size_t j, edge_t e) {  // a parent of adopter i within the window
        if (!in_window(j, i)) return;
        ev.event_edges.push_back(e);
        ++ev.in_events[e];
      },
      [&](std::size_t i) {  // adopter i's event is complete
        ev.event_offsets.push_back(ev.event_edges.size());
        ev.event_vertex.push_back(a[i]);
        if (ev.event_edges.size() == before) ++ev.unexplained;
        before = ev.event_edges.size();
      },
      [&](std::size_t i, edge_t e, std::size_t j) {
        // A failed trial: the follower did not adopt within the window after i (not when it was
        // active before i, adopted at the same step when lags start at 1, or was a success).
        if (j != not_adopted) {
          ++ev.both[e];
          if (j < i) return;
          const double lag = step[j] - step[i];
          if (lag < static_cast<double>(w.min_lag_steps) || lag <= static_cast<double>(w.max_lag_steps)) return;
        }
        ++ev.failures[e];
      });
  report_progress(progress, "evidence", cs.size(), cs.size());
  for (vertex_t v = 0; v < n; ++v) ev.exposed[v] = static_cast<std::uint32_t>(ev.cascades) - ev.exposed[v];
  // Transpose: the events of each edge, in event order (so sums repeat for any thread count).
  ev.edge_event_offsets.assign(static_cast<std::size_t>(m) + 1, 0);
  for (edge_t e = 0; e < m; ++e) ev.edge_event_offsets[e + 1] = ev.edge_event_offsets[e] + ev.in_events[e];
  ev.edge_events.resize(ev.event_edges.size());
  std::vector<std::uint64_t> cur(ev.edge_event_offsets.begin(), ev.edge_event_offsets.end() - 1);
  for (std::size_t k = 0; k + 1 < ev.event_offsets.size(); ++k)
    for (std::uint64_t j = ev.event_offsets[k]; j < ev.event_offsets[k + 1]; ++j)
      ev.edge_events[cur[ev.event_edges[j]]++] = static_cast<std::uint32_t>(k);
  return ev;
}

inline constexpr double min_log_prob = 1e-12;

/// Probability that event k happens: 1 - (1 - q_v) * prod over its parents (1 - p_e); q empty =
/// no exogenous adoption.
inline double event_probability(const CascadeEvidence& ev, std::size_t k, std::span<const double> p,
                                std::span<const double> q) {
  double miss = q.empty() ? 1.0 : 1.0 - q[ev.event_vertex[k]];
  for (std::uint64_t j = ev.event_offsets[k]; j < ev.event_offsets[k + 1]; ++j) miss *= 1.0 - p[ev.event_edges[j]];
  return std::max(1.0 - miss, min_log_prob);
}

/// Log-likelihood of the evidence at edge probabilities p and exogenous probabilities q (per
/// vertex; empty = none, and events without a parent are not scored).
inline double evidence_log_likelihood(const CascadeEvidence& ev, std::span<const double> p,
                                      std::span<const double> q = {}) {
  double ll = 0;
  for (std::size_t k = 0; k < ev.events(); ++k) {
    if (q.empty() && !ev.has_parent(k)) continue;
    ll += std::log(event_probability(ev, k, p, q));
  }
  for (std::size_t e = 0; e < ev.failures.size(); ++e)
    if (ev.failures[e]) ll += ev.failures[e] * std::log(std::max(1.0 - p[e], min_log_prob));
  if (!q.empty()) {
    for (std::size_t v = 0; v < q.size(); ++v) {
      const double no = static_cast<double>(ev.cascades) - ev.adopted[v];  // cascades v stayed out of
      if (no > 0) ll += no * std::log(std::max(1.0 - q[v], min_log_prob));
    }
  }
  return ll;
}

/// Beta(alpha, beta) by the method of moments over the maximum-likelihood estimates of edges with
/// at least `min_trials` trials, with the binomial sampling variance taken out.
inline std::pair<double, double> fit_beta_prior(std::span<const double> p, std::span<const std::uint32_t> trials,
                                                std::uint32_t min_trials) {
  double s = 0, s2 = 0, noise = 0;
  std::uint64_t k = 0;
  for (std::size_t e = 0; e < p.size(); ++e) {
    if (trials[e] < std::max<std::uint32_t>(min_trials, 1)) continue;
    s += p[e];
    s2 += p[e] * p[e];
    noise += p[e] * (1.0 - p[e]) / trials[e];
    ++k;
  }
  if (k < 2) return {1.0, 99.0};  // too little evidence: a weak prior with mean 0.01
  const double mean = std::clamp(s / static_cast<double>(k), 1e-6, 1.0 - 1e-6);
  const double var = s2 / static_cast<double>(k) - mean * mean - noise / static_cast<double>(k);
  double kappa = var > 0 ? mean * (1.0 - mean) / var - 1.0 : 1e4;
  kappa = std::clamp(kappa, 2.0, 1e4);
  return {mean * kappa, (1.0 - mean) * kappa};
}

/// Each cascade's exogenous credit (sum over its events of q_v / P) over the exogenous
/// adoptions q predicts for it (sum of q over every account but its first adopter).
inline std::vector<double> cascade_intensities(const Cascades& cs, const CascadeEvidence& ev, std::span<const double> q,
                                               std::span<const double> inv_hit) {
  double total = 0;
  for (double x : q) total += x;
  std::vector<double> out;
  std::size_t k = 0;  // events are in cascade order: adopters 1.. of each non-empty cascade
  for (std::size_t c = 0; c < cs.size(); ++c) {
    auto a = cs.adopters(c);
    if (a.empty()) continue;
    double credit = 0;
    for (std::size_t i = 1; i < a.size(); ++i, ++k) credit += q[ev.event_vertex[k]] * inv_hit[k];
    const double expected = total - q[a[0]];
    out.push_back(expected > 0 ? credit / expected : 0.0);
  }
  return out;
}

/// Work below which EM steps run on the calling thread (a parallel step costs two barriers).
inline constexpr std::size_t em_parallel_threshold = 1 << 16;

/// One EM step on fixed evidence with pseudo-counts: edges get (alpha, beta), exogenous
/// probabilities (q non-empty) get (qa, qb). Returns the largest change.
inline double em_step(const CascadeEvidence& ev, std::vector<double>& p, std::vector<double>& q,
                      std::vector<double>& inv_hit, double alpha, double beta, double qa, double qb, int threads) {
  const std::size_t m = p.size();
  // E-step: 1 / P(event) for every event.
  const int te = ev.events() >= em_parallel_threshold ? threads : 1;
  parallel_for(0, ev.events(), te, [&](std::size_t k) { inv_hit[k] = 1.0 / event_probability(ev, k, p, q); }, 4096);
  // M-step: p_e = (p_e * sum of 1/P over its events + alpha) / (trials + alpha + beta).
  constexpr std::size_t block = 4096;
  std::vector<double> worst_by_block((m + block - 1) / block, 0.0);
  const int tm = m >= em_parallel_threshold ? threads : 1;
  parallel_for(0, worst_by_block.size(), tm, [&](std::size_t b) {
    double worst = 0;
    const std::size_t hi = std::min(m, (b + 1) * block);
    for (std::size_t e = b * block; e < hi; ++e) {
      const double n_trials = static_cast<double>(ev.in_events[e]) + ev.failures[e];
      double credit = 0;
      for (std::uint64_t j = ev.edge_event_offsets[e]; j < ev.edge_event_offsets[e + 1]; ++j)
        credit += inv_hit[ev.edge_events[j]];
      credit *= p[e];
      const double d = n_trials + alpha + beta;
      const double next = d > 0 ? (credit + alpha) / d : 0.0;
      worst = std::max(worst, std::abs(next - p[e]));
      p[e] = next;
    }
    worst_by_block[b] = worst;
  }, 1);
  double worst = worst_by_block.empty() ? 0.0 : *std::max_element(worst_by_block.begin(), worst_by_block.end());
  if (!q.empty()) {
    // Exogenous adoption of v: credit q_v / P of each of v's events over its exposures.
    std::vector<double> credit(q.size(), 0.0);
    for (std::size_t k = 0; k < ev.events(); ++k) credit[ev.event_vertex[k]] += inv_hit[k];
    for (std::size_t v = 0; v < q.size(); ++v) {
      const double d = ev.exposed[v] + qa + qb;
      const double next = d > 0 ? (credit[v] * q[v] + qa) / d : 0.0;
      worst = std::max(worst, std::abs(next - q[v]));
      q[v] = next;
    }
  }
  return worst;
}

/// The objective EM with pseudo-counts increases: the log-likelihood plus the log of the
/// Beta(alpha + 1, beta + 1) priors whose posterior mode the M-step takes.
inline double em_objective(const CascadeEvidence& ev, std::span<const double> p, std::span<const double> q,
                           double alpha, double beta, double qa, double qb) {
  double f = evidence_log_likelihood(ev, p, q);
  auto prior = [](std::span<const double> x, double a, double b) {
    double s = 0;
    if (a > 0 || b > 0)
      for (double v : x) s += a * std::log(std::max(v, min_log_prob)) + b * std::log(std::max(1.0 - v, min_log_prob));
    return s;
  };
  return f + prior(p, alpha, beta) + prior(q, qa, qb);
}

/// The SqS3 extrapolation of SQUAREM from x0 and two EM steps x1, x2: with r = x1 - x0,
/// v = x2 - 2 x1 + x0 and a = min(-|r| / |v|, -1), x0 - 2 a r + a^2 v, kept inside (0, 1)
/// (exact zeros, edges without evidence, stay zero).
inline std::vector<double> squarem_extrapolate(const std::vector<double>& x0, const std::vector<double>& x1,
                                               const std::vector<double>& x2) {
  double nr = 0, nv = 0;
  for (std::size_t i = 0; i < x0.size(); ++i) {
    const double r = x1[i] - x0[i], v = x2[i] - 2 * x1[i] + x0[i];
    nr += r * r;
    nv += v * v;
  }
  const double a = nv > 0 ? std::min(-std::sqrt(nr / nv), -1.0) : -1.0;
  std::vector<double> xs(x0.size());
  for (std::size_t i = 0; i < x0.size(); ++i) {
    const double r = x1[i] - x0[i], v = x2[i] - 2 * x1[i] + x0[i];
    const double y = x0[i] - 2 * a * r + a * a * v;
    xs[i] = (x0[i] == 0 && x1[i] == 0 && x2[i] == 0) ? 0.0 : std::clamp(y, 1e-10, 1.0 - 1e-10);
  }
  return xs;
}

/// SQUAREM (Varadhan and Roland 2008, scheme SqS3): from x0, two EM steps give x1, x2; the
/// extrapolation (squarem_extrapolate) is followed by one EM step; if that lowers the
/// objective, x2 is taken instead. Stops, as plain EM does, when an EM step moves no probability by
/// more than the tolerance. Returns the EM steps taken.
inline std::uint32_t em_iterate_squarem(const CascadeEvidence& ev, std::vector<double>& p, std::vector<double>& q,
                                        double alpha, double beta, double qa, double qb, const EmOptions& opt,
                                        int threads, bool& converged, std::string_view phase = "em") {
  std::vector<double> inv_hit(ev.events());
  converged = false;
  std::uint32_t it = 0;
  const std::size_t m = p.size();
  // x = (p, q) as one vector for the extrapolation.
  auto pack = [&](const std::vector<double>& a, const std::vector<double>& b) {
    std::vector<double> x(a);
    x.insert(x.end(), b.begin(), b.end());
    return x;
  };
  // One EM step on (a, b); true when it moved no probability by more than the tolerance.
  auto step = [&](std::vector<double>& a, std::vector<double>& b) {
    ++it;
    return em_step(ev, a, b, inv_hit, alpha, beta, qa, qb, threads) <= opt.tolerance;
  };
  auto take = [&](std::vector<double>& a, std::vector<double>& b) {
    p.swap(a);
    q.swap(b);
  };
  double f0 = em_objective(ev, p, q, alpha, beta, qa, qb);
  std::vector<double> p1, q1, p2, q2;
  while (it < opt.max_iterations) {
    check_stop(opt.stop);
    report_progress(opt.progress, phase, it, opt.max_iterations);
    p1 = p;
    q1 = q;
    converged = step(p1, q1);
    if (converged || it >= opt.max_iterations) {
      take(p1, q1);
      break;
    }
    p2 = p1;
    q2 = q1;
    if ((converged = step(p2, q2))) {
      take(p2, q2);
      break;
    }
    const std::vector<double> xs = squarem_extrapolate(pack(p, q), pack(p1, q1), pack(p2, q2));
    std::vector<double> ps(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(m));
    std::vector<double> qs(xs.begin() + static_cast<std::ptrdiff_t>(m), xs.end());
    const bool done = it < opt.max_iterations && step(ps, qs);
    const double fs = em_objective(ev, ps, qs, alpha, beta, qa, qb);
    if (std::isfinite(fs) && fs >= f0) {
      take(ps, qs);
      f0 = fs;
      if (done) {
        converged = true;
        break;
      }
    } else {  // the extrapolation overshot: keep the two plain steps
      take(p2, q2);
      f0 = em_objective(ev, p, q, alpha, beta, qa, qb);
    }
  }
  return it;
}

/// EM iterations until no probability moves by more than the tolerance.
inline std::uint32_t em_iterate(const CascadeEvidence& ev, std::vector<double>& p, std::vector<double>& q,
                                double alpha, double beta, double qa, double qb, const EmOptions& opt, int threads,
                                bool& converged, std::string_view phase = "em") {
  if (opt.squarem) {
    const std::uint32_t n = em_iterate_squarem(ev, p, q, alpha, beta, qa, qb, opt, threads, converged, phase);
    report_progress(opt.progress, phase, n, n);
    return n;
  }
  std::vector<double> inv_hit(ev.events());
  converged = false;
  std::uint32_t it = 0;
  while (it < opt.max_iterations) {
    check_stop(opt.stop);
    report_progress(opt.progress, phase, it, opt.max_iterations);
    ++it;
    if (em_step(ev, p, q, inv_hit, alpha, beta, qa, qb, threads) <= opt.tolerance) {
      converged = true;
      break;
    }
  }
  report_progress(opt.progress, phase, it, it);
  return it;
}

}  // namespace detail

/// Learns IC edge probabilities from cascades by EM (Saito, Nakano, Kimura, KES 2008): each
/// adoption with parents P is explained by at least one success among P; the E-step shares the
/// credit of each adoption among its parents in proportion to p, the M-step sets p(u,v) to the
/// credited successes over u's trials on v. Monotone in the likelihood; converges to a local
/// maximum (the likelihood is not concave in general). With shrinkage, a Beta prior fitted to the
/// unshrunk estimates adds pseudo-counts, so edges with little evidence stay near the prior mean
/// and posterior standard deviations are finite. Evidence O(adoptions x degree); each iteration
/// O(events + m), parallel and bit-identical for any thread count.
inline LearnedProbabilities learn_ic_em(const FollowerGraph& g, const Cascades& cascades, const EmOptions& opt = {}) {
  const auto t0 = std::chrono::steady_clock::now();
  KOLSIM_REQUIRE(opt.tolerance > 0, "learn_ic_em: tolerance must be > 0, got ", opt.tolerance);
  KOLSIM_REQUIRE(std::isfinite(opt.prior_alpha) && std::isfinite(opt.prior_beta) && opt.prior_alpha >= 0 &&
                     opt.prior_beta >= 0 && ((opt.prior_alpha > 0) == (opt.prior_beta > 0)),
                 "learn_ic_em: give both prior_alpha and prior_beta (finite, > 0) or neither, got prior_alpha = ",
                 opt.prior_alpha, ", prior_beta = ", opt.prior_beta);
  const int threads = resolve_threads(opt.threads);
  const auto ev = detail::gather_evidence(g, cascades, opt.window);
  const edge_t m = g.num_edges();
  LearnedProbabilities r;
  r.method = "em";
  std::vector<double> p(m, 0.1);
  std::vector<double> q;
  if (opt.exogenous) q.assign(g.num_vertices(), 0.01);
  bool converged = false;
  double alpha = 0, beta = 0, qa = 0, qb = 0;
  std::vector<std::uint32_t> trials(m);
  for (edge_t e = 0; e < m; ++e) trials[e] = ev.in_events[e] + ev.failures[e];
  if (opt.shrinkage) {
    // A first pass without shrinkage gives the estimates the priors are fitted to.
    r.iterations += detail::em_iterate(ev, p, q, 0.0, 0.0, 0.0, 0.0, opt, threads, converged, "em prior pass");
    if (opt.prior_alpha > 0) {
      alpha = opt.prior_alpha;
      beta = opt.prior_beta;
    } else {
      std::tie(alpha, beta) = detail::fit_beta_prior(p, trials, opt.prior_min_trials);
    }
    if (!q.empty()) std::tie(qa, qb) = detail::fit_beta_prior(q, ev.exposed, opt.prior_min_trials);
  }
  r.iterations += detail::em_iterate(ev, p, q, alpha, beta, qa, qb, opt, threads, converged);
  r.converged = converged;
  r.prior_alpha = alpha;
  r.prior_beta = beta;
  r.exogenous_alpha = qa;
  r.exogenous_beta = qb;
  r.events = ev.events() - ev.unexplained;
  r.unexplained = ev.unexplained;
  r.log_likelihood = detail::evidence_log_likelihood(ev, p, q);
  r.successes.resize(m);
  r.std_error.resize(m);
  r.trials = trials;
  // Credit at the final p, and the posterior sd of Beta(credit + alpha, failures + beta).
  std::vector<double> inv_hit(ev.events());
  for (std::size_t k = 0; k < ev.events(); ++k) inv_hit[k] = 1.0 / detail::event_probability(ev, k, p, q);
  if (!q.empty()) r.cascade_intensity = detail::cascade_intensities(cascades, ev, q, inv_hit);
  {
    std::size_t k = 0;  // events are adopters 1.. of each non-empty cascade, in order
    for (std::size_t c = 0; c < cascades.size(); ++c) {
      auto t = cascades.adoption_times(c);
      for (std::size_t i = 1; i < t.size(); ++i, ++k)
        if (!ev.has_parent(k)) r.exogenous_delays.push_back(t[i] - t[0]);
    }
  }
  for (edge_t e = 0; e < m; ++e) {
    double credit = 0;
    for (std::uint64_t j = ev.edge_event_offsets[e]; j < ev.edge_event_offsets[e + 1]; ++j)
      credit += inv_hit[ev.edge_events[j]];
    credit *= p[e];
    r.successes[e] = credit;
    r.exercised_edges += trials[e] > 0;
    const double a = credit + alpha, b = std::max(0.0, trials[e] - credit) + beta;
    r.std_error[e] = a + b > 0 ? std::sqrt(a * b / ((a + b) * (a + b) * (a + b + 1.0))) : 0.0;
  }
  std::vector<prob_t> pf(m);
  for (edge_t e = 0; e < m; ++e) pf[e] = static_cast<prob_t>(std::clamp(p[e], 0.0, 1.0));
  r.probability = std::move(p);
  r.exogenous = std::move(q);
  r.graph = g.with_probabilities(std::move(pf));
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

/// Static credit baselines (Goyal, Bonchi, Lakshmanan, WSDM 2010).
enum class CreditScheme {
  bernoulli,  ///< p(u,v) = cascades where v adopted after u (in the window) / cascades u adopted in
  jaccard,    ///< the same count / cascades where u or v adopted
  lt_weights, ///< LT weights: that count / cascades v adopted in, scaled so each in-sum <= 1
};

/// Probabilities (or LT weights) from counting, with the same evidence as learn_ic_em and the
/// same Beta shrinkage for Bernoulli (trials = cascades u adopted in). O(adoptions x degree).
/// opt.progress: ("evidence", cascades walked, cascades), then ("credit", edges scored, edges).
inline LearnedProbabilities learn_credit(const FollowerGraph& g, const Cascades& cascades, CreditScheme scheme,
                                         const EmOptions& opt = {}) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto ev = detail::gather_evidence(g, cascades, opt.window, opt.progress);
  const vertex_t n = g.num_vertices();
  const edge_t m = g.num_edges();
  LearnedProbabilities r;
  r.method = scheme == CreditScheme::bernoulli ? "bernoulli" : scheme == CreditScheme::jaccard ? "jaccard" : "lt";
  r.probability.assign(m, 0.0);
  r.std_error.assign(m, 0.0);
  r.successes.assign(m, 0.0);
  r.trials.assign(m, 0);
  const auto off = g.out_offsets();
  std::vector<double> raw(m, 0.0);
  for (vertex_t u = 0; u < n; ++u) {
    if (u % 65536 == 0) report_progress(opt.progress, "credit", off[u], m);
    for (edge_t e = off[u]; e < off[u + 1]; ++e) {
      const vertex_t v = g.out_targets()[e];
      const double hits = ev.in_events[e];
      r.successes[e] = hits;
      const double denom = scheme == CreditScheme::bernoulli ? ev.adopted[u]
                           : scheme == CreditScheme::jaccard ? static_cast<double>(ev.adopted[u]) + ev.adopted[v] - ev.both[e]
                                                             : ev.adopted[v];
      r.trials[e] = static_cast<std::uint32_t>(denom);
      raw[e] = denom > 0 ? std::min(1.0, hits / denom) : 0.0;
    }
  }
  report_progress(opt.progress, "credit", m, m);
  double alpha = 0, beta = 0;
  if (opt.shrinkage && scheme != CreditScheme::lt_weights) {
    std::tie(alpha, beta) = opt.prior_alpha > 0 ? std::pair{opt.prior_alpha, opt.prior_beta}
                                                : detail::fit_beta_prior(raw, r.trials, opt.prior_min_trials);
  }
  for (edge_t e = 0; e < m; ++e) {
    const double a = r.successes[e] + alpha, b = std::max(0.0, r.trials[e] - r.successes[e]) + beta;
    r.probability[e] = a + b > 0 ? std::min(1.0, a / (a + b)) : 0.0;
    r.std_error[e] = a + b > 0 ? std::sqrt(a * b / ((a + b) * (a + b) * (a + b + 1.0))) : 0.0;
    r.exercised_edges += r.trials[e] > 0;
  }
  if (scheme == CreditScheme::lt_weights) {  // each account's in-weights sum to at most 1
    std::vector<double> in_sum(n, 0.0);
    for (vertex_t u = 0; u < n; ++u)
      for (edge_t e = off[u]; e < off[u + 1]; ++e) in_sum[g.out_targets()[e]] += r.probability[e];
    for (vertex_t u = 0; u < n; ++u)
      for (edge_t e = off[u]; e < off[u + 1]; ++e) {
        const double s = in_sum[g.out_targets()[e]];
        if (s > 1.0) r.probability[e] /= s * (1.0 + 1e-6);
      }
  }
  r.prior_alpha = alpha;
  r.prior_beta = beta;
  r.events = ev.events() - ev.unexplained;
  r.unexplained = ev.unexplained;
  r.log_likelihood = detail::evidence_log_likelihood(ev, r.probability);
  r.converged = true;
  std::vector<prob_t> pf(m);
  for (edge_t e = 0; e < m; ++e) pf[e] = static_cast<prob_t>(std::clamp(r.probability[e], 0.0, 1.0));
  r.graph = g.with_probabilities(std::move(pf));
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

/// The IC log-likelihood of `cascades` under g's edge probabilities (any assignment: learned,
/// weighted cascade, constant), with the same attempt window as the learners: compare models on
/// held-out cascades with it. Probabilities are clamped to [1e-12, 1 - 1e-12] inside the logs.
/// With `exogenous` (one probability per account) every adoption is scored, those without a
/// parent through q(v) alone, and so is every account that stayed out of a cascade.
inline CascadeLikelihood ic_log_likelihood(const FollowerGraph& g, const Cascades& cascades,
                                           const AttemptWindow& window = {}, std::span<const double> exogenous = {}) {
  g.require_probabilities("ic_log_likelihood");
  KOLSIM_REQUIRE(exogenous.empty() || exogenous.size() == g.num_vertices(), "ic_log_likelihood: ", exogenous.size(),
                 " exogenous probabilities for ", g.num_vertices(), " accounts");
  const auto ev = detail::gather_evidence(g, cascades, window);
  // The likelihood works on a double per edge; it is filled from any storage, so an implicit
  // graph's float array is not materialised on the way.
  std::vector<double> p(g.num_edges());
  const OutEdgeProbs probs(g);
  const auto tgt = g.out_targets();
  for (edge_t e = 0; e < g.num_edges(); ++e) p[e] = probs(e, tgt[e]);
  CascadeLikelihood r;
  r.log_likelihood = detail::evidence_log_likelihood(ev, p, exogenous);
  r.events = exogenous.empty() ? ev.events() - ev.unexplained : ev.events();
  for (auto f : ev.failures) r.failures += f;
  r.unexplained = exogenous.empty() ? ev.unexplained : 0;
  return r;
}

}  // namespace kolsim

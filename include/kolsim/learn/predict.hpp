// SPDX-License-Identifier: MIT
/// Predicting observed cascades and scoring the predictions: the Monte Carlo distribution of a
/// cascade's final size and of who adopts, and held-out metrics (log error of the final size,
/// calibration of prediction intervals, AUC / average precision of "who adopts").
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/diffusion/continuous.hpp"
#include "kolsim/diffusion/driver.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/learn/cascades.hpp"

namespace kolsim {

/// The simulated distribution of one cascade.
struct SizeDistribution {
  std::vector<std::uint32_t> sizes;         ///< final size of each trial (seeds included), trial order
  std::vector<double> adoption_probability; ///< per vertex: fraction of trials that reached it
  double mean = 0, std_error = 0;

  /// Empirical quantile (type 7, linear interpolation) of the trial sizes; q in [0, 1].
  double quantile(double q) const {
    return detail::sample_quantile(std::span<const std::uint32_t>(sizes), q, "SizeDistribution::quantile");
  }
};

/// Options of predict_cascade() and evaluate_predictions().
struct PredictOptions {
  std::uint64_t trials = 200;
  std::uint64_t seed = 0;  ///< trial i draws from the stream (seed, i): same result for any thread count
  int threads = 0;
  std::uint32_t max_steps = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t observed_seeds = 1;  ///< evaluate: the first this many adopters seed the prediction
  /// evaluate (nowcasting): > 0 = every adopter within this many seconds of the cascade's first
  /// adoption seeds the prediction (at least one), instead of observed_seeds.
  double observed_seconds = 0;
  /// Empty, or one probability per account of adopting from outside the graph in a cascade
  /// (LearnedProbabilities::exogenous): such accounts join the seeds of a trial.
  std::vector<double> exogenous;
  /// Empty, or intensities (LearnedProbabilities::cascade_intensity): each trial draws one
  /// uniformly and multiplies every exogenous probability by it (capped at 1), so predictions
  /// carry the spread in appeal between cascades.
  std::vector<double> exogenous_scales;
  /// Empty, or one weight (>= 0) per intensity: the draw is weighted (nowcasting sets these).
  std::vector<double> exogenous_weights;
  /// Over-dispersion: each trial multiplies its drawn intensity by exp(s z - s^2 / 2), z standard
  /// normal (mean kept). Calibrate s on training cascades only (docs/cascades.md).
  double intensity_spread = 0;
  /// Fraction of the exogenous adoption still to come (multiplies every exogenous probability);
  /// nowcasting sets it to the share of exogenous adoptions that happen after the observed time.
  double exogenous_remaining = 1.0;
  /// evaluate, nowcasting (observed_seconds > 0): seconds after their cascade's first adoption of
  /// the training adoptions without an adopting in-neighbour (LearnedProbabilities::
  /// exogenous_delays). With them, the intensity of each test cascade is conditioned on its
  /// observed prefix: intensity s is weighted by the Poisson probability of the prefix's
  /// adoptions without an adopting in-neighbour, mean s (sum of q) F(tau), F the share of those
  /// delays <= tau; and only the remaining share 1 - F(tau) of exogenous adoption is simulated.
  std::vector<double> exogenous_delays;
  StopToken stop;
};

namespace detail {

/// Checks predict_cascade's options; returns the cumulative exogenous scale weights
/// (exogenous_scale_cdf).
template <DiffusionModel M>
std::vector<double> validate_prediction(const FollowerGraph& g, const M& model, std::span<const vertex_t> seeds,
                                        const PredictOptions& opt) {
  model.validate(g);
  validate_cascade_seeds(g, seeds, {}, "predict_cascade");
  KOLSIM_REQUIRE(opt.trials > 0, "predict_cascade: trials must be > 0");
  const vertex_t n = g.num_vertices();
  KOLSIM_REQUIRE(opt.exogenous.empty() || opt.exogenous.size() == n, "predict_cascade: ", opt.exogenous.size(),
                 " exogenous probabilities for ", n, " accounts");
  for (double x : opt.exogenous)
    KOLSIM_REQUIRE(x >= 0.0 && x <= 1.0, "predict_cascade: exogenous probabilities must be in [0, 1], got ", x);
  std::vector<double> cum_weight = exogenous_scale_cdf(opt.exogenous_scales, opt.exogenous_weights, "predict_cascade");
  KOLSIM_REQUIRE(opt.intensity_spread >= 0 && std::isfinite(opt.intensity_spread),
                 "predict_cascade: intensity_spread must be finite and >= 0, got ", opt.intensity_spread);
  KOLSIM_REQUIRE(opt.exogenous_remaining >= 0 && opt.exogenous_remaining <= 1,
                 "predict_cascade: exogenous_remaining must be in [0, 1], got ", opt.exogenous_remaining);
  return cum_weight;
}

/// A trial's exogenous intensity: a drawn scale (or 1), spread log-normally by
/// opt.intensity_spread (mean kept), times the share still to come.
inline double prediction_scale(const PredictOptions& opt, const std::vector<double>& cum_weight, Rng& rng) {
  double scale = opt.exogenous_scales.empty() ? 1.0 : draw_exogenous_scale(rng, opt.exogenous_scales, cum_weight);
  if (opt.intensity_spread > 0) {  // Box-Muller
    const double z = std::sqrt(-2.0 * std::log(1.0 - rng.uniform())) * std::cos(6.283185307179586 * rng.uniform());
    scale *= std::exp(opt.intensity_spread * z - 0.5 * opt.intensity_spread * opt.intensity_spread);
  }
  return scale * opt.exogenous_remaining;
}

/// A trial's seeds: `seeds`, then (with opt.exogenous) the accounts that adopt from outside the
/// graph, kept in `buffer`.
inline std::span<const vertex_t> prediction_start(std::span<const vertex_t> seeds, const PredictOptions& opt,
                                                  const std::vector<double>& cum_weight,
                                                  const std::vector<char>& is_seed, Rng& rng,
                                                  std::vector<vertex_t>& buffer) {
  if (opt.exogenous.empty()) return seeds;
  buffer.assign(seeds.begin(), seeds.end());
  const double scale = prediction_scale(opt, cum_weight, rng);
  for (vertex_t v = 0; v < static_cast<vertex_t>(opt.exogenous.size()); ++v)
    if (opt.exogenous[v] > 0 && !is_seed[v] && rng.uniform() < scale * opt.exogenous[v]) buffer.push_back(v);
  return buffer;
}

}  // namespace detail

/// Runs `trials` independent cascades from `seeds` and keeps every trial's final size and each
/// account's reach frequency. O(trials x (n_reached + edges examined)); per-thread count arrays
/// (O(threads x n)) reduced in thread-independent order.
template <DiffusionModel M>
SizeDistribution predict_cascade(const FollowerGraph& g, const M& model, std::span<const vertex_t> seeds,
                                 const PredictOptions& opt = {}) {
  const std::vector<double> cum_weight = detail::validate_prediction(g, model, seeds, opt);
  const vertex_t n = g.num_vertices();
  std::vector<char> is_seed(opt.exogenous.empty() ? 0 : n, 0);
  for (vertex_t s : seeds)
    if (!is_seed.empty()) is_seed[s] = 1;
  const int threads = resolve_threads(opt.threads);
  constexpr std::size_t block = 16;
  const std::size_t blocks = (opt.trials + block - 1) / block;
  require_memory("predict_cascade", static_cast<double>(blocks) * n * sizeof(std::uint16_t) / 64.0 +
                                        static_cast<double>(threads) * n * 16.0);
  SizeDistribution d;
  d.sizes.assign(opt.trials, 0);
  // Integer counts per thread, summed exactly: identical for any thread count.
  std::vector<std::vector<std::uint32_t>> partial(static_cast<std::size_t>(threads));
  std::vector<detail::CascadeWorkspace<M>> ws(static_cast<std::size_t>(threads));
  parallel_for(0, blocks, threads, [&](std::size_t b) {
    const int t = thread_index();
    auto& w = ws[static_cast<std::size_t>(t)];
    auto& cnt = partial[static_cast<std::size_t>(t)];
    if (w.size() != n) w.resize(n);
    if (cnt.size() != n) cnt.assign(n, 0);
    check_stop(opt.stop);
    const std::uint64_t hi = std::min<std::uint64_t>(opt.trials, (b + 1) * block);
    std::vector<vertex_t> trial_seeds;
    for (std::uint64_t i = b * block; i < hi; ++i) {
      Rng rng(opt.seed, i, domain::trial);
      const auto start = detail::prediction_start(seeds, opt, cum_weight, is_seed, rng, trial_seeds);
      std::uint32_t size = 0;
      w.run(g, model, start, {}, opt.max_steps, rng, [&](vertex_t v, vertex_t, std::uint32_t) {
        ++size;
        ++cnt[v];
      });
      d.sizes[i] = size;
    }
  }, 1, 2);
  d.adoption_probability = detail::count_frequency(partial, n, opt.trials);
  detail::integer_mean_se(opt.trials, [&](std::uint64_t i) { return static_cast<double>(d.sizes[i]); }, d.mean,
                          d.std_error);
  return d;
}

/// One held-out cascade scored.
struct CascadePrediction {
  std::uint64_t id = 0;
  double observed = 0;              ///< in-graph adopters
  double seeded = 0;                ///< adopters that seeded the prediction (observed so far)
  double predicted_mean = 0, predicted_std_error = 0;
  double q05 = 0, q25 = 0, q50 = 0, q75 = 0, q95 = 0;
  /// Probability integral transform: P(size < observed) + P(size = observed) / 2 under the
  /// prediction. Uniform on [0, 1] over cascades when the predictions are calibrated.
  double pit = 0;
  double auc = 0;                   ///< of adoption probability for "adopts" among non-seeds (0.5 = chance)
  double average_precision = 0;
};

/// Aggregate held-out scores.
struct PredictionScores {
  std::vector<CascadePrediction> cascades;
  /// Median over cascades of |log(point forecast) - log(observed)|, the forecast being the
  /// predictive median (the minimiser of expected absolute error; sizes are heavy-tailed, so the
  /// mean is a poor point forecast) and, in the second figure, the predictive mean.
  double median_abs_log_error = 0, median_abs_log_error_of_mean = 0;
  double coverage50 = 0, coverage90 = 0;  ///< fraction of observed sizes inside [q25, q75] / [q05, q95]
  double mean_auc = 0, mean_average_precision = 0;  ///< over cascades with at least one non-seed adopter
};

namespace detail {

/// AUC (Mann-Whitney, ties count one half) and average precision of scores for labels.
inline std::pair<double, double> rank_scores(std::span<const double> score, std::span<const char> label) {
  const std::size_t n = score.size();
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  double pos = 0;
  for (auto l : label) pos += l;
  const double neg = static_cast<double>(n) - pos;
  if (pos == 0 || neg == 0) return {0.5, pos > 0 ? 1.0 : 0.0};
  // Walk tie groups from the top: AUC counts negatives ranked below each positive.
  double auc = 0, ap = 0, tp = 0, seen = 0, neg_above = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    double gp = 0;
    while (j < n && score[idx[j]] == score[idx[i]]) gp += label[idx[j++]];
    const double gsize = static_cast<double>(j - i), gn = gsize - gp;
    auc += gp * (neg - neg_above - gn) + 0.5 * gp * gn;
    // A tie group is ranked as a block: precision at its end for each positive in it.
    tp += gp;
    seen += gsize;
    ap += gp * (tp / seen);
    neg_above += gn;
    i = j;
  }
  return {auc / (pos * neg), ap / pos};
}

inline double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

/// Nowcasting: weights the intensities by the Poisson probability of the observed prefix's
/// adoptions without an adopting in-neighbour in the prefix, and keeps the share of exogenous
/// adoption still to come (PredictOptions::exogenous_delays).
inline void condition_intensity(const FollowerGraph& g, std::span<const vertex_t> prefix, const PredictOptions& opt,
                                PredictOptions& o) {
  const double tau = opt.observed_seconds;
  double below = 0;
  for (double d : opt.exogenous_delays) below += d <= tau;
  const double f = below / static_cast<double>(opt.exogenous_delays.size());
  std::vector<char> in(g.num_vertices(), 0);
  double k = 0;  // prefix adoptions after the first with no adopting in-neighbour before them
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (i > 0) {
      bool parent = false;
      for (vertex_t u : g.in_neighbors(prefix[i])) parent = parent || in[u];
      k += !parent;
    }
    in[prefix[i]] = 1;
  }
  double total = 0;
  for (double x : opt.exogenous) total += x;
  total -= opt.exogenous[prefix[0]];
  std::vector<double> logw(opt.exogenous_scales.size());
  double best = -std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < logw.size(); ++j) {
    const double lambda = std::max(opt.exogenous_scales[j] * total * f, 1e-12);
    logw[j] = k * std::log(lambda) - lambda;  // Poisson, up to a constant in k
    if (!opt.exogenous_weights.empty()) logw[j] += std::log(std::max(opt.exogenous_weights[j], 1e-300));
    best = std::max(best, logw[j]);
  }
  o.exogenous_weights.resize(logw.size());
  for (std::size_t j = 0; j < logw.size(); ++j) o.exogenous_weights[j] = std::exp(logw[j] - best);
  o.exogenous_remaining = opt.exogenous_remaining * (1.0 - f);
}

}  // namespace detail

/// Predicts each cascade from its first `observed_seeds` adopters and scores the prediction
/// against what happened. Cascade c uses trial streams keyed by (seed + c, i).
template <DiffusionModel M>
PredictionScores evaluate_predictions(const FollowerGraph& g, const M& model, const Cascades& cascades,
                                      const PredictOptions& opt = {}) {
  KOLSIM_REQUIRE(cascades.graph_vertices == g.num_vertices(), "evaluate_predictions: the cascades were read for a graph of ",
                 cascades.graph_vertices, " accounts, this graph has ", g.num_vertices());
  KOLSIM_REQUIRE(opt.observed_seeds >= 1, "evaluate_predictions: observed_seeds must be >= 1");
  KOLSIM_REQUIRE(opt.observed_seconds >= 0 && std::isfinite(opt.observed_seconds),
                 "evaluate_predictions: observed_seconds must be >= 0, got ", opt.observed_seconds);
  PredictionScores out;
  std::vector<double> log_err, log_err_mean;
  std::vector<char> label(g.num_vertices(), 0);
  double auc_sum = 0, ap_sum = 0;
  std::size_t scored = 0, in50 = 0, in90 = 0;
  for (std::size_t c = 0; c < cascades.size(); ++c) {
    auto a = cascades.adopters(c);
    if (a.empty()) continue;
    std::size_t ns = std::min<std::size_t>(opt.observed_seeds, a.size());
    if (opt.observed_seconds > 0) {
      auto t = cascades.adoption_times(c);
      ns = 1;
      while (ns < a.size() && t[ns] - t[0] <= opt.observed_seconds) ++ns;
    }
    PredictOptions o = opt;
    o.seed = opt.seed + c;
    if (opt.observed_seconds > 0 && !opt.exogenous_delays.empty() && !opt.exogenous.empty() &&
        !opt.exogenous_scales.empty())
      detail::condition_intensity(g, a.first(ns), opt, o);
    const auto d = predict_cascade(g, model, a.first(ns), o);
    CascadePrediction p;
    p.id = cascades.ids[c];
    p.observed = static_cast<double>(a.size());
    p.seeded = static_cast<double>(ns);
    p.predicted_mean = d.mean;
    p.predicted_std_error = d.std_error;
    p.q05 = d.quantile(0.05);
    p.q25 = d.quantile(0.25);
    p.q50 = d.quantile(0.5);
    p.q75 = d.quantile(0.75);
    p.q95 = d.quantile(0.95);
    double below = 0, equal = 0;
    for (auto x : d.sizes) {
      below += x < p.observed;
      equal += x == p.observed;
    }
    p.pit = (below + 0.5 * equal) / static_cast<double>(d.sizes.size());
    log_err.push_back(std::abs(std::log(p.q50) - std::log(p.observed)));
    log_err_mean.push_back(std::abs(std::log(d.mean) - std::log(p.observed)));
    in50 += p.observed >= p.q25 && p.observed <= p.q75;
    in90 += p.observed >= p.q05 && p.observed <= p.q95;
    // Who adopts: every non-seed account, labelled by whether it adopted.
    std::vector<double> sc;
    std::vector<char> lb;
    std::fill(label.begin(), label.end(), 0);
    for (std::size_t i = ns; i < a.size(); ++i) label[a[i]] = 1;
    for (std::size_t i = 0; i < ns; ++i) label[a[i]] = 2;
    for (vertex_t v = 0; v < g.num_vertices(); ++v) {
      if (label[v] == 2) continue;
      sc.push_back(d.adoption_probability[v]);
      lb.push_back(label[v]);
    }
    std::tie(p.auc, p.average_precision) = detail::rank_scores(sc, lb);
    if (a.size() > ns) {
      auc_sum += p.auc;
      ap_sum += p.average_precision;
      ++scored;
    }
    out.cascades.push_back(p);
  }
  const double k = static_cast<double>(out.cascades.size());
  out.median_abs_log_error = detail::median(log_err);
  out.median_abs_log_error_of_mean = detail::median(log_err_mean);
  out.coverage50 = k > 0 ? static_cast<double>(in50) / k : 0.0;
  out.coverage90 = k > 0 ? static_cast<double>(in90) / k : 0.0;
  out.mean_auc = scored ? auc_sum / static_cast<double>(scored) : 0.0;
  out.mean_average_precision = scored ? ap_sum / static_cast<double>(scored) : 0.0;
  return out;
}

}  // namespace kolsim

// SPDX-License-Identifier: MIT
/// Continuous-time Independent Cascade with per-edge random delays and optional fading novelty:
/// Monte Carlo reach over wall-clock time with standard errors and per-trial quantiles, and
/// per-account first-reach time distributions.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <queue>
#include <span>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

namespace detail {

/// Empirical quantile (type 7, linear interpolation) of ascending `s`, q in [0, 1].
template <class T>
double sorted_quantile(std::span<const T> s, double q, const char* who) {
  KOLSIM_REQUIRE(!s.empty(), who, ": no trials");
  KOLSIM_REQUIRE(q >= 0.0 && q <= 1.0, who, ": q must be in [0, 1], got ", q);
  const double h = q * static_cast<double>(s.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, s.size() - 1);
  return static_cast<double>(s[lo]) + (h - static_cast<double>(lo)) * (static_cast<double>(s[hi]) - static_cast<double>(s[lo]));
}

/// sorted_quantile of `values` in any order (sorts a copy).
template <class T>
double sample_quantile(std::span<const T> values, double q, const char* who) {
  std::vector<T> s(values.begin(), values.end());
  std::sort(s.begin(), s.end());
  return sorted_quantile(std::span<const T>(s), q, who);
}

}  // namespace detail

/// Fading novelty (Wu and Huberman, PNAS 2007): a transmission that would arrive t seconds after
/// the message first appeared succeeds with p_uv * r(t). none: r = 1; exponential: r(t) =
/// exp(-t / scale); power_law: r(t) = (1 + t / scale)^-exponent.
enum class NoveltyDecay { none, exponential, power_law };

/// The novelty factor r(t) for t >= 0 seconds since the message first appeared.
inline double novelty_factor(NoveltyDecay decay, double scale, double exponent, double t) noexcept {
  if (decay == NoveltyDecay::none) return 1.0;
  const double x = std::max(t, 0.0) / scale;
  return decay == NoveltyDecay::exponential ? std::exp(-x) : std::pow(1.0 + x, -exponent);
}

/// Options of continuous_reach().
struct ContinuousOptions {
  /// Seconds at which reach is reported, increasing and >= 0; the simulation stops after the last.
  std::vector<double> times;
  /// Per edge (out-edge order): rate (per second) of the exponential delay of u -> v, as NetRate
  /// learns it (NetRateResult::rate). Empty = `default_rate` on every edge.
  std::vector<double> rate;
  double default_rate = 1.0 / 3600.0;
  /// Non-empty: every delay is drawn uniformly from these seconds instead (an empirical delay
  /// distribution, e.g. the lags between adopters and their adopting in-neighbours).
  std::vector<double> delay_samples;
  NoveltyDecay decay = NoveltyDecay::none;
  double decay_scale = 86400.0;  ///< seconds
  double decay_exponent = 1.0;   ///< power law only
  /// Empty, or one per seed: the second the seed adopts (>= 0; default 0, the message's first
  /// appearance). Nowcasting seeds the accounts observed so far at their observed times.
  std::vector<double> seed_times;
  /// Empty, or one probability per account of adopting from outside the graph in a trial
  /// (LearnedProbabilities::exogenous); such an account adopts at a time drawn uniformly from
  /// `exogenous_times` (seconds after the first appearance; required then).
  std::vector<double> exogenous;
  std::vector<double> exogenous_times;
  /// Empty, or intensities to draw one per trial (uniformly) that multiply every exogenous
  /// probability (capped at 1); `exogenous_weights` (same length, >= 0) makes the draw weighted.
  std::vector<double> exogenous_scales;
  std::vector<double> exogenous_weights;
  /// Accounts (dense indices) whose first-reach times are kept (ReachCurve::first_reach); empty = none.
  std::vector<vertex_t> track;
  std::uint64_t trials = 1000;
  std::uint64_t seed = 0;  ///< trial i draws from the stream (seed, i): same result for any thread count
  int threads = 0;
  StopToken stop;
};

/// First-reach time distributions of tracked accounts (ContinuousOptions::track), over trials.
/// "Reached" means by the last reported time; conditional figures are NaN for an account never
/// reached.
struct FirstReachTimes {
  std::vector<vertex_t> accounts;             ///< the tracked accounts, in the order asked
  std::vector<double> times;                  ///< the reported times (seconds)
  std::vector<double> probability;            ///< accounts x times, row-major: P(reached by times[j])
  std::vector<double> probability_se;         ///< its binomial standard error sqrt(p (1 - p) / trials)
  std::vector<double> mean, mean_se;          ///< per account: mean first-reach second given reached, SE
  /// Per account: median first-reach second given reached, and its standard error from the
  /// order statistics at ranks k/2 -+ sqrt(k)/2 (half the width of a one-sigma binomial interval).
  std::vector<double> median, median_se;
  std::vector<std::uint64_t> reached;         ///< per account: trials that reached it
  std::vector<double> first_time;             ///< accounts x trials: first-reach second, +inf if not reached

  /// Empirical quantile (type 7) of account a's first-reach time given reached.
  double quantile(std::size_t a, double q) const {
    KOLSIM_REQUIRE_INDEX(a < accounts.size(), "FirstReachTimes::quantile: account index ", a, " of ", accounts.size());
    const std::vector<double> t = reached_times(a);
    return detail::sample_quantile(std::span<const double>(t), q, "FirstReachTimes::quantile");
  }
  /// Account a's first-reach times of the trials that reached it, ascending.
  std::vector<double> reached_times(std::size_t a) const {
    const std::size_t R = accounts.empty() ? 0 : first_time.size() / accounts.size();
    std::vector<double> t;
    for (std::size_t i = 0; i < R; ++i)
      if (std::isfinite(first_time[a * R + i])) t.push_back(first_time[a * R + i]);
    std::sort(t.begin(), t.end());
    return t;
  }
};

namespace detail {

/// Summaries of first_time (accounts x trials) at `times`.
inline void summarize_first_reach(FirstReachTimes& f, std::uint64_t trials) {
  const std::size_t A = f.accounts.size(), nt = f.times.size();
  const double R = static_cast<double>(trials);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  f.probability.assign(A * nt, 0.0);
  f.probability_se.assign(A * nt, 0.0);
  f.mean.assign(A, nan);
  f.mean_se.assign(A, nan);
  f.median.assign(A, nan);
  f.median_se.assign(A, nan);
  f.reached.assign(A, 0);
  for (std::size_t a = 0; a < A; ++a) {
    const std::vector<double> t = f.reached_times(a);
    const std::size_t k = t.size();
    f.reached[a] = k;
    for (std::size_t j = 0, c = 0; j < nt; ++j) {
      while (c < k && t[c] <= f.times[j]) ++c;
      const double p = static_cast<double>(c) / R;
      f.probability[a * nt + j] = p;
      f.probability_se[a * nt + j] = std::sqrt(p * (1.0 - p) / R);
    }
    if (k == 0) continue;
    double s = 0, s2 = 0;
    for (double x : t) s += x;
    const double m = s / static_cast<double>(k);
    for (double x : t) s2 += (x - m) * (x - m);
    f.mean[a] = m;
    f.mean_se[a] = k > 1 ? std::sqrt(s2 / static_cast<double>(k - 1) / static_cast<double>(k)) : 0.0;
    f.median[a] = sample_quantile(std::span<const double>(t), 0.5, "first-reach median");
    const double half = 0.5 * std::sqrt(static_cast<double>(k));
    const double mid = 0.5 * static_cast<double>(k - 1);
    const auto lo = static_cast<std::size_t>(std::max(0.0, std::floor(mid - half)));
    const auto hi = static_cast<std::size_t>(std::min(static_cast<double>(k - 1), std::ceil(mid + half)));
    f.median_se[a] = 0.5 * (t[hi] - t[lo]);
  }
}

}  // namespace detail

/// Reach over time: trial i, time j -> accounts reached by times[j] (seeds included).
struct ReachCurve {
  std::vector<double> times;
  std::vector<double> mean, std_error;  ///< per time: mean reach and its Monte Carlo standard error
  std::vector<std::uint32_t> reach;     ///< trials x times, row-major
  /// Per account: fraction of trials that reached it by the last time.
  std::vector<double> reach_probability;
  std::uint64_t trials = 0;
  /// First-reach times of ContinuousOptions::track (empty when nothing is tracked).
  FirstReachTimes first_reach;

  /// Empirical quantile (type 7) of the reach by times[j] over trials.
  double quantile(std::size_t j, double q) const {
    KOLSIM_REQUIRE_INDEX(j < times.size(), "ReachCurve::quantile: time index ", j, " of ", times.size());
    std::vector<std::uint32_t> s(trials);
    for (std::uint64_t i = 0; i < trials; ++i) s[i] = reach[i * times.size() + j];
    return detail::sample_quantile(std::span<const std::uint32_t>(s), q, "ReachCurve::quantile");
  }
};

namespace detail {

/// One trial's Dijkstra over random delays: an account is final at its earliest arrival, and only
/// then makes one attempt on each follower not yet final (delay d drawn, success with
/// p * r(t + d)). Each edge is tried at most once, as in IC.
struct ContinuousWorkspace {
  std::vector<double> arrival;
  std::vector<char> done;
  std::vector<vertex_t> touched;
  std::vector<double> finals;  ///< final times of this trial
  using Item = std::pair<double, vertex_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;

  void resize(vertex_t n) {
    arrival.assign(n, std::numeric_limits<double>::infinity());
    done.assign(n, 0);
  }
  void offer(vertex_t v, double t) {
    if (done[v] || !(t < arrival[v])) return;
    if (arrival[v] == std::numeric_limits<double>::infinity()) touched.push_back(v);
    arrival[v] = t;
    heap.emplace(t, v);
  }
  void reset() {
    for (vertex_t v : touched) {
      arrival[v] = std::numeric_limits<double>::infinity();
      done[v] = 0;
    }
    touched.clear();
    finals.clear();
    while (!heap.empty()) heap.pop();
  }
};

}  // namespace detail

namespace detail {

/// Checks exogenous intensities and their weights (`who` names the caller in messages) and
/// returns the cumulative weights (empty: the intensities are drawn uniformly).
inline std::vector<double> exogenous_scale_cdf(const std::vector<double>& scales, const std::vector<double>& weights,
                                               const char* who) {
  for (double x : scales)
    KOLSIM_REQUIRE(x >= 0 && std::isfinite(x), who, ": exogenous scales must be finite and >= 0, got ", x);
  KOLSIM_REQUIRE(weights.empty() || weights.size() == scales.size(), who, ": ", weights.size(), " weights for ",
                 scales.size(), " scales");
  std::vector<double> cum;
  for (double w : weights) {
    KOLSIM_REQUIRE(w >= 0 && std::isfinite(w), who, ": exogenous weights must be finite and >= 0, got ", w);
    cum.push_back((cum.empty() ? 0.0 : cum.back()) + w);
  }
  KOLSIM_REQUIRE(cum.empty() || cum.back() > 0, who, ": exogenous weights sum to 0");
  return cum;
}

/// One exogenous intensity of `scales` (non-empty) for a trial: uniform, or weighted by `cum`
/// (exogenous_scale_cdf).
inline double draw_exogenous_scale(Rng& rng, const std::vector<double>& scales, const std::vector<double>& cum) {
  std::size_t pick;
  if (cum.empty()) {
    pick = static_cast<std::size_t>(rng.next_u64() % scales.size());
  } else {
    const double u = rng.uniform() * cum.back();
    pick = static_cast<std::size_t>(std::upper_bound(cum.begin(), cum.end(), u) - cum.begin());
    pick = std::min(pick, cum.size() - 1);
  }
  return scales[pick];
}

/// Per-vertex fraction of trials from per-thread integer counts (exact sums: any thread count).
inline std::vector<double> count_frequency(const std::vector<std::vector<std::uint32_t>>& partial, vertex_t n,
                                           std::uint64_t trials) {
  std::vector<double> f(n, 0.0);
  for (auto& cnt : partial)
    if (!cnt.empty())
      for (vertex_t v = 0; v < n; ++v) f[v] += cnt[v];
  for (auto& x : f) x /= static_cast<double>(trials);
  return f;
}

/// Mean and standard error of the integer-valued trials get(i) (sums exact in double far below 2^53).
template <class Get>
void integer_mean_se(std::uint64_t trials, Get&& get, double& mean, double& se) {
  const double r = static_cast<double>(trials);
  double s = 0, s2 = 0;
  for (std::uint64_t i = 0; i < trials; ++i) {
    const double x = get(i);
    s += x;
    s2 += x * x;
  }
  mean = s / r;
  se = trials > 1 ? std::sqrt(std::max(0.0, (s2 - s * s / r) / (r - 1.0)) / r) : 0.0;
}

/// Checks continuous_reach's times, seeds, delays, decay and exogenous options; returns the
/// cumulative exogenous scale weights (exogenous_scale_cdf).
inline std::vector<double> validate_continuous(const FollowerGraph& g, std::span<const vertex_t> seeds,
                                               const ContinuousOptions& opt) {
  g.require_probabilities("continuous_reach");
  const vertex_t n = g.num_vertices();
  const edge_t m = g.num_edges();
  KOLSIM_REQUIRE(opt.trials > 0, "continuous_reach: trials must be > 0");
  KOLSIM_REQUIRE(!opt.times.empty(), "continuous_reach: give at least one time");
  for (std::size_t j = 0; j < opt.times.size(); ++j)
    KOLSIM_REQUIRE(opt.times[j] >= 0 && std::isfinite(opt.times[j]) && (j == 0 || opt.times[j] > opt.times[j - 1]),
                   "continuous_reach: times must be finite, >= 0 and increasing; times[", j, "] = ", opt.times[j]);
  for (vertex_t s : seeds) KOLSIM_REQUIRE_INDEX(s < n, "continuous_reach: seed ", s, " outside a graph of ", n, " accounts");
  KOLSIM_REQUIRE(opt.seed_times.empty() || opt.seed_times.size() == seeds.size(), "continuous_reach: ",
                 opt.seed_times.size(), " seed times for ", seeds.size(), " seeds");
  for (double t : opt.seed_times)
    KOLSIM_REQUIRE(t >= 0 && std::isfinite(t), "continuous_reach: seed times must be finite and >= 0, got ", t);
  KOLSIM_REQUIRE(opt.rate.empty() || opt.rate.size() == m, "continuous_reach: ", opt.rate.size(), " rates for ", m,
                 " edges");
  for (double r : opt.rate) KOLSIM_REQUIRE(r >= 0 && std::isfinite(r), "continuous_reach: rates must be finite and >= 0, got ", r);
  KOLSIM_REQUIRE(opt.default_rate > 0 && std::isfinite(opt.default_rate), "continuous_reach: default_rate must be > 0, got ",
                 opt.default_rate);
  for (double d : opt.delay_samples)
    KOLSIM_REQUIRE(d >= 0 && std::isfinite(d), "continuous_reach: delay samples must be finite and >= 0, got ", d);
  KOLSIM_REQUIRE(opt.decay == NoveltyDecay::none || (opt.decay_scale > 0 && std::isfinite(opt.decay_scale)),
                 "continuous_reach: decay_scale must be > 0, got ", opt.decay_scale);
  KOLSIM_REQUIRE(opt.decay != NoveltyDecay::power_law || (opt.decay_exponent >= 0 && std::isfinite(opt.decay_exponent)),
                 "continuous_reach: decay_exponent must be >= 0, got ", opt.decay_exponent);
  KOLSIM_REQUIRE(opt.exogenous.empty() || opt.exogenous.size() == n, "continuous_reach: ", opt.exogenous.size(),
                 " exogenous probabilities for ", n, " accounts");
  for (double x : opt.exogenous)
    KOLSIM_REQUIRE(x >= 0 && x <= 1, "continuous_reach: exogenous probabilities must be in [0, 1], got ", x);
  KOLSIM_REQUIRE(opt.exogenous.empty() || !opt.exogenous_times.empty(),
                 "continuous_reach: exogenous adoption needs exogenous_times");
  for (double t : opt.exogenous_times)
    KOLSIM_REQUIRE(t >= 0 && std::isfinite(t), "continuous_reach: exogenous times must be finite and >= 0, got ", t);
  std::vector<double> cum_weight = exogenous_scale_cdf(opt.exogenous_scales, opt.exogenous_weights, "continuous_reach");
  std::vector<vertex_t> s(seeds.begin(), seeds.end());
  std::sort(s.begin(), s.end());
  KOLSIM_REQUIRE(std::adjacent_find(s.begin(), s.end()) == s.end(), "continuous_reach: duplicate seed");
  return cum_weight;
}

/// Per account, its slot in opt.track (-1: not tracked); empty when nothing is tracked.
inline std::vector<std::int64_t> continuous_track_slots(const ContinuousOptions& opt, vertex_t n) {
  const std::size_t A = opt.track.size();
  std::vector<std::int64_t> track_slot(A ? n : 0, -1);
  for (std::size_t a = 0; a < A; ++a) {
    KOLSIM_REQUIRE_INDEX(opt.track[a] < n, "continuous_reach: tracked account ", opt.track[a], " outside a graph of ",
                         n, " accounts");
    KOLSIM_REQUIRE(track_slot[opt.track[a]] < 0, "continuous_reach: account ", opt.track[a], " tracked twice");
    track_slot[opt.track[a]] = static_cast<std::int64_t>(a);
  }
  return track_slot;
}

/// A trial's start: the seeds at their times, then the accounts adopting from outside the graph
/// at times drawn from opt.exogenous_times (each at most opt.times.back()).
inline void continuous_start(ContinuousWorkspace& w, std::span<const vertex_t> seeds, const ContinuousOptions& opt,
                             const std::vector<double>& cum_weight, Rng& rng) {
  const double end = opt.times.back();
  for (std::size_t k = 0; k < seeds.size(); ++k) {
    const double ts = opt.seed_times.empty() ? 0.0 : opt.seed_times[k];
    if (ts <= end) w.offer(seeds[k], ts);
  }
  if (opt.exogenous.empty()) return;
  const double scale =
      opt.exogenous_scales.empty() ? 1.0 : draw_exogenous_scale(rng, opt.exogenous_scales, cum_weight);
  for (vertex_t v = 0; v < static_cast<vertex_t>(opt.exogenous.size()); ++v) {
    if (opt.exogenous[v] <= 0 || !(rng.uniform() < scale * opt.exogenous[v])) continue;
    const double te = opt.exogenous_times[rng.next_u64() % opt.exogenous_times.size()];
    if (te <= end) w.offer(v, te);
  }
}

/// The delay of one attempt on edge e from an account final at tu, and whether it succeeds
/// (probability p, times the novelty factor at arrival under a decay).
inline bool continuous_attempt(const ContinuousOptions& opt, edge_t e, prob_t p, double tu, Rng& rng, double& d) {
  auto delay = [&] {
    return opt.delay_samples.empty() ? -std::log(1.0 - rng.uniform()) / (opt.rate.empty() ? opt.default_rate : opt.rate[e])
                                     : opt.delay_samples[rng.next_u64() % opt.delay_samples.size()];
  };
  if (opt.decay == NoveltyDecay::none) {
    if (!rng.bernoulli(p)) return false;
    d = delay();
    return true;
  }
  d = delay();
  return rng.uniform() < static_cast<double>(p) * novelty_factor(opt.decay, opt.decay_scale, opt.decay_exponent, tu + d);
}

/// One trial's Dijkstra from w's offers up to opt.times.back(): each account final at its
/// earliest arrival (appended to w.finals, counted in cnt) tries each follower not yet final once.
inline void continuous_spread(const FollowerGraph& g, const ContinuousOptions& opt, ContinuousWorkspace& w, Rng& rng,
                              std::vector<std::uint32_t>& cnt) {
  const double end = opt.times.back();
  const auto off = g.out_offsets();
  const auto targets = g.out_targets();
  const OutEdgeProbs probs(g);  // any storage: an implicit graph is not materialised
  while (!w.heap.empty()) {
    const auto [tu, u] = w.heap.top();
    w.heap.pop();
    if (w.done[u] || tu > w.arrival[u]) continue;
    w.done[u] = 1;
    w.finals.push_back(tu);
    ++cnt[u];
    for (edge_t e = off[u]; e < off[u + 1]; ++e) {
      const vertex_t v = targets[e];
      if (w.done[v]) continue;
      const prob_t p = probs(e, v);
      if (p <= 0) continue;
      double d;
      if (!continuous_attempt(opt, e, p, tu, rng, d)) continue;
      const double ta = tu + d;  // a zero rate gives an infinite delay: never arrives
      if (ta <= end) w.offer(v, ta);
    }
  }
}

/// Records trial i of w into `out`: the tracked accounts' first-reach times and the reach by
/// each reported time.
inline void record_continuous_trial(const ContinuousWorkspace& w, const std::vector<std::int64_t>& track_slot,
                                    std::uint64_t i, std::uint64_t trials, ReachCurve& out) {
  if (!track_slot.empty())
    for (vertex_t v : w.touched)
      if (w.done[v] && track_slot[v] >= 0)
        out.first_reach.first_time[static_cast<std::size_t>(track_slot[v]) * trials + i] = w.arrival[v];
  // finals are nondecreasing (Dijkstra order): count those by each reported time.
  const std::size_t nt = out.times.size();
  std::size_t k = 0;
  for (std::size_t j = 0; j < nt; ++j) {
    while (k < w.finals.size() && w.finals[k] <= out.times[j]) ++k;
    out.reach[i * nt + j] = static_cast<std::uint32_t>(k);
  }
}

}  // namespace detail

/// Monte Carlo reach over wall-clock time of the continuous-time IC (Gomez-Rodriguez, Balduzzi,
/// Schoelkopf, ICML 2011; exponential delays with per-edge rates, or empirical delays) from
/// `seeds`, with the edge probabilities of `g` and optional fading novelty (Wu and Huberman 2007).
/// Trial i draws from Rng(seed, i, domain::trial) alone and sums are integer, so results are
/// identical for any thread count. O(trials x (reached log reached + edges examined)).
inline ReachCurve continuous_reach(const FollowerGraph& g, std::span<const vertex_t> seeds,
                                   const ContinuousOptions& opt) {
  const std::vector<double> cum_weight = detail::validate_continuous(g, seeds, opt);
  const vertex_t n = g.num_vertices();
  const int threads = resolve_threads(opt.threads);
  const std::size_t nt = opt.times.size();
  const std::size_t A = opt.track.size();
  const std::vector<std::int64_t> track_slot = detail::continuous_track_slots(opt, n);
  require_memory("continuous_reach", static_cast<double>(opt.trials) * (nt * 4.0 + static_cast<double>(A) * 8.0) +
                                         static_cast<double>(threads) * n * 24.0);
  ReachCurve out;
  out.times = opt.times;
  out.trials = opt.trials;
  out.reach.assign(opt.trials * nt, 0);
  if (A) {
    out.first_reach.accounts = opt.track;
    out.first_reach.times = opt.times;
    out.first_reach.first_time.assign(A * opt.trials, std::numeric_limits<double>::infinity());
  }
  std::vector<std::vector<std::uint32_t>> partial(static_cast<std::size_t>(threads));
  std::vector<detail::ContinuousWorkspace> ws(static_cast<std::size_t>(threads));
  constexpr std::size_t block = 16;
  const std::size_t blocks = (opt.trials + block - 1) / block;
  parallel_for(0, blocks, threads, [&](std::size_t b) {
    const int t = thread_index();
    auto& w = ws[static_cast<std::size_t>(t)];
    auto& cnt = partial[static_cast<std::size_t>(t)];
    if (w.arrival.size() != n) w.resize(n);
    if (cnt.size() != n) cnt.assign(n, 0);
    check_stop(opt.stop);
    const std::uint64_t hi = std::min<std::uint64_t>(opt.trials, (b + 1) * block);
    for (std::uint64_t i = b * block; i < hi; ++i) {
      Rng rng(opt.seed, i, domain::trial);
      w.reset();
      detail::continuous_start(w, seeds, opt, cum_weight, rng);
      detail::continuous_spread(g, opt, w, rng, cnt);
      detail::record_continuous_trial(w, track_slot, i, opt.trials, out);
    }
  }, 1, 2);
  out.reach_probability = detail::count_frequency(partial, n, opt.trials);
  out.mean.assign(nt, 0.0);
  out.std_error.assign(nt, 0.0);
  for (std::size_t j = 0; j < nt; ++j)
    detail::integer_mean_se(opt.trials, [&](std::uint64_t i) { return static_cast<double>(out.reach[i * nt + j]); },
                            out.mean[j], out.std_error[j]);
  if (A) detail::summarize_first_reach(out.first_reach, opt.trials);
  return out;
}

}  // namespace kolsim

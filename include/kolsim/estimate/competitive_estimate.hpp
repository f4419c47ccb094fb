// SPDX-License-Identifier: MIT
/// Estimates of a two-campaign race: Monte Carlo with error bars and exact enumeration on tiny
/// graphs, for the falsehood's reach, the correction's reach and the accounts saved.
///
/// "Saved" uses coupled worlds: in each trial the same coins decide F's edges with and without
/// the corrective campaign, and saved = (F's reach without C) - (F's reach with C) in that world,
/// i.e. the accounts that hear the falsehood when nobody corrects it but not when C runs (F's
/// reach with C is a subset of F's reach without C in every world, so saved >= 0 per trial).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/stopwatch.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/competitive.hpp"

namespace kolsim {

/// Options of estimate_competition().
struct CompetitionOptions {
  std::uint64_t trials = 10000;  ///< Monte Carlo trials
  std::uint64_t seed = 0;        ///< trial i uses coins keyed by (seed, i) only
  int threads = 0;               ///< 0 = all
  /// Deadline: only adoptions at step <= max_steps happen (0 = the seeds only).
  std::uint32_t max_steps = std::numeric_limits<std::uint32_t>::max();
  StopToken stop;  ///< polled between batches; throws Interrupted
};

/// Mean and standard error of one per-trial count.
struct CountEstimate {
  double mean = 0, std_error = 0, ci_low = 0, ci_high = 0;  ///< ci: normal 95% interval
};

/// What estimate_competition() returns.
struct CompetitiveEstimate {
  CountEstimate misleading;        ///< accounts adopting F (seeds included)
  CountEstimate corrective;        ///< accounts adopting C (posting seeds included)
  CountEstimate saved;             ///< F-alone reach minus F reach, per coupled world
  CountEstimate misleading_alone;  ///< F's reach without any correction (same worlds)
  std::vector<double> misleading_per_step;  ///< mean F adoptions at step t
  std::vector<double> corrective_per_step;  ///< mean C adoptions at step t
  std::uint64_t trials = 0;
  std::uint64_t edges_examined = 0;
  double seconds = 0;
};

namespace detail {

inline CountEstimate count_estimate(double sum, double sumsq, std::uint64_t r) {
  CountEstimate c;
  const double rd = static_cast<double>(r);
  c.mean = sum / rd;
  if (r > 1) {
    const double var = std::max(0.0, (sumsq - sum * sum / rd) / (rd - 1.0));
    c.std_error = std::sqrt(var / rd);
  }
  c.ci_low = c.mean - 1.96 * c.std_error;
  c.ci_high = c.mean + 1.96 * c.std_error;
  return c;
}

}  // namespace detail

/// Monte Carlo estimate of the race between `misleading_seeds` (F) and `corrective_seeds` (C)
/// under `model`. Trial i is the world of coins keyed by (opt.seed, i); it is run with and
/// without C (the coupled worlds that define "saved"). Counts are integers reduced in trial
/// order, so results are bit-identical for any thread count. Cost O(trials * (reached + edges
/// examined) * 2 / threads). Throws std::invalid_argument for trials = 0 or bad/overlapping
/// seeds (std::out_of_range for unknown vertices), Interrupted when `stop` asks.
namespace detail {

/// What the competitive estimators count. Default (empty `group`): every adopting account. With
/// `group` (one entry per account, values < num_groups): each group once per run and campaign,
/// e.g. a multiplex's people (group = Multiplex::vertex_people()); a group adopts F when any of
/// its accounts does. With `layer` (one entry per account, values < num_layers): also accounts
/// per layer and campaign (CompetitionTrials::layer_tallies). The default path is the
/// per-account code, unchanged.
struct CompetitionCounting {
  std::span<const vertex_t> group;
  vertex_t num_groups = 0;
  std::span<const std::uint32_t> layer;
  std::uint32_t num_layers = 0;
  bool plain() const noexcept { return group.empty() && layer.empty(); }
};

/// Per-thread marks of group counting: whether a group was already counted in this run for F
/// (with C), C, and F alone. next() starts a run in O(1) (epochs; a wrap clears the marks).
class GroupMarks {
 public:
  explicit GroupMarks(vertex_t groups) : mark_(3 * static_cast<std::size_t>(groups), 0), groups_(groups) {}
  void next() {
    if (++epoch_ == 0) {
      std::fill(mark_.begin(), mark_.end(), 0u);
      epoch_ = 1;
    }
  }
  /// True the first time group g is met in this run for counter k (0 = F, 1 = C, 2 = F alone).
  bool first(unsigned k, vertex_t g) {
    std::uint32_t& m = mark_[static_cast<std::size_t>(k) * groups_ + g];
    if (m == epoch_) return false;
    m = epoch_;
    return true;
  }

 private:
  std::vector<std::uint32_t> mark_;
  std::size_t groups_;
  std::uint32_t epoch_ = 0;
};

/// One trial of the race: F's reach with C, C's reach, F's reach without C (same world), and
/// the edges both runs examined.
struct CompetitionTally {
  std::uint64_t f = 0, c = 0, alone = 0, edges = 0;
};

/// The argument checks of estimate_competition (every back end); returns the thread count.
template <class Model>
int check_competition(const Model& model, std::span<const vertex_t> misleading_seeds,
                      std::span<const vertex_t> corrective_seeds, const CompetitionOptions& opt) {
  validate_competitive_seeds(model, misleading_seeds, corrective_seeds, "estimate_competition");
  KOLSIM_REQUIRE(opt.trials >= 1, "estimate_competition: trials must be >= 1");
  KOLSIM_REQUIRE(opt.trials < (std::uint64_t{1} << 48), "estimate_competition: at most 2^48 trials");
  const int threads = resolve_threads(opt.threads);
  check_stop(opt.stop);
  return threads;
}

/// The trials [lo, hi) of estimate_competition (all of them in one process, one rank's block in
/// the distributed estimator): trial i is the world of coins keyed by (opt.seed, i), run with
/// and without C. tallies() holds each trial's counts in trial order; step_totals() the
/// adoptions per step summed over threads (integers, so the same for any split of the trials).
template <class Model>
class CompetitionTrials {
  using Driver = CompetitionDriver<Model>;
  using Workspace = typename Driver::Workspace;

 public:
  CompetitionTrials(const Model& model, std::span<const vertex_t> misleading_seeds,
                    std::span<const vertex_t> corrective_seeds, const CompetitionOptions& opt, int threads,
                    std::uint64_t lo, std::uint64_t hi, const CompetitionCounting& count = {})
      : model_(model), f_(misleading_seeds), c_(corrective_seeds), opt_(opt), threads_(threads),
        slots_(static_cast<std::size_t>(std::max(threads, 1))), lo_(lo), poll_(opt.stop, 16), count_(count) {
    const vertex_t n = model.num_vertices();
    const std::string share = hi - lo == opt.trials ? "" : concat(" (this rank's share of ", opt.trials, ")");
    require_memory(concat("estimate_competition: ", hi - lo, " trial tallies", share, " and ", slots_,
                          " workspaces of ", n, " accounts (lower trials)"),
                   static_cast<double>(hi - lo) * sizeof(CompetitionTally) +
                       static_cast<double>(slots_) * static_cast<double>(n) * 32.0 +
                       static_cast<double>(hi - lo) * 12.0 * count.num_layers +
                       static_cast<double>(slots_) * 12.0 * count.num_groups);
    tally_.resize(hi - lo);
    layer_tally_.resize(static_cast<std::size_t>(hi - lo) * 3 * count.num_layers);
    ws_.resize(slots_);
    marks_.resize(slots_);
    fsteps_.resize(slots_);
    csteps_.resize(slots_);
  }

  /// Runs trials [t0, t1) of the block, in rounds of 1024 per thread with a stop check each.
  void run(std::uint64_t t0, std::uint64_t t1) {
    constexpr std::uint64_t batch = 256;
    const std::uint64_t round = batch * slots_ * 4;
    for (std::uint64_t b0 = t0; b0 < t1; b0 += round) {
      check_stop(opt_.stop);
      const std::uint64_t b1 = std::min(t1, b0 + round);
      parallel_for(b0, b1, threads_, [&](std::size_t i) {
        if (poll_.poll()) return;
        const auto slot = static_cast<std::size_t>(thread_index());
        tally_[i - lo_] = count_.plain() ? trial(i, slot) : counted_trial(i, slot);
      });
      poll_.throw_if_stopped();
    }
  }

  std::span<const CompetitionTally> tallies() const noexcept { return tally_; }
  /// With CompetitionCounting::layer: [trial][k][layer] accounts on each layer adopting F with C
  /// (k = 0), C (k = 1), F alone (k = 2); empty otherwise.
  std::span<const std::uint32_t> layer_tallies() const noexcept { return layer_tally_; }

  /// Adds the adoptions per step of every thread to f and c (which grow as needed).
  void step_totals(std::vector<std::uint64_t>& f, std::vector<std::uint64_t>& c) const {
    for (std::size_t s = 0; s < slots_; ++s) {
      add_steps(f, fsteps_[s]);
      add_steps(c, csteps_[s]);
    }
  }

 private:
  static void add_steps(std::vector<std::uint64_t>& to, const std::vector<std::uint64_t>& from) {
    if (to.size() < from.size()) to.resize(from.size(), 0);
    for (std::size_t t = 0; t < from.size(); ++t) to[t] += from[t];
  }

  /// Trial i on the workspace of thread slot `slot`: with C (counting steps), then F alone.
  CompetitionTally trial(std::uint64_t i, std::size_t slot) {
    if (!ws_[slot]) ws_[slot] = std::make_unique<Workspace>(model_.num_vertices());
    auto& fs = fsteps_[slot];
    auto& cs = csteps_[slot];
    const typename Driver::Coins coins(opt_.seed, i);
    CompetitionTally t;
    t.edges = ws_[slot]->run(model_, f_, c_, opt_.max_steps, coins, [&](vertex_t, Campaign c, std::uint32_t step) {
      auto& per = c == Campaign::misleading ? fs : cs;
      if (per.size() <= step) per.resize(step + 1, 0);
      ++per[step];
      (c == Campaign::misleading ? t.f : t.c) += 1;
    });
    if (c_.empty()) {
      t.alone = t.f;
    } else {
      t.edges += ws_[slot]->run(model_, f_, {}, opt_.max_steps, coins, [&](vertex_t, Campaign, std::uint32_t) { ++t.alone; });
    }
    return t;
  }

  /// trial() under a CompetitionCounting: each group once per campaign (per-step counts are
  /// groups newly reached), and accounts per layer.
  CompetitionTally counted_trial(std::uint64_t i, std::size_t slot) {
    if (!ws_[slot]) ws_[slot] = std::make_unique<Workspace>(model_.num_vertices());
    if (!marks_[slot] && !count_.group.empty()) marks_[slot] = std::make_unique<GroupMarks>(count_.num_groups);
    GroupMarks* marks = marks_[slot].get();
    if (marks) marks->next();
    auto& fs = fsteps_[slot];
    auto& cs = csteps_[slot];
    const std::uint32_t L = count_.num_layers;
    std::uint32_t* lt = L ? layer_tally_.data() + static_cast<std::size_t>(i - lo_) * 3 * L : nullptr;
    // Counter k (0 F, 1 C, 2 F alone) of a run: is account v a new unit (account or group)?
    auto counts = [&](unsigned k, vertex_t v) {
      if (lt) ++lt[k * L + count_.layer[v]];
      return marks ? marks->first(k, count_.group[v]) : true;
    };
    const typename Driver::Coins coins(opt_.seed, i);
    CompetitionTally t;
    t.edges = ws_[slot]->run(model_, f_, c_, opt_.max_steps, coins, [&](vertex_t v, Campaign c, std::uint32_t step) {
      const bool f = c == Campaign::misleading;
      if (!counts(f ? 0 : 1, v)) return;
      auto& per = f ? fs : cs;
      if (per.size() <= step) per.resize(step + 1, 0);
      ++per[step];
      (f ? t.f : t.c) += 1;
    });
    if (c_.empty()) {  // as trial(): F alone is the run just done
      t.alone = t.f;
      if (lt) std::copy(lt, lt + L, lt + 2 * L);
      return t;
    }
    t.edges += ws_[slot]->run(model_, f_, {}, opt_.max_steps, coins, [&](vertex_t v, Campaign, std::uint32_t) {
      if (counts(2, v)) ++t.alone;
    });
    return t;
  }

  const Model& model_;
  std::span<const vertex_t> f_, c_;
  const CompetitionOptions& opt_;
  int threads_;
  std::size_t slots_;
  std::uint64_t lo_;
  StopPoller poll_;
  CompetitionCounting count_;
  std::vector<CompetitionTally> tally_;
  std::vector<std::uint32_t> layer_tally_;
  std::vector<std::unique_ptr<GroupMarks>> marks_;
  std::vector<std::unique_ptr<Workspace>> ws_;
  std::vector<std::vector<std::uint64_t>> fsteps_, csteps_;
};

/// The four count estimates and edges_examined of r from every trial's tally, summed in double
/// in trial order (what makes results independent of the thread count).
inline void reduce_tallies(std::span<const CompetitionTally> tallies, std::uint64_t trials, CompetitiveEstimate& r) {
  double sf = 0, sff = 0, sc = 0, scc = 0, sa = 0, saa = 0, ss = 0, sss = 0;
  r.edges_examined = 0;
  for (const CompetitionTally& t : tallies) {
    const double f = static_cast<double>(t.f), c = static_cast<double>(t.c), a = static_cast<double>(t.alone);
    const double s = a - f;
    sf += f, sff += f * f, sc += c, scc += c * c, sa += a, saa += a * a, ss += s, sss += s * s;
    r.edges_examined += t.edges;
  }
  r.misleading = count_estimate(sf, sff, trials);
  r.corrective = count_estimate(sc, scc, trials);
  r.misleading_alone = count_estimate(sa, saa, trials);
  r.saved = count_estimate(ss, sss, trials);
}

/// r's mean adoptions per step from the totals over all trials (padded to one length).
inline void per_step_means(std::vector<std::uint64_t> f, std::vector<std::uint64_t> c, std::uint64_t trials,
                           CompetitiveEstimate& r) {
  const std::size_t len = std::max(f.size(), c.size());
  f.resize(len, 0);
  c.resize(len, 0);
  for (std::size_t t = 0; t < len; ++t) {
    r.misleading_per_step.push_back(static_cast<double>(f[t]) / static_cast<double>(trials));
    r.corrective_per_step.push_back(static_cast<double>(c[t]) / static_cast<double>(trials));
  }
}

/// estimate_competition in one process: check, run every trial, reduce in trial order.
template <class Model>
CompetitiveEstimate estimate_competition_impl(const Model& model, std::span<const vertex_t> misleading_seeds,
                                              std::span<const vertex_t> corrective_seeds, const CompetitionOptions& opt,
                                              const CompetitionCounting& count = {}) {
  Stopwatch clock;
  const int threads = check_competition(model, misleading_seeds, corrective_seeds, opt);
  CompetitionTrials<Model> trials(model, misleading_seeds, corrective_seeds, opt, threads, 0, opt.trials, count);
  trials.run(0, opt.trials);
  CompetitiveEstimate r;
  r.trials = opt.trials;
  reduce_tallies(trials.tallies(), opt.trials, r);
  std::vector<std::uint64_t> ftot, ctot;
  trials.step_totals(ftot, ctot);
  per_step_means(std::move(ftot), std::move(ctot), opt.trials, r);
  r.seconds = clock.seconds();
  return r;
}

}  // namespace detail

inline CompetitiveEstimate estimate_competition(const CompetitiveIC& model, std::span<const vertex_t> misleading_seeds,
                                                std::span<const vertex_t> corrective_seeds,
                                                const CompetitionOptions& opt = {}) {
  return detail::estimate_competition_impl(model, misleading_seeds, corrective_seeds, opt);
}

/// Monte Carlo estimate of the race under competitive LT (Borodin, Filmus, Oren 2010): as for
/// CompetitiveIC, trial i is the world of thresholds and campaign draws keyed by (opt.seed, i),
/// run with and without C (same thresholds), so results are bit-identical for any thread count.
/// Here `saved` may be negative (C's weight can tip an account that then picks F).
inline CompetitiveEstimate estimate_competition(const CompetitiveLT& model, std::span<const vertex_t> misleading_seeds,
                                                std::span<const vertex_t> corrective_seeds,
                                                const CompetitionOptions& opt = {}) {
  return detail::estimate_competition_impl(model, misleading_seeds, corrective_seeds, opt);
}

/// estimate_competition() of competitive LT with the seeds given as account ids.
inline CompetitiveEstimate estimate_competition(const CompetitiveLT& model, const Accounts& misleading_seeds,
                                                const Accounts& corrective_seeds,
                                                const CompetitionOptions& opt = {}) {
  const std::vector<vertex_t> f = model.graph().indices_of(misleading_seeds.ids);
  const std::vector<vertex_t> c = model.graph().indices_of(corrective_seeds.ids);
  return estimate_competition(model, std::span<const vertex_t>(f), std::span<const vertex_t>(c), opt);
}

/// estimate_competition() with the seeds given as account ids of model.graph()
/// (std::out_of_range names an unknown one).
inline CompetitiveEstimate estimate_competition(const CompetitiveIC& model, const Accounts& misleading_seeds,
                                                const Accounts& corrective_seeds,
                                                const CompetitionOptions& opt = {}) {
  const std::vector<vertex_t> f = model.misleading().indices_of(misleading_seeds.ids);
  const std::vector<vertex_t> c = model.misleading().indices_of(corrective_seeds.ids);
  return estimate_competition(model, std::span<const vertex_t>(f), std::span<const vertex_t>(c), opt);
}

/// Options of exact_competition().
struct ExactCompetitionOptions {
  std::uint32_t max_steps = std::numeric_limits<std::uint32_t>::max();
  std::uint64_t max_worlds = std::uint64_t{1} << 24;  ///< larger enumerations are refused
};

/// Exact expectation and variance of one per-world count.
struct ExactCount {
  double mean = 0, variance = 0;
};

/// What exact_competition() returns.
struct ExactCompetition {
  ExactCount misleading, corrective, saved, misleading_alone;
  std::vector<double> misleading_per_step, corrective_per_step;  ///< expected adoptions at step t
  std::vector<double> misleading_probability;  ///< per account: P(adopts F)
  std::vector<double> corrective_probability;  ///< per account: P(adopts C)
  std::uint64_t worlds = 0;
};

namespace detail {

/// One adoption of a run, as the exact enumerations record it.
struct CompetitionEvent {
  vertex_t v;
  Campaign camp;
  std::uint32_t step;
};

/// Probability-weighted sums of the exact enumerations of both competitive models: add() takes
/// one leaf (its probability, its adoptions with C, F's reach without C), finish() the result.
class ExactCompetitionTally {
 public:
  explicit ExactCompetitionTally(vertex_t n) : fprob_(n, 0.0), cprob_(n, 0.0) {}

  void add(double p, std::span<const CompetitionEvent> events, double alone) {
    double f = 0, c = 0;
    for (const CompetitionEvent& ev : events) {
      auto& per = ev.camp == Campaign::misleading ? fstep_ : cstep_;
      if (per.size() <= ev.step) per.resize(ev.step + 1, 0.0);
      per[ev.step] += p;
      if (ev.camp == Campaign::misleading) {
        f += 1;
        fprob_[ev.v] += p;
      } else {
        c += 1;
        cprob_[ev.v] += p;
      }
    }
    const double a = alone, s = a - f;
    mf_ += p * f, mff_ += p * f * f, mc_ += p * c, mcc_ += p * c * c;
    ma_ += p * a, maa_ += p * a * a, ms_ += p * s, mss_ += p * s * s;
    ++leaves_;
  }
  std::uint64_t leaves() const noexcept { return leaves_; }

  ExactCompetition finish() {
    ExactCompetition r;
    r.worlds = leaves_;
    r.misleading = {mf_, std::max(0.0, mff_ - mf_ * mf_)};
    r.corrective = {mc_, std::max(0.0, mcc_ - mc_ * mc_)};
    r.misleading_alone = {ma_, std::max(0.0, maa_ - ma_ * ma_)};
    r.saved = {ms_, std::max(0.0, mss_ - ms_ * ms_)};
    const std::size_t len = std::max(fstep_.size(), cstep_.size());
    fstep_.resize(len, 0.0);
    cstep_.resize(len, 0.0);
    r.misleading_per_step = std::move(fstep_);
    r.corrective_per_step = std::move(cstep_);
    r.misleading_probability = std::move(fprob_);
    r.corrective_probability = std::move(cprob_);
    return r;
  }

 private:
  std::vector<double> fstep_, cstep_, fprob_, cprob_;
  double mf_ = 0, mff_ = 0, mc_ = 0, mcc_ = 0, ma_ = 0, maa_ = 0, ms_ = 0, mss_ = 0;
  std::uint64_t leaves_ = 0;
};

/// Depth-first order over binary answer scripts: keeps the `asked` answers of the last pass,
/// drops trailing 1s and flips the last 0 to 1. False when every leaf has been visited.
inline bool next_answer_script(std::vector<std::uint8_t>& script, std::size_t asked) {
  script.resize(asked);
  while (!script.empty() && script.back() == 1) script.pop_back();
  if (script.empty()) return false;
  script.back() = 1;
  return true;
}

}  // namespace detail

namespace detail {

/// The per-group events of one run (each group's first adoption of each campaign, v = group)
/// and the number of groups in `alone` (accounts of F's run without C); per-layer account
/// counts (F with C, C, F alone) weighted by p into layer_sum[3 * L] when it is not null.
class ExactGroupCount {
 public:
  explicit ExactGroupCount(const CompetitionCounting& count) : count_(count), marks_(count.num_groups) {}
  double convert(std::span<const CompetitionEvent> events, std::span<const vertex_t> alone, double p,
                 std::vector<CompetitionEvent>& out, double* layer_sum) {
    marks_.next();
    out.clear();
    const std::uint32_t L = count_.num_layers;
    for (const CompetitionEvent& ev : events) {
      const unsigned k = ev.camp == Campaign::misleading ? 0 : 1;
      if (layer_sum) layer_sum[k * L + count_.layer[ev.v]] += p;
      const vertex_t g = count_.group.empty() ? ev.v : count_.group[ev.v];
      if (count_.group.empty() || marks_.first(k, g)) out.push_back({g, ev.camp, ev.step});
    }
    double a = 0;
    for (vertex_t v : alone) {
      if (layer_sum) layer_sum[2 * L + count_.layer[v]] += p;
      if (count_.group.empty() || marks_.first(2, count_.group[v])) a += 1;
    }
    return a;
  }

 private:
  const CompetitionCounting& count_;
  GroupMarks marks_;
};

/// exact_competition on competitive IC under a CompetitionCounting (the public function passes
/// the default, per-account one); with count.layer, layer_sum (3 * num_layers values: F with C,
/// C, F alone) receives the expected accounts per layer.
inline ExactCompetition exact_competition_ic(const CompetitiveIC& model, std::span<const vertex_t> misleading_seeds,
                                             std::span<const vertex_t> corrective_seeds,
                                             const ExactCompetitionOptions& opt, const CompetitionCounting& count,
                                             std::vector<double>* layer_sum = nullptr) {
  detail::validate_competitive_seeds(model, misleading_seeds, corrective_seeds, "exact_competition");
  const FollowerGraph& gf = model.misleading();
  const vertex_t n = gf.num_vertices();
  const edge_t m = gf.num_edges();
  // Any storage: implicit graphs are not materialised (the edge's probability by its target).
  const OutEdgeProbs pf_of(gf), pc_of(model.corrective());
  const auto tgt = gf.out_targets();
  auto pf = [&](edge_t e) { return pf_of(e, tgt[e]); };
  auto pc = [&](edge_t e) { return pc_of(e, tgt[e]); };
  struct Choice {
    int kind;  // 0 F edge, 1 C edge, 2 tie coin
    std::uint64_t index;
    double p;
  };
  std::vector<Choice> choices;
  for (edge_t e = 0; e < m; ++e) {
    if (pf(e) > 0.0f && pf(e) < 1.0f) choices.push_back({0, e, static_cast<double>(pf(e))});
    if (pc(e) > 0.0f && pc(e) < 1.0f) choices.push_back({1, e, static_cast<double>(pc(e))});
  }
  KOLSIM_REQUIRE(choices.size() < 63 && (std::uint64_t{1} << choices.size()) <= opt.max_worlds,
                 "exact_competition: ", choices.size(), " random choices (2^", choices.size(),
                 " worlds) exceed max_worlds = ", opt.max_worlds);
  // Tie coins are enumerated lazily: `script` answers the ties of one run in the order they
  // occur (a missing answer is appended as 0), so only ties that happen are branched on.
  struct Coins {
    std::vector<std::uint8_t> f, c;
    mutable std::vector<std::uint8_t> script;
    mutable std::size_t asked = 0;
    bool misleading(edge_t e, prob_t) const { return f[e] != 0; }
    bool corrective(edge_t e, prob_t) const { return c[e] != 0; }
    bool corrective_wins_tie(vertex_t) const {
      if (asked == script.size()) script.push_back(0);
      return script[asked++] != 0;
    }
  } coins;
  coins.f.resize(m);
  coins.c.resize(m);
  for (edge_t e = 0; e < m; ++e) {
    coins.f[e] = pf(e) >= 1.0f;
    coins.c[e] = pc(e) >= 1.0f;
  }
  detail::ExactCompetitionTally tally(count.group.empty() ? n : count.num_groups);
  detail::CompetitiveWorkspace ws(n);
  std::vector<detail::CompetitionEvent> events, counted;
  std::vector<vertex_t> alone;
  ExactGroupCount grouped(count);
  if (layer_sum) layer_sum->assign(3 * static_cast<std::size_t>(count.num_layers), 0.0);
  const std::uint64_t worlds = std::uint64_t{1} << choices.size();
  for (std::uint64_t w = 0; w < worlds; ++w) {
    double prob = 1.0;
    for (std::size_t j = 0; j < choices.size(); ++j) {
      const bool bit = (w >> j) & 1u;
      const Choice& ch = choices[j];
      prob *= bit ? ch.p : 1.0 - ch.p;
      (ch.kind == 0 ? coins.f : coins.c)[ch.index] = bit;
    }
    const double edge_prob = prob;
    coins.script.clear();
    do {  // one leaf of the tie decisions per pass
      coins.asked = 0;
      events.clear();
      ws.run(model, misleading_seeds, corrective_seeds, opt.max_steps, coins,
             [&](vertex_t v, Campaign camp, std::uint32_t t) { events.push_back({v, camp, t}); });
      const double p = std::ldexp(edge_prob, -static_cast<int>(coins.asked));
      if (count.plain()) {
        double a = 0;
        ws.run(model, misleading_seeds, {}, opt.max_steps, coins, [&](vertex_t, Campaign, std::uint32_t) { a += 1; });
        tally.add(p, events, a);
      } else {
        alone.clear();
        ws.run(model, misleading_seeds, {}, opt.max_steps, coins,
               [&](vertex_t v, Campaign, std::uint32_t) { alone.push_back(v); });
        const double a = grouped.convert(events, alone, p, counted, layer_sum && count.num_layers ? layer_sum->data() : nullptr);
        tally.add(p, counted, a);
      }
    } while (detail::next_answer_script(coins.script, coins.asked));
  }
  return tally.finish();
}

}  // namespace detail

/// Exact outcome of the race by enumerating every world: both coins of every edge whose
/// probability is strictly between 0 and 1, and (tie rule random) the fair coin of every tie
/// that actually occurs in a world (branched lazily). `worlds` counts the leaves. Uses the same driver as estimate_competition, so it is the ground truth for
/// it. Cost O(worlds * (n + m)); throws std::invalid_argument above opt.max_worlds.
inline ExactCompetition exact_competition(const CompetitiveIC& model, std::span<const vertex_t> misleading_seeds,
                                          std::span<const vertex_t> corrective_seeds,
                                          const ExactCompetitionOptions& opt = {}) {
  return detail::exact_competition_ic(model, misleading_seeds, corrective_seeds, opt, {});
}

/// Exact outcome of the competitive LT race. Thresholds are continuous, so worlds are not
/// enumerated directly: the driver only ever asks "theta_v <= W?" and "u_v < W_F / W?", and the
/// enumeration answers each such question lazily from the interval the earlier answers left for
/// theta_v (or u_v), branching with the exact conditional probabilities (W - lo) / (hi - lo)
/// (a depth-first search over the answers, as for the random tie rule of competitive IC). The
/// run with C and the run without C share the intervals, so saved is coupled exactly as in
/// estimate_competition. No numeric integration: the results are exact up to rounding.
/// `worlds` counts the leaves; throws std::invalid_argument above opt.max_worlds.
inline ExactCompetition exact_competition(const CompetitiveLT& model, std::span<const vertex_t> misleading_seeds,
                                          std::span<const vertex_t> corrective_seeds,
                                          const ExactCompetitionOptions& opt = {}) {
  detail::validate_competitive_seeds(model, misleading_seeds, corrective_seeds, "exact_competition");
  const vertex_t n = model.num_vertices();
  struct Oracle {
    std::vector<double> tlo, thi, ulo, uhi;  // theta_v in (tlo, thi], u_v in [ulo, uhi)
    std::vector<std::uint8_t> script;        // answers of the branching questions, in order
    std::size_t asked = 0;
    double prob = 1.0;
    bool decide(double& lo, double& hi, double x) {  // is the variable below x?
      if (x >= hi) return true;
      if (x <= lo) return false;
      const double p = (x - lo) / (hi - lo);
      if (asked == script.size()) script.push_back(0);
      const bool yes = script[asked++] != 0;
      prob *= yes ? p : 1.0 - p;
      (yes ? hi : lo) = x;
      return yes;
    }
  };
  struct Coins {
    Oracle* o;
    bool activates(vertex_t v, double total) const { return o->decide(o->tlo[v], o->thi[v], total); }
    bool picks_misleading(vertex_t v, double share) const { return o->decide(o->ulo[v], o->uhi[v], share); }
  };
  Oracle oracle;
  const Coins coins{&oracle};
  detail::ExactCompetitionTally tally(n);
  detail::CltWorkspace ws(n);
  std::vector<detail::CompetitionEvent> events;
  do {
    oracle.tlo.assign(n, 0.0);
    oracle.thi.assign(n, 1.0);
    oracle.ulo.assign(n, 0.0);
    oracle.uhi.assign(n, 1.0);
    oracle.asked = 0;
    oracle.prob = 1.0;
    events.clear();
    ws.run(model, misleading_seeds, corrective_seeds, opt.max_steps, coins,
           [&](vertex_t v, Campaign camp, std::uint32_t t) { events.push_back({v, camp, t}); });
    double a = 0;
    ws.run(model, misleading_seeds, {}, opt.max_steps, coins, [&](vertex_t, Campaign, std::uint32_t) { a += 1; });
    tally.add(oracle.prob, events, a);
    KOLSIM_REQUIRE(tally.leaves() <= opt.max_worlds, "exact_competition: more than max_worlds = ", opt.max_worlds,
                   " threshold outcomes; use estimate_competition");
  } while (detail::next_answer_script(oracle.script, oracle.asked));
  return tally.finish();
}

/// exact_competition() with the seeds given as account ids (std::out_of_range names an unknown one).
inline ExactCompetition exact_competition(const CompetitiveIC& model, const Accounts& misleading_seeds,
                                          const Accounts& corrective_seeds,
                                          const ExactCompetitionOptions& opt = {}) {
  const std::vector<vertex_t> f = model.misleading().indices_of(misleading_seeds.ids);
  const std::vector<vertex_t> c = model.misleading().indices_of(corrective_seeds.ids);
  return exact_competition(model, std::span<const vertex_t>(f), std::span<const vertex_t>(c), opt);
}

}  // namespace kolsim

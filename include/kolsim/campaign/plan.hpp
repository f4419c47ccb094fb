// SPDX-License-Identifier: MIT
/// KOL campaign planning on RR sets: plan_campaign() picks KOLs from a roster under a budget
/// and/or KOL limit, with scandal risk, a target audience, group minimums and a deadline, then
/// checks the plan by independent Monte Carlo; replan_without() answers "what if KOL X drops out?".
///
/// The deadline is propagation steps (CampaignSpec::deadline) under IndependentCascade and
/// LinearThreshold, and wall-clock hours (CampaignSpec::deadline_hours) under the continuous-time
/// ContinuousIC (random delay per live edge, estimate/continuous_rr.hpp): selection then runs on
/// time-critical RR sets (reverse Dijkstra within the horizon) and the check simulates the same
/// delays forward on common worlds.
///
/// Selection is budgeted maximum coverage (campaign/budgeted_coverage.hpp) on RR sets R1 drawn
/// with roots in proportion to the audience weight (Borgs et al., SODA 2014) and truncated at
/// the deadline (time-critical IM, Chen, Lu, Zhang, AAAI 2012). The number of RR sets follows
/// OPIM-C (Tang, Tang, Xiao, Yuan, SIGMOD 2018): R1 and an independent validation collection R2
/// double until lower(plan reach on R2) / upper(optimum: the knapsack bound of the greedy
/// prefixes on R1, and the rule's factor alpha) >= alpha * (1 - epsilon / (1 - 1/e)) (OPIM-C's
/// 1 - 1/e - epsilon scaled to the rule's factor, so one epsilon asks the same relative
/// accuracy of every rule), or the round cap; the certified ratio holds w.p. >= 1 - delta.
/// Cost: a few times OPIM-C's RR sets for the same epsilon, plus the Monte Carlo check
/// O(check_trials * (edges examined per cascade)).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "kolsim/campaign/audience.hpp"
#include "kolsim/campaign/budgeted_coverage.hpp"
#include "kolsim/campaign/prefix_reach.hpp"
#include "kolsim/campaign/report.hpp"
#include "kolsim/campaign/roster.hpp"
#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/version.hpp"
#include "kolsim/select/rr_select.hpp"
#include "kolsim/core/progress.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/estimate/continuous_rr.hpp"
#include "kolsim/estimate/monte_carlo.hpp"
#include "kolsim/estimate/rr_sets.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/io/snapshot.hpp"
#include "kolsim/select/common.hpp"

namespace kolsim {

namespace detail {

/// The model the planner runs for `spec`: ContinuousIC takes spec.deadline_hours (when finite)
/// as its horizon and needs spec.deadline unlimited; step models need deadline_hours unset.
template <class M>
M campaign_model(const M& model, const CampaignSpec& spec) {
  M m = model;
  if constexpr (std::is_same_v<M, ContinuousIC>) {
    KOLSIM_REQUIRE(spec.deadline == std::numeric_limits<std::uint32_t>::max(),
                   "plan_campaign: a continuous-time model takes its deadline in hours (deadline_hours), not steps");
    KOLSIM_REQUIRE(!(spec.deadline_hours < 0) && !std::isnan(spec.deadline_hours),
                   "plan_campaign: deadline_hours must be >= 0, got ", spec.deadline_hours);
    if (std::isfinite(spec.deadline_hours)) m.horizon = spec.deadline_hours * 3600.0;
  } else {
    KOLSIM_REQUIRE(!std::isfinite(spec.deadline_hours),
                   "plan_campaign: deadline_hours needs a continuous-time model (ContinuousIC with delays); ",
                   M::name, " counts its deadline in steps (deadline)");
  }
  return m;
}

/// Grows `rr` to `target` sets; with roots_only (deadline 0) each set keeps only its root.
template <class M>
void campaign_grow(RRSampler<M>& sampler, RRCollection& rr, std::uint64_t target, std::uint64_t seed,
                   std::uint32_t dom, bool roots_only, std::size_t other_bytes, std::size_t limit, int threads,
                   const StopToken& stop, std::uint64_t& drawn) {
  if (target <= rr.size()) return;
  if (!roots_only) {
    rr_grow("plan_campaign", sampler, rr, target, seed, dom, other_bytes, limit, threads, stop, drawn);
    return;
  }
  check_rr_memory("plan_campaign", 1.0, static_cast<double>(target), other_bytes, limit);
  RRCollection tmp;
  sampler.sample(seed, dom, rr.size(), target - rr.size(), tmp, threads, stop);
  drawn += target - rr.size();
  rr.reserve(target, target);
  for (std::uint64_t j = 0; j < tmp.size(); ++j) rr.push_set(tmp.set(j).first(1));
}

/// Fractional coverage of a seed list (with post probabilities) on `rr`; also, per seed, its
/// count of sets and the sets' coverage it alone decides (sum over its sets of prod over the
/// other seeds in the set of (1 - q)).
struct SeedCoverage {
  double coverage = 0;
  std::vector<double> sets_of_seed;
  std::vector<double> decisive;
  std::vector<double> marginal;  ///< coverage added by seed i after seeds 0..i-1 (list order)
};

inline SeedCoverage seed_coverage(const RRCollection& rr, vertex_t n, std::span<const vertex_t> seeds,
                                  std::span<const double> q) {
  std::vector<std::int64_t> slot(n, -1);
  for (std::size_t i = 0; i < seeds.size(); ++i) slot[seeds[i]] = static_cast<std::int64_t>(i);
  SeedCoverage c;
  c.sets_of_seed.assign(seeds.size(), 0.0);
  c.decisive.assign(seeds.size(), 0.0);
  c.marginal.assign(seeds.size(), 0.0);
  std::vector<std::size_t> in;
  for (std::uint64_t j = 0; j < rr.size(); ++j) {
    in.clear();
    double prod = 1.0;  // over factors != 0
    int zeros = 0;
    for (vertex_t v : rr.set(j)) {
      if (slot[v] < 0) continue;
      const auto i = static_cast<std::size_t>(slot[v]);
      in.push_back(i);
      const double f = 1.0 - q[i];
      if (f == 0.0) ++zeros;
      else prod *= f;
    }
    if (in.empty()) continue;
    c.coverage += 1.0 - (zeros > 0 ? 0.0 : prod);
    std::sort(in.begin(), in.end());
    double miss = 1.0;  // probability that no seed before this one covers the set
    for (auto i : in) {
      c.marginal[i] += miss * q[i];
      miss *= 1.0 - q[i];
    }
    for (auto i : in) {
      c.sets_of_seed[i] += 1.0;
      const double f = 1.0 - q[i];
      if (f == 0.0) c.decisive[i] += zeros == 1 ? prod : 0.0;
      else c.decisive[i] += zeros == 0 ? prod / f : 0.0;
    }
  }
  return c;
}

/// OPIM-C lower bound on the expected coverage of a fixed set from `cov` on theta sets.
inline double opim_lower(double cov, double a) {
  const double r = std::sqrt(cov + 2.0 * a / 9.0) - std::sqrt(a / 2.0);
  return std::max(0.0, r * r - a / 18.0);
}
/// OPIM-C upper bound on the expected coverage of the optimum from an upper bound on its sample coverage.
inline double opim_upper(double cov_ub, double a) {
  const double r = std::sqrt(cov_ub + a / 2.0) + std::sqrt(a / 2.0);
  return r * r;
}

/// Monte Carlo trials per KOL for its own reach in the plan's check (at most check_trials).
inline constexpr std::uint64_t own_reach_trials = 2000;

/// The options of the check's Monte Carlo runs: seeds of their own (never the RR sets'), the
/// spec's deadline and audience weights, and the plan's post probabilities `all_q`.
inline MonteCarloOptions check_options(const CampaignSpec& spec, const std::vector<double>& all_q) {
  MonteCarloOptions mo;
  mo.trials = spec.check_trials;
  mo.seed = spec.seed ^ 0x9E3779B97F4A7C15ull;
  mo.threads = spec.threads;
  mo.max_steps = spec.deadline;
  for (double x : all_q) mo.seed_probabilities.push_back(static_cast<prob_t>(x));
  mo.account_weights = spec.audience.weights;
  mo.stop = spec.stop;
  return mo;
}

/// Reach (mean, standard error) of `seeds` posting with probabilities `q` (empty = surely) by
/// independent Monte Carlo with o's trials, seed and threads: estimate_spread for step models,
/// the base prefix of continuous_prefix_reach for ContinuousIC.
template <class M>
std::pair<double, double> check_reach(const FollowerGraph& g, const M& model, std::span<const vertex_t> seeds,
                                      std::span<const double> q, const MonteCarloOptions& o, const Audience& aud,
                                      PrefixShare* share = nullptr) {
  if constexpr (std::is_same_v<M, ContinuousIC>) {
    const PrefixReach e =
        continuous_prefix_reach(g, model, seeds, q, {}, {}, aud, o.trials, o.seed, o.threads, o.stop, share);
    return {e.prefix_mean[0], e.prefix_se[0]};
  } else {
    MonteCarloOptions ro = o;
    ro.seed_probabilities.clear();
    for (double x : q) ro.seed_probabilities.push_back(static_cast<prob_t>(x));
    const SpreadEstimate e = estimate_spread(g, model, seeds, ro);
    return {e.mean, e.std_error};
  }
}

/// Step models: the whole plan's reach with its 95% interval, and its cumulative reach by step.
template <class M>
void check_plan_reach(const FollowerGraph& g, const M& model, const std::vector<vertex_t>& all,
                      const MonteCarloOptions& mo, CampaignPlan& plan) {
  const SpreadEstimate est = estimate_spread(g, model, all, mo);
  plan.reach = est.mean;
  plan.reach_se = est.std_error;
  plan.reach_ci_low = est.ci_low;
  plan.reach_ci_high = est.ci_high;
  double cum = 0.0;
  for (double x : est.new_per_step) plan.reach_by_step.push_back(cum += x);
}

/// What the prefix check gives the plan: under ContinuousIC its reach (the last prefix, on the
/// same worlds), the accounts reached, the by-step standard errors and each KOL's marginal reach.
inline void apply_prefix_reach(const PrefixReach& pr, bool continuous, CampaignPlan& plan) {
  if (continuous) {
    plan.reach = pr.prefix_mean.back();
    plan.reach_se = pr.prefix_se.back();
    plan.reach_ci_low = std::max(0.0, plan.reach - 1.96 * plan.reach_se);
    plan.reach_ci_high = plan.reach + 1.96 * plan.reach_se;
  }
  plan.accounts_reached = pr.count_mean;
  plan.accounts_reached_se = pr.count_se;
  plan.reach_by_step_se = pr.by_step_se;
  plan.reach_by_step_se.resize(plan.reach_by_step.size(), pr.by_step_se.empty() ? 0.0 : pr.by_step_se.back());
  for (std::size_t i = 0; i < plan.kols.size(); ++i) {
    plan.kols[i].marginal_reach = pr.marginal_mean[i];
    plan.kols[i].marginal_se = pr.marginal_se[i];
  }
}

/// The greedy-prefix budget curve: contracted seeds plus the first i KOLs, for every i.
inline void add_prefix_curve(const PrefixReach& pr, CampaignPlan& plan) {
  double fee_acc = 0.0;
  for (std::size_t i = 0; i <= plan.kols.size(); ++i) {
    if (i > 0) fee_acc += plan.kols[i - 1].fee;
    plan.budget_curve.push_back({"greedy_prefix", fee_acc, fee_acc, i, pr.prefix_mean[i], pr.prefix_se[i],
                                 "monte_carlo", 0.0, 0.0});
  }
}

/// Each audience group's size, weight, Monte Carlo reach and minimum.
/// Group sizes and weights count the n members; member i's group and weight are those of vertex
/// vertex_of(i) (accounts: itself; a multiplex: the person's first account).
template <class VertexOf>
void add_group_reach(const Audience& aud, vertex_t n, VertexOf vertex_of, const PrefixReach& pr,
                     const std::vector<double>& group_target, CampaignPlan& plan) {
  std::vector<std::uint64_t> gsize(aud.num_groups(), 0);
  std::vector<double> gweight(aud.num_groups(), 0.0);
  for (vertex_t i = 0; i < n && aud.grouped(); ++i) {
    const vertex_t v = vertex_of(i);
    if (aud.group_of[v] == no_group) continue;
    ++gsize[aud.group_of[v]];
    gweight[aud.group_of[v]] += aud.weight(v);
  }
  for (std::size_t gi = 0; gi < aud.num_groups(); ++gi) {
    GroupReach gr;
    gr.name = aud.group_names[gi];
    gr.size = gsize[gi];
    gr.weight = gweight[gi];
    gr.reach = pr.group_mean[gi];
    gr.se = pr.group_se[gi];
    gr.minimum = group_target[gi];
    gr.met = gr.reach >= gr.minimum;
    plan.groups.push_back(std::move(gr));
  }
}

/// plan_campaign's independent Monte Carlo check of a plan (seeds of its own, never the RR sets):
/// reach with error bars and by step, accounts reached, each KOL's marginal reach, the
/// greedy-prefix budget curve and the reach of each audience group against its minimum. Under
/// ContinuousIC (no steps) every number comes from continuous_prefix_reach on common worlds and
/// reach_by_step stays empty. Reports ("evaluation", done, total) per Monte Carlo run. `batches`
/// and `prefixes` (null: this process) spread the trials over ranks (distributed/plan.hpp).
template <class M>
void check_plan(const FollowerGraph& g, const M& model, const CampaignSpec& spec,
                const std::vector<vertex_t>& contracted, const std::vector<double>& contracted_q,
                const std::vector<vertex_t>& seeds, const std::vector<vertex_t>& all, const std::vector<double>& all_q,
                const std::vector<double>& q, const std::vector<std::vector<vertex_t>>& replan_seeds,
                const std::vector<double>& group_target, CampaignPlan& plan, BatchShare* batches = nullptr,
                PrefixShare* prefixes = nullptr) {
  const Audience& aud = spec.audience;
  constexpr bool continuous = std::is_same_v<M, ContinuousIC>;
  std::size_t replans = 0;
  for (const CurvePoint& cp : plan.budget_curve) replans += cp.source == "replan";
  const std::uint64_t steps = (continuous ? 1 : 2) + plan.kols.size() + replans;
  std::uint64_t done = 0;
  auto tick = [&] { report_progress(spec.progress, "evaluation", ++done, steps); };
  report_progress(spec.progress, "evaluation", 0, steps);
  MonteCarloOptions mo = check_options(spec, all_q);
  mo.share = batches;
  if constexpr (!continuous) {
    check_plan_reach(g, model, all, mo, plan);
    tick();
  }
  const std::vector<double> order_q(all_q.begin() + static_cast<std::ptrdiff_t>(contracted.size()), all_q.end());
  const PrefixReach pr = plan_prefix_reach(g, model, contracted, contracted_q, seeds, order_q, aud, spec.deadline,
                                           spec.check_trials, spec.seed ^ 0xC2B2AE3D27D4EB4Full, spec.threads, spec.stop,
                                           prefixes);
  tick();
  apply_prefix_reach(pr, continuous, plan);
  // Each KOL alone, posting surely (common worlds across KOLs, independent of the RR sets;
  // at most own_reach_trials trials each, the column is secondary to the marginal reach).
  MonteCarloOptions so = mo;
  so.trials = std::min<std::uint64_t>(spec.check_trials, own_reach_trials);
  so.seed = spec.seed ^ 0x165667B19E3779F9ull;
  for (KolChoice& k : plan.kols) {
    const vertex_t one[1] = {k.vertex};
    std::tie(k.own_reach, k.own_reach_se) = check_reach(g, model, std::span<const vertex_t>(one), {}, so, aud, prefixes);
    tick();
  }
  // Re-plan points measured like the prefixes: independent Monte Carlo of their seed sets.
  std::size_t ri = 0;
  for (CurvePoint& cp : plan.budget_curve) {
    if (cp.source != "replan") continue;
    const auto& s = replan_seeds[ri++];
    std::vector<double> sq;
    for (vertex_t v : s) sq.push_back(q[v]);
    std::tie(cp.reach, cp.se) = check_reach(g, model, std::span<const vertex_t>(s), sq, mo, aud, prefixes);
    cp.estimate = "monte_carlo";
    tick();
  }
  add_prefix_curve(pr, plan);
  add_group_reach(aud, g.num_vertices(), [](vertex_t v) { return v; }, pr, group_target, plan);
}

/// The planner's independent Monte Carlo check for model M: check_plan() by default. A model
/// whose reach counts something other than accounts (the people of a multiplex,
/// campaign/multiplex_plan.hpp) specialises it with its own check of the same plan fields.
template <class M>
struct CampaignCheck {
  static void run(const FollowerGraph& g, const M& model, const CampaignSpec& spec,
                  const std::vector<vertex_t>& contracted, const std::vector<double>& contracted_q,
                  const std::vector<vertex_t>& seeds, const std::vector<vertex_t>& all, const std::vector<double>& all_q,
                  const std::vector<double>& q, const std::vector<std::vector<vertex_t>>& replan_seeds,
                  const std::vector<double>& group_target, CampaignPlan& plan, BatchShare* batches = nullptr,
                  PrefixShare* prefixes = nullptr) {
    check_plan(g, model, spec, contracted, contracted_q, seeds, all, all_q, q, replan_seeds, group_target, plan,
               batches, prefixes);
  }
};

/// Checks the scalar fields of a campaign spec; returns delta (0 = 1/n resolved).
inline double validate_campaign_spec(vertex_t n, const CampaignSpec& spec) {
  KOLSIM_REQUIRE(!std::isnan(spec.budget) && spec.budget >= 0.0, "plan_campaign: budget must be >= 0, got ",
                 spec.budget);
  KOLSIM_REQUIRE(std::isfinite(spec.budget) || spec.max_kols > 0,
                 "plan_campaign: set a finite budget or max_kols > 0 (or both)");
  KOLSIM_REQUIRE(spec.max_risk >= 0.0 && spec.max_risk <= 1.0, "plan_campaign: max_risk must be in [0, 1], got ",
                 spec.max_risk);
  KOLSIM_REQUIRE(std::isfinite(spec.risk_penalty) && spec.risk_penalty >= 0.0,
                 "plan_campaign: risk_penalty must be finite and >= 0, got ", spec.risk_penalty);
  KOLSIM_REQUIRE(spec.epsilon > 0.0 && spec.epsilon < 1.0, "plan_campaign: epsilon must be in (0, 1), got ",
                 spec.epsilon);
  const double delta = spec.delta == 0.0 ? 1.0 / std::max<double>(n, 2.0) : spec.delta;
  KOLSIM_REQUIRE(delta > 0.0 && delta < 1.0, "plan_campaign: delta must be in (0, 1), got ", spec.delta);
  return delta;
}

}  // namespace detail

namespace detail {

/// The roster and audience bound to the graph: who may be chosen, at what fee, how surely each
/// KOL posts, the contracted seeds and the group minimums.
struct CampaignBinding {
  double delta = 0;
  int threads = 0;
  bool budgeted = false, fair = false;
  std::size_t max_kols = 0;
  std::vector<double> group_target, q, fees, contracted_q;
  std::vector<char> allowed;
  std::vector<vertex_t> contracted;
};

/// OPIM-C's round schedule with the rule's factor alpha in place of 1 - 1/e.
struct CampaignSchedule {
  double alpha = 0, W = 0, theta0 = 0, a = 0, target = 0;
  int imax = 1;
  bool roots_only = false, no_candidates = false;
};

/// Where the planner's RR sets are drawn and its Monte Carlo trials run: all in this process.
/// The distributed back end (distributed/plan.hpp) draws each collection's new sets over the
/// ranks and gives every rank the same sets restricted to their roots and the `binding`'s
/// candidates and contracted seeds (all the selection and validation read), and spreads the
/// check's trials.
struct LocalPlanBackend {
  template <class M, class Binding>
  void grow(RRSampler<M>& sampler, RRCollection& rr, std::uint64_t target, std::uint64_t seed, std::uint32_t dom,
            bool roots_only, const Binding&, std::size_t other_bytes, std::size_t limit, int threads,
            const StopToken& stop, std::uint64_t& drawn) {
    campaign_grow(sampler, rr, target, seed, dom, roots_only, other_bytes, limit, threads, stop, drawn);
  }
  BatchShare* batches() { return nullptr; }
  PrefixShare* prefixes() { return nullptr; }
};

/// One plan_campaign call, in phases: bind roster and audience, schedule the rounds, sample and
/// select until certified, report the KOLs, re-plan at the budget-curve points, check.
template <DiffusionModel M, class Backend = LocalPlanBackend>
class CampaignPlanner {
 public:
  CampaignPlanner(const FollowerGraph& g, const M& model, const Roster& roster, const CampaignSpec& spec,
                  Backend backend = {})
      : g_(g), model_(campaign_model(model, spec)), roster_(roster), spec_(spec), aud_(spec.audience),
        n_(g.num_vertices()), backend_(std::move(backend)) {}

  CampaignPlan run() {
    bind_spec();
    bind_groups();
    bind_candidates();
    schedule();
    start_plan();
    select_rounds();
    report_kols();
    replan_points();
    check();
    plan_.graph_checksum = graph_checksum(g_, b_.threads);
    plan_.phase_seconds = {{"sampling", t_sample_}, {"selection", t_select_}, {"check", t_check_}};
    plan_.seconds = total_.seconds();
    return std::move(plan_);
  }

 private:
  static constexpr std::size_t unlimited = std::numeric_limits<std::size_t>::max();

  /// Graph, model, roster, audience and the spec's scalars.
  void bind_spec() {
    KOLSIM_REQUIRE(n_ > 0, "plan_campaign: the graph has no vertices");
    validate_model(model_, g_, resolve_threads(spec_.threads));
    roster_.require_graph(g_, "plan_campaign");
    aud_.require_graph(g_, "plan_campaign");
    b_.delta = validate_campaign_spec(n_, spec_);
    b_.threads = resolve_threads(spec_.threads);
    b_.budgeted = std::isfinite(spec_.budget);
    b_.max_kols = spec_.max_kols == 0 ? unlimited : spec_.max_kols;
  }

  /// Group minimums (in expected accounts of the group reached).
  void bind_groups() {
    b_.group_target.assign(aud_.num_groups(), 0.0);
    for (const auto& [name, minimum] : spec_.group_minimums) {
      KOLSIM_REQUIRE(aud_.grouped(), "plan_campaign: group_minimums need an audience with groups");
      const auto gi = aud_.group_index(name);
      KOLSIM_REQUIRE(gi != no_group, "plan_campaign: group_minimums names unknown group '", name, "'");
      KOLSIM_REQUIRE(std::isfinite(minimum) && minimum >= 0.0, "plan_campaign: minimum of group '", name,
                     "' must be finite and >= 0");
      b_.group_target[gi] = minimum;
    }
    b_.fair = std::any_of(b_.group_target.begin(), b_.group_target.end(), [](double x) { return x > 0.0; });
    if (!b_.fair) return;
    for (vertex_t v = 0; v < n_; ++v) {
      const auto gi = aud_.group_of[v];
      KOLSIM_REQUIRE(gi == no_group || b_.group_target[gi] == 0.0 || aud_.weight(v) > 0.0, "plan_campaign: group '",
                     aud_.group_names[gi], "' has a minimum but account ", g_.account(v),
                     " in it has weight 0; give the group a positive weight");
    }
  }

  /// Candidates, fees, post probabilities, contracted and excluded accounts.
  void bind_candidates() {
    b_.q.assign(n_, 1.0);
    b_.fees.assign(n_, 0.0);
    b_.allowed.assign(n_, 0);
    std::vector<char> blocked(n_, 0);
    for (account_t a : spec_.contracted) {
      const vertex_t v = g_.index_of(a);
      KOLSIM_REQUIRE(!blocked[v], "plan_campaign: account ", a, " is contracted twice");
      blocked[v] = 1;
      b_.contracted.push_back(v);
    }
    for (account_t a : spec_.excluded) blocked[g_.index_of(a)] = 1;
    for (vertex_t v = 0; v < n_; ++v) {
      if (spec_.risk_mode == RiskMode::expected) b_.q[v] = 1.0 - roster_.risk(v);
      b_.fees[v] = roster_.fee(v);
      b_.allowed[v] = roster_.is_candidate(v) && !blocked[v] && roster_.risk(v) <= spec_.max_risk;
    }
    for (vertex_t v : b_.contracted) b_.contracted_q.push_back(b_.q[v]);
  }

  /// The rule's factor alpha, the first and largest collection sizes, the round cap and the
  /// stop target (OPIM-C's 1 - 1/e - epsilon scaled to alpha); builds the RR sampler.
  void schedule() {
    const double e1 = 1.0 - 1.0 / std::exp(1.0);
    const double alpha_b = spec_.method == BudgetedMethod::greedy_plus ? 0.5 : 0.5 * e1;
    s_.alpha = b_.budgeted ? (b_.max_kols == unlimited ? alpha_b : 0.5 * e1) : e1;
    std::vector<double> cand_fees;
    double opt_lb = 0.0;
    std::size_t pool = 0;
    for (vertex_t v = 0; v < n_; ++v) {
      if (!b_.allowed[v]) continue;
      ++pool;
      if (b_.fees[v] <= spec_.budget) {
        cand_fees.push_back(b_.fees[v]);
        opt_lb = std::max(opt_lb, aud_.weight(v) * b_.q[v]);
      }
    }
    std::sort(cand_fees.begin(), cand_fees.end());
    std::size_t k_eff = 0;
    double acc_fee = 0.0;
    for (double f : cand_fees) {
      if (k_eff >= b_.max_kols || acc_fee + f > spec_.budget) break;
      acc_fee += f;
      ++k_eff;
    }
    k_eff = std::max<std::size_t>(k_eff, 1);
    s_.no_candidates = cand_fees.empty();
    s_.roots_only = spec_.deadline == 0;
    sampler_.emplace(g_, model_, s_.roots_only ? 1u : spec_.deadline, aud_.weights);
    s_.W = sampler_->total_weight();
    if (opt_lb <= 0.0) opt_lb = s_.W / static_cast<double>(std::max<vertex_t>(n_, 1)) * 1e-3;
    const double lognk = rr_log_binom(static_cast<double>(std::max<std::size_t>(pool, 1)), static_cast<double>(k_eff));
    const double l6d = std::log(6.0 / b_.delta);
    const double root = s_.alpha * std::sqrt(l6d) + std::sqrt(s_.alpha * (lognk + l6d));
    const double theta_max = 2.0 * s_.W * root * root / (spec_.epsilon * spec_.epsilon * opt_lb);
    s_.theta0 = std::max(512.0, std::min(theta_max, 2.0 * root * root));
    s_.imax = std::clamp(static_cast<int>(std::ceil(std::log2(std::max(theta_max / s_.theta0, 1.0)))), 1, 40);
    s_.a = std::log(3.0 * s_.imax / b_.delta);
    s_.target = s_.alpha * (1.0 - spec_.epsilon / e1);
  }

  /// The plan's header fields and the selection options shared by every round and re-plan.
  void start_plan() {
    plan_.spec = spec_;
    plan_.spec.stop = nullptr;
    plan_.spec.progress = nullptr;
    plan_.model = std::string(M::name);
    plan_.num_vertices = n_;
    plan_.num_edges = g_.num_edges();
    plan_.version = kolsim::version();
    plan_.contracted = spec_.contracted;
    plan_.total_weight = s_.W;
    bo_.allowed = b_.allowed;
    bo_.fees = b_.fees;
    bo_.budget = spec_.budget;
    bo_.max_kols = b_.max_kols;
    bo_.post_probability = b_.q;
    bo_.fixed_seeds = b_.contracted;
    bo_.method = spec_.method;
    base_bytes_ = sampler_->bytes() + static_cast<std::size_t>(b_.threads) * n_ * 4;
  }

  /// RR sampling and selection rounds: R1 (selection) and R2 (validation) double until the
  /// certified ratio reaches the target, the round cap, or no candidate fits. Reports
  /// ("sampling", RR sets drawn, 0) after each collection grows and ("selection", round, cap)
  /// after each round (and (cap, cap) when the plan is certified before the cap).
  void select_rounds() {
    auto theta = static_cast<std::uint64_t>(std::ceil(s_.theta0));
    const auto cap = static_cast<std::uint64_t>(s_.imax);
    report_progress(spec_.progress, "selection", 0, cap);
    for (int i = 1;; ++i) {
      rounds_ = i;
      backend_.grow(*sampler_, r1_, theta, spec_.seed, domain::rr_final, s_.roots_only, b_, base_bytes_ + r2_.bytes(),
                    spec_.memory_limit, b_.threads, spec_.stop, drawn_);
      report_progress(spec_.progress, "sampling", drawn_, 0);
      backend_.grow(*sampler_, r2_, theta, spec_.seed, domain::rr_validate, s_.roots_only, b_, base_bytes_ + r1_.bytes(),
                    spec_.memory_limit, b_.threads, spec_.stop, drawn_);
      report_progress(spec_.progress, "sampling", drawn_, 0);
      t_sample_ += lap_.lap();
      const double base_ratio = select_round();
      const bool last = base_ratio >= s_.target || i >= s_.imax || s_.no_candidates;
      report_progress(spec_.progress, "selection", last ? cap : static_cast<std::uint64_t>(i), cap);
      if (last) break;
      theta *= 2;
    }
    plan_.certified_ratio = ratio_;
    plan_.lower_bound = lower_;
    plan_.upper_bound = upper_;
    plan_.guarantee = (spec_.risk_penalty > 0.0 || b_.fair || (b_.budgeted && b_.max_kols != unlimited)) ? 0.0 : s_.alpha;
    plan_.rule = sel_.rule;
    plan_.rounds = rounds_;
  }

  /// The round's selection options: the per-KOL risk penalty and the group minimums on R1.
  BudgetedCoverageOptions round_options() {
    BudgetedCoverageOptions o = bo_;
    const double th1 = static_cast<double>(r1_.size());
    if (spec_.risk_penalty > 0.0) {
      penalty_.assign(n_, 0.0);
      for (vertex_t v : r1_.nodes()) penalty_[v] += 1.0;
      for (vertex_t v = 0; v < n_; ++v) penalty_[v] *= spec_.risk_penalty * roster_.risk(v);
      o.penalty = penalty_;
    }
    if (b_.fair) {
      set_group_.resize(r1_.size());
      set_unit_.resize(r1_.size());
      for (std::uint64_t j = 0; j < r1_.size(); ++j) {
        const vertex_t root_v = r1_.set(j)[0];
        set_group_[j] = aud_.group_of[root_v];
        set_unit_[j] = s_.W / (th1 * aud_.weight(root_v));
      }
      o.set_group = set_group_;
      o.set_unit = set_unit_;
      o.group_target = b_.group_target;
    }
    return o;
  }

  /// Selection on R1 and its certificate on R2; returns the plain rule's certified ratio (the
  /// stop criterion).
  double select_round() {
    const double th1 = static_cast<double>(r1_.size());
    BudgetedCoverageOptions o = round_options();
    const bool plain = spec_.risk_penalty == 0.0 && !b_.fair;
    o.upper_bound = plain;
    check_stop(spec_.stop);
    sel_ = budgeted_max_coverage(r1_, n_, o);
    // Upper bound on the optimum's sample coverage: the data-dependent knapsack bound of the
    // plain rule's greedy prefixes, and the rule's factor alpha when it has one.
    BudgetedCoverageOptions ob = bo_;
    ob.upper_bound = true;
    const BudgetedCoverageResult base_sel = plain ? sel_ : budgeted_max_coverage(r1_, n_, ob);
    double ub_cov = base_sel.upper_bound;
    if (!(b_.budgeted && b_.max_kols != unlimited))
      ub_cov = std::min(ub_cov, base_sel.fixed_coverage + (base_sel.coverage - base_sel.fixed_coverage) / s_.alpha);
    ub_cov = std::min(ub_cov, th1);
    upper_ = opim_upper(ub_cov, s_.a) * s_.W / th1;
    lower_ = lower_of(sel_);
    if (plain && b_.budgeted && spec_.method == BudgetedMethod::greedy_plus) {
      // Many cheap KOLs look best on the sample they were chosen from (winner's curse); judge
      // the unit-cost greedy against it on the independent validation sets and keep the better.
      BudgetedCoverageOptions ou = o;
      ou.method = BudgetedMethod::unit_cost;
      ou.upper_bound = false;
      BudgetedCoverageResult alt = budgeted_max_coverage(r1_, n_, ou);
      const double alt_lower = lower_of(alt);
      if (alt_lower > lower_) {
        alt.upper_bound = sel_.upper_bound;
        sel_ = std::move(alt);
        lower_ = alt_lower;
      }
    }
    ratio_ = upper_ > 0.0 ? std::min(1.0, lower_ / upper_) : 0.0;
    const double base_ratio = plain ? ratio_ : (upper_ > 0.0 ? std::min(1.0, lower_of(base_sel) / upper_) : 0.0);
    t_select_ += lap_.lap();
    peak_ = std::max(peak_, r1_.bytes() + r2_.bytes() + sel_.bytes + base_bytes_);
    return base_ratio;
  }

  /// Contracted seeds followed by `seeds`, and their post probabilities.
  std::vector<vertex_t> with_contracted(std::span<const vertex_t> seeds, std::vector<double>& qs) const {
    std::vector<vertex_t> all(b_.contracted);
    all.insert(all.end(), seeds.begin(), seeds.end());
    qs.clear();
    for (vertex_t v : all) qs.push_back(b_.q[v]);
    return all;
  }

  /// OPIM-C's lower confidence bound on the reach of contracted + r.seeds, from R2.
  double lower_of(const BudgetedCoverageResult& r) const {
    std::vector<double> qs;
    const std::vector<vertex_t> all = with_contracted(r.seeds, qs);
    return opim_lower(seed_coverage(r2_, n_, all, qs).coverage, s_.a) * s_.W / static_cast<double>(r2_.size());
  }

  /// Per-KOL RR numbers on the validation sets R2 (and on R1 as the selector saw them).
  void report_kols() {
    const double th1 = static_cast<double>(r1_.size()), th2 = static_cast<double>(r2_.size());
    const double W = s_.W;
    all_ = with_contracted(sel_.seeds, all_q_);
    const SeedCoverage sc = seed_coverage(r2_, n_, all_, all_q_);
    plan_.reach_rr = W * sc.coverage / th2;
    for (std::size_t i = 0; i < sel_.seeds.size(); ++i) {
      const vertex_t v = sel_.seeds[i];
      const std::size_t ai = b_.contracted.size() + i;
      KolChoice k;
      k.vertex = v;
      k.account = g_.account(v);
      k.fee = b_.fees[v];
      k.risk = roster_.risk(v);
      if (const auto slot = roster_.find(v); slot >= 0) {
        k.platform = roster_[static_cast<std::size_t>(slot)].platform;
        k.tags = roster_[static_cast<std::size_t>(slot)].tags;
      }
      k.marginal_rr = W * sc.marginal[ai] / th2;
      k.marginal_rr_selection = W * sel_.marginal[i] / th1;
      k.own_reach_rr = W * sc.sets_of_seed[ai] / th2;
      k.own_reach = k.own_reach_rr;  // replaced by the Monte Carlo check when there is one
      k.risk_loss = W * k.risk * sc.decisive[ai] / th2;
      k.penalty = penalty_.empty() ? 0.0 : W * penalty_[v] / th1;
      plan_.kols.push_back(std::move(k));
      plan_.total_fee += b_.fees[v];
    }
  }

  /// Reach-vs-budget re-plans on R1, evaluated on R2 (and by Monte Carlo in check(), like the
  /// prefixes); then the RR sets are released.
  void replan_points() {
    const double th2 = static_cast<double>(r2_.size()), W = s_.W;
    for (double b : spec_.budget_curve) {
      KOLSIM_REQUIRE(!std::isnan(b) && b >= 0.0, "plan_campaign: budget_curve points must be >= 0, got ", b);
      BudgetedCoverageOptions o = bo_;
      o.budget = b;
      if (!std::isfinite(b) && b_.max_kols == unlimited) continue;
      check_stop(spec_.stop);
      const BudgetedCoverageResult r = budgeted_max_coverage(r1_, n_, o);
      std::vector<double> qs;
      std::vector<vertex_t> s = with_contracted(r.seeds, qs);
      const double p = seed_coverage(r2_, n_, s, qs).coverage / th2;
      const double rr_se = W * std::sqrt(p * (1.0 - p) / th2);
      plan_.budget_curve.push_back({"replan", b, r.fee, r.seeds.size(), W * p, rr_se, "rr_validation", W * p, rr_se});
      replan_seeds_.push_back(std::move(s));
    }
    t_select_ += lap_.lap();
    plan_.rr_sets = drawn_;
    plan_.peak_bytes = peak_;
    r1_.release();
    r2_.release();
  }

  /// Independent Monte Carlo check (seeds of its own, never the RR sets), or the RR numbers
  /// without one.
  void check() {
    if (spec_.check_trials > 0) {
      CampaignCheck<M>::run(g_, model_, spec_, b_.contracted, b_.contracted_q, sel_.seeds, all_, all_q_, b_.q,
                            replan_seeds_, b_.group_target, plan_, backend_.batches(), backend_.prefixes());
      plan_.check_trials = spec_.check_trials;
    } else {
      plan_.reach = plan_.reach_rr;
      for (std::size_t gi = 0; gi < aud_.num_groups(); ++gi) {
        GroupReach gr;
        gr.name = aud_.group_names[gi];
        gr.minimum = b_.group_target[gi];
        gr.met = false;
        plan_.groups.push_back(std::move(gr));
      }
    }
    t_check_ = lap_.lap();
  }

  const FollowerGraph& g_;
  const M model_;  // the caller's model with the spec's deadline applied (campaign_model)
  const Roster& roster_;
  const CampaignSpec& spec_;
  const Audience& aud_;
  vertex_t n_;
  Backend backend_;
  Stopwatch total_, lap_;
  CampaignBinding b_;
  CampaignSchedule s_;
  std::optional<RRSampler<M>> sampler_;
  CampaignPlan plan_;
  BudgetedCoverageOptions bo_;
  RRCollection r1_, r2_;
  std::uint64_t drawn_ = 0;
  std::size_t peak_ = 0, base_bytes_ = 0;
  double t_sample_ = 0, t_select_ = 0, t_check_ = 0;
  BudgetedCoverageResult sel_;
  std::vector<double> penalty_, set_unit_;
  std::vector<std::uint32_t> set_group_;
  double ratio_ = 0, lower_ = 0, upper_ = 0;
  int rounds_ = 0;
  std::vector<vertex_t> all_;  // contracted + chosen seeds
  std::vector<double> all_q_;
  std::vector<std::vector<vertex_t>> replan_seeds_;
};

}  // namespace detail

/// Plans a KOL campaign: chooses KOLs from `roster` to maximise the (weighted) reach of the
/// campaign under `spec` and checks the result by independent Monte Carlo. IC or LT. Throws
/// std::invalid_argument for an inconsistent spec/roster/audience, std::out_of_range for
/// unknown contracted or excluded accounts, MemoryLimitError, Interrupted. Under ContinuousIC
/// the plan maximises the expected reach within spec.deadline_hours (or the model's horizon).
template <class M>
CampaignPlan plan_campaign(const FollowerGraph& g, const M& model, const Roster& roster, const CampaignSpec& spec) {
  static_assert(std::is_same_v<M, IndependentCascade> || std::is_same_v<M, LinearThreshold> ||
                    std::is_same_v<M, ContinuousIC>,
                "plan_campaign supports IndependentCascade, LinearThreshold and ContinuousIC");
  return detail::CampaignPlanner<M>(g, model, roster, spec).run();
}

/// Per-edge delay rates (per second, out-edge order, as ContinuousIC::rate) from mean delays per
/// platform: each out-edge of a roster KOL whose platform is in `mean_delay_hours` gets the
/// exponential rate 1 / (3600 x hours) of that platform (how fast its followers see a post
/// there); every other edge gets `default_rate`. Unknown platform names are rejected.
inline std::vector<double> platform_delay_rates(const FollowerGraph& g, const Roster& roster,
                                                const std::map<std::string, double>& mean_delay_hours,
                                                double default_rate = ContinuousIC{}.default_rate) {
  roster.require_graph(g, "platform_delay_rates");
  KOLSIM_REQUIRE(default_rate > 0 && std::isfinite(default_rate), "platform_delay_rates: default_rate must be > 0, got ",
                 default_rate);
  std::map<std::string, bool> used;
  for (const auto& [name, h] : mean_delay_hours) {
    KOLSIM_REQUIRE(h > 0 && std::isfinite(h), "platform_delay_rates: mean delay of platform '", name,
                   "' must be > 0 hours, got ", h);
    used[name] = false;
  }
  for (std::size_t i = 0; i < roster.size(); ++i)
    if (auto it = used.find(roster[i].platform); it != used.end()) it->second = true;
  for (const auto& [name, seen] : used)
    KOLSIM_REQUIRE(seen, "platform_delay_rates: no roster KOL is on platform '", name, "'");
  std::vector<double> rate(g.num_edges(), default_rate);
  const auto off = g.out_offsets();
  for (std::size_t i = 0; i < roster.size(); ++i) {
    const auto it = mean_delay_hours.find(roster[i].platform);
    if (it == mean_delay_hours.end()) continue;
    const vertex_t v = roster[i].vertex;
    for (edge_t e = off[v]; e < off[v + 1]; ++e) rate[e] = 1.0 / (3600.0 * it->second);
  }
  return rate;
}

/// What dropping one KOL after a scandal costs, and the best re-plan within the freed budget.
struct ReplanResult {
  account_t dropped = 0;
  double dropped_fee = 0;
  double reach_with = 0, reach_without = 0;  ///< Monte Carlo on common worlds
  double reach_lost = 0, reach_lost_se = 0;  ///< per-trial differences: exact standard error
  double freed_budget = 0;
  CampaignPlan replacement;  ///< contracted = the remaining KOLs; kols = the replacements
  std::vector<account_t> replacements;
  double reach_after = 0, reach_after_se = 0;  ///< remaining + replacements (replacement.reach)

  /// A short readable summary.
  std::string to_table() const {
    std::ostringstream os;
    os << "dropping account " << dropped << " (fee " << detail::fmt("%.2f", dropped_fee) << ") loses "
       << detail::fmt("%.1f", reach_lost) << " +- " << detail::fmt("%.1f", reach_lost_se) << " reach ("
       << detail::fmt("%.1f", reach_with) << " -> " << detail::fmt("%.1f", reach_without) << ")\n";
    os << "freed budget " << detail::fmt("%.2f", freed_budget) << "; replacements:";
    if (replacements.empty()) os << " none";
    for (auto a : replacements) os << ' ' << a;
    os << "; reach after re-plan " << detail::fmt("%.1f", reach_after) << " +- " << detail::fmt("%.1f", reach_after_se)
       << "\n";
    return os.str();
  }
};

/// "What if KOL `dropped` leaves after a scandal?": the reach lost (Monte Carlo with and without
/// it on common worlds, plan.spec.check_trials trials, at least 1000) and a re-plan that keeps
/// the other KOLs (as contracted) and spends the freed budget (and KOL slots) on replacements,
/// never choosing `dropped` again. g, model and roster must be those the plan was made with
/// (checked by graph checksum). Throws std::invalid_argument when `dropped` is not in the plan.
template <class M>
ReplanResult replan_without(const FollowerGraph& g, const M& model, const Roster& roster, const CampaignPlan& plan,
                            account_t dropped, const StopToken& stop = {}) {
  KOLSIM_REQUIRE(graph_checksum(g, plan.spec.threads) == plan.graph_checksum,
                 "replan_without: the graph differs from the one the plan was made on");
  roster.require_graph(g, "replan_without");
  KOLSIM_REQUIRE(plan.model == M::name, "replan_without: the plan was made with model ", plan.model);
  const CampaignSpec& spec = plan.spec;
  std::vector<account_t> rest;
  std::vector<double> rest_q;
  bool found = false, was_chosen = false;
  double dropped_fee = 0.0;
  auto qof = [&](vertex_t v) { return spec.risk_mode == RiskMode::expected ? 1.0 - roster.risk(v) : 1.0; };
  for (account_t a : plan.contracted) {
    if (a == dropped) found = true;
    else rest.push_back(a);
  }
  std::size_t chosen_left = 0;
  for (const auto& k : plan.kols) {
    if (k.account == dropped) {
      found = was_chosen = true;
      dropped_fee = k.fee;
    } else {
      rest.push_back(k.account);
      ++chosen_left;
    }
  }
  KOLSIM_REQUIRE(found, "replan_without: account ", dropped, " is not in the plan");
  const std::vector<vertex_t> rest_v = g.indices_of(rest);
  for (vertex_t v : rest_v) rest_q.push_back(qof(v));
  const vertex_t xv = g.index_of(dropped);
  const std::vector<vertex_t> order{xv};
  const std::vector<double> order_q{qof(xv)};

  ReplanResult r;
  r.dropped = dropped;
  r.dropped_fee = dropped_fee;
  const std::uint64_t trials = std::max<std::uint64_t>(spec.check_trials, 1000);
  const M timed = detail::campaign_model(model, spec);
  const detail::PrefixReach pr = detail::plan_prefix_reach(g, timed, rest_v, rest_q, order, order_q, spec.audience,
                                                           spec.deadline, trials, spec.seed ^ 0x27D4EB2F165667C5ull,
                                                           spec.threads, stop);
  r.reach_without = pr.prefix_mean[0];
  r.reach_with = pr.prefix_mean[1];
  r.reach_lost = pr.marginal_mean[0];
  r.reach_lost_se = pr.marginal_se[0];

  CampaignSpec s2 = spec;
  s2.stop = stop;
  s2.contracted = rest;
  s2.excluded.push_back(dropped);
  s2.budget_curve.clear();
  s2.budget = std::isfinite(spec.budget) ? std::max(0.0, spec.budget - (plan.total_fee - (was_chosen ? dropped_fee : 0.0)))
                                         : spec.budget;
  r.freed_budget = s2.budget;
  bool room = true;
  if (spec.max_kols > 0) {
    room = spec.max_kols > chosen_left;
    s2.max_kols = room ? spec.max_kols - chosen_left : 1;
  }
  if (!room) {  // no KOL slot left: nothing can be added
    r.reach_after = r.reach_without;
    r.reach_after_se = pr.prefix_se[0];
    return r;
  }
  r.replacement = plan_campaign(g, model, roster, s2);
  for (const auto& k : r.replacement.kols) r.replacements.push_back(k.account);
  r.reach_after = r.replacement.reach;
  r.reach_after_se = r.replacement.reach_se;
  return r;
}

}  // namespace kolsim

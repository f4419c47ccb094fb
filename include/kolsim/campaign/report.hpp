// SPDX-License-Identifier: MIT
/// The campaign plan object and its reports: CampaignSpec (what the planner asked for),
/// CampaignPlan (what kolsim chose, with independent Monte Carlo error bars), the JSON run
/// record (parameters, seed, graph checksum, library version; JSON by nlohmann-json, floats in
/// shortest round-trip form; written atomically) and a
/// readable text table. plan_campaign() in campaign/plan.hpp fills a CampaignPlan.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "kolsim/campaign/audience.hpp"
#include "kolsim/campaign/budgeted_coverage.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/progress.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/io/atomic_file.hpp"

#include <nlohmann/json.hpp>

namespace kolsim {

/// How scandal risk enters the plan (KOLs with risk > max_risk are always excluded).
enum class RiskMode {
  ignore,    ///< every chosen KOL posts (risk only filters and is reported)
  expected,  ///< KOL v posts with probability 1 - risk_v (probabilistic seeds)
};

/// What the planner asks for. At least one of budget (finite) or max_kols (> 0) must be set.
struct CampaignSpec {
  double budget = std::numeric_limits<double>::infinity();  ///< money for new KOLs (sum of fees)
  std::size_t max_kols = 0;          ///< at most this many new KOLs (0 = no limit)
  double max_risk = 1.0;             ///< hard filter: KOLs with risk > max_risk are never chosen
  RiskMode risk_mode = RiskMode::expected;
  double risk_penalty = 0.0;         ///< lambda: subtract lambda * risk_v * reach({v}) per chosen v
  std::uint32_t deadline = std::numeric_limits<std::uint32_t>::max();  ///< propagation steps (0 = seeds only)
  /// Continuous-time models (ContinuousIC) only: count reach within this many hours of wall-clock
  /// time (infinity = the model's own horizon). Step models take `deadline` instead.
  double deadline_hours = std::numeric_limits<double>::infinity();
  double epsilon = 0.1;              ///< stop once certified ratio >= alpha (1 - epsilon / (1 - 1/e))
  double delta = 0.0;                ///< failure probability of the certificate (0 = 1/n)
  std::uint64_t seed = 0;            ///< every stochastic step draws from streams keyed by this
  int threads = 0;                   ///< 0 = all
  Audience audience;                 ///< weights (objective) and groups (report, minimums)
  std::vector<std::pair<std::string, double>> group_minimums;  ///< group -> min expected accounts reached
  std::uint64_t check_trials = 10000;  ///< independent Monte Carlo trials (0 = skip the check)
  std::vector<double> budget_curve;  ///< extra budgets to re-plan at (reach-vs-budget curve)
  BudgetedMethod method = BudgetedMethod::greedy_plus;
  std::vector<account_t> contracted;  ///< already hired: count toward reach, not budget or max_kols
  std::vector<account_t> excluded;    ///< never chosen (e.g. dropped after a scandal)
  std::size_t memory_limit = 0;       ///< bytes for RR sets (0 = usable_memory(): RAM, cgroup and ulimit)
  StopToken stop;                     ///< polled between batches; throws Interrupted
  ProgressFn progress;                ///< ("sampling", RR sets, 0), ("selection", round, round cap), ("evaluation", step, steps)
};

/// One chosen KOL. Reach numbers are weighted (the objective) unless said otherwise.
///
/// Why the RR numbers of a cheap KOL can be far off: one RR set stands for total_weight / theta
/// accounts (about 9 on an 82,000-account graph with 12,000 sets), so a KOL who reaches 3 accounts
/// appears in no validation set (RR own reach 0) or, on the selection sets it was chosen for
/// (winner's curse), in two (an estimate of 18). The Monte Carlo columns are the ones to read.
struct KolChoice {
  account_t account = 0;
  vertex_t vertex = 0;
  double fee = 0, risk = 0;
  std::string platform;
  std::vector<std::string> tags;
  double marginal_reach = 0;     ///< independent Monte Carlo: reach added in greedy order
  double marginal_se = 0;        ///< its standard error (per-trial differences on common worlds)
  double marginal_rr = 0;        ///< RR estimate of the same quantity on the validation sets
  double marginal_rr_selection = 0;  ///< what the selector saw on its own sets (biased upwards)
  double own_reach = 0;          ///< Monte Carlo: reach of this KOL alone, posting surely (RR without a check)
  double own_reach_se = 0;       ///< its standard error (0 without a Monte Carlo check)
  double own_reach_rr = 0;       ///< RR (validation sets) estimate of own_reach
  double risk_loss = 0;          ///< RR (validation sets): expected plan reach lost to its risk
  double penalty = 0;            ///< lambda * risk * own_reach (as used by the selector)
};

/// Reach inside one audience group (independent Monte Carlo).
struct GroupReach {
  std::string name;
  std::uint64_t size = 0;        ///< accounts in the group
  double weight = 0;             ///< summed weight of the group's accounts
  double reach = 0, se = 0;      ///< expected accounts of the group reached, standard error
  double minimum = 0;            ///< requested minimum (0 = none)
  bool met = true;               ///< reach >= minimum (point estimate)
};

/// One point of the reach-vs-budget curve.
struct CurvePoint {
  std::string source;            ///< "greedy_prefix" (the plan's first KOLs) or "replan" (a plan made at `budget`)
  double budget = 0, fee = 0;
  std::size_t kols = 0;
  double reach = 0, se = 0;      ///< as `estimate` says
  std::string estimate = "monte_carlo";  ///< "monte_carlo" (independent check) or "rr_validation" (no check)
  double reach_rr = 0, se_rr = 0;  ///< re-plans: the RR validation estimate (0 for prefixes)
};

/// A campaign plan: chosen KOLs, totals with error bars, per-group reach, reach over time,
/// reach vs budget, and what it cost to compute.
struct CampaignPlan {
  CampaignSpec spec;
  std::string model;
  std::uint64_t graph_checksum = 0;
  std::uint64_t num_vertices = 0, num_edges = 0;
  std::string version;
  std::vector<account_t> contracted;
  std::vector<KolChoice> kols;
  double total_fee = 0;
  double reach = 0, reach_se = 0, reach_ci_low = 0, reach_ci_high = 0;  ///< weighted, estimate_spread
  double accounts_reached = 0, accounts_reached_se = 0;  ///< unweighted count (Monte Carlo)
  double reach_rr = 0;              ///< the selector's own estimate (validation RR sets)
  double total_weight = 0;          ///< weighted size of the audience (n when unweighted)
  double certified_ratio = 0;       ///< reach >= ratio * best plan under the constraints, w.p. >= 1 - delta
  double guarantee = 0;             ///< approximation factor of the rule on the RR sample (0 = none)
  double lower_bound = 0, upper_bound = 0;  ///< of the plan's reach / of the optimum
  std::string rule;                 ///< which budgeted candidate won (see BudgetedCoverageResult)
  std::vector<GroupReach> groups;
  std::vector<double> reach_by_step;  ///< cumulative weighted reach by step t (Monte Carlo)
  std::vector<double> reach_by_step_se;  ///< its standard error per step (empty without a check)
  std::vector<CurvePoint> budget_curve;
  std::uint64_t rr_sets = 0, check_trials = 0;
  int rounds = 0;
  std::size_t peak_bytes = 0;
  std::vector<std::pair<std::string, double>> phase_seconds;
  double seconds = 0;

  /// The run record as JSON (parameters, seed, checksum, version, results).
  std::string to_json() const;
  /// Writes to_json() to `path` atomically (IoError on failure).
  void save_json(const std::string& path) const { write_file_atomic(path, to_json()); }
  /// A readable text report.
  std::string to_table() const;
  /// Whether chosen KOL i is "not worth it" (see not_worth_it_factor): its Monte Carlo marginal
  /// reach is not distinguishable from 0 (95% interval reaches 0), or its fee per unit of
  /// marginal reach is more than not_worth_it_factor times the median over the plan's KOLs. The
  /// planner keeps such KOLs because leftover budget has no other use; the report flags them so
  /// a planner can drop them.
  bool not_worth_it(std::size_t i) const;
  /// The median of fee_per_reach over the chosen KOLs with a positive fee and marginal reach (0 if none).
  double median_fee_per_reach() const;
  /// Fee per unit of marginal reach of KOL i (infinity when its marginal reach is <= 0).
  double fee_per_reach(std::size_t i) const;
};

/// A KOL costing more than this times the median KOL's fee per reached account is flagged.
inline constexpr double not_worth_it_factor = 3.0;

inline double CampaignPlan::fee_per_reach(std::size_t i) const {
  const KolChoice& k = kols.at(i);
  return k.marginal_reach > 0.0 ? k.fee / k.marginal_reach : std::numeric_limits<double>::infinity();
}

inline double CampaignPlan::median_fee_per_reach() const {
  std::vector<double> x;
  for (std::size_t i = 0; i < kols.size(); ++i)
    if (kols[i].fee > 0.0 && kols[i].marginal_reach > 0.0) x.push_back(fee_per_reach(i));
  if (x.empty()) return 0.0;
  std::sort(x.begin(), x.end());
  const std::size_t h = x.size() / 2;
  return x.size() % 2 ? x[h] : 0.5 * (x[h - 1] + x[h]);
}

inline bool CampaignPlan::not_worth_it(std::size_t i) const {
  const KolChoice& k = kols.at(i);
  if (check_trials == 0) return false;  // no Monte Carlo numbers to judge by
  if (k.marginal_reach - 1.96 * k.marginal_se <= 0.0) return true;
  const double median = median_fee_per_reach();
  return k.fee > 0.0 && median > 0.0 && fee_per_reach(i) > not_worth_it_factor * median;
}

namespace detail {

/// A JSON number for x: an integer when x is integral (as "%.17g" would print it), the shortest
/// round-trip decimal otherwise, null when x is not finite.
inline nlohmann::ordered_json json_number(double x) {
  if (!std::isfinite(x)) return nullptr;
  if (x == std::trunc(x) && std::fabs(x) < 9007199254740992.0) return static_cast<std::int64_t>(x);
  return x;
}

/// A JSON array of json_number values.
inline nlohmann::ordered_json json_numbers(const std::vector<double>& xs) {
  auto a = nlohmann::ordered_json::array();
  for (double x : xs) a.push_back(json_number(x));
  return a;
}

/// Compact JSON text; invalid UTF-8 in a string becomes U+FFFD instead of an exception after a
/// long computation (readers reject it at input already).
inline std::string json_text(const nlohmann::ordered_json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

inline const char* risk_mode_name(RiskMode m) { return m == RiskMode::ignore ? "ignore" : "expected"; }
inline const char* method_name(BudgetedMethod m) {
  return m == BudgetedMethod::greedy_plus ? "greedy_plus" : "greedy_or_single";
}

inline std::string fmt(const char* f, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, x);
  return buf;
}

}  // namespace detail

namespace detail {

/// The "parameters" record of a plan's JSON: the spec as it was asked for.
inline nlohmann::ordered_json spec_json(const CampaignSpec& spec) {
  using Json = nlohmann::ordered_json;
  Json par;
  par["budget"] = json_number(spec.budget);
  par["max_kols"] = static_cast<std::uint64_t>(spec.max_kols);
  par["max_risk"] = json_number(spec.max_risk);
  par["risk_mode"] = risk_mode_name(spec.risk_mode);
  par["risk_penalty"] = json_number(spec.risk_penalty);
  if (spec.deadline == std::numeric_limits<std::uint32_t>::max()) par["deadline"] = "none";
  else par["deadline"] = static_cast<std::uint64_t>(spec.deadline);
  if (std::isfinite(spec.deadline_hours)) par["deadline_hours"] = json_number(spec.deadline_hours);
  par["epsilon"] = json_number(spec.epsilon);
  par["delta"] = json_number(spec.delta);
  par["seed"] = spec.seed;
  par["threads"] = spec.threads;
  par["check_trials"] = spec.check_trials;
  par["method"] = method_name(spec.method);
  par["weighted_audience"] = spec.audience.weighted();
  par["group_minimums"] = Json::object();
  for (const auto& [g, m] : spec.group_minimums) par["group_minimums"][g] = json_number(m);
  par["budget_curve"] = json_numbers(spec.budget_curve);
  par["contracted"] = std::vector<std::uint64_t>(spec.contracted.begin(), spec.contracted.end());
  par["excluded"] = std::vector<std::uint64_t>(spec.excluded.begin(), spec.excluded.end());
  return par;
}

/// The JSON record of the plan's KOL i.
inline nlohmann::ordered_json kol_json(const CampaignPlan& plan, std::size_t i) {
  const KolChoice& k = plan.kols[i];
  return {{"account", static_cast<std::uint64_t>(k.account)},
          {"fee", json_number(k.fee)},
          {"risk", json_number(k.risk)},
          {"platform", k.platform},
          {"tags", k.tags},
          {"marginal_reach", json_number(k.marginal_reach)},
          {"marginal_se", json_number(k.marginal_se)},
          {"marginal_rr", json_number(k.marginal_rr)},
          {"marginal_rr_selection", json_number(k.marginal_rr_selection)},
          {"own_reach", json_number(k.own_reach)},
          {"own_reach_se", json_number(k.own_reach_se)},
          {"own_reach_rr", json_number(k.own_reach_rr)},
          {"risk_loss", json_number(k.risk_loss)},
          {"penalty", json_number(k.penalty)},
          {"fee_per_reach", json_number(plan.fee_per_reach(i))},
          {"not_worth_it", plan.not_worth_it(i)}};
}

/// The JSON record of one audience group's reach.
inline nlohmann::ordered_json group_json(const GroupReach& g) {
  return {{"name", g.name},
          {"size", g.size},
          {"weight", json_number(g.weight)},
          {"reach", json_number(g.reach)},
          {"se", json_number(g.se)},
          {"minimum", json_number(g.minimum)},
          {"met", g.met}};
}

/// The JSON record of one point of the reach-vs-budget curve.
inline nlohmann::ordered_json curve_point_json(const CurvePoint& p) {
  return {{"source", p.source},
          {"budget", json_number(p.budget)},
          {"fee", json_number(p.fee)},
          {"kols", static_cast<std::uint64_t>(p.kols)},
          {"reach", json_number(p.reach)},
          {"se", json_number(p.se)},
          {"estimate", p.estimate},
          {"reach_rr", json_number(p.reach_rr)},
          {"se_rr", json_number(p.se_rr)}};
}

}  // namespace detail

inline std::string CampaignPlan::to_json() const {
  using detail::json_number;
  using detail::json_numbers;
  using Json = nlohmann::ordered_json;
  Json j;
  j["record"] = "kolsim.campaign_plan";
  j["format_version"] = 1;
  j["library_version"] = version;
  j["graph_checksum"] = graph_checksum;
  j["graph"] = {{"num_vertices", num_vertices}, {"num_edges", num_edges}};
  j["model"] = model;
  j["parameters"] = detail::spec_json(spec);
  j["kols"] = Json::array();
  for (std::size_t i = 0; i < kols.size(); ++i) j["kols"].push_back(detail::kol_json(*this, i));
  j["totals"] = {{"fee", json_number(total_fee)},
                 {"reach", json_number(reach)},
                 {"reach_se", json_number(reach_se)},
                 {"reach_ci_low", json_number(reach_ci_low)},
                 {"reach_ci_high", json_number(reach_ci_high)},
                 {"accounts_reached", json_number(accounts_reached)},
                 {"accounts_reached_se", json_number(accounts_reached_se)},
                 {"reach_rr", json_number(reach_rr)},
                 {"total_weight", json_number(total_weight)}};
  j["guarantee"] = {{"rule", rule},
                    {"approximation", json_number(guarantee)},
                    {"certified_ratio", json_number(certified_ratio)},
                    {"lower_bound", json_number(lower_bound)},
                    {"upper_bound", json_number(upper_bound)}};
  j["groups"] = Json::array();
  for (const auto& g : groups) j["groups"].push_back(detail::group_json(g));
  j["median_fee_per_reach"] = json_number(median_fee_per_reach());
  j["reach_by_step"] = json_numbers(reach_by_step);
  j["reach_by_step_se"] = json_numbers(reach_by_step_se);
  j["budget_curve"] = Json::array();
  for (const auto& p : budget_curve) j["budget_curve"].push_back(detail::curve_point_json(p));
  j["rr_sets"] = rr_sets;
  j["check_trials_run"] = check_trials;
  j["rounds"] = rounds;
  j["peak_bytes"] = static_cast<std::uint64_t>(peak_bytes);
  j["phase_seconds"] = Json::object();
  for (const auto& [name, s] : phase_seconds) j["phase_seconds"][name] = json_number(s);
  j["seconds"] = json_number(seconds);
  return detail::json_text(j);
}

inline std::string CampaignPlan::to_table() const {
  std::ostringstream os;
  auto num = [](double x, int prec = 1) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", prec, x);
    return std::string(buf);
  };
  os << "KOL campaign plan (" << model << ", " << num_vertices << " accounts, " << num_edges << " edges)\n";
  os << "budget " << (std::isfinite(spec.budget) ? num(spec.budget, 2) : std::string("none")) << ", max KOLs "
     << (spec.max_kols ? std::to_string(spec.max_kols) : std::string("none")) << ", max risk " << num(spec.max_risk, 2)
     << ", risk " << detail::risk_mode_name(spec.risk_mode) << ", deadline "
     << (std::isfinite(spec.deadline_hours) ? num(spec.deadline_hours, 2) + " hours"
         : spec.deadline == std::numeric_limits<std::uint32_t>::max() ? std::string("none")
                                                                      : std::to_string(spec.deadline) + " steps")
     << ", seed " << spec.seed << "\n";
  if (!contracted.empty()) os << "already contracted: " << contracted.size() << " KOLs\n";
  char line[320];
  const bool mc = check_trials > 0;
  std::snprintf(line, sizeof line, "%4s %14s %10s %6s %22s %22s %10s %10s %10s %s\n", "#", "account", "fee", "risk",
                mc ? "marginal reach (MC)" : "marginal reach (RR)", mc ? "own reach (MC)" : "own reach (RR)",
                "fee/reach", "risk loss", "penalty", "note");
  os << line;
  std::size_t flagged = 0;
  double flagged_fee = 0.0;
  for (std::size_t i = 0; i < kols.size(); ++i) {
    const auto& k = kols[i];
    const std::string mr = mc ? num(k.marginal_reach) + " +- " + num(k.marginal_se) : num(k.marginal_rr);
    const std::string own = mc ? num(k.own_reach) + " +- " + num(k.own_reach_se) : num(k.own_reach);
    const double fpr = mc ? fee_per_reach(i) : (k.marginal_rr > 0 ? k.fee / k.marginal_rr : std::numeric_limits<double>::infinity());
    const bool bad = not_worth_it(i);
    if (bad) {
      ++flagged;
      flagged_fee += k.fee;
    }
    std::snprintf(line, sizeof line, "%4zu %14llu %10.2f %6.3f %22s %22s %10s %10.1f %10.1f %s\n", i + 1,
                  static_cast<unsigned long long>(k.account), k.fee, k.risk, mr.c_str(), own.c_str(),
                  std::isfinite(fpr) ? num(fpr, 2).c_str() : "inf", k.risk_loss, k.penalty,
                  bad ? "not worth it" : "");
    os << line;
  }
  if (flagged > 0)
    os << flagged << " KOL(s) marked \"not worth it\" (fee " << num(flagged_fee, 2)
       << "): marginal reach within noise of 0, or over " << num(not_worth_it_factor, 0)
       << "x the median KOL's fee per reach (" << num(median_fee_per_reach(), 2)
       << "); the planner spent leftover budget on them\n";
  os << "total fee " << num(total_fee, 2) << "; reach " << num(reach) << " +- " << num(reach_se) << " (95% CI "
     << num(reach_ci_low) << " .. " << num(reach_ci_high) << ", " << check_trials << " independent trials)";
  if (spec.audience.weighted()) os << " weighted; accounts reached " << num(accounts_reached) << " +- " << num(accounts_reached_se);
  os << "\nselector estimate " << num(reach_rr) << " (RR validation sets)"
     << "; rule " << rule << "; certified ratio " << num(certified_ratio, 3)
     << " (w.p. >= 1 - delta)";
  if (guarantee > 0) os << "; rule guarantee " << num(guarantee, 3) << " on the RR sample";
  os << "\n";
  if (!groups.empty()) {
    std::snprintf(line, sizeof line, "%-20s %10s %22s %10s %5s\n", "group", "size", "reached (MC)", "minimum", "met");
    os << line;
    for (const auto& g : groups) {
      const std::string r = num(g.reach) + " +- " + num(g.se);
      std::snprintf(line, sizeof line, "%-20s %10llu %22s %10.1f %5s\n", g.name.c_str(),
                    static_cast<unsigned long long>(g.size), r.c_str(), g.minimum, g.met ? "yes" : "NO");
      os << line;
    }
  }
  if (!reach_by_step.empty()) {
    os << "reach by step:";
    for (std::size_t t = 0; t < reach_by_step.size() && t < 12; ++t) {
      os << ' ' << t << ':' << num(reach_by_step[t], 0);
      if (t < reach_by_step_se.size()) os << "+-" << num(reach_by_step_se[t], 0);
    }
    if (reach_by_step.size() > 12) os << " ...";
    os << "\n";
  }
  os << "RR sets " << rr_sets << " in " << rounds << " rounds; time";
  for (const auto& [name, s] : phase_seconds) os << ' ' << name << ' ' << num(s, 3) << 's';
  os << "; total " << num(seconds, 3) << "s\n";
  return os.str();
}

}  // namespace kolsim

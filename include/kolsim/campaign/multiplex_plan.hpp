// SPDX-License-Identifier: MIT
/// KOL campaign planning on a multiplex (graph/multiplex.hpp): rosters whose rows are (person,
/// platform) with that platform's fee and risk, and plan_campaign() counting reach in people.
///
/// A row (person p, platform l) is the candidate "p posts on l": the expanded vertex of p's
/// account on l (Multiplex::seed_vertex). The same person may be listed on several platforms
/// with different fees and risks; hiring p on two platforms pays both fees. Selection is the
/// planner of campaign/plan.hpp (budgeted coverage on RR sets with the OPIM-C certificate) on
/// the expanded account graph with the person-rooted RR sampler of estimate/multiplex_estimate.hpp
/// (roots drawn over people, in proportion to the person's audience weight): spread in people is
/// P * Pr[seeds hit an RR set], so the certificate bounds the reach in people. The independent
/// Monte Carlo check runs the multiplex cascade (IC on the expanded graph, cross-posts included)
/// and counts each person once (reach, marginal and own reach, groups, by step); the plan adds
/// the people reached per platform (accounts of that platform reached: a person has at most one
/// account per platform). When every person has exactly one account (a one-layer multiplex, or
/// layers with disjoint people), people are accounts and the plan is the plain IC plan of the
/// expanded graph, bit for bit. Cost: as plan_campaign on the expanded graph.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kolsim/campaign/audience.hpp"
#include "kolsim/campaign/plan.hpp"
#include "kolsim/campaign/prefix_reach.hpp"
#include "kolsim/campaign/report.hpp"
#include "kolsim/campaign/roster.hpp"
#include "kolsim/core/error.hpp"
#include "kolsim/estimate/multiplex_estimate.hpp"
#include "kolsim/graph/multiplex.hpp"

#include <nlohmann/json.hpp>

namespace kolsim {

namespace detail {

/// Why row (person, platform) cannot be bound to `mx` (empty when it can), the column at fault,
/// and on success the expanded vertex of the person's account on that platform.
inline std::string multiplex_row_problem(const Multiplex& mx, account_t person, const std::string& platform,
                                         vertex_t& vertex, std::string& column) {
  std::uint32_t layer = mx.num_layers();
  for (std::uint32_t l = 0; l < mx.num_layers(); ++l)
    if (mx.layer(l).name == platform) layer = l;
  if (layer == mx.num_layers()) {
    column = "platform";
    std::string names;
    for (std::uint32_t l = 0; l < mx.num_layers(); ++l) names += (l ? ", '" : "'") + mx.layer(l).name + "'";
    return concat("unknown platform '", platform, "' (the multiplex has ", names, ")");
  }
  const auto people = mx.people();
  const auto it = std::lower_bound(people.begin(), people.end(), person);
  if (it == people.end() || *it != person) {
    column = "person";
    return concat("person ", person, " is not in the multiplex");
  }
  vertex = mx.account_on(static_cast<vertex_t>(it - people.begin()), layer);
  if (vertex == no_vertex) {
    column = "platform";
    return concat("person ", person, " has no account on platform '", platform, "'");
  }
  return {};
}

}  // namespace detail

/// A roster of (person, platform) rows bound to one multiplex: the candidates as a Roster of the
/// expanded graph (entry account = vertex = the expanded vertex, platform = the layer's name),
/// plus each row's person id.
class MultiplexRoster {
 public:
  MultiplexRoster() = default;

  /// Builds a roster from parallel arrays (one row per (person, platform)). `risks` and `tags`
  /// may be empty. Throws std::out_of_range for an unknown person, an unknown platform or a
  /// person without an account on that platform, std::invalid_argument for a duplicate row or
  /// bad values and for no rows unless opt.include_non_roster; messages name the row and column.
  static MultiplexRoster from_rows(const Multiplex& mx, std::span<const account_t> people,
                                   std::span<const std::string> platforms, std::span<const double> fees,
                                   std::span<const double> risks = {},
                                   std::span<const std::vector<std::string>> tags = {},
                                   const RosterOptions& opt = {}) {
    const std::size_t r = people.size();
    KOLSIM_REQUIRE(platforms.size() == r && fees.size() == r, "MultiplexRoster: ", r, " people but ",
                   platforms.size(), " platforms and ", fees.size(), " fees");
    KOLSIM_REQUIRE(risks.empty() || risks.size() == r, "MultiplexRoster: ", r, " rows but ", risks.size(), " risks");
    KOLSIM_REQUIRE(tags.empty() || tags.size() == r, "MultiplexRoster: ", r, " rows but ", tags.size(), " tag lists");
    KOLSIM_REQUIRE(r > 0 || opt.include_non_roster,
                   "MultiplexRoster: the roster has no rows (no candidate KOLs); set include_non_roster to make "
                   "every account a candidate");
    MultiplexRoster ro(mx, opt);
    for (std::size_t i = 0; i < r; ++i) {
      vertex_t x = 0;
      std::string column;
      const std::string why = detail::multiplex_row_problem(mx, people[i], platforms[i], x, column);
      KOLSIM_REQUIRE_INDEX(why.empty(), "roster row ", i, ", column '", column, "': ", why);
      const std::string p = detail::roster_value_problem(fees[i], risks.empty() ? 0.0 : risks[i]);
      KOLSIM_REQUIRE(p.empty(), "roster row ", i, " (person ", people[i], " on '", platforms[i], "'): ", p);
      const std::int64_t first = ro.accounts_.find(x);
      KOLSIM_REQUIRE(first < 0, "roster row ", i, ": person ", people[i], " on platform '", platforms[i],
                     "' is listed twice (first at row ", first, ")");
      ro.add_row(x, people[i], fees[i], risks.empty() ? 0.0 : risks[i], tags.empty() ? std::vector<std::string>{} : tags[i]);
    }
    return ro;
  }

  /// An empty roster bound to mx (fill it with add_row()).
  MultiplexRoster(const Multiplex& mx, const RosterOptions& opt) : mx_(mx), accounts_(mx.expanded(), opt) {}

  /// Appends row (person's account x on its layer) with checked values.
  void add_row(vertex_t x, account_t person, double fee, double risk, std::vector<std::string> tags) {
    RosterEntry e;
    e.account = mx_.expanded().account(x);
    e.vertex = x;
    e.fee = fee;
    e.risk = risk;
    e.platform = mx_.layer(mx_.layer_of(x)).name;
    e.tags = std::move(tags);
    accounts_.add(std::move(e));
    people_.push_back(person);
  }

  std::size_t size() const noexcept { return accounts_.size(); }
  /// The candidates as a roster of the expanded graph (row i = entries()[i]).
  const Roster& accounts() const noexcept { return accounts_; }
  /// Person id of row i.
  account_t person(std::size_t i) const { return people_.at(i); }
  /// The multiplex this roster was bound to.
  const Multiplex& multiplex() const noexcept { return mx_; }

 private:
  Multiplex mx_;
  Roster accounts_;
  std::vector<account_t> people_;
};

/// Loads a multiplex roster CSV and binds it to mx: columns `person` (required, a person id of
/// the identity table), `platform` (required, a layer name), `fee` (required), `risk` and `tags`
/// (optional) as in read_roster. Throws IoError when the file cannot be read and ParseError
/// "file:line: column '...': ..." for an unknown person or platform, a person without an account
/// on that platform, a duplicate (person, platform) row and every error read_roster reports.
MultiplexRoster read_multiplex_roster(const std::string& csv_path, const Multiplex& mx,
                                      const RosterOptions& options = {});

/// People reached on one platform by a multiplex plan (independent Monte Carlo, unweighted).
struct PlatformReach {
  std::string platform;
  double reach = 0, se = 0;  ///< expected people reached through their account on this platform
  std::size_t kols = 0;      ///< chosen (person, platform) rows on this platform
  double fee = 0;            ///< their fees
};

/// A campaign plan on a multiplex: the CampaignPlan (reach, groups, by-step and curve in people,
/// weighted by the person audience; accounts_reached = people reached, unweighted), with each
/// KolChoice naming the person (account), the platform and the expanded vertex (vertex), plus the
/// people reached per platform.
struct MultiplexPlan : CampaignPlan {
  std::uint64_t people = 0;             ///< people in the multiplex
  std::vector<PlatformReach> platforms;  ///< one per layer
  /// "people" (person-rooted RR sets, people-counting check) or "accounts" (every person has one
  /// account: the plain IC plan of the expanded graph).
  std::string counting;

  /// CampaignPlan::to_json() with a "multiplex" object (people, counting, per-platform reach).
  std::string to_json() const {
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(CampaignPlan::to_json());
    nlohmann::ordered_json m;
    m["people"] = people;
    m["counting"] = counting;
    m["platforms"] = nlohmann::ordered_json::array();
    for (const auto& p : platforms)
      m["platforms"].push_back({{"platform", p.platform}, {"reach", detail::json_number(p.reach)},
                                {"se", detail::json_number(p.se)}, {"kols", p.kols}, {"fee", detail::json_number(p.fee)}});
    j["multiplex"] = std::move(m);
    return j.dump(2);
  }
  void save_json(const std::string& path) const { write_file_atomic(path, to_json()); }
  /// CampaignPlan::to_table() and a per-platform table.
  std::string to_table() const {
    std::string s = CampaignPlan::to_table();
    s += "people reached per platform (" + std::to_string(people) + " people, counting " + counting + "):\n";
    for (const auto& p : platforms)
      s += "  " + p.platform + ": " + detail::fmt("%.1f", p.reach) + " +- " + detail::fmt("%.1f", p.se) + " (" +
           std::to_string(p.kols) + " KOLs, fee " + detail::fmt("%.2f", p.fee) + ")\n";
    return s;
  }
};

/// The multiplex cascade as a planner model: MultiplexIC whose RR roots are drawn over people in
/// proportion to `person_weights` (empty = uniform); the planner's check counts people
/// (detail::CampaignCheck below).
struct MultiplexPlanIC : MultiplexIC {
  static constexpr std::string_view name = "multiplex_ic";
};

/// Person-rooted RR sets for the planner: as RRSampler<MultiplexIC>, with the root person drawn
/// in proportion to its weight when root_weights (one per expanded account, equal on a person's
/// accounts: the planner's expanded audience) are given; total_weight() = the people's weight.
template <>
class RRSampler<MultiplexPlanIC>
    : public detail::OneByOneRRSampler<RRSampler<MultiplexPlanIC>, detail::ReverseSearchScratch> {
 public:
  RRSampler(const FollowerGraph& g, const MultiplexPlanIC& model, std::uint32_t max_depth = UINT32_MAX,
            std::span<const double> root_weights = {}, int threads = 0)
      : mx_(model.multiplex), max_depth_(max_depth) {
    (void)threads;
    model.validate(g);
    const vertex_t P = mx_.num_people();
    KOLSIM_REQUIRE(P > 0, "RR sampling: the multiplex has no people");
    this->init_roots(g, {}, P);
    if (root_weights.empty()) return;
    KOLSIM_REQUIRE(root_weights.size() == g.num_vertices(), "root_weights: expected ", g.num_vertices(),
                   " weights (one per account), got ", root_weights.size());
    std::vector<double> w(P);
    for (vertex_t p = 0; p < P; ++p) w[p] = root_weights[mx_.accounts_of_person(p)[0]];
    people_ = detail::RRAliasTable(w);
    weighted_ = true;
  }
  double total_weight() const noexcept { return weighted_ ? people_.total() : static_cast<double>(mx_.num_people()); }
  std::size_t bytes() const noexcept { return people_.bytes(); }

 private:
  using Scratch = detail::ReverseSearchScratch;
  friend class detail::OneByOneRRSampler<RRSampler, Scratch>;

  void draw(std::uint64_t seed, std::uint32_t domain, std::uint64_t index, RRCollection& out, Scratch& s) const {
    const FollowerGraph& g = this->graph();
    detail::begin_reverse_search(s, g.num_vertices());
    Rng rng(seed, index, domain);
    const vertex_t root = weighted_ ? people_.draw(rng) : this->draw_root(rng);
    for (vertex_t x : mx_.accounts_of_person(root)) detail::add_reverse_root(s, x);
    detail::reverse_search(g, IcTriggering{}, rng, max_depth_, s);
    out.push_set(s.nodes);
  }

  Multiplex mx_;
  std::uint32_t max_depth_;
  bool weighted_ = false;
  detail::RRAliasTable people_;
};

namespace detail {

/// The multiplex world for run_prefix_reach(): IC on the expanded graph with StepPrefixWorld's
/// counter-based edge coins (seed, t, edge / 4), within `deadline` steps; a person counts once,
/// through the first of their accounts reached (the one passed to PrefixScratch::reach), and
/// step_of() is the earliest step at which any of the person's accounts was reached.
class MultiplexPrefixWorld {
 public:
  static constexpr bool has_steps = true;

  struct Scratch : PrefixScratch {
    std::vector<std::uint32_t> astamp, pstamp, dist;
    std::vector<vertex_t> queue;
  };

  MultiplexPrefixWorld(const Multiplex& mx, const Audience& aud, std::uint32_t deadline, std::uint64_t seed)
      : mx_(mx), g_(mx.expanded()), aud_(aud), deadline_(deadline),
        limited_(deadline != std::numeric_limits<std::uint32_t>::max()), seed_(seed), out_off_(g_.out_offsets()),
        out_tgt_(g_.out_targets()), out_p_(g_.edge_probs()), vperson_(mx.vertex_people()) {}

  vertex_t num_vertices() const { return g_.num_vertices(); }

  void prepare(Scratch& s) const {
    const vertex_t n = g_.num_vertices();
    if (s.stamp.size() == n) return;
    s.stamp.assign(n, 0);
    s.astamp.assign(n, 0);
    s.dist.assign(n, 0);
    s.pstamp.assign(mx_.num_people(), 0);
    s.epoch = 0;
  }

  void begin_trial(Scratch& s) const {
    if (!s.next_trial()) return;
    std::fill(s.astamp.begin(), s.astamp.end(), 0);
    std::fill(s.pstamp.begin(), s.pstamp.end(), 0);
  }

  /// Adds seed v to trial t's cascade and extends it; `value` gains the weight of each new person.
  void extend(Scratch& s, std::uint64_t t, vertex_t v, double& value) const {
    if (s.astamp[v] != s.epoch) touch(s, v, value);
    else if (s.dist[v] == 0) return;
    s.dist[v] = 0;
    s.queue.clear();
    s.queue.push_back(v);
    for (std::size_t h = 0; h < s.queue.size(); ++h) expand(s, t, s.queue[h], value);
  }

  /// The earliest step at which trial t (just run in s) reached the person of account v.
  std::uint32_t step_of(const Scratch& s, vertex_t v) const {
    std::uint32_t d = std::numeric_limits<std::uint32_t>::max();
    for (vertex_t x : mx_.accounts_of_person(vperson_[v]))
      if (s.astamp[x] == s.epoch) d = std::min(d, s.dist[x]);
    return d;
  }

 private:
  /// Account w is reached for the first time in this trial; its person counts when new.
  void touch(Scratch& s, vertex_t w, double& value) const {
    s.astamp[w] = s.epoch;
    const vertex_t p = vperson_[w];
    if (s.pstamp[p] == s.epoch) return;
    s.pstamp[p] = s.epoch;
    s.reach(w, aud_, value);
  }

  void expand(Scratch& s, std::uint64_t t, vertex_t u, double& value) const {
    const std::uint32_t ep = s.epoch;
    const std::uint32_t d = s.dist[u];
    if (d >= deadline_) return;
    edge_t block = std::numeric_limits<edge_t>::max();
    r123::Philox4x32::ctr_type words{};
    for (edge_t e = out_off_[u]; e < out_off_[u + 1]; ++e) {
      const vertex_t w = out_tgt_[e];
      if (s.astamp[w] == ep && (!limited_ || s.dist[w] <= d + 1)) continue;
      if ((e >> 2) != block) {
        block = e >> 2;
        words = prefix_block(seed_, t, static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32));
      }
      if (!(static_cast<double>(words.v[e & 3]) < static_cast<double>(out_p_[e]) * 4294967296.0)) continue;
      if (s.astamp[w] != ep) touch(s, w, value);
      s.dist[w] = d + 1;
      s.queue.push_back(w);
    }
  }

  const Multiplex& mx_;
  const FollowerGraph& g_;
  const Audience& aud_;
  std::uint32_t deadline_;
  bool limited_;
  std::uint64_t seed_;
  std::span<const edge_t> out_off_;
  std::span<const vertex_t> out_tgt_;
  std::span<const prob_t> out_p_;
  std::span<const vertex_t> vperson_;
};

/// Reach in people of every prefix of an ordered seed list on common multiplex worlds (the
/// multiplex counterpart of prefix_reach()); identical for any thread count.
inline PrefixReach multiplex_prefix_reach(const Multiplex& mx, std::span<const vertex_t> base,
                                          std::span<const double> base_q, std::span<const vertex_t> order,
                                          std::span<const double> order_q, const Audience& aud,
                                          std::uint32_t deadline, std::uint64_t trials, std::uint64_t seed,
                                          int threads, const StopToken& stop) {
  const MultiplexPrefixWorld world(mx, aud, deadline, seed);
  return run_prefix_reach(world, PrefixSeeds{base, base_q, order, order_q}, aud, trials, seed, threads, stop);
}

/// The planner's check on a multiplex, counting people: check_plan()'s fields, every number from
/// multiplex_prefix_reach on its own seeds (never the RR sets'): the plan's reach is the last
/// prefix, reach by step its cumulative new reach, groups count people.
template <>
struct CampaignCheck<MultiplexPlanIC> {
  static void run(const FollowerGraph&, const MultiplexPlanIC& model, const CampaignSpec& spec,
                  const std::vector<vertex_t>& contracted, const std::vector<double>& contracted_q,
                  const std::vector<vertex_t>& seeds, const std::vector<vertex_t>&, const std::vector<double>& all_q,
                  const std::vector<double>& q, const std::vector<std::vector<vertex_t>>& replan_seeds,
                  const std::vector<double>& group_target, CampaignPlan& plan, BatchShare* batches = nullptr,
                  PrefixShare* prefixes = nullptr) {
    KOLSIM_REQUIRE(batches == nullptr && prefixes == nullptr,
                   "plan_campaign: a multiplex plan runs in one process (no distributed back end)");
    const Multiplex& mx = model.multiplex;
    const Audience& aud = spec.audience;
    std::size_t replans = 0;
    for (const CurvePoint& cp : plan.budget_curve) replans += cp.source == "replan";
    const std::uint64_t steps = 1 + plan.kols.size() + replans;
    std::uint64_t done = 0;
    auto tick = [&] { report_progress(spec.progress, "evaluation", ++done, steps); };
    report_progress(spec.progress, "evaluation", 0, steps);
    const std::vector<double> order_q(all_q.begin() + static_cast<std::ptrdiff_t>(contracted.size()), all_q.end());
    const PrefixReach pr = multiplex_prefix_reach(mx, contracted, contracted_q, seeds, order_q, aud, spec.deadline,
                                                  spec.check_trials, spec.seed ^ 0xC2B2AE3D27D4EB4Full, spec.threads,
                                                  spec.stop);
    tick();
    double cum = 0.0;
    for (double x : pr.new_per_step) plan.reach_by_step.push_back(cum += x);
    apply_prefix_reach(pr, true, plan);
    auto reach_of = [&](std::span<const vertex_t> s, std::span<const double> sq, std::uint64_t trials,
                        std::uint64_t seed) {
      const PrefixReach e = multiplex_prefix_reach(mx, s, sq, {}, {}, aud, spec.deadline, trials, seed, spec.threads,
                                                   spec.stop);
      return std::pair<double, double>{e.prefix_mean[0], e.prefix_se[0]};
    };
    const std::uint64_t own_trials = std::min<std::uint64_t>(spec.check_trials, own_reach_trials);
    for (KolChoice& k : plan.kols) {
      const vertex_t one[1] = {k.vertex};
      std::tie(k.own_reach, k.own_reach_se) = reach_of(one, {}, own_trials, spec.seed ^ 0x165667B19E3779F9ull);
      tick();
    }
    std::size_t ri = 0;
    for (CurvePoint& cp : plan.budget_curve) {
      if (cp.source != "replan") continue;
      const auto& s = replan_seeds[ri++];
      std::vector<double> sq;
      for (vertex_t v : s) sq.push_back(q[v]);
      std::tie(cp.reach, cp.se) = reach_of(s, sq, spec.check_trials, spec.seed ^ 0x9E3779B97F4A7C15ull);
      cp.estimate = "monte_carlo";
      tick();
    }
    add_prefix_curve(pr, plan);
    // Groups in people: size and weight over people (through each person's first account).
    add_group_reach(aud, mx.num_people(), [&](vertex_t p) { return mx.accounts_of_person(p)[0]; }, pr,
                    group_target, plan);
  }
};

/// The person audience (P weights / groups by person index) spread over the expanded graph:
/// every account carries its person's weight and group; bound to mx.expanded().
inline Audience expand_person_audience(const Multiplex& mx, const Audience& people) {
  const vertex_t P = mx.num_people(), N = mx.num_accounts();
  KOLSIM_REQUIRE(!people.graph.bound() || people.graph.num_vertices() == P,
                 "plan_campaign: the audience of a multiplex plan is per person (", P,
                 " entries in person-index order), not bound to a graph");
  people.validate(P);
  Audience a;
  a.group_names = people.group_names;
  if (people.weighted()) a.weights.resize(N);
  if (people.grouped()) a.group_of.resize(N);
  for (vertex_t x = 0; x < N; ++x) {
    const vertex_t p = mx.person_of(x);
    if (people.weighted()) a.weights[x] = people.weights[p];
    if (people.grouped()) a.group_of[x] = people.group_of[p];
  }
  a.graph = GraphBinding(mx.expanded());
  return a;
}

/// People reached per platform by the plan's seeds (independent Monte Carlo on the multiplex).
inline void add_platform_reach(const Multiplex& mx, const CampaignSpec& spec, const std::vector<vertex_t>& all,
                               const std::vector<double>& all_q, MultiplexPlan& plan) {
  for (std::uint32_t l = 0; l < mx.num_layers(); ++l) plan.platforms.push_back({mx.layer(l).name, 0, 0, 0, 0});
  for (const KolChoice& k : plan.kols) {
    auto& p = plan.platforms[mx.layer_of(k.vertex)];
    ++p.kols;
    p.fee += k.fee;
  }
  if (spec.check_trials == 0 || all.empty()) return;
  MonteCarloOptions mo;
  mo.trials = spec.check_trials;
  mo.seed = spec.seed ^ 0x85EBCA6B27D4EB2Full;
  mo.threads = spec.threads;
  mo.max_steps = spec.deadline;
  for (double x : all_q) mo.seed_probabilities.push_back(static_cast<prob_t>(x));
  mo.stop = spec.stop;
  const MultiplexEstimate e = estimate_spread(mx, std::span<const vertex_t>(all), mo);
  for (std::uint32_t l = 0; l < mx.num_layers(); ++l) {
    plan.platforms[l].reach = e.layer_mean[l];
    plan.platforms[l].se = e.layer_std_error[l];
  }
}

}  // namespace detail

/// Plans a KOL campaign on a multiplex: chooses (person, platform) rows of `roster` to maximise
/// the expected (weighted) number of PEOPLE reached under `spec`, and checks the plan by
/// independent Monte Carlo of the multiplex cascade counting people. spec.audience is per person
/// (weights / groups indexed by person index, Multiplex::person_index; empty = every person
/// weighs 1), group minimums count people; spec.contracted / excluded are expanded vertices
/// (account ids of mx.expanded(), Multiplex::seed_vertex). The model is the multiplex's IC
/// (layers' probabilities and cross-posting). Throws as plan_campaign(), and std::invalid_argument
/// when the roster was bound to another multiplex or spec.deadline is 0.
inline MultiplexPlan plan_campaign(const Multiplex& mx, const MultiplexRoster& roster, const CampaignSpec& spec) {
  KOLSIM_REQUIRE(roster.multiplex().expanded().topology() == mx.expanded().topology(),
                 "plan_campaign: the roster was bound to another multiplex");
  KOLSIM_REQUIRE(spec.deadline > 0,
                 "plan_campaign: deadline 0 is not available on a multiplex (a person is reached by any of their "
                 "accounts; use deadline >= 1)");
  CampaignSpec s = spec;
  s.audience = detail::expand_person_audience(mx, spec.audience);
  const bool one_account_each = mx.num_people() == mx.num_accounts();
  MultiplexPlan plan;
  if (one_account_each) {
    static_cast<CampaignPlan&>(plan) =
        detail::CampaignPlanner<IndependentCascade>(mx.expanded(), IndependentCascade{}, roster.accounts(), s).run();
  } else {
    MultiplexPlanIC model;
    model.multiplex = mx;
    static_cast<CampaignPlan&>(plan) = detail::CampaignPlanner<MultiplexPlanIC>(mx.expanded(), model, roster.accounts(), s).run();
  }
  plan.spec.audience = spec.audience;
  plan.model = "multiplex_ic";
  plan.people = mx.num_people();
  plan.counting = one_account_each ? "accounts" : "people";
  // Seeds of the whole plan (contracted first), before the KOLs are renamed to people.
  std::vector<vertex_t> all;
  std::vector<double> all_q;
  auto qof = [&](vertex_t x) { return spec.risk_mode == RiskMode::expected ? 1.0 - roster.accounts().risk(x) : 1.0; };
  for (account_t a : spec.contracted) all.push_back(mx.expanded().index_of(a));
  for (const KolChoice& k : plan.kols) all.push_back(k.vertex);
  for (vertex_t x : all) all_q.push_back(qof(x));
  for (KolChoice& k : plan.kols) k.account = mx.people()[mx.person_of(k.vertex)];
  detail::add_platform_reach(mx, spec, all, all_q, plan);
  return plan;
}

}  // namespace kolsim

// SPDX-License-Identifier: MIT
/// Python bindings of campaign planning: the KOL roster, audiences, plan_campaign (budget, risk,
/// deadline in steps or, with the continuous-time ContinuousIC, in hours, audience groups,
/// certified ratio, independent check), replan_without and platform_delay_rates.
#include <cmath>
#include <limits>
#include <map>

#include "bind_common.hpp"
#include "bind_pickle.hpp"
#include "bind_plan.hpp"
#include "kolsim/campaign/audience.hpp"
#include "kolsim/campaign/plan.hpp"
#include "kolsim/campaign/report.hpp"
#include "kolsim/campaign/roster.hpp"

namespace kolsim::python {

namespace {

py::dict entry_dict(const RosterEntry& e) {
  py::dict d;
  d["account"] = e.account;
  d["fee"] = e.fee;
  d["risk"] = e.risk;
  d["platform"] = e.platform;
  d["tags"] = e.tags;
  return d;
}

py::dict kol_dict(const KolChoice& k) {
  py::dict d;
  d["account"] = k.account;
  d["fee"] = k.fee;
  d["risk"] = k.risk;
  d["platform"] = k.platform;
  d["tags"] = k.tags;
  d["marginal_reach"] = k.marginal_reach;
  d["marginal_se"] = k.marginal_se;
  d["marginal_rr"] = k.marginal_rr;
  d["marginal_rr_selection"] = k.marginal_rr_selection;
  d["own_reach"] = k.own_reach;
  d["own_reach_se"] = k.own_reach_se;
  d["own_reach_rr"] = k.own_reach_rr;
  d["risk_loss"] = k.risk_loss;
  d["penalty"] = k.penalty;
  return d;
}

/// The account-table fingerprint a roster or audience is bound to, or None when unbound.
py::object binding_fingerprint(const GraphBinding& b) {
  return b.bound() ? py::object(py::int_(b.fingerprint())) : py::object(py::none());
}

RosterOptions roster_options(bool include_non_roster, double non_roster_fee, double non_roster_risk) {
  RosterOptions o;
  o.include_non_roster = include_non_roster;
  o.non_roster_fee = non_roster_fee;
  o.non_roster_risk = non_roster_risk;
  return o;
}

template <class M>
CampaignPlan plan_py(const BoundModel<M>& m, const Roster& roster, double budget, std::size_t max_kols,
                     double max_risk, const std::string& risk_mode, double risk_penalty,
                     std::optional<std::uint32_t> deadline, std::optional<double> deadline_hours, double epsilon,
                     double delta, std::uint64_t seed,
                     int threads, std::optional<Audience> audience, std::map<std::string, double> group_minimums,
                     std::uint64_t check_trials, py::handle budget_curve, const std::string& method,
                     py::handle contracted, py::handle excluded, std::size_t memory_limit) {
  CampaignSpec spec = campaign_spec(budget, max_kols, max_risk, risk_mode, risk_penalty, deadline, deadline_hours,
                                    epsilon, delta, seed, threads, std::move(audience), group_minimums, check_trials,
                                    budget_curve, method, contracted, excluded, memory_limit);
  CampaignPlan plan = without_gil([&] { return plan_campaign(m.graph, m.model, roster, spec); });
  plan.spec.stop = nullptr;  // the token must not outlive the call
  plan.spec.progress = nullptr;
  return plan;
}

template <class M>
ReplanResult replan_py(const BoundModel<M>& m, const Roster& roster, const CampaignPlan& plan, account_t dropped) {
  const StopToken stop = python_stop_token();
  CampaignPlan p = plan;  // the re-plan reports its progress through the plan's spec
  p.spec.progress = python_progress();
  ReplanResult r = without_gil([&] { return replan_without(m.graph, m.model, roster, p, dropped, stop); });
  r.replacement.spec.stop = nullptr;
  r.replacement.spec.progress = nullptr;
  return r;
}

constexpr const char* continuous_ic_doc = R"doc(Continuous-time Independent Cascade on a graph, for plan_campaign's deadline in hours.

A live edge u -> v (probability of the graph) delays the message by an exponential with ``rate``
(per second, one per edge in out-edge order, e.g. ``learn_netrate(...).rate`` or
``platform_delay_rates``; ``default_rate`` when None) or, with ``delay_samples``, by one of those
seconds. Only accounts reached within ``horizon`` seconds count; ``plan_campaign(...,
deadline_hours=T)`` sets the horizon to T hours.

Examples
--------
>>> import kolsim
>>> g = kolsim.constant_probability(kolsim.from_edges([0, 0, 3], [1, 2, 4]), 1.0)
>>> fast = kolsim.ContinuousIC(g, rate=[1e-6, 1e-6, 1.0])
>>> roster = kolsim.Roster(g, [0, 3], fees=[1.0, 1.0])
>>> kolsim.plan_campaign(fast, roster, max_kols=1, deadline_hours=1.0, check_trials=500, seed=1).kols[0]["account"]
3
)doc";

BoundModel<ContinuousIC> make_continuous_ic(FollowerGraph g, double horizon, py::handle rate, double default_rate,
                                            py::handle delay_samples) {
  BoundModel<ContinuousIC> b(std::move(g));
  b.model.horizon = horizon;
  b.model.rate = number_vector<double>(rate, "rate");
  b.model.default_rate = default_rate;
  b.model.delay_samples = number_vector<double>(delay_samples, "delay_samples");
  b.model.validate(b.graph);
  return b;
}

constexpr const char* plan_doc = R"doc(Plans a KOL campaign from a roster: maximise the (audience-weighted) reach
within ``budget`` and/or ``max_kols``, honouring scandal risk, a deadline, group minimums, and
already contracted or excluded accounts; the plan carries a certified ratio and an independent
Monte Carlo check (``check_trials``).

Returns
-------
CampaignPlan
    ``kols`` (list of dicts), ``reach`` +- ``reach_se``, ``certified_ratio``, ``to_table()``,
    ``to_json()``/``as_dict()``, ``save_json(path)``.

Examples
--------
>>> import kolsim
>>> g = kolsim.weighted_cascade(kolsim.preferential_attachment(500, 3, seed=1))
>>> roster = kolsim.Roster(g, g.accounts[:50], fees=[1.0] * 50)
>>> plan = kolsim.plan_campaign(kolsim.IndependentCascade(g), roster, budget=3, check_trials=500, seed=2)
>>> len(plan.kols) <= 3 and plan.reach > 0
True
)doc";

/// ContinuousIC (deadline in hours) and platform_delay_rates, its per-platform delay rates.
void bind_continuous_ic(py::module_& m) {
  py::class_<BoundModel<ContinuousIC>>(m, "ContinuousIC", continuous_ic_doc)
      .def(py::init(&make_continuous_ic), py::arg("graph"), py::arg("horizon") = std::numeric_limits<double>::infinity(),
           py::arg("rate") = py::none(), py::arg("default_rate") = ContinuousIC{}.default_rate,
           py::arg("delay_samples") = py::none())
      .def_readonly("graph", &BoundModel<ContinuousIC>::graph, "The follower graph the model runs on.")
      .def_property_readonly_static("name", [](py::object) { return std::string(ContinuousIC::name); })
      .def_property_readonly("horizon", [](const BoundModel<ContinuousIC>& b) { return b.model.horizon; })
      .def_property_readonly("default_rate", [](const BoundModel<ContinuousIC>& b) { return b.model.default_rate; })
      .def_property_readonly("rate", [](const BoundModel<ContinuousIC>& b) { return to_numpy(std::vector<double>(b.model.rate)); })
      .def_property_readonly("delay_samples",
                             [](const BoundModel<ContinuousIC>& b) { return to_numpy(std::vector<double>(b.model.delay_samples)); })
      .def("__repr__", [](const BoundModel<ContinuousIC>& b) {
        return detail::concat("ContinuousIC(graph=FollowerGraph(num_vertices=", b.graph.num_vertices(),
                              ", num_edges=", b.graph.num_edges(), "), horizon=", b.model.horizon, ")");
      })
      .def(py::pickle(
          [](const BoundModel<ContinuousIC>& b) {
            return py::make_tuple(b.graph, b.model.horizon, b.model.rate, b.model.default_rate, b.model.delay_samples);
          },
          [](const py::tuple& t) {
            return make_continuous_ic(t[0].cast<FollowerGraph>(), t[1].cast<double>(), t[2], t[3].cast<double>(), t[4]);
          }));
  m.def(
      "platform_delay_rates",
      [](const FollowerGraph& g, const Roster& roster, std::map<std::string, double> mean_delay_hours,
         double default_rate) { return to_numpy(platform_delay_rates(g, roster, mean_delay_hours, default_rate)); },
      py::arg("graph"), py::arg("roster"), py::arg("mean_delay_hours"),
      py::arg("default_rate") = ContinuousIC{}.default_rate,
      R"doc(Per-edge delay rates (per second, out-edge order) for ContinuousIC from mean delays per platform.

Each out-edge of a roster KOL whose platform is a key of ``mean_delay_hours`` gets the rate
1 / (3600 * hours) of that platform; every other edge gets ``default_rate``.

Examples
--------
>>> import kolsim
>>> g = kolsim.constant_probability(kolsim.from_edges([0, 3], [1, 4]), 1.0)
>>> roster = kolsim.Roster(g, [0, 3], fees=[1.0, 1.0], platforms=["blog", "shorts"])
>>> kolsim.platform_delay_rates(g, roster, {"shorts": 0.5}, default_rate=1e-5).tolist()
[1e-05, 0.0005555555555555556]
)doc");
}

/// The KOL Roster and read_roster.
void bind_roster(py::module_& m) {
  py::class_<Roster>(m, "Roster", R"doc(Candidate KOLs with fee, scandal risk, platform and tags, joined to a graph.

Examples
--------
>>> import kolsim
>>> g = kolsim.from_edges([1, 2], [2, 3])
>>> r = kolsim.Roster(g, [1, 2], fees=[10.0, 5.0], risks=[0.1, 0.0])
>>> len(r), r.entries[0]["fee"]
(2, 10.0)
)doc")
      .def(py::init([](const FollowerGraph& g, py::handle accounts, py::handle fees, py::handle risks,
                       std::optional<std::vector<std::string>> platforms,
                       std::optional<std::vector<std::vector<std::string>>> tags, bool include_non_roster,
                       double non_roster_fee, double non_roster_risk) {
             const auto acc = account_vector(accounts, "accounts");
             const auto f = number_vector<double>(fees, "fees");
             const auto r = number_vector<double>(risks, "risks");
             const std::vector<std::string> p = platforms ? *platforms : std::vector<std::string>{};
             const std::vector<std::vector<std::string>> t = tags ? *tags : std::vector<std::vector<std::string>>{};
             return Roster::from_arrays(g, acc, f, r, p, t,
                                        roster_options(include_non_roster, non_roster_fee, non_roster_risk));
           }),
           py::arg("g"), py::arg("accounts"), py::arg("fees"), py::arg("risks") = py::none(),
           py::arg("platforms") = py::none(), py::arg("tags") = py::none(), py::arg("include_non_roster") = false,
           py::arg("non_roster_fee") = 0.0, py::arg("non_roster_risk") = 0.0)
      .def("__len__", &Roster::size)
      .def_property_readonly("num_vertices", &Roster::num_vertices, "Accounts of the graph the roster was joined to.")
      .def_property_readonly(
          "graph_fingerprint", [](const Roster& r) { return binding_fingerprint(r.graph()); },
          "Fingerprint of the account table of the graph the roster was joined to (plan_campaign rejects "
          "another graph).")
      .def_property_readonly("entries",
                             [](const Roster& r) {
                               py::list out;
                               for (const auto& e : r.entries()) out.append(entry_dict(e));
                               return out;
                             },
                             "One dict per KOL: account, fee, risk, platform, tags.");
  m.def(
      "read_roster",
      [](py::handle csv_path, const FollowerGraph& g, bool include_non_roster, double non_roster_fee,
         double non_roster_risk) {
        const std::string p = to_path(csv_path);
        RosterOptions o = roster_options(include_non_roster, non_roster_fee, non_roster_risk);
        o.progress = python_progress();
        return without_gil([&] { return read_roster(p, g, o); });
      },
      py::arg("csv_path"), py::arg("g"), py::arg("include_non_roster") = false, py::arg("non_roster_fee") = 0.0,
      py::arg("non_roster_risk") = 0.0, R"doc(Loads a roster CSV (header: account, fee[, risk, platform, tags]).

Numbers are decimal (no hex, inf or nan); every field must be UTF-8 without control
characters; a header with no rows is an error unless ``include_non_roster``. The roster is
bound to ``g``: plan_campaign rejects it on another graph. Raises kolsim.ParseError naming file
and line for bad rows, OSError when unreadable.

Examples
--------
>>> import kolsim, os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "roster.csv")
>>> _ = open(path, "w").write("account,fee,risk\n1,10,0.1\n2,5,0\n")
>>> len(kolsim.read_roster(path, kolsim.from_edges([1, 2], [2, 3])))
2
)doc");
}

/// The Audience (weights and groups for targeted reach) and read_audience.
void bind_audience(py::module_& m) {
  py::class_<Audience>(m, "Audience", R"doc(Per-account weights and groups for targeted reach.

``weights`` (one per dense index, empty = all 1), ``group_of`` (group index per dense index,
2**32-1 = none) and ``group_names``. With ``g`` the audience is checked against and bound to
that graph (plan_campaign then rejects it on another graph); without, it is unbound and only
its size is checked when planning.

Examples
--------
>>> import kolsim
>>> a = kolsim.Audience(weights=[1.0, 0.0, 2.0])
>>> a.weights.tolist()
[1.0, 0.0, 2.0]
)doc")
      .def(py::init([](py::handle weights, py::handle group_of, std::vector<std::string> group_names,
                       const FollowerGraph* g) {
             Audience a;
             a.weights = number_vector<double>(weights, "weights");
             a.group_of = number_vector<std::uint32_t>(group_of, "group_of");
             a.group_names = std::move(group_names);
             if (g != nullptr) {
               a.validate(g->num_vertices());
               a.graph = GraphBinding(*g);
             }
             return a;
           }),
           py::arg("weights") = py::none(), py::arg("group_of") = py::none(),
           py::arg("group_names") = std::vector<std::string>{}, py::arg("g") = py::none())
      .def_property_readonly("weights", [](const Audience& a) { return to_numpy(std::vector<double>(a.weights)); })
      .def_property_readonly("group_of",
                             [](const Audience& a) { return to_numpy(std::vector<std::uint32_t>(a.group_of)); })
      .def_readonly("group_names", &Audience::group_names)
      .def_property_readonly(
          "graph_fingerprint", [](const Audience& a) { return binding_fingerprint(a.graph); },
          "Fingerprint of the account table of the graph the audience was joined to, or None (unbound).");
  m.def(
      "read_audience",
      [](py::handle csv_path, const FollowerGraph& g, std::map<std::string, double> group_weights,
         double other_weight) {
        const std::string p = to_path(csv_path);
        AudienceOptions o;
        o.group_weights = std::move(group_weights);
        o.other_weight = other_weight;
        o.progress = python_progress();
        return without_gil([&] { return read_audience(p, g, o); });
      },
      py::arg("csv_path"), py::arg("g"), py::arg("group_weights") = std::map<std::string, double>{},
      py::arg("other_weight") = 1.0, R"doc(Loads an audience CSV (header: account and group and/or weight).

Same field rules as read_roster (decimal weights, UTF-8 text, at least one row); the audience
is bound to ``g``. Raises kolsim.ParseError naming file and line, OSError when unreadable.

Examples
--------
>>> import kolsim, os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "aud.csv")
>>> _ = open(path, "w").write("account,group\n1,young\n3,young\n")
>>> kolsim.read_audience(path, kolsim.from_edges([1, 2], [2, 3])).group_names
['young']
)doc");
}

/// CampaignPlan's chosen KOLs, fee, reach with error bars and certificate.
void def_plan_outcome(py::class_<CampaignPlan>& plan_class) {
  plan_class.def_readonly("model", &CampaignPlan::model)
      .def_readonly("graph_checksum", &CampaignPlan::graph_checksum)
      .def_property_readonly("kols",
                             [](const CampaignPlan& p) {
                               py::list out;
                               for (const auto& k : p.kols) out.append(kol_dict(k));
                               return out;
                             })
      .def_property_readonly("seeds",
                             [](const CampaignPlan& p) {
                               std::vector<account_t> a;
                               for (const auto& k : p.kols) a.push_back(k.account);
                               return to_numpy(std::move(a));
                             },
                             "Account ids of the chosen KOLs (uint64).")
      .def_property_readonly("contracted", [](const CampaignPlan& p) { return to_numpy(std::vector<account_t>(p.contracted)); })
      .def_readonly("total_fee", &CampaignPlan::total_fee)
      .def_readonly("reach", &CampaignPlan::reach)
      .def_readonly("reach_se", &CampaignPlan::reach_se)
      .def_readonly("reach_ci_low", &CampaignPlan::reach_ci_low)
      .def_readonly("reach_ci_high", &CampaignPlan::reach_ci_high)
      .def_readonly("accounts_reached", &CampaignPlan::accounts_reached)
      .def_readonly("accounts_reached_se", &CampaignPlan::accounts_reached_se)
      .def_readonly("reach_rr", &CampaignPlan::reach_rr)
      .def_readonly("total_weight", &CampaignPlan::total_weight)
      .def_readonly("certified_ratio", &CampaignPlan::certified_ratio)
      .def_readonly("guarantee", &CampaignPlan::guarantee)
      .def_readonly("lower_bound", &CampaignPlan::lower_bound)
      .def_readonly("upper_bound", &CampaignPlan::upper_bound)
      .def_readonly("rule", &CampaignPlan::rule);
}

/// CampaignPlan's per-group reach, reach-vs-budget points and reach by step.
void def_plan_breakdowns(py::class_<CampaignPlan>& plan_class) {
  plan_class.def_property_readonly("groups",
                             [](const CampaignPlan& p) {
                               py::list out;
                               for (const auto& g : p.groups) {
                                 py::dict d;
                                 d["name"] = g.name;
                                 d["size"] = g.size;
                                 d["weight"] = g.weight;
                                 d["reach"] = g.reach;
                                 d["se"] = g.se;
                                 d["minimum"] = g.minimum;
                                 d["met"] = g.met;
                                 out.append(d);
                               }
                               return out;
                             },
                             "Per audience group: name, size, weight, reach, se, minimum, met.")
      .def_property_readonly("budget_curve",
                             [](const CampaignPlan& p) {
                               py::list out;
                               for (const auto& c : p.budget_curve) {
                                 py::dict d;
                                 d["source"] = c.source;
                                 d["budget"] = c.budget;
                                 d["fee"] = c.fee;
                                 d["kols"] = c.kols;
                                 d["reach"] = c.reach;
                                 d["se"] = c.se;
                                 d["estimate"] = c.estimate;
                                 d["reach_rr"] = c.reach_rr;
                                 d["se_rr"] = c.se_rr;
                                 out.append(d);
                               }
                               return out;
                             },
                             "Reach-vs-budget points: source, budget, fee, kols, reach, se, estimate, reach_rr, se_rr.")
      .def_property_readonly("reach_by_step",
                             [](const CampaignPlan& p) { return to_numpy(std::vector<double>(p.reach_by_step)); });
}

/// CampaignPlan's run record: RR sets, trials, memory, timings, JSON and text reports.
void def_plan_record(py::class_<CampaignPlan>& plan_class) {
  plan_class.def_readonly("rr_sets", &CampaignPlan::rr_sets)
      .def_readonly("check_trials", &CampaignPlan::check_trials)
      .def_readonly("rounds", &CampaignPlan::rounds)
      .def_readonly("peak_bytes", &CampaignPlan::peak_bytes)
      .def_property_readonly("phase_seconds",
                             [](const CampaignPlan& p) {
                               py::dict d;
                               for (auto& [k, v] : p.phase_seconds) d[py::str(k)] = v;
                               return d;
                             })
      .def_readonly("seconds", &CampaignPlan::seconds)
      .def("to_json", &CampaignPlan::to_json, "The run record as JSON text.")
      .def("as_dict", [](const CampaignPlan& p) { return py::module_::import("json").attr("loads")(p.to_json()); },
           "The run record as a dict (parsed to_json()).")
      .def("to_table", &CampaignPlan::to_table, "A readable text report.")
      .def("save_json", [](const CampaignPlan& p, py::handle path) { p.save_json(to_path(path)); }, py::arg("path"),
           "Writes the JSON run record atomically.")
      .def("__str__", &CampaignPlan::to_table)
      .def("__repr__", [](const CampaignPlan& p) {
        return detail::concat("CampaignPlan(kols=", p.kols.size(), ", total_fee=", p.total_fee, ", reach=", p.reach,
                              " ± ", p.reach_se, ", certified_ratio=", p.certified_ratio, ")");
      });
}

/// The result classes CampaignPlan and ReplanResult (neither can be pickled).
void bind_plan_results(py::module_& m) {
  py::class_<CampaignPlan> plan_class(m, "CampaignPlan",
                                      "A campaign plan with error bars, certificate and run record.");
  def_plan_outcome(plan_class);
  def_plan_breakdowns(plan_class);
  def_plan_record(plan_class);
  py::class_<ReplanResult> replan_class(m, "ReplanResult", "What dropping one KOL costs and the best re-plan.");
  replan_class.def_readonly("dropped", &ReplanResult::dropped)
      .def_readonly("dropped_fee", &ReplanResult::dropped_fee)
      .def_readonly("reach_with", &ReplanResult::reach_with)
      .def_readonly("reach_without", &ReplanResult::reach_without)
      .def_readonly("reach_lost", &ReplanResult::reach_lost)
      .def_readonly("reach_lost_se", &ReplanResult::reach_lost_se)
      .def_readonly("freed_budget", &ReplanResult::freed_budget)
      .def_readonly("replacement", &ReplanResult::replacement)
      .def_property_readonly("replacements",
                             [](const ReplanResult& r) { return to_numpy(std::vector<account_t>(r.replacements)); })
      .def_readonly("reach_after", &ReplanResult::reach_after)
      .def_readonly("reach_after_se", &ReplanResult::reach_after_se)
      .def("to_table", &ReplanResult::to_table)
      .def("__str__", &ReplanResult::to_table);
  // A plan holds the C++ campaign records (the spec with its audience, per-KOL choices, group
  // and budget curves) that have no pickled form; its JSON run record holds every number.
  refuse_pickle(plan_class, "CampaignPlan",
                "it holds C++ campaign records with no pickled form; keep plan.as_dict() or "
                "plan.save_json(path), the run record with every reported number");
  refuse_pickle(replan_class, "ReplanResult",
                "it holds a CampaignPlan (the re-plan), which cannot be pickled; keep "
                "result.replacement.as_dict() and the numbers you need");
}

/// plan_campaign and replan_without, one overload per model (IC, LT, ContinuousIC).
void bind_plan_functions(py::module_& m) {
  auto def_plan = [&](auto fn, const char* doc) { def_plan_campaign(m, fn, doc); };
  def_plan(&plan_py<IndependentCascade>, plan_doc);
  def_plan(&plan_py<LinearThreshold>, "");
  def_plan(&plan_py<ContinuousIC>, "");
  constexpr const char* replan_doc = R"doc("What if KOL ``dropped`` leaves?": reach lost and the best re-plan with the freed budget.

Examples
--------
>>> import kolsim
>>> g = kolsim.weighted_cascade(kolsim.preferential_attachment(500, 3, seed=1))
>>> model = kolsim.IndependentCascade(g)
>>> roster = kolsim.Roster(g, g.accounts[:50], fees=[1.0] * 50)
>>> plan = kolsim.plan_campaign(model, roster, budget=3, check_trials=500, seed=2)
>>> r = kolsim.replan_without(model, roster, plan, int(plan.seeds[0]))
>>> r.dropped == int(plan.seeds[0])
True
)doc";
  m.def("replan_without", &replan_py<IndependentCascade>, py::arg("model"), py::arg("roster"), py::arg("plan"),
        py::arg("dropped"), replan_doc);
  m.def("replan_without", &replan_py<LinearThreshold>, py::arg("model"), py::arg("roster"), py::arg("plan"),
        py::arg("dropped"));
  m.def("replan_without", &replan_py<ContinuousIC>, py::arg("model"), py::arg("roster"), py::arg("plan"),
        py::arg("dropped"));
}

}  // namespace

void bind_campaign(py::module_& m) {
  bind_continuous_ic(m);
  bind_roster(m);
  bind_audience(m);
  bind_plan_results(m);
  bind_plan_functions(m);
}

}  // namespace kolsim::python

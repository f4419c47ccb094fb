// SPDX-License-Identifier: MIT
/// Multi-platform (multiplex) networks: the Multiplex type, its spread in people and per
/// platform (Monte Carlo, exact) and IMM / OPIM-C over person-rooted RR sets
/// (kolsim/graph/multiplex.hpp, kolsim/estimate/multiplex_estimate.hpp).
#include "bind_args.hpp"
#include "bind_common.hpp"
#include "bind_options.hpp"
#include "bind_pickle.hpp"
#include "kolsim/campaign/multiplex_plan.hpp"
#include "kolsim/estimate/multiplex_competitive.hpp"
#include "kolsim/estimate/multiplex_estimate.hpp"
#include "kolsim/select/multiplex_blocking.hpp"
#include "kolsim/select/imm.hpp"
#include "kolsim/select/opim.hpp"

#include <pybind11/stl.h>

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kolsim::python {

namespace {

struct PyMultiplexSelection {
  std::string method;
  std::vector<std::pair<account_t, std::string>> seeds;
  std::vector<double> marginal_gains;
  double spread = 0, approximation = 0, seconds = 0;
  std::uint64_t rr_sets = 0;
};

/// A layer given as a name or an index.
std::uint32_t layer_arg(const Multiplex& mx, py::handle h) {
  if (py::isinstance<py::str>(h)) return mx.layer_named(h.cast<std::string>());
  if (py::isinstance<py::bool_>(h) || !py::isinstance<py::int_>(h))
    throw py::type_error("a platform is given by its name (str) or index (int), got " +
                         std::string(py::str(py::type::handle_of(h).attr("__name__"))));
  const long long l = h.cast<long long>();
  KOLSIM_REQUIRE_INDEX(l >= 0 && l < mx.num_layers(), "platform index ", l, " out of range (", mx.num_layers(),
                       " platforms)");
  return static_cast<std::uint32_t>(l);
}

/// Expanded vertices of a sequence of (person, platform) pairs (None = empty).
std::vector<vertex_t> seed_vertices(const Multiplex& mx, py::handle obj, const char* what) {
  std::vector<vertex_t> out;
  if (obj.is_none()) return out;
  for (py::handle item : py::iter(obj)) {
    if (!py::isinstance<py::sequence>(item) || py::isinstance<py::str>(item) || py::len(item) != 2)
      throw py::type_error(std::string(what) + ": each entry is a (person, platform) pair");
    const auto pair = py::reinterpret_borrow<py::sequence>(item);
    const std::vector<account_t> person = account_vector(py::make_tuple(pair[0]), what);
    out.push_back(mx.seed_vertex(person[0], layer_arg(mx, pair[1])));
  }
  return out;
}

std::pair<account_t, std::string> seed_pair(const Multiplex& mx, vertex_t x) {
  return {mx.people()[mx.person_of(x)], mx.layer(mx.layer_of(x)).name};
}

py::list step_lists(std::vector<std::vector<double>>&& v) {
  py::list out;
  for (auto& row : v) out.append(to_numpy(std::move(row)));
  return out;
}

/// A getter of a result's float64 array: a new numpy array copied from `field`.
template <class T>
auto copied_array(std::vector<double> T::*field) {
  return [field](const T& r) { return to_numpy(std::vector<double>(r.*field)); };
}

/// A getter of a result's per-platform step profiles: a list of new numpy arrays.
template <class T>
auto copied_step_lists(std::vector<std::vector<double>> T::*field) {
  return [field](const T& r) { return step_lists(std::vector<std::vector<double>>(r.*field)); };
}

/// The step profiles and reach probabilities MultiplexEstimate and MultiplexExact share (new arrays).
template <class T>
void def_reach_profiles(py::class_<T>& cls) {
  cls.def_property_readonly("new_per_step", copied_array<T>(&T::new_per_step))
      .def_property_readonly("layer_new_per_step", copied_step_lists<T>(&T::layer_new_per_step))
      .def_property_readonly("person_probability", copied_array<T>(&T::person_probability))
      .def_property_readonly("activation_probability", copied_array<T>(&T::activation_probability));
}

/// Makes pickling a multiplex result raise TypeError: it means nothing without its Multiplex.
template <class T>
void refuse_multiplex_pickle(py::class_<T>& cls, const char* name, const char* rerun) {
  const std::string message = std::string("cannot pickle kolsim.") + name +
                              ": it is not self-contained without its Multiplex; keep the layers, identity table "
                              "and seed, and re-run " + rerun;
  cls.def("__reduce__", [message](const T&) -> py::object { throw py::type_error(message); });
}

Multiplex make_multiplex(const py::sequence& layers, py::handle persons, py::handle platforms, py::handle accounts,
                         py::handle cross_posting, const std::string& unlisted) {
  std::vector<MultiplexLayer> ls;
  for (py::handle item : layers) {
    const auto pair = item.cast<std::pair<std::string, FollowerGraph>>();
    ls.push_back({pair.first, pair.second});
  }
  const auto ps = account_vector(persons, "persons");
  const auto as = account_vector(accounts, "accounts");
  std::vector<std::uint32_t> lids;
  for (py::handle h : py::iter(platforms)) {
    if (py::isinstance<py::str>(h)) {
      const std::string name = h.cast<std::string>();
      std::uint32_t l = 0;
      while (l < ls.size() && ls[l].name != name) ++l;
      KOLSIM_REQUIRE_INDEX(l < ls.size(), "identity table: no platform is named '", name, "'");
      lids.push_back(l);
    } else {
      const long long l = h.cast<long long>();
      KOLSIM_REQUIRE(l >= 0 && l <= 0xFFFFFFFFll, "identity table: platform index ", l, " is negative or too large");
      lids.push_back(static_cast<std::uint32_t>(l));
    }
  }
  KOLSIM_REQUIRE(ps.size() == lids.size() && ps.size() == as.size(), "identity table: ", ps.size(), " persons, ",
                 lids.size(), " platforms and ", as.size(), " accounts (one each per row)");
  std::vector<IdentityRow> rows(ps.size());
  for (std::size_t i = 0; i < ps.size(); ++i) rows[i] = {ps[i], lids[i], as[i]};
  const auto c = number_vector<double>(
      py::module_::import("numpy").attr("ravel")(py::module_::import("numpy").attr("asarray")(cross_posting, "float64")),
      "cross_posting");
  KOLSIM_REQUIRE(unlisted == "own_person" || unlisted == "error", "unlisted must be 'own_person' or 'error', got '",
                 unlisted, "'");
  return Multiplex(std::move(ls), rows, c,
                   unlisted == "error" ? UnlistedAccounts::error : UnlistedAccounts::own_person);
}

constexpr const char* multiplex_doc = R"doc(A multi-platform (multiplex) network: platform layers over one set of people.

Each layer is a follower graph with its own IC probabilities (edge u -> v: v follows u). Each
person owns zero or one account per layer (the identity table: row i says person ``persons[i]``
owns account ``accounts[i]`` on platform ``platforms[i]``, a layer name or index). Accounts
that no row names are people of their own (``unlisted="own_person"``, person ids after the
largest listed one) or an error (``unlisted="error"``). When an account of person p on platform
a becomes active it cross-posts once to p's account on platform b, which becomes active one step
later with probability ``cross_posting[a][b]`` (an L x L matrix, diagonal 0). Reach counts people
once. Build one with :func:`kolsim.multiplex.from_edge_lists` for per-platform edge lists.

Examples
--------
>>> import kolsim
>>> x = kolsim.from_edges([1], [2], probabilities=[0.5])
>>> y = kolsim.from_edges([10], [20], probabilities=[0.4])
>>> mx = kolsim.Multiplex([("x", x), ("y", y)], persons=[100, 100, 200, 200],
...                       platforms=["x", "y", "x", "y"], accounts=[1, 10, 2, 20],
...                       cross_posting=[[0, 0.3], [0, 0]])
>>> mx.num_people, mx.num_accounts
(2, 4)
)doc";

constexpr const char* spread_doc = R"doc(Monte Carlo reach of a multiplex in people and per platform.

Parameters
----------
multiplex : Multiplex
seeds : sequence of (person, platform)
    Who posts where; platform is a layer name or index.
trials, seed, threads, max_steps, seed_probabilities, per_account
    As in :func:`kolsim.estimate_spread` (trial i draws only from streams keyed by (seed, i):
    results are identical for any thread count).

Returns
-------
MultiplexEstimate
    ``mean`` / ``std_error`` people reached, ``layer_mean`` / ``layer_std_error`` accounts
    reached per platform, ``new_per_step`` (people) and ``layer_new_per_step`` (per platform)
    over time, with ``per_account`` the reach probability of every person and account.

Examples
--------
>>> import kolsim
>>> x = kolsim.from_edges([1], [2], probabilities=[1.0])
>>> mx = kolsim.Multiplex([("x", x)], [], [], [], [[0.0]])
>>> kolsim.multiplex_spread(mx, [(0, "x")], trials=100, seed=1).mean
2.0
)doc";

constexpr const char* exact_doc = R"doc(Exact reach of a multiplex by enumerating every live-edge world.

Tiny multiplexes only (2^m worlds for the m uncertain edges of the expanded graph, cross-post
edges included; refused above ``max_worlds``).

Returns
-------
MultiplexExact
    ``spread`` / ``variance`` in people, ``layer_spread`` / ``layer_variance`` per platform,
    per-step profiles and reach probabilities.

Examples
--------
>>> import kolsim
>>> x = kolsim.from_edges([1], [2], probabilities=[0.5])
>>> mx = kolsim.Multiplex([("x", x)], [], [], [], [[0.0]])
>>> kolsim.multiplex_exact(mx, [(0, "x")]).spread
1.5
)doc";

constexpr const char* select_doc = R"doc(Chooses k (person, platform) seeds maximising the expected people reached.

IMM or OPIM-C over person-rooted RR sets: a random person, one live-edge world of the expanded
graph, and every account from which one of the person's accounts is reachable; the expected
number of people reached is P * Pr[seeds hit the set], so the (1 - 1/e - epsilon) guarantee of
each method holds for people reached.

Parameters
----------
multiplex : Multiplex
k : int
method : {"imm", "opim-c"}
epsilon : float
max_steps : int, optional
    Deadline in propagation steps (cross-posts take one step).
candidates, fixed_seeds : sequence of (person, platform), optional
seed, threads : int
ell, estimation_epsilon, bound_phase, validation_ratio
    IMM's options, as in :func:`imm` (same defaults, read from the C++ ImmOptions).
delta, selection_ratio, max_selection_noise
    OPIM-C's options, as in :func:`opim_c` (same defaults, from OpimOptions). An option of
    the method not chosen raises TypeError (it would be ignored).

Returns
-------
MultiplexSelection
    ``seeds`` as (person, platform name) pairs, ``spread`` the selector's estimate in people.

Examples
--------
>>> import kolsim
>>> x = kolsim.from_edges([1, 1], [2, 3], probabilities=[1.0, 1.0])
>>> mx = kolsim.Multiplex([("x", x)], [], [], [], [[0.0]])
>>> kolsim.multiplex_select(mx, 1, seed=1).seeds
[(0, 'x')]
)doc";


/// The Multiplex class: platform layers over one set of people.
void bind_multiplex_class(py::module_& m) {
  py::class_<Multiplex>(m, "Multiplex", multiplex_doc)
      .def(py::init(&make_multiplex), py::arg("layers"), py::arg("persons"), py::arg("platforms"),
           py::arg("accounts"), py::arg("cross_posting"), py::arg("unlisted") = "own_person")
      .def_property_readonly("num_layers", &Multiplex::num_layers)
      .def_property_readonly("num_people", &Multiplex::num_people)
      .def_property_readonly("num_accounts", &Multiplex::num_accounts)
      .def_property_readonly("num_cross_edges", &Multiplex::num_cross_edges)
      .def_property_readonly("layer_names",
                             [](const Multiplex& mx) {
                               std::vector<std::string> out;
                               for (std::uint32_t l = 0; l < mx.num_layers(); ++l) out.push_back(mx.layer(l).name);
                               return out;
                             })
      .def(
          "layer", [](const Multiplex& mx, py::handle which) { return mx.layer(layer_arg(mx, which)).graph; },
          py::arg("platform"), "The follower graph of a platform (name or index).")
      .def_property_readonly("expanded", [](const Multiplex& mx) { return mx.expanded(); },
                             "The expanded account graph (vertex ids 0..num_accounts-1).")
      .def_property_readonly("people",
                             [](py::object self) {
                               const auto& mx = self.cast<const Multiplex&>();
                               return readonly_view(mx.people(), self);
                             })
      .def_property_readonly("cross_posting",
                             [](const Multiplex& mx) {
                               const std::uint32_t L = mx.num_layers();
                               py::array_t<double> a({static_cast<py::ssize_t>(L), static_cast<py::ssize_t>(L)});
                               auto r = a.mutable_unchecked<2>();
                               for (std::uint32_t i = 0; i < L; ++i)
                                 for (std::uint32_t j = 0; j < L; ++j) r(i, j) = mx.cross_posting(i, j);
                               return a;
                             })
      .def(
          "overlap",
          [](const Multiplex& mx) {
            MultiplexOverlap o = mx.overlap();
            const auto L = static_cast<py::ssize_t>(mx.num_layers());
            py::dict d;
            d["people"] = o.people;
            d["multi_platform"] = o.multi_platform;
            d["people_per_layer"] = to_numpy(std::move(o.people_per_layer));
            d["shared"] = to_numpy(std::move(o.shared)).attr("reshape")(L, L);
            return d;
          },
          "People per platform (``people_per_layer``), people on both platforms a and b "
          "(``shared[a, b]``), all people and people on two platforms or more.")
      .def("__repr__", [](const Multiplex& mx) {
        return "Multiplex(" + std::to_string(mx.num_layers()) + " platforms, " + std::to_string(mx.num_people()) +
               " people, " + std::to_string(mx.num_accounts()) + " accounts, " +
               std::to_string(mx.expanded().num_edges() - mx.num_cross_edges()) + " follow edges, " +
               std::to_string(mx.num_cross_edges()) + " cross-post edges)";
      });
}

/// The multiplex results MultiplexEstimate, MultiplexExact and MultiplexSelection (not picklable).
void bind_multiplex_results(py::module_& m) {
  py::class_<MultiplexEstimate> estimate(m, "MultiplexEstimate", "Monte Carlo reach of a multiplex (see multiplex_spread).");
  refuse_multiplex_pickle(estimate, "MultiplexEstimate", "multiplex_spread");
  def_reach_profiles(estimate);
  estimate.def_readonly("mean", &MultiplexEstimate::mean)
      .def_readonly("std_error", &MultiplexEstimate::std_error)
      .def_readonly("ci_low", &MultiplexEstimate::ci_low)
      .def_readonly("ci_high", &MultiplexEstimate::ci_high)
      .def_readonly("trials", &MultiplexEstimate::trials)
      .def_property_readonly("layer_mean", copied_array(&MultiplexEstimate::layer_mean))
      .def_property_readonly("layer_std_error", copied_array(&MultiplexEstimate::layer_std_error))
      .def_readonly("edges_examined", &MultiplexEstimate::edges_examined)
      .def_readonly("seconds", &MultiplexEstimate::seconds)
      .def("__repr__", [](const MultiplexEstimate& e) {
        return "MultiplexEstimate(mean=" + std::to_string(e.mean) + " people, std_error=" + std::to_string(e.std_error) +
               ", trials=" + std::to_string(e.trials) + ")";
      });

  py::class_<MultiplexExact> exact(m, "MultiplexExact", "Exact reach of a multiplex (see multiplex_exact).");
  refuse_multiplex_pickle(exact, "MultiplexExact", "multiplex_exact");
  def_reach_profiles(exact);
  exact.def_readonly("spread", &MultiplexExact::spread)
      .def_readonly("variance", &MultiplexExact::variance)
      .def_property_readonly("std", [](const MultiplexExact& e) { return std::sqrt(e.variance); })
      .def_property_readonly("layer_spread", copied_array(&MultiplexExact::layer_spread))
      .def_property_readonly("layer_variance", copied_array(&MultiplexExact::layer_variance))
      .def_readonly("worlds", &MultiplexExact::worlds)
      .def("__repr__", [](const MultiplexExact& e) {
        return "MultiplexExact(spread=" + std::to_string(e.spread) + " people, variance=" + std::to_string(e.variance) +
               ", worlds=" + std::to_string(e.worlds) + ")";
      });

  py::class_<PyMultiplexSelection> selection(m, "MultiplexSelection", "Seeds chosen on a multiplex (see multiplex_select).");
  refuse_multiplex_pickle(selection, "MultiplexSelection", "multiplex_select");
  selection.def_readonly("method", &PyMultiplexSelection::method)
      .def_readonly("seeds", &PyMultiplexSelection::seeds)
      .def_property_readonly("marginal_gains", copied_array(&PyMultiplexSelection::marginal_gains))
      .def_readonly("spread", &PyMultiplexSelection::spread)
      .def_readonly("approximation", &PyMultiplexSelection::approximation)
      .def_readonly("rr_sets", &PyMultiplexSelection::rr_sets)
      .def_readonly("seconds", &PyMultiplexSelection::seconds)
      .def("__repr__", [](const PyMultiplexSelection& r) {
        return "MultiplexSelection(method=" + r.method + ", " + std::to_string(r.seeds.size()) +
               " seeds, spread=" + std::to_string(r.spread) + " people)";
      });
}

/// multiplex_spread (Monte Carlo) and multiplex_exact (every live-edge world).
void bind_multiplex_spread(py::module_& m) {
  m.def(
      "multiplex_spread",
      [](const Multiplex& mx, py::handle seeds, std::uint64_t trials, std::uint64_t seed, int threads,
         std::optional<std::uint32_t> max_steps, py::handle seed_probabilities, bool per_account) {
        const auto s = seed_vertices(mx, seeds, "seeds");
        MonteCarloOptions opt = mc_options(trials, seed, threads, max_steps, per_account);
        opt.seed_probabilities = number_vector<prob_t>(seed_probabilities, "seed_probabilities");
        return without_gil([&] { return estimate_spread(mx, std::span<const vertex_t>(s), opt); });
      },
      py::arg("multiplex"), py::arg("seeds"), py::arg("trials") = MonteCarloOptions{}.trials, py::arg("seed") = 0,
      py::arg("threads") = 0, py::arg("max_steps") = py::none(), py::arg("seed_probabilities") = py::none(),
      py::arg("per_account") = false, spread_doc);

  m.def(
      "multiplex_exact",
      [](const Multiplex& mx, py::handle seeds, std::optional<std::uint32_t> max_steps, py::handle seed_probabilities,
         std::uint64_t max_worlds) {
        const auto s = seed_vertices(mx, seeds, "seeds");
        ExactOptions opt = exact_options(max_steps, max_worlds);
        opt.seed_probabilities = number_vector<prob_t>(seed_probabilities, "seed_probabilities");
        return without_gil([&] { return exact_spread(mx, std::span<const vertex_t>(s), opt); });
      },
      py::arg("multiplex"), py::arg("seeds"), py::arg("max_steps") = py::none(),
      py::arg("seed_probabilities") = py::none(), py::arg("max_worlds") = ExactOptions{}.max_worlds, exact_doc);
}

/// multiplex_select: IMM or OPIM-C over person-rooted RR sets, with the options of imm / opim_c.
PyMultiplexSelection multiplex_select_py(const Multiplex& mx, std::size_t k, const std::string& method, double epsilon,
                                         std::optional<std::uint32_t> max_steps, py::handle candidates,
                                         py::handle fixed_seeds, std::uint64_t seed, int threads, double ell,
                                         double delta, double estimation_epsilon, const std::string& bound_phase,
                                         double validation_ratio, double selection_ratio, double max_selection_noise) {
  const RrMethod which = parse_choice("multiplex_select: method", method, rr_method_choices);
  const RrMethodKeywords own{ell, delta, estimation_epsilon, bound_phase, validation_ratio, selection_ratio,
                             max_selection_noise};
  const MultiplexIC model{mx};
  PyMultiplexSelection out;
  auto fill = [&](auto& opt) {
    opt.candidates = seed_vertices(mx, candidates, "candidates");
    opt.fixed_seeds = seed_vertices(mx, fixed_seeds, "fixed_seeds");
    opt.seed = seed;
    opt.threads = threads;
    own.fill(opt, epsilon, "multiplex_select");
    opt.max_depth = step_limit(max_steps);
    opt.stop = python_stop_token();
  };
  auto finish = [&](const SelectResult& r) {
    out.method = r.method;
    for (vertex_t x : r.seeds) out.seeds.push_back(seed_pair(mx, x));
    out.marginal_gains = r.marginal_gains;
    out.spread = r.spread;
    out.approximation = r.approximation;
    out.rr_sets = r.rr_sets;
    out.seconds = r.seconds;
  };
  if (which == RrMethod::imm) {
    ImmOptions opt;
    fill(opt);
    finish(without_gil([&] { return imm(mx.expanded(), model, k, opt); }));
  } else {
    OpimOptions opt;
    fill(opt);
    finish(without_gil([&] { return opim_c(mx.expanded(), model, k, opt); }));
  }
  return out;
}

void bind_multiplex_select(py::module_& m) {
  std::apply(
      [&](const auto&... own) {
        m.def("multiplex_select", &multiplex_select_py, py::arg("multiplex"), py::arg("k"), py::arg("method") = "imm",
              py::arg("epsilon") = ImmOptions{}.epsilon, py::arg("max_steps") = py::none(),
              py::arg("candidates") = py::none(), py::arg("fixed_seeds") = py::none(),
              py::arg("seed") = SelectOptions{}.seed, py::arg("threads") = SelectOptions{}.threads, own..., select_doc);
      },
      rr_method_keywords());
}

constexpr const char* plan_doc = R"doc(Plans a KOL campaign on a multiplex, counting PEOPLE reached.

The roster lists (person, platform) rows with that platform's fee and risk: either a CSV path
(columns person, platform, fee, optional risk and tags) or the parallel lists ``people``,
``platforms``, ``fees`` (and ``risks``). Selection runs on person-rooted RR sets with the OPIM-C
certificate; the independent Monte Carlo check of the multiplex cascade counts each person once
and reports the people reached per platform (``platforms``). ``person_weights`` maps person ids
to audience weights (others weigh 1); ``contracted`` and ``excluded`` are (person, platform) pairs.

Returns
-------
MultiplexPlan
    A CampaignPlan whose ``kols`` name the person (``account``) and the ``platform``, plus
    ``people``, ``counting`` and ``platforms``.

Examples
--------
>>> import kolsim
>>> mx = kolsim.multiplex.from_edge_lists(
...     {"video": ([1, 1], [2, 3], [1.0, 1.0]), "micro": ([10], [20], [1.0])},
...     identity=[(100, "video", 1), (100, "micro", 10), (200, "video", 2), (300, "micro", 20)],
...     cross_posting={("video", "micro"): 1.0})
>>> plan = kolsim.multiplex.plan(mx, [(100, "video", 5.0), (100, "micro", 1.0)],
...                              budget=1.0, check_trials=500, seed=1)
>>> [(k["account"], k["platform"]) for k in plan.kols], plan.reach
([(100, 'micro')], 2.0)
)doc";

/// multiplex_plan: plan_campaign on a multiplex, roster from a CSV path or parallel lists.
void bind_multiplex_plan(py::module_& m) {
  py::class_<MultiplexPlan, CampaignPlan> plan(m, "MultiplexPlan",
                                               "A campaign plan on a multiplex: reach in people, per platform.");
  plan.def_readonly("people", &MultiplexPlan::people)
      .def_readonly("counting", &MultiplexPlan::counting)
      .def_property_readonly("platforms",
                             [](const MultiplexPlan& p) {
                               py::list out;
                               for (const auto& r : p.platforms) {
                                 py::dict d;
                                 d["platform"] = r.platform;
                                 d["reach"] = r.reach;
                                 d["se"] = r.se;
                                 d["kols"] = r.kols;
                                 d["fee"] = r.fee;
                                 out.append(d);
                               }
                               return out;
                             },
                             "People reached per platform: platform, reach, se, kols, fee.")
      .def("to_json", &MultiplexPlan::to_json, "The run record as JSON text (with a 'multiplex' object).")
      .def("as_dict", [](const MultiplexPlan& p) { return py::module_::import("json").attr("loads")(p.to_json()); },
           "The run record as a dict (parsed to_json()).")
      .def("to_table", &MultiplexPlan::to_table, "A readable text report with the per-platform reach.")
      .def("save_json", [](const MultiplexPlan& p, py::handle path) { p.save_json(to_path(path)); }, py::arg("path"),
           "Writes the JSON run record atomically.")
      .def("__str__", &MultiplexPlan::to_table)
      .def("__repr__", [](const MultiplexPlan& p) {
        return detail::concat("MultiplexPlan(kols=", p.kols.size(), ", total_fee=", p.total_fee, ", reach=", p.reach,
                              " ± ", p.reach_se, " people, certified_ratio=", p.certified_ratio, ")");
      });
  refuse_pickle(plan, "MultiplexPlan",
                "it holds C++ campaign records with no pickled form; keep plan.as_dict() or "
                "plan.save_json(path), the run record with every reported number");
  m.def(
      "multiplex_plan",
      [](const Multiplex& mx, py::handle roster_path, py::handle people, py::handle platforms, py::handle fees,
         py::handle risks, double budget, std::size_t max_kols, double max_risk, const std::string& risk_mode,
         double risk_penalty, std::optional<std::uint32_t> deadline, double epsilon, double delta, std::uint64_t seed,
         int threads, std::optional<std::map<account_t, double>> person_weights, std::uint64_t check_trials,
         py::handle budget_curve, py::handle contracted, py::handle excluded, std::size_t memory_limit) {
        MultiplexRoster roster;
        if (!roster_path.is_none()) {
          KOLSIM_REQUIRE(people.is_none() && platforms.is_none() && fees.is_none() && risks.is_none(),
                         "multiplex_plan: give roster_path or people/platforms/fees, not both");
          roster = read_multiplex_roster(to_path(roster_path), mx);
        } else {
          KOLSIM_REQUIRE(!people.is_none() && !platforms.is_none() && !fees.is_none(),
                         "multiplex_plan: give roster_path, or people, platforms and fees");
          const auto ps = account_vector(people, "people");
          const auto pl = platforms.cast<std::vector<std::string>>();
          const auto fs = number_vector<double>(fees, "fees");
          const auto rs = number_vector<double>(risks, "risks");
          roster = MultiplexRoster::from_rows(mx, ps, pl, fs, rs);
        }
        CampaignSpec spec;
        spec.budget = budget;
        spec.max_kols = max_kols;
        spec.max_risk = max_risk;
        if (risk_mode == "expected") spec.risk_mode = RiskMode::expected;
        else if (risk_mode == "ignore") spec.risk_mode = RiskMode::ignore;
        else throw std::invalid_argument("risk_mode must be 'expected' or 'ignore', got '" + risk_mode + "'");
        spec.risk_penalty = risk_penalty;
        spec.deadline = step_limit(deadline);
        spec.epsilon = epsilon;
        spec.delta = delta;
        spec.seed = seed;
        spec.threads = threads;
        if (person_weights) {
          spec.audience.weights.assign(mx.num_people(), 1.0);
          for (const auto& [person, w] : *person_weights) spec.audience.weights[mx.person_index(person)] = w;
        }
        spec.check_trials = check_trials;
        spec.budget_curve = number_vector<double>(budget_curve, "budget_curve");
        for (vertex_t x : seed_vertices(mx, contracted, "contracted")) spec.contracted.push_back(x);
        for (vertex_t x : seed_vertices(mx, excluded, "excluded")) spec.excluded.push_back(x);
        spec.memory_limit = memory_limit;
        spec.stop = python_stop_token();
        spec.progress = python_progress();
        MultiplexPlan p = without_gil([&] { return plan_campaign(mx, roster, spec); });
        p.spec.stop = nullptr;
        p.spec.progress = nullptr;
        return p;
      },
      py::arg("multiplex"), py::arg("roster_path") = py::none(), py::arg("people") = py::none(),
      py::arg("platforms") = py::none(), py::arg("fees") = py::none(), py::arg("risks") = py::none(),
      py::arg("budget") = std::numeric_limits<double>::infinity(), py::arg("max_kols") = 0, py::arg("max_risk") = 1.0,
      py::arg("risk_mode") = "expected", py::arg("risk_penalty") = 0.0, py::arg("deadline") = py::none(),
      py::arg("epsilon") = 0.1, py::arg("delta") = 0.0, py::arg("seed") = 0, py::arg("threads") = 0,
      py::arg("person_weights") = py::none(), py::arg("check_trials") = 10000, py::arg("budget_curve") = py::none(),
      py::arg("contracted") = py::none(), py::arg("excluded") = py::none(), py::arg("memory_limit") = 0, plan_doc);
}

// ---- a misleading and a corrective campaign on a multiplex (estimate/multiplex_competitive.hpp,
// select/multiplex_blocking.hpp) ----

struct PyMultiplexBlocking {
  std::string method;
  std::vector<std::pair<account_t, std::string>> seeds;
  std::vector<double> marginal_gains;
  double spread = 0, reach_before = 0, reach_before_error = 0, reach_after = 0, reach_after_error = 0, saved = 0,
         saved_error = 0, seconds = 0;
  std::uint64_t evaluation_trials = 0;
};

MultiplexCompetition race_of(const Multiplex& mx, const std::string& tie_rule, std::uint32_t correction_delay) {
  return MultiplexCompetition(mx, parse_tie_rule(tie_rule), correction_delay);
}

constexpr const char* compete_doc = R"doc(Monte Carlo race of a misleading (F) and a corrective (C) campaign on a multiplex.

Competitive IC on the expanded account graph: both campaigns spread along follower edges and
cross-post to their adopters' other accounts; each account adopts the first campaign that reaches
it (``tie_rule`` decides same-step ties; C posts ``correction_delay`` steps after F). Reach is
counted in PEOPLE (a person adopts F when any of their accounts does) and, per platform, in
accounts. ``saved`` = people F reaches without C minus with C, in the same worlds.

Parameters
----------
multiplex : Multiplex
misleading_seeds, corrective_seeds : sequence of (person, platform)
tie_rule : {"misleading_wins", "corrective_wins", "random"}
correction_delay : int
trials, seed, threads, max_steps
    Trial i uses coins keyed by (seed, i) only: identical results for any thread count.

Returns
-------
MultiplexCompetitiveEstimate

Examples
--------
>>> import kolsim
>>> x = kolsim.from_edges([1, 1], [2, 3], probabilities=[1.0, 1.0])
>>> mx = kolsim.Multiplex([("x", x)], [], [], [], [[0.0]])
>>> r = kolsim.multiplex_compete(mx, [(0, "x")], [(1, "x")], trials=100, seed=1)
>>> r.misleading.mean, r.saved.mean
(2.0, 1.0)
)doc";

constexpr const char* exact_compete_doc = R"doc(Exact race on a tiny multiplex (every world of both campaigns' coins).

The ground truth of :func:`multiplex_compete` (same model and arguments); refused above
``max_worlds`` (4^m worlds for m uncertain expanded edges, times the ties that occur).

Returns
-------
MultiplexExactCompetition
    ``misleading`` / ``corrective`` / ``saved`` / ``misleading_alone`` (mean and variance, in
    people), ``misleading_probability`` / ``corrective_probability`` per person index and the
    expected accounts per platform (``layer_misleading`` ...).

Examples
--------
>>> import kolsim
>>> x = kolsim.from_edges([1], [2], probabilities=[0.5])
>>> mx = kolsim.Multiplex([("x", x)], [], [], [], [[0.0]])
>>> kolsim.multiplex_exact_competition(mx, [(0, "x")], []).misleading.mean
1.5
)doc";

constexpr const char* block_doc = R"doc(Chooses k corrective accounts that minimise the people a misleading campaign reaches.

Methods: "celf" (CELF on the people F reaches, averaged over ``trials`` common worlds; exact on
that sampled objective, no approximation guarantee), baselines "degree", "neighbourhood" and
"imm" (IMM over person-rooted RR sets for C alone). "rr" is refused: its race sets do not bound
people saved usefully (a person is saved only when all their accounts are).

Parameters
----------
multiplex : Multiplex
misleading_seeds : sequence of (person, platform)
k : int
method : {"celf", "degree", "neighbourhood", "imm"}
tie_rule, correction_delay, max_steps
    The race, as in :func:`multiplex_compete`.
trials : int
    celf: worlds per evaluation.
imm_epsilon : float
evaluation_trials : int
    Independent Monte Carlo check of the people reached before and after (0 = none).
candidates, fixed_seeds : sequence of (person, platform), optional
seed, threads : int

Returns
-------
MultiplexBlocking
    ``seeds`` as (person, platform name) pairs; ``reach_before`` / ``reach_after`` / ``saved`` in
    people from the independent evaluation.

Examples
--------
>>> import kolsim
>>> x = kolsim.from_edges([1, 1, 3], [2, 3, 4], probabilities=[1.0, 1.0, 1.0])
>>> mx = kolsim.Multiplex([("x", x)], [], [], [], [[0.0]])
>>> r = kolsim.multiplex_block(mx, [(0, "x")], 1, trials=10, evaluation_trials=10)
>>> r.seeds, r.saved
([(2, 'x')], 2.0)
)doc";

/// The race results MultiplexCompetitiveEstimate, MultiplexExactCompetition, MultiplexBlocking.
void bind_multiplex_race_results(py::module_& m) {
  using E = MultiplexCompetitiveEstimate;
  py::class_<E> est(m, "MultiplexCompetitiveEstimate", "Monte Carlo race on a multiplex, in people (see multiplex_compete).");
  refuse_multiplex_pickle(est, "MultiplexCompetitiveEstimate", "multiplex_compete");
  est.def_readonly("misleading", &E::misleading, "People adopting F (seeds included).")
      .def_readonly("corrective", &E::corrective, "People adopting C.")
      .def_readonly("saved", &E::saved, "People F reaches without C minus with C (coupled worlds).")
      .def_readonly("misleading_alone", &E::misleading_alone, "People F reaches without correction.")
      .def_property_readonly("misleading_per_step", copied_array<E>(&E::misleading_per_step))
      .def_property_readonly("corrective_per_step", copied_array<E>(&E::corrective_per_step))
      .def_readonly("layer_misleading", &E::layer_misleading, "Per platform: accounts adopting F.")
      .def_readonly("layer_corrective", &E::layer_corrective, "Per platform: accounts adopting C.")
      .def_readonly("layer_misleading_alone", &E::layer_misleading_alone, "Per platform: F's accounts without C.")
      .def_readonly("layer_saved", &E::layer_saved, "Per platform: accounts saved.")
      .def_readonly("trials", &E::trials)
      .def_readonly("edges_examined", &E::edges_examined)
      .def_readonly("seconds", &E::seconds)
      .def("__repr__", [](const E& e) {
        return detail::concat("MultiplexCompetitiveEstimate(misleading=", e.misleading.mean, " ± ",
                              e.misleading.std_error, " people, corrective=", e.corrective.mean, ", saved=", e.saved.mean,
                              " ± ", e.saved.std_error, ", trials=", e.trials, ")");
      });

  using X = MultiplexExactCompetition;
  py::class_<X> ex(m, "MultiplexExactCompetition", "Exact race on a multiplex, in people (see multiplex_exact_competition).");
  refuse_multiplex_pickle(ex, "MultiplexExactCompetition", "multiplex_exact_competition");
  ex.def_readonly("misleading", &X::misleading)
      .def_readonly("corrective", &X::corrective)
      .def_readonly("saved", &X::saved)
      .def_readonly("misleading_alone", &X::misleading_alone)
      .def_property_readonly("misleading_per_step", copied_array<X>(&X::misleading_per_step))
      .def_property_readonly("corrective_per_step", copied_array<X>(&X::corrective_per_step))
      .def_property_readonly("misleading_probability", copied_array<X>(&X::misleading_probability))
      .def_property_readonly("corrective_probability", copied_array<X>(&X::corrective_probability))
      .def_property_readonly("layer_misleading", copied_array<X>(&X::layer_misleading))
      .def_property_readonly("layer_corrective", copied_array<X>(&X::layer_corrective))
      .def_property_readonly("layer_misleading_alone", copied_array<X>(&X::layer_misleading_alone))
      .def_property_readonly("layer_saved", copied_array<X>(&X::layer_saved))
      .def_readonly("worlds", &X::worlds)
      .def("__repr__", [](const X& e) {
        return detail::concat("MultiplexExactCompetition(misleading=", e.misleading.mean, " people, saved=",
                              e.saved.mean, ", worlds=", e.worlds, ")");
      });

  using B = PyMultiplexBlocking;
  py::class_<B> blk(m, "MultiplexBlocking", "Corrective accounts chosen on a multiplex (see multiplex_block).");
  refuse_multiplex_pickle(blk, "MultiplexBlocking", "multiplex_block");
  blk.def_readonly("method", &B::method)
      .def_readonly("seeds", &B::seeds)
      .def_property_readonly("marginal_gains", copied_array<B>(&B::marginal_gains))
      .def_readonly("spread", &B::spread, "celf: its own estimate of the people F reaches with the seeds (0 for baselines).")
      .def_readonly("reach_before", &B::reach_before)
      .def_readonly("reach_before_error", &B::reach_before_error)
      .def_readonly("reach_after", &B::reach_after)
      .def_readonly("reach_after_error", &B::reach_after_error)
      .def_readonly("saved", &B::saved)
      .def_readonly("saved_error", &B::saved_error)
      .def_readonly("evaluation_trials", &B::evaluation_trials)
      .def_readonly("seconds", &B::seconds)
      .def("__repr__", [](const B& r) {
        return detail::concat("MultiplexBlocking(method=", r.method, ", ", r.seeds.size(), " seeds, saved=", r.saved,
                              " people)");
      });
}

/// multiplex_compete, multiplex_exact_competition and multiplex_block.
void bind_multiplex_race(py::module_& m) {
  m.def(
      "multiplex_compete",
      [](const Multiplex& mx, py::handle misleading_seeds, py::handle corrective_seeds, const std::string& tie_rule,
         std::uint32_t correction_delay, std::uint64_t trials, std::uint64_t seed, int threads,
         std::optional<std::uint32_t> max_steps) {
        const MultiplexCompetition race = race_of(mx, tie_rule, correction_delay);
        const auto f = seed_vertices(mx, misleading_seeds, "misleading_seeds");
        const auto c = seed_vertices(mx, corrective_seeds, "corrective_seeds");
        CompetitionOptions opt;
        opt.trials = trials;
        opt.seed = seed;
        opt.threads = threads;
        opt.max_steps = step_limit(max_steps);
        opt.stop = python_stop_token();
        return without_gil([&] {
          return estimate_competition(race, std::span<const vertex_t>(f), std::span<const vertex_t>(c), opt);
        });
      },
      py::arg("multiplex"), py::arg("misleading_seeds"), py::arg("corrective_seeds"),
      py::arg("tie_rule") = "misleading_wins", py::arg("correction_delay") = 0,
      py::arg("trials") = CompetitionOptions{}.trials, py::arg("seed") = 0, py::arg("threads") = 0,
      py::arg("max_steps") = py::none(), compete_doc);

  m.def(
      "multiplex_exact_competition",
      [](const Multiplex& mx, py::handle misleading_seeds, py::handle corrective_seeds, const std::string& tie_rule,
         std::uint32_t correction_delay, std::optional<std::uint32_t> max_steps, std::uint64_t max_worlds) {
        const MultiplexCompetition race = race_of(mx, tie_rule, correction_delay);
        const auto f = seed_vertices(mx, misleading_seeds, "misleading_seeds");
        const auto c = seed_vertices(mx, corrective_seeds, "corrective_seeds");
        ExactCompetitionOptions opt;
        opt.max_steps = step_limit(max_steps);
        opt.max_worlds = max_worlds;
        return without_gil([&] {
          return exact_competition(race, std::span<const vertex_t>(f), std::span<const vertex_t>(c), opt);
        });
      },
      py::arg("multiplex"), py::arg("misleading_seeds"), py::arg("corrective_seeds"),
      py::arg("tie_rule") = "misleading_wins", py::arg("correction_delay") = 0, py::arg("max_steps") = py::none(),
      py::arg("max_worlds") = ExactCompetitionOptions{}.max_worlds, exact_compete_doc);

  m.def(
      "multiplex_block",
      [](const Multiplex& mx, py::handle misleading_seeds, std::size_t k, const std::string& method,
         const std::string& tie_rule, std::uint32_t correction_delay, std::optional<std::uint32_t> max_steps,
         std::uint64_t trials, double imm_epsilon, std::uint64_t evaluation_trials, py::handle candidates,
         py::handle fixed_seeds, std::uint64_t seed, int threads) {
        const MultiplexCompetition race = race_of(mx, tie_rule, correction_delay);
        const auto f = seed_vertices(mx, misleading_seeds, "misleading_seeds");
        BlockingOptions opt;
        opt.method = parse_blocking_method(method);
        opt.candidates = seed_vertices(mx, candidates, "candidates");
        opt.fixed_seeds = seed_vertices(mx, fixed_seeds, "fixed_seeds");
        opt.max_steps = step_limit(max_steps);
        opt.trials = trials;
        opt.imm_epsilon = imm_epsilon;
        opt.evaluation_trials = evaluation_trials;
        opt.seed = seed;
        opt.threads = threads;
        opt.stop = python_stop_token();
        const BlockingResult r =
            without_gil([&] { return select_blockers(race, std::span<const vertex_t>(f), k, opt); });
        PyMultiplexBlocking out;
        out.method = r.method;
        for (vertex_t x : r.seeds) out.seeds.push_back(seed_pair(mx, x));
        out.marginal_gains = r.marginal_gains;
        out.spread = r.spread;
        out.reach_before = r.reach_before;
        out.reach_before_error = r.reach_before_error;
        out.reach_after = r.reach_after;
        out.reach_after_error = r.reach_after_error;
        out.saved = r.saved;
        out.saved_error = r.saved_error;
        out.evaluation_trials = r.evaluation_trials;
        out.seconds = r.seconds;
        return out;
      },
      py::arg("multiplex"), py::arg("misleading_seeds"), py::arg("k"), py::arg("method") = "celf",
      py::arg("tie_rule") = "misleading_wins", py::arg("correction_delay") = 0, py::arg("max_steps") = py::none(),
      py::arg("trials") = BlockingOptions{}.trials, py::arg("imm_epsilon") = BlockingOptions{}.imm_epsilon,
      py::arg("evaluation_trials") = BlockingOptions{}.evaluation_trials, py::arg("candidates") = py::none(),
      py::arg("fixed_seeds") = py::none(), py::arg("seed") = 0, py::arg("threads") = 0, block_doc);
}

}  // namespace

void bind_multiplex(py::module_& m) {
  bind_multiplex_class(m);
  bind_multiplex_results(m);
  bind_multiplex_spread(m);
  bind_multiplex_select(m);
  bind_multiplex_plan(m);
  bind_multiplex_race_results(m);
  bind_multiplex_race(m);
}

}  // namespace kolsim::python

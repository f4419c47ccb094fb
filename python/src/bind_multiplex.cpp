// SPDX-License-Identifier: MIT
/// Multi-platform (multiplex) networks: the Multiplex type, its spread in people and per
/// platform (Monte Carlo, exact) and IMM / OPIM-C over person-rooted RR sets
/// (kolsim/graph/multiplex.hpp, kolsim/estimate/multiplex_estimate.hpp).
#include "bind_args.hpp"
#include "bind_common.hpp"
#include "bind_options.hpp"
#include "kolsim/estimate/multiplex_estimate.hpp"
#include "kolsim/select/imm.hpp"
#include "kolsim/select/opim.hpp"

#include <pybind11/stl.h>

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

}  // namespace

void bind_multiplex(py::module_& m) {
  bind_multiplex_class(m);
  bind_multiplex_results(m);
  bind_multiplex_spread(m);
  bind_multiplex_select(m);
}

}  // namespace kolsim::python

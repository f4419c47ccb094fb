// SPDX-License-Identifier: MIT
/// Python bindings of competitive diffusion: the CompetitiveIC model (misleading vs corrective
/// campaign), one traced race, and its Monte Carlo and exact estimates.
#include "bind_common.hpp"
#include "bind_options.hpp"
#include "bind_pickle.hpp"
#include "kolsim/diffusion/competitive.hpp"
#include "kolsim/estimate/competitive_estimate.hpp"

namespace kolsim::python {

namespace {

struct PyCompetitiveTrace {
  py::array_t<account_t> activated;
  py::array_t<std::uint8_t> campaign;
  py::array_t<std::uint32_t> step;
  py::array_t<std::uint64_t> misleading_per_step, corrective_per_step;
  std::uint64_t misleading_reach = 0, corrective_reach = 0, misleading_alone = 0;
};

struct PyCompetitiveEstimate {
  CountEstimate misleading, corrective, saved, misleading_alone;
  py::array_t<double> misleading_per_step, corrective_per_step;
  std::uint64_t trials = 0, edges_examined = 0;
  double seconds = 0;
};

struct PyExactCompetition {
  ExactCount misleading, corrective, saved, misleading_alone;
  py::array_t<double> misleading_per_step, corrective_per_step, misleading_probability, corrective_probability;
  std::uint64_t worlds = 0;
};

std::vector<vertex_t> seeds_of(const CompetitiveIC& m, py::handle s, const char* what) {
  return vertex_vector(m.misleading(), s, what);
}

}  // namespace

void bind_competitive(py::module_& m) {
  py::class_<CompetitiveIC>(m, "CompetitiveIC", R"doc(Competitive Independent Cascade (Budak, Agrawal, El Abbadi, WWW 2011).

A misleading campaign (F) and a corrective one (C) spread on one follower network; each account
adopts the first campaign that reaches it. ``corrective`` defaults to the misleading graph
(campaign-oblivious IC); otherwise it must share its topology (build it with
``misleading.with_probabilities(...)``). ``tie_rule``: "misleading_wins", "corrective_wins" or
"random"; C seeds post ``correction_delay`` steps after F's.

Examples
--------
>>> import kolsim
>>> g = kolsim.constant_probability(kolsim.from_edges([0, 1], [2, 2]), 1.0)
>>> model = kolsim.CompetitiveIC(g, tie_rule="corrective_wins")
>>> kolsim.simulate_competition(model, [0], [1], seed=1).corrective_reach
2
)doc")
      .def(py::init([](const FollowerGraph& misleading, std::optional<FollowerGraph> corrective,
                       const std::string& tie_rule, std::uint32_t correction_delay) {
             return CompetitiveIC(misleading, corrective ? *corrective : misleading, parse_tie_rule(tie_rule),
                                  correction_delay);
           }),
           py::arg("misleading"), py::arg("corrective") = py::none(), py::arg("tie_rule") = "misleading_wins",
           py::arg("correction_delay") = 0)
      .def_property_readonly("misleading", &CompetitiveIC::misleading, "Graph with the misleading probabilities.")
      .def_property_readonly("corrective", &CompetitiveIC::corrective, "Graph with the corrective probabilities.")
      .def_property_readonly("graph", &CompetitiveIC::misleading, "The follower graph (misleading probabilities).")
      .def_property_readonly("tie_rule", [](const CompetitiveIC& c) { return std::string(tie_rule_name(c.tie_rule())); })
      .def_property_readonly("correction_delay", &CompetitiveIC::correction_delay)
      .def("__repr__", [](const CompetitiveIC& c) {
        return detail::concat("CompetitiveIC(num_vertices=", c.num_vertices(), ", tie_rule='",
                              tie_rule_name(c.tie_rule()), "', correction_delay=", c.correction_delay(), ")");
      });

  py::class_<PyCompetitiveTrace>(m, "CompetitiveTrace", "One traced race (account ids; campaign 1 = F, 2 = C).")
      .def(field_pickle("CompetitiveTrace", &PyCompetitiveTrace::activated, &PyCompetitiveTrace::campaign,
                        &PyCompetitiveTrace::step, &PyCompetitiveTrace::misleading_per_step,
                        &PyCompetitiveTrace::corrective_per_step, &PyCompetitiveTrace::misleading_reach,
                        &PyCompetitiveTrace::corrective_reach, &PyCompetitiveTrace::misleading_alone))
      .def_readonly("activated", &PyCompetitiveTrace::activated)
      .def_readonly("campaign", &PyCompetitiveTrace::campaign)
      .def_readonly("step", &PyCompetitiveTrace::step)
      .def_readonly("misleading_per_step", &PyCompetitiveTrace::misleading_per_step)
      .def_readonly("corrective_per_step", &PyCompetitiveTrace::corrective_per_step)
      .def_readonly("misleading_reach", &PyCompetitiveTrace::misleading_reach)
      .def_readonly("corrective_reach", &PyCompetitiveTrace::corrective_reach)
      .def_readonly("misleading_alone", &PyCompetitiveTrace::misleading_alone,
                    "F's reach in the same world without the correction.");
  py::class_<CountEstimate>(m, "CountEstimate", "Mean, standard error and normal 95% interval of a count.")
      .def(field_pickle("CountEstimate", &CountEstimate::mean, &CountEstimate::std_error, &CountEstimate::ci_low,
                        &CountEstimate::ci_high))
      .def_readonly("mean", &CountEstimate::mean)
      .def_readonly("std_error", &CountEstimate::std_error)
      .def_readonly("ci_low", &CountEstimate::ci_low)
      .def_readonly("ci_high", &CountEstimate::ci_high)
      .def("__repr__", [](const CountEstimate& c) { return detail::concat(c.mean, " ± ", c.std_error); });
  py::class_<PyCompetitiveEstimate>(m, "CompetitiveEstimate", "Monte Carlo outcome of the race.")
      .def(field_pickle("CompetitiveEstimate", &PyCompetitiveEstimate::misleading, &PyCompetitiveEstimate::corrective,
                        &PyCompetitiveEstimate::saved, &PyCompetitiveEstimate::misleading_alone,
                        &PyCompetitiveEstimate::misleading_per_step, &PyCompetitiveEstimate::corrective_per_step,
                        &PyCompetitiveEstimate::trials, &PyCompetitiveEstimate::edges_examined,
                        &PyCompetitiveEstimate::seconds))
      .def_readonly("misleading", &PyCompetitiveEstimate::misleading, "Accounts adopting F (seeds included).")
      .def_readonly("corrective", &PyCompetitiveEstimate::corrective, "Accounts adopting C.")
      .def_readonly("saved", &PyCompetitiveEstimate::saved, "F-alone reach minus F reach (coupled worlds).")
      .def_readonly("misleading_alone", &PyCompetitiveEstimate::misleading_alone, "F's reach without correction.")
      .def_readonly("misleading_per_step", &PyCompetitiveEstimate::misleading_per_step)
      .def_readonly("corrective_per_step", &PyCompetitiveEstimate::corrective_per_step)
      .def_readonly("trials", &PyCompetitiveEstimate::trials)
      .def_readonly("edges_examined", &PyCompetitiveEstimate::edges_examined)
      .def_readonly("seconds", &PyCompetitiveEstimate::seconds)
      .def("__repr__", [](const PyCompetitiveEstimate& e) {
        return detail::concat("CompetitiveEstimate(misleading=", e.misleading.mean, " ± ", e.misleading.std_error,
                              ", corrective=", e.corrective.mean, " ± ", e.corrective.std_error, ", saved=",
                              e.saved.mean, " ± ", e.saved.std_error, ", trials=", e.trials, ")");
      });
  py::class_<ExactCount>(m, "ExactCount", "Exact mean and variance of a count.")
      .def(field_pickle("ExactCount", &ExactCount::mean, &ExactCount::variance))
      .def_readonly("mean", &ExactCount::mean)
      .def_readonly("variance", &ExactCount::variance);
  py::class_<PyExactCompetition>(m, "ExactCompetition", "Exact outcome of the race over every world.")
      .def(field_pickle("ExactCompetition", &PyExactCompetition::misleading, &PyExactCompetition::corrective,
                        &PyExactCompetition::saved, &PyExactCompetition::misleading_alone,
                        &PyExactCompetition::misleading_per_step, &PyExactCompetition::corrective_per_step,
                        &PyExactCompetition::misleading_probability, &PyExactCompetition::corrective_probability,
                        &PyExactCompetition::worlds))
      .def_readonly("misleading", &PyExactCompetition::misleading)
      .def_readonly("corrective", &PyExactCompetition::corrective)
      .def_readonly("saved", &PyExactCompetition::saved)
      .def_readonly("misleading_alone", &PyExactCompetition::misleading_alone)
      .def_readonly("misleading_per_step", &PyExactCompetition::misleading_per_step)
      .def_readonly("corrective_per_step", &PyExactCompetition::corrective_per_step)
      .def_readonly("misleading_probability", &PyExactCompetition::misleading_probability)
      .def_readonly("corrective_probability", &PyExactCompetition::corrective_probability)
      .def_readonly("worlds", &PyExactCompetition::worlds);

  m.def(
      "simulate_competition",
      [](const CompetitiveIC& model, py::handle misleading_seeds, py::handle corrective_seeds, std::uint64_t seed,
         std::optional<std::uint32_t> max_steps) {
        const auto f = seeds_of(model, misleading_seeds, "misleading_seeds");
        const auto c = seeds_of(model, corrective_seeds, "corrective_seeds");
        CompetitiveTrace t = without_gil([&] { return simulate_competition(model, f, c, seed, step_limit(max_steps)); });
        PyCompetitiveTrace out;
        out.activated = accounts_array(model.misleading(), t.activated);
        std::vector<std::uint8_t> camp(t.campaign.size());
        for (std::size_t i = 0; i < camp.size(); ++i) camp[i] = static_cast<std::uint8_t>(t.campaign[i]);
        out.campaign = to_numpy(std::move(camp));
        out.step = to_numpy(std::move(t.step));
        out.misleading_per_step = to_numpy(std::move(t.misleading_per_step));
        out.corrective_per_step = to_numpy(std::move(t.corrective_per_step));
        out.misleading_reach = t.misleading_reach;
        out.corrective_reach = t.corrective_reach;
        out.misleading_alone = t.misleading_alone;
        return out;
      },
      py::arg("model"), py::arg("misleading_seeds"), py::arg("corrective_seeds"), py::arg("seed") = 0,
      py::arg("max_steps") = py::none(), R"doc(One traced race (trial 0 of estimate_competition with the same seed).

Examples
--------
>>> import kolsim
>>> g = kolsim.constant_probability(kolsim.from_edges([0, 1, 2], [2, 2, 3]), 1.0)
>>> t = kolsim.simulate_competition(kolsim.CompetitiveIC(g), [0], [1], seed=1)
>>> t.misleading_reach, t.misleading_alone
(3, 3)
)doc");
  m.def(
      "estimate_competition",
      [](const CompetitiveIC& model, py::handle misleading_seeds, py::handle corrective_seeds, std::uint64_t trials,
         std::uint64_t seed, int threads, std::optional<std::uint32_t> max_steps) {
        const auto f = seeds_of(model, misleading_seeds, "misleading_seeds");
        const auto c = seeds_of(model, corrective_seeds, "corrective_seeds");
        const CompetitionOptions opt = competition_options(trials, seed, threads, max_steps);
        CompetitiveEstimate e = without_gil([&] { return estimate_competition(model, f, c, opt); });
        PyCompetitiveEstimate out;
        out.misleading = e.misleading;
        out.corrective = e.corrective;
        out.saved = e.saved;
        out.misleading_alone = e.misleading_alone;
        out.misleading_per_step = to_numpy(std::move(e.misleading_per_step));
        out.corrective_per_step = to_numpy(std::move(e.corrective_per_step));
        out.trials = e.trials;
        out.edges_examined = e.edges_examined;
        out.seconds = e.seconds;
        return out;
      },
      py::arg("model"), py::arg("misleading_seeds"), py::arg("corrective_seeds"), py::arg("trials") = 10000,
      py::arg("seed") = 0, py::arg("threads") = 0, py::arg("max_steps") = py::none(),
      R"doc(Monte Carlo race between misleading (F) and corrective (C) seeds (account ids).

Reports accounts adopting each campaign, F's reach without correction on the same worlds and
the accounts saved; identical for any thread count. Interruptible with Ctrl-C.

Examples
--------
>>> import kolsim
>>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(300, 1500, seed=1))
>>> e = kolsim.estimate_competition(kolsim.CompetitiveIC(g), [0, 1], [2, 3], trials=2000, seed=4)
>>> e.saved.mean >= 0
True
)doc");
  m.def(
      "exact_competition",
      [](const CompetitiveIC& model, py::handle misleading_seeds, py::handle corrective_seeds,
         std::optional<std::uint32_t> max_steps, std::uint64_t max_worlds) {
        const auto f = seeds_of(model, misleading_seeds, "misleading_seeds");
        const auto c = seeds_of(model, corrective_seeds, "corrective_seeds");
        ExactCompetitionOptions opt;
        opt.max_steps = step_limit(max_steps);
        opt.max_worlds = max_worlds;
        ExactCompetition r = without_gil([&] { return exact_competition(model, f, c, opt); });
        PyExactCompetition out;
        out.misleading = r.misleading;
        out.corrective = r.corrective;
        out.saved = r.saved;
        out.misleading_alone = r.misleading_alone;
        out.misleading_per_step = to_numpy(std::move(r.misleading_per_step));
        out.corrective_per_step = to_numpy(std::move(r.corrective_per_step));
        out.misleading_probability = to_numpy(std::move(r.misleading_probability));
        out.corrective_probability = to_numpy(std::move(r.corrective_probability));
        out.worlds = r.worlds;
        return out;
      },
      py::arg("model"), py::arg("misleading_seeds"), py::arg("corrective_seeds"), py::arg("max_steps") = py::none(),
      py::arg("max_worlds") = std::uint64_t{1} << 24, R"doc(Exact race outcome by enumerating every world (tiny graphs).

Examples
--------
>>> import kolsim
>>> g = kolsim.constant_probability(kolsim.from_edges([0, 1], [2, 2]), 0.5)
>>> r = kolsim.exact_competition(kolsim.CompetitiveIC(g, tie_rule="corrective_wins"), [0], [1])
>>> r.corrective.mean
1.5
)doc");
}

}  // namespace kolsim::python

// SPDX-License-Identifier: MIT
/// Python bindings of the further diffusion models: the triggering model (IC, LT and
/// uniform-count samplers), complex contagion (k-exposure, fractional threshold) and competitive
/// LT, as overloads of estimate_spread / exact_spread / imm / opim_c / estimate_competition /
/// exact_competition / simulate_competition plus complex_greedy. Results are the same Python
/// classes the IC/LT functions return (one conversion each: bind_results.hpp, bind_competitive.hpp).
#include <cmath>
#include <variant>

#include "bind_args.hpp"
#include "bind_common.hpp"
#include "bind_competitive.hpp"
#include "bind_results.hpp"
#include "bind_options.hpp"
#include "bind_select.hpp"
#include "kolsim/core/choice.hpp"
#include "kolsim/diffusion/competitive.hpp"
#include "kolsim/select/complex_greedy.hpp"
#include "kolsim/estimate/triggering_estimate.hpp"
#include "kolsim/estimate/competitive_estimate.hpp"
#include "kolsim/select/imm.hpp"
#include "kolsim/select/opim.hpp"

namespace kolsim::python {

namespace {

/// The triggering samplers a TriggeringModel's `kind` names.
enum class TriggeringKind { ic, lt, uniform };
constexpr Choice<TriggeringKind> triggering_kind_choices[] = {
    {"ic", TriggeringKind::ic}, {"lt", TriggeringKind::lt}, {"uniform", TriggeringKind::uniform}};

/// The spellings of ExposureRule.
constexpr Choice<ExposureRule> exposure_rule_choices[] = {{"count", ExposureRule::count},
                                                          {"fraction", ExposureRule::fraction}};

/// A triggering model bound to its graph; `kind` picks the sampler.
struct PyTriggering {
  FollowerGraph graph;
  std::string kind;
  std::uint32_t count = 1;
  std::variant<TriggeringModel<IcTriggering>, TriggeringModel<LtTriggering>, TriggeringModel<UniformTriggering>> model;

  PyTriggering(FollowerGraph g, std::string k, std::uint32_t c) : graph(std::move(g)), kind(std::move(k)), count(c) {
    switch (parse_choice("TriggeringModel: kind", kind, triggering_kind_choices)) {
      case TriggeringKind::ic: model = TriggeringModel<IcTriggering>{}; break;
      case TriggeringKind::lt: model = TriggeringModel<LtTriggering>{}; break;
      case TriggeringKind::uniform: model = TriggeringModel<UniformTriggering>{{count}}; break;
    }
    std::visit([&](const auto& m) { m.validate(graph); }, model);
  }
};

struct PyComplex {
  FollowerGraph graph;
  ComplexContagion model;
  PyComplex(FollowerGraph g, ComplexContagion m) : graph(std::move(g)), model(m) { model.validate(graph); }
};

ComplexContagion make_complex(const std::string& rule, std::uint32_t k, double fraction,
                              std::optional<double> exposure_probability) {
  ComplexContagion c;
  c.rule = parse_choice("ComplexContagion: rule", rule, exposure_rule_choices);
  c.k = k;
  c.fraction = fraction;
  c.exposure_probability = exposure_probability ? *exposure_probability : -1.0;
  KOLSIM_REQUIRE(!exposure_probability || *exposure_probability >= 0.0,
                 "ComplexContagion: exposure_probability must be in [0, 1] or None (the edge probabilities)");
  return c;
}

constexpr const char* triggering_doc = R"doc(The triggering model (Kempe, Kleinberg, Tardos 2003) on ``graph``.

Every account draws a random set of in-neighbours (its triggering set) per trial and becomes
active one step after a member does. ``kind``: "ic" (each in-edge independently with its
probability: Independent Cascade), "lt" (at most one in-edge, with probability its weight:
Linear Threshold) or "uniform" (``count`` in-neighbours uniformly without replacement, edge values
ignored). Works with estimate_spread, exact_spread, imm and opim_c (RR guarantees hold).

Examples
--------
>>> import kolsim
>>> g = kolsim.constant_probability(kolsim.from_edges([0, 1], [2, 2]), 0.3)
>>> kolsim.exact_spread(kolsim.TriggeringModel(g, "uniform", count=1), [0]).spread
1.5
)doc";

constexpr const char* complex_doc = R"doc(Complex contagion on ``graph``: an account adopts once enough exposures passed.

``rule="count"``: k passed exposures (k-exposure); ``rule="fraction"``: at least
ceil(fraction * in-degree). Each exposure passes with ``exposure_probability`` (1 = deterministic;
None = the edge's probability). Not submodular: no RR sets, no CELF; use estimate_spread,
exact_spread and complex_greedy. See also :func:`KExposure` and :func:`FractionalThreshold`.

Examples
--------
>>> import kolsim
>>> g = kolsim.constant_probability(kolsim.from_edges([0, 1], [2, 2]), 1.0)
>>> kolsim.exact_spread(kolsim.KExposure(g, 2), [0, 1]).spread
3.0
)doc";

/// TriggeringModel (IC, LT and uniform-count samplers).
void bind_triggering_class(py::module_& m) {
  py::class_<PyTriggering>(m, "TriggeringModel", triggering_doc)
      .def(py::init<FollowerGraph, std::string, std::uint32_t>(), py::arg("graph"), py::arg("kind") = "ic",
           py::arg("count") = 1)
      .def_readonly("graph", &PyTriggering::graph)
      .def_readonly("kind", &PyTriggering::kind)
      .def_readonly("count", &PyTriggering::count)
      .def("__repr__", [](const PyTriggering& t) {
        return detail::concat("TriggeringModel(kind='", t.kind, "', count=", t.count, ", num_vertices=",
                              t.graph.num_vertices(), ")");
      })
      .def(py::pickle([](const PyTriggering& t) { return py::make_tuple(t.graph, t.kind, t.count); },
                      [](const py::tuple& s) {
                        return PyTriggering(s[0].cast<FollowerGraph>(), s[1].cast<std::string>(), s[2].cast<std::uint32_t>());
                      }));
}

/// ComplexContagion with its KExposure and FractionalThreshold shorthands.
void bind_complex_models(py::module_& m) {
  py::class_<PyComplex>(m, "ComplexContagion", complex_doc)
      .def(py::init([](const FollowerGraph& g, const std::string& rule, std::uint32_t k, double fraction,
                       std::optional<double> p) { return PyComplex(g, make_complex(rule, k, fraction, p)); }),
           py::arg("graph"), py::arg("rule") = "count", py::arg("k") = 2, py::arg("fraction") = 0.5,
           py::arg("exposure_probability") = 1.0)
      .def_readonly("graph", &PyComplex::graph)
      .def_property_readonly("rule", [](const PyComplex& c) { return c.model.rule == ExposureRule::count ? "count" : "fraction"; })
      .def_property_readonly("k", [](const PyComplex& c) { return c.model.k; })
      .def_property_readonly("fraction", [](const PyComplex& c) { return c.model.fraction; })
      .def_property_readonly("exposure_probability", [](const PyComplex& c) -> py::object {
        return c.model.exposure_probability < 0 ? py::none() : py::object(py::float_(c.model.exposure_probability));
      })
      .def("__repr__", [](const PyComplex& c) {
        return detail::concat("ComplexContagion(rule='", c.model.rule == ExposureRule::count ? "count" : "fraction",
                              "', k=", c.model.k, ", fraction=", c.model.fraction, ", exposure_probability=",
                              c.model.exposure_probability, ")");
      });
  m.def(
      "KExposure",
      [](const FollowerGraph& g, std::uint32_t k, std::optional<double> p) {
        return PyComplex(g, make_complex("count", k, 0.5, p));
      },
      py::arg("graph"), py::arg("k") = 2, py::arg("exposure_probability") = 1.0,
      "k-exposure contagion: ComplexContagion(graph, rule='count', k=k, exposure_probability=...).");
  m.def(
      "FractionalThreshold",
      [](const FollowerGraph& g, double q, std::optional<double> p) {
        return PyComplex(g, make_complex("fraction", 1, q, p));
      },
      py::arg("graph"), py::arg("fraction") = 0.5, py::arg("exposure_probability") = 1.0,
      "Fractional-threshold contagion: ComplexContagion(graph, rule='fraction', fraction=...).");
}

/// estimate_spread and exact_spread overloads for the triggering and complex-contagion models.
void bind_model_spread(py::module_& m) {
  m.def(
      "estimate_spread",
      [](const PyTriggering& t, py::handle seeds, std::uint64_t trials, std::uint64_t seed, int threads,
         std::optional<std::uint32_t> max_steps, bool per_account) {
        const auto s = vertex_vector(t.graph, seeds, "seeds");
        const auto opt = mc_options(trials, seed, threads, max_steps, per_account);
        SpreadEstimate e = without_gil([&] {
          return std::visit([&](const auto& mm) { return estimate_spread(t.graph, mm, std::span<const vertex_t>(s), opt); },
                            t.model);
        });
        return to_python(std::move(e), per_account, seed);
      },
      py::arg("model"), py::arg("seeds"), py::arg("trials") = MonteCarloOptions{}.trials, py::arg("seed") = 0,
      py::arg("threads") = 0, py::arg("max_steps") = py::none(), py::arg("per_account") = false);
  m.def(
      "estimate_spread",
      [](const PyComplex& c, py::handle seeds, std::uint64_t trials, std::uint64_t seed, int threads,
         std::optional<std::uint32_t> max_steps, bool per_account) {
        const auto s = vertex_vector(c.graph, seeds, "seeds");
        const auto opt = mc_options(trials, seed, threads, max_steps, per_account);
        SpreadEstimate e = without_gil([&] { return estimate_spread(c.graph, c.model, std::span<const vertex_t>(s), opt); });
        return to_python(std::move(e), per_account, seed);
      },
      py::arg("model"), py::arg("seeds"), py::arg("trials") = MonteCarloOptions{}.trials, py::arg("seed") = 0,
      py::arg("threads") = 0, py::arg("max_steps") = py::none(), py::arg("per_account") = false);
  m.def(
      "exact_spread",
      [](const PyTriggering& t, py::handle seeds, std::optional<std::uint32_t> max_steps, std::uint64_t max_worlds) {
        const auto s = vertex_vector(t.graph, seeds, "seeds");
        const auto opt = exact_options(max_steps, max_worlds);
        ExactResult r = without_gil([&] {
          return std::visit([&](const auto& mm) { return exact_spread(t.graph, mm, std::span<const vertex_t>(s), opt); },
                            t.model);
        });
        return to_python(std::move(r));
      },
      py::arg("model"), py::arg("seeds"), py::arg("max_steps") = py::none(),
      py::arg("max_worlds") = ExactOptions{}.max_worlds);
  m.def(
      "exact_spread",
      [](const PyComplex& c, py::handle seeds, std::optional<std::uint32_t> max_steps, std::uint64_t max_worlds) {
        const auto s = vertex_vector(c.graph, seeds, "seeds");
        const auto opt = exact_options(max_steps, max_worlds);
        ExactResult r = without_gil([&] { return exact_spread(c.graph, c.model, std::span<const vertex_t>(s), opt); });
        return to_python(std::move(r));
      },
      py::arg("model"), py::arg("seeds"), py::arg("max_steps") = py::none(),
      py::arg("max_worlds") = ExactOptions{}.max_worlds);
}

/// imm and opim_c for the triggering model, complex_greedy for complex contagion.
void bind_model_selectors(py::module_& m) {
  // The same keywords, defaults and checks as imm / opim_c of the other models (bind_options.hpp).
  def_imm(m, [](const PyTriggering& t, std::size_t k, double epsilon, double ell, std::size_t memory_limit,
                std::optional<std::uint32_t> max_depth, py::handle root_weights, py::handle candidates,
                py::handle fixed_seeds, std::uint64_t seed, int threads, double estimation_epsilon,
                const std::string& bound_phase, double validation_ratio) {
    ImmOptions opt;
    fill_rr_options(opt, t.graph, candidates, fixed_seeds, seed, threads, memory_limit, max_depth, root_weights);
    fill_imm_options(opt, epsilon, ell, estimation_epsilon, bound_phase, validation_ratio);
    ImmResult r = without_gil([&] { return std::visit([&](const auto& mm) { return imm(t.graph, mm, k, opt); }, t.model); });
    return imm_result(t.graph, std::move(r), seed);
  });
  def_opim_c(m, [](const PyTriggering& t, std::size_t k, double epsilon, double delta, std::size_t memory_limit,
                   std::optional<std::uint32_t> max_depth, py::handle root_weights, py::handle candidates,
                   py::handle fixed_seeds, std::uint64_t seed, int threads, double selection_ratio,
                   double max_selection_noise) {
    OpimOptions opt;
    fill_rr_options(opt, t.graph, candidates, fixed_seeds, seed, threads, memory_limit, max_depth, root_weights);
    fill_opim_options(opt, epsilon, delta, selection_ratio, max_selection_noise);
    OpimResult r =
        without_gil([&] { return std::visit([&](const auto& mm) { return opim_c(t.graph, mm, k, opt); }, t.model); });
    return opim_result(t.graph, std::move(r), seed);
  });
  m.def(
      "complex_greedy",
      [](const PyComplex& c, std::size_t k, std::uint64_t worlds, std::optional<std::uint32_t> max_steps,
         py::handle candidates, py::handle fixed_seeds, std::uint64_t seed, int threads) {
        ComplexGreedyOptions opt;
        opt.worlds = worlds;
        opt.max_steps = step_limit(max_steps);
        fill_select_options(opt, c.graph, candidates, fixed_seeds, seed, threads);
        SelectResult r = without_gil([&] { return complex_greedy(c.graph, c.model, k, opt); });
        return to_python(c.graph, std::move(r));
      },
      py::arg("model"), py::arg("k"), py::arg("worlds") = ComplexGreedyOptions{}.worlds, py::arg("max_steps") = py::none(),
      py::arg("candidates") = py::none(), py::arg("fixed_seeds") = py::none(), py::arg("seed") = 0,
      py::arg("threads") = 0,
      R"doc(Plain greedy for complex contagion on ``worlds`` common-random-number worlds (no lazy
evaluation: the spread is not submodular, so there is no approximation guarantee).

Examples
--------
>>> import kolsim
>>> g = kolsim.constant_probability(kolsim.from_edges([0, 1], [2, 2]), 1.0)
>>> sorted(kolsim.complex_greedy(kolsim.KExposure(g, 2), 2).seeds.tolist())
[0, 1]
)doc");
}

/// The CompetitiveLT model.
void bind_competitive_lt(py::module_& m) {

  py::class_<CompetitiveLT>(m, "CompetitiveLT", R"doc(Competitive Linear Threshold (Borodin, Filmus, Oren, WINE 2010).

Weight-proportional variant: one threshold per account shared by both campaigns; once the
active in-weight of either campaign reaches it, the account adopts F with probability
W_F / (W_F + W_C). Both seed sets post at step 0. ``graph`` holds LT weights (in-weights sum
to <= 1). Works with estimate_competition, exact_competition and simulate_competition; the
blocking selectors support CompetitiveIC only.

Examples
--------
>>> import kolsim
>>> g = kolsim.constant_probability(kolsim.from_edges([0, 1], [2, 2]), 0.5)
>>> r = kolsim.exact_competition(kolsim.CompetitiveLT(g), [0], [1])
>>> round(r.misleading.mean, 6), round(r.corrective.mean, 6)
(1.5, 1.5)
)doc")
      .def(py::init<FollowerGraph>(), py::arg("graph"))
      .def_property_readonly("graph", &CompetitiveLT::graph)
      .def("__repr__", [](const CompetitiveLT& c) {
        return detail::concat("CompetitiveLT(num_vertices=", c.num_vertices(), ")");
      })
      .def(py::pickle([](const CompetitiveLT& c) { return py::make_tuple(c.graph()); },
                      [](const py::tuple& s) { return CompetitiveLT(s[0].cast<FollowerGraph>()); }));
}

/// estimate_competition, exact_competition and simulate_competition overloads for CompetitiveLT.
void bind_competitive_lt_races(py::module_& m) {
  m.def(
      "estimate_competition",
      [](const CompetitiveLT& model, py::handle misleading_seeds, py::handle corrective_seeds, std::uint64_t trials,
         std::uint64_t seed, int threads, std::optional<std::uint32_t> max_steps) {
        const auto f = vertex_vector(model.graph(), misleading_seeds, "misleading_seeds");
        const auto c = vertex_vector(model.graph(), corrective_seeds, "corrective_seeds");
        const CompetitionOptions opt = competition_options(trials, seed, threads, max_steps);
        CompetitiveEstimate e = without_gil([&] {
          return estimate_competition(model, std::span<const vertex_t>(f), std::span<const vertex_t>(c), opt);
        });
        return py::cast(to_python(std::move(e)));
      },
      py::arg("model"), py::arg("misleading_seeds"), py::arg("corrective_seeds"), py::arg("trials") = 10000,
      py::arg("seed") = 0, py::arg("threads") = 0, py::arg("max_steps") = py::none());
  m.def(
      "exact_competition",
      [](const CompetitiveLT& model, py::handle misleading_seeds, py::handle corrective_seeds,
         std::optional<std::uint32_t> max_steps, std::uint64_t max_worlds) {
        const auto f = vertex_vector(model.graph(), misleading_seeds, "misleading_seeds");
        const auto c = vertex_vector(model.graph(), corrective_seeds, "corrective_seeds");
        const auto opt = exact_options<ExactCompetitionOptions>(max_steps, max_worlds);
        ExactCompetition r = without_gil([&] {
          return exact_competition(model, std::span<const vertex_t>(f), std::span<const vertex_t>(c), opt);
        });
        return py::cast(to_python(std::move(r)));
      },
      py::arg("model"), py::arg("misleading_seeds"), py::arg("corrective_seeds"), py::arg("max_steps") = py::none(),
      py::arg("max_worlds") = ExactCompetitionOptions{}.max_worlds);
  m.def(
      "simulate_competition",
      [](const CompetitiveLT& model, py::handle misleading_seeds, py::handle corrective_seeds, std::uint64_t seed,
         std::optional<std::uint32_t> max_steps) {
        const auto f = vertex_vector(model.graph(), misleading_seeds, "misleading_seeds");
        const auto c = vertex_vector(model.graph(), corrective_seeds, "corrective_seeds");
        CompetitiveTrace t = without_gil([&] {
          return simulate_competition(model, std::span<const vertex_t>(f), std::span<const vertex_t>(c), seed,
                                      step_limit(max_steps));
        });
        return py::cast(to_python(model.graph(), std::move(t)));
      },
      py::arg("model"), py::arg("misleading_seeds"), py::arg("corrective_seeds"), py::arg("seed") = 0,
      py::arg("max_steps") = py::none());
}

}  // namespace

void bind_models(py::module_& m) {
  bind_triggering_class(m);
  bind_complex_models(m);
  bind_model_spread(m);
  bind_model_selectors(m);
  bind_competitive_lt(m);
  bind_competitive_lt_races(m);
}

}  // namespace kolsim::python

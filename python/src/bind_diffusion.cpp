// SPDX-License-Identifier: MIT
/// Python bindings of the diffusion layer: the IndependentCascade and LinearThreshold model
/// objects (each carrying its graph) and simulate() with its Trace.
#include "bind_common.hpp"
#include "bind_pickle.hpp"
#include "kolsim/diffusion/simulate.hpp"

namespace kolsim::python {

namespace {

/// A Trace with account ids in numpy arrays (seeds are their own parent).
struct PyTrace {
  py::array_t<account_t> activated;
  py::array_t<std::uint32_t> step;
  py::array_t<account_t> parent;
  py::array_t<std::uint64_t> new_per_step;
};

template <class M>
PyTrace simulate_py(const BoundModel<M>& m, py::handle seeds, std::uint64_t seed, std::optional<std::uint32_t> max_steps,
                    py::handle seed_probabilities) {
  const auto s = vertex_vector(m.graph, seeds, "seeds");
  SimulateOptions opt;
  opt.max_steps = step_limit(max_steps);
  opt.seed_probabilities = number_vector<prob_t>(seed_probabilities, "seed_probabilities");
  Trace t = without_gil([&] { return simulate(m.graph, m.model, s, seed, opt); });
  std::vector<account_t> parent(t.parent.size());
  for (std::size_t i = 0; i < parent.size(); ++i)
    parent[i] = m.graph.account(t.parent[i] == no_vertex ? t.activated[i] : t.parent[i]);
  PyTrace out;
  out.activated = accounts_array(m.graph, t.activated);
  out.step = to_numpy(std::move(t.step));
  out.parent = to_numpy(std::move(parent));
  out.new_per_step = to_numpy(std::move(t.new_per_step));
  return out;
}

template <class M>
void bind_model(py::module_& m, const char* name, const char* doc) {
  py::class_<BoundModel<M>>(m, name, doc)
      .def(py::init<FollowerGraph>(), py::arg("graph"))
      .def_readonly("graph", &BoundModel<M>::graph, "The follower graph the model runs on.")
      .def_property_readonly_static("name", [](py::object) { return std::string(M::name); })
      .def("__repr__", [name](const BoundModel<M>& b) {
        return detail::concat(name, "(graph=FollowerGraph(num_vertices=", b.graph.num_vertices(),
                              ", num_edges=", b.graph.num_edges(), "))");
      })
      .def(py::pickle([](const BoundModel<M>& b) { return py::make_tuple(b.graph); },
                      [](const py::tuple& t) { return BoundModel<M>(t[0].cast<FollowerGraph>()); }));
}

constexpr const char* simulate_doc = R"doc(Runs one traced cascade from ``seeds`` (account ids).

Parameters
----------
model : IndependentCascade or LinearThreshold
    The model and, through it, the graph.
seeds : array_like of int
    Account ids of the posting KOLs (unknown ids raise IndexError naming the id).
seed : int
    Random seed; the cascade is trial 0 of :func:`estimate_spread` with the same seed.
max_steps : int, optional
    Deadline: only activations at step <= max_steps happen (None: no deadline).
seed_probabilities : array_like of float, optional
    One per seed: the KOL posts with this probability.

Returns
-------
Trace
    ``activated`` (account ids in activation order, seeds first), ``step``, ``parent``
    (account id of the activator; seeds are their own parent) and ``new_per_step``.

Examples
--------
>>> import kolsim
>>> g = kolsim.constant_probability(kolsim.from_edges([0, 1], [1, 2]), 1.0)
>>> kolsim.simulate(kolsim.IndependentCascade(g), [0], seed=1).activated.tolist()
[0, 1, 2]
)doc";

}  // namespace

void bind_diffusion(py::module_& m) {
  py::class_<PyTrace>(m, "Trace", "The record of one cascade (account ids).")
      .def(field_pickle("Trace", &PyTrace::activated, &PyTrace::step, &PyTrace::parent, &PyTrace::new_per_step))
      .def_readonly("activated", &PyTrace::activated, "Account ids in activation order (seeds first).")
      .def_readonly("step", &PyTrace::step, "Step of each activation (seeds 0).")
      .def_readonly("parent", &PyTrace::parent, "Account that activated each one (seeds: themselves).")
      .def_readonly("new_per_step", &PyTrace::new_per_step, "Accounts newly reached at step t (t = 0: seeds).")
      .def("__len__", [](const PyTrace& t) { return t.activated.size(); })
      .def("__repr__", [](const PyTrace& t) {
        return detail::concat("Trace(reached=", t.activated.size(), ", steps=", t.new_per_step.size(), ")");
      });

  bind_model<IndependentCascade>(m, "IndependentCascade", R"doc(Independent Cascade on a graph (Kempe et al. 2003).

Each newly active account gets one chance to activate each follower with the edge's probability.
The graph must carry probabilities (ValueError otherwise).

Examples
--------
>>> import kolsim
>>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(100, 400, seed=1))
>>> model = kolsim.IndependentCascade(g)
>>> model.graph.num_edges
400
)doc");
  bind_model<LinearThreshold>(m, "LinearThreshold", R"doc(Linear Threshold on a graph (Kempe et al. 2003).

Every account draws a uniform threshold and activates once the weights of its active
followees reach it. In-weights must sum to at most 1 per account (ValueError otherwise; use
``lt_normalise`` or ``weighted_cascade``).

Examples
--------
>>> import kolsim
>>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(100, 400, seed=1))
>>> kolsim.LinearThreshold(g).name
'linear_threshold'
)doc");

  m.def("simulate", &simulate_py<IndependentCascade>, py::arg("model"), py::arg("seeds"), py::arg("seed") = 0,
        py::arg("max_steps") = py::none(), py::arg("seed_probabilities") = py::none(), simulate_doc);
  m.def("simulate", &simulate_py<LinearThreshold>, py::arg("model"), py::arg("seeds"), py::arg("seed") = 0,
        py::arg("max_steps") = py::none(), py::arg("seed_probabilities") = py::none());
}

}  // namespace kolsim::python

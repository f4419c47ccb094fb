// SPDX-License-Identifier: MIT
/// Python bindings of the opinion layer: DeGroot, Friedkin-Johnsen (direct or iterated) with
/// stubborn KOLs, the Musco et al. measures and greedy opinion maximisation.
#include "bind_pickle.hpp"
#include "bind_select.hpp"
#include "kolsim/core/choice.hpp"
#include "kolsim/opinion/dynamics.hpp"
#include "kolsim/opinion/measures.hpp"
#include "kolsim/opinion/stubborn.hpp"

namespace kolsim::python {

namespace {

/// Final opinions and per-step measures of DeGroot or Friedkin-Johnsen.
struct PyOpinionResult {
  py::array_t<double> opinions;
  std::string method;
  std::size_t iterations = 0;
  bool converged = false;
  double residual = 0.0;  ///< FJ: max |(I - Lambda W) x - (I - Lambda) s|; DeGroot: last change
  py::dict summary;
  py::dict trajectory;
  double seconds = 0.0;
};

py::dict summary_dict(const OpinionSummary& s) {
  py::dict d;
  d["mean"] = s.mean;
  d["polarization"] = s.polarisation;  // American key, as numpy/networkx; kolsim keeps "polarisation" as an alias
  d["disagreement"] = s.disagreement;
  d["index"] = s.index();
  return d;
}

py::dict trajectory_dict(const std::vector<OpinionStep>& steps) {
  std::vector<std::uint64_t> step;
  std::vector<double> mean, pol, dis, change;
  for (const auto& s : steps) {
    step.push_back(s.step);
    mean.push_back(s.mean);
    pol.push_back(s.polarisation);
    dis.push_back(s.disagreement);
    change.push_back(s.change);
  }
  py::dict d;
  d["step"] = to_numpy(std::move(step));
  d["mean"] = to_numpy(std::move(mean));
  d["polarization"] = to_numpy(std::move(pol));
  d["disagreement"] = to_numpy(std::move(dis));
  d["change"] = to_numpy(std::move(change));
  return d;
}

/// A float or an array-like of floats (a scalar becomes a one-element vector).
std::vector<double> values_or_scalar(py::handle obj, const char* what) {
  if (py::isinstance<py::float_>(obj) || py::isinstance<py::int_>(obj)) return {obj.cast<double>()};
  py::array arr = py::array::ensure(obj);
  if (arr && arr.ndim() == 0) return {obj.cast<double>()};
  return number_vector<double>(obj, what);
}

std::vector<double> opinion_vector(py::handle obj, const char* what) {
  if (obj.is_none()) throw py::type_error(std::string(what) + ": expected an array-like of opinions, got None");
  return number_vector<double>(obj, what);
}

/// The spellings of FjSolver ("bicgstab" is the solver "direct" names).
constexpr Choice<FjSolver> fj_solver_choices[] = {{"direct", FjSolver::bicgstab},
                                                  {"bicgstab", FjSolver::bicgstab},
                                                  {"sparse_lu", FjSolver::sparse_lu},
                                                  {"iterate", FjSolver::iterate}};

FjSolver solver_of(const std::string& method) { return parse_choice("method", method, fj_solver_choices); }

/// Steps, tolerance, edge weights, trajectory and threads of a DeGroot or Friedkin-Johnsen run,
/// with this call's stop token (Ctrl-C) and progress.
void fill_opinion_options(OpinionOptions& opt, std::size_t steps, double tol, bool use_edge_weights,
                          bool record_trajectory, int threads) {
  opt.steps = steps;
  opt.tolerance = tol;
  opt.use_edge_weights = use_edge_weights;
  opt.record_trajectory = record_trajectory;
  opt.threads = threads;
  opt.stop = python_stop_token();
  opt.progress = python_progress();
}

/// The Python OpinionResult of a DeGroot trajectory or a Friedkin-Johnsen result (opinions
/// moved): the fields both share come from `r`, the three they name differently are given.
template <class R>
PyOpinionResult opinion_result(R& r, std::string method, std::size_t iterations, double residual) {
  PyOpinionResult out;
  out.method = std::move(method);
  out.iterations = iterations;
  out.converged = r.converged;
  out.residual = residual;
  out.summary = summary_dict(r.summary);
  out.trajectory = trajectory_dict(r.trajectory);
  out.seconds = r.seconds;
  out.opinions = to_numpy(std::move(r.opinions));
  return out;
}

/// OpinionResult: final opinions with convergence data and per-step measures.
void bind_opinion_result(py::module_& m) {
  py::class_<PyOpinionResult>(m, "OpinionResult",
                              "Final opinions (numpy, graph order) with convergence data and per-step measures.")
      .def(field_pickle("OpinionResult", &PyOpinionResult::opinions, &PyOpinionResult::method,
                        &PyOpinionResult::iterations, &PyOpinionResult::converged, &PyOpinionResult::residual,
                        &PyOpinionResult::summary, &PyOpinionResult::trajectory, &PyOpinionResult::seconds))
      .def_readonly("opinions", &PyOpinionResult::opinions, "Opinion of each account (graph order).")
      .def_readonly("method", &PyOpinionResult::method, "'degroot', 'bicgstab', 'sparse_lu' or 'iterate'.")
      .def_readonly("iterations", &PyOpinionResult::iterations, "Model steps or solver iterations.")
      .def_readonly("converged", &PyOpinionResult::converged)
      .def_readonly("residual", &PyOpinionResult::residual,
                    "FJ: max-norm residual of the linear system; DeGroot: largest change of the last step.")
      .def_readonly("summary", &PyOpinionResult::summary,
                    "Dict of the final opinions' mean, polarization, disagreement and index (their sum).")
      .def_readonly("trajectory", &PyOpinionResult::trajectory,
                    "Dict of per-step arrays step, mean, polarization, disagreement, change (empty unless recorded).")
      .def_readonly("seconds", &PyOpinionResult::seconds)
      .def("__repr__", [](const PyOpinionResult& r) {
        return detail::concat("OpinionResult(method='", r.method, "', n=", r.opinions.size(),
                              ", iterations=", r.iterations, ", converged=", r.converged ? "True" : "False", ")");
      });
}

/// DeGroot averaging.
void bind_degroot(py::module_& m) {
  m.def(
      "degroot",
      [](const FollowerGraph& graph, py::handle initial, std::size_t steps, double tol, bool use_edge_weights,
         bool record_trajectory, int threads) {
        OpinionOptions opt;
        fill_opinion_options(opt, steps, tol, use_edge_weights, record_trajectory, threads);
        const std::vector<double> x0 = opinion_vector(initial, "initial");
        OpinionTrajectory r = without_gil([&] { return degroot(graph, x0, opt); });
        return opinion_result(r, "degroot", r.steps, r.change);
      },
      py::arg("graph"), py::arg("initial"), py::arg("steps") = 1000, py::arg("tol") = 1e-12,
      py::arg("use_edge_weights") = true, py::arg("record_trajectory") = true, py::arg("threads") = 0,
      R"doc(DeGroot averaging x_{t+1} = W x_t (DeGroot 1974).

Each account listens to the accounts it follows; W is row-normalised over edge weights (edge
probabilities when assigned and ``use_edge_weights``, else 1). Accounts that follow nobody keep
their opinion.

Parameters
----------
graph : FollowerGraph
initial : array_like of float
    One finite opinion per account (graph order).
steps : int
    At most this many steps.
tol : float
    Stop once the largest change of a step is <= tol (0: run all steps).
use_edge_weights, record_trajectory : bool
threads : int
    0 = all.

Returns
-------
OpinionResult

Examples
--------
>>> import kolsim
>>> g = kolsim.from_edges([0, 1, 2, 1], [1, 2, 0, 0])
>>> r = kolsim.degroot(g, [1.0, 0.0, 0.0], steps=10_000)
>>> r.converged, round(float(r.opinions[2]), 6)
(True, 0.4)
)doc");
}

/// Friedkin-Johnsen opinions with stubborn KOLs (direct solvers or iterated dynamics).
void bind_friedkin_johnsen(py::module_& m) {
  m.def(
      "friedkin_johnsen",
      [](const FollowerGraph& graph, py::handle innate, py::handle susceptibility, py::handle stubborn,
         double stubborn_opinion, const std::string& method, std::size_t steps, double tol, double solver_tol,
         bool use_edge_weights, bool record_trajectory, int threads) {
        FjOptions opt;
        opt.solver = solver_of(method);
        opt.stubborn = vertex_vector(graph, stubborn, "stubborn");
        opt.stubborn_opinion = stubborn_opinion;
        opt.solver_tolerance = solver_tol;
        fill_opinion_options(opt, steps, tol, use_edge_weights, record_trajectory, threads);
        const std::vector<double> s = opinion_vector(innate, "innate");
        const std::vector<double> lambda = values_or_scalar(susceptibility, "susceptibility");
        FjResult r = without_gil([&] { return friedkin_johnsen_equilibrium(graph, s, lambda, opt); });
        return opinion_result(r, r.method, r.iterations, r.residual);
      },
      py::arg("graph"), py::arg("innate"), py::arg("susceptibility"), py::arg("stubborn") = py::none(),
      py::arg("stubborn_opinion") = 1.0, py::arg("method") = "direct", py::arg("steps") = 1000,
      py::arg("tol") = 1e-12, py::arg("solver_tol") = 1e-13, py::arg("use_edge_weights") = true,
      py::arg("record_trajectory") = false, py::arg("threads") = 0,
      R"doc(Friedkin-Johnsen opinions x = Lambda W x + (I - Lambda) s (Friedkin and Johnsen 1990).

Parameters
----------
graph : FollowerGraph
innate : array_like of float
    Innate opinion s of each account (graph order).
susceptibility : float or array_like of float
    lambda in [0, 1] per account (stubbornness is 1 - lambda), or one value for all.
stubborn : array_like of int, optional
    Account ids of KOLs that keep pushing ``stubborn_opinion`` (lambda = 0).
stubborn_opinion : float
method : {'direct', 'bicgstab', 'sparse_lu', 'iterate'}
    'direct' (= 'bicgstab', Jacobi preconditioned) or 'sparse_lu' solve for the equilibrium;
    'iterate' runs the dynamics from x_0 = s for at most ``steps`` steps until the largest
    change is <= ``tol``.
solver_tol : float
    BiCGSTAB relative residual.

Returns
-------
OpinionResult

Raises
------
ValueError
    Wrong lengths, non-finite opinions, susceptibility outside [0, 1], or no unique
    equilibrium (accounts with lambda = 1 that never reach an account with lambda < 1).

Examples
--------
>>> import kolsim
>>> g = kolsim.from_edges([0, 1], [1, 2])
>>> r = kolsim.friedkin_johnsen(g, [0.0, 0.0, 0.0], 1.0, stubborn=[0])
>>> r.opinions.round(6).tolist()
[1.0, 1.0, 1.0]
)doc");
}

/// The Musco et al. measures: polarization, mean opinion, disagreement and their index.
void bind_opinion_measures(py::module_& m) {
  m.def(
      "polarisation", [](py::handle opinions) { return polarisation(opinion_vector(opinions, "opinions")); },
      py::arg("opinions"),
      R"doc(Polarization sum_i (x_i - mean)^2 (Musco, Musco, Tsourakakis 2018).

Examples
--------
>>> import kolsim
>>> kolsim.polarization([0.0, 1.0, 2.0])
2.0
)doc");
  m.def(
      "mean_opinion", [](py::handle opinions) { return mean_opinion(opinion_vector(opinions, "opinions")); },
      py::arg("opinions"),
      R"doc(Mean opinion (0 for no accounts).

Examples
--------
>>> import kolsim
>>> kolsim.mean_opinion([0.0, 1.0])
0.5
)doc");
  m.def(
      "disagreement",
      [](const FollowerGraph& graph, py::handle opinions, bool use_edge_weights) {
        return disagreement(graph, opinion_vector(opinions, "opinions"), use_edge_weights);
      },
      py::arg("graph"), py::arg("opinions"), py::arg("use_edge_weights") = true,
      R"doc(Disagreement sum over edges u -> v of w(u, v) (x_u - x_v)^2 (Musco et al. 2018).

w is the edge probability when assigned and ``use_edge_weights``, else 1.

Examples
--------
>>> import kolsim
>>> kolsim.disagreement(kolsim.from_edges([0, 1], [1, 2]), [0.0, 1.0, 3.0])
5.0
)doc");
  m.def(
      "polarisation_disagreement_index",
      [](const FollowerGraph& graph, py::handle opinions, bool use_edge_weights) {
        return polarisation_disagreement_index(graph, opinion_vector(opinions, "opinions"), use_edge_weights);
      },
      py::arg("graph"), py::arg("opinions"), py::arg("use_edge_weights") = true,
      R"doc(Polarization + disagreement (Musco et al. 2018).

Examples
--------
>>> import kolsim
>>> kolsim.polarization_disagreement_index(kolsim.from_edges([0], [1]), [0.0, 2.0])
6.0
)doc");
}

/// Greedy opinion maximisation (Gionis, Terzi, Tsaparas).
void bind_opinion_maximisation(py::module_& m) {
  m.def(
      "maximise_opinion",
      [](const FollowerGraph& graph, std::size_t k, py::handle innate, py::handle susceptibility,
         double stubborn_opinion, py::handle candidates, py::handle fixed_seeds, const std::string& method,
         bool lazy, double solver_tol, bool use_edge_weights, int threads) {
        OpinionMaxOptions opt;
        fill_select_options(opt, graph, candidates, fixed_seeds, 0, threads);
        opt.solver = solver_of(method);
        if (opt.solver == FjSolver::iterate) throw std::invalid_argument("maximise_opinion: method 'iterate' is not a solver");
        opt.stubborn_opinion = stubborn_opinion;
        opt.lazy = lazy;
        opt.solver_tolerance = solver_tol;
        opt.use_edge_weights = use_edge_weights;
        const std::vector<double> s = opinion_vector(innate, "innate");
        const std::vector<double> lambda = values_or_scalar(susceptibility, "susceptibility");
        SelectResult r = without_gil([&] { return maximise_opinion(graph, s, lambda, k, opt); });
        return to_python(graph, std::move(r));
      },
      py::arg("graph"), py::arg("k"), py::arg("innate"), py::arg("susceptibility"), py::arg("stubborn_opinion") = 1.0,
      py::arg("candidates") = py::none(), py::arg("fixed_seeds") = py::none(), py::arg("method") = "direct",
      py::arg("lazy") = true, py::arg("solver_tol") = 1e-13, py::arg("use_edge_weights") = true,
      py::arg("threads") = 0,
      R"doc(Choose k accounts to make stubborn (opinion ``stubborn_opinion``) to maximize the sum of
Friedkin-Johnsen equilibrium opinions (Gionis, Terzi, Tsaparas, SDM 2013).

Greedy with exact marginal gains (lazy evaluation with transposed-solve bounds). When every
innate opinion is <= stubborn_opinion the objective is monotone submodular and the result is
within 1 - 1/e of the optimum gain (``approximation``); otherwise approximation = 0.

Parameters
----------
graph : FollowerGraph
k : int
innate : array_like of float
susceptibility : float or array_like of float
candidates, fixed_seeds : array_like of int, optional
    Account ids; fixed seeds are stubborn already and do not count toward k.
method : {'direct', 'bicgstab', 'sparse_lu'}

Returns
-------
SelectResult
    ``seeds`` (account ids), exact ``marginal_gains``, ``spread`` = sum of equilibrium opinions.

Examples
--------
>>> import kolsim
>>> g = kolsim.from_edges([0, 1, 2, 3], [1, 2, 3, 4])
>>> kolsim.maximize_opinion(g, 1, [0.0] * 5, 0.9).seeds.tolist()
[0]
)doc");
}

}  // namespace

void bind_opinion(py::module_& m) {
  bind_opinion_result(m);
  bind_degroot(m);
  bind_friedkin_johnsen(m);
  bind_opinion_measures(m);
  bind_opinion_maximisation(m);
}

}  // namespace kolsim::python

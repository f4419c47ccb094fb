// SPDX-License-Identifier: MIT
/// Python bindings of the estimators: Monte Carlo estimate_spread (interruptible) and the exact
/// live-edge enumeration exact_spread.
#include <cmath>

#include "bind_common.hpp"
#include "bind_options.hpp"
#include "bind_results.hpp"
#include "bind_pickle.hpp"
#include "kolsim/estimate/exact.hpp"
#include "kolsim/estimate/monte_carlo.hpp"

namespace kolsim::python {

namespace {

template <class M>
PySpreadEstimate estimate_py(const BoundModel<M>& m, py::handle seeds, std::uint64_t trials, std::uint64_t seed,
                             int threads, double target_relative_error, std::uint64_t max_trials,
                             std::optional<std::uint32_t> max_steps, py::handle seed_probabilities, bool per_account,
                             py::handle account_weights, bool fused) {
  const auto s = vertex_vector(m.graph, seeds, "seeds");
  const MonteCarloOptions opt = monte_carlo_options(trials, seed, threads, target_relative_error, max_trials, max_steps,
                                                    seed_probabilities, per_account, account_weights, fused);
  SpreadEstimate e = without_gil([&] { return estimate_spread(m.graph, m.model, s, opt); });
  return to_python(std::move(e), per_account, seed);
}

template <class M>
PyExactResult exact_py(const BoundModel<M>& m, py::handle seeds, std::optional<std::uint32_t> max_steps,
                       py::handle seed_probabilities, py::handle account_weights, std::uint64_t max_worlds) {
  const auto s = vertex_vector(m.graph, seeds, "seeds");
  ExactOptions opt;
  opt.max_steps = step_limit(max_steps);
  opt.seed_probabilities = number_vector<prob_t>(seed_probabilities, "seed_probabilities");
  opt.account_weights = number_vector<double>(account_weights, "account_weights");
  opt.max_worlds = max_worlds;
  ExactResult r = without_gil([&] { return exact_spread(m.graph, m.model, s, opt); });
  return to_python(std::move(r));
}

constexpr const char* estimate_doc = R"doc(Monte Carlo estimate of the expected spread of ``seeds``.

Spread counts the seeds. Trial i draws only from the stream (seed, i), so results are identical
for any thread count. Long runs can be interrupted with Ctrl-C (KeyboardInterrupt).

Parameters
----------
model : IndependentCascade or LinearThreshold
seeds : array_like of int
    Account ids (IndexError naming an unknown id).
trials : int
    Trials to run (adaptive mode: the first round).
seed : int
threads : int
    0 = all.
target_relative_error : float
    > 0 runs rounds until std_error / mean falls below it (or ``max_trials``).
max_trials : int
max_steps : int, optional
    Deadline in steps (None: none).
seed_probabilities : array_like of float, optional
    One per seed: probability that the KOL posts.
per_account : bool
    Also return each account's activation probability (dense index order, see ``graph.accounts``).
account_weights : array_like of float, optional
    One weight per account (dense index order): spread becomes the weighted reach.
fused : bool
    Use the bit-parallel 64-world kernel for IC and LT (same distribution, different random draws);
    other models always run one trial at a time.

Returns
-------
SpreadEstimate

Examples
--------
>>> import kolsim
>>> g = kolsim.constant_probability(kolsim.from_edges([0, 0], [1, 2]), 0.5)
>>> est = kolsim.estimate_spread(kolsim.IndependentCascade(g), [0], trials=20000, seed=3)
>>> abs(est.mean - 2.0) < 6 * est.std_error
True
)doc";

constexpr const char* exact_doc = R"doc(Exact spread by enumerating every live-edge world (tiny graphs only).

Parameters
----------
model : IndependentCascade or LinearThreshold
seeds : array_like of int
    Account ids.
max_steps : int, optional
seed_probabilities : array_like of float, optional
account_weights : array_like of float, optional
max_worlds : int
    Larger enumerations are refused with ValueError.

Returns
-------
ExactResult
    ``spread``, ``variance``, ``std`` (exact standard deviation of the reach),
    ``activation_probability``, ``new_per_step`` and ``worlds``.

Examples
--------
>>> import kolsim
>>> g = kolsim.constant_probability(kolsim.from_edges([0, 0], [1, 2]), 0.5)
>>> kolsim.exact_spread(kolsim.IndependentCascade(g), [0]).spread
2.0
)doc";

}  // namespace

void bind_estimate(py::module_& m) {
  py::class_<PySpreadEstimate>(m, "SpreadEstimate", "A Monte Carlo spread estimate with its error bars.")
      .def(field_pickle("SpreadEstimate", &PySpreadEstimate::mean, &PySpreadEstimate::std_error,
                        &PySpreadEstimate::ci_low, &PySpreadEstimate::ci_high, &PySpreadEstimate::trials,
                        &PySpreadEstimate::new_per_step, &PySpreadEstimate::activation_probability,
                        &PySpreadEstimate::edges_examined, &PySpreadEstimate::seconds, &PySpreadEstimate::seed))
      .def_readonly("mean", &PySpreadEstimate::mean, "Estimated expected spread (seeds included).")
      .def_readonly("std_error", &PySpreadEstimate::std_error, "Standard error of the mean.")
      .def_readonly("ci_low", &PySpreadEstimate::ci_low, "Lower end of the normal 95% interval.")
      .def_readonly("ci_high", &PySpreadEstimate::ci_high, "Upper end of the normal 95% interval.")
      .def_readonly("trials", &PySpreadEstimate::trials, "Trials run.")
      .def_readonly("new_per_step", &PySpreadEstimate::new_per_step, "Mean newly reached at step t (t = 0: seeds).")
      .def_readonly("activation_probability", &PySpreadEstimate::activation_probability,
                    "Per account (dense index order) when per_account=True, else None.")
      .def_readonly("edges_examined", &PySpreadEstimate::edges_examined, "(trial, out-edge) pairs examined.")
      .def_readonly("seconds", &PySpreadEstimate::seconds, "Wall seconds.")
      .def_readonly("seed", &PySpreadEstimate::seed, "The seed the run used: pass it as seed= to repeat the run.")
      .def("__repr__", [](const PySpreadEstimate& e) {
        return detail::concat("SpreadEstimate(mean=", e.mean, " ± ", e.std_error, ", 95% CI [", e.ci_low, ", ",
                              e.ci_high, "], trials=", e.trials, ", seconds=", e.seconds, ")");
      });
  py::class_<PyExactResult>(m, "ExactResult", "Exact moments of the reach over all live-edge worlds.")
      .def(field_pickle("ExactResult", &PyExactResult::spread, &PyExactResult::variance,
                        &PyExactResult::activation_probability, &PyExactResult::new_per_step, &PyExactResult::worlds))
      .def_readonly("spread", &PyExactResult::spread, "Expected (weighted) reach, seeds included.")
      .def_readonly("variance", &PyExactResult::variance, "Variance of the reach over worlds.")
      .def_property_readonly("std", [](const PyExactResult& r) { return std::sqrt(r.variance); },
                             "Exact standard deviation of the reach.")
      .def_readonly("activation_probability", &PyExactResult::activation_probability,
                    "Per account (dense index order): P(reached within max_steps).")
      .def_readonly("new_per_step", &PyExactResult::new_per_step, "Expected newly reached at step t.")
      .def_readonly("worlds", &PyExactResult::worlds, "Live-edge worlds enumerated.")
      .def("__repr__", [](const PyExactResult& r) {
        return detail::concat("ExactResult(spread=", r.spread, ", variance=", r.variance, ", worlds=", r.worlds, ")");
      });

  auto def_estimate = [&](auto fn, const char* doc) {
    m.def("estimate_spread", fn, py::arg("model"), py::arg("seeds"), py::arg("trials") = MonteCarloOptions{}.trials,
          py::arg("seed") = MonteCarloOptions{}.seed, py::arg("threads") = MonteCarloOptions{}.threads,
          py::arg("target_relative_error") = MonteCarloOptions{}.target_relative_error,
          py::arg("max_trials") = MonteCarloOptions{}.max_trials, py::arg("max_steps") = py::none(),
          py::arg("seed_probabilities") = py::none(), py::arg("per_account") = MonteCarloOptions{}.per_account,
          py::arg("account_weights") = py::none(), py::arg("fused") = MonteCarloOptions{}.fused, doc);
  };
  def_estimate(&estimate_py<IndependentCascade>, estimate_doc);
  def_estimate(&estimate_py<LinearThreshold>, "");
  auto def_exact = [&](auto fn, const char* doc) {
    m.def("exact_spread", fn, py::arg("model"), py::arg("seeds"), py::arg("max_steps") = py::none(),
          py::arg("seed_probabilities") = py::none(), py::arg("account_weights") = py::none(),
          py::arg("max_worlds") = std::uint64_t{1} << 24, doc);
  };
  def_exact(&exact_py<IndependentCascade>, exact_doc);
  def_exact(&exact_py<LinearThreshold>, "");
}

}  // namespace kolsim::python

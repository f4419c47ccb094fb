// SPDX-License-Identifier: MIT
/// Time-critical KOL selection in continuous time: IMM / OPIM-C over the continuous-time IC with
/// a horizon (kolsim/estimate/continuous_rr.hpp).
#include "bind_common.hpp"
#include "bind_options.hpp"
#include "bind_select.hpp"
#include "kolsim/estimate/continuous_rr.hpp"
#include "kolsim/select/imm.hpp"
#include "kolsim/select/opim.hpp"

#include <string>

namespace kolsim::python {

namespace {

constexpr const char* time_critical_doc = R"doc(Selects k accounts maximising the expected reach within a deadline.

Continuous-time Independent Cascade: edge u -> v is live with the graph's probability and then
delays the message by an exponential with rate ``rate[e]`` per second (out-edge order, as NetRate
learns it; ``None`` = ``default_rate`` everywhere), or by a delay drawn uniformly from
``delay_samples`` (seconds). Only accounts reached within ``horizon`` seconds count. RR sets keep
the accounts whose shortest total delay to the root is within the horizon (reverse Dijkstra over
sampled live edges), so IMM / OPIM-C keep their guarantees for reach by the deadline (Chen, Lu,
Zhang, AAAI 2012; Gomez-Rodriguez and Schoelkopf, ICML 2012). Fading novelty is not supported.

Parameters
----------
graph : FollowerGraph
    Graph with edge probabilities.
horizon : float
    Deadline in seconds (>= 0; ``math.inf`` = plain IC).
k : int
    Number of accounts to select.
rate : array_like of float, optional
    One exponential rate per edge (per second, >= 0; 0 never delivers).
default_rate : float
    Rate used when ``rate`` is None (default one per hour).
delay_samples : array_like of float, optional
    Empirical delays in seconds; replaces the exponential delays.
method : {"imm", "opim-c"}
    The RR selector.
epsilon : float
    Accuracy of the selector.
root_weights, candidates, fixed_seeds, seed, threads
    As in :func:`imm`.
ell, estimation_epsilon, bound_phase, validation_ratio
    IMM's options, as in :func:`imm` (same defaults, read from the C++ ImmOptions).
delta, selection_ratio, max_selection_noise
    OPIM-C's options, as in :func:`opim_c` (same defaults, from OpimOptions). An option of
    the method not chosen raises TypeError (it would be ignored).

Returns
-------
SelectResult
    Seeds as account ids; ``spread`` is the expected reach within the horizon.

Examples
--------
>>> import kolsim
>>> g = kolsim.from_edges([0, 0, 5], [1, 2, 6], probabilities=[1.0, 1.0, 1.0])
>>> r = kolsim.time_critical_imm(g, 60.0, 1, rate=[1e-5, 1e-5, 1.0], seed=1)
>>> int(r.seeds[0])
5
)doc";

PySelectResult time_critical_py(const FollowerGraph& g, double horizon, std::size_t k, py::handle rate,
                                double default_rate, py::handle delay_samples, const std::string& method,
                                double epsilon, py::handle root_weights, py::handle candidates,
                                py::handle fixed_seeds, std::uint64_t seed, int threads, double ell, double delta,
                                double estimation_epsilon, const std::string& bound_phase, double validation_ratio,
                                double selection_ratio, double max_selection_noise) {
  const RrMethod which = parse_choice("time_critical_imm: method", method, rr_method_choices);
  const RrMethodKeywords own{ell, delta, estimation_epsilon, bound_phase, validation_ratio, selection_ratio,
                             max_selection_noise};
  ContinuousIC model;
  model.horizon = horizon;
  model.rate = number_vector<double>(rate, "rate");
  model.default_rate = default_rate;
  model.delay_samples = number_vector<double>(delay_samples, "delay_samples");
  auto fill = [&](auto& opt) {
    fill_select_options(opt, g, candidates, fixed_seeds, seed, threads);
    own.fill(opt, epsilon, "time_critical_imm");
    opt.root_weights = number_vector<double>(root_weights, "root_weights");
  };
  PySelectResult out;
  if (which == RrMethod::imm) {
    ImmOptions opt;
    fill(opt);
    out = imm_result(g, without_gil([&] { return imm(g, model, k, opt); }), seed);
  } else {
    OpimOptions opt;
    fill(opt);
    out = opim_result(g, without_gil([&] { return opim_c(g, model, k, opt); }), seed);
  }
  out.extra["horizon"] = horizon;
  return out;
}

}  // namespace

void bind_time_critical(py::module_& m) {
  std::apply(
      [&](const auto&... own) {
        m.def("time_critical_imm", &time_critical_py, py::arg("graph"), py::arg("horizon"), py::arg("k"),
              py::arg("rate") = py::none(), py::arg("default_rate") = ContinuousIC{}.default_rate,
              py::arg("delay_samples") = py::none(), py::arg("method") = "imm",
              py::arg("epsilon") = ImmOptions{}.epsilon, py::arg("root_weights") = py::none(),
              py::arg("candidates") = py::none(), py::arg("fixed_seeds") = py::none(),
              py::arg("seed") = SelectOptions{}.seed, py::arg("threads") = SelectOptions{}.threads, own...,
              time_critical_doc);
      },
      rr_method_keywords());
}

}  // namespace kolsim::python

// SPDX-License-Identifier: MIT
/// The one conversion per option set (Python keywords -> C++ options) and per result (C++ ->
/// Python) that kolsim._core and kolsim._distributed share, so both modules accept and return
/// exactly the same things.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "bind_args.hpp"
#include "bind_common.hpp"
#include "bind_competitive.hpp"
#include "bind_select.hpp"
#include "kolsim/core/choice.hpp"
#include "kolsim/diffusion/competitive.hpp"
#include "kolsim/estimate/competitive_estimate.hpp"
#include "kolsim/estimate/monte_carlo.hpp"
#include "kolsim/select/imm.hpp"
#include "kolsim/select/opim.hpp"

namespace kolsim::python {

/// MonteCarloOptions of estimate_spread's keywords, with the Ctrl-C stop token and progress.
inline MonteCarloOptions monte_carlo_options(std::uint64_t trials, std::uint64_t seed, int threads,
                                             double target_relative_error, std::uint64_t max_trials,
                                             std::optional<std::uint32_t> max_steps, py::handle seed_probabilities,
                                             bool per_account, py::handle account_weights, bool fused) {
  MonteCarloOptions opt;
  fill_trial_options(opt, trials, seed, threads, max_steps);
  opt.target_relative_error = target_relative_error;
  opt.max_trials = max_trials;
  opt.seed_probabilities = number_vector<prob_t>(seed_probabilities, "seed_probabilities");
  opt.per_account = per_account;
  opt.account_weights = number_vector<double>(account_weights, "account_weights");
  opt.fused = fused;
  opt.progress = python_progress();
  return opt;
}

/// The spellings of ImmBoundPhase.
inline constexpr Choice<ImmBoundPhase> bound_phase_choices[] = {{"validated", ImmBoundPhase::validated},
                                                                {"classic", ImmBoundPhase::classic}};

/// The Python name of an IMM lower-bound phase.
inline std::string bound_phase_name(ImmBoundPhase p) { return std::string(choice_name(bound_phase_choices, p)); }

/// The IMM lower-bound phase named `name` (ValueError naming `fn`'s bound_phase otherwise).
inline ImmBoundPhase bound_phase_of(const std::string& name, std::string_view fn = "imm") {
  return parse_choice(detail::concat(fn, ": bound_phase"), name, bound_phase_choices);
}

/// The keywords every RR selector (IMM, OPIM-C) shares: scope, seed, threads (fill_select_options),
/// memory limit, deadline and root weights.
template <class Options>
void fill_rr_options(Options& opt, const FollowerGraph& g, py::handle candidates, py::handle fixed_seeds,
                     std::uint64_t seed, int threads, std::size_t memory_limit,
                     std::optional<std::uint32_t> max_depth, py::handle root_weights) {
  fill_select_options(opt, g, candidates, fixed_seeds, seed, threads);
  opt.memory_limit = memory_limit;
  opt.max_depth = step_limit(max_depth);
  opt.root_weights = number_vector<double>(root_weights, "root_weights");
}

/// IMM's own keywords (bound_phase by name; `fn` names the function in its error).
inline void fill_imm_options(ImmOptions& opt, double epsilon, double ell, double estimation_epsilon,
                             const std::string& bound_phase, double validation_ratio, std::string_view fn = "imm") {
  opt.epsilon = epsilon;
  opt.ell = ell;
  opt.estimation_epsilon = estimation_epsilon;
  opt.bound_phase = bound_phase_of(bound_phase, fn);
  opt.validation_ratio = validation_ratio;
}

/// OPIM-C's own keywords.
inline void fill_opim_options(OpimOptions& opt, double epsilon, double delta, double selection_ratio,
                              double max_selection_noise) {
  opt.epsilon = epsilon;
  opt.delta = delta;
  opt.selection_ratio = selection_ratio;
  opt.max_selection_noise = max_selection_noise;
}

/// The RR selector a `method` keyword picks (multiplex_select, time_critical_imm).
enum class RrMethod { imm, opim_c };
inline constexpr Choice<RrMethod> rr_method_choices[] = {{"imm", RrMethod::imm}, {"opim-c", RrMethod::opim_c}};

/// IMM's and OPIM-C's own keywords for a selector whose `method` keyword picks one of them, with
/// the defaults of ImmOptions / OpimOptions (rr_method_keywords defines them in this order). The
/// other method's keywords are not used: kolsim's Python wrapper refuses them when given
/// (`_by_method` in kolsim/__init__.py, as for every function with a `method`).
struct RrMethodKeywords {
  double ell, delta, estimation_epsilon;
  std::string bound_phase;
  double validation_ratio, selection_ratio, max_selection_noise;

  void fill(ImmOptions& opt, double epsilon, std::string_view fn) const {
    fill_imm_options(opt, epsilon, ell, estimation_epsilon, bound_phase, validation_ratio, fn);
  }
  void fill(OpimOptions& opt, double epsilon, std::string_view) const {
    fill_opim_options(opt, epsilon, delta, selection_ratio, max_selection_noise);
  }
};

/// The keywords of RrMethodKeywords with the C++ defaults, for a selector with a `method` keyword.
inline auto rr_method_keywords() {
  const ImmOptions i;
  const OpimOptions o;
  return std::make_tuple(py::arg("ell") = i.ell, py::arg("delta") = o.delta,
                         py::arg("estimation_epsilon") = i.estimation_epsilon,
                         py::arg("bound_phase") = bound_phase_name(i.bound_phase),
                         py::arg("validation_ratio") = i.validation_ratio,
                         py::arg("selection_ratio") = o.selection_ratio,
                         py::arg("max_selection_noise") = o.max_selection_noise);
}

/// The Python SelectResult of an RR selector's run with its method-specific numbers in extra.
inline PySelectResult with_extra(const FollowerGraph& g, SelectResult&& r, std::uint64_t seed, py::dict extra) {
  PySelectResult out = to_python(g, std::move(r), seed);
  out.extra = std::move(extra);
  return out;
}

/// The Python SelectResult of an IMM run: extra holds theta, lower_bound, estimation_epsilon and
/// bound_rounds.
inline PySelectResult imm_result(const FollowerGraph& g, ImmResult&& r, std::uint64_t seed) {
  py::dict extra(py::arg("theta") = r.theta, py::arg("lower_bound") = r.lower_bound,
                 py::arg("estimation_epsilon") = r.estimation_epsilon, py::arg("bound_rounds") = r.bound_rounds);
  return with_extra(g, std::move(r), seed, std::move(extra));
}

/// The Python SelectResult of an OPIM-C run: extra holds certified_ratio, lower_bound,
/// upper_bound, rounds and validation_sets.
inline PySelectResult opim_result(const FollowerGraph& g, OpimResult&& r, std::uint64_t seed) {
  py::dict extra(py::arg("certified_ratio") = r.certified_ratio, py::arg("lower_bound") = r.lower_bound,
                 py::arg("upper_bound") = r.upper_bound, py::arg("rounds") = r.rounds,
                 py::arg("validation_sets") = r.validation_sets);
  return with_extra(g, std::move(r), seed, std::move(extra));
}

/// The graph whose account ids name a competitive model's seeds.
inline const FollowerGraph& seed_graph(const CompetitiveIC& m) { return m.misleading(); }
inline const FollowerGraph& seed_graph(const CompetitiveLT& m) { return m.graph(); }

/// The Python CompetitiveEstimate of a C++ one (the class kolsim._core registers; pybind11 shares
/// it with any module of this build).
inline py::object competitive_estimate_object(CompetitiveEstimate&& e) { return py::cast(to_python(std::move(e))); }

/// Defines `name` with estimate_spread's keywords and defaults (read from MonteCarloOptions);
/// `extra` follows them (a docstring, keyword-only arguments).
template <class F, class... Extra>
void def_estimate_spread(py::module_& m, F&& fn, const Extra&... extra) {
  const MonteCarloOptions d;
  m.def("estimate_spread", std::forward<F>(fn), py::arg("model"), py::arg("seeds"), py::arg("trials") = d.trials,
        py::arg("seed") = d.seed, py::arg("threads") = d.threads,
        py::arg("target_relative_error") = d.target_relative_error, py::arg("max_trials") = d.max_trials,
        py::arg("max_steps") = py::none(), py::arg("seed_probabilities") = py::none(),
        py::arg("per_account") = d.per_account, py::arg("account_weights") = py::none(), py::arg("fused") = d.fused,
        extra...);
}

/// Defines the RR selector `name`: model, k, epsilon, its `second` keyword, the keywords every RR
/// selector shares (defaults from `d`), then its `own` keywords (a tuple) and `extra`.
template <class F, class Own, class... Extra>
void def_rr_selector(py::module_& m, const char* name, F&& fn, double epsilon, const py::arg_v& second,
                     const SelectOptions& d, std::size_t memory_limit, const Own& own, const Extra&... extra) {
  std::apply(
      [&](const auto&... o) {
        m.def(name, std::forward<F>(fn), py::arg("model"), py::arg("k"), py::arg("epsilon") = epsilon, second,
              py::arg("memory_limit") = memory_limit, py::arg("max_depth") = py::none(),
              py::arg("root_weights") = py::none(), py::arg("candidates") = py::none(),
              py::arg("fixed_seeds") = py::none(), py::arg("seed") = d.seed, py::arg("threads") = d.threads, o...,
              extra...);
      },
      own);
}

/// Defines imm with its keywords and defaults (read from ImmOptions), then `extra`.
template <class F, class... Extra>
void def_imm(py::module_& m, F&& fn, const Extra&... extra) {
  const ImmOptions d;
  def_rr_selector(m, "imm", std::forward<F>(fn), d.epsilon, py::arg("ell") = d.ell, d, d.memory_limit,
                  std::make_tuple(py::arg("estimation_epsilon") = d.estimation_epsilon,
                                  py::arg("bound_phase") = bound_phase_name(d.bound_phase),
                                  py::arg("validation_ratio") = d.validation_ratio),
                  extra...);
}

/// Defines opim_c with its keywords and defaults (read from OpimOptions), then `extra`.
template <class F, class... Extra>
void def_opim_c(py::module_& m, F&& fn, const Extra&... extra) {
  const OpimOptions d;
  def_rr_selector(m, "opim_c", std::forward<F>(fn), d.epsilon, py::arg("delta") = d.delta, d, d.memory_limit,
                  std::make_tuple(py::arg("selection_ratio") = d.selection_ratio,
                                  py::arg("max_selection_noise") = d.max_selection_noise),
                  extra...);
}

/// Defines estimate_competition with its keywords and defaults (read from CompetitionOptions), then `extra`.
template <class F, class... Extra>
void def_estimate_competition(py::module_& m, F&& fn, const Extra&... extra) {
  const CompetitionOptions d;
  m.def("estimate_competition", std::forward<F>(fn), py::arg("model"), py::arg("misleading_seeds"),
        py::arg("corrective_seeds"), py::arg("trials") = d.trials, py::arg("seed") = d.seed,
        py::arg("threads") = d.threads, py::arg("max_steps") = py::none(), extra...);
}

}  // namespace kolsim::python

// SPDX-License-Identifier: MIT
/// plan_campaign's keywords, defaults and their conversion to a CampaignSpec, shared by
/// kolsim._core (bind_campaign.cpp) and kolsim._distributed, so both accept exactly the same.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "bind_common.hpp"
#include "kolsim/campaign/plan.hpp"
#include "kolsim/core/choice.hpp"

namespace kolsim::python {

/// The spellings of RiskMode and of the budgeted methods plan_campaign offers.
inline constexpr Choice<RiskMode> risk_mode_choices[] = {{"expected", RiskMode::expected},
                                                         {"ignore", RiskMode::ignore}};
inline constexpr Choice<BudgetedMethod> budgeted_method_choices[] = {
    {"greedy_plus", BudgetedMethod::greedy_plus}, {"greedy_or_single", BudgetedMethod::greedy_or_single}};

/// The CampaignSpec of plan_campaign's keywords (GIL held), with this call's stop token and
/// progress callable.
inline CampaignSpec campaign_spec(double budget, std::size_t max_kols, double max_risk, const std::string& risk_mode,
                                  double risk_penalty, std::optional<std::uint32_t> deadline,
                                  std::optional<double> deadline_hours, double epsilon, double delta,
                                  std::uint64_t seed, int threads, std::optional<Audience> audience,
                                  const std::map<std::string, double>& group_minimums, std::uint64_t check_trials,
                                  py::handle budget_curve, const std::string& method, py::handle contracted,
                                  py::handle excluded, std::size_t memory_limit) {
  CampaignSpec spec;
  spec.budget = budget;
  spec.max_kols = max_kols;
  spec.max_risk = max_risk;
  spec.risk_mode = parse_choice("risk_mode", risk_mode, risk_mode_choices);
  spec.risk_penalty = risk_penalty;
  spec.deadline = step_limit(deadline);
  if (deadline_hours) spec.deadline_hours = *deadline_hours;
  spec.epsilon = epsilon;
  spec.delta = delta;
  spec.seed = seed;
  spec.threads = threads;
  if (audience) spec.audience = std::move(*audience);
  for (const auto& [g, v] : group_minimums) spec.group_minimums.emplace_back(g, v);
  spec.check_trials = check_trials;
  spec.budget_curve = number_vector<double>(budget_curve, "budget_curve");
  spec.method = parse_choice("method", method, budgeted_method_choices);
  spec.contracted = account_vector(contracted, "contracted");
  spec.excluded = account_vector(excluded, "excluded");
  spec.memory_limit = memory_limit;
  spec.stop = python_stop_token();
  spec.progress = python_progress();
  return spec;
}

/// Defines plan_campaign with its keywords and defaults; `extra` follows them (a docstring,
/// keyword-only arguments).
template <class F, class... Extra>
void def_plan_campaign(py::module_& m, F&& fn, const Extra&... extra) {
  m.def("plan_campaign", std::forward<F>(fn), py::arg("model"), py::arg("roster"),
        py::arg("budget") = std::numeric_limits<double>::infinity(), py::arg("max_kols") = 0,
        py::arg("max_risk") = 1.0, py::arg("risk_mode") = "expected", py::arg("risk_penalty") = 0.0,
        py::arg("deadline") = py::none(), py::arg("deadline_hours") = py::none(), py::arg("epsilon") = 0.1,
        py::arg("delta") = 0.0, py::arg("seed") = 0, py::arg("threads") = 0, py::arg("audience") = py::none(),
        py::arg("group_minimums") = std::map<std::string, double>{}, py::arg("check_trials") = 10000,
        py::arg("budget_curve") = py::none(), py::arg("method") = "greedy_plus", py::arg("contracted") = py::none(),
        py::arg("excluded") = py::none(), py::arg("memory_limit") = 0, extra...);
}

}  // namespace kolsim::python

// SPDX-License-Identifier: MIT
/// Python forms of the competitive-race results, shared by every binding that returns them
/// (bind_competitive registers the classes for CompetitiveIC; bind_models returns the same
/// classes for CompetitiveLT), so one struct and one conversion exist per result.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "bind_common.hpp"
#include "kolsim/diffusion/competitive.hpp"
#include "kolsim/estimate/competitive_estimate.hpp"

namespace kolsim::python {

/// CompetitiveTrace with account ids and numpy arrays.
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

/// Copies the outcome every race result reports (F, C, saved and F-alone counts; the mean or
/// expected adoptions per step, moved) from a C++ result to its Python form.
template <class Out, class In>
void move_race_outcome(Out& out, In& r) {
  out.misleading = r.misleading;
  out.corrective = r.corrective;
  out.saved = r.saved;
  out.misleading_alone = r.misleading_alone;
  out.misleading_per_step = to_numpy(std::move(r.misleading_per_step));
  out.corrective_per_step = to_numpy(std::move(r.corrective_per_step));
}

/// The Python CompetitiveTrace of `t` on graph `g` (dense indices become account ids).
inline PyCompetitiveTrace to_python(const FollowerGraph& g, CompetitiveTrace&& t) {
  PyCompetitiveTrace out;
  out.activated = accounts_array(g, t.activated);
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
}

/// The Python CompetitiveEstimate of `e` (arrays moved).
inline PyCompetitiveEstimate to_python(CompetitiveEstimate&& e) {
  PyCompetitiveEstimate out;
  move_race_outcome(out, e);
  out.trials = e.trials;
  out.edges_examined = e.edges_examined;
  out.seconds = e.seconds;
  return out;
}

/// The Python ExactCompetition of `r` (arrays moved).
inline PyExactCompetition to_python(ExactCompetition&& r) {
  PyExactCompetition out;
  move_race_outcome(out, r);
  out.misleading_probability = to_numpy(std::move(r.misleading_probability));
  out.corrective_probability = to_numpy(std::move(r.corrective_probability));
  out.worlds = r.worlds;
  return out;
}

}  // namespace kolsim::python

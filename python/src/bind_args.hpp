// SPDX-License-Identifier: MIT
/// Options that several bindings build from the same Python arguments: the Monte Carlo fields
/// (trials, seed, threads, deadline, Ctrl-C) and the exact-enumeration limits, one helper each.
#pragma once

#include <cstdint>
#include <optional>

#include "bind_common.hpp"
#include "kolsim/estimate/competitive_estimate.hpp"
#include "kolsim/estimate/exact.hpp"
#include "kolsim/estimate/monte_carlo.hpp"

namespace kolsim::python {

/// Sets the fields every trial-based options struct shares (MonteCarloOptions,
/// CompetitionOptions, ...): trials, seed, threads, the step deadline (None = none) and this
/// call's stop token (Ctrl-C).
template <class Options>
void fill_trial_options(Options& opt, std::uint64_t trials, std::uint64_t seed, int threads,
                        const std::optional<std::uint32_t>& max_steps) {
  opt.trials = trials;
  opt.seed = seed;
  opt.threads = threads;
  opt.max_steps = step_limit(max_steps);
  opt.stop = python_stop_token();
}

/// Options of one estimate_spread-like call.
inline MonteCarloOptions mc_options(std::uint64_t trials, std::uint64_t seed, int threads,
                                    const std::optional<std::uint32_t>& max_steps, bool per_account) {
  MonteCarloOptions opt;
  fill_trial_options(opt, trials, seed, threads, max_steps);
  opt.per_account = per_account;
  return opt;
}

/// Options of one estimate_competition call.
inline CompetitionOptions competition_options(std::uint64_t trials, std::uint64_t seed, int threads,
                                              const std::optional<std::uint32_t>& max_steps) {
  CompetitionOptions opt;
  fill_trial_options(opt, trials, seed, threads, max_steps);
  return opt;
}

/// Options of an exact enumeration (ExactOptions or ExactCompetitionOptions): the step deadline
/// (None = none) and the largest number of worlds to enumerate.
template <class Options = ExactOptions>
Options exact_options(const std::optional<std::uint32_t>& max_steps, std::uint64_t max_worlds) {
  Options opt;
  opt.max_steps = step_limit(max_steps);
  opt.max_worlds = max_worlds;
  return opt;
}

}  // namespace kolsim::python

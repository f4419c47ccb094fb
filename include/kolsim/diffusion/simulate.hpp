// SPDX-License-Identifier: MIT
/// One traced cascade of any diffusion model: who was reached, when, and by whom.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/driver.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// The record of one cascade.
struct Trace {
  std::vector<vertex_t> activated;          ///< activation order, posting seeds first
  std::vector<std::uint32_t> step;          ///< step of each activation (seeds 0), nondecreasing
  std::vector<vertex_t> parent;             ///< who activated it; no_vertex for seeds
  std::vector<std::uint64_t> new_per_step;  ///< accounts newly reached at step t (t = 0: seeds)
};

/// Options of simulate().
struct SimulateOptions {
  /// Deadline: only activations at step <= max_steps happen (0 = the seeds only).
  std::uint32_t max_steps = std::numeric_limits<std::uint32_t>::max();
  /// Empty, or one per seed: the KOL posts with this probability. A seed that does not post is
  /// an ordinary account that others may still reach.
  std::vector<prob_t> seed_probabilities;
};

namespace detail {
/// The visitor of simulate(): appends each activation (v, parent, step) to `t`.
inline auto record_into(Trace& t) {
  return [&t](vertex_t v, vertex_t parent, std::uint32_t step) {
    t.activated.push_back(v);
    t.step.push_back(step);
    t.parent.push_back(parent);
    if (t.new_per_step.size() <= step) t.new_per_step.resize(static_cast<std::size_t>(step) + 1, 0);
    ++t.new_per_step[step];
  };
}
}  // namespace detail

/// Runs one cascade from `seeds` under `model` (Kempe, Kleinberg, Tardos, KDD 2003), step by
/// step: accounts newly active at step t make their attempts on inactive followers, successes
/// become active at step t + 1. Draws only from Rng(seed, 0, domain::trial), so it is exactly
/// trial 0 of estimate_spread's generic (non-fused) path. O(n + edges examined) time.
/// Throws std::out_of_range for a seed outside the graph, std::invalid_argument for duplicate
/// seeds, bad seed probabilities, or a graph the model rejects.
template <DiffusionModel M>
Trace simulate(const FollowerGraph& g, const M& model, std::span<const vertex_t> seeds, std::uint64_t seed,
               const SimulateOptions& opt = {}) {
  model.validate(g);
  detail::validate_cascade_seeds(g, seeds, opt.seed_probabilities, "simulate");
  detail::CascadeWorkspace<M> ws(g.num_vertices());
  Rng rng(seed, 0, domain::trial);
  Trace t;
  ws.run(g, model, seeds, opt.seed_probabilities, opt.max_steps, rng, detail::record_into(t));
  return t;
}

/// simulate() with the seeds given as account ids (std::out_of_range names an unknown one).
/// The trace still holds dense indices (g.accounts_of maps them back).
template <DiffusionModel M>
Trace simulate(const FollowerGraph& g, const M& model, const Accounts& seeds, std::uint64_t seed,
               const SimulateOptions& opt = {}) {
  const std::vector<vertex_t> s = g.indices_of(seeds.ids);
  return simulate(g, model, std::span<const vertex_t>(s), seed, opt);
}

}  // namespace kolsim

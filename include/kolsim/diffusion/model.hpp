// SPDX-License-Identifier: MIT
/// What a diffusion model must provide (a C++20 concept) and the two classic models,
/// Independent Cascade and Linear Threshold (Kempe, Kleinberg, Tardos, KDD 2003).
#pragma once

#include <cmath>
#include <concepts>
#include <string_view>

#include "kolsim/core/error.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// A diffusion model is a small value type with one local rule. When an account u becomes
/// active, the driver offers each follower v (not yet active) one `attempt` with the edge's
/// probability/weight w; the model decides from v's per-trial `NodeState` and the trial's
/// random stream whether v becomes active in the next step. `validate` checks that a graph's
/// edge values suit the model (throws std::invalid_argument naming the offending account).
template <class M>
concept DiffusionModel = std::copy_constructible<M> && std::default_initializable<typename M::NodeState> &&
                         requires(const M& m, typename M::NodeState& s, prob_t w, Rng& rng, const FollowerGraph& g) {
                           { m.attempt(s, w, rng) } -> std::same_as<bool>;
                           { m.validate(g) };
                           { M::name } -> std::convertible_to<std::string_view>;
                         };

/// Independent Cascade: each newly active u gets one chance to activate each follower v,
/// succeeding with probability p(u, v), independently of everything else.
struct IndependentCascade {
  struct NodeState {};
  static constexpr std::string_view name = "independent_cascade";

  bool attempt(NodeState&, prob_t p, Rng& rng) const { return rng.bernoulli(p); }
  void validate(const FollowerGraph& g) const { g.require_probabilities("IndependentCascade"); }
};

/// Linear Threshold: v draws a threshold uniformly from (0, 1] once per trial and becomes
/// active when the summed weight w(u, v) of its active in-neighbours reaches it. Requires
/// sum_u w(u, v) <= 1 for every v (checked by validate, with tolerance `weight_tolerance`).
struct LinearThreshold {
  struct NodeState {
    float weight = 0.0f;
    float threshold = -1.0f;  // drawn on first attempt
  };
  static constexpr std::string_view name = "linear_threshold";
  static constexpr double weight_tolerance = 1e-4;

  bool attempt(NodeState& s, prob_t w, Rng& rng) const {
    if (s.threshold < 0.0f) s.threshold = 1.0f - rng.uniform_float();
    s.weight += w;
    return s.weight >= s.threshold;
  }
  void validate(const FollowerGraph& g) const {
    g.require_probabilities("LinearThreshold");
    const vertex_t n = g.num_vertices();
    for (vertex_t v = 0; v < n; ++v) {
      double sum = 0.0;
      for (prob_t w : g.in_probs(v)) sum += w;
      KOLSIM_REQUIRE(sum <= 1.0 + weight_tolerance, "LinearThreshold: in-weights of account ", g.account(v),
                     " sum to ", sum, " > 1; normalise them (lt_normalise) or use weighted_cascade");
    }
  }
};

static_assert(DiffusionModel<IndependentCascade>);
static_assert(DiffusionModel<LinearThreshold>);

}  // namespace kolsim

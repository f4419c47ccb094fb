// SPDX-License-Identifier: MIT
/// The general triggering model (Kempe, Kleinberg, Tardos, KDD 2003): every account draws a
/// random subset of its in-neighbours from a user-given sampler; Monte Carlo spread, exact
/// enumeration on tiny graphs and RR sets (so IMM and OPIM-C) for any sampler.
///
/// Process. Each account v independently draws a triggering set T(v) of in-neighbours from the
/// sampler's distribution (once per trial); v becomes active at step t + 1 when some u in T(v) is
/// active at step t. IC is the sampler "each in-edge independently with p(u, v)", LT the sampler
/// "at most one in-edge, in-edge (u, v) with probability w(u, v)" (Kempe et al., Theorem 4.6), so
/// both are special cases (IcTriggering, LtTriggering). UniformTriggering (c in-neighbours drawn
/// uniformly without replacement, edge values ignored) is neither. Spread is monotone and
/// submodular for every sampler (Kempe et al., Theorem 4.4), and an RR set (reverse search where
/// each visited w draws T(w)) satisfies spread(S) = n Pr[S hits RR] (Borgs et al. 2014), so the
/// IMM / OPIM-C guarantees hold unchanged. Costs: a trial or an RR set is O(accounts visited +
/// their sampler cost); exact enumeration is the product of the per-account set counts.
///
/// C++: a sampler is any type satisfying TriggeringSampler; wrap it in TriggeringModel<S>. The
/// generic single-edge driver cannot run a triggering model (an attempt does not know which
/// in-edge it uses), so estimate_spread, exact_spread and simulate have overloads here, and
/// RRSampler is specialised; other generic paths (CELF greedy) fail to compile with a message.
#pragma once

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/driver.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/diffusion/simulate.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// A triggering-set distribution. `sample(g, v, rng, out)` appends the in-edge positions j of
/// T(v) (indices into g.in_sources(), within [in_offsets[v], in_offsets[v + 1]), distinct),
/// drawing only from `rng`. `validate(g)` throws std::invalid_argument when g does not suit the
/// sampler. Optional, for exact enumeration: `enumerate(g, v, f)` calls f(probability, span of
/// in-edge positions) once per possible set (probabilities summing to 1).
template <class S>
concept TriggeringSampler = std::copy_constructible<S> &&
                            requires(const S& s, const FollowerGraph& g, vertex_t v, Rng& rng, std::vector<edge_t>& out) {
                              { s.sample(g, v, rng, out) };
                              { s.validate(g) };
                              { S::name } -> std::convertible_to<std::string_view>;
                            };

/// IC as a triggering model: each in-edge (u, v) is in T(v) independently with p(u, v).
struct IcTriggering {
  static constexpr std::string_view name = "ic";
  void sample(const FollowerGraph& g, vertex_t v, Rng& rng, std::vector<edge_t>& out) const {
    const edge_t lo = g.in_offsets()[v];
    const ProbRow p = g.in_probs(v);  // any storage: an implicit graph is not materialised
    for (std::size_t i = 0; i < p.size(); ++i)
      if (rng.bernoulli(p[i])) out.push_back(lo + i);
  }
  void validate(const FollowerGraph& g) const { g.require_probabilities("IcTriggering"); }
  template <class F>
  void enumerate(const FollowerGraph& g, vertex_t v, F&& f) const {
    const edge_t lo = g.in_offsets()[v], d = g.in_offsets()[v + 1] - lo;
    KOLSIM_REQUIRE(d <= 24, "IcTriggering: exact enumeration of an account with ", d, " in-edges (max 24)");
    const ProbRow p = g.in_probs(v);
    std::vector<edge_t> set;
    for (std::uint64_t mask = 0; mask < (std::uint64_t{1} << d); ++mask) {
      double pr = 1.0;
      set.clear();
      for (edge_t j = 0; j < d; ++j) {
        const double q = static_cast<double>(p[j]);
        if ((mask >> j) & 1u) {
          pr *= q;
          set.push_back(lo + j);
        } else {
          pr *= 1.0 - q;
        }
      }
      if (pr > 0.0) f(pr, std::span<const edge_t>(set));
    }
  }
};

/// LT as a triggering model: T(v) holds at most one in-edge, (u, v) with probability w(u, v) and
/// none with 1 - sum_u w(u, v) (in-weights must sum to <= 1, as for LinearThreshold).
struct LtTriggering {
  static constexpr std::string_view name = "lt";
  void sample(const FollowerGraph& g, vertex_t v, Rng& rng, std::vector<edge_t>& out) const {
    const edge_t lo = g.in_offsets()[v];
    const ProbRow p = g.in_probs(v);  // any storage: an implicit graph is not materialised
    const double r = rng.uniform();
    double acc = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      acc += p[i];
      if (r < acc) {
        out.push_back(lo + i);
        return;
      }
    }
  }
  void validate(const FollowerGraph& g) const { LinearThreshold{}.validate(g); }
  template <class F>
  void enumerate(const FollowerGraph& g, vertex_t v, F&& f) const {
    const edge_t lo = g.in_offsets()[v];
    const ProbRow p = g.in_probs(v);
    double rest = 1.0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      const edge_t one[1] = {lo + i};
      if (p[i] > 0.0f) f(static_cast<double>(p[i]), std::span<const edge_t>(one, 1));
      rest -= p[i];
    }
    if (rest > 1e-12) f(rest, std::span<const edge_t>());
  }
};

/// T(v) = min(count, in-degree) in-neighbours drawn uniformly without replacement (Floyd's
/// algorithm); edge values are ignored. Not IC and not LT: with count = 2 and three parents
/// the chosen slots are negatively correlated, and every account with in-edges has a
/// non-empty set.
struct UniformTriggering {
  static constexpr std::string_view name = "uniform";
  std::uint32_t count = 1;

  void sample(const FollowerGraph& g, vertex_t v, Rng& rng, std::vector<edge_t>& out) const {
    const edge_t lo = g.in_offsets()[v], d = g.in_offsets()[v + 1] - lo;
    if (d == 0) return;
    const std::size_t first = out.size();
    if (count >= d) {
      for (edge_t j = 0; j < d; ++j) out.push_back(lo + j);
      return;
    }
    const auto dd = static_cast<std::uint32_t>(d);
    for (std::uint32_t j = dd - count; j < dd; ++j) {
      const edge_t t = lo + rng.below(j + 1);
      const bool taken = std::find(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(), t) != out.end();
      out.push_back(taken ? lo + j : t);
    }
  }
  void validate(const FollowerGraph& g) const {
    KOLSIM_REQUIRE(count >= 1, "UniformTriggering: count must be >= 1");
    (void)g;
  }
  template <class F>
  void enumerate(const FollowerGraph& g, vertex_t v, F&& f) const {
    const edge_t lo = g.in_offsets()[v], d = g.in_offsets()[v + 1] - lo;
    const std::uint32_t c = static_cast<std::uint32_t>(std::min<edge_t>(count, d));
    KOLSIM_REQUIRE(d <= 24, "UniformTriggering: exact enumeration of an account with ", d, " in-edges (max 24)");
    std::vector<char> sel(d, 0);
    std::fill(sel.end() - c, sel.end(), 1);
    std::vector<std::vector<edge_t>> sets;
    do {
      std::vector<edge_t> s;
      for (edge_t j = 0; j < d; ++j)
        if (sel[j]) s.push_back(lo + j);
      sets.push_back(std::move(s));
    } while (std::next_permutation(sel.begin(), sel.end()));
    for (const auto& s : sets) f(1.0 / static_cast<double>(sets.size()), std::span<const edge_t>(s));
  }
};

static_assert(TriggeringSampler<IcTriggering>);
static_assert(TriggeringSampler<LtTriggering>);
static_assert(TriggeringSampler<UniformTriggering>);

namespace detail {
template <class>
inline constexpr bool triggering_false = false;
}  // namespace detail

/// A triggering model around sampler S. It satisfies DiffusionModel so that IMM and OPIM-C
/// accept it (they use the RRSampler specialisation below); its per-edge `attempt` must never
/// run, and a generic path that would call it fails to compile.
template <TriggeringSampler S>
struct TriggeringModel {
  S sampler{};
  struct NodeState {};
  static constexpr std::string_view name = "triggering";

  bool attempt(NodeState&, prob_t, Rng&) const {
    static_assert(detail::triggering_false<S>,
                  "a triggering model has no per-edge attempt: use estimate_spread / exact_spread / simulate / imm / "
                  "opim_c with kolsim/estimate/triggering_estimate.hpp");
    return false;
  }
  void validate(const FollowerGraph& g) const { sampler.validate(g); }
};

namespace detail {

/// out_to_in[e] = in-edge position of out-edge e (the topology lists each account's in-edges in
/// ascending source order, as the CSR builder does).
inline std::vector<edge_t> out_to_in_positions(const FollowerGraph& g) {
  const vertex_t n = g.num_vertices();
  const auto out_off = g.out_offsets();
  const auto targets = g.out_targets();
  std::vector<edge_t> map(g.num_edges());
  std::vector<edge_t> cursor(g.in_offsets().begin(), g.in_offsets().end() - 1);
  for (vertex_t u = 0; u < n; ++u)
    for (edge_t e = out_off[u]; e < out_off[u + 1]; ++e) map[e] = cursor[targets[e]]++;
  return map;
}

/// Forward driver of a triggering model: T(v) is drawn lazily (when an active in-neighbour first
/// offers to v) and stamped on v's in-edge positions; v activates when the offering in-edge is in
/// T(v). One workspace per thread.
class TriggeringWorkspace {
 public:
  TriggeringWorkspace(vertex_t n, edge_t m) : search_(n), sampled_(n, 0), live_(m, 0) {}

  template <TriggeringSampler S, class Visit>
  std::uint64_t run(const FollowerGraph& g, const S& sampler, std::span<const edge_t> out_to_in,
                    std::span<const vertex_t> seeds, std::span<const prob_t> seed_probs, std::uint32_t max_steps,
                    Rng& rng, Visit&& visit) {
    const std::uint32_t ep = search_.begin([&] {
      std::fill(sampled_.begin(), sampled_.end(), 0u);
      std::fill(live_.begin(), live_.end(), 0u);
    });
    return search_.run(
        g, seeds, max_steps, seed_posting(seed_probs, rng),
        [&](vertex_t, edge_t e, vertex_t v) {
          if (sampled_[v] != ep) {  // first offer to v in this cascade: draw T(v)
            sampled_[v] = ep;
            buf_.clear();
            sampler.sample(g, v, rng, buf_);
            for (edge_t j : buf_) live_[j] = ep;
          }
          return live_[out_to_in[e]] == ep;
        },
        visit);
  }

 private:
  FrontierSearch search_;
  std::vector<std::uint32_t> sampled_, live_;
  std::vector<edge_t> buf_;
};

}  // namespace detail

/// One traced cascade of a triggering model; draws only from Rng(seed, 0, domain::trial), i.e.
/// it is trial 0 of estimate_spread. Throws like simulate().
template <class S>
Trace simulate(const FollowerGraph& g, const TriggeringModel<S>& model, std::span<const vertex_t> seeds,
               std::uint64_t seed, const SimulateOptions& opt = {}) {
  model.validate(g);
  detail::validate_cascade_seeds(g, seeds, opt.seed_probabilities, "simulate");
  const auto map = detail::out_to_in_positions(g);
  detail::TriggeringWorkspace ws(g.num_vertices(), g.num_edges());
  Rng rng(seed, 0, domain::trial);
  Trace t;
  ws.run(g, model.sampler, map, seeds, opt.seed_probabilities, opt.max_steps, rng, detail::record_into(t));
  return t;
}

}  // namespace kolsim

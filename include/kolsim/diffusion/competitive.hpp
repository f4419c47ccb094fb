// SPDX-License-Identifier: MIT
/// Competitive Independent Cascade: a misleading and a corrective campaign spreading at once on
/// one follower network, with tie rules, a correction delay and the shared two-campaign driver.
///
/// Process (the multi-campaign IC of Budak, Agrawal, El Abbadi, WWW 2011, "MCICM", with their
/// priority variants as tie rules). Edge u -> v has a misleading probability pF(u, v) and a
/// corrective probability pC(u, v) (two FollowerGraphs sharing one topology). Misleading (F)
/// seeds are active at step 0, corrective (C) seeds post at step `correction_delay` (a C seed
/// already reached by F before then has adopted F and does not post; one reached by F at that
/// very step is a tie). Each account adopts the first campaign that reaches it and never
/// switches. An account newly active at step t with campaign X gets one chance to activate
/// each follower v still inactive, succeeding with pX(u, v); every success lands at step t + 1.
/// If both campaigns reach v at step t + 1 the tie rule decides: misleading_wins,
/// corrective_wins (Budak et al.'s "good news has priority"), or random (a fair coin per account
/// and trial). With pF = pC the process is Budak et al.'s campaign-oblivious IC (COICM) with the
/// chosen tie priority. Live-edge view: each edge carries two independent coins (F's and C's)
/// and each account one tie coin; an account active with X only ever uses X's coin, so a trial
/// is a deterministic function of that world. The same world with no C seeds is exactly the
/// single-campaign IC of F: this couples "F alone" and "F against C" trial by trial.
///
/// Competitive Linear Threshold: CompetitiveLT below is the weight-proportional competitive LT
/// of Borodin, Filmus and Oren (WINE 2010). The blocking selectors (select/blocking.hpp) are
/// written for CompetitiveIC only; see docs/competitive.md.
#pragma once

#include <Random123/philox.h>

#include "kolsim/core/choice.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <concepts>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// Who adopts an account when both campaigns reach it in the same step.
enum class TieRule : std::uint8_t { misleading_wins = 0, corrective_wins = 1, random = 2 };

/// The spellings of TieRule.
inline constexpr Choice<TieRule> tie_rule_choices[] = {{"misleading_wins", TieRule::misleading_wins},
                                                       {"corrective_wins", TieRule::corrective_wins},
                                                       {"random", TieRule::random}};

/// "misleading_wins", "corrective_wins" or "random" -> TieRule; anything else is invalid.
inline TieRule parse_tie_rule(std::string_view name) { return parse_choice("tie rule", name, tie_rule_choices); }

/// The name parse_tie_rule accepts for `r`.
inline std::string_view tie_rule_name(TieRule r) { return choice_name(tie_rule_choices, r); }

/// Campaign of an account in a competitive cascade.
enum class Campaign : std::uint8_t { none = 0, misleading = 1, corrective = 2 };

/// The competitive IC model: both campaigns' edge probabilities and the rules of the race.
/// A small value type (the graphs share their arrays); the driver owns frontier, marks and RNG.
class CompetitiveIC {
 public:
  static constexpr std::string_view name = "competitive_independent_cascade";

  /// Throws std::invalid_argument when a graph has no probabilities or the two graphs do not
  /// share one topology (same object, or equal vertices, accounts and edges).
  CompetitiveIC(FollowerGraph misleading, FollowerGraph corrective, TieRule tie_rule = TieRule::misleading_wins,
                std::uint32_t correction_delay = 0)
      : misleading_(std::move(misleading)), corrective_(std::move(corrective)), tie_rule_(tie_rule),
        correction_delay_(correction_delay) {
    misleading_.require_probabilities("CompetitiveIC (misleading graph)");
    corrective_.require_probabilities("CompetitiveIC (corrective graph)");
    KOLSIM_REQUIRE(same_topology(misleading_, corrective_),
                   "CompetitiveIC: the misleading and corrective graphs must share one topology (same accounts "
                   "and follower edges); build the second with with_probabilities() on the first");
    KOLSIM_REQUIRE(static_cast<unsigned>(tie_rule) <= 2, "CompetitiveIC: bad tie rule");
  }
  /// Same graph for both campaigns (campaign-oblivious IC).
  explicit CompetitiveIC(const FollowerGraph& g, TieRule tie_rule = TieRule::misleading_wins,
                         std::uint32_t correction_delay = 0)
      : CompetitiveIC(g, g, tie_rule, correction_delay) {}

  const FollowerGraph& misleading() const noexcept { return misleading_; }
  const FollowerGraph& corrective() const noexcept { return corrective_; }
  TieRule tie_rule() const noexcept { return tie_rule_; }
  std::uint32_t correction_delay() const noexcept { return correction_delay_; }
  vertex_t num_vertices() const noexcept { return misleading_.num_vertices(); }

  /// True when a and b have the same topology object or equal CSR arrays and accounts.
  static bool same_topology(const FollowerGraph& a, const FollowerGraph& b) {
    if (a.topology() == b.topology()) return true;
    auto eq = [](auto x, auto y) { return std::equal(x.begin(), x.end(), y.begin(), y.end()); };
    return eq(a.accounts(), b.accounts()) && eq(a.out_offsets(), b.out_offsets()) &&
           eq(a.out_targets(), b.out_targets());
  }

 private:
  FollowerGraph misleading_, corrective_;
  TieRule tie_rule_;
  std::uint32_t correction_delay_;
};

/// One traced competitive cascade.
struct CompetitiveTrace {
  std::vector<vertex_t> activated;            ///< activation order (F seeds first)
  std::vector<Campaign> campaign;             ///< campaign each activated account adopted
  std::vector<std::uint32_t> step;            ///< step of each activation
  std::vector<std::uint64_t> misleading_per_step;  ///< F adoptions at step t
  std::vector<std::uint64_t> corrective_per_step;  ///< C adoptions at step t
  std::uint64_t misleading_reach = 0, corrective_reach = 0;
  std::uint64_t misleading_alone = 0;  ///< F's reach in the same world without the C campaign
};

namespace detail {

/// Coins of trial `trial` of a competitive estimate, as pure functions of (seed, trial, edge or
/// account): edge e's F coin is word 0 and its C coin word 1 of Philox4x32(key = seed,
/// counter = (e, trial, kind)), so a world can be replayed in any order (forward, reverse, with
/// or without C). The counter's top word has bits 0xC0 set, which no Rng stream's block counter
/// reaches, so these never collide with Rng(seed, i, domain) streams.
class CompetitiveCoins {
 public:
  CompetitiveCoins(std::uint64_t seed, std::uint64_t trial) noexcept : trial_(trial) {
    key_ = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  }
  bool misleading(edge_t e, prob_t p) const noexcept { return below(block(e, 0).v[0], p); }
  bool corrective(edge_t e, prob_t p) const noexcept { return below(block(e, 0).v[1], p); }
  /// Tie coin of account v: true = C wins a same-step tie at v (probability 1/2).
  bool corrective_wins_tie(vertex_t v) const noexcept { return (block(v, 1).v[0] >> 31) != 0; }

 private:
  static bool below(std::uint32_t w, prob_t p) noexcept {
    return static_cast<double>(w) < static_cast<double>(p) * 4294967296.0;
  }
  r123::Philox4x32::ctr_type block(std::uint64_t x, std::uint32_t kind) const noexcept {
    r123::Philox4x32::ctr_type c = {{static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(x >> 32),
                                     static_cast<std::uint32_t>(trial_),
                                     0xC0000000u | (kind << 24) | static_cast<std::uint32_t>((trial_ >> 32) & 0xFFFFFFu)}};
    return r123::Philox4x32()(c, key_);
  }
  r123::Philox4x32::key_type key_;
  std::uint64_t trial_;
};

/// Boundary checks of both competitive models: seeds in range, distinct within each set, and no
/// account in both sets (g: the graph seeds are resolved on).
inline void validate_competitive_seeds(const FollowerGraph& g, std::span<const vertex_t> misleading,
                                       std::span<const vertex_t> corrective, const char* who) {
  const vertex_t n = g.num_vertices();
  std::vector<std::uint8_t> seen(n, 0);
  for (vertex_t s : misleading) {
    KOLSIM_REQUIRE_INDEX(s < n, who, ": misleading seed vertex ", s, " out of range (n = ", n, ")");
    KOLSIM_REQUIRE(!seen[s], who, ": duplicate misleading seed: account ", g.account(s));
    seen[s] = 1;
  }
  for (vertex_t s : corrective) {
    KOLSIM_REQUIRE_INDEX(s < n, who, ": corrective seed vertex ", s, " out of range (n = ", n, ")");
    KOLSIM_REQUIRE(seen[s] != 2, who, ": duplicate corrective seed: account ", g.account(s));
    KOLSIM_REQUIRE(seen[s] != 1, who, ": account ", g.account(s),
                   " is both a misleading and a corrective seed; an account carries one campaign");
    seen[s] = 2;
  }
}
inline void validate_competitive_seeds(const CompetitiveIC& model, std::span<const vertex_t> misleading,
                                       std::span<const vertex_t> corrective, const char* who) {
  validate_competitive_seeds(model.misleading(), misleading, corrective, who);
}

/// Adoption bookkeeping shared by the two competitive drivers: each account's campaign (0 =
/// none, 1 = F, 2 = C), the accounts adopting in the current step, and those to reset after a run.
class CompetitiveMarks {
 protected:
  CompetitiveMarks() = default;
  explicit CompetitiveMarks(vertex_t n) : state_(n, 0) {}

  /// Clears the run's lists and adopts the F seeds at step 0.
  template <class Visit>
  void start(std::span<const vertex_t> misleading, Visit& visit) {
    frontier_.clear();
    touched_.clear();
    for (vertex_t s : misleading) adopt(s, 1, 0, visit);
  }
  /// v adopts campaign c at step t (visit(v, campaign, t) is told).
  template <class Visit>
  void adopt(vertex_t v, std::uint8_t c, std::uint32_t t, Visit& visit) {
    state_[v] = c;
    touched_.push_back(v);
    frontier_.push_back(v);
    visit(v, static_cast<Campaign>(c), t);
  }

  std::vector<std::uint8_t> state_;
  std::vector<vertex_t> frontier_, cands_, touched_;
};

/// Buffers of the two-campaign driver, reused across trials (one per thread). Only touched
/// entries are reset after a run, so a trial costs O(accounts reached + edges examined).
class CompetitiveWorkspace : CompetitiveMarks {
 public:
  CompetitiveWorkspace() = default;
  explicit CompetitiveWorkspace(vertex_t n) : CompetitiveMarks(n), cand_(n, 0) {}
  vertex_t size() const noexcept { return static_cast<vertex_t>(state_.size()); }

  /// Runs one competitive cascade in the world given by `coins` (any type with
  /// misleading(e, p), corrective(e, p), corrective_wins_tie(v)). visit(v, campaign, step) is
  /// called for every adoption in order. Adoptions happen at steps <= max_steps only. Seeds
  /// must be valid (checked by the caller). Returns the number of out-edges examined.
  template <class Coins, class Visit>
  std::uint64_t run(const CompetitiveIC& model, std::span<const vertex_t> misleading,
                    std::span<const vertex_t> corrective, std::uint32_t max_steps, const Coins& coins,
                    Visit&& visit) {
    assert(size() == model.num_vertices());
    const FollowerGraph& gf = model.misleading();
    const FollowerGraph& gc = model.corrective();
    const auto offs = gf.out_offsets();
    const auto targets = gf.out_targets();
    const OutEdgeProbs pf(gf), pc(gc);  // any storage: implicit graphs are not materialised
    const std::uint32_t delay = model.correction_delay();
    const TieRule rule = model.tie_rule();
    std::uint64_t examined = 0;
    start(misleading, visit);
    const bool c_posts = !corrective.empty() && delay <= max_steps;
    if (c_posts && delay == 0)
      for (vertex_t s : corrective) adopt(s, 2, 0, visit);
    for (std::uint32_t t = 0; t < max_steps; ++t) {
      const bool c_due = c_posts && delay == t + 1;
      if (frontier_.empty() && !(c_posts && delay > t)) break;
      cands_.clear();
      for (vertex_t u : frontier_) {
        const std::uint8_t c = state_[u];
        const edge_t lo = offs[u], hi = offs[u + 1];
        examined += hi - lo;
        for (edge_t e = lo; e < hi; ++e) {
          const vertex_t v = targets[e];
          if (state_[v] != 0 || (cand_[v] & c) != 0) continue;
          const bool live = c == 1 ? coins.misleading(e, pf(e, v)) : coins.corrective(e, pc(e, v));
          if (!live) continue;
          if (cand_[v] == 0) cands_.push_back(v);
          cand_[v] |= c;
        }
      }
      if (c_due) {
        for (vertex_t s : corrective) {
          if (state_[s] != 0) continue;
          if (cand_[s] == 0) cands_.push_back(s);
          cand_[s] |= 2;
        }
      }
      frontier_.clear();
      for (vertex_t v : cands_) {
        std::uint8_t c = cand_[v];
        cand_[v] = 0;
        if (c == 3) {
          c = rule == TieRule::misleading_wins   ? 1
              : rule == TieRule::corrective_wins ? 2
              : coins.corrective_wins_tie(v)     ? 2
                                                 : 1;
        }
        adopt(v, c, t + 1, visit);
      }
    }
    for (vertex_t v : touched_) state_[v] = 0;
    return examined;
  }

 private:
  std::vector<std::uint8_t> cand_;
};

/// One traced run of `ws`'s driver in the world `coins` (what simulate_competition returns):
/// with C, then again without C for misleading_alone.
template <class Workspace, class Model, class Coins>
CompetitiveTrace trace_competition(Workspace& ws, const Model& model, std::span<const vertex_t> misleading,
                                   std::span<const vertex_t> corrective, std::uint32_t max_steps, const Coins& coins) {
  CompetitiveTrace tr;
  ws.run(model, misleading, corrective, max_steps, coins, [&](vertex_t v, Campaign c, std::uint32_t t) {
    tr.activated.push_back(v);
    tr.campaign.push_back(c);
    tr.step.push_back(t);
    auto& per = c == Campaign::misleading ? tr.misleading_per_step : tr.corrective_per_step;
    if (per.size() <= t) per.resize(t + 1, 0);
    ++per[t];
    (c == Campaign::misleading ? tr.misleading_reach : tr.corrective_reach) += 1;
  });
  ws.run(model, misleading, {}, max_steps, coins, [&](vertex_t, Campaign, std::uint32_t) { ++tr.misleading_alone; });
  const std::size_t len = std::max(tr.misleading_per_step.size(), tr.corrective_per_step.size());
  tr.misleading_per_step.resize(len, 0);
  tr.corrective_per_step.resize(len, 0);
  return tr;
}

}  // namespace detail

/// Competitive Linear Threshold, the weight-proportional model of Borodin, Filmus and Oren
/// (WINE 2010, "Threshold models for competitive influence in social networks"). Edge u -> v
/// carries one LT weight w(u, v) (in-weights sum to <= 1); each account draws one threshold
/// theta_v uniform on (0, 1] per trial, shared by both campaigns. F and C seeds are active at
/// step 0 (seed sets disjoint). An inactive account v whose summed weight of active
/// in-neighbours (either campaign) W = W_F + W_C reaches theta_v at the end of step t adopts at
/// step t + 1, F with probability W_F / W and C otherwise, and never switches. With no C
/// seeds this is exactly LinearThreshold. The outcome is not a live-edge process (v may adopt a
/// campaign that arrived before the one that tipped it over), so the exact enumeration branches
/// on the conditional activation probability (W_new - W_old) / (1 - W_old) instead (see
/// exact_competition). Unlike competitive IC, a correction may *raise* F's reach (C's weight can
/// tip an account that then picks F), so "saved" can be negative.
class CompetitiveLT {
 public:
  static constexpr std::string_view name = "competitive_linear_threshold";

  /// Throws std::invalid_argument when g has no weights or some in-weights sum above 1.
  explicit CompetitiveLT(FollowerGraph g) : g_(std::move(g)) { LinearThreshold{}.validate(g_); }
  const FollowerGraph& graph() const noexcept { return g_; }
  /// The graph seeds are resolved on (the same one; named as CompetitiveIC's for generic code).
  const FollowerGraph& misleading() const noexcept { return g_; }
  /// The same graph again: both campaigns share the LT weights (named for generic code).
  const FollowerGraph& corrective() const noexcept { return g_; }
  vertex_t num_vertices() const noexcept { return g_.num_vertices(); }

 private:
  FollowerGraph g_;
};

namespace detail {

/// World of trial `trial` of a competitive LT estimate: theta_v and the campaign draw u_v of
/// every account as pure functions of (seed, trial, v) (SplitMix64), so a world replays with
/// and without C.
class CltCoins {
 public:
  CltCoins(std::uint64_t seed, std::uint64_t trial) noexcept
      : key_(splitmix64_at(seed ^ 0x636C742D776F726Cull, trial)) {}
  /// theta_v in (0, 1].
  double threshold(vertex_t v) const noexcept {
    return 1.0 - static_cast<double>(splitmix64_at(key_, 2 * static_cast<std::uint64_t>(v)) >> 11) * 0x1.0p-53;
  }
  /// u_v uniform on [0, 1): v adopts F iff u_v < W_F / W.
  double campaign_draw(vertex_t v) const noexcept {
    return static_cast<double>(splitmix64_at(key_, 2 * static_cast<std::uint64_t>(v) + 1) >> 11) * 0x1.0p-53;
  }
  /// theta_v <= total: v activates with summed active weight `total`.
  bool activates(vertex_t v, double total) const noexcept { return total >= threshold(v); }
  /// u_v < share: v adopts F.
  bool picks_misleading(vertex_t v, double share) const noexcept { return campaign_draw(v) < share; }

 private:
  std::uint64_t key_;
};

/// Seeds in range, distinct, disjoint between the campaigns (as for CompetitiveIC).
inline void validate_competitive_seeds(const CompetitiveLT& model, std::span<const vertex_t> misleading,
                                       std::span<const vertex_t> corrective, const char* who) {
  validate_competitive_seeds(model.graph(), misleading, corrective, who);
}

/// Buffers of the competitive LT driver (one per thread); only touched entries are reset.
class CltWorkspace : CompetitiveMarks {
 public:
  explicit CltWorkspace(vertex_t n) : CompetitiveMarks(n), in_cand_(n, 0), wf_(n, 0.0), wc_(n, 0.0) {}

  /// One competitive LT cascade in the world `coins`: activates(v, W) answers theta_v <= W and
  /// picks_misleading(v, W_F / W) answers u_v < W_F / W (each account's theta_v and u_v fixed
  /// for the world, asked about only through these comparisons).
  /// visit(v, campaign, step) per adoption. Returns the out-edges examined.
  template <class Coins, class Visit>
  std::uint64_t run(const CompetitiveLT& model, std::span<const vertex_t> misleading,
                    std::span<const vertex_t> corrective, std::uint32_t max_steps, const Coins& coins,
                    Visit&& visit) {
    const FollowerGraph& g = model.graph();
    const auto off = g.out_offsets();
    const auto tgt = g.out_targets();
    const OutEdgeProbs w(g);  // any storage: an implicit graph is not materialised
    std::uint64_t examined = 0;
    start(misleading, visit);
    for (vertex_t s : corrective) adopt(s, 2, 0, visit);
    for (std::uint32_t t = 0; t < max_steps && !frontier_.empty(); ++t) {
      cands_.clear();
      for (vertex_t u : frontier_) {
        const std::uint8_t c = state_[u];
        examined += off[u + 1] - off[u];
        for (edge_t e = off[u]; e < off[u + 1]; ++e) {
          const vertex_t v = tgt[e];
          if (state_[v] != 0) continue;
          (c == 1 ? wf_ : wc_)[v] += static_cast<double>(w(e, v));
          if (!in_cand_[v]) {
            in_cand_[v] = 1;
            cands_.push_back(v);
            touched_.push_back(v);
          }
        }
      }
      frontier_.clear();
      for (vertex_t v : cands_) {
        in_cand_[v] = 0;
        const double total = wf_[v] + wc_[v];
        if (coins.activates(v, total)) adopt(v, coins.picks_misleading(v, wf_[v] / total) ? 1 : 2, t + 1, visit);
      }
    }
    for (vertex_t v : touched_) {
      state_[v] = 0;
      wf_[v] = wc_[v] = 0.0;
    }
    return examined;
  }

 private:
  std::vector<std::uint8_t> in_cand_;
  std::vector<double> wf_, wc_;
};

/// The driver (workspace) and world (coins) of each competitive model, for the generic code.
template <class Model>
struct CompetitionDriver;
template <>
struct CompetitionDriver<CompetitiveIC> {
  using Workspace = CompetitiveWorkspace;
  using Coins = CompetitiveCoins;
};
template <>
struct CompetitionDriver<CompetitiveLT> {
  using Workspace = CltWorkspace;
  using Coins = CltCoins;
};

}  // namespace detail

/// Runs trial 0 of estimate_competition (competitive IC: the world of coins keyed by (seed, 0);
/// competitive LT: its thresholds and campaign draws) and records who adopted which campaign and
/// when; misleading_alone replays the same world without C. O(accounts reached + edges
/// examined). Throws std::out_of_range / std::invalid_argument for bad, duplicate or
/// overlapping seeds.
template <class Model>
  requires std::same_as<Model, CompetitiveIC> || std::same_as<Model, CompetitiveLT>
CompetitiveTrace simulate_competition(const Model& model, std::span<const vertex_t> misleading_seeds,
                                      std::span<const vertex_t> corrective_seeds, std::uint64_t seed,
                                      std::uint32_t max_steps = std::numeric_limits<std::uint32_t>::max()) {
  using Driver = detail::CompetitionDriver<Model>;
  detail::validate_competitive_seeds(model, misleading_seeds, corrective_seeds, "simulate_competition");
  typename Driver::Workspace ws(model.num_vertices());
  return detail::trace_competition(ws, model, misleading_seeds, corrective_seeds, max_steps,
                                   typename Driver::Coins(seed, 0));
}

/// simulate_competition() with the seeds given as account ids of model.misleading()
/// (std::out_of_range names an unknown one). The trace holds dense indices.
inline CompetitiveTrace simulate_competition(const CompetitiveIC& model, const Accounts& misleading_seeds,
                                             const Accounts& corrective_seeds, std::uint64_t seed,
                                             std::uint32_t max_steps = std::numeric_limits<std::uint32_t>::max()) {
  const std::vector<vertex_t> f = model.misleading().indices_of(misleading_seeds.ids);
  const std::vector<vertex_t> c = model.misleading().indices_of(corrective_seeds.ids);
  return simulate_competition(model, std::span<const vertex_t>(f), std::span<const vertex_t>(c), seed, max_steps);
}

}  // namespace kolsim

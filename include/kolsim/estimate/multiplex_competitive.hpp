// SPDX-License-Identifier: MIT
/// A misleading and a corrective campaign racing on a multiplex (graph/multiplex.hpp): Monte
/// Carlo and exact estimates of each campaign's reach and the people saved, in people and per
/// platform.
///
/// Model. Competitive IC (diffusion/competitive.hpp) on the multiplex's expanded account graph:
/// both campaigns spread along follower edges and cross-post edges (a person who adopted a
/// campaign on one platform posts it on their other accounts with the cross-posting
/// probabilities), with the tie rule and correction delay of CompetitiveIC. Seeds are accounts,
/// i.e. (person, platform) pairs. A person adopts F when any of their accounts does (and C
/// likewise; one person may carry F on one platform and C on another), so reach counts each
/// person once per campaign. Saved people = people reached by F without C minus with C, per
/// coupled world (>= 0 per world: F's accounts with C are a subset of those without, so are its
/// people). Per platform l the estimates count accounts on l (= people with an account on l).
/// The estimators are those of estimate/competitive_estimate.hpp under a people counting
/// (detail::CompetitionCounting), so a one-layer multiplex gives the plain results bit for bit.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/stopwatch.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/competitive.hpp"
#include "kolsim/estimate/competitive_estimate.hpp"
#include "kolsim/estimate/multiplex_estimate.hpp"
#include "kolsim/graph/multiplex.hpp"

namespace kolsim {

/// Competitive IC on a multiplex: the multiplex (F's probabilities), optionally a second
/// multiplex with C's probabilities (same layers' topology, identity table and cross-post
/// edges: built from the same edge lists and identity table with other probabilities), the tie
/// rule and the correction delay. A small value type (the graphs share their arrays).
class MultiplexCompetition {
 public:
  explicit MultiplexCompetition(Multiplex mx, TieRule tie_rule = TieRule::misleading_wins,
                                std::uint32_t correction_delay = 0)
      : MultiplexCompetition(mx, mx, tie_rule, correction_delay) {}
  /// Throws std::invalid_argument when the two multiplexes differ in accounts, people or edges.
  MultiplexCompetition(Multiplex misleading, const Multiplex& corrective, TieRule tie_rule,
                       std::uint32_t correction_delay)
      : mx_(std::move(misleading)),
        model_(mx_.expanded(), checked_corrective(mx_, corrective), tie_rule, correction_delay),
        layer_(detail::multiplex_vertex_layers(mx_)) {}

  const Multiplex& multiplex() const noexcept { return mx_; }
  /// The competitive IC model on the expanded graph (what the account-level code runs).
  const CompetitiveIC& model() const noexcept { return model_; }
  TieRule tie_rule() const noexcept { return model_.tie_rule(); }
  std::uint32_t correction_delay() const noexcept { return model_.correction_delay(); }
  /// Counting in people (each person once per campaign) and accounts per layer.
  detail::CompetitionCounting people_counting() const noexcept {
    return {mx_.vertex_people(), mx_.num_people(), layer_, mx_.num_layers()};
  }

 private:
  static const FollowerGraph& checked_corrective(const Multiplex& f, const Multiplex& c) {
    const auto a = f.vertex_people(), b = c.vertex_people();
    KOLSIM_REQUIRE(f.num_layers() == c.num_layers() && std::equal(a.begin(), a.end(), b.begin(), b.end()),
                   "MultiplexCompetition: the misleading and corrective multiplexes must have the same layers, "
                   "accounts and people (build both from the same edge lists and identity table)");
    return c.expanded();
  }
  Multiplex mx_;
  CompetitiveIC model_;
  std::vector<std::uint32_t> layer_;
};

/// estimate_competition() on a multiplex: the CompetitiveEstimate in PEOPLE (misleading,
/// corrective, saved, misleading_alone; *_per_step = people newly reached at step t) and, per
/// layer, accounts on that layer.
struct MultiplexCompetitiveEstimate : CompetitiveEstimate {
  std::vector<CountEstimate> layer_misleading;        ///< accounts on layer l adopting F
  std::vector<CountEstimate> layer_corrective;        ///< accounts on layer l adopting C
  std::vector<CountEstimate> layer_misleading_alone;  ///< F's accounts on l without C
  std::vector<CountEstimate> layer_saved;             ///< alone minus with C, on l
};

/// exact_competition() on a multiplex: ExactCompetition in PEOPLE (misleading_probability and
/// corrective_probability per person index) and expected accounts per layer.
struct MultiplexExactCompetition : ExactCompetition {
  std::vector<double> layer_misleading, layer_corrective, layer_misleading_alone, layer_saved;
};

/// Monte Carlo race on a multiplex. `misleading_seeds` / `corrective_seeds` are expanded
/// vertices (accounts). Trial i is the world of coins keyed by (opt.seed, i), run with and
/// without C; per-trial integer counts reduced in trial order, so results are identical for any
/// thread count. Cost O(trials * (accounts reached + edges examined) * 2 / threads).
inline MultiplexCompetitiveEstimate estimate_competition(const MultiplexCompetition& race,
                                                         std::span<const vertex_t> misleading_seeds,
                                                         std::span<const vertex_t> corrective_seeds,
                                                         const CompetitionOptions& opt = {}) {
  Stopwatch clock;
  const CompetitiveIC& model = race.model();
  const int threads = detail::check_competition(model, misleading_seeds, corrective_seeds, opt);
  const detail::CompetitionCounting count = race.people_counting();
  detail::CompetitionTrials<CompetitiveIC> trials(model, misleading_seeds, corrective_seeds, opt, threads, 0,
                                                  opt.trials, count);
  trials.run(0, opt.trials);
  MultiplexCompetitiveEstimate r;
  r.trials = opt.trials;
  detail::reduce_tallies(trials.tallies(), opt.trials, r);
  std::vector<std::uint64_t> ftot, ctot;
  trials.step_totals(ftot, ctot);
  detail::per_step_means(std::move(ftot), std::move(ctot), opt.trials, r);
  const std::uint32_t L = count.num_layers;
  const auto lt = trials.layer_tallies();
  for (std::uint32_t l = 0; l < L; ++l) {
    double sf = 0, sff = 0, sc = 0, scc = 0, sa = 0, saa = 0, ss = 0, sss = 0;
    for (std::uint64_t i = 0; i < opt.trials; ++i) {
      const std::uint32_t* t = lt.data() + static_cast<std::size_t>(i) * 3 * L;
      const double f = t[l], c = t[L + l], a = t[2 * L + l], s = a - f;
      sf += f, sff += f * f, sc += c, scc += c * c, sa += a, saa += a * a, ss += s, sss += s * s;
    }
    r.layer_misleading.push_back(detail::count_estimate(sf, sff, opt.trials));
    r.layer_corrective.push_back(detail::count_estimate(sc, scc, opt.trials));
    r.layer_misleading_alone.push_back(detail::count_estimate(sa, saa, opt.trials));
    r.layer_saved.push_back(detail::count_estimate(ss, sss, opt.trials));
  }
  r.seconds = clock.seconds();
  return r;
}

/// estimate_competition() with the seeds as (person id, layer) pairs.
inline MultiplexCompetitiveEstimate estimate_competition(const MultiplexCompetition& race,
                                                         std::span<const MultiplexSeed> misleading_seeds,
                                                         std::span<const MultiplexSeed> corrective_seeds,
                                                         const CompetitionOptions& opt = {}) {
  const auto f = multiplex_seed_vertices(race.multiplex(), misleading_seeds);
  const auto c = multiplex_seed_vertices(race.multiplex(), corrective_seeds);
  return estimate_competition(race, std::span<const vertex_t>(f), std::span<const vertex_t>(c), opt);
}

/// Exact race on a tiny multiplex: every world of both coins of each uncertain expanded edge
/// (cross-post edges included) and the tie coins that occur (the enumeration of
/// exact_competition(CompetitiveIC), counting people). The ground truth of
/// estimate_competition(MultiplexCompetition). Cost O(worlds * (N + M)); refused above
/// opt.max_worlds.
inline MultiplexExactCompetition exact_competition(const MultiplexCompetition& race,
                                                   std::span<const vertex_t> misleading_seeds,
                                                   std::span<const vertex_t> corrective_seeds,
                                                   const ExactCompetitionOptions& opt = {}) {
  std::vector<double> layers;
  MultiplexExactCompetition r;
  static_cast<ExactCompetition&>(r) = detail::exact_competition_ic(race.model(), misleading_seeds, corrective_seeds,
                                                                   opt, race.people_counting(), &layers);
  const std::uint32_t L = race.multiplex().num_layers();
  for (std::uint32_t l = 0; l < L; ++l) {
    r.layer_misleading.push_back(layers[l]);
    r.layer_corrective.push_back(layers[L + l]);
    r.layer_misleading_alone.push_back(layers[2 * L + l]);
    r.layer_saved.push_back(layers[2 * L + l] - layers[l]);
  }
  return r;
}

/// exact_competition() with the seeds as (person id, layer) pairs.
inline MultiplexExactCompetition exact_competition(const MultiplexCompetition& race,
                                                   std::span<const MultiplexSeed> misleading_seeds,
                                                   std::span<const MultiplexSeed> corrective_seeds,
                                                   const ExactCompetitionOptions& opt = {}) {
  const auto f = multiplex_seed_vertices(race.multiplex(), misleading_seeds);
  const auto c = multiplex_seed_vertices(race.multiplex(), corrective_seeds);
  return exact_competition(race, std::span<const vertex_t>(f), std::span<const vertex_t>(c), opt);
}

}  // namespace kolsim

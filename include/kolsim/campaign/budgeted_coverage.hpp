// SPDX-License-Identifier: MIT
/// Budgeted maximum coverage of an RR collection with fees, a KOL limit, probabilistic
/// (risk-aware) seeds, a per-KOL penalty and per-group minimum coverage: the selection step of
/// campaign planning.
///
/// Objective on RR sets R_1..R_theta: f(S) = sum_j (1 - prod_{v in S cap R_j} (1 - q_v)), where
/// q_v is the probability that KOL v posts (1 - risk); f is monotone submodular, so lazy greedy
/// is exact. Rules (fee(S) <= budget, |S| <= max_kols):
///  - budget only, Method::greedy_plus (default): cost-effective lazy greedy (max gain/fee); at
///    every greedy prefix S_i also the best single affordable addition S_i + {e} is evaluated and
///    the best of all is returned. f >= OPT/2 (Yaroslavtsev, Zhou, Avdiukhin, AISTATS 2020).
///    The unit-cost greedy (largest gain that still fits; Leskovec et al. KDD 2007) is also run
///    and returned when it covers more: the bound can only improve, and on real rosters (fees
///    growing with followers) it often wins over filling the budget with many cheap KOLs.
///  - budget only, Method::greedy_or_single: max(cost-effective greedy, best single affordable
///    KOL): f >= (1 - 1/e)/2 * OPT (Khuller, Moss, Naor 1999; 0.405 by Tang et al. 2021).
///  - max_kols only (no budget): plain greedy (max gain), f >= (1 - 1/e) OPT (Nemhauser et al.).
///  - both: greedy_plus with the KOL limit; no constant factor is claimed (the planner certifies
///    the result against min(2 f(budget-only), f(k-only) / (1 - 1/e)) instead).
/// A penalty p_v (coverage units) makes the objective f(S) - sum p_v (not monotone): greedy stops
/// when the best net gain is <= 0; no guarantee. Group minimums: phase 1 runs the cost-effective
/// greedy on the truncated objective sum_g min(cov_g(S), target_g) (submodular set cover,
/// Wolsey 1982) until every target is met on the sample or nothing helps, then phase 2
/// continues on f; no guarantee is claimed with a budget. Cost: O(total entries * log n) time,
/// O(total entries) extra memory. Runs on the coverage engine of select/max_coverage.hpp (its
/// tiered inverted index, one tier of every candidate, and its lazy-greedy loop, each rule a
/// policy of it).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "kolsim/campaign/audience.hpp"
#include "kolsim/core/error.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/estimate/rr_sets.hpp"
#include "kolsim/select/max_coverage.hpp"

namespace kolsim {

/// Which budgeted rule to run (see the file comment for the guarantees). unit_cost alone has no
/// constant factor; the planner uses it only as a second candidate judged on fresh RR sets.
enum class BudgetedMethod { greedy_plus, greedy_or_single, unit_cost };

/// Inputs of budgeted_max_coverage (spans are per vertex unless said otherwise).
struct BudgetedCoverageOptions {
  std::span<const char> allowed;             ///< allowed[v] != 0 if v may be chosen (empty = all)
  std::span<const double> fees;              ///< fee of each vertex (empty = every fee 1)
  double budget = std::numeric_limits<double>::infinity();  ///< sum of fees <= budget
  std::size_t max_kols = std::numeric_limits<std::size_t>::max();  ///< |S| <= max_kols
  std::span<const double> post_probability;  ///< q_v in [0, 1] (empty = every q 1)
  std::span<const double> penalty;           ///< subtracted once per chosen v, coverage units (empty = 0)
  std::span<const vertex_t> fixed_seeds;     ///< already contracted: applied first, never chosen
  /// Fairness (all three or none): group of each RR set's root (no_group = none), what covering
  /// set j adds to its group's count, and each group's minimum (0 = none).
  std::span<const std::uint32_t> set_group;
  std::span<const double> set_unit;
  std::span<const double> group_target;
  BudgetedMethod method = BudgetedMethod::greedy_plus;
  /// Also compute BudgetedCoverageResult::upper_bound (costs a few passes over the index).
  bool upper_bound = false;
};

/// Result in coverage units (expected number of covered RR sets).
struct BudgetedCoverageResult {
  std::vector<vertex_t> seeds;      ///< chosen, in greedy order (the augmenting KOL last)
  std::vector<double> marginal;     ///< f gain of seeds[i] given fixed seeds and seeds[0..i)
  double fixed_coverage = 0;        ///< f(fixed seeds)
  double coverage = 0;              ///< f(fixed + seeds)
  double penalty = 0;               ///< sum of the chosen seeds' penalties
  double fee = 0;                   ///< sum of the chosen seeds' fees
  std::string rule;                 ///< "greedy", "greedy+single" (augmented prefix) or "best_single"
  double greedy_coverage = 0;       ///< f of the plain cost-effective greedy
  std::vector<double> group_coverage;  ///< per group (fairness only), in set_unit units
  /// With opt.upper_bound: >= f(F + S) for every feasible S (fee <= budget, |S| <= max_kols):
  /// min over greedy prefixes S_i (i = 0, 4, 16, 64, ..., last) of f(S_i) + the fractional
  /// knapsack (and top-max_kols) bound on sum of marginals f(v | S_i), by submodularity (the
  /// budgeted analogue of OPIM-C's top-k bound). Ignores penalties and group minimums.
  double upper_bound = std::numeric_limits<double>::infinity();
  std::size_t bytes = 0;
};

namespace detail {

/// One greedy's picks and running totals (round = number of picks, which outdates every key).
struct BudgetedRun {
  std::vector<vertex_t> seeds;
  std::vector<double> marginal;
  double cov = 0, penalty = 0, spent = 0;
  std::uint32_t round = 0;
};

/// State of one budgeted_max_coverage call: the objective f on the engine's index (unc[j] =
/// prod (1 - q) over chosen seeds in set j), the feasibility rules, and the phases of the file
/// comment, each a method.
class BudgetedGreedy {
 public:
  BudgetedGreedy(const CoverageSets& rr, vertex_t n, const BudgetedCoverageOptions& opt)
      : rr_(rr), n_(n), opt_(opt), fair_(!opt.group_target.empty()), budgeted_(std::isfinite(opt.budget)) {
    validate();
    tol_ = 1e-9 * std::max(1.0, budgeted_ ? opt.budget : 1.0);
    unc_.assign(rr.size(), 1.0);
    chosen_.assign(n, 0);
    for (vertex_t f : opt.fixed_seeds) chosen_[f] = 1;
    build_index();
  }

  BudgetedCoverageResult run() {
    for (vertex_t f : opt_.fixed_seeds) res_.fixed_coverage += apply(f);
    main_.cov = res_.fixed_coverage;
    if (fair_) fair_phase();
    main_phase();
    res_.greedy_coverage = main_.cov;
    res_.rule = "greedy";
    res_.bytes = index_.bytes() + unc_.capacity() * 8 + chosen_.capacity() + heap_bytes_ * 16;
    if (best_aug_v_ != no_vertex && best_aug_ > main_.cov - main_.penalty + 1e-12 * std::max(1.0, std::abs(main_.cov)))
      rebuild_augmented();
    if (budgeted_ && !fair_ && opt_.method != BudgetedMethod::greedy_or_single) unit_cost_phase();
    finish();
    return std::move(res_);
  }

 private:
  double fee(vertex_t v) const { return opt_.fees.empty() ? 1.0 : opt_.fees[v]; }
  double q(vertex_t v) const { return opt_.post_probability.empty() ? 1.0 : opt_.post_probability[v]; }
  double pen(vertex_t v) const { return opt_.penalty.empty() ? 0.0 : opt_.penalty[v]; }
  bool candidate(vertex_t v) const { return opt_.allowed.empty() || opt_.allowed[v]; }
  bool allowed(vertex_t v) const { return !chosen_[v] && candidate(v); }
  bool fits(vertex_t v, double remaining) const { return fee(v) <= remaining + tol_; }

  /// Throws for inputs of the wrong size or out of range.
  void validate() const {
    KOLSIM_REQUIRE(opt_.allowed.empty() || opt_.allowed.size() == n_, "budgeted_max_coverage: allowed has ",
                   opt_.allowed.size(), " entries, expected ", n_);
    KOLSIM_REQUIRE(opt_.fees.empty() || opt_.fees.size() == n_, "budgeted_max_coverage: fees has ", opt_.fees.size(),
                   " entries, expected ", n_);
    KOLSIM_REQUIRE(opt_.post_probability.empty() || opt_.post_probability.size() == n_,
                   "budgeted_max_coverage: post_probability has ", opt_.post_probability.size(), " entries, expected ", n_);
    KOLSIM_REQUIRE(opt_.penalty.empty() || opt_.penalty.size() == n_, "budgeted_max_coverage: penalty has ",
                   opt_.penalty.size(), " entries, expected ", n_);
    KOLSIM_REQUIRE(!std::isnan(opt_.budget) && opt_.budget >= 0.0, "budgeted_max_coverage: budget must be >= 0");
    KOLSIM_REQUIRE(!fair_ || (opt_.set_group.size() == rr_.size() && opt_.set_unit.size() == rr_.size()),
                   "budgeted_max_coverage: set_group and set_unit need one entry per RR set");
    KOLSIM_REQUIRE(rr_.size() < UINT32_MAX, "budgeted_max_coverage: too many RR sets");
    for (vertex_t v = 0; v < n_; ++v) {
      KOLSIM_REQUIRE(std::isfinite(fee(v)) && fee(v) >= 0.0, "budgeted_max_coverage: fee of vertex ", v,
                     " must be finite and >= 0");
      KOLSIM_REQUIRE(q(v) >= 0.0 && q(v) <= 1.0, "budgeted_max_coverage: post probability of vertex ", v,
                     " must be in [0, 1]");
    }
    for (vertex_t f : opt_.fixed_seeds) KOLSIM_REQUIRE_INDEX(f < n_, "fixed seed vertex ", f, " out of range (n = ", n_, ")");
  }

  /// The engine's index, one tier: the sets of every fixed seed and candidate, in set order
  /// (in vertex order, so that without a candidate mask the index is a plain counting sort).
  void build_index() {
    std::vector<std::uint32_t> count(n_, 0);
    for (vertex_t v : rr_.nodes) ++count[v];
    std::vector<vertex_t> tier;
    for (vertex_t v = 0; v < n_; ++v)
      if (chosen_[v] || candidate(v)) tier.push_back(v);
    const std::vector<char> none(rr_.size(), 0);
    index_.reset(n_);
    index_.add(tier, rr_, count.data(), none.data());
  }

  /// f(S + v) - f(S).
  double gain(vertex_t v) const {
    double s = 0.0;
    for (auto j : index_.of(v)) s += unc_[j];
    return q(v) * s;
  }
  /// Adds v to S; returns its gain.
  double apply(vertex_t v) {
    const double keep = 1.0 - q(v);
    double g = 0.0;
    for (auto j : index_.of(v)) {
      g += unc_[j] * q(v);
      unc_[j] *= keep;
    }
    chosen_[v] = 1;
    return g;
  }
  /// The cost-effective key: net gain per fee (fee-0 KOLs first), or the net gain without a budget.
  double ratio_key(double net, vertex_t v) const {
    if (!budgeted_) return net;
    const double c = fee(v);
    return c > 0.0 ? net / c : (net > 0.0 ? net * 1e200 : net);
  }
  /// S = fixed seeds only again (unc and chosen); returns f(fixed seeds).
  double restart() {
    std::fill(unc_.begin(), unc_.end(), 1.0);
    std::fill(chosen_.begin(), chosen_.end(), 0);
    double c = 0.0;
    for (vertex_t f : opt_.fixed_seeds) c += apply(f);
    return c;
  }
  /// Takes v into `run`.
  void take(BudgetedRun& run, vertex_t v) {
    const double gi = apply(v);
    run.seeds.push_back(v);
    run.marginal.push_back(gi);
    run.cov += gi;
    run.spent += fee(v);
    run.penalty += pen(v);
    ++run.round;
  }
  /// The budgeted objective as a policy of the engine's lazy step (select/max_coverage.hpp):
  /// keys by `score` in run's round; a KOL is live while not chosen and within the budget left
  /// to run; picks go on while `more`, call `before` ahead of each pick and `on_take` before
  /// taking into run.
  template <class Score, class More, class Before, class OnTake>
  struct Rule {
    BudgetedGreedy& g;
    BudgetedRun& run;
    Score score;
    More more_;
    Before before_;
    OnTake on_take_;
    std::uint32_t round() const { return run.round; }
    bool candidate(vertex_t v) const { return g.candidate(v); }
    bool live(vertex_t v) const { return !g.chosen_[v] && g.fits(v, g.opt_.budget - run.spent); }
    double key(vertex_t v) { return score(v); }
    bool more() { return more_(); }
    void before_pick() { before_(); }
    void take(vertex_t v) {
      on_take_(v);
      g.take(run, v);
    }
  };
  template <class Score, class More = bool (*)(), class Before = void (*)(), class OnTake = void (*)(vertex_t)>
  Rule<Score, More, Before, OnTake> rule(
      BudgetedRun& run, Score score, More more = [] { return false; }, Before before = [] {},
      OnTake on_take = [](vertex_t) {}) {
    return {*this, run, score, more, before, on_take};
  }

  /// Phase 1: cost-effective greedy on the truncated objective sum_g min(cov_g, target_g) until
  /// every group's target is met or nothing helps.
  void fair_phase() {
    gcov_.assign(opt_.group_target.size(), 0.0);
    for (std::uint64_t j = 0; j < rr_.size(); ++j) {
      const auto g = opt_.set_group[j];
      if (g != no_group) {
        KOLSIM_REQUIRE(g < gcov_.size(), "budgeted_max_coverage: set group out of range");
        gcov_[g] += (1.0 - unc_[j]) * opt_.set_unit[j];
      }
    }
    acc_.assign(gcov_.size(), 0.0);
    auto r = rule(
        main_, [&](vertex_t v) { return ratio_key(truncated_gain(v), v); },
        [&] { return unmet() && main_.seeds.size() < opt_.max_kols; }, [] {},
        [&](vertex_t v) {
          for (auto j : index_.of(v)) {
            const auto g = opt_.set_group[j];
            if (g != no_group) gcov_[g] += unc_[j] * q(v) * opt_.set_unit[j];
          }
        });
    std::vector<LazyEntry> heap = lazy_heap(n_, r);
    lazy_greedy_rounds(heap, r);
  }
  /// Gain of v on the truncated objective.
  double truncated_gain(vertex_t v) {
    touched_.clear();
    for (auto j : index_.of(v)) {
      const auto g = opt_.set_group[j];
      if (g == no_group || gcov_[g] >= opt_.group_target[g]) continue;
      if (acc_[g] == 0.0) touched_.push_back(g);
      acc_[g] += unc_[j] * q(v) * opt_.set_unit[j];
    }
    double s = 0.0;
    for (auto g : touched_) {
      s += std::min(acc_[g], opt_.group_target[g] - gcov_[g]);
      acc_[g] = 0.0;
    }
    return s;
  }
  bool unmet() const {
    for (std::size_t g = 0; g < gcov_.size(); ++g)
      if (gcov_[g] < opt_.group_target[g]) return true;
    return false;
  }

  /// Phase 2: cost-effective lazy greedy on f - penalty; before each pick, the upper bound at
  /// prefixes 0, 4, 16, ... and the best single addition to the current prefix (a second lazy
  /// heap: max raw net gain among KOLs that fit the remaining budget).
  void main_phase() {
    auto net = [&](vertex_t v) { return gain(v) - pen(v); };
    auto single = rule(main_, net);
    const std::size_t phase1 = main_.seeds.size();
    std::size_t next_bound = 0;
    std::vector<LazyEntry> side;
    auto before = [&] {
      if (opt_.upper_bound && main_.seeds.size() - phase1 == next_bound) {
        eval_bound();
        next_bound = next_bound == 0 ? 4 : 4 * next_bound;
      }
      if (budgeted_ && (opt_.method != BudgetedMethod::greedy_or_single || main_.seeds.size() == phase1)) {
        if (const LazyEntry* s = lazy_best(side, single)) consider_augment(*s);
      }
    };
    auto r = rule(
        main_, [&](vertex_t v) { return ratio_key(net(v), v); },
        [&] { return main_.seeds.size() < opt_.max_kols; }, before);
    // Both heaps from one pass of gains: the cost-effective keys are the side heap's net gains
    // per fee (the pop order depends only on the (key, v) order, not on the heap's layout).
    side = lazy_heap(n_, single);
    std::vector<LazyEntry> heap;
    for (const LazyEntry& e : side) heap.push_back({ratio_key(e.key, e.v), e.v, e.round});
    std::make_heap(heap.begin(), heap.end());
    if (opt_.upper_bound) {
      for (vertex_t v = 0; v < n_; ++v)
        if (allowed(v)) pool_.push_back(v);
    }
    lazy_greedy_rounds(heap, r);
    if (opt_.upper_bound) {
      eval_bound();
      res_.upper_bound = std::min(res_.upper_bound, static_cast<double>(rr_.size()));
    }
    heap_bytes_ = heap.capacity() + side.capacity();
  }
  /// Remembers prefix + s if it beats the best augmented solution so far.
  void consider_augment(const LazyEntry& s) {
    const double val = main_.cov - main_.penalty + s.key;
    if (val > best_aug_) {
      best_aug_ = val;
      best_aug_prefix_ = main_.seeds.size();
      best_aug_v_ = s.v;
    }
  }
  /// Data-dependent upper bound on f over feasible sets (see BudgetedCoverageResult::upper_bound).
  void eval_bound() {
    items_.clear();
    for (vertex_t v : pool_) {
      if (chosen_[v] || !fits(v, opt_.budget)) continue;  // a KOL above the budget is in no feasible set
      const double gv = gain(v);
      if (gv > 0.0) items_.emplace_back(gv, fee(v));
    }
    double b = std::numeric_limits<double>::infinity();
    if (opt_.max_kols < items_.size()) {
      std::nth_element(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(opt_.max_kols), items_.end(),
                       [](const auto& x, const auto& y) { return x.first > y.first; });
      double sum = 0.0;
      for (std::size_t i = 0; i < opt_.max_kols; ++i) sum += items_[i].first;
      b = sum;
    } else if (!budgeted_) {
      double sum = 0.0;
      for (const auto& it : items_) sum += it.first;
      b = sum;
    }
    if (budgeted_) b = std::min(b, knapsack_bound());
    res_.upper_bound = std::min(res_.upper_bound, main_.cov + b);
  }
  /// Fractional knapsack of items_ (gain, fee) within the budget.
  double knapsack_bound() {
    std::sort(items_.begin(), items_.end(), [](const auto& x, const auto& y) {
      return x.first * y.second > y.first * x.second;  // gain / fee descending, fee 0 first
    });
    double cap = opt_.budget, sum = 0.0;
    for (const auto& [gv, c] : items_) {
      if (c <= cap) {
        sum += gv;
        cap -= c;
      } else {
        sum += gv * cap / c;
        break;
      }
    }
    return sum;
  }

  /// The augmented solution wins: fixed seeds, the first best_aug_prefix greedy seeds, then the
  /// augmenting KOL.
  void rebuild_augmented() {
    std::vector<vertex_t> keep(main_.seeds.begin(), main_.seeds.begin() + static_cast<std::ptrdiff_t>(best_aug_prefix_));
    keep.push_back(best_aug_v_);
    main_ = BudgetedRun{};
    main_.cov = restart();
    for (vertex_t v : keep) take(main_, v);
    res_.rule = best_aug_prefix_ == 0 ? "best_single" : "greedy+single";
  }

  /// Unit-cost greedy (largest net gain among KOLs that still fit), as in Leskovec et al.,
  /// KDD 2007: the cost-effective rule can fill a budget with many cheap, small KOLs when a few
  /// expensive ones reach more; the better of the two is kept (guarantees only improve).
  void unit_cost_phase() {
    BudgetedRun uc;
    uc.cov = restart();
    auto r = rule(
        uc, [&](vertex_t v) { return gain(v) - pen(v); }, [&] { return uc.seeds.size() < opt_.max_kols; });
    std::vector<LazyEntry> heap = lazy_heap(n_, r);
    lazy_greedy_rounds(heap, r);
    if (opt_.method == BudgetedMethod::unit_cost ||
        uc.cov - uc.penalty > main_.cov - main_.penalty + 1e-9 * std::max(1.0, std::abs(main_.cov))) {
      main_ = std::move(uc);
      res_.rule = "unit_cost_greedy";
    }
  }

  /// Result fields from the chosen run (group coverage from unc: with fairness, no unit-cost
  /// run replaced the main run's state).
  void finish() {
    res_.seeds = std::move(main_.seeds);
    res_.marginal = std::move(main_.marginal);
    res_.penalty = main_.penalty;
    res_.coverage = main_.cov;
    res_.fee = 0;
    for (vertex_t v : res_.seeds) res_.fee += fee(v);
    if (fair_) {
      res_.group_coverage.assign(gcov_.size(), 0.0);
      for (std::uint64_t j = 0; j < rr_.size(); ++j)
        if (opt_.set_group[j] != no_group) res_.group_coverage[opt_.set_group[j]] += (1.0 - unc_[j]) * opt_.set_unit[j];
    }
  }

  const CoverageSets& rr_;
  vertex_t n_;
  const BudgetedCoverageOptions& opt_;
  bool fair_, budgeted_;
  double tol_ = 0;
  TieredIndex index_;
  std::vector<double> unc_;
  std::vector<char> chosen_;
  BudgetedCoverageResult res_;
  BudgetedRun main_;
  std::vector<double> gcov_, acc_;           // fairness: group coverage, per-vertex accumulator
  std::vector<std::uint32_t> touched_;
  std::vector<vertex_t> pool_;               // upper bound: candidates after phase 1
  std::vector<std::pair<double, double>> items_;
  double best_aug_ = -std::numeric_limits<double>::infinity();
  std::size_t best_aug_prefix_ = 0;
  vertex_t best_aug_v_ = no_vertex;
  std::size_t heap_bytes_ = 0;
};

}  // namespace detail

/// Budgeted (and/or KOL-limited) maximum coverage of `rr` (vertices < n). Deterministic.
inline BudgetedCoverageResult budgeted_max_coverage(const CoverageSets& rr, vertex_t n,
                                                    const BudgetedCoverageOptions& opt) {
  return detail::BudgetedGreedy(rr, n, opt).run();
}

}  // namespace kolsim

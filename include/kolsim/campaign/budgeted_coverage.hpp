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
/// O(total entries) extra memory.
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

/// Inverted index vertex -> RR sets (counting sort; lists sorted by set index).
struct RRIndex {
  std::vector<edge_t> off;
  std::vector<std::uint32_t> sets;
  RRIndex(const RRCollection& rr, vertex_t n) : off(static_cast<std::size_t>(n) + 1, 0), sets(rr.total_nodes()) {
    const auto nodes = rr.nodes();
    const auto offs = rr.offsets();
    for (vertex_t v : nodes) ++off[v + 1];
    for (vertex_t v = 0; v < n; ++v) off[v + 1] += off[v];
    std::vector<edge_t> cur(off.begin(), off.end() - 1);
    for (std::uint64_t j = 0; j < rr.size(); ++j)
      for (edge_t e = offs[j]; e < offs[j + 1]; ++e) sets[cur[nodes[e]]++] = static_cast<std::uint32_t>(j);
  }
  std::span<const std::uint32_t> of(vertex_t v) const { return {sets.data() + off[v], off[v + 1] - off[v]}; }
  std::size_t bytes() const { return off.capacity() * 8 + sets.capacity() * 4; }
};

/// Lazy max-heap entry: key (an upper bound), vertex, round in which the key was computed.
struct LazyEntry {
  double key;
  vertex_t v;
  std::uint32_t round;
  bool operator<(const LazyEntry& o) const { return key < o.key || (key == o.key && v > o.v); }
};

}  // namespace detail

/// Budgeted (and/or KOL-limited) maximum coverage of `rr` (vertices < n). Deterministic.
inline BudgetedCoverageResult budgeted_max_coverage(const RRCollection& rr, vertex_t n,
                                                    const BudgetedCoverageOptions& opt) {
  KOLSIM_REQUIRE(opt.allowed.empty() || opt.allowed.size() == n, "budgeted_max_coverage: allowed has ",
                 opt.allowed.size(), " entries, expected ", n);
  KOLSIM_REQUIRE(opt.fees.empty() || opt.fees.size() == n, "budgeted_max_coverage: fees has ", opt.fees.size(),
                 " entries, expected ", n);
  KOLSIM_REQUIRE(opt.post_probability.empty() || opt.post_probability.size() == n,
                 "budgeted_max_coverage: post_probability has ", opt.post_probability.size(), " entries, expected ", n);
  KOLSIM_REQUIRE(opt.penalty.empty() || opt.penalty.size() == n, "budgeted_max_coverage: penalty has ",
                 opt.penalty.size(), " entries, expected ", n);
  KOLSIM_REQUIRE(!std::isnan(opt.budget) && opt.budget >= 0.0, "budgeted_max_coverage: budget must be >= 0");
  const bool fair = !opt.group_target.empty();
  KOLSIM_REQUIRE(!fair || (opt.set_group.size() == rr.size() && opt.set_unit.size() == rr.size()),
                 "budgeted_max_coverage: set_group and set_unit need one entry per RR set");
  KOLSIM_REQUIRE(rr.size() < UINT32_MAX, "budgeted_max_coverage: too many RR sets");
  const bool budgeted = std::isfinite(opt.budget);
  auto fee = [&](vertex_t v) { return opt.fees.empty() ? 1.0 : opt.fees[v]; };
  auto q = [&](vertex_t v) { return opt.post_probability.empty() ? 1.0 : opt.post_probability[v]; };
  auto pen = [&](vertex_t v) { return opt.penalty.empty() ? 0.0 : opt.penalty[v]; };
  for (vertex_t v = 0; v < n; ++v) {
    KOLSIM_REQUIRE(std::isfinite(fee(v)) && fee(v) >= 0.0, "budgeted_max_coverage: fee of vertex ", v,
                   " must be finite and >= 0");
    KOLSIM_REQUIRE(q(v) >= 0.0 && q(v) <= 1.0, "budgeted_max_coverage: post probability of vertex ", v,
                   " must be in [0, 1]");
  }
  const double tol = 1e-9 * std::max(1.0, budgeted ? opt.budget : 1.0);

  const detail::RRIndex idx(rr, n);
  std::vector<double> unc(rr.size(), 1.0);  // prod (1 - q) over chosen seeds in set j
  std::vector<char> chosen(n, 0);
  for (vertex_t f : opt.fixed_seeds) {
    KOLSIM_REQUIRE_INDEX(f < n, "fixed seed vertex ", f, " out of range (n = ", n, ")");
    chosen[f] = 1;
  }
  auto allowed = [&](vertex_t v) { return !chosen[v] && (opt.allowed.empty() || opt.allowed[v]); };
  auto gain = [&](vertex_t v) {
    double s = 0.0;
    for (auto j : idx.of(v)) s += unc[j];
    return q(v) * s;
  };
  auto apply = [&](vertex_t v) {
    const double keep = 1.0 - q(v);
    double g = 0.0;
    for (auto j : idx.of(v)) {
      g += unc[j] * q(v);
      unc[j] *= keep;
    }
    chosen[v] = 1;
    return g;
  };
  BudgetedCoverageResult res;
  for (vertex_t f : opt.fixed_seeds) res.fixed_coverage += apply(f);
  double cov = res.fixed_coverage;
  double spent = 0.0;
  auto fits = [&](vertex_t v, double remaining) { return fee(v) <= remaining + tol; };
  const double big = 1e200;
  auto ratio_key = [&](double net, vertex_t v) {
    if (!budgeted) return net;
    const double c = fee(v);
    return c > 0.0 ? net / c : (net > 0.0 ? net * big : net);
  };

  // Phase 1 (fairness): truncated objective sum_g min(cov_g, target_g).
  std::vector<double> gcov(opt.group_target.size(), 0.0);
  if (fair) {
    for (std::uint64_t j = 0; j < rr.size(); ++j) {
      const auto g = opt.set_group[j];
      if (g != no_group) {
        KOLSIM_REQUIRE(g < gcov.size(), "budgeted_max_coverage: set group out of range");
        gcov[g] += (1.0 - unc[j]) * opt.set_unit[j];
      }
    }
    std::vector<double> acc(gcov.size(), 0.0);
    std::vector<std::uint32_t> touched;
    auto trunc_gain = [&](vertex_t v) {
      touched.clear();
      for (auto j : idx.of(v)) {
        const auto g = opt.set_group[j];
        if (g == no_group || gcov[g] >= opt.group_target[g]) continue;
        if (acc[g] == 0.0) touched.push_back(g);
        acc[g] += unc[j] * q(v) * opt.set_unit[j];
      }
      double s = 0.0;
      for (auto g : touched) {
        s += std::min(acc[g], opt.group_target[g] - gcov[g]);
        acc[g] = 0.0;
      }
      return s;
    };
    auto unmet = [&] {
      for (std::size_t g = 0; g < gcov.size(); ++g)
        if (gcov[g] < opt.group_target[g]) return true;
      return false;
    };
    std::vector<detail::LazyEntry> heap;
    for (vertex_t v = 0; v < n; ++v)
      if (allowed(v) && fits(v, opt.budget)) heap.push_back({ratio_key(trunc_gain(v), v), v, 0});
    std::make_heap(heap.begin(), heap.end());
    std::uint32_t round = 0;
    while (unmet() && !heap.empty() && res.seeds.size() < opt.max_kols) {
      std::pop_heap(heap.begin(), heap.end());
      detail::LazyEntry top = heap.back();
      heap.pop_back();
      if (chosen[top.v] || !fits(top.v, opt.budget - spent)) continue;
      if (top.round != round) {
        top.key = ratio_key(trunc_gain(top.v), top.v);
        top.round = round;
        heap.push_back(top);
        std::push_heap(heap.begin(), heap.end());
        continue;
      }
      if (top.key <= 0.0) break;
      for (auto j : idx.of(top.v)) {
        const auto g = opt.set_group[j];
        if (g != no_group) gcov[g] += unc[j] * q(top.v) * opt.set_unit[j];
      }
      const double gi = apply(top.v);
      res.seeds.push_back(top.v);
      res.marginal.push_back(gi);
      cov += gi;
      spent += fee(top.v);
      res.penalty += pen(top.v);
      ++round;
    }
  }

  // Phase 2: cost-effective lazy greedy on f - penalty, with a second lazy heap (max raw net gain
  // among KOLs that fit the remaining budget) for the single-addition candidates.
  std::vector<detail::LazyEntry> heap, single;
  for (vertex_t v = 0; v < n; ++v) {
    if (!allowed(v) || !fits(v, opt.budget - spent)) continue;
    const double g = gain(v) - pen(v);
    heap.push_back({ratio_key(g, v), v, 0});
    single.push_back({g, v, 0});
  }
  std::make_heap(heap.begin(), heap.end());
  std::make_heap(single.begin(), single.end());
  std::uint32_t round = 0;
  const std::size_t phase1 = res.seeds.size();
  // Data-dependent upper bound on f over feasible sets (see BudgetedCoverageResult::upper_bound).
  std::vector<vertex_t> pool;
  if (opt.upper_bound) {
    for (vertex_t v = 0; v < n; ++v)
      if (!chosen[v] && (opt.allowed.empty() || opt.allowed[v])) pool.push_back(v);
  }
  std::vector<std::pair<double, double>> items;  // (gain, fee)
  auto eval_bound = [&] {
    items.clear();
    for (vertex_t v : pool) {
      if (chosen[v] || !fits(v, opt.budget)) continue;  // a KOL above the budget is in no feasible set
      const double gv = gain(v);
      if (gv > 0.0) items.emplace_back(gv, fee(v));
    }
    double b = std::numeric_limits<double>::infinity();
    if (opt.max_kols < items.size()) {
      std::nth_element(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(opt.max_kols), items.end(),
                       [](const auto& x, const auto& y) { return x.first > y.first; });
      double sum = 0.0;
      for (std::size_t i = 0; i < opt.max_kols; ++i) sum += items[i].first;
      b = sum;
    } else if (!budgeted) {
      double sum = 0.0;
      for (const auto& it : items) sum += it.first;
      b = sum;
    }
    if (budgeted) {
      std::sort(items.begin(), items.end(), [](const auto& x, const auto& y) {
        return x.first * y.second > y.first * x.second;  // gain / fee descending, fee 0 first
      });
      double cap = opt.budget, sum = 0.0;
      for (const auto& [gv, c] : items) {
        if (c <= cap) {
          sum += gv;
          cap -= c;
        } else {
          sum += gv * cap / c;
          break;
        }
      }
      b = std::min(b, sum);
    }
    res.upper_bound = std::min(res.upper_bound, cov + b);
  };
  std::size_t next_bound = 0;
  // Best augmented solution: prefix length and the added vertex.
  double best_aug = -std::numeric_limits<double>::infinity();
  std::size_t best_aug_prefix = 0;
  vertex_t best_aug_v = no_vertex;
  const bool augment = budgeted;
  auto best_single = [&]() -> const detail::LazyEntry* {
    while (!single.empty()) {
      detail::LazyEntry& top = single.front();
      if (chosen[top.v] || !fits(top.v, opt.budget - spent)) {
        std::pop_heap(single.begin(), single.end());
        single.pop_back();
        continue;
      }
      if (top.round != round) {
        std::pop_heap(single.begin(), single.end());
        detail::LazyEntry e = single.back();
        single.pop_back();
        e.key = gain(e.v) - pen(e.v);
        e.round = round;
        single.push_back(e);
        std::push_heap(single.begin(), single.end());
        continue;
      }
      return &single.front();
    }
    return nullptr;
  };
  auto consider_augment = [&] {
    if (!augment || res.seeds.size() >= opt.max_kols) return;
    if (opt.method == BudgetedMethod::greedy_or_single && res.seeds.size() != phase1) return;
    if (const auto* s = best_single()) {
      const double val = cov - res.penalty + s->key;
      if (val > best_aug) {
        best_aug = val;
        best_aug_prefix = res.seeds.size();
        best_aug_v = s->v;
      }
    }
  };
  while (res.seeds.size() < opt.max_kols) {
    if (opt.upper_bound && res.seeds.size() - phase1 == next_bound) {
      eval_bound();
      next_bound = next_bound == 0 ? 4 : 4 * next_bound;
    }
    consider_augment();
    bool picked = false;
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end());
      detail::LazyEntry top = heap.back();
      heap.pop_back();
      if (chosen[top.v] || !fits(top.v, opt.budget - spent)) continue;  // never fits again
      if (top.round != round) {
        top.key = ratio_key(gain(top.v) - pen(top.v), top.v);
        top.round = round;
        heap.push_back(top);
        std::push_heap(heap.begin(), heap.end());
        continue;
      }
      if (top.key <= 0.0) {
        heap.clear();
        break;
      }
      const double gi = apply(top.v);
      res.seeds.push_back(top.v);
      res.marginal.push_back(gi);
      cov += gi;
      spent += fee(top.v);
      res.penalty += pen(top.v);
      ++round;
      picked = true;
      break;
    }
    if (!picked) break;
  }
  if (opt.upper_bound) {
    eval_bound();
    res.upper_bound = std::min(res.upper_bound, static_cast<double>(rr.size()));
  }
  res.greedy_coverage = cov;
  res.rule = "greedy";
  res.bytes = idx.bytes() + unc.capacity() * 8 + chosen.capacity() + (heap.capacity() + single.capacity()) * 16;
  if (best_aug_v != no_vertex && best_aug > cov - res.penalty + 1e-12 * std::max(1.0, std::abs(cov))) {
    // Rebuild: fixed seeds, the first best_aug_prefix greedy seeds, then the augmenting KOL.
    std::vector<vertex_t> keep(res.seeds.begin(), res.seeds.begin() + static_cast<std::ptrdiff_t>(best_aug_prefix));
    keep.push_back(best_aug_v);
    std::fill(unc.begin(), unc.end(), 1.0);
    std::fill(chosen.begin(), chosen.end(), 0);
    res.seeds.clear();
    res.marginal.clear();
    res.penalty = 0;
    cov = 0;
    for (vertex_t f : opt.fixed_seeds) cov += apply(f);
    for (vertex_t v : keep) {
      const double gi = apply(v);
      res.seeds.push_back(v);
      res.marginal.push_back(gi);
      cov += gi;
      res.penalty += pen(v);
    }
    res.rule = best_aug_prefix == 0 ? "best_single" : "greedy+single";
  }
  // Unit-cost greedy (largest net gain among KOLs that still fit), as in Leskovec et al.,
  // KDD 2007: the cost-effective rule can fill a budget with many cheap, small KOLs when a few
  // expensive ones reach more; the better of the two is returned (guarantees only improve).
  if (budgeted && !fair && opt.method != BudgetedMethod::greedy_or_single) {
    std::fill(unc.begin(), unc.end(), 1.0);
    std::fill(chosen.begin(), chosen.end(), 0);
    double uc_cov = 0.0, uc_pen = 0.0, uc_spent = 0.0;
    for (vertex_t f : opt.fixed_seeds) uc_cov += apply(f);
    std::vector<vertex_t> uc_seeds;
    std::vector<double> uc_marginal;
    std::vector<detail::LazyEntry> uc_heap;
    for (vertex_t v = 0; v < n; ++v)
      if (allowed(v) && fits(v, opt.budget)) uc_heap.push_back({gain(v) - pen(v), v, 0});
    std::make_heap(uc_heap.begin(), uc_heap.end());
    std::uint32_t uc_round = 0;
    while (!uc_heap.empty() && uc_seeds.size() < opt.max_kols) {
      std::pop_heap(uc_heap.begin(), uc_heap.end());
      detail::LazyEntry top = uc_heap.back();
      uc_heap.pop_back();
      if (chosen[top.v] || !fits(top.v, opt.budget - uc_spent)) continue;
      if (top.round != uc_round) {
        top.key = gain(top.v) - pen(top.v);
        top.round = uc_round;
        uc_heap.push_back(top);
        std::push_heap(uc_heap.begin(), uc_heap.end());
        continue;
      }
      if (top.key <= 0.0) break;
      const double gi = apply(top.v);
      uc_seeds.push_back(top.v);
      uc_marginal.push_back(gi);
      uc_cov += gi;
      uc_spent += fee(top.v);
      uc_pen += pen(top.v);
      ++uc_round;
    }
    if (opt.method == BudgetedMethod::unit_cost || uc_cov - uc_pen > cov - res.penalty + 1e-9 * std::max(1.0, std::abs(cov))) {
      res.seeds = std::move(uc_seeds);
      res.marginal = std::move(uc_marginal);
      res.penalty = uc_pen;
      cov = uc_cov;
      res.rule = "unit_cost_greedy";
    }
  }
  res.coverage = cov;
  res.fee = 0;
  for (vertex_t v : res.seeds) res.fee += fee(v);
  if (fair) {
    res.group_coverage.assign(gcov.size(), 0.0);
    for (std::uint64_t j = 0; j < rr.size(); ++j)
      if (opt.set_group[j] != no_group) res.group_coverage[opt.set_group[j]] += (1.0 - unc[j]) * opt.set_unit[j];
  }
  return res;
}

}  // namespace kolsim

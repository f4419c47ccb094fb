// SPDX-License-Identifier: MIT
/// Blocking selection: choose k corrective KOLs that minimise a misleading campaign's expected
/// reach under competitive IC or competitive LT (optionally within a deadline), plus the usual
/// baselines. Competitive LT has celf and the baselines only (see block_celf(CompetitiveLT)).
///
/// Methods (BlockingMethod):
///  - celf: CELF greedy (Leskovec et al., KDD 2007) on the Monte Carlo objective with common
///    random numbers: every evaluation uses the same `trials` worlds, so it is an exact greedy on
///    the sample-average F reach. The reference. Saved accounts are not submodular in general
///    under multi-campaign IC (Budak et al., WWW 2011 prove it only for special cases), so the
///    lazy bounds are heuristics and there is no approximation guarantee. O(candidates * trials
///    * cascade) for the first round.
///  - rr: reverse sampling for blocking, in the spirit of Tong et al. (INFOCOM 2017, random
///    R-tuples): draw a world, run F alone forward (arrival times dF), pick roots v uniformly
///    among the accounts F reaches, find the targets T(v) = v plus v's dominators in F's
///    live-edge graph (accounts on every F path to v; checked on one F path by a search in
///    v's F-ancestor set without each candidate), and collect every account u that, as a
///    single corrective seed, wins the race to some target along a C-live path (each account on
///    it reached by C before F, ties by the tie rule, C starting at the delay) by one bucketed
///    reverse search. If C takes a target first, F never reaches v, whatever other corrective
///    seeds do, so greedy weighted max coverage of these sets maximises L(S) = E[#accounts
///    saved by a single seed of S through a race or a cut vertex], a monotone submodular LOWER
///    bound on saved(S) (it misses accounts saved only because several seeds jointly cut every
///    F path). Greedy gets >= (1 - 1/e) of the best sampled L; there is NO guarantee on
///    saved(S) itself.
///    O(worlds * (F reach + edges F examines) + RR search) time.
///  - degree (top followers), neighbourhood (the F seeds' followers with most followers) and
///    imm (plain influence maximisation of C ignoring F; Tang, Shi, Xiao, SIGMOD 2015).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <queue>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "kolsim/core/choice.hpp"
#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/select/rr_select.hpp"
#include "kolsim/diffusion/competitive.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/estimate/competitive_estimate.hpp"
#include "kolsim/select/common.hpp"
#include "kolsim/select/heuristics.hpp"
#include "kolsim/select/imm.hpp"
#include "kolsim/select/lazy_greedy.hpp"
#include "kolsim/select/max_coverage.hpp"

namespace kolsim {

/// How select_blockers chooses.
enum class BlockingMethod : std::uint8_t { rr = 0, celf = 1, degree = 2, neighbourhood = 3, imm = 4 };

/// The spellings of BlockingMethod ("neighborhood" is the American alias).
inline constexpr Choice<BlockingMethod> blocking_method_choices[] = {
    {"rr", BlockingMethod::rr},
    {"celf", BlockingMethod::celf},
    {"degree", BlockingMethod::degree},
    {"neighbourhood", BlockingMethod::neighbourhood},
    {"neighborhood", BlockingMethod::neighbourhood},
    {"imm", BlockingMethod::imm}};

/// "rr", "celf", "degree", "neighbourhood" or "imm" -> BlockingMethod.
inline BlockingMethod parse_blocking_method(std::string_view name) {
  return parse_choice("blocking method", name, blocking_method_choices);
}

/// Options of the blocking selectors (candidates, fixed_seeds = corrective accounts already
/// contracted, seed, threads, stop from SelectOptions). Misleading seeds are never candidates.
struct BlockingOptions : SelectOptions {
  BlockingMethod method = BlockingMethod::rr;  ///< used by select_blockers
  /// Deadline: minimise the accounts F reaches within max_steps steps.
  std::uint32_t max_steps = std::numeric_limits<std::uint32_t>::max();
  std::uint64_t worlds = 2000;          ///< rr: sampled worlds (F forward runs)
  std::uint32_t roots_per_world = 16;   ///< rr: RR roots per world
  /// rr: dominators of a root are searched only when its F-ancestor set has at most this many
  /// accounts (else the set holds race winners only, still a valid lower bound).
  std::size_t dominator_limit = 20000;
  std::uint64_t trials = 200;           ///< celf: common-random-number worlds per evaluation
  double imm_epsilon = 0.3;             ///< imm baseline accuracy
  /// > 0: re-estimate F's reach before/after with this many independent Monte Carlo trials
  /// (coins keyed by a seed derived from `seed`, disjoint from the selection's worlds).
  std::uint64_t evaluation_trials = 1000;
};

/// Blocking result. SelectResult::spread is the selector's own estimate of F's reach with the
/// chosen correction (0 for the baselines), marginal_gains its estimate of the reach each seed
/// removes (the baselines' scores for degree/neighbourhood/imm). reach_* are the independent
/// Monte Carlo evaluation (zero when evaluation_trials = 0).
struct BlockingResult : SelectResult {
  double reach_before = 0, reach_before_error = 0;  ///< F reach against the fixed seeds only
  double reach_after = 0, reach_after_error = 0;    ///< F reach with fixed seeds + seeds
  /// reach_before - reach_after over the same worlds; saved_error is exact without fixed seeds,
  /// else the conservative sqrt(se_after^2 + se_before^2) of the two coupled saved counts.
  double saved = 0, saved_error = 0;
  std::uint64_t evaluation_trials = 0;
};

namespace detail {

/// Validated scope: F seeds, fixed corrective seeds and candidates, with F seeds excluded
/// (Model: CompetitiveIC or CompetitiveLT).
template <class Model>
SeedScope blocking_scope(const Model& model, std::span<const vertex_t> misleading, std::size_t k,
                                const BlockingOptions& opt, const char* who) {
  KOLSIM_REQUIRE(model.num_vertices() > 0, who, ": the graph has no vertices");
  KOLSIM_REQUIRE(k >= 1, who, ": k must be >= 1");
  validate_competitive_seeds(model, misleading, opt.fixed_seeds, who);
  SelectOptions base;
  base.candidates = opt.candidates;
  base.fixed_seeds = opt.fixed_seeds;
  SeedScope s = make_seed_scope(model.corrective(), 0, base);
  for (vertex_t v : misleading) {
    if (s.allowed[v]) --s.num_allowed;
    s.allowed[v] = 0;
  }
  KOLSIM_REQUIRE(k <= s.num_allowed, who, ": k = ", k, " exceeds the ", s.num_allowed,
                 " selectable accounts (candidates minus fixed and misleading seeds)");
  return s;
}

inline std::vector<vertex_t> allowed_list(const SeedScope& s) {
  std::vector<vertex_t> out;
  out.reserve(s.num_allowed);
  for (vertex_t v = 0; v < s.allowed.size(); ++v)
    if (s.allowed[v]) out.push_back(v);
  return out;
}

inline std::uint64_t blocking_eval_seed(std::uint64_t seed) { return seed ^ 0x9E3779B97F4A7C15ull; }

/// The independent Monte Carlo check of a blocking result (reach_*, saved), on worlds disjoint
/// from the selection's, counted by `count` (default: accounts).
template <class Model>
void blocking_evaluate(const Model& model, std::span<const vertex_t> misleading, const BlockingOptions& opt,
                       BlockingResult& r, const CompetitionCounting& count = {}) {
  if (opt.evaluation_trials == 0) return;
  std::vector<vertex_t> c = opt.fixed_seeds;
  c.insert(c.end(), r.seeds.begin(), r.seeds.end());
  CompetitionOptions co;
  co.trials = opt.evaluation_trials;
  co.seed = blocking_eval_seed(opt.seed);
  co.threads = opt.threads;
  co.max_steps = opt.max_steps;
  co.stop = opt.stop;
  const CompetitiveEstimate after = estimate_competition_impl(model, misleading, c, co, count);
  r.reach_after = after.misleading.mean;
  r.reach_after_error = after.misleading.std_error;
  if (opt.fixed_seeds.empty()) {
    r.reach_before = after.misleading_alone.mean;
    r.reach_before_error = after.misleading_alone.std_error;
    r.saved_error = after.saved.std_error;
  } else {
    // Same worlds as `after`, so the difference is coupled.
    const CompetitiveEstimate before = estimate_competition_impl(model, misleading, opt.fixed_seeds, co, count);
    r.reach_before = before.misleading.mean;
    r.reach_before_error = before.misleading.std_error;
    r.saved_error = std::sqrt(after.saved.std_error * after.saved.std_error +
                              before.saved.std_error * before.saved.std_error);
  }
  r.saved = r.reach_before - r.reach_after;
  r.evaluation_trials = opt.evaluation_trials;
}

/// Per-thread buffers of the RR blocking sampler.
struct BlockingRRWorkspace {
  explicit BlockingRRWorkspace(vertex_t n)
      : cascade(n), dist(n, 0), dstamp(n, 0), vstamp(n, 0), astamp(n, 0), local(n, 0), rparent(n, 0) {}
  CompetitiveWorkspace cascade;
  std::vector<std::uint32_t> dist, dstamp, vstamp, astamp, local, lstamp, lqueue, lin;
  std::vector<edge_t> lin_off;
  std::vector<vertex_t> rparent;
  std::uint32_t depoch = 0, vepoch = 0, aepoch = 0, lepoch = 0;
  std::vector<vertex_t> reached, queue, path, targets;
  std::vector<std::vector<vertex_t>> buckets;
};

/// The RR blocking sets one world yields: one set per root (sizes) and F's reach (their weight).
struct BlockingWorldSets {
  std::vector<vertex_t> nodes;
  std::vector<std::uint32_t> sizes;
  std::uint64_t reached = 0;
};

/// Every world's RR blocking sets in one collection, each weighted by its world's F reach.
struct BlockingCollection {
  std::vector<vertex_t> nodes;
  std::vector<edge_t> offsets{0};
  std::vector<std::uint64_t> weight;
  std::uint64_t reach_sum = 0;
  std::size_t bytes() const noexcept {
    return nodes.capacity() * sizeof(vertex_t) + offsets.capacity() * sizeof(edge_t) + weight.capacity() * 8;
  }
};

/// In-edge j -> out-edge index, so a reverse search reads the same coins as the forward runs.
inline std::vector<edge_t> in_edge_to_out_edge(const FollowerGraph& g) {
  std::vector<edge_t> in_to_out(g.num_edges());
  const auto o = g.out_offsets();
  const auto t = g.out_targets();
  std::vector<edge_t> cur(g.in_offsets().begin(), g.in_offsets().end() - 1);
  for (vertex_t u = 0; u < g.num_vertices(); ++u)
    for (edge_t e = o[u]; e < o[u + 1]; ++e) in_to_out[cur[t[e]]++] = e;
  return in_to_out;
}

/// What every world of one block_rr call reads: the model's arrays in in-edge order and the rules.
struct BlockingRRInput {
  const CompetitiveIC& model;
  std::span<const vertex_t> misleading;
  const BlockingOptions& opt;
  std::span<const edge_t> in_to_out, in_offs;
  std::span<const vertex_t> in_src;
  InEdgeProbs pc_in, pf_in;  ///< any storage: implicit graphs are not materialised
  std::int64_t delay;
  TieRule rule;
};

/// One world's F arrival marks (b.dist valid where b.dstamp == dep), its coins and tie rule.
/// Passed and used by value, so the coins and epoch can stay in registers and no store into the
/// workspace's vectors can alias them. (A first split of block_rr held them by reference and was
/// reverted for costing ~10%; re-measured on Slashdot, 1 thread, 4 interleaved runs each, that
/// variant took 8.85 s (mean) against 8.57 s for this one and 9.26 s for the unsplit code, so
/// the 10% was not reproduced: the kernels below are plain loops over locals either way.)
struct BlockingWorld {
  CompetitiveCoins coins;
  std::uint32_t dep;
  TieRule rule;
  static constexpr std::int64_t inf = std::numeric_limits<std::int64_t>::max() / 4;

  /// Latest step at which C may arrive at x and still beat F there (inf: F never comes).
  std::int64_t beat(const BlockingRRWorkspace& b, vertex_t x) const noexcept {
    if (b.dstamp[x] != dep) return inf;
    const std::int64_t d = b.dist[x];
    if (d == 0) return -1;
    const bool c_tie = rule == TieRule::corrective_wins || (rule == TieRule::random && coins.corrective_wins_tie(x));
    return d - 1 + (c_tie ? 1 : 0);
  }
};

/// F alone forward in world `w` (arrival steps into b.dist, reached accounts into b.reached).
inline BlockingWorld blocking_f_arrivals(const BlockingRRInput& in, std::uint64_t w, BlockingRRWorkspace& b) {
  const BlockingWorld x{CompetitiveCoins(in.opt.seed, w), ++b.depoch, in.rule};
  b.reached.clear();
  b.cascade.run(in.model, in.misleading, {}, in.opt.max_steps, x.coins, [&](vertex_t v, Campaign, std::uint32_t t) {
    b.dist[v] = t;
    b.dstamp[v] = x.dep;
    b.reached.push_back(v);
  });
  return x;
}

/// F-ancestor set A of the root into b.queue (reverse BFS on F-live in-edges among F-reached
/// accounts, F seeds not expanded) with its live edges stored locally: b.lin holds the local ids
/// of live in-neighbours of A's q-th account, in [lin_off[q], lin_off[q+1]). Returns the local id
/// of the first F seed met (-1 if none); stops past dominator_limit accounts.
inline std::int64_t blocking_f_ancestors(const BlockingRRInput& in, const BlockingWorld x, BlockingRRWorkspace& b,
                                         vertex_t root) {
  const auto in_offs = in.in_offs;
  const auto in_src = in.in_src;
  const auto in_to_out = in.in_to_out;
  const auto pf_in = in.pf_in;
  const std::size_t limit = in.opt.dominator_limit;
  const std::uint32_t aep = ++b.aepoch;
  b.astamp[root] = aep;
  b.local[root] = 0;
  b.queue.assign(1, root);
  b.lin.clear();
  b.lin_off.assign(1, 0);
  std::int64_t source_local = -1;
  for (std::size_t q = 0; q < b.queue.size() && b.queue.size() <= limit; ++q) {
    const vertex_t y = b.queue[q];
    if (b.dist[y] == 0) {
      if (source_local < 0) source_local = static_cast<std::int64_t>(q);
      b.lin_off.push_back(b.lin.size());
      continue;
    }
    for (edge_t j = in_offs[y]; j < in_offs[y + 1]; ++j) {
      const vertex_t v = in_src[j];
      if (b.dstamp[v] != x.dep) continue;
      if (!x.coins.misleading(in_to_out[j], pf_in(j, y))) continue;
      if (b.astamp[v] != aep) {
        b.astamp[v] = aep;
        b.local[v] = static_cast<std::uint32_t>(b.queue.size());
        b.rparent[v] = y;
        b.queue.push_back(v);
      }
      b.lin.push_back(b.local[v]);
    }
    b.lin_off.push_back(b.lin.size());
  }
  return source_local;
}

/// Does some F seed still reach the root inside the stored ancestor set A without `cand`?
inline bool blocking_reaches_without(BlockingRRWorkspace& b, vertex_t cand) {
  const std::uint32_t skip = b.local[cand];
  const std::uint32_t lep = ++b.lepoch;
  b.lqueue.assign(1, 0);
  b.lstamp[0] = lep;
  for (std::size_t h = 0; h < b.lqueue.size(); ++h) {
    const std::uint32_t ly = b.lqueue[h];
    for (edge_t p = b.lin_off[ly]; p < b.lin_off[ly + 1]; ++p) {
      const std::uint32_t lx = b.lin[p];
      if (lx == skip || b.lstamp[lx] == lep) continue;
      if (b.dist[b.queue[lx]] == 0) return true;
      b.lstamp[lx] = lep;
      b.lqueue.push_back(lx);
    }
  }
  return false;
}

/// b.targets = the root and its dominators in F's live-edge graph (accounts on every F path to
/// it): C capturing any target before F arrives there saves the root.
inline void blocking_targets(const BlockingRRInput& in, const BlockingWorld x, BlockingRRWorkspace& b, vertex_t root) {
  b.targets.assign(1, root);
  const std::int64_t source_local = blocking_f_ancestors(in, x, b, root);
  if (b.queue.size() > in.opt.dominator_limit || source_local < 0) return;
  // Dominators lie on every F path, so on this one (source -> ... -> root).
  b.path.clear();
  for (vertex_t v = b.rparent[b.queue[static_cast<std::size_t>(source_local)]]; v != root; v = b.rparent[v])
    b.path.push_back(v);
  if (b.lstamp.size() < b.queue.size()) b.lstamp.resize(b.queue.size(), 0);
  for (vertex_t cand : b.path) {
    if (x.beat(b, cand) < in.delay) continue;  // C cannot take it in time anyway
    if (!blocking_reaches_without(b, cand)) b.targets.push_back(cand);
  }
}

/// Appends to `out` every account that wins the race to a target along a C-live path: one
/// reverse search bucketed by the latest step C may arrive (each level from `top` down). The
/// hottest loop of block_rr, kept as one kernel with its arrays in locals (see BlockingWorld).
inline void blocking_race_winners(const BlockingRRInput& in, const BlockingWorld x, BlockingRRWorkspace& b,
                                  std::int64_t top, std::vector<vertex_t>& out) {
  const auto in_offs = in.in_offs;
  const auto in_src = in.in_src;
  const auto in_to_out = in.in_to_out;
  const auto pc_in = in.pc_in;
  const std::int64_t delay = in.delay;
  const std::uint32_t vep = ++b.vepoch;
  const auto levels = static_cast<std::size_t>(top - delay + 1);
  if (b.buckets.size() < levels) b.buckets.resize(levels);
  for (vertex_t t0 : b.targets) {
    b.vstamp[t0] = vep;
    const std::int64_t lab = x.beat(b, t0);
    if (lab >= delay) b.buckets[static_cast<std::size_t>(std::min(lab, top) - delay)].push_back(t0);
  }
  for (std::size_t li = levels; li-- > 0;) {
    const std::int64_t level = delay + static_cast<std::int64_t>(li);
    auto& bucket = b.buckets[li];
    for (std::size_t q = 0; q < bucket.size(); ++q) {
      const vertex_t y = bucket[q];
      out.push_back(y);
      if (level - 1 < delay) continue;
      for (edge_t j = in_offs[y]; j < in_offs[y + 1]; ++j) {
        const vertex_t v = in_src[j];
        if (b.vstamp[v] == vep) continue;
        if (!x.coins.corrective(in_to_out[j], pc_in(j, y))) continue;
        b.vstamp[v] = vep;
        const std::int64_t lab = std::min(x.beat(b, v), level - 1);
        if (lab < delay) continue;
        b.buckets[static_cast<std::size_t>(lab - delay)].push_back(v);
      }
    }
    bucket.clear();
  }
}

/// World w's RR blocking sets into o (cleared first): F's forward run, then per root (drawn
/// from Rng(seed, w, domain::competitive)) its targets and every account winning a race to one.
inline void blocking_world_sets(const BlockingRRInput& in, std::uint64_t w, BlockingRRWorkspace& b,
                                BlockingWorldSets& o) {
  o.nodes.clear();
  o.sizes.clear();
  const BlockingWorld x = blocking_f_arrivals(in, w, b);
  o.reached = b.reached.size();
  if (b.reached.empty()) return;
  Rng rng(in.opt.seed, w, domain::competitive);
  for (std::uint32_t r = 0; r < in.opt.roots_per_world; ++r) {
    const vertex_t root = b.reached[rng.below(static_cast<std::uint32_t>(b.reached.size()))];
    const std::size_t before = o.nodes.size();
    const std::int64_t top = x.beat(b, root);
    if (top >= in.delay) {
      blocking_targets(in, x, b, root);
      blocking_race_winners(in, x, b, top, o.nodes);
    }
    o.sizes.push_back(static_cast<std::uint32_t>(o.nodes.size() - before));
  }
}

/// Appends the worlds' sets to `all` in world order, each weighted by its world's F reach.
inline void append_world_sets(std::span<const BlockingWorldSets> worlds, BlockingCollection& all) {
  for (const BlockingWorldSets& o : worlds) {
    all.reach_sum += o.reached;
    if (o.reached == 0) continue;
    std::size_t p = 0;
    for (std::uint32_t sz : o.sizes) {
      all.nodes.insert(all.nodes.end(), o.nodes.begin() + static_cast<std::ptrdiff_t>(p),
                       o.nodes.begin() + static_cast<std::ptrdiff_t>(p + sz));
      p += sz;
      all.offsets.push_back(all.nodes.size());
      all.weight.push_back(o.reached);
    }
  }
}

/// Samples worlds 0 .. opt.worlds-1 in blocks of 64 per thread (worlds are appended in index
/// order, so any thread count gives the same collection), checking the memory the sets will
/// need, polling opt.stop per world and reporting ("sampling", worlds done, worlds) progress.
inline BlockingCollection sample_blocking_sets(const BlockingRRInput& in, int threads) {
  const BlockingOptions& opt = in.opt;
  const vertex_t n = in.model.num_vertices();
  const int slots = std::max(threads, 1);
  StopPoller poll(opt.stop, 4);  // per world (thread 0): one world runs F forward plus RR searches
  std::uint64_t set_bytes = 0;   // bytes of the sets kept so far (checked against the limit)
  const std::uint64_t limit = usable_memory();
  std::vector<std::unique_ptr<BlockingRRWorkspace>> ws(static_cast<std::size_t>(slots));
  BlockingCollection all;
  const std::uint64_t block = 64 * static_cast<std::uint64_t>(slots);
  std::vector<BlockingWorldSets> out(block);
  report_progress(opt.progress, "sampling", 0, opt.worlds);
  for (std::uint64_t w0 = 0; w0 < opt.worlds; w0 += block) {
    check_stop(opt.stop);
    const std::uint64_t w1 = std::min(opt.worlds, w0 + block);
    parallel_for(w0, w1, threads, [&](std::size_t w) {
      if (poll.poll()) return;
      const auto slot = static_cast<std::size_t>(thread_index());
      if (!ws[slot]) ws[slot] = std::make_unique<BlockingRRWorkspace>(n);
      blocking_world_sets(in, w, *ws[slot], out[w - w0]);
    });
    poll.throw_if_stopped();
    // Sets kept so far, extrapolated to all worlds (x 1.5 for vector growth), must fit.
    for (std::uint64_t w = w0; w < w1; ++w)
      set_bytes += out[w - w0].nodes.size() * sizeof(vertex_t) + out[w - w0].sizes.size() * (sizeof(edge_t) + 8);
    require_memory(concat("block_rr: the race sets of ", opt.worlds, " worlds (lower worlds or roots_per_world)"),
                   1.5 * static_cast<double>(set_bytes) * static_cast<double>(opt.worlds) / static_cast<double>(w1),
                   limit);
    append_world_sets(std::span<const BlockingWorldSets>(out.data(), w1 - w0), all);
    report_progress(opt.progress, "sampling", w1, opt.worlds);
  }
  return all;
}

}  // namespace detail

/// Reverse-sampling blocking selector (see the file comment for the sets and the guarantee).
/// Worlds use coins keyed by (seed, world) and roots Rng(seed, world, domain::competitive), so the
/// result is identical for any thread count. Progress: ("sampling", worlds done, worlds), then
/// ("seeds", 0 and k, k) around the coverage greedy. Throws std::invalid_argument for k = 0, zero
/// worlds or roots, bad or overlapping seeds, k above the selectable pool.
inline BlockingResult block_rr(const CompetitiveIC& model, std::span<const vertex_t> misleading, std::size_t k,
                               const BlockingOptions& opt = {}) {
  Stopwatch total, lap;
  const SeedScope scope = detail::blocking_scope(model, misleading, k, opt, "block_rr");
  KOLSIM_REQUIRE(opt.worlds >= 1 && opt.roots_per_world >= 1, "block_rr: worlds and roots_per_world must be >= 1");
  const int threads = resolve_threads(opt.threads);
  const FollowerGraph& gc = model.corrective();
  const vertex_t n = model.num_vertices();
  const int slots = std::max(threads, 1);
  require_memory(detail::concat("block_rr: ", slots, " workspaces of ", n, " accounts"),
                 static_cast<double>(slots) * static_cast<double>(n) * 64.0 +
                     static_cast<double>(gc.num_edges()) * sizeof(edge_t));
  const std::vector<edge_t> in_to_out = detail::in_edge_to_out_edge(gc);
  const detail::BlockingRRInput in{model,           misleading,       opt,
                                   in_to_out,       gc.in_offsets(),  gc.in_sources(),
                                   InEdgeProbs(gc), InEdgeProbs(model.misleading()),
                                   model.correction_delay(), model.tie_rule()};
  const detail::BlockingCollection sets = detail::sample_blocking_sets(in, threads);
  BlockingResult res;
  res.method = "rr";
  res.phase_seconds.emplace_back("sampling", lap.lap());
  // Greedy weighted max coverage of the sets (the coverage engine; integer weights, exact sums).
  report_progress(opt.progress, "seeds", 0, k);
  const MaxCoverageResult cov =
      detail::rr_greedy(CoverageSets(sets.nodes, sets.offsets), n, k, scope, threads, false, nullptr, sets.weight);
  report_progress(opt.progress, "seeds", cov.seeds.size(), k);
  res.phase_seconds.emplace_back("selection", lap.lap());
  const double denom = static_cast<double>(opt.worlds) * opt.roots_per_world;
  const double before = static_cast<double>(sets.reach_sum) / static_cast<double>(opt.worlds);
  double removed = static_cast<double>(cov.fixed_coverage) / denom;
  res.seeds = cov.seeds;
  for (std::uint64_t g : cov.marginal) {
    res.marginal_gains.push_back(static_cast<double>(g) / denom);
    removed += static_cast<double>(g) / denom;
  }
  res.spread = before - removed;
  res.rr_sets = sets.weight.size();
  res.trials = opt.worlds;
  res.peak_bytes = sets.bytes() + in_to_out.capacity() * sizeof(edge_t) + static_cast<std::size_t>(slots) * n * 14;
  detail::blocking_evaluate(model, misleading, opt, res);
  res.phase_seconds.emplace_back("evaluation", lap.lap());
  res.seconds = total.seconds();
  return res;
}

namespace detail {

/// Blocking's marginal-gain oracle for the lazy-greedy driver: gain(S, v) = F adoptions over
/// worlds 0 .. trials-1 against S minus those against S + {v}. Under CompetitiveIC F's reach
/// only shrinks as C grows, so a gain is clamped at 0 (a wrap would make the vertex look best).
/// Under CompetitiveLT a corrective seed can *raise* F's reach (its weight tips accounts that
/// then pick F), so gains are signed: the driver's unsigned key is gain + offset with offset =
/// trials * n (the largest possible loss), and add() returns that key. A block of candidates
/// runs in parallel over candidates (each replays all worlds serially); one re-evaluation runs
/// in parallel over worlds, per-world counts summed in order, so results are identical for any
/// thread count. With a CompetitionCounting by groups, F's reach counts each group (person)
/// once per world.
template <class Model>
class BlockingGainOracle {
  using Driver = CompetitionDriver<Model>;
  static constexpr bool signed_gains = std::is_same_v<Model, CompetitiveLT>;

 public:
  BlockingGainOracle(const Model& model, std::span<const vertex_t> misleading, const BlockingOptions& opt,
                     const SeedScope& scope, int threads, const CompetitionCounting& count = {})
      : model_(model), misleading_(misleading), opt_(opt), threads_(threads), count_(count), chosen_(scope.fixed),
        ws_(static_cast<std::size_t>(std::max(threads, 1))), marks_(ws_.size()), last_(model.num_vertices(), 0),
        offset_(signed_gains ? opt.trials * model.num_vertices() : 0),
        poll_(opt.stop, 16) {  // polled per world (thread 0): one evaluation replays all worlds
    const vertex_t n = model.num_vertices();
    require_memory(concat("block_celf: ", ws_.size(), " workspaces of ", n, " accounts and ", opt.trials,
                          " per-world counts"),
                   static_cast<double>(ws_.size()) * static_cast<double>(n) * 32.0 +
                       static_cast<double>(opt.trials) * 8.0);
    current_ = total_f(chosen_);
    poll_.throw_if_stopped();
  }

  void gains(std::span<const vertex_t> block, bool, GainPairs& out) {
    out.assign(block.size(), {0, 0});
    parallel_for(0, block.size(), threads_, [&](std::size_t j) {
      std::vector<vertex_t> c = chosen_;
      c.push_back(block[j]);
      out[j].first = key(total_f(c));
    }, 1);
    poll_.throw_if_stopped();
    for (std::size_t j = 0; j < block.size(); ++j) last_[block[j]] = out[j].first;
    evaluations_ += block.size();
  }

  std::uint64_t gain(vertex_t v) {
    std::vector<vertex_t> c = chosen_;
    c.push_back(v);
    std::vector<std::uint64_t> per(opt_.trials, 0);
    parallel_for(0, opt_.trials, threads_, [&](std::size_t i) {
      if (poll_.poll()) return;
      per[i] = f_adoptions(workspace(), c, i);
    }, 16);
    poll_.throw_if_stopped();
    std::uint64_t f = 0;
    for (auto x : per) f += x;
    ++evaluations_;
    return last_[v] = key(f);
  }

  /// Adds v (whose last evaluation is fresh, as the driver guarantees) and returns its key.
  std::uint64_t add(vertex_t v) {
    chosen_.push_back(v);
    if constexpr (signed_gains) {
      current_ = current_ + offset_ - last_[v];
    } else {
      current_ -= last_[v];
    }
    return last_[v];
  }

  std::uint64_t current() const noexcept { return current_; }        ///< F adoptions against S
  std::uint64_t evaluations() const noexcept { return evaluations_; }  ///< objective evaluations
  /// The signed gain (F adoptions removed over all worlds) of a key returned by add().
  double gain_of_key(std::uint64_t k) const noexcept {
    return static_cast<double>(k) - static_cast<double>(offset_);
  }

 private:
  const Model& model_;
  std::span<const vertex_t> misleading_;
  const BlockingOptions& opt_;
  int threads_;
  CompetitionCounting count_;
  std::vector<vertex_t> chosen_;
  std::vector<std::unique_ptr<typename Driver::Workspace>> ws_;
  std::vector<std::unique_ptr<GroupMarks>> marks_;
  std::vector<std::uint64_t> last_;
  std::uint64_t offset_;
  StopPoller poll_;
  std::uint64_t current_ = 0, evaluations_ = 1;

  /// The driver's key of "F adoptions f against S + {v}".
  std::uint64_t key(std::uint64_t f) const {
    if constexpr (signed_gains) return current_ + offset_ - f;
    return current_ >= f ? current_ - f : 0;
  }

  typename Driver::Workspace& workspace() {
    const auto slot = static_cast<std::size_t>(thread_index());
    if (!ws_[slot]) ws_[slot] = std::make_unique<typename Driver::Workspace>(model_.num_vertices());
    return *ws_[slot];
  }

  std::uint64_t f_adoptions(typename Driver::Workspace& w, const std::vector<vertex_t>& c, std::uint64_t i) {
    const typename Driver::Coins coins(opt_.seed, i);
    std::uint64_t s = 0;
    if (!count_.group.empty()) {  // each group (person) once
      auto& slot = marks_[static_cast<std::size_t>(thread_index())];
      if (!slot) slot = std::make_unique<GroupMarks>(count_.num_groups);
      GroupMarks& marks = *slot;
      marks.next();
      w.run(model_, misleading_, c, opt_.max_steps, coins, [&](vertex_t v, Campaign camp, std::uint32_t) {
        if (camp == Campaign::misleading && marks.first(0, count_.group[v])) ++s;
      });
      return s;
    }
    w.run(model_, misleading_, c, opt_.max_steps, coins,
          [&](vertex_t, Campaign camp, std::uint32_t) { s += camp == Campaign::misleading ? 1 : 0; });
    return s;
  }

  /// F adoptions over all worlds against corrective seeds c (serial over worlds); 0 when a stop
  /// was requested (the caller throws after its loop).
  std::uint64_t total_f(const std::vector<vertex_t>& c) {
    auto& w = workspace();
    std::uint64_t sum = 0;
    for (std::uint64_t i = 0; i < opt_.trials; ++i) {
      if (poll_.poll()) return 0;
      sum += f_adoptions(w, c, i);
    }
    return sum;
  }
};

/// block_celf for either competitive model (see block_celf).
template <class Model>
BlockingResult block_celf_impl(const Model& model, std::span<const vertex_t> misleading, std::size_t k,
                               const BlockingOptions& opt, const CompetitionCounting& count = {}) {
  Stopwatch total, lap;
  const SeedScope scope = blocking_scope(model, misleading, k, opt, "block_celf");
  KOLSIM_REQUIRE(opt.trials >= 1, "block_celf: trials must be >= 1");
  KOLSIM_REQUIRE(opt.trials <= (std::uint64_t{1} << 62) / std::max<std::uint64_t>(model.num_vertices(), 1),
                 "block_celf: trials * accounts must stay below 2^62");
  BlockingGainOracle<Model> oracle(model, misleading, opt, scope, resolve_threads(opt.threads), count);
  LazyGreedy<BlockingGainOracle<Model>> lazy(oracle, scope.allowed, opt.stop, opt.progress);
  lazy.run(k, LazyMode::celf, [] {});
  BlockingResult res;
  res.method = "celf";
  res.seeds = std::move(lazy.seeds);
  for (std::uint64_t g : lazy.gains)
    res.marginal_gains.push_back(oracle.gain_of_key(g) / static_cast<double>(opt.trials));
  res.phase_seconds.emplace_back("selection", lap.lap());
  res.spread = static_cast<double>(oracle.current()) / static_cast<double>(opt.trials);
  res.trials = oracle.evaluations() * opt.trials;
  blocking_evaluate(model, misleading, opt, res, count);
  res.phase_seconds.emplace_back("evaluation", lap.lap());
  res.seconds = total.seconds();
  return res;
}

/// block_baseline for either competitive model (see block_baseline).
template <class Model>
BlockingResult block_baseline_impl(const Model& model, std::span<const vertex_t> misleading, std::size_t k,
                                   BlockingMethod method, const BlockingOptions& opt,
                                   const CompetitionCounting& count = {}) {
  Stopwatch total;
  const SeedScope scope = blocking_scope(model, misleading, k, opt, "block_baseline");
  SelectOptions so;
  so.candidates = allowed_list(scope);
  so.fixed_seeds = opt.fixed_seeds;
  so.seed = opt.seed;
  so.threads = opt.threads;
  so.stop = opt.stop;
  const FollowerGraph& gc = model.corrective();
  const vertex_t n = model.num_vertices();
  SelectResult sel;
  if (method == BlockingMethod::degree) {
    sel = top_degree(gc, k, so);
    sel.method = "degree";
  } else if (method == BlockingMethod::neighbourhood) {
    const FollowerGraph& gf = model.misleading();
    std::vector<char> follows(n, 0);
    for (vertex_t s : misleading)
      for (vertex_t v : gf.out_neighbors(s)) follows[v] = 1;
    double maxdeg = 0;
    for (vertex_t v = 0; v < n; ++v) maxdeg = std::max(maxdeg, static_cast<double>(gc.out_degree(v)));
    std::vector<double> score(n);
    for (vertex_t v = 0; v < n; ++v)
      score[v] = (follows[v] ? maxdeg + 1.0 : 0.0) + static_cast<double>(gc.out_degree(v));
    sel = select_top_scores(gc, score, k, so, "neighbourhood");
  } else if (method == BlockingMethod::imm) {
    ImmOptions io;
    static_cast<SelectOptions&>(io) = so;
    io.epsilon = opt.imm_epsilon;
    io.max_depth = opt.max_steps == std::numeric_limits<std::uint32_t>::max() ? UINT32_MAX : opt.max_steps;
    if constexpr (std::is_same_v<Model, CompetitiveLT>) {
      sel = imm(gc, LinearThreshold{}, k, io);
    } else {
      sel = imm(gc, IndependentCascade{}, k, io);
    }
    sel.method = "imm";
  } else {
    KOLSIM_REQUIRE(false, "block_baseline: method must be degree, neighbourhood or imm");
  }
  BlockingResult res;
  static_cast<SelectResult&>(res) = sel;
  res.spread = 0;
  blocking_evaluate(model, misleading, opt, res, count);
  res.phase_seconds.emplace_back("evaluation", total.seconds() - sel.seconds);
  res.seconds = total.seconds();
  return res;
}

}  // namespace detail

/// CELF greedy on the Monte Carlo F reach with common random numbers (the reference): every
/// evaluation replays worlds 0 .. trials-1 keyed by `seed`, so gains are exact differences of
/// the sample-average objective. Runs the library's one lazy-greedy driver
/// (select/lazy_greedy.hpp) over detail::BlockingGainOracle. Deterministic for any thread count.
/// Progress: ("seeds", chosen, k) from the driver.
inline BlockingResult block_celf(const CompetitiveIC& model, std::span<const vertex_t> misleading, std::size_t k,
                                 const BlockingOptions& opt = {}) {
  return detail::block_celf_impl(model, misleading, k, opt);
}

/// CELF blocking under competitive LT (Borodin, Filmus, Oren 2010), the selector this model
/// has: the RR blocking sets of block_rr do not carry over (see docs/competitive.md: the model
/// is not a live-edge process, and a corrective seed can raise F's reach, so no set of accounts
/// "certainly saves" a root). The objective is neither monotone nor submodular: CELF here is a
/// heuristic with no approximation guarantee, its marginal_gains are signed (a negative gain =
/// the seed lets F reach more accounts), and a seed with the least harm is taken when every
/// candidate harms. Same cost, worlds and determinism as block_celf on CompetitiveIC.
inline BlockingResult block_celf(const CompetitiveLT& model, std::span<const vertex_t> misleading, std::size_t k,
                                 const BlockingOptions& opt = {}) {
  return detail::block_celf_impl(model, misleading, k, opt);
}

/// Baselines: "degree" = most followers (corrective graph), "neighbourhood" = the top followers of
/// the F seeds (accounts following an F seed, ranked by their own follower count; accounts
/// outside the neighbourhood fill the rest by follower count), "imm" = IMM on
/// the corrective graph ignoring F (IC for CompetitiveIC, LT for CompetitiveLT). Evaluated like
/// the others.
inline BlockingResult block_baseline(const CompetitiveIC& model, std::span<const vertex_t> misleading, std::size_t k,
                                     BlockingMethod method, const BlockingOptions& opt = {}) {
  return detail::block_baseline_impl(model, misleading, k, method, opt);
}
inline BlockingResult block_baseline(const CompetitiveLT& model, std::span<const vertex_t> misleading, std::size_t k,
                                     BlockingMethod method, const BlockingOptions& opt = {}) {
  return detail::block_baseline_impl(model, misleading, k, method, opt);
}

/// Chooses k corrective seeds against `misleading_seeds` with opt.method (rr, celf, degree,
/// neighbourhood, imm); see the functions above for each method's cost and guarantee.
inline BlockingResult select_blockers(const CompetitiveIC& model, std::span<const vertex_t> misleading_seeds,
                                      std::size_t k, const BlockingOptions& opt = {}) {
  switch (opt.method) {
    case BlockingMethod::rr: return block_rr(model, misleading_seeds, k, opt);
    case BlockingMethod::celf: return block_celf(model, misleading_seeds, k, opt);
    default: return block_baseline(model, misleading_seeds, k, opt.method, opt);
  }
}

/// select_blockers() under competitive LT: celf (the method of this model) or the baselines;
/// method rr is refused with std::invalid_argument (its sets need competitive IC's live edges).
inline BlockingResult select_blockers(const CompetitiveLT& model, std::span<const vertex_t> misleading_seeds,
                                      std::size_t k, const BlockingOptions& opt = {}) {
  KOLSIM_REQUIRE(opt.method != BlockingMethod::rr,
                 "select_blockers: method rr needs competitive IC (its race sets rely on live edges, which "
                 "competitive LT has not); use celf (or a baseline) for competitive LT");
  if (opt.method == BlockingMethod::celf) return block_celf(model, misleading_seeds, k, opt);
  return block_baseline(model, misleading_seeds, k, opt.method, opt);
}

/// select_blockers() with the misleading seeds given as account ids (std::out_of_range names an
/// unknown one). The result's seeds are dense indices, as for every selector.
inline BlockingResult select_blockers(const CompetitiveIC& model, const Accounts& misleading_seeds, std::size_t k,
                                      const BlockingOptions& opt = {}) {
  const std::vector<vertex_t> f = model.misleading().indices_of(misleading_seeds.ids);
  return select_blockers(model, std::span<const vertex_t>(f), k, opt);
}
inline BlockingResult select_blockers(const CompetitiveLT& model, const Accounts& misleading_seeds, std::size_t k,
                                      const BlockingOptions& opt = {}) {
  const std::vector<vertex_t> f = model.graph().indices_of(misleading_seeds.ids);
  return select_blockers(model, std::span<const vertex_t>(f), k, opt);
}

}  // namespace kolsim

// SPDX-License-Identifier: MIT
/// Blocking selection: choose k corrective KOLs that minimise a misleading campaign's expected
/// reach under competitive IC (optionally within a deadline), plus the usual baselines.
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
#include <vector>

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

/// "rr", "celf", "degree", "neighbourhood" or "imm" -> BlockingMethod.
inline BlockingMethod parse_blocking_method(std::string_view name) {
  if (name == "rr") return BlockingMethod::rr;
  if (name == "celf") return BlockingMethod::celf;
  if (name == "degree") return BlockingMethod::degree;
  if (name == "neighbourhood" || name == "neighborhood") return BlockingMethod::neighbourhood;
  if (name == "imm") return BlockingMethod::imm;
  throw std::invalid_argument(
      detail::concat("unknown blocking method '", name, "' (expected rr, celf, degree, neighbourhood or imm)"));
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

/// Validated scope: F seeds, fixed corrective seeds and candidates, with F seeds excluded.
inline SeedScope blocking_scope(const CompetitiveIC& model, std::span<const vertex_t> misleading, std::size_t k,
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

inline void blocking_evaluate(const CompetitiveIC& model, std::span<const vertex_t> misleading,
                              const BlockingOptions& opt, BlockingResult& r) {
  if (opt.evaluation_trials == 0) return;
  std::vector<vertex_t> c = opt.fixed_seeds;
  c.insert(c.end(), r.seeds.begin(), r.seeds.end());
  CompetitionOptions co;
  co.trials = opt.evaluation_trials;
  co.seed = blocking_eval_seed(opt.seed);
  co.threads = opt.threads;
  co.max_steps = opt.max_steps;
  co.stop = opt.stop;
  const CompetitiveEstimate after = estimate_competition(model, misleading, c, co);
  r.reach_after = after.misleading.mean;
  r.reach_after_error = after.misleading.std_error;
  if (opt.fixed_seeds.empty()) {
    r.reach_before = after.misleading_alone.mean;
    r.reach_before_error = after.misleading_alone.std_error;
    r.saved_error = after.saved.std_error;
  } else {
    // Same worlds as `after`, so the difference is coupled.
    const CompetitiveEstimate before = estimate_competition(model, misleading, opt.fixed_seeds, co);
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

}  // namespace detail

/// Reverse-sampling blocking selector (see the file comment for the sets and the guarantee).
/// Worlds use coins keyed by (seed, world) and roots Rng(seed, world, domain::competitive), so the
/// result is identical for any thread count. Throws std::invalid_argument for k = 0, zero worlds
/// or roots, bad or overlapping seeds, k above the selectable pool.
inline BlockingResult block_rr(const CompetitiveIC& model, std::span<const vertex_t> misleading, std::size_t k,
                               const BlockingOptions& opt = {}) {
  Stopwatch total, lap;
  const SeedScope scope = detail::blocking_scope(model, misleading, k, opt, "block_rr");
  KOLSIM_REQUIRE(opt.worlds >= 1 && opt.roots_per_world >= 1, "block_rr: worlds and roots_per_world must be >= 1");
  const int threads = resolve_threads(opt.threads);
  const FollowerGraph& gc = model.corrective();
  const vertex_t n = model.num_vertices();
  const edge_t m = gc.num_edges();
  // In-edge j -> out-edge index, so the reverse search reads the same coins as the forward runs.
  std::vector<edge_t> in_to_out(m);
  {
    const auto o = gc.out_offsets();
    const auto t = gc.out_targets();
    std::vector<edge_t> cur(gc.in_offsets().begin(), gc.in_offsets().end() - 1);
    for (vertex_t u = 0; u < n; ++u)
      for (edge_t e = o[u]; e < o[u + 1]; ++e) in_to_out[cur[t[e]]++] = e;
  }
  const auto in_offs = gc.in_offsets();
  const auto in_src = gc.in_sources();
  const auto pc_in = gc.in_edge_probs();
  const auto pf_in = model.misleading().in_edge_probs();
  const std::int64_t delay = model.correction_delay();
  const TieRule rule = model.tie_rule();
  const std::int64_t inf = std::numeric_limits<std::int64_t>::max() / 4;

  const int slots = std::max(threads, 1);
  require_memory(detail::concat("block_rr: ", slots, " workspaces of ", n, " accounts"),
                 static_cast<double>(slots) * static_cast<double>(n) * 64.0 + static_cast<double>(m) * sizeof(edge_t));
  StopPoller poll(opt.stop, 4);  // per world (thread 0): one world runs F forward plus RR searches
  std::uint64_t set_bytes = 0;   // bytes of the sets kept so far (checked against the limit)
  const std::uint64_t limit = usable_memory();
  std::vector<std::unique_ptr<detail::BlockingRRWorkspace>> ws(static_cast<std::size_t>(slots));
  struct WorldSets {
    std::vector<vertex_t> nodes;
    std::vector<std::uint32_t> sizes;
    std::uint64_t reached = 0;
  };
  std::vector<vertex_t> all_nodes;
  std::vector<edge_t> all_offs{0};
  std::vector<std::uint64_t> all_weight;
  std::uint64_t reach_sum = 0;
  const std::uint64_t block = 64 * static_cast<std::uint64_t>(slots);
  std::vector<WorldSets> out(block);
  for (std::uint64_t w0 = 0; w0 < opt.worlds; w0 += block) {
    check_stop(opt.stop);
    const std::uint64_t w1 = std::min(opt.worlds, w0 + block);
    parallel_for(w0, w1, threads, [&](std::size_t w) {
      if (poll.poll()) return;
      const auto slot = static_cast<std::size_t>(thread_index());
      if (!ws[slot]) ws[slot] = std::make_unique<detail::BlockingRRWorkspace>(n);
      detail::BlockingRRWorkspace& b = *ws[slot];
      WorldSets& o = out[w - w0];
      o.nodes.clear();
      o.sizes.clear();
      const detail::CompetitiveCoins coins(opt.seed, w);
      const std::uint32_t dep = ++b.depoch;
      b.reached.clear();
      b.cascade.run(model, misleading, {}, opt.max_steps, coins, [&](vertex_t v, Campaign, std::uint32_t t) {
        b.dist[v] = t;
        b.dstamp[v] = dep;
        b.reached.push_back(v);
      });
      o.reached = b.reached.size();
      if (b.reached.empty()) return;
      // Latest step at which C may arrive at x and still beat F there.
      auto beat = [&](vertex_t x) -> std::int64_t {
        if (b.dstamp[x] != dep) return inf;
        const std::int64_t d = b.dist[x];
        if (d == 0) return -1;
        const bool c_tie = rule == TieRule::corrective_wins || (rule == TieRule::random && coins.corrective_wins_tie(x));
        return d - 1 + (c_tie ? 1 : 0);
      };
      Rng rng(opt.seed, w, domain::competitive);
      for (std::uint32_t r = 0; r < opt.roots_per_world; ++r) {
        const vertex_t root = b.reached[rng.below(static_cast<std::uint32_t>(b.reached.size()))];
        const std::size_t before = o.nodes.size();
        const std::int64_t top = beat(root);
        if (top >= delay) {
          // Targets: the root and its dominators in F's live-edge graph (accounts on every F
          // path to it). C capturing any target before F arrives there saves the root.
          b.targets.assign(1, root);
          const std::uint32_t aep = ++b.aepoch;
          // F-ancestor set A of the root (reverse BFS on F-live in-edges among F-reached
          // accounts, F seeds not expanded) with its live edges stored locally: lin holds the
          // local ids of live in-neighbours of A's q-th account, in [lin_off[q], lin_off[q+1]).
          b.astamp[root] = aep;
          b.local[root] = 0;
          b.queue.assign(1, root);
          b.lin.clear();
          b.lin_off.assign(1, 0);
          std::int64_t source_local = -1;
          for (std::size_t q = 0; q < b.queue.size() && b.queue.size() <= opt.dominator_limit; ++q) {
            const vertex_t y = b.queue[q];
            if (b.dist[y] == 0) {
              if (source_local < 0) source_local = static_cast<std::int64_t>(q);
              b.lin_off.push_back(b.lin.size());
              continue;
            }
            for (edge_t j = in_offs[y]; j < in_offs[y + 1]; ++j) {
              const vertex_t x = in_src[j];
              if (b.dstamp[x] != dep) continue;
              if (!coins.misleading(in_to_out[j], pf_in[j])) continue;
              if (b.astamp[x] != aep) {
                b.astamp[x] = aep;
                b.local[x] = static_cast<std::uint32_t>(b.queue.size());
                b.rparent[x] = y;
                b.queue.push_back(x);
              }
              b.lin.push_back(b.local[x]);
            }
            b.lin_off.push_back(b.lin.size());
          }
          if (b.queue.size() <= opt.dominator_limit && source_local >= 0) {
            // Dominators lie on every F path, so on this one (source -> ... -> root).
            b.path.clear();
            for (vertex_t x = b.rparent[b.queue[static_cast<std::size_t>(source_local)]]; x != root; x = b.rparent[x])
              b.path.push_back(x);
            if (b.lstamp.size() < b.queue.size()) b.lstamp.resize(b.queue.size(), 0);
            for (vertex_t cand : b.path) {
              if (beat(cand) < delay) continue;  // C cannot take it in time anyway
              // Does some F seed still reach the root inside A without `cand`?
              const std::uint32_t skip = b.local[cand];
              const std::uint32_t lep = ++b.lepoch;
              b.lqueue.assign(1, 0);
              b.lstamp[0] = lep;
              bool reaches = false;
              for (std::size_t h = 0; h < b.lqueue.size() && !reaches; ++h) {
                const std::uint32_t ly = b.lqueue[h];
                for (edge_t p = b.lin_off[ly]; p < b.lin_off[ly + 1]; ++p) {
                  const std::uint32_t lx = b.lin[p];
                  if (lx == skip || b.lstamp[lx] == lep) continue;
                  if (b.dist[b.queue[lx]] == 0) {
                    reaches = true;
                    break;
                  }
                  b.lstamp[lx] = lep;
                  b.lqueue.push_back(lx);
                }
              }
              if (!reaches) b.targets.push_back(cand);
            }
          }
          const std::uint32_t vep = ++b.vepoch;
          const auto levels = static_cast<std::size_t>(top - delay + 1);
          if (b.buckets.size() < levels) b.buckets.resize(levels);
          for (vertex_t t0 : b.targets) {
            b.vstamp[t0] = vep;
            const std::int64_t lab = beat(t0);
            if (lab >= delay) b.buckets[static_cast<std::size_t>(std::min(lab, top) - delay)].push_back(t0);
          }
          for (std::size_t li = levels; li-- > 0;) {
            const std::int64_t level = delay + static_cast<std::int64_t>(li);
            auto& bucket = b.buckets[li];
            for (std::size_t q = 0; q < bucket.size(); ++q) {
              const vertex_t y = bucket[q];
              o.nodes.push_back(y);
              if (level - 1 < delay) continue;
              for (edge_t j = in_offs[y]; j < in_offs[y + 1]; ++j) {
                const vertex_t x = in_src[j];
                if (b.vstamp[x] == vep) continue;
                if (!coins.corrective(in_to_out[j], pc_in[j])) continue;
                b.vstamp[x] = vep;
                const std::int64_t lab = std::min(beat(x), level - 1);
                if (lab < delay) continue;
                b.buckets[static_cast<std::size_t>(lab - delay)].push_back(x);
              }
            }
            bucket.clear();
          }
        }
        o.sizes.push_back(static_cast<std::uint32_t>(o.nodes.size() - before));
      }
    });
    poll.throw_if_stopped();
    // Sets kept so far, extrapolated to all worlds (x 1.5 for vector growth), must fit.
    for (std::uint64_t w = w0; w < w1; ++w)
      set_bytes += out[w - w0].nodes.size() * sizeof(vertex_t) + out[w - w0].sizes.size() * (sizeof(edge_t) + 8);
    require_memory(detail::concat("block_rr: the race sets of ", opt.worlds, " worlds (lower worlds or roots_per_world)"),
                   1.5 * static_cast<double>(set_bytes) * static_cast<double>(opt.worlds) / static_cast<double>(w1),
                   limit);
    for (std::uint64_t w = w0; w < w1; ++w) {
      const WorldSets& o = out[w - w0];
      reach_sum += o.reached;
      if (o.reached == 0) continue;
      std::size_t p = 0;
      for (std::uint32_t sz : o.sizes) {
        all_nodes.insert(all_nodes.end(), o.nodes.begin() + static_cast<std::ptrdiff_t>(p),
                         o.nodes.begin() + static_cast<std::ptrdiff_t>(p + sz));
        p += sz;
        all_offs.push_back(all_nodes.size());
        all_weight.push_back(o.reached);
      }
    }
  }
  BlockingResult res;
  res.method = "rr";
  res.phase_seconds.emplace_back("sampling", lap.lap());
  // Greedy weighted max coverage of the sets (the coverage engine; integer weights, exact sums).
  const MaxCoverageResult cov =
      detail::rr_greedy(CoverageSets(all_nodes, all_offs), n, k, scope, threads, false, nullptr, all_weight);
  res.phase_seconds.emplace_back("selection", lap.lap());
  const double denom = static_cast<double>(opt.worlds) * opt.roots_per_world;
  const double before = static_cast<double>(reach_sum) / static_cast<double>(opt.worlds);
  double removed = static_cast<double>(cov.fixed_coverage) / denom;
  res.seeds = cov.seeds;
  for (std::uint64_t g : cov.marginal) {
    res.marginal_gains.push_back(static_cast<double>(g) / denom);
    removed += static_cast<double>(g) / denom;
  }
  res.spread = before - removed;
  res.rr_sets = all_weight.size();
  res.trials = opt.worlds;
  res.peak_bytes = all_nodes.capacity() * sizeof(vertex_t) + all_offs.capacity() * sizeof(edge_t) +
                   all_weight.capacity() * 8 + in_to_out.capacity() * sizeof(edge_t) +
                   static_cast<std::size_t>(slots) * n * 14;
  detail::blocking_evaluate(model, misleading, opt, res);
  res.phase_seconds.emplace_back("evaluation", lap.lap());
  res.seconds = total.seconds();
  return res;
}

namespace detail {

/// Blocking's marginal-gain oracle for the lazy-greedy driver: gain(S, v) = F adoptions over
/// worlds 0 .. trials-1 against S minus those against S + {v} (clamped at 0: a wrap would make
/// the vertex look best). A block of candidates runs in parallel over candidates (each replays
/// all worlds serially); one re-evaluation runs in parallel over worlds, per-world counts summed
/// in order, so results are identical for any thread count.
class BlockingGainOracle {
 public:
  BlockingGainOracle(const CompetitiveIC& model, std::span<const vertex_t> misleading, const BlockingOptions& opt,
                     const SeedScope& scope, int threads)
      : model_(model), misleading_(misleading), opt_(opt), threads_(threads), chosen_(scope.fixed),
        ws_(static_cast<std::size_t>(std::max(threads, 1))), last_(model.num_vertices(), 0),
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
      out[j].first = drop(total_f(c));
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
    return last_[v] = drop(f);
  }

  /// Adds v (whose last evaluation is fresh, as the driver guarantees) and returns its gain.
  std::uint64_t add(vertex_t v) {
    chosen_.push_back(v);
    current_ -= last_[v];
    return last_[v];
  }

  std::uint64_t current() const noexcept { return current_; }        ///< F adoptions against S
  std::uint64_t evaluations() const noexcept { return evaluations_; }  ///< objective evaluations

 private:
  const CompetitiveIC& model_;
  std::span<const vertex_t> misleading_;
  const BlockingOptions& opt_;
  int threads_;
  std::vector<vertex_t> chosen_;
  std::vector<std::unique_ptr<CompetitiveWorkspace>> ws_;
  std::vector<std::uint64_t> last_;
  StopPoller poll_;
  std::uint64_t current_ = 0, evaluations_ = 1;

  std::uint64_t drop(std::uint64_t f) const { return current_ >= f ? current_ - f : 0; }

  CompetitiveWorkspace& workspace() {
    const auto slot = static_cast<std::size_t>(thread_index());
    if (!ws_[slot]) ws_[slot] = std::make_unique<CompetitiveWorkspace>(model_.num_vertices());
    return *ws_[slot];
  }

  std::uint64_t f_adoptions(CompetitiveWorkspace& w, const std::vector<vertex_t>& c, std::uint64_t i) {
    const CompetitiveCoins coins(opt_.seed, i);
    std::uint64_t s = 0;
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

}  // namespace detail

/// CELF greedy on the Monte Carlo F reach with common random numbers (the reference): every
/// evaluation replays worlds 0 .. trials-1 keyed by `seed`, so gains are exact differences of
/// the sample-average objective. Runs the library's one lazy-greedy driver
/// (select/lazy_greedy.hpp) over detail::BlockingGainOracle. Deterministic for any thread count.
inline BlockingResult block_celf(const CompetitiveIC& model, std::span<const vertex_t> misleading, std::size_t k,
                                 const BlockingOptions& opt = {}) {
  Stopwatch total, lap;
  const SeedScope scope = detail::blocking_scope(model, misleading, k, opt, "block_celf");
  KOLSIM_REQUIRE(opt.trials >= 1, "block_celf: trials must be >= 1");
  detail::BlockingGainOracle oracle(model, misleading, opt, scope, resolve_threads(opt.threads));
  detail::LazyGreedy<detail::BlockingGainOracle> lazy(oracle, scope.allowed, opt.stop, opt.progress);
  lazy.run(k, detail::LazyMode::celf, [] {});
  BlockingResult res;
  res.method = "celf";
  res.seeds = std::move(lazy.seeds);
  for (std::uint64_t g : lazy.gains) res.marginal_gains.push_back(static_cast<double>(g) / static_cast<double>(opt.trials));
  res.phase_seconds.emplace_back("selection", lap.lap());
  res.spread = static_cast<double>(oracle.current()) / static_cast<double>(opt.trials);
  res.trials = oracle.evaluations() * opt.trials;
  detail::blocking_evaluate(model, misleading, opt, res);
  res.phase_seconds.emplace_back("evaluation", lap.lap());
  res.seconds = total.seconds();
  return res;
}

/// Baselines: "degree" = most followers (corrective graph), "neighbourhood" = the top followers of
/// the F seeds (accounts following an F seed, ranked by their own follower count; accounts
/// outside the neighbourhood fill the rest by follower count), "imm" = IMM on
/// the corrective graph ignoring F. Evaluated like the others.
inline BlockingResult block_baseline(const CompetitiveIC& model, std::span<const vertex_t> misleading, std::size_t k,
                                     BlockingMethod method, const BlockingOptions& opt = {}) {
  Stopwatch total;
  const SeedScope scope = detail::blocking_scope(model, misleading, k, opt, "block_baseline");
  SelectOptions so;
  so.candidates = detail::allowed_list(scope);
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
    sel = imm(gc, IndependentCascade{}, k, io);
    sel.method = "imm";
  } else {
    KOLSIM_REQUIRE(false, "block_baseline: method must be degree, neighbourhood or imm");
  }
  BlockingResult res;
  static_cast<SelectResult&>(res) = sel;
  res.spread = 0;
  detail::blocking_evaluate(model, misleading, opt, res);
  res.phase_seconds.emplace_back("evaluation", total.seconds() - sel.seconds);
  res.seconds = total.seconds();
  return res;
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

/// select_blockers() with the misleading seeds given as account ids (std::out_of_range names an
/// unknown one). The result's seeds are dense indices, as for every selector.
inline BlockingResult select_blockers(const CompetitiveIC& model, const Accounts& misleading_seeds, std::size_t k,
                                      const BlockingOptions& opt = {}) {
  const std::vector<vertex_t> f = model.misleading().indices_of(misleading_seeds.ids);
  return select_blockers(model, std::span<const vertex_t>(f), k, opt);
}

}  // namespace kolsim

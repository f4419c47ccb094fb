// SPDX-License-Identifier: MIT
/// Distributed budgeted campaign planning: plan_campaign() over the ranks of a communicator,
/// with the plan of one process (same KOLs, RR-set counts, certified ratio, check reach and
/// standard errors, same JSON apart from timings and this rank's peak_bytes).
///
/// How: it is the one-process planner (campaign/plan.hpp, CampaignPlanner) with a back end that
///  - draws the new RR sets of R1 and R2 over the ranks (set i still a pure function of
///    (seed, i): contiguous blocks per rank, in chunks so a rank never holds more than one chunk
///    of whole sets) and gives every rank the sets *restricted to their root and to the roster's
///    candidates and contracted seeds*, gathered in set order. That restriction is exact: the
///    budgeted greedy indexes only candidates and contracted seeds, the validation coverage looks
///    only at the plan's seeds, and fairness reads only each set's root; a dropped vertex adds
///    +0.0 to a sum or nothing at all, so every floating-point sum runs over the same terms in the
///    same order as in one process and the doubles are bit-identical (no reduction of partial
///    double sums, whose rounding would depend on the rank count). Every rank then runs the
///    selection rounds, the re-plans and the R2 validation itself on the identical restricted
///    sets: no communication per pick at all.
///  - spreads the Monte Carlo check: estimate_spread's batches (distributed/monte_carlo.hpp) and
///    the prefix-reach trials (blocks of 64 trials keyed by global trial index; every rank gets
///    every trial's tally row in trial order, so means and standard errors are those of one
///    process).
/// Memory per rank: one chunk of whole RR sets while drawing, plus the restricted R1 and R2
/// (per set its root, an offset and its candidates: far below the whole sets unless most
/// accounts are candidates). Traffic: the restricted sets once (every rank's share to every
/// rank), the check's tallies; see PlanTraffic.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "kolsim/campaign/plan.hpp"
#include "kolsim/distributed/comm.hpp"
#include "kolsim/distributed/monte_carlo.hpp"
#include "kolsim/distributed/share.hpp"

namespace kolsim::distributed {

/// What a distributed plan moved (payload bytes this rank received from the other ranks).
struct PlanTraffic {
  std::uint64_t rr_bytes = 0;        ///< the restricted RR sets (R1 and R2, every round)
  std::uint64_t rr_sets = 0;         ///< RR sets drawn (over all ranks; = plan.rr_sets)
  std::uint64_t rr_entries = 0;      ///< entries of the restricted sets (roots included)
  std::uint64_t local_sets = 0;      ///< whole RR sets this rank drew
  std::uint64_t check_bytes = 0;     ///< the Monte Carlo check's tallies and counts
  std::uint64_t total_received = 0;  ///< every collective of the call, agreements included
};

namespace detail {

/// The prefix-reach trials over the ranks: contiguous blocks of trial blocks per rank; the tally
/// rows (per trial: the P + 1 prefix values, the account count, the G group counts and, for step
/// worlds, the weighted new reach by step; per block: its steps) travel bit for bit.
class CommPrefixShare final : public kolsim::detail::PrefixShare {
 public:
  explicit CommPrefixShare(Communicator& comm) : comm_(&comm) {}

  void range(std::uint64_t blocks, std::uint64_t& lo, std::uint64_t& hi) override {
    rank_block(*comm_, blocks, lo, hi);
  }

  void exchange(kolsim::detail::PrefixTally& tally, std::uint64_t trials, std::uint64_t lo,
                std::uint64_t hi) override {
    comm_->sync();
    const std::uint64_t B = kolsim::detail::prefix_trial_block;
    const std::uint64_t blocks = (trials + B - 1) / B;
    const std::size_t row = tally.P + 1, G = tally.G;
    const bool steps = !tally.block_steps.empty();
    std::vector<std::uint64_t> mine;
    for (std::uint64_t t = lo * B; t < std::min(trials, hi * B); ++t) {
      for (std::size_t i = 0; i < row; ++i) mine.push_back(double_bits(tally.vals[t * row + i]));
      mine.push_back(double_bits(tally.counts[t]));
      for (std::size_t gi = 0; gi < G; ++gi) mine.push_back(double_bits(tally.gcounts[t * G + gi]));
      if (steps) put(mine, tally.trial_steps[t]);
    }
    if (steps)
      for (std::uint64_t b = lo; b < hi; ++b) put(mine, tally.block_steps[b]);
    const std::vector<std::uint64_t> all = comm_->allgatherv<std::uint64_t>(mine);
    std::size_t at = 0;
    for (int r = 0; r < comm_->size(); ++r) {
      const std::uint64_t rlo = comm_->block_begin(blocks, r), rhi = comm_->block_begin(blocks, r + 1);
      for (std::uint64_t t = rlo * B; t < std::min(trials, rhi * B); ++t) {
        for (std::size_t i = 0; i < row; ++i) tally.vals[t * row + i] = bits_double(all[at++]);
        tally.counts[t] = bits_double(all[at++]);
        for (std::size_t gi = 0; gi < G; ++gi) tally.gcounts[t * G + gi] = bits_double(all[at++]);
        if (steps) get(all, at, tally.trial_steps[t]);
      }
      if (steps)
        for (std::uint64_t b = rlo; b < rhi; ++b) get(all, at, tally.block_steps[b]);
    }
  }

 private:
  static void put(std::vector<std::uint64_t>& out, const std::vector<double>& v) {
    out.push_back(v.size());
    for (double x : v) out.push_back(double_bits(x));
  }
  static void get(const std::vector<std::uint64_t>& in, std::size_t& at, std::vector<double>& v) {
    v.resize(in[at++]);
    for (double& x : v) x = bits_double(in[at++]);
  }
  Communicator* comm_;
};

/// The planner's back end over a communicator (see the file comment): grow() draws this rank's
/// block of the new sets and gathers every rank's restricted sets in set order; the check's
/// Monte Carlo runs through the two shares.
class RankPlanBackend {
 public:
  static constexpr std::uint64_t chunk_sets = std::uint64_t{1} << 16;  ///< whole sets held at once

  /// `fingerprint`: this rank's plan_fingerprint(), compared over the ranks at the first grow(),
  /// once each rank has bound (and checked) its roster and spec.
  RankPlanBackend(Communicator& comm, PlanTraffic& traffic, std::uint64_t fingerprint)
      : comm_(&comm), traffic_(&traffic), batches_(comm), prefixes_(comm), fingerprint_(fingerprint) {}

  template <class M, class Binding>
  void grow(RRSampler<M>& sampler, RRCollection& rr, std::uint64_t target, std::uint64_t seed, std::uint32_t dom,
            bool roots_only, const Binding& b, std::size_t other_bytes, std::size_t limit, int threads,
            const StopToken& stop, std::uint64_t& drawn) {
    if (!agreed_) {
      agree_inputs();
      agreed_ = true;
    }
    if (target <= rr.size()) return;  // rr holds every rank's (restricted) sets
    if (keep_.size() != b.allowed.size()) {
      keep_.assign(b.allowed.begin(), b.allowed.end());
      for (vertex_t v : b.contracted) keep_[v] = 1;
    }
    const std::uint64_t have = rr.size(), count = target - have;
    const std::uint64_t lo = have + comm_->block_begin(count, comm_->rank());
    const std::uint64_t hi = have + comm_->block_begin(count, comm_->rank() + 1);
    std::vector<vertex_t> nodes;
    std::vector<std::uint32_t> lens;
    lens.reserve(hi - lo);
    RRCollection whole;
    for (std::uint64_t at = lo; at < hi;) {
      // The first chunk is a pilot for the mean size of a whole set.
      const std::uint64_t c = std::min(hi - at, whole.empty() && at == lo ? std::uint64_t{256} : chunk_sets);
      if (!(whole.empty() && at == lo))
        check_rr_memory("plan_campaign", whole.mean_size(), static_cast<double>(c),
                        other_bytes + rr.bytes() + nodes.capacity() * sizeof(vertex_t) + lens.capacity() * 4, limit);
      whole.clear();
      sampler.sample(seed, dom, at, c, whole, threads, stop);
      for (std::uint64_t j = 0; j < whole.size(); ++j) {
        const std::span<const vertex_t> s = whole.set(j);
        nodes.push_back(s[0]);
        std::uint32_t len = 1;
        if (!roots_only)
          for (std::size_t e = 1; e < s.size(); ++e)
            if (keep_[s[e]]) {
              nodes.push_back(s[e]);
              ++len;
            }
        lens.push_back(len);
      }
      traffic_->local_sets += c;
      at += c;
    }
    whole.release();
    comm_->sync();
    const std::uint64_t before = comm_->bytes_received();
    const std::vector<std::uint32_t> all_lens = comm_->allgatherv<std::uint32_t>(lens);
    const std::vector<vertex_t> all_nodes = comm_->allgatherv<vertex_t>(nodes);
    traffic_->rr_bytes += comm_->bytes_received() - before;
    traffic_->rr_entries += all_nodes.size();
    KOLSIM_REQUIRE(all_lens.size() == count, "distributed plan_campaign: gathered ", all_lens.size(),
                   " RR sets, expected ", count);
    const double mean = static_cast<double>(all_nodes.size()) / static_cast<double>(count);
    check_rr_memory("plan_campaign", (static_cast<double>(rr.total_nodes()) + static_cast<double>(all_nodes.size())) /
                                         static_cast<double>(target),
                    static_cast<double>(target), other_bytes, limit);
    rr.reserve(target, rr.total_nodes() + static_cast<edge_t>(mean * static_cast<double>(count)) + 16);
    std::size_t at = 0;
    for (std::uint32_t len : all_lens) {
      rr.push_set(std::span<const vertex_t>(all_nodes.data() + at, len));
      at += len;
    }
    drawn += count;
    traffic_->rr_sets += count;
  }

  kolsim::detail::BatchShare* batches() { return &batches_; }
  kolsim::detail::PrefixShare* prefixes() { return &prefixes_; }

 private:
  /// Throws the same std::invalid_argument on every rank when some rank's inputs differ from rank 0's.
  void agree_inputs() {
    comm_->sync();
    const std::vector<std::uint64_t> all =
        comm_->allgatherv<std::uint64_t>(std::span<const std::uint64_t>(&fingerprint_, 1));
    for (std::size_t r = 1; r < all.size(); ++r)
      KOLSIM_REQUIRE(all[r] == all[0], "distributed plan_campaign: rank ", r,
                     " was given another graph, roster, audience or spec than rank 0 (every rank must pass the same)");
  }

  Communicator* comm_;
  PlanTraffic* traffic_;
  CommBatchShare batches_;
  CommPrefixShare prefixes_;
  std::vector<char> keep_;  // candidates and contracted seeds: the vertices a restricted set keeps
  std::uint64_t fingerprint_;
  bool agreed_ = false;
};

/// A fingerprint of what every rank must pass alike: the graph's size, the roster's rows, the
/// audience and the spec (threads, memory_limit, stop and progress aside: each rank's own).
inline std::uint64_t plan_fingerprint(const FollowerGraph& g, const Roster& roster, const CampaignSpec& spec) {
  std::uint64_t h = 0x9E3779B97F4A7C15ull;
  auto mix = [&](std::uint64_t x) {
    h ^= x + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  };
  auto real = [&](double x) {
    std::uint64_t b;
    std::memcpy(&b, &x, 8);
    mix(b);
  };
  auto text = [&](const std::string& s) {
    mix(s.size());
    for (unsigned char c : s) mix(c);
  };
  mix(g.num_vertices());
  mix(g.num_edges());
  mix(roster.size());
  for (std::size_t i = 0; i < roster.size(); ++i) {
    const RosterEntry& e = roster[i];
    mix(e.account);
    real(e.fee);
    real(e.risk);
    text(e.platform);
  }
  mix(roster.options().include_non_roster);
  real(roster.options().non_roster_fee);
  real(roster.options().non_roster_risk);
  real(spec.budget);
  mix(spec.max_kols);
  real(spec.max_risk);
  mix(static_cast<std::uint64_t>(spec.risk_mode));
  real(spec.risk_penalty);
  mix(spec.deadline);
  real(spec.deadline_hours);
  real(spec.epsilon);
  real(spec.delta);
  mix(spec.seed);
  mix(spec.check_trials);
  mix(static_cast<std::uint64_t>(spec.method));
  for (double x : spec.budget_curve) real(x);
  for (account_t a : spec.contracted) mix(a);
  mix(0xC0);
  for (account_t a : spec.excluded) mix(a);
  mix(0xE0);
  for (const auto& [name, m] : spec.group_minimums) {
    text(name);
    real(m);
  }
  for (double w : spec.audience.weights) real(w);
  mix(0xA0);
  for (std::uint32_t gi : spec.audience.group_of) mix(gi);
  for (const std::string& s : spec.audience.group_names) text(s);
  return h;
}

}  // namespace detail

/// kolsim::plan_campaign over the ranks of `comm` (IndependentCascade, LinearThreshold, and
/// ContinuousIC with its time-critical RR sets): every rank passes the same graph, model, roster
/// and spec (checked by a fingerprint; spec.threads may differ) and gets the plan of one
/// process, bit for bit, for any rank and thread count — only `seconds`, `phase_seconds` and
/// `peak_bytes` (this rank's) differ. A failure on any rank (bad roster or spec, an unknown
/// account, MemoryLimitError, Interrupted) is thrown as the same exception on every rank.
/// `traffic` (optional) receives what this rank received. Collective.
template <DiffusionModel M>
CampaignPlan plan_campaign(Communicator& comm, const FollowerGraph& g, const M& model, const Roster& roster,
                           const CampaignSpec& spec, PlanTraffic* traffic = nullptr) {
  static_assert(std::is_same_v<M, IndependentCascade> || std::is_same_v<M, LinearThreshold> ||
                    std::is_same_v<M, ContinuousIC>,
                "plan_campaign supports IndependentCascade, LinearThreshold and ContinuousIC");
  return kolsim::distributed::detail::collective(comm, [&] {
    const std::uint64_t start = comm.bytes_received();
    PlanTraffic tr;
    CampaignPlan plan = kolsim::detail::CampaignPlanner<M, detail::RankPlanBackend>(
                            g, model, roster, spec,
                            detail::RankPlanBackend(comm, tr, detail::plan_fingerprint(g, roster, spec)))
                            .run();
    tr.total_received = comm.bytes_received() - start;
    tr.check_bytes = tr.total_received - tr.rr_bytes;
    if (traffic) *traffic = tr;
    return plan;
  });
}

}  // namespace kolsim::distributed

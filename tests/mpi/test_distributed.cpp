// SPDX-License-Identifier: MIT
/// Distributed back end under mpirun -np 1, 2, 3: estimates and selections bit-identical to one
/// process, and a failure on one rank thrown as the same error on every rank.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kolsim/distributed/monte_carlo.hpp"
#include "kolsim/distributed/select.hpp"
#include "kolsim/estimate/exact.hpp"
#include "kolsim/graph/generators.hpp"
#include "kolsim/graph/probabilities.hpp"
#include "mpi_main.hpp"
#include "support.hpp"

namespace {

using namespace kolsim;
namespace kd = kolsim::distributed;

using test_support::world;

std::uint64_t seed() { return test_support::test_seed("test_distributed", 20261203); }

FollowerGraph ic_graph() {
  static const FollowerGraph g = weighted_cascade(preferential_attachment(3000, 4, seed()));
  return g;
}
FollowerGraph lt_graph() {
  static const FollowerGraph g = random_lt_weights(erdos_renyi(2000, 12000, seed() + 1), seed() + 2);
  return g;
}

// Bit-for-bit equality of doubles (EXPECT_EQ on doubles is exact too; this names the bits).
void expect_same(double a, double b, const char* what) {
  EXPECT_EQ(std::memcmp(&a, &b, sizeof a), 0) << what << ": " << a << " vs " << b;
}
void expect_same(const std::vector<double>& a, const std::vector<double>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i) expect_same(a[i], b[i], what);
}

template <class M>
void check_spread(const FollowerGraph& g, const M& model, MonteCarloOptions o, int single_threads) {
  const std::vector<vertex_t> seeds{0, 5, 17};
  const std::uint64_t before = world().bytes_received();
  const SpreadEstimate d = kd::estimate_spread(world(), g, model, std::span<const vertex_t>(seeds), o);
  o.threads = single_threads;
  const SpreadEstimate s = estimate_spread(g, model, std::span<const vertex_t>(seeds), o);
  EXPECT_EQ(d.trials, s.trials);
  expect_same(d.mean, s.mean, "mean");
  expect_same(d.std_error, s.std_error, "std_error");
  expect_same(d.new_per_step, s.new_per_step, "new_per_step");
  expect_same(d.activation_probability, s.activation_probability, "activation_probability");
  EXPECT_EQ(d.edges_examined, s.edges_examined);
  if (world().size() > 1) {
    EXPECT_GT(world().bytes_received(), before) << "the tallies travel between ranks";
  }
}

TEST(DistributedSpread, FusedIcMatchesOneProcess) {
  MonteCarloOptions o;
  o.trials = 5000;  // not a multiple of 64 or of the rank count: a partial last batch
  o.seed = seed();
  o.threads = 2;
  o.per_account = true;
  check_spread(ic_graph(), IndependentCascade{}, o, 1);
}

TEST(DistributedSpread, PlainIcLtAndAdaptiveMatchOneProcess) {
  MonteCarloOptions o;
  o.trials = 999;
  o.seed = seed() + 7;
  o.threads = 1;
  o.fused = false;
  check_spread(ic_graph(), IndependentCascade{}, o, 2);
  check_spread(lt_graph(), LinearThreshold{}, o, 2);
  MonteCarloOptions a;
  a.trials = 100;
  a.seed = seed() + 8;
  a.target_relative_error = 0.004;
  a.max_trials = 20000;
  a.threads = 2;
  check_spread(ic_graph(), IndependentCascade{}, a, 1);
}

TEST(DistributedSpread, TinyGraphsMatchOneProcessAndExactTruth) {
  for (bool lt : {false, true}) {
    const FollowerGraph g = test_support::tiny_graph(8, 12, seed() + (lt ? 3 : 4), lt);
    const std::vector<vertex_t> seeds{0, 3};
    MonteCarloOptions o;
    o.trials = 20000;
    o.seed = seed();
    SpreadEstimate d, s;
    double exact = 0;
    if (lt) {
      d = kd::estimate_spread(world(), g, LinearThreshold{}, std::span<const vertex_t>(seeds), o);
      s = estimate_spread(g, LinearThreshold{}, std::span<const vertex_t>(seeds), o);
      exact = exact_spread(g, LinearThreshold{}, std::span<const vertex_t>(seeds)).spread;
    } else {
      d = kd::estimate_spread(world(), g, IndependentCascade{}, std::span<const vertex_t>(seeds), o);
      s = estimate_spread(g, IndependentCascade{}, std::span<const vertex_t>(seeds), o);
      exact = exact_spread(g, IndependentCascade{}, std::span<const vertex_t>(seeds)).spread;
    }
    expect_same(d.mean, s.mean, "mean");
    expect_same(d.std_error, s.std_error, "std_error");
    EXPECT_LE(std::abs(d.mean - exact), 6.0 * d.std_error + 1e-12) << (lt ? "LT" : "IC");
  }
}

void expect_same_coverage(const MaxCoverageResult& d, const MaxCoverageResult& s) {
  EXPECT_EQ(d.seeds, s.seeds);
  EXPECT_EQ(d.marginal, s.marginal);
  EXPECT_EQ(d.coverage, s.coverage);
  EXPECT_EQ(d.fixed_coverage, s.fixed_coverage);
  EXPECT_EQ(d.upper_bound, s.upper_bound);
}

TEST(DistributedCoverage, GreedyOnSplitSetsEqualsOneProcess) {
  const FollowerGraph g = ic_graph();
  RRCollection all;
  sample_rr_sets(g, IndependentCascade{}, seed(), domain::rr_set, 0, 20000, all);
  const vertex_t n = g.num_vertices();
  // Rank r holds the sets j with j % P == r: any split works, not only blocks.
  RRCollection mine;
  for (std::uint64_t j = 0; j < all.size(); ++j)
    if (static_cast<int>(j % static_cast<std::uint64_t>(world().size())) == world().rank()) mine.push_set(all.set(j));
  std::vector<char> allowed(n, 1);
  for (vertex_t v = 0; v < n; v += 3) allowed[v] = 0;
  const std::vector<vertex_t> fixed{1, 2};
  for (int variant = 0; variant < 3; ++variant) {
    MaxCoverageOptions mo;
    mo.upper_bound = variant != 1;
    if (variant == 2) {
      mo.allowed = allowed;
      mo.fixed_seeds = fixed;
    }
    kd::CoverageTraffic tr;
    const MaxCoverageResult d = kd::max_coverage(world(), mine, n, 40, mo, &tr);
    const MaxCoverageResult s = max_coverage(all, n, 40, mo);
    expect_same_coverage(d, s);
    EXPECT_EQ(tr.picks, 40u + mo.fixed_seeds.size());
    EXPECT_LT(tr.sparse_bytes / tr.picks, static_cast<std::uint64_t>(n) * 8) << "sparse below one dense vector";
  }
  // k beyond every vertex with a positive marginal: zeros to the lowest ids, as one process.
  const FollowerGraph t = test_support::tiny_graph(10, 6, seed(), false);
  RRCollection tall, tmine;
  sample_rr_sets(t, IndependentCascade{}, seed(), domain::rr_set, 0, 50, tall);
  for (std::uint64_t j = 0; j < tall.size(); ++j)
    if (static_cast<int>(j % static_cast<std::uint64_t>(world().size())) == world().rank()) tmine.push_set(tall.set(j));
  expect_same_coverage(kd::max_coverage(world(), tmine, 10, 10), max_coverage(tall, 10, 10));
}

void expect_same_select(const SelectResult& d, const SelectResult& s) {
  EXPECT_EQ(d.seeds, s.seeds);
  expect_same(d.marginal_gains, s.marginal_gains, "marginal_gains");
  expect_same(d.spread, s.spread, "spread");
  EXPECT_EQ(d.rr_sets, s.rr_sets);
  expect_same(d.approximation, s.approximation, "approximation");
}

TEST(DistributedImm, SeedsThetaAndBoundsEqualOneProcess) {
  for (ImmBoundPhase phase : {ImmBoundPhase::validated, ImmBoundPhase::classic})
  for (int threads : {1, 2}) {
    ImmOptions o;
    o.seed = seed();
    o.epsilon = 0.2;
    o.threads = threads;
    o.bound_phase = phase;
    kd::DistributedStats st;
    const ImmResult d = kd::imm(world(), ic_graph(), IndependentCascade{}, 20, o, &st);
    o.threads = 3 - threads;
    const ImmResult s = imm(ic_graph(), IndependentCascade{}, 20, o);
    expect_same_select(d, s);
    EXPECT_EQ(d.theta, s.theta);
    expect_same(d.lower_bound, s.lower_bound, "lower_bound");
    expect_same(d.estimation_epsilon, s.estimation_epsilon, "estimation_epsilon");
    EXPECT_EQ(d.bound_rounds, s.bound_rounds);
    EXPECT_EQ(st.ranks, world().size());
    EXPECT_LE(st.local_sets, d.theta / static_cast<std::uint64_t>(world().size()) + 1);
  }
  ImmOptions o;
  o.seed = seed() + 1;
  o.epsilon = 0.3;
  o.candidates = test_support::all_vertices(1000);
  o.fixed_seeds = {1000, 1001};
  const ImmResult d = kd::imm(world(), lt_graph(), LinearThreshold{}, 10, o);
  const ImmResult s = imm(lt_graph(), LinearThreshold{}, 10, o);
  expect_same_select(d, s);
  EXPECT_EQ(d.theta, s.theta);
}

// One driver (kolsim::detail::opim_run) for both back ends: with the paper's stopping rule
// (max_selection_noise = 1) and with the default, whose rounds jump several doublings at once.
TEST(DistributedOpim, SeedsCountsAndCertifiedRatioEqualOneProcess) {
  for (double noise : {1.0, OpimOptions{}.max_selection_noise}) {
    for (bool lt : {false, true}) {
      OpimOptions o;
      o.seed = seed() + 2;
      o.epsilon = 0.15;
      o.threads = 2;
      o.max_selection_noise = noise;
      const OpimResult d = lt ? kd::opim_c(world(), lt_graph(), LinearThreshold{}, 15, o)
                              : kd::opim_c(world(), ic_graph(), IndependentCascade{}, 15, o);
      const OpimResult s =
          lt ? opim_c(lt_graph(), LinearThreshold{}, 15, o) : opim_c(ic_graph(), IndependentCascade{}, 15, o);
      expect_same_select(d, s);
      expect_same(d.certified_ratio, s.certified_ratio, "certified_ratio");
      expect_same(d.lower_bound, s.lower_bound, "lower_bound");
      expect_same(d.upper_bound, s.upper_bound, "upper_bound");
      EXPECT_EQ(d.rounds, s.rounds);
      EXPECT_EQ(d.validation_sets, s.validation_sets);
    }
  }
}

TEST(DistributedSelect, TinyGraphsEqualOneProcess) {
  for (std::uint64_t i = 0; i < 6; ++i) {
    const FollowerGraph g = test_support::tiny_graph(9, 14, seed() + 10 + i, i % 2 == 1);
    ImmOptions io;
    io.seed = seed() + i;
    io.epsilon = 0.2;
    OpimOptions oo;
    oo.seed = seed() + i;
    oo.epsilon = 0.2;
    if (i % 2 == 1) {
      expect_same_select(kd::imm(world(), g, LinearThreshold{}, 3, io), imm(g, LinearThreshold{}, 3, io));
      expect_same_select(kd::opim_c(world(), g, LinearThreshold{}, 3, oo), opim_c(g, LinearThreshold{}, 3, oo));
    } else {
      expect_same_select(kd::imm(world(), g, IndependentCascade{}, 3, io), imm(g, IndependentCascade{}, 3, io));
      expect_same_select(kd::opim_c(world(), g, IndependentCascade{}, 3, oo), opim_c(g, IndependentCascade{}, 3, oo));
    }
  }
}

// A failure on one rank only: every rank throws the same type with the same message, no hang.
TEST(DistributedErrors, BadInputOnOneRankReachesAll) {
  const int last = world().size() - 1;
  ImmOptions o;
  o.seed = seed();
  o.epsilon = world().rank() == last ? 1.5 : 0.2;  // only the last rank has a bad epsilon
  try {
    (void)kd::imm(world(), ic_graph(), IndependentCascade{}, 5, o);
    ADD_FAILURE() << "no error on rank " << world().rank();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "imm: epsilon must be in (0, 1), got 1.5");
  }
}

TEST(DistributedErrors, MemoryLimitOnOneRankReachesAll) {
  const int last = world().size() - 1;
  OpimOptions o;
  o.seed = seed();
  o.epsilon = 0.1;
  o.memory_limit = world().rank() == last ? 4096 : 0;  // the last rank cannot hold its share
  EXPECT_THROW((void)kd::opim_c(world(), ic_graph(), IndependentCascade{}, 5, o), MemoryLimitError);
}

TEST(DistributedErrors, InterruptOnOneRankStopsAll) {
  MonteCarloOptions o;
  o.trials = 200000;
  o.seed = seed();
  const int last = world().size() - 1;
  if (world().rank() == last) o.stop = [] { return true; };
  const std::vector<vertex_t> seeds{0};
  EXPECT_THROW((void)kd::estimate_spread(world(), ic_graph(), IndependentCascade{}, std::span<const vertex_t>(seeds), o),
               Interrupted);
  // A parse error keeps its file and line on every rank.
  try {
    kd::detail::collective(world(), [&] {
      if (world().rank() == last) throw ParseError("edges.txt", 7, "bad account id");
    });
    ADD_FAILURE() << "no error";
  } catch (const ParseError& e) {
    EXPECT_STREQ(e.what(), "edges.txt:7: bad account id");
    EXPECT_EQ(e.file(), "edges.txt");
    EXPECT_EQ(e.line(), 7u);
  }
  // The communicator still works after the failures.
  std::uint64_t one = 1;
  EXPECT_EQ(world().allreduce_sum(one), static_cast<std::uint64_t>(world().size()));
}

}  // namespace

int main(int argc, char** argv) { return kolsim::test_support::mpi_test_main(argc, argv); }

// SPDX-License-Identifier: MIT
/// Distributed competitive estimation under mpirun -np 1, 2, 3: competitive IC (every tie rule,
/// a correction delay) and competitive LT estimates bit-identical to one process, on both
/// reduction paths (exact integer sums; every tally in trial order), and a failure on one rank
/// thrown as the same error on every rank.
#include <gtest/gtest.h>
#include <mpi.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kolsim/distributed/competitive.hpp"
#include "kolsim/graph/generators.hpp"
#include "kolsim/graph/probabilities.hpp"
#include "mpi_main.hpp"
#include "support.hpp"

namespace {

using namespace kolsim;
namespace kd = kolsim::distributed;

using test_support::world;

std::uint64_t seed() { return test_support::test_seed("test_distributed_competitive", 20261203); }

CompetitiveIC cic(TieRule rule, std::uint32_t delay) {
  static const FollowerGraph gf = weighted_cascade(preferential_attachment(800, 3, seed()));
  // C spreads at 1.5x F's probability (capped at 1) on the same topology.
  std::vector<prob_t> pc(gf.edge_probs().begin(), gf.edge_probs().end());
  for (prob_t& p : pc) p = std::min(1.0f, p * 1.5f);
  return CompetitiveIC(gf, gf.with_probabilities(pc), rule, delay);
}

CompetitiveLT clt() { return CompetitiveLT(random_lt_weights(erdos_renyi(1500, 9000, seed() + 1), seed() + 2)); }

void expect_same(double a, double b, const char* what) {
  EXPECT_EQ(std::memcmp(&a, &b, sizeof a), 0) << what << ": " << a << " vs " << b;
}
void expect_same(const CountEstimate& a, const CountEstimate& b, const char* what) {
  expect_same(a.mean, b.mean, what);
  expect_same(a.std_error, b.std_error, what);
  expect_same(a.ci_low, b.ci_low, what);
  expect_same(a.ci_high, b.ci_high, what);
}
void expect_same(const CompetitiveEstimate& d, const CompetitiveEstimate& s) {
  EXPECT_EQ(d.trials, s.trials);
  EXPECT_EQ(d.edges_examined, s.edges_examined);
  expect_same(d.misleading, s.misleading, "misleading");
  expect_same(d.corrective, s.corrective, "corrective");
  expect_same(d.saved, s.saved, "saved");
  expect_same(d.misleading_alone, s.misleading_alone, "misleading_alone");
  ASSERT_EQ(d.misleading_per_step.size(), s.misleading_per_step.size());
  ASSERT_EQ(d.corrective_per_step.size(), s.corrective_per_step.size());
  for (std::size_t t = 0; t < d.misleading_per_step.size(); ++t) {
    expect_same(d.misleading_per_step[t], s.misleading_per_step[t], "misleading_per_step");
    expect_same(d.corrective_per_step[t], s.corrective_per_step[t], "corrective_per_step");
  }
}

template <class Model>
void check(const Model& m, const std::vector<vertex_t>& f, const std::vector<vertex_t>& c, CompetitionOptions o) {
  o.threads = 1;
  const CompetitiveEstimate d = kd::estimate_competition(world(), m, std::span<const vertex_t>(f),
                                                         std::span<const vertex_t>(c), o);
  o.threads = 2;
  const CompetitiveEstimate s = estimate_competition(m, std::span<const vertex_t>(f), std::span<const vertex_t>(c), o);
  expect_same(d, s);
  EXPECT_GT(d.misleading.mean, 1.0);
}

/// Runs the checks once on the exact-sum path and once on the gather-every-tally path.
class DistributedCompetition : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    saved_ = kd::detail::competition_exact_limit;
    if (GetParam()) kd::detail::competition_exact_limit = 0;
  }
  void TearDown() override { kd::detail::competition_exact_limit = saved_; }
  std::uint64_t saved_ = 0;
};

TEST_P(DistributedCompetition, CompetitiveIcEveryTieRuleEqualsOneProcess) {
  CompetitionOptions o;
  o.trials = 1001;  // not a multiple of 2 or 3: uneven blocks
  o.seed = seed();
  for (TieRule rule : {TieRule::misleading_wins, TieRule::corrective_wins, TieRule::random})
    check(cic(rule, 0), {0, 7, 30}, {1, 2, 55}, o);
  check(cic(TieRule::random, 2), {3}, {0, 9}, o);
  o.max_steps = 2;
  check(cic(TieRule::corrective_wins, 1), {0, 7}, {1}, o);
}

TEST_P(DistributedCompetition, CompetitiveLtEqualsOneProcess) {
  CompetitionOptions o;
  o.trials = 1501;
  o.seed = seed() + 5;
  check(clt(), {0, 4, 8}, {1, 2}, o);
  check(clt(), {0, 4, 8}, {}, o);  // no correction: saved = 0, F alone = F
}

TEST_P(DistributedCompetition, FewerTrialsThanRanks) {
  CompetitionOptions o;
  o.trials = 1;  // ranks > 0 hold no trial at np 2 and 3
  o.seed = seed();
  check(cic(TieRule::random, 0), {0}, {1}, o);
}

INSTANTIATE_TEST_SUITE_P(Paths, DistributedCompetition, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "GatherEveryTally" : "ExactSums"; });

TEST(DistributedCompetitionErrors, BadSeedOnOneRankReachesAll) {
  const CompetitiveIC m = cic(TieRule::misleading_wins, 0);
  const int last = world().size() - 1;
  const std::vector<vertex_t> f{world().rank() == last ? vertex_t{999999} : vertex_t{0}}, c{1};
  CompetitionOptions o;
  o.trials = 500;
  try {
    (void)kd::estimate_competition(world(), m, std::span<const vertex_t>(f), std::span<const vertex_t>(c), o);
    ADD_FAILURE() << "no error on rank " << world().rank();
  } catch (const std::out_of_range& e) {
    // Every rank has the last rank's message.
    std::string mine = e.what();
    std::string root = mine;
    world().broadcast(root, 0);
    EXPECT_EQ(mine, root);
    EXPECT_NE(mine.find("999999"), std::string::npos) << mine;
  }
}

TEST(DistributedCompetitionErrors, ZeroTrialsOrInterruptOnOneRankReachesAll) {
  const CompetitiveLT m = clt();
  const int last = world().size() - 1;
  const std::vector<vertex_t> f{0}, c{1};
  CompetitionOptions o;
  o.trials = world().rank() == last ? 0 : 100;
  EXPECT_THROW((void)kd::estimate_competition(world(), m, std::span<const vertex_t>(f), std::span<const vertex_t>(c), o),
               std::invalid_argument);
  o.trials = 100000;
  if (world().rank() == last) o.stop = [] { return true; };
  EXPECT_THROW((void)kd::estimate_competition(world(), m, std::span<const vertex_t>(f), std::span<const vertex_t>(c), o),
               Interrupted);
}

// The other ranks stop within one chunk of trials (16,384 per rank), not after their whole
// block of 2^22 / P trials (minutes here): generous bound, this machine is shared.
TEST(DistributedCompetitionErrors, StopOnOneRankStopsTheOthersWithinAChunk) {
  const CompetitiveLT m = clt();
  const std::vector<vertex_t> f{0, 4}, c{1};
  CompetitionOptions o;
  o.trials = std::uint64_t{1} << 22;
  o.seed = seed();
  if (world().rank() == world().size() - 1) o.stop = [] { return true; };
  const std::uint64_t chunk = kd::detail::competition_sync_trials;
  if (std::getenv("KOLSIM_TEST_NO_CHUNKS")) kd::detail::competition_sync_trials = o.trials;  // to see it fail
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW((void)kd::estimate_competition(world(), m, std::span<const vertex_t>(f), std::span<const vertex_t>(c), o),
               Interrupted);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  kd::detail::competition_sync_trials = chunk;
  EXPECT_LT(seconds, 40.0) << "rank " << world().rank() << " ran on after another rank stopped";
}

TEST(DistributedCompetitionErrors, AccountIdsAndUnknownAccount) {
  const CompetitiveIC m = cic(TieRule::random, 0);
  CompetitionOptions o;
  o.trials = 300;
  o.seed = seed();
  const auto& g = m.misleading();
  const CompetitiveEstimate d =
      kd::estimate_competition(world(), m, Accounts{g.account(0)}, Accounts{g.account(1)}, o);
  expect_same(d, estimate_competition(m, Accounts{g.account(0)}, Accounts{g.account(1)}, o));
  const account_t unknown = world().rank() == world().size() - 1 ? account_t{1} << 40 : g.account(2);
  EXPECT_THROW((void)kd::estimate_competition(world(), m, Accounts{unknown}, Accounts{g.account(1)}, o),
               std::out_of_range);
}

}  // namespace

int main(int argc, char** argv) { return kolsim::test_support::mpi_test_main(argc, argv); }

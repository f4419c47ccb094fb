// SPDX-License-Identifier: MIT
/// Tests of the resource limits every long call honours: thread counts above max_threads() are
/// rejected, allocations above usable_memory() raise MemoryLimitError naming the need and the
/// limit, stop tokens are seen within a fraction of a second, and block bounds do not wrap.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "kolsim/campaign/plan.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/estimate/competitive_estimate.hpp"
#include "kolsim/estimate/monte_carlo.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/graph/generators.hpp"
#include "kolsim/graph/probabilities.hpp"
#include "kolsim/opinion/dynamics.hpp"
#include "kolsim/opinion/stubborn.hpp"
#include "kolsim/select/blocking.hpp"
#include "kolsim/select/greedy.hpp"
#include "kolsim/select/imm.hpp"
#include "kolsim/select/opim.hpp"

using namespace kolsim;

namespace {

constexpr int too_many_threads = 100000;

/// Sets KOLSIM_MEMORY_LIMIT for the scope of a test.
class MemoryLimitScope {
 public:
  explicit MemoryLimitScope(const char* value) { setenv("KOLSIM_MEMORY_LIMIT", value, 1); }
  ~MemoryLimitScope() { unsetenv("KOLSIM_MEMORY_LIMIT"); }
};

const FollowerGraph& small_graph() {
  static const FollowerGraph g = weighted_cascade(erdos_renyi(2000, 10000, 7, 1));
  return g;
}

/// A ring 0 -> 1 -> ... -> n-1 -> 0 with p = 1: every cascade reaches all n accounts, so one
/// evaluation over many worlds is long and the stop must be seen inside it.
FollowerGraph ring(vertex_t n) {
  std::vector<vertex_t> s(n), t(n);
  std::vector<prob_t> p(n, 1.0f);
  for (vertex_t v = 0; v < n; ++v) {
    s[v] = v;
    t[v] = (v + 1) % n;
  }
  return build_graph_dense(n, s, t, p);
}

/// A stop token that says stop from `after` past its first call on (the first call arms it, so
/// the request comes while the computation runs), and records when it first said stop.
struct DelayedStop {
  using Clock = std::chrono::steady_clock;
  Clock::duration after;
  std::shared_ptr<std::atomic<std::int64_t>> armed_ns = std::make_shared<std::atomic<std::int64_t>>(-1);
  std::shared_ptr<std::atomic<std::int64_t>> fired_ns = std::make_shared<std::atomic<std::int64_t>>(-1);

  static std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  }
  StopToken token() const {
    auto armed = armed_ns;
    auto fired = fired_ns;
    const std::int64_t a = std::chrono::duration_cast<std::chrono::nanoseconds>(after).count();
    return [armed, fired, a]() {
      const std::int64_t now = now_ns();
      std::int64_t expected = -1;
      if (armed->compare_exchange_strong(expected, now)) return false;
      if (now - armed->load() < a) return false;
      expected = -1;
      fired->compare_exchange_strong(expected, now);
      return true;
    };
  }
  /// Seconds from the stop request (`after` past the first call) until now.
  double latency() const {
    const std::int64_t requested = armed_ns->load() + std::chrono::duration_cast<std::chrono::nanoseconds>(after).count();
    return static_cast<double>(now_ns() - requested) * 1e-9;
  }
};

/// Runs f, expects Interrupted, and returns the latency from the stop request to the throw.
template <class F>
double interrupt_latency(const DelayedStop& d, F&& f) {
  try {
    f();
  } catch (const Interrupted&) {
    EXPECT_GE(d.fired_ns->load(), 0) << "Interrupted before the token said stop";
    return d.latency();
  }
  ADD_FAILURE() << "the call finished without seeing the stop request";
  return 0.0;
}

// Generous bound: the tokens are polled every few worlds / trials / iterations, at most every
// 10-20 ms; a second covers a loaded machine many times over.
constexpr double latency_bound = 1.0;

}  // namespace

// ---- item 7: threads ---------------------------------------------------------------------

TEST(LimitsThreads, ResolveRejectsAboveMax) {
  EXPECT_THROW(resolve_threads(too_many_threads), std::invalid_argument);
  EXPECT_THROW(resolve_threads(max_threads() + 1), std::invalid_argument);
  EXPECT_NO_THROW(resolve_threads(max_threads()));
}

TEST(LimitsThreads, EveryEntryPointRejects) {
  const FollowerGraph& g = small_graph();
  const std::vector<vertex_t> seeds{0, 1};
  MonteCarloOptions mc;
  mc.trials = 64;
  mc.threads = too_many_threads;
  EXPECT_THROW(estimate_spread(g, IndependentCascade{}, seeds, mc), std::invalid_argument);
  ImmOptions io;
  io.threads = too_many_threads;
  EXPECT_THROW(imm(g, IndependentCascade{}, 2, io), std::invalid_argument);
  OpimOptions oo;
  oo.threads = too_many_threads;
  EXPECT_THROW(opim_c(g, IndependentCascade{}, 2, oo), std::invalid_argument);
  GreedyOptions go;
  go.trials = 10;
  go.threads = too_many_threads;
  EXPECT_THROW(celf(g, IndependentCascade{}, 2, go), std::invalid_argument);
  EXPECT_THROW(celf_plus_plus(g, LinearThreshold{}, 2, go), std::invalid_argument);
  std::vector<double> x0(g.num_vertices(), 0.5);
  OpinionOptions op;
  op.threads = too_many_threads;
  EXPECT_THROW(degroot(g, x0, op), std::invalid_argument);
  FjOptions fo;
  fo.threads = too_many_threads;
  const std::vector<double> lambda{0.5};
  EXPECT_THROW(friedkin_johnsen_equilibrium(g, x0, lambda, fo), std::invalid_argument);
  const CompetitiveIC cm(g);
  CompetitionOptions co;
  co.trials = 10;
  co.threads = too_many_threads;
  EXPECT_THROW(estimate_competition(cm, std::vector<vertex_t>{0}, std::vector<vertex_t>{1}, co),
               std::invalid_argument);
  BlockingOptions bo;
  bo.threads = too_many_threads;
  bo.worlds = 10;
  for (BlockingMethod m : {BlockingMethod::rr, BlockingMethod::celf, BlockingMethod::imm}) {
    bo.method = m;
    EXPECT_THROW(select_blockers(cm, std::vector<vertex_t>{0}, 2, bo), std::invalid_argument);
  }
}

// The model validation runs on the caller's threads: a valid LT graph passes on 1 and 3
// threads, and an invalid one names the same (lowest) account for both.
TEST(LimitsThreads, LinearThresholdValidateUsesCallerThreads) {
  std::vector<vertex_t> s, t;
  std::vector<prob_t> p;
  const vertex_t n = 70000;  // three blocks of 2^15 accounts
  for (vertex_t v = 1; v < n; ++v) {
    s.push_back(v - 1);
    t.push_back(v);
    p.push_back(0.5f);
  }
  const FollowerGraph ok = build_graph_dense(n, s, t, p);
  EXPECT_NO_THROW(LinearThreshold{}.validate(ok, 1));
  EXPECT_NO_THROW(LinearThreshold{}.validate(ok, 3));
  // Accounts 40000 and 69000 get a second in-edge: in-weights 0.5 + 0.9 > 1.
  s.push_back(0), t.push_back(69000), p.push_back(0.9f);
  s.push_back(0), t.push_back(40000), p.push_back(0.9f);
  const FollowerGraph bad = build_graph_dense(n, s, t, p);
  for (int threads : {1, 3}) {
    try {
      LinearThreshold{}.validate(bad, threads);
      ADD_FAILURE() << "no error on " << threads << " threads";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("account 40000 "), std::string::npos) << e.what();
    }
  }
}

// ---- item 8: memory ------------------------------------------------------------------------

TEST(LimitsMemory, RequireMemoryNamesNeedAndLimit) {
  try {
    require_memory("widget table", 3.0 * 1048576.0, 1048576);
    FAIL() << "no MemoryLimitError";
  } catch (const MemoryLimitError& e) {
    const std::string w = e.what();
    EXPECT_NE(w.find("widget table needs about 4 MiB"), std::string::npos) << w;
    EXPECT_NE(w.find("usable memory of 1 MiB"), std::string::npos) << w;
  }
  MemoryLimitScope scope("2M");
  EXPECT_EQ(usable_memory(), 2u * 1048576u);
}

TEST(LimitsMemory, ImmAtSmallEpsilonUsesTheUsableMemory) {
  MemoryLimitScope scope("4M");
  ImmOptions io;
  io.epsilon = 0.01;
  io.threads = 1;
  try {
    imm(small_graph(), IndependentCascade{}, 5, io);
    FAIL() << "no MemoryLimitError";
  } catch (const MemoryLimitError& e) {
    EXPECT_NE(std::string(e.what()).find("MiB"), std::string::npos) << e.what();
  }
  OpimOptions oo;
  oo.epsilon = 0.005;
  oo.threads = 1;
  EXPECT_THROW(opim_c(small_graph(), IndependentCascade{}, 5, oo), MemoryLimitError);
}

TEST(LimitsMemory, CelfWorldsCheckTheUsableMemory) {
  MemoryLimitScope scope("4M");
  GreedyOptions go;
  go.trials = 5000;  // 5000 worlds x 2000 accounts = 10^7 cells, about 11 MiB
  go.threads = 1;
  for (int mode = 0; mode < 3; ++mode) {
    try {
      if (mode == 0) celf(small_graph(), IndependentCascade{}, 2, go);
      if (mode == 1) celf_plus_plus(small_graph(), IndependentCascade{}, 2, go);
      if (mode == 2) greedy(small_graph(), IndependentCascade{}, 2, go);
      FAIL() << "no MemoryLimitError (mode " << mode << ")";
    } catch (const MemoryLimitError& e) {
      const std::string w = e.what();
      EXPECT_NE(w.find("5000 live-edge worlds x 2000 accounts"), std::string::npos) << w;
      EXPECT_NE(w.find("usable memory of 4 MiB"), std::string::npos) << w;
    }
  }
  go.trials = 100;  // fits
  EXPECT_EQ(celf(small_graph(), IndependentCascade{}, 2, go).seeds.size(), 2u);
}

TEST(LimitsMemory, OtherAllocationPathsCheck) {
  const FollowerGraph& g = small_graph();
  MemoryLimitScope scope("32K");
  MonteCarloOptions mc;
  mc.trials = 64;
  mc.threads = 1;
  mc.per_account = true;
  EXPECT_THROW(estimate_spread(g, IndependentCascade{}, std::vector<vertex_t>{0}, mc), MemoryLimitError);
  const CompetitiveIC cm(g);
  CompetitionOptions co;
  co.trials = 100000;  // 3.2 MB of tallies
  co.threads = 1;
  EXPECT_THROW(estimate_competition(cm, std::vector<vertex_t>{0}, std::vector<vertex_t>{1}, co), MemoryLimitError);
  BlockingOptions bo;
  bo.threads = 1;
  bo.evaluation_trials = 0;
  bo.method = BlockingMethod::celf;
  EXPECT_THROW(select_blockers(cm, std::vector<vertex_t>{0}, 2, bo), MemoryLimitError);
  bo.method = BlockingMethod::rr;
  EXPECT_THROW(select_blockers(cm, std::vector<vertex_t>{0}, 2, bo), MemoryLimitError);
  std::vector<double> x0(g.num_vertices(), 0.5);
  OpinionOptions op;
  op.threads = 1;
  EXPECT_THROW(degroot(g, x0, op), MemoryLimitError);
}

// ---- item 9: stop latency ------------------------------------------------------------------

// Before the fix the stop was polled only between blocks of 256 candidates (each a sweep of all
// worlds): this call ran for tens of seconds after the stop request.
TEST(LimitsStop, CelfStopsWithinOneEvaluation) {
  const FollowerGraph g = ring(20000);
  for (int mode = 0; mode < 2; ++mode) {
    GreedyOptions go;
    go.trials = 1000;
    go.threads = 1;
    DelayedStop d{std::chrono::milliseconds(100)};
    go.stop = d.token();
    const double latency = interrupt_latency(d, [&] {
      if (mode == 0) celf(g, IndependentCascade{}, 3, go);
      else celf_plus_plus(g, IndependentCascade{}, 3, go);
    });
    EXPECT_LT(latency, latency_bound) << "mode " << mode;
  }
}

TEST(LimitsStop, BlockingCelfStopsWithinOneEvaluation) {
  const FollowerGraph g = ring(20000);
  const CompetitiveIC cm(g);
  BlockingOptions bo;
  bo.method = BlockingMethod::celf;
  bo.trials = 2000;
  bo.threads = 1;
  bo.evaluation_trials = 0;
  DelayedStop d{std::chrono::milliseconds(100)};
  bo.stop = d.token();
  const double latency = interrupt_latency(d, [&] { select_blockers(cm, std::vector<vertex_t>{0}, 2, bo); });
  EXPECT_LT(latency, latency_bound);
}

TEST(LimitsStop, BicgstabStopsBetweenIterations) {
  // Susceptibility close to 1 on a long ring: BiCGSTAB needs many O(n) iterations.
  const vertex_t n = 400000;
  const FollowerGraph g = ring(n);
  std::vector<double> innate(n, 0.0);
  innate[0] = 1.0;
  const std::vector<double> lambda{0.999999};
  FjOptions fo;
  fo.threads = 1;
  fo.solver_tolerance = 1e-300;  // never met: runs solver_iterations
  fo.solver_iterations = 4000;
  DelayedStop d{std::chrono::milliseconds(100)};
  fo.stop = d.token();
  const double latency = interrupt_latency(d, [&] { friedkin_johnsen_equilibrium(g, innate, lambda, fo); });
  EXPECT_LT(latency, latency_bound);
}

TEST(LimitsStop, PollerStopsEveryThread) {
  DelayedStop d{std::chrono::milliseconds(0)};
  StopPoller poll(d.token(), 1, std::chrono::milliseconds(0));
  std::atomic<std::uint64_t> ran{0};
  // Only thread 0 polls the token. Under load the other threads could finish every item before
  // thread 0 is scheduled at all (a flake seen in a fresh-clone CI run), so they wait for thread
  // 0's first item: the stop is then always seen, and the test asks only that all threads obey it.
  std::atomic<bool> thread0_started{false};
  EXPECT_THROW(
      {
        parallel_for(0, 1 << 20, 3, [&](std::size_t) {
          if (thread_index() == 0) {
            thread0_started.store(true, std::memory_order_release);
          } else {
            while (!thread0_started.load(std::memory_order_acquire)) std::this_thread::yield();
          }
          if (poll.poll()) return;
          ran.fetch_add(1, std::memory_order_relaxed);
        }, 1);
        poll.throw_if_stopped();
      },
      Interrupted);
  EXPECT_LT(ran.load(), std::uint64_t{1} << 20);
}

// ---- block bounds near 2^32 accounts -------------------------------------------------------

TEST(LimitsBlocks, BoundsDoNotWrapNearTwoToThe32) {
  constexpr std::uint64_t block = 1 << 15;
  for (vertex_t n : {vertex_t{0}, vertex_t{1}, vertex_t{block}, vertex_t{block + 1},
                     std::numeric_limits<vertex_t>::max() - 5, std::numeric_limits<vertex_t>::max()}) {
    const std::size_t count = detail::block_count(n, block);
    std::uint64_t covered = 0;
    vertex_t expect_lo = 0;
    for (std::size_t b = 0; b < count; ++b) {
      const auto [lo, hi] = detail::block_bounds(b, block, n);
      ASSERT_EQ(lo, expect_lo) << "n = " << n << ", block " << b;
      ASSERT_LT(lo, hi) << "n = " << n << ", block " << b;
      ASSERT_LE(hi - lo, block);
      covered += hi - lo;
      expect_lo = hi;
    }
    EXPECT_EQ(covered, n);
    // The old 32-bit formula min<vertex_t>(n, lo + block) gave hi < lo in the last block here.
    if (count > 0) {
      EXPECT_EQ(detail::block_bounds(count - 1, block, n).second, n);
    }
  }
}

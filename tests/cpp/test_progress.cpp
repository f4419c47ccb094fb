// SPDX-License-Identifier: MIT
/// Tests of ProgressFn (core/progress.hpp): the long calls report monotone counts per phase from
/// the caller's thread only, end each phase complete where the total is known, and return
/// results identical to a run without progress, for 1 and several threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kolsim/diffusion/model.hpp"
#include "kolsim/estimate/monte_carlo.hpp"
#include "kolsim/graph/generators.hpp"
#include "kolsim/graph/probabilities.hpp"
#include "kolsim/io/edge_list.hpp"
#include "kolsim/learn/ic_em.hpp"
#include "kolsim/learn/netrate.hpp"
#include "kolsim/diffusion/simulate.hpp"
#include "kolsim/opinion/dynamics.hpp"
#include "kolsim/select/greedy.hpp"
#include "kolsim/select/imm.hpp"
#include "kolsim/select/opim.hpp"
#include "support.hpp"

using namespace kolsim;

namespace {

struct Report {
  std::string phase;
  std::uint64_t done, total;
};

/// Records the reports and checks that every one comes from the thread that installed it.
struct Recorder {
  std::vector<Report> reports;
  std::thread::id owner = std::this_thread::get_id();
  bool foreign_thread = false;
  ProgressFn fn() {
    return [this](std::string_view phase, std::uint64_t done, std::uint64_t total) {
      if (std::this_thread::get_id() != owner) foreign_thread = true;
      reports.push_back({std::string(phase), done, total});
    };
  }
  /// Last count per phase; fails on a count that goes down or beyond its total.
  std::map<std::string, std::uint64_t> check() const {
    EXPECT_FALSE(foreign_thread) << "a report came from a worker thread";
    EXPECT_FALSE(reports.empty());
    std::map<std::string, std::uint64_t> last;
    for (const auto& r : reports) {
      EXPECT_GE(r.done, last[r.phase]) << r.phase;
      if (r.total > 0) {
        EXPECT_LE(r.done, r.total) << r.phase;
      }
      last[r.phase] = r.done;
    }
    return last;
  }
};

FollowerGraph graph() {
  const std::uint64_t seed = test_support::test_seed("test_progress", 4242);
  return weighted_cascade(erdos_renyi(600, 3600, seed));
}

class Progress : public ::testing::TestWithParam<int> {};

TEST_P(Progress, EstimateSpreadReportsEveryTrialAndKeepsTheResult) {
  const FollowerGraph g = graph();
  const IndependentCascade ic;
  const std::vector<vertex_t> seeds{0, 1, 2};
  MonteCarloOptions o;
  o.trials = 20000;
  o.seed = 7;
  o.threads = GetParam();
  const SpreadEstimate plain = estimate_spread(g, ic, seeds, o);
  Recorder rec;
  o.progress = rec.fn();
  const SpreadEstimate watched = estimate_spread(g, ic, seeds, o);
  EXPECT_EQ(plain.mean, watched.mean);
  EXPECT_EQ(plain.std_error, watched.std_error);
  const auto last = rec.check();
  EXPECT_EQ(last.at("trials"), 20000u);
  EXPECT_EQ(rec.reports.back().total, 20000u);
}

TEST_P(Progress, SelectorsReportTheirPhasesAndKeepTheResult) {
  const FollowerGraph g = graph();
  const IndependentCascade ic;
  {
    ImmOptions o;
    o.epsilon = 0.3;
    o.seed = 3;
    o.threads = GetParam();
    const auto plain = imm(g, ic, 5, o);
    Recorder rec;
    o.progress = rec.fn();
    const auto watched = imm(g, ic, 5, o);
    EXPECT_EQ(plain.seeds, watched.seeds);
    EXPECT_EQ(plain.rr_sets, watched.rr_sets);
    const auto last = rec.check();
    EXPECT_TRUE(last.count("estimation"));
    EXPECT_EQ(last.at("sampling"), watched.rr_sets);
  }
  {
    OpimOptions o;
    o.epsilon = 0.3;
    o.seed = 3;
    o.threads = GetParam();
    const auto plain = opim_c(g, ic, 5, o);
    Recorder rec;
    o.progress = rec.fn();
    const auto watched = opim_c(g, ic, 5, o);
    EXPECT_EQ(plain.seeds, watched.seeds);
    EXPECT_EQ(rec.check().at("rounds"), static_cast<std::uint64_t>(watched.rounds));
  }
  {
    GreedyOptions o;
    o.trials = 50;
    o.seed = 3;
    o.threads = GetParam();
    const auto plain = celf(g, ic, 4, o);
    Recorder rec;
    o.progress = rec.fn();
    const auto watched = celf(g, ic, 4, o);
    EXPECT_EQ(plain.seeds, watched.seeds);
    EXPECT_EQ(rec.check().at("seeds"), 4u);
    EXPECT_EQ(rec.reports.size(), 4u);
  }
}

TEST_P(Progress, OpinionIterationReportsSteps) {
  const FollowerGraph g = graph();
  std::vector<double> x0(g.num_vertices());
  for (std::size_t i = 0; i < x0.size(); ++i) x0[i] = static_cast<double>(i % 7) / 6.0;
  OpinionOptions o;
  o.steps = 30;
  o.tolerance = 0;
  o.threads = GetParam();
  const auto plain = degroot(g, x0, o);
  Recorder rec;
  o.progress = rec.fn();
  const auto watched = degroot(g, x0, o);
  EXPECT_EQ(plain.opinions, watched.opinions);
  EXPECT_EQ(rec.check().at("steps"), 29u);
  EXPECT_EQ(rec.reports.size(), 30u);
}

TEST_P(Progress, EdgeListReaderReportsParsedBytes) {
  // ~4.5 MB of edge lines: several parse chunks (at least 1 MiB each), so the count moves in
  // steps between 0 and the total instead of jumping from nothing to done.
  const auto path = std::filesystem::temp_directory_path() /
                    ("kolsim_progress_" + std::to_string(GetParam()) + "_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".txt");
  std::uint64_t bytes = 0;
  {
    std::ofstream f(path);
    for (std::uint64_t i = 0; i < 400000; ++i) f << (i * 7919) % 100003 << ' ' << (i * 104729 + 1) % 100003 << '\n';
    f.flush();
    bytes = static_cast<std::uint64_t>(f.tellp());
  }
  EdgeListOptions o;
  o.build.threads = GetParam();
  const FollowerGraph plain = read_edge_list(path.string(), o);
  Recorder rec;
  o.progress = rec.fn();
  const FollowerGraph watched = read_edge_list(path.string(), o);
  std::filesystem::remove(path);
  EXPECT_EQ(plain.num_edges(), watched.num_edges());
  EXPECT_TRUE(std::equal(plain.accounts().begin(), plain.accounts().end(), watched.accounts().begin(),
                         watched.accounts().end()));
  EXPECT_EQ(rec.check().at("parse"), bytes);
  EXPECT_EQ(rec.reports.front().done, 0u);
  EXPECT_EQ(rec.reports.back().total, bytes);
  std::set<std::uint64_t> counts;
  for (const auto& r : rec.reports) counts.insert(r.done);
  // One report per parse chunk the caller's thread finishes (all of them with one thread).
  EXPECT_GE(counts.size(), GetParam() == 1 ? 5u : 2u);
}

Cascades simulated_cascades(const FollowerGraph& g, std::size_t count, std::uint64_t seed) {
  Cascades cs;
  cs.graph_vertices = g.num_vertices();
  for (std::size_t i = 0; i < count; ++i) {
    const std::vector<vertex_t> s{static_cast<vertex_t>((i * 7) % g.num_vertices())};
    const auto tr = simulate(g, IndependentCascade{}, std::span<const vertex_t>(s), seed * 1000003 + i);
    std::vector<double> t(tr.step.begin(), tr.step.end());
    cs.add(tr.activated, t, i);
  }
  return cs;
}

TEST_P(Progress, CascadeLearnersReportIterationsAndKeepTheResult) {
  const FollowerGraph g = uniform_probability(erdos_renyi(60, 280, 11), 0.05f, 0.6f, 12);
  const Cascades cs = simulated_cascades(g, 400, 13);
  for (const bool squarem : {false, true}) {
    EmOptions o;
    o.threads = GetParam();
    o.squarem = squarem;
    o.max_iterations = 300;
    const auto plain = learn_ic_em(g, cs, o);
    Recorder rec;
    o.progress = rec.fn();
    const auto watched = learn_ic_em(g, cs, o);
    EXPECT_EQ(plain.probability, watched.probability);
    EXPECT_EQ(plain.iterations, watched.iterations);
    const auto last = rec.check();
    ASSERT_TRUE(last.count("em prior pass") && last.count("em")) << squarem;
    EXPECT_EQ(last.at("em prior pass") + last.at("em"), watched.iterations);
    EXPECT_GT(last.at("em"), 1u);
    EXPECT_GT(rec.reports.size(), 4u);  // not one report per pass
  }
  NetRateOptions o;
  o.threads = GetParam();
  o.max_iterations = 200;
  const auto plain = learn_netrate(g, cs, o);
  Recorder rec;
  o.progress = rec.fn();
  const auto watched = learn_netrate(g, cs, o);
  EXPECT_EQ(plain.rate, watched.rate);
  EXPECT_EQ(rec.check().at("netrate"), watched.iterations);
  EXPECT_EQ(rec.reports.size(), watched.iterations + 1);
  EXPECT_EQ(rec.reports.front().done, 0u);
}

INSTANTIATE_TEST_SUITE_P(Threads, Progress, ::testing::Values(1, 3));

}  // namespace

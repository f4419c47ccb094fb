// SPDX-License-Identifier: MIT
/// Tests of estimate_spread(): exact answers for degenerate graphs, agreement with exact_spread
/// (IC fused and plain paths, LT) within 6 exact sd / sqrt(R), reproducibility, adaptive stopping;
/// the shared driver gives triggering and complex contagion the same guarantees.
#include <gtest/gtest.h>

#include "support.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kolsim/detail/cascade_kernels.hpp"
#include "kolsim/diffusion/competitive.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/diffusion/simulate.hpp"
#include "kolsim/estimate/competitive_estimate.hpp"
#include "kolsim/estimate/complex_estimate.hpp"
#include "kolsim/estimate/exact.hpp"
#include "kolsim/estimate/monte_carlo.hpp"
#include "kolsim/estimate/triggering_estimate.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/graph/generators.hpp"
#include "kolsim/graph/probabilities.hpp"

namespace {

using namespace kolsim;

std::uint64_t test_seed() { return test_support::test_seed("test_monte_carlo", 424242); }
using test_support::make_graph;

/// Random tiny graph. lt = true: weights scaled so each account's in-weights sum to <= 1.
FollowerGraph random_graph(vertex_t n, std::size_t m, std::uint64_t seed, bool lt) {
  std::mt19937_64 gen(seed);
  std::uniform_int_distribution<vertex_t> pick(0, n - 1);
  std::uniform_real_distribution<double> unif(0.05, 0.95);
  std::vector<vertex_t> s, t;
  std::set<std::pair<vertex_t, vertex_t>> seen;
  while (s.size() < m) {
    vertex_t a = pick(gen), b = pick(gen);
    if (a == b || !seen.insert({a, b}).second) continue;
    s.push_back(a);
    t.push_back(b);
  }
  std::vector<double> w(m);
  for (auto& x : w) x = unif(gen);
  if (lt) {
    std::vector<double> sum(n, 0.0);
    for (std::size_t i = 0; i < m; ++i) sum[t[i]] += w[i];
    for (std::size_t i = 0; i < m; ++i) w[i] = w[i] / std::max(1.0, sum[t[i]] * 1.02);
  }
  std::vector<prob_t> p(w.begin(), w.end());
  return build_graph_dense(n, s, t, p);
}

MonteCarloOptions mc(std::uint64_t trials, bool fused = true) {
  MonteCarloOptions o;
  o.trials = trials;
  o.seed = test_seed();
  o.fused = fused;
  o.threads = 1;
  return o;
}

/// |mean - exact| <= 6 sd / sqrt(R) with the exact sd; also checks per-step means (sd bounded by
/// Bhatia-Davis: var <= mu (n - mu)) and per-account probabilities when present.
void expect_matches(const SpreadEstimate& est, const ExactResult& ex, double max_reach, const char* what) {
  const double r = static_cast<double>(est.trials);
  const double tol = 6.0 * std::sqrt(ex.variance) / std::sqrt(r) + 1e-9;
  EXPECT_NEAR(est.mean, ex.spread, tol) << what << " (sd " << std::sqrt(ex.variance) << ", R " << r << ")";
  EXPECT_NEAR(est.std_error, std::sqrt(ex.variance / r), 0.25 * std::sqrt(ex.variance / r) + 1e-9) << what;
  for (std::size_t t = 0; t < std::max(est.new_per_step.size(), ex.new_per_step.size()); ++t) {
    const double e = t < ex.new_per_step.size() ? ex.new_per_step[t] : 0.0;
    const double m = t < est.new_per_step.size() ? est.new_per_step[t] : 0.0;
    const double sd = std::sqrt(std::max(0.0, e * (max_reach - e)));
    EXPECT_NEAR(m, e, 6 * sd / std::sqrt(r) + 1e-9) << what << " step " << t;
  }
  if (!est.activation_probability.empty()) {
    ASSERT_EQ(est.activation_probability.size(), ex.activation_probability.size());
    for (std::size_t v = 0; v < ex.activation_probability.size(); ++v) {
      const double p = ex.activation_probability[v];
      EXPECT_NEAR(est.activation_probability[v], p, 6 * std::sqrt(std::max(0.0, p * (1 - p)) / r) + 1e-9) << what << " account " << v;
    }
  }
}

TEST(WorldCoins, BitsAreBernoulliPAndFixedPerWorld) {
  // Each world's bit is Bernoulli(p), and asking for a subset of worlds gives the same bits.
  const detail::WorldCoins coins(test_seed(), 3);
  const detail::WorldCoins other(test_seed(), 4);
  std::mt19937_64 gen(test_seed());
  for (float p : {0.001f, 0.02f, 0.1f, 0.25f, 1.0f / 3.0f, 0.5f, 0.6f, 0.75f, 0.9f, 0.999f}) {
    const int draws = 20000;
    double bits = 0;
    int first = 0, last = 0, both = 0, across = 0;
    for (int i = 0; i < draws; ++i) {
      const std::uint64_t all = coins.live(static_cast<std::uint64_t>(i), p, ~std::uint64_t{0});
      bits += std::popcount(all);
      first += all & 1;
      last += all >> 63;
      both += (all & 1) && ((all >> 1) & 1);
      across += (all & 1) && (other.live(static_cast<std::uint64_t>(i), p, 1) & 1);
      const std::uint64_t subset = gen();
      ASSERT_EQ(coins.live(static_cast<std::uint64_t>(i), p, subset), all & subset);
    }
    const double pd = p;
    const auto sd = [&](double q) { return 6 * std::sqrt(q * (1 - q) / draws) + 1e-12; };
    EXPECT_NEAR(bits / draws, 64 * pd, 6 * std::sqrt(64 * pd * (1 - pd) / draws)) << "p = " << p;
    EXPECT_NEAR(first / double(draws), pd, sd(pd)) << "p = " << p;
    EXPECT_NEAR(last / double(draws), pd, sd(pd)) << "p = " << p;
    EXPECT_NEAR(both / double(draws), pd * pd, sd(pd * pd)) << "worlds independent, p = " << p;
    EXPECT_NEAR(across / double(draws), pd * pd, sd(pd * pd)) << "batches independent, p = " << p;
  }
  EXPECT_EQ(coins.live(0, 0.0f, ~std::uint64_t{0}), 0u);
  EXPECT_EQ(coins.live(0, 1.0f, 0xF0F0u), 0xF0F0u);
}

TEST(WorldCoins, ThresholdIsFloorOfPTimesTwoTo64) {
  // threshold() reads the float's bits; it must equal floor(p * 2^64) computed in double.
  const auto reference = [](float p) -> std::uint64_t {
    if (!(p > 0.0f)) return 0;
    return static_cast<std::uint64_t>(static_cast<double>(p) * 18446744073709551616.0);
  };
  std::vector<float> ps{0.0f, -0.0f, -0.5f, std::numeric_limits<float>::denorm_min(),
                        std::numeric_limits<float>::min(), 0x1p-64f, 0x1p-41f, 0x1p-40f, 0x1.8p-40f, 0.1f, 0.5f,
                        std::nextafter(0.5f, 0.0f), std::nextafter(1.0f, 0.0f), 1.0f / 3.0f};
  for (std::uint32_t bits = 1; bits < 0x3F800000u; bits += 0x1001u) ps.push_back(std::bit_cast<float>(bits));
  for (float p : ps) EXPECT_EQ(detail::WorldCoins::threshold(p), reference(p)) << "p = " << p;
  EXPECT_EQ(detail::WorldCoins::threshold(std::numeric_limits<float>::quiet_NaN()), 0u);
  EXPECT_EQ(detail::WorldCoins::threshold(std::nextafter(1.0f, 0.0f)), 0xFFFFFF0000000000ull);
}

/// The vector instruction sets of the coin scans that this build and processor run.
std::vector<detail::KernelIsa> vector_isas() {
  std::vector<detail::KernelIsa> out;
  for (auto isa : {detail::KernelIsa::avx2, detail::KernelIsa::avx512})
    if (detail::kernel_isa_supported(isa)) out.push_back(isa);
  return out;
}
void print_vector_isas(const char* what) {
  std::printf("%s tested with: scalar", what);
  for (auto isa : vector_isas()) std::printf(", %s", detail::kernel_isa_name(isa));
  std::printf("\n");
}

TEST(FusedKernel, CoinScansMatchWorldCoinsLive) {
  // The kernel's chunked coin scans (scalar, and AVX2 / AVX-512 where the processor has them) against
  // WorldCoins::live edge by edge: every chunk length up to 64, one world and several, odd
  // probabilities (0, 1, 2^-41, just below 1).
  std::mt19937_64 gen(test_seed());
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  const float odd[] = {0.0f, 1.0f, 0.5f, std::nextafter(1.0f, 0.0f), 1e-9f, 0x1p-41f, 0.999f, 0.1f};
  std::vector<prob_t> prob(64 * 40);
  for (auto& p : prob) p = gen() % 3 ? unit(gen) : odd[gen() % 8];
  const detail::WorldCoins coins(test_seed(), 5);
  print_vector_isas("IC coin scans");
  for (int rep = 0; rep < 400; ++rep) {
    const edge_t c = gen() % (prob.size() - 64);
    const unsigned len = rep < 64 ? rep + 1 : 1 + static_cast<unsigned>(gen() % 64);
    std::uint64_t fm = rep % 3 == 0 ? std::uint64_t{1} << (gen() % 64) : gen() & gen() & gen();
    if (fm == 0) fm = 6;
    std::uint64_t bit_of[64], offset_of[64];
    int k = 0;
    for (std::uint64_t b = fm; b; b &= b - 1, ++k) {
      bit_of[k] = b & (~b + 1);
      offset_of[k] = detail::WorldCoins::world_offset(static_cast<unsigned>(std::countr_zero(b)));
    }
    std::uint64_t want[64], want_any = 0;
    for (unsigned j = 0; j < len; ++j) {
      want[j] = coins.live(c + j, prob[c + j], fm);
      want_any |= static_cast<std::uint64_t>(want[j] != 0) << j;
    }
    SCOPED_TRACE(testing::Message() << "rep " << rep << " len " << len << " worlds " << k);
    std::uint64_t got[64];
    EXPECT_EQ(detail::live_edges_worlds(coins, prob.data(), c, len, k, bit_of, offset_of, fm, got), want_any);
    EXPECT_TRUE(std::equal(want, want + len, got));
    if (k == 1) {
      EXPECT_EQ(detail::live_edges_one_world(coins, prob.data(), c, len, offset_of[0]), want_any);
    }
    for (const auto isa : vector_isas()) {
      SCOPED_TRACE(detail::kernel_isa_name(isa));
      const detail::FusedIcScan scan{coins, prob.data(), isa};
      std::fill(got, got + 64, ~std::uint64_t{0});
      EXPECT_EQ(scan.worlds(c, len, k, bit_of, offset_of, fm, got), want_any);
      EXPECT_TRUE(std::equal(want, want + len, got));
      EXPECT_TRUE(std::all_of(got + len, got + 64, [](std::uint64_t x) { return x == ~std::uint64_t{0}; }));
      if (k == 1) {
        EXPECT_EQ(scan.one(c, len, offset_of[0]), want_any);
      }
    }
  }
}

/// The fused kernel written plainly, one edge at a time in frontier order, each target's state
/// read before its coins are drawn: the definition that detail::run_fused_ic_batch (which
/// defers and prefetches) must reproduce bit for bit.
detail::BatchTally plain_fused_batch(const FollowerGraph& g, std::span<const vertex_t> seeds,
                                     std::span<const prob_t> seed_probs, std::uint64_t seed, std::uint64_t batch,
                                     unsigned worlds, std::uint32_t max_steps, std::span<const double> weights,
                                     std::uint64_t* per_account) {
  const detail::WorldCoins coins(seed, batch);
  const std::uint64_t all = worlds == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << worlds) - 1;
  std::vector<std::uint64_t> visited(g.num_vertices(), 0), next_worlds(g.num_vertices(), 0);
  double reach[64] = {};
  std::uint64_t counts[64] = {};
  detail::BatchTally tally;
  auto activate = [&](vertex_t v, std::uint64_t nw, std::uint32_t step) {
    if (tally.new_per_step.size() <= step) tally.new_per_step.resize(step + 1, 0.0);
    const int c = std::popcount(nw);
    if (per_account) per_account[v] += static_cast<std::uint64_t>(c);
    const double w = weights.empty() ? 1.0 : weights[v];
    tally.new_per_step[step] += weights.empty() ? static_cast<double>(c) : w * c;
    for (std::uint64_t b = nw; b; b &= b - 1) {
      reach[std::countr_zero(b)] += w;
      ++counts[std::countr_zero(b)];
    }
  };
  std::vector<std::pair<vertex_t, std::uint64_t>> frontier;
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    const std::uint64_t posts = seed_probs.empty() ? all : coins.live(g.num_edges() + i, seed_probs[i], all);
    if (!posts) continue;
    visited[seeds[i]] = posts;
    frontier.push_back({seeds[i], posts});
    activate(seeds[i], posts, 0);
  }
  std::sort(frontier.begin(), frontier.end());
  std::uint64_t edges = 0;
  for (std::uint32_t step = 0; !frontier.empty() && step < max_steps; ++step) {
    std::vector<vertex_t> next;
    for (auto [u, fm] : frontier) {
      const auto targets = g.out_neighbors(u);
      const auto probs = g.out_probs(u);
      const edge_t first = g.out_offsets()[u];
      edges += static_cast<std::uint64_t>(std::popcount(fm)) * targets.size();
      for (std::size_t j = 0; j < targets.size(); ++j) {
        const vertex_t v = targets[j];
        const std::uint64_t nw = coins.live(first + j, probs[j], fm & ~visited[v]);
        if (!nw) continue;
        if (!next_worlds[v]) next.push_back(v);
        next_worlds[v] |= nw;
        visited[v] |= nw;
        activate(v, nw, step + 1);
      }
    }
    std::sort(next.begin(), next.end());
    frontier.clear();
    for (vertex_t v : next) {
      frontier.push_back({v, next_worlds[v]});
      next_worlds[v] = 0;
    }
  }
  if (weights.empty())
    for (unsigned w = 0; w < worlds; ++w) reach[w] = static_cast<double>(counts[w]);
  tally.set_reach(reach, worlds);
  tally.edges = edges;
  return tally;
}

TEST(FusedKernel, BitIdenticalToPlainEdgeByEdgeScan) {
  // Heavy-tailed graphs (rows scanned for many worlds at once, p = 1 and p >= 0.5 edges), odd
  // probabilities, a large sparse graph whose cascades stay small (slot-by-slot clean-up), with
  // and without weights, per-account counts, seed probabilities, deadline, partial batches; one
  // workspace per graph reused throughout, so it must also be left clean.
  const std::uint64_t s = test_seed();
  std::vector<FollowerGraph> graphs;
  graphs.push_back(weighted_cascade(chung_lu(3000, 6.0, 2.5, 2.1, s, 1)));
  {
    const FollowerGraph& base = graphs.back();
    std::mt19937_64 gen(s + 1);
    const float odd[] = {0.0f, 1.0f, 0.5f, std::nextafter(1.0f, 0.0f), 1e-9f, 0.999f, 0.03f, 0.25f};
    std::vector<prob_t> p(base.num_edges());
    for (auto& x : p) x = odd[gen() % 8];
    graphs.push_back(base.with_probabilities(std::move(p)));
  }
  graphs.push_back(constant_probability(erdos_renyi(200000, 300000, s + 2, 1), 0.3f));
  for (std::size_t gi = 0; gi < graphs.size(); ++gi) {
    const FollowerGraph& g = graphs[gi];
    const vertex_t n = g.num_vertices();
    std::vector<vertex_t> seeds;
    for (vertex_t v = 0; v < n && seeds.size() < 6; v += n / 7 + 1) seeds.push_back(v);
    std::vector<double> weights(n);
    for (vertex_t v = 0; v < n; ++v) weights[v] = 0.1 + (v % 13) * 0.37;
    const std::vector<prob_t> seed_probs{0.9f, 0.2f, 1.0f, 0.0f, 0.6f, 0.5f};
    detail::FusedIcWorkspace ws(n);
    for (int variant = 0; variant < 6; ++variant) {
      const bool weighted = variant & 1, accounts = variant & 2;
      const std::span<const prob_t> sp = variant >= 4 ? std::span<const prob_t>(seed_probs).first(seeds.size())
                                                      : std::span<const prob_t>{};
      const std::uint32_t max_steps = variant == 3 ? 2 : std::numeric_limits<std::uint32_t>::max();
      const std::span<const double> w = weighted ? std::span<const double>(weights) : std::span<const double>{};
      for (std::uint64_t batch = 0; batch < 3; ++batch) {
        const unsigned worlds = batch == 2 ? 37 : 64;
        std::vector<std::uint64_t> acc_fast(accounts ? n : 0, 0), acc_plain(accounts ? n : 0, 0);
        detail::BatchTally fast;
        detail::run_fused_ic_batch(g, seeds, sp, s, batch, worlds, max_steps, w, ws, fast,
                                   accounts ? acc_fast.data() : nullptr);
        const detail::BatchTally plain =
            plain_fused_batch(g, seeds, sp, s, batch, worlds, max_steps, w, accounts ? acc_plain.data() : nullptr);
        SCOPED_TRACE(testing::Message() << "graph " << gi << " variant " << variant << " batch " << batch);
        EXPECT_EQ(fast.trials, plain.trials);
        EXPECT_EQ(fast.mean, plain.mean);
        EXPECT_EQ(fast.m2, plain.m2);
        EXPECT_EQ(fast.new_per_step, plain.new_per_step);
        EXPECT_EQ(fast.edges, plain.edges);
        EXPECT_EQ(acc_fast, acc_plain);
        EXPECT_GT(plain.edges, 0u);
      }
    }
  }
}

TEST(FusedKernel, RadixSortOfFrontier) {
  std::mt19937_64 gen(test_seed());
  std::vector<vertex_t> buffer;
  for (std::size_t size : {10u, 3000u, 50000u}) {
    for (vertex_t range : {1000u, 3000000u, 4000000000u}) {
      std::vector<vertex_t> a(size);
      for (auto& x : a) x = static_cast<vertex_t>(gen() % range);
      auto expect = a;
      std::sort(expect.begin(), expect.end());
      detail::sort_vertices(a, buffer);
      EXPECT_EQ(a, expect) << size << " " << range;
    }
  }
}

TEST(MonteCarlo, DegenerateProbabilitiesAreExact) {
  auto g = random_graph(60, 240, test_seed(), false);
  std::vector<vertex_t> seeds{0, 10, 20};
  for (bool fused : {true, false}) {
    auto g0 = g.with_probabilities(std::vector<prob_t>(g.num_edges(), 0.0f));
    auto e0 = estimate_spread(g0, IndependentCascade{}, seeds, mc(1000, fused));
    EXPECT_EQ(e0.mean, 3.0);
    EXPECT_EQ(e0.std_error, 0.0);
    EXPECT_EQ(e0.trials, 1000u);
    auto g1 = g.with_probabilities(std::vector<prob_t>(g.num_edges(), 1.0f));
    auto ex = exact_spread(g1, IndependentCascade{}, seeds);  // deterministic: the BFS closure
    auto e1 = estimate_spread(g1, IndependentCascade{}, seeds, mc(1000, fused));
    EXPECT_EQ(e1.mean, ex.spread);
    EXPECT_EQ(e1.std_error, 0.0);
    ASSERT_EQ(e1.new_per_step.size(), ex.new_per_step.size());
    for (std::size_t t = 0; t < ex.new_per_step.size(); ++t) EXPECT_EQ(e1.new_per_step[t], ex.new_per_step[t]);
    // Edges examined: every reached account's out-degree, every trial.
    std::uint64_t deg = 0;
    auto tr = simulate(g1, IndependentCascade{}, seeds, 0);
    for (auto v : tr.activated) deg += g1.out_degree(v);
    EXPECT_EQ(e1.edges_examined, deg * 1000);
  }
  auto g0 = g.with_probabilities(std::vector<prob_t>(g.num_edges(), 0.0f));
  EXPECT_EQ(estimate_spread(g0, LinearThreshold{}, seeds, mc(500)).mean, 3.0);
}

TEST(MonteCarlo, TwoParentGraphSeparatesIcFromLt) {
  const double x = 0.3, y = 0.45;
  auto g = make_graph(3, {{0, 2}, {1, 2}}, {float(x), float(y)});
  std::vector<vertex_t> seeds{0, 1};
  const double xf = float(x), yf = float(y);
  const double pic = 1 - (1 - xf) * (1 - yf), plt = xf + yf;
  const std::uint64_t r = 40000;
  for (bool fused : {true, false}) {
    auto e = estimate_spread(g, IndependentCascade{}, seeds, mc(r, fused));
    EXPECT_NEAR(e.mean, 2 + pic, 6 * std::sqrt(pic * (1 - pic) / r)) << "fused " << fused;
  }
  auto e = estimate_spread(g, LinearThreshold{}, seeds, mc(r));
  EXPECT_NEAR(e.mean, 2 + plt, 6 * std::sqrt(plt * (1 - plt) / r));
}

TEST(MonteCarlo, ManyTrialsAcrossReductionChunks) {
  // More than 2^15 batches: the estimator reduces in chunks; counts and accuracy must hold.
  const double x = double(0.3f), y = double(0.45f);
  auto g = make_graph(3, {{0, 2}, {1, 2}}, {0.3f, 0.45f});
  const std::uint64_t r = 8 * 32768 + 4101;
  auto o = mc(r, false);
  o.threads = 2;
  auto e = estimate_spread(g, LinearThreshold{}, std::vector<vertex_t>{0, 1}, o);
  EXPECT_EQ(e.trials, r);
  EXPECT_NEAR(e.mean, 2 + x + y, 6 * std::sqrt((x + y) * (1 - x - y) / double(r)));
  o.threads = 1;
  EXPECT_EQ(estimate_spread(g, LinearThreshold{}, std::vector<vertex_t>{0, 1}, o).mean, e.mean);
}

TEST(MonteCarlo, PathAndStarClosedForms) {
  const double p = double(0.6f);
  auto path = make_graph(4, {{0, 1}, {1, 2}, {2, 3}}, {0.6f, 0.6f, 0.6f});
  // Reach of a path: 1 + G with G = number of consecutive live edges; E = 1 + p + p^2 + p^3.
  const double mean = 1 + p + p * p + p * p * p;
  double second = 0;  // E[(1 + G)^2]
  for (int k = 0; k <= 3; ++k) second += (k + 1) * (k + 1) * std::pow(p, k) * (k < 3 ? 1 - p : 1.0);
  const double sd = std::sqrt(second - mean * mean);
  const std::uint64_t r = 30000;
  for (bool fused : {true, false}) {
    auto e = estimate_spread(path, IndependentCascade{}, std::vector<vertex_t>{0}, mc(r, fused));
    EXPECT_NEAR(e.mean, mean, 6 * sd / std::sqrt(double(r)));
    // Deadline: within 2 steps the reach is 1 + p + p^2.
    auto o = mc(r, fused);
    o.max_steps = 2;
    auto d = estimate_spread(path, IndependentCascade{}, std::vector<vertex_t>{0}, o);
    const double m2 = 1 + p + p * p;
    EXPECT_NEAR(d.mean, m2, 6 * sd / std::sqrt(double(r)));
    EXPECT_EQ(d.new_per_step.size(), 3u);
  }
  // Star: centre 0 with 5 leaves, p = 0.2: reach 1 + Binomial(5, 0.2).
  const double q = double(0.2f);
  auto star = make_graph(6, {{0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}}, std::vector<prob_t>(5, 0.2f));
  for (bool fused : {true, false}) {
    auto e = estimate_spread(star, IndependentCascade{}, std::vector<vertex_t>{0}, mc(r, fused));
    EXPECT_NEAR(e.mean, 1 + 5 * q, 6 * std::sqrt(5 * q * (1 - q) / r));
  }
}

TEST(MonteCarlo, RandomTinyGraphsMatchExactSpread) {
  const std::uint64_t r = 20000;
  for (int rep = 0; rep < 6; ++rep) {
    for (bool lt : {false, true}) {
      auto g = random_graph(8, 13, test_seed() + 31 * rep + lt, lt);
      std::vector<vertex_t> seeds{static_cast<vertex_t>(rep % 8), static_cast<vertex_t>((rep + 3) % 8)};
      ExactOptions xo;
      MonteCarloOptions o = mc(r);
      o.per_account = true;
      if (rep % 3 == 1) {
        xo.max_steps = o.max_steps = 2;
      }
      if (rep % 3 == 2) {
        xo.seed_probabilities = o.seed_probabilities = {0.7f, 0.4f};
        xo.account_weights = o.account_weights = {1.5, 0.0, 2.0, 1.0, 0.5, 3.0, 1.0, 0.25};
      }
      const double max_reach = rep % 3 == 2 ? 9.25 : 8.0;
      if (!lt) {
        auto ex = exact_spread(g, IndependentCascade{}, seeds, xo);
        o.fused = true;
        expect_matches(estimate_spread(g, IndependentCascade{}, seeds, o), ex, max_reach, "IC fused");
        o.fused = false;
        expect_matches(estimate_spread(g, IndependentCascade{}, seeds, o), ex, max_reach, "IC plain");
      } else {
        auto ex = exact_spread(g, LinearThreshold{}, seeds, xo);
        o.fused = true;
        expect_matches(estimate_spread(g, LinearThreshold{}, seeds, o), ex, max_reach, "LT fused");
        o.fused = false;
        expect_matches(estimate_spread(g, LinearThreshold{}, seeds, o), ex, max_reach, "LT plain");
      }
    }
  }
}

TEST(MonteCarlo, IdenticalForOneAndTwoThreadsAndRepeatedCalls) {
  auto g = random_graph(300, 3000, test_seed() + 7, true);
  std::vector<vertex_t> seeds{1, 2, 3, 4, 5};
  for (int model = 0; model < 4; ++model) {  // IC fused, IC plain, LT plain, LT fused
    MonteCarloOptions o = mc(3000 + 17);  // a partial last batch too
    o.per_account = true;
    o.fused = model == 0 || model == 3;
    auto run = [&](int threads) {
      o.threads = threads;
      return model >= 2 ? estimate_spread(g, LinearThreshold{}, seeds, o)
                        : estimate_spread(g, IndependentCascade{}, seeds, o);
    };
    auto a = run(1), b = run(2), c = run(2), d = run(0);
    for (const auto* x : {&b, &c, &d}) {
      EXPECT_EQ(a.mean, x->mean) << "model " << model;
      EXPECT_EQ(a.std_error, x->std_error);
      EXPECT_EQ(a.trials, x->trials);
      EXPECT_EQ(a.new_per_step, x->new_per_step);
      EXPECT_EQ(a.activation_probability, x->activation_probability);
      EXPECT_EQ(a.edges_examined, x->edges_examined);
    }
    EXPECT_EQ(a.trials, 3017u);
  }
}

// Bit-identical estimates for 1, 3 and 7 threads (odd counts: uneven chunks, idle lanes) for IC
// (fused and plain kernels), LT, with a deadline, and for the competitive estimator (every
// random tie rule draws from the trial's own stream).
TEST(MonteCarlo, IdenticalForOneThreeAndSevenThreads) {
  auto g = random_graph(300, 3000, test_seed() + 8, true);
  const std::vector<vertex_t> seeds{1, 2, 3, 4, 5};
  for (int model = 0; model < 4; ++model) {  // IC fused, IC plain, LT plain, LT fused
    for (std::uint32_t steps : {std::numeric_limits<std::uint32_t>::max(), 2u}) {
      MonteCarloOptions o = mc(2000 + 37);
      o.per_account = true;
      o.fused = model == 0 || model == 3;
      o.max_steps = steps;
      auto run = [&](int threads) {
        o.threads = threads;
        return model >= 2 ? estimate_spread(g, LinearThreshold{}, seeds, o)
                          : estimate_spread(g, IndependentCascade{}, seeds, o);
      };
      const auto a = run(1);
      for (int threads : {3, 7}) {
        const auto b = run(threads);
        EXPECT_EQ(a.mean, b.mean) << "model " << model << ", " << threads << " threads";
        EXPECT_EQ(a.std_error, b.std_error);
        EXPECT_EQ(a.trials, b.trials);
        EXPECT_EQ(a.new_per_step, b.new_per_step);
        EXPECT_EQ(a.activation_probability, b.activation_probability);
        EXPECT_EQ(a.edges_examined, b.edges_examined);
      }
    }
  }
  const FollowerGraph f = uniform_probability(g, 0.05f, 0.4f, test_seed() + 9);
  const FollowerGraph c = uniform_probability(g, 0.0f, 0.3f, test_seed() + 10);
  const std::vector<vertex_t> misleading{1, 2, 3}, corrective{7, 8};
  for (TieRule rule : {TieRule::misleading_wins, TieRule::corrective_wins, TieRule::random}) {
    const CompetitiveIC model(f, c, rule, 1);
    CompetitionOptions co;
    co.trials = 2000 + 37;
    co.seed = test_seed();
    auto run = [&](int threads) {
      co.threads = threads;
      return estimate_competition(model, misleading, corrective, co);
    };
    const CompetitiveEstimate a = run(1);
    for (int threads : {3, 7}) {
      const CompetitiveEstimate b = run(threads);
      for (auto m : {&CompetitiveEstimate::misleading, &CompetitiveEstimate::corrective, &CompetitiveEstimate::saved,
                     &CompetitiveEstimate::misleading_alone}) {
        EXPECT_EQ((a.*m).mean, (b.*m).mean) << threads << " threads";
        EXPECT_EQ((a.*m).std_error, (b.*m).std_error);
      }
      EXPECT_EQ(a.misleading_per_step, b.misleading_per_step);
      EXPECT_EQ(a.corrective_per_step, b.corrective_per_step);
      EXPECT_EQ(a.trials, b.trials);
      EXPECT_EQ(a.edges_examined, b.edges_examined);
    }
  }
}

TEST(MonteCarlo, PlainPathTrialZeroIsSimulate) {
  auto g = random_graph(50, 300, test_seed() + 9, true);
  std::vector<vertex_t> seeds{4, 9};
  for (std::uint64_t s = 0; s < 10; ++s) {
    auto o = mc(1, false);
    o.seed = test_seed() + s;
    auto e = estimate_spread(g, LinearThreshold{}, seeds, o);
    auto t = simulate(g, LinearThreshold{}, seeds, o.seed);
    EXPECT_EQ(e.mean, static_cast<double>(t.activated.size()));
  }
}

TEST(MonteCarlo, TargetRelativeErrorStopsAndMeetsTarget) {
  auto g = random_graph(100, 600, test_seed() + 11, true);
  std::vector<vertex_t> seeds{0, 1};
  for (bool fused : {true, false}) {
    MonteCarloOptions o = mc(256, fused);
    o.target_relative_error = 0.01;
    o.max_trials = 1000000;
    auto e = estimate_spread(g, IndependentCascade{}, seeds, o);
    EXPECT_LE(e.std_error, 0.01 * e.mean);
    EXPECT_LT(e.trials, o.max_trials);
    EXPECT_GE(e.trials, 256u);
    // One round fewer would not have met it (rounds are 1024 trials after the first).
    if (e.trials > 256) {
      MonteCarloOptions fewer = o;
      fewer.target_relative_error = 0;
      fewer.trials = e.trials - 1024;
      auto f = estimate_spread(g, IndependentCascade{}, seeds, fewer);
      EXPECT_GT(f.std_error, 0.01 * f.mean);
    }
    // The cap wins over the target.
    o.target_relative_error = 1e-6;
    o.max_trials = 5000;
    auto c = estimate_spread(g, IndependentCascade{}, seeds, o);
    EXPECT_EQ(c.trials, 5000u);
  }
}

TEST(MonteCarlo, BadInputThrows) {
  auto g = make_graph(3, {{0, 1}, {1, 2}}, {0.5f, 0.5f});
  EXPECT_THROW(estimate_spread(g, IndependentCascade{}, std::vector<vertex_t>{3}, mc(10)), std::out_of_range);
  EXPECT_THROW(estimate_spread(g, IndependentCascade{}, std::vector<vertex_t>{1, 1}, mc(10)), std::invalid_argument);
  EXPECT_THROW(estimate_spread(g, IndependentCascade{}, std::vector<vertex_t>{0}, mc(0)), std::invalid_argument);
  auto o = mc(10);
  o.account_weights = {1.0, 2.0};
  EXPECT_THROW(estimate_spread(g, IndependentCascade{}, std::vector<vertex_t>{0}, o), std::invalid_argument);
  o = mc(10);
  o.seed_probabilities = {0.5f, 0.5f};
  EXPECT_THROW(estimate_spread(g, IndependentCascade{}, std::vector<vertex_t>{0}, o), std::invalid_argument);
  o = mc(10);
  o.target_relative_error = -1;
  EXPECT_THROW(estimate_spread(g, IndependentCascade{}, std::vector<vertex_t>{0}, o), std::invalid_argument);
  o = mc(10);
  o.threads = -1;
  EXPECT_THROW(estimate_spread(g, IndependentCascade{}, std::vector<vertex_t>{0}, o), std::invalid_argument);
}

TEST(MonteCarlo, StopTokenInterrupts) {
  auto g = random_graph(100, 600, test_seed() + 13, true);
  auto o = mc(100000);
  o.stop = [] { return true; };
  EXPECT_THROW(estimate_spread(g, IndependentCascade{}, std::vector<vertex_t>{0}, o), Interrupted);
  int calls = 0;
  o.stop = [&] { return ++calls > 1; };
  o.fused = false;
  EXPECT_THROW(estimate_spread(g, LinearThreshold{}, std::vector<vertex_t>{0}, o), Interrupted);
}

}  // namespace

namespace kolsim {
namespace {

// Issue 15: the LT coin scans (scalar and, when the processor has them, AVX2 / AVX-512) give the same
// bits as their definition, and in every world each account keeps at most one live in-edge. The
// definition is the prefix-sum form of LtIntervals; graphs whose in-rows are uniform are also
// scanned in the rank form, which must give the same starts and the same bits.
void lt_scans_match_definition(const FollowerGraph& g) {
  using Form = detail::LtIntervals::Form;
  const bool uniform = detail::LtIntervals::in_rows_uniform(g, 1);
  const detail::LtIntervals iv(g, 1, Form::starts);
  EXPECT_EQ(detail::LtIntervals(g, 2).ranked(), uniform);
  std::optional<detail::LtIntervals> ranked;
  if (uniform) {
    ranked.emplace(g, 3, Form::ranks);
  } else {
    EXPECT_THROW(detail::LtIntervals(g, 1, Form::ranks), std::invalid_argument);
  }
  const detail::WorldCoins coins(test_seed(), 9);
  const auto tgt = g.out_targets();
  const auto prob = g.edge_probs();
  if (ranked) {
    for (edge_t e = 0; e < g.num_edges(); ++e) {
      ASSERT_EQ(ranked->start_of(e, detail::LtIntervals::length(prob[e])), iv.start()[e]) << "edge " << e;
    }
  }
  const detail::FusedLtScan scalar{coins, prob.data(), tgt.data(), iv.start(), nullptr, detail::KernelIsa::scalar};
  std::vector<detail::FusedLtScan> scans{scalar};
  for (auto isa : vector_isas()) scans.push_back({coins, prob.data(), tgt.data(), iv.start(), nullptr, isa});
  if (ranked) {
    scans.push_back({coins, prob.data(), tgt.data(), nullptr, ranked->rank(), detail::KernelIsa::scalar});
    for (auto isa : vector_isas()) scans.push_back({coins, prob.data(), tgt.data(), nullptr, ranked->rank(), isa});
  }
  print_vector_isas("LT coin scans");
  auto live = [&](edge_t e, unsigned w) {
    const std::uint64_t coin = detail::WorldCoins::mix(scalar.account_key(tgt[e]) + detail::WorldCoins::world_offset(w)) >> 1;
    return scalar.hit(e, coin);
  };
  const edge_t m = g.num_edges();
  for (unsigned w = 0; w < 64; ++w) {
    std::vector<int> kept(g.num_vertices(), 0);
    for (edge_t e = 0; e < m; ++e) kept[tgt[e]] += live(e, w);
    EXPECT_LE(*std::max_element(kept.begin(), kept.end()), 1) << "world " << w;
  }
  std::mt19937_64 gen(test_seed());
  for (int rep = 0; rep < 300; ++rep) {
    const edge_t c = gen() % (m - 64);
    const unsigned len = rep < 64 ? rep + 1 : 1 + static_cast<unsigned>(gen() % 64);
    std::uint64_t fm = rep % 3 == 0 ? std::uint64_t{1} << (gen() % 64) : gen() & gen() & gen();
    if (fm == 0) fm = 6;
    std::uint64_t bit_of[64], offset_of[64];
    int k = 0;
    for (std::uint64_t b = fm; b; b &= b - 1, ++k) {
      bit_of[k] = b & (~b + 1);
      offset_of[k] = detail::WorldCoins::world_offset(static_cast<unsigned>(std::countr_zero(b)));
    }
    std::uint64_t want[64], want_any = 0;
    for (unsigned j = 0; j < len; ++j) {
      want[j] = 0;
      for (std::uint64_t b = fm; b; b &= b - 1)
        if (live(c + j, static_cast<unsigned>(std::countr_zero(b)))) want[j] |= b & (~b + 1);
      want_any |= static_cast<std::uint64_t>(want[j] != 0) << j;
    }
    SCOPED_TRACE(testing::Message() << "rep " << rep << " len " << len << " worlds " << k);
    for (const auto& s : scans) {
      const auto* scan = &s;
      SCOPED_TRACE(testing::Message() << detail::kernel_isa_name(scan->isa) << (scan->rank ? " ranks" : " starts"));
      std::uint64_t got[64];
      EXPECT_EQ(scan->worlds(c, len, k, bit_of, offset_of, fm, got), want_any);
      EXPECT_TRUE(std::equal(want, want + len, got));
      if (k == 1) {
        EXPECT_EQ(scan->one(c, len, offset_of[0]), want_any);
      }
    }
  }
  // Every row piece in all 64 worlds of 4 batches (a cut in-edge's interval is empty in each
  // of them): each scan as the scalar prefix-sum scan, which was checked above.
  std::uint64_t all_bit[64], all_offset[64];
  for (unsigned w = 0; w < 64; ++w) {
    all_bit[w] = std::uint64_t{1} << w;
    all_offset[w] = detail::WorldCoins::world_offset(w);
  }
  const auto off = g.out_offsets();
  std::uint64_t live_found = 0;
  for (std::uint64_t batch = 0; batch < 4; ++batch) {
    const detail::WorldCoins bc(test_seed() + 1, batch);
    const detail::FusedLtScan base{bc, prob.data(), tgt.data(), iv.start(), nullptr, detail::KernelIsa::scalar};
    std::vector<detail::FusedLtScan> others;
    for (const auto& s : scans) others.push_back({bc, s.prob, s.tgt, s.start, s.rank, s.isa});
    for (vertex_t u = 0; u < g.num_vertices(); ++u)
      for (edge_t c = off[u]; c < off[u + 1]; c += 64) {
        const auto len = static_cast<unsigned>(std::min<edge_t>(64, off[u + 1] - c));
        std::uint64_t want[64], got[64];
        const std::uint64_t want_any = base.worlds(c, len, 64, all_bit, all_offset, ~std::uint64_t{0}, want);
        const std::uint64_t want_one = base.one(c, len, all_offset[batch]);
        live_found += static_cast<std::uint64_t>(std::popcount(want_any));
        for (const auto& scan : others) {
          SCOPED_TRACE(testing::Message() << "batch " << batch << " row " << u << " piece " << c << ' '
                                          << detail::kernel_isa_name(scan.isa) << (scan.rank ? " ranks" : " starts"));
          ASSERT_EQ(scan.worlds(c, len, 64, all_bit, all_offset, ~std::uint64_t{0}, got), want_any);
          ASSERT_TRUE(std::equal(want, want + len, got));
          ASSERT_EQ(scan.one(c, len, all_offset[batch]), want_one);
        }
      }
  }
  // Some edges are live unless every weight is 0 or below 1e-6 (p = 0 and p = 1e-30 below).
  if (std::any_of(prob.begin(), prob.end(), [](prob_t p) { return p > 1e-6f; })) {
    EXPECT_GT(live_found, 0u);
  }
}

TEST(FusedKernel, LtScansMatchDefinitionAndKeepOneInEdge) {
  const FollowerGraph lt_graph = random_graph(60, 1500, test_seed() + 41, true);
  // In-weights summing to more than 1 (intervals cut at 2^63) and weights >= 1 too.
  std::vector<prob_t> heavy(lt_graph.edge_probs().begin(), lt_graph.edge_probs().end());
  for (std::size_t e = 0; e < heavy.size(); ++e) heavy[e] = e % 17 == 0 ? 1.0f : std::min(1.0f, heavy[e] * 3.0f);
  const FollowerGraph heavy_graph = lt_graph.with_probabilities(std::move(heavy));
  for (const FollowerGraph* g : {&lt_graph, &heavy_graph}) lt_scans_match_definition(*g);
}

// The rank form of LtIntervals (uniform in-rows): weighted cascade as a stored array, constants
// whose rows sum past 1 (intervals cut at 2^63: past_end ranks), 1, 0 and a tiny weight; each
// scanned as the prefix-sum form is, and estimate_spread picks it and gives its bits.
TEST(FusedKernel, LtRankFormGivesThePrefixSumStarts) {
  const FollowerGraph base = random_graph(60, 1500, test_seed() + 43, true);
  std::vector<prob_t> wc(base.num_edges());
  const auto tgt = base.out_targets();
  for (edge_t e = 0; e < base.num_edges(); ++e) wc[e] = weighted_cascade_probability(base.in_degree(tgt[e]));
  std::vector<FollowerGraph> graphs;
  graphs.push_back(base.with_probabilities(std::move(wc)));
  for (prob_t p : {0.3f, 0.07f, 1.0f, 0.0f, 1e-30f})
    graphs.push_back(base.with_probabilities(std::vector<prob_t>(base.num_edges(), p)));
  // One weight per in-row, drawn per account from [0.02, 0.9): rows cut at different ranks.
  std::vector<prob_t> per_row(base.num_edges());
  std::mt19937_64 gen(test_seed() + 44);
  std::vector<prob_t> of_account(base.num_vertices());
  for (auto& w : of_account) w = static_cast<prob_t>(0.02 + 0.88 * std::uniform_real_distribution<double>()(gen));
  for (edge_t e = 0; e < base.num_edges(); ++e) per_row[e] = of_account[tgt[e]];
  graphs.push_back(base.with_probabilities(std::move(per_row)));
  // 100 hubs of 300 followers, hub h's in-weight 0.0034 + h 0.000005 (below 2^-8, so the
  // lengths have low bits set and a cut edge's rank x length is no multiple of 2^32: the scans
  // must mask it), cut from rank 257 .. 295.
  {
    std::vector<std::pair<vertex_t, vertex_t>> edges;
    std::vector<prob_t> w;
    for (vertex_t u = 0; u < 300; ++u)
      for (vertex_t h = 0; h < 100; ++h) {
        edges.push_back({u, 300 + h});
        w.push_back(0.0034f + static_cast<prob_t>(h) * 0.000005f);
      }
    graphs.push_back(make_graph(400, edges, w));
  }
  std::size_t past_end = 0;
  for (const auto& g : graphs) {
    SCOPED_TRACE(testing::Message() << "p[0] = " << g.edge_probs()[0]);
    ASSERT_TRUE(detail::LtIntervals::in_rows_uniform(g, 2));
    const detail::LtIntervals iv(g, 1);
    ASSERT_TRUE(iv.ranked());
    past_end += static_cast<std::size_t>(
        std::count(iv.rank(), iv.rank() + g.num_edges(), detail::LtIntervals::past_end));
    lt_scans_match_definition(g);
  }
  EXPECT_GE(past_end, 100 * 5u);  // in-rows cut (in-degree > 1 / p; each hub's last 5 .. 43 edges)
  // Whole batches: the fused LT kernel gives the same tallies (every step's sum, the reach
  // moments, per-account counts) over either form.
  for (const auto& g : graphs) {
    const detail::LtIntervals ranks(g, 2), starts(g, 1, detail::LtIntervals::Form::starts);
    detail::FusedIcWorkspace ws(g.num_vertices());
    const std::vector<vertex_t> seeds{0, 7, 19};
    for (std::uint64_t batch = 0; batch < 3; ++batch) {
      detail::BatchTally a, b;
      std::vector<std::uint64_t> pa(g.num_vertices()), pb(g.num_vertices());
      detail::run_fused_lt_batch(g, ranks, seeds, {}, test_seed(), batch, 64, 1000, {}, ws, a, pa.data());
      detail::run_fused_lt_batch(g, starts, seeds, {}, test_seed(), batch, 64, 1000, {}, ws, b, pb.data());
      EXPECT_EQ(std::bit_cast<std::uint64_t>(a.mean), std::bit_cast<std::uint64_t>(b.mean));
      EXPECT_EQ(std::bit_cast<std::uint64_t>(a.m2), std::bit_cast<std::uint64_t>(b.m2));
      EXPECT_EQ(a.new_per_step, b.new_per_step);
      EXPECT_EQ(a.edges, b.edges);
      EXPECT_EQ(pa, pb);
    }
  }
}

// Issue 15 goal 7: estimate_spread gives the same bits whichever coin-scan instruction set
// force_kernel_isa() picks (each one this processor runs) as the scalar scans, for IC and LT on
// random graphs, with and without deadline, account weights, seed probabilities, per-account
// probabilities, and a partial last batch.
TEST(FusedKernel, EveryKernelIsaGivesScalarBits) {
  struct Reset {
    ~Reset() { detail::force_kernel_isa(std::nullopt); }
  } reset;
  EXPECT_EQ(detail::kernel_isa(), vector_isas().empty() ? detail::KernelIsa::scalar : vector_isas().back());
  print_vector_isas("estimate_spread");
  for (int rep = 0; rep < 4; ++rep) {
    const bool lt = rep & 1;
    const vertex_t n = rep < 2 ? 400 : 3000;
    const FollowerGraph g =
        lt ? random_graph(n, n * 9, test_seed() + 70 + rep, true)
           : weighted_cascade(chung_lu(n, 8.0, 2.5, 2.1, test_seed() + 70 + rep, 1));
    const std::vector<vertex_t> seeds{0, 1, static_cast<vertex_t>(n / 2), static_cast<vertex_t>(n - 1)};
    for (int variant = 0; variant < 3; ++variant) {
      MonteCarloOptions o = mc(640 + 23);
      o.seed = test_seed() + rep;
      o.per_account = variant != 0;
      if (variant == 1) o.max_steps = 2;
      if (variant == 2) {
        o.seed_probabilities = {0.9f, 0.4f, 1.0f, 0.7f};
        o.account_weights.resize(n);
        for (vertex_t v = 0; v < n; ++v) o.account_weights[v] = 0.25 + (v % 7) * 0.5;
      }
      auto run = [&](detail::KernelIsa isa) {
        detail::force_kernel_isa(isa);
        EXPECT_EQ(detail::kernel_isa(), isa);
        return lt ? estimate_spread(g, LinearThreshold{}, seeds, o) : estimate_spread(g, IndependentCascade{}, seeds, o);
      };
      const SpreadEstimate want = run(detail::KernelIsa::scalar);
      EXPECT_GT(want.edges_examined, 0u);
      for (auto isa : vector_isas()) {
        SCOPED_TRACE(testing::Message() << detail::kernel_isa_name(isa) << " rep " << rep << " variant " << variant);
        const SpreadEstimate got = run(isa);
        EXPECT_EQ(std::bit_cast<std::uint64_t>(got.mean), std::bit_cast<std::uint64_t>(want.mean));
        EXPECT_EQ(std::bit_cast<std::uint64_t>(got.std_error), std::bit_cast<std::uint64_t>(want.std_error));
        EXPECT_EQ(got.trials, want.trials);
        EXPECT_EQ(got.new_per_step, want.new_per_step);
        EXPECT_EQ(got.activation_probability, want.activation_probability);
        EXPECT_EQ(got.edges_examined, want.edges_examined);
      }
    }
  }
  detail::force_kernel_isa(std::nullopt);
  EXPECT_EQ(detail::kernel_isa(), vector_isas().empty() ? detail::KernelIsa::scalar : vector_isas().back());
}

}  // namespace
}  // namespace kolsim

// Triggering and complex contagion run on the same Monte Carlo driver as IC and LT
// (detail::run_monte_carlo): thread invariance at 1, 3 and 7 threads, progress reports, the
// adaptive mode and the back-end hook hold for them too.
namespace {

using namespace kolsim;

/// Calls f(model, name) for every model with its own batch runner besides IC and LT.
template <class F>
void for_each_other_model(F&& f) {
  f(TriggeringModel<IcTriggering>{}, "triggering ic");
  f(TriggeringModel<LtTriggering>{}, "triggering lt");
  f(TriggeringModel<UniformTriggering>{{1}}, "triggering uniform-1");
  f(ComplexContagion::k_exposure(2, 0.5), "2-exposure");
  f(ComplexContagion::fractional(0.1, 0.7), "fraction 0.1");
}

void expect_identical(const SpreadEstimate& a, const SpreadEstimate& b, const std::string& what) {
  EXPECT_EQ(a.mean, b.mean) << what;
  EXPECT_EQ(a.std_error, b.std_error) << what;
  EXPECT_EQ(a.trials, b.trials) << what;
  EXPECT_EQ(a.new_per_step, b.new_per_step) << what;
  EXPECT_EQ(a.activation_probability, b.activation_probability) << what;
  EXPECT_EQ(a.edges_examined, b.edges_examined) << what;
}

/// A back end that keeps every batch in this process and counts the calls.
struct CountingShare : detail::BatchShare {
  int ranges = 0, exchanges = 0, sums = 0;
  void range(std::uint64_t batches, std::uint64_t& lo, std::uint64_t& hi) override {
    ++ranges;
    lo = 0;
    hi = batches;
  }
  bool exchange(std::span<detail::BatchTally>, std::uint64_t, std::uint64_t, bool stopped) override {
    ++exchanges;
    return stopped;
  }
  void sum(std::span<std::uint64_t>) override { ++sums; }
};

const FollowerGraph& driver_graph() {
  static const FollowerGraph g = random_graph(300, 3000, test_seed() + 40, true);
  return g;
}
const std::vector<vertex_t> driver_seeds{1, 2, 3, 4};

}  // namespace

TEST(MonteCarloDriver, OtherModelsIdenticalForOneThreeAndSevenThreads) {
  const FollowerGraph& g = driver_graph();
  std::vector<double> weights(g.num_vertices());
  for (vertex_t v = 0; v < g.num_vertices(); ++v) weights[v] = 0.25 + (v % 5);
  for_each_other_model([&](const auto& model, const std::string& name) {
    for (int variant = 0; variant < 3; ++variant) {
      MonteCarloOptions o = mc(2000 + 37, false);
      o.per_account = true;
      if (variant == 1) {
        o.max_steps = 2;
        o.account_weights = weights;
      }
      if (variant == 2) {  // adaptive: the stopping decision must not depend on the thread count
        o.trials = 100;
        o.target_relative_error = 0.004;
        o.max_trials = 6000;
      }
      auto run = [&](int threads) {
        o.threads = threads;
        return estimate_spread(g, model, driver_seeds, o);
      };
      const SpreadEstimate a = run(1);
      EXPECT_GT(a.std_error, 0.0) << name;
      for (int threads : {3, 7})
        expect_identical(a, run(threads), name + ", variant " + std::to_string(variant) + ", " + std::to_string(threads) +
                                              " threads");
    }
  });
}

TEST(MonteCarloDriver, OtherModelsReportProgress) {
  const FollowerGraph& g = driver_graph();
  for_each_other_model([&](const auto& model, const std::string& name) {
    for (bool adaptive : {false, true}) {
      std::vector<std::uint64_t> done, total;
      MonteCarloOptions o = mc(3000, false);
      o.threads = 2;
      if (adaptive) {
        o.target_relative_error = 1e-9;  // not met (checked below): runs to the cap
        o.max_trials = 5000;
      }
      o.progress = [&](std::string_view phase, std::uint64_t d, std::uint64_t t) {
        EXPECT_EQ(phase, "trials") << name;
        done.push_back(d);
        total.push_back(t);
      };
      const SpreadEstimate e = estimate_spread(g, model, driver_seeds, o);
      const std::uint64_t asked = adaptive ? 5000 : 3000;
      EXPECT_EQ(e.trials, asked) << name;
      ASSERT_FALSE(done.empty()) << name;
      EXPECT_TRUE(std::is_sorted(done.begin(), done.end())) << name;
      EXPECT_EQ(done.back(), asked) << name;
      for (std::size_t i = 0; i < done.size(); ++i) {
        EXPECT_EQ(total[i], asked) << name;
        EXPECT_LE(done[i], total[i]) << name;
      }
    }
  });
}

TEST(MonteCarloDriver, OtherModelsAdaptiveModeMeetsTargetAndRepeatsFixedRun) {
  const FollowerGraph& g = driver_graph();
  for_each_other_model([&](const auto& model, const std::string& name) {
    MonteCarloOptions o = mc(64, false);
    o.threads = 2;
    // A target a few rounds away: an eighth of the first round's relative standard error.
    const SpreadEstimate first = estimate_spread(g, model, driver_seeds, o);
    ASSERT_GT(first.std_error, 0.0) << name;
    const double target = first.std_error / first.mean / 8;
    o.target_relative_error = target;
    o.max_trials = 1000000;
    const SpreadEstimate e = estimate_spread(g, model, driver_seeds, o);
    EXPECT_LE(e.std_error, target * e.mean) << name;
    EXPECT_GT(e.trials, 64u + detail::mc_adaptive_round) << name;
    EXPECT_EQ((e.trials - 64) % detail::mc_adaptive_round, 0u) << name;
    // Trial i draws from stream i: a fixed run of as many trials is the same estimate, and one
    // round fewer would not have met the target.
    MonteCarloOptions fixed = o;
    fixed.target_relative_error = 0;
    fixed.trials = e.trials;
    expect_identical(e, estimate_spread(g, model, driver_seeds, fixed), name);
    fixed.trials = e.trials - detail::mc_adaptive_round;
    const SpreadEstimate f = estimate_spread(g, model, driver_seeds, fixed);
    EXPECT_GT(f.std_error, target * f.mean) << name;
    // The cap wins over the target.
    o.target_relative_error = 1e-9;
    o.max_trials = 700;
    EXPECT_EQ(estimate_spread(g, model, driver_seeds, o).trials, 700u) << name;
  });
}

TEST(MonteCarloDriver, OtherModelsUseTheBackEndHookAndStopToken) {
  const FollowerGraph& g = driver_graph();
  for_each_other_model([&](const auto& model, const std::string& name) {
    MonteCarloOptions o = mc(1000, false);
    o.threads = 2;
    o.per_account = true;
    const SpreadEstimate plain = estimate_spread(g, model, driver_seeds, o);
    CountingShare share;
    o.share = &share;
    expect_identical(plain, estimate_spread(g, model, driver_seeds, o), name);
    EXPECT_GE(share.ranges, 1) << name;
    EXPECT_EQ(share.exchanges, share.ranges) << name;
    EXPECT_EQ(share.sums, 1) << name;
    o.share = nullptr;
    int calls = 0;
    o.trials = 200000;
    o.stop = [&] { return ++calls > 3; };  // asked a few times, then stops
    EXPECT_THROW(estimate_spread(g, model, driver_seeds, o), Interrupted) << name;
  });
}

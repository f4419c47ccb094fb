// SPDX-License-Identifier: MIT
/// Tests of implicit probabilities (weighted cascade and constant stored without bytes per edge):
/// every reader, estimator and selector gives the bits it gives on the explicit arrays, RR-based
/// selection never materialises them, snapshots round-trip them (format 3) and memory drops.
#include <gtest/gtest.h>

#include "support.hpp"

#include <kolsim/campaign/plan.hpp>
#include <kolsim/campaign/prefix_reach.hpp>
#include <kolsim/campaign/roster.hpp>
#include <kolsim/diffusion/continuous.hpp>
#include <kolsim/estimate/competitive_estimate.hpp>
#include <kolsim/estimate/continuous_rr.hpp>
#include <kolsim/estimate/exact.hpp>
#include <kolsim/estimate/monte_carlo.hpp>
#include <kolsim/estimate/rr_sets.hpp>
#include <kolsim/graph/generators.hpp>
#include <kolsim/graph/probabilities.hpp>
#include <kolsim/io/snapshot.hpp>
#include <kolsim/kolsim.hpp>
#include <kolsim/select/blocking.hpp>
#include <kolsim/select/greedy.hpp>
#include <kolsim/select/imm.hpp>
#include <kolsim/select/opim.hpp>

#include <bit>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

using namespace kolsim;

namespace {

std::uint64_t test_seed() { return test_support::test_seed("test_implicit_probs", 151515ULL); }

/// The explicit graph the old weighted_cascade() built: 1 / indeg(target) per out-edge.
FollowerGraph explicit_wc(const FollowerGraph& g) {
  std::vector<prob_t> p(g.num_edges());
  const auto tgt = g.out_targets();
  for (edge_t e = 0; e < g.num_edges(); ++e) p[e] = 1.0f / static_cast<prob_t>(g.in_degree(tgt[e]));
  return g.with_probabilities(std::move(p));
}

FollowerGraph explicit_constant(const FollowerGraph& g, prob_t c) {
  return g.with_probabilities(std::vector<prob_t>(g.num_edges(), c));
}

/// A graph with hubs (in-degrees beyond the RR sampler's weighted-cascade table), parallel
/// edges and accounts without in-edges.
FollowerGraph topology(vertex_t n, double degree, std::uint64_t seed) {
  return chung_lu(n, degree, 2.5, 2.1, seed, 1);
}

void expect_same_bits(std::span<const prob_t> a, std::span<const prob_t> b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i)
    ASSERT_EQ(std::bit_cast<std::uint32_t>(a[i]), std::bit_cast<std::uint32_t>(b[i])) << what << " at " << i;
}

void expect_same_rows(const FollowerGraph& imp, const FollowerGraph& ex) {
  for (vertex_t v = 0; v < ex.num_vertices(); ++v) {
    const auto a = imp.out_probs(v), b = ex.out_probs(v);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
      ASSERT_EQ(std::bit_cast<std::uint32_t>(a[i]), std::bit_cast<std::uint32_t>(b[i])) << "out row " << v;
    const auto c = imp.in_probs(v), d = ex.in_probs(v);
    ASSERT_EQ(c.size(), d.size());
    std::size_t i = 0;
    for (prob_t x : c) ASSERT_EQ(std::bit_cast<std::uint32_t>(x), std::bit_cast<std::uint32_t>(d[i++])) << v;
    for (std::size_t j = 0; j < a.size(); ++j) {
      const edge_t e = ex.out_offsets()[v] + j;
      ASSERT_EQ(std::bit_cast<std::uint32_t>(imp.out_edge_prob(e, ex.out_targets()[e])),
                std::bit_cast<std::uint32_t>(b[j]));
    }
  }
}

/// Pairs (implicit, explicit) of every kind the tests run.
std::vector<std::pair<FollowerGraph, FollowerGraph>> pairs(const FollowerGraph& g) {
  return {{weighted_cascade(g), explicit_wc(g)},
          {constant_probability(g, 0.05f), explicit_constant(g, 0.05f)},   // geometric skips
          {constant_probability(g, 0.4f), explicit_constant(g, 0.4f)},     // a coin per edge
          {constant_probability(g, 1.0f), explicit_constant(g, 1.0f)},     // all live
          {constant_probability(g, 0.0f), explicit_constant(g, 0.0f)}};    // none live
}

}  // namespace

TEST(ImplicitProbs, KindsRowsAndArraysMatchTheExplicitValues) {
  const auto g = topology(3000, 12, test_seed());
  for (const auto& [imp, ex] : pairs(g)) {
    EXPECT_TRUE(imp.implicit_probabilities());
    EXPECT_TRUE(imp.has_probabilities());
    EXPECT_FALSE(ex.implicit_probabilities());
    expect_same_rows(imp, ex);
    EXPECT_EQ(imp.probabilities_materialised(), 0);
    expect_same_bits(imp.edge_probs(), ex.edge_probs(), "out order");
    EXPECT_EQ(imp.probabilities_materialised(), 1);
    expect_same_bits(imp.in_edge_probs(), ex.in_edge_probs(), "in order");
    EXPECT_EQ(imp.probabilities_materialised(), 2);
    const auto back = imp.with_explicit_probabilities();
    EXPECT_FALSE(back.implicit_probabilities());
    expect_same_bits(back.in_edge_probs(), ex.in_edge_probs(), "explicit copy");
  }
  EXPECT_EQ(weighted_cascade(g).probability_kind(), ProbabilityKind::weighted_cascade);
  EXPECT_EQ(constant_probability(g, 0.25f).constant_probability_value(), 0.25f);
  EXPECT_THROW(constant_probability(g, 1.5f), std::invalid_argument);
}

TEST(ImplicitProbs, MeanProbabilityOfImplicitKindsWithoutAPassOverTheEdges) {
  const auto g = topology(3000, 12, test_seed() + 7);
  for (const auto& [imp, ex] : pairs(g)) {
    const double want = ex.mean_edge_probability();  // the floats summed edge by edge
    EXPECT_NEAR(imp.mean_edge_probability(), want, 1e-12 * std::max(want, 1.0));
    EXPECT_EQ(imp.probabilities_materialised(), 0);
  }
  // Weighted cascade: the in-edges of each account with followers sum to 1 (up to the float
  // rounding of 1/d), so the mean is (accounts with in-degree > 0) / m.
  const auto wc = weighted_cascade(g);
  double with_followers = 0;
  for (vertex_t v = 0; v < g.num_vertices(); ++v) with_followers += g.in_degree(v) > 0 ? 1.0 : 0.0;
  EXPECT_NEAR(wc.mean_edge_probability(), with_followers / static_cast<double>(g.num_edges()), 1e-7);
  EXPECT_EQ(constant_probability(g, 0.3f).mean_edge_probability(), static_cast<double>(0.3f));
  EXPECT_EQ(g.mean_edge_probability(), 0.0);  // no probabilities
}

TEST(ImplicitProbs, MemoryBytesDropsEightBytesPerEdge) {
  const auto g = topology(5000, 10, test_seed() + 1);
  const auto imp = weighted_cascade(g), ex = explicit_wc(g);
  EXPECT_EQ(imp.memory_bytes(), g.memory_bytes());
  EXPECT_GE(ex.memory_bytes(), imp.memory_bytes() + 2 * sizeof(prob_t) * g.num_edges());
  EXPECT_EQ(constant_probability(g, 0.1f).memory_bytes(), g.memory_bytes());
}

TEST(ImplicitProbs, MonteCarloIcAndLtSpreadAreBitIdentical) {
  const auto g = topology(2000, 8, test_seed() + 2);
  const std::vector<vertex_t> seeds = {0, 1, 2, 17, 99};
  for (const auto& [imp, ex] : pairs(g)) {
    for (bool fused : {true, false}) {
      MonteCarloOptions o;
      o.trials = 500;
      o.seed = test_seed();
      o.fused = fused;
      o.threads = 2;
      const auto a = estimate_spread(imp, IndependentCascade{}, seeds, o);
      const auto b = estimate_spread(ex, IndependentCascade{}, seeds, o);
      EXPECT_EQ(a.mean, b.mean);
      EXPECT_EQ(a.std_error, b.std_error);
      EXPECT_EQ(a.new_per_step, b.new_per_step);
    }
  }
  // LT: weighted cascade is the classic normalised LT weighting.
  MonteCarloOptions o;
  o.trials = 500;
  o.seed = test_seed();
  const auto a = estimate_spread(weighted_cascade(g), LinearThreshold{}, seeds, o);
  const auto b = estimate_spread(explicit_wc(g), LinearThreshold{}, seeds, o);
  EXPECT_EQ(a.mean, b.mean);
  EXPECT_EQ(a.std_error, b.std_error);
}

TEST(ImplicitProbs, ExactSpreadIsBitIdentical) {
  const auto g = test_support::tiny_graph(9, 14, test_seed() + 3, false);
  const std::vector<vertex_t> seeds = {0, 4};
  for (const auto& [imp, ex] : pairs(g)) {
    EXPECT_EQ(exact_spread(imp, IndependentCascade{}, seeds).spread,
              exact_spread(ex, IndependentCascade{}, seeds).spread);
  }
  EXPECT_EQ(exact_spread(weighted_cascade(g), LinearThreshold{}, seeds).spread,
            exact_spread(explicit_wc(g), LinearThreshold{}, seeds).spread);
}

TEST(ImplicitProbs, RRSetsImmAndOpimAreBitIdenticalWithoutMaterialising) {
  const auto g = topology(4000, 10, test_seed() + 4);
  for (const auto& [imp, ex] : pairs(g)) {
    RRCollection ra, rb;
    sample_rr_sets(imp, IndependentCascade{}, test_seed(), domain::rr_set, 0, 3000, ra, {});
    sample_rr_sets(ex, IndependentCascade{}, test_seed(), domain::rr_set, 0, 3000, rb, {});
    ASSERT_EQ(ra.size(), rb.size());
    EXPECT_TRUE(std::equal(ra.nodes().begin(), ra.nodes().end(), rb.nodes().begin(), rb.nodes().end()));
    if (imp.constant_probability_value() >= 1.0f) continue;  // every RR set is a whole ancestry: slow

    OpimOptions oo;
    oo.epsilon = 0.3;
    oo.seed = test_seed();
    oo.threads = 2;
    const auto a = opim_c(imp, IndependentCascade{}, 10, oo);
    const auto b = opim_c(ex, IndependentCascade{}, 10, oo);
    EXPECT_EQ(a.seeds, b.seeds);
    EXPECT_EQ(a.rr_sets, b.rr_sets);
    EXPECT_EQ(a.spread, b.spread);
    ImmOptions io;
    io.epsilon = 0.3;
    io.seed = test_seed();
    const auto c = imm(imp, IndependentCascade{}, 10, io);
    const auto d = imm(ex, IndependentCascade{}, 10, io);
    EXPECT_EQ(c.seeds, d.seeds);
    EXPECT_EQ(c.rr_sets, d.rr_sets);
    EXPECT_EQ(c.spread, d.spread);
    EXPECT_EQ(imp.probabilities_materialised(), 0) << "RR-based selection must not build the arrays";
  }
  // LT under weighted cascade.
  const auto imp = weighted_cascade(g), ex = explicit_wc(g);
  OpimOptions oo;
  oo.epsilon = 0.3;
  oo.seed = test_seed();
  const auto a = opim_c(imp, LinearThreshold{}, 10, oo);
  const auto b = opim_c(ex, LinearThreshold{}, 10, oo);
  EXPECT_EQ(a.seeds, b.seeds);
  EXPECT_EQ(a.spread, b.spread);
  EXPECT_EQ(imp.probabilities_materialised(), 0);
}

TEST(ImplicitProbs, CampaignPlanIsBitIdentical) {
  struct Reset {
    ~Reset() { detail::implicit_scan_min_edges = edge_t{1} << 28; }
  } reset;
  detail::implicit_scan_min_edges = 0;  // the spread check scans weighted cascade implicitly too
  const auto g = topology(600, 6, test_seed() + 5);
  std::vector<account_t> acc(g.accounts().begin(), g.accounts().end());
  std::vector<double> fee(acc.size()), risk(acc.size(), 0.0);
  for (std::size_t i = 0; i < fee.size(); ++i) fee[i] = 1.0 + static_cast<double>(i % 5);
  CampaignSpec spec;
  spec.budget = 12.0;
  spec.seed = test_seed();
  spec.check_trials = 300;
  const auto imp = weighted_cascade(g), ex = explicit_wc(g);
  const CampaignPlan a = plan_campaign(imp, IndependentCascade{}, Roster::from_arrays(imp, acc, fee, risk), spec);
  const CampaignPlan b = plan_campaign(ex, IndependentCascade{}, Roster::from_arrays(ex, acc, fee, risk), spec);
  ASSERT_EQ(a.kols.size(), b.kols.size());
  for (std::size_t i = 0; i < a.kols.size(); ++i) EXPECT_EQ(a.kols[i].account, b.kols[i].account);
  EXPECT_EQ(a.reach, b.reach);
  EXPECT_EQ(a.reach_rr, b.reach_rr);
  EXPECT_EQ(a.graph_checksum, b.graph_checksum);
  EXPECT_EQ(imp.probabilities_materialised(), 0) << "the planner (selection and its Monte Carlo check)";
}

TEST(ImplicitProbs, SnapshotRoundTripKeepsTheKindAndTheChecksum) {
  const auto g = topology(3000, 9, test_seed() + 6);
  const auto dir = std::filesystem::temp_directory_path() /
                   ("kolsim_implicit_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const auto& [imp, ex] : pairs(g)) {
    const std::string fi = (dir / "imp.kgs").string(), fe = (dir / "ex.kgs").string();
    save_snapshot(imp, fi);
    save_snapshot(ex, fe);
    EXPECT_EQ(imp.probabilities_materialised(), 0) << "saving must not build the arrays";
    EXPECT_GE(std::filesystem::file_size(fe), std::filesystem::file_size(fi) + 2 * g.num_edges() * sizeof(prob_t));
    SnapshotReport ri, re;
    const auto li = load_snapshot(fi, 2, &ri);
    const auto le = load_snapshot(fe, 2, &re);
    EXPECT_EQ(ri.version, 3u);
    EXPECT_EQ(re.version, 2u);  // explicit graphs keep the format earlier builds read
    EXPECT_TRUE(ri.mapped);
    EXPECT_EQ(li.probability_kind(), imp.probability_kind());
    EXPECT_EQ(li.constant_probability_value(), imp.constant_probability_value());
    expect_same_rows(li, ex);
    EXPECT_EQ(graph_checksum(li, 1), graph_checksum(ex, 2));
    EXPECT_EQ(graph_checksum(imp, 2), graph_checksum(le, 1));
    EXPECT_EQ(li.probabilities_materialised(), 0) << "checksum must not build the arrays";
  }
  // A version-3 header with two probability kinds, or a constant outside [0, 1], is refused.
  const std::string f = (dir / "bad.kgs").string();
  save_snapshot(constant_probability(g, 0.5f), f);
  auto patch = [&](std::size_t at, std::uint32_t value) {
    std::fstream io(f, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(static_cast<std::streamoff>(at));
    io.write(reinterpret_cast<const char*>(&value), sizeof value);
  };
  patch(12, 4u | 2u);  // flags
  EXPECT_THROW(load_snapshot(f), ParseError);
  patch(12, 4u);
  patch(44, std::bit_cast<std::uint32_t>(2.0f));  // reserved0: the constant
  EXPECT_THROW(load_snapshot(f), ParseError);
  std::filesystem::remove_all(dir);
}

namespace {

/// The coin-scan instruction sets this build and processor run (scalar first).
std::vector<detail::KernelIsa> supported_isas() {
  std::vector<detail::KernelIsa> out;
  for (auto isa : {detail::KernelIsa::scalar, detail::KernelIsa::avx2, detail::KernelIsa::avx512})
    if (detail::kernel_isa_supported(isa)) out.push_back(isa);
  return out;
}

}  // namespace

namespace {

/// Pairs (implicit, explicit) a Linear Threshold accepts (in-weights summing to at most 1): weighted
/// cascade (the classic LT weighting), 1 / (largest in-degree) and 0.
std::vector<std::pair<FollowerGraph, FollowerGraph>> lt_pairs(const FollowerGraph& g) {
  edge_t most = 1;
  for (vertex_t v = 0; v < g.num_vertices(); ++v) most = std::max(most, g.in_degree(v));
  const prob_t c = 1.0f / static_cast<prob_t>(most);
  return {{weighted_cascade(g), explicit_wc(g)},
          {constant_probability(g, c), explicit_constant(g, c)},
          {constant_probability(g, 0.0f), explicit_constant(g, 0.0f)}};
}

/// Restores the kernel choice and the weighted-cascade streaming size when a test ends.
struct KernelReset {
  ~KernelReset() {
    detail::force_kernel_isa(std::nullopt);
    detail::implicit_scan_min_edges = edge_t{1} << 28;
  }
};

/// Monte Carlo of `model` on every (implicit, explicit) pair that `make_pairs` builds afresh:
/// under every instruction set of the fused kernel and the plain driver, on 1 and 3 threads, with
/// and without seed posting and per-account counts, the implicit graph builds no array and gives
/// its explicit twin's figures bit for bit.
template <class Model, class MakePairs>
void expect_monte_carlo_without_arrays(const char* name, Model model, MakePairs make_pairs, std::uint64_t seed) {
  const std::vector<vertex_t> seeds = {0, 1, 2, 17, 99, 250};
  const std::vector<prob_t> seed_probs = {1.0f, 0.5f, 0.9f, 1.0f, 0.25f, 0.75f};
  std::printf("%s implicit Monte Carlo tested with:", name);
  for (auto isa : supported_isas()) std::printf(" %s", detail::kernel_isa_name(isa));
  std::printf("\n");
  for (auto isa : supported_isas()) {
    detail::force_kernel_isa(isa);
    for (bool fused : {true, false}) {
      if (!fused && isa != detail::KernelIsa::scalar) continue;  // the plain driver has no ISA paths
      for (int threads : {1, 3}) {
        for (bool posting : {false, true}) {
          for (const auto& [imp, ex] : make_pairs()) {  // fresh graphs: nothing materialised yet
            SCOPED_TRACE(::testing::Message() << name << " " << detail::kernel_isa_name(isa) << " fused " << fused
                                              << " threads " << threads << " posting " << posting << " kind "
                                              << static_cast<int>(imp.probability_kind()) << " value "
                                              << imp.constant_probability_value());
            MonteCarloOptions o;
            o.trials = 300;
            o.seed = seed;
            o.fused = fused;
            o.threads = threads;
            o.max_steps = posting ? 3 : o.max_steps;
            o.per_account = posting;
            if (posting) o.seed_probabilities = seed_probs;
            const auto a = estimate_spread(imp, model, seeds, o);
            EXPECT_EQ(imp.probabilities_materialised(), 0);
            const auto b = estimate_spread(ex, model, seeds, o);
            EXPECT_EQ(std::bit_cast<std::uint64_t>(a.mean), std::bit_cast<std::uint64_t>(b.mean));
            EXPECT_EQ(std::bit_cast<std::uint64_t>(a.std_error), std::bit_cast<std::uint64_t>(b.std_error));
            EXPECT_EQ(a.new_per_step, b.new_per_step);
            EXPECT_EQ(a.edges_examined, b.edges_examined);
            EXPECT_EQ(a.activation_probability, b.activation_probability);
          }
        }
      }
    }
  }
}

}  // namespace

// Issue 15: IC Monte Carlo (the fused 64-world kernel under every instruction set, and the plain
// driver) on an implicit graph reads the probabilities row by row, never through edge_probs():
// the spread is the explicit graph's bit for bit, for 1 and 3 threads, and no 4-bytes-per-edge
// array is built.
TEST(ImplicitProbs, IcMonteCarloDoesNotMaterialiseAndIsBitIdentical) {
  KernelReset reset;
  detail::implicit_scan_min_edges = 0;  // scan every weighted-cascade graph implicitly
  const auto g = topology(3000, 9, test_seed() + 7);
  expect_monte_carlo_without_arrays("IC", IndependentCascade{}, [&] { return pairs(g); }, test_seed() + 3);
}

TEST(ImplicitProbs, SmallWeightedCascadeGraphsStreamTheirBuiltArray) {
  // Below detail::implicit_scan_min_edges the fused kernel builds the out-order array once and
  // streams it (the fast path); the spread is the same bits as the implicit scan's.
  const auto g = topology(2000, 8, test_seed() + 11);
  const std::vector<vertex_t> seeds = {0, 5, 40};
  MonteCarloOptions o;
  o.trials = 200;
  o.seed = test_seed() + 1;
  o.fused = true;
  const auto fast = weighted_cascade(g);
  const auto a = estimate_spread(fast, IndependentCascade{}, seeds, o);
  EXPECT_EQ(fast.probabilities_materialised(), 1);
  const auto lean = weighted_cascade(g);
  detail::implicit_scan_min_edges = 0;
  const auto b = estimate_spread(lean, IndependentCascade{}, seeds, o);
  detail::implicit_scan_min_edges = edge_t{1} << 28;
  EXPECT_EQ(lean.probabilities_materialised(), 0);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a.mean), std::bit_cast<std::uint64_t>(b.mean));
  EXPECT_EQ(a.edges_examined, b.edges_examined);
  const auto c = constant_probability(g, 0.2f);
  estimate_spread(c, IndependentCascade{}, seeds, o);
  EXPECT_EQ(c.probabilities_materialised(), 0);  // a constant is broadcast at any size
}

// Issue 15: LT Monte Carlo (the fused kernel under every instruction set, and the plain driver)
// on an implicit graph reads the weights row by row (interval starts from in_probs(v), coins from
// pieces of out-rows): the explicit twin's spread bit for bit, for 1 and 3 threads, and no
// 4-bytes-per-edge array is built.
TEST(ImplicitProbs, LtMonteCarloDoesNotMaterialiseAndIsBitIdentical) {
  KernelReset reset;
  detail::implicit_scan_min_edges = 0;  // scan every weighted-cascade graph implicitly
  const auto g = topology(3000, 9, test_seed() + 12);
  const std::vector<vertex_t> seeds = {0, 1, 2, 17, 99, 250};
  expect_monte_carlo_without_arrays("LT", LinearThreshold{}, [&] { return lt_pairs(g); }, test_seed() + 5);
  // Weighted-cascade graphs under the size rule stream their built out-order array, as IC does
  // (the kernel's fast path); the bits are the same.
  detail::implicit_scan_min_edges = edge_t{1} << 28;
  const auto fast = weighted_cascade(g);
  MonteCarloOptions o;
  o.trials = 200;
  o.seed = test_seed();
  const auto a = estimate_spread(fast, LinearThreshold{}, seeds, o);
  EXPECT_EQ(fast.probabilities_materialised(), 1);
  const auto b = estimate_spread(explicit_wc(g), LinearThreshold{}, seeds, o);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a.mean), std::bit_cast<std::uint64_t>(b.mean));
}

namespace {

void expect_same(const std::vector<double>& a, const std::vector<double>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(std::bit_cast<std::uint64_t>(a[i]), std::bit_cast<std::uint64_t>(b[i])) << what << " at " << i;
}

void expect_same(const detail::PrefixReach& a, const detail::PrefixReach& b) {
  expect_same(a.prefix_mean, b.prefix_mean, "prefix_mean");
  expect_same(a.prefix_se, b.prefix_se, "prefix_se");
  expect_same(a.marginal_mean, b.marginal_mean, "marginal_mean");
  expect_same(a.new_per_step, b.new_per_step, "new_per_step");
  EXPECT_EQ(a.count_mean, b.count_mean);
}

}  // namespace

// Issue 15: the campaign planner's Monte Carlo check (prefix reach under IC, LT and the
// continuous-time IC) reads implicit probabilities edge by edge: the explicit twin's figures bit
// for bit, 1 and 3 threads, nothing materialised.
TEST(ImplicitProbs, PrefixReachDoesNotMaterialiseAndIsBitIdentical) {
  const auto g = topology(2000, 8, test_seed() + 13);
  const std::vector<vertex_t> base = {0, 7};
  const std::vector<double> base_q = {1.0, 0.5};
  const std::vector<vertex_t> order = {1, 2, 17, 99};
  const std::vector<double> order_q = {1.0, 0.8, 1.0, 0.6};
  const Audience aud;
  ContinuousIC cm;
  cm.horizon = 4 * 3600.0;
  for (int threads : {1, 3}) {
    for (std::uint32_t deadline : {3u, std::numeric_limits<std::uint32_t>::max()}) {
      for (const auto& [imp, ex] : pairs(g)) {
        SCOPED_TRACE(::testing::Message() << "IC threads " << threads << " deadline " << deadline << " kind "
                                          << static_cast<int>(imp.probability_kind()));
        const auto a = detail::prefix_reach(imp, IndependentCascade{}, base, base_q, order, order_q, aud, deadline,
                                            300, test_seed(), threads, {});
        const auto b = detail::prefix_reach(ex, IndependentCascade{}, base, base_q, order, order_q, aud, deadline,
                                            300, test_seed(), threads, {});
        expect_same(a, b);
        const auto c = detail::continuous_prefix_reach(imp, cm, base, base_q, order, order_q, aud, 200, test_seed(),
                                                       threads, {});
        const auto d = detail::continuous_prefix_reach(ex, cm, base, base_q, order, order_q, aud, 200, test_seed(),
                                                       threads, {});
        expect_same(c, d);
        EXPECT_EQ(imp.probabilities_materialised(), 0);
      }
      for (const auto& [imp, ex] : lt_pairs(g)) {
        SCOPED_TRACE(::testing::Message() << "LT threads " << threads << " deadline " << deadline);
        const auto a = detail::prefix_reach(imp, LinearThreshold{}, base, base_q, order, order_q, aud, deadline,
                                            300, test_seed(), threads, {});
        const auto b = detail::prefix_reach(ex, LinearThreshold{}, base, base_q, order, order_q, aud, deadline,
                                            300, test_seed(), threads, {});
        expect_same(a, b);
        EXPECT_EQ(imp.probabilities_materialised(), 0);
      }
    }
  }
}

// Issue 15: Monte Carlo greedy / CELF on live-edge worlds (IC: thresholds computed per edge; LT:
// prefix sums of in_probs rows) run on implicit graphs without the arrays, with the same seeds and
// gains as the explicit twin.
TEST(ImplicitProbs, LiveEdgeGreedyDoesNotMaterialiseAndIsBitIdentical) {
  const auto g = topology(400, 5, test_seed() + 14);
  auto same = [](const SelectResult& a, const SelectResult& b) {
    EXPECT_EQ(a.seeds, b.seeds);
    expect_same(a.marginal_gains, b.marginal_gains, "gains");
    EXPECT_EQ(std::bit_cast<std::uint64_t>(a.spread), std::bit_cast<std::uint64_t>(b.spread));
  };
  for (int threads : {1, 3}) {
    GreedyOptions o;
    o.trials = 60;
    o.seed = test_seed();
    o.threads = threads;
    for (const auto& [imp, ex] : pairs(g)) {
      SCOPED_TRACE(::testing::Message() << "IC threads " << threads << " kind "
                                        << static_cast<int>(imp.probability_kind())
                                        << " value " << imp.constant_probability_value());
      same(celf(imp, IndependentCascade{}, 4, o), celf(ex, IndependentCascade{}, 4, o));
      o.max_steps = 2;
      same(celf(imp, IndependentCascade{}, 4, o), celf(ex, IndependentCascade{}, 4, o));
      o.max_steps = std::numeric_limits<std::uint32_t>::max();
      EXPECT_EQ(imp.probabilities_materialised(), 0);
    }
    for (const auto& [imp, ex] : lt_pairs(g)) {
      same(celf(imp, LinearThreshold{}, 4, o), celf(ex, LinearThreshold{}, 4, o));
      EXPECT_EQ(imp.probabilities_materialised(), 0);
    }
  }
}

// Issue 15: the continuous-time IC (Monte Carlo reach over time, RR sets) on implicit graphs.
TEST(ImplicitProbs, ContinuousReachAndRRSetsDoNotMaterialise) {
  const auto g = topology(1500, 7, test_seed() + 15);
  const std::vector<vertex_t> seeds = {0, 3, 40};
  for (int threads : {1, 3}) {
    for (const auto& [imp, ex] : pairs(g)) {
      SCOPED_TRACE(::testing::Message() << "threads " << threads << " kind "
                                        << static_cast<int>(imp.probability_kind()));
      ContinuousOptions o;
      o.times = {600.0, 3600.0, 86400.0};
      o.trials = 200;
      o.seed = test_seed();
      o.threads = threads;
      const auto a = continuous_reach(imp, seeds, o);
      const auto b = continuous_reach(ex, seeds, o);
      EXPECT_EQ(a.reach, b.reach);
      expect_same(a.mean, b.mean, "mean");
      ContinuousIC m;
      m.horizon = 7200.0;
      RRCollection ra, rb;
      sample_rr_sets(imp, m, test_seed(), domain::rr_set, 0, 2000, ra, {});
      sample_rr_sets(ex, m, test_seed(), domain::rr_set, 0, 2000, rb, {});
      EXPECT_TRUE(std::equal(ra.nodes().begin(), ra.nodes().end(), rb.nodes().begin(), rb.nodes().end()));
      EXPECT_EQ(imp.probabilities_materialised(), 0);
    }
  }
}

namespace {

void expect_same(const CountEstimate& a, const CountEstimate& b) {
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a.mean), std::bit_cast<std::uint64_t>(b.mean));
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a.std_error), std::bit_cast<std::uint64_t>(b.std_error));
}

void expect_same(const CompetitiveEstimate& a, const CompetitiveEstimate& b) {
  expect_same(a.misleading, b.misleading);
  expect_same(a.corrective, b.corrective);
  expect_same(a.saved, b.saved);
  expect_same(a.misleading_alone, b.misleading_alone);
  EXPECT_EQ(a.edges_examined, b.edges_examined);
}

}  // namespace

// Issue 15: competitive IC / LT (Monte Carlo and exact) and the blocking selectors (reverse
// sampling, CELF) on implicit graphs: the explicit twin's figures bit for bit, nothing materialised.
TEST(ImplicitProbs, CompetitionAndBlockingDoNotMaterialiseAndAreBitIdentical) {
  const auto g = topology(500, 5, test_seed() + 16);
  const std::vector<vertex_t> f = {0, 1}, c = {5, 9};
  for (int threads : {1, 3}) {
    CompetitionOptions o;
    o.trials = 300;
    o.seed = test_seed();
    o.threads = threads;
    for (const auto& [imp, ex] : pairs(g)) {
      SCOPED_TRACE(::testing::Message() << "threads " << threads << " kind " << static_cast<int>(imp.probability_kind())
                                        << " value " << imp.constant_probability_value());
      const CompetitiveIC mi(imp, TieRule::random, 1), me(ex, TieRule::random, 1);
      expect_same(estimate_competition(mi, f, c, o), estimate_competition(me, f, c, o));
      if (imp.constant_probability_value() < 1.0f) {  // all-live worlds: every candidate blocks the same
        BlockingOptions b;
        b.seed = test_seed();
        b.threads = threads;
        b.worlds = 100;
        b.trials = 30;
        const auto ra = block_rr(mi, f, 3, b), rb = block_rr(me, f, 3, b);
        EXPECT_EQ(ra.seeds, rb.seeds);
        EXPECT_EQ(ra.marginal_gains, rb.marginal_gains);
        const auto ca = block_celf(mi, f, 2, b), cb = block_celf(me, f, 2, b);
        EXPECT_EQ(ca.seeds, cb.seeds);
        EXPECT_EQ(ca.marginal_gains, cb.marginal_gains);
      }
      EXPECT_EQ(imp.probabilities_materialised(), 0);
    }
    for (const auto& [imp, ex] : lt_pairs(g)) {
      const CompetitiveLT mi(imp), me(ex);
      expect_same(estimate_competition(mi, f, c, o), estimate_competition(me, f, c, o));
      EXPECT_EQ(imp.probabilities_materialised(), 0);
    }
  }
  // Exact enumeration on a tiny graph.
  const auto t = test_support::tiny_graph(7, 9, test_seed() + 17, false);
  for (const auto& [imp, ex] : {std::pair{weighted_cascade(t), explicit_wc(t)},
                                std::pair{constant_probability(t, 0.3f), explicit_constant(t, 0.3f)}}) {
    const auto a = exact_competition(CompetitiveIC(imp, TieRule::random, 1), std::vector<vertex_t>{0},
                                     std::vector<vertex_t>{3});
    const auto b = exact_competition(CompetitiveIC(ex, TieRule::random, 1), std::vector<vertex_t>{0},
                                     std::vector<vertex_t>{3});
    EXPECT_EQ(a.misleading.mean, b.misleading.mean);
    EXPECT_EQ(a.saved.variance, b.saved.variance);
    EXPECT_EQ(a.worlds, b.worlds);
    EXPECT_EQ(imp.probabilities_materialised(), 0);
  }
}

// Issue 15: exact enumeration, triggering models and complex contagion with edge exposure
// probabilities read implicit rows: the explicit twin's results bit for bit, nothing materialised.
TEST(ImplicitProbs, ExactTriggeringAndComplexDoNotMaterialise) {
  const auto t = test_support::tiny_graph(8, 12, test_seed() + 18, false);
  const std::vector<vertex_t> seeds = {0, 4};
  const auto g = topology(1500, 6, test_seed() + 19);
  const std::vector<vertex_t> big_seeds = {0, 1, 2, 50};
  for (int threads : {1, 3}) {
    MonteCarloOptions o;
    o.trials = 300;
    o.seed = test_seed();
    o.threads = threads;
    for (const auto& [imp, ex] : pairs(g)) {
      SCOPED_TRACE(::testing::Message() << "threads " << threads << " kind " << static_cast<int>(imp.probability_kind())
                                        << " value " << imp.constant_probability_value());
      const auto a = estimate_spread(imp, TriggeringModel<IcTriggering>{}, big_seeds, o);
      const auto b = estimate_spread(ex, TriggeringModel<IcTriggering>{}, big_seeds, o);
      EXPECT_EQ(std::bit_cast<std::uint64_t>(a.mean), std::bit_cast<std::uint64_t>(b.mean));
      const auto cm = ComplexContagion::k_exposure(2, -1.0);  // exposure = the edge probability
      const auto c = estimate_spread(imp, cm, big_seeds, o);
      const auto d = estimate_spread(ex, cm, big_seeds, o);
      EXPECT_EQ(std::bit_cast<std::uint64_t>(c.mean), std::bit_cast<std::uint64_t>(d.mean));
      EXPECT_EQ(imp.probabilities_materialised(), 0);
    }
    for (const auto& [imp, ex] : lt_pairs(g)) {
      const auto a = estimate_spread(imp, TriggeringModel<LtTriggering>{}, big_seeds, o);
      const auto b = estimate_spread(ex, TriggeringModel<LtTriggering>{}, big_seeds, o);
      EXPECT_EQ(std::bit_cast<std::uint64_t>(a.mean), std::bit_cast<std::uint64_t>(b.mean));
      EXPECT_EQ(imp.probabilities_materialised(), 0);
    }
  }
  for (const auto& [imp, ex] : pairs(t)) {
    EXPECT_EQ(exact_spread(imp, IndependentCascade{}, seeds).spread,
              exact_spread(ex, IndependentCascade{}, seeds).spread);
    EXPECT_EQ(exact_spread(imp, TriggeringModel<IcTriggering>{}, seeds).spread,
              exact_spread(ex, TriggeringModel<IcTriggering>{}, seeds).spread);
    const auto cm = ComplexContagion::k_exposure(1, -1.0);
    EXPECT_EQ(exact_spread(imp, cm, seeds).spread, exact_spread(ex, cm, seeds).spread);
    EXPECT_EQ(imp.probabilities_materialised(), 0);
  }
  for (const auto& [imp, ex] : lt_pairs(t)) {
    EXPECT_EQ(exact_spread(imp, LinearThreshold{}, seeds).spread, exact_spread(ex, LinearThreshold{}, seeds).spread);
    EXPECT_EQ(exact_spread(imp, TriggeringModel<LtTriggering>{}, seeds).spread,
              exact_spread(ex, TriggeringModel<LtTriggering>{}, seeds).spread);
    EXPECT_EQ(imp.probabilities_materialised(), 0);
  }
}

// Issue 15: opinion dynamics weighted by the edge probabilities (the influence matrix, the
// anchoring check, disagreement), multiplex layers and the IC likelihood read implicit graphs
// without materialising them.
TEST(ImplicitProbs, OpinionsMultiplexAndLikelihoodDoNotMaterialise) {
  const auto g = topology(800, 5, test_seed() + 20);
  const vertex_t n = g.num_vertices();
  std::vector<double> x0(n), lambda(n, 0.7);
  for (vertex_t v = 0; v < n; ++v) x0[v] = std::sin(static_cast<double>(v));
  for (const auto& [imp, ex] : pairs(g)) {
    SCOPED_TRACE(::testing::Message() << "kind " << static_cast<int>(imp.probability_kind()) << " value "
                                      << imp.constant_probability_value());
    OpinionOptions oo;
    oo.steps = 20;
    expect_same(degroot(imp, x0, oo).opinions, degroot(ex, x0, oo).opinions, "degroot");
    FjOptions fo;
    fo.solver = FjSolver::sparse_lu;
    expect_same(friedkin_johnsen_equilibrium(imp, x0, lambda, fo).opinions,
                friedkin_johnsen_equilibrium(ex, x0, lambda, fo).opinions, "fj");
    EXPECT_EQ(disagreement(imp, x0), disagreement(ex, x0));
    EXPECT_EQ(imp.probabilities_materialised(), 0);
  }
  // Multiplex: two layers sharing the implicit graph, with cross-posting.
  for (const auto& [imp, ex] : pairs(g)) {
    const std::vector<IdentityRow> id = {{7, 0, g.account(0)}, {7, 1, g.account(1)}, {8, 0, g.account(2)}};
    const std::vector<double> cross = {0.0, 0.5, 0.5, 0.0};
    const Multiplex mi({{"x", imp}, {"y", imp}}, id, cross), me({{"x", ex}, {"y", ex}}, id, cross);
    expect_same_bits(mi.expanded().edge_probs(), me.expanded().edge_probs(), "expanded");
    MonteCarloOptions o;
    o.trials = 200;
    o.seed = test_seed();
    const std::vector<vertex_t> s = {0, 3};
    EXPECT_EQ(estimate_spread(mi, s, o).mean, estimate_spread(me, s, o).mean);
    EXPECT_EQ(imp.probabilities_materialised(), 0);
  }
  // The IC log-likelihood of a few cascades.
  Cascades cs;
  cs.graph_vertices = n;
  for (vertex_t r = 0; r < 30; ++r) {
    const vertex_t u = r % 50;
    std::vector<vertex_t> v = {u};
    for (vertex_t w : g.out_neighbors(u)) {
      if (v.size() >= 4) break;
      v.push_back(w);
    }
    std::vector<double> times(v.size());
    for (std::size_t i = 1; i < times.size(); ++i) times[i] = 1.0;
    cs.add(v, times, r);
  }
  for (const auto& [imp, ex] : pairs(g)) {
    EXPECT_EQ(ic_log_likelihood(imp, cs).log_likelihood, ic_log_likelihood(ex, cs).log_likelihood);
    EXPECT_EQ(imp.probabilities_materialised(), 0);
  }
}

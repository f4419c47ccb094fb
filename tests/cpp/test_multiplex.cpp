// SPDX-License-Identifier: MIT
/// Multiplex networks: construction checks, reach in people and per platform against exact
/// enumeration (by hand and on random tiny multiplexes), Monte Carlo within 6 sigma, a one-layer
/// multiplex equal to its plain graph, thread invariance, person-rooted RR sets, IMM and OPIM-C
/// against the exact optimum.
#include <kolsim/estimate/multiplex_estimate.hpp>
#include <kolsim/estimate/triggering_estimate.hpp>
#include <kolsim/select/greedy.hpp>
#include <kolsim/select/imm.hpp>
#include <kolsim/select/opim.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>

#include "support.hpp"

using namespace kolsim;
using kolsim::test_support::make_graph;
using kolsim::test_support::tiny_graph;

namespace {

std::uint64_t seed() { return test_support::test_seed("test_multiplex", 20261216); }

/// Two platforms X (accounts 1, 2: 1 -> 2 with 0.5) and Y (10, 20: 10 -> 20 with 0.4); person
/// 100 owns X:1 and Y:10, person 200 owns X:2 and Y:20; cross-posting X -> Y 0.3, Y -> X 0.
Multiplex hand_multiplex(double y_to_x = 0.0) {
  std::vector<account_t> xs{1}, xt{2}, ys{10}, yt{20};
  std::vector<prob_t> xp{0.5f}, yp{0.4f};
  std::vector<MultiplexLayer> layers{{"x", build_graph(xs, xt, xp)}, {"y", build_graph(ys, yt, yp)}};
  const std::vector<IdentityRow> id{{100, 0, 1}, {100, 1, 10}, {200, 0, 2}, {200, 1, 20}};
  const std::vector<double> c{0.0, 0.3, y_to_x, 0.0};
  return Multiplex(std::move(layers), id, c);
}

/// A random tiny multiplex: `L` layers of `n` accounts (ids 0..n-1) with m edges each, people
/// owning one account on a random subset of layers (unlisted accounts become their own people),
/// random cross-posting probabilities.
Multiplex tiny_multiplex(std::uint32_t L, vertex_t n, std::size_t m, std::uint64_t s) {
  std::mt19937_64 gen(s);
  std::vector<MultiplexLayer> layers;
  static const char* const names[] = {"p0", "p1", "p2", "p3"};
  for (std::uint32_t l = 0; l < L; ++l) layers.push_back({names[l], tiny_graph(n, m, s * 31 + l, false, 0.2)});
  std::vector<IdentityRow> id;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (vertex_t v = 0; v < n; ++v) {  // person 1000 + v owns account v on each layer with probability 0.6
    for (std::uint32_t l = 0; l < L; ++l)
      if (u(gen) < 0.6) id.push_back({1000 + v, l, v});
  }
  std::vector<double> c(static_cast<std::size_t>(L) * L, 0.0);
  for (std::uint32_t a = 0; a < L; ++a)
    for (std::uint32_t b = 0; b < L; ++b)
      if (a != b) c[a * L + b] = 0.2 + 0.6 * u(gen);
  return Multiplex(std::move(layers), id, c);
}

/// tiny_multiplex with at most `max_edges` expanded edges (2^max_edges worlds): the first of
/// the seeds s, s + 1000, s + 2000, ... that stays within it.
Multiplex small_multiplex(std::uint32_t L, vertex_t n, std::size_t m, std::uint64_t s, edge_t max_edges = 20) {
  for (std::uint64_t j = 0;; ++j) {
    Multiplex mx = tiny_multiplex(L, n, m, s + 1000 * j);
    if (mx.expanded().num_edges() <= max_edges) return mx;
  }
}

void expect_exact_equal(const MultiplexExact& a, const ExactResult& b) {
  EXPECT_NEAR(a.spread, b.spread, 1e-9);
  EXPECT_NEAR(a.variance, b.variance, 1e-8);
  ASSERT_EQ(a.activation_probability.size(), b.activation_probability.size());
  for (std::size_t v = 0; v < b.activation_probability.size(); ++v)
    EXPECT_NEAR(a.activation_probability[v], b.activation_probability[v], 1e-9);
  ASSERT_EQ(a.new_per_step.size(), b.new_per_step.size());
  for (std::size_t t = 0; t < b.new_per_step.size(); ++t) EXPECT_NEAR(a.new_per_step[t], b.new_per_step[t], 1e-9);
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Multiplex, Structure) {
  const Multiplex mx = hand_multiplex(0.25);
  EXPECT_EQ(mx.num_layers(), 2u);
  EXPECT_EQ(mx.num_people(), 2u);
  EXPECT_EQ(mx.num_accounts(), 4u);
  EXPECT_EQ(mx.num_cross_edges(), 4u);  // 1 -> 10, 2 -> 20 (0.3) and back (0.25)
  EXPECT_EQ(mx.expanded().num_edges(), 6u);
  EXPECT_EQ(mx.vertex_of(1, 20), 3u);
  EXPECT_EQ(mx.account_of(3), 20u);
  EXPECT_EQ(mx.layer_of(2), 1u);
  EXPECT_EQ(mx.people()[mx.person_of(2)], 100u);
  EXPECT_EQ(mx.seed_vertex(200, 0), 1u);
  EXPECT_EQ(mx.layer_named("y"), 1u);
  EXPECT_DOUBLE_EQ(mx.cross_posting(0, 1), 0.3);
  const auto o = mx.overlap();
  EXPECT_EQ(o.people, 2u);
  EXPECT_EQ(o.multi_platform, 2u);
  EXPECT_EQ(o.people_per_layer, (std::vector<std::uint64_t>{2, 2}));
  EXPECT_EQ(o.shared, (std::vector<std::uint64_t>{2, 2, 2, 2}));
  // Unlisted accounts are people of their own, ids after the largest listed one.
  std::vector<account_t> s{1, 1}, t{2, 3};
  std::vector<prob_t> p{0.5f, 0.5f};
  const std::vector<IdentityRow> id{{7, 0, 2}, {7, 1, 2}};
  const Multiplex m2({{"a", build_graph(s, t, p)}, {"b", build_graph(s, t, p)}}, id, std::vector<double>(4, 0.0));
  EXPECT_EQ(m2.num_people(), 5u);  // 7, and 8..11 for a:1, a:3, b:1, b:3
  EXPECT_EQ(std::vector<account_t>(m2.people().begin(), m2.people().end()), (std::vector<account_t>{7, 8, 9, 10, 11}));
  EXPECT_EQ(m2.num_cross_edges(), 0u);
  EXPECT_EQ(m2.overlap().shared, (std::vector<std::uint64_t>{3, 1, 1, 3}));
  EXPECT_THROW(mx.seed_vertex(300, 0), std::out_of_range);
  EXPECT_THROW(m2.seed_vertex(8, 1), std::out_of_range);  // person 8 has no account on b
  EXPECT_THROW(mx.layer_named("z"), std::out_of_range);
}

TEST(Multiplex, BadInputNamesTheProblem) {
  std::vector<account_t> s{1}, t{2};
  std::vector<prob_t> p{0.5f};
  const FollowerGraph g = build_graph(s, t, p);
  auto make = [&](std::vector<IdentityRow> id, std::vector<double> c = {0, 0, 0, 0},
                  UnlistedAccounts un = UnlistedAccounts::own_person) {
    return Multiplex({{"x", g}, {"y", g}}, id, c, un);
  };
  EXPECT_NE(error_of([&] { make({{5, 2, 1}}); }).find("identity row 0: layer 2 does not exist"), std::string::npos);
  EXPECT_NE(error_of([&] { make({{5, 0, 1}, {5, 1, 9}}); }).find("identity row 1: account 9 is not in layer 'y'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { make({{5, 0, 1}, {6, 0, 1}}); }).find("account 1 of layer 'x' is already listed (row 0, person 5)"),
            std::string::npos);
  EXPECT_NE(error_of([&] { make({{5, 0, 1}, {5, 0, 2}}); }).find("person 5 has two accounts on layer 'x': 1 and 2"),
            std::string::npos);
  EXPECT_NE(error_of([&] { make({{5, 0, 1}}, {0, 0, 0, 0}, UnlistedAccounts::error); })
                .find("account 2 of layer 'x' is not in the identity table"),
            std::string::npos);
  EXPECT_NE(error_of([&] { make({}, {0, 1.5, 0, 0}); }).find("from layer 'x' to 'y' must be in [0, 1]"), std::string::npos);
  EXPECT_NE(error_of([&] { make({}, {0.5, 0, 0, 0}); }).find("to itself must be 0"), std::string::npos);
  EXPECT_NE(error_of([&] { make({}, {0, 0}); }).find("needs 4 values"), std::string::npos);
  EXPECT_NE(error_of([&] { Multiplex({{"x", g}, {"x", g}}, {}, std::vector<double>(4, 0.0)); }).find("two layers are named 'x'"),
            std::string::npos);
  const FollowerGraph bare = build_graph(s, t);
  EXPECT_NE(error_of([&] { Multiplex({{"x", bare}}, {}, std::vector<double>(1, 0.0)); }).find("no edge probabilities"),
            std::string::npos);
  EXPECT_THROW(Multiplex({}, {}, {}), std::invalid_argument);
  // Seeds and models.
  const Multiplex mx = make({});
  EXPECT_THROW(estimate_spread(mx, std::vector<vertex_t>{9}), std::out_of_range);
  EXPECT_THROW(estimate_spread(mx, std::vector<vertex_t>{0, 0}), std::invalid_argument);
  EXPECT_THROW(exact_spread(mx, std::vector<vertex_t>{4}), std::out_of_range);
  EXPECT_THROW(imm(g, MultiplexIC{mx}, 1), std::invalid_argument);  // not the expanded graph
  ImmOptions io;
  io.root_weights.assign(mx.num_accounts(), 1.0);
  EXPECT_THROW(imm(mx.expanded(), MultiplexIC{mx}, 1, io), std::invalid_argument);
}

TEST(Multiplex, ExactByHand) {
  const Multiplex mx = hand_multiplex();
  const std::vector<MultiplexSeed> s{{100, 0}};
  const MultiplexExact ex = exact_spread(mx, std::span<const MultiplexSeed>(s));
  // Person 200 is reached through X:2 (0.5) or through the cross-post to Y:10 then Y:20 (0.3 * 0.4).
  const double p200 = 1.0 - 0.5 * (1.0 - 0.12);
  EXPECT_NEAR(ex.spread, 1.0 + p200, 1e-6);
  EXPECT_NEAR(ex.variance, p200 * (1.0 - p200), 1e-6);
  ASSERT_EQ(ex.new_per_step.size(), 3u);
  EXPECT_NEAR(ex.new_per_step[0], 1.0, 1e-6);
  EXPECT_NEAR(ex.new_per_step[1], 0.5, 1e-6);
  EXPECT_NEAR(ex.new_per_step[2], 0.5 * 0.12, 1e-6);
  EXPECT_NEAR(ex.layer_spread[0], 1.5, 1e-6);
  // Y:20 is reached from Y:10 (0.3 * 0.4) or by person 200's cross-post from X:2 (0.5 * 0.3).
  const double y20 = 1.0 - (1.0 - 0.12) * (1.0 - 0.15);
  EXPECT_NEAR(ex.layer_spread[1], 0.3 + y20, 1e-6);
  ASSERT_EQ(ex.layer_new_per_step[1].size(), 3u);
  EXPECT_NEAR(ex.layer_new_per_step[1][0], 0.0, 1e-6);
  EXPECT_NEAR(ex.layer_new_per_step[1][1], 0.3, 1e-6);
  EXPECT_NEAR(ex.layer_new_per_step[1][2], y20, 1e-6);
  EXPECT_NEAR(ex.person_probability[mx.person_index(200)], p200, 1e-6);
  // A deadline of one step: only X:2 and Y:10.
  ExactOptions eo;
  eo.max_steps = 1;
  const MultiplexExact e1 = exact_spread(mx, std::span<const MultiplexSeed>(s), eo);
  EXPECT_NEAR(e1.spread, 1.5, 1e-6);
  EXPECT_NEAR(e1.layer_spread[1], 0.3, 1e-6);
  // Account reach double-counts the person, people reach does not: seeding both of 100's
  // accounts reaches person 100 once.
  const std::vector<MultiplexSeed> both{{100, 0}, {100, 1}};
  const MultiplexExact eb = exact_spread(mx, std::span<const MultiplexSeed>(both));
  EXPECT_NEAR(eb.spread, 1.0 + (1.0 - 0.5 * 0.6), 1e-6);
  EXPECT_NEAR(eb.layer_spread[0] + eb.layer_spread[1], 2.0 + 0.5 + (1.0 - 0.6 * (1.0 - 0.15)), 1e-6);
}

TEST(Multiplex, MonteCarloWithinSixSigmaOfExact) {
  const std::uint64_t trials = 20000;
  for (std::uint64_t i = 0; i < 4; ++i) {
    const bool three = i % 2 == 1;
    const Multiplex mx = three ? small_multiplex(3, 4, 3, seed() + i) : small_multiplex(2, 5, 5, seed() + i);
    const std::vector<vertex_t> s{0, static_cast<vertex_t>(mx.num_accounts() - 1)};
    for (std::uint32_t steps : {1u, 2u, UINT32_MAX}) {
      ExactOptions eo;
      eo.max_steps = steps;
      const MultiplexExact ex = exact_spread(mx, s, eo);
      MonteCarloOptions mo;
      mo.trials = trials;
      mo.seed = seed() + 7 * i;
      mo.threads = 1;
      mo.max_steps = steps;
      const MultiplexEstimate mc = estimate_spread(mx, s, mo);
      const double rt = std::sqrt(static_cast<double>(trials));
      EXPECT_NEAR(mc.mean, ex.spread, 6.0 * std::sqrt(ex.variance) / rt + 1e-9) << "multiplex " << i << " steps " << steps;
      // The estimate's own standard error is close to the exact one.
      EXPECT_NEAR(mc.std_error, std::sqrt(ex.variance) / rt, 0.1 * std::sqrt(ex.variance) / rt + 1e-9);
      for (std::uint32_t l = 0; l < mx.num_layers(); ++l)
        EXPECT_NEAR(mc.layer_mean[l], ex.layer_spread[l], 6.0 * std::sqrt(ex.layer_variance[l]) / rt + 1e-9)
            << "layer " << l;
      // Per-step profiles sum to the means.
      double sum = 0;
      for (double x : mc.new_per_step) sum += x;
      EXPECT_NEAR(sum, mc.mean, 1e-9);
      ASSERT_EQ(mc.layer_new_per_step.size(), mx.num_layers());
    }
  }
}

TEST(Multiplex, OneLayerEqualsPlainGraph) {
  for (std::uint64_t i = 0; i < 3; ++i) {
    const FollowerGraph g = tiny_graph(7, 11, seed() + 50 + i, false);
    const Multiplex mx({{"only", g}}, {}, std::vector<double>{0.0});
    ASSERT_EQ(mx.num_people(), g.num_vertices());
    const std::vector<vertex_t> s{1, 4};
    for (std::uint32_t steps : {1u, UINT32_MAX}) {
      ExactOptions eo;
      eo.max_steps = steps;
      expect_exact_equal(exact_spread(mx, s, eo), exact_spread(g, IndependentCascade{}, s, eo));
      MonteCarloOptions mo;
      mo.trials = 5000;
      mo.seed = seed() + i;
      mo.threads = 1;
      mo.max_steps = steps;
      mo.fused = false;
      mo.per_account = true;
      const MultiplexEstimate a = estimate_spread(mx, s, mo);
      const SpreadEstimate b = estimate_spread(g, IndependentCascade{}, s, mo);
      EXPECT_EQ(a.mean, b.mean);  // bit-identical: the same driver draws the same worlds
      EXPECT_EQ(a.std_error, b.std_error);
      EXPECT_EQ(a.new_per_step, b.new_per_step);
      EXPECT_EQ(a.activation_probability, b.activation_probability);
      EXPECT_EQ(a.layer_mean[0], b.mean);
      EXPECT_EQ(a.edges_examined, b.edges_examined);
    }
    // IMM and OPIM-C: the same RR sets as the triggering path with IC's draw.
    ImmOptions io;
    io.seed = seed();
    io.epsilon = 0.3;
    io.threads = 1;
    const ImmResult ra = imm(mx.expanded(), MultiplexIC{mx}, 2, io);
    const ImmResult rb = imm(g, TriggeringModel<IcTriggering>{}, 2, io);
    EXPECT_EQ(ra.seeds, rb.seeds);
    EXPECT_EQ(ra.spread, rb.spread);
    EXPECT_EQ(ra.rr_sets, rb.rr_sets);
    OpimOptions oo;
    oo.seed = seed();
    oo.epsilon = 0.3;
    oo.threads = 1;
    const OpimResult oa = opim_c(mx.expanded(), MultiplexIC{mx}, 2, oo);
    const OpimResult ob = opim_c(g, TriggeringModel<IcTriggering>{}, 2, oo);
    EXPECT_EQ(oa.seeds, ob.seeds);
    EXPECT_EQ(oa.spread, ob.spread);
  }
}

TEST(Multiplex, ThreadInvariance) {
  const Multiplex mx = tiny_multiplex(3, 200, 1500, seed() + 90);
  const std::vector<vertex_t> s{3, 250, 550};
  MultiplexEstimate ref;
  RRCollection ref_rr;
  ImmResult ref_imm;
  for (int t : {1, 3, 7}) {
    MonteCarloOptions mo;
    mo.trials = 2000;  // enough work for the parallel path
    mo.seed = seed();
    mo.threads = t;
    mo.per_account = true;
    const MultiplexEstimate e = estimate_spread(mx, s, mo);
    RRSampler<MultiplexIC> sampler(mx.expanded(), MultiplexIC{mx});
    RRCollection rr;
    sampler.sample(seed(), domain::rr_set, 0, 5000, rr, t);
    ImmOptions io;
    io.seed = seed();
    io.epsilon = 0.3;
    io.threads = t;
    const ImmResult r = imm(mx.expanded(), MultiplexIC{mx}, 5, io);
    if (t == 1) {
      ref = e;
      ref_rr = rr;
      ref_imm = r;
      EXPECT_GT(e.mean, 3.0);
      continue;
    }
    EXPECT_EQ(e.mean, ref.mean) << t << " threads";
    EXPECT_EQ(e.std_error, ref.std_error);
    EXPECT_EQ(e.new_per_step, ref.new_per_step);
    EXPECT_EQ(e.layer_mean, ref.layer_mean);
    EXPECT_EQ(e.layer_std_error, ref.layer_std_error);
    EXPECT_EQ(e.layer_new_per_step, ref.layer_new_per_step);
    EXPECT_EQ(e.person_probability, ref.person_probability);
    EXPECT_EQ(e.activation_probability, ref.activation_probability);
    EXPECT_TRUE(std::equal(rr.nodes().begin(), rr.nodes().end(), ref_rr.nodes().begin(), ref_rr.nodes().end()));
    EXPECT_TRUE(std::equal(rr.offsets().begin(), rr.offsets().end(), ref_rr.offsets().begin(), ref_rr.offsets().end()));
    EXPECT_EQ(r.seeds, ref_imm.seeds);
    EXPECT_EQ(r.spread, ref_imm.spread);
  }
}

TEST(Multiplex, PersonRootedRRSetsEstimatePeopleReach) {
  for (std::uint64_t i = 0; i < 3; ++i) {
    const Multiplex mx = small_multiplex(2, 6, 6, seed() + 200 + i);
    const std::vector<vertex_t> s{2, 7};
    for (std::uint32_t depth : {1u, 2u, UINT32_MAX}) {
      ExactOptions eo;
      eo.max_steps = depth;
      const double exact = exact_spread(mx, s, eo).spread;
      RRSampler<MultiplexIC> sampler(mx.expanded(), MultiplexIC{mx}, depth);
      EXPECT_EQ(sampler.total_weight(), static_cast<double>(mx.num_people()));
      RRCollection rr;
      const std::uint64_t sets = 40000;
      sampler.sample(seed() + i, domain::rr_set, 0, sets, rr, 1);
      const double P = mx.num_people();
      const double est = estimate_spread_rr(rr, s, P);
      const double q = exact / P;
      EXPECT_NEAR(est, exact, 6.0 * P * std::sqrt(q * (1.0 - q) / static_cast<double>(sets)) + 1e-9)
          << "multiplex " << i << " depth " << depth;
    }
  }
}

TEST(Multiplex, ImmAndOpimNearExactOptimum) {
  for (std::uint64_t i = 0; i < 3; ++i) {
    const Multiplex mx = small_multiplex(2, 5, 5, seed() + 300 + i, 16);
    const vertex_t N = mx.num_accounts();
    const std::size_t k = 2;
    auto f = [&](std::span<const vertex_t> set) { return exact_spread(mx, set).spread; };
    double opt = 0;
    for (vertex_t a = 0; a < N; ++a)
      for (vertex_t b = a + 1; b < N; ++b) {
        const std::vector<vertex_t> set{a, b};
        opt = std::max(opt, f(set));
      }
    const double bound = (1.0 - 1.0 / std::exp(1.0) - 0.1) * opt;
    ImmOptions io;
    io.seed = seed() + i;
    io.epsilon = 0.1;
    io.ell = test_support::ell_for_test_delta(N);
    const ImmResult r = imm(mx.expanded(), MultiplexIC{mx}, k, io);
    ASSERT_EQ(r.seeds.size(), k);
    const double got = f(r.seeds);
    EXPECT_GE(got, bound) << "multiplex " << i;
    EXPECT_GE(got, 0.95 * opt) << "multiplex " << i;  // far better than the bound in practice
    EXPECT_NEAR(r.spread, got,
                test_support::selection_estimate_tolerance(got, mx.num_people(), r.theta, N, k));
    OpimOptions oo;
    oo.seed = seed() + i;
    oo.epsilon = 0.1;
    oo.delta = test_support::test_delta;
    const OpimResult o = opim_c(mx.expanded(), MultiplexIC{mx}, k, oo);
    const double got_o = f(o.seeds);
    EXPECT_GE(got_o, bound) << "multiplex " << i;
    EXPECT_GE(got_o, 0.95 * opt) << "multiplex " << i;
    EXPECT_LE(o.lower_bound, got_o + 1e-9);
    EXPECT_GE(o.upper_bound, opt - 1e-9);
  }
}

namespace {

/// Best in accounts differs from best in people (every probability 1, cross-posting x -> y 1):
/// person 1 owns x:1 and y:1, person 2 x:2 and y:2, person 3 x:3 and y:3; x: 1 -> 2, 1 -> 3,
/// y: 1 -> 2, 1 -> 3. Persons 4..8 own only x:4..x:8; x: 4 -> 5, 4 -> 6, 4 -> 7, 4 -> 8.
/// Seed (1, x) reaches 6 accounts but 3 people; seed (4, x) 5 accounts and 5 people.
Multiplex accounts_vs_people_multiplex() {
  std::vector<account_t> xs{1, 1, 4, 4, 4, 4}, xt{2, 3, 5, 6, 7, 8}, ys{1, 1}, yt{2, 3};
  std::vector<prob_t> xp(xs.size(), 1.0f), yp(ys.size(), 1.0f);
  std::vector<MultiplexLayer> layers{{"x", build_graph(xs, xt, xp)}, {"y", build_graph(ys, yt, yp)}};
  std::vector<IdentityRow> id;
  for (account_t a = 1; a <= 3; ++a) {
    id.push_back({a, 0, a});
    id.push_back({a, 1, a});
  }
  for (account_t a = 4; a <= 8; ++a) id.push_back({a, 0, a});
  return Multiplex(std::move(layers), id, std::vector<double>{0.0, 1.0, 0.0, 0.0});
}

}  // namespace

// Issue 16: MultiplexIC as a model of the generic entry points counts people, not accounts.
TEST(Multiplex, GenericEstimatorsCountPeople) {
  const Multiplex mx = small_multiplex(2, 6, 6, seed() + 400);
  const MultiplexIC model{mx};
  const std::vector<vertex_t> s{2, 7};
  MonteCarloOptions mo;
  mo.trials = 3000;
  mo.seed = seed();
  mo.per_account = true;
  const MultiplexEstimate people = estimate_spread(mx, s, mo);
  const SpreadEstimate generic = estimate_spread(mx.expanded(), model, std::span<const vertex_t>(s), mo);
  EXPECT_EQ(std::tie(generic.mean, generic.std_error, generic.new_per_step, generic.activation_probability),
            std::tie(people.mean, people.std_error, people.new_per_step, people.activation_probability));
  // The accounts count of the same cascades is larger: the generic IC path would report it.
  mo.fused = false;
  const SpreadEstimate accounts = estimate_spread(mx.expanded(), IndependentCascade{}, std::span<const vertex_t>(s), mo);
  EXPECT_GT(accounts.mean, people.mean + 0.1);
  EXPECT_EQ(estimate_spread(mx.expanded(), model, Accounts{2, 7}, mo).mean, people.mean);

  for (std::uint32_t steps : {1u, UINT32_MAX}) {
    ExactOptions eo;
    eo.max_steps = steps;
    const MultiplexExact ex = exact_spread(mx, s, eo);
    const ExactResult ge = exact_spread(mx.expanded(), model, std::span<const vertex_t>(s), eo);
    EXPECT_EQ(std::tie(ge.spread, ge.variance, ge.new_per_step, ge.worlds),
              std::tie(ex.spread, ex.variance, ex.new_per_step, ex.worlds));
  }
  EXPECT_LT(exact_spread(mx.expanded(), model, Accounts{2, 7}).spread,
            exact_spread(mx.expanded(), IndependentCascade{}, Accounts{2, 7}).spread - 0.1);
  const FollowerGraph other = mx.layer(0).graph;
  EXPECT_THROW(estimate_spread(other, model, std::span<const vertex_t>(s)), std::invalid_argument);
  EXPECT_THROW(exact_spread(other, model, std::span<const vertex_t>(s)), std::invalid_argument);
}

TEST(Multiplex, CelfCountsPeopleAndFindsTheBestInPeople) {
  const Multiplex mx = accounts_vs_people_multiplex();
  const MultiplexIC model{mx};
  const vertex_t N = mx.num_accounts();
  // Brute force over every single seed: best in people and best in accounts differ.
  vertex_t best_people = 0, best_accounts = 0;
  double top_people = -1, top_accounts = -1;
  for (vertex_t x = 0; x < N; ++x) {
    const std::vector<vertex_t> set{x};
    const double p = exact_spread(mx, set).spread;
    const double a = exact_spread(mx.expanded(), IndependentCascade{}, std::span<const vertex_t>(set)).spread;
    if (p > top_people) top_people = p, best_people = x;
    if (a > top_accounts) top_accounts = a, best_accounts = x;
  }
  ASSERT_NE(best_people, best_accounts);
  EXPECT_EQ(mx.people()[mx.person_of(best_people)], 4u);
  EXPECT_EQ(top_people, 5.0);
  GreedyOptions go;
  go.trials = 50;
  go.seed = seed();
  for (auto select : {&celf<MultiplexIC>, &greedy<MultiplexIC>, &celf_plus_plus<MultiplexIC>}) {
    const SelectResult r = select(mx.expanded(), model, 1, go);
    ASSERT_EQ(r.seeds.size(), 1u);
    EXPECT_EQ(r.seeds[0], best_people) << r.method;
    EXPECT_EQ(r.spread, top_people) << r.method;
  }
  EXPECT_EQ(celf(mx.expanded(), IndependentCascade{}, 1, go).seeds[0], best_accounts);
  // k = 2: the people objective takes both persons 4 and 1 (5 + 3 people).
  const SelectResult two = celf(mx.expanded(), model, 2, go);
  EXPECT_EQ(two.spread, 8.0);
  EXPECT_EQ(two.marginal_gains, (std::vector<double>{5.0, 3.0}));
}

TEST(Multiplex, GreedyInPeopleMatchesExactAndThreads) {
  const Multiplex mx = small_multiplex(3, 5, 5, seed() + 500, 22);
  const MultiplexIC model{mx};
  for (std::uint32_t steps : {1u, 2u, UINT32_MAX}) {
    GreedyOptions go;
    go.trials = 4000;
    go.seed = seed();
    go.max_steps = steps;
    go.threads = 1;
    const SelectResult ref = celf(mx.expanded(), model, 2, go);
    ExactOptions eo;
    eo.max_steps = steps;
    const MultiplexExact ex = exact_spread(mx, ref.seeds, eo);
    EXPECT_NEAR(ref.spread, ex.spread, 6.0 * std::sqrt(ex.variance / 4000.0) + 1e-9) << "deadline " << steps;
    for (int t : {3, 7}) {
      go.threads = t;
      const SelectResult r = celf(mx.expanded(), model, 2, go);
      EXPECT_EQ(r.seeds, ref.seeds) << t;
      EXPECT_EQ(r.marginal_gains, ref.marginal_gains) << t;
      const SelectResult pp = celf_plus_plus(mx.expanded(), model, 2, go);
      EXPECT_EQ(pp.seeds, ref.seeds) << t;
      EXPECT_EQ(pp.marginal_gains, ref.marginal_gains) << t;
    }
  }
}

// On the shared Monte Carlo driver: the adaptive mode (on people reached) and progress reports.
TEST(Multiplex, AdaptiveModeAndProgressOnTheSharedDriver) {
  const Multiplex mx = tiny_multiplex(2, 60, 200, seed() + 600);
  const std::vector<vertex_t> s{1, 70};
  std::vector<MultiplexEstimate> runs;
  for (int t : {1, 3}) {
    MonteCarloOptions mo;
    mo.trials = 64;
    mo.seed = seed();
    mo.threads = t;
    mo.target_relative_error = 0.002;
    mo.max_trials = 200000;
    std::uint64_t reports = 0;
    mo.progress = [&](std::string_view what, std::uint64_t, std::uint64_t) { reports += what == "trials"; };
    runs.push_back(estimate_spread(mx, s, mo));
    EXPECT_GT(reports, 0u);
    const MultiplexEstimate& e = runs.back();
    EXPECT_GT(e.trials, 64u);
    EXPECT_TRUE(e.std_error <= 0.002 * e.mean || e.trials == mo.max_trials);
    EXPECT_EQ(e.layer_mean.size(), 2u);
  }
  EXPECT_EQ(runs[0].trials, runs[1].trials);
  EXPECT_EQ(runs[0].mean, runs[1].mean);
  EXPECT_EQ(runs[0].layer_mean, runs[1].layer_mean);
  EXPECT_EQ(runs[0].layer_new_per_step, runs[1].layer_new_per_step);
}

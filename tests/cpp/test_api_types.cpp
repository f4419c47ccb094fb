// SPDX-License-Identifier: MIT
/// Seeds at the public API: dense indices and account ids cannot be mixed up (a bare braced list
/// compiles against neither), and the Accounts overloads equal the index overloads after mapping.
#include <kolsim/kolsim.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace kolsim {
namespace {

// Accounts 10 -> 20 -> 30 -> 40 and 10 -> 30: dense indices 0..3 are not the account ids.
FollowerGraph accounts_graph() {
  const std::vector<account_t> s{10, 20, 30, 10};
  const std::vector<account_t> t{20, 30, 40, 30};
  const std::vector<prob_t> p{0.5f, 0.4f, 0.7f, 0.3f};
  return build_graph(s, t, p);
}

// ---- compile-time: a braced list of integers is neither indices nor accounts ------------------

template <class G, class M, class O>
concept spread_takes_braced = requires(const G& g, const M& m, const O& o) { estimate_spread(g, m, {2}, o); };
template <class G, class M, class O>
concept spread_takes_braced_pair = requires(const G& g, const M& m, const O& o) { estimate_spread(g, m, {0, 2}, o); };
template <class G, class M>
concept simulate_takes_braced = requires(const G& g, const M& m) { simulate(g, m, {2}, std::uint64_t{1}); };
template <class G, class M>
concept exact_takes_braced = requires(const G& g, const M& m) { exact_spread(g, m, {2}); };
template <class C>
concept competition_takes_braced = requires(const C& c) { estimate_competition(c, {0}, {2}); };
template <class C>
concept exact_competition_takes_braced = requires(const C& c) { exact_competition(c, {0}, {2}); };
template <class C>
concept simulate_competition_takes_braced = requires(const C& c) { simulate_competition(c, {0}, {2}, 1); };
template <class C>
concept blockers_take_braced = requires(const C& c) { select_blockers(c, {0}, std::size_t{1}); };
template <class G, class M, class O>
concept spread_takes_account_vector =
    requires(const G& g, const M& m, const O& o, const std::vector<account_t>& ids) { estimate_spread(g, m, ids, o); };

static_assert(!spread_takes_braced<FollowerGraph, IndependentCascade, MonteCarloOptions>);
static_assert(!spread_takes_braced<FollowerGraph, LinearThreshold, MonteCarloOptions>);
static_assert(!spread_takes_braced_pair<FollowerGraph, IndependentCascade, MonteCarloOptions>);
static_assert(!simulate_takes_braced<FollowerGraph, IndependentCascade>);
static_assert(!exact_takes_braced<FollowerGraph, IndependentCascade>);
static_assert(!competition_takes_braced<CompetitiveIC>);
static_assert(!exact_competition_takes_braced<CompetitiveIC>);
static_assert(!simulate_competition_takes_braced<CompetitiveIC>);
static_assert(!blockers_take_braced<CompetitiveIC>);
// A vector of account ids must be wrapped explicitly: it is not silently read as indices.
static_assert(!spread_takes_account_vector<FollowerGraph, IndependentCascade, MonteCarloOptions>);
static_assert(!std::is_convertible_v<std::vector<account_t>, Accounts>);
static_assert(!std::is_convertible_v<std::initializer_list<account_t>, Accounts>);

// What still compiles: dense indices held in a vector (e.g. SelectResult::seeds), and Accounts.
static_assert(requires(const FollowerGraph& g, const std::vector<vertex_t>& v) {
  estimate_spread(g, IndependentCascade{}, v);
  estimate_spread(g, IndependentCascade{}, Accounts{10, 30});
  simulate(g, IndependentCascade{}, v, std::uint64_t{1});
  exact_spread(g, IndependentCascade{}, Accounts{30});
});

// ---- run time: Accounts{...} equals the index overload with g.index_of of each account --------

TEST(ApiTypes, AccountsMapThroughTheGraph) {
  const FollowerGraph g = accounts_graph();
  ASSERT_EQ(g.num_vertices(), 4u);
  EXPECT_EQ(g.index_of(30), 2u);
  MonteCarloOptions mc;
  mc.trials = 4096;
  mc.seed = 5;
  const IndependentCascade ic;
  const std::vector<vertex_t> mapped{g.index_of(10), g.index_of(30)};
  const SpreadEstimate by_index = estimate_spread(g, ic, mapped, mc);
  const SpreadEstimate by_account = estimate_spread(g, ic, Accounts{10, 30}, mc);
  EXPECT_EQ(by_index.mean, by_account.mean);
  EXPECT_EQ(by_index.std_error, by_account.std_error);
  EXPECT_EQ(by_index.new_per_step, by_account.new_per_step);
  // Account 30 reaches only 40 (p 0.7); index 2 *is* account 30, account 2 does not exist.
  const ExactResult exact30 = exact_spread(g, ic, Accounts{30});
  const double expected30 = 1.0 + static_cast<double>(prob_t{0.7f});
  EXPECT_DOUBLE_EQ(exact30.spread, expected30);
  EXPECT_DOUBLE_EQ(exact_spread(g, ic, std::vector<vertex_t>{2}).spread, expected30);
  EXPECT_EQ(exact_spread(g, ic, Accounts{10, 30}).spread, exact_spread(g, ic, mapped).spread);
  EXPECT_EQ(exact_spread(g, LinearThreshold{}, Accounts{20}).spread,
            exact_spread(g, LinearThreshold{}, std::vector<vertex_t>{1}).spread);

  const Trace a = simulate(g, ic, Accounts{20}, 3);
  const Trace b = simulate(g, ic, std::vector<vertex_t>{1}, 3);
  EXPECT_EQ(a.activated, b.activated);
  EXPECT_EQ(a.step, b.step);
}

TEST(ApiTypes, CompetitiveAccountsMapThroughTheGraph) {
  const FollowerGraph g = accounts_graph();
  const CompetitiveIC model(g);
  CompetitionOptions co;
  co.trials = 2000;
  co.seed = 9;
  const std::vector<vertex_t> f{g.index_of(10)}, c{g.index_of(30)};
  const CompetitiveEstimate x = estimate_competition(model, Accounts{10}, Accounts{30}, co);
  const CompetitiveEstimate y = estimate_competition(model, f, c, co);
  EXPECT_EQ(x.misleading.mean, y.misleading.mean);
  EXPECT_EQ(x.saved.mean, y.saved.mean);
  EXPECT_EQ(exact_competition(model, Accounts{10}, Accounts{30}).saved.mean,
            exact_competition(model, f, c).saved.mean);
  EXPECT_EQ(simulate_competition(model, Accounts{10}, Accounts{30}, 4).activated,
            simulate_competition(model, f, c, 4).activated);
  BlockingOptions bo;
  bo.method = BlockingMethod::degree;
  bo.evaluation_trials = 100;
  EXPECT_EQ(select_blockers(model, Accounts{10}, 1, bo).seeds, select_blockers(model, f, 1, bo).seeds);
}

TEST(ApiTypes, UnknownAccountIsNamed) {
  const FollowerGraph g = accounts_graph();
  try {
    (void)estimate_spread(g, IndependentCascade{}, Accounts{10, 2});
    FAIL() << "account 2 is not in the graph";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("account 2 "), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)simulate(g, IndependentCascade{}, Accounts{41}, 1), std::out_of_range);
  EXPECT_THROW((void)exact_spread(g, IndependentCascade{}, Accounts{0}), std::out_of_range);
  const CompetitiveIC model(g);
  EXPECT_THROW((void)estimate_competition(model, Accounts{10}, Accounts{3}), std::out_of_range);
}

}  // namespace
}  // namespace kolsim

// SPDX-License-Identifier: MIT
/// Tests of core/choice.hpp and of every {name, value} table the library declares: each name
/// parses to its value and back, and an unknown name is refused naming the option and every choice.
#include <gtest/gtest.h>
#include <kolsim/kolsim.hpp>

#include <set>
#include <stdexcept>
#include <string>

namespace {

using namespace kolsim;

/// Every row of `table` round-trips: parse(name) is the row's value, the value's canonical name
/// parses to the same value, and names are unique; an unknown name throws std::invalid_argument
/// naming `what` and listing every accepted name.
template <class Table>
void check_table(const char* what, const Table& table) {
  SCOPED_TRACE(what);
  std::set<std::string_view> names;
  for (const auto& c : table) {
    EXPECT_TRUE(names.insert(c.name).second) << "duplicate name " << c.name;
    EXPECT_TRUE(parse_choice(what, c.name, table) == c.value) << c.name;
    const std::string_view canonical = choice_name(table, c.value);
    EXPECT_NE(canonical, "?");
    EXPECT_TRUE(parse_choice(what, canonical, table) == c.value) << canonical;
  }
  EXPECT_EQ(choice_list(table).size(), names.size());
  for (const char* bad : {"", "no-such-choice", "Random", " drop"}) {
    try {
      (void)parse_choice(what, bad, table);
      ADD_FAILURE() << "'" << bad << "' was accepted";
    } catch (const std::invalid_argument& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.rfind(std::string(what) + " must be one of ", 0), 0u) << msg;
      EXPECT_NE(msg.find(std::string("got '") + bad + "'"), std::string::npos) << msg;
      for (const auto& c : table) EXPECT_NE(msg.find(std::string(c.name)), std::string::npos) << c.name << ": " << msg;
    }
  }
}

TEST(Choice, EveryLibraryTableRoundTrips) {
  check_table("tie rule", tie_rule_choices);
  check_table("blocking method", blocking_method_choices);
  check_table("self_loops", self_loops_choices);
  check_table("duplicates", duplicates_choices);
}

TEST(Choice, NamesListAliasesWithTheirCanonicalName) {
  EXPECT_EQ(choice_names(self_loops_choices), "drop | keep | error");
  EXPECT_EQ(choice_names(duplicates_choices, ", "), "first, keep, max, combine, sum, error");
  EXPECT_EQ(choice_names(blocking_method_choices),
            "rr | celf | degree | neighbourhood | neighborhood (= neighbourhood) | imm");
  EXPECT_EQ(choice_name(blocking_method_choices, BlockingMethod::neighbourhood), "neighbourhood");
  EXPECT_EQ(parse_blocking_method("neighborhood"), BlockingMethod::neighbourhood);
}

TEST(Choice, TableOrderNotEnumOrderDecides) {
  // The CLI once mapped a name to an enum by its position in a list; a table maps by value, so a
  // reordered table still parses right.
  constexpr Choice<Duplicates> reordered[] = {{"error", Duplicates::error}, {"first", Duplicates::first}};
  EXPECT_EQ(parse_choice("duplicates", "error", reordered), Duplicates::error);
  EXPECT_EQ(parse_choice("duplicates", "first", reordered), Duplicates::first);
}

TEST(Choice, ParsersKeepTheirMessages) {
  // The two library parsers: the option name, the bad text and every choice.
  try {
    (void)parse_tie_rule("loser");
    ADD_FAILURE();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "tie rule must be one of misleading_wins | corrective_wins | random, got 'loser'");
  }
  try {
    (void)parse_blocking_method("best");
    ADD_FAILURE();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("blocking method must be one of rr | celf"), std::string::npos) << e.what();
  }
  EXPECT_EQ(tie_rule_name(TieRule::corrective_wins), "corrective_wins");
}

}  // namespace

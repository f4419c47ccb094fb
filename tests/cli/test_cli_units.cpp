// SPDX-License-Identifier: MIT
/// Unit tests of the kolsim tool's pieces that the command-line cases cannot reach on their own:
/// the unused-column warning (from a constructed reader report) and strict number parsing.
#include <gtest/gtest.h>

#include <sstream>

#include "../../src/cli/cli.hpp"

using namespace kolsim;
using namespace kolsim::cli;

TEST(CliWarnings, UnusedNumericColumnsAreNamedWithTheFix) {
  EdgeListReport r;
  std::ostringstream none;
  warn_unused_columns(r, "p.txt", none);
  EXPECT_EQ(none.str(), "");
  r.unused_numeric_columns = {2, 4};
  std::ostringstream os;
  warn_unused_columns(r, "p.txt", os);
  EXPECT_EQ(os.str(),
            "kolsim: warning: column 2 of p.txt holds numbers in [0, 1] on every line but is not used; "
            "add --probability-column 2 to use it as the edge probabilities\n"
            "kolsim: warning: column 4 of p.txt holds numbers in [0, 1] on every line but is not used; "
            "add --probability-column 4 to use it as the edge probabilities\n");
}

TEST(CliNumbers, WholeTokensOnly) {
  EXPECT_EQ(parse_unsigned("-k", "12", 1), 12u);
  EXPECT_EQ(parse_unsigned("-k", "18446744073709551615"), UINT64_MAX);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "0x10", "1e3", "12a", "18446744073709551616"})
    EXPECT_THROW(parse_unsigned("-k", bad), UsageError) << bad;
  try {
    parse_unsigned("-k", "-1", 1);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "-k must be an integer >= 1, got -1");
  }
  EXPECT_EQ(parse_real("--epsilon", "0.25", 0, 1), 0.25);
  EXPECT_EQ(parse_real("--budget", "1e3", 0, 1e9), 1000.0);
  for (const char* bad : {"", "abc", "0.5x", "nan", "inf", "-0.5", "1.5", "0x1p-2", " 0.5"})
    EXPECT_THROW(parse_real("--epsilon", bad, 0, 1), UsageError) << bad;
}

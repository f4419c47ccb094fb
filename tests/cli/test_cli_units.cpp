// SPDX-License-Identifier: MIT
/// Unit tests of the kolsim tool's pieces that the command-line cases cannot reach on their own:
/// the unused-column warning (from a constructed reader report) and strict number parsing.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "../../src/cli/cli.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/graph/probabilities.hpp"
#include "kolsim/io/snapshot.hpp"

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

// Issue 15 (goal 3): `-p wc` on a snapshot that already stores the weighted-cascade
// probabilities keeps the mapped ones (no second array derived and copied); other stored
// probabilities are replaced by 1 / in-degree.
TEST(CliProbabilities, WcKeepsStoredWeightedCascadeOnly) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("kolsim_cli_units_wc_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::vector<account_t> s = {1, 2, 3, 1, 4, 4}, t = {2, 3, 1, 3, 3, 1};
  const FollowerGraph g = build_graph(s, t);
  const std::string wc_file = (dir / "wc.kgs").string(), half_file = (dir / "half.kgs").string(),
                    implicit_file = (dir / "implicit.kgs").string();
  // Per-edge weighted cascade (format 2, arrays in the map), a constant (implicit, format 3) and
  // implicit weighted cascade (format 3, no arrays at all).
  save_snapshot(weighted_cascade(g).with_explicit_probabilities(), wc_file);
  save_snapshot(constant_probability(g, 0.5f), half_file);
  save_snapshot(weighted_cascade(g), implicit_file);
  for (const std::string& f : {wc_file, half_file, implicit_file}) {
    GraphArgs a;
    a.path = f;
    a.probabilities = "wc";
    const LoadedGraph loaded = load_graph(a, NeedProbabilities::required);
    const FollowerGraph& h = loaded.graph;
    if (f == wc_file) {
      EXPECT_EQ(h.probability_kind(), ProbabilityKind::per_edge);
      // The arrays of a format-2 snapshot are its memory map: probabilities inside the map were kept.
      const auto* base = reinterpret_cast<const char*>(h.out_offsets().data());
      const auto* probs = reinterpret_cast<const char*>(h.edge_probs().data());
      EXPECT_TRUE(probs > base && probs < base + fs::file_size(f)) << f;
    } else {
      EXPECT_EQ(h.probability_kind(), ProbabilityKind::weighted_cascade) << f;  // stored implicitly
      EXPECT_EQ(h.probabilities_materialised(), 0) << f;
    }
    for (vertex_t v = 0; v < h.num_vertices(); ++v)
      for (edge_t e = h.in_offsets()[v]; e < h.in_offsets()[v + 1]; ++e)
        EXPECT_EQ(h.in_edge_probs()[e], 1.0f / static_cast<float>(h.in_degree(v))) << f;
  }
  fs::remove_all(dir);
}

// SPDX-License-Identifier: MIT
/// Tests of the campaign inputs and records: roster and audience CSVs (good and bad), arrays,
/// and the JSON run record / text table of a plan.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kolsim/campaign/audience.hpp"
#include "kolsim/campaign/report.hpp"
#include "kolsim/campaign/roster.hpp"
#include "kolsim/graph/builder.hpp"

using namespace kolsim;

namespace {

const std::string dir = std::string(KOLSIM_TEST_DATA_DIR) + "/rosters/";

/// A path graph on accounts 10 -> 20 -> ... -> 80.
FollowerGraph test_graph() {
  std::vector<account_t> s, t;
  for (account_t a = 10; a < 80; a += 10) {
    s.push_back(a);
    t.push_back(a + 10);
  }
  std::vector<prob_t> p(s.size(), 0.5f);
  return build_graph(s, t, p);
}

void expect_parse_error(const std::string& file, std::uint64_t line, const std::string& fragment) {
  const FollowerGraph g = test_graph();
  try {
    read_roster(dir + file, g);
    FAIL() << file << " loaded without error";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_NE(e.file().find(file), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(file + ":" + std::to_string(line)), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(Roster, ReadsGoodFile) {
  const FollowerGraph g = test_graph();
  const Roster r = read_roster(dir + "good.csv", g);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].account, 10u);
  EXPECT_DOUBLE_EQ(r[0].fee, 100.5);
  EXPECT_DOUBLE_EQ(r[0].risk, 0.1);
  EXPECT_EQ(r[0].platform, "twitter");
  EXPECT_EQ(r[0].tags, (std::vector<std::string>{"health", "news"}));
  EXPECT_DOUBLE_EQ(r[1].risk, 0.0);  // empty risk cell
  EXPECT_TRUE(r[1].tags.empty());
  EXPECT_EQ(r[2].platform, "tik,tok");
  EXPECT_EQ(r[2].tags, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(r[3].account, 40u);
  EXPECT_DOUBLE_EQ(r[3].fee, 0.0);
  const vertex_t v30 = g.index_of(30);
  EXPECT_TRUE(r.is_candidate(v30));
  EXPECT_DOUBLE_EQ(r.fee(v30), 75.0);
  EXPECT_DOUBLE_EQ(r.risk(v30), 0.5);
  EXPECT_FALSE(r.is_candidate(g.index_of(50)));  // not on the roster
  EXPECT_EQ(r.num_candidates(), 4u);
}

TEST(Roster, MinimalColumnsInAnyOrder) {
  const FollowerGraph g = test_graph();
  const Roster r = read_roster(dir + "minimal.csv", g);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].account, 20u);
  EXPECT_DOUBLE_EQ(r[1].fee, 20.0);
  EXPECT_DOUBLE_EQ(r[1].risk, 0.0);
}

TEST(Roster, IncludeNonRoster) {
  const FollowerGraph g = test_graph();
  RosterOptions o;
  o.include_non_roster = true;
  o.non_roster_fee = 7.0;
  const Roster r = read_roster(dir + "minimal.csv", g, o);
  const vertex_t v50 = g.index_of(50);
  EXPECT_TRUE(r.is_candidate(v50));
  EXPECT_DOUBLE_EQ(r.fee(v50), 7.0);
  EXPECT_DOUBLE_EQ(r.fee(g.index_of(10)), 10.0);
  EXPECT_EQ(r.num_candidates(), g.num_vertices());
  o.non_roster_fee = -1;
  EXPECT_THROW(read_roster(dir + "minimal.csv", g, o), std::invalid_argument);
}

TEST(Roster, BadFilesNameFileAndLine) {
  expect_parse_error("bad_unknown_account.csv", 3, "account 999 is not in the graph");
  expect_parse_error("bad_negative_fee.csv", 3, "fee must be >= 0");
  expect_parse_error("bad_risk_above_one.csv", 4, "risk must be in [0, 1]");
  expect_parse_error("bad_duplicate.csv", 4, "duplicate account 10 (first listed on line 2)");
  expect_parse_error("bad_nan_fee.csv", 2, "fee is NaN");
  expect_parse_error("bad_missing_fee_column.csv", 1, "missing required column 'fee'");
  expect_parse_error("bad_field_count.csv", 3, "expected 3 fields, got 2");
  expect_parse_error("bad_account_text.csv", 2, "not a non-negative integer");
}

TEST(Roster, MissingFileIsIoError) {
  const FollowerGraph g = test_graph();
  EXPECT_THROW(read_roster(dir + "no_such_file.csv", g), IoError);
}

TEST(Roster, FromArrays) {
  const FollowerGraph g = test_graph();
  const std::vector<account_t> acc{20, 40};
  const std::vector<double> fee{1.5, 2.5}, risk{0.0, 0.25};
  const std::vector<std::string> plat{"x", "y"};
  const Roster r = Roster::from_arrays(g, acc, fee, risk, plat);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_DOUBLE_EQ(r.risk(g.index_of(40)), 0.25);
  EXPECT_EQ(r[1].platform, "y");
  const std::vector<account_t> unknown{20, 999};
  EXPECT_THROW(Roster::from_arrays(g, unknown, fee), std::out_of_range);
  const std::vector<account_t> dup{20, 20};
  EXPECT_THROW(Roster::from_arrays(g, dup, fee), std::invalid_argument);
  const std::vector<double> neg{1.0, -1.0}, bad_risk{0.0, 1.5}, nan_fee{1.0, std::nan("")};
  EXPECT_THROW(Roster::from_arrays(g, acc, neg), std::invalid_argument);
  EXPECT_THROW(Roster::from_arrays(g, acc, fee, bad_risk), std::invalid_argument);
  EXPECT_THROW(Roster::from_arrays(g, acc, nan_fee), std::invalid_argument);
  try {
    Roster::from_arrays(g, acc, fee, bad_risk);
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("roster row 1 (account 40): risk must be in [0, 1]"), std::string::npos)
        << e.what();
  }
}

TEST(Audience, GroupsAndWeights) {
  const FollowerGraph g = test_graph();
  const Audience a = read_audience(dir + "audience_groups.csv", g);
  ASSERT_EQ(a.num_groups(), 2u);
  EXPECT_EQ(a.group_names[0], "youth");
  EXPECT_EQ(a.group_of[g.index_of(30)], 1u);
  EXPECT_EQ(a.group_of[g.index_of(50)], no_group);
  EXPECT_FALSE(a.weighted());  // all weights 1: groups only shape the report
  AudienceOptions o;
  o.group_weights["youth"] = 3.0;
  o.other_weight = 0.0;
  const Audience b = read_audience(dir + "audience_groups.csv", g, o);
  ASSERT_TRUE(b.weighted());
  EXPECT_DOUBLE_EQ(b.weight(g.index_of(10)), 3.0);
  EXPECT_DOUBLE_EQ(b.weight(g.index_of(30)), 1.0);
  EXPECT_DOUBLE_EQ(b.weight(g.index_of(50)), 0.0);
  const Audience w = read_audience(dir + "audience_weights.csv", g);
  EXPECT_DOUBLE_EQ(w.weight(g.index_of(10)), 2.0);
  EXPECT_DOUBLE_EQ(w.weight(g.index_of(20)), 0.5);
  EXPECT_DOUBLE_EQ(w.weight(g.index_of(30)), 1.0);
  o.group_weights.clear();
  o.group_weights["nobody"] = 1.0;
  EXPECT_THROW(read_audience(dir + "audience_groups.csv", g, o), std::invalid_argument);
  EXPECT_THROW(read_audience(dir + "good.csv", g), ParseError);  // no group or weight column
}

TEST(Audience, FromArrays) {
  const FollowerGraph g = test_graph();
  const std::vector<account_t> acc{10, 80};
  const std::vector<double> w{5.0, 0.0};
  const Audience a = Audience::from_weights(g, acc, w, 1.0);
  EXPECT_DOUBLE_EQ(a.weight(g.index_of(10)), 5.0);
  EXPECT_DOUBLE_EQ(a.weight(g.index_of(80)), 0.0);
  const std::vector<std::string> grp{"a", "b"};
  const Audience b = Audience::from_groups(g, acc, grp);
  EXPECT_EQ(b.num_groups(), 2u);
  const std::vector<double> neg{1.0, -2.0};
  EXPECT_THROW(Audience::from_weights(g, acc, neg), std::invalid_argument);
}

TEST(Report, JsonEscapesAndRoundTrips) {
  CampaignPlan p;
  p.model = "independent_cascade";
  p.version = "0.1.0";
  p.graph_checksum = 12345;
  p.spec.budget = 100;
  p.spec.group_minimums = {{"yo\"uth", 3.0}};
  KolChoice k;
  k.account = 42;
  k.platform = "line\nbreak";
  k.tags = {"a", "b"};
  k.marginal_reach = 1.5;
  p.kols.push_back(k);
  p.reach = std::nan("");
  p.groups.push_back({"g", 3, 3.0, 1.0, 0.5, 2.0, false});
  const std::string j = p.to_json();
  EXPECT_NE(j.find("\"graph_checksum\":12345"), std::string::npos) << j;
  EXPECT_NE(j.find("\"platform\":\"line\\nbreak\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"yo\\\"uth\":3"), std::string::npos) << j;
  EXPECT_NE(j.find("\"reach\":null"), std::string::npos) << j;
  EXPECT_NE(j.find("\"deadline\":\"none\""), std::string::npos) << j;
  const std::string path = ::testing::TempDir() + "kolsim_plan_record.json";
  p.save_json(path);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), j);
  std::remove(path.c_str());
  const std::string t = p.to_table();
  EXPECT_NE(t.find("42"), std::string::npos) << t;
  EXPECT_NE(t.find("NO"), std::string::npos) << t;
  EXPECT_THROW(p.save_json("/nonexistent_dir_kolsim/x.json"), IoError);
}

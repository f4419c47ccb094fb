// SPDX-License-Identifier: MIT
/// Tests of the campaign inputs and records: roster and audience CSVs (good and bad), arrays,
/// their binding to one graph, and the JSON run record / text table of a plan.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kolsim/campaign/audience.hpp"
#include "kolsim/campaign/plan.hpp"
#include "kolsim/campaign/report.hpp"
#include "kolsim/campaign/roster.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/io/edge_list.hpp"

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

/// The same accounts as test_graph() but the last one: 10, 20, ..., 70, 100 (same size).
FollowerGraph other_graph() {
  const std::vector<account_t> s{10, 20, 30, 40, 50, 60, 70}, t{20, 30, 40, 50, 60, 70, 100};
  return build_graph(s, t, std::vector<prob_t>(s.size(), 0.5f));
}

/// Reads `file` (a roster, or an audience when `audience`) expecting a ParseError at `line`
/// whose message contains `fragment`; the message must also be valid printable text.
void expect_parse_error(const std::string& file, std::uint64_t line, const std::string& fragment,
                        bool audience = false) {
  const FollowerGraph g = test_graph();
  const std::string path = file.find('/') == std::string::npos ? dir + file : file;
  try {
    if (audience) read_audience(path, g);
    else read_roster(path, g);
    FAIL() << file << " loaded without error";
  } catch (const ParseError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.line(), line) << what;
    EXPECT_EQ(e.file(), path) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
    EXPECT_NE(what.find(path + ":" + std::to_string(line) + ": "), std::string::npos) << what;
    for (unsigned char c : what.substr(path.size())) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "byte " << int(c) << " in " << what;
  }
}

/// Writes `text` (any bytes) to a file in the test temp dir; returns its path.
std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "kolsim_roster_" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

CampaignSpec small_spec() {
  CampaignSpec spec;
  spec.max_kols = 1;
  spec.check_trials = 100;
  spec.epsilon = 0.5;
  spec.threads = 1;
  return spec;
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
  expect_parse_error("bad_nan_fee.csv", 2, "fee 'nan' is not a decimal number");
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

// --- issue 11, item 3: a roster or audience is bound to the graph it was joined to ----------

TEST(Binding, RosterOnAnotherGraphOfTheSameSizeIsRejected) {
  const FollowerGraph a = test_graph(), b = other_graph();
  ASSERT_EQ(a.num_vertices(), b.num_vertices());
  const Roster roster = read_roster(dir + "good.csv", a);  // accounts 10..40: dense 0..3 on both graphs
  const std::vector<account_t> acc{70};
  const Roster last = Roster::from_arrays(a, acc, std::vector<double>{1.0});  // dense 6 is account 100 on b
  for (const Roster* r : {&roster, &last}) {
    try {
      const CampaignPlan p = plan_campaign(b, IndependentCascade{}, *r, small_spec());
      FAIL() << "planned on another graph; hired " << (p.kols.empty() ? 0 : p.kols[0].account);
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("plan_campaign: the roster was joined to another graph (8 accounts"), std::string::npos)
          << what;
      EXPECT_NE(what.find("than this one (8 accounts, fingerprint 0x"), std::string::npos) << what;
    }
  }
  // The graph it was joined to is accepted, and so is a graph with the same account table.
  EXPECT_NO_THROW(plan_campaign(a, IndependentCascade{}, last, small_spec()));
  const std::vector<account_t> s{10, 30, 50, 70}, t{20, 40, 60, 80};
  const FollowerGraph same_accounts = build_graph(s, t, std::vector<prob_t>(4, 0.3f));
  EXPECT_NO_THROW(plan_campaign(same_accounts, IndependentCascade{}, last, small_spec()));
}

TEST(Binding, AudienceOnAnotherGraphIsRejected) {
  const FollowerGraph a = test_graph(), b = other_graph();
  const Roster roster_b = Roster::from_arrays(b, std::vector<account_t>{10, 20}, std::vector<double>{1.0, 1.0});
  CampaignSpec spec = small_spec();
  spec.audience = read_audience(dir + "audience_weights.csv", a);
  EXPECT_THROW(plan_campaign(b, IndependentCascade{}, roster_b, spec), std::invalid_argument);
  spec.audience = Audience::from_groups(a, std::vector<account_t>{70}, std::vector<std::string>{"x"});
  try {
    plan_campaign(b, IndependentCascade{}, roster_b, spec);
    FAIL() << "audience of another graph accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("the audience was joined to another graph"), std::string::npos) << e.what();
  }
  spec.audience = Audience::from_weights(b, std::vector<account_t>{100}, std::vector<double>{2.0});
  EXPECT_NO_THROW(plan_campaign(b, IndependentCascade{}, roster_b, spec));
}

TEST(Binding, ReplanRejectsARosterOfAnotherGraph) {
  const FollowerGraph a = test_graph(), b = other_graph();
  const Roster ra = Roster::from_arrays(a, std::vector<account_t>{10, 20}, std::vector<double>{1.0, 1.0});
  const Roster rb = Roster::from_arrays(b, std::vector<account_t>{10, 20}, std::vector<double>{1.0, 1.0});
  const CampaignPlan plan = plan_campaign(b, IndependentCascade{}, rb, small_spec());
  ASSERT_FALSE(plan.kols.empty());
  EXPECT_THROW(replan_without(b, IndependentCascade{}, ra, plan, plan.kols[0].account), std::invalid_argument);
  EXPECT_NO_THROW(replan_without(b, IndependentCascade{}, rb, plan, plan.kols[0].account));
}

TEST(Binding, TheSameFileReadTwiceIsAccepted) {
  const std::string edges = write_temp("edges.txt", "10 20 0.5\n20 30 0.5\n30 40 0.5\n40 10 0.5\n");
  EdgeListOptions o;
  o.probability_column = 2;
  const FollowerGraph g1 = read_edge_list(edges, o), g2 = read_edge_list(edges, o);
  ASSERT_NE(g1.topology(), g2.topology());  // two reads, two topologies
  const std::string ros = write_temp("twice.csv", "account,fee\n10,1\n30,1\n");
  const Roster roster = read_roster(ros, g1);
  CampaignSpec spec = small_spec();
  spec.audience = read_audience(write_temp("twice_aud.csv", "account,weight\n20,2\n"), g1);
  const CampaignPlan p = plan_campaign(g2, IndependentCascade{}, roster, spec);
  ASSERT_EQ(p.kols.size(), 1u);
  EXPECT_TRUE(p.kols[0].account == 10 || p.kols[0].account == 30);
  std::remove(edges.c_str());
}

// --- issue 11, item 5: a header-only roster or audience is an error ---------------------------

TEST(Roster, HeaderOnlyIsAnError) {
  expect_parse_error("bad_header_only.csv", 1, "roster has no rows");
  expect_parse_error(write_temp("header_blank.csv", "account,fee\n\n# nothing here\n\n"), 1, "roster has no rows");
  expect_parse_error(write_temp("aud_header.csv", "account,group\n"), 1, "audience has no rows", true);
  RosterOptions o;  // every account is a candidate: an empty roster does what it says
  o.include_non_roster = true;
  EXPECT_EQ(read_roster(dir + "bad_header_only.csv", test_graph(), o).num_candidates(), 8u);
  EXPECT_THROW(Roster::from_arrays(test_graph(), std::vector<account_t>{}, std::vector<double>{}),
               std::invalid_argument);
}

// --- issue 11, item 13: roster and audience numbers use the one decimal grammar -----------------

TEST(Roster, NumbersUseTheDecimalGrammar) {
  expect_parse_error("bad_hex_fee.csv", 3, "fee '0x10' is not a decimal number");
  expect_parse_error("bad_inf_fee.csv", 2, "fee 'inf' is not a decimal number");
  for (const std::string bad : {"0x10", "inf", "-inf", "Infinity", "nan", "1e", "1.2.3", "1 2", "0x1p3", "+-1", "1d"}) {
    expect_parse_error(write_temp("num.csv", "account,fee,risk\n10,1,0\n20," + bad + ",0\n"), 3, "not a decimal number");
    expect_parse_error(write_temp("numr.csv", "account,fee,risk\n10,1," + bad + "\n"), 2, "risk '");
    expect_parse_error(write_temp("numw.csv", "account,weight\n10," + bad + "\n"), 2, "weight '", true);
  }
  expect_parse_error(write_temp("big.csv", "account,fee\n10,1e999\n"), 2, "fee '1e999' is not finite");
  expect_parse_error(write_temp("acc.csv", "account,fee\n0x0a,1\n"), 2, "account id '0x0a' is not a non-negative");
  const Roster r = read_roster(write_temp("ok.csv", "account,fee,risk\n10,1e2,.5\n20,+2.5,5e-1\n30,3.,0\n"),
                               test_graph());
  ASSERT_EQ(r.size(), 3u);
  EXPECT_DOUBLE_EQ(r[0].fee, 100.0);
  EXPECT_DOUBLE_EQ(r[0].risk, 0.5);
  EXPECT_DOUBLE_EQ(r[1].fee, 2.5);
  EXPECT_DOUBLE_EQ(r[2].fee, 3.0);
}

// --- issue 11, item 11: text fields must be UTF-8 (rejected at read, with file:line) ---------

TEST(Roster, InvalidUtf8IsRejectedInEveryField) {
  expect_parse_error("bad_utf8_platform.csv", 3, "column 'platform': invalid UTF-8");
  expect_parse_error("bad_utf8_group.csv", 3, "column 'group': invalid UTF-8", true);
  const std::vector<std::string> bad{"\xff", "tw\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a\x80z"};
  for (const auto& b : bad) {
    expect_parse_error(write_temp("u1.csv", "account,fee,platform,tags\n10,1," + b + ",x\n"), 2,
                       "column 'platform': invalid UTF-8");
    expect_parse_error(write_temp("u2.csv", "account,fee,platform,tags\n10,1,x,a;" + b + "\n"), 2,
                       "column 'tags': invalid UTF-8");
    expect_parse_error(write_temp("u3.csv", "account,fee,notes\n10,1," + b + "\n"), 2,
                       "column 'notes': invalid UTF-8");  // an ignored column too
    expect_parse_error(write_temp("u4.csv", "account,fee,n" + b + "\n10,1,2\n"), 1, "invalid UTF-8");
    expect_parse_error(write_temp("u5.csv", "account,group\n10,g" + b + "\n"), 2, "column 'group': invalid UTF-8",
                       true);
    expect_parse_error(write_temp("u6.csv", "account,fee\n1" + b + ",1\n"), 2, "column 'account': invalid UTF-8");
  }
  // Well-formed UTF-8 passes through unchanged.
  const Roster r = read_roster(write_temp("u7.csv", "account,fee,platform,tags\n10,1,\xe5\xbe\xae\xe5\x8d\x9a,"
                                                    "caf\xc3\xa9;\xf0\x9f\x8e\xb5\n"),
                               test_graph());
  EXPECT_EQ(r[0].platform, "\xe5\xbe\xae\xe5\x8d\x9a");
  EXPECT_EQ(r[0].tags, (std::vector<std::string>{"caf\xc3\xa9", "\xf0\x9f\x8e\xb5"}));
}

// --- issue 11, item 16: bytes in messages are escaped; a NUL does not cut the message -----------

TEST(Roster, NulAndControlBytesAreEscapedInMessages) {
  expect_parse_error(write_temp("nul.csv", std::string("account,fee\n1\0x,1\n", 19)), 2,
                     "column 'account': control character '\\x00' in '1\\x00x'");
  expect_parse_error(write_temp("nul2.csv", std::string("account,fee,platform\n10,1,a\0b\n", 30)), 2,
                     "'a\\x00b'");
  expect_parse_error(write_temp("bel.csv", "account,group\n10,a\x07z\n"), 2, "control character '\\x07'", true);
  expect_parse_error(write_temp("dupcol.csv", "account,fee,\xc3\xa9,\xc3\xa9\n"), 1,
                     "duplicate column '\\xc3\\xa9'");
  const std::string longtok(500, '9');
  expect_parse_error(write_temp("long.csv", "account,fee\n" + longtok + ",1\n"), 2, "...' is too large");
}

// --- issue 11, item 4 (readers' part): BOM, CRLF and lone CR line ends ------------------------

TEST(Roster, ByteOrderMarkAndLineEnds) {
  const FollowerGraph g = test_graph();
  for (const std::string eol : {"\n", "\r\n", "\r"}) {
    const std::string text = "\xEF\xBB\xBF" "account,fee,tags" + eol + "10,1,a;b" + eol + "20,2," + eol + eol;
    const Roster r = read_roster(write_temp("eol.csv", text), g);
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].tags, (std::vector<std::string>{"a", "b"}));
    EXPECT_DOUBLE_EQ(r[1].fee, 2.0);
    expect_parse_error(write_temp("eol_bad.csv", "account,fee" + eol + "10,1" + eol + "20,x" + eol), 3,
                       "fee 'x' is not");
  }
}

// --- issue 17: the shared CSV tokeniser, with double quotes -----------------------------------

TEST(Roster, QuotedFields) {
  const Roster r = read_roster(write_temp("q.csv", "account,fee,platform,tags\n \"10\" , 1 ,\" a \"\"b\"\" \",\"x,y;z\"\n"),
                               test_graph());
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].platform, " a \"b\" ");
  EXPECT_EQ(r[0].tags, (std::vector<std::string>{"x,y", "z"}));
  expect_parse_error(write_temp("q1.csv", "account,fee,platform\n10,1,\"open\n"), 2, "unterminated quoted field");
  expect_parse_error(write_temp("q2.csv", "account,fee,platform\n10,1,\"a\"b\n"), 2,
                     "text after the closing quote of field 3");
}

// --- issue 11, item 15: read_audience is linear in the number of groups ----------------------

TEST(Audience, ManyGroupsAreReadInLinearTime) {
  constexpr account_t groups = 200000;
  std::vector<account_t> s, t;
  for (account_t a = 1; a < groups; ++a) {
    s.push_back(a);
    t.push_back(a + 1);
  }
  const FollowerGraph g = build_graph(s, t, std::vector<prob_t>(s.size(), 0.1f));
  std::string text = "account,group,weight\n";
  for (account_t a = 1; a <= groups; ++a) text += std::to_string(a) + ",group " + std::to_string(a) + ",1.5\n";
  const std::string path = write_temp("many_groups.csv", text);
  AudienceOptions o;
  o.group_weights["group 7"] = 3.0;
  const auto t0 = std::chrono::steady_clock::now();
  const Audience a = read_audience(path, g, o);
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("read_audience: %llu groups in %.3f s\n", static_cast<unsigned long long>(groups), sec);
  ASSERT_EQ(a.num_groups(), groups);
  EXPECT_EQ(a.group_names[groups - 1], "group 200000");
  EXPECT_EQ(a.group_of[g.index_of(12345)], 12344u);
  EXPECT_DOUBLE_EQ(a.weight(g.index_of(7)), 1.5);  // the row's own weight wins
  std::remove(path.c_str());
}

// SPDX-License-Identifier: MIT
/// Progress counts of the readers (roster and audience CSVs: bytes; cascades: lines, then
/// cascades joined) and of learn_credit (cascades walked, then edges scored): every report of a
/// phase has the same total (the real size), `done` never decreases, starts at 0, passes through
/// intermediate values on a file of several report intervals, and ends at the total. The
/// results are the same with and without progress.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "kolsim/campaign/audience.hpp"
#include "kolsim/campaign/roster.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/learn/cascades.hpp"
#include "kolsim/learn/ic_em.hpp"

using namespace kolsim;

namespace {

constexpr account_t N = 6000;

FollowerGraph test_graph() {
  std::vector<account_t> s, t;
  for (account_t a = 1; a <= N; ++a)
    for (account_t k : {1u, 7u, 31u}) {
      s.push_back(a);
      t.push_back((a + k - 1) % N + 1);
    }
  return build_graph(s, t, std::vector<prob_t>(s.size(), 0.1f));
}

struct Recorder {
  std::vector<std::pair<std::string, std::pair<std::uint64_t, std::uint64_t>>> calls;
  ProgressFn fn() {
    return [this](std::string_view phase, std::uint64_t done, std::uint64_t total) {
      calls.push_back({std::string(phase), {done, total}});
    };
  }
  std::vector<std::string> phases() const {
    std::vector<std::string> out;
    for (const auto& c : calls)
      if (out.empty() || out.back() != c.first) out.push_back(c.first);
    return out;
  }
  /// Checks one phase; returns how many reports it had.
  std::size_t check(const std::string& phase, std::uint64_t total) const {
    std::vector<std::uint64_t> done;
    for (const auto& c : calls)
      if (c.first == phase) {
        EXPECT_EQ(c.second.second, total) << phase;
        done.push_back(c.second.first);
      }
    EXPECT_FALSE(done.empty()) << phase;
    if (done.empty()) return 0;
    EXPECT_EQ(done.front(), 0u) << phase;
    EXPECT_EQ(done.back(), total) << phase;
    for (std::size_t i = 1; i < done.size(); ++i) EXPECT_LE(done[i - 1], done[i]) << phase;
    return done.size();
  }
};

std::string write_file(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("kolsim_reader_progress_" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

std::string cascade_text(bool long_csv, std::uint64_t cascades) {
  std::string out = long_csv ? "cascade_id,account,time\n" : "";
  for (std::uint64_t c = 0; c < cascades; ++c) {
    for (std::uint64_t i = 0; i < 4; ++i) {
      const account_t a = (c * 17 + i * 1 + 1) % N + 1;  // a followed by a+1: chains along edges
      const std::string t = std::to_string(c + i);
      if (long_csv) out += std::to_string(c) + "," + std::to_string(a) + "," + t + "\n";
      else out += (i ? "," : "") + std::to_string(a) + " " + t;
    }
    if (!long_csv) out += "\n";
  }
  return out;
}

}  // namespace

TEST(ReaderProgress, RosterCountsBytes) {
  const FollowerGraph g = test_graph();
  std::string text = "account,fee,risk,platform,tags\n";
  for (account_t a = 1; a <= N; ++a) text += std::to_string(a) + ",12.5,0.1,site,news;local\n";
  const std::string path = write_file("roster.csv", text);
  Recorder rec;
  RosterOptions o;
  o.progress = rec.fn();
  const Roster r = read_roster(path, g, o);
  EXPECT_EQ(rec.phases(), std::vector<std::string>{"read"});
  EXPECT_GE(rec.check("read", text.size()), 4u);  // text.size() / 64 KiB = 3 intermediate reports
  EXPECT_EQ(r.size(), read_roster(path, g).size());
}

TEST(ReaderProgress, AudienceCountsBytes) {
  const FollowerGraph g = test_graph();
  std::string text = "account,group,weight\n";
  for (account_t a = 1; a <= N; ++a) text += std::to_string(a) + ",group" + std::to_string(a % 3) + ",2\n";
  const std::string path = write_file("audience.csv", text);
  Recorder rec;
  AudienceOptions o;
  o.progress = rec.fn();
  const Audience a = read_audience(path, g, o);
  EXPECT_GE(rec.check("read", text.size()), 3u);
  EXPECT_EQ(a.weights, read_audience(path, g).weights);
}

TEST(ReaderProgress, CascadesCountLinesThenCascadesJoined) {
  const FollowerGraph g = test_graph();
  for (bool long_csv : {false, true}) {
    const std::string text = cascade_text(long_csv, 5000);
    const std::string path = write_file(long_csv ? "c.csv" : "c.txt", text);
    const std::uint64_t lines = static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n'));
    Recorder rec;
    CascadeReadOptions o;
    o.progress = rec.fn();
    CascadeReadReport with, without;
    const Cascades c = read_cascades(path, g, o, &with);
    read_cascades(path, g, {}, &without);
    EXPECT_GE(rec.check("read", lines), 3u) << long_csv;
    if (long_csv) {
      EXPECT_EQ(rec.phases(), (std::vector<std::string>{"read", "join"}));
      EXPECT_GE(rec.check("join", 5000), 3u);
    } else {
      EXPECT_EQ(rec.phases(), std::vector<std::string>{"read"});
    }
    EXPECT_EQ(with.cascades, 5000u);
    EXPECT_EQ(with.adoptions, without.adoptions);
    EXPECT_EQ(c.size(), 5000u);
  }
}

TEST(ReaderProgress, LearnCreditCountsCascadesThenEdges) {
  const FollowerGraph g = test_graph();
  const std::string path = write_file("credit.txt", cascade_text(false, 3000));
  const Cascades cs = read_cascades(path, g);
  Recorder rec;
  EmOptions o;
  o.progress = rec.fn();
  const LearnedProbabilities with = learn_credit(g, cs, CreditScheme::bernoulli, o);
  EXPECT_EQ(rec.phases(), (std::vector<std::string>{"evidence", "credit"}));
  EXPECT_GE(rec.check("evidence", 3000), 3u);
  rec.check("credit", g.num_edges());
  EXPECT_EQ(with.probability, learn_credit(g, cs, CreditScheme::bernoulli).probability);
}

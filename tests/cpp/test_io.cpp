// SPDX-License-Identifier: MIT
/// Tests of the edge-list readers and writer, binary snapshots, atomic files and the bad-input corpus.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/io/atomic_file.hpp"
#include "kolsim/io/edge_list.hpp"
#include "kolsim/io/snapshot.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace fs = std::filesystem;
using namespace kolsim;

namespace {

const std::string data_dir = KOLSIM_TEST_DATA_DIR;
std::string good(const std::string& f) { return data_dir + "/good/" + f; }
std::string bad(const std::string& f) { return data_dir + "/bad/" + f; }

std::uint64_t test_seed() {
  static const std::uint64_t seed = [] {
    const char* env = std::getenv("KOLSIM_TEST_SEED");
    const std::uint64_t s = env ? std::strtoull(env, nullptr, 10) : 20261129u;
    std::printf("test_io seed = %llu (override with KOLSIM_TEST_SEED)\n", static_cast<unsigned long long>(s));
    return s;
  }();
  return seed;
}

/// A private temporary directory, removed with its content.
struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/kolsim_test_io_XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}
std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

/// Edge list of a graph as (account u, account v) pairs in CSR order.
std::vector<std::pair<account_t, account_t>> edges_of(const FollowerGraph& g) {
  std::vector<std::pair<account_t, account_t>> out;
  for (vertex_t u = 0; u < g.num_vertices(); ++u)
    for (vertex_t v : g.out_neighbors(u)) out.emplace_back(g.account(u), g.account(v));
  return out;
}

template <class A, class B>
bool same(A a, B b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

void expect_identical(const FollowerGraph& a, const FollowerGraph& b) {
  EXPECT_TRUE(same(a.out_offsets(), b.out_offsets()));
  EXPECT_TRUE(same(a.out_targets(), b.out_targets()));
  EXPECT_TRUE(same(a.in_offsets(), b.in_offsets()));
  EXPECT_TRUE(same(a.in_sources(), b.in_sources()));
  EXPECT_TRUE(same(a.accounts(), b.accounts()));
  EXPECT_EQ(a.has_probabilities(), b.has_probabilities());
  EXPECT_TRUE(same(a.edge_probs(), b.edge_probs()));
  EXPECT_TRUE(same(a.in_edge_probs(), b.in_edge_probs()));
}

/// Deterministic pseudo-random text edge list with `lines` data lines and some comments.
std::string random_edge_text(std::uint64_t lines, std::uint64_t seed, bool probs) {
  std::string s;
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (std::uint64_t i = 0; i < lines; ++i) {
    if (i % 997 == 0) s += "# comment\n";
    s += std::to_string(next() % 50000) + (i % 3 ? " " : "\t") + std::to_string(next() % 50000);
    if (probs) s += " " + std::to_string((next() % 1000) / 1000.0);
    s += (i % 5 == 0) ? "\r\n" : "\n";
  }
  return s;
}

}  // namespace

TEST(EdgeList, WhitespaceCommentsCrlfAnd64BitIds) {
  EdgeListReport rep;
  const auto g = read_edge_list(good("whitespace.txt"), {}, &rep);
  EXPECT_EQ(rep.path, good("whitespace.txt"));
  EXPECT_EQ(rep.lines, 9u);
  EXPECT_EQ(rep.comment_lines, 2u);
  EXPECT_EQ(rep.blank_lines, 2u);
  EXPECT_EQ(rep.edge_lines, 5u);
  EXPECT_EQ(g.num_vertices(), 6u);
  EXPECT_EQ(g.num_edges(), 5u);
  const std::vector<account_t> accounts = {1, 2, 3, 4, 4294967296ull, 18446744073709551615ull};
  EXPECT_TRUE(same(g.accounts(), accounts));
  // "a b" is a -> b: b follows a.
  const std::vector<std::pair<account_t, account_t>> edges = {
      {1, 2}, {1, 3}, {2, 4}, {4294967296ull, 1}, {18446744073709551615ull, 2}};
  EXPECT_EQ(edges_of(g), edges);
  EXPECT_FALSE(g.has_probabilities());
  EXPECT_GE(rep.parse_seconds, 0.0);
}

TEST(EdgeList, FlipAndUndirected) {
  EdgeListOptions o;
  o.build.flip = true;
  auto g = read_edge_list(good("probs.txt"), o);  // 3 columns, consistent: third ignored
  const std::vector<std::pair<account_t, account_t>> flipped = {{1, 3}, {2, 1}, {3, 1}, {3, 2}};
  EXPECT_EQ(edges_of(g), flipped);
  o = {};
  o.build.undirected = true;
  g = read_edge_list(good("probs.txt"), o);
  EXPECT_EQ(g.num_edges(), 6u);  // 1-3 appears both as 3 1 and 1 3: duplicates merged (first)
  EdgeListReport rep;
  o.build.duplicates = Duplicates::keep;
  g = read_edge_list(good("probs.txt"), o, &rep);
  EXPECT_EQ(g.num_edges(), 8u);
  EXPECT_EQ(rep.build.duplicates, 2u);
}

TEST(EdgeList, CsvHeaderAndProbabilityColumn) {
  EdgeListOptions o;
  o.csv_header = true;
  o.probability_column = 2;
  EdgeListReport rep;
  const auto g = read_edge_list(good("with_header.csv"), o, &rep);
  EXPECT_EQ(rep.lines, 6u);
  EXPECT_EQ(rep.comment_lines, 1u);
  EXPECT_EQ(rep.edge_lines, 4u);
  ASSERT_TRUE(g.has_probabilities());
  const std::vector<std::pair<account_t, account_t>> edges = {{10, 20}, {10, 30}, {20, 30}, {30, 10}};
  EXPECT_EQ(edges_of(g), edges);
  const std::vector<prob_t> p = {0.5f, 0.25f, 1.0f, 0.0f};
  EXPECT_TRUE(same(g.edge_probs(), p));
  // Without csv_header the header row is an error naming line 1 and the token.
  o.csv_header = false;
  try {
    read_edge_list(good("with_header.csv"), o);
    FAIL() << "header row accepted as data";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 1u);
    EXPECT_NE(std::string(e.what()).find("'source'"), std::string::npos) << e.what();
  }
}

TEST(EdgeList, ExtraColumnsAndForcedFormat) {
  EdgeListOptions o;
  o.ignore_extra_columns = true;
  auto g = read_edge_list(good("extra_columns.csv"), o);
  EXPECT_EQ(g.num_edges(), 3u);
  // Forcing whitespace on a csv file: one field per line -> error.
  o.format = EdgeFormat::whitespace;
  EXPECT_THROW(read_edge_list(good("extra_columns.csv"), o), ParseError);
  // A probability column that holds ratings outside [0, 1] is rejected with the line.
  o.format = EdgeFormat::auto_detect;
  o.probability_column = 2;
  try {
    read_edge_list(good("extra_columns.csv"), o);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 1u);
    EXPECT_NE(std::string(e.what()).find("'4' is outside [0, 1]"), std::string::npos) << e.what();
  }
}

TEST(EdgeList, ProbabilitiesParsedExactly) {
  EdgeListOptions o;
  o.probability_column = 2;
  const auto g = read_edge_list(good("probs.txt"), o);
  ASSERT_TRUE(g.has_probabilities());
  // CSR order: 1->2 (0.1), 1->3 (1e-3), 2->3 (0.2), 3->1 (0.3).
  const std::vector<prob_t> p = {0.1f, 1e-3f, 0.2f, 0.3f};
  EXPECT_TRUE(same(g.edge_probs(), p));
}

TEST(EdgeList, GzipByMagicBytesAndMultiMember) {
  EdgeListOptions o;
  o.probability_column = 2;
  const auto plain = read_edge_list(good("probs.txt"), o);
  expect_identical(plain, read_edge_list(good("probs.txt.gz"), o));
  expect_identical(plain, read_edge_list(good("probs_two_members.gz"), o));
  TempDir dir;  // gzip content under a name without .gz
  fs::copy_file(good("probs.txt.gz"), dir.file("edges.dat"));
  expect_identical(plain, read_edge_list(dir.file("edges.dat"), o));
}

TEST(EdgeList, SelfLoopsAndDuplicatesCounted) {
  EdgeListReport rep;
  auto g = read_edge_list(good("loops_dups.txt"), {}, &rep);
  EXPECT_EQ(rep.edge_lines, 6u);
  EXPECT_EQ(rep.build.input_edges, 6u);
  EXPECT_EQ(rep.build.self_loops, 1u);
  EXPECT_EQ(rep.build.duplicates, 2u);
  EXPECT_EQ(g.num_edges(), 3u);
  EdgeListOptions o;
  o.build.self_loops = SelfLoops::keep;
  o.build.duplicates = Duplicates::keep;
  g = read_edge_list(good("loops_dups.txt"), o, &rep);
  EXPECT_EQ(g.num_edges(), 6u);
  EXPECT_EQ(rep.build.self_loops, 1u);
  EXPECT_EQ(rep.build.duplicates, 2u);
}

TEST(EdgeList, FirstLineCountsNetHeptStyle) {
  EdgeListOptions o;
  o.first_line_counts = true;
  o.build.undirected = true;
  o.build.duplicates = Duplicates::keep;
  EdgeListReport rep;
  const auto g = read_edge_list(good("nethept_style.txt"), o, &rep);
  EXPECT_EQ(rep.lines, 6u);
  EXPECT_EQ(rep.edge_lines, 5u);
  EXPECT_EQ(rep.build.self_loops, 1u);
  EXPECT_EQ(g.num_vertices(), 4u);
  EXPECT_EQ(g.num_edges(), 8u);  // 4 non-loop lines, both directions, the repeated 0-1 kept
  // Without the flag the header is read as the edge 4 -> 5.
  EXPECT_EQ(read_edge_list(good("nethept_style.txt")).num_vertices(), 6u);
}

TEST(EdgeList, LtWeightCheckAcceptsValidWeights) {
  EdgeListOptions o;
  o.probability_column = 2;
  o.check_lt_weights = true;
  EXPECT_NO_THROW(read_edge_list(good("probs.txt"), o));  // in-sums 0.3, 0.1, 0.201
  EdgeListOptions no_column;
  no_column.check_lt_weights = true;
  EXPECT_THROW(read_edge_list(good("whitespace.txt"), no_column), std::invalid_argument);
}

TEST(EdgeList, OptionAndFileErrors) {
  EdgeListOptions o;
  o.probability_column = 1;
  EXPECT_THROW(read_edge_list(good("probs.txt"), o), std::invalid_argument);
  o = {};
  o.comment_chars = "1";
  EXPECT_THROW(read_edge_list(good("probs.txt"), o), std::invalid_argument);
  try {
    read_edge_list(data_dir + "/good/does_not_exist.txt");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("does_not_exist.txt"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_edge_list(data_dir + "/good"), IoError);
}

TEST(EdgeList, ParallelParseMatchesSerialAndNamesExactLine) {
  const std::uint64_t seed = test_seed();
  TempDir dir;
  const std::string text = random_edge_text(400000, seed, true);  // ~6 MB: several chunks
  const std::string path = dir.file("big.txt");
  write_text(path, text);
  EdgeListOptions o;
  o.probability_column = 2;
  o.build.duplicates = Duplicates::keep;
  EdgeListReport r1, r2;
  o.build.threads = 1;
  const auto g1 = read_edge_list(path, o, &r1);
  o.build.threads = 2;
  const auto g2 = read_edge_list(path, o, &r2);
  expect_identical(g1, g2);
  EXPECT_EQ(r1.edge_lines, 400000u);
  EXPECT_EQ(r1.lines, r2.lines);
  EXPECT_EQ(r1.comment_lines, r2.comment_lines);
  EXPECT_EQ(graph_checksum(g1), graph_checksum(g2));
  // Break a line deep inside a late chunk: the error names exactly that line for any threads.
  std::uint64_t target = 0;
  std::size_t pos = 0;
  for (std::uint64_t line = 1; line < 380000; ++line) pos = text.find('\n', pos) + 1;
  target = 380000;
  std::string broken = text;
  broken.insert(pos, "12 x7 0.5\n");
  write_text(path, broken);
  for (int threads : {1, 2}) {
    o.build.threads = threads;
    try {
      read_edge_list(path, o);
      FAIL() << "broken line accepted";
    } catch (const ParseError& e) {
      EXPECT_EQ(e.line(), target) << "threads " << threads;
      EXPECT_EQ(e.file(), path);
      EXPECT_NE(std::string(e.what()).find("'x7'"), std::string::npos) << e.what();
    }
  }
}

TEST(EdgeList, WriteReadRoundTrip) {
  TempDir dir;
  EdgeListOptions o;
  o.probability_column = 2;
  o.build.duplicates = Duplicates::keep;
  write_text(dir.file("in.txt"), random_edge_text(5000, test_seed(), true));
  const auto g = read_edge_list(dir.file("in.txt"), o);
  write_edge_list(g, dir.file("out.txt"));
  expect_identical(g, read_edge_list(dir.file("out.txt"), o));
  write_edge_list(g, dir.file("topo.txt"), false);
  const auto t = read_edge_list(dir.file("topo.txt"), EdgeListOptions{.build = o.build});
  EXPECT_FALSE(t.has_probabilities());
  EXPECT_TRUE(same(t.out_targets(), g.out_targets()));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 3);  // no temporaries
}

TEST(Snapshot, RoundTripAllArrays) {
  TempDir dir;
  EdgeListOptions o;
  o.probability_column = 2;
  o.build.duplicates = Duplicates::keep;
  write_text(dir.file("in.txt"), random_edge_text(20000, test_seed(), true) + "4294967296 7 0.5\n");
  const auto g = read_edge_list(dir.file("in.txt"), o);
  save_snapshot(g, dir.file("g.kgs"));
  const auto h = load_snapshot(dir.file("g.kgs"));
  expect_identical(g, h);
  EXPECT_EQ(graph_checksum(g), graph_checksum(h));
  // Without probabilities, and the empty graph.
  const auto topo_only = FollowerGraph(g.topology());
  save_snapshot(topo_only, dir.file("t.kgs"));
  expect_identical(topo_only, load_snapshot(dir.file("t.kgs")));
  save_snapshot(FollowerGraph(), dir.file("e.kgs"));
  EXPECT_EQ(load_snapshot(dir.file("e.kgs")).num_vertices(), 0u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 4);
}

TEST(Snapshot, CommittedFileAndChecksumAreStable) {
  // small.kgs was written by save_snapshot from probs.txt: the format and both hashes are frozen.
  EdgeListOptions o;
  o.probability_column = 2;
  const auto g = read_edge_list(good("probs.txt"), o);
  const auto h = load_snapshot(good("small.kgs"));
  expect_identical(g, h);
  EXPECT_EQ(graph_checksum(h), 0x4abe370330f77007ull);
  TempDir dir;
  save_snapshot(g, dir.file("again.kgs"));
  EXPECT_EQ(read_text(dir.file("again.kgs")), read_text(good("small.kgs")));
}

TEST(Snapshot, ChecksumSeesEveryPart) {
  EdgeListOptions o;
  o.probability_column = 2;
  const auto g = read_edge_list(good("probs.txt"), o);
  const std::uint64_t c = graph_checksum(g);
  std::vector<prob_t> p(g.edge_probs().begin(), g.edge_probs().end());
  p[3] = std::nextafter(p[3], 1.0f);
  EXPECT_NE(graph_checksum(g.with_probabilities(p)), c);
  EXPECT_NE(graph_checksum(FollowerGraph(g.topology())), c);
  o.build.flip = true;
  EXPECT_NE(graph_checksum(read_edge_list(good("probs.txt"), o)), c);
  // Same topology, different account ids.
  const std::vector<account_t> s1 = {1, 2}, t1 = {2, 3}, s2 = {1, 2}, t2 = {2, 4};
  EXPECT_NE(graph_checksum(build_graph(s1, t1)), graph_checksum(build_graph(s2, t2)));
}

TEST(Snapshot, StructureCheckedAfterChecksum) {
  // A topology that passes FollowerGraph's size checks but not the invariants, saved with a valid
  // checksum: the loader must still refuse it.
  TempDir dir;
  auto make = [](std::vector<vertex_t> targets, std::vector<account_t> accounts) {
    auto t = std::make_shared<GraphTopology>();
    t->accounts = std::move(accounts);
    t->out_offsets = {0, 1, 1};
    t->out_targets = std::move(targets);
    t->in_offsets = {0, 0, 1};
    t->in_sources = {0};
    return FollowerGraph(t);
  };
  save_snapshot(make({7}, {1, 2}), dir.file("target.kgs"));
  save_snapshot(make({1}, {2, 2}), dir.file("accounts.kgs"));
  save_snapshot(make({1}, {1, 2}), dir.file("fine.kgs"));
  EXPECT_EQ(load_snapshot(dir.file("fine.kgs")).num_edges(), 1u);
  for (const char* f : {"target.kgs", "accounts.kgs"}) {
    try {
      load_snapshot(dir.file(f));
      ADD_FAILURE() << f << " accepted";
    } catch (const ParseError& e) {
      EXPECT_NE(std::string(e.what()).find("invalid snapshot structure"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(load_snapshot(dir.file("missing.kgs")), IoError);
}

TEST(Snapshot, ChecksumIndependentOfThreadCount) {
  // Several 1 MiB hash blocks, hashed by 1 and by 2 threads.
  TempDir dir;
  write_text(dir.file("in.txt"), random_edge_text(300000, test_seed(), true));
  EdgeListOptions o;
  o.probability_column = 2;
  const auto g = read_edge_list(dir.file("in.txt"), o);
#ifdef _OPENMP
  const int before = omp_get_max_threads();
  omp_set_num_threads(1);
#endif
  const std::uint64_t c1 = graph_checksum(g);
  save_snapshot(g, dir.file("one.kgs"));
#ifdef _OPENMP
  omp_set_num_threads(2);
#endif
  const std::uint64_t c2 = graph_checksum(g);
  save_snapshot(g, dir.file("two.kgs"));
  expect_identical(g, load_snapshot(dir.file("one.kgs")));
#ifdef _OPENMP
  omp_set_num_threads(before);
#endif
  EXPECT_EQ(c1, c2);
  EXPECT_EQ(read_text(dir.file("one.kgs")), read_text(dir.file("two.kgs")));
}

TEST(EdgeList, DuplicatesSumOverflowNamesNoWrongLine) {
  TempDir dir;
  write_text(dir.file("w.txt"), "1 2 0.1\n3 4 0.7\n3 4 0.6\n");
  EdgeListOptions o;
  o.probability_column = 2;
  o.build.duplicates = Duplicates::sum;
  try {
    read_edge_list(dir.file("w.txt"), o);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(e.line(), 1u) << e.what();  // the builder gives no position; line 1 would be wrong
    EXPECT_NE(std::string(e.what()).find("duplicates=sum"), std::string::npos) << e.what();
  }
}

TEST(AtomicFile, WritesCompletelyOrNotAtAll) {
  TempDir dir;
  const std::string target = dir.file("out.json");
  write_file_atomic(target, "first");
  EXPECT_EQ(read_text(target), "first");
  {
    AtomicFile f(target);
    f.write("half-writ");
    if (!f.temp_path().empty()) {  // a named temporary (no O_TMPFILE): beside the target
      EXPECT_TRUE(fs::exists(f.temp_path()));
      EXPECT_EQ(fs::path(f.temp_path()).parent_path(), dir.path);
    }
    EXPECT_EQ(read_text(target), "first");  // target untouched while writing
    // no commit: the temporary disappears, the old content stays
  }
  EXPECT_EQ(read_text(target), "first");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 1);
  {
    AtomicFile f(target);
    std::string big(3 << 20, 'x');  // larger than the buffer
    f.write("second:");
    f.write(big);
    f.commit();
    EXPECT_TRUE(f.committed());
    EXPECT_THROW(f.commit(), IoError);
    EXPECT_THROW(f.write("more"), IoError);
  }
  EXPECT_EQ(read_text(target).size(), 7u + (3u << 20));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 1);
  // An exception between writes leaves the target as it was.
  try {
    AtomicFile f(target);
    f.write("partial");
    throw std::runtime_error("stop");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(read_text(target).substr(0, 7), "second:");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 1);
  try {
    write_file_atomic(dir.file("missing_dir/x.txt"), "x");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("missing_dir/x.txt"), std::string::npos) << e.what();
  }
}

TEST(BadCorpus, EveryFileGivesItsErrorAndLine) {
  // tests/data/bad/README.md lists: | file | options | line | message contains |
  std::ifstream readme(bad("README.md"));
  ASSERT_TRUE(readme) << "missing " << bad("README.md");
  std::set<std::string> listed;
  std::string row;
  int checked = 0;
  while (std::getline(readme, row)) {
    if (row.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream ss(row.substr(1));
    std::string cell;
    while (std::getline(ss, cell, '|')) {
      const auto b = cell.find_first_not_of(" `");
      const auto e = cell.find_last_not_of(" `");
      cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    }
    ASSERT_GE(cells.size(), 4u) << row;
    const std::string& name = cells[0];
    const std::string& opts = cells[1];
    const std::uint64_t line = std::stoull(cells[2]);
    const std::string& expect = cells[3];
    listed.insert(name);
    EdgeListOptions o;
    bool snapshot = false;
    std::stringstream os(opts);
    std::string opt;
    while (std::getline(os, opt, ',')) {
      if (opt == "prob=2") o.probability_column = 2;
      else if (opt == "lt") o.check_lt_weights = true;
      else if (opt == "dup=error") o.build.duplicates = Duplicates::error;
      else if (opt == "self=error") o.build.self_loops = SelfLoops::error;
      else if (opt == "counts") o.first_line_counts = true;
      else if (opt == "csv_header") o.csv_header = true;
      else if (opt == "snapshot") snapshot = true;
      else if (opt != "-") ADD_FAILURE() << "unknown option '" << opt << "' in " << row;
    }
    const std::string path = bad(name);
    SCOPED_TRACE(path);
    try {
      if (snapshot) {
        load_snapshot(path);
      } else {
        read_edge_list(path, o);
      }
      ADD_FAILURE() << name << " was accepted";
    } catch (const ParseError& e) {
      EXPECT_EQ(e.file(), path);
      EXPECT_EQ(e.line(), line) << e.what();
      EXPECT_NE(std::string(e.what()).find(expect), std::string::npos) << "got: " << e.what();
      EXPECT_EQ(std::string(e.what()).rfind(path, 0), 0u) << e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << name << " threw a non-ParseError: " << e.what();
    }
    ++checked;
  }
  // Every file in the folder is listed, and every listed file exists.
  for (const auto& entry : fs::directory_iterator(data_dir + "/bad")) {
    const std::string n = entry.path().filename().string();
    if (n != "README.md") {
      EXPECT_TRUE(listed.count(n)) << n << " is not listed in README.md";
    }
  }
  EXPECT_GE(checked, 20);
}

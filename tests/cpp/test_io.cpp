// SPDX-License-Identifier: MIT
/// Tests of the edge-list readers and writer, read_graph, binary snapshots, atomic files and the bad-input corpus.
#include <gtest/gtest.h>
#include "same_graph.hpp"
#include "temp_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/io/atomic_file.hpp"
#include "kolsim/io/edge_list.hpp"
#include "kolsim/io/graph_file.hpp"
#include "kolsim/io/snapshot.hpp"
#include "../../src/io/text_fields.hpp"  // internal: the text pieces every reader shares

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

using test_support::TempDir;

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

using test_support::expect_identical_graphs;
using test_support::same;

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
  expect_identical_graphs(plain, read_edge_list(good("probs.txt.gz"), o));
  expect_identical_graphs(plain, read_edge_list(good("probs_two_members.gz"), o));
  TempDir dir;  // gzip content under a name without .gz
  fs::copy_file(good("probs.txt.gz"), dir.file("edges.dat"));
  expect_identical_graphs(plain, read_edge_list(dir.file("edges.dat"), o));
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
  expect_identical_graphs(g1, g2);
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
  expect_identical_graphs(g, read_edge_list(dir.file("out.txt"), o));
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
  expect_identical_graphs(g, h);
  EXPECT_EQ(graph_checksum(g), graph_checksum(h));
  // Without probabilities, and the empty graph.
  const auto topo_only = FollowerGraph(g.topology());
  save_snapshot(topo_only, dir.file("t.kgs"));
  expect_identical_graphs(topo_only, load_snapshot(dir.file("t.kgs")));
  save_snapshot(FollowerGraph(), dir.file("e.kgs"));
  EXPECT_EQ(load_snapshot(dir.file("e.kgs")).num_vertices(), 0u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 4);
}

TEST(Snapshot, CommittedFileAndChecksumAreStable) {
  // small_v2.kgs was written by save_snapshot (format 2) from probs.txt: the format and both
  // hashes are frozen. small.kgs is the same graph in format 1, which still loads (copied).
  EdgeListOptions o;
  o.probability_column = 2;
  const auto g = read_edge_list(good("probs.txt"), o);
  SnapshotReport rep;
  const auto h = load_snapshot(good("small_v2.kgs"), 0, &rep);
  EXPECT_EQ(rep.version, 2u);
  EXPECT_TRUE(rep.mapped);
  expect_identical_graphs(g, h);
  EXPECT_EQ(graph_checksum(h), 0x4abe370330f77007ull);
  TempDir dir;
  save_snapshot(g, dir.file("again.kgs"));
  EXPECT_EQ(read_text(dir.file("again.kgs")), read_text(good("small_v2.kgs")));
  const auto v1 = load_snapshot(good("small.kgs"), 0, &rep);
  EXPECT_EQ(rep.version, 1u);
  EXPECT_FALSE(rep.mapped);
  expect_identical_graphs(g, v1);
  EXPECT_EQ(graph_checksum(v1), 0x4abe370330f77007ull);
}

// Issue 15: format 1 files still load bit for bit as before (the copy path), on 1 and 3
// threads, and a format 1 snapshot converts to format 2 losslessly.
TEST(Snapshot, Version1StillLoadsBitIdentically) {
  EdgeListOptions o;
  o.probability_column = 2;
  const auto g = read_edge_list(good("probs.txt"), o);
  TempDir dir;
  for (int threads : {1, 3}) {
    SnapshotReport rep;
    const auto v1 = load_snapshot(good("small.kgs"), threads, &rep);
    EXPECT_EQ(rep.version, 1u);
    expect_identical_graphs(g, v1);
    ASSERT_EQ(v1.num_edges(), g.num_edges());
    EXPECT_EQ(std::memcmp(v1.edge_probs().data(), g.edge_probs().data(), g.num_edges() * sizeof(prob_t)), 0);
    EXPECT_EQ(std::memcmp(v1.in_edge_probs().data(), g.in_edge_probs().data(), g.num_edges() * sizeof(prob_t)), 0);
    save_snapshot(v1, dir.file("converted.kgs"), threads);
    EXPECT_EQ(read_text(dir.file("converted.kgs")), read_text(good("small_v2.kgs")));
  }
  // The format-1 bad corpus files keep their messages (BadCorpus); a graph from a pipe is copied.
}

namespace {

/// The file-backed mappings of this process as (begin, end, path) from /proc/self/maps.
std::vector<std::tuple<std::uintptr_t, std::uintptr_t, std::string>> file_mappings() {
  std::vector<std::tuple<std::uintptr_t, std::uintptr_t, std::string>> out;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream ls(line);
    std::string range, perms, offset, dev, inode, path;
    ls >> range >> perms >> offset >> dev >> inode;
    std::getline(ls >> std::ws, path);
    if (path.empty() || path[0] != '/') continue;
    const auto dash = range.find('-');
    out.emplace_back(std::stoull(range.substr(0, dash), nullptr, 16), std::stoull(range.substr(dash + 1), nullptr, 16), path);
  }
  return out;
}

/// True when [p, p + bytes) lies in a mapping of the file `path`.
bool inside_mapping_of(const void* p, std::size_t bytes, const std::string& path) {
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  const std::string canonical = fs::canonical(path).string();
  for (const auto& [lo, hi, file] : file_mappings())
    if (file == canonical && a >= lo && a + bytes <= hi) return true;
  return false;
}

}  // namespace

// Issue 15: a format 2 snapshot is used in place: every array of the loaded graph points into
// the file's memory map (a load that silently copied would fail here), aligned, on 1 and 3 threads.
TEST(Snapshot, Version2ArraysAreTheFileMap) {
  TempDir dir;
  EdgeListOptions o;
  o.probability_column = 2;
  o.build.duplicates = Duplicates::keep;
  write_text(dir.file("in.txt"), random_edge_text(20000, test_seed(), true));
  const auto g = read_edge_list(dir.file("in.txt"), o);
  const std::string f = dir.file("g.kgs");
  for (int threads : {1, 3}) {
    save_snapshot(g, f, threads);
    SnapshotReport rep;
    const auto h = load_snapshot(f, threads, &rep);
    EXPECT_EQ(rep.version, 2u);
    EXPECT_TRUE(rep.mapped);
    expect_identical_graphs(g, h);
    EXPECT_EQ(graph_checksum(h, threads), graph_checksum(g));
    auto check = [&](const auto span, const char* what) {
      EXPECT_TRUE(inside_mapping_of(span.data(), span.size_bytes(), f)) << what << " is not in the map of " << f;
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(span.data()) % 64, 0u) << what;
    };
    check(h.out_offsets(), "out_offsets");
    check(h.out_targets(), "out_targets");
    check(h.in_offsets(), "in_offsets");
    check(h.in_sources(), "in_sources");
    check(h.accounts(), "accounts");
    check(h.edge_probs(), "out-order probabilities");
    check(h.in_edge_probs(), "in-order probabilities");
    EXPECT_TRUE(h.topology()->out_targets.is_view());
    EXPECT_FALSE(g.topology()->out_targets.is_view());
  }
  // A snapshot read through a pipe is copied (its buffer does not outlive the load).
  const std::string fifo = dir.file("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    std::ofstream out(fifo, std::ios::binary);
    out << read_text(f);
  });
  SnapshotReport rep;
  const auto p = load_snapshot(fifo, 1, &rep);
  writer.join();
  EXPECT_EQ(rep.version, 2u);
  EXPECT_FALSE(rep.mapped);
  expect_identical_graphs(g, p);
}

// Issue 15: a mapped graph outlives the object it was loaded into, and the file: copies (and
// graphs sharing its topology) keep the map alive and share it; replacing the file by a new
// snapshot (save_snapshot renames) or deleting it does not change a loaded graph.
TEST(Snapshot, MappedGraphOutlivesItsSourceAndFile) {
  TempDir dir;
  EdgeListOptions o;
  o.probability_column = 2;
  write_text(dir.file("in.txt"), random_edge_text(5000, test_seed() + 1, true));
  const auto g = read_edge_list(dir.file("in.txt"), o);
  const std::string f = dir.file("g.kgs");
  save_snapshot(g, f);
  FollowerGraph copy, with_wc;
  {
    const FollowerGraph loaded = load_snapshot(f);
    copy = loaded;
    with_wc = FollowerGraph(loaded.topology(), std::vector<prob_t>(loaded.num_edges(), 0.5f));
    EXPECT_EQ(copy.out_targets().data(), loaded.out_targets().data());
    EXPECT_EQ(copy.edge_probs().data(), loaded.edge_probs().data());
    EXPECT_EQ(with_wc.in_sources().data(), loaded.in_sources().data());
  }
  // The first graph is gone; the file is replaced by another graph, then deleted.
  save_snapshot(FollowerGraph(g.topology()), f);
  fs::remove(f);
  expect_identical_graphs(g, copy);
  EXPECT_EQ(graph_checksum(copy), graph_checksum(g));
  EXPECT_TRUE(same(with_wc.out_targets(), g.out_targets()));
  EXPECT_EQ(with_wc.edge_probs()[0], 0.5f);
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
  expect_identical_graphs(g, load_snapshot(dir.file("one.kgs")));
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

// Issue 11, item 4: a lone CR ends a line (classic Mac files), and a UTF-8 byte-order mark at the
// start of a file is not part of the first field.
TEST(EdgeListTrust, LoneCrEndsALine) {
  TempDir dir;
  const std::string f = dir.file("cr.txt");
  write_text(f, "1 2\r2 3\r3 1\r");
  EdgeListReport rep;
  const FollowerGraph g = read_edge_list(f, {}, &rep);
  EXPECT_EQ(g.num_edges(), 3u);
  EXPECT_EQ(rep.edge_lines, 3u);
  EXPECT_EQ(rep.lines, 3u);
  // Mixed endings; the error line counts a lone CR as a line end.
  write_text(f, "1 2\r\n2 3\r3 1\n4 x\r");
  try {
    read_edge_list(f);
    FAIL() << "accepted a bad id";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 4u) << e.what();
  }
  // CSV with a header and CR endings.
  const std::string c = dir.file("cr.csv");
  write_text(c, "src,dst,p\r1,2,0.5\r2,3,0.25\r");
  EdgeListOptions o;
  o.csv_header = true;
  o.probability_column = 2;
  const FollowerGraph h = read_edge_list(c, o);
  EXPECT_EQ(h.num_edges(), 2u);
}

TEST(EdgeListTrust, Utf8BomIsSkipped) {
  TempDir dir;
  const std::string f = dir.file("bom.txt");
  write_text(f, "\xEF\xBB\xBF" "1 2\n2 3\n");
  EXPECT_EQ(read_edge_list(f).num_edges(), 2u);
  const std::string c = dir.file("bom.csv");
  write_text(c, "\xEF\xBB\xBF" "source,target\n1,2\n2,3\n3,1\n");
  EdgeListOptions o;
  o.csv_header = true;
  EXPECT_EQ(read_edge_list(c, o).num_edges(), 3u);
  write_text(c, "\xEF\xBB\xBF" "1,2,0.5\n2,3,0.5\n");
  o.csv_header = false;
  o.probability_column = 2;
  const FollowerGraph g = read_edge_list(c, o);
  ASSERT_EQ(g.num_edges(), 2u);
  EXPECT_EQ(g.account(0), 1u);
  // A BOM alone is an empty file.
  write_text(f, "\xEF\xBB\xBF");
  try {
    read_edge_list(f);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("file is empty"), std::string::npos) << e.what();
  }
}

/// Sets an environment variable for the life of the object, restoring the old value after.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(const char* n, const char* value) : name(n) {
    if (const char* o = std::getenv(n)) old = o;
    ::setenv(n, value, 1);
  }
  ~ScopedEnv() {
    if (old) ::setenv(name.c_str(), old->c_str(), 1);
    else ::unsetenv(name.c_str());
  }
};

/// A gzip file of `text` repeated until `total` bytes, made by the system's gzip.
void write_gzip_repeat(const std::string& path, const std::string& text, std::uint64_t total) {
  const std::string cmd = "yes '" + text + "' | head -c " + std::to_string(total) + " | gzip -1 > '" + path + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// Issue 11, item 8: a gzip bomb ends in MemoryLimitError naming the file, before it is inflated.
TEST(EdgeListTrust, GzipBombHitsTheMemoryLimit) {
  TempDir dir;
  const std::string bomb = dir.file("bomb.txt.gz");
  write_gzip_repeat(bomb, "1 2", 200'000'000);  // ~1 MB compressed, 200 MB of text
  ASSERT_LT(fs::file_size(bomb), 4'000'000u);
  ScopedEnv limit("KOLSIM_MEMORY_LIMIT", "64M");
  const auto t0 = std::chrono::steady_clock::now();
  try {
    read_edge_list(bomb);
    FAIL() << "a 200 MB gzip bomb was read under a 64 MiB limit";
  } catch (const MemoryLimitError& e) {
    EXPECT_NE(std::string(e.what()).find(bomb), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("decompressing"), std::string::npos) << e.what();  // not after it
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 30.0);
  // A plain file above the limit is refused before it is read.
  const std::string big = dir.file("big.txt");
  {
    std::ofstream f(big);
    f.seekp(100 << 20);
    f << "1 2\n";
  }
  EXPECT_THROW(read_edge_list(big), MemoryLimitError);
}

// /dev/zero (endless, not a regular file) ends in MemoryLimitError naming it.
TEST(EdgeListTrust, EndlessDeviceHitsTheMemoryLimit) {
  ScopedEnv limit("KOLSIM_MEMORY_LIMIT", "32M");
  try {
    read_edge_list("/dev/zero");
    FAIL();
  } catch (const MemoryLimitError& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/zero"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_graph("/dev/zero"), MemoryLimitError);
}

// Issue 11, item 9: the stop token ends a read (decompression, parse and build all poll it).
TEST(EdgeListTrust, StopTokenInterruptsARead) {
  TempDir dir;
  const std::string gz = dir.file("big.txt.gz");
  write_gzip_repeat(gz, "1 2", 40'000'000);
  int polls = 0;
  EdgeListOptions o;
  o.stop = [&polls] { return ++polls > 2; };
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(read_edge_list(gz, o), Interrupted);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
  // Stopping at each later poll also ends in Interrupted (never a partial graph).
  const std::string txt = dir.file("e.txt");
  write_text(txt, "1 2\n2 3\n3 4\n");
  for (int after = 0; after < 12; ++after) {
    int n = 0;
    o.stop = [&n, after] { return n++ >= after; };
    try {
      read_edge_list(txt, o);
      EXPECT_GE(after, 3) << "stop after " << after << " polls was ignored";
      break;  // more polls than the read makes
    } catch (const Interrupted&) {
    }
  }
}

// Issue 11, item 10: pipes, FIFOs and standard input are sniffed without consuming bytes.
TEST(GraphFile, FifoAndPipeAreSniffedWithoutConsuming) {
  TempDir dir;
  const std::string fifo = dir.file("edges.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    std::ofstream f(fifo, std::ios::binary);
    f << "1 2\n2 3\n";
  });
  GraphFileReport rep;
  const FollowerGraph g = read_graph(fifo, {}, &rep);
  writer.join();
  EXPECT_FALSE(rep.snapshot);
  EXPECT_EQ(g.num_edges(), 2u);
  EXPECT_EQ(rep.edge_list.edge_lines, 2u);

  // A snapshot through a FIFO.
  save_snapshot(g, dir.file("g.kgs"));
  const std::string bytes = read_text(dir.file("g.kgs"));
  std::thread writer2([&] {
    std::ofstream f(fifo, std::ios::binary);
    f << bytes;
  });
  const FollowerGraph s = read_graph(fifo, {}, &rep);
  writer2.join();
  EXPECT_TRUE(rep.snapshot);
  expect_identical_graphs(s, g);

  // A pipe as the shell's <(...) gives: /dev/fd/N.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::thread writer3([&] {
    const char text[] = "1 2\n";
    EXPECT_EQ(::write(fds[1], text, 4), 4);
    ::close(fds[1]);
  });
  const FollowerGraph p = read_graph("/dev/fd/" + std::to_string(fds[0]));
  writer3.join();
  ::close(fds[0]);
  EXPECT_EQ(p.num_edges(), 1u);

  // A builder error on a stream still quotes the line (the text is kept: it cannot be re-read).
  std::thread writer4([&] {
    std::ofstream f(fifo, std::ios::binary);
    f << "10 20\n10 20\n";
  });
  EdgeListOptions o;
  o.build.duplicates = Duplicates::error;
  try {
    read_graph(fifo, o);
    ADD_FAILURE();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 2u) << e.what();
    EXPECT_NE(std::string(e.what()).find("'10 20'"), std::string::npos) << e.what();
  }
  writer4.join();
}

TEST(GraphFile, StandardInputIsDash) {
  TempDir dir;
  const std::string f = dir.file("e.txt");
  write_text(f, "5 6\n6 7\n");
  const int saved = ::dup(STDIN_FILENO);
  const int fd = ::open(f.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ::dup2(fd, STDIN_FILENO);
  ::close(fd);
  FollowerGraph g;
  EXPECT_NO_THROW(g = read_graph("-"));
  ::dup2(saved, STDIN_FILENO);
  ::close(saved);
  EXPECT_EQ(g.num_edges(), 2u);
}

TEST(GraphFile, WrongMagicKgsAndSnapshotOptions) {
  TempDir dir;
  try {
    read_graph(bad("wrong_magic.kgs"));
    ADD_FAILURE();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("not a kolsim snapshot"), std::string::npos) << e.what();
  }
  const std::string text_kgs = dir.file("edges.kgs");
  write_text(text_kgs, "1 2\n");
  EXPECT_THROW(read_graph(text_kgs), ParseError);
  for (int k = 0; k < 3; ++k) {
    EdgeListOptions o;
    if (k == 0) o.build.flip = true;
    if (k == 1) o.build.undirected = true;
    if (k == 2) o.probability_column = 2;
    try {
      read_graph(good("small.kgs"), o);
      ADD_FAILURE() << k;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("snapshot"), std::string::npos) << e.what();
    }
  }
  GraphFileReport rep;
  EXPECT_GT(read_graph(good("small.kgs"), {}, &rep).num_edges(), 0u);
  EXPECT_TRUE(rep.snapshot);
}

// Issue 11, item 6: a snapshot with a valid checksum whose in-rows are not the transpose of its
// out-rows (or whose in-order probabilities differ) is refused at load.
TEST(SnapshotTrust, InRowsMustBeTheTranspose) {
  TempDir dir;
  auto topo = [](std::vector<edge_t> in_off, std::vector<vertex_t> in_src) {
    auto t = std::make_shared<GraphTopology>();
    t->accounts = {10, 20, 30};
    t->out_offsets = {0, 1, 2, 2};  // 10 -> 20, 20 -> 30
    t->out_targets = {1, 2};
    t->in_offsets = std::move(in_off);
    t->in_sources = std::move(in_src);
    return t;
  };
  save_snapshot(FollowerGraph(topo({0, 0, 1, 2}, {0, 1})), dir.file("fine.kgs"));
  EXPECT_EQ(load_snapshot(dir.file("fine.kgs")).num_edges(), 2u);
  // Same in-degrees, wrong source; wrong in-degrees; probabilities that differ by order.
  save_snapshot(FollowerGraph(topo({0, 0, 1, 2}, {0, 0})), dir.file("source.kgs"));
  save_snapshot(FollowerGraph(topo({0, 0, 2, 2}, {0, 1})), dir.file("degree.kgs"));
  save_snapshot(FollowerGraph(topo({0, 0, 1, 2}, {0, 1}), std::vector<prob_t>{0.25f, 0.5f}, std::vector<prob_t>{0.5f, 0.25f}),
                dir.file("probs.kgs"));
  for (const char* f : {"source.kgs", "degree.kgs", "probs.kgs"}) {
    try {
      const FollowerGraph g = load_snapshot(dir.file(f));
      ADD_FAILURE() << f << " accepted";
    } catch (const ParseError& e) {
      EXPECT_EQ(e.file(), dir.file(f));
      EXPECT_NE(std::string(e.what()).find("invalid snapshot structure"), std::string::npos) << e.what();
    }
  }
}

// A sparse file whose header claims n = 2^31 fails at once with a ParseError, before allocating.
TEST(SnapshotTrust, SparseFileClaimingAHugeGraph) {
  TempDir dir;
  const std::string f = dir.file("sparse.kgs");
  const std::uint64_t n = std::uint64_t{1} << 31, m = 0;
  const std::uint64_t size = 64 + 2 * (n + 1) * 8 + 2 * m * 4 + n * 8 + 8;
  unsigned char h[64] = {0x89, 'K', 'G', 'S', '\r', '\n', 0x1a, '\n'};
  auto put = [&h](std::size_t at, auto v) { std::memcpy(h + at, &v, sizeof v); };
  put(8, std::uint32_t{1});
  put(12, std::uint32_t{0});
  put(16, n);
  put(24, m);
  put(32, std::uint64_t{64});
  put(40, std::uint32_t{0x01020304});
  put(48, size);
  {
    std::ofstream out(f, std::ios::binary);
    out.write(reinterpret_cast<const char*>(h), 64);
    out << std::string(4096 - 64, '\0');
  }
  fs::resize_file(f, size);  // the rest is a hole
  const auto t0 = std::chrono::steady_clock::now();
  try {
    load_snapshot(f);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.file(), f);
  } catch (const std::exception& e) {
    FAIL() << "not a ParseError: " << e.what();
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
}

// Under a low memory limit a snapshot that does not fit is refused before allocating.
TEST(SnapshotTrust, MemoryCheckedBeforeAllocating) {
  TempDir dir;
  std::vector<vertex_t> src, dst;
  for (vertex_t i = 0; i + 1 < 200000; ++i) src.push_back(i), dst.push_back(i + 1);
  save_snapshot(build_graph_dense(200000, src, dst), dir.file("g.kgs"));
  ScopedEnv limit("KOLSIM_MEMORY_LIMIT", "1M");
  EXPECT_THROW(load_snapshot(dir.file("g.kgs")), MemoryLimitError);
}

// Issue 11, item 16 (builder part): policy errors name account ids, not dense indices.
TEST(EdgeListTrust, BuilderErrorsNameAccountIds) {
  TempDir dir;
  const std::string f = dir.file("d.txt");
  write_text(f, "1 2\n5 6\n1 2\n");
  EdgeListOptions o;
  o.build.duplicates = Duplicates::error;
  try {
    read_edge_list(f, o);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 3u);
    EXPECT_NE(std::string(e.what()).find("duplicate edge 1 -> 2"), std::string::npos) << e.what();
  }
  write_text(f, "1 2\n7 7\n");
  o = {};
  o.build.self_loops = SelfLoops::error;
  try {
    read_edge_list(f, o);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("self-loop on account 7"), std::string::npos) << e.what();
  }
  write_text(f, "3 4 0.75\n3 4 0.5\n");
  o = {};
  o.probability_column = 2;
  o.build.duplicates = Duplicates::sum;
  try {
    read_edge_list(f, o);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("duplicate edges 3 -> 4"), std::string::npos) << e.what();
  }
}

// Issue 11, item 1 (reader part): a consistent numeric column in [0, 1] that is not used is
// reported; a used one, an id-like one, or one missing on some line is not.
TEST(EdgeListTrust, UnusedNumericColumnsReported) {
  TempDir dir;
  const std::string f = dir.file("p.txt");
  write_text(f, "1 2 0.9\n1 3 0.9\n1 4 0.9\n");
  EdgeListReport rep;
  read_edge_list(f, {}, &rep);
  EXPECT_EQ(rep.unused_numeric_columns, std::vector<int>{2});
  EdgeListOptions o;
  o.probability_column = 2;
  read_edge_list(f, o, &rep);
  EXPECT_TRUE(rep.unused_numeric_columns.empty());
  write_text(f, "1 2 0.9 7\n1 3 1e-1 0.5\n");  // slow path (4 columns); column 3 has a 7
  read_edge_list(f, {}, &rep);
  EXPECT_EQ(rep.unused_numeric_columns, std::vector<int>{2});
  write_text(f, "1 2 0.9\n1 3 high\n");
  read_edge_list(f, {}, &rep);
  EXPECT_TRUE(rep.unused_numeric_columns.empty());
  write_text(f, "1 2 0.5 0.5\n1 3 0.5\n");
  o = {};
  o.ignore_extra_columns = true;
  read_edge_list(f, o, &rep);
  EXPECT_EQ(rep.unused_numeric_columns, std::vector<int>{2});
  const std::string c = dir.file("p.csv");
  write_text(c, "1,2,0.9,0.1\n2,3,0.8,0.2\n");
  o = {};
  o.probability_column = 3;
  read_edge_list(c, o, &rep);
  EXPECT_EQ(rep.unused_numeric_columns, std::vector<int>{2});
}

// The shared number grammar: decimal only; no hex, inf or nan anywhere.
TEST(EdgeListTrust, OneNumberGrammar) {
  TempDir dir;
  const std::string f = dir.file("n.txt");
  EdgeListOptions o;
  o.probability_column = 2;
  for (const char* bad_p : {"0x0.8", "inf", "-nan", "1e", ".", "0.5.1", "+-0.5", "0,5", "1e999"}) {
    write_text(f, std::string("1 2 ") + bad_p + "\n");
    EXPECT_THROW(read_edge_list(f, o), ParseError) << bad_p;
  }
  for (const char* good_p : {"0.5", ".5", "1.", "+0.5", "5e-1", "0E0", "1", "-0"}) {
    write_text(f, std::string("1 2 ") + good_p + "\n");
    EXPECT_NO_THROW(read_edge_list(f, o)) << good_p;
  }
  for (const char* bad_id : {"0x10", "+1", "1.0", "1e3"}) {
    write_text(f, std::string(bad_id) + " 2\n");
    EXPECT_THROW(read_edge_list(f), ParseError) << bad_id;
  }
}

// The shared text pieces (src/io/text_fields.hpp) that every reader uses.
TEST(TextFields, LinesBomUtf8AndNumbers) {
  using namespace kolsim::detail;
  std::vector<std::string> lines;
  LineSplitter split("a\r\nb\rc\n\nd");
  std::string_view l;
  while (split.next(l)) lines.emplace_back(l);
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "c", "", "d"}));
  EXPECT_EQ(split.line_number(), 5u);
  std::string crs = "1 2\r2 3\r\n3 4\r";
  EXPECT_EQ(lone_cr_to_lf(crs.data(), crs.size()), 2u);
  EXPECT_EQ(crs, "1 2\n2 3\r\n3 4\n");
  EXPECT_EQ(strip_bom("\xEF\xBB\xBFid"), "id");
  EXPECT_EQ(strip_bom("id"), "id");
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  for (const char* bad_text : {"\xC3", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF", "a\x80"})
    EXPECT_FALSE(valid_utf8(bad_text)) << quote_token(bad_text);
  EXPECT_EQ(first_invalid_utf8("ab\xC3(x"), 2u);
  std::vector<std::string> fields;
  EXPECT_EQ(for_each_csv_field(" a , b,,c ", [&](std::size_t, std::string_view f) {
              fields.emplace_back(f);
              return true;
            }),
            4u);
  EXPECT_EQ(fields, (std::vector<std::string>{"a", "b", "", "c"}));
  std::uint64_t id = 0;
  EXPECT_EQ(parse_account_id("18446744073709551615", id), NumberStatus::ok);
  EXPECT_EQ(id, 18446744073709551615ull);
  EXPECT_EQ(parse_account_id("18446744073709551616", id), NumberStatus::overflow);
  EXPECT_EQ(parse_account_id("-3", id), NumberStatus::negative);
  EXPECT_EQ(parse_account_id("0x10", id), NumberStatus::invalid);
  double v = 0;
  EXPECT_EQ(parse_real("2.5e-1", v), NumberStatus::ok);
  EXPECT_EQ(v, 0.25);
  EXPECT_EQ(parse_real("-1.5", v), NumberStatus::ok);
  EXPECT_EQ(v, -1.5);
  for (const char* t : {"0x10", "inf", "nan", "Infinity", "1e", "e5", "", " 1", "1 ", "--1"})
    EXPECT_NE(parse_real(t, v), NumberStatus::ok) << t;
  EXPECT_EQ(parse_real("1e400", v), NumberStatus::overflow);
  EXPECT_EQ(parse_real("1e-400", v), NumberStatus::ok);
  EXPECT_EQ(v, 0.0);
}

// Issue 15: the transpose check runs on several target ranges at once; a defect in any range is
// found, and the error names the first failing edge in out-order for 1 and 2 threads.
TEST(SnapshotTrust, TransposeCheckedInParallelRanges) {
  TempDir dir;
  std::vector<account_t> s, t;
  std::uint64_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    s.push_back((x >> 33) % 5000);
    t.push_back((x >> 13) % 5000);
  }
  const FollowerGraph g = build_graph(s, t);
  ASSERT_GT(g.num_edges(), std::uint64_t{1} << 16);
  save_snapshot(g, dir.file("fine.kgs"));
  EXPECT_EQ(graph_checksum(load_snapshot(dir.file("fine.kgs"), 2)), graph_checksum(g));
  // Two in-row entries swapped between rows: one in the low targets, one in the high ones (the
  // in-degrees stay right, so only the walk over the edges sees it).
  for (const vertex_t low : {vertex_t{10}, vertex_t{4990}}) {
    auto topo = std::make_shared<GraphTopology>(*g.topology());
    const vertex_t high = 4995;
    const edge_t a = topo->in_offsets[low], b = topo->in_offsets[high + 1] - 1;
    std::vector<vertex_t> in_sources = topo->in_sources.to_vector();
    std::swap(in_sources[a], in_sources[b]);
    std::sort(in_sources.begin() + static_cast<std::ptrdiff_t>(topo->in_offsets[low]),
              in_sources.begin() + static_cast<std::ptrdiff_t>(topo->in_offsets[low + 1]));
    std::sort(in_sources.begin() + static_cast<std::ptrdiff_t>(topo->in_offsets[high]),
              in_sources.begin() + static_cast<std::ptrdiff_t>(topo->in_offsets[high + 1]));
    topo->in_sources = std::move(in_sources);
    const std::string f = dir.file("bad.kgs");
    save_snapshot(FollowerGraph(topo), f);
    std::string first;
    for (int threads : {1, 2}) {
      try {
        load_snapshot(f, threads);
        ADD_FAILURE() << "accepted with " << threads << " threads";
      } catch (const ParseError& e) {
        EXPECT_NE(std::string(e.what()).find("not the transpose"), std::string::npos) << e.what();
        if (first.empty()) first = e.what();
        EXPECT_EQ(first, e.what());
      }
    }
  }
}

// Issue 15: a byte changed in any part of a format 2 snapshot (header, each array, the padding
// between arrays, the checksum) is refused with a ParseError naming the file, on 1 and 2 threads.
TEST(SnapshotTrust, EveryPartOfVersion2IsChecked) {
  TempDir dir;
  std::vector<account_t> src, dst;
  std::vector<prob_t> p;
  for (account_t i = 0; i < 300; ++i) {
    src.push_back(i * 7 % 101 + 1000);
    dst.push_back(i * 13 % 89 + 1000);
    p.push_back(static_cast<prob_t>(i % 10) / 10.0f);
  }
  const auto g = build_graph(src, dst, p);
  const std::string f = dir.file("g.kgs");
  save_snapshot(g, f);
  const std::string bytes = read_text(f);
  const std::uint64_t n = g.num_vertices(), m = g.num_edges();
  auto up = [](std::uint64_t x) { return (x + 63) / 64 * 64; };
  // Section starts of format 2: header, 7 arrays each at a multiple of 64, checksum.
  std::vector<std::pair<std::string, std::uint64_t>> parts{{"header", 20}};
  std::uint64_t at = 64;
  const std::pair<const char*, std::uint64_t> arrays[] = {{"out_offsets", 8 * (n + 1)}, {"out_targets", 4 * m},
                                                          {"in_offsets", 8 * (n + 1)},  {"in_sources", 4 * m},
                                                          {"accounts", 8 * n},          {"out_probs", 4 * m},
                                                          {"in_probs", 4 * m}};
  for (const auto& [name, size] : arrays) {
    at = up(at);
    parts.emplace_back(name, at + size / 2);
    at += size;
    if (up(at) > at) parts.emplace_back(std::string("padding after ") + name, at);
  }
  ASSERT_EQ(up(at) + 8, bytes.size());
  parts.emplace_back("checksum", bytes.size() - 3);
  for (const auto& [name, offset] : parts) {
    std::string broken = bytes;
    broken[offset] = static_cast<char>(broken[offset] ^ 0x10);
    write_text(f, broken);
    for (int threads : {1, 2}) {
      try {
        load_snapshot(f, threads);
        ADD_FAILURE() << "a changed byte in the " << name << " was accepted";
      } catch (const ParseError& e) {
        EXPECT_EQ(e.file(), f) << name;
        EXPECT_EQ(std::string(e.what()).rfind(f, 0), 0u) << e.what();
      }
    }
  }
  write_text(f, bytes);
  expect_identical_graphs(g, load_snapshot(f));
}

// Issue 15: parallel copies u -> v keep their order in both probability orders; swapping the
// in-order probabilities of two copies of one edge is refused (the fingerprint counts copies).
TEST(SnapshotTrust, ParallelCopiesKeepTheirProbabilityOrder) {
  TempDir dir;
  auto topo = [] {
    auto t = std::make_shared<GraphTopology>();
    t->accounts = {10, 20, 30};
    t->out_offsets = {0, 3, 3, 3};  // 10 -> 20 twice, 10 -> 30
    t->out_targets = {1, 1, 2};
    t->in_offsets = {0, 0, 2, 3};
    t->in_sources = {0, 0, 0};
    return t;
  };
  save_snapshot(FollowerGraph(topo(), std::vector<prob_t>{0.25f, 0.5f, 1.0f}), dir.file("fine.kgs"));
  const auto fine = load_snapshot(dir.file("fine.kgs"));
  EXPECT_EQ(fine.in_edge_probs()[0], 0.25f);
  EXPECT_EQ(fine.in_edge_probs()[1], 0.5f);
  save_snapshot(FollowerGraph(topo(), std::vector<prob_t>{0.25f, 0.5f, 1.0f}, std::vector<prob_t>{0.5f, 0.25f, 1.0f}),
                dir.file("swapped.kgs"));
  try {
    load_snapshot(dir.file("swapped.kgs"));
    ADD_FAILURE() << "swapped copies accepted";
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("differs from its out-order probability"), std::string::npos) << e.what();
  }
  // A probability outside [0, 1] in both orders (the builders refuse it; a crafted file is refused at load).
  save_snapshot(FollowerGraph(probabilities_checked, topo(), std::vector<prob_t>{0.25f, 0.5f, 2.0f},
                              std::vector<prob_t>{0.25f, 0.5f, 2.0f}),
                dir.file("range.kgs"));
  try {
    load_snapshot(dir.file("range.kgs"));
    ADD_FAILURE() << "a probability of 2 accepted";
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("edge probability must be in [0, 1] (edge 2)"), std::string::npos) << e.what();
  }
}

namespace {

/// A snapshot of `topo` (with `probs` in out-order and in-order when given) in `dir`, loaded on
/// 1 and 2 threads: "" when both accept it, else the first error (the same for both, checked).
std::string load_error(const TempDir& dir, const std::shared_ptr<GraphTopology>& topo, const std::vector<prob_t>& out_p = {},
                       const std::vector<prob_t>& in_p = {}) {
  const std::string f = dir.file("case.kgs");
  if (out_p.empty())
    save_snapshot(FollowerGraph(topo), f);
  else
    save_snapshot(FollowerGraph(probabilities_checked, topo, out_p, in_p), f);
  std::string first = "unset";
  for (int threads : {1, 2}) {
    std::string what;
    try {
      (void)load_snapshot(f, threads);
    } catch (const ParseError& e) {
      what = e.what();
    }
    if (first == "unset") first = what;
    EXPECT_EQ(first, what) << "threads = " << threads;
  }
  return first;
}

/// The topology of build_graph(s, t) as a mutable copy.
std::shared_ptr<GraphTopology> topology_copy(const FollowerGraph& g) { return std::make_shared<GraphTopology>(*g.topology()); }

/// A graph on vertices 0 .. n - 1 (account ids equal) with the edges (s[e], t[e]) in this order,
/// parallel copies kept (build_graph merges them), and probabilities p when given: the edges are
/// sorted by (source, target) stably, so copies keep their order in both orders.
FollowerGraph graph_with_copies(vertex_t n, std::vector<vertex_t> s, std::vector<vertex_t> t, std::vector<prob_t> p = {}) {
  std::vector<std::size_t> order(s.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::pair(s[a], t[a]) < std::pair(s[b], t[b]);
  });
  const std::size_t m = s.size();
  std::vector<edge_t> out_off(n + 1, 0), in_off(n + 1, 0);
  std::vector<vertex_t> tgt(m), src(m);
  std::vector<prob_t> out_p(p.empty() ? 0 : m), in_p(p.empty() ? 0 : m);
  for (std::size_t e = 0; e < m; ++e) {
    ++out_off[s[e] + 1];
    ++in_off[t[e] + 1];
  }
  for (vertex_t v = 0; v < n; ++v) {
    out_off[v + 1] += out_off[v];
    in_off[v + 1] += in_off[v];
  }
  std::vector<edge_t> cursor(in_off.begin(), in_off.end() - 1);
  for (std::size_t e = 0; e < m; ++e) {
    const std::size_t i = order[e];
    tgt[e] = t[i];
    const edge_t pos = cursor[t[i]]++;
    src[pos] = s[i];
    if (!p.empty()) out_p[e] = in_p[pos] = p[i];
  }
  auto topo = std::make_shared<GraphTopology>();
  std::vector<account_t> accounts(n);
  for (vertex_t v = 0; v < n; ++v) accounts[v] = v;
  topo->accounts = std::move(accounts);
  topo->out_offsets = std::move(out_off);
  topo->out_targets = std::move(tgt);
  topo->in_offsets = std::move(in_off);
  topo->in_sources = std::move(src);
  if (p.empty()) return FollowerGraph(topo);
  return FollowerGraph(probabilities_checked, topo, std::move(out_p), std::move(in_p));
}

}  // namespace

// Issue 15 (goal 3): one in-edge moved to another in-row, keeping every count and every row
// sorted, is refused wherever it sits (first, middle and last edges, chunk and block starts), on
// 1 and 2 threads with the same message; with probabilities, a swap of two in-order probabilities
// inside one in-row is refused too.
TEST(SnapshotTrust, SingleSwappedInEdgeIsRefused) {
  TempDir dir;
  // Vertex i -> i + 1 and i -> i + 2 (mod n): every in-row holds two sources, so moving one source
  // between two in-rows keeps the in-degrees.
  const std::uint64_t n = 40000;  // three vertex blocks of 2^14
  std::vector<account_t> s, t;
  for (account_t i = 0; i < n; ++i)
    for (account_t d : {1, 2}) {
      s.push_back(i);
      t.push_back((i + d) % n);
    }
  const FollowerGraph g = build_graph(s, t);
  ASSERT_EQ(g.num_vertices(), n);
  EXPECT_EQ(load_error(dir, topology_copy(g)), "");
  int refused = 0;
  for (const vertex_t v : {vertex_t{2}, vertex_t{1023}, vertex_t{1024}, vertex_t{16383}, vertex_t{16384}, vertex_t{39998}}) {
    // In-row v holds {v - 2, v - 1}, in-row v + 1 holds {v - 1, v}: swap v - 2 (row v) with v (row v + 1).
    auto topo = topology_copy(g);
    std::vector<vertex_t> in = topo->in_sources.to_vector();
    const edge_t a = topo->in_offsets[v], b = topo->in_offsets[v + 1] + 1;
    ASSERT_EQ(in[a], v - 2);
    ASSERT_EQ(in[b], v);
    std::swap(in[a], in[b]);  // row v: {v, v - 1} is unsorted, so sort both rows
    std::sort(in.begin() + static_cast<std::ptrdiff_t>(a), in.begin() + static_cast<std::ptrdiff_t>(a) + 2);
    std::sort(in.begin() + static_cast<std::ptrdiff_t>(b) - 1, in.begin() + static_cast<std::ptrdiff_t>(b) + 1);
    topo->in_sources = std::move(in);
    const std::string what = load_error(dir, topo);
    EXPECT_NE(what.find("in-rows are not the transpose of the out-rows (edge "), std::string::npos) << v << ": " << what;
    refused += what.empty() ? 0 : 1;
  }
  EXPECT_EQ(refused, 6);
  // Probabilities: distinct per edge; in-row v's two in-order probabilities swapped.
  std::vector<prob_t> out_p(g.num_edges()), in_p(g.num_edges());
  for (edge_t e = 0; e < g.num_edges(); ++e) out_p[e] = static_cast<prob_t>(e % 1000) / 1000.0f;
  const auto off = g.out_offsets();
  const auto tgt = g.out_targets();
  std::vector<edge_t> cursor(g.in_offsets().begin(), g.in_offsets().end() - 1);
  for (vertex_t u = 0; u < n; ++u)
    for (edge_t e = off[u]; e < off[u + 1]; ++e) in_p[cursor[tgt[e]]++] = out_p[e];
  EXPECT_EQ(load_error(dir, topology_copy(g), out_p, in_p), "");
  for (const vertex_t v : {vertex_t{5}, vertex_t{16384}, vertex_t{39999}}) {
    std::vector<prob_t> swapped = in_p;
    std::swap(swapped[g.in_offsets()[v]], swapped[g.in_offsets()[v] + 1]);
    const std::string what = load_error(dir, topology_copy(g), out_p, swapped);
    EXPECT_NE(what.find("differs from its out-order probability"), std::string::npos) << v << ": " << what;
  }
}

// Issue 15 (goal 3): the fingerprint walks the edges in chunks of 2048 feeding 8 lanes; for edge
// counts around every boundary (not multiples of the lane count, chunk +- 1, several chunks),
// with and without probabilities, a valid snapshot loads and a change of the last in-edge or the
// last out-edge (rows stay sorted, counts stay right) or of the last in-order probability is
// refused.
TEST(SnapshotTrust, EveryLaneAndChunkBoundaryIsFingerprinted) {
  TempDir dir;
  for (const std::uint64_t m : {1, 2, 7, 8, 9, 15, 17, 2047, 2048, 2049, 2055, 4097, 6151}) {
    // A star from vertex 0 plus a chain, so the graph has exactly m edges and rows of many lengths.
    // Parallel copies included (some chunks take the path that ranks them).
    std::vector<vertex_t> s, t;
    std::vector<prob_t> p;
    for (std::uint64_t e = 0; e < m; ++e) {
      const auto u = static_cast<vertex_t>(e % 3 == 0 ? 0 : e % 97 + 1);
      s.push_back(u);
      t.push_back(static_cast<vertex_t>(u + e / 3 % 700 + 1));
      p.push_back(static_cast<prob_t>(e % 89) / 89.0f);
    }
    const vertex_t n = 800;
    const FollowerGraph g = graph_with_copies(n, s, t);
    ASSERT_EQ(g.num_edges(), m);
    EXPECT_EQ(load_error(dir, topology_copy(g)), "") << m;
    // The last in-edge: its source raised by one where that keeps its row sorted; else lowered.
    auto change_last = [&](ConstArray<vertex_t>& idx, const ConstArray<edge_t>& off) {
      std::vector<vertex_t> v = idx.to_vector();
      const edge_t e = m - 1;
      const edge_t row_start = off[static_cast<std::size_t>(
          std::upper_bound(off.begin(), off.end(), e) - off.begin() - 1)];
      if (v[e] + 1 < n)
        ++v[e];
      else if (e == row_start || v[e - 1] < v[e] - 1)
        --v[e];
      else
        return false;
      idx = std::move(v);
      return true;
    };
    for (const bool in_side : {true, false}) {
      auto topo = topology_copy(g);
      const bool changed = in_side ? change_last(topo->in_sources, topo->in_offsets)
                                   : change_last(topo->out_targets, topo->out_offsets);
      ASSERT_TRUE(changed) << m;
      const std::string what = load_error(dir, topo);
      EXPECT_NE(what.find("not the transpose"), std::string::npos) << "m = " << m << (in_side ? " in" : " out") << ": " << what;
    }
    // Probabilities: the last in-order one nudged by one ulp.
    const FollowerGraph gp = graph_with_copies(n, s, t, p);
    const std::vector<prob_t> out_p(gp.edge_probs().begin(), gp.edge_probs().end()),
        in_p(gp.in_edge_probs().begin(), gp.in_edge_probs().end());
    EXPECT_EQ(load_error(dir, topology_copy(g), out_p, in_p), "") << m;
    std::vector<prob_t> nudged = in_p;
    nudged[m - 1] = nudged[m - 1] == 0.0f ? 0.5f : std::nextafter(nudged[m - 1], 0.0f);
    const std::string what = load_error(dir, topology_copy(g), out_p, nudged);
    EXPECT_NE(what.find("differs from its out-order probability"), std::string::npos) << "m = " << m << ": " << what;
  }
}

// Issue 15 (goal 3): parallel copies whose run crosses a chunk of the fingerprint walk (their
// rank k carries over): a valid snapshot loads; two copies' in-order probabilities swapped
// across the chunk boundary are refused.
TEST(SnapshotTrust, ParallelCopiesAcrossChunksKeepTheirRank) {
  TempDir dir;
  std::vector<vertex_t> s, t;
  std::vector<prob_t> p;
  for (int i = 0; i < 5000; ++i) {  // 5000 copies of 0 -> 1, then a few other edges
    s.push_back(0);
    t.push_back(1);
    p.push_back(static_cast<prob_t>(i % 100) / 100.0f);
  }
  for (vertex_t i = 2; i < 39; ++i) {
    s.push_back(i);
    t.push_back(0);
    p.push_back(0.5f);
  }
  const FollowerGraph g = graph_with_copies(40, s, t, p);
  ASSERT_EQ(g.num_edges(), 5037u);
  const std::vector<prob_t> out_p(g.edge_probs().begin(), g.edge_probs().end()),
      in_p(g.in_edge_probs().begin(), g.in_edge_probs().end());
  EXPECT_EQ(load_error(dir, topology_copy(g), out_p, in_p), "");
  // The copies sit in the in-row of vertex 1, in-edges [37, 5037) (in the out-order, the first
  // 5000 edges): swap in-edges 2047 <-> 2049 and 4095 <-> 4097, across the chunks of the in-rows.
  const edge_t first = g.in_offsets()[1];
  ASSERT_EQ(g.in_offsets()[2] - first, 5000u);
  for (const edge_t at : {edge_t{2047}, edge_t{4095}}) {
    std::vector<prob_t> swapped = in_p;
    ASSERT_NE(swapped[at], swapped[at + 2]);
    std::swap(swapped[at], swapped[at + 2]);
    const std::string what = load_error(dir, topology_copy(g), out_p, swapped);
    EXPECT_NE(what.find("differs from its out-order probability"), std::string::npos) << at << ": " << what;
  }
}

// SPDX-License-Identifier: MIT
/// Tests of the streamed snapshot load (pages read in as checked and released once verified) and
/// of FollowerGraph::release_mapped_pages: same graphs, same errors, bounded resident pages.
#include <gtest/gtest.h>
#include "same_graph.hpp"
#include "temp_files.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/estimate/monte_carlo.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/graph/generators.hpp"
#include "kolsim/graph/probabilities.hpp"
#include "kolsim/io/snapshot.hpp"
#include "kolsim/select/opim.hpp"

namespace fs = std::filesystem;
using namespace kolsim;

namespace {

std::uint64_t test_seed() {
  static const std::uint64_t seed = [] {
    const char* env = std::getenv("KOLSIM_TEST_SEED");
    const std::uint64_t s = env ? std::strtoull(env, nullptr, 10) : 20261204u;
    std::printf("test_snapshot_pages seed = %llu (override with KOLSIM_TEST_SEED)\n", static_cast<unsigned long long>(s));
    return s;
  }();
  return seed;
}

using test_support::read_bytes;
using test_support::TempDir;
using test_support::write_bytes;

/// Sets detail::snapshot_stream_min_bytes for one scope: 0 streams every mapped file, the
/// maximum reads every file in at once.
struct StreamThreshold {
  std::uint64_t old = detail::snapshot_stream_min_bytes;
  explicit StreamThreshold(std::uint64_t v) { detail::snapshot_stream_min_bytes = v; }
  ~StreamThreshold() { detail::snapshot_stream_min_bytes = old; }
};
constexpr std::uint64_t always = 0, never = std::numeric_limits<std::uint64_t>::max();

using test_support::expect_identical_graphs;

/// Resident bytes (smaps "Rss") of this process's mapping that holds address p; -1 if none.
long long resident_bytes_of_mapping(const void* p) {
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream f("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(f, line)) {
    unsigned long long lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (line.find("-") != std::string::npos && (head >> std::hex >> lo >> dash >> hi) && dash == '-' &&
        line.find(':') > line.find(' ')) {
      inside = a >= lo && a < hi;
      continue;
    }
    if (inside && line.rfind("Rss:", 0) == 0) return std::atoll(line.c_str() + 4) * 1024;
  }
  return -1;
}

/// A Chung-Lu graph of a few MB (several 1 MiB hash blocks and several 16384-vertex blocks).
FollowerGraph few_mb_graph() {
  static const FollowerGraph g = chung_lu(60000, 12.0, 2.5, 2.1, test_seed(), 1);
  return g;
}

/// The error message of loading `f` ("" when accepted) on `threads` threads.
std::string load_error(const std::string& f, int threads) {
  try {
    const FollowerGraph g = load_snapshot(f, threads);
    return "";
  } catch (const ParseError& e) {
    return e.what();
  }
}

}  // namespace

// Item 1: a streamed load (pages read in and released as verified) gives the graph the populated
// load gives, for explicit, weighted-cascade and constant probabilities and none, on 1 and 2
// threads; the report says which path ran.
TEST(SnapshotPages, StreamedAndPopulatedLoadsAreIdentical) {
  TempDir dir;
  const FollowerGraph base = few_mb_graph();
  const FollowerGraph graphs[] = {base, weighted_cascade(base), constant_probability(base, 0.125f),
                                  uniform_probability(base, 0.0f, 1.0f, test_seed())};
  for (const FollowerGraph& g : graphs) {
    const std::string f = dir.file("g.kgs");
    save_snapshot(g, f);
    for (int threads : {1, 2}) {
      SnapshotReport populated_rep, streamed_rep;
      FollowerGraph populated, streamed;
      {
        StreamThreshold s(never);
        populated = load_snapshot(f, threads, &populated_rep);
      }
      {
        StreamThreshold s(always);
        streamed = load_snapshot(f, threads, &streamed_rep);
      }
      EXPECT_TRUE(populated_rep.mapped);
      EXPECT_FALSE(populated_rep.streamed);
      EXPECT_TRUE(streamed_rep.mapped);
      EXPECT_TRUE(streamed_rep.streamed);
      expect_identical_graphs(g, populated);
      expect_identical_graphs(g, streamed);
      EXPECT_EQ(graph_checksum(streamed, threads), graph_checksum(g));
    }
  }
}

// Item 1: corrupted files give the same error, word for word, streamed or populated, on 1 and 2
// threads: a changed byte in every part of the file (checksum mismatch) and crafted files with a
// valid checksum (structure errors), in the first and the last vertex block.
TEST(SnapshotPages, CorruptFilesGiveTheSameErrors) {
  TempDir dir;
  const FollowerGraph g = uniform_probability(few_mb_graph(), 0.0f, 1.0f, test_seed());
  std::vector<std::string> files;
  const std::string f = dir.file("g.kgs");
  save_snapshot(g, f);
  const std::string bytes = read_bytes(f);
  for (std::size_t at : {std::size_t{20}, bytes.size() / 7, bytes.size() / 3, bytes.size() / 2, bytes.size() - 100,
                         bytes.size() - 3}) {
    std::string broken = bytes;
    broken[at] = static_cast<char>(broken[at] ^ 0x10);
    files.push_back(dir.file("flip" + std::to_string(at) + ".kgs"));
    write_bytes(files.back(), broken);
  }
  // Crafted: the same topology with one defect, saved with a valid checksum.
  const vertex_t n = g.num_vertices();
  const edge_t m = g.num_edges();
  auto crafted = [&](const std::string& name, auto&& change) {
    auto t = std::make_shared<GraphTopology>();
    std::vector<edge_t> out_off(g.out_offsets().begin(), g.out_offsets().end());
    std::vector<vertex_t> tgt(g.out_targets().begin(), g.out_targets().end());
    std::vector<edge_t> in_off(g.in_offsets().begin(), g.in_offsets().end());
    std::vector<vertex_t> src(g.in_sources().begin(), g.in_sources().end());
    std::vector<account_t> acc(g.accounts().begin(), g.accounts().end());
    std::vector<prob_t> out_p(g.edge_probs().begin(), g.edge_probs().end());
    std::vector<prob_t> in_p(g.in_edge_probs().begin(), g.in_edge_probs().end());
    change(out_off, tgt, in_off, src, acc, out_p, in_p);
    t->out_offsets = std::move(out_off);
    t->out_targets = std::move(tgt);
    t->in_offsets = std::move(in_off);
    t->in_sources = std::move(src);
    t->accounts = std::move(acc);
    files.push_back(dir.file(name + ".kgs"));
    save_snapshot(FollowerGraph(probabilities_checked, t, std::move(out_p), std::move(in_p)), files.back());
  };
  using V = std::vector<vertex_t>;
  using E = std::vector<edge_t>;
  using A = std::vector<account_t>;
  using P = std::vector<prob_t>;
  crafted("target_range", [&](E&, V& tgt, E&, V&, A&, P&, P&) { tgt[m - 1] = n; });
  crafted("source_range", [&](E&, V&, E&, V& src, A&, P&, P&) { src[3] = n + 5; });
  crafted("offsets_descend", [&](E& off, V&, E&, V&, A&, P&, P&) { off[n - 2] = off[n - 1] + 1; });
  crafted("offsets_span", [&](E&, V&, E& off, V&, A&, P&, P&) { off[0] = 1; });
  crafted("accounts", [&](E&, V&, E&, V&, A& acc, P&, P&) { acc[n - 1] = acc[n - 2]; });
  crafted("transpose", [&](E&, V&, E&, V& src, A&, P&, P&) {
    for (edge_t e = m / 2; e + 1 < m; ++e)
      if (src[e] + 1 < src[e + 1]) {
        ++src[e];  // still sorted, but no longer the transpose
        break;
      }
  });
  crafted("prob_order", [&](E&, V&, E&, V&, A&, P&, P& in_p) { in_p[m - 2] = std::nextafter(in_p[m - 2], 2.0f); });
  crafted("prob_range", [&](E&, V&, E&, V&, A&, P& out_p, P& in_p) {
    out_p.assign(out_p.size(), 1.5f);
    in_p.assign(in_p.size(), 1.5f);
  });
  for (const std::string& file : files) {
    std::string first;
    {
      StreamThreshold s(never);
      first = load_error(file, 1);
    }
    EXPECT_NE(first, "") << file << " was accepted";
    std::printf("%s: %s\n", fs::path(file).filename().c_str(), first.substr(first.find(": ") + 2).c_str());
    for (int threads : {1, 2})
      for (std::uint64_t threshold : {never, always}) {
        StreamThreshold s(threshold);
        EXPECT_EQ(load_error(file, threads), first) << file << ", " << threads << " threads, streamed "
                                                    << (threshold == always);
      }
  }
  // The file itself still loads both ways.
  for (std::uint64_t threshold : {never, always}) {
    StreamThreshold s(threshold);
    expect_identical_graphs(g, load_snapshot(f, 2));
  }
}

// Item 1: after a streamed load of a file of a few MB the graph's pages are not resident (the
// passes released them); a populated load holds the whole file. Reading the out-rows brings
// their pages back, with the same values.
TEST(SnapshotPages, StreamedLoadLeavesThePagesOut) {
  TempDir dir;
  const FollowerGraph g = uniform_probability(few_mb_graph(), 0.0f, 1.0f, test_seed());
  const std::string f = dir.file("g.kgs");
  save_snapshot(g, f);
  const auto file_bytes = static_cast<long long>(fs::file_size(f));
  ASSERT_GT(file_bytes, 4 << 20);
  for (int threads : {1, 2}) {
    FollowerGraph populated, streamed;
    {
      StreamThreshold s(never);
      populated = load_snapshot(f, threads);
    }
    {
      StreamThreshold s(always);
      streamed = load_snapshot(f, threads);
    }
    const long long held_populated = resident_bytes_of_mapping(populated.out_targets().data());
    const long long held_streamed = resident_bytes_of_mapping(streamed.out_targets().data());
    std::printf("file %lld bytes: resident after a populated load %lld, after a streamed load %lld (%d threads)\n",
                file_bytes, held_populated, held_streamed, threads);
    EXPECT_GE(held_populated, file_bytes * 9 / 10);
    ASSERT_GE(held_streamed, 0);
    EXPECT_LE(held_streamed, file_bytes / 20);
    std::uint64_t sum = 0;
    for (vertex_t v : streamed.out_targets()) sum += v;
    std::uint64_t expected = 0;
    for (vertex_t v : g.out_targets()) expected += v;
    EXPECT_EQ(sum, expected);
    EXPECT_GE(resident_bytes_of_mapping(streamed.out_targets().data()),
              static_cast<long long>(streamed.out_targets().size_bytes() * 9 / 10));
  }
}

// Item 2: release_mapped_pages drops the resident pages of a mapped graph (populated or touched
// by an algorithm) and changes no result: OPIM-C seeds and a Monte Carlo estimate are the same
// before and after; on a graph that owns its arrays it is a no-op.
TEST(SnapshotPages, ReleaseMappedPagesKeepsResults) {
  TempDir dir;
  const FollowerGraph g = weighted_cascade(few_mb_graph());
  const std::string f = dir.file("g.kgs");
  save_snapshot(g, f);
  const auto file_bytes = static_cast<long long>(fs::file_size(f));
  FollowerGraph mapped;
  {
    StreamThreshold s(never);  // read in at once: every page resident
    mapped = load_snapshot(f, 2);
  }
  OpimOptions oo;
  oo.epsilon = 0.3;
  oo.seed = test_seed();
  oo.threads = 2;
  MonteCarloOptions mo;
  mo.trials = 256;
  mo.seed = test_seed() + 1;
  mo.threads = 2;
  auto run = [&](const FollowerGraph& h) {
    const OpimResult r = opim_c(h, IndependentCascade{}, 5, oo);
    const auto mc = estimate_spread(h, IndependentCascade{}, r.seeds, mo);
    return std::make_tuple(r.seeds, r.spread, r.rr_sets, mc.mean, mc.std_error);
  };
  const auto expected = run(g);
  EXPECT_GE(resident_bytes_of_mapping(mapped.in_sources().data()), file_bytes * 9 / 10);
  const FollowerGraph copy = mapped;  // shares the map
  copy.release_mapped_pages();
  const long long after = resident_bytes_of_mapping(mapped.in_sources().data());
  std::printf("file %lld bytes: resident %lld after release_mapped_pages\n", file_bytes, after);
  EXPECT_LE(after, file_bytes / 20);
  EXPECT_EQ(run(mapped), expected);  // reads fault the pages back in
  EXPECT_GE(resident_bytes_of_mapping(mapped.in_sources().data()),
            static_cast<long long>(mapped.in_sources().size_bytes() / 2));
  mapped.release_mapped_pages();
  EXPECT_LE(resident_bytes_of_mapping(mapped.in_sources().data()), file_bytes / 20);
  EXPECT_EQ(run(mapped), expected);
  g.release_mapped_pages();  // owns its arrays: nothing happens
  EXPECT_EQ(run(g), expected);
}

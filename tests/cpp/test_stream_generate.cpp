// SPDX-License-Identifier: MIT
/// Tests of stream_chung_lu: the snapshot it streams loads and passes the full structural check,
/// its bytes do not depend on the thread count or on the transpose buffer (number of passes),
/// rows have no self-loops or repeats, the degrees follow the requested power laws roughly.
#include <gtest/gtest.h>
#include "temp_files.hpp"

#include "support.hpp"

#include <kolsim/graph/probabilities.hpp>
#include <kolsim/io/snapshot.hpp>
#include <kolsim/io/stream_generate.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

using namespace kolsim;

namespace {

std::uint64_t test_seed() { return test_support::test_seed("test_stream_generate", 424242ULL); }

std::string bytes_of(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

using test_support::TempDir;

}  // namespace

TEST(StreamGenerate, SameFileForAnyThreadCountAndBufferAndItLoads) {
  TempDir dir;
  const vertex_t n = 150000;  // three source chunks
  StreamChungLuOptions o;
  o.seed = test_seed();
  o.threads = 1;
  const auto a = stream_chung_lu(dir.file("a.kgs"), n, 8.0, o);
  o.threads = 3;
  o.memory_budget = 1;  // the smallest buffer (2^20 edges): several transpose passes
  const auto b = stream_chung_lu(dir.file("b.kgs"), n, 8.0, o);
  EXPECT_EQ(a.transpose_passes, 1u);
  EXPECT_GE(b.transpose_passes, 2u);
  EXPECT_EQ(a.m, b.m);
  EXPECT_EQ(a.chunks, 3u);
  EXPECT_GT(a.m, static_cast<edge_t>(0.9 * 8.0 * n));
  EXPECT_LE(a.m, static_cast<edge_t>(1.1 * 8.0 * n));
  EXPECT_TRUE(bytes_of(dir.file("a.kgs")) == bytes_of(dir.file("b.kgs")));
  EXPECT_EQ(a.file_bytes, std::filesystem::file_size(dir.file("a.kgs")));

  SnapshotReport rep;
  const FollowerGraph g = load_snapshot(dir.file("a.kgs"), 2, &rep);  // full structural check
  EXPECT_EQ(rep.version, 3u);
  EXPECT_EQ(g.num_vertices(), n);
  EXPECT_EQ(g.num_edges(), a.m);
  EXPECT_EQ(g.probability_kind(), ProbabilityKind::weighted_cascade);
  EXPECT_EQ(g.account(n - 1), n - 1);
  edge_t max_out = 0, max_in = 0;
  for (vertex_t u = 0; u < n; ++u) {
    const auto row = g.out_neighbors(u);
    ASSERT_TRUE(std::adjacent_find(row.begin(), row.end(), std::greater_equal<vertex_t>()) == row.end()) << u;
    ASSERT_FALSE(std::binary_search(row.begin(), row.end(), u)) << "self-loop at " << u;
    max_out = std::max(max_out, g.out_degree(u));
    max_in = std::max(max_in, g.in_degree(u));
  }
  // Hubs near the structural cutoff sqrt(n d) ~ 1095 (repeats trimmed), far above the mean.
  EXPECT_GT(max_out, 300u);
  EXPECT_GT(max_in, 300u);
  // The same graph with explicit weighted cascade probabilities has the same checksum.
  EXPECT_EQ(graph_checksum(g), graph_checksum(g.with_explicit_probabilities()));
}

TEST(StreamGenerate, ConstantProbabilitiesAndNoneAndBadArguments) {
  TempDir dir;
  StreamChungLuOptions o;
  o.seed = test_seed() + 1;
  o.kind = ProbabilityKind::constant;
  o.constant = 0.25f;
  stream_chung_lu(dir.file("c.kgs"), 5000, 5.0, o);
  const auto c = load_snapshot(dir.file("c.kgs"));
  EXPECT_EQ(c.probability_kind(), ProbabilityKind::constant);
  EXPECT_EQ(c.constant_probability_value(), 0.25f);
  o.probabilities = false;
  stream_chung_lu(dir.file("d.kgs"), 5000, 5.0, o);
  const auto d = load_snapshot(dir.file("d.kgs"));
  EXPECT_FALSE(d.has_probabilities());
  EXPECT_EQ(d.num_edges(), c.num_edges());
  EXPECT_THROW(stream_chung_lu(dir.file("e.kgs"), 1, 5.0), std::invalid_argument);
  EXPECT_THROW(stream_chung_lu(dir.file("e.kgs"), 100, 0.0), std::invalid_argument);
  StreamChungLuOptions bad;
  bad.in_exponent = 2.0;
  EXPECT_THROW(stream_chung_lu(dir.file("e.kgs"), 100, 3.0, bad), std::invalid_argument);
  bad = {};
  bad.kind = ProbabilityKind::per_edge;
  EXPECT_THROW(stream_chung_lu(dir.file("e.kgs"), 100, 3.0, bad), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir.file("e.kgs")));
}

// SPDX-License-Identifier: MIT
/// Tests for FollowerGraph and the edge-array builders: CSR layout, id map, policies, report.
#include <gtest/gtest.h>

#include <kolsim/kolsim.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <vector>

using namespace kolsim;

TEST(FollowerGraph, BuildsBothOrdersWithAccountIds) {
  std::vector<account_t> src{100, 100, 300, 200}, dst{200, 300, 200, 100};
  std::vector<prob_t> p{0.1f, 0.2f, 0.3f, 0.4f};
  BuildReport rep;
  auto g = build_graph(src, dst, p, {}, &rep);
  ASSERT_EQ(g.num_vertices(), 3u);
  ASSERT_EQ(g.num_edges(), 4u);
  EXPECT_EQ(rep.edges, 4u);
  EXPECT_EQ(g.index_of(100), 0u);
  EXPECT_EQ(g.index_of(300), 2u);
  EXPECT_EQ(g.account(1), 200u);
  EXPECT_FALSE(g.find(150).has_value());
  EXPECT_THROW(g.index_of(150), std::out_of_range);
  // 100 -> {200, 300}
  auto out0 = g.out_neighbors(0);
  ASSERT_EQ(out0.size(), 2u);
  EXPECT_EQ(out0[0], 1u);
  EXPECT_EQ(out0[1], 2u);
  EXPECT_FLOAT_EQ(g.out_probs(0)[1], 0.2f);
  // in-edges of 200: from 100 (0.1) and 300 (0.3), sources ascending
  auto in1 = g.in_neighbors(1);
  ASSERT_EQ(in1.size(), 2u);
  EXPECT_EQ(in1[0], 0u);
  EXPECT_EQ(in1[1], 2u);
  EXPECT_FLOAT_EQ(g.in_probs(1)[0], 0.1f);
  EXPECT_FLOAT_EQ(g.in_probs(1)[1], 0.3f);
}

TEST(FollowerGraph, SelfLoopAndDuplicatePolicies) {
  std::vector<vertex_t> src{0, 0, 0, 1, 2}, dst{1, 1, 0, 2, 2};
  std::vector<prob_t> p{0.5f, 0.5f, 1.0f, 0.2f, 0.3f};
  BuildReport rep;
  auto g = build_graph_dense(3, src, dst, p, {}, &rep);
  EXPECT_EQ(rep.self_loops, 2u);
  EXPECT_EQ(rep.duplicates, 1u);
  EXPECT_EQ(g.num_edges(), 2u);
  BuildOptions combine;
  combine.duplicates = Duplicates::combine;
  auto gc = build_graph_dense(3, src, dst, p, combine);
  EXPECT_FLOAT_EQ(gc.out_probs(0)[0], 0.75f);
  BuildOptions keep;
  keep.duplicates = Duplicates::keep;
  keep.self_loops = SelfLoops::keep;
  EXPECT_EQ(build_graph_dense(3, src, dst, p, keep).num_edges(), 5u);
  BuildOptions strict;
  strict.duplicates = Duplicates::error;
  strict.self_loops = SelfLoops::keep;
  try {
    build_graph_dense(3, src, dst, p, strict);
    FAIL() << "expected a duplicate error";
  } catch (const InputEdgeError& e) {
    EXPECT_EQ(e.index(), 1u);
  }
}

TEST(FollowerGraph, UndirectedAndFlip) {
  std::vector<vertex_t> src{0, 1}, dst{1, 2};
  BuildOptions und;
  und.undirected = true;
  auto g = build_graph_dense(3, src, dst, {}, und);
  EXPECT_EQ(g.num_edges(), 4u);
  EXPECT_FALSE(g.has_probabilities());
  BuildOptions flip;
  flip.flip = true;
  auto f = build_graph_dense(3, src, dst, {}, flip);
  EXPECT_EQ(f.out_neighbors(1)[0], 0u);
  EXPECT_EQ(f.out_neighbors(2)[0], 1u);
}

TEST(FollowerGraph, WithProbabilitiesSharesTopologyAndValidates) {
  std::vector<vertex_t> src{0, 0, 1}, dst{1, 2, 2};
  auto g = build_graph_dense(3, src, dst);
  auto h = g.with_probabilities({0.1f, 0.2f, 0.3f});
  EXPECT_EQ(g.topology(), h.topology());
  EXPECT_FLOAT_EQ(h.in_probs(2)[0], 0.2f);
  EXPECT_FLOAT_EQ(h.in_probs(2)[1], 0.3f);
  EXPECT_THROW(g.with_probabilities({0.1f, 0.2f}), std::invalid_argument);
  EXPECT_THROW(g.with_probabilities({0.1f, 1.5f, 0.2f}), std::invalid_argument);
  EXPECT_THROW(g.with_probabilities({0.1f, std::numeric_limits<float>::quiet_NaN(), 0.2f}), std::invalid_argument);
  EXPECT_THROW(LinearThreshold{}.validate(g), std::invalid_argument);
  EXPECT_THROW(LinearThreshold{}.validate(g.with_probabilities({0.1f, 0.7f, 0.6f})), std::invalid_argument);
  EXPECT_NO_THROW(LinearThreshold{}.validate(h));
}

TEST(FollowerGraph, SparseAccountIdsUseSortedMap) {
  std::vector<account_t> src{1ull << 40, 5}, dst{7, 1ull << 40};
  auto g = build_graph(src, dst);
  EXPECT_EQ(g.num_vertices(), 3u);
  EXPECT_EQ(g.index_of(1ull << 40), 2u);
  EXPECT_EQ(g.index_of(5), 0u);
}

// The loader's consuming build (dense ids written over the 64-bit id arrays, block by block)
// gives the same graph as the build from spans: compact ids (rank table) and sparse 64-bit ids
// (sorted map), more input edges than one in-place block (2^18), 1 and 2 threads.
TEST(FollowerGraph, ConsumingBuildMatchesSpanBuild) {
  Rng rng(43, 0);
  for (const bool sparse : {false, true}) {
    const std::size_t m = 700000;
    std::vector<account_t> src(m), dst(m);
    std::vector<prob_t> p(m);
    for (std::size_t i = 0; i < m; ++i) {
      src[i] = sparse ? (rng.next_u64() >> 8) | 1 : rng.below(60000);
      dst[i] = sparse ? (rng.below(2) ? src[rng.below(static_cast<std::uint32_t>(i + 1))] : rng.next_u64() >> 9) : rng.below(60000);
      p[i] = rng.uniform_float();
    }
    for (int threads : {1, 2}) {
      BuildOptions o;
      o.threads = threads;
      const FollowerGraph a = build_graph(src, dst, p, o);
      auto copy = [&](const std::vector<account_t>& v) {
        MallocIds ids(static_cast<account_t*>(std::malloc(m * sizeof(account_t))), &std::free);
        std::copy(v.begin(), v.end(), ids.get());
        return ids;
      };
      const FollowerGraph b = build_graph(copy(src), copy(dst), m, p, o);
      ASSERT_EQ(a.num_vertices(), b.num_vertices()) << sparse;
      ASSERT_EQ(a.num_edges(), b.num_edges());
      EXPECT_TRUE(std::ranges::equal(a.accounts(), b.accounts()));
      EXPECT_TRUE(std::ranges::equal(a.out_offsets(), b.out_offsets()));
      EXPECT_TRUE(std::ranges::equal(a.out_targets(), b.out_targets()));
      EXPECT_TRUE(std::ranges::equal(a.edge_probs(), b.edge_probs()));
    }
  }
}

TEST(FollowerGraph, BuildIsIdenticalForAnyThreadCount) {
  // Large enough to take the parallel counting-sort path (>= 2^16 input edges).
  const vertex_t n = 5000;
  std::vector<vertex_t> src, dst;
  std::vector<prob_t> p;
  Rng rng(42, 0);
  for (int i = 0; i < 200000; ++i) {
    src.push_back(rng.below(n));
    dst.push_back(rng.below(n));
    p.push_back(rng.uniform_float());
  }
  for (auto dup : {Duplicates::first, Duplicates::keep, Duplicates::combine}) {
    BuildOptions one, two;
    one.threads = 1;
    two.threads = 2;
    one.duplicates = two.duplicates = dup;
    BuildReport r1, r2;
    auto a = build_graph_dense(n, src, dst, p, one, &r1);
    auto b = build_graph_dense(n, src, dst, p, two, &r2);
    EXPECT_EQ(r1.duplicates, r2.duplicates);
    EXPECT_EQ(r1.self_loops, r2.self_loops);
    ASSERT_EQ(a.num_edges(), b.num_edges());
    EXPECT_TRUE(std::ranges::equal(a.out_targets(), b.out_targets()));
    EXPECT_TRUE(std::ranges::equal(a.in_sources(), b.in_sources()));
    EXPECT_TRUE(std::ranges::equal(a.edge_probs(), b.edge_probs()));
    EXPECT_TRUE(std::ranges::equal(a.in_edge_probs(), b.in_edge_probs()));
    // in-rows list sources ascending, out-rows targets ascending
    for (vertex_t v = 0; v < n; ++v) {
      EXPECT_TRUE(std::ranges::is_sorted(a.in_neighbors(v)));
      EXPECT_TRUE(std::ranges::is_sorted(a.out_neighbors(v)));
    }
  }
}

TEST(FollowerGraph, DuplicateSumOverOneNamesTheInputEdge) {
  std::vector<vertex_t> src{0, 1, 0, 0}, dst{1, 2, 1, 1};
  std::vector<prob_t> p{0.5f, 0.1f, 0.4f, 0.3f};
  BuildOptions sum;
  sum.duplicates = Duplicates::sum;
  try {
    build_graph_dense(3, src, dst, p, sum);
    FAIL() << "expected an error";
  } catch (const InputEdgeError& e) {
    EXPECT_EQ(e.index(), 3u) << e.what();
  }
  std::vector<prob_t> ok{0.5f, 0.1f, 0.2f, 0.3f};
  auto g = build_graph_dense(3, src, dst, ok, sum);
  EXPECT_NEAR(g.out_probs(0)[0], 1.0f, 1e-6);
}

TEST(FollowerGraph, SnapshotAndChecksumTakeTheCallersThreads) {
  // A graph spanning several 1 MiB checksum blocks, so more than one thread has work.
  const vertex_t n = 1 << 17;
  std::vector<vertex_t> src, dst;
  std::vector<prob_t> p;
  Rng rng(7, 0);
  for (int i = 0; i < 400000; ++i) {
    src.push_back(rng.below(n));
    dst.push_back(rng.below(n));
    p.push_back(rng.uniform_float());
  }
  const auto g = build_graph_dense(n, src, dst, p);
  const std::uint64_t c0 = graph_checksum(g);
  EXPECT_EQ(graph_checksum(g, 1), c0);
  EXPECT_EQ(graph_checksum(g, 3), c0);
  EXPECT_EQ(graph_checksum(g, 7), c0);
  // The argument is used, not replaced by resolve_threads(0): out-of-range counts are refused.
  EXPECT_THROW(graph_checksum(g, -1), std::invalid_argument);
  EXPECT_THROW(graph_checksum(g, max_threads() + 1), std::invalid_argument);
  const std::string path = ::testing::TempDir() + "kolsim_threads_snapshot.kgs";
  std::remove(path.c_str());
  EXPECT_THROW(save_snapshot(g, path, -1), std::invalid_argument);
  EXPECT_THROW(save_snapshot(g, path, max_threads() + 1), std::invalid_argument);
  {
    std::ifstream none(path);
    EXPECT_FALSE(none.good()) << "a refused save must not create " << path;
  }
  std::string bytes[2];
  int i = 0;
  for (int t : {1, 3}) {
    save_snapshot(g, path, t);
    std::ifstream in(path, std::ios::binary);
    bytes[i++].assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    EXPECT_EQ(graph_checksum(load_snapshot(path, t), t), c0);
  }
  EXPECT_EQ(bytes[0], bytes[1]);
  std::remove(path.c_str());
}

// Issue 15: the graph's arrays are read-only ConstArrays. A vector is moved in without copying
// its elements, copies share them, and a view keeps its owner alive.
TEST(ConstArray, MovesVectorsInAndSharesOnCopy) {
  std::vector<edge_t> v{3, 1, 4, 1, 5};
  const edge_t* buffer = v.data();
  const ConstArray<edge_t> a(std::move(v));
  EXPECT_EQ(a.data(), buffer);
  EXPECT_EQ(a.size(), 5u);
  EXPECT_EQ(a[2], 4u);
  EXPECT_EQ(a.front(), 3u);
  EXPECT_EQ(a.back(), 5u);
  EXPECT_FALSE(a.is_view());
  EXPECT_GE(a.owned_bytes(), 5 * sizeof(edge_t));
  const ConstArray<edge_t> b = a;
  EXPECT_EQ(b.data(), buffer);
  const std::span<const edge_t> s = b;
  EXPECT_EQ(s.size(), 5u);
  EXPECT_EQ(std::vector<edge_t>(b.begin(), b.end()), b.to_vector());
  const ConstArray<vertex_t> empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.begin(), empty.end());
  // A view: the owner lives as long as any copy of the array.
  std::weak_ptr<const std::vector<vertex_t>> watch;
  ConstArray<vertex_t> view;
  {
    auto owner = std::make_shared<const std::vector<vertex_t>>(std::vector<vertex_t>{7, 8, 9});
    watch = owner;
    view = ConstArray<vertex_t>(owner, owner->data() + 1, 2);
  }
  EXPECT_FALSE(watch.expired());
  EXPECT_TRUE(view.is_view());
  EXPECT_EQ(view.owned_bytes(), 0u);
  EXPECT_EQ(view[0], 8u);
  EXPECT_EQ(view.back(), 9u);
  view = ConstArray<vertex_t>();
  EXPECT_TRUE(watch.expired());
  // A graph built from vectors owns its arrays; memory_bytes counts them.
  const std::vector<account_t> src{1, 2}, dst{2, 3};
  const auto g = build_graph(src, dst);
  EXPECT_FALSE(g.topology()->out_targets.is_view());
  EXPECT_GE(g.memory_bytes(), 2 * (4 * sizeof(edge_t)) + 2 * 2 * sizeof(vertex_t) + 3 * sizeof(account_t));
}

TEST(FollowerGraph, FromCsrRebuildsTheTransposeAndChecksItsInput) {
  // Parallel copies (Duplicates::keep) and probabilities: the in-rows must list sources
  // ascending with each copy's own probability, exactly as the builder made them.
  std::vector<account_t> src{5, 9, 5, 7, 9, 5, 7, 9}, dst{7, 5, 7, 9, 7, 9, 5, 9};
  std::vector<prob_t> p{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f};
  BuildOptions keep;
  keep.duplicates = Duplicates::keep;
  keep.self_loops = SelfLoops::keep;
  const auto g = build_graph(src, dst, p, keep);
  auto vec = [](auto span) { return std::vector<std::remove_cv_t<typename decltype(span)::value_type>>(span.begin(), span.end()); };
  for (int threads : {1, 3}) {
    const auto h = build_graph_from_csr(vec(g.accounts()), vec(g.out_offsets()), vec(g.out_targets()),
                                        vec(g.edge_probs()), threads);
    EXPECT_TRUE(std::ranges::equal(h.in_offsets(), g.in_offsets()));
    EXPECT_TRUE(std::ranges::equal(h.in_sources(), g.in_sources()));
    EXPECT_TRUE(std::ranges::equal(h.in_edge_probs(), g.in_edge_probs()));
    EXPECT_TRUE(std::ranges::equal(h.accounts(), g.accounts()));
  }
  const auto bare = build_graph_from_csr(vec(g.accounts()), vec(g.out_offsets()), vec(g.out_targets()));
  EXPECT_FALSE(bare.has_probabilities());
  EXPECT_TRUE(std::ranges::equal(bare.in_sources(), g.in_sources()));
  // Corrupted arrays: a clear std::invalid_argument, never an out-of-bounds write.
  auto bad = [&](auto edit, const char* what) {
    auto acc = vec(g.accounts());
    auto off = vec(g.out_offsets());
    auto tgt = vec(g.out_targets());
    auto pr = vec(g.edge_probs());
    edit(acc, off, tgt, pr);
    try {
      build_graph_from_csr(acc, off, tgt, pr, 1, "state");
      ADD_FAILURE() << "accepted: " << what;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  bad([](auto&, auto&, auto& t, auto&) { t.back() = 3; }, "target out of range");
  bad([](auto&, auto&, auto& t, auto&) { std::swap(t[1], t[2]); }, "unsorted row");  // row 0 is 1 1 2
  bad([](auto&, auto& o, auto&, auto&) { std::swap(o[1], o[2]); }, "offsets not monotone");
  bad([](auto&, auto& o, auto&, auto&) { o.back() += 1; }, "inconsistent offsets");
  bad([](auto& a, auto&, auto&, auto&) { std::swap(a[0], a[1]); }, "accounts not increasing");
  bad([](auto&, auto&, auto&, auto& q) { q.pop_back(); }, "probabilities");
  bad([](auto&, auto&, auto&, auto& q) { q[0] = 1.5f; }, "outside [0, 1]");
}

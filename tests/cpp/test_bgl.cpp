// SPDX-License-Identifier: MIT
/// Tests for the Boost.Graph adaptor (BGL's own BFS, strong components and PageRank run on a
/// FollowerGraph) and for the graph summary built on it.
#include <gtest/gtest.h>

#include <kolsim/graph/bgl.hpp>
#include <kolsim/graph/builder.hpp>
#include <kolsim/graph/generators.hpp>
#include <kolsim/graph/probabilities.hpp>
#include <kolsim/graph/summary.hpp>

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/page_rank.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/graph/visitors.hpp>

#include <set>
#include <vector>

using namespace kolsim;

namespace {

/// Arcs: 0->1, 0->2, 1->3, 2->3, 3->4, 4->1 (cycle 1-3-4), 5->0, 6 isolated, 7->7 (loop),
/// and 2->3 a second time (parallel).
FollowerGraph hand_graph() {
  std::vector<vertex_t> src{0, 0, 1, 2, 3, 4, 5, 7, 2}, dst{1, 2, 3, 3, 4, 1, 0, 7, 3};
  BuildOptions opt;
  opt.duplicates = Duplicates::keep;
  opt.self_loops = SelfLoops::keep;
  return build_graph_dense(8, src, dst, {}, opt);
}

}  // namespace

TEST(Bgl, TraitsAndFreeFunctions) {
  auto g = hand_graph();
  using Traits = boost::graph_traits<FollowerGraph>;
  static_assert(std::is_same_v<Traits::directed_category, boost::directed_tag>);
  static_assert(std::is_same_v<Traits::edge_parallel_category, boost::allow_parallel_edge_tag>);
  EXPECT_EQ(num_vertices(g), 8u);
  EXPECT_EQ(num_edges(g), 9u);
  EXPECT_EQ(out_degree(2, g), 2u);
  EXPECT_EQ(in_degree(3, g), 3u);
  EXPECT_EQ(degree(3, g), 4u);
  // edges() visits every edge once, in CSR order, with the right endpoints and indices.
  edge_t expect_index = 0;
  auto [ei, ee] = edges(g);
  for (; ei != ee; ++ei, ++expect_index) {
    const BglEdge e = *ei;
    EXPECT_EQ(e.index, expect_index);
    EXPECT_EQ(source(e, g), e.source);
    EXPECT_EQ(g.out_targets()[e.index], target(e, g));
    EXPECT_GE(e.index, g.out_offsets()[e.source]);
    EXPECT_LT(e.index, g.out_offsets()[e.source + 1]);
  }
  EXPECT_EQ(expect_index, 9u);
  // in_edges carry the same edge indices as out_edges, parallel copies included.
  std::multiset<edge_t> from_out, from_in;
  for (vertex_t v = 0; v < 8; ++v) {
    for (auto [a, b] = out_edges(v, g); a != b; ++a) from_out.insert(get(boost::edge_index, g, *a));
    for (auto [a, b] = in_edges(v, g); a != b; ++a) {
      EXPECT_EQ(target(*a, g), v);
      EXPECT_EQ(g.out_targets()[(*a).index], v);
      from_in.insert(get(get(boost::edge_index, g), *a));
    }
  }
  EXPECT_EQ(from_out, from_in);
  EXPECT_EQ(from_in.size(), 9u);  // all distinct indices 0..8
  EXPECT_EQ(std::set<edge_t>(from_in.begin(), from_in.end()).size(), 9u);
  auto [ai, ae] = adjacent_vertices(0, g);
  EXPECT_EQ(std::vector<vertex_t>(ai, ae), (std::vector<vertex_t>{1, 2}));
  EXPECT_EQ(get(boost::vertex_index, g, 5u), 5u);
}

TEST(Bgl, BreadthFirstSearchDistances) {
  auto g = hand_graph();
  std::vector<vertex_t> dist(8, 999);
  dist[5] = 0;
  boost::breadth_first_search(
      g, vertex_t{5},
      boost::visitor(boost::make_bfs_visitor(boost::record_distances(dist.data(), boost::on_tree_edge())))
          .vertex_index_map(get(boost::vertex_index, g)));
  // 5 -> 0 -> {1, 2} -> 3 -> 4; 6 and 7 unreachable.
  EXPECT_EQ(dist, (std::vector<vertex_t>{1, 2, 2, 3, 4, 0, 999, 999}));
}

TEST(Bgl, StrongComponents) {
  auto g = hand_graph();
  std::vector<vertex_t> comp(8);
  const auto count =
      boost::strong_components(g, boost::make_iterator_property_map(comp.begin(), get(boost::vertex_index, g)));
  // {1, 3, 4} is the only non-trivial component: 1 + 5 singletons = 6.
  EXPECT_EQ(count, 6u);
  EXPECT_EQ(comp[1], comp[3]);
  EXPECT_EQ(comp[1], comp[4]);
  std::set<vertex_t> others{comp[0], comp[2], comp[5], comp[6], comp[7], comp[1]};
  EXPECT_EQ(others.size(), 6u);
}

TEST(Bgl, PageRankThroughReverseGraph) {
  // Mutual triangle: every account has rank exactly 1 under BGL's un-normalised formula.
  std::vector<vertex_t> src{0, 1, 1, 2, 2, 0}, dst{1, 0, 2, 1, 0, 2};
  auto g = build_graph_dense(3, src, dst);
  std::vector<double> rank(3);
  boost::reverse_graph<FollowerGraph> rg(g);
  boost::graph::page_rank(rg, boost::make_iterator_property_map(rank.begin(), get(boost::vertex_index, g)),
                   boost::graph::n_iterations(200));  // error 0.85^200 * 2/3 < 1e-14
  for (double r : rank) EXPECT_NEAR(r, 1.0, 1e-9);
}

TEST(Summary, HandGraphNumbers) {
  auto g = hand_graph();
  const auto s = summarize(g);
  EXPECT_EQ(s.vertices, 8u);
  EXPECT_EQ(s.edges, 9u);
  EXPECT_EQ(s.self_loops, 1u);
  EXPECT_EQ(s.reciprocal_edges, 0u);
  EXPECT_DOUBLE_EQ(s.mean_degree, 9.0 / 8.0);
  EXPECT_EQ(s.max_out_degree, 2u);  // 0 -> {1, 2} and 2 -> 3 twice
  EXPECT_EQ(s.max_in_degree, 3u);   // vertex 3: from 1, 2, 2
  EXPECT_EQ(s.sources, 2u);         // 5 and 6 follow nobody (7 follows itself)
  EXPECT_EQ(s.sinks, 1u);           // 6 has no followers
  EXPECT_EQ(s.strong_components, 6u);
  EXPECT_EQ(s.largest_strong_component, 3u);
  EXPECT_EQ(s.weak_components, 3u);  // {0..5}, {6}, {7}
  EXPECT_EQ(s.largest_weak_component, 6u);
  EXPECT_FALSE(s.has_probabilities);
  const auto text = to_string(s);
  EXPECT_NE(text.find("strong components:        6 (largest 3"), std::string::npos) << text;
  EXPECT_NE(text.find("none assigned"), std::string::npos);

  std::vector<vertex_t> src{0, 1, 1, 2}, dst{1, 0, 2, 0};
  auto p = constant_probability(build_graph_dense(4, src, dst), 0.25f);
  const auto t = summarize(p);
  EXPECT_EQ(t.reciprocal_edges, 2u);
  EXPECT_TRUE(t.has_probabilities);
  EXPECT_DOUBLE_EQ(t.mean_probability, 0.25);
  EXPECT_EQ(t.strong_components, 2u);  // {0, 1, 2} and {3}
  EXPECT_EQ(t.weak_components, 2u);
  EXPECT_EQ(summarize(FollowerGraph()).vertices, 0u);
}

TEST(Summary, LargeGeneratedGraph) {
  auto g = watts_strogatz(20000, 4, 0.0, 7);
  const auto s = summarize(g);
  EXPECT_EQ(s.reciprocal_edges, s.edges);
  EXPECT_EQ(s.strong_components, 1u);
  EXPECT_EQ(s.weak_components, 1u);
  EXPECT_EQ(s.largest_strong_component, 20000u);
}

// SPDX-License-Identifier: MIT
/// Boost.Graph adaptor: FollowerGraph models BGL's IncidenceGraph, BidirectionalGraph,
/// AdjacencyGraph, VertexListGraph and EdgeListGraph, so BGL algorithms run on it directly.
///
/// Vertices are the dense indices 0 .. n-1; an edge descriptor carries source, target and the
/// edge index (position in out-edge CSR order, 0 .. m-1). Direction as everywhere in kolsim:
/// u -> v means "v follows u" (out_edges(u) are u's followers). Parallel edges are allowed.
/// in_edges recovers each in-edge's index by a binary search in the source's sorted out-row, so
/// dereferencing an in-edge iterator costs O(log outdeg); everything else is O(1).
/// Property maps: vertex_index (identity) and edge_index (the edge index above).
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <utility>

#include <boost/concept/assert.hpp>
#include <boost/graph/graph_concepts.hpp>
#include <boost/graph/graph_traits.hpp>
#include <boost/graph/properties.hpp>
#include <boost/iterator/counting_iterator.hpp>
#include <boost/iterator/iterator_facade.hpp>
#include <boost/property_map/property_map.hpp>

#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// BGL edge descriptor of a FollowerGraph: u -> v with its out-order edge index.
struct BglEdge {
  vertex_t source = 0;
  vertex_t target = 0;
  edge_t index = 0;
  friend bool operator==(const BglEdge& a, const BglEdge& b) noexcept { return a.index == b.index; }
  friend bool operator!=(const BglEdge& a, const BglEdge& b) noexcept { return a.index != b.index; }
  friend bool operator<(const BglEdge& a, const BglEdge& b) noexcept { return a.index < b.index; }
};

/// BGL traversal category of FollowerGraph.
struct BglTraversalCategory : virtual boost::bidirectional_graph_tag,
                              virtual boost::adjacency_graph_tag,
                              virtual boost::vertex_list_graph_tag,
                              virtual boost::edge_list_graph_tag {};

namespace detail {

/// Out-edges of one vertex.
class BglOutEdgeIterator
    : public boost::iterator_facade<BglOutEdgeIterator, BglEdge, std::random_access_iterator_tag, BglEdge,
                                    std::ptrdiff_t> {
 public:
  BglOutEdgeIterator() = default;
  BglOutEdgeIterator(const vertex_t* targets, vertex_t u, edge_t e) : targets_(targets), u_(u), e_(e) {}

 private:
  friend class boost::iterator_core_access;
  BglEdge dereference() const { return {u_, targets_[e_], e_}; }
  bool equal(const BglOutEdgeIterator& o) const { return e_ == o.e_; }
  void increment() { ++e_; }
  void decrement() { --e_; }
  void advance(std::ptrdiff_t d) { e_ = static_cast<edge_t>(static_cast<std::ptrdiff_t>(e_) + d); }
  std::ptrdiff_t distance_to(const BglOutEdgeIterator& o) const {
    return static_cast<std::ptrdiff_t>(o.e_) - static_cast<std::ptrdiff_t>(e_);
  }
  const vertex_t* targets_ = nullptr;
  vertex_t u_ = 0;
  edge_t e_ = 0;
};

/// In-edges of one vertex (position j in the in-CSR); the edge index is found in the source's
/// sorted out-row, matching parallel copies by rank.
class BglInEdgeIterator
    : public boost::iterator_facade<BglInEdgeIterator, BglEdge, std::random_access_iterator_tag, BglEdge,
                                    std::ptrdiff_t> {
 public:
  BglInEdgeIterator() = default;
  BglInEdgeIterator(const FollowerGraph* g, vertex_t v, edge_t j) : g_(g), v_(v), j_(j) {}

 private:
  friend class boost::iterator_core_access;
  BglEdge dereference() const {
    const auto in_src = g_->in_sources();
    const vertex_t u = in_src[j_];
    // Rank of this copy among parallel u -> v edges (in-rows are sorted by source).
    const edge_t row_lo = g_->in_offsets()[v_];
    const auto first_u = std::lower_bound(in_src.begin() + static_cast<std::ptrdiff_t>(row_lo),
                                          in_src.begin() + static_cast<std::ptrdiff_t>(j_), u);
    const auto copy = static_cast<edge_t>(in_src.begin() + static_cast<std::ptrdiff_t>(j_) - first_u);
    const auto out = g_->out_neighbors(u);
    const auto pos = static_cast<edge_t>(std::lower_bound(out.begin(), out.end(), v_) - out.begin());
    return {u, v_, g_->out_offsets()[u] + pos + copy};
  }
  bool equal(const BglInEdgeIterator& o) const { return j_ == o.j_; }
  void increment() { ++j_; }
  void decrement() { --j_; }
  void advance(std::ptrdiff_t d) { j_ = static_cast<edge_t>(static_cast<std::ptrdiff_t>(j_) + d); }
  std::ptrdiff_t distance_to(const BglInEdgeIterator& o) const {
    return static_cast<std::ptrdiff_t>(o.j_) - static_cast<std::ptrdiff_t>(j_);
  }
  const FollowerGraph* g_ = nullptr;
  vertex_t v_ = 0;
  edge_t j_ = 0;
};

/// All edges in out-CSR order.
class BglEdgeIterator
    : public boost::iterator_facade<BglEdgeIterator, BglEdge, std::forward_iterator_tag, BglEdge, std::ptrdiff_t> {
 public:
  BglEdgeIterator() = default;
  BglEdgeIterator(const FollowerGraph* g, edge_t e) : g_(g), e_(e) {
    if (g_ && e_ < g_->num_edges()) {
      const auto offs = g_->out_offsets();
      u_ = static_cast<vertex_t>(std::upper_bound(offs.begin(), offs.end(), e_) - offs.begin() - 1);
    }
  }

 private:
  friend class boost::iterator_core_access;
  BglEdge dereference() const { return {u_, g_->out_targets()[e_], e_}; }
  bool equal(const BglEdgeIterator& o) const { return e_ == o.e_; }
  void increment() {
    ++e_;
    const auto offs = g_->out_offsets();
    while (e_ < g_->num_edges() && offs[u_ + 1] <= e_) ++u_;
  }
  const FollowerGraph* g_ = nullptr;
  vertex_t u_ = 0;
  edge_t e_ = 0;
};

}  // namespace detail

/// Readable property map: edge descriptor -> edge index (out-CSR position).
struct BglEdgeIndexMap {
  using key_type = BglEdge;
  using value_type = edge_t;
  using reference = edge_t;
  using category = boost::readable_property_map_tag;
};
inline edge_t get(BglEdgeIndexMap, const BglEdge& e) noexcept { return e.index; }

}  // namespace kolsim

namespace boost {

template <>
struct graph_traits<kolsim::FollowerGraph> {
  using vertex_descriptor = kolsim::vertex_t;
  using edge_descriptor = kolsim::BglEdge;
  using directed_category = directed_tag;
  using edge_parallel_category = allow_parallel_edge_tag;
  using traversal_category = kolsim::BglTraversalCategory;
  using out_edge_iterator = kolsim::detail::BglOutEdgeIterator;
  using in_edge_iterator = kolsim::detail::BglInEdgeIterator;
  using adjacency_iterator = const kolsim::vertex_t*;
  using vertex_iterator = counting_iterator<kolsim::vertex_t>;
  using edge_iterator = kolsim::detail::BglEdgeIterator;
  using vertices_size_type = kolsim::vertex_t;
  using edges_size_type = kolsim::edge_t;
  using degree_size_type = kolsim::edge_t;
  static vertex_descriptor null_vertex() noexcept { return kolsim::no_vertex; }
};

template <>
struct property_map<kolsim::FollowerGraph, vertex_index_t> {
  using type = typed_identity_property_map<kolsim::vertex_t>;
  using const_type = type;
};

template <>
struct property_map<kolsim::FollowerGraph, edge_index_t> {
  using type = kolsim::BglEdgeIndexMap;
  using const_type = type;
};

}  // namespace boost

namespace kolsim {

// BGL free functions, found by argument-dependent lookup on FollowerGraph.
inline vertex_t source(const BglEdge& e, const FollowerGraph&) noexcept { return e.source; }
inline vertex_t target(const BglEdge& e, const FollowerGraph&) noexcept { return e.target; }

inline std::pair<detail::BglOutEdgeIterator, detail::BglOutEdgeIterator> out_edges(vertex_t u,
                                                                                   const FollowerGraph& g) {
  const auto offs = g.out_offsets();
  const vertex_t* t = g.out_targets().data();
  return {{t, u, offs[u]}, {t, u, offs[u + 1]}};
}
inline std::pair<detail::BglInEdgeIterator, detail::BglInEdgeIterator> in_edges(vertex_t v, const FollowerGraph& g) {
  const auto offs = g.in_offsets();
  return {{&g, v, offs[v]}, {&g, v, offs[v + 1]}};
}
inline edge_t out_degree(vertex_t u, const FollowerGraph& g) noexcept { return g.out_degree(u); }
inline edge_t in_degree(vertex_t v, const FollowerGraph& g) noexcept { return g.in_degree(v); }
inline edge_t degree(vertex_t v, const FollowerGraph& g) noexcept { return g.out_degree(v) + g.in_degree(v); }
inline std::pair<const vertex_t*, const vertex_t*> adjacent_vertices(vertex_t u, const FollowerGraph& g) noexcept {
  const auto nb = g.out_neighbors(u);
  return {nb.data(), nb.data() + nb.size()};
}
inline std::pair<boost::counting_iterator<vertex_t>, boost::counting_iterator<vertex_t>> vertices(
    const FollowerGraph& g) noexcept {
  return {boost::counting_iterator<vertex_t>(0), boost::counting_iterator<vertex_t>(g.num_vertices())};
}
inline vertex_t num_vertices(const FollowerGraph& g) noexcept { return g.num_vertices(); }
inline std::pair<detail::BglEdgeIterator, detail::BglEdgeIterator> edges(const FollowerGraph& g) {
  return {detail::BglEdgeIterator(&g, 0), detail::BglEdgeIterator(&g, g.num_edges())};
}
inline edge_t num_edges(const FollowerGraph& g) noexcept { return g.num_edges(); }

inline boost::typed_identity_property_map<vertex_t> get(boost::vertex_index_t, const FollowerGraph&) noexcept {
  return {};
}
inline vertex_t get(boost::vertex_index_t, const FollowerGraph&, vertex_t v) noexcept { return v; }
inline BglEdgeIndexMap get(boost::edge_index_t, const FollowerGraph&) noexcept { return {}; }
inline edge_t get(boost::edge_index_t, const FollowerGraph&, const BglEdge& e) noexcept { return e.index; }

}  // namespace kolsim

BOOST_CONCEPT_ASSERT((boost::IncidenceGraphConcept<kolsim::FollowerGraph>));
BOOST_CONCEPT_ASSERT((boost::BidirectionalGraphConcept<kolsim::FollowerGraph>));
BOOST_CONCEPT_ASSERT((boost::VertexListGraphConcept<kolsim::FollowerGraph>));
BOOST_CONCEPT_ASSERT((boost::AdjacencyGraphConcept<kolsim::FollowerGraph>));
BOOST_CONCEPT_ASSERT((boost::EdgeListGraphConcept<kolsim::FollowerGraph>));
BOOST_CONCEPT_ASSERT((boost::ReadablePropertyGraphConcept<kolsim::FollowerGraph, kolsim::vertex_t, boost::vertex_index_t>));

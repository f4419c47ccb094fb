// SPDX-License-Identifier: MIT
/// A one-call structural summary of a follower graph (sizes, reciprocity, degree extremes,
/// strong and weak components, probabilities) and its readable text form.
///
/// Strong components come from Boost.Graph's strong_components (Tarjan, SIAM J. Comput. 1972)
/// run on the graph/bgl.hpp adaptor; weak components from Boost's disjoint_sets (union by rank,
/// path compression). O(n + m log d) time (reciprocity binary-searches sorted rows).
#pragma once

#include <algorithm>
#include <cstdint>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include <boost/graph/strong_components.hpp>
#include <boost/pending/disjoint_sets.hpp>

#include "kolsim/core/types.hpp"
#include "kolsim/graph/bgl.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// Structural numbers of a follower graph (u -> v means v follows u).
struct GraphSummary {
  vertex_t vertices = 0;
  edge_t edges = 0;
  edge_t reciprocal_edges = 0;  ///< arcs u -> v (u != v) whose reverse v -> u exists (a mutual pair counts 2)
  edge_t self_loops = 0;
  double mean_degree = 0.0;     ///< edges / vertices (mean out-degree = mean in-degree)
  edge_t max_out_degree = 0;    ///< largest follower count
  edge_t max_in_degree = 0;     ///< largest number of accounts followed
  vertex_t sources = 0;         ///< accounts with in-degree 0 (follow nobody)
  vertex_t sinks = 0;           ///< accounts with out-degree 0 (no followers)
  vertex_t strong_components = 0;
  vertex_t largest_strong_component = 0;
  vertex_t weak_components = 0;
  vertex_t largest_weak_component = 0;
  bool has_probabilities = false;
  double mean_probability = 0.0;  ///< mean edge probability (0 when none are assigned or m = 0)
};

/// Computes the summary of g.
inline GraphSummary summarize(const FollowerGraph& g) {
  GraphSummary s;
  const vertex_t n = g.num_vertices();
  s.vertices = n;
  s.edges = g.num_edges();
  s.mean_degree = n ? static_cast<double>(s.edges) / n : 0.0;
  for (vertex_t u = 0; u < n; ++u) {
    s.max_out_degree = std::max(s.max_out_degree, g.out_degree(u));
    s.max_in_degree = std::max(s.max_in_degree, g.in_degree(u));
    s.sources += g.in_degree(u) == 0 ? 1 : 0;
    s.sinks += g.out_degree(u) == 0 ? 1 : 0;
    for (vertex_t v : g.out_neighbors(u)) {
      if (v == u) {
        ++s.self_loops;
        continue;
      }
      const auto back = g.out_neighbors(v);
      if (std::binary_search(back.begin(), back.end(), u)) ++s.reciprocal_edges;
    }
  }
  if (n > 0) {
    std::vector<vertex_t> comp(n);
    s.strong_components = static_cast<vertex_t>(boost::strong_components(
        g, boost::make_iterator_property_map(comp.begin(), get(boost::vertex_index, g))));
    std::vector<vertex_t> size(s.strong_components, 0);
    for (vertex_t c : comp) s.largest_strong_component = std::max(s.largest_strong_component, ++size[c]);

    std::vector<vertex_t> rank(n, 0), parent(n);
    const auto index = get(boost::vertex_index, g);
    auto rank_map = boost::make_iterator_property_map(rank.begin(), index);
    auto parent_map = boost::make_iterator_property_map(parent.begin(), index);
    boost::disjoint_sets<decltype(rank_map), decltype(parent_map)> sets(rank_map, parent_map);
    for (vertex_t v = 0; v < n; ++v) sets.make_set(v);
    for (vertex_t u = 0; u < n; ++u)
      for (vertex_t v : g.out_neighbors(u)) sets.union_set(u, v);
    size.assign(n, 0);
    for (vertex_t v = 0; v < n; ++v) {
      const vertex_t r = sets.find_set(v);
      if (size[r]++ == 0) ++s.weak_components;
      s.largest_weak_component = std::max(s.largest_weak_component, size[r]);
    }
  }
  s.has_probabilities = g.has_probabilities();
  if (s.has_probabilities && s.edges > 0) s.mean_probability = g.mean_edge_probability();
  return s;
}

/// Multi-line readable text of a summary ("name: value" per line).
inline std::string to_string(const GraphSummary& s) {
  std::ostringstream os;
  auto pct = [](double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0.0; };
  os << std::fixed << std::setprecision(2);
  os << "accounts:                 " << s.vertices << '\n'
     << "follower edges:           " << s.edges << " (u -> v: v follows u)\n"
     << "mean degree:              " << s.mean_degree << '\n'
     << "reciprocal edges:         " << s.reciprocal_edges << " (" << pct(s.reciprocal_edges, s.edges) << "%)\n"
     << "self-loops:               " << s.self_loops << '\n'
     << "max followers (out):      " << s.max_out_degree << '\n'
     << "max following (in):       " << s.max_in_degree << '\n'
     << "follow nobody (in = 0):   " << s.sources << '\n'
     << "no followers (out = 0):   " << s.sinks << '\n'
     << "strong components:        " << s.strong_components << " (largest " << s.largest_strong_component << ", "
     << pct(s.largest_strong_component, s.vertices) << "%)\n"
     << "weak components:          " << s.weak_components << " (largest " << s.largest_weak_component << ", "
     << pct(s.largest_weak_component, s.vertices) << "%)\n";
  if (s.has_probabilities)
    os << std::setprecision(6) << "mean probability:         " << s.mean_probability << '\n';
  else
    os << "probabilities:            none assigned\n";
  return os.str();
}

}  // namespace kolsim

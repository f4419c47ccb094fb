// SPDX-License-Identifier: MIT
/// The immutable follower graph: CSR out- and in-adjacency with per-edge probabilities in both
/// orders and the map between original account ids and dense vertex indices.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "kolsim/core/array.hpp"
#include "kolsim/core/error.hpp"
#include "kolsim/core/types.hpp"

namespace kolsim {

/// Topology shared by every FollowerGraph that differs only in probabilities.
/// Rows are sorted: out-targets ascending within each out-row, in-sources ascending within each
/// in-row. `accounts` is strictly increasing (dense index = rank of the account id). The arrays
/// are read-only: each owns a std::vector moved into it or views a snapshot's memory map (see
/// core/array.hpp); writers build vectors and move them in.
struct GraphTopology {
  ConstArray<edge_t> out_offsets{0};   ///< n + 1 entries
  ConstArray<vertex_t> out_targets;    ///< m entries
  ConstArray<edge_t> in_offsets{0};    ///< n + 1 entries
  ConstArray<vertex_t> in_sources;     ///< m entries
  ConstArray<account_t> accounts;      ///< n entries, strictly increasing
};

/// Tag of the FollowerGraph constructor whose caller has already checked every probability.
struct probabilities_checked_t {
  explicit probabilities_checked_t() = default;
};
inline constexpr probabilities_checked_t probabilities_checked{};

/// A follower network. An edge u -> v means "v follows u": influence flows from u to v.
///
/// Immutable once built; copies are cheap (topology and probabilities are shared, and a graph
/// loaded from a snapshot keeps the file's memory map alive in its copies). Edge e is
/// the e-th out-edge in CSR order (sorted by source, then target). Probabilities (IC) or
/// weights (LT) are stored twice, in out-edge order for forward simulation and in in-edge
/// order for reverse (RR) sampling. Build one with the functions in graph/builder.hpp, the
/// readers in io/, or the generators in graph/generators.hpp; assign probabilities with
/// graph/probabilities.hpp.
class FollowerGraph {
 public:
  /// The empty graph (no vertices).
  FollowerGraph() : topo_(std::make_shared<GraphTopology>()) {}

  /// Wraps a validated topology; `out_probs` (empty, or one per edge in out-edge order)
  /// become the edge probabilities. Throws std::invalid_argument on inconsistent arrays.
  explicit FollowerGraph(std::shared_ptr<const GraphTopology> topo, std::vector<prob_t> out_probs = {})
      : topo_(std::move(topo)) {
    KOLSIM_REQUIRE(topo_ != nullptr, "FollowerGraph: null topology");
    const auto& t = *topo_;
    KOLSIM_REQUIRE(t.out_offsets.size() == t.accounts.size() + 1 && t.in_offsets.size() == t.out_offsets.size(),
                   "FollowerGraph: offsets must have n + 1 entries");
    KOLSIM_REQUIRE(t.out_offsets.back() == t.out_targets.size() && t.in_offsets.back() == t.in_sources.size() &&
                       t.out_targets.size() == t.in_sources.size(),
                   "FollowerGraph: offsets do not match edge arrays");
    if (!out_probs.empty()) set_probabilities(std::move(out_probs));
  }

  /// Wraps a validated topology with probabilities already in both orders (snapshot loads skip
  /// the O(m) reordering): `in_probs` must hold the values of `out_probs` in in-edge order (the
  /// caller guarantees this; only sizes and the [0, 1] range are checked).
  FollowerGraph(std::shared_ptr<const GraphTopology> topo, ConstArray<prob_t> out_probs, ConstArray<prob_t> in_probs)
      : FollowerGraph(probabilities_checked, std::move(topo), std::move(out_probs), std::move(in_probs)) {
    const auto& out = probs_->out;
    const auto& in = probs_->in;
    for (edge_t e = 0; e < num_edges(); ++e)
      KOLSIM_REQUIRE(out[e] >= 0.0f && out[e] <= 1.0f && in[e] >= 0.0f && in[e] <= 1.0f,
                     "edge probability must be in [0, 1] (edge ", e, ")");
  }

  /// As above for a caller that has already checked that every probability lies in [0, 1] and
  /// that `in_probs` is `out_probs` in in-edge order (a snapshot load does so in parallel, fused
  /// with its other checks); only the sizes are checked here.
  FollowerGraph(probabilities_checked_t, std::shared_ptr<const GraphTopology> topo, ConstArray<prob_t> out_probs,
                ConstArray<prob_t> in_probs)
      : FollowerGraph(std::move(topo)) {
    const edge_t m = num_edges();
    KOLSIM_REQUIRE(out_probs.size() == m && in_probs.size() == m, "FollowerGraph: expected ", m,
                   " probabilities in each order, got ", out_probs.size(), " and ", in_probs.size());
    auto p = std::make_shared<Probabilities>();
    p->out = std::move(out_probs);
    p->in = std::move(in_probs);
    probs_ = std::move(p);
  }

  /// Number of accounts (vertices).
  vertex_t num_vertices() const noexcept { return static_cast<vertex_t>(topo_->accounts.size()); }
  /// Number of follower edges.
  edge_t num_edges() const noexcept { return topo_->out_targets.size(); }

  edge_t out_degree(vertex_t u) const noexcept { return topo_->out_offsets[u + 1] - topo_->out_offsets[u]; }
  edge_t in_degree(vertex_t v) const noexcept { return topo_->in_offsets[v + 1] - topo_->in_offsets[v]; }

  /// Followers of u (vertices u can influence).
  std::span<const vertex_t> out_neighbors(vertex_t u) const noexcept {
    return {topo_->out_targets.data() + topo_->out_offsets[u], out_degree(u)};
  }
  /// Accounts v follows (vertices that can influence v).
  std::span<const vertex_t> in_neighbors(vertex_t v) const noexcept {
    return {topo_->in_sources.data() + topo_->in_offsets[v], in_degree(v)};
  }
  /// Probabilities of u's out-edges, aligned with out_neighbors(u). Requires has_probabilities().
  std::span<const prob_t> out_probs(vertex_t u) const noexcept {
    return {probs_->out.data() + topo_->out_offsets[u], out_degree(u)};
  }
  /// Probabilities of v's in-edges, aligned with in_neighbors(v). Requires has_probabilities().
  std::span<const prob_t> in_probs(vertex_t v) const noexcept {
    return {probs_->in.data() + topo_->in_offsets[v], in_degree(v)};
  }

  // Raw CSR arrays (read-only; for kernels, bindings and snapshots).
  std::span<const edge_t> out_offsets() const noexcept { return topo_->out_offsets; }
  std::span<const vertex_t> out_targets() const noexcept { return topo_->out_targets; }
  std::span<const edge_t> in_offsets() const noexcept { return topo_->in_offsets; }
  std::span<const vertex_t> in_sources() const noexcept { return topo_->in_sources; }
  std::span<const account_t> accounts() const noexcept { return topo_->accounts; }
  /// Probabilities in out-edge order (empty when none are assigned).
  std::span<const prob_t> edge_probs() const noexcept {
    return probs_ ? probs_->out.span() : std::span<const prob_t>();
  }
  /// Probabilities in in-edge order (empty when none are assigned).
  std::span<const prob_t> in_edge_probs() const noexcept {
    return probs_ ? probs_->in.span() : std::span<const prob_t>();
  }
  const std::shared_ptr<const GraphTopology>& topology() const noexcept { return topo_; }

  /// True once edge probabilities (or LT weights) have been assigned.
  bool has_probabilities() const noexcept { return probs_ != nullptr; }
  /// Throws std::invalid_argument naming `who` when no probabilities are assigned.
  void require_probabilities(const char* who) const {
    KOLSIM_REQUIRE(has_probabilities(), who,
                   ": the graph has no edge probabilities; assign a scheme first "
                   "(weighted_cascade, constant_probability, trivalency, uniform_probability, or a probability column)");
  }

  /// A graph with the same topology and these probabilities (one per edge, out-edge order,
  /// each in [0, 1]). Shares the topology with *this.
  FollowerGraph with_probabilities(std::vector<prob_t> out_probs) const {
    KOLSIM_REQUIRE(out_probs.size() == num_edges(), "with_probabilities: expected ", num_edges(),
                   " probabilities (one per edge), got ", out_probs.size());
    FollowerGraph g(topo_);
    g.set_probabilities(std::move(out_probs));
    return g;
  }

  /// Original account id of dense vertex v.
  account_t account(vertex_t v) const {
    KOLSIM_REQUIRE_INDEX(v < num_vertices(), "vertex index ", v, " out of range (n = ", num_vertices(), ")");
    return topo_->accounts[v];
  }
  /// Dense index of an account, or nullopt when the account is not in the graph.
  std::optional<vertex_t> find(account_t a) const noexcept {
    const auto& acc = topo_->accounts;
    if (acc.empty()) return std::nullopt;
    if (acc.back() == acc.size() - 1) {  // identity ids 0..n-1
      if (a < acc.size()) return static_cast<vertex_t>(a);
      return std::nullopt;
    }
    auto it = std::lower_bound(acc.begin(), acc.end(), a);
    if (it == acc.end() || *it != a) return std::nullopt;
    return static_cast<vertex_t>(it - acc.begin());
  }
  /// Dense index of an account; throws std::out_of_range when it is not in the graph.
  vertex_t index_of(account_t a) const {
    auto v = find(a);
    KOLSIM_REQUIRE_INDEX(v.has_value(), "account ", a, " is not in the graph");
    return *v;
  }
  /// Dense indices of a list of accounts (throws on the first unknown one).
  std::vector<vertex_t> indices_of(std::span<const account_t> as) const {
    std::vector<vertex_t> out;
    out.reserve(as.size());
    for (auto a : as) out.push_back(index_of(a));
    return out;
  }
  /// Account ids of a list of dense vertices.
  std::vector<account_t> accounts_of(std::span<const vertex_t> vs) const {
    std::vector<account_t> out;
    out.reserve(vs.size());
    for (auto v : vs) out.push_back(account(v));
    return out;
  }

  /// Bytes held by the arrays of this graph (topology + probabilities): heap bytes for arrays
  /// it owns, the array size for arrays viewing a snapshot's memory map (file pages in memory).
  std::size_t memory_bytes() const noexcept {
    const auto& t = *topo_;
    auto bytes = [](const auto& a) {
      return a.is_view() ? a.size() * sizeof(*a.data()) : a.owned_bytes();
    };
    std::size_t b = bytes(t.out_offsets) + bytes(t.in_offsets) + bytes(t.out_targets) + bytes(t.in_sources) +
                    bytes(t.accounts);
    if (probs_) b += bytes(probs_->out) + bytes(probs_->in);
    return b;
  }

 private:
  struct Probabilities {
    ConstArray<prob_t> out;
    ConstArray<prob_t> in;
  };

  void set_probabilities(std::vector<prob_t> out) {
    const auto& t = *topo_;
    const edge_t m = num_edges();
    KOLSIM_REQUIRE(out.size() == m, "FollowerGraph: expected ", m, " probabilities, got ", out.size());
    for (edge_t e = 0; e < m; ++e) {
      // NaN fails both comparisons.
      KOLSIM_REQUIRE(out[e] >= 0.0f && out[e] <= 1.0f, "edge probability must be in [0, 1], edge ", e,
                     " has ", out[e]);
    }
    // In-rows list sources ascending and out-rows are visited by ascending source, so filling
    // each in-row by a cursor reproduces the in-edge order without a stored permutation.
    // Parallel edges u -> v keep their relative order in both orders.
    std::vector<prob_t> in(m);
    std::vector<edge_t> cursor(t.in_offsets.begin(), t.in_offsets.end() - 1);
    const vertex_t n = num_vertices();
    for (vertex_t u = 0; u < n; ++u) {
      for (edge_t e = t.out_offsets[u]; e < t.out_offsets[u + 1]; ++e) in[cursor[t.out_targets[e]]++] = out[e];
    }
    auto p = std::make_shared<Probabilities>();
    p->out = std::move(out);
    p->in = std::move(in);
    probs_ = std::move(p);
  }

  std::shared_ptr<const GraphTopology> topo_;
  std::shared_ptr<const Probabilities> probs_;
};

}  // namespace kolsim

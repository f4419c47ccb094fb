// SPDX-License-Identifier: MIT
/// Multi-platform (multiplex) networks: platform layers over one set of people, each person with
/// at most one account per layer, cross-posting between a person's accounts, and the expanded
/// account graph on which cascades, RR sets and selection run.
///
/// Model. Layer l is a FollowerGraph with its own edge probabilities (IC). Person p has zero or
/// one account per layer. When an account (p, l1) becomes active at step t, besides trying each
/// of its followers on l1 as IC does, it cross-posts once to p's account on l2 (if any), which
/// becomes active at step t + 1 with probability c[l1][l2]. This is IC on the expanded graph:
/// vertices are all accounts of all layers (layer l's vertex v is expanded vertex
/// layer_offset(l) + v), edges are the layers' follower edges plus one cross-post edge
/// (p, l1) -> (p, l2) with probability c[l1][l2] for every ordered pair of p's accounts with
/// c[l1][l2] > 0. A person is reached when any of their accounts is; reach counts people once.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// One platform: its name and its follower graph (with IC edge probabilities).
struct MultiplexLayer {
  std::string name;
  FollowerGraph graph;
};

/// One row of the identity table: `person` owns account `account` (an account id of layer
/// `layer`'s graph).
struct IdentityRow {
  account_t person = 0;
  std::uint32_t layer = 0;
  account_t account = 0;
};

/// What to do with an account that no identity row names.
enum class UnlistedAccounts {
  own_person,  ///< it is a person of its own (default; ids after the largest listed person id)
  error,       ///< throw std::invalid_argument naming the account
};

/// Pairwise overlap of the layers' audiences, in people.
struct MultiplexOverlap {
  std::vector<std::uint64_t> people_per_layer;  ///< people with an account on layer l
  /// shared[l1 * L + l2]: people with accounts on both l1 and l2 (diagonal = people_per_layer).
  std::vector<std::uint64_t> shared;
  std::uint64_t people = 0;             ///< all people
  std::uint64_t multi_platform = 0;     ///< people with accounts on two layers or more
};

/// A multiplex network. Immutable once built; copies are cheap (the data is shared).
///
/// People have original ids (account_t, from the identity table) and dense indices 0..P-1
/// (rank of the id). Expanded vertices are dense indices of the expanded graph, whose account
/// ids are the indices themselves (0..N-1); `vertex_of(layer, account)` and `layer_of`/
/// `account_of` translate. Building costs O(P + N + M log) time and one copy of every layer's
/// edges.
class Multiplex {
 public:
  Multiplex() : d_(std::make_shared<Data>()) {}

  /// Builds a multiplex from its layers, the identity table and the cross-posting
  /// probabilities `cross_posting` (L * L values, row-major: [l1 * L + l2] = probability that an
  /// account on l1 that becomes active cross-posts to the same person's account on l2; each in
  /// [0, 1], diagonal 0). Every layer needs edge probabilities. Throws std::invalid_argument for
  /// an unknown layer or account in the identity table, an account listed twice, a person with
  /// two accounts on one layer, an unlisted account under UnlistedAccounts::error, and bad
  /// probabilities; messages name the identity row, the layer and the ids.
  Multiplex(std::vector<MultiplexLayer> layers, std::span<const IdentityRow> identity,
            std::span<const double> cross_posting, UnlistedAccounts unlisted = UnlistedAccounts::own_person)
      : d_(std::make_shared<Data>()) {
    auto holder = std::make_shared<Data>();
    Data& d = *holder;
    KOLSIM_REQUIRE(!layers.empty(), "Multiplex: at least one layer is needed");
    KOLSIM_REQUIRE(layers.size() <= 1024, "Multiplex: at most 1024 layers, got ", layers.size());
    check_cross_posting(layers, cross_posting);
    set_layer_offsets(layers, d);
    index_people(d, owners(layers, identity, d.layer_offset, unlisted));
    check_one_account_per_layer(layers, d);
    build_expanded(layers, cross_posting, d);
    d.cross.assign(cross_posting.begin(), cross_posting.end());
    d.layers = std::move(layers);
    d_ = std::move(holder);
  }

  std::uint32_t num_layers() const noexcept { return static_cast<std::uint32_t>(d_->layers.size()); }
  /// Number of people (P).
  vertex_t num_people() const noexcept { return static_cast<vertex_t>(d_->people.size()); }
  /// Number of accounts over all layers (N = vertices of the expanded graph).
  vertex_t num_accounts() const noexcept { return d_->expanded.num_vertices(); }
  /// Number of cross-post edges of the expanded graph.
  edge_t num_cross_edges() const noexcept { return d_->cross_edges; }

  const MultiplexLayer& layer(std::uint32_t l) const {
    KOLSIM_REQUIRE_INDEX(l < num_layers(), "layer ", l, " out of range (", num_layers(), " layers)");
    return d_->layers[l];
  }
  /// Index of the layer called `name` (std::out_of_range when there is none).
  std::uint32_t layer_named(const std::string& name) const {
    for (std::uint32_t l = 0; l < num_layers(); ++l)
      if (d_->layers[l].name == name) return l;
    KOLSIM_REQUIRE_INDEX(false, "no layer is named '", name, "'");
    return 0;
  }
  /// Cross-posting probability from layer a to layer b.
  double cross_posting(std::uint32_t a, std::uint32_t b) const {
    KOLSIM_REQUIRE_INDEX(a < num_layers() && b < num_layers(), "layer out of range");
    return d_->cross[static_cast<std::size_t>(a) * num_layers() + b];
  }
  /// The expanded account graph (vertex x = account x; IC probabilities on every edge).
  const FollowerGraph& expanded() const noexcept { return d_->expanded; }
  /// First expanded vertex of layer l; layer_offset(L) = N.
  vertex_t layer_offset(std::uint32_t l) const {
    KOLSIM_REQUIRE_INDEX(l <= num_layers(), "layer ", l, " out of range (", num_layers(), " layers)");
    return static_cast<vertex_t>(d_->layer_offset[l]);
  }
  /// Layer of expanded vertex x.
  std::uint32_t layer_of(vertex_t x) const {
    KOLSIM_REQUIRE_INDEX(x < num_accounts(), "account index ", x, " out of range (N = ", num_accounts(), ")");
    return layer_index(d_->layer_offset, x);
  }
  /// Original account id (in its layer's graph) of expanded vertex x.
  account_t account_of(vertex_t x) const {
    const std::uint32_t l = layer_of(x);
    return d_->layers[l].graph.account(x - layer_offset(l));
  }
  /// Expanded vertex of account `account` of layer `l` (std::out_of_range when absent).
  vertex_t vertex_of(std::uint32_t l, account_t account) const {
    const FollowerGraph& g = layer(l).graph;
    const auto v = g.find(account);
    KOLSIM_REQUIRE_INDEX(v.has_value(), "account ", account, " is not in layer '", d_->layers[l].name, "'");
    return layer_offset(l) + *v;
  }
  /// Person ids, ascending (dense person index = position).
  std::span<const account_t> people() const noexcept { return d_->people; }
  /// Dense index of person id `person` (std::out_of_range when unknown).
  vertex_t person_index(account_t person) const {
    const auto& ps = d_->people;
    const auto it = std::lower_bound(ps.begin(), ps.end(), person);
    KOLSIM_REQUIRE_INDEX(it != ps.end() && *it == person, "person ", person, " is not in the multiplex");
    return static_cast<vertex_t>(it - ps.begin());
  }
  /// Dense person index of expanded vertex x.
  vertex_t person_of(vertex_t x) const {
    KOLSIM_REQUIRE_INDEX(x < num_accounts(), "account index ", x, " out of range (N = ", num_accounts(), ")");
    return d_->vertex_person[x];
  }
  /// Person index of every expanded vertex (N entries).
  std::span<const vertex_t> vertex_people() const noexcept { return d_->vertex_person; }
  /// Expanded vertices of person index p, in layer order.
  std::span<const vertex_t> accounts_of_person(vertex_t p) const {
    KOLSIM_REQUIRE_INDEX(p < num_people(), "person index ", p, " out of range (P = ", num_people(), ")");
    return {d_->person_vertices.data() + d_->person_offsets[p],
            static_cast<std::size_t>(d_->person_offsets[p + 1] - d_->person_offsets[p])};
  }
  /// Expanded vertex of person index p on layer l, or no_vertex.
  vertex_t account_on(vertex_t p, std::uint32_t l) const {
    for (vertex_t x : accounts_of_person(p))
      if (layer_index(d_->layer_offset, x) == l) return x;
    return no_vertex;
  }
  /// Expanded vertex of (person id, layer): the seed "this person posts on this platform".
  /// std::out_of_range when the person is unknown or has no account there.
  vertex_t seed_vertex(account_t person, std::uint32_t l) const {
    const vertex_t x = account_on(person_index(person), l);
    KOLSIM_REQUIRE_INDEX(x != no_vertex, "person ", person, " has no account on layer '", layer(l).name, "'");
    return x;
  }

  /// People per layer and pairwise shared audiences.
  MultiplexOverlap overlap() const {
    const std::uint32_t L = num_layers();
    MultiplexOverlap o;
    o.people = num_people();
    o.people_per_layer.assign(L, 0);
    o.shared.assign(static_cast<std::size_t>(L) * L, 0);
    std::vector<std::uint32_t> ls;
    for (vertex_t p = 0; p < num_people(); ++p) {
      ls.clear();
      for (vertex_t x : accounts_of_person(p)) ls.push_back(layer_index(d_->layer_offset, x));
      if (ls.size() >= 2) ++o.multi_platform;
      for (auto a : ls) {
        ++o.people_per_layer[a];
        for (auto b : ls) ++o.shared[static_cast<std::size_t>(a) * L + b];
      }
    }
    return o;
  }

  /// Bytes held (layers are shared with the caller's graphs and not counted).
  std::size_t memory_bytes() const noexcept {
    const Data& d = *d_;
    return d.expanded.memory_bytes() + d.people.capacity() * sizeof(account_t) +
           (d.vertex_person.capacity() + d.person_vertices.capacity()) * sizeof(vertex_t) +
           d.person_offsets.capacity() * sizeof(edge_t);
  }

 private:
  static std::uint32_t layer_index(const std::vector<std::uint64_t>& offsets, std::uint64_t x) noexcept {
    return static_cast<std::uint32_t>(std::upper_bound(offsets.begin(), offsets.end(), x) - offsets.begin() - 1);
  }

  struct Data {
    std::vector<MultiplexLayer> layers;
    std::vector<double> cross;
    std::vector<std::uint64_t> layer_offset{0};
    std::vector<account_t> people;
    std::vector<vertex_t> vertex_person;
    std::vector<edge_t> person_offsets{0};
    std::vector<vertex_t> person_vertices;
    FollowerGraph expanded;
    edge_t cross_edges = 0;
  };
  static constexpr account_t no_person = std::numeric_limits<account_t>::max();

  /// Every cross-posting probability in [0, 1], the diagonal 0 (L x L values, row-major).
  static void check_cross_posting(const std::vector<MultiplexLayer>& layers, std::span<const double> cross_posting) {
    const std::size_t L = layers.size();
    KOLSIM_REQUIRE(cross_posting.size() == L * L, "Multiplex: cross_posting needs ", L * L,
                   " values (layers x layers, row-major), got ", cross_posting.size());
    for (std::size_t a = 0; a < L; ++a) {
      for (std::size_t b = 0; b < L; ++b) {
        const double c = cross_posting[a * L + b];
        KOLSIM_REQUIRE(c >= 0.0 && c <= 1.0, "Multiplex: cross-posting probability from layer '", layers[a].name,
                       "' to '", layers[b].name, "' must be in [0, 1], got ", c);
        KOLSIM_REQUIRE(a != b || c == 0.0, "Multiplex: cross-posting probability from layer '", layers[a].name,
                       "' to itself must be 0, got ", c);
      }
    }
  }

  /// Distinct layer names, probabilities on every layer, d.layer_offset (first expanded vertex
  /// of each layer; the last entry N).
  static void set_layer_offsets(const std::vector<MultiplexLayer>& layers, Data& d) {
    const std::size_t L = layers.size();
    d.layer_offset.assign(L + 1, 0);
    for (std::size_t l = 0; l < L; ++l) {
      const auto& name = layers[l].name;
      for (std::size_t k = 0; k < l; ++k)
        KOLSIM_REQUIRE(layers[k].name != name, "Multiplex: two layers are named '", name, "'");
      layers[l].graph.require_probabilities(("Multiplex layer '" + name + "'").c_str());
      d.layer_offset[l + 1] = d.layer_offset[l] + layers[l].graph.num_vertices();
      KOLSIM_REQUIRE(d.layer_offset[l + 1] <= max_vertices, "Multiplex: more than ", max_vertices, " accounts");
    }
  }

  /// Person id of every expanded vertex: from the identity table, then the unlisted accounts
  /// (a person each, ids after the largest listed one, in expanded order, or an error).
  static std::vector<account_t> owners(const std::vector<MultiplexLayer>& layers, std::span<const IdentityRow> identity,
                                       const std::vector<std::uint64_t>& offset, UnlistedAccounts unlisted) {
    const std::size_t L = layers.size();
    const std::uint64_t N = offset[L];
    std::vector<account_t> owner(N, no_person);
    std::vector<std::size_t> row_of(N, 0);
    account_t top = 0;
    for (std::size_t i = 0; i < identity.size(); ++i) {
      const IdentityRow& r = identity[i];
      KOLSIM_REQUIRE(r.layer < L, "Multiplex: identity row ", i, ": layer ", r.layer, " does not exist (", L,
                     " layers)");
      const auto v = layers[r.layer].graph.find(r.account);
      KOLSIM_REQUIRE(v.has_value(), "Multiplex: identity row ", i, ": account ", r.account, " is not in layer '",
                     layers[r.layer].name, "'");
      KOLSIM_REQUIRE(r.person != no_person, "Multiplex: identity row ", i, ": person id ", no_person, " is reserved");
      const std::uint64_t x = offset[r.layer] + *v;
      KOLSIM_REQUIRE(owner[x] == no_person, "Multiplex: identity row ", i, ": account ", r.account, " of layer '",
                     layers[r.layer].name, "' is already listed (row ", row_of[x], ", person ", owner[x], ")");
      owner[x] = r.person;
      row_of[x] = i;
      top = std::max(top, r.person);
    }
    account_t next = identity.empty() ? 0 : top + 1;
    for (std::uint64_t x = 0; x < N; ++x) {
      if (owner[x] != no_person) continue;
      const auto l = layer_index(offset, x);
      KOLSIM_REQUIRE(unlisted == UnlistedAccounts::own_person, "Multiplex: account ",
                     layers[l].graph.account(static_cast<vertex_t>(x - offset[l])), " of layer '", layers[l].name,
                     "' is not in the identity table");
      KOLSIM_REQUIRE(next != no_person, "Multiplex: person ids overflow");
      owner[x] = next++;
    }
    return owner;
  }

  /// People (distinct ids, sorted; dense index = rank), each vertex's person and each person's
  /// vertices (in increasing order, so in layer order).
  static void index_people(Data& d, const std::vector<account_t>& owner) {
    const std::uint64_t N = owner.size();
    d.people = owner;
    std::sort(d.people.begin(), d.people.end());
    d.people.erase(std::unique(d.people.begin(), d.people.end()), d.people.end());
    KOLSIM_REQUIRE(d.people.size() <= max_vertices, "Multiplex: more than ", max_vertices, " people");
    const auto P = static_cast<vertex_t>(d.people.size());
    d.vertex_person.resize(N);
    d.person_offsets.assign(static_cast<std::size_t>(P) + 1, 0);
    for (std::uint64_t x = 0; x < N; ++x) {
      const auto p = static_cast<vertex_t>(std::lower_bound(d.people.begin(), d.people.end(), owner[x]) - d.people.begin());
      d.vertex_person[x] = p;
      ++d.person_offsets[p + 1];
    }
    for (vertex_t p = 0; p < P; ++p) d.person_offsets[p + 1] += d.person_offsets[p];
    d.person_vertices.resize(N);
    std::vector<edge_t> cursor(d.person_offsets.begin(), d.person_offsets.end() - 1);
    for (std::uint64_t x = 0; x < N; ++x) d.person_vertices[cursor[d.vertex_person[x]]++] = static_cast<vertex_t>(x);
  }

  /// A person's accounts are listed in layer order; two on one layer is an error.
  static void check_one_account_per_layer(const std::vector<MultiplexLayer>& layers, const Data& d) {
    const auto P = static_cast<vertex_t>(d.people.size());
    for (vertex_t p = 0; p < P; ++p) {
      for (edge_t i = d.person_offsets[p] + 1; i < d.person_offsets[p + 1]; ++i) {
        const vertex_t a = d.person_vertices[i - 1], b = d.person_vertices[i];
        const auto la = layer_index(d.layer_offset, a), lb = layer_index(d.layer_offset, b);
        KOLSIM_REQUIRE(la != lb, "Multiplex: person ", d.people[p], " has two accounts on layer '", layers[la].name,
                       "': ", layers[la].graph.account(a - static_cast<vertex_t>(d.layer_offset[la])), " and ",
                       layers[lb].graph.account(b - static_cast<vertex_t>(d.layer_offset[lb])));
      }
    }
  }

  /// The expanded graph. Out-row of x: cross-posts to lower layers, the layer's own row,
  /// cross-posts to higher layers (targets ascending, as the CSR requires).
  static void build_expanded(const std::vector<MultiplexLayer>& layers, std::span<const double> cross_posting, Data& d) {
    const std::size_t L = layers.size();
    const std::uint64_t N = d.layer_offset[L];
    std::vector<edge_t> off(N + 1, 0);
    std::vector<vertex_t> tgt;
    std::vector<prob_t> prob;
    edge_t total = 0;
    for (std::size_t l = 0; l < L; ++l) total += layers[l].graph.num_edges();
    tgt.reserve(total);
    prob.reserve(total);
    for (std::size_t l = 0; l < L; ++l) {
      const FollowerGraph& g = layers[l].graph;
      const auto base = static_cast<vertex_t>(d.layer_offset[l]);
      const auto out_off = g.out_offsets();
      const auto out_tgt = g.out_targets();
      const OutEdgeProbs out_p(g);  // any storage: an implicit layer is not materialised
      for (vertex_t v = 0; v < g.num_vertices(); ++v) {
        const vertex_t x = base + v;
        const vertex_t p = d.vertex_person[x];
        auto cross = [&](bool lower) {
          for (edge_t i = d.person_offsets[p]; i < d.person_offsets[p + 1]; ++i) {
            const vertex_t y = d.person_vertices[i];
            if (y == x || (y < x) != lower) continue;
            const double c = cross_posting[l * L + layer_index(d.layer_offset, y)];
            if (c <= 0.0) continue;
            tgt.push_back(y);
            prob.push_back(static_cast<prob_t>(c));
            ++d.cross_edges;
          }
        };
        cross(true);
        for (edge_t e = out_off[v]; e < out_off[v + 1]; ++e) {
          tgt.push_back(base + out_tgt[e]);
          prob.push_back(out_p(e, out_tgt[e]));
        }
        cross(false);
        off[x + 1] = tgt.size();
      }
    }
    std::vector<account_t> ids(N);
    std::iota(ids.begin(), ids.end(), account_t{0});
    d.expanded = build_graph_from_csr(std::move(ids), std::move(off), std::move(tgt), std::move(prob), 1,
                                      "Multiplex: expanded graph");
  }
  std::shared_ptr<const Data> d_;
};

}  // namespace kolsim

// SPDX-License-Identifier: MIT
/// The immutable follower graph: CSR out- and in-adjacency with per-edge probabilities in both
/// orders and the map between original account ids and dense vertex indices.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "kolsim/core/array.hpp"
#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
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

/// How a graph's edge probabilities are stored. `per_edge`: one value per edge in each order
/// (8 bytes per edge). `weighted_cascade`: p(u, v) = weighted_cascade_probability(indeg(v)),
/// computed from the in-offsets when read (no bytes per edge). `constant`: one value for every
/// edge (no bytes per edge). Every reader sees the same values, bit for bit, whichever storage.
enum class ProbabilityKind : std::uint8_t { per_edge, weighted_cascade, constant };

/// The weighted-cascade probability of an edge into an account with `in_degree` > 0 in-edges,
/// 1 / in_degree as a float: the one definition weighted_cascade stores and the RR sampler
/// recognises (bit for bit) to draw such rows from its binomial table.
inline prob_t weighted_cascade_probability(edge_t in_degree) noexcept {
  return 1.0f / static_cast<prob_t>(in_degree);
}

/// The probabilities of one row (an account's out-edges or in-edges), whatever their storage:
/// a stored array, one value for the whole row (a constant graph; a weighted-cascade in-row), or
/// a weighted-cascade out-row (1 / indeg of each target, read from the in-offsets). A small
/// value type with the read interface of a std::span<const prob_t>: size, operator[], iteration.
class ProbRow {
 public:
  /// `size` values at `data`.
  ProbRow(const prob_t* data, std::size_t size) noexcept : data_(data), size_(size) {}
  /// `size` copies of `value`.
  ProbRow(prob_t value, std::size_t size) noexcept : value_(value), size_(size) {}
  /// Weighted-cascade out-row: edge i goes to targets[i], whose in-degree comes from in_offsets.
  ProbRow(const vertex_t* targets, const edge_t* in_offsets, std::size_t size) noexcept
      : targets_(targets), in_off_(in_offsets), size_(size) {}

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  prob_t operator[](std::size_t i) const noexcept {
    if (data_) return data_[i];
    if (targets_) return weighted_cascade_probability(in_off_[targets_[i] + 1] - in_off_[targets_[i]]);
    return value_;
  }
  /// The stored values, or null when the row is implicit.
  const prob_t* data() const noexcept { return data_; }
  /// True when every value of the row is the same stored-free value (uniform_value()).
  bool is_uniform() const noexcept { return !data_ && !targets_; }
  prob_t uniform_value() const noexcept { return value_; }

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = prob_t;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = prob_t;
    iterator() = default;
    iterator(const ProbRow* row, std::size_t i) : row_(row), i_(i) {}
    prob_t operator*() const noexcept { return (*row_)[i_]; }
    iterator& operator++() noexcept { return ++i_, *this; }
    iterator operator++(int) noexcept { auto t = *this; ++i_; return t; }
    bool operator==(const iterator& o) const noexcept { return i_ == o.i_; }

   private:
    const ProbRow* row_ = nullptr;
    std::size_t i_ = 0;
  };
  iterator begin() const noexcept { return {this, 0}; }
  iterator end() const noexcept { return {this, size_}; }

 private:
  const prob_t* data_ = nullptr;
  const vertex_t* targets_ = nullptr;
  const edge_t* in_off_ = nullptr;
  prob_t value_ = 0.0f;
  std::size_t size_ = 0;
};

/// A follower network. An edge u -> v means "v follows u": influence flows from u to v.
///
/// Immutable once built; copies are cheap (topology and probabilities are shared, and a graph
/// loaded from a snapshot keeps the file's memory map alive in its copies). Edge e is
/// the e-th out-edge in CSR order (sorted by source, then target). Probabilities (IC) or
/// weights (LT) are stored twice, in out-edge order for forward simulation and in in-edge
/// order for reverse (RR) sampling, unless they are implicit (weighted cascade or a constant: see
/// ProbabilityKind), which costs no memory per edge. Build one with the functions in graph/builder.hpp, the
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
  ProbRow out_probs(vertex_t u) const noexcept {
    const auto& p = *probs_;
    const std::size_t d = out_degree(u);
    switch (p.kind) {
      case ProbabilityKind::per_edge: return {p.out.data() + topo_->out_offsets[u], d};
      case ProbabilityKind::constant: return {p.value, d};
      case ProbabilityKind::weighted_cascade: break;
    }
    return {topo_->out_targets.data() + topo_->out_offsets[u], topo_->in_offsets.data(), d};
  }
  /// Probabilities of v's in-edges, aligned with in_neighbors(v). Requires has_probabilities().
  ProbRow in_probs(vertex_t v) const noexcept {
    const auto& p = *probs_;
    const edge_t d = in_degree(v);
    switch (p.kind) {
      case ProbabilityKind::per_edge: return {p.in.data() + topo_->in_offsets[v], d};
      case ProbabilityKind::constant: return {p.value, d};
      case ProbabilityKind::weighted_cascade: break;
    }
    return {d ? weighted_cascade_probability(d) : 0.0f, d};
  }
  /// Probability of out-edge e (CSR order) whose target is `target` (= out_targets()[e]), for
  /// any storage. Requires has_probabilities().
  prob_t out_edge_prob(edge_t e, vertex_t target) const noexcept {
    const auto& p = *probs_;
    if (p.kind == ProbabilityKind::per_edge) return p.out[e];
    if (p.kind == ProbabilityKind::constant) return p.value;
    return weighted_cascade_probability(in_degree(target));
  }
  /// Mean edge probability without building any array; 0 when no probabilities are assigned or
  /// m = 0. Per-edge: the floats summed in double in out-edge order, O(m). Constant: the
  /// constant. Weighted cascade: from the in-degrees, O(n); it equals the explicit twin's mean
  /// to about 1e-15 relative (summation order), not bit for bit.
  double mean_edge_probability() const noexcept {
    if (!probs_ || num_edges() == 0) return 0.0;
    double sum = 0.0;
    const auto& p = *probs_;
    if (p.kind == ProbabilityKind::per_edge) {
      for (prob_t x : p.out) sum += x;
    } else if (p.kind == ProbabilityKind::constant) {
      return static_cast<double>(p.value);
    } else {
      // Weighted cascade, from the in-degrees alone (n reads, not a pass over the m edges of a
      // mapped billion-edge graph): account v's d in-edges carry the float 1/d each, and d times
      // that float is exact in a double for d < 2^29. Equal to the explicit array's mean up to
      // summation order.
      for (vertex_t v = 0; v < num_vertices(); ++v) {
        const edge_t d = in_degree(v);
        if (d > 0) sum += static_cast<double>(d) * static_cast<double>(weighted_cascade_probability(d));
      }
    }
    return sum / static_cast<double>(num_edges());
  }

  // Raw CSR arrays (read-only; for kernels, bindings and snapshots).
  std::span<const edge_t> out_offsets() const noexcept { return topo_->out_offsets; }
  std::span<const vertex_t> out_targets() const noexcept { return topo_->out_targets; }
  std::span<const edge_t> in_offsets() const noexcept { return topo_->in_offsets; }
  std::span<const vertex_t> in_sources() const noexcept { return topo_->in_sources; }
  std::span<const account_t> accounts() const noexcept { return topo_->accounts; }
  /// Probabilities in out-edge order (empty when none are assigned). For implicit kinds the
  /// array is materialised on first use (4 bytes per edge, once per graph and its copies; throws
  /// MemoryLimitError when it does not fit): kernels that stream probabilities read rows with
  /// out_probs(u) / probability_kind() instead; see probabilities_materialised().
  std::span<const prob_t> edge_probs() const {
    if (!probs_) return {};
    if (probs_->kind != ProbabilityKind::per_edge) return materialise(false);
    return probs_->out.span();
  }
  /// Probabilities in in-edge order (empty when none are assigned); materialised on first use
  /// for implicit kinds, as edge_probs().
  std::span<const prob_t> in_edge_probs() const {
    if (!probs_) return {};
    if (probs_->kind != ProbabilityKind::per_edge) return materialise(true);
    return probs_->in.span();
  }
  /// How the probabilities are stored (per_edge when none are assigned).
  ProbabilityKind probability_kind() const noexcept {
    return probs_ ? probs_->kind : ProbabilityKind::per_edge;
  }
  /// True when the probabilities are implicit (weighted cascade or constant: no bytes per edge).
  bool implicit_probabilities() const noexcept {
    return probs_ && probs_->kind != ProbabilityKind::per_edge;
  }
  /// The value of every edge of a constant-probability graph (0 for other kinds).
  prob_t constant_probability_value() const noexcept {
    return probs_ && probs_->kind == ProbabilityKind::constant ? probs_->value : 0.0f;
  }
  /// Number of probability orders (0, 1 or 2) an implicit graph has materialised so far through
  /// edge_probs() / in_edge_probs() (0 for per-edge graphs): lets callers check that a
  /// computation ran without the 4-bytes-per-edge arrays.
  int probabilities_materialised() const noexcept {
    if (!implicit_probabilities()) return 0;
    return (probs_->cache[0].ready.load() ? 1 : 0) + (probs_->cache[1].ready.load() ? 1 : 0);
  }
  /// A graph with the same topology whose probabilities are stored per edge (the same values).
  FollowerGraph with_explicit_probabilities() const {
    if (!implicit_probabilities()) return *this;
    const auto out = edge_probs();
    const auto in = in_edge_probs();
    auto p = std::make_shared<Probabilities>();
    p->out = std::vector<prob_t>(out.begin(), out.end());
    p->in = std::vector<prob_t>(in.begin(), in.end());
    FollowerGraph g(topo_);
    g.probs_ = std::move(p);
    return g;
  }
  /// A graph with the same topology and implicit probabilities: weighted cascade, or every edge
  /// `value` (kind constant; value in [0, 1]). Shares the topology with *this.
  FollowerGraph with_implicit_probabilities(ProbabilityKind kind, prob_t value = 0.0f) const {
    KOLSIM_REQUIRE(kind != ProbabilityKind::per_edge, "with_implicit_probabilities: kind must be implicit");
    KOLSIM_REQUIRE(kind != ProbabilityKind::constant || (value >= 0.0f && value <= 1.0f),
                   "constant probability must be in [0, 1], got ", value);
    auto p = std::make_shared<Probabilities>();
    p->kind = kind;
    p->value = kind == ProbabilityKind::constant ? value : 0.0f;
    FollowerGraph g(topo_);
    g.probs_ = std::move(p);
    return g;
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

  /// Drops the resident pages of the arrays this graph views in a snapshot's memory map (a no-op
  /// for arrays it owns, e.g. a graph not loaded from a snapshot): the graph and every result
  /// computed on it stay the same, the next reads fault the pages back in from the page cache.
  /// Lets a pipeline hold one side of the CSR at a time (RR sampling reads the in-rows, Monte
  /// Carlo the out-rows and the in-offsets). Affects the copies sharing the map too.
  void release_mapped_pages() const noexcept {
    const auto& t = *topo_;
    t.out_offsets.release_pages();
    t.out_targets.release_pages();
    t.in_offsets.release_pages();
    t.in_sources.release_pages();
    t.accounts.release_pages();
    if (probs_) {
      probs_->out.release_pages();
      probs_->in.release_pages();
    }
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
    if (implicit_probabilities())
      for (const auto& c : probs_->cache)
        if (c.ready.load()) b += c.values.capacity() * sizeof(prob_t);
    return b;
  }

 private:
  struct Materialised {
    std::once_flag once;
    std::atomic<bool> ready{false};
    std::vector<prob_t> values;
  };
  struct Probabilities {
    ProbabilityKind kind = ProbabilityKind::per_edge;
    prob_t value = 0.0f;  ///< kind constant: every edge's probability
    ConstArray<prob_t> out;
    ConstArray<prob_t> in;
    mutable Materialised cache[2];  ///< implicit kinds: [0] out-order, [1] in-order, on request
  };

  /// The values of an implicit graph as an array in out-edge (in_order false) or in-edge order,
  /// computed once (thread-safe) and kept with the probabilities.
  std::span<const prob_t> materialise(bool in_order) const {
    auto& c = probs_->cache[in_order ? 1 : 0];
    std::call_once(c.once, [&] {
      const edge_t m = num_edges();
      require_memory("materialised edge probabilities (an implicit kind asked for as an array)",
                     static_cast<double>(m) * sizeof(prob_t));
      std::vector<prob_t> v(m);
      const vertex_t n = num_vertices();
      for (vertex_t u = 0; u < n; ++u) {
        const ProbRow row = in_order ? in_probs(u) : out_probs(u);
        const edge_t at = in_order ? topo_->in_offsets[u] : topo_->out_offsets[u];
        for (std::size_t i = 0; i < row.size(); ++i) v[at + i] = row[i];
      }
      c.values = std::move(v);
      c.ready.store(true);
    });
    return {c.values.data(), c.values.size()};
  }

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

namespace detail {
/// Weighted-cascade graphs with fewer edges than this give the Monte Carlo kernels their
/// out-order probability array (built once per graph on first use, 4 bytes per edge, read
/// sequentially); larger ones are scanned implicitly, 1/in-degree of each target looked up edge
/// by edge: no bytes per edge, but one random in-offset read per examined edge (about 1.8x the
/// fused kernel's CPU time on PL1M). Results are bit-identical either way. Tests set it to 0.
inline edge_t implicit_scan_min_edges = edge_t{1} << 28;
}  // namespace detail

/// The out-order probabilities a Monte Carlo kernel should stream for g, or nullptr when it
/// should read them implicitly (graph.out_edge_prob): per-edge graphs give their array; constant
/// graphs give nullptr (a broadcast is free); weighted-cascade graphs give their array when it is
/// already built or the graph has fewer than detail::implicit_scan_min_edges edges.
inline const prob_t* streamed_out_probabilities(const FollowerGraph& g) {
  if (!g.implicit_probabilities()) return g.edge_probs().data();
  if (g.probability_kind() == ProbabilityKind::weighted_cascade &&
      (g.probabilities_materialised() > 0 || g.num_edges() < detail::implicit_scan_min_edges))
    return g.edge_probs().data();
  return nullptr;
}

}  // namespace kolsim

namespace kolsim {

/// Edge probabilities by edge index, in out-edge or in-edge order, for any storage and without
/// building an array: the stored array of a per-edge graph, else 1 / indeg(target) (weighted
/// cascade) or the constant; the same floats as edge_probs()[e] / in_edge_probs()[j], bit for
/// bit. A small value; valid while the graph lives. Use OutEdgeProbs / InEdgeProbs.
class EdgeProbs {
 public:
  EdgeProbs(const FollowerGraph& g, bool in_order) {
    if (!g.implicit_probabilities()) {
      if (g.has_probabilities()) data_ = in_order ? g.in_edge_probs().data() : g.edge_probs().data();
    } else if (g.probability_kind() == ProbabilityKind::weighted_cascade) {
      in_off_ = g.in_offsets().data();
    } else {
      value_ = g.constant_probability_value();
    }
  }
  /// The probability of edge e (in this order) into account `target` (out-order: out_targets()[e];
  /// in-order: the account whose in-row holds e).
  prob_t operator()(edge_t e, vertex_t target) const noexcept {
    if (data_) return data_[e];
    if (in_off_) return weighted_cascade_probability(in_off_[target + 1] - in_off_[target]);
    return value_;
  }
  /// The stored array (per-edge graphs), or null when the values are computed.
  const prob_t* data() const noexcept { return data_; }

 private:
  const prob_t* data_ = nullptr;
  const edge_t* in_off_ = nullptr;
  prob_t value_ = 0.0f;
};
/// EdgeProbs in out-edge (CSR) order: p(e, out_targets()[e]).
struct OutEdgeProbs : EdgeProbs {
  explicit OutEdgeProbs(const FollowerGraph& g) : EdgeProbs(g, false) {}
};
/// EdgeProbs in in-edge order: p(j, v) for in-edge j of account v.
struct InEdgeProbs : EdgeProbs {
  explicit InEdgeProbs(const FollowerGraph& g) : EdgeProbs(g, true) {}
};

}  // namespace kolsim

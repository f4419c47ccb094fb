// SPDX-License-Identifier: MIT
/// Target audiences: per-account weights and named groups, so a campaign maximises weighted
/// reach (RR roots drawn in proportion to weight) and reports reach per group.
///
/// An Audience holds one weight per vertex (the objective counts a reached account with its
/// weight) and optionally one group per vertex (for the per-group table and minimum-coverage
/// constraints). Accounts in no group carry `other_weight`. read_audience() loads a CSV with
/// columns `account` and `group` and/or `weight`. The builders and the reader bind the audience
/// to the account table of their graph (campaign/graph_binding.hpp); plan_campaign rejects it on
/// any other graph. An audience assembled field by field is unbound and only size-checked.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kolsim/campaign/graph_binding.hpp"
#include "kolsim/core/error.hpp"
#include "kolsim/core/progress.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// Group index of an account in no group.
inline constexpr std::uint32_t no_group = std::numeric_limits<std::uint32_t>::max();

/// How group membership turns into weights.
struct AudienceOptions {
  std::map<std::string, double> group_weights;  ///< weight of each group's members (default 1)
  double other_weight = 1.0;                    ///< weight of accounts in no group (0 = ignore them)
  ProgressFn progress{};  ///< read_audience: ("read", bytes of the file parsed, file bytes)
};

/// Per-vertex weights and groups for one graph.
struct Audience {
  std::vector<double> weights;            ///< one per vertex (empty = every account weighs 1)
  std::vector<std::uint32_t> group_of;    ///< one per vertex, no_group for none (empty = no groups)
  std::vector<std::string> group_names;   ///< group g is group_names[g]
  GraphBinding graph;                     ///< the graph it was joined to (unbound: any of size n)

  bool weighted() const noexcept { return !weights.empty(); }
  bool grouped() const noexcept { return !group_of.empty(); }
  std::size_t num_groups() const noexcept { return group_names.size(); }
  /// Index of a group name, or no_group. O(groups): for many look-ups use group_lookup().
  std::uint32_t group_index(const std::string& name) const {
    for (std::size_t g = 0; g < group_names.size(); ++g)
      if (group_names[g] == name) return static_cast<std::uint32_t>(g);
    return no_group;
  }
  /// Group name -> index for every group, O(groups) to build, O(1) per look-up.
  std::unordered_map<std::string, std::uint32_t> group_lookup() const {
    std::unordered_map<std::string, std::uint32_t> m;
    m.reserve(group_names.size());
    for (std::size_t g = 0; g < group_names.size(); ++g) m.emplace(group_names[g], static_cast<std::uint32_t>(g));
    return m;
  }
  /// Index of group `name`, appending it when new (first-seen order). `lookup` must be
  /// group_lookup() of this audience, kept current by this function. O(1).
  std::uint32_t intern_group(const std::string& name, std::unordered_map<std::string, std::uint32_t>& lookup) {
    const auto [it, added] = lookup.emplace(name, static_cast<std::uint32_t>(group_names.size()));
    if (added) {
      KOLSIM_REQUIRE(group_names.size() < no_group, "Audience: too many groups");
      group_names.push_back(name);
    }
    return it->second;
  }
  /// Weight of vertex v (1 when unweighted).
  double weight(vertex_t v) const noexcept { return weights.empty() ? 1.0 : weights[v]; }

  /// Checks sizes and values against a graph of n vertices (std::invalid_argument).
  void validate(vertex_t n) const {
    KOLSIM_REQUIRE(weights.empty() || weights.size() == n, "Audience: expected ", n, " weights, got ", weights.size());
    KOLSIM_REQUIRE(group_of.empty() || group_of.size() == n, "Audience: expected ", n, " group entries, got ",
                   group_of.size());
    double total = 0.0;
    for (std::size_t v = 0; v < weights.size(); ++v) {
      KOLSIM_REQUIRE(std::isfinite(weights[v]) && weights[v] >= 0.0, "Audience: weight of vertex ", v,
                     " must be finite and >= 0, got ", weights[v]);
      total += weights[v];
    }
    KOLSIM_REQUIRE(weights.empty() || total > 0.0, "Audience: all weights are 0");
    for (auto g : group_of)
      KOLSIM_REQUIRE(g == no_group || g < group_names.size(), "Audience: group index ", g, " out of range");
  }

  /// Checks that g is the graph this audience was joined to (when bound) and validate(n):
  /// std::invalid_argument naming `who` and both graphs' sizes and fingerprints.
  void require_graph(const FollowerGraph& g, const char* who) const {
    graph.require(g, who, "audience");
    validate(g.num_vertices());
  }

  /// Audience from explicit weights of listed accounts; unlisted accounts weigh `other_weight`.
  static Audience from_weights(const FollowerGraph& g, std::span<const account_t> accounts,
                               std::span<const double> weights, double other_weight = 1.0) {
    KOLSIM_REQUIRE(accounts.size() == weights.size(), "Audience.from_weights: ", accounts.size(), " accounts but ",
                   weights.size(), " weights");
    KOLSIM_REQUIRE(std::isfinite(other_weight) && other_weight >= 0.0, "Audience: other_weight must be >= 0");
    Audience a;
    a.weights.assign(g.num_vertices(), other_weight);
    std::vector<char> seen(g.num_vertices(), 0);
    for (std::size_t i = 0; i < accounts.size(); ++i) {
      const vertex_t v = g.index_of(accounts[i]);
      KOLSIM_REQUIRE(!seen[v], "Audience.from_weights: duplicate account ", accounts[i], " (row ", i, ")");
      KOLSIM_REQUIRE(std::isfinite(weights[i]) && weights[i] >= 0.0, "Audience.from_weights: row ", i,
                     ": weight must be finite and >= 0, got ", weights[i]);
      seen[v] = 1;
      a.weights[v] = weights[i];
    }
    a.validate(g.num_vertices());
    a.graph = GraphBinding(g);
    return a;
  }

  /// Audience from group membership of listed accounts (group names in first-seen order);
  /// weights follow opt.group_weights (default 1 per group) and opt.other_weight. When every
  /// weight is 1 the audience stays unweighted (groups only shape the report).
  static Audience from_groups(const FollowerGraph& g, std::span<const account_t> accounts,
                              std::span<const std::string> groups, const AudienceOptions& opt = {}) {
    KOLSIM_REQUIRE(accounts.size() == groups.size(), "Audience.from_groups: ", accounts.size(), " accounts but ",
                   groups.size(), " groups");
    Audience a;
    a.group_of.assign(g.num_vertices(), no_group);
    std::unordered_map<std::string, std::uint32_t> lookup;
    for (std::size_t i = 0; i < accounts.size(); ++i) {
      const vertex_t v = g.index_of(accounts[i]);
      KOLSIM_REQUIRE(a.group_of[v] == no_group, "Audience.from_groups: duplicate account ", accounts[i], " (row ", i,
                     ")");
      KOLSIM_REQUIRE(!groups[i].empty(), "Audience.from_groups: row ", i, ": empty group name");
      a.group_of[v] = a.intern_group(groups[i], lookup);
    }
    a.apply_group_weights(opt);
    a.graph = GraphBinding(g);
    return a;
  }

  /// Sets weights from group membership (see from_groups).
  void apply_group_weights(const AudienceOptions& opt) {
    KOLSIM_REQUIRE(std::isfinite(opt.other_weight) && opt.other_weight >= 0.0,
                   "Audience: other_weight must be finite and >= 0, got ", opt.other_weight);
    std::vector<double> gw(group_names.size(), 1.0);
    const auto lookup = opt.group_weights.empty() ? std::unordered_map<std::string, std::uint32_t>{} : group_lookup();
    for (const auto& [name, w] : opt.group_weights) {
      const auto it = lookup.find(name);
      KOLSIM_REQUIRE(it != lookup.end(), "Audience: group_weights names unknown group '", name, "'");
      const std::uint32_t gi = it->second;
      KOLSIM_REQUIRE(std::isfinite(w) && w >= 0.0, "Audience: weight of group '", name, "' must be >= 0, got ", w);
      gw[gi] = w;
    }
    bool all_one = opt.other_weight == 1.0;
    for (double w : gw) all_one = all_one && w == 1.0;
    weights.clear();
    if (!all_one) {
      weights.resize(group_of.size());
      for (std::size_t v = 0; v < group_of.size(); ++v)
        weights[v] = group_of[v] == no_group ? opt.other_weight : gw[group_of[v]];
    }
    validate(static_cast<vertex_t>(group_of.size()));
  }
};

/// Loads an audience CSV with a header: `account` (required) and `group` and/or `weight`.
/// With a group column, weights come from `opt` unless a weight column is present too (then a
/// row's weight is its own). Throws IoError / ParseError "file:line: ..." like read_roster.
Audience read_audience(const std::string& csv_path, const FollowerGraph& g, const AudienceOptions& opt = {});

}  // namespace kolsim

// SPDX-License-Identifier: MIT
/// Target audiences: per-account weights and named groups, so a campaign maximises weighted
/// reach (RR roots drawn in proportion to weight) and reports reach per group.
///
/// An Audience holds one weight per vertex (the objective counts a reached account with its
/// weight) and optionally one group per vertex (for the per-group table and minimum-coverage
/// constraints). Accounts in no group carry `other_weight`. read_audience() loads a CSV with
/// columns `account` and `group` and/or `weight`.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// Group index of an account in no group.
inline constexpr std::uint32_t no_group = std::numeric_limits<std::uint32_t>::max();

/// How group membership turns into weights.
struct AudienceOptions {
  std::map<std::string, double> group_weights;  ///< weight of each group's members (default 1)
  double other_weight = 1.0;                    ///< weight of accounts in no group (0 = ignore them)
};

/// Per-vertex weights and groups for one graph.
struct Audience {
  std::vector<double> weights;            ///< one per vertex (empty = every account weighs 1)
  std::vector<std::uint32_t> group_of;    ///< one per vertex, no_group for none (empty = no groups)
  std::vector<std::string> group_names;   ///< group g is group_names[g]

  bool weighted() const noexcept { return !weights.empty(); }
  bool grouped() const noexcept { return !group_of.empty(); }
  std::size_t num_groups() const noexcept { return group_names.size(); }
  /// Index of a group name, or no_group.
  std::uint32_t group_index(const std::string& name) const {
    for (std::size_t g = 0; g < group_names.size(); ++g)
      if (group_names[g] == name) return static_cast<std::uint32_t>(g);
    return no_group;
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
    for (std::size_t i = 0; i < accounts.size(); ++i) {
      const vertex_t v = g.index_of(accounts[i]);
      KOLSIM_REQUIRE(a.group_of[v] == no_group, "Audience.from_groups: duplicate account ", accounts[i], " (row ", i,
                     ")");
      KOLSIM_REQUIRE(!groups[i].empty(), "Audience.from_groups: row ", i, ": empty group name");
      std::uint32_t gi = a.group_index(groups[i]);
      if (gi == no_group) {
        gi = static_cast<std::uint32_t>(a.group_names.size());
        a.group_names.push_back(groups[i]);
      }
      a.group_of[v] = gi;
    }
    a.apply_group_weights(opt);
    return a;
  }

  /// Sets weights from group membership (see from_groups).
  void apply_group_weights(const AudienceOptions& opt) {
    KOLSIM_REQUIRE(std::isfinite(opt.other_weight) && opt.other_weight >= 0.0,
                   "Audience: other_weight must be finite and >= 0, got ", opt.other_weight);
    std::vector<double> gw(group_names.size(), 1.0);
    for (const auto& [name, w] : opt.group_weights) {
      const std::uint32_t gi = group_index(name);
      KOLSIM_REQUIRE(gi != no_group, "Audience: group_weights names unknown group '", name, "'");
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

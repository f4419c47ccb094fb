// SPDX-License-Identifier: MIT
/// The KOL roster: candidate accounts with fee, scandal risk, platform and tags, joined to a graph.
///
/// A roster names who may be hired. read_roster() loads a CSV with a header row: columns
/// `account` (required, an account id of the graph), `fee` (required, finite, >= 0), `risk`
/// (optional, in [0, 1], default 0), `platform` (optional) and `tags` (optional, ';'-separated);
/// other columns are ignored. Bad rows throw ParseError "file:line: message" (unknown account,
/// duplicate row, bad or negative fee, risk outside [0, 1], a number outside the decimal grammar,
/// invalid UTF-8, missing column, no rows). Accounts not on the roster are not candidates unless
/// RosterOptions::include_non_roster says so. A roster is bound to the account table of the graph
/// it was joined to (campaign/graph_binding.hpp); plan_campaign rejects it on any other graph.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kolsim/campaign/graph_binding.hpp"
#include "kolsim/core/error.hpp"
#include "kolsim/core/progress.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// One KOL on the roster.
struct RosterEntry {
  account_t account = 0;  ///< original account id
  vertex_t vertex = 0;    ///< dense index in the graph the roster was joined to
  double fee = 0.0;       ///< cost of one campaign post (any currency), finite and >= 0
  double risk = 0.0;      ///< scandal risk in [0, 1]: the KOL fails to post with this probability
  std::string platform;
  std::vector<std::string> tags;
};

/// How a roster treats accounts that are not on it.
struct RosterOptions {
  bool include_non_roster = false;  ///< every other account is a candidate too
  double non_roster_fee = 0.0;      ///< fee of such accounts (finite, >= 0)
  double non_roster_risk = 0.0;     ///< risk of such accounts ([0, 1])
  /// read_roster: ("read", bytes of the file parsed, file bytes), from the caller's thread; the
  /// Roster itself does not keep it.
  ProgressFn progress{};
};

namespace detail {
/// Empty when (fee, risk) are valid, else the reason.
inline std::string roster_value_problem(double fee, double risk) {
  if (std::isnan(fee)) return "fee is NaN";
  if (!std::isfinite(fee)) return "fee must be finite";
  if (fee < 0.0) return concat("fee must be >= 0, got ", fee);
  if (std::isnan(risk)) return "risk is NaN";
  if (!(risk >= 0.0 && risk <= 1.0)) return concat("risk must be in [0, 1], got ", risk);
  return {};
}
}  // namespace detail

/// Candidate KOLs joined to one graph (n vertices). Cheap lookups by dense vertex.
class Roster {
 public:
  Roster() = default;

  /// An empty roster joined to g (add entries with add()).
  Roster(const FollowerGraph& g, const RosterOptions& opt)
      : n_(g.num_vertices()), opt_(opt), slot_(n_, -1), graph_(g) {
    const std::string p = detail::roster_value_problem(opt.non_roster_fee, opt.non_roster_risk);
    KOLSIM_REQUIRE(p.empty(), "RosterOptions: non_roster_", p);
  }

  /// Builds a roster from parallel arrays (one row per KOL). `risks`, `platforms` and `tags`
  /// may be empty (risk 0, no platform, no tags). Throws std::out_of_range for an account not
  /// in g and std::invalid_argument for duplicates or bad values, naming the row, and for no rows
  /// at all unless opt.include_non_roster (an empty roster would silently plan nothing).
  static Roster from_arrays(const FollowerGraph& g, std::span<const account_t> accounts, std::span<const double> fees,
                            std::span<const double> risks = {}, std::span<const std::string> platforms = {},
                            std::span<const std::vector<std::string>> tags = {}, const RosterOptions& opt = {}) {
    const std::size_t r = accounts.size();
    KOLSIM_REQUIRE(fees.size() == r, "Roster.from_arrays: ", r, " accounts but ", fees.size(), " fees");
    KOLSIM_REQUIRE(risks.empty() || risks.size() == r, "Roster.from_arrays: ", r, " accounts but ", risks.size(),
                   " risks");
    KOLSIM_REQUIRE(platforms.empty() || platforms.size() == r, "Roster.from_arrays: ", r, " accounts but ",
                   platforms.size(), " platforms");
    KOLSIM_REQUIRE(tags.empty() || tags.size() == r, "Roster.from_arrays: ", r, " accounts but ", tags.size(),
                   " tag lists");
    KOLSIM_REQUIRE(r > 0 || opt.include_non_roster,
                   "Roster.from_arrays: the roster has no rows (no candidate KOLs); set include_non_roster to make "
                   "every account a candidate");
    Roster ro(g, opt);
    for (std::size_t i = 0; i < r; ++i) {
      RosterEntry e;
      e.account = accounts[i];
      auto v = g.find(e.account);
      KOLSIM_REQUIRE_INDEX(v.has_value(), "roster row ", i, ": account ", e.account, " is not in the graph");
      e.vertex = *v;
      e.fee = fees[i];
      e.risk = risks.empty() ? 0.0 : risks[i];
      if (!platforms.empty()) e.platform = platforms[i];
      if (!tags.empty()) e.tags = tags[i];
      const std::string p = detail::roster_value_problem(e.fee, e.risk);
      KOLSIM_REQUIRE(p.empty(), "roster row ", i, " (account ", e.account, "): ", p);
      KOLSIM_REQUIRE(ro.slot_[e.vertex] < 0, "roster row ", i, ": duplicate account ", e.account, " (first at row ",
                     ro.slot_[e.vertex], ")");
      ro.add(std::move(e));
    }
    return ro;
  }

  /// Appends an entry whose vertex is valid and not yet on the roster (unchecked values; the
  /// public builders check them).
  void add(RosterEntry e) {
    KOLSIM_REQUIRE_INDEX(e.vertex < n_, "roster: vertex ", e.vertex, " out of range (n = ", n_, ")");
    KOLSIM_REQUIRE(slot_[e.vertex] < 0, "roster: duplicate account ", e.account);
    slot_[e.vertex] = static_cast<std::int64_t>(entries_.size());
    entries_.push_back(std::move(e));
  }

  /// Number of KOLs on the roster.
  std::size_t size() const noexcept { return entries_.size(); }
  const std::vector<RosterEntry>& entries() const noexcept { return entries_; }
  const RosterEntry& operator[](std::size_t i) const { return entries_.at(i); }
  /// Vertices of the graph this roster was joined to.
  vertex_t num_vertices() const noexcept { return n_; }
  const RosterOptions& options() const noexcept { return opt_; }
  /// The account table this roster was joined to.
  const GraphBinding& graph() const noexcept { return graph_; }
  /// Throws std::invalid_argument naming `who` unless g is the graph this roster was joined to
  /// (same account table; see GraphBinding).
  void require_graph(const FollowerGraph& g, const char* who) const {
    KOLSIM_REQUIRE(graph_.bound(), who, ": the roster is not joined to a graph (build it with read_roster or "
                   "Roster::from_arrays)");
    graph_.require(g, who, "roster");
  }

  /// Position of vertex v on the roster, or -1.
  std::int64_t find(vertex_t v) const noexcept { return v < n_ ? slot_[v] : -1; }
  /// True when v may be hired (on the roster, or include_non_roster).
  bool is_candidate(vertex_t v) const noexcept { return v < n_ && (slot_[v] >= 0 || opt_.include_non_roster); }
  /// Fee of candidate v (the roster fee, or non_roster_fee).
  double fee(vertex_t v) const noexcept { return slot_[v] >= 0 ? entries_[slot_[v]].fee : opt_.non_roster_fee; }
  /// Risk of candidate v (the roster risk, or non_roster_risk).
  double risk(vertex_t v) const noexcept { return slot_[v] >= 0 ? entries_[slot_[v]].risk : opt_.non_roster_risk; }
  /// Number of candidates.
  std::size_t num_candidates() const noexcept { return opt_.include_non_roster ? n_ : entries_.size(); }

 private:
  vertex_t n_ = 0;
  RosterOptions opt_;
  std::vector<std::int64_t> slot_;
  std::vector<RosterEntry> entries_;
  GraphBinding graph_;
};

/// Loads a roster CSV (see the file comment for the columns) and joins it to g. Blank lines and
/// lines starting with '#' are skipped; fields may be double-quoted ("" escapes a quote).
/// Throws IoError when the file cannot be read and ParseError "file:line: ..." for bad content
/// (a file with a header and no rows is an error unless options.include_non_roster).
Roster read_roster(const std::string& csv_path, const FollowerGraph& g, const RosterOptions& options = {});

}  // namespace kolsim

// SPDX-License-Identifier: MIT
/// CSV readers of the campaign layer: KOL rosters and target audiences, with file:line errors.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "kolsim/campaign/audience.hpp"
#include "kolsim/campaign/roster.hpp"
#include "kolsim/core/error.hpp"

namespace kolsim {
namespace {

/// One CSV file read line by line, with the header mapped to column positions.
class CsvReader {
 public:
  explicit CsvReader(const std::string& path) : path_(path), in_(path, std::ios::binary) {
    if (!in_) throw IoError(detail::concat("cannot open ", path, ": ", std::strerror(errno)));
  }
  const std::string& path() const { return path_; }
  std::uint64_t line() const { return line_; }

  /// Next data row (skipping blank and '#' lines); false at end of file.
  bool next(std::vector<std::string>& fields) {
    std::string s;
    while (std::getline(in_, s)) {
      ++line_;
      if (!s.empty() && s.back() == '\r') s.pop_back();
      std::size_t i = 0;
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
      if (i == s.size() || s[i] == '#') continue;
      split(s, fields);
      return true;
    }
    if (in_.bad()) throw IoError(detail::concat("error reading ", path_));
    return false;
  }

  [[noreturn]] void fail(const std::string& msg) const { throw ParseError(path_, line_, msg); }

  /// Reads the header; returns column name -> position (names trimmed and lower-cased).
  std::map<std::string, std::size_t> header() {
    std::vector<std::string> f;
    if (!next(f)) throw ParseError(path_, 0, "empty file: expected a header row");
    std::map<std::string, std::size_t> cols;
    for (std::size_t i = 0; i < f.size(); ++i) {
      std::string name = f[i];
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      if (name.empty()) continue;
      if (!cols.emplace(name, i).second) fail(detail::concat("duplicate column '", name, "' in the header"));
    }
    width_ = f.size();
    return cols;
  }
  std::size_t width() const { return width_; }

 private:
  void split(const std::string& s, std::vector<std::string>& out) {
    out.clear();
    std::string cur;
    bool quoted = false, was_quoted = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (quoted) {
        if (c == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            cur.push_back('"');
            ++i;
          } else {
            quoted = false;
          }
        } else {
          cur.push_back(c);
        }
      } else if (c == '"' && trim(cur).empty()) {
        cur.clear();
        quoted = was_quoted = true;
      } else if (c == ',') {
        out.push_back(was_quoted ? cur : trim(cur));
        cur.clear();
        was_quoted = false;
      } else {
        cur.push_back(c);
      }
    }
    if (quoted) fail("unterminated quoted field");
    out.push_back(was_quoted ? cur : trim(cur));
  }
  static std::string trim(const std::string& s) {
    std::size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
    return s.substr(a, b - a);
  }

  std::string path_;
  std::ifstream in_;
  std::uint64_t line_ = 0;
  std::size_t width_ = 0;
};

account_t parse_account(const CsvReader& r, const std::string& s) {
  account_t a = 0;
  const char* b = s.data();
  const char* e = b + s.size();
  if (s.empty()) r.fail("empty account id");
  auto [p, ec] = std::from_chars(b, e, a);
  if (ec == std::errc::result_out_of_range) r.fail(detail::concat("account id '", s, "' is too large"));
  if (ec != std::errc() || p != e) r.fail(detail::concat("account id '", s, "' is not a non-negative integer"));
  return a;
}

double parse_number(const CsvReader& r, const std::string& s, const char* what) {
  if (s.empty()) r.fail(detail::concat("empty ", what));
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) r.fail(detail::concat(what, " '", s, "' is not a number"));
  if (std::isnan(x)) r.fail(detail::concat(what, " is NaN"));
  if (!std::isfinite(x)) r.fail(detail::concat(what, " '", s, "' is not finite"));
  return x;
}

std::vector<std::string> split_tags(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    std::size_t a = 0, b = cur.size();
    while (a < b && std::isspace(static_cast<unsigned char>(cur[a]))) ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(cur[b - 1]))) --b;
    if (b > a) out.push_back(cur.substr(a, b - a));
    cur.clear();
  };
  for (char c : s) {
    if (c == ';') flush();
    else cur.push_back(c);
  }
  flush();
  return out;
}

const std::string& field(const CsvReader& r, const std::vector<std::string>& f, std::size_t col, const char* name) {
  if (col >= f.size())
    r.fail(detail::concat("expected ", r.width(), " fields, got ", f.size(), " (no value for column '", name, "')"));
  return f[col];
}

}  // namespace

Roster read_roster(const std::string& csv_path, const FollowerGraph& g, const RosterOptions& options) {
  CsvReader r(csv_path);
  const auto cols = r.header();
  auto col = [&](const char* name) { auto it = cols.find(name); return it == cols.end() ? SIZE_MAX : it->second; };
  const std::size_t c_acc = col("account"), c_fee = col("fee"), c_risk = col("risk"), c_plat = col("platform"),
                    c_tags = col("tags");
  if (c_acc == SIZE_MAX) r.fail("missing required column 'account' in the header");
  if (c_fee == SIZE_MAX) r.fail("missing required column 'fee' in the header");
  Roster ro(g, options);
  std::vector<std::uint64_t> first_line(g.num_vertices(), 0);
  std::vector<std::string> f;
  while (r.next(f)) {
    if (f.size() != r.width()) r.fail(detail::concat("expected ", r.width(), " fields, got ", f.size()));
    RosterEntry e;
    e.account = parse_account(r, field(r, f, c_acc, "account"));
    const auto v = g.find(e.account);
    if (!v) r.fail(detail::concat("account ", e.account, " is not in the graph"));
    e.vertex = *v;
    if (first_line[e.vertex] != 0)
      r.fail(detail::concat("duplicate account ", e.account, " (first listed on line ", first_line[e.vertex], ")"));
    e.fee = parse_number(r, field(r, f, c_fee, "fee"), "fee");
    if (c_risk != SIZE_MAX && !field(r, f, c_risk, "risk").empty()) e.risk = parse_number(r, f[c_risk], "risk");
    const std::string problem = detail::roster_value_problem(e.fee, e.risk);
    if (!problem.empty()) r.fail(detail::concat("account ", e.account, ": ", problem));
    if (c_plat != SIZE_MAX) e.platform = field(r, f, c_plat, "platform");
    if (c_tags != SIZE_MAX) e.tags = split_tags(field(r, f, c_tags, "tags"));
    first_line[e.vertex] = r.line();
    ro.add(std::move(e));
  }
  return ro;
}

Audience read_audience(const std::string& csv_path, const FollowerGraph& g, const AudienceOptions& opt) {
  CsvReader r(csv_path);
  const auto cols = r.header();
  auto col = [&](const char* name) { auto it = cols.find(name); return it == cols.end() ? SIZE_MAX : it->second; };
  const std::size_t c_acc = col("account"), c_group = col("group"), c_w = col("weight");
  if (c_acc == SIZE_MAX) r.fail("missing required column 'account' in the header");
  if (c_group == SIZE_MAX && c_w == SIZE_MAX) r.fail("the header needs a 'group' or a 'weight' column");
  Audience a;
  const vertex_t n = g.num_vertices();
  std::vector<std::uint64_t> first_line(n, 0);
  std::vector<double> row_weight;
  std::unordered_map<std::string, std::uint32_t> group_lookup;
  if (c_group != SIZE_MAX) a.group_of.assign(n, no_group);
  if (c_w != SIZE_MAX) row_weight.assign(n, std::nan(""));
  std::vector<std::string> f;
  while (r.next(f)) {
    if (f.size() != r.width()) r.fail(detail::concat("expected ", r.width(), " fields, got ", f.size()));
    const account_t acc = parse_account(r, field(r, f, c_acc, "account"));
    const auto v = g.find(acc);
    if (!v) r.fail(detail::concat("account ", acc, " is not in the graph"));
    if (first_line[*v] != 0)
      r.fail(detail::concat("duplicate account ", acc, " (first listed on line ", first_line[*v], ")"));
    first_line[*v] = r.line();
    if (c_group != SIZE_MAX) {
      const std::string& name = field(r, f, c_group, "group");
      if (name.empty()) r.fail("empty group name");
      a.group_of[*v] = a.intern_group(name, group_lookup);
    }
    if (c_w != SIZE_MAX) {
      const double w = parse_number(r, field(r, f, c_w, "weight"), "weight");
      if (w < 0.0) r.fail(detail::concat("weight must be >= 0, got ", w));
      row_weight[*v] = w;
    }
  }
  if (c_group != SIZE_MAX) a.apply_group_weights(opt);
  if (c_w != SIZE_MAX) {
    // Rows without a weight keep their group weight (all 1 when apply_group_weights left the
    // audience unweighted), or other_weight when there is no group column.
    if (a.weights.empty()) a.weights.assign(n, c_group == SIZE_MAX ? opt.other_weight : 1.0);
    for (vertex_t v = 0; v < n; ++v)
      if (!std::isnan(row_weight[v])) a.weights[v] = row_weight[v];
  }
  try {
    a.validate(n);
  } catch (const std::invalid_argument& e) {
    throw ParseError(csv_path, 0, e.what());
  }
  a.graph = GraphBinding(g);
  return a;
}

}  // namespace kolsim

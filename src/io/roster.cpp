// SPDX-License-Identifier: MIT
/// CSV readers of the campaign layer: KOL rosters and target audiences, with file:line errors.
///
/// Both readers share one row reader: the text is split into lines by the shared LineSplitter
/// (LF, CRLF, lone CR; a UTF-8 byte-order mark is dropped), each line into fields by the shared
/// CSV tokeniser (with double quotes, text_fields.hpp), and every field of every row passes one check (well-formed UTF-8, no control
/// characters) before any column reads it, so nothing malformed reaches a report or a run record.
/// Numbers use the one grammar of every kolsim reader (text_fields.hpp: decimal only, no hex,
/// inf or nan); a field quoted in a message is escaped (quote_token), so a message is always
/// valid UTF-8 and never cut short by a NUL.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kolsim/campaign/audience.hpp"
#include "kolsim/campaign/multiplex_plan.hpp"
#include "kolsim/campaign/roster.hpp"
#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "text_fields.hpp"

namespace kolsim {
namespace {

using detail::quote_token;

/// The whole of a (small) text file; IoError when it cannot be read.
std::string slurp(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(detail::concat("cannot open ", path, ": ", std::strerror(errno)));
  std::error_code ec;
  const auto size = std::filesystem::is_regular_file(path, ec) ? std::filesystem::file_size(path, ec) : 0;
  if (!ec && size > 0) require_memory(detail::concat(what, " ", path), static_cast<double>(size));
  std::ostringstream os;
  os << in.rdbuf();
  if (in.bad()) throw IoError(detail::concat("error reading ", path));
  return std::move(os).str();
}

/// One CSV file read row by row, with the header mapped to column positions. Every field of
/// every row (header included) is checked by check_text before it is returned.
class CsvReader {
 public:
  CsvReader(const std::string& path, const char* what)
      : path_(path), text_(slurp(path, what)), lines_(detail::strip_bom(text_)) {}
  const std::string& path() const { return path_; }
  std::uint64_t line() const { return lines_.line_number(); }
  /// Bytes of the file parsed so far (through the end of the last row returned) and in all.
  std::uint64_t bytes_read() const { return read_; }
  std::uint64_t bytes_total() const { return text_.size(); }

  /// ("read", bytes_read, bytes_total): at the first call, then every 64 KiB of text, and at
  /// the end (`done`: every byte read).
  void report(const ProgressFn& progress, bool done = false) {
    if (!progress) return;
    if (done) read_ = text_.size();
    if (started_ && !done && read_ < reported_ + (std::uint64_t{1} << 16)) return;
    started_ = true;
    reported_ = read_;
    report_progress(progress, "read", read_, text_.size());
  }

  /// Next data row (skipping blank and '#' lines); false at end of file.
  bool next(std::vector<std::string>& fields) {
    std::string_view s;
    while (lines_.next(s)) {
      read_ = static_cast<std::uint64_t>(s.data() + s.size() - text_.data());
      std::size_t i = 0;
      while (i < s.size() && detail::is_field_blank(s[i])) ++i;
      if (i == s.size() || s[i] == '#') continue;
      split(s, fields);
      for (std::size_t f = 0; f < fields.size(); ++f) check_text(fields[f], f);
      return true;
    }
    return false;
  }

  [[noreturn]] void fail(const std::string& msg) const { throw ParseError(path_, line(), msg); }

  /// Reads the header; returns column name -> position (names trimmed and lower-cased).
  std::map<std::string, std::size_t> header() {
    std::vector<std::string> f;
    if (!next(f)) throw ParseError(path_, 0, "empty file: expected a header row");
    header_line_ = line();
    std::map<std::string, std::size_t> cols;
    for (std::size_t i = 0; i < f.size(); ++i) {
      std::string name = f[i];
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return c < 0x80 ? static_cast<char>(std::tolower(c)) : c; });
      if (name.empty()) continue;
      if (!cols.emplace(name, i).second) fail(detail::concat("duplicate column ", quote_token(name), " in the header"));
    }
    names_ = std::move(f);
    return cols;
  }
  std::size_t width() const { return names_.size(); }
  std::uint64_t header_line() const { return header_line_; }

 private:
  /// The name of column `col` for a message: the header's name, or its position before the header.
  std::string column_name(std::size_t col) const {
    if (col < names_.size() && !names_[col].empty()) return detail::concat("column ", quote_token(names_[col]));
    return detail::concat("field ", col + 1);
  }

  /// Every field is well-formed UTF-8 without control characters (tab aside).
  void check_text(const std::string& s, std::size_t col) const {
    const std::size_t bad = detail::first_invalid_utf8(s);
    if (bad != s.size())
      fail(detail::concat(column_name(col), ": invalid UTF-8 at byte ", bad + 1, " of ", quote_token(s),
                          " (the file must be UTF-8 text)"));
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f)
        fail(detail::concat(column_name(col), ": control character ", quote_token(std::string_view(&c, 1)), " in ",
                            quote_token(s)));
    }
  }

  /// Fields of one line through the shared CSV tokeniser (quoted fields may hold commas).
  void split(std::string_view s, std::vector<std::string>& out) {
    out.clear();
    const detail::CsvStatus st = detail::for_each_quoted_csv_field(s, scratch_, [&](std::size_t, std::string_view f) {
      out.emplace_back(f);
      return true;
    });
    if (st == detail::CsvStatus::unterminated_quote) fail("unterminated quoted field");
    if (st == detail::CsvStatus::text_after_quote)
      fail(detail::concat("text after the closing quote of field ", out.size() + 1));
  }

  std::string path_;
  std::string text_;
  detail::LineSplitter lines_;
  std::vector<std::string> names_;
  std::string scratch_;
  std::uint64_t header_line_ = 0;
  std::uint64_t read_ = 0, reported_ = 0;
  bool started_ = false;
};

account_t parse_account(const CsvReader& r, const std::string& s) {
  account_t a = 0;
  switch (detail::parse_account_id(s, a)) {
    case detail::NumberStatus::ok: return a;
    case detail::NumberStatus::empty: r.fail("empty account id");
    case detail::NumberStatus::overflow: r.fail(detail::concat("account id ", quote_token(s), " is too large"));
    default: r.fail(detail::concat("account id ", quote_token(s), " is not a non-negative integer"));
  }
}

double parse_number(const CsvReader& r, const std::string& s, const char* what) {
  double x = 0;
  switch (detail::parse_real(s, x)) {
    case detail::NumberStatus::ok: return x;
    case detail::NumberStatus::empty: r.fail(detail::concat("empty ", what));
    case detail::NumberStatus::overflow: r.fail(detail::concat(what, " ", quote_token(s), " is not finite"));
    default:
      r.fail(detail::concat(what, " ", quote_token(s),
                            " is not a decimal number (digits, '.', exponent; no hex, inf or nan)"));
  }
}

std::vector<std::string> split_tags(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] != ';') continue;
    std::size_t a = start, b = i;
    while (a < b && detail::is_field_blank(s[a])) ++a;
    while (b > a && detail::is_field_blank(s[b - 1])) --b;
    if (b > a) out.push_back(s.substr(a, b - a));
    start = i + 1;
  }
  return out;
}

/// Position of a column, or SIZE_MAX.
std::size_t column(const std::map<std::string, std::size_t>& cols, const char* name) {
  const auto it = cols.find(name);
  return it == cols.end() ? SIZE_MAX : it->second;
}

/// Checks the width of a data row.
void require_width(const CsvReader& r, const std::vector<std::string>& f) {
  if (f.size() != r.width()) r.fail(detail::concat("expected ", r.width(), " fields, got ", f.size()));
}

/// The dense vertex of a row's account, unique in the file (first_line[v] = line that listed v).
vertex_t row_vertex(const CsvReader& r, const FollowerGraph& g, const std::string& field,
                    std::vector<std::uint64_t>& first_line, account_t& account) {
  account = parse_account(r, field);
  const auto v = g.find(account);
  if (!v) r.fail(detail::concat("account ", account, " is not in the graph"));
  if (first_line[*v] != 0)
    r.fail(detail::concat("duplicate account ", account, " (first listed on line ", first_line[*v], ")"));
  first_line[*v] = r.line();
  return *v;
}

}  // namespace

Roster read_roster(const std::string& csv_path, const FollowerGraph& g, const RosterOptions& options) {
  CsvReader r(csv_path, "roster file");
  r.report(options.progress);
  const auto cols = r.header();
  const std::size_t c_acc = column(cols, "account"), c_fee = column(cols, "fee"), c_risk = column(cols, "risk"),
                    c_plat = column(cols, "platform"), c_tags = column(cols, "tags");
  if (c_acc == SIZE_MAX) r.fail("missing required column 'account' in the header");
  if (c_fee == SIZE_MAX) r.fail("missing required column 'fee' in the header");
  RosterOptions kept = options;
  kept.progress = {};  // the roster outlives the call; the callback does not
  Roster ro(g, kept);
  std::vector<std::uint64_t> first_line(g.num_vertices(), 0);
  std::vector<std::string> f;
  while (r.next(f)) {
    require_width(r, f);
    RosterEntry e;
    e.vertex = row_vertex(r, g, f[c_acc], first_line, e.account);
    e.fee = parse_number(r, f[c_fee], "fee");
    if (c_risk != SIZE_MAX && !f[c_risk].empty()) e.risk = parse_number(r, f[c_risk], "risk");
    const std::string problem = detail::roster_value_problem(e.fee, e.risk);
    if (!problem.empty()) r.fail(detail::concat("account ", e.account, ": ", problem));
    if (c_plat != SIZE_MAX) e.platform = f[c_plat];
    if (c_tags != SIZE_MAX) e.tags = split_tags(f[c_tags]);
    ro.add(std::move(e));
    r.report(options.progress);
  }
  r.report(options.progress, true);
  if (ro.size() == 0 && !options.include_non_roster)
    throw ParseError(csv_path, r.header_line(),
                     "roster has no rows: the header is followed by no KOL rows (a campaign would hire nobody)");
  return ro;
}

MultiplexRoster read_multiplex_roster(const std::string& csv_path, const Multiplex& mx, const RosterOptions& options) {
  CsvReader r(csv_path, "roster file");
  r.report(options.progress);
  const auto cols = r.header();
  const std::size_t c_person = column(cols, "person"), c_plat = column(cols, "platform"), c_fee = column(cols, "fee"),
                    c_risk = column(cols, "risk"), c_tags = column(cols, "tags");
  if (c_person == SIZE_MAX) r.fail("missing required column 'person' in the header (a multiplex roster lists (person, platform) rows)");
  if (c_plat == SIZE_MAX) r.fail("missing required column 'platform' in the header (a multiplex roster lists (person, platform) rows)");
  if (c_fee == SIZE_MAX) r.fail("missing required column 'fee' in the header");
  RosterOptions kept = options;
  kept.progress = {};
  MultiplexRoster ro(mx, kept);
  std::vector<std::uint64_t> first_line(mx.num_accounts(), 0);
  std::vector<std::string> f;
  while (r.next(f)) {
    require_width(r, f);
    const account_t person = parse_account(r, f[c_person]);
    vertex_t x = 0;
    std::string col;
    const std::string why = detail::multiplex_row_problem(mx, person, f[c_plat], x, col);
    if (!why.empty()) r.fail(detail::concat("column ", quote_token(col), ": ", why));
    if (first_line[x] != 0)
      r.fail(detail::concat("duplicate row: person ", person, " on platform ", quote_token(f[c_plat]),
                            " (first listed on line ", first_line[x], ")"));
    first_line[x] = r.line();
    const double fee = parse_number(r, f[c_fee], "fee");
    const double risk = c_risk != SIZE_MAX && !f[c_risk].empty() ? parse_number(r, f[c_risk], "risk") : 0.0;
    const std::string problem = detail::roster_value_problem(fee, risk);
    if (!problem.empty()) r.fail(detail::concat("person ", person, " on ", quote_token(f[c_plat]), ": ", problem));
    ro.add_row(x, person, fee, risk, c_tags != SIZE_MAX ? split_tags(f[c_tags]) : std::vector<std::string>{});
    r.report(options.progress);
  }
  r.report(options.progress, true);
  if (ro.size() == 0 && !options.include_non_roster)
    throw ParseError(csv_path, r.header_line(),
                     "roster has no rows: the header is followed by no (person, platform) rows (a campaign would hire "
                     "nobody)");
  return ro;
}

Audience read_audience(const std::string& csv_path, const FollowerGraph& g, const AudienceOptions& opt) {
  CsvReader r(csv_path, "audience file");
  r.report(opt.progress);
  const auto cols = r.header();
  const std::size_t c_acc = column(cols, "account"), c_group = column(cols, "group"), c_w = column(cols, "weight");
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
  std::uint64_t rows = 0;
  while (r.next(f)) {
    require_width(r, f);
    account_t acc = 0;
    const vertex_t v = row_vertex(r, g, f[c_acc], first_line, acc);
    if (c_group != SIZE_MAX) {
      const std::string& name = f[c_group];
      if (name.empty()) r.fail("empty group name");
      a.group_of[v] = a.intern_group(name, group_lookup);
    }
    if (c_w != SIZE_MAX) {
      const double w = parse_number(r, f[c_w], "weight");
      if (w < 0.0) r.fail(detail::concat("weight must be >= 0, got ", w));
      row_weight[v] = w;
    }
    ++rows;
    r.report(opt.progress);
  }
  r.report(opt.progress, true);
  if (rows == 0)
    throw ParseError(csv_path, r.header_line(), "audience has no rows: the header is followed by no account rows");
  if (c_group != SIZE_MAX) a.apply_group_weights(opt);  // std::invalid_argument for bad options
  try {
    if (c_w != SIZE_MAX) {
      // Rows with a weight keep it; the others keep their group weight (all 1 when apply_group_weights
      // left the audience unweighted, or when there is no group column).
      if (a.weights.empty()) a.weights.assign(n, c_group == SIZE_MAX ? opt.other_weight : 1.0);
      for (vertex_t v = 0; v < n; ++v)
        if (!std::isnan(row_weight[v])) a.weights[v] = row_weight[v];
    }
    a.validate(n);
  } catch (const std::invalid_argument& e) {
    throw ParseError(csv_path, 0, e.what());
  }
  a.graph = GraphBinding(g);
  return a;
}

}  // namespace kolsim

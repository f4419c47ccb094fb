// SPDX-License-Identifier: MIT
/// Cascade readers (one cascade per line, long CSV), summaries and train/test splits.
#include "kolsim/learn/cascades.hpp"

#include <numeric>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "kolsim/core/rng.hpp"
#include "../io/read_input.hpp"
#include "../io/text_fields.hpp"

namespace kolsim {

void Cascades::add(std::span<const vertex_t> adopters, std::span<const double> adoption_times, std::uint64_t id,
                   std::uint64_t outside_adoptions) {
  KOLSIM_REQUIRE(adopters.size() == adoption_times.size(), "Cascades::add: ", adopters.size(), " adopters but ",
                 adoption_times.size(), " times");
  for (std::size_t i = 0; i < adopters.size(); ++i) {
    const vertex_t v = adopters[i];
    KOLSIM_REQUIRE_INDEX(v < graph_vertices, "Cascades::add: vertex ", v, " out of range (n = ", graph_vertices, ")");
    KOLSIM_REQUIRE(std::isfinite(adoption_times[i]), "Cascades::add: adoption time ", i, " is not finite");
    KOLSIM_REQUIRE(i == 0 || adoption_times[i] >= adoption_times[i - 1], "Cascades::add: adoption times decrease at ",
                   i);
  }
  // Keep the first adoption of each account.
  std::unordered_set<vertex_t> kept;
  for (std::size_t i = 0; i < adopters.size(); ++i) {
    if (!kept.insert(adopters[i]).second) continue;
    vertices.push_back(adopters[i]);
    times.push_back(adoption_times[i]);
  }
  offsets.push_back(vertices.size());
  outside.push_back(outside_adoptions);
  ids.push_back(id);
}

Cascades Cascades::subset(std::span<const std::size_t> which) const {
  Cascades out;
  out.graph_vertices = graph_vertices;
  for (std::size_t c : which) {
    auto a = adopters(c);
    auto t = adoption_times(c);
    out.vertices.insert(out.vertices.end(), a.begin(), a.end());
    out.times.insert(out.times.end(), t.begin(), t.end());
    out.offsets.push_back(out.vertices.size());
    out.outside.push_back(outside[c]);
    out.ids.push_back(ids[c]);
  }
  return out;
}

namespace {

using detail::quote_token;

std::string_view trim(std::string_view s) {
  while (!s.empty() && detail::is_field_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && detail::is_field_blank(s.back())) s.remove_suffix(1);
  return s;
}

/// The pieces of `s` between `sep` characters (empty pieces kept).
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

/// The runs of non-blank characters of `s`.
std::vector<std::string_view> fields(std::string_view s) {
  std::vector<std::string_view> out;
  detail::for_each_blank_field(s, [&](std::size_t, std::string_view f) {
    out.push_back(f);
    return true;
  });
  return out;
}

/// Reports errors at the current line; parses fields with the readers' shared number grammar.
struct LineReader {
  const std::string& path;
  std::uint64_t line = 0;

  [[noreturn]] void fail(const std::string& msg) const { throw ParseError(path, line, msg); }

  account_t account(std::string_view t) const {
    account_t a = 0;
    if (detail::parse_account_id(t, a) != detail::NumberStatus::ok)
      fail("account " + quote_token(t) + " is not an unsigned 64-bit integer");
    return a;
  }
  double time(std::string_view t) const {
    double x = 0;
    if (detail::parse_real(t, x) != detail::NumberStatus::ok)
      fail("time " + quote_token(t) + " is not a finite decimal number of seconds");
    return x;
  }
};

/// The file's lines: read like every reader (standard input as "-", gzip, bounded by usable
/// memory), a UTF-8 byte-order mark skipped, LF, CRLF and a lone CR ending lines.
struct Lines {
  detail::Bytes bytes;
  std::vector<std::string_view> lines;
};

Lines read_lines(const std::string& path) {
  Lines out;
  out.bytes = detail::gunzip_if_compressed(detail::read_all(path, {}), path, {});
  detail::LineSplitter split_lines(
      detail::strip_bom(std::string_view(out.bytes.data.get(), out.bytes.size)));
  std::string_view line;
  while (split_lines.next(line)) out.lines.push_back(line);
  return out;
}

/// Joins one cascade's (account, time) pairs to the graph and appends it.
struct Joiner {
  const FollowerGraph& g;
  const CascadeReadOptions& opt;
  CascadeReadReport& rep;
  Cascades& out;
  std::vector<vertex_t> vs;
  std::vector<double> ts;
  std::vector<std::uint32_t> seen;
  std::uint32_t epoch = 0;

  Joiner(const FollowerGraph& graph, const CascadeReadOptions& o, CascadeReadReport& r, Cascades& c)
      : g(graph), opt(o), rep(r), out(c), seen(graph.num_vertices(), 0) {}

  void finish(const LineReader& lr, std::uint64_t id, std::vector<std::pair<account_t, double>>& pairs, bool sort) {
    if (sort) std::stable_sort(pairs.begin(), pairs.end(), [](auto& a, auto& b) { return a.second < b.second; });
    if (++epoch == 0) {
      std::fill(seen.begin(), seen.end(), 0u);
      epoch = 1;
    }
    vs.clear();
    ts.clear();
    std::uint64_t outside = 0;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      if (i > 0 && pairs[i].second < pairs[i - 1].second)
        lr.fail("adoption times decrease within the cascade (" + std::to_string(pairs[i - 1].second) + " then " +
                std::to_string(pairs[i].second) + ")");
      const auto v = g.find(pairs[i].first);
      if (!v) {
        if (!opt.allow_outside) lr.fail("account " + std::to_string(pairs[i].first) + " is not in the graph");
        ++outside;
        continue;
      }
      if (seen[*v] == epoch) {
        ++rep.repeat_adoptions;
        continue;
      }
      seen[*v] = epoch;
      vs.push_back(*v);
      ts.push_back(pairs[i].second);
    }
    rep.outside_adoptions += outside;
    if (vs.size() < opt.min_size) {
      ++rep.skipped_small;
      return;
    }
    out.vertices.insert(out.vertices.end(), vs.begin(), vs.end());
    out.times.insert(out.times.end(), ts.begin(), ts.end());
    out.offsets.push_back(out.vertices.size());
    out.outside.push_back(outside);
    out.ids.push_back(id);
    ++rep.cascades;
    rep.adoptions += vs.size();
  }
};

/// ("read", lines parsed, lines) every 4096 lines, from the reader loops.
void report_lines(const ProgressFn& progress, std::uint64_t done, std::size_t total) {
  if (progress && done % 4096 == 0) report_progress(progress, "read", done, total);
}

/// Counts the next of `total` lines and returns it trimmed; empty for a blank or '#' line.
std::string_view next_line(std::string_view raw, LineReader& lr, Joiner& j, std::size_t total) {
  report_lines(j.opt.progress, lr.line, total);
  ++lr.line;
  ++j.rep.lines;
  const std::string_view s = trim(raw);
  return s.empty() || s[0] == '#' ? std::string_view{} : s;
}

void read_per_line(const std::string& path, const std::vector<std::string_view>& lines, Joiner& j) {
  LineReader lr{path};
  std::vector<std::pair<account_t, double>> pairs;
  for (std::string_view raw : lines) {
    const std::string_view s = next_line(raw, lr, j, lines.size());
    if (s.empty()) continue;
    pairs.clear();
    // Layout A: chunks split by ',' holding "account time" (first chunk may be "root account time").
    // Layout B: chunks split by blanks holding "account,time".
    auto chunks = split(s, ',');
    const bool layout_a = !chunks.empty() && fields(chunks[0]).size() >= 2;
    if (layout_a) {
      for (std::size_t k = 0; k < chunks.size(); ++k) {
        auto f = fields(chunks[k]);
        if (f.empty() && k + 1 == chunks.size()) break;  // trailing comma
        if (k == 0 && f.size() == 3 && j.opt.root_field) {
          const double t = lr.time(f[2]);
          pairs.emplace_back(lr.account(f[0]), t);
          pairs.emplace_back(lr.account(f[1]), t);
          continue;
        }
        if (f.size() != 2)
          lr.fail("adoption " + std::to_string(k + 1) + " " + quote_token(chunks[k]) + " is not 'account time'");
        pairs.emplace_back(lr.account(f[0]), lr.time(f[1]));
      }
    } else {
      auto items = fields(s);
      for (std::size_t k = 0; k < items.size(); ++k) {
        auto f = split(items[k], ',');
        if (f.size() != 2)
          lr.fail("adoption " + std::to_string(k + 1) + " " + quote_token(items[k]) + " is not 'account,time'");
        pairs.emplace_back(lr.account(trim(f[0])), lr.time(trim(f[1])));
      }
    }
    j.finish(lr, lr.line, pairs, false);
  }
}

void read_long_csv(const std::string& path, const std::vector<std::string_view>& lines, Joiner& j) {
  LineReader lr{path};
  int col_id = -1, col_account = -1, col_time = -1;
  std::size_t ncols = 0;
  std::vector<std::uint64_t> order;  // cascade ids by first appearance
  std::unordered_map<std::uint64_t, std::vector<std::pair<account_t, double>>> groups;
  std::unordered_map<std::uint64_t, std::uint64_t> first_line;
  for (std::string_view raw : lines) {
    const std::string_view s = next_line(raw, lr, j, lines.size());
    if (s.empty()) continue;
    auto f = split(s, ',');
    for (auto& x : f) x = trim(x);
    if (col_id < 0) {
      for (std::size_t k = 0; k < f.size(); ++k) {
        if (f[k] == "cascade_id" || f[k] == "cascade") col_id = static_cast<int>(k);
        if (f[k] == "account" || f[k] == "user") col_account = static_cast<int>(k);
        if (f[k] == "time" || f[k] == "timestamp") col_time = static_cast<int>(k);
      }
      if (col_id < 0 || col_account < 0 || col_time < 0)
        lr.fail("the header must name the columns cascade_id, account and time; got " + quote_token(s));
      ncols = f.size();
      continue;
    }
    if (f.size() != ncols)
      lr.fail("expected " + std::to_string(ncols) + " comma-separated fields, got " + std::to_string(f.size()));
    const std::uint64_t id = lr.account(f[static_cast<std::size_t>(col_id)]);
    auto [it, fresh] = groups.try_emplace(id);
    if (fresh) {
      order.push_back(id);
      first_line[id] = lr.line;
    }
    it->second.emplace_back(lr.account(f[static_cast<std::size_t>(col_account)]),
                            lr.time(f[static_cast<std::size_t>(col_time)]));
  }
  if (col_id < 0) throw ParseError(path, 0, "no header row (cascade_id,account,time)");
  report_progress(j.opt.progress, "read", lines.size(), lines.size());
  std::uint64_t joined = 0;
  for (std::uint64_t id : order) {
    if (joined % 4096 == 0) report_progress(j.opt.progress, "join", joined, order.size());
    LineReader at{path, first_line[id]};
    j.finish(at, id, groups[id], true);
    ++joined;
  }
  report_progress(j.opt.progress, "join", order.size(), order.size());
}

}  // namespace

Cascades read_cascades(const std::string& path, const FollowerGraph& g, const CascadeReadOptions& options,
                       CascadeReadReport* report) {
  CascadeReadReport local;
  CascadeReadReport& rep = report ? *report : local;
  rep = {};
  const Lines input = read_lines(path);
  const auto& lines = input.lines;
  CascadeFormat fmt = options.format;
  if (fmt == CascadeFormat::auto_detect) {
    fmt = CascadeFormat::per_line;
    for (std::string_view l : lines) {
      l = trim(l);
      if (l.empty() || l[0] == '#') continue;
      if (l.find("cascade") != std::string_view::npos) fmt = CascadeFormat::long_csv;
      break;
    }
  }
  Cascades out;
  out.graph_vertices = g.num_vertices();
  Joiner j(g, options, rep, out);
  if (fmt == CascadeFormat::long_csv) {
    read_long_csv(path, lines, j);
  } else {
    read_per_line(path, lines, j);
    report_progress(options.progress, "read", lines.size(), lines.size());
  }
  return out;
}

CascadeSummary summarize_cascades(const FollowerGraph& g, const Cascades& cs) {
  KOLSIM_REQUIRE(cs.graph_vertices == g.num_vertices(), "summarize_cascades: the cascades were read for a graph of ",
                 cs.graph_vertices, " accounts, this graph has ", g.num_vertices());
  CascadeSummary s;
  s.cascades = cs.size();
  s.adoptions = cs.adoptions();
  std::vector<std::uint32_t> when(g.num_vertices(), 0), depth(g.num_vertices(), 0);
  std::uint32_t epoch = 0;
  std::uint64_t later = 0, explained = 0;
  for (std::size_t c = 0; c < cs.size(); ++c) {
    auto a = cs.adopters(c);
    auto t = cs.adoption_times(c);
    ++epoch;
    std::uint32_t deepest = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const vertex_t v = a[i];
      std::uint32_t d = 0;
      bool has_parent = false;
      if (i > 0) {
        ++later;
        for (vertex_t u : g.in_neighbors(v)) {
          if (when[u] == epoch) {
            has_parent = true;
            d = std::max(d, depth[u] + 1);
          }
        }
        explained += has_parent;
      }
      when[v] = epoch;
      depth[v] = d;
      deepest = std::max(deepest, d);
    }
    s.sizes.push_back(a.size());
    s.depths.push_back(deepest);
    const double t0 = a.empty() ? 0.0 : t.front();
    s.durations.push_back(a.empty() ? 0.0 : t.back() - t0);
    auto reach = [&](double frac) {
      const std::size_t need = static_cast<std::size_t>(std::ceil(frac * static_cast<double>(a.size())));
      return need == 0 ? 0.0 : t[need - 1] - t0;
    };
    s.time_to_half.push_back(a.empty() ? 0.0 : reach(0.5));
    s.time_to_90.push_back(a.empty() ? 0.0 : reach(0.9));
  }
  s.explained_fraction = later ? static_cast<double>(explained) / static_cast<double>(later) : 0.0;
  return s;
}

CascadeSplit split_by_time(const Cascades& cs, double test_fraction) {
  KOLSIM_REQUIRE(test_fraction >= 0.0 && test_fraction <= 1.0, "split_by_time: test_fraction must be in [0, 1], got ",
                 test_fraction);
  std::vector<std::size_t> idx(cs.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  auto start = [&](std::size_t c) {
    auto t = cs.adoption_times(c);
    return t.empty() ? std::numeric_limits<double>::infinity() : t.front();
  };
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return start(a) < start(b); });
  const auto ntest = static_cast<std::size_t>(std::llround(test_fraction * static_cast<double>(cs.size())));
  CascadeSplit s;
  s.train.assign(idx.begin(), idx.end() - static_cast<std::ptrdiff_t>(ntest));
  s.test.assign(idx.end() - static_cast<std::ptrdiff_t>(ntest), idx.end());
  return s;
}

CascadeSplit split_by_cascade(const Cascades& cs, double test_fraction, std::uint64_t seed) {
  KOLSIM_REQUIRE(test_fraction >= 0.0 && test_fraction <= 1.0,
                 "split_by_cascade: test_fraction must be in [0, 1], got ", test_fraction);
  std::vector<std::size_t> idx(cs.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  Rng rng(seed, 0, domain::selection);
  for (std::size_t i = idx.size(); i > 1; --i) std::swap(idx[i - 1], idx[rng.next_u64() % i]);
  const auto ntest = static_cast<std::size_t>(std::llround(test_fraction * static_cast<double>(cs.size())));
  CascadeSplit s;
  s.test.assign(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(ntest));
  s.train.assign(idx.begin() + static_cast<std::ptrdiff_t>(ntest), idx.end());
  std::sort(s.test.begin(), s.test.end());
  std::sort(s.train.begin(), s.train.end());
  return s;
}

}  // namespace kolsim

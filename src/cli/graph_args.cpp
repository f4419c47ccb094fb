// SPDX-License-Identifier: MIT
/// The `kolsim` tool's graph options: strict number parsing, loading through read_graph, and the
/// choice of edge probabilities (stored, from a column, or a scheme), always reported.
#include "cli.hpp"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>

namespace kolsim::cli {
namespace {

std::string quoted(const std::string& s) { return "'" + s + "'"; }

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string shortest(double x) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

/// A probability scheme given with -p, parsed and checked.
struct Scheme {
  std::string name;  ///< wc | const | trivalency | uniform | lt-random
  double a = 0, b = 0;
};

Scheme parse_scheme(const std::string& p) {
  if (p == "wc" || p == "trivalency" || p == "lt-random") return {p};
  if (p.rfind("const:", 0) == 0) {
    return {"const", parse_real("-p const:P", p.substr(6), 0.0, 1.0)};
  }
  if (p.rfind("uniform:", 0) == 0) {
    const std::string rest = p.substr(8);
    const auto colon = rest.find(':');
    if (colon == std::string::npos) throw UsageError("-p uniform:A:B needs two numbers, got " + quoted(p));
    Scheme s{"uniform", parse_real("-p uniform:A:B (A)", rest.substr(0, colon), 0.0, 1.0),
             parse_real("-p uniform:A:B (B)", rest.substr(colon + 1), 0.0, 1.0)};
    if (s.a > s.b) throw UsageError("-p uniform:A:B needs A <= B, got " + quoted(p));
    return s;
  }
  throw UsageError("-p: unknown probabilities " + quoted(p) +
                   " (auto | column | wc | const:P | trivalency | uniform:A:B | lt-random)");
}

/// True when g already stores the weighted-cascade probabilities bit for bit (e.g. a snapshot
/// saved with them): `-p wc` then keeps them instead of deriving and allocating both arrays
/// again. One pass over the in-order probabilities (equal to the out-order ones edge for edge).
bool stores_weighted_cascade(const FollowerGraph& g) {
  if (!g.has_probabilities()) return false;
  if (g.probability_kind() == ProbabilityKind::weighted_cascade) return true;
  if (g.probability_kind() != ProbabilityKind::per_edge) return false;
  const auto off = g.in_offsets();
  const auto* bits = reinterpret_cast<const std::uint32_t*>(g.in_edge_probs().data());
  for (vertex_t v = 0; v < g.num_vertices(); ++v) {
    const auto w = std::bit_cast<std::uint32_t>(weighted_cascade_probability(off[v + 1] - off[v]));
    bool differ = false;
    for (edge_t e = off[v]; e < off[v + 1]; ++e) differ |= bits[e] != w;
    if (differ) return false;
  }
  return true;
}

FollowerGraph apply_scheme(const FollowerGraph& g, const Scheme& s, std::uint64_t seed, int threads) {
  if (s.name == "wc") return stores_weighted_cascade(g) ? g : weighted_cascade(g);
  if (s.name == "trivalency") return trivalency(g, seed);
  if (s.name == "lt-random") return random_lt_weights(g, seed, threads);
  if (s.name == "const") return constant_probability(g, static_cast<prob_t>(s.a));
  return uniform_probability(g, static_cast<prob_t>(s.a), static_cast<prob_t>(s.b), seed);
}

double mean_probability(const FollowerGraph& g) {
  if (!g.has_probabilities() || g.num_edges() == 0) return -1;
  return g.mean_edge_probability();
}

}  // namespace

std::uint64_t parse_unsigned(const std::string& option, const std::string& text, std::uint64_t lo, std::uint64_t hi) {
  const std::string range = hi == UINT64_MAX ? "an integer >= " + std::to_string(lo)
                                             : "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (!text.empty() && text[0] == '-' && all_digits(text.substr(1)))
    throw UsageError(option + " must be " + range + ", got " + text);
  if (!all_digits(text)) throw UsageError(option + " must be " + range + ", got " + quoted(text));
  std::uint64_t v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || v < lo || v > hi) throw UsageError(option + " must be " + range + ", got " + text);
  return v;
}

double parse_real(const std::string& option, const std::string& text, double lo, double hi) {
  const std::string range = hi == std::numeric_limits<double>::max() ? "a finite number >= " + shortest(lo)
                                                                     : "a number from " + shortest(lo) + " to " + shortest(hi);
  double v = 0;
  const char* end = text.data() + text.size();
  const auto r = std::from_chars(text.data(), end, v, std::chars_format::general);
  if (text.empty() || r.ec != std::errc() || r.ptr != end || !std::isfinite(v))
    throw UsageError(option + " must be " + range + ", got " + quoted(text));
  if (v < lo || v > hi) throw UsageError(option + " must be " + range + ", got " + text);
  return v;
}

int GraphArgs::threads_value() const {
  return static_cast<int>(parse_unsigned("--threads", threads, 0, static_cast<std::uint64_t>(max_threads())));
}

void add_graph_args(CLI::App* app, GraphArgs& a, bool simulates) {
  a.app = app;
  a.simulates = simulates;
  app->add_option("graph", a.path,
                  "edge list (.txt/.csv, optionally .gz) or snapshot (.kgs), '-' = standard input; "
                  "a line 'a b' means b follows a")
      ->required();
  app->add_flag("--undirected", a.undirected, "each line is a two-way tie (edge lists only)");
  app->add_flag("--flip", a.flip, "reverse every edge (edge lists that list the follower first)");
  app->add_option("--self-loops", a.self_loops, choice_names(self_loops_choices) + " (edge lists only)")
      ->check(CLI::IsMember(choice_list(self_loops_choices)));
  app->add_option("--duplicates", a.duplicates, choice_names(duplicates_choices) + " (edge lists only)")
      ->check(CLI::IsMember(choice_list(duplicates_choices)));
  app->add_option("--probability-column", a.probability_column,
                  "0-based column holding p (>= 2); implies -p column");
  app->add_flag("--first-line-counts", a.first_line_counts, "the first data line is an 'n m' header");
  app->add_flag("--csv-header", a.csv_header,
                "the edge list is comma-separated and its first non-comment line is a header (skipped)");
  app->add_flag("--ignore-extra-columns", a.ignore_extra_columns, "allow more columns than the first line has");
  app->add_option("-p,--probabilities", a.probabilities,
                  "auto (stored or column probabilities, else " + std::string(simulates ? "wc" : "none") +
                      ") | column | wc (1/in-degree) | const:P | trivalency | uniform:A:B | lt-random; a scheme "
                      "replaces stored probabilities");
  if (simulates) {
    app->add_option("--model", a.model, "ic | lt; spread also: uniform:C | kexposure:K | fraction:Q (docs/models.md)")
        ->check([](const std::string& m) -> std::string {
          const std::string kind = m.substr(0, m.find(':'));
          const bool ok = m == "ic" || m == "lt" ||
                          ((kind == "uniform" || kind == "kexposure" || kind == "fraction") && m.size() > kind.size() + 1);
          return ok ? "" : "expected ic, lt, uniform:C, kexposure:K or fraction:Q, got " + m;
        });
    app->add_option("--seed", a.seed, "random seed (same seed, same output for any thread count)");
  } else {
    app->add_option("--seed", a.seed, "seed of a random -p scheme (trivalency, uniform:A:B, lt-random)");
  }
  app->add_option("--threads", a.threads, "threads (0 = all)");
}

std::string ProbabilityUse::text(const std::string& path) const {
  std::ostringstream os;
  const std::string where = path == "-" ? "standard input" : path;
  if (source == "column") {
    os << "from column " << column << " of " << where;
  } else if (source == "snapshot") {
    os << "stored in the snapshot " << where;
  } else if (source == "none") {
    os << "none (spread, select and plan would use weighted cascade 1/in-degree)";
  } else {
    os << (scheme == "wc" ? std::string("weighted cascade (1/in-degree)") : "-p " + scheme);
    if (is_default) os << ", the default: " << where << " stores none (choose another with -p)";
    if (replaced) os << ", replacing the probabilities stored in " << where;
  }
  if (mean >= 0) os << "; mean " << std::setprecision(4) << mean;
  return os.str();
}

nlohmann::ordered_json ProbabilityUse::json() const {
  nlohmann::ordered_json j;
  j["source"] = source;
  if (source == "scheme") {
    j["scheme"] = scheme;
    j["default"] = is_default;
    j["replaced_stored"] = replaced;
  }
  if (source == "column") j["column"] = column;
  if (mean >= 0) {  // shortest form at the probabilities' own (float) precision: 0.9, not 0.8999999761581421
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, static_cast<prob_t>(mean));
    j["mean"] = std::strtod(std::string(buf, r.ptr).c_str(), nullptr);
  }
  return j;
}

void warn_unused_columns(const EdgeListReport& report, const std::string& where, std::ostream& os) {
  for (int c : report.unused_numeric_columns)
    os << "kolsim: warning: column " << c << " of " << where
       << " holds numbers in [0, 1] on every line but is not used; add --probability-column " << c
       << " to use it as the edge probabilities\n";
}

namespace {

/// The reader options the edge-list flags of `a` ask for (`column`: -1 or the probability column).
EdgeListOptions edge_list_options(const GraphArgs& a, int column, int threads) {
  EdgeListOptions o;
  o.build.undirected = a.undirected;
  o.build.flip = a.flip;
  o.build.threads = threads;
  o.build.self_loops = parse_choice("--self-loops", a.self_loops, self_loops_choices);
  o.build.duplicates = parse_choice("--duplicates", a.duplicates, duplicates_choices);
  o.first_line_counts = a.first_line_counts;
  o.ignore_extra_columns = a.ignore_extra_columns;
  o.csv_header = a.csv_header;
  if (a.csv_header) o.format = EdgeFormat::csv;
  o.probability_column = column;
  return o;
}

/// Says on stderr what was read from `where` (snapshot or edge list, with its counts and warnings).
void report_read(const GraphArgs& a, const FollowerGraph& g, const GraphFileReport& rep, const std::string& where) {
  if (rep.snapshot) {
    std::cerr << "loaded snapshot " << where << ": " << g.num_vertices() << " accounts, " << g.num_edges()
              << " edges\n";
    return;
  }
  const auto& r = rep.edge_list;
  std::cerr << "read " << where << ": " << r.edge_lines << " edge lines, " << r.build.self_loops << " self-loops ("
            << a.self_loops << "), " << r.build.duplicates << " duplicates (" << a.duplicates << ") -> "
            << g.num_vertices() << " accounts, " << g.num_edges() << " edges in " << std::fixed
            << std::setprecision(2) << r.parse_seconds + r.build_seconds << " s\n"
            << std::defaultfloat;
  warn_unused_columns(r, where, std::cerr);
}

/// Gives g the probabilities asked for (a scheme, the stored ones, or weighted cascade when
/// required and none are stored) and says which on stderr.
ProbabilityUse choose_probabilities(const GraphArgs& a, FollowerGraph& g, const std::optional<Scheme>& scheme,
                                    std::uint64_t seed, int threads, bool snapshot, int column, NeedProbabilities need) {
  ProbabilityUse use;
  const std::string& p = a.probabilities;
  const std::string where = a.path == "-" ? "standard input" : a.path;
  const bool stored = g.has_probabilities();
  if (p == "column" && !stored) {
    throw UsageError(snapshot ? "-p column: the snapshot " + where + " stores no probabilities"
                              : "-p column needs --probability-column N (the 0-based column holding p)");
  }
  if (scheme) {
    const bool kept = scheme->name == "wc" && stores_weighted_cascade(g);
    g = apply_scheme(g, *scheme, seed, threads);
    use.source = "scheme";
    use.scheme = p;
    use.replaced = stored && !kept;
  } else if (stored) {
    use.source = snapshot ? "snapshot" : "column";
    use.column = column;
  } else if (need == NeedProbabilities::required) {
    g = weighted_cascade(g);
    use.source = "scheme";
    use.scheme = "wc";
    use.is_default = true;
  } else {
    use.source = "none";
  }
  use.mean = mean_probability(g);
  std::cerr << "probabilities: " << use.text(a.path) << "\n";
  return use;
}

}  // namespace

LoadedGraph load_graph(const GraphArgs& a, NeedProbabilities need) {
  // Options first: every mistake on the command line is reported before any reading.
  const bool column_given = !a.probability_column.empty();
  const int column =
      column_given ? static_cast<int>(parse_unsigned("--probability-column", a.probability_column, 2, 1000)) : -1;
  const std::string& p = a.probabilities;
  std::optional<Scheme> scheme;
  if (p != "auto" && p != "column") scheme = parse_scheme(p);
  if (scheme && column_given)
    throw UsageError("--probability-column " + a.probability_column + " reads probabilities from a column; -p " + p +
                     " would replace them (give one of the two)");
  const std::uint64_t seed = a.seed_value();
  const int threads = a.threads_value();
  if (!a.simulates && a.given("--seed") && !(scheme && scheme->name != "wc" && scheme->name != "const"))
    throw UsageError("--seed " + a.seed + " is used only by a random -p scheme (trivalency, uniform:A:B, lt-random)");

  const std::vector<std::string> edge_list_only{"--undirected", "--flip", "--self-loops", "--duplicates",
                                                "--probability-column", "--first-line-counts",
                                                "--csv-header", "--ignore-extra-columns"};
  auto reject_snapshot_options = [&] {
    for (const auto& o : edge_list_only)
      if (a.given(o))
        throw UsageError(o + " applies only to edge lists; " + a.path +
                         " is a snapshot, which keeps the edges and probabilities it was saved with");
  };
  if (a.path != "-" && is_snapshot_file(a.path)) {
    reject_snapshot_options();
  } else if (a.path != "-" && p == "column" && !column_given) {
    throw UsageError("-p column needs --probability-column N (the 0-based column holding p)");
  }

  GraphFileReport rep;
  LoadedGraph out{read_graph(a.path, edge_list_options(a, column, threads), &rep), {}};
  if (rep.snapshot) reject_snapshot_options();  // a snapshot arriving through a pipe
  report_read(a, out.graph, rep, a.path == "-" ? "standard input" : a.path);
  out.probabilities = choose_probabilities(a, out.graph, scheme, seed, threads, rep.snapshot, column, need);
  return out;
}

namespace {

ProgressMode progress_mode = ProgressMode::automatic;

bool show_progress() {
  return progress_mode == ProgressMode::always ||
         (progress_mode == ProgressMode::automatic && isatty(STDERR_FILENO));
}

/// The last (phase, done, total) reported, printed by the progress token's line.
struct ProgressLine {
  std::string phase;
  std::uint64_t done = 0, total = 0;
};
ProgressLine progress_line;

}  // namespace

void set_progress_mode(ProgressMode mode) { progress_mode = mode; }

/// Seconds between progress lines: 0.5, or KOLSIM_PROGRESS_SECONDS (a number in [0, 3600]; 0
/// prints at every poll, which makes the line's content testable without timing).
double progress_interval() {
  const char* env = std::getenv("KOLSIM_PROGRESS_SECONDS");
  if (env == nullptr || *env == '\0') return 0.5;
  return parse_real("the environment variable KOLSIM_PROGRESS_SECONDS", env, 0.0, 3600.0);
}

StopToken progress_token(const std::string& what) {
  progress_line = ProgressLine{};
  if (!show_progress()) return {};
  const double interval = progress_interval();
  auto start = std::chrono::steady_clock::now();
  auto last = std::make_shared<double>(0.0);  // nothing for the first interval
  return [what, start, last, interval]() {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (s - *last >= interval) {
      *last = s;
      const ProgressLine& p = progress_line;
      if (p.phase.empty()) {
        std::fprintf(stderr, "\r%s ... %.1f s\033[K", what.c_str(), s);
      } else if (p.total > 0) {
        std::fprintf(stderr, "\r%s: %s %llu/%llu (%.0f%%) %.1f s\033[K", what.c_str(), p.phase.c_str(),
                     static_cast<unsigned long long>(p.done), static_cast<unsigned long long>(p.total),
                     100.0 * static_cast<double>(p.done) / static_cast<double>(p.total), s);
      } else {
        std::fprintf(stderr, "\r%s: %s %llu %.1f s\033[K", what.c_str(), p.phase.c_str(),
                     static_cast<unsigned long long>(p.done), s);
      }
      std::fflush(stderr);
    }
    return false;
  };
}

ProgressFn progress_reporter() {
  if (!show_progress()) return {};
  return [](std::string_view phase, std::uint64_t done, std::uint64_t total) {
    progress_line.phase.assign(phase);  // caller's thread only (report_progress), like the token
    progress_line.done = done;
    progress_line.total = total;
  };
}

void end_progress() {
  if (show_progress()) std::fprintf(stderr, "\r\033[K");
}

void print_json(const nlohmann::ordered_json& j) { std::cout << detail::json_text(j) << "\n"; }

}  // namespace kolsim::cli

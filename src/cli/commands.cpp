// SPDX-License-Identifier: MIT
/// The `kolsim` subcommands: info, convert, spread, select, plan, replan, compete, block and multiplex.
/// spread --hours, select --deadline-hours and plan/replan --deadline-hours run the
/// continuous-time IC (an exponential delay per live edge, mean --delay-hours).
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <map>
#include <sstream>
#include <utility>

#include "cli.hpp"
#include "kolsim/core/stopwatch.hpp"
#include "kolsim/diffusion/continuous.hpp"
#include "kolsim/estimate/continuous_rr.hpp"
#include "kolsim/select/complex_greedy.hpp"
#include "kolsim/estimate/triggering_estimate.hpp"
#include "kolsim/campaign/multiplex_plan.hpp"
#include "kolsim/estimate/multiplex_estimate.hpp"
#include "kolsim/select/multiplex_blocking.hpp"

namespace kolsim::cli {
namespace {

using Json = nlohmann::ordered_json;

/// Account ids from "--seeds 1,2,3": every token a whole unsigned integer, at least one.
std::vector<account_t> parse_seed_list(const std::string& list) {
  std::vector<account_t> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = list.find(',', start);
    const std::string tok = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (tok.empty()) throw UsageError("--seeds needs a comma-separated list of account ids, got '" + list + "'");
    try {
      out.push_back(parse_unsigned("--seeds", tok));
    } catch (const UsageError&) {
      throw UsageError("--seeds: '" + tok + "' is not an account id (a non-negative integer)");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

/// Optional step limit: empty = none.
std::optional<std::uint32_t> parse_deadline(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return static_cast<std::uint32_t>(parse_unsigned("--deadline", text, 0, std::numeric_limits<std::uint32_t>::max() - 1));
}

double parse_epsilon(const std::string& text) {
  const double eps = parse_real("--epsilon", text, 0.0, 1.0);
  if (eps <= 0.0 || eps >= 1.0) throw UsageError("--epsilon must be strictly between 0 and 1, got " + text);
  return eps;
}

/// Monte Carlo trials: at least 1 (or 0 when `zero_ok`), at most 2^38.
std::uint64_t parse_trials(const std::string& option, const std::string& text, bool zero_ok) {
  return parse_unsigned(option, text, zero_ok ? 0 : 1, std::uint64_t{1} << 38);
}

/// Hours from "--hours 1,6,24": finite, >= 0 and increasing, at least one.
std::vector<double> parse_hours_list(const std::string& option, const std::string& list) {
  std::vector<double> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = list.find(',', start);
    const std::string tok = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (tok.empty()) throw UsageError(option + " needs a comma-separated list of hours, got '" + list + "'");
    const double h = parse_real(option, tok, 0.0, 1e12);
    if (!out.empty() && !(h > out.back())) throw UsageError(option + " must be increasing, got '" + list + "'");
    out.push_back(h);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

/// The continuous-time IC with an exponential delay of mean --delay-hours on every live edge.
ContinuousIC continuous_model(const GraphArgs& a, const std::string& delay_hours) {
  if (a.model != "ic") throw UsageError("continuous time (--hours, --deadline-hours) runs the IC model, not --model " + a.model);
  const double h = parse_real("--delay-hours", delay_hours, 0.0, 1e12);
  if (h <= 0) throw UsageError("--delay-hours must be > 0, got " + delay_hours);
  ContinuousIC m;
  m.default_rate = 1.0 / (3600.0 * h);
  return m;
}

template <class F>
auto with_model(const GraphArgs& a, F&& f) {
  if (a.model != "ic" && a.model != "lt")
    throw UsageError("--model " + a.model + " (a model of docs/models.md) is only available for `spread`");
  if (a.model == "lt") return f(LinearThreshold{});
  return f(IndependentCascade{});
}

/// `spread`'s models: ic, lt, and those of docs/models.md: uniform:C (triggering, C uniformly
/// chosen in-neighbours), kexposure:K and fraction:Q (complex contagion; each exposure passes
/// with the edge's probability).
template <class F>
auto with_spread_model(const GraphArgs& a, F&& f) {
  const auto colon = a.model.find(':');
  const std::string kind = a.model.substr(0, colon), arg = colon == std::string::npos ? "" : a.model.substr(colon + 1);
  if (kind == "uniform")
    return f(TriggeringModel<UniformTriggering>{{static_cast<std::uint32_t>(parse_unsigned("--model uniform:C", arg, 1, 1u << 30))}});
  if (kind == "kexposure")
    return f(ComplexContagion::k_exposure(static_cast<std::uint32_t>(parse_unsigned("--model kexposure:K", arg, 1, 1u << 30)), -1.0));
  if (kind == "fraction") {
    const double q = parse_real("--model fraction:Q", arg, 0.0, 1.0);
    if (q <= 0.0) throw UsageError("--model fraction:Q needs 0 < Q <= 1, got " + arg);
    return f(ComplexContagion::fractional(q, -1.0));
  }
  return with_model(a, std::forward<F>(f));
}

}  // namespace

void InfoCommand::add(CLI::App& tool) {
  app = tool.add_subcommand("info", "summarise a graph (counts, degrees, components)");
  add_graph_args(app, graph, false);
  app->add_flag("--json", json, "print the result as one JSON object on stdout instead of text");
}

int InfoCommand::run() const {
  auto g = load_graph(graph, NeedProbabilities::if_present);
  const GraphSummary s = summarize(g.graph);
  if (!json) {
    std::cout << to_string(s);
    return 0;
  }
  Json j;
  j["accounts"] = s.vertices;
  j["edges"] = s.edges;
  j["reciprocal_edges"] = s.reciprocal_edges;
  j["self_loops"] = s.self_loops;
  j["mean_degree"] = s.mean_degree;
  j["max_out_degree"] = s.max_out_degree;
  j["max_in_degree"] = s.max_in_degree;
  j["sources"] = s.sources;
  j["sinks"] = s.sinks;
  j["strong_components"] = s.strong_components;
  j["largest_strong_component"] = s.largest_strong_component;
  j["weak_components"] = s.weak_components;
  j["largest_weak_component"] = s.largest_weak_component;
  j["probabilities"] = g.probabilities.json();
  print_json(j);
  return 0;
}

void ConvertCommand::add(CLI::App& tool) {
  app = tool.add_subcommand("convert", "save a graph as a binary snapshot (.kgs) for fast loading");
  add_graph_args(app, graph, false);
  app->add_option("output", output, "snapshot path")->required();
  app->add_flag("--with-probabilities", with_probabilities,
                "store probabilities: the stored or column ones, else -p (default weighted cascade)");
  app->add_flag("--json", json, "print the result as one JSON object on stdout instead of text");
}

int ConvertCommand::run() const {
  check_output_path(output);
  auto g = load_graph(graph, with_probabilities ? NeedProbabilities::required : NeedProbabilities::if_present);
  save_snapshot(g.graph, output, graph.threads_value());
  std::ostringstream checksum;
  checksum << std::hex << graph_checksum(g.graph, graph.threads_value());
  if (json) {
    Json j;
    j["output"] = output;
    j["accounts"] = g.graph.num_vertices();
    j["edges"] = g.graph.num_edges();
    j["probabilities"] = g.probabilities.json();
    j["checksum"] = checksum.str();
    print_json(j);
  }
  std::cerr << "wrote " << output << " (" << (g.graph.has_probabilities() ? "with" : "without")
            << " probabilities, checksum " << checksum.str() << ")\n";
  return 0;
}

void GenerateCommand::add(CLI::App& tool) {
  app = tool.add_subcommand("generate",
                            "stream a Chung-Lu follower graph into a snapshot (.kgs) without building it in memory");
  app->add_option("--out", output, "snapshot path")->required();
  app->add_option("--accounts", accounts, "number of accounts n")->required();
  app->add_option("--degree", degree, "average degree (edges = about n x degree)");
  app->add_option("--out-exponent", out_exponent, "power-law exponent of follower counts (out-degrees)");
  app->add_option("--in-exponent", in_exponent, "power-law exponent of followee counts (in-degrees)");
  app->add_option("-p,--probabilities", probabilities, "wc | const:P | none (stored implicitly: no bytes per edge)");
  app->add_option("--seed", seed, "random seed (the file does not depend on --threads)");
  app->add_option("--threads", threads, "threads (0 = all)");
  app->add_option("--memory-mib", memory_mib, "MiB for the transpose buffer (more = fewer passes)");
  app->add_flag("--json", json, "print the result as one JSON object on stdout instead of text");
}

int GenerateCommand::run() const {
  check_output_path(output);
  StreamChungLuOptions o;
  const auto n = parse_unsigned("--accounts", accounts, 2, max_vertices);
  const double d = parse_real("--degree", degree, 1e-9, static_cast<double>(n - 1));
  o.out_exponent = parse_real("--out-exponent", out_exponent, 2.000001, 1e6);
  o.in_exponent = parse_real("--in-exponent", in_exponent, 2.000001, 1e6);
  o.seed = parse_unsigned("--seed", seed);
  o.threads = static_cast<int>(parse_unsigned("--threads", threads, 0, static_cast<std::uint64_t>(max_threads())));
  o.memory_budget = parse_unsigned("--memory-mib", memory_mib, 4, std::uint64_t{1} << 24) << 20;
  if (probabilities == "wc") {
    o.kind = ProbabilityKind::weighted_cascade;
  } else if (probabilities == "none") {
    o.probabilities = false;
  } else if (probabilities.rfind("const:", 0) == 0) {
    o.kind = ProbabilityKind::constant;
    o.constant = static_cast<prob_t>(parse_real("--probabilities", probabilities.substr(6), 0.0, 1.0));
  } else {
    throw UsageError("--probabilities must be wc, const:P or none, got '" + probabilities + "'");
  }
  const auto r = stream_chung_lu(output, static_cast<vertex_t>(n), d, o);
  if (json) {
    Json j;
    j["output"] = output;
    j["accounts"] = r.n;
    j["edges"] = r.m;
    j["file_bytes"] = r.file_bytes;
    j["transpose_passes"] = r.transpose_passes;
    j["seconds"] = r.seconds;
    print_json(j);
  }
  std::cerr << "wrote " << output << " (" << r.n << " accounts, " << r.m << " edges, " << r.file_bytes << " bytes, "
            << r.transpose_passes << " transpose passes, " << r.seconds << " s)\n";
  return 0;
}

void SpreadCommand::add(CLI::App& tool) {
  app = tool.add_subcommand("spread", "estimate the spread of given seed accounts (Monte Carlo)");
  add_graph_args(app, graph, true);
  app->add_option("--seeds", seeds, "comma-separated account ids")->required();
  app->add_option("--trials", trials, "Monte Carlo trials (1 .. 2^38)");
  app->add_option("--deadline", deadline, "count only activations within this many steps (default: no limit)");
  app->add_option("--hours", hours,
                  "continuous time: reach by each of these hours (comma-separated, increasing), with standard "
                  "errors, under the IC with an exponential delay per live edge");
  app->add_option("--delay-hours", delay_hours, "with --hours: mean delay of a live edge in hours (default 1)");
  app->add_option("--track", track,
                  "with --hours: comma-separated account ids whose first-reach times to report (probability by "
                  "each hour, mean and median given reached, with standard errors)");
  app->add_flag("--json", json, "print the result as one JSON object on stdout instead of text");
}

namespace {

/// What `spread --hours` computed: the reach curve at `hours`, first-reach times of `tracked`.
struct ContinuousSpread {
  std::vector<double> hours;
  std::vector<account_t> tracked;
  double mean_delay_hours = 0;
  std::size_t seeds = 0;
  ReachCurve curve;
  double seconds = 0;
};

/// One --track account's first-reach times (a = its row) as a JSON object.
Json first_reach_json(const ContinuousSpread& s, std::size_t a) {
  const FirstReachTimes& f = s.curve.first_reach;
  const std::size_t nt = s.hours.size();
  auto in_hours = [](double x) { return std::isfinite(x) ? Json(x / 3600.0) : Json(nullptr); };
  auto row_of = [&](const std::vector<double>& v) {
    return std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(a * nt),
                               v.begin() + static_cast<std::ptrdiff_t>((a + 1) * nt));
  };
  Json row;
  row["account"] = s.tracked[a];
  row["probability"] = row_of(f.probability);
  row["probability_se"] = row_of(f.probability_se);
  row["reached_trials"] = f.reached[a];
  row["mean_hours"] = f.reached[a] ? in_hours(f.mean[a]) : Json(nullptr);
  row["mean_se_hours"] = f.reached[a] ? in_hours(f.mean_se[a]) : Json(nullptr);
  row["median_hours"] = f.reached[a] ? in_hours(f.median[a]) : Json(nullptr);
  row["median_se_hours"] = f.reached[a] ? in_hours(f.median_se[a]) : Json(nullptr);
  return row;
}

/// `spread --hours --json`: one JSON object.
void print_continuous_json(const ContinuousSpread& s, const ProbabilityUse& probabilities) {
  const ReachCurve& r = s.curve;
  Json j;
  j["model"] = "continuous_ic";
  j["probabilities"] = probabilities.json();
  j["mean_delay_hours"] = s.mean_delay_hours;
  j["seeds"] = s.seeds;
  j["trials"] = r.trials;
  j["hours"] = s.hours;
  j["reach"] = r.mean;
  j["std_error"] = r.std_error;
  Json q05 = Json::array(), q95 = Json::array();
  for (std::size_t t = 0; t < s.hours.size(); ++t) {
    q05.push_back(r.quantile(t, 0.05));
    q95.push_back(r.quantile(t, 0.95));
  }
  j["q05"] = q05;
  j["q95"] = q95;
  j["seconds"] = s.seconds;
  j["first_reach"] = Json::array();
  for (std::size_t a = 0; a < s.tracked.size(); ++a) j["first_reach"].push_back(first_reach_json(s, a));
  print_json(j);
}

/// `spread --hours` as text: the reach table, then a line per --track account.
void print_continuous_text(const ContinuousSpread& s) {
  const ReachCurve& r = s.curve;
  const FirstReachTimes& f = r.first_reach;
  const std::vector<double>& hours = s.hours;
  const std::size_t nt = hours.size();
  std::cout << std::fixed << std::setprecision(2) << "continuous-time IC, mean delay " << s.mean_delay_hours
            << " h per live edge: " << r.trials << " trials in " << s.seconds
            << " s\n   hours    mean reach   std error     5%    95%\n";
  for (std::size_t t = 0; t < nt; ++t)
    std::cout << std::setw(8) << hours[t] << std::setw(14) << r.mean[t] << std::setw(12) << r.std_error[t]
              << std::setw(7) << std::setprecision(0) << r.quantile(t, 0.05) << std::setw(7) << r.quantile(t, 0.95)
              << std::setprecision(2) << "\n";
  if (!s.tracked.empty())
    std::cout << "first reach (hours; mean and median given reached by " << hours.back() << " h):\n";
  for (std::size_t a = 0; a < s.tracked.size(); ++a) {
    std::cout << "account " << s.tracked[a] << ":";
    for (std::size_t t = 0; t < nt; ++t)
      std::cout << std::setprecision(3) << " P(by " << std::setprecision(2) << hours[t] << " h) "
                << std::setprecision(3) << f.probability[a * nt + t] << " +/- " << f.probability_se[a * nt + t] << ",";
    std::cout << std::setprecision(2);
    if (f.reached[a] == 0)
      std::cout << " never reached\n";
    else
      std::cout << " mean " << f.mean[a] / 3600.0 << " +/- " << f.mean_se[a] / 3600.0 << ", median "
                << f.median[a] / 3600.0 << " +/- " << f.median_se[a] / 3600.0 << "\n";
  }
}

/// spread --hours: continuous_reach at the given hours, and first-reach times of --track.
int run_continuous_spread(const SpreadCommand& c) {
  if (c.app->count("--deadline")) throw UsageError("--deadline counts steps; with --hours the deadline is the last hour");
  const auto accounts = parse_seed_list(c.seeds);
  ContinuousSpread s;
  s.hours = parse_hours_list("--hours", c.hours);
  const ContinuousIC model = continuous_model(c.graph, c.delay_hours);
  s.mean_delay_hours = 1.0 / (3600.0 * model.default_rate);
  ContinuousOptions o;
  for (double h : s.hours) o.times.push_back(3600.0 * h);
  o.default_rate = model.default_rate;
  o.trials = parse_trials("--trials", c.trials, false);
  o.seed = c.graph.seed_value();
  o.threads = c.graph.threads_value();
  if (!c.track.empty()) s.tracked = parse_seed_list(c.track);
  auto g = load_graph(c.graph, NeedProbabilities::required);
  std::vector<vertex_t> seed_set;
  for (account_t a : accounts) seed_set.push_back(g.graph.index_of(a));
  for (account_t a : s.tracked) o.track.push_back(g.graph.index_of(a));
  s.seeds = seed_set.size();
  o.stop = progress_token("continuous reach");
  const Stopwatch clock;
  s.curve = continuous_reach(g.graph, std::span<const vertex_t>(seed_set), o);
  s.seconds = clock.seconds();
  end_progress();
  if (c.json)
    print_continuous_json(s, g.probabilities);
  else
    print_continuous_text(s);
  return 0;
}

}  // namespace

int SpreadCommand::run() const {
  if (!hours.empty()) return run_continuous_spread(*this);
  if (app->count("--delay-hours") || app->count("--track"))
    throw UsageError(std::string(app->count("--track") ? "--track" : "--delay-hours") +
                     " needs --hours (continuous time)");
  const auto accounts = parse_seed_list(seeds);
  MonteCarloOptions mc;
  mc.trials = parse_trials("--trials", trials, false);
  mc.seed = graph.seed_value();
  mc.threads = graph.threads_value();
  if (auto d = parse_deadline(deadline)) mc.max_steps = *d;
  auto g = load_graph(graph, NeedProbabilities::required);
  std::vector<vertex_t> seed_set;
  for (account_t a : accounts) seed_set.push_back(g.graph.index_of(a));
  mc.stop = progress_token("estimating spread");
  mc.progress = progress_reporter();
  // Under mpirun only ic and lt get here on every rank (main.cpp); the others run on rank 0 alone.
  const auto shared = backend_spread(g.graph, graph.model, seed_set, mc);
  auto est = shared ? *shared : with_spread_model(graph, [&](auto model) {
    return estimate_spread(g.graph, model, std::span<const vertex_t>(seed_set), mc);
  });
  end_progress();
  if (json) {
    Json j;
    j["model"] = graph.model;
    j["probabilities"] = g.probabilities.json();
    j["seeds"] = seed_set.size();
    j["trials"] = est.trials;
    j["spread"] = est.mean;
    j["std_error"] = est.std_error;
    j["ci95"] = {est.ci_low, est.ci_high};
    j["seconds"] = est.seconds;
    j["new_per_step"] = est.new_per_step;
    print_json(j);
  } else {
    std::cout << std::fixed << std::setprecision(2) << "spread " << est.mean << " +/- " << est.std_error
              << " (95% CI " << est.ci_low << " .. " << est.ci_high << ") from " << est.trials << " trials in "
              << est.seconds << " s\nstep  mean new accounts\n";
    for (std::size_t t = 0; t < est.new_per_step.size(); ++t)
      std::cout << std::setw(4) << t << "  " << std::setw(12) << est.new_per_step[t] << "\n";
  }
  return 0;
}

namespace {

/// What kind of answer a selection method gives: RR sets and Monte Carlo greedy estimate the
/// spread they add (marginal gains); heuristics only rank accounts by a score.
enum class MethodKind { rr, monte_carlo, heuristic };

struct MethodInfo {
  const char* name;
  MethodKind kind;
  const char* score;  ///< the column of the text output
};

constexpr MethodInfo method_table[] = {
    {"imm", MethodKind::rr, "marginal gain"},
    {"opim-c", MethodKind::rr, "marginal gain"},
    {"greedy", MethodKind::monte_carlo, "marginal gain"},
    {"celf", MethodKind::monte_carlo, "marginal gain"},
    {"celf++", MethodKind::monte_carlo, "marginal gain"},
    {"degree", MethodKind::heuristic, "followers"},
    {"degree-discount", MethodKind::heuristic, "discounted degree"},
    {"pagerank", MethodKind::heuristic, "pagerank"},
    {"core", MethodKind::heuristic, "core number"},
    {"katz", MethodKind::heuristic, "katz"},
    {"eigenvector", MethodKind::heuristic, "eigenvector"},
};

const MethodInfo& method_info(const std::string& name) {
  for (const auto& m : method_table)
    if (name == m.name) return m;
  throw UsageError("--method: unknown method '" + name + "'");
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

}  // namespace

std::vector<std::string> select_methods() {
  std::vector<std::string> out;
  for (const auto& m : method_table) out.emplace_back(m.name);
  return out;
}

void SelectCommand::add(CLI::App& tool) {
  app = tool.add_subcommand("select", "choose k seed accounts");
  add_graph_args(app, graph, true);
  app->add_option("-k", k, "number of seeds (>= 1)");
  app->add_option("--method", method,
                  "imm | opim-c (RR sets, approximation guarantee) | greedy | celf | celf++ (Monte Carlo greedy; "
                  "celf and celf++ are its lazy forms) | degree | degree-discount | pagerank | core | katz | "
                  "eigenvector (heuristics: a ranking, no spread estimate); the names of Python's select_seeds")
      ->check(CLI::IsMember(select_methods()));
  app->add_option("--epsilon", epsilon, "approximation slack for imm / opim-c (0 < epsilon < 1)");
  app->add_option("--trials", trials, "live-edge worlds of the Monte Carlo greedy methods (greedy, celf, celf++)");
  app->add_option("--check-trials", check_trials, "independent Monte Carlo trials for the spread check (0 = none)");
  app->add_option("--deadline-hours", deadline_hours,
                  "time-critical selection (imm, opim-c): maximise the reach within this many hours under the "
                  "continuous-time IC (an exponential delay per live edge)");
  app->add_option("--delay-hours", delay_hours, "with --deadline-hours: mean delay of a live edge in hours (default 1)");
  app->add_flag("--json", json, "print the result as one JSON object on stdout instead of text");
}

namespace {

/// select --deadline-hours: IMM / OPIM-C on time-critical RR sets, checked by continuous_reach.
int run_time_critical_select(const SelectCommand& c) {
  if (c.method != "imm" && c.method != "opim-c")
    throw UsageError("--deadline-hours applies to --method imm and opim-c, not " + c.method);
  if (c.app->count("--trials")) throw UsageError("--trials applies to --method greedy, celf and celf++, not " + c.method);
  const std::size_t kk = parse_unsigned("-k", c.k, 1, std::numeric_limits<vertex_t>::max());
  const double eps = parse_epsilon(c.epsilon);
  const std::uint64_t check = parse_trials("--check-trials", c.check_trials, true);
  const double hours = parse_real("--deadline-hours", c.deadline_hours, 0.0, 1e12);
  ContinuousIC model = continuous_model(c.graph, c.delay_hours);
  model.horizon = 3600.0 * hours;
  const std::uint64_t seed = c.graph.seed_value();
  const int threads = c.graph.threads_value();
  auto g = load_graph(c.graph, NeedProbabilities::required);
  SelectResult r;
  if (c.method == "imm") {
    ImmOptions o;
    o.epsilon = eps;
    o.seed = seed;
    o.threads = threads;
    o.stop = progress_token(c.method);
    o.progress = progress_reporter();
    r = imm(g.graph, model, kk, o);
  } else {
    OpimOptions o;
    o.epsilon = eps;
    o.seed = seed;
    o.threads = threads;
    o.stop = progress_token(c.method);
    o.progress = progress_reporter();
    r = opim_c(g.graph, model, kk, o);
  }
  ReachCurve est;
  if (check > 0) {
    ContinuousOptions co;
    co.times = {model.horizon};
    co.default_rate = model.default_rate;
    co.trials = check;
    co.seed = seed + 1;  // independent of the selector's own streams
    co.threads = threads;
    co.stop = progress_token("checking");
    est = continuous_reach(g.graph, std::span<const vertex_t>(r.seeds), co);
  }
  end_progress();
  if (c.json) {
    Json j;
    j["method"] = c.method;
    j["model"] = "continuous_ic";
    j["probabilities"] = g.probabilities.json();
    j["deadline_hours"] = hours;
    j["mean_delay_hours"] = 1.0 / (3600.0 * model.default_rate);
    j["k"] = kk;
    j["seconds"] = r.seconds;
    j["rr_sets"] = r.rr_sets;
    j["peak_bytes"] = r.peak_bytes;
    j["approximation"] = r.approximation;
    j["spread_estimate"] = r.spread;
    if (check > 0) j["spread_check"] = {{"mean", est.mean[0]}, {"std_error", est.std_error[0]}, {"trials", est.trials}};
    j["seeds"] = Json::array();
    for (vertex_t v : r.seeds) j["seeds"].push_back(g.graph.account(v));
    j["marginal_gains"] = r.marginal_gains;
    print_json(j);
    return 0;
  }
  std::cout << std::fixed << std::setprecision(3) << c.method << " within " << hours << " h (mean delay "
            << 1.0 / (3600.0 * model.default_rate) << " h per live edge): " << r.seeds.size() << " seeds in "
            << r.seconds << " s, " << r.rr_sets << " RR sets";
  if (r.approximation > 0) std::cout << ", approximation >= " << r.approximation;
  std::cout << "\n" << std::setprecision(1) << "selector's reach estimate within the deadline " << r.spread << "\n";
  if (check > 0)
    std::cout << "independent Monte Carlo check " << est.mean[0] << " +/- " << est.std_error[0] << " (" << est.trials
              << " trials)\n";
  std::cout << "rank     account  marginal gain\n";
  for (std::size_t i = 0; i < r.seeds.size(); ++i)
    std::cout << std::setw(4) << i + 1 << std::setw(12) << g.graph.account(r.seeds[i]) << std::setw(15)
              << (i < r.marginal_gains.size() ? r.marginal_gains[i] : 0.0) << "\n";
  return 0;
}

}  // namespace

namespace {

/// Options of type O with the settings every selector of `select` shares: seed, threads, and
/// the progress display of `method`.
template <class O>
O selector_options(std::uint64_t seed, int threads, const std::string& method) {
  O o;
  o.seed = seed;
  o.threads = threads;
  o.stop = progress_token(method);
  o.progress = progress_reporter();
  return o;
}

/// Runs the selector `c.method` for kk seeds on g.
SelectResult run_selector(const SelectCommand& c, const MethodInfo& info, const LoadedGraph& g, std::size_t kk,
                          double eps, std::uint64_t greedy_trials) {
  const std::string& method = c.method;
  const std::uint64_t seed = c.graph.seed_value();
  const int threads = c.graph.threads_value();
  return with_model(c.graph, [&](auto model) -> SelectResult {
    if (info.kind == MethodKind::rr) {
      if (method == "imm") {
        auto o = selector_options<ImmOptions>(seed, threads, method);
        o.epsilon = eps;
        if (auto r = backend_imm(g.graph, c.graph.model, kk, o)) return *r;
        return imm(g.graph, model, kk, o);
      }
      auto o = selector_options<OpimOptions>(seed, threads, method);
      o.epsilon = eps;
      if (auto r = backend_opim_c(g.graph, c.graph.model, kk, o)) return *r;
      return opim_c(g.graph, model, kk, o);
    }
    if (info.kind == MethodKind::monte_carlo) {
      auto o = selector_options<GreedyOptions>(seed, threads, method);
      o.trials = greedy_trials;
      if (method == "greedy") return greedy(g.graph, model, kk, o);
      if (method == "celf") return celf(g.graph, model, kk, o);
      return celf_plus_plus(g.graph, model, kk, o);
    }
    SelectOptions o;
    o.seed = seed;
    o.threads = threads;
    if (method == "degree") return top_degree(g.graph, kk, o);
    if (method == "degree-discount") {
      // p defaults to the mean edge probability, as in Python's select_seeds.
      const double p = g.probabilities.mean >= 0 ? g.probabilities.mean : 0.01;
      return degree_discount(g.graph, kk, static_cast<prob_t>(p), o);
    }
    if (method == "pagerank") return top_pagerank(g.graph, kk, o);
    if (method == "core") return top_core_number(g.graph, kk, o);
    if (method == "katz") return top_katz(g.graph, kk, o);
    return top_eigenvector(g.graph, kk, o);
  });
}

/// `select --json`: the selection and its check (est, when check > 0) as one JSON object.
void print_select_json(const SelectCommand& c, const MethodInfo& info, const LoadedGraph& g, std::size_t kk,
                       const SelectResult& r, std::uint64_t check, const SpreadEstimate& est) {
  const bool heuristic = info.kind == MethodKind::heuristic;
  Json j;
  j["method"] = c.method;
  j["model"] = c.graph.model;
  j["probabilities"] = g.probabilities.json();
  j["k"] = kk;
  j["seconds"] = r.seconds;
  if (info.kind == MethodKind::rr) {
    j["rr_sets"] = r.rr_sets;
    j["peak_bytes"] = r.peak_bytes;
    j["approximation"] = r.approximation;
  }
  if (info.kind == MethodKind::monte_carlo) j["trials"] = r.trials;
  // Heuristics estimate no spread: their field is null, never 0.
  j["spread_estimate"] = heuristic ? Json(nullptr) : Json(r.spread);
  if (check > 0) j["spread_check"] = {{"mean", est.mean}, {"std_error", est.std_error}, {"trials", est.trials}};
  j["seeds"] = Json::array();
  for (vertex_t v : r.seeds) j["seeds"].push_back(g.graph.account(v));
  j[heuristic ? "scores" : "marginal_gains"] = r.marginal_gains;
  print_json(j);
}

/// `select` as text: a summary line, the spread estimate and its check, then the ranked seeds.
void print_select_text(const SelectCommand& c, const MethodInfo& info, const LoadedGraph& g, const SelectResult& r,
                       std::uint64_t greedy_trials, std::uint64_t check, const SpreadEstimate& est) {
  const bool heuristic = info.kind == MethodKind::heuristic;
  const std::string& method = c.method;
  std::cout << std::fixed << std::setprecision(3) << method << ": " << r.seeds.size() << " seeds in " << r.seconds
            << " s";
  if (r.rr_sets) std::cout << ", " << r.rr_sets << " RR sets";
  if (info.kind == MethodKind::monte_carlo) std::cout << ", " << greedy_trials << " live-edge worlds";
  if (r.peak_bytes) std::cout << ", " << r.peak_bytes / 1e6 << " MB";
  if (r.approximation > 0) std::cout << ", approximation >= " << r.approximation;
  std::cout << "\n" << std::setprecision(1);
  if (heuristic)
    std::cout << "heuristic ranking by " << info.score << ": no spread estimate of its own\n";
  else
    std::cout << "selector's spread estimate " << r.spread << "\n";
  if (check > 0)
    std::cout << "independent Monte Carlo check " << est.mean << " +/- " << est.std_error << " (" << est.trials
              << " trials)\n";
  const std::string col = info.score;
  const int width = static_cast<int>(std::max<std::size_t>(col.size(), 12) + 2);
  std::cout << "rank     account" << std::setw(width) << col << "\n";
  if (!heuristic || method == "degree" || method == "degree-discount" || method == "core")
    std::cout << std::setprecision(heuristic ? 0 : 1);
  else
    std::cout << std::defaultfloat << std::setprecision(6);
  for (std::size_t i = 0; i < r.seeds.size(); ++i) {
    std::cout << std::setw(4) << i + 1 << std::setw(12) << g.graph.account(r.seeds[i]) << std::setw(width);
    if (i < r.marginal_gains.size())
      std::cout << r.marginal_gains[i];
    else
      std::cout << "-";
    std::cout << "\n";
  }
}

}  // namespace

int SelectCommand::run() const {
  if (!deadline_hours.empty()) return run_time_critical_select(*this);
  if (app->count("--delay-hours")) throw UsageError("--delay-hours needs --deadline-hours (continuous time)");
  const MethodInfo& info = method_info(method);
  const std::size_t kk = parse_unsigned("-k", k, 1, std::numeric_limits<vertex_t>::max());
  const double eps = parse_epsilon(epsilon);
  if (app->count("--epsilon") && info.kind != MethodKind::rr)
    throw UsageError("--epsilon applies to --method imm and opim-c, not " + method);
  const std::uint64_t greedy_trials = parse_trials("--trials", trials, false);
  if (app->count("--trials") && info.kind != MethodKind::monte_carlo)
    throw UsageError("--trials applies to --method greedy, celf and celf++, not " + method);
  const std::uint64_t check = parse_trials("--check-trials", check_trials, true);
  const std::uint64_t seed = graph.seed_value();
  const int threads = graph.threads_value();
  auto g = load_graph(graph, NeedProbabilities::required);
  const SelectResult r = run_selector(*this, info, g, kk, eps, greedy_trials);
  end_progress();
  SpreadEstimate est;
  if (check > 0) {
    // The selection read the in-rows of a mapped snapshot, the check reads the out-rows: let go
    // of the first side's pages so a billion-edge graph does not hold both (no-op when not mapped).
    g.graph.release_mapped_pages();
    MonteCarloOptions mc;
    mc.trials = check;
    mc.seed = seed + 1;  // independent of the selector's own streams
    mc.threads = threads;
    const auto shared = backend_spread(g.graph, graph.model, r.seeds, mc);
    est = shared ? *shared : with_model(graph, [&](auto model) { return estimate_spread(g.graph, model, r.seeds, mc); });
  }
  if (json)
    print_select_json(*this, info, g, kk, r, check, est);
  else
    print_select_text(*this, info, g, r, greedy_trials, check, est);
  return 0;
}

namespace {

void add_plan_args(CLI::App* app, PlanArgs& a) {
  add_graph_args(app, a.graph, true);
  app->add_option("--roster", a.roster, "roster CSV (account,fee[,risk,platform,tags])")->required()->check(CLI::ExistingFile);
  app->add_option("--audience", a.audience,
                  "audience CSV (account and group and/or weight): maximise the weighted reach of these accounts "
                  "and report reach per group")
      ->check(CLI::ExistingFile);
  app->add_option("--other-weight", a.other_weight,
                  "weight of the accounts --audience does not list (0 = count only the audience)");
  app->add_option("--group-min", a.group_minimums,
                  "GROUP=COUNT: reach at least COUNT accounts of an --audience group (repeatable)");
  app->add_option("--budget", a.budget, "total fees allowed (0 = no budget)");
  app->add_option("--max-kols", a.max_kols, "at most this many KOLs (0 = no limit)");
  app->add_option("--max-risk", a.max_risk, "never choose KOLs riskier than this (0 .. 1)");
  app->add_option("--deadline", a.deadline, "count only reach within this many steps (default: no limit)");
  app->add_option("--deadline-hours", a.deadline_hours,
                  "continuous time: count only reach within this many hours (IC with an exponential delay per live "
                  "edge; time-critical RR sets)");
  app->add_option("--delay-hours", a.delay_hours, "with --deadline-hours: mean delay of a live edge in hours (default 1)");
  app->add_option("--platform-delay", a.platform_delays,
                  "PLATFORM=HOURS: with --deadline-hours, the mean delay of the out-edges of the roster's KOLs on "
                  "PLATFORM (repeatable)");
  app->add_option("--epsilon", a.epsilon, "approximation slack (0 < epsilon < 1)");
  app->add_option("--check-trials", a.check_trials, "independent Monte Carlo trials for the check (0 = none)");
  app->add_option("--record", a.record, "also write the run record (JSON) to this file, atomically");
  app->add_flag("--json", a.json, "print the run record as one JSON object on stdout instead of the table");
}

/// The campaign spec from the options (everything checked before any reading).
CampaignSpec plan_spec(const PlanArgs& a) {
  CampaignSpec spec;
  const double b = parse_real("--budget", a.budget, 0.0, std::numeric_limits<double>::max());
  spec.budget = b > 0 ? b : std::numeric_limits<double>::infinity();
  spec.max_kols = parse_unsigned("--max-kols", a.max_kols);
  spec.max_risk = parse_real("--max-risk", a.max_risk, 0.0, 1.0);
  if (auto d = parse_deadline(a.deadline)) spec.deadline = *d;
  if (!a.deadline_hours.empty()) {
    if (!a.deadline.empty()) throw UsageError("give --deadline (steps) or --deadline-hours (continuous time), not both");
    spec.deadline_hours = parse_real("--deadline-hours", a.deadline_hours, 0.0, 1e12);
    continuous_model(a.graph, a.delay_hours);  // checks --model and --delay-hours now
  } else if (a.graph.app && (a.graph.app->count("--delay-hours") || a.graph.app->count("--platform-delay"))) {
    throw UsageError(std::string(a.graph.app->count("--delay-hours") ? "--delay-hours" : "--platform-delay") +
                     " needs --deadline-hours (continuous time)");
  }
  spec.epsilon = parse_epsilon(a.epsilon);
  spec.seed = a.graph.seed_value();
  spec.threads = a.graph.threads_value();
  spec.check_trials = parse_trials("--check-trials", a.check_trials, true);
  if (!std::isfinite(spec.budget) && spec.max_kols == 0) throw UsageError("give --budget and/or --max-kols");
  parse_real("--other-weight", a.other_weight, 0.0, std::numeric_limits<double>::max());
  if (a.audience.empty() && a.graph.app && a.graph.app->count("--other-weight"))
    throw UsageError("--other-weight needs --audience (the CSV of the accounts that count)");
  if (!a.group_minimums.empty() && a.audience.empty())
    throw UsageError("--group-min needs --audience (the CSV that puts accounts in groups)");
  for (const auto& gm : a.group_minimums) {
    const auto eq = gm.rfind('=');
    if (eq == std::string::npos || eq == 0) throw UsageError("--group-min must be GROUP=COUNT, got '" + gm + "'");
    spec.group_minimums.emplace_back(gm.substr(0, eq),
                                     parse_real("--group-min " + gm.substr(0, eq), gm.substr(eq + 1), 0.0,
                                                std::numeric_limits<double>::max()));
  }
  if (!a.record.empty()) check_output_path(a.record);  // fail now, not after the computation
  return spec;
}

/// Runs f(model): the continuous-time IC (delays from --delay-hours and --platform-delay) with
/// --deadline-hours, else --model's IC or LT.
template <class F>
auto with_plan_model(const PlanArgs& a, const FollowerGraph& g, const Roster& roster, F&& f) {
  if (a.deadline_hours.empty()) return with_model(a.graph, std::forward<F>(f));
  ContinuousIC m = continuous_model(a.graph, a.delay_hours);
  if (!a.platform_delays.empty()) {
    std::map<std::string, double> hours;
    for (const auto& pd : a.platform_delays) {
      const auto eq = pd.rfind('=');
      if (eq == std::string::npos || eq == 0) throw UsageError("--platform-delay must be PLATFORM=HOURS, got '" + pd + "'");
      const double h = parse_real("--platform-delay " + pd.substr(0, eq), pd.substr(eq + 1), 0.0, 1e12);
      if (h <= 0) throw UsageError("--platform-delay " + pd.substr(0, eq) + " must be > 0 hours");
      hours[pd.substr(0, eq)] = h;
    }
    m.rate = platform_delay_rates(g, roster, hours, m.default_rate);
  }
  return f(m);
}

AudienceOptions audience_options(const PlanArgs& a) {
  AudienceOptions o;
  o.other_weight = parse_real("--other-weight", a.other_weight, 0.0, std::numeric_limits<double>::max());
  return o;
}

/// The plan's run record with the probabilities used.
Json plan_record(const CampaignPlan& plan, const LoadedGraph& g) {
  Json record = Json::parse(plan.to_json());
  record["probabilities"] = g.probabilities.json();
  return record;
}

#ifndef KOLSIM_PYTHON_EXECUTABLE
#define KOLSIM_PYTHON_EXECUTABLE "python3"
#endif
#ifndef KOLSIM_BUILD_PYTHONPATH
#define KOLSIM_BUILD_PYTHONPATH ""
#endif

/// Writes the report page of `record` to `html` with the one page writer there is, the kolsim
/// Python package (`python3 -m kolsim.report_html RECORD HTML`, which writes atomically), so the
/// CLI page and plan.save_html() are the same page. The interpreter is $KOLSIM_PYTHON, else the
/// one kolsim was built for; the build tree's package is put first on PYTHONPATH when it exists.
void write_report_html(const Json& record, const std::string& html) {
  namespace fs = std::filesystem;
  const fs::path target = fs::absolute(html);
  const std::string dir = target.parent_path().string();
  std::string tmp = (fs::path(dir) / ".kolsim-record-XXXXXX").string();
  std::vector<char> name(tmp.begin(), tmp.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) throw IoError(html + ": cannot create a temporary file in " + dir + ": " + std::strerror(errno));
  ::close(fd);
  tmp.assign(name.data());
  struct Remove {
    std::string path;
    ~Remove() { std::remove(path.c_str()); }
  } remove_tmp{tmp};
  write_file_atomic(tmp, detail::json_text(record));

  const char* env_python = std::getenv("KOLSIM_PYTHON");
  const std::string python = env_python && *env_python ? env_python : KOLSIM_PYTHON_EXECUTABLE;
  const std::string build_path = KOLSIM_BUILD_PYTHONPATH;
  std::error_code ec;
  if (!build_path.empty() && fs::exists(fs::path(build_path) / "kolsim" / "report_html.py", ec)) {
    const char* old = std::getenv("PYTHONPATH");
    const std::string value = build_path + (old && *old ? ":" + std::string(old) : std::string());
    ::setenv("PYTHONPATH", value.c_str(), 1);
  }
  std::vector<std::string> args{python, "-m", "kolsim.report_html", tmp, target.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::cout.flush();
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, python.c_str(), nullptr, nullptr, argv.data(), environ);
  if (rc != 0)
    throw IoError("--html: cannot run " + python + " (" + std::strerror(rc) +
                  "); the report page is written by the kolsim Python package (set KOLSIM_PYTHON)");
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw IoError("--html: `" + python + " -m kolsim.report_html` failed (exit " +
                  std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) +
                  ", its message above); the report page needs the kolsim Python package with matplotlib, "
                  "importable by " + python + " (set KOLSIM_PYTHON to choose the interpreter)");
}

}  // namespace

void PlanCommand::add(CLI::App& tool) {
  app = tool.add_subcommand("plan", "plan a KOL campaign from a roster CSV (account,fee[,risk,platform,tags])");
  add_plan_args(app, plan);
  app->add_option("--html", html,
                  "also write the report page (one self-contained HTML file: KOL table, plots, assumptions, run "
                  "record; the same page as Python's plan.save_html) to this file, atomically");
}

int PlanCommand::run() const {
  CampaignSpec spec = plan_spec(plan);
  if (!html.empty()) check_output_path(html);  // fail now, not after the computation
  auto g = load_graph(plan.graph, NeedProbabilities::required);
  const Roster r = read_roster(plan.roster, g.graph);
  if (!plan.audience.empty()) spec.audience = read_audience(plan.audience, g.graph, audience_options(plan));
  spec.stop = progress_token("planning");
  spec.progress = progress_reporter();
  auto result = with_plan_model(plan, g.graph, r, [&](auto model) {
    if (auto shared = backend_plan(g.graph, model, r, spec)) return std::move(*shared);  // under mpirun
    return plan_campaign(g.graph, model, r, spec);
  });
  end_progress();
  const Json record = plan_record(result, g);
  if (plan.json)
    print_json(record);
  else
    std::cout << result.to_table();
  if (!backend_writer()) return 0;  // under mpirun only rank 0 writes files
  if (!plan.record.empty()) {
    write_file_atomic(plan.record, detail::json_text(record));
    std::cerr << "wrote run record " << plan.record << "\n";
  }
  if (!html.empty()) {
    write_report_html(record, html);
    std::cerr << "wrote report page " << html << "\n";
  }
  return 0;
}

void ReplanCommand::add(CLI::App& tool) {
  app = tool.add_subcommand("replan",
                            "plan a campaign as `plan` does, then drop one chosen KOL (--drop): the reach lost and the "
                            "best replacements within the freed budget");
  add_plan_args(app, plan);
  app->add_option("--drop", drop, "account id of the KOL who drops out (one of the plan's KOLs)")->required();
}

int ReplanCommand::run() const {
  const account_t dropped = parse_unsigned("--drop", drop);
  CampaignSpec spec = plan_spec(plan);
  auto g = load_graph(plan.graph, NeedProbabilities::required);
  const Roster r = read_roster(plan.roster, g.graph);
  if (!plan.audience.empty()) spec.audience = read_audience(plan.audience, g.graph, audience_options(plan));
  spec.stop = progress_token("planning");
  spec.progress = progress_reporter();
  const StopToken stop = spec.stop;
  auto [before, after] = with_plan_model(plan, g.graph, r, [&](auto model) {
    auto p = plan_campaign(g.graph, model, r, spec);
    bool in_plan = false;
    for (const auto& k : p.kols) in_plan = in_plan || k.account == dropped;
    for (account_t a : p.contracted) in_plan = in_plan || a == dropped;
    if (!in_plan) {
      std::vector<std::string> chosen;
      for (const auto& k : p.kols) chosen.push_back(std::to_string(k.account));
      throw UsageError("--drop " + drop + " is not one of the plan's KOLs (" +
                       (chosen.empty() ? std::string("none") : join(chosen, ", ")) + ")");
    }
    auto rp = replan_without(g.graph, model, r, p, dropped, stop);
    return std::make_pair(std::move(p), std::move(rp));
  });
  end_progress();
  Json j;
  j["plan"] = plan_record(before, g);
  Json rj;
  rj["dropped"] = after.dropped;
  rj["dropped_fee"] = after.dropped_fee;
  rj["reach_with"] = after.reach_with;
  rj["reach_without"] = after.reach_without;
  rj["reach_lost"] = after.reach_lost;
  rj["reach_lost_se"] = after.reach_lost_se;
  rj["freed_budget"] = std::isfinite(after.freed_budget) ? Json(after.freed_budget) : Json(nullptr);
  rj["replacements"] = after.replacements;
  rj["reach_after"] = after.reach_after;
  rj["reach_after_se"] = after.reach_after_se;
  j["replan"] = rj;
  if (plan.json) {
    print_json(j);
  } else {
    std::cout << "plan before the drop:\n" << before.to_table() << "\n" << after.to_table();
    if (!after.replacements.empty()) std::cout << "\nre-plan:\n" << after.replacement.to_table();
  }
  if (!plan.record.empty()) {  // under mpirun replan runs on rank 0 alone (main.cpp)
    write_file_atomic(plan.record, detail::json_text(j));
    std::cerr << "wrote run record " << plan.record << "\n";
  }
  return 0;
}

}  // namespace kolsim::cli

namespace kolsim::cli {

// ---- competitive commands: compete (race estimate) and block (blocking selection) ----

namespace {

void add_competition_args(CLI::App* app, CompetitionArgs& a) {
  add_graph_args(app, a.graph, true);
  app->add_option("--misleading", a.misleading, "comma-separated account ids of the misleading campaign (F)")
      ->required();
  app->add_option("--tie-rule", a.tie_rule,
                  "--model ic: who wins a same-step tie: " + choice_names(tie_rule_choices));
  app->add_option("--delay", a.delay, "--model ic: steps after F at which the corrective seeds post");
  app->add_option("--deadline", a.deadline, "count only adoptions within this many steps (default: no limit)");
  app->add_flag("--json", a.json, "print the result as one JSON object on stdout instead of text");
}

/// Runs f(model) with the competitive model of --model (ic: CompetitiveIC on the one graph,
/// lt: CompetitiveLT, whose in-weights must sum to <= 1); rejects the IC-only options under lt.
/// --tie-rule and --delay of competitive IC, checked (the same for a graph and a multiplex).
std::pair<TieRule, std::uint32_t> tie_rule_and_delay(const std::string& tie_rule, const std::string& delay) {
  try {
    return {parse_tie_rule(tie_rule), static_cast<std::uint32_t>(parse_unsigned("--delay", delay, 0, 1u << 30))};
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--tie-rule: ") + e.what());
  }
}

template <class F>
auto with_competitive_model(const CompetitionArgs& a, const CLI::App* app, const FollowerGraph& g, F&& f) {
  if (a.graph.model != "ic" && a.graph.model != "lt")
    throw UsageError("--model " + a.graph.model + ": the competitive commands take ic or lt");
  if (a.graph.model == "lt") {
    if (app->count("--tie-rule") || app->count("--delay"))
      throw UsageError("--tie-rule and --delay apply to --model ic (in competitive LT both campaigns post at step 0)");
    return f(CompetitiveLT(g));
  }
  const auto [rule, delay] = tie_rule_and_delay(a.tie_rule, a.delay);
  return f(CompetitiveIC(g, rule, delay));
}

std::vector<vertex_t> seed_indices(const FollowerGraph& g, const std::string& list) {
  std::vector<vertex_t> out;
  for (account_t a : parse_seed_list(list)) out.push_back(g.index_of(a));
  return out;
}

/// The figures of a blocking selection after its seeds, the same keys for `block` and `multiplex --block`.
void add_blocking_figures(Json& j, const BlockingResult& r) {
  j["marginal_gains"] = r.marginal_gains;
  j["own_estimate"] = r.spread;
  j["reach_before"] = {{"mean", r.reach_before}, {"std_error", r.reach_before_error}};
  j["reach_after"] = {{"mean", r.reach_after}, {"std_error", r.reach_after_error}};
  j["saved"] = {{"mean", r.saved}, {"std_error", r.saved_error}};
  j["evaluation_trials"] = r.evaluation_trials;
  j["seconds"] = r.seconds;
}

Json count_json(const CountEstimate& c) {
  return Json{{"mean", c.mean}, {"std_error", c.std_error}, {"ci95", {c.ci_low, c.ci_high}}};
}

}  // namespace

void CompeteCommand::add(CLI::App& tool) {
  app = tool.add_subcommand("compete",
                            "estimate a race between a misleading and a corrective campaign (Monte Carlo; "
                            "--model ic: competitive IC, lt: competitive LT)");
  add_competition_args(app, race);
  app->add_option("--corrective", corrective, "comma-separated account ids of the corrective campaign (C)")
      ->required();
  app->add_option("--trials", trials, "Monte Carlo trials (1 .. 2^38)");
}

int CompeteCommand::run() const {
  CompetitionOptions co;
  co.trials = parse_trials("--trials", trials, false);
  co.seed = race.graph.seed_value();
  co.threads = race.graph.threads_value();
  if (auto d = parse_deadline(race.deadline)) co.max_steps = *d;
  auto g = load_graph(race.graph, NeedProbabilities::required);
  const auto f = seed_indices(g.graph, race.misleading);
  const auto c = seed_indices(g.graph, corrective);
  co.stop = progress_token("estimating the race");
  const CompetitiveEstimate e = with_competitive_model(race, app, g.graph, [&](const auto& model) {
    return estimate_competition(model, std::span<const vertex_t>(f), std::span<const vertex_t>(c), co);
  });
  end_progress();
  if (race.json) {
    Json j;
    j["model"] = race.graph.model == "lt" ? "competitive_lt" : "competitive_ic";
    j["probabilities"] = g.probabilities.json();
    j["trials"] = e.trials;
    j["misleading"] = count_json(e.misleading);
    j["corrective"] = count_json(e.corrective);
    j["misleading_alone"] = count_json(e.misleading_alone);
    j["saved"] = count_json(e.saved);
    j["misleading_per_step"] = e.misleading_per_step;
    j["corrective_per_step"] = e.corrective_per_step;
    j["seconds"] = e.seconds;
    print_json(j);
    return 0;
  }
  std::cout << std::fixed << std::setprecision(2) << "misleading reach " << e.misleading.mean << " +/- "
            << e.misleading.std_error << " (without correction " << e.misleading_alone.mean << " +/- "
            << e.misleading_alone.std_error << ")\ncorrective reach " << e.corrective.mean << " +/- "
            << e.corrective.std_error << "\nsaved " << e.saved.mean << " +/- " << e.saved.std_error << " from "
            << e.trials << " trials in " << e.seconds << " s\n";
  return 0;
}

void BlockCommand::add(CLI::App& tool) {
  app = tool.add_subcommand("block",
                            "choose corrective KOLs that minimise a misleading campaign's reach (--model ic: rr, "
                            "celf or a baseline; lt: celf or a baseline)");
  add_competition_args(app, race);
  app->add_option("-k", k, "number of corrective KOLs");
  app->add_option("--method", method, choice_names(blocking_method_choices));
  app->add_option("--worlds", worlds, "rr: sampled worlds");
  app->add_option("--roots", roots, "rr: RR roots per world");
  app->add_option("--trials", trials, "celf: common-random-number worlds per evaluation");
  app->add_option("--epsilon", epsilon, "imm: accuracy of the baseline");
  app->add_option("--evaluation-trials", evaluation_trials,
                  "independent Monte Carlo trials of the reach before/after (0 = none)");
}

int BlockCommand::run() const {
  BlockingOptions opt;
  try {
    opt.method = parse_blocking_method(method);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--method: ") + e.what());
  }
  const std::pair<const char*, BlockingMethod> own[] = {{"--worlds", BlockingMethod::rr},
                                                        {"--roots", BlockingMethod::rr},
                                                        {"--trials", BlockingMethod::celf},
                                                        {"--epsilon", BlockingMethod::imm}};
  for (const auto& [option, m] : own)
    if (app->count(option) && opt.method != m)
      throw UsageError(std::string(option) + " does not apply to --method " + method + " (it would be ignored)");
  if (race.graph.model == "lt" && opt.method == BlockingMethod::rr)
    throw UsageError("--method rr needs --model ic (its race sets rely on competitive IC's live edges); "
                     "use --method celf for --model lt");
  const std::size_t kk = parse_unsigned("-k", k, 1, std::numeric_limits<vertex_t>::max());
  opt.worlds = parse_unsigned("--worlds", worlds, 1, std::uint64_t{1} << 38);
  opt.roots_per_world = static_cast<std::uint32_t>(parse_unsigned("--roots", roots, 1, 1u << 20));
  opt.trials = parse_trials("--trials", trials, false);
  opt.imm_epsilon = parse_epsilon(epsilon);
  opt.evaluation_trials = parse_trials("--evaluation-trials", evaluation_trials, true);
  opt.seed = race.graph.seed_value();
  opt.threads = race.graph.threads_value();
  if (auto d = parse_deadline(race.deadline)) opt.max_steps = *d;
  auto g = load_graph(race.graph, NeedProbabilities::required);
  const auto f = seed_indices(g.graph, race.misleading);
  opt.stop = progress_token("block " + method);
  opt.progress = progress_reporter();
  const BlockingResult r = with_competitive_model(race, app, g.graph, [&](const auto& model) {
    return select_blockers(model, std::span<const vertex_t>(f), kk, opt);
  });
  end_progress();
  if (race.json) {
    Json j;
    j["model"] = race.graph.model == "lt" ? "competitive_lt" : "competitive_ic";
    j["method"] = r.method;
    j["probabilities"] = g.probabilities.json();
    Json seeds = Json::array();
    for (vertex_t v : r.seeds) seeds.push_back(g.graph.account(v));
    j["seeds"] = seeds;
    add_blocking_figures(j, r);
    print_json(j);
    return 0;
  }
  std::cout << std::fixed << std::setprecision(2) << "method " << r.method << ": " << r.seeds.size()
            << " corrective KOLs in " << r.seconds << " s\nrank  account  marginal gain\n";
  for (std::size_t i = 0; i < r.seeds.size(); ++i)
    std::cout << std::setw(4) << i + 1 << "  " << std::setw(7) << g.graph.account(r.seeds[i]) << "  "
              << (i < r.marginal_gains.size() ? r.marginal_gains[i] : 0.0) << "\n";
  if (r.evaluation_trials > 0)
    std::cout << "misleading reach " << r.reach_before << " +/- " << r.reach_before_error << " -> " << r.reach_after
              << " +/- " << r.reach_after_error << ", saved " << r.saved << " +/- " << r.saved_error << " ("
              << r.evaluation_trials << " independent trials)\n";
  return 0;
}

namespace {

/// "NAME=VALUE" split at the first '='; UsageError naming `option` when either side is empty.
std::pair<std::string, std::string> split_assignment(const std::string& option, const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw UsageError(option + " expects NAME=VALUE, got '" + text + "'");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

/// Index of the platform called `name` among `names`; UsageError naming `option` otherwise.
std::uint32_t platform_index(const std::vector<std::string>& names, const std::string& name, const std::string& option) {
  for (std::uint32_t l = 0; l < names.size(); ++l)
    if (names[l] == name) return l;
  throw UsageError(option + ": no --layer is named '" + name + "'");
}

/// The identity table: one "person platform account" row per line (blanks or commas between
/// fields, '#' starts a comment). ParseError names the file and line of a malformed row.
std::vector<IdentityRow> read_identity(const std::string& path, const std::vector<std::string>& names) {
  std::ifstream in(path);
  if (!in) throw IoError("cannot open identity table " + path);
  std::vector<IdentityRow> rows;
  std::string line;
  for (std::uint64_t no = 1; std::getline(in, line); ++no) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string tok; fields >> tok;) f.push_back(tok);
    if (f.empty()) continue;
    if (f.size() != 3) throw ParseError(path, no, "expected 'person platform account', got " + std::to_string(f.size()) + " fields");
    IdentityRow r;
    try {
      r.person = parse_unsigned("person", f[0]);
      r.account = parse_unsigned("account", f[2]);
    } catch (const UsageError& e) {
      throw ParseError(path, no, e.what());
    }
    auto it = std::find(names.begin(), names.end(), f[1]);
    if (it == names.end()) throw ParseError(path, no, "platform '" + f[1] + "' is not a --layer");
    r.layer = static_cast<std::uint32_t>(it - names.begin());
    rows.push_back(r);
  }
  return rows;
}

/// "PERSON@PLATFORM,..." as (person, platform) seeds.
std::vector<MultiplexSeed> parse_multiplex_seeds(const std::string& list, const std::vector<std::string>& names) {
  std::vector<MultiplexSeed> out;
  std::istringstream in(list);
  for (std::string tok; std::getline(in, tok, ',');) {
    const auto at = tok.find('@');
    if (at == std::string::npos) throw UsageError("--seeds expects PERSON@PLATFORM entries, got '" + tok + "'");
    out.push_back({parse_unsigned("--seeds", tok.substr(0, at)), platform_index(names, tok.substr(at + 1), "--seeds")});
  }
  if (out.empty()) throw UsageError("--seeds needs at least one PERSON@PLATFORM");
  return out;
}

}  // namespace

void MultiplexCommand::add(CLI::App& tool) {
  app = tool.add_subcommand("multiplex",
                            "reach in people and per platform, or (person, platform) KOL selection, on a "
                            "multi-platform network (docs/multiplex.md)");
  app->add_option("--layer", layers, "NAME=PATH: a platform and its edge list or snapshot (repeat; 'a b' means b follows a)")
      ->required();
  app->add_option("--identity", identity, "file of 'person platform account' rows (unlisted accounts are people of their own)");
  app->add_option("--cross", cross, "FROM:TO=P: cross-posting probability from platform FROM to TO (repeat; default 0)");
  app->add_option("-p,--probabilities", probabilities, "probabilities of every layer, as for `spread` (auto = stored, else wc)");
  app->add_option("--seeds", seeds, "PERSON@PLATFORM,...: estimate the reach of these seeds");
  app->add_option("--select", select, "K: choose K (person, platform) seeds instead");
  app->add_option("--method", method, "imm | opim-c (with --select)")->check(CLI::IsMember({"imm", "opim-c"}));
  app->add_option("--epsilon", epsilon, "accuracy of the selector (0 < epsilon < 1)");
  app->add_option("--trials", trials, "Monte Carlo trials for the reach (1 .. 2^38)");
  app->add_option("--deadline", deadline, "count only activations within this many steps (cross-posts take one)");
  app->add_option("--seed", seed, "random seed");
  app->add_option("--threads", threads, "threads (0 = all)");
  app->add_option("--roster", roster,
                  "CSV of (person, platform) rows with fee and risk: plan a campaign counting people instead");
  app->add_option("--budget", budget, "with --roster: total fees allowed (0 = no budget)");
  app->add_option("--max-kols", max_kols, "with --roster: at most this many (person, platform) KOLs (0 = no limit)");
  app->add_option("--check-trials", check_trials, "with --roster: Monte Carlo trials of the plan's check");
  app->add_option("--record", record, "with --roster: write the plan's JSON run record to this file");
  app->add_flag("--json", json, "print the result as one JSON object on stdout instead of text");
  // Race mode: a misleading narrative (F) and its correction (C), counted in people.
  app->add_option("--misleading", misleading, "PERSON@PLATFORM,...: the misleading campaign's accounts (race mode)");
  app->add_option("--corrective", corrective, "PERSON@PLATFORM,...: with --misleading, estimate the race against these");
  app->add_option("--block", block, "K: with --misleading, choose K corrective (person, platform) accounts");
  app->add_option("--block-method", block_method, "celf | degree | neighbourhood | imm (with --block)");
  app->add_option("--tie-rule", tie_rule, "race: misleading_wins, corrective_wins or random");
  app->add_option("--delay", delay, "race: steps after F at which the corrective accounts post");
  app->add_option("--block-trials", block_trials, "celf: common-random-number worlds per evaluation");
  app->add_option("--evaluation-trials", evaluation_trials,
                  "--block: independent Monte Carlo trials of the people reached before/after (0 = none)");
}

/// --roster: plan_campaign on the multiplex (reach in people, per platform).
int MultiplexCommand::plan(const Multiplex& mx, int threads, std::uint64_t seed) const {
  CampaignSpec spec;
  const double b = parse_real("--budget", budget, 0.0, std::numeric_limits<double>::max());
  spec.budget = b > 0 ? b : std::numeric_limits<double>::infinity();
  spec.max_kols = parse_unsigned("--max-kols", max_kols);
  if (!std::isfinite(spec.budget) && spec.max_kols == 0) throw UsageError("give --budget and/or --max-kols");
  spec.epsilon = parse_epsilon(epsilon);
  spec.seed = seed;
  spec.threads = threads;
  spec.check_trials = parse_unsigned("--check-trials", check_trials);
  if (auto d = parse_deadline(deadline)) spec.deadline = *d;
  const MultiplexRoster ro = read_multiplex_roster(roster, mx);
  spec.stop = progress_token("planning");
  const MultiplexPlan p = plan_campaign(mx, ro, spec);
  end_progress();
  if (!record.empty()) p.save_json(record);
  if (json) std::cout << p.to_json() << "\n";
  else std::cout << p.to_table();
  return 0;
}

namespace {

/// The --layer graphs (each loaded as `spread` loads one, with the shared probabilities, seed
/// and threads) and their names.
std::vector<MultiplexLayer> load_multiplex_layers(const std::vector<std::string>& specs, const GraphArgs& base,
                                                  std::vector<std::string>& names) {
  std::vector<MultiplexLayer> ls;
  for (const auto& spec : specs) {
    auto [name, path] = split_assignment("--layer", spec);
    if (std::find(names.begin(), names.end(), name) != names.end())
      throw UsageError("--layer: two layers are named '" + name + "'");
    GraphArgs a = base;
    a.path = path;
    ls.push_back({name, load_graph(a, NeedProbabilities::required).graph});
    names.push_back(name);
  }
  return ls;
}

/// The L x L cross-posting matrix of the --cross FROM:TO=P options (default 0).
std::vector<double> cross_posting_matrix(const std::vector<std::string>& specs, const std::vector<std::string>& names) {
  const std::size_t L = names.size();
  std::vector<double> c(L * L, 0.0);
  for (const auto& spec : specs) {
    auto [pair, value] = split_assignment("--cross", spec);
    const auto colon = pair.find(':');
    if (colon == std::string::npos) throw UsageError("--cross expects FROM:TO=P, got '" + spec + "'");
    const auto a = platform_index(names, pair.substr(0, colon), "--cross");
    const auto b = platform_index(names, pair.substr(colon + 1), "--cross");
    if (a == b) throw UsageError("--cross: a platform does not cross-post to itself ('" + spec + "')");
    c[a * L + b] = parse_real("--cross", value, 0.0, 1.0);
  }
  return c;
}

/// The platforms' overlap, as JSON fields and as the text report's first lines.
void report_multiplex_overlap(const Multiplex& mx, const std::vector<std::string>& names, Json& j, std::ostream& text) {
  const auto overlap = mx.overlap();
  const std::size_t L = names.size();
  j["platforms"] = names;
  j["people"] = overlap.people;
  j["accounts"] = mx.num_accounts();
  j["multi_platform_people"] = overlap.multi_platform;
  j["people_per_platform"] = overlap.people_per_layer;
  j["cross_post_edges"] = mx.num_cross_edges();
  text << mx.num_people() << " people, " << mx.num_accounts() << " accounts on " << L << " platforms ("
       << overlap.multi_platform << " people on two or more; " << mx.num_cross_edges() << " cross-post edges)\n";
  for (std::size_t l = 0; l < L; ++l) {
    text << "  " << names[l] << ": " << overlap.people_per_layer[l] << " people";
    for (std::size_t b = 0; b < L; ++b)
      if (b != l) text << ", " << overlap.shared[l * L + b] << " also on " << names[b];
    text << "\n";
  }
}

/// IMM or OPIM-C over person-rooted RR sets: k (person, platform) seeds (expanded vertices).
std::vector<vertex_t> select_multiplex_seeds(const Multiplex& mx, std::size_t k, const std::string& method,
                                             double epsilon, const MonteCarloOptions& mc, Json& j, std::ostream& text) {
  const MultiplexIC model{mx};
  auto fill = [&](auto& o) {
    o.epsilon = epsilon;
    o.seed = mc.seed;
    o.threads = mc.threads;
    o.max_depth = mc.max_steps;
    o.stop = progress_token("selecting");
  };
  SelectResult r;
  if (method == "imm") {
    ImmOptions o;
    fill(o);
    r = imm(mx.expanded(), model, k, o);
  } else {
    OpimOptions o;
    fill(o);
    r = opim_c(mx.expanded(), model, k, o);
  }
  end_progress();
  j["method"] = method;
  j["selector_spread"] = r.spread;
  j["rr_sets"] = r.rr_sets;
  text << method << " chose " << k << " seeds (" << r.rr_sets << " RR sets; its own estimate " << std::fixed
       << std::setprecision(2) << r.spread << " people):\n";
  return r.seeds;
}

/// The reach in people and per platform as JSON fields.
void multiplex_estimate_json(const MultiplexEstimate& est, const std::vector<std::string>& names, Json& j) {
  j["trials"] = est.trials;
  j["people_reached"] = est.mean;
  j["std_error"] = est.std_error;
  j["ci95"] = {est.ci_low, est.ci_high};
  j["new_people_per_step"] = est.new_per_step;
  Json per = Json::object();
  for (std::size_t l = 0; l < names.size(); ++l)
    per[names[l]] = {{"accounts_reached", est.layer_mean[l]},
                     {"std_error", est.layer_std_error[l]},
                     {"new_per_step", est.layer_new_per_step[l]}};
  j["per_platform"] = per;
  j["seconds"] = est.seconds;
}

/// The reach in people and per platform as text, with the per-step table.
void multiplex_estimate_text(const MultiplexEstimate& est, const std::vector<std::string>& names, std::ostream& text) {
  const std::size_t L = names.size();
  text << std::fixed << std::setprecision(2) << "people reached " << est.mean << " +/- " << est.std_error
       << " (95% CI " << est.ci_low << " .. " << est.ci_high << ") from " << est.trials << " trials\n";
  for (std::size_t l = 0; l < L; ++l)
    text << "  " << names[l] << ": " << est.layer_mean[l] << " +/- " << est.layer_std_error[l] << " accounts\n";
  text << "step  new people";
  for (const auto& n : names) text << "  " << std::setw(10) << n;
  text << "\n";
  std::size_t steps = est.new_per_step.size();  // a platform may still be reached after the last new person
  for (const auto& l : est.layer_new_per_step) steps = std::max(steps, l.size());
  for (std::size_t t = 0; t < steps; ++t) {
    text << std::setw(4) << t << "  " << std::setw(10) << (t < est.new_per_step.size() ? est.new_per_step[t] : 0.0);
    for (std::size_t l = 0; l < L; ++l)
      text << "  " << std::setw(10) << (t < est.layer_new_per_step[l].size() ? est.layer_new_per_step[l][t] : 0.0);
    text << "\n";
  }
}

/// "person on platform" of expanded vertex x, as JSON and text.
Json multiplex_account_json(const Multiplex& mx, const std::vector<std::string>& names, vertex_t x) {
  return {{"person", mx.people()[mx.person_of(x)]}, {"platform", names[mx.layer_of(x)]}, {"account", mx.account_of(x)}};
}

/// Race mode of `kolsim multiplex`: --misleading with --corrective (the race estimated in people
/// and per platform) or with --block K (corrective accounts chosen against F).
int run_multiplex_race(const MultiplexCommand& cmd, const Multiplex& mx, const std::vector<std::string>& names,
                       int threads, Json& j, std::ostringstream& text) {
  if (cmd.corrective.empty() == cmd.block.empty())
    throw UsageError("--misleading needs exactly one of --corrective and --block");
  const auto [rule, delay] = tie_rule_and_delay(cmd.tie_rule, cmd.delay);
  const MultiplexCompetition race(mx, rule, delay);
  const auto f = multiplex_seed_vertices(mx, parse_multiplex_seeds(cmd.misleading, names));
  const std::uint64_t seed = parse_unsigned("--seed", cmd.seed);
  const auto deadline = parse_deadline(cmd.deadline);
  j["tie_rule"] = cmd.tie_rule;
  j["delay"] = delay;
  Json jf = Json::array();
  for (vertex_t x : f) jf.push_back(multiplex_account_json(mx, names, x));
  j["misleading"] = jf;
  text << std::fixed << std::setprecision(2);
  if (!cmd.corrective.empty()) {
    const auto c = multiplex_seed_vertices(mx, parse_multiplex_seeds(cmd.corrective, names));
    CompetitionOptions co;
    co.trials = parse_trials("--trials", cmd.trials, false);
    co.seed = seed;
    co.threads = threads;
    if (deadline) co.max_steps = *deadline;
    co.stop = progress_token("estimating the race");
    const MultiplexCompetitiveEstimate e =
        estimate_competition(race, std::span<const vertex_t>(f), std::span<const vertex_t>(c), co);
    end_progress();
    auto count = [](const CountEstimate& x) { return Json{{"mean", x.mean}, {"std_error", x.std_error}}; };
    Json jc = Json::array();
    for (vertex_t x : c) jc.push_back(multiplex_account_json(mx, names, x));
    j["corrective"] = jc;
    j["trials"] = e.trials;
    j["misleading_people"] = count(e.misleading);
    j["corrective_people"] = count(e.corrective);
    j["misleading_alone_people"] = count(e.misleading_alone);
    j["saved_people"] = count(e.saved);
    Json per = Json::object();
    for (std::size_t l = 0; l < names.size(); ++l)
      per[names[l]] = {{"misleading_accounts", count(e.layer_misleading[l])},
                       {"corrective_accounts", count(e.layer_corrective[l])},
                       {"saved_accounts", count(e.layer_saved[l])}};
    j["per_platform"] = per;
    j["seconds"] = e.seconds;
    text << "people hearing the misleading campaign " << e.misleading.mean << " +/- " << e.misleading.std_error
         << " (without correction " << e.misleading_alone.mean << " +/- " << e.misleading_alone.std_error
         << ")\npeople reached by the correction " << e.corrective.mean << " +/- " << e.corrective.std_error
         << "\npeople saved " << e.saved.mean << " +/- " << e.saved.std_error << " from " << e.trials << " trials\n";
    for (std::size_t l = 0; l < names.size(); ++l)
      text << "  " << names[l] << ": misleading " << e.layer_misleading[l].mean << ", corrective "
           << e.layer_corrective[l].mean << ", saved " << e.layer_saved[l].mean << " accounts\n";
    return 0;
  }
  BlockingOptions opt;
  try {
    opt.method = parse_blocking_method(cmd.block_method);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--block-method: ") + e.what());
  }
  if (opt.method == BlockingMethod::rr)
    throw UsageError("--block-method rr is not available on a multiplex (a person is saved only when all their "
                     "accounts are); use celf or a baseline");
  const std::size_t k = parse_unsigned("--block", cmd.block, 1, mx.num_accounts());
  opt.trials = parse_trials("--block-trials", cmd.block_trials, false);
  opt.imm_epsilon = parse_epsilon(cmd.epsilon);
  opt.evaluation_trials = parse_trials("--evaluation-trials", cmd.evaluation_trials, true);
  opt.seed = seed;
  opt.threads = threads;
  if (deadline) opt.max_steps = *deadline;
  opt.stop = progress_token("block " + cmd.block_method);
  opt.progress = progress_reporter();
  const BlockingResult r = select_blockers(race, std::span<const vertex_t>(f), k, opt);
  end_progress();
  Json js = Json::array();
  for (vertex_t x : r.seeds) js.push_back(multiplex_account_json(mx, names, x));
  j["method"] = r.method;
  j["seeds"] = js;
  add_blocking_figures(j, r);
  text << "method " << r.method << ": " << r.seeds.size() << " corrective accounts in " << r.seconds << " s\n";
  for (std::size_t i = 0; i < r.seeds.size(); ++i) {
    const vertex_t x = r.seeds[i];
    text << "  " << i + 1 << ". person " << mx.people()[mx.person_of(x)] << " on " << names[mx.layer_of(x)]
         << " (account " << mx.account_of(x) << "), gain " << (i < r.marginal_gains.size() ? r.marginal_gains[i] : 0.0)
         << " people\n";
  }
  if (r.evaluation_trials > 0)
    text << "people hearing the misleading campaign " << r.reach_before << " +/- " << r.reach_before_error << " -> "
         << r.reach_after << " +/- " << r.reach_after_error << ", saved " << r.saved << " +/- " << r.saved_error
         << " (" << r.evaluation_trials << " independent trials)\n";
  return 0;
}

}  // namespace

int MultiplexCommand::run() const {
  if (!misleading.empty() && (!seeds.empty() || !select.empty() || !roster.empty()))
    throw UsageError("--misleading (race mode) does not combine with --seeds, --select or --roster");
  if ((!corrective.empty() || !block.empty()) && misleading.empty())
    throw UsageError("--corrective and --block need --misleading");
  if (misleading.empty() && (seeds.empty() ? 0 : 1) + (select.empty() ? 0 : 1) + (roster.empty() ? 0 : 1) != 1)
    throw UsageError("give exactly one of --seeds and --select, or --roster to plan, or --misleading to race");
  GraphArgs base;
  base.probabilities = probabilities;
  base.seed = seed;
  base.threads = threads;
  base.simulates = true;
  const int nt = base.threads_value();
  std::vector<std::string> names;
  auto ls = load_multiplex_layers(layers, base, names);
  const std::vector<double> c = cross_posting_matrix(cross, names);
  const auto rows = identity.empty() ? std::vector<IdentityRow>{} : read_identity(identity, names);
  const Multiplex mx(std::move(ls), rows, c);
  if (!roster.empty()) return plan(mx, nt, base.seed_value());
  Json j;
  std::ostringstream text;
  report_multiplex_overlap(mx, names, j, text);
  if (!misleading.empty()) {
    const int rc = run_multiplex_race(*this, mx, names, nt, j, text);
    if (json) {
      print_json(j);
    } else {
      std::cout << text.str();
    }
    return rc;
  }
  MonteCarloOptions mc;
  mc.trials = parse_trials("--trials", trials, false);
  mc.seed = base.seed_value();
  mc.threads = nt;
  if (auto d = parse_deadline(deadline)) mc.max_steps = *d;
  std::vector<vertex_t> seed_set;
  if (!select.empty()) {
    const std::size_t k = parse_unsigned("--select", select, 1, mx.num_accounts());
    seed_set = select_multiplex_seeds(mx, k, method, parse_epsilon(epsilon), mc, j, text);
  } else {
    seed_set = multiplex_seed_vertices(mx, parse_multiplex_seeds(seeds, names));
  }
  Json js = Json::array();
  for (vertex_t x : seed_set) {
    const auto person = mx.people()[mx.person_of(x)];
    const auto& platform = names[mx.layer_of(x)];
    js.push_back({{"person", person}, {"platform", platform}, {"account", mx.account_of(x)}});
    if (!select.empty()) text << "  person " << person << " on " << platform << " (account " << mx.account_of(x) << ")\n";
  }
  j["seeds"] = js;
  mc.stop = progress_token("estimating reach");
  const MultiplexEstimate est = estimate_spread(mx, std::span<const vertex_t>(seed_set), mc);
  end_progress();
  multiplex_estimate_json(est, names, j);
  if (json) {
    print_json(j);
    return 0;
  }
  multiplex_estimate_text(est, names, text);
  std::cout << text.str();
  return 0;
}

}  // namespace kolsim::cli

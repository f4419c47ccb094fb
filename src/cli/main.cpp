// SPDX-License-Identifier: MIT
/// The `kolsim` command-line tool: inspect a graph, convert it to a snapshot, estimate the spread
/// of given seeds, and select seeds, printing a readable table or JSON.
#include <CLI/CLI.hpp>

#include <kolsim/kolsim.hpp>

#include <chrono>
#include <cmath>
#include <limits>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using namespace kolsim;

/// How to read the graph and which probabilities to put on it.
struct GraphArgs {
  std::string path;
  bool undirected = false;
  bool flip = false;
  std::string self_loops = "drop";
  std::string duplicates = "first";
  int probability_column = -1;
  bool first_line_counts = false;
  bool ignore_extra_columns = false;
  std::string probabilities = "wc";  // wc | const:P | trivalency | uniform:A:B | column | lt-random
  std::uint64_t seed = 0;
  int threads = 0;
  std::string model = "ic";
};

void add_graph_args(CLI::App* app, GraphArgs& a) {
  app->add_option("graph", a.path, "edge list (.txt/.csv, optionally .gz) or snapshot (.kgs); a line 'a b' means b follows a")
      ->required();
  app->add_flag("--undirected", a.undirected, "each line is a two-way tie");
  app->add_flag("--flip", a.flip, "reverse every edge (files that list the follower first)");
  app->add_option("--self-loops", a.self_loops, "drop | keep | error")->check(CLI::IsMember({"drop", "keep", "error"}));
  app->add_option("--duplicates", a.duplicates, "first | keep | max | combine | sum | error")
      ->check(CLI::IsMember({"first", "keep", "max", "combine", "sum", "error"}));
  app->add_option("--probability-column", a.probability_column, "0-based column holding p (with --probabilities column)");
  app->add_flag("--first-line-counts", a.first_line_counts, "the first data line is an 'n m' header");
  app->add_flag("--ignore-extra-columns", a.ignore_extra_columns, "allow more columns than used");
  app->add_option("-p,--probabilities", a.probabilities,
                  "wc (1/indegree) | const:P | trivalency | uniform:A:B | column | lt-random");
  app->add_option("--model", a.model, "ic | lt")->check(CLI::IsMember({"ic", "lt"}));
  app->add_option("--seed", a.seed, "random seed (same seed, same output for any thread count)");
  app->add_option("--threads", a.threads, "threads (0 = all)");
}

bool is_snapshot(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  in.read(magic, 8);
  return in.gcount() == 8 && static_cast<unsigned char>(magic[0]) == 0x89 && std::string(magic + 1, 3) == "KGS";
}

/// Prints elapsed time on stderr while a long computation polls the token (TTY only).
StopToken progress_token(const std::string& what) {
  if (!isatty(STDERR_FILENO)) return {};
  auto start = std::chrono::steady_clock::now();
  auto last = std::make_shared<double>(0.0);
  return [what, start, last]() {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (s - *last >= 0.5) {
      *last = s;
      std::fprintf(stderr, "\r%s ... %.1f s", what.c_str(), s);
      std::fflush(stderr);
    }
    return false;
  };
}

void end_progress() {
  if (isatty(STDERR_FILENO)) std::fprintf(stderr, "\r\033[K");
}

FollowerGraph load_graph(const GraphArgs& a, bool need_probabilities, std::ostream& log) {
  FollowerGraph g;
  if (is_snapshot(a.path)) {
    g = load_snapshot(a.path);
    log << "loaded snapshot " << a.path << ": " << g.num_vertices() << " accounts, " << g.num_edges() << " edges\n";
  } else {
    EdgeListOptions o;
    o.build.undirected = a.undirected;
    o.build.flip = a.flip;
    o.build.threads = a.threads;
    const std::vector<std::string> sl{"drop", "keep", "error"};
    o.build.self_loops = static_cast<SelfLoops>(std::find(sl.begin(), sl.end(), a.self_loops) - sl.begin());
    const std::vector<std::string> du{"first", "keep", "max", "combine", "sum", "error"};
    o.build.duplicates = static_cast<Duplicates>(std::find(du.begin(), du.end(), a.duplicates) - du.begin());
    o.first_line_counts = a.first_line_counts;
    o.ignore_extra_columns = a.ignore_extra_columns;
    if (a.probabilities == "column") {
      if (a.probability_column < 0) throw CLI::ValidationError("--probabilities column needs --probability-column");
      o.probability_column = a.probability_column;
    }
    EdgeListReport rep;
    g = read_edge_list(a.path, o, &rep);
    log << "read " << a.path << ": " << rep.edge_lines << " edge lines, " << rep.build.self_loops << " self-loops ("
        << a.self_loops << "), " << rep.build.duplicates << " duplicates (" << a.duplicates << ") -> "
        << g.num_vertices() << " accounts, " << g.num_edges() << " edges in " << std::fixed << std::setprecision(2)
        << rep.parse_seconds + rep.build_seconds << " s\n";
  }
  if (!need_probabilities) return g;
  const std::string& p = a.probabilities;
  if (p == "column") {
    g.require_probabilities("--probabilities column");
  } else if (p == "wc") {
    g = weighted_cascade(g);
  } else if (p == "trivalency") {
    g = trivalency(g, a.seed);
  } else if (p == "lt-random") {
    g = random_lt_weights(g, a.seed);
  } else if (p.rfind("const:", 0) == 0) {
    g = constant_probability(g, std::stof(p.substr(6)));
  } else if (p.rfind("uniform:", 0) == 0) {
    auto rest = p.substr(8);
    auto colon = rest.find(':');
    if (colon == std::string::npos) throw CLI::ValidationError("--probabilities uniform:A:B");
    g = uniform_probability(g, std::stof(rest.substr(0, colon)), std::stof(rest.substr(colon + 1)), a.seed);
  } else {
    throw CLI::ValidationError("unknown --probabilities '" + p + "'");
  }
  return g;
}

std::vector<vertex_t> parse_seed_accounts(const FollowerGraph& g, const std::string& list) {
  std::vector<vertex_t> seeds;
  std::stringstream ss(list);
  std::string tok;
  while (std::getline(ss, tok, ',')) {
    if (tok.empty()) continue;
    std::size_t used = 0;
    unsigned long long a = 0;
    try {
      a = std::stoull(tok, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != tok.size()) throw CLI::ValidationError("--seeds: '" + tok + "' is not an account id");
    seeds.push_back(g.index_of(a));
  }
  return seeds;
}

template <class F>
auto with_model(const GraphArgs& a, F&& f) {
  if (a.model == "lt") return f(LinearThreshold{});
  return f(IndependentCascade{});
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

int cmd_info(const GraphArgs& a) {
  auto g = load_graph(a, false, std::cerr);
  std::cout << to_string(summarize(g));
  return 0;
}

int cmd_convert(const GraphArgs& a, const std::string& out, bool keep_probabilities) {
  auto g = load_graph(a, keep_probabilities, std::cerr);
  save_snapshot(g, out);
  std::cerr << "wrote " << out << " (checksum " << std::hex << graph_checksum(g) << std::dec << ")\n";
  return 0;
}

int cmd_spread(const GraphArgs& a, const std::string& seed_list, std::uint64_t trials, int deadline, bool json) {
  auto g = load_graph(a, true, std::cerr);
  auto seeds = parse_seed_accounts(g, seed_list);
  MonteCarloOptions mc;
  mc.trials = trials;
  mc.seed = a.seed;
  mc.threads = a.threads;
  if (deadline >= 0) mc.max_steps = static_cast<std::uint32_t>(deadline);
  mc.stop = progress_token("estimating spread");
  auto est = with_model(a, [&](auto model) { return estimate_spread(g, model, seeds, mc); });
  end_progress();
  if (json) {
    std::cout << std::setprecision(10) << "{\"model\": \"" << a.model << "\", \"seeds\": " << seeds.size()
              << ", \"trials\": " << est.trials << ", \"spread\": " << est.mean << ", \"std_error\": " << est.std_error
              << ", \"ci95\": [" << est.ci_low << ", " << est.ci_high << "], \"seconds\": " << est.seconds
              << ", \"new_per_step\": [";
    for (std::size_t t = 0; t < est.new_per_step.size(); ++t) std::cout << (t ? ", " : "") << est.new_per_step[t];
    std::cout << "]}\n";
  } else {
    std::cout << std::fixed << std::setprecision(2) << "spread " << est.mean << " +/- " << est.std_error
              << " (95% CI " << est.ci_low << " .. " << est.ci_high << ") from " << est.trials << " trials in "
              << est.seconds << " s\nstep  mean new accounts\n";
    for (std::size_t t = 0; t < est.new_per_step.size(); ++t)
      std::cout << std::setw(4) << t << "  " << std::setw(12) << est.new_per_step[t] << "\n";
  }
  return 0;
}

int cmd_select(const GraphArgs& a, std::size_t k, const std::string& method, double epsilon, std::uint64_t check_trials,
               bool json) {
  auto g = load_graph(a, true, std::cerr);
  SelectResult r = with_model(a, [&](auto model) -> SelectResult {
    if (method == "imm") {
      ImmOptions o;
      o.epsilon = epsilon;
      o.seed = a.seed;
      o.threads = a.threads;
      o.stop = progress_token("imm");
      return imm(g, model, k, o);
    }
    if (method == "opim-c") {
      OpimOptions o;
      o.epsilon = epsilon;
      o.seed = a.seed;
      o.threads = a.threads;
      o.stop = progress_token("opim-c");
      return opim_c(g, model, k, o);
    }
    if (method == "celf") {
      GreedyOptions o;
      o.seed = a.seed;
      o.threads = a.threads;
      o.stop = progress_token("celf");
      return celf_plus_plus(g, model, k, o);
    }
    SelectOptions o;
    o.seed = a.seed;
    o.threads = a.threads;
    if (method == "degree") return top_degree(g, k, o);
    if (method == "pagerank") return top_pagerank(g, k, o);
    throw CLI::ValidationError("unknown --method '" + method + "'");
  });
  end_progress();
  SpreadEstimate check;
  if (check_trials > 0) {
    MonteCarloOptions mc;
    mc.trials = check_trials;
    mc.seed = a.seed + 1;  // independent of the selector's own streams
    mc.threads = a.threads;
    check = with_model(a, [&](auto model) { return estimate_spread(g, model, r.seeds, mc); });
  }
  if (json) {
    std::cout << std::setprecision(10) << "{\"method\": \"" << json_escape(r.method) << "\", \"k\": " << k
              << ", \"seconds\": " << r.seconds << ", \"rr_sets\": " << r.rr_sets << ", \"peak_bytes\": " << r.peak_bytes
              << ", \"approximation\": " << r.approximation << ", \"spread_estimate\": " << r.spread;
    if (check_trials > 0)
      std::cout << ", \"spread_check\": {\"mean\": " << check.mean << ", \"std_error\": " << check.std_error
                << ", \"trials\": " << check.trials << "}";
    std::cout << ", \"seeds\": [";
    for (std::size_t i = 0; i < r.seeds.size(); ++i) std::cout << (i ? ", " : "") << g.account(r.seeds[i]);
    std::cout << "]}\n";
  } else {
    std::cout << std::fixed << std::setprecision(3) << r.method << ": " << r.seeds.size() << " seeds in " << r.seconds
              << " s";
    if (r.rr_sets) std::cout << ", " << r.rr_sets << " RR sets";
    if (r.peak_bytes) std::cout << ", " << r.peak_bytes / 1e6 << " MB";
    if (r.approximation > 0) std::cout << ", approximation >= " << r.approximation;
    std::cout << "\n" << std::setprecision(1) << "selector's spread estimate " << r.spread << "\n";
    if (check_trials > 0)
      std::cout << "independent Monte Carlo check " << check.mean << " +/- " << check.std_error << " (" << check.trials
                << " trials)\n";
    std::cout << "rank     account   marginal gain\n";
    for (std::size_t i = 0; i < r.seeds.size(); ++i)
      std::cout << std::setw(4) << i + 1 << std::setw(12) << g.account(r.seeds[i]) << std::setw(16)
                << (i < r.marginal_gains.size() ? r.marginal_gains[i] : 0.0) << "\n";
  }
  return 0;
}

int cmd_plan(const GraphArgs& a, const std::string& roster_path, double budget, std::size_t max_kols, double max_risk,
             int deadline, double epsilon, std::uint64_t check_trials, const std::string& json_path) {
  auto g = load_graph(a, true, std::cerr);
  const Roster roster = read_roster(roster_path, g);
  CampaignSpec spec;
  spec.budget = budget > 0 ? budget : std::numeric_limits<double>::infinity();
  spec.max_kols = max_kols;
  spec.max_risk = max_risk;
  if (deadline >= 0) spec.deadline = static_cast<std::uint32_t>(deadline);
  spec.epsilon = epsilon;
  spec.seed = a.seed;
  spec.threads = a.threads;
  spec.check_trials = check_trials;
  spec.stop = progress_token("planning");
  KOLSIM_REQUIRE(std::isfinite(spec.budget) || max_kols > 0, "plan: give --budget and/or --max-kols");
  auto plan = with_model(a, [&](auto model) { return plan_campaign(g, model, roster, spec); });
  end_progress();
  std::cout << plan.to_table();
  if (!json_path.empty()) {
    plan.save_json(json_path);
    std::cerr << "wrote run record " << json_path << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kolsim: follower networks, message cascades and KOL selection"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(kolsim::version()));

  GraphArgs info_args, convert_args, spread_args, select_args;
  auto* info = app.add_subcommand("info", "summarise a graph (counts, degrees, components)");
  add_graph_args(info, info_args);

  auto* convert = app.add_subcommand("convert", "save a graph as a binary snapshot (.kgs) for fast loading");
  add_graph_args(convert, convert_args);
  std::string convert_out;
  bool convert_probs = false;
  convert->add_option("output", convert_out, "snapshot path")->required();
  convert->add_flag("--with-probabilities", convert_probs, "assign --probabilities before saving");

  auto* spread = app.add_subcommand("spread", "estimate the spread of given seed accounts (Monte Carlo)");
  add_graph_args(spread, spread_args);
  std::string seed_list;
  std::uint64_t trials = 10000;
  int deadline = -1;
  bool spread_json = false;
  spread->add_option("--seeds", seed_list, "comma-separated account ids")->required();
  spread->add_option("--trials", trials, "Monte Carlo trials");
  spread->add_option("--deadline", deadline, "count only activations within this many steps");
  spread->add_flag("--json", spread_json, "print JSON");

  auto* select = app.add_subcommand("select", "choose k seed accounts");
  add_graph_args(select, select_args);
  std::size_t k = 10;
  std::string method = "opim-c";
  double epsilon = 0.1;
  std::uint64_t check_trials = 10000;
  bool select_json = false;
  select->add_option("-k", k, "number of seeds");
  select->add_option("--method", method, "imm | opim-c | celf | degree | pagerank");
  select->add_option("--epsilon", epsilon, "approximation slack for imm / opim-c");
  select->add_option("--check-trials", check_trials, "independent Monte Carlo trials for the spread check (0 = none)");
  select->add_flag("--json", select_json, "print JSON");

  auto* plan = app.add_subcommand("plan", "plan a KOL campaign from a roster CSV (account,fee[,risk,platform,tags])");
  GraphArgs plan_args;
  add_graph_args(plan, plan_args);
  std::string roster_path, plan_json;
  double budget = 0, max_risk = 1.0, plan_epsilon = 0.1;
  std::size_t max_kols = 0;
  int plan_deadline = -1;
  std::uint64_t plan_check = 10000;
  plan->add_option("--roster", roster_path, "roster CSV")->required()->check(CLI::ExistingFile);
  plan->add_option("--budget", budget, "total fees allowed (0 = no budget)");
  plan->add_option("--max-kols", max_kols, "at most this many KOLs (0 = no limit)");
  plan->add_option("--max-risk", max_risk, "never choose KOLs riskier than this");
  plan->add_option("--deadline", plan_deadline, "count only reach within this many steps");
  plan->add_option("--epsilon", plan_epsilon, "approximation slack");
  plan->add_option("--check-trials", plan_check, "independent Monte Carlo trials for the check");
  plan->add_option("--json", plan_json, "write the run record (JSON) here, atomically");

  try {
    app.parse(argc, argv);
    if (*plan)
      return cmd_plan(plan_args, roster_path, budget, max_kols, max_risk, plan_deadline, plan_epsilon, plan_check,
                      plan_json);
    if (*info) return cmd_info(info_args);
    if (*convert) return cmd_convert(convert_args, convert_out, convert_probs);
    if (*spread) return cmd_spread(spread_args, seed_list, trials, deadline, spread_json);
    if (*select) return cmd_select(select_args, k, method, epsilon, check_trials, select_json);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    end_progress();
    std::cerr << "kolsim: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

// SPDX-License-Identifier: MIT
/// The `kolsim` subcommands: info, convert, spread, select and plan.
#include <iomanip>
#include <iostream>
#include <limits>
#include <sstream>

#include "cli.hpp"

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

template <class F>
auto with_model(const GraphArgs& a, F&& f) {
  if (a.model == "lt") return f(LinearThreshold{});
  return f(IndependentCascade{});
}

}  // namespace

void InfoCommand::add(CLI::App& tool) {
  app = tool.add_subcommand("info", "summarise a graph (counts, degrees, components)");
  add_graph_args(app, graph, false);
}

int InfoCommand::run() const {
  auto g = load_graph(graph, NeedProbabilities::if_present);
  std::cout << to_string(summarize(g.graph));
  return 0;
}

void ConvertCommand::add(CLI::App& tool) {
  app = tool.add_subcommand("convert", "save a graph as a binary snapshot (.kgs) for fast loading");
  add_graph_args(app, graph, false);
  app->add_option("output", output, "snapshot path")->required();
  app->add_flag("--with-probabilities", with_probabilities,
                "store probabilities: the stored or column ones, else -p (default weighted cascade)");
}

int ConvertCommand::run() const {
  check_output_path(output);
  auto g = load_graph(graph, with_probabilities ? NeedProbabilities::required : NeedProbabilities::if_present);
  save_snapshot(g.graph, output, graph.threads_value());
  std::cerr << "wrote " << output << " (" << (g.graph.has_probabilities() ? "with" : "without")
            << " probabilities, checksum " << std::hex << graph_checksum(g.graph, graph.threads_value()) << std::dec
            << ")\n";
  return 0;
}

void SpreadCommand::add(CLI::App& tool) {
  app = tool.add_subcommand("spread", "estimate the spread of given seed accounts (Monte Carlo)");
  add_graph_args(app, graph, true);
  app->add_option("--seeds", seeds, "comma-separated account ids")->required();
  app->add_option("--trials", trials, "Monte Carlo trials (1 .. 2^38)");
  app->add_option("--deadline", deadline, "count only activations within this many steps (default: no limit)");
  app->add_flag("--json", json, "print JSON");
}

int SpreadCommand::run() const {
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
  auto est = with_model(graph, [&](auto model) { return estimate_spread(g.graph, model, seed_set, mc); });
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

void SelectCommand::add(CLI::App& tool) {
  app = tool.add_subcommand("select", "choose k seed accounts");
  add_graph_args(app, graph, true);
  app->add_option("-k", k, "number of seeds (>= 1)");
  app->add_option("--method", method, "imm | opim-c | celf | degree | pagerank")
      ->check(CLI::IsMember({"imm", "opim-c", "celf", "degree", "pagerank"}));
  app->add_option("--epsilon", epsilon, "approximation slack for imm / opim-c (0 < epsilon < 1)");
  app->add_option("--check-trials", check_trials, "independent Monte Carlo trials for the spread check (0 = none)");
  app->add_flag("--json", json, "print JSON");
}

int SelectCommand::run() const {
  const std::size_t kk = parse_unsigned("-k", k, 1, std::numeric_limits<vertex_t>::max());
  const double eps = parse_epsilon(epsilon);
  if (app->count("--epsilon") && method != "imm" && method != "opim-c")
    throw UsageError("--epsilon applies to --method imm and opim-c, not " + method);
  const std::uint64_t check = parse_trials("--check-trials", check_trials, true);
  const std::uint64_t seed = graph.seed_value();
  const int threads = graph.threads_value();
  auto g = load_graph(graph, NeedProbabilities::required);
  SelectResult r = with_model(graph, [&](auto model) -> SelectResult {
    if (method == "imm") {
      ImmOptions o;
      o.epsilon = eps;
      o.seed = seed;
      o.threads = threads;
      o.stop = progress_token("imm");
      return imm(g.graph, model, kk, o);
    }
    if (method == "opim-c") {
      OpimOptions o;
      o.epsilon = eps;
      o.seed = seed;
      o.threads = threads;
      o.stop = progress_token("opim-c");
      return opim_c(g.graph, model, kk, o);
    }
    if (method == "celf") {
      GreedyOptions o;
      o.seed = seed;
      o.threads = threads;
      o.stop = progress_token("celf");
      return celf_plus_plus(g.graph, model, kk, o);
    }
    SelectOptions o;
    o.seed = seed;
    o.threads = threads;
    if (method == "degree") return top_degree(g.graph, kk, o);
    return top_pagerank(g.graph, kk, o);
  });
  end_progress();
  SpreadEstimate est;
  if (check > 0) {
    MonteCarloOptions mc;
    mc.trials = check;
    mc.seed = seed + 1;  // independent of the selector's own streams
    mc.threads = threads;
    est = with_model(graph, [&](auto model) { return estimate_spread(g.graph, model, r.seeds, mc); });
  }
  if (json) {
    Json j;
    j["method"] = r.method;
    j["model"] = graph.model;
    j["probabilities"] = g.probabilities.json();
    j["k"] = kk;
    j["seconds"] = r.seconds;
    j["rr_sets"] = r.rr_sets;
    j["peak_bytes"] = r.peak_bytes;
    j["approximation"] = r.approximation;
    j["spread_estimate"] = r.spread;
    if (check > 0) j["spread_check"] = {{"mean", est.mean}, {"std_error", est.std_error}, {"trials", est.trials}};
    j["seeds"] = Json::array();
    for (vertex_t v : r.seeds) j["seeds"].push_back(g.graph.account(v));
    print_json(j);
  } else {
    std::cout << std::fixed << std::setprecision(3) << r.method << ": " << r.seeds.size() << " seeds in " << r.seconds
              << " s";
    if (r.rr_sets) std::cout << ", " << r.rr_sets << " RR sets";
    if (r.peak_bytes) std::cout << ", " << r.peak_bytes / 1e6 << " MB";
    if (r.approximation > 0) std::cout << ", approximation >= " << r.approximation;
    std::cout << "\n" << std::setprecision(1) << "selector's spread estimate " << r.spread << "\n";
    if (check > 0)
      std::cout << "independent Monte Carlo check " << est.mean << " +/- " << est.std_error << " (" << est.trials
                << " trials)\n";
    std::cout << "rank     account   marginal gain\n";
    for (std::size_t i = 0; i < r.seeds.size(); ++i)
      std::cout << std::setw(4) << i + 1 << std::setw(12) << g.graph.account(r.seeds[i]) << std::setw(16)
                << (i < r.marginal_gains.size() ? r.marginal_gains[i] : 0.0) << "\n";
  }
  return 0;
}

void PlanCommand::add(CLI::App& tool) {
  app = tool.add_subcommand("plan", "plan a KOL campaign from a roster CSV (account,fee[,risk,platform,tags])");
  add_graph_args(app, graph, true);
  app->add_option("--roster", roster, "roster CSV")->required()->check(CLI::ExistingFile);
  app->add_option("--budget", budget, "total fees allowed (0 = no budget)");
  app->add_option("--max-kols", max_kols, "at most this many KOLs (0 = no limit)");
  app->add_option("--max-risk", max_risk, "never choose KOLs riskier than this (0 .. 1)");
  app->add_option("--deadline", deadline, "count only reach within this many steps (default: no limit)");
  app->add_option("--epsilon", epsilon, "approximation slack (0 < epsilon < 1)");
  app->add_option("--check-trials", check_trials, "independent Monte Carlo trials for the check (0 = none)");
  app->add_option("--json", json, "write the run record (JSON) here, atomically");
}

int PlanCommand::run() const {
  CampaignSpec spec;
  const double b = parse_real("--budget", budget, 0.0, std::numeric_limits<double>::max());
  spec.budget = b > 0 ? b : std::numeric_limits<double>::infinity();
  spec.max_kols = parse_unsigned("--max-kols", max_kols);
  spec.max_risk = parse_real("--max-risk", max_risk, 0.0, 1.0);
  if (auto d = parse_deadline(deadline)) spec.deadline = *d;
  spec.epsilon = parse_epsilon(epsilon);
  spec.seed = graph.seed_value();
  spec.threads = graph.threads_value();
  spec.check_trials = parse_trials("--check-trials", check_trials, true);
  if (!std::isfinite(spec.budget) && spec.max_kols == 0) throw UsageError("plan: give --budget and/or --max-kols");
  if (!json.empty()) check_output_path(json);  // fail now, not after the computation
  auto g = load_graph(graph, NeedProbabilities::required);
  const Roster r = read_roster(roster, g.graph);
  spec.stop = progress_token("planning");
  auto plan = with_model(graph, [&](auto model) { return plan_campaign(g.graph, model, r, spec); });
  end_progress();
  std::cout << plan.to_table();
  if (!json.empty()) {
    Json record = Json::parse(plan.to_json());
    record["probabilities"] = g.probabilities.json();
    write_file_atomic(json, detail::json_text(record));
    std::cerr << "wrote run record " << json << "\n";
  }
  return 0;
}

}  // namespace kolsim::cli

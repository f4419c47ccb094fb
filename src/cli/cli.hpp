// SPDX-License-Identifier: MIT
/// Shared pieces of the `kolsim` command-line tool: strict option parsing, graph loading with an
/// explicit choice of edge probabilities, progress display and JSON output.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <kolsim/kolsim.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace kolsim::cli {

/// A mistake on the command line (exit status 2, as for every usage error).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses a whole token as an unsigned integer in [lo, hi] (decimal digits only: no sign, no
/// blanks, no hex). Throws UsageError naming `option` otherwise.
std::uint64_t parse_unsigned(const std::string& option, const std::string& text, std::uint64_t lo = 0,
                             std::uint64_t hi = UINT64_MAX);
/// Parses a whole token as a finite decimal number in [lo, hi]; UsageError naming `option` otherwise.
double parse_real(const std::string& option, const std::string& text, double lo, double hi);

/// How to read the graph and which probabilities to put on it (options as typed; strings are
/// parsed strictly by load_graph and the commands).
struct GraphArgs {
  std::string path;
  bool undirected = false;
  bool flip = false;
  std::string self_loops = "drop";
  std::string duplicates = "first";
  std::string probability_column;  ///< empty = not given
  bool first_line_counts = false;
  bool ignore_extra_columns = false;
  bool csv_header = false;
  std::string probabilities = "auto";  ///< auto | column | wc | const:P | trivalency | uniform:A:B | lt-random
  std::string seed = "0";
  std::string threads = "0";
  std::string model = "ic";
  bool simulates = false;  ///< the command runs cascades (spread, select, plan, replan): --model, --seed
  CLI::App* app = nullptr;  ///< to tell options typed by the user from defaults

  bool given(const std::string& option) const { return app && app->count(option) > 0; }
  std::uint64_t seed_value() const { return parse_unsigned("--seed", seed); }
  int threads_value() const;
};

/// Adds the graph and probability options; `simulates` adds --model (spread, select, plan).
void add_graph_args(CLI::App* app, GraphArgs& a, bool simulates);

/// Which edge probabilities a command used and where they came from.
struct ProbabilityUse {
  std::string source;        ///< "column", "snapshot", "scheme" or "none"
  std::string scheme;        ///< the -p scheme when source == "scheme" (e.g. "wc", "const:0.5")
  int column = -1;           ///< the column when source == "column"
  bool is_default = false;   ///< the scheme was chosen because the graph had no probabilities
  bool replaced = false;     ///< the scheme replaced probabilities stored in the input
  double mean = -1;          ///< mean edge probability (-1 = none or no edges)
  std::string text(const std::string& path) const;  ///< one readable line (without "probabilities: ")
  nlohmann::ordered_json json() const;              ///< the "probabilities" field of --json output
};

/// What the command needs from the graph's probabilities.
enum class NeedProbabilities {
  if_present,  ///< info / convert: keep stored or column probabilities, assign only if -p asks
  required,    ///< spread / select / plan: fall back to weighted cascade when none are stored
};

/// A loaded graph and the probabilities it carries.
struct LoadedGraph {
  FollowerGraph graph;
  ProbabilityUse probabilities;
};

/// Reads the graph through read_graph ("-" = standard input), checks that every option typed
/// applies to what was read, resolves -p / --probability-column, and reports on stderr what was
/// read and which probabilities are used (plus a warning for an unused numeric column).
LoadedGraph load_graph(const GraphArgs& a, NeedProbabilities need);

/// One warning line per column the edge-list reader found numeric in [0, 1] but unused.
void warn_unused_columns(const EdgeListReport& report, const std::string& where, std::ostream& os);

/// Where progress goes: stderr when it is a terminal (automatic), always (--progress) or never
/// (--quiet).
enum class ProgressMode { automatic, always, never };
void set_progress_mode(ProgressMode mode);

/// Polls to print `what`, the current phase, its count and the elapsed time on stderr (when
/// progress is shown); end_progress() clears the line.
StopToken progress_token(const std::string& what);
/// Feeds the line of progress_token: (phase, done, total) reports of the running computation.
ProgressFn progress_reporter();
void end_progress();

/// Prints a JSON value on stdout (one line).
void print_json(const nlohmann::ordered_json& j);

/// The run's back end: src/cli/backend/mpi.cpp when kolsim is built with MPI, else
/// backend/serial.cpp. Under `mpirun -np P` (P > 1) the spread and selection below run over
/// every rank with one process's answer, and only rank 0 writes (stdout and stderr of the other
/// ranks are silenced); otherwise every call returns std::nullopt and the caller runs as usual.
void start_backend(int& argc, char**& argv);
std::optional<SpreadEstimate> backend_spread(const FollowerGraph& g, const std::string& model,
                                             std::span<const vertex_t> seeds, const MonteCarloOptions& opt);
std::optional<ImmResult> backend_imm(const FollowerGraph& g, const std::string& model, std::size_t k,
                                     const ImmOptions& opt);
std::optional<OpimResult> backend_opim_c(const FollowerGraph& g, const std::string& model, std::size_t k,
                                         const OpimOptions& opt);
/// `plan` over every rank (kolsim::distributed::plan_campaign), for each model the planner runs.
std::optional<CampaignPlan> backend_plan(const FollowerGraph& g, const IndependentCascade& model, const Roster& roster,
                                         const CampaignSpec& spec);
std::optional<CampaignPlan> backend_plan(const FollowerGraph& g, const LinearThreshold& model, const Roster& roster,
                                         const CampaignSpec& spec);
std::optional<CampaignPlan> backend_plan(const FollowerGraph& g, const ContinuousIC& model, const Roster& roster,
                                         const CampaignSpec& spec);
/// False on the ranks other than 0 under mpirun: they write no files.
bool backend_writer();
/// A command without a distributed path (main.cpp's table): under mpirun -np P (P > 1) rank 0
/// alone calls run() while the other ranks wait idle (no spinning core), and every rank returns
/// rank 0's exit status; otherwise run().
int backend_on_root(const std::function<int()>& run);

}  // namespace kolsim::cli

namespace kolsim::cli {

/// One subcommand: its options (as typed) and what it does. add() registers it on the tool.
struct InfoCommand {
  GraphArgs graph;
  bool json = false;
  CLI::App* app = nullptr;
  void add(CLI::App& tool);
  int run() const;
};

struct ConvertCommand {
  GraphArgs graph;
  std::string output;
  bool with_probabilities = false;
  bool json = false;
  CLI::App* app = nullptr;
  void add(CLI::App& tool);
  int run() const;
};

/// `kolsim generate`: a Chung-Lu follower graph streamed straight into a snapshot (no graph in
/// memory), for graphs of a billion edges.
struct GenerateCommand {
  std::string output, accounts, degree = "10", out_exponent = "2.5", in_exponent = "2.1";
  std::string probabilities = "wc", seed = "1", threads = "0", memory_mib = "2048";
  bool json = false;
  CLI::App* app = nullptr;
  void add(CLI::App& tool);
  int run() const;
};

struct SpreadCommand {
  GraphArgs graph;
  std::string seeds, trials = "10000", deadline;
  std::string hours, delay_hours = "1", track;  ///< continuous time: --hours, --delay-hours, --track
  bool json = false;
  CLI::App* app = nullptr;
  void add(CLI::App& tool);
  int run() const;
};

/// The selection methods of the tool: the same names as Python's kolsim.select_seeds.
std::vector<std::string> select_methods();

struct SelectCommand {
  GraphArgs graph;
  std::string k = "10", method = "opim-c", epsilon = "0.1", trials = "1000", check_trials = "10000";
  std::string deadline_hours, delay_hours = "1";  ///< time-critical selection in continuous time
  bool json = false;
  CLI::App* app = nullptr;
  void add(CLI::App& tool);
  int run() const;
};

/// `kolsim multiplex`: reach in people and per platform, or (person, platform) selection, on a
/// multi-platform network (docs/multiplex.md).
struct MultiplexCommand {
  std::vector<std::string> layers, cross;  ///< NAME=PATH; FROM:TO=P
  std::string identity, probabilities = "auto", seeds, select, method = "imm", epsilon = "0.1", trials = "10000",
                                        deadline, seed = "0", threads = "0";
  std::string roster, budget = "0", max_kols = "0", check_trials = "10000", record;  ///< plan mode (--roster)
  /// Race mode (--misleading with --corrective or --block): a misleading narrative and its correction.
  std::string misleading, corrective, block, block_method = "celf", tie_rule = "misleading_wins", delay = "0",
                                                block_trials = "200", evaluation_trials = "1000";
  bool json = false;
  CLI::App* app = nullptr;
  void add(CLI::App& tool);
  int run() const;
  int plan(const Multiplex& mx, int threads, std::uint64_t seed) const;
};

/// Options shared by plan and replan.
struct PlanArgs {
  GraphArgs graph;
  std::string roster, audience, other_weight = "1", record, budget = "0", max_kols = "0", max_risk = "1", deadline, epsilon = "0.1",
                                        check_trials = "10000";
  std::vector<std::string> group_minimums;  ///< GROUP=COUNT
  std::string deadline_hours, delay_hours = "1";  ///< continuous time (ContinuousIC)
  std::vector<std::string> platform_delays;       ///< PLATFORM=HOURS
  bool json = false;
};

struct PlanCommand {
  PlanArgs plan;
  std::string html;  ///< --html FILE: the report page (written by the kolsim Python package)
  CLI::App* app = nullptr;
  void add(CLI::App& tool);
  int run() const;
};

struct ReplanCommand {
  PlanArgs plan;
  std::string drop;
  CLI::App* app = nullptr;
  void add(CLI::App& tool);
  int run() const;
};

}  // namespace kolsim::cli

namespace kolsim::cli {

/// Options shared by the competitive commands (compete, block): the misleading seeds and the
/// race's rules; --model ic (competitive IC, one graph for both campaigns) or lt (competitive LT).
struct CompetitionArgs {
  GraphArgs graph;
  std::string misleading, tie_rule = "misleading_wins", delay = "0", deadline;
  bool json = false;
};

/// `compete`: Monte Carlo race between misleading and corrective seeds (estimate_competition).
struct CompeteCommand {
  CompetitionArgs race;
  std::string corrective, trials = "10000";
  CLI::App* app = nullptr;
  void add(CLI::App& tool);
  int run() const;
};

/// `block`: corrective KOLs that minimise the misleading campaign's reach (select_blockers).
struct BlockCommand {
  CompetitionArgs race;
  std::string k = "10", method = "rr", worlds = "2000", roots = "16", trials = "200", epsilon = "0.3",
              evaluation_trials = "1000";
  CLI::App* app = nullptr;
  void add(CLI::App& tool);
  int run() const;
};

}  // namespace kolsim::cli

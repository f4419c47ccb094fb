// SPDX-License-Identifier: MIT
/// The `kolsim` command-line tool: inspect a graph, convert it to a snapshot, estimate the spread
/// of given seeds, select seeds, plan campaigns and re-plan one without a KOL who drops out. Exit
/// status: 0 success, 2 usage error (a mistake on the command line), 1 any other error (bad input
/// data, I/O, memory, interruption). Under mpirun, see the table of commands below.
#include <functional>
#include <iostream>
#include <string>

#include "cli.hpp"

int main(int argc, char** argv) {
  using namespace kolsim::cli;
  start_backend(argc, argv);  // MPI under mpirun; nothing otherwise
  CLI::App tool{"kolsim: follower networks, message cascades and KOL selection"};
  tool.require_subcommand(1);
  tool.set_version_flag("--version", std::string(kolsim::version()));
  tool.option_defaults()->always_capture_default();  // --help shows every default
  bool force_progress = false, quiet = false;
  tool.add_flag("--progress", force_progress, "Show progress on stderr even when it is not a terminal");
  tool.add_flag("--quiet", quiet, "Show no progress (default: progress on stderr when it is a terminal)")
      ->excludes("--progress");
  tool.fallthrough();  // --progress / --quiet may also follow the subcommand
  InfoCommand info;
  ConvertCommand convert;
  GenerateCommand generate;
  SpreadCommand spread;
  SelectCommand select;
  PlanCommand plan;
  ReplanCommand replan;
  CompeteCommand compete;
  BlockCommand block;
  MultiplexCommand multiplex;
  info.add(tool);
  convert.add(tool);
  generate.add(tool);
  spread.add(tool);
  select.add(tool);
  plan.add(tool);
  replan.add(tool);
  compete.add(tool);
  block.add(tool);
  multiplex.add(tool);
  // Under `mpirun -np P` every command follows one rule: a run with a distributed path
  // (kolsim::distributed, src/cli/backend/mpi.cpp) works on every rank with one process's answer
  // (rank 0 prints and writes); every other run is rank 0's alone while the other ranks wait
  // idle, and all ranks exit with rank 0's status. So each command prints its output and writes
  // its files once. This is the one table of them (docs/distributed.md).
  const auto ic_or_lt = [](const std::string& model) { return model == "ic" || model == "lt"; };
  struct Command {
    CLI::App* app;
    std::function<int()> run;
    std::function<bool()> distributed;  ///< after parsing: does this run have a distributed path?
  };
  const auto never = [] { return false; };
  const Command commands[] = {
      {info.app, [&] { return info.run(); }, never},
      {convert.app, [&] { return convert.run(); }, never},
      {generate.app, [&] { return generate.run(); }, never},
      {spread.app, [&] { return spread.run(); }, [&] { return spread.hours.empty() && ic_or_lt(spread.graph.model); }},
      {select.app, [&] { return select.run(); },
       [&] {
         return select.deadline_hours.empty() && (select.method == "imm" || select.method == "opim-c") &&
                ic_or_lt(select.graph.model);
       }},
      {plan.app, [&] { return plan.run(); }, [] { return true; }},  // IC, LT and ContinuousIC
      {replan.app, [&] { return replan.run(); }, never},
      {compete.app, [&] { return compete.run(); }, never},
      {block.app, [&] { return block.run(); }, never},
      {multiplex.app, [&] { return multiplex.run(); }, never},
  };
  // Runs one command: its exit status (2 usage error, 1 any other error).
  const auto status = [&](const std::function<int()>& run) {
    try {
      return run();
    } catch (const CLI::ParseError& e) {
      const int code = tool.exit(e);  // prints help, the version or the error
      return code == 0 ? 0 : 2;
    } catch (const UsageError& e) {
      end_progress();
      std::cerr << "kolsim: error: " << e.what() << "\nRun with --help for more information.\n";
      return 2;
    } catch (const std::exception& e) {
      end_progress();
      std::cerr << "kolsim: error: " << e.what() << "\n";
      return 1;
    }
  };
  const int parsed = status([&] {
    tool.parse(argc, argv);  // on every rank alike: a command-line mistake ends each one the same way
    set_progress_mode(quiet ? ProgressMode::never : force_progress ? ProgressMode::always : ProgressMode::automatic);
    return -1;
  });
  if (parsed != -1) return parsed;
  for (const Command& c : commands) {
    if (!*c.app) continue;
    const auto run = [&] { return status(c.run); };
    return c.distributed() ? run() : backend_on_root(run);
  }
  return 0;
}

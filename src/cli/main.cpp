// SPDX-License-Identifier: MIT
/// The `kolsim` command-line tool: inspect a graph, convert it to a snapshot, estimate the spread
/// of given seeds, select seeds, plan campaigns and re-plan one without a KOL who drops out. Exit status: 0 success, 2 usage error (a
/// mistake on the command line), 1 any other error (bad input data, I/O, memory, interruption).
#include <iostream>

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
  try {
    tool.parse(argc, argv);
    set_progress_mode(quiet ? ProgressMode::never : force_progress ? ProgressMode::always : ProgressMode::automatic);
    if (*info.app) return info.run();
    if (*convert.app) return convert.run();
    if (*generate.app) return generate.run();
    if (*spread.app) return spread.run();
    if (*select.app) return select.run();
    if (*plan.app) return plan.run();
    if (*replan.app) return replan.run();
    if (*compete.app) return compete.run();
    if (*block.app) return block.run();
    if (*multiplex.app) return multiplex.run();
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
  return 0;
}

// `sim`: the simulator's command line. The default command runs a scenario;
// `sim collective` times one collective like nccl-tests; `sim calibrate`
// measures this host's compute rate; `sim sweep` runs a grid of --set values;
// `sim plot` draws its tables; `sim replay` times a list of flows.
//
// Exit status: 0 success, 2 bad input (command line, scenario or a data file
// it names, or a run estimated not to fit this machine; nothing is written),
// 3 a run stopped at --max-wall-time (its result written, marked incomplete),
// 1 any other failure.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"

int main(int argc, char** argv) {
  CLI::App app{"sim: a discrete-event simulator of distributed deep-learning training.\n"
               "Predicts step time, scaling and convergence of a training job on a cluster from one scenario file.",
               "sim"};
  app.set_version_flag("--version", std::string("sim ") + SIM_VERSION);
  app.require_subcommand(0, 1);
  sim::cli::RegisterRunCommand(app);
  sim::cli::RegisterCollectiveCommand(app);
  sim::cli::RegisterCalibrateCommand(app);
  sim::cli::RegisterSweepCommand(app);
  sim::cli::RegisterPlotCommand(app);
  sim::cli::RegisterReplayCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return sim::cli::kExitBadInput;
  } catch (const sim::cli::Exit& e) {
    return e.status;
  }
  return sim::cli::kExitOk;
}

// `sim plot FILE... --out DIR`: PNG and SVG pictures of sweep tables, series
// CSVs and result JSONs (sim/plot/plot.py, compiled in and piped to python3).
//
// Exit status: the script's (0 written; 2 matplotlib missing or a file of no
// known kind), 2 when no python3 can be started.
#include <iostream>
#include <memory>

#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"
#include "sim/plot/plot_script.h"
#include "sim/plot/python_process.h"

namespace sim::cli {

namespace {

struct PlotOptions {
  std::vector<std::string> files;
  std::string out;
};

}  // namespace

void RegisterPlotCommand(CLI::App& app) {
  auto o = std::make_shared<PlotOptions>();
  CLI::App* cmd = app.add_subcommand(
      "plot", "Draw sweep tables (speedup, time breakdown), series (accuracy, loss) and results (staleness) as PNG and SVG");
  cmd->add_option("files", o->files, "sim sweep tables, sim --series CSVs, sim --json results")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", o->out, "Folder for the pictures")->required();
  cmd->callback([o] {
    int status = kExitOk;
    RunReportingErrors([&] {
      const std::string python = plot::PythonInterpreter();
      std::vector<std::string> arguments = o->files;
      arguments.insert(arguments.end(), {"--out", o->out});
      status = plot::RunPythonScript(python, plot::PlotScript(), arguments);
      if (status == plot::kPythonNotFound) {
        std::cerr << "sim plot: error: cannot run " << python
                  << ": install Debian's python3 and python3-matplotlib, or set SIM_PYTHON\n";
        status = kExitBadInput;
      }
    });
    if (status != kExitOk) throw Exit{status};
  });
}

}  // namespace sim::cli

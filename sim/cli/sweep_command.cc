// `sim sweep --scenario F [--set path=value]... --sweep path=values
//  [--sweep ...] --out FILE.csv [--resume] [-j N] [--baseline path=value,...]
//  [--quiet]`: the scenario at every point of the grid, one CSV row per point
// (sim/sweep/sweep.h). Under mpirun the points are spread over the ranks
// (sim/sweep/mpi_sweep.h).
//
// Exit status: 0 every point ran; 1 the table is complete but some points
// failed at run time (their rows say why), or another failure; 2 bad input
// (nothing written), including an existing --out without --resume.
#include <memory>

#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"
#include "sim/sweep/mpi_sweep.h"
#include "sim/sweep/sweep.h"

namespace sim::cli {

void RegisterSweepCommand(CLI::App& app) {
  auto o = std::make_shared<sweep::SweepOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Run a scenario at every point of a grid of --set values; write one CSV row per point");
  cmd->add_option("-s,--scenario", o->scenario, "Scenario file (.pbtxt or .json)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--set", o->overrides, "Override a field at every point, e.g. --set workload.steps=50 (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--sweep", o->sweeps,
                  "A field and its values: path=v1,v2,... with ranges a:b:x2 (doubling) and a:b:+s (step), and "
                  "[a,b] for one list value (repeatable; the grid is the product, the first --sweep outermost)")
      ->required()
      ->allow_extra_args(false);
  cmd->add_option("-o,--out", o->out, "The CSV table to write, one row per point")->required();
  cmd->add_flag("--resume", o->resume, "Keep the rows --out already holds and run only the points it lacks");
  cmd->add_option("-j,--jobs", o->jobs, "Points run at once on this machine (threads; default 1)")
      ->check(CLI::Range(1u, 4096u));
  cmd->add_option("--baseline", o->baseline,
                  "Speedup against: path=value,... pins swept paths (default: the first point)");
  cmd->add_flag("-q,--quiet", o->quiet, "Print nothing but errors");
  cmd->callback([o] {
    auto report = [](const std::function<void()>& body) {
      try {
        RunReportingErrors(body);
      } catch (const Exit& e) {
        return e.status;
      }
      return kExitOk;
    };
    if (sweep::LaunchedByMpirun()) {
      if (const int status = sweep::RunSweepOverMpi(*o, report); status != kExitOk) throw Exit{status};
      return;
    }
    sweep::SweepSummary summary;
    RunReportingErrors([&] { summary = sweep::RunSweep(*o); });
    if (summary.failed > 0) throw Exit{kExitFailure};
  });
}

}  // namespace sim::cli

// The default command: `sim --scenario FILE [--set path=value]... [--seed N]
// [--out DIR] [--json FILE] [--series FILE] [--series-every N] [--trace FILE]
// [--links] [--quiet] [--every-step] [--host-profile FILE] [--max-wall-time S]
// [--memory-limit-mb MB] [--max-events N]`. On a terminal, a run longer than
// about two seconds shows its progress on stderr (sim/result/progress_line.h).
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/calibration/profile_calibration.h"
#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"
#include "sim/result/atomic_file.h"
#include "sim/result/progress_line.h"
#include "sim/result/report.h"
#include "sim/run/training_run.h"
#include "sim/scenario/run_plan.h"

namespace sim::cli {
namespace {

struct RunOptions {
  std::string scenario;
  std::vector<std::string> overrides;
  std::optional<std::uint64_t> seed;
  std::string out_dir, json, series, trace;
  std::string host_profile;  // empty: scenario::DefaultHostProfilePath()
  bool links = false;
  bool quiet = false;
  bool every_step = false;
  std::optional<std::int64_t> series_every;
  // Seconds before the progress line shows (hidden option: tests use 0).
  double progress_after_s = 2.0;
  double max_wall_s = 0;
  double memory_limit_mb = 0;
  double max_events = scenario::kDefaultMaxEvents;
};

std::string InDir(const std::string& dir, const std::string& explicit_path, const char* name) {
  if (!explicit_path.empty() || dir.empty()) return explicit_path;
  return (std::filesystem::path(dir) / name).string();
}

// Every output that cannot be written, named by its option or field, before
// the run (issue 20: not after it).
void CheckOutputs(const std::vector<std::pair<std::string, std::string>>& outputs) {
  std::vector<std::string> problems;
  for (const auto& [what, path] : outputs) {
    if (path.empty()) continue;
    if (auto why = WhyCannotWrite(path)) problems.push_back(what + ": cannot write '" + path + "': " + *why);
  }
  if (!problems.empty()) throw scenario::ScenarioError(problems);
}

void Run(const RunOptions& o) {
  if (o.series_every && *o.series_every < 1) {
    throw std::invalid_argument("--series-every must be at least 1 (a series row every N steps), got " +
                                std::to_string(*o.series_every));
  }
  std::vector<std::string> overrides = o.overrides;
  if (o.seed) overrides.push_back("seed=" + std::to_string(*o.seed));
  if (!o.host_profile.empty() && !std::filesystem::is_regular_file(o.host_profile)) {
    throw std::invalid_argument("--host-profile: no profile file at " + o.host_profile);
  }
  scenario::LoadOptions load;
  load.host_profile = o.host_profile;
  load.limits = scenario::ThisMachineLimits();
  if (o.memory_limit_mb > 0) {
    load.limits->memory_bytes = o.memory_limit_mb * 1e6;
    load.limits->memory_source = "--memory-limit-mb";
  }
  load.limits->events = o.max_events;
  load.keep_trace = !o.trace.empty() || !o.out_dir.empty();
  const scenario::RunPlan plan = scenario::LoadPlan(o.scenario, overrides, calibration::ReadingClusterProfiles(load));
  if (!plan.cluster.profile.empty() && !o.quiet) {
    std::cerr << "sim: calibrated from the cluster profile " << plan.cluster.profile << ":\n";
    for (const auto& note : plan.cluster.profile_notes) std::cerr << "  " << note << "\n";
  }

  const std::string json = InDir(o.out_dir, o.json, "result.json");
  const std::string series = InDir(o.out_dir, o.series.empty() ? plan.outputs.series_csv : o.series, "series.csv");
  const std::string trace = InDir(o.out_dir, o.trace.empty() ? plan.outputs.trace_json : o.trace, "trace.json");
  CheckOutputs({{o.out_dir.empty() ? "--json" : "--out", json},
                {o.series.empty() && o.out_dir.empty() ? "outputs.series_csv" : "--series", series},
                {o.trace.empty() && o.out_dir.empty() ? "outputs.trace_json" : "--trace", trace}});

  TrainingRunOptions options;
  options.keep_trace = !trace.empty();
  options.every_step = o.every_step;
  options.progress = o.quiet ? nullptr : &std::cerr;
  options.series_every = o.series_every ? static_cast<std::uint64_t>(*o.series_every) : 0;
  // Progress only on a terminal: a log file or a pipe gets none of it.
  const bool terminal = !o.quiet && ::isatty(STDERR_FILENO) == 1;
  ProgressLine line(std::cerr, "steps",
                    {.terminal = terminal,
                     .delay = std::chrono::duration<double>(o.progress_after_s),
                     .interval = std::chrono::duration<double>(0.25),
                     .clock = std::chrono::steady_clock::now});
  if (terminal) {
    options.on_step = [&line](std::uint64_t done, std::uint64_t steps, Time simulated) {
      line.update(done, steps, simulated);
    };
  }
  options.max_wall_s = o.max_wall_s;
  const TrainingRunOutput out = RunTraining(plan, options);
  line.finish();

  // Every file is written only now, whole, after the run succeeded.
  if (!json.empty()) WriteFileAtomically(json, ResultJson(out.result));
  if (!series.empty()) WriteFileAtomically(series, out.series_csv);
  if (!trace.empty()) WriteFileAtomically(trace, out.trace_json);
  if (!o.quiet) {
    std::cout << SummaryTable(out.result);
    if (o.links) std::cout << LinksTable(out.result);
  }
  if (out.result.incomplete()) {
    std::cerr << "sim: " << out.result.incomplete_reason() << "; the result is marked incomplete\n";
    throw Exit{kExitIncomplete};
  }
}

}  // namespace

void RegisterRunCommand(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  app.add_option("-s,--scenario", o->scenario, "Scenario file (.pbtxt text format, or .json)")
      ->check(CLI::ExistingFile);
  app.add_option("--set", o->overrides,
                 "Override a scenario field by its path, e.g. --set cluster.workers=8 "
                 "(repeatable; lists take a,b,c; enums take their names)")
      ->allow_extra_args(false);
  app.add_option("--seed", o->seed, "Seed of every random stream (overrides the scenario's seed)");
  app.add_option("--host-profile", o->host_profile,
                 "Profile of device \"host\" (from `sim calibrate`; default: $SIM_HOST_PROFILE, else "
                 "host_device.pbtxt beside the sim program)");
  app.add_option("-o,--out", o->out_dir, "Folder for result.json, series.csv and trace.json");
  app.add_option("--json", o->json, "Write the run's result (RunResult) as JSON to this file");
  app.add_option("--series", o->series,
                 "Write the time series CSV (step,sim_time_s,loss,accuracy,staleness,kind): a row per evaluation");
  app.add_option("--series-every", o->series_every,
                 "Also a series row every N steps (kind step: the step's training loss, simulated time, staleness)");
  app.add_option("--progress-after", o->progress_after_s, "Seconds before the progress line shows (default 2)")
      ->group("");  // hidden: for tests
  app.add_option("--trace", o->trace, "Write a Chrome/Perfetto trace of compute and communication");
  app.add_flag("--links", o->links, "Print the table of the busiest links");
  app.add_flag("-q,--quiet", o->quiet, "Print nothing but errors");
  app.add_flag("--every-step", o->every_step,
               "Layer-wise runs: simulate every step, even once a steady step repeats (same results, slower)");
  app.add_option("--max-wall-time", o->max_wall_s,
                 "Stop the run cleanly after this many seconds of host time; the result says how far it got, "
                 "is marked incomplete, and sim exits with status 3")
      ->check(CLI::PositiveNumber);
  app.add_option("--memory-limit-mb", o->memory_limit_mb,
                 "Refuse a run whose estimated peak memory exceeds this many MB (default: this machine's "
                 "MemAvailable)")
      ->check(CLI::PositiveNumber);
  app.add_option("--max-events", o->max_events, "Refuse a run estimated to fire more events than this (default 1e10)")
      ->check(CLI::PositiveNumber);
  app.callback([&app, o] {
    if (!app.get_subcommands().empty()) return;  // a sub-command runs instead
    if (o->scenario.empty()) {
      std::cerr << "sim: --scenario FILE is required (or a sub-command); see sim --help\n";
      throw Exit{kExitBadInput};
    }
    RunReportingErrors([&] { Run(*o); });
  });
}

}  // namespace sim::cli

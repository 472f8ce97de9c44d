// The sub-commands of `sim`, each in a file of its own; main.cc only wires
// them into one CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace sim::cli {

// `sim --scenario FILE ...`: run one scenario (the default command).
void RegisterRunCommand(CLI::App& app);
// `sim collective ...`: time one collective over sizes and rank counts.
void RegisterCollectiveCommand(CLI::App& app);
// `sim calibrate ...`: measure this host's compute rate, write a profile.
void RegisterCalibrateCommand(CLI::App& app);
// `sim sweep ...`: a scenario over a grid of --set values, one CSV row per point.
void RegisterSweepCommand(CLI::App& app);
// `sim plot ...`: pictures of sweep tables, series and results.
void RegisterPlotCommand(CLI::App& app);
// `sim replay ...`: completion times of a list of flows on a cluster's network.
void RegisterReplayCommand(CLI::App& app);

}  // namespace sim::cli

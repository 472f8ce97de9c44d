// `sim sweep`: runs one scenario at every point of a grid of --set values and
// writes one CSV row per point (sweep_table.h) as each finishes
// (table_file.h). Every point is loaded and checked before any runs; a point
// that fails at run time becomes a row with its error.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <mutex>
#include <string>
#include <vector>

#include "sim/result/progress_line.h"
#include "sim/sweep/run_point.h"
#include "sim/sweep/sweep_axis.h"
#include "sim/sweep/sweep_points.h"
#include "sim/sweep/sweep_table.h"
#include "sim/sweep/table_file.h"

namespace sim::sweep {

struct SweepOptions {
  std::string scenario;
  std::vector<std::string> overrides;  // --set, applied to every point
  std::vector<std::string> sweeps;     // --sweep path=values
  std::string out;
  bool resume = false;
  unsigned jobs = 1;
  std::string baseline;  // --baseline path=value,...
  bool quiet = false;
};

struct SweepPlan {
  std::vector<SweepAxis> axes;
  std::vector<SweepPoint> points;
  std::vector<std::size_t> baselines;
  std::vector<PointCheck> checks;  // per point; empty when not checked
};

// Parses the axes and the baseline, and (when `check`) loads and checks
// every point. Throws std::invalid_argument for a bad --sweep or --baseline,
// and scenario::ScenarioError listing every problem of every point, each
// prefixed with the point's number and swept values (a problem that every
// point shares, such as an unknown path, is listed once).
[[nodiscard]] SweepPlan PlanSweep(const SweepOptions& options, bool check);

// The points the table still lacks, largest first (PointCheck::work; ties in
// point order): the longest runs start first, so that with several runners
// none is left alone with a long point at the end.
[[nodiscard]] std::vector<std::size_t> LargestFirst(const SweepPlan& plan, const TableFile& table);

// Runs one point; a failure becomes the row's error, never an exception.
[[nodiscard]] PointRow RunPointRow(const SweepPlan& plan, const SweepOptions& options, std::size_t point);

// "sim sweep: [3/7] point 2 (cluster.workers=4): 0.31 s" on stderr as points
// finish; below them, on a terminal (`line.terminal`), once the sweep has run
// two seconds, a progress line with the points done, wall time and ETA
// (sim/result/progress_line.h). Nothing when quiet.
class Progress {
 public:
  Progress(const SweepPlan& plan, std::size_t to_run, bool quiet, std::ostream& out,
           ProgressLine::Options line = {});
  void finished(const PointRow& row);
  // Clears the progress line (before the sweep's last words).
  void finish() { line_.finish(); }

 private:
  const SweepPlan& plan_;
  std::size_t to_run_;
  std::size_t finished_ = 0;
  bool quiet_;
  ProgressLine line_;
  std::mutex mutex_;
};

// The progress line's options for stderr: shown only on a terminal.
[[nodiscard]] ProgressLine::Options StderrLine(bool quiet);

struct SweepSummary {
  std::size_t points = 0;
  std::size_t failed = 0;  // rows with an error
};

// Rewrites the table in point order and says how it ended (unless quiet).
SweepSummary FinishSweep(const SweepPlan& plan, const SweepOptions& options, TableFile& table);

// The sweep on this machine, `options.jobs` points at a time (threads).
SweepSummary RunSweep(const SweepOptions& options);

}  // namespace sim::sweep

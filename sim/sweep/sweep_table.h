// The table `sim sweep` writes: one CSV row per point, in these columns:
//
//   point                 the point's number (sweep_points.h): rows are in this order
//   <each swept path>     the point's value of it
//   workers, strategy, steps, sim_time_s
//   step_time_s           simulated seconds per global model update (mean_step_s)
//   samples_per_s         training throughput, all workers together
//   baseline_point        the point that speedup is measured against (baseline.h)
//   speedup               samples_per_s / the baseline's samples_per_s
//   scaling_efficiency    speedup / (workers / the baseline's workers): 1 is
//                         linear scaling, 0.5 half the throughput linear
//                         scaling from the baseline would give
//   compute_share, exposed_comm_share, wait_share
//                         where the workers' time goes, as fractions that sum
//                         to 1: computing, communicating while not computing,
//                         and idle (RunResult compute_s, comm_s, wait_s over
//                         their sum)
//   final_loss, final_accuracy, time_to_target_s (empty: not reached),
//   staleness_mean, staleness_max
//   tflops_per_gpu, mfu   layer-wise runs (an accelerator and a layer-wise
//                         profile): model TFLOP/s per GPU and model-FLOPs
//                         utilization; empty otherwise
//   memory_gib, memory_capacity_gib, memory_fits
//                         layer-wise runs: one GPU's peak memory, its
//                         capacity, and whether it fits (0 when simulated
//                         anyway with workload.ignore_memory_limit)
//   bubble_share, hardware_tflops_per_gpu
//                         runs with strategy.model_parallel: the share of a
//                         step a GPU is idle (pipeline bubbles, waiting), and
//                         TFLOP/s per GPU counting recomputation (as
//                         Narayanan et al. 2021 report it); empty otherwise
//   wall_s                host seconds the point took (the one column that
//                         differs between two sweeps of the same points)
//   error                 empty, or why the point failed at run time (its
//                         other measured columns are then empty)
//
// Numbers have 10 significant digits. The derived columns are always
// computed from the cells as written (never from the unrounded result), so a
// row computed in this process, received from another MPI rank, or read back
// by --resume gives the same speedup to the last digit.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/result/result.pb.h"
#include "sim/sweep/sweep_axis.h"
#include "sim/sweep/sweep_points.h"

namespace sim::sweep {

// What a point's run produced, as text cells: everything but the derived
// columns (baseline_point, speedup, scaling_efficiency).
struct PointRow {
  std::size_t point = 0;
  std::vector<std::string> values;    // the swept values
  std::vector<std::string> measured;  // kMeasuredColumns, in order; empty cells for a failed point
  std::string error;
};

// Columns taken from the run's result, in table order around the derived ones.
inline constexpr const char* kMeasuredColumns[] = {
    "workers",      "strategy",      "steps",          "sim_time_s",       "step_time_s",
    "samples_per_s", "compute_share", "exposed_comm_share", "wait_share", "final_loss",
    "final_accuracy", "time_to_target_s", "staleness_mean", "staleness_max", "tflops_per_gpu",
    "mfu",          "memory_gib",    "memory_capacity_gib", "memory_fits", "bubble_share",
    "hardware_tflops_per_gpu", "wall_s"};
inline constexpr std::size_t kMeasuredCount = std::size(kMeasuredColumns);
// Where PointRow::measured holds what speedup and progress read.
inline constexpr std::size_t kWorkersCell = 0;
inline constexpr std::size_t kSamplesPerSecondCell = 5;
inline constexpr std::size_t kWallSecondsCell = kMeasuredCount - 1;
static_assert(std::string_view(kMeasuredColumns[kWorkersCell]) == "workers");
static_assert(std::string_view(kMeasuredColumns[kSamplesPerSecondCell]) == "samples_per_s");
static_assert(std::string_view(kMeasuredColumns[kWallSecondsCell]) == "wall_s");

[[nodiscard]] std::vector<std::string> Header(const std::vector<SweepAxis>& axes);

[[nodiscard]] PointRow RowOfResult(const SweepPoint& point, const result::RunResult& r);
[[nodiscard]] PointRow RowOfError(const SweepPoint& point, const std::string& error);

// The full table row; `baseline` is the baseline point's row when it has
// finished (the derived cells are empty until then).
[[nodiscard]] std::vector<std::string> Cells(const PointRow& row, std::size_t baseline_point,
                                             const PointRow* baseline);

// A row read back from cells laid out as Header(axes) says; the point number
// is left to the caller (it goes by the swept values). nullopt when the cells
// do not fit the header.
[[nodiscard]] std::optional<PointRow> RowOfCells(const std::vector<std::string>& cells, std::size_t axis_count);

// A double with 10 significant digits (%.10g).
[[nodiscard]] std::string Number(double value);

}  // namespace sim::sweep

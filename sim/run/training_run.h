// One training run, end to end: from a run plan to its result. Builds the
// flow network on the plan's topology, the numerics, the compute model and
// the strategy; runs the engine dry; gathers what the run predicts. A
// layer-wise plan (an accelerator and a layer-wise profile) runs as a task
// graph instead (layer_wise_run.h).
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "models/data/dataset.h"
#include "sim/result/result.pb.h"
#include "sim/scenario/run_plan.h"
#include "sim/training/numerics.h"
#include "sim/training/run_length.h"

namespace sim {

struct TrainingRunOptions {
  // Keep every compute/communicate interval for a Chrome trace.
  bool keep_trace = false;
  // Layer-wise runs: simulate every step event by event, even once a steady
  // step repeats (taskgraph/periodic_steps.h); the same results, slower.
  bool every_step = false;
  // Where to say what the run is doing (device notes); null: nowhere.
  std::ostream* progress = nullptr;
  // Stop the run cleanly after this many host seconds (0: never): the result
  // describes the run as far as it got and is marked incomplete (layer-wise
  // runs: the steps they finished).
  double max_wall_s = 0;
  // The plan's data set, already loaded (sweeps and benchmarks load it
  // once); null: load it.
  std::shared_ptr<const models::TrainTest> data;
  // Told as steps go by (a progress line); empty: nobody. It sees the run,
  // it does not change it.
  OnStep on_step = nullptr;
  // The series gets a row every this many steps (their training loss),
  // besides the evaluations; 0: evaluations only (TrainingLog::series_csv).
  std::uint64_t series_every = 0;
};

struct TrainingRunOutput {
  result::RunResult result;
  std::string series_csv;
  std::string trace_json;  // empty unless keep_trace
};

TrainingRunOutput RunTraining(const scenario::RunPlan& plan, const TrainingRunOptions& options = {});

// The numerics of a plan with a trainable model (mpi_train and mpi_calibrate
// build the same ones as the simulation).
[[nodiscard]] NumericsSpec NumericsSpecOf(const scenario::RunPlan& plan);

}  // namespace sim

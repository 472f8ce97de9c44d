// A layer-wise run (an accelerator device and a layer-wise profile): each
// layer's forward and backward pass timed on the accelerator (a roofline,
// models/compute/layer_time.h), the steps of every worker built as a task
// graph (sim/parallelism) and run on the flow network of the plan's
// topology. No numerics: what it predicts is time, memory and utilization.
#pragma once

#include "sim/run/training_run.h"
#include "sim/scenario/run_plan.h"

namespace sim {

// Requires plan.layer_wise.
[[nodiscard]] TrainingRunOutput RunLayerWise(const scenario::RunPlan& plan, const TrainingRunOptions& options = {});

// Time of an Adam step over `parameters` on the accelerator: it is
// memory-bound, and reads and writes 28 bytes a parameter (fp32 master
// weights or weights, momentum and variance, 12 bytes read and written; the
// gradient read and the compute copy written, 2 bytes each in mixed
// precision; in fp32 the 4-byte gradient read and the weights, 8 bytes of
// state).
[[nodiscard]] Time AdamStepTime(std::int64_t parameters, const models::Accelerator& accelerator,
                                double memory_fraction);

}  // namespace sim

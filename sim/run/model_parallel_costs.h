// What the graph of a model-parallel run (parallelism/hybrid_parallel.h) is
// built from: each virtual stage's work per micro-batch and tensor-parallel
// rank, timed on the accelerator's roofline (models/compute/layer_time.h).
#pragma once

#include "sim/parallelism/hybrid_parallel.h"
#include "sim/scenario/run_plan.h"

namespace sim {

// Per virtual stage of plan.layer_wise->model_parallel (required):
//   forward, backward   the sum of its layers' passes on one micro-batch;
//   recompute           each transformer block's forward time x the share of
//                       its forward FLOPs recomputation redoes;
//   tensor collectives  each layer's (models/layers/tensor_parallel_layer.h),
//                       in layer order, mapped to the collectives' operations;
//   activations_out     the b x s x h activations at the stage's end, 1/t per
//                       rank (Narayanan et al. 2021, section 4.1: each rank
//                       sends its share and the next stage all-gathers it
//                       over NVLink; that all-gather is not modelled), or a
//                       non-transformer layer's output;
//   gradient            its parameters x bytes per gradient element;
//   parameters          its parameters at the compute precision (ZeRO's
//                       all-gather).
// The optimizer of each stage is an Adam step over its parameters
// (AdamStepTime), and the devices are the plan's workers in rank order.
[[nodiscard]] parallelism::HybridConfig HybridConfigOf(const scenario::RunPlan& plan);

}  // namespace sim

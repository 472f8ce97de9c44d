// Activation memory of one device: the bytes its layers keep for backward,
// times the micro-batches whose backward has not run yet.
#pragma once

#include <cstdint>
#include <vector>

#include "models/layers/layer.h"
#include "models/layers/recomputation.h"
#include "sim/core/units.h"

namespace sim::models {

enum class PipelineSchedule {
  kGPipe,                  // all forward passes, then all backward (Huang et al. 2019)
  kOneForwardOneBackward,  // 1F1B, PipeDream-Flush (Narayanan et al. 2021, §2.2.1)
};

// Micro-batches whose activations stage `stage` (0 = first) of `stages`
// holds at its peak, in an iteration of `micro_batches`: all of them with
// GPipe; with 1F1B at most stages - stage, the warm-up forward passes before
// its first backward. Throws std::invalid_argument unless
// 0 <= stage < stages and micro_batches >= 1.
[[nodiscard]] std::int64_t MicroBatchesInFlight(PipelineSchedule schedule, std::int64_t stages, std::int64_t stage,
                                                std::int64_t micro_batches);

// Peak bytes of activations a device keeps for the given layers (already
// split by ShardTensorParallel where tensor-parallel): per micro-batch,
// transformer layers as transformer_activations.h gives them for the
// recomputation and the layer's own split, other layers their `saved` bytes
// (recomputation applies to transformer blocks only); times the micro-batches
// in flight; plus, once, what recomputing one block in backward rebuilds
// (the largest difference between its kept bytes without and with
// recomputation).
[[nodiscard]] Bytes ActivationBytes(const std::vector<Layer>& layers, std::int64_t micro_batch,
                                    std::int64_t micro_batches_in_flight, Recomputation recomputation);

}  // namespace sim::models

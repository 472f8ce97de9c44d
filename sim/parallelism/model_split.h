// How a model's layers are divided among tensor x pipeline x data GPUs
// (Narayanan et al. 2021), in plain values: which layers each virtual stage
// holds, what one tensor-parallel rank of it holds, and the memory of each
// pipeline stage's GPUs at their peak, found by walking the stage's explicit
// schedule (pipeline_schedule.h) rather than from a formula.
//
// Stages: p x v consecutive groups of layers ("virtual stages"; v = 1 but
// for the interleaved schedule), cut only after layers marked pipeline_cut.
// By default the cut minimises the largest group's compute (forward +
// backward FLOPs of its layers; recomputation is the same fraction of every
// block, so it does not move the cut). For GPT-3 on 16 stages that puts 6
// blocks on each stage and the embedding and logits with the first and last,
// as Megatron-LM does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/layers/layer.h"
#include "models/layers/recomputation.h"
#include "models/memory/device_memory.h"
#include "models/memory/zero.h"
#include "sim/parallelism/pipeline_schedule.h"

namespace sim::parallelism {

struct ModelSplit {
  std::uint32_t tensor = 1;    // t
  std::uint32_t pipeline = 1;  // p
  std::uint32_t data = 1;      // d
  PipelineScheduleKind schedule = PipelineScheduleKind::kOneForwardOneBackward;
  std::uint32_t chunks = 1;          // v
  std::int64_t micro_batch = 1;      // samples
  std::uint32_t micro_batches = 1;   // m, per step and replica
  bool sequence_parallel = false;
  models::Recomputation recomputation = models::Recomputation::kNone;
  // Layers per virtual stage, p x v of them in model order; empty: balanced.
  std::vector<std::uint32_t> stage_layers;

  [[nodiscard]] std::uint32_t virtual_stages() const noexcept { return pipeline * chunks; }
};

// Every reason the split cannot be applied to the model, one sentence each
// naming what to change: sizes below 1, a schedule and chunks that do not go
// together, micro-batches the interleaved schedule cannot group, stage
// layers that do not add up or cut where a layer cannot be cut, fewer cut
// points than stages, a transformer shape tensor parallelism cannot split.
[[nodiscard]] std::vector<std::string> ModelSplitProblems(const std::vector<models::Layer>& layers,
                                                          const ModelSplit& split);

// Layers per virtual stage: `split.stage_layers` when given, else the
// balanced cut. Requires ModelSplitProblems to be empty.
[[nodiscard]] std::vector<std::uint32_t> StageLayers(const std::vector<models::Layer>& layers, const ModelSplit& split);

// Consecutive groups of `groups` layers minimising the largest group's
// forward + backward FLOPs, cutting only after pipeline_cut layers (the last
// layer always ends the last group); ties go to the cut that leaves the
// earlier groups smaller. Throws std::invalid_argument when there are fewer
// cut points than groups.
[[nodiscard]] std::vector<std::uint32_t> BalancedStageLayers(const std::vector<models::Layer>& layers,
                                                             std::uint32_t groups);

// What one tensor-parallel rank holds of each virtual stage: its layers,
// transformer layers split t ways (ShardTensorParallel), others whole.
[[nodiscard]] std::vector<std::vector<models::Layer>> StageShards(const std::vector<models::Layer>& layers,
                                                                  const ModelSplit& split);

// One pipeline stage's GPUs at their peak.
struct StageMemory {
  models::MemoryBreakdown breakdown;
  std::int64_t parameters = 0;        // per GPU (a tensor-parallel share of the stage's chunks)
  std::uint32_t peak_in_flight = 0;   // micro-batches whose activations are kept at the peak
};

struct MemoryOptions {
  models::ZeroStage zero = models::ZeroStage::kNone;
  models::ModelStateBytesPerParameter state_bytes;
  Bytes communication_buffers;
};

// Per pipeline stage: model states of its chunks' shards (ZeRO over the
// data-parallel group), activations at the peak of the stage's schedule
// (each micro-batch in flight holding what its chunk keeps for backward,
// transformer_activations.h) plus, once, what recomputing one block rebuilds,
// and the communication buffers.
[[nodiscard]] std::vector<StageMemory> StageMemories(const std::vector<std::vector<models::Layer>>& shards,
                                                     const ModelSplit& split, const MemoryOptions& options);

}  // namespace sim::parallelism

// The order in which one pipeline stage runs the forward and backward passes
// of its micro-batches in a training step: explicit, so that the bubble and
// the activation memory come out of running it, not from a formula.
//
//   GPipe (Huang et al. 2019): every forward pass, then every backward pass.
//   1F1B (PipeDream-Flush, Narayanan et al. 2021, section 2.2.1): stage s
//     first runs min(p - s - 1, m) forward passes (warm-up), then alternates
//     one forward and one backward, then runs the remaining backward passes;
//     it holds at most p - s micro-batches' activations instead of m.
//   Interleaved 1F1B (Narayanan et al. 2021, section 2.2.2): each device
//     holds v model chunks (chunk c of stage s is virtual stage c p + s);
//     micro-batches go through in groups of p, chunk by chunk; the warm-up is
//     (p - s - 1) x 2 + (v - 1) x p forward passes (Megatron-LM's
//     forward_backward_pipelining_with_interleaving), and m must be a
//     multiple of p. The bubble shrinks by v.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace sim::parallelism {

enum class PipelineScheduleKind { kGPipe, kOneForwardOneBackward, kInterleaved };

[[nodiscard]] std::string_view PipelineScheduleName(PipelineScheduleKind kind) noexcept;

struct PipelinePass {
  bool forward = true;
  std::uint32_t micro_batch = 0;
  std::uint32_t chunk = 0;  // the device's model chunk (0 unless interleaved)
};

// Stage `stage`'s passes in order: each micro-batch of each chunk once
// forward and once backward. Throws std::invalid_argument for stages,
// micro-batches or chunks below 1, stage out of range, chunks > 1 with a
// schedule that is not interleaved, or an interleaved schedule whose
// micro-batches are not a multiple of the stages.
[[nodiscard]] std::vector<PipelinePass> StagePasses(PipelineScheduleKind kind, std::uint32_t stages,
                                                    std::uint32_t stage, std::uint32_t micro_batches,
                                                    std::uint32_t chunks = 1);

// The most micro-batches (of any chunk) whose forward pass has run and
// backward not yet, along the passes: what the stage's activation memory is
// sized by.
[[nodiscard]] std::uint32_t PeakInFlight(const std::vector<PipelinePass>& passes);

}  // namespace sim::parallelism

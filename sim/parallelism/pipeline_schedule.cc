#include "sim/parallelism/pipeline_schedule.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sim::parallelism {

std::string_view PipelineScheduleName(PipelineScheduleKind kind) noexcept {
  switch (kind) {
    case PipelineScheduleKind::kGPipe: return "gpipe";
    case PipelineScheduleKind::kOneForwardOneBackward: return "1f1b";
    case PipelineScheduleKind::kInterleaved: return "interleaved";
  }
  return "?";
}

namespace {

std::vector<PipelinePass> GPipe(std::uint32_t m) {
  std::vector<PipelinePass> passes;
  for (std::uint32_t i = 0; i < m; ++i) passes.push_back({true, i, 0});
  for (std::uint32_t i = 0; i < m; ++i) passes.push_back({false, i, 0});
  return passes;
}

std::vector<PipelinePass> OneForwardOneBackward(std::uint32_t p, std::uint32_t s, std::uint32_t m) {
  const std::uint32_t warmup = std::min(p - s - 1, m);
  std::vector<PipelinePass> passes;
  std::uint32_t next_forward = 0, next_backward = 0;
  for (; next_forward < warmup; ++next_forward) passes.push_back({true, next_forward, 0});
  while (next_forward < m) {
    passes.push_back({true, next_forward++, 0});
    passes.push_back({false, next_backward++, 0});
  }
  while (next_backward < m) passes.push_back({false, next_backward++, 0});
  return passes;
}

// Megatron-LM's interleaved schedule: the k-th forward pass of a device runs
// chunk (k mod p v) / p, on that chunk's next micro-batch; the k-th backward
// pass runs chunk v - 1 - (k mod p v) / p.
std::vector<PipelinePass> Interleaved(std::uint32_t p, std::uint32_t s, std::uint32_t m, std::uint32_t v) {
  const std::uint32_t total = m * v;
  const std::uint32_t warmup = std::min((p - s - 1) * 2 + (v - 1) * p, total);
  std::vector<std::uint32_t> forwarded(v, 0), backwarded(v, 0);
  auto chunk_of = [p, v](std::uint32_t k, bool forward) {
    const std::uint32_t c = (k % (p * v)) / p;
    return forward ? c : v - 1 - c;
  };
  std::vector<PipelinePass> passes;
  std::uint32_t k_forward = 0, k_backward = 0;
  auto forward = [&] {
    const std::uint32_t c = chunk_of(k_forward++, true);
    passes.push_back({true, forwarded[c]++, c});
  };
  auto backward = [&] {
    const std::uint32_t c = chunk_of(k_backward++, false);
    passes.push_back({false, backwarded[c]++, c});
  };
  for (std::uint32_t i = 0; i < warmup; ++i) forward();
  while (k_forward < total) {
    forward();
    backward();
  }
  while (k_backward < total) backward();
  return passes;
}

}  // namespace

std::vector<PipelinePass> StagePasses(PipelineScheduleKind kind, std::uint32_t stages, std::uint32_t stage,
                                      std::uint32_t micro_batches, std::uint32_t chunks) {
  if (stages < 1 || micro_batches < 1 || chunks < 1 || stage >= stages) {
    throw std::invalid_argument("pipeline schedule: need stages, micro-batches and chunks >= 1 and a stage below "
                                "the stages (stages " + std::to_string(stages) + ", stage " + std::to_string(stage) +
                                ", micro-batches " + std::to_string(micro_batches) + ", chunks " +
                                std::to_string(chunks) + ")");
  }
  if (kind != PipelineScheduleKind::kInterleaved && chunks != 1) {
    throw std::invalid_argument("pipeline schedule: model chunks need the interleaved schedule");
  }
  switch (kind) {
    case PipelineScheduleKind::kGPipe: return GPipe(micro_batches);
    case PipelineScheduleKind::kOneForwardOneBackward: return OneForwardOneBackward(stages, stage, micro_batches);
    case PipelineScheduleKind::kInterleaved:
      if (micro_batches % stages != 0) {
        throw std::invalid_argument("pipeline schedule: the interleaved schedule needs micro-batches (" +
                                    std::to_string(micro_batches) + ") a multiple of the stages (" +
                                    std::to_string(stages) + ")");
      }
      return Interleaved(stages, stage, micro_batches, chunks);
  }
  return {};
}

std::uint32_t PeakInFlight(const std::vector<PipelinePass>& passes) {
  std::uint32_t in_flight = 0, peak = 0;
  for (const PipelinePass& pass : passes) {
    if (pass.forward) {
      peak = std::max(peak, ++in_flight);
    } else {
      --in_flight;
    }
  }
  return peak;
}

}  // namespace sim::parallelism

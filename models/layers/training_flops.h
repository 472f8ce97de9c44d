// FLOPs of a training iteration, the two figures utilization is quoted in
// (Chowdhery et al. 2022, PaLM, appendix B; Korthikanti et al. 2022 §6):
// model FLOPs, what the model needs (forward + backward), and hardware FLOPs,
// what the device runs, recomputation included. MFU divides the first by
// time x peak, HFU the second.
#pragma once

#include <cstdint>
#include <vector>

#include "models/layers/layer.h"
#include "models/layers/recomputation.h"
#include "sim/core/units.h"

namespace sim::models {

// The forward work one sample's backward pass redoes: a transformer block's
// whole forward pass under full recomputation, its attention scores (Q·Kᵀ
// and scores·V, 4·s²·h/t) under selective; nothing for other layers, which
// are never recomputed.
[[nodiscard]] Flops RecomputedFlops(const Layer& layer, Recomputation recomputation);

struct IterationFlops {
  Flops model;     // batch x sum of forward + backward
  Flops hardware;  // model + batch x recomputed forward work
};

[[nodiscard]] IterationFlops TrainingIterationFlops(const std::vector<Layer>& layers, std::int64_t batch,
                                                    Recomputation recomputation);

}  // namespace sim::models

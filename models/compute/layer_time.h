// How long a layer's forward or backward pass takes on an accelerator: a
// roofline (Williams, Waterman & Patterson 2009). A pass of F FLOPs moving B
// bytes through device memory takes
//   max(F / (peak[type] x compute), B / (bandwidth x memory))
// where compute and memory are the achieved fractions of the datasheet
// ceilings (1 by default: the roofline itself, a lower bound on time).
//
// Why a roofline rather than an efficiency per layer kind: the regime a layer
// runs in follows from its own FLOPs and bytes, not from its kind. Batch
// norm, ReLU and pooling are memory-bound at any batch; a GEMM is
// compute-bound at a large micro-batch and memory-bound at a small one,
// where re-reading its weights dominates; the same kind changes regime
// with the micro-batch, which one efficiency per kind cannot express. And we
// have no sourced per-kind efficiencies for these devices, while the two
// fractions here are what a measured throughput calibrates: Narayanan et al.
// 2021 (Table 1) sustain about half of the A100's 312 TFLOP/s on GPT models,
// i.e. compute ≈ 0.5 for transformer blocks.
//
// Limits: the max() assumes a layer's compute and memory traffic overlap
// perfectly; kernel-launch latency is not counted; a transformer block is one
// layer, so its memory-bound norms and activations hide under its GEMMs.
#pragma once

#include <cstdint>

#include "models/compute/accelerators.h"
#include "models/layers/data_type.h"
#include "models/layers/layer.h"
#include "sim/core/time.h"
#include "sim/core/units.h"

namespace sim::models {

enum class Pass { kForward, kBackward };

struct RooflineEfficiency {
  double compute = 1.0;  // achieved fraction of the peak FLOP/s, in (0, 1]
  double memory = 1.0;   // achieved fraction of the memory bandwidth, in (0, 1]
};

struct PassWork {
  Flops flops;
  Bytes traffic;
};

// A micro-batch's work in one pass: the layer's per-sample FLOPs and
// activation traffic times the micro-batch, plus its weights at `weight_type`
// once per micro-batch (read forward; read, and their gradient written,
// backward) when the layer reads them densely.
[[nodiscard]] PassWork WorkOf(const Layer& layer, Pass pass, std::int64_t micro_batch, DataType weight_type);

// FLOPs per byte at which compute time equals memory time on the device:
// passes above it are compute-bound, below it memory-bound.
[[nodiscard]] double RidgeIntensity(const Accelerator& accelerator, DataType type, RooflineEfficiency efficiency = {});

// The pass computed at `type` (weights in memory at that type too). Throws
// std::invalid_argument when the device lacks the type, the micro-batch is
// below 1 or an efficiency is outside (0, 1].
[[nodiscard]] Time LayerTime(const Layer& layer, Pass pass, std::int64_t micro_batch, const Accelerator& accelerator,
                             DataType type, RooflineEfficiency efficiency = {});

}  // namespace sim::models

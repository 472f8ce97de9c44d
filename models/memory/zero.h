// Model states per device under ZeRO (Rajbhandari et al. 2020, "ZeRO: memory
// optimizations toward training trillion parameter models", §3.1 and §5).
//
// Mixed-precision Adam keeps, per parameter, 2 bytes of fp16 weights, 2 of
// fp16 gradients and K = 12 of optimizer state (fp32 master weights,
// momentum, variance): 16·Ψ bytes for Ψ parameters. Over a data-parallel
// group of N_d devices, ZeRO stage 1 shards the optimizer state, stage 2 the
// gradients too, stage 3 the weights too:
//   baseline (2 + 2 + K)·Ψ;  stage 1 4Ψ + K·Ψ/N_d;  stage 2 2Ψ + (2 + K)·Ψ/N_d;  stage 3 (2 + 2 + K)·Ψ/N_d.
// A device holds the largest shard, ceil(Ψ / N_d) parameters' worth.
#pragma once

#include <cstdint>
#include <string_view>

#include "sim/core/units.h"

namespace sim::models {

enum class ZeroStage {
  kNone = 0,
  kOptimizerStates = 1,
  kGradients = 2,
  kParameters = 3,
};

[[nodiscard]] std::string_view ZeroStageName(ZeroStage stage) noexcept;

struct ModelStateBytesPerParameter {
  std::int64_t parameters = 2;  // fp16 / bf16 weights
  std::int64_t gradients = 2;   // fp16 / bf16 gradients
  std::int64_t optimizer = 12;  // K: fp32 master weights, momentum and variance (Adam)
};

struct ModelStates {
  Bytes parameters;
  Bytes gradients;
  Bytes optimizer;
  [[nodiscard]] Bytes total() const noexcept { return parameters + gradients + optimizer; }
};

// The model states of one device holding `parameters` (its share after
// tensor and pipeline parallelism) in a data-parallel group of
// `data_parallel` devices. Throws std::invalid_argument for parameters < 0
// or data_parallel < 1.
[[nodiscard]] ModelStates ModelStatesPerDevice(std::int64_t parameters, std::int64_t data_parallel, ZeroStage stage,
                                               ModelStateBytesPerParameter bytes = {});

}  // namespace sim::models

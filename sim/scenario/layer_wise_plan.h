// The part of a plan a layer-wise run needs (an accelerator device and a
// timing_only model with a layer-wise profile): the accelerator and its
// roofline fractions, how gradients are exchanged, and the memory one device
// holds against its capacity, checked before anything runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/compute/accelerators.h"
#include "models/compute/layer_time.h"
#include "models/memory/device_memory.h"
#include "models/memory/zero.h"
#include "sim/scenario/scenario.pb.h"
#include "sim/scenario/workload_plan.h"
#include "sim/strategy/strategy_spec.h"

namespace sim::scenario {

struct LayerWisePlan {
  models::Accelerator accelerator;
  models::RooflineEfficiency roofline;
  Bytes bucket_cap{25LL << 20};
  bool overlap = true;
  models::ZeroStage zero = models::ZeroStage::kNone;
  // Bytes per parameter of the model states: mixed precision keeps 16-bit
  // weights and gradients and K = 12 bytes of Adam state (fp32 master
  // weights, momentum, variance); fp32 training 4 + 4 + 8 (Rajbhandari et al.
  // 2020, section 3.1).
  models::ModelStateBytesPerParameter state_bytes;
  // Bytes a gradient element occupies on the wire.
  std::int64_t gradient_element_bytes = 4;
  models::MemoryBreakdown memory;
  bool fits = true;
  bool ignore_memory_limit = false;
};

// The layer-wise part of a plan, or nothing when the run is not layer-wise
// (no accelerator, or a model without layers). Writes the defaults it uses
// into `effective` (bucket size, overlap, roofline) and adds every problem:
// a strategy layer-wise runs do not support, a bad field, and a run that does
// not fit in memory unless workload.ignore_memory_limit is set.
[[nodiscard]] std::optional<LayerWisePlan> LayerWisePlanOf(Scenario& effective,
                                                           const std::optional<models::Accelerator>& accelerator,
                                                           const WorkloadPlan& workload, const StrategySpec& strategy,
                                                           std::uint32_t workers, std::vector<std::string>& problems);

}  // namespace sim::scenario

// Accelerators by datasheet: peak rate per data type (dense tensor-core
// figures where the datasheet also lists a 2:4 sparse one, which is twice
// the dense), memory capacity and bandwidth. The source of each figure is
// beside it in accelerators.cc. A datasheet's "80 GB" of HBM is taken as
// 80 GiB (sim/core/units.h); what the CUDA context and the framework's
// allocator leave usable is less, and not modelled here.
//
// Unlike compute/device_profiles.h (one peak and an efficiency, for the
// scenario's compute model), a layer's time here depends on its data type and
// its memory traffic: layer_time.h.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "models/layers/data_type.h"
#include "sim/core/units.h"

namespace sim::models {

struct Accelerator {
  std::string name;
  std::map<DataType, FlopsPerSecond> peak;  // dense; a type the device lacks is absent
  Bytes memory;
  BytesPerSecond memory_bandwidth;
  std::string source;

  // The peak at `type`; throws std::invalid_argument naming the types the
  // device has when it lacks `type` (a V100 has no bf16).
  [[nodiscard]] FlopsPerSecond peak_at(DataType type) const;
};

// p100_16gb, v100_16gb, v100_32gb (SXM2), a100_40gb, a100_80gb (SXM4),
// h100_80gb (SXM5), sorted by name.
[[nodiscard]] const std::vector<Accelerator>& Accelerators();

// Throws std::invalid_argument for an unknown name, listing the known ones.
[[nodiscard]] const Accelerator& FindAccelerator(std::string_view name);

}  // namespace sim::models

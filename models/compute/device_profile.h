// A compute device for the timing model (sim/DESIGN.md, "Numerics and time"):
// a step of F FLOPs takes F / (peak x efficiency) + the step's fixed overhead
// of simulated time, never this host's wall time.
#pragma once

#include <string>
#include <vector>

#include "sim/core/time.h"
#include "sim/core/units.h"

namespace sim::models {

struct DeviceProfile {
  std::string name;
  FlopsPerSecond peak;          // > 0
  double efficiency = 1.0;      // fraction of peak the kernels sustain, (0, 1]
  // Fixed cost per step (kernel launches, data loading). Kept in the unit the
  // scenario gives it so that a step's time is rounded once, as a whole.
  double step_overhead_us = 0.0;  // >= 0
};

// Every problem of a profile (peak > 0 and finite, efficiency in (0, 1],
// overhead >= 0), each naming the field as the schema spells it after
// `field_prefix`: "cluster.device_profile.peak_tflops must be > 0, got 0".
[[nodiscard]] std::vector<std::string> DeviceProfileProblems(const DeviceProfile& profile,
                                                             const std::string& field_prefix = "");

// peak x efficiency.
[[nodiscard]] FlopsPerSecond SustainedRate(const DeviceProfile& profile);

// Simulated duration of `work` on the device: work / sustained rate + step
// overhead, rounded once to the picosecond.
[[nodiscard]] Time ComputeTimeOn(const DeviceProfile& profile, Flops work);

}  // namespace sim::models

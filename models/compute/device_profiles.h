// Named compute devices: vendor datasheet peaks (efficiency 1; a scenario
// may give a device_profile inline with a realistic efficiency), and the
// cpu_core profile that stands for this machine until `sim calibrate` has
// measured it (the `host` device, resolved with the scenario in sim/scenario).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/compute/device_profile.h"

namespace sim::models {

struct DeviceEntry {
  DeviceProfile profile;
  std::string source;
};

// Datasheet profiles (not `host`), sorted by name.
[[nodiscard]] const std::vector<DeviceEntry>& DeviceProfiles();
[[nodiscard]] std::optional<DeviceEntry> FindDeviceProfile(std::string_view name);

// "host, a100, a100_bf16, ...": every name a scenario may give.
[[nodiscard]] std::string KnownDeviceNames();

}  // namespace sim::models

// A device profile stored as Protobuf text format (.pbtxt, a
// sim.scenario.DeviceProfile), the form in which `sim calibrate` records this
// host's measured rate.
#pragma once

#include <filesystem>
#include <string>

#include "models/compute/device_profile.h"

namespace sim::scenario {

// Writes `profile`, preceded by `comment` as '#' lines (may be empty).
// Throws std::runtime_error naming the file when it cannot be written.
void WriteDeviceProfile(const models::DeviceProfile& profile, const std::filesystem::path& path,
                        const std::string& comment = "");

// Throws std::runtime_error naming the file when it cannot be read or parsed,
// or when the profile it holds is invalid (DeviceProfileProblems).
[[nodiscard]] models::DeviceProfile ReadDeviceProfile(const std::filesystem::path& path);

}  // namespace sim::scenario

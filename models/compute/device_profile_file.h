// A DeviceProfile stored as Protobuf text format (.pbtxt), the form in which
// `sim calibrate` records this host's measured rate.
#pragma once

#include <filesystem>
#include <string>

#include "sim/scenario/scenario.pb.h"

namespace sim::models {

// Writes `profile`, preceded by `comment` as '#' lines (may be empty).
// Throws std::runtime_error naming the file when it cannot be written.
void WriteDeviceProfile(const sim::scenario::DeviceProfile& profile, const std::filesystem::path& path,
                        const std::string& comment = "");

// Throws std::runtime_error naming the file when it cannot be read or parsed,
// or when the profile it holds is invalid (DeviceProfileProblems).
[[nodiscard]] sim::scenario::DeviceProfile ReadDeviceProfile(const std::filesystem::path& path);

}  // namespace sim::models

// Compute devices for the timing model (DESIGN.md, decision 3): a step of F
// FLOPs takes F / (peak x efficiency) + step overhead of simulated time,
// never this host's wall time.
//
// Named profiles are vendor datasheet peaks (efficiency 1; a scenario may
// give a device_profile inline with a realistic efficiency). The name `host`
// is this machine, as measured by `sim calibrate` (host_calibration.h) and
// stored as a text-format DeviceProfile; without that file it falls back to
// the cpu_core profile and says so.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/scenario/scenario.pb.h"

namespace sim::models {

struct DeviceEntry {
  sim::scenario::DeviceProfile profile;
  std::string source;
};

// Datasheet profiles (not `host`), sorted by name.
[[nodiscard]] const std::vector<DeviceEntry>& DeviceProfiles();
[[nodiscard]] std::optional<DeviceEntry> FindDeviceProfile(std::string_view name);

// Where `host` is read from: $SIM_HOST_PROFILE if set, else
// build/host_device.pbtxt relative to the working directory (the repository
// root, where `sim calibrate` writes it by default).
[[nodiscard]] std::filesystem::path DefaultHostProfilePath();

struct ResolvedDevice {
  sim::scenario::DeviceProfile profile;
  // Where the profile came from, for the run's log: "datasheet: ...",
  // "calibrated: <file>", or the fallback warning for `host`.
  std::string note;
  bool fallback = false;  // `host` without a calibration file
};

// A device by name ("host", "v100", "a100", "h100", "cpu_core", ...). Throws
// std::invalid_argument for an unknown name (listing the known ones) or a bad
// calibration file.
[[nodiscard]] ResolvedDevice ResolveDevice(std::string_view name,
                                           const std::filesystem::path& host_profile = DefaultHostProfilePath());

// The cluster's device: its inline device_profile when that has a peak, else
// the named device (default "host").
[[nodiscard]] ResolvedDevice ResolveDevice(const sim::scenario::Cluster& cluster,
                                           const std::filesystem::path& host_profile = DefaultHostProfilePath());

// Every problem of a profile (peak > 0, efficiency in (0, 1] or 0 for the
// default 1, overhead >= 0), each naming its field.
[[nodiscard]] std::vector<std::string> DeviceProfileProblems(const sim::scenario::DeviceProfile& profile);

// peak x efficiency (efficiency 0 means 1).
[[nodiscard]] FlopsPerSecond SustainedRate(const sim::scenario::DeviceProfile& profile);

// Simulated duration of `work` on the device: work / sustained rate + step
// overhead, rounded once to the picosecond.
[[nodiscard]] Time ComputeTimeOn(const sim::scenario::DeviceProfile& profile, Flops work);

}  // namespace sim::models

// Which device computes: the cluster's inline device_profile, a named
// datasheet profile, or `host`, this machine as `sim calibrate` measured it
// (a profile file). The one place a device name becomes a DeviceProfile.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "models/compute/accelerators.h"
#include "models/compute/device_profile.h"
#include "models/layers/data_type.h"
#include "sim/scenario/scenario.pb.h"

namespace sim::scenario {

// The schema's DeviceProfile as a models::DeviceProfile (efficiency 0, the
// unset default, is 1) and back.
[[nodiscard]] models::DeviceProfile DeviceProfileOf(const DeviceProfile& message);
[[nodiscard]] DeviceProfile DeviceProfileMessage(const models::DeviceProfile& profile);

// Where `host` is read from when the caller names no file (`sim
// --host-profile`): $SIM_HOST_PROFILE if set, else host_device.pbtxt beside
// the running program (build/host_device.pbtxt for build/sim, where `sim
// calibrate` writes it by default), whatever the working directory.
[[nodiscard]] std::filesystem::path DefaultHostProfilePath();

struct ResolvedDevice {
  // The step-level compute model: one sustained rate.
  models::DeviceProfile profile;
  // For an accelerator (models/compute/accelerators.h): its datasheet, which
  // layer-wise runs time each layer on; `profile` is then its peak at the
  // run's precision times the roofline's compute fraction.
  std::optional<models::Accelerator> accelerator;
  // Where the profile came from, for the run's log: "datasheet: ...",
  // "calibrated: <file>", or the fallback warning for `host`.
  std::string note;
  bool fallback = false;  // `host` without a calibration file
};

// The cluster's device (its inline device_profile when that has a peak, else
// the named device, default "host") computing at `precision`, or the
// problems that prevent it, each naming its field.
[[nodiscard]] ResolvedDevice ResolveDevice(const Cluster& cluster, const std::filesystem::path& host_profile,
                                           std::vector<std::string>& problems,
                                           models::DataType precision = models::DataType::kFp32);

// The number format of a workload's precision field (FP32 when unset).
[[nodiscard]] models::DataType DataTypeOf(Precision precision) noexcept;

// Every accelerator's name, and whether `name` is one.
[[nodiscard]] std::string AcceleratorNames();
[[nodiscard]] bool IsAccelerator(const std::string& name);

}  // namespace sim::scenario

#include "sim/scenario/device_resolution.h"

#include <cstdlib>

#include "models/compute/device_profiles.h"
#include "sim/scenario/device_profile_file.h"

namespace sim::scenario {

models::DeviceProfile DeviceProfileOf(const DeviceProfile& message) {
  return models::DeviceProfile{message.name(), TeraflopsPerSecond(message.peak_tflops()),
                               message.efficiency() == 0.0 ? 1.0 : message.efficiency(),
                               message.step_overhead_us()};
}

DeviceProfile DeviceProfileMessage(const models::DeviceProfile& profile) {
  DeviceProfile message;
  message.set_name(profile.name);
  message.set_peak_tflops(InTeraflopsPerSecond(profile.peak));
  message.set_efficiency(profile.efficiency);
  message.set_step_overhead_us(profile.step_overhead_us);
  return message;
}

std::filesystem::path DefaultHostProfilePath() {
  if (const char* path = std::getenv("SIM_HOST_PROFILE"); path != nullptr && *path != '\0') return path;
  return std::filesystem::path("build") / "host_device.pbtxt";
}

namespace {

ResolvedDevice Host(const std::filesystem::path& host_profile, std::vector<std::string>& problems) {
  ResolvedDevice resolved;
  if (std::filesystem::exists(host_profile)) {
    try {
      resolved.profile = ReadDeviceProfile(host_profile);
    } catch (const std::exception& e) {
      problems.push_back(std::string("cluster.device: host: ") + e.what());
      return resolved;
    }
    resolved.profile.name = "host";
    resolved.note = "host: calibrated, " + host_profile.string();
    return resolved;
  }
  resolved.profile = models::FindDeviceProfile("cpu_core")->profile;
  resolved.profile.name = "host";
  resolved.fallback = true;
  resolved.note = "host: no calibration file at " + host_profile.string() + "; using the cpu_core default (" +
                  std::to_string(InGigaflopsPerSecond(models::SustainedRate(resolved.profile))) +
                  " GFLOP/s sustained). Run `sim calibrate` to measure this machine.";
  return resolved;
}

}  // namespace

ResolvedDevice ResolveDevice(const Cluster& cluster, const std::filesystem::path& host_profile,
                             std::vector<std::string>& problems) {
  if (cluster.has_device_profile()) {
    ResolvedDevice resolved;
    resolved.profile = DeviceProfileOf(cluster.device_profile());
    if (resolved.profile.name.empty()) resolved.profile.name = cluster.device().empty() ? "inline" : cluster.device();
    for (auto& p : models::DeviceProfileProblems(resolved.profile, "cluster.device_profile.")) {
      problems.push_back(std::move(p));
    }
    resolved.note = resolved.profile.name + ": inline device_profile of the scenario";
    return resolved;
  }
  const std::string& name = cluster.device();
  if (name.empty() || name == "host") return Host(host_profile, problems);
  const auto entry = models::FindDeviceProfile(name);
  if (!entry) {
    problems.push_back("cluster.device: unknown device '" + name + "' (known: " + models::KnownDeviceNames() + ")");
    return {};
  }
  return ResolvedDevice{entry->profile, entry->profile.name + ": datasheet, " + entry->source, false};
}

}  // namespace sim::scenario

#include "sim/scenario/device_resolution.h"

#include <cstdlib>

#include "models/compute/device_profiles.h"
#include "sim/scenario/device_profile_file.h"

namespace sim::scenario {

models::DeviceProfile DeviceProfileOf(const DeviceProfile& message) {
  return models::DeviceProfile{message.name(), TeraflopsPerSecond(message.peak_tflops()),
                               message.has_efficiency() ? message.efficiency() : 1.0,
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

models::DataType DataTypeOf(Precision precision) noexcept {
  switch (precision) {
    case TF32: return models::DataType::kTf32;
    case FP16: return models::DataType::kFp16;
    case BF16: return models::DataType::kBf16;
    default: return models::DataType::kFp32;
  }
}

std::string AcceleratorNames() {
  std::string names;
  for (const auto& a : models::Accelerators()) names += (names.empty() ? "" : ", ") + a.name;
  return names;
}

bool IsAccelerator(const std::string& name) {
  for (const auto& a : models::Accelerators()) {
    if (a.name == name) return true;
  }
  return false;
}

std::filesystem::path DefaultHostProfilePath() {
  if (const char* path = std::getenv("SIM_HOST_PROFILE"); path != nullptr && *path != '\0') return path;
  // Beside the running program (build/sim: build/host_device.pbtxt), never
  // relative to the working directory, so that a run does not change with
  // where it is started from.
  std::error_code ec;
  const std::filesystem::path program = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::filesystem::path("build") / "host_device.pbtxt";
  return program.parent_path() / "host_device.pbtxt";
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
                             std::vector<std::string>& problems, models::DataType precision) {
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
  if (IsAccelerator(name)) {
    ResolvedDevice resolved;
    resolved.accelerator = models::FindAccelerator(name);
    const Roofline& roofline = cluster.roofline();
    const double compute = roofline.has_compute() ? roofline.compute() : 1.0;
    const double memory = roofline.has_memory() ? roofline.memory() : 1.0;
    if (!(compute > 0.0 && compute <= 1.0)) {
      problems.push_back("cluster.roofline.compute must be in (0, 1], got " + std::to_string(compute));
    }
    if (!(memory > 0.0 && memory <= 1.0)) {
      problems.push_back("cluster.roofline.memory must be in (0, 1], got " + std::to_string(memory));
    }
    try {
      resolved.profile = models::DeviceProfile{name, resolved.accelerator->peak_at(precision), compute, 0.0};
    } catch (const std::invalid_argument& e) {
      problems.push_back(std::string("workload.precision: ") + e.what());
    }
    resolved.note = name + ": datasheet, " + resolved.accelerator->source;
    return resolved;
  }
  const auto entry = models::FindDeviceProfile(name);
  if (!entry) {
    problems.push_back("cluster.device: unknown device '" + name + "' (known: " + models::KnownDeviceNames() + ", " +
                       AcceleratorNames() + ")");
    return {};
  }
  return ResolvedDevice{entry->profile, std::nullopt, entry->profile.name + ": datasheet, " + entry->source, false};
}

}  // namespace sim::scenario

#include "models/compute/device_profiles.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "models/compute/device_profile_file.h"

namespace sim::models {
namespace {

// A modest CPU core, the fallback for `host`: one x86-64 core at 3 GHz with
// two 256-bit FMA units peaks at 3e9 x 2 units x 8 fp32 lanes x 2 FLOPs =
// 96 GFLOP/s; dense Eigen kernels on small batches sustain about half of it.
constexpr double kCpuCorePeakTflops = 0.096;
constexpr double kCpuCoreEfficiency = 0.5;
constexpr const char* kCpuCoreSource =
    "derived: 3 GHz x 2 AVX2 FMA units x 8 fp32 lanes x 2 FLOPs = 96 GFLOP/s peak, efficiency 0.5";

DeviceEntry Entry(std::string name, double peak_tflops, std::string source) {
  DeviceEntry entry;
  entry.profile.set_name(std::move(name));
  entry.profile.set_peak_tflops(peak_tflops);
  entry.profile.set_efficiency(1.0);
  entry.source = std::move(source);
  return entry;
}

std::vector<DeviceEntry> Table() {
  std::vector<DeviceEntry> table = {
      Entry("v100", 15.7, "NVIDIA Tesla V100 datasheet (SXM2): 15.7 TFLOP/s single precision"),
      Entry("v100_fp16", 125.0, "NVIDIA Tesla V100 datasheet (SXM2): 125 TFLOP/s tensor (fp16 mixed precision)"),
      Entry("a100", 19.5, "NVIDIA A100 Tensor Core GPU datasheet (SXM): 19.5 TFLOP/s FP32"),
      Entry("a100_tf32", 156.0, "NVIDIA A100 datasheet (SXM): 156 TFLOP/s TF32 tensor, dense (312 with sparsity)"),
      Entry("a100_bf16", 312.0, "NVIDIA A100 datasheet (SXM): 312 TFLOP/s BF16 tensor, dense (624 with sparsity)"),
      Entry("h100", 67.0, "NVIDIA H100 Tensor Core GPU datasheet (SXM5): 67 TFLOP/s FP32"),
      Entry("h100_tf32", 494.5, "NVIDIA H100 datasheet (SXM5): 989 TFLOP/s TF32 tensor with sparsity, half dense"),
      Entry("h100_bf16", 989.5, "NVIDIA H100 datasheet (SXM5): 1,979 TFLOP/s BF16 tensor with sparsity, half dense"),
      Entry("cpu_core", kCpuCorePeakTflops, kCpuCoreSource),
  };
  for (auto& entry : table) {
    if (entry.profile.name() == "cpu_core") entry.profile.set_efficiency(kCpuCoreEfficiency);
  }
  std::sort(table.begin(), table.end(),
            [](const DeviceEntry& a, const DeviceEntry& b) { return a.profile.name() < b.profile.name(); });
  return table;
}

std::string KnownNames() {
  std::string known = "host";
  for (const auto& entry : DeviceProfiles()) known += ", " + entry.profile.name();
  return known;
}

}  // namespace

const std::vector<DeviceEntry>& DeviceProfiles() {
  static const std::vector<DeviceEntry> table = Table();
  return table;
}

std::optional<DeviceEntry> FindDeviceProfile(std::string_view name) {
  for (const auto& entry : DeviceProfiles()) {
    if (entry.profile.name() == name) return entry;
  }
  return std::nullopt;
}

std::filesystem::path DefaultHostProfilePath() {
  if (const char* path = std::getenv("SIM_HOST_PROFILE"); path != nullptr && *path != '\0') return path;
  return std::filesystem::path("build") / "host_device.pbtxt";
}

ResolvedDevice ResolveDevice(std::string_view name, const std::filesystem::path& host_profile) {
  ResolvedDevice resolved;
  if (name.empty() || name == "host") {
    if (std::filesystem::exists(host_profile)) {
      resolved.profile = ReadDeviceProfile(host_profile);
      resolved.profile.set_name("host");
      resolved.note = "host: calibrated, " + host_profile.string();
      return resolved;
    }
    resolved.profile = FindDeviceProfile("cpu_core")->profile;
    resolved.profile.set_name("host");
    resolved.fallback = true;
    resolved.note = "host: no calibration file at " + host_profile.string() + "; using the cpu_core default (" +
                    std::to_string(SustainedRate(resolved.profile).value / 1e9) +
                    " GFLOP/s sustained). Run `sim calibrate` to measure this machine.";
    return resolved;
  }
  const auto entry = FindDeviceProfile(name);
  if (!entry) {
    throw std::invalid_argument("cluster.device: unknown device '" + std::string(name) + "' (known: " + KnownNames() +
                                ")");
  }
  resolved.profile = entry->profile;
  resolved.note = entry->profile.name() + ": datasheet, " + entry->source;
  return resolved;
}

ResolvedDevice ResolveDevice(const sim::scenario::Cluster& cluster, const std::filesystem::path& host_profile) {
  if (cluster.has_device_profile() && cluster.device_profile().peak_tflops() != 0.0) {
    ResolvedDevice resolved;
    resolved.profile = cluster.device_profile();
    if (resolved.profile.name().empty()) {
      resolved.profile.set_name(cluster.device().empty() ? "inline" : cluster.device());
    }
    const std::vector<std::string> problems = DeviceProfileProblems(resolved.profile);
    if (!problems.empty()) {
      std::string message = "cluster.device_profile:";
      for (const auto& p : problems) message += " " + p + ";";
      message.pop_back();
      throw std::invalid_argument(message);
    }
    resolved.note = resolved.profile.name() + ": inline device_profile of the scenario";
    return resolved;
  }
  return ResolveDevice(cluster.device(), host_profile);
}

std::vector<std::string> DeviceProfileProblems(const sim::scenario::DeviceProfile& profile) {
  std::vector<std::string> problems;
  const std::string who = "device '" + profile.name() + "': ";
  if (!(profile.peak_tflops() > 0.0) || !std::isfinite(profile.peak_tflops())) {
    problems.push_back(who + "peak_tflops must be > 0, got " + std::to_string(profile.peak_tflops()));
  }
  if (!(profile.efficiency() >= 0.0 && profile.efficiency() <= 1.0)) {
    problems.push_back(who + "efficiency must be in (0, 1], got " + std::to_string(profile.efficiency()));
  }
  if (!(profile.step_overhead_us() >= 0.0) || !std::isfinite(profile.step_overhead_us())) {
    problems.push_back(who + "step_overhead_us must be >= 0, got " + std::to_string(profile.step_overhead_us()));
  }
  return problems;
}

FlopsPerSecond SustainedRate(const sim::scenario::DeviceProfile& profile) {
  const double efficiency = profile.efficiency() == 0.0 ? 1.0 : profile.efficiency();
  return FlopsPerSecond{profile.peak_tflops() * 1e12 * efficiency};
}

Time ComputeTimeOn(const sim::scenario::DeviceProfile& profile, Flops work) {
  return Seconds(work.count / SustainedRate(profile).value + profile.step_overhead_us() * 1e-6);
}

}  // namespace sim::models

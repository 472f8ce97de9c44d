#include "models/compute/device_profiles.h"

#include <algorithm>

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
  entry.profile.name = std::move(name);
  entry.profile.peak = TeraflopsPerSecond(peak_tflops);
  entry.profile.efficiency = 1.0;
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
    if (entry.profile.name == "cpu_core") entry.profile.efficiency = kCpuCoreEfficiency;
  }
  std::sort(table.begin(), table.end(),
            [](const DeviceEntry& a, const DeviceEntry& b) { return a.profile.name < b.profile.name; });
  return table;
}

}  // namespace

const std::vector<DeviceEntry>& DeviceProfiles() {
  static const std::vector<DeviceEntry> table = Table();
  return table;
}

std::optional<DeviceEntry> FindDeviceProfile(std::string_view name) {
  for (const auto& entry : DeviceProfiles()) {
    if (entry.profile.name == name) return entry;
  }
  return std::nullopt;
}

std::string KnownDeviceNames() {
  std::string known = "host";
  for (const auto& entry : DeviceProfiles()) known += ", " + entry.profile.name;
  return known;
}

}  // namespace sim::models

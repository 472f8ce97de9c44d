#include "models/compute/accelerators.h"

#include <stdexcept>

#include "sim/core/units.h"

namespace sim::models {
namespace {

// NVIDIA V100 Tensor Core GPU datasheet (SXM2): fp32 15.7 TFLOP/s, tensor
// (fp16 in, fp32 accumulate) 125 TFLOP/s, HBM2 900 GB/s, 16 or 32 GB. No
// tf32, bf16 or fp8.
Accelerator V100(std::string name, std::int64_t gib) {
  return {std::move(name),
          {{DataType::kFp32, TeraflopsPerSecond(15.7)}, {DataType::kFp16, TeraflopsPerSecond(125.0)}},
          Gibibytes(gib),
          GigabytesPerSecond(900.0),
          "NVIDIA V100 Tensor Core GPU datasheet (SXM2): 15.7 TFLOP/s fp32, 125 TFLOP/s fp16 tensor, " +
              std::to_string(gib) + " GB HBM2 at 900 GB/s"};
}

// NVIDIA A100 Tensor Core GPU datasheet (SXM4): fp32 19.5 TFLOP/s; tf32 156,
// bf16 and fp16 312 TFLOP/s dense (312 / 624 with sparsity); 40 GB HBM2 at
// 1,555 GB/s or 80 GB HBM2e at 2,039 GB/s. No fp8.
Accelerator A100(std::string name, std::int64_t gib, double gigabytes_per_second) {
  return {std::move(name),
          {{DataType::kFp32, TeraflopsPerSecond(19.5)},
           {DataType::kTf32, TeraflopsPerSecond(156.0)},
           {DataType::kBf16, TeraflopsPerSecond(312.0)},
           {DataType::kFp16, TeraflopsPerSecond(312.0)}},
          Gibibytes(gib),
          GigabytesPerSecond(gigabytes_per_second),
          "NVIDIA A100 Tensor Core GPU datasheet (SXM4): 19.5 TFLOP/s fp32, 156 tf32, 312 bf16/fp16 (dense), " +
              std::to_string(gib) + " GB at " + std::to_string(static_cast<int>(gigabytes_per_second)) + " GB/s"};
}

// NVIDIA H100 Tensor Core GPU datasheet (SXM5): fp32 67 TFLOP/s; tf32 989,
// bf16 / fp16 1,979, fp8 3,958 TFLOP/s with sparsity, half of each dense;
// 80 GB HBM3 at 3.35 TB/s.
Accelerator H100() {
  return {"h100_80gb",
          {{DataType::kFp32, TeraflopsPerSecond(67.0)},
           {DataType::kTf32, TeraflopsPerSecond(989.0 / 2)},
           {DataType::kBf16, TeraflopsPerSecond(1979.0 / 2)},
           {DataType::kFp16, TeraflopsPerSecond(1979.0 / 2)},
           {DataType::kFp8, TeraflopsPerSecond(3958.0 / 2)}},
          Gibibytes(80),
          GigabytesPerSecond(3350.0),
          "NVIDIA H100 Tensor Core GPU datasheet (SXM5): 67 TFLOP/s fp32; 989 tf32, 1,979 bf16/fp16, 3,958 fp8 "
          "with sparsity, half dense; 80 GB HBM3 at 3.35 TB/s"};
}

// NVIDIA Tesla P100 datasheet (SXM2, NVLink): fp32 10.6 TFLOP/s, fp16 21.2
// TFLOP/s, 16 GB CoWoS HBM2 at 732 GB/s: the Pascal GPUs of Horovod's
// published scaling runs (Sergeev & Del Balso 2018).
Accelerator P100() {
  return {"p100_16gb",
          {{DataType::kFp32, TeraflopsPerSecond(10.6)}, {DataType::kFp16, TeraflopsPerSecond(21.2)}},
          Gibibytes(16),
          GigabytesPerSecond(732.0),
          "NVIDIA Tesla P100 datasheet (SXM2): 10.6 TFLOP/s fp32, 21.2 fp16, 16 GB HBM2 at 732 GB/s"};
}

}  // namespace

FlopsPerSecond Accelerator::peak_at(DataType type) const {
  if (const auto it = peak.find(type); it != peak.end()) return it->second;
  std::string has;
  for (const auto& [known, rate] : peak) has += (has.empty() ? "" : ", ") + std::string(DataTypeName(known));
  throw std::invalid_argument(name + " has no " + std::string(DataTypeName(type)) + " rate (datasheet: " + has + ")");
}

const std::vector<Accelerator>& Accelerators() {
  static const std::vector<Accelerator> table = {
      A100("a100_40gb", 40, 1555.0), A100("a100_80gb", 80, 2039.0), H100(), P100(),
      V100("v100_16gb", 16),         V100("v100_32gb", 32),
  };
  return table;
}

const Accelerator& FindAccelerator(std::string_view name) {
  for (const auto& accelerator : Accelerators()) {
    if (accelerator.name == name) return accelerator;
  }
  std::string known;
  for (const auto& accelerator : Accelerators()) known += (known.empty() ? "" : ", ") + accelerator.name;
  throw std::invalid_argument("unknown accelerator '" + std::string(name) + "' (known: " + known + ")");
}

}  // namespace sim::models

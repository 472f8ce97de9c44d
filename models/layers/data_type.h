// The number formats a layer is computed or stored in. A device's peak rate
// depends on it (tensor cores run fp16 at 8x fp32 on a V100), and so do the
// bytes an activation or a weight occupies.
#pragma once

#include <cstdint>
#include <string_view>

namespace sim::models {

enum class DataType {
  kFp32,
  kTf32,  // NVIDIA's tensor-core format: fp32 in memory, 10-bit mantissa in the multiplier (A100 on)
  kFp16,
  kBf16,
  kFp8,  // E4M3 / E5M2 (H100 on)
};

// Bytes one element occupies in memory; TF32 is stored as fp32.
[[nodiscard]] constexpr std::int64_t BytesPerElement(DataType type) noexcept {
  switch (type) {
    case DataType::kFp32:
    case DataType::kTf32:
      return 4;
    case DataType::kFp16:
    case DataType::kBf16:
      return 2;
    case DataType::kFp8:
      return 1;
  }
  return 4;
}

[[nodiscard]] constexpr std::string_view DataTypeName(DataType type) noexcept {
  switch (type) {
    case DataType::kFp32:
      return "fp32";
    case DataType::kTf32:
      return "tf32";
    case DataType::kFp16:
      return "fp16";
    case DataType::kBf16:
      return "bf16";
    case DataType::kFp8:
      return "fp8";
  }
  return "?";
}

}  // namespace sim::models

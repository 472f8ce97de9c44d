// Named byte multiples. Device memory comes in binary units (an HBM stack
// holds 2^k bytes: a "40 GB" A100 has five 8 GiB stacks); papers quote model
// states in decimal gigabytes (ZeRO's "120 GB" for 7.5e9 x 16 bytes).
#pragma once

#include <cmath>
#include <cstdint>

#include "sim/core/units.h"

namespace sim::models {

[[nodiscard]] constexpr Bytes Gibibytes(std::int64_t gib) noexcept { return Bytes{gib * (std::int64_t{1} << 30)}; }
[[nodiscard]] inline Bytes Gigabytes(double gb) noexcept { return Bytes{std::llround(gb * 1e9)}; }

[[nodiscard]] constexpr double InGibibytes(Bytes size) noexcept {
  return static_cast<double>(size.count) / static_cast<double>(std::int64_t{1} << 30);
}
[[nodiscard]] constexpr double InGigabytes(Bytes size) noexcept { return static_cast<double>(size.count) / 1e9; }

}  // namespace sim::models

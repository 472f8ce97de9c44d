// Physical quantities other than time, as distinct types so that a bandwidth
// cannot be passed where a size is expected (STYLE.md, "Units are types").
// Sizes are exact integers; rates are doubles (sim/DESIGN.md, fixed decision 1).
#pragma once

#include <cmath>
#include <compare>
#include <cstdint>

#include "sim/core/time.h"

namespace sim {

struct Bytes {
  std::int64_t count = 0;
  constexpr auto operator<=>(const Bytes&) const noexcept = default;
  friend constexpr Bytes operator+(Bytes a, Bytes b) noexcept { return {a.count + b.count}; }
  friend constexpr Bytes operator-(Bytes a, Bytes b) noexcept { return {a.count - b.count}; }
};

struct BytesPerSecond {
  double value = 0.0;
  constexpr auto operator<=>(const BytesPerSecond&) const noexcept = default;
};

struct Flops {
  double count = 0.0;
};

struct FlopsPerSecond {
  double value = 0.0;
};

[[nodiscard]] constexpr BytesPerSecond GigabitsPerSecond(double gbit) noexcept { return {gbit * 1e9 / 8.0}; }
[[nodiscard]] constexpr BytesPerSecond GigabytesPerSecond(double gbyte) noexcept { return {gbyte * 1e9}; }
[[nodiscard]] constexpr FlopsPerSecond TeraflopsPerSecond(double tflops) noexcept { return {tflops * 1e12}; }
// Byte multiples. Device memory comes in binary units (an HBM stack holds 2^k
// bytes: a "40 GB" A100 has five 8 GiB stacks); papers quote model states in
// decimal gigabytes (ZeRO's "120 GB" for 7.5e9 x 16 bytes).
[[nodiscard]] constexpr Bytes Gibibytes(std::int64_t gib) noexcept { return Bytes{gib * (std::int64_t{1} << 30)}; }
[[nodiscard]] inline Bytes Gigabytes(double gb) noexcept { return Bytes{std::llround(gb * 1e9)}; }

// The same quantities back in the units scenarios and tables give them.
[[nodiscard]] constexpr double InGibibytes(Bytes size) noexcept {
  return static_cast<double>(size.count) / static_cast<double>(std::int64_t{1} << 30);
}
[[nodiscard]] constexpr double InGigabytes(Bytes size) noexcept { return static_cast<double>(size.count) / 1e9; }
[[nodiscard]] constexpr double InGigaflopsPerSecond(FlopsPerSecond rate) noexcept { return rate.value / 1e9; }
[[nodiscard]] constexpr double InTeraflopsPerSecond(FlopsPerSecond rate) noexcept { return rate.value / 1e12; }
[[nodiscard]] constexpr double InGigabytesPerSecond(BytesPerSecond rate) noexcept { return rate.value / 1e9; }
[[nodiscard]] constexpr double InGigabitsPerSecond(BytesPerSecond rate) noexcept { return rate.value * 8.0 / 1e9; }

// A duration given in microseconds as seconds, for sums of durations that are
// rounded to integer time once, as a whole (Seconds()).
[[nodiscard]] constexpr double SecondsFromMicroseconds(double us) noexcept { return us * 1e-6; }
[[nodiscard]] constexpr double MicrosecondsFromSeconds(double s) noexcept { return s * 1e6; }

// Time to move `size` at `rate`, rounded once to the picosecond.
[[nodiscard]] inline Time TransferTime(Bytes size, BytesPerSecond rate) noexcept {
  return Seconds(static_cast<double>(size.count) / rate.value);
}

// Time to execute `work` at `rate`, rounded once to the picosecond.
[[nodiscard]] inline Time ComputeTime(Flops work, FlopsPerSecond rate) noexcept {
  return Seconds(work.count / rate.value);
}

}  // namespace sim

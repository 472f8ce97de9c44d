// Simulated time: a strong type over int64 picoseconds (sim/DESIGN.md, fixed
// decision 1). One type serves both instants and durations, as ns-3's Time
// does; what matters is that it never mixes silently with plain numbers or with
// other units. Range: 2^63 ps ~ 106 days.
#pragma once

#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <ostream>

namespace sim {

class Time {
 public:
  constexpr Time() noexcept = default;
  constexpr explicit Time(std::int64_t picoseconds) noexcept : ps_(picoseconds) {}

  [[nodiscard]] constexpr std::int64_t picoseconds() const noexcept { return ps_; }
  [[nodiscard]] constexpr double seconds() const noexcept { return static_cast<double>(ps_) * 1e-12; }
  [[nodiscard]] constexpr double microseconds() const noexcept { return static_cast<double>(ps_) * 1e-6; }

  [[nodiscard]] static constexpr Time zero() noexcept { return Time(0); }
  [[nodiscard]] static constexpr Time max() noexcept { return Time(std::numeric_limits<std::int64_t>::max()); }

  constexpr auto operator<=>(const Time&) const noexcept = default;

  constexpr Time& operator+=(Time d) noexcept { ps_ += d.ps_; return *this; }
  constexpr Time& operator-=(Time d) noexcept { ps_ -= d.ps_; return *this; }
  friend constexpr Time operator+(Time a, Time b) noexcept { return Time(a.ps_ + b.ps_); }
  friend constexpr Time operator-(Time a, Time b) noexcept { return Time(a.ps_ - b.ps_); }
  friend constexpr Time operator*(Time a, std::int64_t k) noexcept { return Time(a.ps_ * k); }
  friend constexpr Time operator*(std::int64_t k, Time a) noexcept { return Time(a.ps_ * k); }
  // Time / Time is a plain ratio; Time * Time deliberately does not exist.
  friend constexpr double operator/(Time a, Time b) noexcept {
    return static_cast<double>(a.ps_) / static_cast<double>(b.ps_);
  }

 private:
  std::int64_t ps_ = 0;
};

// The one place where a real-valued duration becomes integer time: rounded to
// the nearest picosecond (sim/DESIGN.md: "rounded once, when it is scheduled").
[[nodiscard]] inline Time Seconds(double s) noexcept {
  return Time(static_cast<std::int64_t>(std::llround(s * 1e12)));
}
[[nodiscard]] constexpr Time Picoseconds(std::int64_t ps) noexcept { return Time(ps); }
[[nodiscard]] constexpr Time Nanoseconds(std::int64_t ns) noexcept { return Time(ns * 1'000); }
// Scenario fields are given in microseconds (latency_us, step_overhead_us):
// rounded to the nearest picosecond, once.
[[nodiscard]] inline Time Microseconds(double us) noexcept { return Time(static_cast<std::int64_t>(std::llround(us * 1e6))); }
[[nodiscard]] constexpr Time Milliseconds(std::int64_t ms) noexcept { return Time(ms * 1'000'000'000); }

inline std::ostream& operator<<(std::ostream& os, Time t) { return os << t.picoseconds() << "ps"; }

}  // namespace sim

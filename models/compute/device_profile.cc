#include "models/compute/device_profile.h"

#include <cmath>
#include <sstream>

namespace sim::models {

namespace {

// Numbers as a user wrote them (no trailing zeros).
std::string Show(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

}  // namespace

std::vector<std::string> DeviceProfileProblems(const DeviceProfile& profile, const std::string& field_prefix) {
  std::vector<std::string> problems;
  const std::string& who = field_prefix;
  const double peak_tflops = InTeraflopsPerSecond(profile.peak);
  if (!(peak_tflops > 0.0) || !std::isfinite(peak_tflops)) {
    problems.push_back(who + "peak_tflops must be > 0, got " + Show(peak_tflops));
  }
  if (!(profile.efficiency > 0.0 && profile.efficiency <= 1.0)) {
    problems.push_back(who + "efficiency must be in (0, 1], got " + Show(profile.efficiency));
  }
  if (!(profile.step_overhead_us >= 0.0) || !std::isfinite(profile.step_overhead_us)) {
    problems.push_back(who + "step_overhead_us must be >= 0, got " + Show(profile.step_overhead_us));
  }
  return problems;
}

FlopsPerSecond SustainedRate(const DeviceProfile& profile) {
  return FlopsPerSecond{profile.peak.value * profile.efficiency};
}

Time ComputeTimeOn(const DeviceProfile& profile, Flops work) {
  return Seconds(work.count / SustainedRate(profile).value + SecondsFromMicroseconds(profile.step_overhead_us));
}

}  // namespace sim::models

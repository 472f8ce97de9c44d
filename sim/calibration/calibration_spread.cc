#include "sim/calibration/calibration_spread.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/quantile.h"

namespace sim::calibration {
namespace {

void CheckQuantile(double q) {
  if (!(q >= 0.0 && q <= 1.0)) {
    throw std::invalid_argument("a calibrated behaviour's quantile must lie in [0, 1], got " + std::to_string(q));
  }
}

// Each probe of `times` at the quantile; a probe without blocks is named in
// `missing` (`what` says which probe, `ranks` on how many ranks).
void ToQuantile(google::protobuf::RepeatedPtrField<SizeTime>& times, double q, const char* what, std::uint32_t ranks,
                std::vector<std::string>& missing) {
  for (SizeTime& t : times) {
    if (t.block_seconds().empty()) {
      missing.push_back(std::string(what) + " at " + std::to_string(t.bytes()) + " bytes on " +
                        std::to_string(ranks) + " ranks");
      continue;
    }
    t.set_seconds(Quantile({t.block_seconds().begin(), t.block_seconds().end()}, q));
  }
}

HostMeasurements AtQuantile(const HostMeasurements& measured, double q, std::vector<std::string>& missing) {
  HostMeasurements out = measured;
  const std::uint32_t ranks = measured.ranks();
  ToQuantile(*out.mutable_one_way(), q, "one_way", ranks, missing);
  ToQuantile(*out.mutable_pair_exchange(), q, "pair_exchange", ranks, missing);
  ToQuantile(*out.mutable_ring_exchange(), q, "ring_exchange", ranks, missing);
  ToQuantile(*out.mutable_fan_in(), q, "fan_in", ranks, missing);
  ToQuantile(*out.mutable_fan_out(), q, "fan_out", ranks, missing);
  ToQuantile(*out.mutable_fan_half_each(), q, "fan_half_each", ranks, missing);
  return out;
}

[[noreturn]] void ThrowMissing(const std::vector<std::string>& missing) {
  std::string message = "these probes kept no block times (measured before they were recorded; measure again):";
  for (const std::string& m : missing) message += "\n  " + m;
  throw std::invalid_argument(message);
}

}  // namespace

HostMeasurements AtBlockQuantile(const HostMeasurements& measured, double q) {
  CheckQuantile(q);
  std::vector<std::string> missing;
  HostMeasurements out = AtQuantile(measured, q, missing);
  if (!missing.empty()) ThrowMissing(missing);
  return out;
}

ClusterProfile AtBlockQuantile(const ClusterProfile& profile, double q) {
  CheckQuantile(q);
  std::vector<std::string> missing;
  ClusterProfile out = profile;
  for (HostMeasurements& m : *out.mutable_at_ranks()) m = AtQuantile(m, q, missing);
  if (!missing.empty()) ThrowMissing(missing);
  return out;
}

}  // namespace sim::calibration

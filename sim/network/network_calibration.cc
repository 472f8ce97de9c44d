#include "sim/network/network_calibration.h"

#include <cmath>
#include <sstream>

namespace sim::net {
namespace {

std::string Show(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

}  // namespace

std::vector<std::string> CalibrationProblems(const NetworkCalibration& c, const std::string& prefix) {
  std::vector<std::string> problems;
  if (!(c.bandwidth_efficiency > 0.0 && c.bandwidth_efficiency <= 1.0)) {
    problems.push_back(prefix + "bandwidth_efficiency must be in (0, 1], got " + Show(c.bandwidth_efficiency));
  }
  if (c.per_message_overhead < Time::zero()) {
    problems.push_back(prefix + "per_message_overhead_us must be >= 0, got " +
                       Show(c.per_message_overhead.microseconds()));
  }
  if (!(c.flow_share_sigma >= 0.0 && c.flow_share_sigma <= kMaxFlowShareSigma)) {
    problems.push_back(prefix + "flow_share_sigma must be in [0, " + Show(kMaxFlowShareSigma) + "], got " +
                       Show(c.flow_share_sigma));
  }
  if (!(c.two_way_capacity >= 1.0 && c.two_way_capacity <= 2.0)) {
    problems.push_back(prefix + "two_way_capacity must be in [1, 2] (0: 2), got " + Show(c.two_way_capacity));
  }
  return problems;
}

}  // namespace sim::net

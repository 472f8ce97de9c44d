// How the flow-level network departs from ideal links, as measured on a real
// cluster (validate/calibrate): explicit factors, each defaulting to the ideal
// model (sim/DESIGN.md: calibration is data, never code). flow_network.h says
// what each does to a message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/time.h"

namespace sim::net {

enum class Duplex {
  kFull,  // each direction of a cable has its full bandwidth (SimGrid SPLITDUPLEX)
  kHalf,  // both directions share one capacity (SimGrid SHARED)
};

// The largest flow_share_sigma accepted: far beyond what TCP shows (sigma 0.5
// already puts the first of an 8-way fan-out at ~0.58 of the last,
// tests/network), and weights within e^(+-15) for draws within 5 standard
// deviations.
inline constexpr double kMaxFlowShareSigma = 3.0;

struct NetworkCalibration {
  // Fraction of a link's nominal bandwidth a flow can use, (0, 1].
  double bandwidth_efficiency = 1.0;
  // Added to every message's time (software + NIC), >= 0.
  Time per_message_overhead = Time::zero();
  Duplex duplex = Duplex::kFull;
  // Unevenness of TCP's sharing: each message's share weight is exp(sigma Z),
  // in [0, kMaxFlowShareSigma]; 0 is plain max-min.
  double flow_share_sigma = 0.0;
  // kFull only: while both directions of a cable carry data, each has
  // two_way_capacity / 2 times its rate, in [1, 2]; 2 is independent.
  double two_way_capacity = 2.0;
  // Seed of the share weights' stream; unset: the seed the network is
  // given (the scenario's).
  std::optional<std::uint64_t> flow_share_seed;
};

// Every value outside its range, each naming its field after `prefix` as the
// scenario spells it ("cluster.network.bandwidth_efficiency must be in
// (0, 1], got 0"); empty when the calibration is valid.
[[nodiscard]] std::vector<std::string> CalibrationProblems(const NetworkCalibration& calibration,
                                                           const std::string& prefix = "network.");

}  // namespace sim::net

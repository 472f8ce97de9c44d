// Fitting the simulator's unevenness of TCP sharing (scenario.proto
// NetworkCalibration.flow_share_sigma) to a measured fan-out.
//
// The model (sim/network/flow_network.h): each message's share of a contended
// link is weighted by w = exp(sigma Z), Z standard normal, drawn per message;
// links are shared by weighted max-min. In a fan-out, p messages of one size
// S leave one host at once over its link of capacity C. The heaviest one
// drains at C w_max / W (W the sum of the weights) and ends first, at
// S W / (C w_max); the link stays saturated, so the last ends at p S / C. The
// first receiver's fraction of the last one's time is therefore
//   F = W / (p w_max) = mean(w) / max(w),
// and its expectation over the weights, conditioning on the largest draw x
// (density p phi(x) Phi(x)^(p-1); each other draw is a normal below x, with
// E[exp(sigma X) | X < x] = exp(sigma^2 / 2) Phi(x - sigma) / Phi(x)), is
//   E[F] = 1/p + (p-1)/p * Int p phi(x) Phi(x)^(p-2) exp(sigma^2/2 - sigma x) Phi(x - sigma) dx.
// For p = 2 it has the closed form 1/2 + exp(sigma^2) Phi(-sigma sqrt 2)
// (tests/calibration/flow_share_fit_test.cc checks the integral against it).
#pragma once

#include "sim/network/network_calibration.h"

namespace sim::calibration {

// E[F] above for `flows` >= 2 messages and sigma >= 0 (1 at sigma = 0).
[[nodiscard]] double ExpectedFirstFraction(int flows, double sigma);

// The largest sigma a scenario accepts (its check: topologies/cluster.cc).
inline constexpr double kMaxFlowShareSigma = net::kMaxFlowShareSigma;

// The sigma in [0, kMaxFlowShareSigma] whose ExpectedFirstFraction(flows,
// sigma) is `first_fraction` (E[F] falls as sigma grows): 0 for a fraction
// >= 1 (fair), kMaxFlowShareSigma below what that reaches.
[[nodiscard]] double FitFlowShareSigma(int flows, double first_fraction);

}  // namespace sim::calibration

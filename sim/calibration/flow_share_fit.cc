#include "sim/calibration/flow_share_fit.h"

#include <cassert>
#include <cmath>
#include <numbers>

namespace sim::calibration {
namespace {

double NormalPdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi); }
double NormalCdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

}  // namespace

double ExpectedFirstFraction(int flows, double sigma) {
  assert(flows >= 2 && sigma >= 0);
  if (sigma == 0) return 1.0;
  const double p = flows;
  // Composite Simpson over x in [-12, 12 + sigma]: the integrand's mass lies
  // within a few units of 0 (the max of p normals) and is below 1e-30 outside.
  const double lo = -12.0, hi = 12.0 + sigma;
  const int intervals = 8000;  // even
  const double h = (hi - lo) / intervals;
  double sum = 0;
  for (int i = 0; i <= intervals; ++i) {
    const double x = lo + h * i;
    const double f = p * NormalPdf(x) * std::pow(NormalCdf(x), p - 2) *
                     std::exp(0.5 * sigma * sigma - sigma * x) * NormalCdf(x - sigma);
    sum += f * (i == 0 || i == intervals ? 1 : (i % 2 == 1 ? 4 : 2));
  }
  const double integral = sum * h / 3;
  return 1.0 / p + (p - 1) / p * integral;
}

double FitFlowShareSigma(int flows, double first_fraction) {
  if (first_fraction >= 1.0) return 0.0;
  if (ExpectedFirstFraction(flows, kMaxFlowShareSigma) >= first_fraction) return kMaxFlowShareSigma;
  double lo = 0.0, hi = kMaxFlowShareSigma;  // E(lo) > fraction > E(hi)
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    (ExpectedFirstFraction(flows, mid) > first_fraction ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace sim::calibration

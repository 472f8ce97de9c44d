#include "models/compression/top_k.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace sim::models {
namespace {

float Magnitude(float x) { return std::isnan(x) ? std::numeric_limits<float>::infinity() : std::abs(x); }

}  // namespace

TopK::TopK(const CompressionOptions& options, Eigen::Index parameters)
    : Compressor(RequireScheme(options, CompressionScheme::kTopK), parameters),
      k_(KeptEntries(options.ratio, parameters)) {}

void TopK::round_trip(const Eigen::VectorXf& input, Eigen::VectorXf& applied) {
  order_.resize(static_cast<std::size_t>(input.size()));
  std::iota(order_.begin(), order_.end(), std::int64_t{0});
  // A strict total order: larger magnitude first, then lower index.
  const auto before = [&input](std::int64_t a, std::int64_t b) {
    const float ma = Magnitude(input[a]), mb = Magnitude(input[b]);
    return ma > mb || (ma == mb && a < b);
  };
  std::nth_element(order_.begin(), order_.begin() + k_, order_.end(), before);
  applied.setZero();
  for (auto i = order_.begin(); i != order_.begin() + k_; ++i) applied[*i] = input[*i];
}

}  // namespace sim::models

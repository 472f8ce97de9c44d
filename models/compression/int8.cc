#include "models/compression/int8.h"

#include <algorithm>

#include "models/compression/stochastic_rounding.h"

namespace sim::models {

namespace {
constexpr double kLargestCode = 127.0;  // int8 codes -127..127, symmetric
}  // namespace

Int8::Int8(const CompressionOptions& options, Eigen::Index parameters, RandomStream rng)
    : Compressor(RequireScheme(options, CompressionScheme::kInt8), parameters), rng_(rng) {}

void Int8::round_trip(const Eigen::VectorXf& input, Eigen::VectorXf& applied) {
  ForEachBucket(options().bucket_size, input.size(), [&](Eigen::Index begin, Eigen::Index size) {
    const float scale = static_cast<float>(input.segment(begin, size).cwiseAbs().maxCoeff() / kLargestCode);
    for (Eigen::Index i = begin; i < begin + size; ++i) {
      const double code = scale > 0.0f ? input[i] / static_cast<double>(scale) : 0.0;
      const double rounded = std::clamp(StochasticRound(code, rng_), -kLargestCode, kLargestCode);
      applied[i] = static_cast<float>(rounded * static_cast<double>(scale));
    }
  });
}

}  // namespace sim::models

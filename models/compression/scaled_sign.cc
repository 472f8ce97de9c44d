#include "models/compression/scaled_sign.h"

namespace sim::models {

ScaledSign::ScaledSign(const CompressionOptions& options, Eigen::Index parameters)
    : Compressor(RequireScheme(options, CompressionScheme::kScaledSign), parameters) {}

void ScaledSign::round_trip(const Eigen::VectorXf& input, Eigen::VectorXf& applied) {
  ForEachBucket(options().bucket_size, input.size(), [&](Eigen::Index begin, Eigen::Index size) {
    const auto scale =
        static_cast<float>(input.segment(begin, size).cast<double>().cwiseAbs().sum() / static_cast<double>(size));
    for (Eigen::Index i = begin; i < begin + size; ++i) applied[i] = input[i] >= 0.0f ? scale : -scale;
  });
}

}  // namespace sim::models

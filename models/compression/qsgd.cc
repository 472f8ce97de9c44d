#include "models/compression/qsgd.h"

#include <algorithm>
#include <cmath>

#include "models/compression/stochastic_rounding.h"

namespace sim::models {

Qsgd::Qsgd(const CompressionOptions& options, Eigen::Index parameters, RandomStream rng)
    : Compressor(RequireScheme(options, CompressionScheme::kQsgd), parameters), rng_(rng) {}

void Qsgd::round_trip(const Eigen::VectorXf& input, Eigen::VectorXf& applied) {
  const double s = options().levels;
  ForEachBucket(options().bucket_size, input.size(), [&](Eigen::Index begin, Eigen::Index size) {
    const float norm = static_cast<float>(std::sqrt(input.segment(begin, size).cast<double>().squaredNorm()));
    for (Eigen::Index i = begin; i < begin + size; ++i) {
      const double x = input[i];
      // |x| <= ||v|| in exact arithmetic; the float norm may round below the
      // largest |x| by an ulp, hence the clamp to s.
      const double ratio = norm > 0.0f ? std::abs(x) / static_cast<double>(norm) * s : 0.0;
      const double level = std::min(StochasticRound(ratio, rng_), s);
      applied[i] = static_cast<float>(std::copysign(static_cast<double>(norm) * level / s, x));
    }
  });
}

}  // namespace sim::models

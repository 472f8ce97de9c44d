#include "models/compression/random_k.h"

namespace sim::models {

RandomK::RandomK(const CompressionOptions& options, Eigen::Index parameters, RandomStream rng)
    : Compressor(RequireScheme(options, CompressionScheme::kRandomK), parameters),
      k_(KeptEntries(options.ratio, parameters)),
      scale_(options.error_feedback ? 1.0f
                                    : static_cast<float>(static_cast<double>(parameters) / static_cast<double>(k_))),
      rng_(rng),
      taken_(static_cast<std::size_t>(parameters), false) {}

void RandomK::round_trip(const Eigen::VectorXf& input, Eigen::VectorXf& applied) {
  // Floyd: for j = n - k .. n - 1 draw t in [0, j]; take t, or j if t is taken.
  const auto n = static_cast<std::uint64_t>(input.size());
  chosen_.clear();
  for (std::uint64_t j = n - static_cast<std::uint64_t>(k_); j < n; ++j) {
    const std::uint64_t t = rng_.uniform_index(j + 1);
    const std::uint64_t pick = taken_[t] ? j : t;
    taken_[pick] = true;
    chosen_.push_back(static_cast<std::int64_t>(pick));
  }
  applied.setZero();
  for (std::int64_t i : chosen_) {
    applied[i] = scale_ * input[i];
    taken_[static_cast<std::size_t>(i)] = false;
  }
}

}  // namespace sim::models

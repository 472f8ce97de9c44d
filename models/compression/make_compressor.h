// One worker's compressor for the scenario's options.
#pragma once

#include <memory>

#include "models/compression/compressor.h"
#include "sim/core/random.h"

namespace sim::models {

// The compressor of `options.scheme` for a gradient of `parameters` entries;
// `rng` is the worker's own stream (used by random_k, qsgd and int8). kNone
// gives a compressor that sends the gradient as it is (4n bytes), so that a
// strategy can treat every run alike. Throws std::invalid_argument listing
// every bad option, and for kPowerSgd, which reduces all workers at once
// (power_sgd.h).
[[nodiscard]] std::unique_ptr<Compressor> MakeCompressor(const CompressionOptions& options, Eigen::Index parameters,
                                                         RandomStream rng);

}  // namespace sim::models

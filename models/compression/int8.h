// 8-bit quantisation with max-norm scaling: per bucket, scale = max |v_i| /
// 127 and v_i is sent as the int8 stochastic rounding of v_i / scale, in
// [-127, 127]. Unbiased like QSGD, but scaled by the largest entry rather
// than the L2 norm, so that the 255 levels span the values actually present
// (TernGrad's max-norm scaling, Wen et al. 2017, at 8 bits). One uniform draw
// per entry from the worker's stream.
#pragma once

#include "models/compression/compressor.h"
#include "sim/core/random.h"

namespace sim::models {

class Int8 final : public Compressor {
 public:
  // options.scheme must be kInt8; `rng` is this worker's stream. Throws
  // std::invalid_argument for bad options.
  Int8(const CompressionOptions& options, Eigen::Index parameters, RandomStream rng);

 private:
  void round_trip(const Eigen::VectorXf& input, Eigen::VectorXf& applied) override;

  RandomStream rng_;
};

}  // namespace sim::models

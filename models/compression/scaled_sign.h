// Scaled sign, 1 bit per entry (Karimireddy et al. 2019, EF-SignSGD; 1-bit
// SGD, Seide et al. 2014): per bucket v of d entries,
//   C(v) = (||v||_1 / d) sign(v),     sign(0) = +1 (one bit has two states)
// The scale is the one that minimises ||v - c sign(v)||_2 over c. Biased;
// with error feedback it converges like SGD (Karimireddy et al. 2019).
#pragma once

#include "models/compression/compressor.h"

namespace sim::models {

class ScaledSign final : public Compressor {
 public:
  // options.scheme must be kScaledSign. Throws std::invalid_argument for bad
  // options.
  ScaledSign(const CompressionOptions& options, Eigen::Index parameters);

 private:
  void round_trip(const Eigen::VectorXf& input, Eigen::VectorXf& applied) override;
};

}  // namespace sim::models

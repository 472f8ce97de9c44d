// QSGD (Alistarh et al. 2017, section 3.1): per bucket v of d entries,
//   Q(v_i) = ||v||_2 sign(v_i) l_i / s,
//   l_i = floor(s |v_i| / ||v||) + 1 with probability s |v_i| / ||v|| - floor(.)
// so that E[Q(v)] = v and, by their Lemma 3.1,
//   E||Q(v) - v||^2 <= min(d / s^2, sqrt(d) / s) ||v||^2.
// The norm is sent as a float and the receiver decodes with that float, as
// here. One uniform draw per entry from the worker's stream.
#pragma once

#include "models/compression/compressor.h"
#include "sim/core/random.h"

namespace sim::models {

class Qsgd final : public Compressor {
 public:
  // options.scheme must be kQsgd; `rng` is this worker's stream. Throws
  // std::invalid_argument for bad options.
  Qsgd(const CompressionOptions& options, Eigen::Index parameters, RandomStream rng);

 private:
  void round_trip(const Eigen::VectorXf& input, Eigen::VectorXf& applied) override;

  RandomStream rng_;
};

}  // namespace sim::models

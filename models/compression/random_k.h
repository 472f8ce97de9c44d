// Random-k sparsification: send k = round(ratio x n) entries drawn uniformly
// without replacement (Floyd's algorithm, Bentley & Floyd 1987: k draws).
//
// With error feedback the kept entries are sent as they are, the contraction
// rand_k of Stich et al. 2018 (E||x - C(x)||^2 = (1 - k/n) ||x||^2). Without
// it they are scaled by n/k, the unbiased estimator E[C(x)] = x (Wangni et
// al. 2018), whose variance (n/k - 1) ||x||^2 is the price of sending k of n.
#pragma once

#include <cstdint>
#include <vector>

#include "models/compression/compressor.h"
#include "sim/core/random.h"

namespace sim::models {

class RandomK final : public Compressor {
 public:
  // options.scheme must be kRandomK; `rng` is this worker's stream. Throws
  // std::invalid_argument for bad options.
  RandomK(const CompressionOptions& options, Eigen::Index parameters, RandomStream rng);

  [[nodiscard]] Eigen::Index kept() const noexcept { return k_; }

 private:
  void round_trip(const Eigen::VectorXf& input, Eigen::VectorXf& applied) override;

  Eigen::Index k_;
  float scale_;  // n/k without error feedback, else 1
  RandomStream rng_;
  std::vector<std::int64_t> chosen_;  // workspace: the k indices
  std::vector<bool> taken_;           // workspace: membership, all false between calls
};

}  // namespace sim::models

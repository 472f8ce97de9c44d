// Top-k sparsification (Aji & Heafield 2017; with error feedback, Lin et al.
// 2018, DGC, and Stich et al. 2018): send the k = round(ratio x n) entries of
// largest magnitude, drop the rest.
//
// Ties are broken by the lower index, so that the kept set is the same with
// every standard library; a NaN counts as the largest magnitude, so that a
// diverged gradient is sent, not hidden.
#pragma once

#include <cstdint>
#include <vector>

#include "models/compression/compressor.h"

namespace sim::models {

class TopK final : public Compressor {
 public:
  // options.scheme must be kTopK. Throws std::invalid_argument for bad options.
  TopK(const CompressionOptions& options, Eigen::Index parameters);

  [[nodiscard]] Eigen::Index kept() const noexcept { return k_; }

 private:
  void round_trip(const Eigen::VectorXf& input, Eigen::VectorXf& applied) override;

  Eigen::Index k_;
  std::vector<std::int64_t> order_;  // workspace of the selection
};

}  // namespace sim::models

#include "models/nn/global_batch.h"

#include <stdexcept>
#include <string>

namespace sim::models {

void MeanInRankOrder(std::span<const Eigen::VectorXf* const> gradients, Eigen::VectorXf& mean) {
  if (gradients.empty()) throw std::invalid_argument("MeanInRankOrder: no gradients");
  const Eigen::Index size = gradients.front()->size();
  for (std::size_t k = 0; k < gradients.size(); ++k) {
    if (gradients[k]->size() != size) {
      throw std::invalid_argument("MeanInRankOrder: gradient of rank " + std::to_string(k) + " has " +
                                  std::to_string(gradients[k]->size()) + " entries, rank 0 has " +
                                  std::to_string(size));
    }
  }
  mean = *gradients.front();
  for (std::size_t k = 1; k < gradients.size(); ++k) mean += *gradients[k];
  mean *= 1.0f / static_cast<float>(gradients.size());
}

std::vector<SampleIndex> ConcatenateInRankOrder(std::span<const std::span<const SampleIndex>> worker_rows) {
  std::vector<SampleIndex> rows;
  std::size_t total = 0;
  for (auto part : worker_rows) total += part.size();
  rows.reserve(total);
  for (auto part : worker_rows) rows.insert(rows.end(), part.begin(), part.end());
  return rows;
}

}  // namespace sim::models

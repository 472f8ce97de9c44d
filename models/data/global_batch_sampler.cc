#include "models/data/global_batch_sampler.h"

#include <stdexcept>

namespace sim::models {

GlobalBatchSampler::GlobalBatchSampler(std::vector<BatchSampler> workers) : workers_(std::move(workers)) {
  if (workers_.empty()) throw std::invalid_argument("global batch sampler: no workers");
  std::size_t total = 0;
  for (const auto& w : workers_) total += static_cast<std::size_t>(w.batch_size());
  rows_.reserve(total);
}

std::span<const SampleIndex> GlobalBatchSampler::next() {
  rows_.clear();
  for (auto& worker : workers_) {
    const auto part = worker.next();
    rows_.insert(rows_.end(), part.begin(), part.end());
  }
  return rows_;
}

GlobalBatchSampler MakeGlobalBatchSampler(const std::vector<std::vector<SampleIndex>>& shards,
                                          std::int64_t batch_size_per_worker, std::uint64_t seed) {
  std::vector<BatchSampler> samplers;
  samplers.reserve(shards.size());
  for (std::size_t w = 0; w < shards.size(); ++w) {
    samplers.push_back(MakeBatchSampler(shards[w], batch_size_per_worker, seed, static_cast<int>(w)));
  }
  return GlobalBatchSampler(std::move(samplers));
}

}  // namespace sim::models

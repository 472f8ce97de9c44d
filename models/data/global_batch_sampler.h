// The batches that N synchronous workers draw in one step, concatenated in
// rank order: what a single worker trains on to reproduce N-worker
// synchronous data-parallel training sample for sample (see
// nn/global_batch.h for why the gradients then agree).
#pragma once

#include <span>
#include <vector>

#include "models/data/batch_sampler.h"

namespace sim::models {

class GlobalBatchSampler {
 public:
  // Throws std::invalid_argument when `workers` is empty.
  explicit GlobalBatchSampler(std::vector<BatchSampler> workers);

  // Rows of worker 0's next batch, then worker 1's, ...; valid until the next call.
  [[nodiscard]] std::span<const SampleIndex> next();

  [[nodiscard]] std::size_t workers() const noexcept { return workers_.size(); }

 private:
  std::vector<BatchSampler> workers_;
  std::vector<SampleIndex> rows_;
};

// The samplers of `shards.size()` workers as MakeBatchSampler builds them
// (stream "data/batches/worker/<rank>"), joined in rank order.
[[nodiscard]] GlobalBatchSampler MakeGlobalBatchSampler(const std::vector<std::vector<SampleIndex>>& shards,
                                                        std::int64_t batch_size_per_worker, std::uint64_t seed);

}  // namespace sim::models

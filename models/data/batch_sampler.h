// A worker's stream of mini-batches over its shard: each epoch is a fresh
// seeded shuffle of the shard, and batches are consecutive slices of the
// epochs laid end to end. A batch that reaches the end of an epoch continues
// into the next one, so every batch has exactly batch_size rows (what a
// synchronous step needs) and every sample is used once per epoch.
// Same shard + same stream => same batches.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "models/data/dataset.h"
#include "sim/core/random.h"

namespace sim::models {

class BatchSampler {
 public:
  // Throws std::invalid_argument for an empty shard or batch_size < 1.
  BatchSampler(std::vector<SampleIndex> shard, std::int64_t batch_size, RandomStream rng);

  // The next batch's rows; valid until the next call.
  [[nodiscard]] std::span<const SampleIndex> next();

  [[nodiscard]] std::int64_t batch_size() const noexcept { return batch_size_; }
  [[nodiscard]] std::int64_t shard_size() const noexcept { return static_cast<std::int64_t>(order_.size()); }
  // Batches returned so far.
  [[nodiscard]] std::int64_t batches_drawn() const noexcept { return batches_; }
  // Passes over the shard begun so far (1 after the first next()).
  [[nodiscard]] std::int64_t epochs_started() const noexcept { return epochs_; }

 private:
  std::vector<SampleIndex> order_;
  std::size_t position_;
  std::int64_t batch_size_;
  RandomStream rng_;
  std::vector<SampleIndex> batch_;
  std::int64_t batches_ = 0;
  std::int64_t epochs_ = 0;
};

// The sampler of worker `worker`, on stream "data/batches/worker/<worker>".
[[nodiscard]] BatchSampler MakeBatchSampler(std::vector<SampleIndex> shard, std::int64_t batch_size,
                                            std::uint64_t seed, int worker);

}  // namespace sim::models

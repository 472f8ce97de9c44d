#include "models/data/batch_sampler.h"

#include <stdexcept>
#include <string>

#include "models/data/sharding.h"

namespace sim::models {

BatchSampler::BatchSampler(std::vector<SampleIndex> shard, std::int64_t batch_size, RandomStream rng)
    : order_(std::move(shard)), position_(order_.size()), batch_size_(batch_size), rng_(rng) {
  if (order_.empty()) throw std::invalid_argument("batch sampler: empty shard");
  if (batch_size < 1) throw std::invalid_argument("batch sampler: batch_size must be >= 1, got " + std::to_string(batch_size));
  batch_.reserve(static_cast<std::size_t>(batch_size));
}

std::span<const SampleIndex> BatchSampler::next() {
  batch_.clear();
  while (static_cast<std::int64_t>(batch_.size()) < batch_size_) {
    if (position_ == order_.size()) {
      Shuffle(order_, rng_);
      position_ = 0;
      ++epochs_;
    }
    batch_.push_back(order_[position_++]);
  }
  ++batches_;
  return batch_;
}

BatchSampler MakeBatchSampler(std::vector<SampleIndex> shard, std::int64_t batch_size, std::uint64_t seed, int worker) {
  return BatchSampler(std::move(shard), batch_size, NamedStream(seed, "data/batches/worker/" + std::to_string(worker)));
}

}  // namespace sim::models

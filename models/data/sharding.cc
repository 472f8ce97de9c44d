#include "models/data/sharding.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace sim::models {
namespace {

void CheckCounts(SampleIndex samples, int workers) {
  if (workers < 1) throw std::invalid_argument("sharding: workers must be >= 1, got " + std::to_string(workers));
  if (samples < workers) {
    throw std::invalid_argument("sharding: cannot split " + std::to_string(samples) + " training samples over " +
                                std::to_string(workers) + " workers (each needs at least one)");
  }
}

std::size_t ShardSize(SampleIndex samples, int workers, int w) {
  return static_cast<std::size_t>(samples / workers + (w < samples % workers ? 1 : 0));
}

}  // namespace

void Shuffle(std::vector<SampleIndex>& rows, RandomStream& rng) {
  for (std::size_t i = rows.size(); i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(rng.uniform_index(i));
    std::swap(rows[i - 1], rows[j]);
  }
}

Shards ShardIid(SampleIndex samples, int workers, RandomStream rng) {
  CheckCounts(samples, workers);
  std::vector<SampleIndex> order = RowRange(0, samples);
  Shuffle(order, rng);
  Shards shards(static_cast<std::size_t>(workers));
  auto next = order.begin();
  for (int w = 0; w < workers; ++w) {
    const auto size = static_cast<std::ptrdiff_t>(ShardSize(samples, workers, w));
    shards[static_cast<std::size_t>(w)].assign(next, next + size);
    next += size;
  }
  return shards;
}

std::vector<std::int32_t> LabelGroup(int worker, int workers, std::int32_t classes) {
  std::vector<std::int32_t> group;
  if (workers <= classes) {
    for (std::int32_t c = worker; c < classes; c += workers) group.push_back(c);
  } else {
    group.push_back(worker % classes);
  }
  return group;
}

Shards ShardByLabel(std::span<const std::int32_t> labels, std::int32_t classes, int workers, double skew,
                    RandomStream rng) {
  const auto samples = static_cast<SampleIndex>(labels.size());
  CheckCounts(samples, workers);
  if (!(skew >= 0.0 && skew <= 1.0)) {
    throw std::invalid_argument("sharding: label_skew must be in [0, 1], got " + std::to_string(skew));
  }
  if (classes < 1) throw std::invalid_argument("sharding: BY_LABEL needs a labelled dataset");

  // Per-class pools, each shuffled; taken from the back.
  std::vector<std::vector<SampleIndex>> pools(static_cast<std::size_t>(classes));
  for (SampleIndex i = 0; i < samples; ++i) {
    const std::int32_t y = labels[static_cast<std::size_t>(i)];
    if (y < 0 || y >= classes) {
      throw std::invalid_argument("sharding: label " + std::to_string(y) + " of sample " + std::to_string(i) +
                                  " outside [0, " + std::to_string(classes) + ")");
    }
    pools[static_cast<std::size_t>(y)].push_back(i);
  }
  for (auto& pool : pools) Shuffle(pool, rng);

  // Own-group quotas, round-robin over the group's classes so that a group of
  // several classes contributes them evenly.
  Shards shards(static_cast<std::size_t>(workers));
  for (int w = 0; w < workers; ++w) {
    auto& shard = shards[static_cast<std::size_t>(w)];
    const std::size_t size = ShardSize(samples, workers, w);
    shard.reserve(size);
    const auto quota = static_cast<std::size_t>(std::llround(skew * static_cast<double>(size)));
    const std::vector<std::int32_t> group = LabelGroup(w, workers, classes);
    bool took = true;
    while (shard.size() < quota && took) {
      took = false;
      for (std::int32_t c : group) {
        auto& pool = pools[static_cast<std::size_t>(c)];
        if (shard.size() == quota || pool.empty()) continue;
        shard.push_back(pool.back());
        pool.pop_back();
        took = true;
      }
    }
  }

  // Everything left, shuffled, tops every shard up to its size.
  std::vector<SampleIndex> rest;
  for (const auto& pool : pools) rest.insert(rest.end(), pool.begin(), pool.end());
  Shuffle(rest, rng);
  auto next = rest.begin();
  for (int w = 0; w < workers; ++w) {
    auto& shard = shards[static_cast<std::size_t>(w)];
    const auto missing = static_cast<std::ptrdiff_t>(ShardSize(samples, workers, w) - shard.size());
    shard.insert(shard.end(), next, next + missing);
    next += missing;
  }
  return shards;
}

}  // namespace sim::models

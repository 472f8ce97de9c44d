// The data of a workload: the train and test sets, and the split of the
// training set across workers.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "models/data/dataset.h"
#include "models/data/sharding.h"
#include "models/data/synthetic.h"

namespace sim::models {

// Debian's dataset-fashion-mnist (Xiao, Rasul & Vollgraf 2017).
struct FashionMnistSpec {
  std::string folder;               // with the four IDX files (optionally .gz)
  std::int64_t train_samples = 0;   // the first N training samples; 0: all
};

using DatasetSpec = std::variant<FashionMnistSpec, SyntheticSpec>;

struct ShardingSpec {
  enum class Kind { kIid, kByLabel };
  Kind kind = Kind::kIid;
  double label_skew = 0.8;  // kByLabel: fraction of a shard from its own label group
};

// Fashion-MNIST from its folder, or synthetic teacher data drawn under
// `seed`. Throws DataError for missing or bad files, std::invalid_argument
// for impossible sizes.
[[nodiscard]] TrainTest LoadDataset(const DatasetSpec& spec, std::uint64_t seed);

// The training set split over `workers`, on stream "data/shards".
[[nodiscard]] Shards ShardTrainingSet(const ShardingSpec& spec, const Dataset& train, int workers, std::uint64_t seed);

}  // namespace sim::models

// Builds the data of a scenario's workload: the train and test sets, and the
// split of the training set across workers.
#pragma once

#include <cstdint>

#include "models/data/dataset.h"
#include "models/data/sharding.h"
#include "sim/scenario/scenario.pb.h"

namespace sim::models {

// Fashion-MNIST from its folder (default /usr/share/datasets/fashion-mnist) or
// synthetic teacher data (defaults from scenario.proto: 10,000 / 2,000
// samples, 32 features, 10 classes, noise 0.1) drawn under `seed`.
// Throws DataError for missing or bad files, std::invalid_argument for a
// dataset with no kind or impossible sizes.
[[nodiscard]] TrainTest LoadDataset(const sim::scenario::Dataset& spec, std::uint64_t seed);

// The training set split over `workers` as spec.sharding says (default IID;
// BY_LABEL with spec.label_skew, default 0.8), on stream "data/shards".
[[nodiscard]] Shards ShardTrainingSet(const sim::scenario::Dataset& spec, const Dataset& train, int workers,
                                      std::uint64_t seed);

}  // namespace sim::models

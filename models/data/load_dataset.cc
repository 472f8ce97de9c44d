#include "models/data/load_dataset.h"

#include <stdexcept>

#include "models/data/fashion_mnist.h"

namespace sim::models {
namespace {

TrainTest Load(const FashionMnistSpec& spec, std::uint64_t) { return LoadFashionMnist(spec.folder, spec.train_samples); }
TrainTest Load(const SyntheticSpec& spec, std::uint64_t seed) { return MakeSyntheticData(spec, seed); }

}  // namespace

TrainTest LoadDataset(const DatasetSpec& spec, std::uint64_t seed) {
  return std::visit([seed](const auto& s) { return Load(s, seed); }, spec);
}

Shards ShardTrainingSet(const ShardingSpec& spec, const Dataset& train, int workers, std::uint64_t seed) {
  RandomStream rng = NamedStream(seed, "data/shards");
  if (spec.kind == ShardingSpec::Kind::kByLabel) {
    if (!train.has_labels()) {
      throw std::invalid_argument("workload.dataset.sharding: BY_LABEL needs class labels; '" + train.name +
                                  "' has none");
    }
    return ShardByLabel(train.labels, train.classes, workers, spec.label_skew, rng);
  }
  return ShardIid(train.samples(), workers, rng);
}

}  // namespace sim::models

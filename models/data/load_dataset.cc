#include "models/data/load_dataset.h"

#include <stdexcept>

#include "models/data/fashion_mnist.h"
#include "models/data/synthetic.h"

namespace sim::models {

TrainTest LoadDataset(const sim::scenario::Dataset& spec, std::uint64_t seed) {
  switch (spec.kind_case()) {
    case sim::scenario::Dataset::kFashionMnist: {
      const auto& fashion = spec.fashion_mnist();
      const std::string folder = fashion.path().empty() ? kFashionMnistDefaultPath : fashion.path();
      return LoadFashionMnist(folder, fashion.train_samples());
    }
    case sim::scenario::Dataset::kSynthetic: {
      const auto& synthetic = spec.synthetic();
      SyntheticSpec s;
      if (synthetic.train_samples() > 0) s.train_samples = synthetic.train_samples();
      if (synthetic.test_samples() > 0) s.test_samples = synthetic.test_samples();
      if (synthetic.features() > 0) s.features = synthetic.features();
      if (synthetic.classes() > 0) s.classes = static_cast<std::int32_t>(synthetic.classes());
      if (synthetic.noise() != 0.0) s.noise = synthetic.noise();
      return MakeSyntheticData(s, seed);
    }
    case sim::scenario::Dataset::KIND_NOT_SET:
      break;
  }
  throw std::invalid_argument("workload.dataset: no dataset given (set fashion_mnist or synthetic)");
}

Shards ShardTrainingSet(const sim::scenario::Dataset& spec, const Dataset& train, int workers, std::uint64_t seed) {
  RandomStream rng = NamedStream(seed, "data/shards");
  if (spec.sharding() == sim::scenario::BY_LABEL) {
    if (!train.has_labels()) {
      throw std::invalid_argument("workload.dataset.sharding: BY_LABEL needs class labels; '" + train.name +
                                  "' has none");
    }
    const double skew = spec.label_skew() == 0.0 ? 0.8 : spec.label_skew();
    return ShardByLabel(train.labels, train.classes, workers, skew, rng);
  }
  return ShardIid(train.samples(), workers, rng);
}

}  // namespace sim::models

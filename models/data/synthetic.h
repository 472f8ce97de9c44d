// Data labelled by a seeded random teacher model, so that a run's difficulty
// and its attainable loss are known in advance.
//
// Features: x ~ N(0, I_d). Teachers drawn once per seed with entries
// ~ N(0, 1/d), so that w . x has unit variance:
//   regression target      y = w . x + noise * e,         e ~ N(0, 1)
//   classification label   argmax_c (x W + noise * e)_c,  e ~ N(0, I_C)
// Every sample carries both, so any model kind trains on the same inputs. The
// best possible test MSE of linear regression is noise^2.
#pragma once

#include <cstdint>

#include "models/data/dataset.h"

namespace sim::models {

struct SyntheticSpec {
  std::int64_t train_samples = 10'000;
  std::int64_t test_samples = 2'000;
  std::int64_t features = 32;
  std::int32_t classes = 10;
  double noise = 0.1;
};

// Streams (under `seed`): "data/synthetic/teacher" draws w then W (row by
// row); "data/synthetic/train" and "data/synthetic/test" draw each sample's
// features, its target noise, then its C logit noises. Throws
// std::invalid_argument for sizes < 1, classes < 2 or negative noise.
[[nodiscard]] TrainTest MakeSyntheticData(const SyntheticSpec& spec, std::uint64_t seed);

}  // namespace sim::models

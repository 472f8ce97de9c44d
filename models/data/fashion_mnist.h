// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 60,000 training and 10,000
// test 28x28 grey images of clothing in 10 balanced classes, read from the
// IDX files that Debian's `dataset-fashion-mnist` installs.
#pragma once

#include <cstdint>
#include <filesystem>

#include "models/data/dataset.h"

namespace sim::models {

inline constexpr const char* kFashionMnistDefaultPath = "/usr/share/datasets/fashion-mnist";

// Reads train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
// and t10k-labels-idx1-ubyte from `folder`, each plain or with a .gz suffix.
// Pixels become features in [0, 1] (value / 255). `train_samples` > 0 keeps
// only the first that many training samples.
// Throws DataError naming the missing folder or file (and the Debian package
// to install), or what is wrong with a file.
[[nodiscard]] TrainTest LoadFashionMnist(const std::filesystem::path& folder = kFashionMnistDefaultPath,
                                         std::int64_t train_samples = 0);

}  // namespace sim::models

#include "models/data/fashion_mnist.h"

#include <string>

#include "models/data/data_error.h"
#include "models/data/idx_reader.h"

namespace sim::models {
namespace {

constexpr const char* kInstallHint = "; install the Debian package dataset-fashion-mnist";
constexpr std::int32_t kClasses = 10;

std::filesystem::path FindIdxFile(const std::filesystem::path& folder, const std::string& stem) {
  const std::filesystem::path plain = folder / stem;
  if (std::filesystem::exists(plain)) return plain;
  std::filesystem::path gz = folder / (stem + ".gz");
  if (std::filesystem::exists(gz)) return gz;
  throw DataError("Fashion-MNIST file " + gz.string() + " (or " + plain.string() + ") not found" + kInstallHint);
}

Dataset ReadSplit(const std::filesystem::path& folder, const std::string& prefix, const std::string& name,
                  std::int64_t keep) {
  const std::filesystem::path image_file = FindIdxFile(folder, prefix + "-images-idx3-ubyte");
  const std::filesystem::path label_file = FindIdxFile(folder, prefix + "-labels-idx1-ubyte");
  const IdxArray images = ReadIdx(image_file);
  const IdxArray labels = ReadIdx(label_file);
  if (images.dims.size() != 3) {
    throw DataError("IDX file " + image_file.string() + ": expected 3 dimensions (images x rows x cols), got " +
                    std::to_string(images.dims.size()));
  }
  if (labels.dims.size() != 1) {
    throw DataError("IDX file " + label_file.string() + ": expected 1 dimension (labels), got " +
                    std::to_string(labels.dims.size()));
  }
  if (images.dims[0] != labels.dims[0]) {
    throw DataError("Fashion-MNIST " + prefix + ": " + std::to_string(images.dims[0]) + " images but " +
                    std::to_string(labels.dims[0]) + " labels");
  }
  std::int64_t n = images.dims[0];
  if (keep > 0 && keep < n) n = keep;
  const std::int64_t pixels = images.dims[1] * images.dims[2];

  Dataset data;
  data.name = name;
  data.classes = kClasses;
  data.features.resize(n, pixels);
  const float scale = 1.0f / 255.0f;
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t p = 0; p < pixels; ++p) {
      data.features(i, p) = static_cast<float>(images.values[static_cast<std::size_t>(i * pixels + p)]) * scale;
    }
  }
  data.labels.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint8_t label = labels.values[static_cast<std::size_t>(i)];
    if (label >= kClasses) {
      throw DataError("IDX file " + label_file.string() + ": label " + std::to_string(label) + " of sample " +
                      std::to_string(i) + " is not a class in [0, 10)");
    }
    data.labels[static_cast<std::size_t>(i)] = label;
  }
  return data;
}

}  // namespace

TrainTest LoadFashionMnist(const std::filesystem::path& folder, std::int64_t train_samples) {
  if (!std::filesystem::is_directory(folder)) {
    throw DataError("Fashion-MNIST folder " + folder.string() + " not found" + kInstallHint);
  }
  TrainTest sets;
  sets.train = ReadSplit(folder, "train", "fashion_mnist/train", train_samples);
  sets.test = ReadSplit(folder, "t10k", "fashion_mnist/test", 0);
  return sets;
}

}  // namespace sim::models

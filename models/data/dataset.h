// A training or test set held in memory: one row of features per sample, and
// either a class label (classification) or a real target (regression), or both
// (synthetic data carries both so that every model kind can train on it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace sim::models {

// Row-major so that one sample is one contiguous row: a batch gathers rows with
// one memcpy each, and shards are lists of row numbers.
using FeatureMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A sample's position in its Dataset (row number).
using SampleIndex = std::int64_t;

struct Dataset {
  std::string name;
  // samples x features; image pixels are scaled to [0, 1].
  FeatureMatrix features;
  // Class of each sample in [0, classes); empty when the set has no labels.
  std::vector<std::int32_t> labels;
  // Real-valued target of each sample; empty when the set has no targets.
  Eigen::VectorXf targets;
  // Number of classes (0 when there are no labels).
  std::int32_t classes = 0;

  [[nodiscard]] Eigen::Index samples() const noexcept { return features.rows(); }
  [[nodiscard]] Eigen::Index feature_count() const noexcept { return features.cols(); }
  [[nodiscard]] bool has_labels() const noexcept { return !labels.empty(); }
  [[nodiscard]] bool has_targets() const noexcept { return targets.size() > 0; }
};

struct TrainTest {
  Dataset train;
  Dataset test;
};

}  // namespace sim::models

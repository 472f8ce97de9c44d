// Copies a batch's rows into a model's dense workspace, after checking that
// the batch fits the model. Shared by the models; not part of their interface.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "models/data/batch.h"

namespace sim::models::detail {

template <typename Scalar>
using RowMatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

enum class Needs { kLabels, kTargets };

// Throws std::invalid_argument naming the model and what does not fit.
inline void CheckBatch(const Batch& batch, const std::string& model, Eigen::Index features, Needs needs) {
  const Dataset& data = batch.data();
  if (batch.size() == 0) throw std::invalid_argument(model + ": empty batch");
  if (data.feature_count() != features) {
    throw std::invalid_argument(model + ": dataset '" + data.name + "' has " + std::to_string(data.feature_count()) +
                                " features per sample, the model expects " + std::to_string(features));
  }
  if (needs == Needs::kLabels && !data.has_labels()) {
    throw std::invalid_argument(model + ": dataset '" + data.name + "' has no class labels");
  }
  if (needs == Needs::kTargets && !data.has_targets()) {
    throw std::invalid_argument(model + ": dataset '" + data.name + "' has no regression targets");
  }
  for (SampleIndex row : batch.rows()) {
    if (row < 0 || row >= data.samples()) {
      throw std::out_of_range(model + ": batch row " + std::to_string(row) + " outside dataset '" + data.name +
                              "' of " + std::to_string(data.samples()) + " samples");
    }
  }
}

// Resizes a workspace so that a failed allocation leaves it intact.
// Eigen 3.4's DenseStorage::resize frees the old buffer before it allocates
// the new one and keeps the freed pointer when the allocation throws, so the
// matrix's destructor frees it a second time ("double free or corruption" on
// a batch too large for memory). Building the new buffer first and swapping
// keeps the old one valid until the new one exists. An unchanged element
// count reshapes in place, with no allocation.
template <typename Workspace>
void ResizeWorkspace(Workspace& m, Eigen::Index rows, Eigen::Index cols) {
  if (m.rows() == rows && m.cols() == cols) return;
  if (m.size() == rows * cols) {
    m.resize(rows, cols);
    return;
  }
  Workspace fresh(rows, cols);
  m.swap(fresh);
}

template <typename Workspace>
void ResizeWorkspace(Workspace& v, Eigen::Index size) {
  if (v.size() == size) return;
  Workspace fresh(size);
  v.swap(fresh);
}

// x <- the batch's feature rows, in batch order. Resizing to an unchanged
// shape does not allocate, so a steady batch size costs no allocation.
template <typename Scalar>
void GatherFeatures(const Batch& batch, RowMatrix<Scalar>& x) {
  const FeatureMatrix& features = batch.data().features;
  ResizeWorkspace(x, batch.size(), features.cols());
  Eigen::Index i = 0;
  for (SampleIndex row : batch.rows()) {
    if constexpr (std::is_same_v<Scalar, float>) {
      std::memcpy(x.row(i).data(), features.row(row).data(), sizeof(float) * static_cast<std::size_t>(features.cols()));
    } else {
      x.row(i) = features.row(row).template cast<Scalar>();
    }
    ++i;
  }
}

inline void GatherLabels(const Batch& batch, std::vector<std::int32_t>& labels) {
  labels.resize(static_cast<std::size_t>(batch.size()));
  std::size_t i = 0;
  for (SampleIndex row : batch.rows()) labels[i++] = batch.data().labels[static_cast<std::size_t>(row)];
}

}  // namespace sim::models::detail

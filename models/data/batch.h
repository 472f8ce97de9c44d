// A mini-batch: some rows of a Dataset, in a given order. A view: it owns
// neither the data nor the row list, which must outlive it.
//
// Order matters only for floating-point summation. The gradient of the batch
// made of worker batches b_0, b_1, ..., b_{N-1} concatenated in rank order is
// the global-batch gradient that synchronous data-parallel training
// reproduces by averaging the N worker gradients (see nn/global_batch.h).
#pragma once

#include <span>
#include <vector>

#include "models/data/dataset.h"

namespace sim::models {

class Batch {
 public:
  Batch(const Dataset& data, std::span<const SampleIndex> rows) noexcept : data_(&data), rows_(rows) {}

  [[nodiscard]] const Dataset& data() const noexcept { return *data_; }
  [[nodiscard]] std::span<const SampleIndex> rows() const noexcept { return rows_; }
  [[nodiscard]] Eigen::Index size() const noexcept { return static_cast<Eigen::Index>(rows_.size()); }

 private:
  const Dataset* data_;
  std::span<const SampleIndex> rows_;
};

// Rows first, first + 1, ..., first + count - 1: a contiguous batch.
[[nodiscard]] inline std::vector<SampleIndex> RowRange(SampleIndex first, SampleIndex count) {
  std::vector<SampleIndex> rows(static_cast<std::size_t>(count));
  for (SampleIndex i = 0; i < count; ++i) rows[static_cast<std::size_t>(i)] = first + i;
  return rows;
}

}  // namespace sim::models

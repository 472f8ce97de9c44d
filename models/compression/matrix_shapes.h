// Where the weight matrices lie in the flat parameter vector, for PowerSGD
// (Vogels et al. 2019), which compresses matrices and sends every other
// entry (biases, vectors) as it is.
//
// A MatrixShape is column-major (Eigen's default and mlp.h's layout): entry
// (i, j) is params[offset + i + j x rows]. A row-major matrix is the
// column-major matrix of its transpose; PowerSGD's bytes, r (rows + cols), are
// the same either way.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace sim::models {

struct MatrixShape {
  Eigen::Index rows = 0;
  Eigen::Index cols = 0;
  Eigen::Index offset = 0;  // of entry (0, 0) in the flat vector

  [[nodiscard]] Eigen::Index size() const noexcept { return rows * cols; }
};

// Every inconsistency of `shapes` in a vector of `parameters` entries: an
// empty matrix, one that does not fit, two that overlap. Empty when valid.
[[nodiscard]] std::vector<std::string> MatrixShapeProblems(std::span<const MatrixShape> shapes,
                                                           Eigen::Index parameters);

// Entries of the vector outside every matrix: sent uncompressed.
[[nodiscard]] Eigen::Index EntriesOutsideMatrices(std::span<const MatrixShape> shapes, Eigen::Index parameters);

// The ranges [begin, end) outside every matrix, in order.
[[nodiscard]] std::vector<std::pair<Eigen::Index, Eigen::Index>> RangesOutsideMatrices(
    std::span<const MatrixShape> shapes, Eigen::Index parameters);

// The weight matrices of MlpT(inputs, hidden, classes) (models/nn/mlp.h:
// layer by layer, W (in x out, column-major) then its bias), the biases left
// out. Softmax regression is the MLP without hidden layers.
[[nodiscard]] std::vector<MatrixShape> MlpWeightShapes(Eigen::Index inputs, const std::vector<Eigen::Index>& hidden,
                                                       std::int32_t classes);

}  // namespace sim::models

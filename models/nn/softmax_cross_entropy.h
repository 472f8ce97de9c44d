// Softmax cross-entropy on a block of logits (a whole batch's, or a
// micro-batch's in a pipeline's last stage), for MlpT and its parallel forms.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

#include "models/nn/batch_input.h"
#include "models/nn/dense_layers.h"

namespace sim::models {

// Throws std::invalid_argument, naming the model, for a label outside
// [0, classes).
inline void CheckLabels(std::span<const std::int32_t> labels, std::int32_t classes, const std::string& model) {
  for (std::int32_t y : labels) {
    if (y < 0 || y >= classes) {
      throw std::invalid_argument(model + ": label " + std::to_string(y) + " outside [0, " + std::to_string(classes) +
                                  ")");
    }
  }
}

template <typename Scalar>
class SoftmaxCrossEntropy {
 public:
  // Turns the logits z (samples x classes) into softmax probabilities, in
  // place, and returns the summed cross-entropy of `labels` (natural log),
  // stabilised by each row's maximum m_i:
  //   loss_i = log sum_j exp(z_ij - m_i) - (z_i,y_i - m_i).
  double loss_sum(DenseMatrix<Scalar>& z, std::span<const std::int32_t> labels) {
    detail::ResizeWorkspace(row_max_, z.rows());
    row_max_ = z.rowwise().maxCoeff();
    z.colwise() -= row_max_;
    double loss = 0.0;
    for (Eigen::Index i = 0; i < z.rows(); ++i) loss -= static_cast<double>(z(i, labels[static_cast<std::size_t>(i)]));
    z = z.array().exp();
    detail::ResizeWorkspace(row_sum_, z.rows());
    row_sum_ = z.rowwise().sum();
    for (Eigen::Index i = 0; i < z.rows(); ++i) loss += std::log(static_cast<double>(row_sum_[i]));
    z.array().colwise() /= row_sum_.array();
    return loss;
  }

 private:
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> row_max_;
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> row_sum_;
};

// Probabilities p (from loss_sum) of some of a batch's samples -> the
// gradient of the MEAN loss over the whole batch of `batch_size` samples with
// respect to their logits: (p - onehot(y)) / batch_size. A micro-batch thus
// contributes its share of the batch's mean gradient, and the gradients of a
// batch's micro-batches add up to the batch's.
template <typename Scalar>
void ToMeanLossLogitGradient(DenseMatrix<Scalar>& p, std::span<const std::int32_t> labels, Eigen::Index batch_size) {
  const Scalar inv_b = Scalar(1) / static_cast<Scalar>(batch_size);
  for (Eigen::Index i = 0; i < p.rows(); ++i) p(i, labels[static_cast<std::size_t>(i)]) -= Scalar(1);
  p *= inv_b;
}

}  // namespace sim::models

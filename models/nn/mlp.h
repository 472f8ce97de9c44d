// Multi-layer perceptron with a softmax cross-entropy output: dense layers
// inputs -> hidden[0] -> ... -> hidden[k-1] -> classes, ReLU or tanh between
// them. With no hidden layer it is softmax (multinomial logistic) regression.
//
// Parameter layout in the flat vector, layer by layer: the weight matrix
// W (in x out, column-major: column j holds the in weights into unit j), then
// the bias (out) (dense_layers.h). Eigen::Map views these slices in place;
// nothing is copied.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/nn/batch_input.h"
#include "models/nn/mlp_architecture.h"
#include "models/nn/softmax_cross_entropy.h"

namespace sim::models {

template <typename Scalar>
class MlpT : public MlpArchitecture<Scalar> {
 public:
  using typename BasicModel<Scalar>::Vector;

  // Throws std::invalid_argument if inputs < 1, classes < 2 or a width < 1.
  MlpT(Eigen::Index inputs, std::vector<Eigen::Index> hidden, std::int32_t classes,
       Activation activation = Activation::kRelu);

  [[nodiscard]] std::string name() const override { return "mlp"; }
  double loss_and_gradient(const Vector& params, const Batch& batch, Vector& grad) override;
  Evaluation evaluate(const Vector& params, const Dataset& test, Eigen::Index max_samples = 0) override;
  [[nodiscard]] std::unique_ptr<BasicModel<Scalar>> clone() const override;

 private:
  using Matrix = DenseMatrix<Scalar>;

  // Fills activations_ for the rows in x_; the last entry holds the logits.
  void forward(const Vector& params);

  // Workspaces, reused across calls (sized by the batch).
  detail::RowMatrix<Scalar> x_;
  std::vector<std::int32_t> labels_;
  std::vector<Matrix> activations_;  // per layer, batch x out
  std::vector<Matrix> deltas_;       // per hidden layer, d loss / d pre-activation
  SoftmaxCrossEntropy<Scalar> softmax_;
};

// Softmax regression: an MLP without hidden layers (Glorot-initialised).
template <typename Scalar>
class SoftmaxRegressionT : public MlpT<Scalar> {
 public:
  SoftmaxRegressionT(Eigen::Index inputs, std::int32_t classes) : MlpT<Scalar>(inputs, {}, classes) {}
  [[nodiscard]] std::string name() const override { return "softmax_regression"; }
  [[nodiscard]] std::unique_ptr<BasicModel<Scalar>> clone() const override {
    return std::make_unique<SoftmaxRegressionT>(this->input_features(), this->classes());
  }
};

using Mlp = MlpT<float>;
using SoftmaxRegression = SoftmaxRegressionT<float>;

extern template class MlpT<float>;
extern template class MlpT<double>;

}  // namespace sim::models

// Multi-layer perceptron with a softmax cross-entropy output: dense layers
// inputs -> hidden[0] -> ... -> hidden[k-1] -> classes, ReLU or tanh between
// them. With no hidden layer it is softmax (multinomial logistic) regression.
//
// Parameter layout in the flat vector, layer by layer: the weight matrix
// W (in x out, column-major: column j holds the in weights into unit j), then
// the bias (out). Eigen::Map views these slices in place; nothing is copied.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/nn/batch_input.h"
#include "models/nn/model.h"

namespace sim::models {

enum class Activation { kRelu, kTanh };

template <typename Scalar>
class MlpT : public BasicModel<Scalar> {
 public:
  using typename BasicModel<Scalar>::Vector;

  // Throws std::invalid_argument if inputs < 1, classes < 2 or a width < 1.
  MlpT(Eigen::Index inputs, std::vector<Eigen::Index> hidden, std::int32_t classes,
       Activation activation = Activation::kRelu);

  [[nodiscard]] std::string name() const override { return "mlp"; }
  [[nodiscard]] Task task() const noexcept override { return Task::kClassification; }
  [[nodiscard]] Eigen::Index parameter_count() const noexcept override { return parameter_count_; }
  [[nodiscard]] Eigen::Index input_features() const noexcept override { return layers_.front().in; }
  [[nodiscard]] std::int32_t classes() const noexcept override { return static_cast<std::int32_t>(layers_.back().out); }
  [[nodiscard]] Flops flops_per_sample() const noexcept override;
  [[nodiscard]] Vector initial_parameters(RandomStream& rng) const override;
  double loss_and_gradient(const Vector& params, const Batch& batch, Vector& grad) override;
  Evaluation evaluate(const Vector& params, const Dataset& test, Eigen::Index max_samples = 0) override;
  [[nodiscard]] std::unique_ptr<BasicModel<Scalar>> clone() const override;

  [[nodiscard]] const std::vector<Eigen::Index>& hidden() const noexcept { return hidden_; }
  [[nodiscard]] Activation activation() const noexcept { return activation_; }

 private:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

  struct Layer {
    Eigen::Index in = 0;
    Eigen::Index out = 0;
    Eigen::Index offset = 0;  // of W in the flat vector; the bias follows W
  };

  void check_params(const Vector& params) const;
  void check_labels() const;
  // Fills activations_ for the rows in x_; the last entry holds the logits.
  void forward(const Vector& params);
  // Turns the logits in activations_.back() into softmax probabilities, in
  // place; returns the summed cross-entropy of labels_ (natural log).
  double softmax_cross_entropy();

  std::vector<Eigen::Index> hidden_;
  Activation activation_;
  std::vector<Layer> layers_;
  Eigen::Index parameter_count_ = 0;

  // Workspaces, reused across calls (sized by the batch).
  detail::RowMatrix<Scalar> x_;
  std::vector<std::int32_t> labels_;
  std::vector<Matrix> activations_;  // per layer, batch x out
  std::vector<Matrix> deltas_;       // per hidden layer, d loss / d pre-activation
  Vector row_max_;
  Vector row_sum_;
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

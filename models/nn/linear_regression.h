// Linear regression y_hat = w . x + b with the mean squared error
// L = (1/b) sum_i (y_hat_i - y_i)^2. Parameters: w (features), then b.
#pragma once

#include <memory>
#include <string>

#include "models/nn/batch_input.h"
#include "models/nn/model.h"

namespace sim::models {

template <typename Scalar>
class LinearRegressionT : public BasicModel<Scalar> {
 public:
  using typename BasicModel<Scalar>::Vector;

  // Throws std::invalid_argument if inputs < 1.
  explicit LinearRegressionT(Eigen::Index inputs);

  [[nodiscard]] std::string name() const override { return "linear_regression"; }
  [[nodiscard]] Task task() const noexcept override { return Task::kRegression; }
  [[nodiscard]] Eigen::Index parameter_count() const noexcept override { return inputs_ + 1; }
  [[nodiscard]] Eigen::Index input_features() const noexcept override { return inputs_; }
  [[nodiscard]] std::int32_t classes() const noexcept override { return 0; }
  [[nodiscard]] Flops flops_per_sample() const noexcept override;
  [[nodiscard]] Vector initial_parameters(RandomStream& rng) const override;
  double loss_and_gradient(const Vector& params, const Batch& batch, Vector& grad) override;
  Evaluation evaluate(const Vector& params, const Dataset& test, Eigen::Index max_samples = 0) override;
  [[nodiscard]] std::unique_ptr<BasicModel<Scalar>> clone() const override {
    return std::make_unique<LinearRegressionT>(inputs_);
  }

 private:
  void check_params(const Vector& params) const;
  // residual_ <- x_ w + b - targets of `batch`.
  void residuals(const Vector& params, const Batch& batch);

  Eigen::Index inputs_;
  detail::RowMatrix<Scalar> x_;
  Vector residual_;
};

using LinearRegression = LinearRegressionT<float>;

extern template class LinearRegressionT<float>;
extern template class LinearRegressionT<double>;

}  // namespace sim::models

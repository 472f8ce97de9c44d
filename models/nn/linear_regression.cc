#include "models/nn/linear_regression.h"

#include <cmath>
#include <stdexcept>

namespace sim::models {

template <typename Scalar>
LinearRegressionT<Scalar>::LinearRegressionT(Eigen::Index inputs) : inputs_(inputs) {
  if (inputs < 1) throw std::invalid_argument("linear_regression: inputs must be >= 1, got " + std::to_string(inputs));
}

// Per sample, a multiply-add counted as 2 FLOPs: forward w . x + b is
// 2d + 1; backward (the residual times x for dw, plus db) is another 2d + 1.
template <typename Scalar>
Flops LinearRegressionT<Scalar>::flops_per_sample() const noexcept {
  return Flops{2.0 * (2.0 * static_cast<double>(inputs_) + 1.0)};
}

// Glorot-uniform weights on +-sqrt(6 / (d + 1)) (Glorot & Bengio 2010), bias 0.
template <typename Scalar>
typename LinearRegressionT<Scalar>::Vector LinearRegressionT<Scalar>::initial_parameters(RandomStream& rng) const {
  Vector params = Vector::Zero(parameter_count());
  const double limit = std::sqrt(6.0 / (static_cast<double>(inputs_) + 1.0));
  for (Eigen::Index k = 0; k < inputs_; ++k) params[k] = static_cast<Scalar>(limit * (2.0 * rng.uniform() - 1.0));
  return params;
}

template <typename Scalar>
void LinearRegressionT<Scalar>::check_params(const Vector& params) const {
  if (params.size() != parameter_count()) {
    throw std::invalid_argument(name() + ": parameter vector has " + std::to_string(params.size()) +
                                " entries, the model has " + std::to_string(parameter_count()));
  }
}

template <typename Scalar>
void LinearRegressionT<Scalar>::residuals(const Vector& params, const Batch& batch) {
  detail::CheckBatch(batch, name(), inputs_, detail::Needs::kTargets);
  detail::GatherFeatures(batch, x_);
  detail::ResizeWorkspace(residual_, x_.rows());
  residual_.noalias() = x_ * params.head(inputs_);
  const Scalar bias = params[inputs_];
  Eigen::Index i = 0;
  for (SampleIndex row : batch.rows()) {
    residual_[i] += bias - static_cast<Scalar>(batch.data().targets[row]);
    ++i;
  }
}

// dL/dw = (2/b) X^T r, dL/db = (2/b) sum_i r_i, with r = X w + b - y.
template <typename Scalar>
double LinearRegressionT<Scalar>::loss_and_gradient(const Vector& params, const Batch& batch, Vector& grad) {
  check_params(params);
  residuals(params, batch);
  const Scalar scale = Scalar(2) / static_cast<Scalar>(x_.rows());
  detail::ResizeWorkspace(grad, parameter_count());
  grad.head(inputs_).noalias() = scale * (x_.transpose() * residual_);
  grad[inputs_] = scale * residual_.sum();
  return residual_.template cast<double>().squaredNorm() / static_cast<double>(x_.rows());
}

template <typename Scalar>
Evaluation LinearRegressionT<Scalar>::evaluate(const Vector& params, const Dataset& test, Eigen::Index max_samples) {
  check_params(params);
  const Eigen::Index n = (max_samples > 0 && max_samples < test.samples()) ? max_samples : test.samples();
  Evaluation result;
  result.samples = n;
  if (n == 0) return result;
  const std::vector<SampleIndex> rows = RowRange(0, n);
  residuals(params, Batch(test, rows));
  result.loss = residual_.template cast<double>().squaredNorm() / static_cast<double>(n);
  return result;
}

template class LinearRegressionT<float>;
template class LinearRegressionT<double>;

}  // namespace sim::models

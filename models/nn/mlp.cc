#include "models/nn/mlp.h"

#include "models/nn/classifier_evaluation.h"

namespace sim::models {

template <typename Scalar>
MlpT<Scalar>::MlpT(Eigen::Index inputs, std::vector<Eigen::Index> hidden, std::int32_t classes, Activation activation)
    : MlpArchitecture<Scalar>("mlp", inputs, std::move(hidden), classes, activation) {
  activations_.resize(this->layers().size());
  deltas_.resize(this->layers().size());
}

template <typename Scalar>
void MlpT<Scalar>::forward(const Vector& params) {
  const std::vector<DenseLayer>& layers = this->layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const DenseLayer& layer = layers[l];
    Eigen::Map<const Matrix> w(params.data() + layer.offset, layer.in, layer.out);
    Eigen::Map<const Vector> b(params.data() + layer.bias_offset(), layer.out);
    Matrix& z = activations_[l];
    detail::ResizeWorkspace(z, x_.rows(), layer.out);
    if (l == 0) {
      z.noalias() = x_ * w;
    } else {
      z.noalias() = activations_[l - 1] * w;
    }
    z.rowwise() += b.transpose();
    if (l + 1 < layers.size()) Activate(z, this->activation());
  }
}

// Backpropagation (Rumelhart, Hinton & Williams 1986) for the mean loss over
// b samples:
//   delta_L = (softmax(z_L) - onehot(y)) / b
//   dW_l = A_{l-1}^T delta_l,  db_l = column sums of delta_l
//   delta_{l-1} = (delta_l W_l^T) * act'(A_{l-1}), with act' read from the
//   activation itself: ReLU' = [A > 0], tanh' = 1 - A^2.
template <typename Scalar>
double MlpT<Scalar>::loss_and_gradient(const Vector& params, const Batch& batch, Vector& grad) {
  this->check_params(params);
  detail::CheckBatch(batch, name(), this->input_features(), detail::Needs::kLabels);
  detail::GatherFeatures(batch, x_);
  detail::GatherLabels(batch, labels_);
  CheckLabels(labels_, this->classes(), name());
  forward(params);
  const double loss_sum = softmax_.loss_sum(activations_.back(), labels_);

  const Eigen::Index b = x_.rows();
  ToMeanLossLogitGradient(activations_.back(), labels_, b);

  const std::vector<DenseLayer>& layers = this->layers();
  detail::ResizeWorkspace(grad, this->parameter_count());
  for (std::size_t l = layers.size(); l-- > 0;) {
    const DenseLayer& layer = layers[l];
    const Matrix& delta = (l + 1 == layers.size()) ? activations_.back() : deltas_[l];
    Eigen::Map<Matrix> dw(grad.data() + layer.offset, layer.in, layer.out);
    Eigen::Map<Vector> db(grad.data() + layer.bias_offset(), layer.out);
    if (l == 0) {
      dw.noalias() = x_.transpose() * delta;
    } else {
      dw.noalias() = activations_[l - 1].transpose() * delta;
    }
    db.noalias() = delta.colwise().sum().transpose();
    if (l == 0) break;
    Eigen::Map<const Matrix> w(params.data() + layer.offset, layer.in, layer.out);
    Matrix& below = deltas_[l - 1];
    detail::ResizeWorkspace(below, b, layer.in);
    below.noalias() = delta * w.transpose();
    MultiplyByActivationDerivative(below, activations_[l - 1], this->activation());
  }
  return loss_sum / static_cast<double>(b);
}

template <typename Scalar>
Evaluation MlpT<Scalar>::evaluate(const Vector& params, const Dataset& test, Eigen::Index max_samples) {
  this->check_params(params);
  return EvaluateClassifier<Scalar>(test, max_samples, name(), this->input_features(), this->classes(), softmax_,
                                    labels_, [&](const Batch& chunk) -> Matrix& {
                                      detail::GatherFeatures(chunk, x_);
                                      forward(params);
                                      return activations_.back();
                                    });
}

template <typename Scalar>
std::unique_ptr<BasicModel<Scalar>> MlpT<Scalar>::clone() const {
  return std::make_unique<MlpT>(this->input_features(), this->hidden(), this->classes(), this->activation());
}

template class MlpT<float>;
template class MlpT<double>;

}  // namespace sim::models

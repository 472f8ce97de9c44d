#include "models/nn/mlp.h"

#include <cmath>
#include <stdexcept>

namespace sim::models {

template <typename Scalar>
MlpT<Scalar>::MlpT(Eigen::Index inputs, std::vector<Eigen::Index> hidden, std::int32_t classes, Activation activation)
    : hidden_(std::move(hidden)), activation_(activation) {
  if (inputs < 1) throw std::invalid_argument("mlp: inputs must be >= 1, got " + std::to_string(inputs));
  if (classes < 2) throw std::invalid_argument("mlp: classes must be >= 2, got " + std::to_string(classes));
  Eigen::Index in = inputs;
  for (std::size_t i = 0; i < hidden_.size(); ++i) {
    if (hidden_[i] < 1) {
      throw std::invalid_argument("mlp: hidden[" + std::to_string(i) + "] width must be >= 1, got " +
                                  std::to_string(hidden_[i]));
    }
    layers_.push_back({in, hidden_[i], parameter_count_});
    parameter_count_ += in * hidden_[i] + hidden_[i];
    in = hidden_[i];
  }
  layers_.push_back({in, classes, parameter_count_});
  parameter_count_ += in * classes + classes;
  activations_.resize(layers_.size());
  deltas_.resize(layers_.size());
}

// Per sample, counting a multiply-add as 2 FLOPs and a bias add as 1:
//   forward  = sum_l (2 in_l out_l + out_l)
//   backward = sum_l (2 in_l out_l + out_l)      weight and bias gradients
//            + sum_{l >= 1} 2 in_l out_l         gradient w.r.t. the layer's input
// The input layer's input gradient is not needed and not computed (frameworks
// skip it too), so backward is 2x forward minus that term. Activations and the
// softmax are O(out) per sample and left out (< 1% for these shapes).
template <typename Scalar>
Flops MlpT<Scalar>::flops_per_sample() const noexcept {
  double flops = 0.0;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const double in = static_cast<double>(layers_[l].in);
    const double out = static_cast<double>(layers_[l].out);
    flops += 2.0 * (2.0 * in * out + out);
    if (l >= 1) flops += 2.0 * in * out;
  }
  return Flops{flops};
}

// A layer followed by ReLU gets He-normal weights, std sqrt(2 / in) (He et
// al. 2015); the others (tanh, the softmax output) Glorot-uniform weights on
// +-sqrt(6 / (in + out)) (Glorot & Bengio 2010). Biases start at 0.
template <typename Scalar>
typename MlpT<Scalar>::Vector MlpT<Scalar>::initial_parameters(RandomStream& rng) const {
  Vector params = Vector::Zero(parameter_count_);
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    const bool relu_follows = l + 1 < layers_.size() && activation_ == Activation::kRelu;
    const double in = static_cast<double>(layer.in);
    const double out = static_cast<double>(layer.out);
    for (Eigen::Index k = 0; k < layer.in * layer.out; ++k) {
      const double w = relu_follows ? std::sqrt(2.0 / in) * rng.normal()
                                    : std::sqrt(6.0 / (in + out)) * (2.0 * rng.uniform() - 1.0);
      params[layer.offset + k] = static_cast<Scalar>(w);
    }
  }
  return params;
}

template <typename Scalar>
void MlpT<Scalar>::check_params(const Vector& params) const {
  if (params.size() != parameter_count_) {
    throw std::invalid_argument(name() + ": parameter vector has " + std::to_string(params.size()) +
                                " entries, the model has " + std::to_string(parameter_count_));
  }
}

template <typename Scalar>
void MlpT<Scalar>::check_labels() const {
  for (std::int32_t y : labels_) {
    if (y < 0 || y >= classes()) {
      throw std::invalid_argument(name() + ": label " + std::to_string(y) + " outside [0, " +
                                  std::to_string(classes()) + ")");
    }
  }
}

template <typename Scalar>
void MlpT<Scalar>::forward(const Vector& params) {
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    Eigen::Map<const Matrix> w(params.data() + layer.offset, layer.in, layer.out);
    Eigen::Map<const Vector> b(params.data() + layer.offset + layer.in * layer.out, layer.out);
    Matrix& z = activations_[l];
    detail::ResizeWorkspace(z, x_.rows(), layer.out);
    if (l == 0) {
      z.noalias() = x_ * w;
    } else {
      z.noalias() = activations_[l - 1] * w;
    }
    z.rowwise() += b.transpose();
    if (l + 1 < layers_.size()) {
      if (activation_ == Activation::kRelu) {
        z = z.cwiseMax(Scalar(0));
      } else {
        z = z.array().tanh();
      }
    }
  }
}

// Softmax cross-entropy, stabilised by subtracting each row's maximum:
// loss_i = log sum_j exp(z_ij - m_i) - (z_i,y_i - m_i).
template <typename Scalar>
double MlpT<Scalar>::softmax_cross_entropy() {
  Matrix& z = activations_.back();
  detail::ResizeWorkspace(row_max_, z.rows());
  row_max_ = z.rowwise().maxCoeff();
  z.colwise() -= row_max_;
  double loss = 0.0;
  for (Eigen::Index i = 0; i < z.rows(); ++i) loss -= static_cast<double>(z(i, labels_[static_cast<std::size_t>(i)]));
  z = z.array().exp();
  detail::ResizeWorkspace(row_sum_, z.rows());
  row_sum_ = z.rowwise().sum();
  for (Eigen::Index i = 0; i < z.rows(); ++i) loss += std::log(static_cast<double>(row_sum_[i]));
  z.array().colwise() /= row_sum_.array();
  return loss;
}

// Backpropagation (Rumelhart, Hinton & Williams 1986) for the mean loss over
// b samples:
//   delta_L = (softmax(z_L) - onehot(y)) / b
//   dW_l = A_{l-1}^T delta_l,  db_l = column sums of delta_l
//   delta_{l-1} = (delta_l W_l^T) * act'(A_{l-1}), with act' read from the
//   activation itself: ReLU' = [A > 0], tanh' = 1 - A^2.
template <typename Scalar>
double MlpT<Scalar>::loss_and_gradient(const Vector& params, const Batch& batch, Vector& grad) {
  check_params(params);
  detail::CheckBatch(batch, name(), input_features(), detail::Needs::kLabels);
  detail::GatherFeatures(batch, x_);
  detail::GatherLabels(batch, labels_);
  check_labels();
  forward(params);
  const double loss_sum = softmax_cross_entropy();

  const Eigen::Index b = x_.rows();
  const Scalar inv_b = Scalar(1) / static_cast<Scalar>(b);
  Matrix& delta_out = activations_.back();
  for (Eigen::Index i = 0; i < b; ++i) delta_out(i, labels_[static_cast<std::size_t>(i)]) -= Scalar(1);
  delta_out *= inv_b;

  detail::ResizeWorkspace(grad, parameter_count_);
  for (std::size_t l = layers_.size(); l-- > 0;) {
    const Layer& layer = layers_[l];
    const Matrix& delta = (l + 1 == layers_.size()) ? activations_.back() : deltas_[l];
    Eigen::Map<Matrix> dw(grad.data() + layer.offset, layer.in, layer.out);
    Eigen::Map<Vector> db(grad.data() + layer.offset + layer.in * layer.out, layer.out);
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
    const Matrix& a = activations_[l - 1];
    if (activation_ == Activation::kRelu) {
      below = (a.array() > Scalar(0)).select(below, Scalar(0));
    } else {
      below.array() *= Scalar(1) - a.array().square();
    }
  }
  return loss_sum / static_cast<double>(b);
}

template <typename Scalar>
Evaluation MlpT<Scalar>::evaluate(const Vector& params, const Dataset& test, Eigen::Index max_samples) {
  check_params(params);
  const Eigen::Index n = (max_samples > 0 && max_samples < test.samples()) ? max_samples : test.samples();
  // Chunks bound the workspace to chunk x widest-layer scalars.
  constexpr Eigen::Index kChunk = 1024;
  Evaluation result;
  double loss_sum = 0.0;
  std::int64_t correct = 0;
  std::vector<SampleIndex> rows;
  for (Eigen::Index start = 0; start < n; start += kChunk) {
    const Eigen::Index count = std::min(kChunk, n - start);
    rows = RowRange(start, count);
    const Batch chunk(test, rows);
    detail::CheckBatch(chunk, name(), input_features(), detail::Needs::kLabels);
    detail::GatherFeatures(chunk, x_);
    detail::GatherLabels(chunk, labels_);
    check_labels();
    forward(params);
    const Matrix& logits = activations_.back();
    for (Eigen::Index i = 0; i < count; ++i) {
      Eigen::Index predicted = 0;
      logits.row(i).maxCoeff(&predicted);
      if (predicted == labels_[static_cast<std::size_t>(i)]) ++correct;
    }
    loss_sum += softmax_cross_entropy();
  }
  result.samples = n;
  if (n > 0) {
    result.loss = loss_sum / static_cast<double>(n);
    result.accuracy = static_cast<double>(correct) / static_cast<double>(n);
  }
  return result;
}

template <typename Scalar>
std::unique_ptr<BasicModel<Scalar>> MlpT<Scalar>::clone() const {
  return std::make_unique<MlpT>(input_features(), hidden_, classes(), activation_);
}

template class MlpT<float>;
template class MlpT<double>;

}  // namespace sim::models

#include "models/nn/mlp_architecture.h"

#include <cmath>
#include <stdexcept>

namespace sim::models {

template <typename Scalar>
MlpArchitecture<Scalar>::MlpArchitecture(const std::string& model, Eigen::Index inputs,
                                         std::vector<Eigen::Index> hidden, std::int32_t classes, Activation activation)
    : hidden_(std::move(hidden)), activation_(activation) {
  if (inputs < 1) throw std::invalid_argument(model + ": inputs must be >= 1, got " + std::to_string(inputs));
  if (classes < 2) throw std::invalid_argument(model + ": classes must be >= 2, got " + std::to_string(classes));
  for (std::size_t i = 0; i < hidden_.size(); ++i) {
    if (hidden_[i] < 1) {
      throw std::invalid_argument(model + ": hidden[" + std::to_string(i) + "] width must be >= 1, got " +
                                  std::to_string(hidden_[i]));
    }
  }
  layers_ = DenseLayers(inputs, hidden_, classes);
}

template <typename Scalar>
Flops MlpArchitecture<Scalar>::flops_per_sample() const noexcept {
  double flops = 0.0;
  for (std::size_t l = 0; l < layers_.size(); ++l) flops += DenseLayerTrainingFlops(layers_[l], l >= 1).count;
  return Flops{flops};
}

// A layer followed by ReLU gets He-normal weights, std sqrt(2 / in) (He et
// al. 2015); the others (tanh, the softmax output) Glorot-uniform weights on
// +-sqrt(6 / (in + out)) (Glorot & Bengio 2010). Biases start at 0.
template <typename Scalar>
typename MlpArchitecture<Scalar>::Vector MlpArchitecture<Scalar>::initial_parameters(RandomStream& rng) const {
  Vector params = Vector::Zero(parameter_count());
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const DenseLayer& layer = layers_[l];
    const bool relu_follows = l + 1 < layers_.size() && activation_ == Activation::kRelu;
    const double in = static_cast<double>(layer.in);
    const double out = static_cast<double>(layer.out);
    for (Eigen::Index k = 0; k < layer.in * layer.out; ++k) {
      const double w =
          relu_follows ? std::sqrt(2.0 / in) * rng.normal() : std::sqrt(6.0 / (in + out)) * (2.0 * rng.uniform() - 1.0);
      params[layer.offset + k] = static_cast<Scalar>(w);
    }
  }
  return params;
}

template <typename Scalar>
void MlpArchitecture<Scalar>::check_params(const Vector& params) const {
  if (params.size() != parameter_count()) {
    throw std::invalid_argument(this->name() + ": parameter vector has " + std::to_string(params.size()) +
                                " entries, the model has " + std::to_string(parameter_count()));
  }
}

template class MlpArchitecture<float>;
template class MlpArchitecture<double>;

}  // namespace sim::models

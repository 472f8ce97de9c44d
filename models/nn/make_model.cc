#include "models/nn/make_model.h"

#include <stdexcept>
#include <vector>

#include "models/nn/linear_regression.h"
#include "models/nn/mlp.h"

namespace sim::models {

std::unique_ptr<Model> MakeModel(const sim::scenario::Model& spec, Eigen::Index input_features, std::int32_t classes) {
  switch (spec.kind_case()) {
    case sim::scenario::Model::kLinearRegression:
      return std::make_unique<LinearRegression>(input_features);
    case sim::scenario::Model::kSoftmaxRegression:
      return std::make_unique<SoftmaxRegression>(input_features, classes);
    case sim::scenario::Model::kMlp: {
      std::vector<Eigen::Index> hidden(spec.mlp().hidden().begin(), spec.mlp().hidden().end());
      if (hidden.empty()) hidden.push_back(256);
      const Activation activation = spec.mlp().activation() == sim::scenario::TANH ? Activation::kTanh : Activation::kRelu;
      return std::make_unique<Mlp>(input_features, std::move(hidden), classes, activation);
    }
    case sim::scenario::Model::kTimingOnly:
      throw std::invalid_argument("workload.model: timing_only has no numerics to train; use its ModelCost");
    case sim::scenario::Model::KIND_NOT_SET:
      break;
  }
  throw std::invalid_argument(
      "workload.model: no model given (set linear_regression, softmax_regression, mlp or timing_only)");
}

Eigen::VectorXf InitialParameters(const Model& model, std::uint64_t seed) {
  RandomStream rng = NamedStream(seed, "model/init");
  return model.initial_parameters(rng);
}

}  // namespace sim::models

#include "models/nn/make_model.h"

#include "models/nn/linear_regression.h"

namespace sim::models {
namespace {

std::unique_ptr<Model> Make(const LinearRegressionSpec&, Eigen::Index inputs, std::int32_t) {
  return std::make_unique<LinearRegression>(inputs);
}
std::unique_ptr<Model> Make(const SoftmaxRegressionSpec&, Eigen::Index inputs, std::int32_t classes) {
  return std::make_unique<SoftmaxRegression>(inputs, classes);
}
std::unique_ptr<Model> Make(const MlpSpec& spec, Eigen::Index inputs, std::int32_t classes) {
  return std::make_unique<Mlp>(inputs, spec.hidden, classes, spec.activation);
}

}  // namespace

std::unique_ptr<Model> MakeModel(const ModelSpec& spec, Eigen::Index input_features, std::int32_t classes) {
  return std::visit([&](const auto& s) { return Make(s, input_features, classes); }, spec);
}

Eigen::VectorXf InitialParameters(const Model& model, std::uint64_t seed) {
  RandomStream rng = NamedStream(seed, "model/init");
  return model.initial_parameters(rng);
}

}  // namespace sim::models

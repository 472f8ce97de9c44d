// The trainable models by kind, and the one function that builds one.
//
// Adding a model: its class in a file of its own, a spec struct and its
// alternative in ModelSpec here, its case in MakeModel, and (to name it in
// scenarios) its message in scenario.proto with the conversion in
// sim/scenario/workload_plan.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <variant>
#include <vector>

#include "models/nn/mlp.h"
#include "models/nn/model.h"

namespace sim::models {

struct LinearRegressionSpec {};
struct SoftmaxRegressionSpec {};
struct MlpSpec {
  std::vector<Eigen::Index> hidden;  // widths, input side first
  Activation activation = Activation::kRelu;
};

using ModelSpec = std::variant<LinearRegressionSpec, SoftmaxRegressionSpec, MlpSpec>;

// The model for inputs of `input_features` and `classes` classes (ignored by
// linear regression). Throws std::invalid_argument for a bad shape.
[[nodiscard]] std::unique_ptr<Model> MakeModel(const ModelSpec& spec, Eigen::Index input_features,
                                               std::int32_t classes);

// The model's initial parameters on stream "model/init" of `seed`: every
// replica that starts from the same seed starts from the same weights.
[[nodiscard]] Eigen::VectorXf InitialParameters(const Model& model, std::uint64_t seed);

}  // namespace sim::models

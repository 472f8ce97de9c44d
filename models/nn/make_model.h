// The model of a scenario, ready to train.
#pragma once

#include <cstdint>
#include <memory>

#include "models/nn/model.h"
#include "sim/scenario/scenario.pb.h"

namespace sim::models {

// linear_regression, softmax_regression or mlp (hidden default [256],
// activation default RELU) for inputs of `input_features` and `classes`
// classes (ignored by linear regression). Throws std::invalid_argument for a
// timing_only model (it has no numerics: see compute/model_cost.h), for no
// model at all, or for a bad shape.
[[nodiscard]] std::unique_ptr<Model> MakeModel(const sim::scenario::Model& spec, Eigen::Index input_features,
                                               std::int32_t classes);

// The model's initial parameters on stream "model/init" of `seed`: every
// replica that starts from the same seed starts from the same weights.
[[nodiscard]] Eigen::VectorXf InitialParameters(const Model& model, std::uint64_t seed);

}  // namespace sim::models

// Named layer-wise models: the networks a user asks about by name, each
// built from its architecture (conv_net_builder.h, transformer.h) with the
// source of every figure beside it in layer_profiles.cc.
//
// Unlike compute/workload_profiles.h (whole-model size and FLOPs for
// timing-only runs), these carry every layer: what a task graph of per-layer
// compute and collectives, tensor and pipeline parallelism need.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "models/layers/data_type.h"
#include "models/layers/layer.h"

namespace sim::models {

struct LayerProfile {
  std::string name;
  std::vector<Layer> layers;
  std::string source;  // the architecture's paper and where its figures come from
};

// The known names, sorted: bert_large, gpt2_xl, gpt3_175b, inception_v3,
// llama2_70b, llama2_7b, resnet101, resnet50, vgg16.
[[nodiscard]] std::vector<std::string> LayerProfileNames();

// The profile with activations at the given type (16-bit by default: mixed
// precision training). Throws std::invalid_argument for an unknown name,
// listing the known ones.
[[nodiscard]] LayerProfile MakeLayerProfile(std::string_view name, DataType activation_type = DataType::kBf16);

}  // namespace sim::models

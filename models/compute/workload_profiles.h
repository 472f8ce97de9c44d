// Size and cost of well-known large models, for timing-only runs (no
// numerics): how long a step of ResNet-50 or GPT-2 takes on a cluster.
//
// Convention, as everywhere in models/: one multiply-add = 2 FLOPs, and
// forward + backward = 3 x forward (the backward pass computes a gradient for
// both the weights and the activations, each costing about one forward pass).
// Papers and torchvision often quote multiply-adds under the name "FLOPs";
// each entry says which figure it starts from.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/compute/model_cost.h"

namespace sim::models {

struct WorkloadProfile {
  ModelCost cost;
  std::string source;  // where the figures come from
};

// Every named profile, sorted by name.
[[nodiscard]] const std::vector<WorkloadProfile>& WorkloadProfiles();
[[nodiscard]] std::optional<WorkloadProfile> FindWorkloadProfile(std::string_view name);

// "bert_base, bert_large, ...": every profile's name.
[[nodiscard]] std::string KnownWorkloadProfileNames();

}  // namespace sim::models

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
#include "sim/scenario/scenario.pb.h"

namespace sim::models {

struct WorkloadProfile {
  ModelCost cost;
  std::string source;  // where the figures come from
};

// Every named profile, sorted by name.
[[nodiscard]] const std::vector<WorkloadProfile>& WorkloadProfiles();
[[nodiscard]] std::optional<WorkloadProfile> FindWorkloadProfile(std::string_view name);

// A timing_only model's cost: the profile (if named) supplies every field the
// message leaves at 0; bytes_per_parameter defaults to 4 and
// flops_per_sample to 6 x parameters (Kaplan et al. 2020, C = 6N per token).
// Throws std::invalid_argument for an unknown profile (listing the known
// ones) or no parameters.
[[nodiscard]] ModelCost ResolveTimingOnly(const sim::scenario::TimingOnly& spec);

}  // namespace sim::models

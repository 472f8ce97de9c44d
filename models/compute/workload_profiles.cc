#include "models/compute/workload_profiles.h"

#include <algorithm>

namespace sim::models {
namespace {

// Transformers: Kaplan et al. 2020 (eq. 2.1): training costs about 6 N FLOPs
// per token for N parameters (2N forward, 4N backward); a sample is one
// sequence of `tokens` tokens.
ModelCost Transformer(std::string name, double parameters, double tokens) {
  return ModelCost{std::move(name), static_cast<std::int64_t>(parameters), 4, Flops{6.0 * parameters * tokens}};
}

// Convolutional nets from their forward multiply-adds per image.
ModelCost ConvNet(std::string name, double parameters, double forward_multiply_adds) {
  return ModelCost{std::move(name), static_cast<std::int64_t>(parameters), 4,
                   Flops{3.0 * 2.0 * forward_multiply_adds}};
}

std::vector<WorkloadProfile> Table() {
  std::vector<WorkloadProfile> table = {
      {ConvNet("resnet50", 25'557'032, 4.09e9),
       "He et al. 2016 (ResNet-50, 224x224); 25,557,032 parameters and 4.09 G multiply-adds per image as "
       "listed by torchvision (the paper's Table 1 gives 3.8e9 multiply-adds as 'FLOPs'); fwd+bwd = 3 x 2 x "
       "4.09e9 = 24.5 GFLOP"},
      {ConvNet("vgg16", 138'357'544, 15.47e9),
       "Simonyan & Zisserman 2015 (VGG-16, 224x224); 138,357,544 parameters and 15.47 G multiply-adds per "
       "image as listed by torchvision; fwd+bwd = 3 x 2 x 15.47e9 = 92.8 GFLOP"},
      {Transformer("bert_base", 110e6, 128),
       "Devlin et al. 2019 (BERT-Base, 110 M parameters), sequences of 128 tokens (pre-training phase 1); "
       "6 x 110e6 x 128 = 84.5 GFLOP per sequence (Kaplan et al. 2020)"},
      {Transformer("bert_large", 340e6, 128),
       "Devlin et al. 2019 (BERT-Large, 340 M parameters), sequences of 128 tokens (pre-training phase 1); "
       "6 x 340e6 x 128 = 261 GFLOP per sequence (Kaplan et al. 2020)"},
      {Transformer("gpt2_small", 124'439'808, 1024),
       "Radford et al. 2019 (GPT-2 small, 12 layers, d=768; 124,439,808 parameters in the released "
       "checkpoint, quoted as 117 M in the paper), 1,024-token context; 6 x 124.4e6 x 1024 = 765 GFLOP "
       "per sequence (Kaplan et al. 2020)"},
  };
  std::sort(table.begin(), table.end(),
            [](const WorkloadProfile& a, const WorkloadProfile& b) { return a.cost.name < b.cost.name; });
  return table;
}

}  // namespace

const std::vector<WorkloadProfile>& WorkloadProfiles() {
  static const std::vector<WorkloadProfile> table = Table();
  return table;
}

std::optional<WorkloadProfile> FindWorkloadProfile(std::string_view name) {
  for (const auto& profile : WorkloadProfiles()) {
    if (profile.cost.name == name) return profile;
  }
  return std::nullopt;
}

std::string KnownWorkloadProfileNames() {
  std::string known;
  for (const auto& p : WorkloadProfiles()) known += (known.empty() ? "" : ", ") + p.cost.name;
  return known;
}

}  // namespace sim::models

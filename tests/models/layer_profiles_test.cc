// Named layer-wise profiles: the lookup, and each model's parameter count
// against what its paper or released checkpoint states.
#include "models/layers/layer_profiles.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace sim::models {
namespace {

std::int64_t Parameters(std::string_view name) { return TotalParameters(MakeLayerProfile(name).layers); }

TEST(LayerProfiles, NamesAndUnknownName) {
  EXPECT_EQ(LayerProfileNames(),
            (std::vector<std::string>{"bert_large", "gpt2_xl", "gpt3_175b", "inception_v3", "llama2_70b", "llama2_7b",
                                      "resnet101", "resnet50", "vgg16"}));
  try {
    (void)MakeLayerProfile("gpt4");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'gpt4'"), std::string::npos) << message;
    EXPECT_NE(message.find("known: bert_large, gpt2_xl, gpt3_175b, inception_v3, llama2_70b, llama2_7b, resnet101, "
                           "resnet50, vgg16"),
              std::string::npos)
        << message;
  }
}

TEST(LayerProfiles, PublishedParameterCounts) {
  // GPT-2 XL: "1542M" (Radford et al. 2019, Table 2); the released checkpoint
  // has 1,557,611,200 (12·48·1600² + 13·48·1600 + (50,257 + 1,024)·1600 + 2·1600),
  // 1.0% more than the paper's figure.
  EXPECT_EQ(Parameters("gpt2_xl"), 1'557'611'200);
  EXPECT_NEAR(static_cast<double>(Parameters("gpt2_xl")) / 1542e6, 1.0, 0.015);
  // BERT-large: "340M" (Devlin et al. 2019), within 2%. Counted without the
  // pooler: the released BertModel's 335,141,888 less 1024·1024 + 1024.
  EXPECT_EQ(Parameters("bert_large"), 335'141'888 - 1'049'600);
  EXPECT_NEAR(static_cast<double>(Parameters("bert_large")) / 340e6, 1.0, 0.02);
  // GPT-3: "175.0B" (Brown et al. 2020, Table 2.1), within 0.5%.
  EXPECT_NEAR(static_cast<double>(Parameters("gpt3_175b")) / 175e9, 1.0, 0.005);
  // LLaMA 2: 6,738,415,616 and 68,976,648,192 in the released checkpoints,
  // "7B" and "70B" in Touvron et al. 2023.
  EXPECT_EQ(Parameters("llama2_7b"), 6'738'415'616);
  EXPECT_EQ(Parameters("llama2_70b"), 68'976'648'192);
  EXPECT_NEAR(static_cast<double>(Parameters("llama2_7b")) / 6.74e9, 1.0, 0.001);
  EXPECT_NEAR(static_cast<double>(Parameters("llama2_70b")) / 68.98e9, 1.0, 0.001);
  // The convolutional networks: torchvision's totals (conv_nets_test.cc).
  EXPECT_EQ(Parameters("resnet50"), 25'557'032);
}

TEST(LayerProfiles, EveryLayerIsWellFormed) {
  for (const auto& name : LayerProfileNames()) {
    const LayerProfile profile = MakeLayerProfile(name, DataType::kFp16);
    EXPECT_EQ(profile.name, name);
    EXPECT_FALSE(profile.source.empty()) << name;
    ASSERT_FALSE(profile.layers.empty()) << name;
    EXPECT_TRUE(profile.layers.back().pipeline_cut) << name;
    for (const auto& layer : profile.layers) {
      EXPECT_FALSE(layer.name.empty()) << name;
      EXPECT_GE(layer.parameters, 0) << layer.name;
      EXPECT_GE(layer.forward_flops.count, 0.0) << layer.name;
      EXPECT_GE(layer.saved.count, 0) << layer.name;
      EXPECT_GT(layer.output.count, 0) << layer.name;
      EXPECT_GT(layer.forward_traffic.count, 0) << layer.name;
      EXPECT_EQ(layer.activation_type, DataType::kFp16) << layer.name;
    }
  }
}

}  // namespace
}  // namespace sim::models

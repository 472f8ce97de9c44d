// strategy.compression and the optimizer kinds in the run plan: what is
// absent stays absent (so that every shipped scenario reads as before), and
// each scheme's and kind's defaults are those scenario.proto states. Their
// bad values: validate_test.cc.
#include <gtest/gtest.h>

#include <variant>

#include "sim/scenario/run_plan.h"

namespace sim::scenario {
namespace {

// Fashion-MNIST and an MLP-256 (28 x 28 inputs, 10 classes), 4 workers; no
// data is read by the plan.
constexpr const char* kFashionMlp = R"(
  cluster { workers: 4 device_profile { peak_tflops: 1 } }
  workload { model { mlp { hidden: 256 } } dataset { fashion_mnist {} } steps: 10 }
)";

TEST(CompressionPlan, AbsentMeansDenseSgdAndTheEffectiveScenarioGainsNothing) {
  const RunPlan plan = PlanFromText(kFashionMlp);
  EXPECT_EQ(plan.strategy.compression.scheme, models::CompressionScheme::kNone);
  EXPECT_FALSE(plan.strategy.reset_optimizer_state);
  EXPECT_FALSE(plan.effective.strategy().has_compression());
  EXPECT_FALSE(plan.effective.strategy().has_reset_optimizer_state());
  EXPECT_FALSE(plan.effective.workload().optimizer().has_kind());
  EXPECT_FALSE(plan.effective.workload().optimizer().has_epsilon());
  ASSERT_TRUE(std::holds_alternative<models::SgdOptions>(plan.workload.optimizer));
  EXPECT_DOUBLE_EQ(std::get<models::SgdOptions>(plan.workload.optimizer).schedule.base_rate, 0.1);
}

TEST(CompressionPlan, TheModelsShapeIsKnownBeforeAnyDataIsRead) {
  // MLP 784 -> 256 -> 10 (models/nn/mlp.h): W1 784 x 256 at 0, its bias,
  // then W2 256 x 10 at 784 x 256 + 256 = 200,960; 200,960 + 2,560 + 10 =
  // 203,530 parameters.
  const RunPlan plan = PlanFromText(kFashionMlp);
  EXPECT_EQ(plan.workload.parameters, 203'530);
  ASSERT_EQ(plan.workload.weight_shapes.size(), 2u);
  EXPECT_EQ(plan.workload.weight_shapes[0].rows, 784);
  EXPECT_EQ(plan.workload.weight_shapes[0].cols, 256);
  EXPECT_EQ(plan.workload.weight_shapes[1].offset, 200'960);
  EXPECT_EQ(plan.workload.weight_shapes[1].cols, 10);
  // A timing_only model has its parameters and no matrices.
  const RunPlan timing = PlanFromText("workload { model { timing_only { parameters: 1000 } } }");
  EXPECT_EQ(timing.workload.parameters, 1000);
  EXPECT_TRUE(timing.workload.weight_shapes.empty());
}

TEST(CompressionPlan, EachSchemeGetsItsDefaults) {
  const auto plan = [](const std::string& scheme) {
    return PlanFromText(kFashionMlp, {"strategy.compression.scheme=" + scheme});
  };
  const RunPlan top_k = plan("TOP_K");
  EXPECT_EQ(top_k.strategy.compression.scheme, models::CompressionScheme::kTopK);
  EXPECT_DOUBLE_EQ(top_k.strategy.compression.ratio, 0.01);
  EXPECT_TRUE(top_k.strategy.compression.error_feedback);  // biased: on
  EXPECT_DOUBLE_EQ(top_k.effective.strategy().compression().ratio(), 0.01);
  EXPECT_TRUE(top_k.effective.strategy().compression().error_feedback());
  EXPECT_FALSE(top_k.effective.strategy().compression().has_levels());  // not top-k's

  const RunPlan random_k = plan("RANDOM_K");
  EXPECT_FALSE(random_k.strategy.compression.error_feedback);  // unbiased: off

  const RunPlan qsgd = plan("QSGD");
  EXPECT_EQ(qsgd.strategy.compression.levels, 127u);  // sign + 7 bits: 8 bits an entry
  EXPECT_EQ(qsgd.strategy.compression.bucket_size, 512);
  EXPECT_FALSE(qsgd.strategy.compression.error_feedback);

  const RunPlan sign = plan("SCALED_SIGN");
  EXPECT_EQ(sign.strategy.compression.bucket_size, 0);
  EXPECT_TRUE(sign.strategy.compression.error_feedback);

  const RunPlan power = plan("POWER_SGD");
  EXPECT_EQ(power.strategy.compression.rank, 2u);
  EXPECT_EQ(power.strategy.compression.power_iterations, 1u);
  EXPECT_TRUE(power.strategy.compression.error_feedback);

  const RunPlan none = PlanFromText(kFashionMlp + std::string("strategy { compression {} }"));
  EXPECT_EQ(none.effective.strategy().compression().scheme(), Compression::NONE);  // given, so echoed
  EXPECT_FALSE(none.effective.strategy().compression().has_error_feedback());
  EXPECT_EQ(none.strategy.compression.scheme, models::CompressionScheme::kNone);
}

TEST(OptimizerPlan, EachKindGetsItsOptionsAndPyTorchsDefaults) {
  const auto options = [](const std::vector<std::string>& overrides) {
    return PlanFromText(kFashionMlp, overrides).workload.optimizer;
  };
  const auto adam = std::get<models::AdamOptions>(options({"workload.optimizer.kind=ADAM"}));
  EXPECT_DOUBLE_EQ(adam.schedule.base_rate, 0.001);
  EXPECT_DOUBLE_EQ(adam.beta1, 0.9);  // Kingma & Ba 2015, Algorithm 1
  EXPECT_DOUBLE_EQ(adam.beta2, 0.999);
  EXPECT_DOUBLE_EQ(adam.epsilon, 1e-8);
  EXPECT_FALSE(adam.decoupled_weight_decay);
  const auto adamw = std::get<models::AdamOptions>(
      options({"workload.optimizer.kind=ADAMW", "workload.optimizer.weight_decay=0.01",
               "workload.optimizer.beta1=0.5"}));
  EXPECT_TRUE(adamw.decoupled_weight_decay);
  EXPECT_DOUBLE_EQ(adamw.weight_decay, 0.01);
  EXPECT_DOUBLE_EQ(adamw.beta1, 0.5);
  const auto adagrad = std::get<models::AdagradOptions>(options({"workload.optimizer.kind=ADAGRAD"}));
  EXPECT_DOUBLE_EQ(adagrad.schedule.base_rate, 0.01);
  EXPECT_DOUBLE_EQ(adagrad.epsilon, 1e-10);
  EXPECT_DOUBLE_EQ(adagrad.initial_accumulator, 0.0);
  const auto rmsprop = std::get<models::RmspropOptions>(
      options({"workload.optimizer.kind=RMSPROP", "workload.optimizer.momentum=0.5",
               "workload.optimizer.centered=true", "workload.optimizer.clip_norm=2"}));
  EXPECT_DOUBLE_EQ(rmsprop.schedule.base_rate, 0.01);
  EXPECT_DOUBLE_EQ(rmsprop.alpha, 0.99);
  EXPECT_DOUBLE_EQ(rmsprop.momentum, 0.5);
  EXPECT_TRUE(rmsprop.centered);
  EXPECT_DOUBLE_EQ(rmsprop.clip_norm, 2.0);
  // A rate given is kept, and the linear scaling rule applies to every kind:
  // 0.002 x (4 workers x 32) / 32 = 0.008 (Goyal et al. 2017).
  const auto scaled = std::get<models::AdamOptions>(
      options({"workload.optimizer.kind=ADAM", "workload.optimizer.learning_rate=0.002",
               "workload.optimizer.linear_scaling=true"}));
  EXPECT_DOUBLE_EQ(scaled.schedule.base_rate, 0.008);
}

}  // namespace
}  // namespace sim::scenario

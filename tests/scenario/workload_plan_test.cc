// A scenario's workload: validation lists every problem at once, defaults are
// those scenario.proto states, and its typed form builds what it describes.
#include <gtest/gtest.h>

#include <google/protobuf/text_format.h>

#include "models/compute/model_cost.h"
#include "models/nn/make_model.h"
#include "models/nn/mlp.h"
#include "sim/scenario/workload_plan.h"

namespace sim::scenario {
namespace {

Workload Parse(const std::string& text) {
  Workload w;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &w)) << text;
  return w;
}

bool Mentions(const std::vector<std::string>& problems, const std::string& needle) {
  for (const auto& p : problems) {
    if (p.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(ValidateWorkload, MinimalWorkloadsAreValid) {
  // batch_size absent, learning rate and hidden sizes left at 0 / empty mean "default".
  EXPECT_TRUE(ValidateWorkload(Parse("model { mlp {} } dataset { fashion_mnist {} }")).empty());
  EXPECT_TRUE(ValidateWorkload(Parse("model { linear_regression {} } dataset { synthetic {} }")).empty());
  EXPECT_TRUE(ValidateWorkload(Parse("model { timing_only { profile: 'resnet50' } }")).empty());
}

TEST(ValidateWorkload, ListsEveryProblemTogether) {
  const auto problems = ValidateWorkload(Parse(R"pb(
    model { mlp { hidden: 128 hidden: 0 } }
    dataset { synthetic { classes: 1 noise: -0.5 } label_skew: 1.5 }
    optimizer { learning_rate: -0.1 momentum: 1.0 weight_decay: -1 schedule: STEP clip_norm: -3 }
    steps: 10 epochs: 2
    target_accuracy: 1.2
  )pb"));
  const std::vector<std::string> expected = {
      "mlp.hidden[1] must be > 0, got 0",
      "synthetic.classes must be >= 2, got 1",
      "synthetic.noise must be >= 0, got -0.5",
      "label_skew must be in [0, 1], got 1.5",
      "learning_rate must be >= 0, got -0.1",
      "momentum must be in [0, 1), got 1",
      "weight_decay must be >= 0, got -1",
      "step_every must be > 0 with schedule STEP",
      "clip_norm must be >= 0, got -3",
      "steps or epochs, not both",
      "target_accuracy must be in (0, 1], got 1.2",
  };
  for (const auto& e : expected) EXPECT_TRUE(Mentions(problems, e)) << "missing: " << e;
  EXPECT_EQ(problems.size(), expected.size());
}

TEST(ValidateWorkload, InconsistentChoices) {
  const auto regression_on_images =
      ValidateWorkload(Parse("model { linear_regression {} } dataset { fashion_mnist {} } target_accuracy: 0.9"));
  EXPECT_TRUE(Mentions(regression_on_images, "needs regression targets"));
  EXPECT_TRUE(Mentions(regression_on_images, "has no accuracy"));
  EXPECT_TRUE(Mentions(ValidateWorkload(Parse("dataset { synthetic {} }")), "no model given"));
  EXPECT_TRUE(Mentions(ValidateWorkload(Parse("model { mlp {} }")), "no dataset given"));
  EXPECT_TRUE(Mentions(ValidateWorkload(Parse("model { timing_only { profile: 'resnet51' } }")),
                       "unknown profile 'resnet51'"));
  EXPECT_TRUE(Mentions(ValidateWorkload(Parse("model { timing_only {} }")), "give parameters"));
  EXPECT_TRUE(Mentions(ValidateWorkload(Parse("model { mlp {} } dataset { synthetic {} } stop_at_target: true")),
                       "stop_at_target needs a target_accuracy"));
}

TEST(WorkloadDefaults, FilledAsTheSchemaSays) {
  const auto w = WorkloadWithDefaults(
      Parse("model { mlp {} } dataset { synthetic {} sharding: BY_LABEL } optimizer { schedule: STEP step_every: 5 }"));
  EXPECT_EQ(w.batch_size(), 32u);
  EXPECT_EQ(w.steps(), 100u);
  EXPECT_EQ(w.eval_every_steps(), 10u);
  EXPECT_DOUBLE_EQ(w.optimizer().learning_rate(), 0.1);
  EXPECT_DOUBLE_EQ(w.optimizer().step_gamma(), 0.1);
  EXPECT_EQ(w.optimizer().reference_batch(), 32u);
  ASSERT_EQ(w.model().mlp().hidden_size(), 1);
  EXPECT_EQ(w.model().mlp().hidden(0), 256u);
  EXPECT_EQ(w.model().mlp().activation(), RELU);
  EXPECT_DOUBLE_EQ(w.dataset().label_skew(), 0.8);
  EXPECT_EQ(w.dataset().synthetic().train_samples(), 10'000u);
  EXPECT_EQ(w.dataset().synthetic().features(), 32u);
  EXPECT_DOUBLE_EQ(w.dataset().synthetic().noise(), 0.1);
  const auto timing = WorkloadWithDefaults(Parse("model { timing_only { profile: 'resnet50' } } epochs: 1"));
  EXPECT_EQ(timing.model().timing_only().parameters(), 25'557'032u);
  EXPECT_EQ(timing.steps(), 0u);
  EXPECT_EQ(timing.eval_every_steps(), 0u);
}

// The typed model of a checked workload (defaults written in).
models::ModelSpec ModelOf(const std::string& text) {
  return *WorkloadPlanOf(WorkloadWithDefaults(Parse(text + " dataset { synthetic {} }")), 1).model;
}

TEST(WorkloadPlan, BuildsTheModelTheScenarioDescribes) {
  auto mlp = models::MakeModel(ModelOf("model { mlp { hidden: 64 hidden: 32 activation: TANH } }"), 784, 10);
  auto* as_mlp = dynamic_cast<models::Mlp*>(mlp.get());
  ASSERT_NE(as_mlp, nullptr);
  EXPECT_EQ(as_mlp->hidden(), (std::vector<Eigen::Index>{64, 32}));
  EXPECT_EQ(as_mlp->activation(), models::Activation::kTanh);
  // Default hidden [256]: 203,530 parameters (see tests/models/gradient_test.cc).
  EXPECT_EQ(models::MakeModel(ModelOf("model { mlp {} }"), 784, 10)->parameter_count(), 203'530);
  EXPECT_EQ(models::MakeModel(ModelOf("model { softmax_regression {} }"), 784, 10)->name(), "softmax_regression");
  EXPECT_EQ(models::MakeModel(ModelOf("model { linear_regression {} }"), 32, 0)->parameter_count(), 33);
  // Same seed, same initial weights; stream "model/init".
  auto a = models::MakeModel(ModelOf("model { mlp {} }"), 20, 3);
  EXPECT_EQ(models::InitialParameters(*a, 9), models::InitialParameters(*a, 9));
  EXPECT_NE(models::InitialParameters(*a, 9), models::InitialParameters(*a, 10));
  const models::ModelCost cost = models::CostOf(*models::MakeModel(ModelOf("model { softmax_regression {} }"), 784, 10));
  EXPECT_EQ(cost.gradient_bytes().count, 4 * 7'850);
  EXPECT_DOUBLE_EQ(cost.flops_per_step(32).count, 32 * 31'380.0);
}

TEST(WorkloadPlan, TimingOnlyFieldsOverrideTheProfileAndDefault) {
  auto cost = [](const std::string& text) {
    const WorkloadPlan plan = WorkloadPlanOf(WorkloadWithDefaults(Parse(text)), 1);
    EXPECT_FALSE(plan.model.has_value());
    return *plan.timing_only;
  };
  // No profile: bytes 4, FLOPs 6 x parameters (Kaplan et al. 2020).
  const models::ModelCost plain = cost("model { timing_only { parameters: 1000000 } }");
  EXPECT_EQ(plain.bytes_per_parameter, 4);
  EXPECT_DOUBLE_EQ(plain.flops_per_sample.count, 6e6);
  // A profile with fp16 on the wire: resnet50's FLOPs, 2 bytes per parameter.
  const models::ModelCost fp16 = cost("model { timing_only { profile: 'resnet50' bytes_per_parameter: 2 } }");
  EXPECT_EQ(fp16.gradient_bytes().count, 2 * 25'557'032LL);
  EXPECT_DOUBLE_EQ(fp16.flops_per_sample.count, 24.54e9);
  EXPECT_EQ(cost("model { timing_only { profile: 'vgg16' } }").parameters, 138'357'544);
  EXPECT_TRUE(Mentions(ValidateWorkload(Parse("model { timing_only { profile: 'nope' } }")),
                       "known: bert_base, bert_large, gpt2_small, gpt2_xl, gpt3_175b, inception_v3, llama2_70b, llama2_7b, "
                       "resnet101, resnet50, vgg16"));
}

TEST(WorkloadPlan, LinearScalingRuleAndDefaults) {
  // Goyal et al. 2017: lr x global_batch / reference = 0.05 x (32 x 8) / 32 =
  // 0.4; with the default reference 32 and lr 0 -> default 0.1: 0.1 x (16 x
  // 4) / 32 = 0.2.
  auto rate = [](const std::string& text, std::uint32_t workers) {
    return models::ScheduleOf(WorkloadPlanOf(WorkloadWithDefaults(Parse(text)), workers).optimizer).base_rate;
  };
  EXPECT_DOUBLE_EQ(rate("optimizer { learning_rate: 0.05 linear_scaling: true reference_batch: 32 }", 8), 0.4);
  EXPECT_DOUBLE_EQ(rate("batch_size: 16 optimizer { linear_scaling: true }", 4), 0.2);
  EXPECT_DOUBLE_EQ(rate("batch_size: 16", 4), 0.1);
  const models::SgdOptions step = std::get<models::SgdOptions>(
      WorkloadPlanOf(WorkloadWithDefaults(Parse("optimizer { schedule: STEP step_every: 5 }")), 1).optimizer);
  EXPECT_EQ(step.schedule.decay, models::Decay::kStep);
  EXPECT_DOUBLE_EQ(step.schedule.step_gamma, 0.1);
  EXPECT_EQ(step.schedule.step_every, 5u);
}

}  // namespace
}  // namespace sim::scenario

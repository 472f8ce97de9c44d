// Layer-wise runs (an accelerator and a layer-wise profile), end to end: a
// single GPU's step is its layers' passes and the optimizer (each timed by
// the roofline of models/compute/layer_time.h); the result's times add up to
// the step; utilization is the model FLOPs over step time and peak; a run
// that does not fit is refused unless asked for, and then marked.
#include "sim/run/layer_wise_run.h"

#include <gtest/gtest.h>

#include "models/compute/layer_time.h"
#include "models/layers/layer_profiles.h"
#include "models/layers/training_flops.h"
#include "sim/scenario/run_plan.h"

namespace sim {
namespace {

const char* kResNet = R"(
  cluster { workers: 1 device: "a100_40gb" roofline { compute: 0.5 memory: 0.8 }
            topology { star { host_link { bandwidth_gbit_per_s: 100 latency_us: 2 } } } }
  workload { model { timing_only { profile: "resnet50" } } batch_size: 32 steps: 3 precision: BF16 }
)";

TEST(LayerWiseRun, OneGpuStepIsItsLayersAndTheOptimizer) {
  const scenario::RunPlan plan = scenario::PlanFromText(kResNet);
  ASSERT_TRUE(plan.layer_wise.has_value());
  // The closed form of one worker's step: every layer forward, every layer
  // backward, one Adam step (28 bytes a parameter at 80% of 1,555 GB/s).
  const models::Accelerator& a100 = models::FindAccelerator("a100_40gb");
  const models::RooflineEfficiency roofline{0.5, 0.8};
  Time expected = AdamStepTime(models::TotalParameters(*plan.workload.layers), a100, 0.8);
  for (const models::Layer& layer : *plan.workload.layers) {
    expected += models::LayerTime(layer, models::Pass::kForward, 32, a100, models::DataType::kBf16, roofline);
    expected += models::LayerTime(layer, models::Pass::kBackward, 32, a100, models::DataType::kBf16, roofline);
  }
  const result::RunResult r = RunTraining(plan).result;
  EXPECT_DOUBLE_EQ(r.sim_time_s(), (expected * 3).seconds());
  ASSERT_TRUE(r.has_layer_wise());
  const result::LayerWiseResult& l = r.layer_wise();
  EXPECT_DOUBLE_EQ(l.compute_s(), expected.seconds());
  EXPECT_EQ(l.exposed_comm_s(), 0.0);
  // MFU (Chowdhery et al. 2022): model FLOPs of a step over step time x peak.
  const double flops =
      models::TrainingIterationFlops(*plan.workload.layers, 32, models::Recomputation::kNone).model.count;
  EXPECT_NEAR(l.mfu(), flops / expected.seconds() / 312e12, 1e-12);
  EXPECT_NEAR(l.tflops_per_gpu(), flops / expected.seconds() / 1e12, 1e-9);
}

TEST(LayerWiseRun, TimesAddUpToTheStep) {
  const scenario::RunPlan plan =
      scenario::PlanFromText(kResNet, {"cluster.workers=8", "cluster.topology.star.host_link.bandwidth_gbit_per_s=10"});
  const result::RunResult r = RunTraining(plan).result;
  const result::LayerWiseResult& l = r.layer_wise();
  EXPECT_NEAR(l.compute_s() + l.exposed_comm_s() + l.idle_s(), r.mean_step_s(), 1e-12);
  ASSERT_EQ(l.traffic_size(), 1);
  EXPECT_EQ(l.traffic(0).kind(), "data-parallel");
  EXPECT_NEAR(l.exposed_comm_s() + l.hidden_comm_s(), l.traffic(0).comm_s(), 1e-12);
  EXPECT_GT(l.exposed_comm_s(), 0.0);  // at 10 Gbit/s the last bucket shows
  // Every byte the ring all-reduces crossed the network: 2 (p-1)/p of the
  // gradient (2 bytes a parameter in bf16) per rank and step, each byte on
  // two links (host -> switch -> host).
  const double gradient = 2.0 * models::TotalParameters(*plan.workload.layers);
  EXPECT_NEAR(r.network_bytes(), 3 * 8 * 2.0 * 7 / 8 * gradient * 2, 8 * 3 * 2 * 7 * 2);
}

TEST(LayerWiseRun, ARunThatDoesNotFitIsRefusedUnlessAskedFor) {
  // GPT-3 175B on one A100: 16 bytes of model states a parameter alone are
  // 2.8 TB (Rajbhandari et al. 2020).
  const std::string text = R"(
    cluster { workers: 1 device: "a100_80gb" }
    workload { model { timing_only { profile: "gpt3_175b" } } batch_size: 1 steps: 1 precision: BF16 })";
  try {
    (void)scenario::PlanFromText(text);
    FAIL() << "expected a ScenarioError";
  } catch (const scenario::ScenarioError& e) {
    ASSERT_EQ(e.problems().size(), 1u);
    const std::string& p = e.problems()[0];
    EXPECT_NE(p.find("cluster.device: the run does not fit in a a100_80gb's memory"), std::string::npos) << p;
    EXPECT_NE(p.find("optimizer states"), std::string::npos) << p;
    EXPECT_NE(p.find("> 80.00 GiB"), std::string::npos) << p;
  }
  const scenario::RunPlan anyway = scenario::PlanFromText(text, {"workload.ignore_memory_limit=true"});
  EXPECT_FALSE(anyway.layer_wise->fits);
  // Its model states alone: 16 bytes x 174.6e9 parameters.
  EXPECT_GT(InGigabytes(anyway.layer_wise->memory.total()), 16 * 174e9 / 1e9);
}

}  // namespace
}  // namespace sim

// Layer-wise runs (an accelerator and a layer-wise profile), end to end: a
// single GPU's step is its layers' passes and the optimizer (each timed by
// the roofline of models/compute/layer_time.h); the result's times add up to
// the step; utilization is the model FLOPs over step time and peak; a run
// that does not fit is refused unless asked for, and then marked.
#include "sim/run/layer_wise_run.h"

#include <gtest/gtest.h>

#include <set>

#include "models/compute/layer_time.h"
#include "models/layers/layer_profiles.h"
#include "models/layers/training_flops.h"
#include "sim/result/report.h"
#include "sim/run/model_parallel_costs.h"
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
    EXPECT_NE(p.find("cluster.device: the run does not fit in one a100_80gb's memory"), std::string::npos) << p;
    EXPECT_NE(p.find("optimizer states"), std::string::npos) << p;
    EXPECT_NE(p.find("> 80.00 GiB"), std::string::npos) << p;
  }
  const scenario::RunPlan anyway = scenario::PlanFromText(text, {"workload.ignore_memory_limit=true"});
  EXPECT_FALSE(anyway.layer_wise->fits);
  // Its model states alone: 16 bytes x 174.6e9 parameters.
  EXPECT_GT(InGigabytes(anyway.layer_wise->memory.total()), 16 * 174e9 / 1e9);
}

// A small GPT (4 blocks, h = 256, 8 heads, 128 tokens) on two DGX A100
// nodes: 8 GPUs on NVSwitch and 8 NICs each, on the rail-optimised tree.
const char* kSmallGpt = R"(
  cluster { workers: 16 device: "a100_80gb" roofline { compute: 0.5 memory: 0.8 }
            topology { library: "dgx_a100_rail_fat_tree" } }
  workload { model { timing_only { transformer { layers: 4 hidden: 256 heads: 8 sequence: 128 vocabulary: 1024 } } }
             steps: 8 precision: BF16 }
  strategy { model_parallel { tensor: 4 pipeline: 2 micro_batch: 2 global_batch: 32 } }
)";

// The run's result JSON without what may differ between a run whose steady
// steps repeat and one that simulates them all: wall time, steps simulated.
std::string Comparable(result::RunResult r) {
  r.set_wall_s(0);
  r.mutable_layer_wise()->set_steps_simulated(0);
  return ResultJson(r);
}

void ExpectRepeatedStepsEqualEveryStep(const scenario::RunPlan& plan) {
  const result::RunResult fast = RunTraining(plan).result;
  TrainingRunOptions every_step;
  every_step.every_step = true;
  const result::RunResult full = RunTraining(plan, every_step).result;
  EXPECT_LT(fast.layer_wise().steps_simulated(), fast.steps());  // the shortcut was taken
  EXPECT_EQ(full.layer_wise().steps_simulated(), full.steps());
  EXPECT_EQ(Comparable(fast), Comparable(full));
}

TEST(RepeatedSteps, EqualTheFullSimulationForDataParallelism) {
  // 8 workers on 10 Gbit/s: buckets overlap backward, 8 steps.
  ExpectRepeatedStepsEqualEveryStep(scenario::PlanFromText(
      kResNet, {"cluster.workers=8", "cluster.topology.star.host_link.bandwidth_gbit_per_s=10", "workload.steps=8"}));
}

TEST(RepeatedSteps, EqualTheFullSimulationFor3dParallelism) {
  // Tensor 4 x pipeline 2 x data 2, 1F1B with 8 micro-batches, ZeRO-1, and
  // the same with full recomputation, sequence parallelism and the
  // interleaved schedule.
  ExpectRepeatedStepsEqualEveryStep(scenario::PlanFromText(kSmallGpt, {"strategy.data_parallel.zero_stage=1"}));
  ExpectRepeatedStepsEqualEveryStep(scenario::PlanFromText(
      kSmallGpt, {"strategy.model_parallel.recomputation=FULL", "strategy.model_parallel.sequence_parallel=true",
                  "strategy.model_parallel.schedule=INTERLEAVED", "workload.steps=7"}));
}

TEST(ModelParallelRun, TensorParallelAllReducesAreMegatrons) {
  // Shoeybi et al. 2019, section 3: each transformer layer all-reduces the
  // b x s x h activations twice forward and twice backward inside its
  // tensor-parallel group (4 x 2 x 128 x 256 x 2 bytes in bf16 per
  // micro-batch here); the vocabulary-parallel embedding once forward and the
  // logits once backward, the same size. Full recomputation redoes the two
  // forward ones in backward (Korthikanti et al. 2022, section 5).
  const std::int64_t bsh = 2LL * 128 * 256 * 2;
  for (const bool full : {false, true}) {
    const scenario::RunPlan plan = scenario::PlanFromText(
        kSmallGpt, {"strategy.model_parallel.pipeline=1", std::string("strategy.model_parallel.recomputation=") +
                                                              (full ? "FULL" : "NO_RECOMPUTATION")});
    const parallelism::HybridConfig config = HybridConfigOf(plan);
    ASSERT_EQ(config.stages.size(), 1u);
    int forward = 0, backward = 0;
    for (const auto& call : config.stages[0].tensor_forward) {
      forward += call.op == collectives::Op::kAllReduce && call.size.count == bsh;
    }
    for (const auto& call : config.stages[0].tensor_backward) {
      backward += call.op == collectives::Op::kAllReduce && call.size.count == bsh;
    }
    EXPECT_EQ(forward, 2 * 4 + 1);
    EXPECT_EQ(backward, 2 * 4 + 1 + (full ? 2 * 4 : 0));
    // Per step: m = 32 / (2 x 4) = 4 micro-batches through each group.
    EXPECT_EQ(config.micro_batches, 4u);
  }
}

TEST(ModelParallelRun, ReportsTheSplitTheBubbleAndEachStagesMemory) {
  const scenario::RunPlan plan = scenario::PlanFromText(kSmallGpt);
  const result::RunResult r = RunTraining(plan).result;
  ASSERT_TRUE(r.layer_wise().has_model_parallel());
  const result::ModelParallelResult& m = r.layer_wise().model_parallel();
  EXPECT_EQ(m.tensor(), 4u);
  EXPECT_EQ(m.pipeline(), 2u);
  EXPECT_EQ(m.data(), 2u);
  EXPECT_EQ(m.micro_batches(), 8u);  // 32 / (2 x 2)
  EXPECT_EQ(m.schedule(), "1f1b");
  // Idle time is at least the bubble of equal stages, (p - 1)/(m + p - 1) =
  // 1/9 (Narayanan et al. 2021, 2.2.1), less what the unequal stages and the
  // exchanges make of it; it is what the result says it is.
  EXPECT_GT(m.bubble_share(), 0.0);
  EXPECT_NEAR(m.bubble_share(), r.layer_wise().idle_s() / r.mean_step_s(), 1e-12);
  ASSERT_EQ(m.stages_size(), 2);
  // 1F1B: stage 0 holds p = 2 micro-batches at its peak, the last stage 1.
  EXPECT_EQ(m.stages(0).peak_in_flight(), 2u);
  EXPECT_EQ(m.stages(1).peak_in_flight(), 1u);
  EXPECT_EQ(m.stages(0).layers() + m.stages(1).layers(), 6u);  // embedding, 4 blocks, logits
  // Every kind of traffic shows.
  std::set<std::string> kinds;
  for (const auto& t : r.layer_wise().traffic()) kinds.insert(t.kind());
  EXPECT_EQ(kinds, (std::set<std::string>{"data-parallel", "tensor-parallel", "pipeline"}));
  // Samples: the global batch per step.
  EXPECT_EQ(r.samples(), 32.0 * 8);
}

// Issue 20 item 3: --max-wall-time stops a layer-wise run too. A deadline
// already past stops it at the first look at the clock (event 4,096, so the
// stop is deterministic); the result then describes the K steps it
// finished, and equals what a run of exactly K steps reports: a step only
// starts once the step before it has ended, so the steps after K cannot
// have changed the first K.
TEST(LayerWiseRun, AStoppedRunReportsTheStepsItFinishedAsARunOfThatLength) {
  const std::vector<std::string> eight{"cluster.workers=8", "cluster.topology.star.host_link.bandwidth_gbit_per_s=10",
                                       "workload.steps=200"};
  const scenario::RunPlan plan = scenario::PlanFromText(kResNet, eight);
  TrainingRunOptions options;
  options.every_step = true;
  options.max_wall_s = 1e-9;
  const result::RunResult stopped = RunTraining(plan, options).result;
  ASSERT_TRUE(stopped.incomplete());
  const std::uint64_t k = stopped.steps();
  ASSERT_GE(k, 1U) << "4,096 events finish at least one step of 8 workers";
  ASSERT_LT(k, 200U);
  EXPECT_EQ(stopped.incomplete_reason(),
            "stopped at --max-wall-time 1e-09 s after " + std::to_string(k) + " of 200 steps");

  std::vector<std::string> exactly_k = eight;
  exactly_k.back() = "workload.steps=" + std::to_string(k);
  TrainingRunOptions every_step;
  every_step.every_step = true;
  const result::RunResult whole = RunTraining(scenario::PlanFromText(kResNet, exactly_k), every_step).result;
  ASSERT_FALSE(whole.incomplete());
  EXPECT_EQ(whole.steps(), k);
  EXPECT_EQ(stopped.sim_time_s(), whole.sim_time_s());
  EXPECT_EQ(stopped.mean_step_s(), whole.mean_step_s());
  EXPECT_EQ(stopped.layer_wise().compute_s(), whole.layer_wise().compute_s());
  EXPECT_EQ(stopped.layer_wise().exposed_comm_s(), whole.layer_wise().exposed_comm_s());
  EXPECT_EQ(stopped.layer_wise().idle_s(), whole.layer_wise().idle_s());
}

}  // namespace
}  // namespace sim

// strategy.model_parallel resolved by the run plan: defaults, the split and
// its effective batch, the worst stage's memory, `--set` reaching every
// field, and every problem of a bad split listed at once.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/scenario/run_plan.h"

namespace sim::scenario {
namespace {

// A transformer profile on two DGX H100s: gpt2_xl (48 layers, 25 heads: no
// tensor parallelism but 5 or 25) or llama2_7b (32 layers, 32 heads).
std::string OnTwoDgx(const std::string& profile, const std::string& model_parallel, const std::string& extra = "") {
  return R"(
    cluster { hosts: 2 device: "h100_80gb" topology { library: "dgx_h100" } }
    workload { model { timing_only { profile: ")" +
         profile + R"(" } } batch_size: 1 steps: 2 precision: BF16 }
    strategy { kind: SYNC_ALLREDUCE )" +
         model_parallel + " " + extra + " }";
}

std::string Gpt2Xl(const std::string& model_parallel, const std::string& extra = "") {
  return OnTwoDgx("gpt2_xl", model_parallel, extra);
}

std::vector<std::string> ProblemsOf(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    (void)PlanFromText(text, overrides);
  } catch (const ScenarioError& e) {
    return e.problems();
  }
  return {};
}

bool Mentions(const std::vector<std::string>& problems, const std::string& what) {
  for (const std::string& p : problems) {
    if (p.find(what) != std::string::npos) return true;
  }
  return false;
}

TEST(ModelParallelPlan, DefaultsAndTheSplit) {
  const RunPlan plan = PlanFromText(Gpt2Xl("model_parallel { pipeline: 4 }"));
  ASSERT_TRUE(plan.layer_wise && plan.layer_wise->model_parallel);
  const ModelParallelPlan& mp = *plan.layer_wise->model_parallel;
  EXPECT_EQ(mp.split.tensor, 1u);
  EXPECT_EQ(mp.split.pipeline, 4u);
  EXPECT_EQ(mp.split.data, 4u);  // 16 / (1 x 4)
  EXPECT_EQ(mp.order, "tpd");
  EXPECT_EQ(mp.split.micro_batch, 1u);
  // Global batch defaults to data x workload.batch_size: one micro-batch per
  // replica and step.
  EXPECT_EQ(mp.global_batch, 4);
  EXPECT_EQ(mp.split.micro_batches, 1u);
  // Four stages of consecutive layers covering the whole model.
  ASSERT_EQ(mp.split.stage_layers.size(), 4u);
  std::uint32_t layers = 0;
  for (std::uint32_t n : mp.split.stage_layers) layers += n;
  EXPECT_EQ(layers, plan.workload.layers->size());
  ASSERT_EQ(mp.stages.size(), 4u);
  // The plan's memory is the stage that holds the most.
  for (const auto& s : mp.stages) EXPECT_LE(s.breakdown.total().count, plan.layer_wise->memory.total().count);
  // Schema defaults written into the effective scenario.
  const ModelParallel& written = plan.effective.strategy().model_parallel();
  EXPECT_EQ(written.schedule(), ONE_F_ONE_B);
  EXPECT_EQ(written.chunks(), 1u);
  EXPECT_EQ(written.recomputation(), NO_RECOMPUTATION);
  // A layer-wise run with model parallelism all-reduces hierarchically by default.
  EXPECT_EQ(plan.effective.strategy().allreduce(), HIERARCHICAL);
}

TEST(ModelParallelPlan, GlobalBatchSetsTheMicroBatchesAndEachReplicasBatch) {
  const RunPlan plan = PlanFromText(OnTwoDgx(
      "llama2_7b", "model_parallel { tensor: 2 pipeline: 2 micro_batch: 1 global_batch: 32 schedule: INTERLEAVED }"));
  const ModelParallelPlan& mp = *plan.layer_wise->model_parallel;
  EXPECT_EQ(mp.split.data, 4u);
  EXPECT_EQ(mp.split.micro_batches, 8u);  // 32 / (1 x 4)
  EXPECT_EQ(mp.split.chunks, 2u);         // INTERLEAVED's default
  EXPECT_EQ(mp.split.stage_layers.size(), 4u);  // p x v virtual stages
  EXPECT_EQ(plan.workload.batch_size, 8u);      // per replica: 32 / 4
  EXPECT_EQ(plan.effective.workload().batch_size(), 8u);
}

TEST(ModelParallelPlan, SetReachesEveryField) {
  const RunPlan plan = PlanFromText(OnTwoDgx("llama2_7b", "model_parallel { }"),
                                    {"strategy.model_parallel.tensor=4", "strategy.model_parallel.pipeline=2",
                                     "strategy.model_parallel.schedule=GPIPE", "strategy.model_parallel.micro_batch=2",
                                     "strategy.model_parallel.global_batch=32", "strategy.model_parallel.order=dtp",
                                     "strategy.model_parallel.sequence_parallel=true",
                                     "strategy.model_parallel.recomputation=FULL",
                                     "strategy.model_parallel.stage_layers=16,18"});
  const ModelParallelPlan& mp = *plan.layer_wise->model_parallel;
  EXPECT_EQ(mp.split.tensor, 4u);
  EXPECT_EQ(mp.split.pipeline, 2u);
  EXPECT_EQ(mp.split.data, 2u);
  EXPECT_EQ(mp.split.schedule, parallelism::PipelineScheduleKind::kGPipe);
  EXPECT_EQ(mp.split.micro_batches, 8u);  // 32 / (2 x 2)
  EXPECT_EQ(mp.order, "dtp");
  EXPECT_TRUE(mp.split.sequence_parallel);
  EXPECT_EQ(mp.split.recomputation, models::Recomputation::kFull);
  EXPECT_EQ(mp.split.stage_layers, (std::vector<std::uint32_t>{16, 18}));
}

TEST(ModelParallelPlan, EveryProblemOfABadSplitTogether) {
  const auto problems = ProblemsOf(
      Gpt2Xl("model_parallel { tensor: 3 pipeline: 2 order: \"tpx\" }", "data_parallel { zero_stage: 3 }"));
  ASSERT_GE(problems.size(), 3u);
  EXPECT_TRUE(Mentions(problems, "strategy.data_parallel.zero_stage: stage 3 with strategy.model_parallel"));
  EXPECT_TRUE(Mentions(problems, "strategy.model_parallel.order must name t, p and d once each"));
  EXPECT_TRUE(Mentions(problems, "tensor x pipeline = 6 must divide cluster.workers = 16"));
}

// Found by fuzzing (tests/fuzz/corpus/scenario/workers_zero_model_parallel):
// cluster.workers 0 with a pipeline split divided by zero data-parallel
// replicas (SIGFPE, exit 136); now the one problem is the workers'.
TEST(ModelParallelPlan, ZeroWorkersIsTheClustersProblemNotADivisionByZero) {
  const auto problems = ProblemsOf(Gpt2Xl("model_parallel { pipeline: 2 global_batch: 16 }"), {"cluster.workers=0"});
  ASSERT_EQ(problems.size(), 1u) << problems.front();
  EXPECT_TRUE(Mentions(problems, "cluster.workers must be >= 1, got 0")) << problems.front();
}

TEST(ModelParallelPlan, GlobalBatchMustFillWholeMicroBatches) {
  const auto problems = ProblemsOf(Gpt2Xl("model_parallel { pipeline: 4 micro_batch: 2 global_batch: 12 }"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(Mentions(problems, "global_batch 12 must be a multiple of micro_batch x data = 2 x 4"));
}

TEST(ModelParallelPlan, StageLayersMustCoverTheModel) {
  const auto problems = ProblemsOf(Gpt2Xl("model_parallel { pipeline: 2 stage_layers: [10, 10] }"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(Mentions(problems, "strategy.model_parallel.stage_layers: they add up to 20 layers"));
}

TEST(ModelParallelPlan, TensorParallelismNeedsTransformerLayers) {
  const auto problems = ProblemsOf(R"(
    cluster { workers: 8 device: "a100_80gb" topology { library: "dgx_a100" } }
    workload { model { timing_only { profile: "resnet50" } } batch_size: 32 steps: 2 }
    strategy { kind: SYNC_ALLREDUCE model_parallel { tensor: 2 } })");
  EXPECT_TRUE(Mentions(problems, "strategy.model_parallel.tensor: tensor parallelism splits transformer layers"));
}

TEST(ModelParallelPlan, NeedsALayerWiseRunAndSynchronousAllReduce) {
  EXPECT_TRUE(Mentions(ProblemsOf("cluster { workers: 4 } workload { model { mlp { hidden: 8 } } dataset { "
                                  "synthetic {} } } strategy { kind: SYNC_ALLREDUCE model_parallel { pipeline: 2 } }"),
                       "strategy.model_parallel: tensor and pipeline parallelism need a layer-wise run"));
  EXPECT_TRUE(Mentions(ProblemsOf(Gpt2Xl("model_parallel { pipeline: 2 }"), {"strategy.kind=SYNC_PS"}),
                       "tensor and pipeline parallelism run with SYNC_ALLREDUCE only"));
}

TEST(ModelParallelPlan, AStageThatDoesNotFitIsNamed) {
  // GPT-3 175B on 8 A100s as 8 pipeline stages: 21.9B parameters a stage,
  // 16 bytes each of model states alone, far past 80 GB.
  const std::string gpt3 = R"(
    cluster { workers: 8 device: "a100_80gb" topology { library: "dgx_a100" } }
    workload { model { timing_only { profile: "gpt3_175b" } } batch_size: 1 steps: 1 precision: BF16 }
    strategy { kind: SYNC_ALLREDUCE model_parallel { pipeline: 8 recomputation: FULL } })";
  const auto problems = ProblemsOf(gpt3);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(Mentions(problems, "cluster.device: pipeline stage ")) << problems[0];
  EXPECT_TRUE(Mentions(problems, "does not fit in one a100_80gb's memory")) << problems[0];
  // Simulated anyway when asked, and marked.
  const RunPlan anyway = PlanFromText(gpt3, {"workload.ignore_memory_limit=true"});
  EXPECT_FALSE(anyway.layer_wise->fits);
}

}  // namespace
}  // namespace sim::scenario

#include "sim/scenario/layer_wise_plan.h"

#include <algorithm>
#include <cmath>

#include "models/memory/activation_memory.h"
#include "sim/scenario/scenario_error.h"

namespace sim::scenario {
namespace {

parallelism::PipelineScheduleKind ScheduleOf(PipelineSchedule s) {
  switch (s) {
    case GPIPE:
      return parallelism::PipelineScheduleKind::kGPipe;
    case INTERLEAVED:
      return parallelism::PipelineScheduleKind::kInterleaved;
    default:
      return parallelism::PipelineScheduleKind::kOneForwardOneBackward;
  }
}

models::Recomputation RecomputationOf(Recomputation r) {
  switch (r) {
    case SELECTIVE:
      return models::Recomputation::kSelective;
    case FULL:
      return models::Recomputation::kFull;
    default:
      return models::Recomputation::kNone;
  }
}

// strategy.model_parallel's defaults written into `m`, its problems added,
// and the split resolved (nothing when a problem prevents it).
std::optional<ModelParallelPlan> ModelParallelPlanOf(ModelParallel& m, Workload& workload,
                                                     const std::vector<models::Layer>& layers, std::uint32_t workers,
                                                     std::vector<std::string>& problems) {
  const std::string at = "strategy.model_parallel.";
  if (m.tensor() == 0) m.set_tensor(1);
  if (m.pipeline() == 0) m.set_pipeline(1);
  if (m.schedule() == PIPELINE_SCHEDULE_UNSPECIFIED) m.set_schedule(ONE_F_ONE_B);
  if (m.chunks() == 0) m.set_chunks(m.schedule() == INTERLEAVED ? 2 : 1);
  if (m.micro_batch() == 0) m.set_micro_batch(1);
  if (m.order().empty()) m.set_order("tpd");
  if (m.recomputation() == RECOMPUTATION_UNSPECIFIED) m.set_recomputation(NO_RECOMPUTATION);
  const std::size_t before = problems.size();
  if (!PipelineSchedule_IsValid(m.schedule())) {
    problems.push_back(at + "schedule: unknown value " + std::to_string(m.schedule()));
  }
  if (!Recomputation_IsValid(m.recomputation())) {
    problems.push_back(at + "recomputation: unknown value " + std::to_string(m.recomputation()));
  }
  std::string sorted = m.order();
  std::sort(sorted.begin(), sorted.end());
  if (sorted != "dpt") {
    problems.push_back(at + "order must name t, p and d once each, innermost first (e.g. \"tpd\"), got \"" +
                       m.order() + "\"");
  }
  const std::uint64_t model_parallel = std::uint64_t{m.tensor()} * m.pipeline();
  if (workers % model_parallel != 0) {
    problems.push_back(at + "tensor x pipeline = " + std::to_string(model_parallel) +
                       " must divide cluster.workers = " + std::to_string(workers));
  }
  // No workers: the cluster's check says so (run_plan.cc, CheckJobFits);
  // there is no split to make (fuzz corpus scenario/workers_zero_model_parallel).
  if (problems.size() != before || workers == 0) return std::nullopt;
  const std::uint32_t data = static_cast<std::uint32_t>(workers / model_parallel);
  if (m.global_batch() == 0) m.set_global_batch(std::uint64_t{data} * workload.batch_size());
  const std::uint64_t per_step = std::uint64_t{m.micro_batch()} * data;
  if (m.global_batch() % per_step != 0) {
    problems.push_back(at + "global_batch " + std::to_string(m.global_batch()) +
                       " must be a multiple of micro_batch x data = " + std::to_string(m.micro_batch()) + " x " +
                       std::to_string(data));
    return std::nullopt;
  }
  // What each replica processes per step.
  workload.set_batch_size(static_cast<std::uint32_t>(m.global_batch() / data));

  ModelParallelPlan plan;
  plan.order = m.order();
  plan.global_batch = static_cast<std::int64_t>(m.global_batch());
  parallelism::ModelSplit& split = plan.split;
  split.tensor = m.tensor();
  split.pipeline = m.pipeline();
  split.data = data;
  split.schedule = ScheduleOf(m.schedule());
  split.chunks = m.chunks();
  split.micro_batch = m.micro_batch();
  split.micro_batches = static_cast<std::uint32_t>(m.global_batch() / per_step);
  split.sequence_parallel = m.sequence_parallel();
  split.recomputation = RecomputationOf(m.recomputation());
  split.stage_layers.assign(m.stage_layers().begin(), m.stage_layers().end());
  const auto split_problems = parallelism::ModelSplitProblems(layers, split);
  for (const std::string& p : split_problems) problems.push_back(at + p);
  if (!split_problems.empty()) return std::nullopt;
  split.stage_layers = parallelism::StageLayers(layers, split);
  plan.shards = parallelism::StageShards(layers, split);
  return plan;
}

}  // namespace

std::optional<LayerWisePlan> LayerWisePlanOf(Scenario& effective, const std::optional<models::Accelerator>& accelerator,
                                             const WorkloadPlan& workload, const StrategySpec& strategy,
                                             std::uint32_t workers, std::vector<std::string>& problems) {
  if (!accelerator || !workload.layers) return std::nullopt;
  LayerWisePlan plan;
  plan.accelerator = *accelerator;
  Roofline& roofline = *effective.mutable_cluster()->mutable_roofline();
  if (!roofline.has_compute()) roofline.set_compute(1.0);
  if (!roofline.has_memory()) roofline.set_memory(1.0);
  plan.roofline = {roofline.compute(), roofline.memory()};

  DataParallel& dp = *effective.mutable_strategy()->mutable_data_parallel();
  if (dp.bucket_mb() == 0.0) dp.set_bucket_mb(25.0);
  if (!dp.has_overlap()) dp.set_overlap(true);
  if (!(dp.bucket_mb() > 0.0) || !std::isfinite(dp.bucket_mb())) {
    problems.push_back("strategy.data_parallel.bucket_mb must be > 0, got " + Show(dp.bucket_mb()));
  } else {
    plan.bucket_cap = Bytes{std::llround(dp.bucket_mb() * (1 << 20))};
  }
  plan.overlap = dp.overlap();
  if (dp.zero_stage() > 3) {
    problems.push_back("strategy.data_parallel.zero_stage must be 0, 1, 2 or 3, got " + Show(dp.zero_stage()));
  } else {
    plan.zero = static_cast<models::ZeroStage>(dp.zero_stage());
  }
  if (strategy.kind != sim::StrategyKind::kSyncAllReduce && strategy.kind != sim::StrategyKind::kSyncPs) {
    problems.push_back("strategy.kind " + std::string(Entry(strategy.kind).name) +
                       ": a layer-wise run (an accelerator and a layer-wise profile) supports SYNC_ALLREDUCE and "
                       "SYNC_PS");
  }
  if (effective.strategy().has_model_parallel()) {
    if (strategy.kind != sim::StrategyKind::kSyncAllReduce) {
      problems.push_back("strategy.model_parallel: tensor and pipeline parallelism run with SYNC_ALLREDUCE only");
    }
    if (plan.zero == models::ZeroStage::kParameters) {
      problems.push_back("strategy.data_parallel.zero_stage: stage 3 with strategy.model_parallel is not modelled "
                         "(DeepSpeed does not combine it with pipelines); use stage 1 or 2");
    }
  }
  if (strategy.kind == sim::StrategyKind::kSyncPs && plan.zero != models::ZeroStage::kNone) {
    problems.push_back("strategy.data_parallel.zero_stage: ZeRO shards over a data-parallel group of workers, not "
                       "parameter servers; use SYNC_ALLREDUCE");
  }

  const bool mixed =
      workload.precision == models::DataType::kFp16 || workload.precision == models::DataType::kBf16;
  plan.state_bytes = mixed ? models::ModelStateBytesPerParameter{2, 2, 12} : models::ModelStateBytesPerParameter{4, 4, 8};
  plan.gradient_element_bytes = plan.state_bytes.gradients;
  plan.ignore_memory_limit = effective.workload().ignore_memory_limit();
  // One device: its model states (sharded by ZeRO over the workers), the
  // activations of its batch kept for backward, and the double-buffered
  // gradient buckets being filled and exchanged.
  if (effective.strategy().has_model_parallel()) {
    plan.model_parallel = ModelParallelPlanOf(*effective.mutable_strategy()->mutable_model_parallel(),
                                              *effective.mutable_workload(), *workload.layers, workers, problems);
    if (!plan.model_parallel) return plan;
    ModelParallelPlan& mp = *plan.model_parallel;
    const Bytes buffers{mp.split.data > 1 ? 2 * plan.bucket_cap.count : 0};
    mp.stages = parallelism::StageMemories(mp.shards, mp.split, {plan.zero, plan.state_bytes, buffers});
    std::size_t worst = 0;
    for (std::size_t s = 0; s < mp.stages.size(); ++s) {
      if (mp.stages[s].breakdown.total() > mp.stages[worst].breakdown.total()) worst = s;
    }
    plan.memory = mp.stages[worst].breakdown;
    plan.fits = plan.memory.fits_in(accelerator->memory);
    if (!plan.fits && !plan.ignore_memory_limit) {
      problems.push_back("cluster.device: pipeline stage " + std::to_string(worst) + " of " +
                         std::to_string(mp.split.pipeline) + " does not fit in one " + accelerator->name +
                         "'s memory: " + models::DescribeFit(plan.memory, accelerator->memory) +
                         " (more tensor or pipeline parallelism, strategy.model_parallel.recomputation, a smaller "
                         "micro_batch, strategy.data_parallel.zero_stage, a larger device, or "
                         "workload.ignore_memory_limit=true to simulate it anyway)");
    }
    return plan;
  }
  const std::int64_t parameters = models::TotalParameters(*workload.layers);
  const std::int64_t data_parallel = strategy.kind == sim::StrategyKind::kSyncPs ? 1 : workers;
  plan.memory = models::DeviceMemory(
      models::ModelStatesPerDevice(parameters, std::max<std::int64_t>(1, data_parallel), plan.zero, plan.state_bytes),
      models::ActivationBytes(*workload.layers, workload.batch_size, 1, models::Recomputation::kNone),
      Bytes{2 * plan.bucket_cap.count});
  plan.fits = plan.memory.fits_in(accelerator->memory);
  if (!plan.fits && !plan.ignore_memory_limit) {
    problems.push_back("cluster.device: the run does not fit in one " + accelerator->name + "'s memory: " +
                       models::DescribeFit(plan.memory, accelerator->memory) +
                       " (fewer parameters, a smaller workload.batch_size, strategy.data_parallel.zero_stage, a "
                       "larger device, or workload.ignore_memory_limit=true to simulate it anyway)");
  }
  return plan;
}

}  // namespace sim::scenario

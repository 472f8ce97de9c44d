#include "sim/scenario/layer_wise_plan.h"

#include <cmath>
#include <sstream>

#include "models/memory/activation_memory.h"

namespace sim::scenario {
namespace {

std::string Show(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

}  // namespace

std::optional<LayerWisePlan> LayerWisePlanOf(Scenario& effective, const std::optional<models::Accelerator>& accelerator,
                                             const WorkloadPlan& workload, const StrategySpec& strategy,
                                             std::uint32_t workers, std::vector<std::string>& problems) {
  if (!accelerator || !workload.layers) return std::nullopt;
  LayerWisePlan plan{.accelerator = *accelerator};
  Roofline& roofline = *effective.mutable_cluster()->mutable_roofline();
  if (roofline.compute() == 0.0) roofline.set_compute(1.0);
  if (roofline.memory() == 0.0) roofline.set_memory(1.0);
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
  const std::int64_t parameters = models::TotalParameters(*workload.layers);
  const std::int64_t data_parallel = strategy.kind == sim::StrategyKind::kSyncPs ? 1 : workers;
  plan.memory = models::DeviceMemory(
      models::ModelStatesPerDevice(parameters, std::max<std::int64_t>(1, data_parallel), plan.zero, plan.state_bytes),
      models::ActivationBytes(*workload.layers, workload.batch_size, 1, models::Recomputation::kNone),
      Bytes{2 * plan.bucket_cap.count});
  plan.fits = plan.memory.fits_in(accelerator->memory);
  if (!plan.fits && !plan.ignore_memory_limit) {
    problems.push_back("cluster.device: the run does not fit in a " + accelerator->name + "'s memory: " +
                       models::DescribeFit(plan.memory, accelerator->memory) +
                       " (fewer parameters, a smaller workload.batch_size, strategy.data_parallel.zero_stage, a "
                       "larger device, or workload.ignore_memory_limit=true to simulate it anyway)");
  }
  return plan;
}

}  // namespace sim::scenario

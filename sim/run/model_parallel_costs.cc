#include "sim/run/model_parallel_costs.h"

#include "models/compute/layer_time.h"
#include "models/layers/tensor_parallel_layer.h"
#include "models/layers/training_flops.h"
#include "sim/run/layer_wise_run.h"

namespace sim {
namespace {

collectives::Op OpOf(models::CollectiveKind kind) {
  switch (kind) {
    case models::CollectiveKind::kAllGather:
      return collectives::Op::kAllGather;
    case models::CollectiveKind::kReduceScatter:
      return collectives::Op::kReduceScatter;
    case models::CollectiveKind::kAllReduce:
      break;
  }
  return collectives::Op::kAllReduce;
}

}  // namespace

parallelism::HybridConfig HybridConfigOf(const scenario::RunPlan& plan) {
  const scenario::LayerWisePlan& lw = *plan.layer_wise;
  const scenario::ModelParallelPlan& mp = *lw.model_parallel;
  const parallelism::ModelSplit& split = mp.split;
  const models::DataType type = plan.workload.precision;
  const std::int64_t b = split.micro_batch;

  parallelism::HybridConfig config;
  config.devices = plan.placement.workers;
  config.tensor = split.tensor;
  config.pipeline = split.pipeline;
  config.data = split.data;
  config.order = mp.order;
  config.schedule = split.schedule;
  config.chunks = split.chunks;
  config.micro_batches = split.micro_batches;
  config.zero = lw.zero;
  config.algorithm = plan.strategy.allreduce;
  const topo::Topology& topology = *plan.cluster.topology;
  for (EndpointId e = 0; e < topology.endpoint_count(); ++e) config.host_of_device.push_back(topology.host_of(e));
  config.reduction_rate = plan.cluster.reduction_rate;
  config.steps = static_cast<std::uint32_t>(plan.steps(0));

  for (const std::vector<models::Layer>& shard : mp.shards) {
    parallelism::ChunkCost& cost = config.stages.emplace_back();
    std::int64_t parameters = 0;
    for (const models::Layer& layer : shard) {
      const Time forward = models::LayerTime(layer, models::Pass::kForward, b, lw.accelerator, type, lw.roofline);
      cost.forward += forward;
      cost.backward += models::LayerTime(layer, models::Pass::kBackward, b, lw.accelerator, type, lw.roofline);
      const double redone = models::RecomputedFlops(layer, split.recomputation).count;
      if (redone > 0.0 && layer.forward_flops.count > 0.0) {
        cost.recompute += Time(static_cast<std::int64_t>(static_cast<double>(forward.picoseconds()) * redone /
                                                         layer.forward_flops.count));
      }
      const models::TensorParallelCommunication traffic =
          models::TensorParallelCollectives(layer, b, split.recomputation);
      for (const auto& c : traffic.forward) cost.tensor_forward.push_back({OpOf(c.kind), c.size});
      for (const auto& c : traffic.backward) cost.tensor_backward.push_back({OpOf(c.kind), c.size});
      parameters += layer.parameters;
    }
    const models::Layer& last = shard.back();
    cost.activations_out =
        last.transformer ? Bytes{b * last.transformer->sequence * last.transformer->hidden *
                                 models::BytesPerElement(last.activation_type) / split.tensor}
                         : Bytes{b * last.output.count};
    cost.gradient = Bytes{parameters * lw.gradient_element_bytes};
    cost.parameters = Bytes{parameters * lw.state_bytes.parameters};
  }
  for (std::uint32_t s = 0; s < split.pipeline; ++s) {
    config.optimizer.push_back(AdamStepTime(mp.stages.at(s).parameters, lw.accelerator, lw.roofline.memory));
  }
  return config;
}

}  // namespace sim

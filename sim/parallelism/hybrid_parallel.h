// Tensor x pipeline x data parallelism as a task graph (Narayanan et al.
// 2021, "Efficient large-scale language model training on GPU clusters
// using Megatron-LM"): N = t p d GPUs; the model cut into p x v consecutive
// chunks ("virtual stages"), chunk c of stage s being virtual stage c p + s;
// every layer split t ways inside a tensor-parallel group; d replicas of the
// whole pipeline exchanging gradients.
//
// Per device and step, the passes of its stage in the schedule's explicit
// order (pipeline_schedule.h), on its compute stream: a pass's compute, then
// the tensor-parallel collectives of that pass (members on the compute
// stream: Megatron's all-reduces block the next computation). A forward pass
// of virtual stage k > 0 waits for its micro-batch's activations from k - 1;
// a backward pass of k < last waits for their gradient from k + 1. Each
// tensor-parallel rank sends its 1/t share of the activations to the same
// rank of the next stage (Narayanan et al. 2021, section 4.1, scatter/gather),
// on streams of their own. After its last pass a device exchanges its
// gradients with the same rank of the other replicas (all-reduce, or ZeRO's
// reduce-scatter then all-gather around a sharded optimizer step) and steps
// the optimizer. Tensor, pipeline and data-parallel traffic each has its
// stream, so they overlap on the network as on a GPU.
//
// Ranks: `order` names the dimensions innermost first ("tpd", Megatron's
// default: tensor groups on consecutive ranks, so inside a host); rank r runs
// on devices[r].
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/memory/zero.h"
#include "sim/collectives/collective.h"
#include "sim/core/ids.h"
#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/parallelism/pipeline_schedule.h"
#include "sim/taskgraph/task_graph.h"

namespace sim::parallelism {

struct CollectiveCall {
  collectives::Op op = collectives::Op::kAllReduce;
  Bytes size;  // the whole tensor (all ranks' shares together)
};

// One virtual stage, per micro-batch and per tensor-parallel rank.
struct ChunkCost {
  Time forward;
  Time recompute;  // forward work redone before backward (activation recomputation)
  Time backward;
  std::vector<CollectiveCall> tensor_forward;   // in order, inside the tensor-parallel group
  std::vector<CollectiveCall> tensor_backward;
  Bytes activations_out;  // sent to the next virtual stage (and its gradient back), this rank's share
  Bytes gradient;         // its parameters' gradient as exchanged, this rank's share
  Bytes parameters;       // its parameters at compute precision, this rank's share (ZeRO's all-gather)
};

struct HybridConfig {
  std::vector<EndpointId> devices;  // t p d of them, rank r on devices[r]
  std::uint32_t tensor = 1;
  std::uint32_t pipeline = 1;
  std::uint32_t data = 1;
  std::string order = "tpd";
  PipelineScheduleKind schedule = PipelineScheduleKind::kOneForwardOneBackward;
  std::uint32_t chunks = 1;  // v: model chunks per device (interleaved)
  std::uint32_t micro_batches = 1;
  std::vector<ChunkCost> stages;  // p v virtual stages, in model order
  // The optimizer step over one device's parameters (ZeRO divides it by d).
  std::vector<Time> optimizer;  // by stage
  models::ZeroStage zero = models::ZeroStage::kNone;
  // Every group's collectives (tensor- and data-parallel) with this
  // algorithm; kHierarchical follows the hosts of host_of_device (a flat ring
  // inside one host or with one member per host, else within hosts, then
  // across). An operation the algorithm lacks runs as a ring.
  collectives::Algorithm algorithm = collectives::Algorithm::kRing;
  std::vector<std::uint32_t> host_of_device;  // by endpoint
  BytesPerSecond reduction_rate{0.0};
  std::uint32_t steps = 1;
};

// The rank of (tensor index, stage, replica) under `order`, and back.
struct RankCoordinates {
  std::uint32_t tensor = 0, stage = 0, replica = 0;
};
[[nodiscard]] std::uint32_t RankOf(const HybridConfig& config, RankCoordinates at);
[[nodiscard]] RankCoordinates CoordinatesOf(const HybridConfig& config, std::uint32_t rank);

// Every problem of the configuration (sizes, order, stages), empty when none.
[[nodiscard]] std::vector<std::string> HybridProblems(const HybridConfig& config);

// The sealed graph of `config.steps` steps. Throws std::invalid_argument
// listing HybridProblems.
[[nodiscard]] taskgraph::TaskGraph BuildHybridParallel(const HybridConfig& config);

}  // namespace sim::parallelism

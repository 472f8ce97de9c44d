// Data-parallel training steps as a task graph (sim/taskgraph): every worker
// runs the whole model on its own micro-batch, forward layer by layer, then
// backward in reverse; the gradients are exchanged, the optimizer steps.
//
// Gradient exchange:
//   buckets       gradients are grouped into buckets in reverse layer order,
//                 each filled up to `bucket_cap` bytes (PyTorch DDP's
//                 bucket_cap_mb, 25 MiB by default; Horovod's fusion buffer,
//                 64 MiB); with `overlap`, a bucket's all-reduce starts on a
//                 worker as soon as that worker's backward has produced all
//                 its gradients, buckets in order on the worker's
//                 data-parallel stream (Li et al. 2020, "PyTorch
//                 distributed", section 3.2.3). Without overlap one all-reduce
//                 of the whole gradient follows the backward pass.
//   ZeRO 1 and 2  the buckets are reduce-scattered instead (each worker keeps
//                 the 1/N of the sum it updates), the optimizer steps on that
//                 shard, and the updated parameters are all-gathered
//                 (Rajbhandari et al. 2020, section 5: the same volume as an
//                 all-reduce). Stages 1 and 2 differ in memory only.
//   ZeRO 3        parameters live sharded too: each layer's are all-gathered
//                 before its forward pass and again before its backward pass,
//                 one layer ahead on a gather stream so that the gather of
//                 layer l+1 overlaps the pass of layer l; each layer's gradient
//                 is reduce-scattered after its backward pass.
//   servers       with parameter servers instead of a collective, each worker
//                 pushes every bucket, split in S shards, to the S servers as
//                 the backward pass produces it; server s adds the N workers'
//                 shards (at its apply rate) and sends the updated shard back
//                 to every worker; a worker's next step starts once it has
//                 every shard (the optimizer runs on the servers).
//
// Steps follow one another on each worker: the next forward pass waits for
// that worker's optimizer step (and, with ZeRO, for the gathers it needs),
// never for the other workers.
#pragma once

#include <cstdint>
#include <vector>

#include "models/memory/zero.h"
#include "sim/collectives/collective.h"
#include "sim/core/ids.h"
#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/taskgraph/task_graph.h"

namespace sim::parallelism {

struct LayerCost {
  Time forward;
  Time backward;
  Bytes gradient;    // this layer's gradient as exchanged (2 bytes a parameter in mixed precision)
  Bytes parameters;  // its parameters as gathered under ZeRO (the compute copy: 2 bytes in mixed precision)
};

struct DataParallelConfig {
  std::vector<EndpointId> workers;  // rank r on workers[r]
  std::vector<LayerCost> layers;    // in forward order; the same on every worker
  // The optimizer step over the worker's whole model (ZeRO divides it by N).
  Time optimizer;
  Bytes bucket_cap{25LL << 20};
  bool overlap = true;
  models::ZeroStage zero = models::ZeroStage::kNone;
  // Collectives among the workers.
  collectives::Algorithm algorithm = collectives::Algorithm::kRing;
  Bytes chunk{0};
  std::vector<std::uint32_t> host_of_rank;  // for hierarchical algorithms
  BytesPerSecond reduction_rate{0.0};
  // Parameter servers instead of collectives (any number >= 1), and the rate
  // at which one adds a gradient shard in (0: free).
  std::vector<EndpointId> servers;
  BytesPerSecond server_apply_rate{0.0};
  std::uint32_t steps = 1;
};

// Indices into the layers (forward order) of each bucket, in the order the
// buckets are exchanged: the last layers' gradients first.
[[nodiscard]] std::vector<std::vector<std::size_t>> Buckets(const std::vector<LayerCost>& layers, Bytes cap);

// The sealed graph of `config.steps` steps. Throws std::invalid_argument for
// no worker or no layer, or a collective that cannot be built (CollectiveError).
[[nodiscard]] taskgraph::TaskGraph BuildDataParallel(const DataParallelConfig& config);

}  // namespace sim::parallelism

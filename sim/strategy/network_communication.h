// Communication as traffic on the simulated network: all-reduces and
// all-gathers are collective schedules (sim/collectives) run on the
// Transport; pushes and pulls go to S parameter servers, each owning one
// shard of every message. An all-gather runs the scenario's all-reduce
// algorithm where it has an all-gather of its own (ring; halving-doubling's
// recursive doubling, also for recursive_doubling), else the ring's.
// Every call moves the bytes it is given: a compressed gradient or a shard
// costs what it weighs, not the model's size.
//
// With an eager limit, transfers of at most that many bytes are sent
// without waiting for their receiver (collective_run.h).
//
// Where workers and servers run is the plan's placement (sim/scenario), read
// here, never derived again.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "sim/collectives/collective.h"
#include "sim/collectives/collective_run.h"
#include "sim/collectives/parameter_servers.h"
#include "sim/engine/engine.h"
#include "sim/network/transport.h"
#include "sim/strategy/communication.h"
#include "sim/strategy/strategy_spec.h"
#include "topologies/topology.h"

namespace sim {

class NetworkCommunication final : public Communication {
 public:
  // `workers[k]` and `servers[s]` are the endpoints worker k and server s run
  // on; `servers` is empty when the strategy has none. `reduction_rate` is
  // how fast a rank adds incoming data (0: free); `eager_limit` the largest
  // eager transfer (0: none).
  NetworkCommunication(Engine& engine, Transport& transport, const topo::Topology& topology,
                       const StrategySpec& strategy, std::span<const EndpointId> workers,
                       std::span<const EndpointId> servers, BytesPerSecond reduction_rate,
                       Bytes eager_limit = Bytes{0});
  ~NetworkCommunication() override;

  void all_reduce(Bytes size, Done done) override;
  void all_gather(Bytes piece, Done done) override;
  Enter all_reduce_each(Bytes size, WorkerDone worker_done) override;
  Enter all_gather_each(Bytes piece, WorkerDone worker_done) override;
  void push(std::uint32_t worker, Bytes size, Done applied) override;
  void pull(std::uint32_t worker, Bytes size, Done done) override;

 private:
  std::shared_ptr<const collectives::Schedule> schedule_for(collectives::Op op, Bytes size);
  // A new run of `op` over the workers, kept until it is done.
  collectives::CollectiveRun& add_run(collectives::Op op, Bytes size, collectives::RunOptions options);
  void run(collectives::Op op, Bytes size, Done done);
  // A run the workers enter one by one; `worker_done` per rank.
  Enter run_each(collectives::Op op, Bytes size, WorkerDone worker_done);

  Engine& engine_;
  Transport& transport_;
  collectives::CollectiveSpec spec_;
  collectives::RunOptions run_options_;
  std::vector<EndpointId> worker_endpoints_;
  // One schedule per operation and size: a training run exchanges the same
  // sizes every step.
  std::map<std::pair<collectives::Op, std::int64_t>, std::shared_ptr<const collectives::Schedule>> schedules_;
  std::vector<std::unique_ptr<collectives::CollectiveRun>> runs_;
  std::unique_ptr<collectives::ParameterServers> servers_;
};

}  // namespace sim

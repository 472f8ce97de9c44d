// Communication as traffic on the simulated network: all-reduces are
// collective schedules (sim/collectives) run on the Transport; pushes and
// pulls go to S parameter servers, each owning one shard of the parameters.
//
// Placement: worker k runs on endpoint k; dedicated servers on the endpoints
// after the workers; colocated server s on worker s's endpoint.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "sim/collectives/collective.h"
#include "sim/collectives/collective_run.h"
#include "sim/collectives/parameter_servers.h"
#include "sim/engine/engine.h"
#include "sim/network/transport.h"
#include "sim/scenario/scenario.pb.h"
#include "sim/strategy/communication.h"
#include "topologies/topology.h"

namespace sim {

class NetworkCommunication final : public Communication {
 public:
  // `model_bytes` is the size of every gradient and parameter message.
  NetworkCommunication(Engine& engine, Transport& transport, const topo::Topology& topology,
                       const scenario::Scenario& scenario, std::uint32_t workers, Bytes model_bytes);
  ~NetworkCommunication() override;

  void all_reduce(Bytes size, Done done) override;
  void push(std::uint32_t worker, Bytes size, Done applied) override;
  void pull(std::uint32_t worker, Bytes size, Done done) override;

 private:
  std::shared_ptr<const collectives::Schedule> schedule_for(Bytes size);

  Engine& engine_;
  Transport& transport_;
  collectives::CollectiveSpec spec_;
  collectives::RunOptions run_options_;
  std::vector<EndpointId> worker_endpoints_;
  // One schedule per size: a training run all-reduces the same size every step.
  std::map<std::int64_t, std::shared_ptr<const collectives::Schedule>> schedules_;
  std::vector<std::unique_ptr<collectives::CollectiveRun>> runs_;
  std::unique_ptr<collectives::ParameterServers> servers_;
};

// The collective algorithm a scenario names.
collectives::Algorithm AllReduceAlgorithmOf(scenario::AllReduceAlgorithm algorithm);

}  // namespace sim

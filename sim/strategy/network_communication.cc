#include "sim/strategy/network_communication.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <stdexcept>

#include "sim/scenario/validate.h"

namespace sim {

collectives::Algorithm AllReduceAlgorithmOf(scenario::AllReduceAlgorithm algorithm) {
  // The schema's value names are the registry's names, upper-cased.
  std::string name = scenario::AllReduceAlgorithm_Name(algorithm);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto parsed = collectives::ParseAlgorithm(name);
  if (!parsed) throw std::invalid_argument("strategy.allreduce: no collective algorithm named '" + name + "'");
  return *parsed;
}

NetworkCommunication::NetworkCommunication(Engine& engine, Transport& transport, const topo::Topology& topology,
                                           const scenario::Scenario& scenario, std::uint32_t workers,
                                           Bytes model_bytes)
    : engine_(engine), transport_(transport) {
  for (std::uint32_t w = 0; w < workers; ++w) worker_endpoints_.push_back(w);

  const scenario::Strategy& strategy = scenario.strategy();
  spec_.op = collectives::Op::kAllReduce;
  spec_.algorithm = AllReduceAlgorithmOf(strategy.allreduce());
  spec_.ranks = workers;
  spec_.chunk = Bytes{static_cast<std::int64_t>(strategy.ring_chunk_bytes())};
  for (std::uint32_t w = 0; w < workers; ++w) spec_.host_of_rank.push_back(topology.host_of(w));
  run_options_.reduction_rate = BytesPerSecond{scenario.cluster().network().reduction_gbyte_per_s() * 1e9};

  if (scenario::UsesParameterServers(strategy)) {
    collectives::ParameterServerConfig config;
    config.parameters = model_bytes;
    config.apply_rate = BytesPerSecond{strategy.server_apply_gbyte_per_s() * 1e9};
    const std::uint32_t dedicated = scenario::DedicatedServers(strategy);
    for (std::uint32_t s = 0; s < strategy.servers(); ++s) {
      config.servers.push_back(dedicated > 0 ? workers + s : s % workers);
    }
    servers_ = std::make_unique<collectives::ParameterServers>(engine, transport, std::move(config));
  }
}

NetworkCommunication::~NetworkCommunication() = default;

std::shared_ptr<const collectives::Schedule> NetworkCommunication::schedule_for(Bytes size) {
  auto& cached = schedules_[size.count];
  if (!cached) {
    collectives::CollectiveSpec spec = spec_;
    spec.bytes = size;
    cached = std::make_shared<const collectives::Schedule>(collectives::BuildSchedule(spec));
  }
  return cached;
}

void NetworkCommunication::all_reduce(Bytes size, Done done) {
  // Runs finished earlier are released here, never from inside their own callback.
  std::erase_if(runs_, [](const auto& run) { return run->done(); });
  if (worker_endpoints_.size() == 1) {
    engine_.schedule_in(Time::zero(), std::move(done));
    return;
  }
  collectives::RunOptions options = run_options_;
  options.on_done = [done = std::move(done)](Time) { done(); };
  runs_.push_back(std::make_unique<collectives::CollectiveRun>(engine_, transport_, schedule_for(size),
                                                               worker_endpoints_, std::move(options)));
  runs_.back()->start();
}

void NetworkCommunication::push(std::uint32_t worker, Bytes, Done applied) {
  // Each shard is added in at its server as it arrives (queued behind that
  // server's earlier applies); the push is complete when all are.
  auto left = std::make_shared<std::uint32_t>(servers_->servers());
  servers_->push(worker_endpoints_.at(worker), [this, left, applied](collectives::ServerIndex s) {
    servers_->apply(s, [left, applied] {
      if (--*left == 0) applied();
    });
  });
}

void NetworkCommunication::pull(std::uint32_t worker, Bytes, Done done) {
  servers_->pull(worker_endpoints_.at(worker), [](collectives::ServerIndex) {}, std::move(done));
}

}  // namespace sim

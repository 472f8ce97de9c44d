#include "sim/strategy/network_communication.h"

#include <algorithm>

namespace sim {

NetworkCommunication::NetworkCommunication(Engine& engine, Transport& transport, const topo::Topology& topology,
                                           const StrategySpec& strategy, std::span<const EndpointId> workers,
                                           std::span<const EndpointId> servers, BytesPerSecond reduction_rate,
                                           Bytes eager_limit)
    : engine_(engine), transport_(transport), worker_endpoints_(workers.begin(), workers.end()) {
  spec_.op = collectives::Op::kAllReduce;
  spec_.algorithm = strategy.allreduce;
  spec_.ranks = static_cast<std::uint32_t>(workers.size());
  spec_.chunk = strategy.ring_chunk;
  for (EndpointId e : workers) spec_.host_of_rank.push_back(topology.host_of(e));
  run_options_.reduction_rate = reduction_rate;
  run_options_.eager_limit = eager_limit;
  if (!servers.empty()) {
    collectives::ParameterServerConfig config;
    config.servers.assign(servers.begin(), servers.end());
    config.apply_rate = strategy.server_apply_rate;
    servers_ = std::make_unique<collectives::ParameterServers>(engine, transport, std::move(config));
  }
}

NetworkCommunication::~NetworkCommunication() = default;

namespace {

// The all-gather of the all-reduce algorithm's family (collectives/algorithms.h).
collectives::Algorithm AllGatherAlgorithm(collectives::Algorithm all_reduce) {
  switch (all_reduce) {
    case collectives::Algorithm::kHalvingDoubling:
    case collectives::Algorithm::kRecursiveDoubling: return collectives::Algorithm::kHalvingDoubling;
    default: return collectives::Algorithm::kRing;
  }
}

}  // namespace

std::shared_ptr<const collectives::Schedule> NetworkCommunication::schedule_for(collectives::Op op, Bytes size) {
  auto& cached = schedules_[{op, size.count}];
  if (!cached) {
    collectives::CollectiveSpec spec = spec_;
    spec.op = op;
    spec.bytes = size;
    if (op == collectives::Op::kAllGather) spec.algorithm = AllGatherAlgorithm(spec_.algorithm);
    cached = std::make_shared<const collectives::Schedule>(collectives::BuildSchedule(spec));
  }
  return cached;
}

void NetworkCommunication::all_reduce(Bytes size, Done done) {
  run(collectives::Op::kAllReduce, size, std::move(done));
}

void NetworkCommunication::all_gather(Bytes piece, Done done) {
  // sim::collectives counts an all-gather by its gathered output (collective.h).
  const auto ranks = static_cast<std::int64_t>(worker_endpoints_.size());
  run(collectives::Op::kAllGather, Bytes{piece.count * ranks}, std::move(done));
}

collectives::CollectiveRun& NetworkCommunication::add_run(collectives::Op op, Bytes size,
                                                          collectives::RunOptions options) {
  // Runs finished earlier are released here, never from inside their own
  // callback; a run stays in runs_ until every rank is done, hence after
  // every entry.
  std::erase_if(runs_, [](const auto& run) { return run->done(); });
  runs_.push_back(std::make_unique<collectives::CollectiveRun>(engine_, transport_, schedule_for(op, size),
                                                               worker_endpoints_, std::move(options)));
  return *runs_.back();
}

void NetworkCommunication::run(collectives::Op op, Bytes size, Done done) {
  if (worker_endpoints_.size() == 1) {
    engine_.schedule_in(Time::zero(), std::move(done));
    return;
  }
  collectives::RunOptions options = run_options_;
  options.on_done = [done = std::move(done)](Time) { done(); };
  add_run(op, size, std::move(options)).start();
}

Communication::Enter NetworkCommunication::all_reduce_each(Bytes size, WorkerDone worker_done) {
  return run_each(collectives::Op::kAllReduce, size, std::move(worker_done));
}

Communication::Enter NetworkCommunication::all_gather_each(Bytes piece, WorkerDone worker_done) {
  const auto ranks = static_cast<std::int64_t>(worker_endpoints_.size());
  return run_each(collectives::Op::kAllGather, Bytes{piece.count * ranks}, std::move(worker_done));
}

Communication::Enter NetworkCommunication::run_each(collectives::Op op, Bytes size, WorkerDone worker_done) {
  if (worker_endpoints_.size() == 1) {
    return [this, worker_done = std::move(worker_done)](std::uint32_t w) {
      engine_.schedule_in(Time::zero(), [worker_done, w] { worker_done(w); });
    };
  }
  collectives::RunOptions options = run_options_;
  options.on_rank_done = [worker_done = std::move(worker_done)](collectives::Rank r, Time) { worker_done(r); };
  collectives::CollectiveRun* run = &add_run(op, size, std::move(options));
  return [run](std::uint32_t w) { run->enter(w); };
}

void NetworkCommunication::push(std::uint32_t worker, Bytes size, Done applied) {
  // Each shard is added in at its server as it arrives (queued behind that
  // server's earlier applies); the push is complete when all are.
  auto left = std::make_shared<std::uint32_t>(servers_->servers());
  servers_->push(worker_endpoints_.at(worker), size, [this, left, size, applied](collectives::ServerIndex s) {
    servers_->apply(s, size, [left, applied] {
      if (--*left == 0) applied();
    });
  });
}

void NetworkCommunication::pull(std::uint32_t worker, Bytes size, Done done) {
  servers_->pull(worker_endpoints_.at(worker), size, [](collectives::ServerIndex) {}, std::move(done));
}

}  // namespace sim

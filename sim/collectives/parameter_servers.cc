#include "sim/collectives/parameter_servers.h"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

namespace sim::collectives {

ParameterServers::ParameterServers(Engine& engine, Transport& transport, ParameterServerConfig config)
    : engine_(engine), transport_(transport), config_(std::move(config)) {
  std::string problems;
  auto problem = [&](const std::string& p) { problems += (problems.empty() ? "" : "; ") + p; };
  if (config_.servers.empty()) problem("parameter servers: need at least one server, got 0");
  if (config_.parameters.count < 0) {
    problem("parameter servers: parameters must be >= 0 bytes, got " + std::to_string(config_.parameters.count));
  }
  if (config_.apply_rate.value < 0.0) {
    problem("parameter servers: apply rate must be >= 0 B/s, got " + std::to_string(config_.apply_rate.value));
  }
  if (!problems.empty()) throw std::invalid_argument(problems);
  apply_free_at_.assign(config_.servers.size(), Time::zero());
}

ByteRange ParameterServers::shard(ServerIndex s) const noexcept {
  return Partition(ByteRange{0, config_.parameters.count}, servers(), s);
}

void ParameterServers::push_shard(EndpointId worker, ServerIndex s, Callback on_arrived) {
  transport_.send(worker, config_.servers.at(s), Bytes{shard(s).length}, std::move(on_arrived));
}

void ParameterServers::apply(ServerIndex s, Callback on_applied) {
  Time& free_at = apply_free_at_.at(s);
  const Time cost = config_.apply_rate.value > 0.0 ? TransferTime(Bytes{shard(s).length}, config_.apply_rate)
                                                   : Time::zero();
  free_at = std::max(free_at, engine_.now()) + cost;
  engine_.schedule_at(free_at, std::move(on_applied));
}

void ParameterServers::pull_shard(EndpointId worker, ServerIndex s, Callback on_arrived) {
  transport_.send(config_.servers.at(s), worker, Bytes{shard(s).length}, std::move(on_arrived));
}

namespace {

// Counts the S per-shard arrivals of one push or pull and fires on_all after
// the last; shared by the S callbacks.
struct AllShards {
  std::uint32_t left;
  std::function<void(ServerIndex)> on_arrived;
  ParameterServers::Callback on_all;
  void arrived(ServerIndex s) {
    if (on_arrived) on_arrived(s);
    if (--left == 0 && on_all) on_all();
  }
};

}  // namespace

void ParameterServers::push(EndpointId worker, std::function<void(ServerIndex)> on_arrived, Callback on_all) {
  auto state = std::make_shared<AllShards>(AllShards{servers(), std::move(on_arrived), std::move(on_all)});
  for (ServerIndex s = 0; s < servers(); ++s) push_shard(worker, s, [state, s] { state->arrived(s); });
}

void ParameterServers::pull(EndpointId worker, std::function<void(ServerIndex)> on_arrived, Callback on_all) {
  auto state = std::make_shared<AllShards>(AllShards{servers(), std::move(on_arrived), std::move(on_all)});
  for (ServerIndex s = 0; s < servers(); ++s) pull_shard(worker, s, [state, s] { state->arrived(s); });
}

SyncRound::SyncRound(ParameterServers& servers, std::vector<EndpointId> workers, Callbacks callbacks)
    : servers_(servers),
      workers_(std::move(workers)),
      callbacks_(std::move(callbacks)),
      entered_(workers_.size(), false),
      applied_per_server_(servers.servers(), 0),
      shards_left_per_worker_(workers_.size(), servers.servers()),
      workers_left_(static_cast<std::uint32_t>(workers_.size())) {
  if (workers_.empty()) throw std::invalid_argument("parameter server round: need at least one worker, got 0");
}

void SyncRound::start() {
  for (std::uint32_t w = 0; w < workers_.size(); ++w) enter(w);
}

void SyncRound::enter(std::uint32_t worker) {
  if (worker >= workers_.size()) {
    throw std::out_of_range("parameter server round: worker " + std::to_string(worker) + " is not in [0, " +
                            std::to_string(workers_.size()) + ")");
  }
  if (entered_[worker]) return;
  entered_[worker] = true;
  for (ServerIndex s = 0; s < servers_.servers(); ++s) {
    servers_.push_shard(workers_[worker], s, [this, worker, s] { pushed(worker, s); });
  }
}

void SyncRound::pushed(std::uint32_t worker, ServerIndex s) {
  const Time now = servers_.engine().now();
  last_push_ = std::max(last_push_, now);
  if (callbacks_.on_pushed) callbacks_.on_pushed(worker, s, now);
  servers_.apply(s, [this, s] {
    if (++applied_per_server_[s] < workers_.size()) return;
    if (callbacks_.on_applied) callbacks_.on_applied(s, servers_.engine().now());
    for (std::uint32_t w = 0; w < workers_.size(); ++w) {
      servers_.pull_shard(workers_[w], s, [this, w] { pulled(w); });
    }
  });
}

void SyncRound::pulled(std::uint32_t worker) {
  if (--shards_left_per_worker_[worker] != 0) return;
  const Time now = servers_.engine().now();
  if (callbacks_.on_worker_done) callbacks_.on_worker_done(worker, now);
  if (--workers_left_ == 0) {
    finish_time_ = now;
    if (callbacks_.on_done) callbacks_.on_done(now);
  }
}

}  // namespace sim::collectives

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
  if (config_.apply_rate.value < 0.0) {
    problem("parameter servers: apply rate must be >= 0 B/s, got " + std::to_string(config_.apply_rate.value));
  }
  if (!problems.empty()) throw std::invalid_argument(problems);
  apply_free_at_.assign(config_.servers.size(), Time::zero());
}

Bytes ParameterServers::shard(ServerIndex s, Bytes size) const noexcept {
  return Bytes{Partition(ByteRange{0, size.count}, servers(), s).length};
}

void ParameterServers::push_shard(EndpointId worker, ServerIndex s, Bytes size, Callback on_arrived) {
  transport_.send(worker, config_.servers.at(s), shard(s, size), std::move(on_arrived));
}

void ParameterServers::apply(ServerIndex s, Bytes size, Callback on_applied) {
  Time& free_at = apply_free_at_.at(s);
  const Time cost = config_.apply_rate.value > 0.0 ? TransferTime(shard(s, size), config_.apply_rate) : Time::zero();
  free_at = std::max(free_at, engine_.now()) + cost;
  engine_.schedule_at(free_at, std::move(on_applied));
}

void ParameterServers::pull_shard(EndpointId worker, ServerIndex s, Bytes size, Callback on_arrived) {
  transport_.send(config_.servers.at(s), worker, shard(s, size), std::move(on_arrived));
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

void ParameterServers::push(EndpointId worker, Bytes size, std::function<void(ServerIndex)> on_arrived,
                            Callback on_all) {
  auto state = std::make_shared<AllShards>(AllShards{servers(), std::move(on_arrived), std::move(on_all)});
  for (ServerIndex s = 0; s < servers(); ++s) push_shard(worker, s, size, [state, s] { state->arrived(s); });
}

void ParameterServers::pull(EndpointId worker, Bytes size, std::function<void(ServerIndex)> on_arrived,
                            Callback on_all) {
  auto state = std::make_shared<AllShards>(AllShards{servers(), std::move(on_arrived), std::move(on_all)});
  for (ServerIndex s = 0; s < servers(); ++s) pull_shard(worker, s, size, [state, s] { state->arrived(s); });
}

}  // namespace sim::collectives

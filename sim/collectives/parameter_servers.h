// Parameter servers as traffic on the network (Li et al. 2014, "Scaling
// distributed machine learning with the parameter server", OSDI): S servers
// each own one shard of the parameter vector. A worker pushes its gradient for
// shard s to server s and pulls shard s back. Every message carries its own
// size n (a whole gradient, a compressed one, the parameters): its shard s is
// Partition(n, S, s) bytes.
//
// This class gives the primitives and their three moments, so that a
// synchronous strategy (server waits for all p pushes, applies, then every
// worker pulls) and an asynchronous one (each push applied on arrival, then
// that worker pulls) are both a few lines on top:
//   push_shard(...)  -> on_arrived : the gradient shard is at the server
//   apply(...)       -> on_applied : the server has added it into its shard
//   pull_shard(...)  -> on_arrived : the parameter shard is at the worker
//
// The apply cost: each apply of one gradient shard of b bytes takes b / R at
// rate R (Strategy.server_apply_gbyte_per_s; 0: free), one at a time per
// server in call order (a FIFO), so pushes that arrive together queue.
// Servers are endpoints: dedicated hosts, or workers' own endpoints when
// colocated (a push to oneself is delivered at once by the Transport).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/collectives/schedule.h"
#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/engine/engine.h"
#include "sim/network/transport.h"

namespace sim::collectives {

using ServerIndex = std::uint32_t;

struct ParameterServerConfig {
  // Endpoint of each server; S = servers.size() >= 1.
  std::vector<EndpointId> servers{};
  // Rate at which a server applies a gradient to its shard; 0: free.
  BytesPerSecond apply_rate{0.0};
};

class ParameterServers {
 public:
  using Callback = std::function<void()>;

  // Throws std::invalid_argument listing every problem of `config`.
  ParameterServers(Engine& engine, Transport& transport, ParameterServerConfig config);
  ParameterServers(const ParameterServers&) = delete;
  ParameterServers& operator=(const ParameterServers&) = delete;

  [[nodiscard]] std::uint32_t servers() const noexcept { return static_cast<std::uint32_t>(config_.servers.size()); }
  // Shard s of a message of `size` bytes.
  [[nodiscard]] Bytes shard(ServerIndex s, Bytes size) const noexcept;
  [[nodiscard]] EndpointId endpoint(ServerIndex s) const noexcept { return config_.servers[s]; }
  [[nodiscard]] Engine& engine() const noexcept { return engine_; }

  // Sends shard s of `worker`'s gradient of `size` bytes to server s.
  void push_shard(EndpointId worker, ServerIndex s, Bytes size, Callback on_arrived);
  // Server s applies shard s of a gradient of `size` bytes, after any
  // applies queued before it.
  void apply(ServerIndex s, Bytes size, Callback on_applied);
  // Sends shard s of the `size` bytes of parameters from server s to `worker`.
  void pull_shard(EndpointId worker, ServerIndex s, Bytes size, Callback on_arrived);

  // All S shards at once; `on_arrived(s)` per shard, `on_all` after the last.
  void push(EndpointId worker, Bytes size, std::function<void(ServerIndex)> on_arrived, Callback on_all = {});
  void pull(EndpointId worker, Bytes size, std::function<void(ServerIndex)> on_arrived, Callback on_all = {});

 private:
  Engine& engine_;
  Transport& transport_;
  ParameterServerConfig config_;
  std::vector<Time> apply_free_at_;
};

}  // namespace sim::collectives

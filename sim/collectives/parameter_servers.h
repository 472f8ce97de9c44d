// Parameter servers as traffic on the network (Li et al. 2014, "Scaling
// distributed machine learning with the parameter server", OSDI): S servers
// each own one byte range ("shard") of the parameter vector, Partition(n, S, s).
// A worker pushes its gradient for shard s to server s and pulls shard s back.
//
// This class gives the primitives and their three moments, so that a
// synchronous strategy (server waits for all p pushes, applies, then every
// worker pulls) and an asynchronous one (each push applied on arrival, then
// that worker pulls) are both a few lines on top:
//   push_shard(...)  -> on_arrived : the gradient shard is at the server
//   apply(...)       -> on_applied : the server has added it into its shard
//   pull_shard(...)  -> on_arrived : the parameter shard is at the worker
// SyncRound below is the synchronous composition.
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
  // Size of the whole parameter vector (= of one gradient), bytes.
  Bytes parameters{0};
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
  [[nodiscard]] ByteRange shard(ServerIndex s) const noexcept;
  [[nodiscard]] EndpointId endpoint(ServerIndex s) const noexcept { return config_.servers[s]; }
  [[nodiscard]] Engine& engine() const noexcept { return engine_; }

  // Sends `worker`'s gradient shard s to server s.
  void push_shard(EndpointId worker, ServerIndex s, Callback on_arrived);
  // Server s applies one gradient shard, after any applies queued before it.
  void apply(ServerIndex s, Callback on_applied);
  // Sends parameter shard s from server s to `worker`.
  void pull_shard(EndpointId worker, ServerIndex s, Callback on_arrived);

  // All S shards at once; `on_arrived(s)` per shard, `on_all` after the last.
  void push(EndpointId worker, std::function<void(ServerIndex)> on_arrived, Callback on_all = {});
  void pull(EndpointId worker, std::function<void(ServerIndex)> on_arrived, Callback on_all = {});

 private:
  Engine& engine_;
  Transport& transport_;
  ParameterServerConfig config_;
  std::vector<Time> apply_free_at_;
};

// One synchronous round (BSP): every worker pushes all shards; server s applies
// each gradient shard as it arrives and, once it has applied all p of them,
// sends shard s to every worker. Optional callbacks: on_pushed(worker, s) at
// arrival, on_applied(s) when server s has applied all p, on_worker_done(w)
// when worker w holds every new shard, on_done when all do.
// Workers enter with enter(w) (e.g. when their gradient is ready) or all at
// once with start(). Must outlive its events.
struct SyncRoundCallbacks {
  std::function<void(std::uint32_t worker, ServerIndex s, Time)> on_pushed{};
  std::function<void(ServerIndex s, Time)> on_applied{};
  std::function<void(std::uint32_t worker, Time)> on_worker_done{};
  std::function<void(Time)> on_done{};
};

class SyncRound {
 public:
  using Callbacks = SyncRoundCallbacks;

  SyncRound(ParameterServers& servers, std::vector<EndpointId> workers, Callbacks callbacks = {});
  SyncRound(const SyncRound&) = delete;
  SyncRound& operator=(const SyncRound&) = delete;

  void start();
  void enter(std::uint32_t worker);
  [[nodiscard]] bool done() const noexcept { return workers_left_ == 0; }
  [[nodiscard]] Time finish_time() const noexcept { return finish_time_; }
  // When the last gradient shard reached its server (end of the push phase).
  [[nodiscard]] Time last_push_arrival() const noexcept { return last_push_; }

 private:
  void pushed(std::uint32_t worker, ServerIndex s);
  void pulled(std::uint32_t worker);

  ParameterServers& servers_;
  std::vector<EndpointId> workers_;
  Callbacks callbacks_;
  std::vector<bool> entered_;
  std::vector<std::uint32_t> applied_per_server_;
  std::vector<std::uint32_t> shards_left_per_worker_;
  std::uint32_t workers_left_;
  Time last_push_ = Time::zero();
  Time finish_time_ = Time::zero();
};

}  // namespace sim::collectives

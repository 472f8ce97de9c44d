// One synchronous parameter-server round (BSP) composed from the
// ParameterServers primitives, for the tests that time and order one: the
// training strategies compose their own (sim/strategy).
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/collectives/parameter_servers.h"

namespace sim::collectives::testing {

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

  // Every push and pull moves shards of `size` bytes (the whole vector).
  SyncRound(ParameterServers& servers, std::vector<EndpointId> workers, Bytes size, Callbacks callbacks = {});
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
  Bytes size_;
  Callbacks callbacks_;
  std::vector<bool> entered_;
  std::vector<std::uint32_t> applied_per_server_;
  std::vector<std::uint32_t> shards_left_per_worker_;
  std::uint32_t workers_left_;
  Time last_push_ = Time::zero();
  Time finish_time_ = Time::zero();
};

inline SyncRound::SyncRound(ParameterServers& servers, std::vector<EndpointId> workers, Bytes size,
                            Callbacks callbacks)
    : servers_(servers),
      workers_(std::move(workers)),
      size_(size),
      callbacks_(std::move(callbacks)),
      entered_(workers_.size(), false),
      applied_per_server_(servers.servers(), 0),
      shards_left_per_worker_(workers_.size(), servers.servers()),
      workers_left_(static_cast<std::uint32_t>(workers_.size())) {
  if (workers_.empty()) throw std::invalid_argument("parameter server round: need at least one worker, got 0");
}

inline void SyncRound::start() {
  for (std::uint32_t w = 0; w < workers_.size(); ++w) enter(w);
}

inline void SyncRound::enter(std::uint32_t worker) {
  if (worker >= workers_.size()) {
    throw std::out_of_range("parameter server round: worker " + std::to_string(worker) + " is not in [0, " +
                            std::to_string(workers_.size()) + ")");
  }
  if (entered_[worker]) return;
  entered_[worker] = true;
  for (ServerIndex s = 0; s < servers_.servers(); ++s) {
    servers_.push_shard(workers_[worker], s, size_, [this, worker, s] { pushed(worker, s); });
  }
}

inline void SyncRound::pushed(std::uint32_t worker, ServerIndex s) {
  const Time now = servers_.engine().now();
  last_push_ = std::max(last_push_, now);
  if (callbacks_.on_pushed) callbacks_.on_pushed(worker, s, now);
  servers_.apply(s, size_, [this, s] {
    if (++applied_per_server_[s] < workers_.size()) return;
    if (callbacks_.on_applied) callbacks_.on_applied(s, servers_.engine().now());
    for (std::uint32_t w = 0; w < workers_.size(); ++w) {
      servers_.pull_shard(workers_[w], s, size_, [this, w] { pulled(w); });
    }
  });
}

inline void SyncRound::pulled(std::uint32_t worker) {
  if (--shards_left_per_worker_[worker] != 0) return;
  const Time now = servers_.engine().now();
  if (callbacks_.on_worker_done) callbacks_.on_worker_done(worker, now);
  if (--workers_left_ == 0) {
    finish_time_ = now;
    if (callbacks_.on_done) callbacks_.on_done(now);
  }
}

}  // namespace sim::collectives::testing

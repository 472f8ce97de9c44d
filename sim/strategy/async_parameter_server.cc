#include "sim/strategy/async_parameter_server.h"

#include <algorithm>

#include "sim/strategy/gradient_exchange.h"

namespace sim {

AsyncParameterServer::AsyncParameterServer(TrainingContext& context, std::optional<std::uint32_t> staleness_bound)
    : ctx_(context),
      progress_(context),
      bound_(staleness_bound),
      clock_(context.workers, 0),
      held_(context.workers),
      in_flight_(context.workers),
      blocked_(context.workers, false) {}

void AsyncParameterServer::start() {
  progress_.start();
  for (std::uint32_t w = 0; w < ctx_.workers; ++w) try_begin(w);
}

std::uint64_t AsyncParameterServer::slowest_clock() const { return *std::min_element(clock_.begin(), clock_.end()); }

bool AsyncParameterServer::within_bound(std::uint32_t worker) const {
  return !bound_ || clock_[worker] - slowest_clock() <= *bound_;
}

void AsyncParameterServer::try_begin(std::uint32_t worker) {
  // Exactly `steps` gradients are computed in all; the last ones in flight
  // still arrive and are applied.
  if (progress_.finished() || started_ >= ctx_.steps) return;
  if (!within_bound(worker)) {
    blocked_[worker] = true;
    ctx_.timeline.set(worker, Activity::kWait, ctx_.engine.now());
    return;
  }
  blocked_[worker] = false;
  ++started_;
  ctx_.timeline.set(worker, Activity::kCommunicate, ctx_.engine.now());
  // The server sends the version current when the pull is served.
  held_[worker] = ctx_.numerics.current();
  ctx_.communication.pull(worker, ctx_.model_bytes, [this, worker] { pulled(worker); });
}

void AsyncParameterServer::pulled(std::uint32_t worker) {
  ctx_.timeline.set(worker, Activity::kCompute, ctx_.engine.now());
  in_flight_[worker] = ctx_.numerics.compute_gradient(worker, held_[worker]);
  held_[worker] = {};  // the gradient is what matters now; drop the version
  ctx_.engine.schedule_in(ctx_.compute.next_step_time(worker), [this, worker] { computed(worker); });
}

void AsyncParameterServer::computed(std::uint32_t worker) {
  ctx_.timeline.set(worker, Activity::kCommunicate, ctx_.engine.now());
  AfterCodec(ctx_.engine, ctx_.exchange.encode, [this, worker] { push(worker); });
}

void AsyncParameterServer::push(std::uint32_t worker) {
  ctx_.numerics.compress(in_flight_[worker]);
  ctx_.communication.push(worker, ctx_.exchange.push, [this, worker] { arrived(worker); });
}

// The servers have added this worker's gradient in (one at a time, in
// arrival order, their apply cost included): the update is made.
void AsyncParameterServer::arrived(std::uint32_t worker) {
  Gradient g = std::move(in_flight_[worker]);
  in_flight_[worker] = {};
  progress_.gradient_applied(ctx_.numerics.version() - g.base_version, g.batch_loss);
  ctx_.numerics.apply(g);
  progress_.update_applied(ctx_.batch_size);
  const std::uint64_t slowest_before = slowest_clock();
  ++clock_[worker];
  try_begin(worker);
  // The slowest worker moved on: wake those the bound held back.
  if (bound_ && slowest_clock() > slowest_before) {
    for (std::uint32_t w = 0; w < ctx_.workers; ++w) {
      if (blocked_[w]) try_begin(w);
    }
  }
}

}  // namespace sim

#include "sim/strategy/sync_parameter_server.h"

namespace sim {

SyncParameterServer::SyncParameterServer(TrainingContext& context, std::uint32_t backup_workers)
    : ctx_(context),
      progress_(context),
      needed_(context.workers - backup_workers),
      gradients_(context.workers),
      arrived_(context.workers, false),
      compute_events_(context.workers),
      pulling_(context.workers, false),
      pull_again_(context.workers, false) {}

void SyncParameterServer::start() {
  progress_.start();
  if (progress_.finished()) return;
  for (std::uint32_t w = 0; w < ctx_.workers; ++w) begin_step(w);
}

void SyncParameterServer::begin_step(std::uint32_t worker) {
  ctx_.timeline.set(worker, Activity::kCompute, ctx_.engine.now());
  gradients_[worker] = ctx_.numerics.compute_gradient(worker, ctx_.numerics.current());
  const std::uint64_t step = step_;
  compute_events_[worker] =
      ctx_.engine.schedule_in(ctx_.compute.next_step_time(worker), [this, worker, step] { computed(worker, step); });
}

void SyncParameterServer::computed(std::uint32_t worker, std::uint64_t step) {
  ctx_.timeline.set(worker, Activity::kCommunicate, ctx_.engine.now());
  if (ctx_.exchange.encode > Time::zero()) {
    // Encoding, like computing, is cut short when the step's update is made.
    compute_events_[worker] =
        ctx_.engine.schedule_in(ctx_.exchange.encode, [this, worker, step] { push(worker, step); });
  } else {
    push(worker, step);
  }
}

void SyncParameterServer::push(std::uint32_t worker, std::uint64_t step) {
  ctx_.numerics.compress(gradients_[worker]);
  ctx_.communication.push(worker, ctx_.exchange.push, [this, worker, step] { arrived(worker, step); });
}

void SyncParameterServer::arrived(std::uint32_t worker, std::uint64_t step) {
  if (step != step_) return;  // too late: that step's update is made
  ctx_.timeline.set(worker, Activity::kWait, ctx_.engine.now());
  arrived_[worker] = true;
  if (++arrivals_ == needed_) applied();
}

void SyncParameterServer::applied() {
  // The first N - b gradients, in rank order (not arrival order).
  std::vector<Gradient> used;
  used.reserve(needed_);
  for (std::uint32_t w = 0; w < ctx_.workers; ++w) {
    if (arrived_[w]) used.push_back(std::move(gradients_[w]));
    gradients_[w] = {};
    arrived_[w] = false;
  }
  ctx_.numerics.apply_mean(used);
  for (const Gradient& g : used) progress_.gradient_applied(0, g.batch_loss);
  progress_.update_applied(std::uint64_t{needed_} * ctx_.batch_size);
  ++step_;
  arrivals_ = 0;
  // Everyone pulls the new version; stragglers of the old step are cut short.
  for (std::uint32_t w = 0; w < ctx_.workers; ++w) {
    ctx_.engine.cancel(compute_events_[w]);
    ctx_.timeline.set(w, Activity::kCommunicate, ctx_.engine.now());
    if (pulling_[w]) {
      pull_again_[w] = true;
    } else {
      pull(w);
    }
  }
}

void SyncParameterServer::pull(std::uint32_t worker) {
  pulling_[worker] = true;
  ctx_.communication.pull(worker, ctx_.model_bytes, [this, worker] { pulled(worker); });
}

void SyncParameterServer::pulled(std::uint32_t worker) {
  pulling_[worker] = false;
  if (pull_again_[worker] && !progress_.finished()) {
    pull_again_[worker] = false;
    pull(worker);
    return;
  }
  pull_again_[worker] = false;
  ctx_.timeline.set(worker, Activity::kWait, ctx_.engine.now());
  if (!progress_.finished()) begin_step(worker);
}

}  // namespace sim

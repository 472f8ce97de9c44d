#include "sim/strategy/sync_allreduce.h"

#include "sim/strategy/gradient_exchange.h"

namespace sim {

SyncAllReduce::SyncAllReduce(TrainingContext& context)
    : ctx_(context), progress_(context), gradients_(context.workers) {}

void SyncAllReduce::start() {
  progress_.start();
  if (!progress_.finished()) begin_step();
}

void SyncAllReduce::begin_step() {
  const ParameterVersion params = ctx_.numerics.current();
  computing_ = ctx_.workers;
  for (std::uint32_t w = 0; w < ctx_.workers; ++w) {
    ctx_.timeline.set(w, Activity::kCompute, ctx_.engine.now());
    // The input is an immutable version, so computing now or at the end of
    // the simulated compute gives the same numbers.
    gradients_[w] = ctx_.numerics.compute_gradient(w, params);
    ctx_.engine.schedule_in(ctx_.compute.next_step_time(w), [this, w] { computed(w); });
  }
}

void SyncAllReduce::computed(std::uint32_t worker) {
  if (ctx_.exchange.encode > Time::zero()) ctx_.timeline.set(worker, Activity::kCommunicate, ctx_.engine.now());
  AfterCodec(ctx_.engine, ctx_.exchange.encode, [this, worker] { encoded(worker); });
}

void SyncAllReduce::encoded(std::uint32_t worker) {
  ctx_.numerics.compress(gradients_[worker]);
  ctx_.timeline.set(worker, Activity::kWait, ctx_.engine.now());
  if (--computing_ > 0) return;
  for (std::uint32_t w = 0; w < ctx_.workers; ++w) ctx_.timeline.set(w, Activity::kCommunicate, ctx_.engine.now());
  RunPhases(ctx_.communication, ctx_.exchange.phases,
            [this] { AfterCodec(ctx_.engine, ctx_.exchange.decode, [this] { reduced(); }); });
}

void SyncAllReduce::reduced() {
  for (std::uint32_t w = 0; w < ctx_.workers; ++w) ctx_.timeline.set(w, Activity::kWait, ctx_.engine.now());
  ctx_.numerics.apply_mean(gradients_);
  for (auto& g : gradients_) {
    progress_.gradient_applied(0, g.batch_loss);
    g = {};  // free the gradient now, not at the next step
  }
  progress_.update_applied(std::uint64_t{ctx_.workers} * ctx_.batch_size);
  if (!progress_.finished()) begin_step();
}

}  // namespace sim

#include "sim/strategy/sync_allreduce.h"

#include "sim/strategy/gradient_exchange.h"

namespace sim {

SyncAllReduce::SyncAllReduce(TrainingContext& context)
    : ctx_(context), progress_(context), gradients_(context.workers), step_of_(context.workers, 0) {}

void SyncAllReduce::start() {
  progress_.start();
  // The first step starts every worker at once in either mode.
  if (!progress_.finished()) begin_step();
}

void SyncAllReduce::begin_step() {
  computing_ = ctx_.workers;
  for (std::uint32_t w = 0; w < ctx_.workers; ++w) begin_worker_step(w);
}

void SyncAllReduce::computed(std::uint32_t worker) {
  if (ctx_.exchange.encode > Time::zero()) ctx_.timeline.set(worker, Activity::kCommunicate, ctx_.engine.now());
  AfterCodec(ctx_.engine, ctx_.exchange.encode, [this, worker] { encoded(worker); });
}

void SyncAllReduce::encoded(std::uint32_t worker) {
  ctx_.numerics.compress(gradients_[worker]);
  if (ctx_.strategy.allreduce_entry == AllReduceEntry::kEachWorker) {
    enter(worker);
    return;
  }
  ctx_.timeline.set(worker, Activity::kWait, ctx_.engine.now());
  if (--computing_ > 0) return;
  for (std::uint32_t w = 0; w < ctx_.workers; ++w) ctx_.timeline.set(w, Activity::kCommunicate, ctx_.engine.now());
  RunPhases(ctx_.communication, ctx_.exchange.phases,
            [this] { AfterCodec(ctx_.engine, ctx_.exchange.decode, [this] { reduced(); }); });
}

void SyncAllReduce::reduced() {
  for (std::uint32_t w = 0; w < ctx_.workers; ++w) ctx_.timeline.set(w, Activity::kWait, ctx_.engine.now());
  apply_step();
  if (!progress_.finished()) begin_step();
}

void SyncAllReduce::apply_step() {
  ctx_.numerics.apply_mean(gradients_);
  for (auto& g : gradients_) {
    progress_.gradient_applied(0, g.batch_loss);
    g = {};  // free the gradient now, not at the next step
  }
  ++steps_applied_;
  progress_.update_applied(std::uint64_t{ctx_.workers} * ctx_.batch_size);
}

void SyncAllReduce::begin_worker_step(std::uint32_t worker) {
  ctx_.timeline.set(worker, Activity::kCompute, ctx_.engine.now());
  // The input is an immutable version, so computing now or at the end of
  // the simulated compute gives the same numbers.
  gradients_[worker] = ctx_.numerics.compute_gradient(worker, ctx_.numerics.current());
  ctx_.engine.schedule_in(ctx_.compute.next_step_time(worker), [this, worker] { computed(worker); });
}

void SyncAllReduce::enter(std::uint32_t worker) {
  ctx_.timeline.set(worker, Activity::kCommunicate, ctx_.engine.now());
  const std::uint64_t step = step_of_[worker];
  while (first_open_step_ + open_.size() <= step) {
    const std::uint64_t opened = first_open_step_ + open_.size();
    open_.push_back({EnterPhases(ctx_.communication, ctx_.exchange.phases,
                                 [this, opened](std::uint32_t w) {
                                   AfterCodec(ctx_.engine, ctx_.exchange.decode,
                                              [this, opened, w] { worker_reduced(opened, w); });
                                 }),
                     ctx_.workers});
  }
  open_[step - first_open_step_].enter(worker);
}

void SyncAllReduce::worker_reduced(std::uint64_t step, std::uint32_t worker) {
  ctx_.timeline.set(worker, Activity::kWait, ctx_.engine.now());
  // The first worker out applies the step's update (see the header).
  if (steps_applied_ == step) apply_step();
  if (--open_[step - first_open_step_].still_in == 0 && step == first_open_step_) {
    open_.pop_front();
    ++first_open_step_;
  }
  if (progress_.finished()) return;
  ++step_of_[worker];
  begin_worker_step(worker);
}

}  // namespace sim

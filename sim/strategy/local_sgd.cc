#include "sim/strategy/local_sgd.h"

#include <algorithm>

#include "sim/strategy/gradient_exchange.h"

namespace sim {
namespace {

TrainingContext InRounds(const TrainingContext& c, std::uint32_t period) {
  TrainingContext rounds = c;
  rounds.steps = (c.steps + period - 1) / period;
  rounds.eval_every = std::max<std::uint64_t>(1, c.eval_every / period);
  return rounds;
}

}  // namespace

LocalSgd::LocalSgd(TrainingContext& context, std::uint32_t local_steps)
    : ctx_(context), round_context_(InRounds(context, local_steps)), progress_(round_context_), period_(local_steps) {}

void LocalSgd::start() {
  progress_.start();
  if (!progress_.finished()) begin_round();
}

void LocalSgd::begin_round() {
  this_round_ = static_cast<std::uint32_t>(std::min<std::uint64_t>(period_, ctx_.steps - local_steps_done_));
  computing_ = ctx_.workers;
  for (std::uint32_t w = 0; w < ctx_.workers; ++w) local_step(w, this_round_);
}

void LocalSgd::local_step(std::uint32_t worker, std::uint32_t left) {
  if (left == 0) {
    if (ctx_.exchange.encode > Time::zero()) ctx_.timeline.set(worker, Activity::kCommunicate, ctx_.engine.now());
    AfterCodec(ctx_.engine, ctx_.exchange.encode, [this, worker] { encoded(worker); });
    return;
  }
  ctx_.timeline.set(worker, Activity::kCompute, ctx_.engine.now());
  ctx_.numerics.local_step(worker);
  ctx_.engine.schedule_in(ctx_.compute.next_step_time(worker), [this, worker, left] { local_step(worker, left - 1); });
}

void LocalSgd::encoded(std::uint32_t worker) {
  ctx_.timeline.set(worker, Activity::kWait, ctx_.engine.now());
  if (--computing_ > 0) return;
  for (std::uint32_t w = 0; w < ctx_.workers; ++w) ctx_.timeline.set(w, Activity::kCommunicate, ctx_.engine.now());
  RunPhases(ctx_.communication, ctx_.exchange.phases,
            [this] { AfterCodec(ctx_.engine, ctx_.exchange.decode, [this] { averaged(); }); });
}

void LocalSgd::averaged() {
  for (std::uint32_t w = 0; w < ctx_.workers; ++w) ctx_.timeline.set(w, Activity::kWait, ctx_.engine.now());
  ctx_.numerics.average_replicas(ctx_.strategy.reset_optimizer_state);
  local_steps_done_ += this_round_;
  const std::uint64_t round_samples = std::uint64_t{this_round_} * ctx_.workers * ctx_.batch_size;
  samples_ += round_samples;
  for (std::uint32_t w = 0; w < ctx_.workers; ++w) progress_.gradient_applied(0);
  progress_.update_applied(round_samples);
  if (!progress_.finished()) begin_round();
}

}  // namespace sim

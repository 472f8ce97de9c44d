#include "sim/strategy/local_sgd.h"

#include <algorithm>
#include <optional>

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
  round_loss_.assign(ctx_.workers, 0.0);
  for (std::uint32_t w = 0; w < ctx_.workers; ++w) local_step(w, this_round_);
}

void LocalSgd::local_step(std::uint32_t worker, std::uint32_t left) {
  if (left == 0) {
    if (ctx_.exchange.encode > Time::zero()) ctx_.timeline.set(worker, Activity::kCommunicate, ctx_.engine.now());
    AfterCodec(ctx_.engine, ctx_.exchange.encode, [this, worker] { encoded(worker); });
    return;
  }
  ctx_.timeline.set(worker, Activity::kCompute, ctx_.engine.now());
  if (const std::optional<double> loss = ctx_.numerics.local_step(worker)) round_loss_[worker] += *loss;
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
  // A round is one step of the series: its loss is the mean over every
  // local mini-batch of every worker (each worker takes this_round_ steps).
  for (std::uint32_t w = 0; w < ctx_.workers; ++w) {
    std::optional<double> loss;
    if (ctx_.numerics.enabled()) loss = round_loss_[w] / this_round_;
    progress_.gradient_applied(0, loss);
  }
  progress_.update_applied(round_samples);
  if (!progress_.finished()) begin_round();
}

}  // namespace sim

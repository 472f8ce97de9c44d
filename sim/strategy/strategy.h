// A training strategy decides who computes on which parameter version, who
// waits for whom, and when updates are applied: synchronous all-reduce,
// parameter servers (sync / async), stale synchronous parallel, local SGD,
// backup workers. One interface, one class each, made by MakeStrategy from
// the registry of kinds (strategy_spec.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sim/core/units.h"
#include "sim/engine/engine.h"
#include "sim/result/training_log.h"
#include "sim/result/worker_timeline.h"
#include "sim/strategy/communication.h"
#include "sim/strategy/gradient_exchange.h"
#include "sim/strategy/strategy_spec.h"
#include "sim/training/compute_model.h"
#include "sim/training/numerics.h"

namespace sim {

// Everything a strategy acts on, passed in (no globals).
struct TrainingContext {
  Engine& engine;
  Communication& communication;
  ComputeModel& compute;
  Numerics& numerics;
  WorkerTimeline& timeline;
  TrainingLog& log;
  const StrategySpec& strategy;
  std::uint32_t workers = 1;
  // Samples per worker and step.
  std::uint64_t batch_size = 1;
  // Stop once the target accuracy is reached.
  bool stop_at_target = false;
  // Bytes of a dense gradient (and of the parameters) on the wire.
  Bytes model_bytes;
  // What a worker's gradient costs on its way, compression included.
  GradientExchange exchange;
  // Updates of the global model to run, and how often to evaluate.
  std::uint64_t steps = 0;
  std::uint64_t eval_every = 1;
  // Told after every update (a progress line); may be empty.
  OnStep on_step = nullptr;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  // Schedules the first events; the run is over when the engine runs dry.
  virtual void start() = 0;
  // Updates applied to the global model so far.
  [[nodiscard]] virtual std::uint64_t updates() const noexcept = 0;
  // Samples whose gradients were applied (or, for local SGD, trained on).
  [[nodiscard]] virtual std::uint64_t samples() const noexcept = 0;
};

// The strategy `context.strategy` names (strategy_kinds.cc).
std::unique_ptr<Strategy> MakeStrategy(TrainingContext& context);

}  // namespace sim

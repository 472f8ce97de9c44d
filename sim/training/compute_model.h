// How long a worker's step of computation takes in simulated time (sim/DESIGN.md,
// decision 3): the step's FLOPs over the device's sustained rate, plus its
// fixed overhead, times the straggler slowdown drawn for that worker and
// step. Never this host's wall time.
#pragma once

#include <cstdint>

#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/training/straggler_model.h"

namespace sim {

class ComputeModel {
 public:
  ComputeModel(Time nominal_step, StragglerModel& stragglers) : nominal_step_(nominal_step), stragglers_(&stragglers) {}

  // Duration of `worker`'s next step; draws from its straggler stream.
  Time next_step_time(std::uint32_t worker) {
    return Seconds(nominal_step_.seconds() * stragglers_->next_slowdown(worker));
  }
  [[nodiscard]] Time nominal_step_time() const noexcept { return nominal_step_; }

 private:
  Time nominal_step_;
  StragglerModel* stragglers_;
};

}  // namespace sim

// Measuring this host's compute rate on a model's real gradient, so that the
// `host` device profile predicts what this machine would do. This is the ONE
// place where wall-clock time is read: a calibration, whose result is stored
// as data (a DeviceProfile file) and never enters a simulation directly.
#pragma once

#include <cstdint>
#include <string>

#include "models/compute/device_profile.h"
#include "models/nn/model.h"
#include "sim/core/units.h"

namespace sim::models {

struct HostRateOptions {
  // Wall time per measurement round, seconds.
  double min_seconds_per_round = 0.2;
  // Rounds; the median round's rate is reported (robust to a busy neighbour).
  int rounds = 5;
};

// Times loss_and_gradient of a clone of `model` on batches of `batch` random
// samples of the model's input shape and returns
//   flops_per_sample x batch x calls / elapsed seconds   (median over rounds).
// Throws std::invalid_argument for batch < 1 or rounds < 1.
[[nodiscard]] FlopsPerSecond MeasureHostRate(const Model& model, std::int64_t batch,
                                             const HostRateOptions& options = {});

// A `host` profile for a measured rate: peak = the rate, efficiency 1 (the
// measurement already is a sustained rate), no step overhead.
[[nodiscard]] DeviceProfile HostProfile(FlopsPerSecond measured);

}  // namespace sim::models

// Checks of a scenario's workload (model, data, batch, optimizer, run
// length) before anything is built, so that a user sees every mistake at
// once. A field left at 0 means "default" (scenario.proto) and is never a
// problem by itself.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/scenario.pb.h"

namespace sim::models {

// Every problem, one sentence each naming its field
// ("workload.optimizer.momentum must be in [0, 1), got 1"); empty when valid.
[[nodiscard]] std::vector<std::string> ValidateWorkload(const sim::scenario::Workload& workload);

// The workload with the schema's defaults written in: batch_size 32, 100
// steps when neither steps nor epochs is set, eval_every_steps = steps / 10
// (at least 1; left 0 when the run is given in epochs, which needs the data
// size), optimizer learning_rate 0.1, schedule CONSTANT, step_gamma 0.1,
// reference_batch 32, mlp hidden [256] and RELU, sharding IID (label_skew 0.8
// with BY_LABEL), synthetic 10,000 / 2,000 / 32 / 10 / 0.1, the Fashion-MNIST
// folder, and a timing_only model's profile values. Call after
// ValidateWorkload: invalid values are left as they are.
[[nodiscard]] sim::scenario::Workload WorkloadWithDefaults(const sim::scenario::Workload& workload);

}  // namespace sim::models

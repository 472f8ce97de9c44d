// How many updates of the global model a run makes: workload.steps, or its
// epochs over the training set at the strategy's samples per update.
#pragma once

#include <cmath>
#include <cstdint>

#include "sim/scenario/scenario.pb.h"

namespace sim {

// Samples one update consumes: the global batch for synchronous strategies,
// one worker's batch for asynchronous ones; local SGD counts each worker's
// local steps, each on its own batch, so N batches per "step".
[[nodiscard]] inline std::uint64_t SamplesPerUpdate(const scenario::Scenario& s) {
  const std::uint64_t batch = s.workload().batch_size();
  switch (s.strategy().kind()) {
    case scenario::SYNC_ALLREDUCE:
    case scenario::SYNC_PS:
    case scenario::LOCAL_SGD:
      return batch * s.cluster().workers();
    case scenario::SYNC_BACKUP:
      return batch * (s.cluster().workers() - s.strategy().backup_workers());
    default:
      return batch;
  }
}

[[nodiscard]] inline std::uint64_t StepsOf(const scenario::Scenario& s, std::int64_t training_samples) {
  if (s.workload().steps() > 0) return s.workload().steps();
  return static_cast<std::uint64_t>(
      std::ceil(s.workload().epochs() * static_cast<double>(training_samples) / SamplesPerUpdate(s)));
}

}  // namespace sim

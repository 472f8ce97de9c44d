// The scenario the tests that run real ranks on this machine start from: a
// small synthetic workload, seconds of wall time even with three ranks on two
// cores. Tests change it with --set.
#pragma once

namespace sim::validate::testing {

inline constexpr const char* kSmallScenario = R"(
name: "mpi_train_test"
seed: 3
cluster { workers: 2 topology { star { host_link { bandwidth_gbit_per_s: 10 latency_us: 5 } } } }
workload {
  model { mlp { hidden: 16 } }
  dataset { synthetic { train_samples: 2000 test_samples: 500 features: 16 classes: 4 } }
  batch_size: 16
  steps: 30
  eval_every_steps: 5
  optimizer { learning_rate: 0.05 momentum: 0.9 }
}
strategy { kind: SYNC_ALLREDUCE allreduce: RING servers: 1 }
)";

}  // namespace sim::validate::testing

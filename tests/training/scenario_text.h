// Builds the run plan of a scenario text for a training test.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/run_plan.h"

namespace sim::testing {

inline scenario::RunPlan Loaded(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return scenario::PlanFromText(text, overrides, "test");
}

// A small, fast classification workload: synthetic teacher data, an MLP.
inline const char* kSyntheticMlp = R"(
  cluster { device_profile { peak_tflops: 1 } topology { star { host_link { bandwidth_gbit_per_s: 10 latency_us: 5 } } } }
  workload {
    model { mlp { hidden: 32 } }
    dataset { synthetic { train_samples: 4000 test_samples: 1000 features: 16 classes: 4 } }
    batch_size: 16
    steps: 60
    eval_every_steps: 10
    optimizer { learning_rate: 0.05 momentum: 0.9 }
  }
)";

}  // namespace sim::testing

// Stragglers: how much slower than its nominal time a worker's step is.
//
// A worker's compute time for one step is nominal x slowdown, where
//   slowdown = persistent factor (slow_workers)
//            x (1 + X), X drawn per worker and step from the distribution
//            x transient factor with probability p, else 1.
// The distributions of X are a registry (straggler_distributions.h). Each
// worker draws from its own named stream ("straggler/worker/K"), so adding a
// worker changes no one else's draws.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/core/random.h"
#include "sim/training/straggler_distributions.h"

namespace sim {

struct SlowWorker {
  std::uint32_t worker = 0;
  double factor = 1.0;  // >= 1
};

struct StragglerSpec {
  StragglerDistribution distribution = StragglerDistribution::kNone;
  DistributionParameters parameters;
  std::vector<SlowWorker> slow_workers;
  double transient_probability = 0.0;  // [0, 1]
  double transient_factor = 1.0;       // >= 1
};

class StragglerModel {
 public:
  virtual ~StragglerModel() = default;
  // Multiplier of `worker`'s nominal compute time for its next step: >= 1,
  // except under the log-normal model, whose median multiplier is 1.
  virtual double next_slowdown(std::uint32_t worker) = 0;
};

// The model a StragglerSpec describes.
class SpecStragglers final : public StragglerModel {
 public:
  SpecStragglers(StragglerSpec spec, std::uint32_t workers, std::uint64_t seed);
  double next_slowdown(std::uint32_t worker) override;

 private:
  StragglerSpec spec_;
  DrawSlowdown draw_;
  std::vector<double> persistent_;
  std::vector<RandomStream> streams_;
};

std::unique_ptr<StragglerModel> MakeStragglerModel(const StragglerSpec& spec, std::uint32_t workers,
                                                   std::uint64_t seed);

}  // namespace sim

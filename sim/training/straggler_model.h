// Stragglers: how much slower than its nominal time a worker's step is.
//
// A worker's compute time for one step is nominal x slowdown, where
//   slowdown = persistent factor (slow_workers)
//            x (1 + X), X drawn per worker and step from the distribution
//            x transient factor with probability p, else 1.
// X ~ Exp(mean) is the model of Dutta et al. 2018 ("Slow and stale gradients
// can win the race"); the shifted exponential, shift + Exp(mean), is the model
// of Lee et al. 2018 ("Speeding up distributed machine learning using codes");
// the log-normal, exp(sigma Z) - 1 with Z ~ N(0,1), fits measured cloud
// latency tails. Each worker draws from its own named stream
// ("straggler/worker/K"), so adding a worker changes no one else's draws.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/core/random.h"
#include "sim/scenario/scenario.pb.h"

namespace sim {

class StragglerModel {
 public:
  virtual ~StragglerModel() = default;
  // Multiplier of `worker`'s nominal compute time for its next step: >= 1,
  // except under the log-normal model, whose median multiplier is 1.
  virtual double next_slowdown(std::uint32_t worker) = 0;
};

// The model the scenario's `stragglers` section describes.
class ScenarioStragglers final : public StragglerModel {
 public:
  ScenarioStragglers(const scenario::Stragglers& config, std::uint32_t workers, std::uint64_t seed);
  double next_slowdown(std::uint32_t worker) override;

 private:
  double draw(RandomStream& rng) const;
  scenario::Stragglers config_;
  std::vector<double> persistent_;
  std::vector<RandomStream> streams_;
};

std::unique_ptr<StragglerModel> MakeStragglerModel(const scenario::Stragglers& config, std::uint32_t workers,
                                                   std::uint64_t seed);

}  // namespace sim

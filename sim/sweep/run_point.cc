#include "sim/sweep/run_point.h"

#include "sim/scenario/loader.h"
#include "sim/training/run.h"
#include "sim/training/run_length.h"

namespace sim::sweep {
namespace {

// Training samples of the data set as its spec says (defaults filled in by
// the loader), for a run given in epochs; 60,000 is Fashion-MNIST's training
// set (Xiao, Rasul & Vollgraf 2017).
std::int64_t TrainingSamples(const scenario::Dataset& d) {
  if (d.has_synthetic()) return d.synthetic().train_samples();
  if (d.has_fashion_mnist() && d.fashion_mnist().train_samples() > 0) return d.fashion_mnist().train_samples();
  return 60'000;
}

}  // namespace

PointCheck CheckPoint(const std::string& scenario, const std::vector<std::string>& overrides) {
  const scenario::LoadedScenario loaded = scenario::LoadScenario(scenario, overrides);
  const scenario::Scenario& s = loaded.scenario;
  const std::uint64_t steps = StepsOf(s, TrainingSamples(s.workload().dataset()));
  return {.workers = s.cluster().workers(),
          .work = static_cast<double>(s.cluster().workers()) * static_cast<double>(steps)};
}

result::RunResult RunPoint(const std::string& scenario, const std::vector<std::string>& overrides) {
  const scenario::LoadedScenario loaded = scenario::LoadScenario(scenario, overrides);
  return RunTraining(loaded).result;
}

}  // namespace sim::sweep

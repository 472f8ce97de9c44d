#include "sim/sweep/run_point.h"

#include "sim/calibration/profile_calibration.h"
#include "sim/run/training_run.h"
#include "sim/scenario/run_plan.h"

namespace sim::sweep {
namespace {

// Training samples of the data set as its plan says, for a run given in
// epochs; 60,000 is Fashion-MNIST's training set (Xiao, Rasul & Vollgraf
// 2017).
std::int64_t TrainingSamples(const scenario::WorkloadPlan& w) {
  if (!w.dataset) return 0;
  if (const auto* s = std::get_if<models::SyntheticSpec>(&*w.dataset)) return s->train_samples;
  const auto& fashion = std::get<models::FashionMnistSpec>(*w.dataset);
  return fashion.train_samples > 0 ? fashion.train_samples : 60'000;
}

// Every point is held to this machine's memory and the default event limit
// (sim/scenario/resource_estimate.h), as a single run is, and calibrated
// from the scenario's cluster profile, if it names one, for its own node
// count.
scenario::LoadOptions MachineLimited() {
  scenario::LoadOptions options;
  options.limits = scenario::ThisMachineLimits();
  return calibration::ReadingClusterProfiles(std::move(options));
}

}  // namespace

PointCheck CheckPoint(const std::string& scenario, const std::vector<std::string>& overrides) {
  const scenario::RunPlan plan = scenario::LoadPlan(scenario, overrides, MachineLimited());
  const std::uint64_t steps = plan.steps(TrainingSamples(plan.workload));
  return {.workers = plan.cluster.workers,
          .work = static_cast<double>(plan.cluster.workers) * static_cast<double>(steps)};
}

result::RunResult RunPoint(const std::string& scenario, const std::vector<std::string>& overrides) {
  return RunTraining(scenario::LoadPlan(scenario, overrides, MachineLimited())).result;
}

}  // namespace sim::sweep

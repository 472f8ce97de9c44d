#include "sim/calibration/profile_calibration.h"

#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <variant>

#include "sim/calibration/calibration.h"
#include "sim/calibration/cluster_profile.h"
#include "sim/collectives/collective.h"
#include "sim/scenario/workload_plan.h"

namespace sim::calibration {

namespace {

// What keeps `plan` from being calibrated from any profile, one sentence each.
std::vector<std::string> UncoveredBy(const scenario::RunPlan& plan) {
  std::vector<std::string> problems;
  if (!std::holds_alternative<topo::StarSpec>(plan.cluster.topology_spec.fabric)) {
    problems.push_back("the profile calibrates a star of hosts (its links were measured so); cluster.topology is not a star");
  }
  if (plan.cluster.devices_per_host != 1) {
    problems.push_back("the profile measured one rank per host; cluster.devices_per_host is " +
                       std::to_string(plan.cluster.devices_per_host));
  }
  const bool allreduce =
      plan.strategy.kind == StrategyKind::kSyncAllReduce || plan.strategy.kind == StrategyKind::kLocalSgd;
  if (allreduce && plan.strategy.allreduce != collectives::Algorithm::kRing) {
    problems.push_back("the profile calibrates the ring all-reduce (strategy.allreduce RING), got " +
                       std::string(collectives::Name(plan.strategy.allreduce)));
  }
  const auto shape = scenario::ModelShapeOf(plan.effective.workload());
  if (!shape || !(shape->flops_per_sample.count > 0)) {
    problems.push_back("the run's model has no FLOP count to scale the profile's compute by");
  }
  try {
    (void)PatternOf(plan, AllreduceImplementation::kPointToPointRing, 1);
  } catch (const std::invalid_argument& e) {
    problems.push_back(e.what());
  }
  return problems;
}

[[noreturn]] void ThrowAll(const std::vector<std::string>& problems) {
  std::string text;
  for (const auto& p : problems) text += (text.empty() ? "" : "\n") + p;
  throw std::invalid_argument(text);
}

}  // namespace

scenario::LoadOptions::ProfileCalibration CalibrateFromProfile(const ClusterProfile& profile,
                                                               const scenario::RunPlan& plan) {
  if (const auto problems = UncoveredBy(plan); !problems.empty()) ThrowAll(problems);
  const auto shape = scenario::ModelShapeOf(plan.effective.workload());
  const std::int64_t gradient_bytes = shape->parameters * 4;  // fp32, as mpi_train sends them
  const double flops_per_step = shape->flops_per_sample.count * static_cast<double>(plan.workload.batch_size);
  std::vector<std::string> notes;
  const HostMeasurements measured = MeasurementsFromProfile(
      profile, plan, AllreduceImplementation::kPointToPointRing, gradient_bytes, flops_per_step, notes);
  Calibration c = Calibrate(measured, plan, AllreduceImplementation::kPointToPointRing);
  notes.insert(notes.end(), c.notes.begin(), c.notes.end());
  return {CalibrationOverrides(c), std::move(notes)};
}

ClusterProfile ReadClusterProfile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot open the profile file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  ClusterProfile profile;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(text.str(), &profile, options);
  if (!status.ok()) throw std::invalid_argument(path + " is not a cluster profile: " + std::string(status.message()));
  if (profile.at_ranks().empty()) {
    throw std::invalid_argument(path + " holds no measurements (at_ranks is empty): not a cluster profile");
  }
  return profile;
}

scenario::LoadOptions ReadingClusterProfiles(scenario::LoadOptions options) {
  options.calibrate_from_profile = [](const scenario::RunPlan& plan, const std::string& path) {
    // Every problem at once: the run's and the file's.
    std::vector<std::string> problems = UncoveredBy(plan);
    ClusterProfile profile;
    try {
      profile = ReadClusterProfile(path);
    } catch (const std::invalid_argument& e) {
      problems.emplace_back(e.what());
    }
    if (!problems.empty()) ThrowAll(problems);
    return CalibrateFromProfile(profile, plan);
  };
  return options;
}

}  // namespace sim::calibration

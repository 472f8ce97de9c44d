#include "sim/scenario/run_plan.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/scenario/device_resolution.h"
#include "sim/scenario/layer_wise_plan.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/overrides.h"
#include "sim/scenario/strategy_plan.h"
#include "topologies/topology_error.h"

namespace sim::scenario {
namespace {

std::string ReadFromDisk(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// How the job uses the cluster: counts, and whether the workers and the
// dedicated servers fit on its endpoints.
void CheckJobFits(const Cluster& c, const StrategySpec& strategy, std::vector<std::string>& problems) {
  auto require = [&](bool ok, const std::string& field, std::uint32_t got) {
    if (!ok) problems.push_back(field + " must be >= 1, got " + Show(got));
  };
  require(c.workers() >= 1, "cluster.workers", c.workers());
  require(c.devices_per_host() >= 1, "cluster.devices_per_host", c.devices_per_host());
  require(c.hosts() >= 1, "cluster.hosts", c.hosts());
  const std::uint64_t endpoints = std::uint64_t{c.hosts()} * c.devices_per_host();
  const std::uint32_t dedicated = DedicatedServers(strategy);
  const std::uint64_t needed = EndpointsNeeded(strategy, c.workers());
  if (c.workers() >= 1 && needed > endpoints) {
    problems.push_back("cluster.workers (" + Show(c.workers()) + ")" +
                       (dedicated > 0 ? " + strategy.servers (" + Show(strategy.servers) + ")" : std::string()) +
                       " must fit on hosts x devices_per_host = " + Show(endpoints) + " endpoints, got " +
                       Show(needed));
  }
}

void CheckWorkloadUse(const Workload& w, std::vector<std::string>& problems) {
  for (auto& problem : ValidateWorkload(w)) problems.push_back(std::move(problem));
  if (w.model().has_timing_only() && w.epochs() > 0) {
    problems.push_back("workload.epochs needs a dataset; a timing_only run is given in steps, got epochs " +
                       Show(w.epochs()));
  }
}

// Simulated time is int64 picoseconds (sim/DESIGN.md, decision 1: 106 days).
// Every step moves at least the model's gradient across the slowest link
// once: when that alone passes the clock's range, the run cannot be
// simulated (a bandwidth of 1e-30 Gbit/s), and is refused here rather than
// failing mid-run.
void CheckClockRange(const topo::Topology& topology, const Scenario& scenario, std::vector<std::string>& problems) {
  if (topology.link_count() == 0) return;
  double slowest = topology.link(0).params.bandwidth.value;
  std::string name = topology.link(0).name;
  for (topo::LinkId l = 1; l < topology.link_count(); ++l) {
    if (topology.link(l).params.bandwidth.value < slowest) {
      slowest = topology.link(l).params.bandwidth.value;
      name = topology.link(l).name;
    }
  }
  const std::optional<ModelShape> shape = ModelShapeOf(scenario.workload());
  const double bytes = shape ? static_cast<double>(shape->parameters) * 4.0 : 0.0;
  const double steps = std::max<double>(1.0, static_cast<double>(scenario.workload().steps()));
  const double range_s = static_cast<double>(Time::max().picoseconds()) * 1e-12;
  if (bytes > 0 && slowest > 0 && bytes / slowest * steps > range_s) {
    problems.push_back("cluster.topology: link " + name + " carries " + Show(slowest * 8e-9) +
                       " Gbit/s: one gradient of " + Show(bytes) + " bytes per step takes " + Show(bytes / slowest) +
                       " s, and " + Show(steps) + " steps pass the simulated clock's range of " + Show(range_s) +
                       " s (106 days); raise the link's bandwidth_gbit_per_s");
  }
}

}  // namespace

std::uint64_t RunPlan::samples_per_update() const {
  return Entry(strategy.kind).samples_per_update(strategy, cluster.workers, workload.batch_size);
}

std::uint64_t RunPlan::steps(std::int64_t training_samples) const {
  return workload.length.steps_for(training_samples, samples_per_update());
}

namespace {

// The plan of a scenario, its cluster profile (if any) not yet applied.
RunPlan ResolveScenario(Scenario scenario, const std::string& source, const std::string& directory,
                        const LoadOptions& options) {
  const ReadFileFn read_file = options.read_file ? options.read_file : ReadFileFn(ReadFromDisk);
  std::vector<std::string> problems;
  ApplyDefaults(scenario, problems);
  auto located = [&source](std::vector<std::string> list) {
    for (auto& p : list) p = source + ": " + p;
    return ScenarioError(std::move(list));
  };
  if (!problems.empty()) throw located(std::move(problems));

  RunPlan plan;
  const Cluster& c = scenario.cluster();
  // The network first (its problems lead, as a user reads the file), then
  // how the job uses it, then the workload, strategy and stragglers.
  const topo::TopologySpec topology = TopologySpecOf(c, directory, read_file, problems);
  plan.cluster.network = NetworkCalibrationOf(c.network(), problems);
  plan.strategy = StrategySpecOf(scenario.strategy(), problems);
  CheckJobFits(c, plan.strategy, problems);
  const ResolvedDevice device =
      ResolveDevice(c, options.host_profile.empty() ? DefaultHostProfilePath() : options.host_profile, problems,
                    DataTypeOf(scenario.workload().precision()));
  const std::size_t before_workload = problems.size();
  CheckWorkloadUse(scenario.workload(), problems);
  const bool workload_valid = problems.size() == before_workload;
  CheckStrategy(plan.strategy, scenario.strategy(), c.workers(), problems);
  CheckCompression(plan.strategy, scenario.strategy(), ModelShapeOf(scenario.workload()), problems);
  plan.stragglers = StragglerSpecOf(scenario.stragglers(), problems);
  CheckStragglers(scenario.stragglers(), c.workers(), problems);
  // A layer-wise run's memory is checked with everything else (whatever the
  // device's other problems), as long as the workload itself is sound.
  if (workload_valid) {
    plan.workload = WorkloadPlanOf(scenario.workload(), c.workers());
    plan.layer_wise =
        LayerWisePlanOf(scenario, device.accelerator, plan.workload, plan.strategy, c.workers(), problems);
    // Model parallelism says what a replica's batch is (global / data).
    plan.workload.batch_size = scenario.workload().batch_size();
    if (scenario.strategy().has_model_parallel() && !plan.layer_wise) {
      problems.push_back("strategy.model_parallel: tensor and pipeline parallelism need a layer-wise run: an "
                         "accelerator cluster.device (e.g. a100_80gb) and a layer-wise timing_only model (e.g. "
                         "profile gpt3_175b or a transformer)");
    }
    if (plan.layer_wise && plan.strategy.compression.scheme != models::CompressionScheme::kNone) {
      problems.push_back("strategy.compression: a layer-wise run exchanges dense gradients in buckets; compression "
                         "applies to runs on a device profile (a trainable or timing_only model)");
    }
  }
  // What the run would need, before anything large is built (a topology of
  // 10^9 hosts, a 10^8-wide layer): refused when it exceeds the limits.
  if (problems.empty() && options.limits) {
    const bool trace = options.keep_trace || !scenario.outputs().trace_json().empty();
    CheckResources(EstimateResources(scenario, plan.strategy, trace, plan.layer_wise.has_value()), *options.limits,
                   problems);
  }
  if (problems.empty()) {
    try {
      plan.cluster.topology = std::make_shared<const topo::Topology>(topo::BuildTopology(topology));
    } catch (const topo::TopologyError& error) {
      problems.insert(problems.end(), error.problems().begin(), error.problems().end());
    }
  }
  if (problems.empty() && !plan.layer_wise) CheckClockRange(*plan.cluster.topology, scenario, problems);
  if (!problems.empty()) throw located(std::move(problems));

  plan.name = scenario.name();
  plan.seed = scenario.seed();
  plan.source = source;
  plan.directory = directory;
  plan.cluster.topology_spec = topology;
  plan.cluster.workers = c.workers();
  plan.cluster.hosts = c.hosts();
  plan.cluster.devices_per_host = c.devices_per_host();
  plan.cluster.reduction_rate = GigabytesPerSecond(c.network().reduction_gbyte_per_s());
  plan.cluster.eager_limit = Bytes{static_cast<std::int64_t>(c.network().eager_limit_bytes())};
  plan.cluster.device = device.profile;
  plan.cluster.device_note = device.note;
  plan.cluster.device_fallback = device.fallback;
  plan.placement = PlaceRanks(plan.strategy, c.workers());
  const Outputs& o = scenario.outputs();
  plan.outputs = OutputsPlan{o.series_csv(), o.trace_json(), o.links_table_rows()};
  plan.effective = std::move(scenario);
  return plan;
}

}  // namespace

RunPlan ResolvePlan(Scenario scenario, const std::string& source, const std::string& directory,
                    const LoadOptions& options) {
  const std::string profile = scenario.cluster().profile();
  RunPlan plan = ResolveScenario(scenario, source, directory, options);
  if (profile.empty()) return plan;
  const std::string where = source + ": cluster.profile (" + profile + "): ";
  if (!options.calibrate_from_profile) {
    throw ScenarioError(where + "this command does not read cluster profiles (`sim` and `sim sweep` do; "
                                "`build/validation calibration --profile` writes the calibration as --set lines)");
  }
  std::filesystem::path path(profile);
  if (path.is_relative()) path = std::filesystem::path(directory) / path;
  LoadOptions::ProfileCalibration calibration;
  try {
    calibration = options.calibrate_from_profile(plan, path.string());
  } catch (const std::invalid_argument& e) {
    std::vector<std::string> problems;
    std::istringstream lines(e.what());
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) problems.push_back(where + line);
    }
    throw ScenarioError(problems);
  }
  for (const auto& o : calibration.overrides) ApplyOverride(scenario, o);
  RunPlan calibrated = ResolveScenario(std::move(scenario), source, directory, options);
  calibrated.cluster.profile = path.string();
  calibrated.cluster.profile_notes = std::move(calibration.notes);
  return calibrated;
}

RunPlan LoadPlan(const std::string& path, const std::vector<std::string>& overrides, const LoadOptions& options) {
  const ReadFileFn read_file = options.read_file ? options.read_file : ReadFileFn(ReadFromDisk);
  std::string text;
  try {
    text = read_file(path);
  } catch (const std::exception&) {
    throw ScenarioError(path + ": error: cannot open scenario file");
  }
  // An empty file would otherwise be the all-defaults scenario: almost
  // certainly a mistake (a truncated download, the wrong file).
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw ScenarioError(path + ":1:1: error: the scenario file is empty");
  }
  const bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  Scenario scenario = ParseScenario(text, path, json);
  std::vector<std::string> problems;
  for (const auto& o : overrides) {
    try {
      ApplyOverride(scenario, o);
    } catch (const ScenarioError& e) {
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
  }
  if (!problems.empty()) throw ScenarioError(problems);
  // A profile named by --set is where the user's shell is; one in the file
  // is beside the file (ResolvePlan).
  const std::string& profile = scenario.cluster().profile();
  const bool profile_set = std::any_of(overrides.begin(), overrides.end(), [](const std::string& o) {
    return o.rfind("cluster.profile=", 0) == 0;
  });
  if (profile_set && !profile.empty() && std::filesystem::path(profile).is_relative()) {
    scenario.mutable_cluster()->set_profile(std::filesystem::absolute(profile).string());
  }
  if (scenario.name().empty()) scenario.set_name(std::filesystem::path(path).stem().string());
  LoadOptions resolved = options;
  resolved.read_file = read_file;
  return ResolvePlan(std::move(scenario), path, std::filesystem::path(path).parent_path().string(), resolved);
}

RunPlan LibraryPlan(const std::string& entry, const std::vector<std::string>& overrides, std::uint32_t workers_if_open,
                    const LoadOptions& options) {
  Scenario scenario;
  scenario.set_name(entry);
  scenario.mutable_cluster()->mutable_topology()->set_library(entry);
  std::vector<std::string> problems;
  for (const auto& o : overrides) {
    try {
      ApplyOverride(scenario, o);
    } catch (const ScenarioError& e) {
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
  }
  if (!problems.empty()) throw ScenarioError(problems);
  if (workers_if_open > 0 && LeavesSizeOpen(scenario.cluster())) scenario.mutable_cluster()->set_workers(workers_if_open);
  return ResolvePlan(std::move(scenario), entry, ".", options);
}

RunPlan PlanFromText(const std::string& text, const std::vector<std::string>& overrides, const std::string& source,
                     const LoadOptions& options) {
  Scenario scenario = ParseScenario(text, source, false);
  for (const auto& o : overrides) ApplyOverride(scenario, o);
  if (scenario.name().empty()) scenario.set_name(source);
  return ResolvePlan(std::move(scenario), source, ".", options);
}

}  // namespace sim::scenario

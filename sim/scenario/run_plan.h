// The run plan: a scenario read once, checked once and resolved into typed,
// immutable values (sim/DESIGN.md, "The plan"). Everything after loading
// (`sim`, `sim collective`, `sim calibrate`, `mpi_train`, `mpi_calibrate`)
// reads the plan, never the schema: the domain folders take its plain types.
//
// Loading is one call: LoadPlan returns the plan or throws one ScenarioError
// listing every problem (syntax errors with file:line:column and the field;
// then every semantic problem, each naming its field). Order: parse (text
// format, or JSON for *.json) -> --set overrides -> defaults -> checks ->
// typed values, with the topology built once and any file the scenario names
// read once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/compute/device_profile.h"
#include "sim/network/network_calibration.h"
#include "sim/scenario/cluster_resolution.h"
#include "sim/scenario/layer_wise_plan.h"
#include "sim/scenario/placement.h"
#include "sim/scenario/resource_estimate.h"
#include "sim/scenario/scenario.pb.h"
#include "sim/scenario/scenario_error.h"
#include "sim/scenario/workload_plan.h"
#include "sim/strategy/strategy_spec.h"
#include "sim/training/straggler_model.h"
#include "topologies/topology.h"

namespace sim::scenario {

struct ClusterPlan {
  std::uint32_t workers = 1;
  std::uint32_t hosts = 1;
  std::uint32_t devices_per_host = 1;
  // The network's shape as plain values, and the Topology built from it
  // once (shared by copies of the plan).
  topo::TopologySpec topology_spec;
  std::shared_ptr<const topo::Topology> topology;
  net::NetworkCalibration network;
  // How fast a rank adds incoming data in a reduction; 0: free.
  BytesPerSecond reduction_rate{0.0};
  // Collectives' messages of at most this size are eager
  // (collectives/collective_run.h); 0: none.
  Bytes eager_limit{0};
  models::DeviceProfile device;
  // Where the device came from ("v100: datasheet, ...", or that `host` fell
  // back to the cpu_core default), for the run's log.
  std::string device_note;
  bool device_fallback = false;
  // The cluster profile the run was calibrated from (cluster.profile, as a
  // path from the working directory), and what the calibration read from
  // it, one line each, for the run's log; empty without a profile.
  std::string profile;
  std::vector<std::string> profile_notes;
};

struct OutputsPlan {
  std::string series_csv;  // empty: none
  std::string trace_json;  // empty: none
  std::uint32_t links_table_rows = 10;
};

struct RunPlan {
  std::string name;
  std::uint64_t seed = 1;
  std::string source;     // the scenario file, as given (or a label)
  std::string directory;  // where paths inside the scenario are relative to
  ClusterPlan cluster;
  Placement placement;
  WorkloadPlan workload;
  StrategySpec strategy;
  StragglerSpec stragglers;
  OutputsPlan outputs;
  // Set when the run is layer-wise (an accelerator device and a layer-wise
  // profile): it then runs as a task graph (sim/run/layer_wise_run.h).
  std::optional<LayerWisePlan> layer_wise;
  // The scenario with every default written in. Only echoed in results
  // (RunResult.effective_scenario) and by tools that write scenarios; the run
  // reads the typed fields above.
  Scenario effective;

  // Samples one update of the global model consumes.
  [[nodiscard]] std::uint64_t samples_per_update() const;
  // The run's length in updates for a training set of `training_samples`.
  [[nodiscard]] std::uint64_t steps(std::int64_t training_samples) const;
};

struct LoadOptions {
  // Reads every file the scenario names (the scenario itself, an edge list).
  // Default: the file system. Tests count calls through it.
  ReadFileFn read_file;
  // The `host` device's profile file; empty: DefaultHostProfilePath().
  std::filesystem::path host_profile;
  // What the run may use (resource_estimate.h): a plan whose estimate
  // exceeds them is refused. Absent: no limits (the `sim` commands pass
  // ThisMachineLimits(); tests pass their own, to be deterministic).
  std::optional<ResourceLimits> limits;
  // The run keeps a trace (--trace): its memory counts too.
  bool keep_trace = false;
  // The calibration of a plan from the cluster profile its scenario names
  // (cluster.profile; sim/calibration/profile_calibration.h): the `path=value`
  // overrides that calibrate it, and notes for the log. Throws
  // std::invalid_argument listing every problem. The plan is then resolved
  // again with them. Absent: a scenario naming a profile is refused (a
  // command that does not read profiles).
  struct ProfileCalibration {
    std::vector<std::string> overrides;
    std::vector<std::string> notes;
  };
  std::function<ProfileCalibration(const RunPlan& plan, const std::string& profile_path)> calibrate_from_profile;
};

// The plan of the scenario file at `path` with `overrides` ("path=value")
// applied. Throws ScenarioError listing every problem.
[[nodiscard]] RunPlan LoadPlan(const std::string& path, const std::vector<std::string>& overrides = {},
                               const LoadOptions& options = {});

// The plan of an already parsed scenario; `source` prefixes its problems and
// names it, `directory` resolves its relative paths.
[[nodiscard]] RunPlan ResolvePlan(Scenario scenario, const std::string& source, const std::string& directory,
                                  const LoadOptions& options = {});

// The plan of a topologies/library entry as a scenario of its own (every
// other field at its default), with `overrides`. When the entry and the
// overrides leave the cluster's size open (a star of any size), it gets
// `workers_if_open` workers.
[[nodiscard]] RunPlan LibraryPlan(const std::string& entry, const std::vector<std::string>& overrides,
                                  std::uint32_t workers_if_open = 0, const LoadOptions& options = {});

// The plan of scenario text (tests, generated scenarios), with overrides.
[[nodiscard]] RunPlan PlanFromText(const std::string& text, const std::vector<std::string>& overrides = {},
                                   const std::string& source = "scenario", const LoadOptions& options = {});

}  // namespace sim::scenario

#include "sim/scenario/validate.h"

#include <sstream>

#include "models/workload/validate_workload.h"
#include "topologies/cluster.h"

namespace sim::scenario {
namespace {

// Formats numbers the way a user wrote them (no trailing zeros).
template <typename T>
std::string Show(T value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

class Problems {
 public:
  template <typename T>
  void require(bool ok, const std::string& field, const std::string& rule, T got) {
    if (!ok) list_.push_back(field + " must be " + rule + ", got " + Show(got));
  }
  void add(std::string problem) { list_.push_back(std::move(problem)); }
  std::vector<std::string> take() { return std::move(list_); }

 private:
  std::vector<std::string> list_;
};

void CheckCluster(const Cluster& c, const Strategy& strategy, Problems& p) {
  p.require(c.workers() >= 1, "cluster.workers", ">= 1", c.workers());
  p.require(c.devices_per_host() >= 1, "cluster.devices_per_host", ">= 1", c.devices_per_host());
  p.require(c.hosts() >= 1, "cluster.hosts", ">= 1", c.hosts());
  const std::uint64_t endpoints = std::uint64_t{c.hosts()} * c.devices_per_host();
  const bool dedicated_servers = DedicatedServers(strategy) > 0;
  const std::uint64_t needed = c.workers() + DedicatedServers(strategy);
  if (c.workers() >= 1 && needed > endpoints) {
    p.add("cluster.workers (" + Show(c.workers()) + ")" +
          (dedicated_servers ? " + strategy.servers (" + Show(strategy.servers()) + ")" : std::string()) +
          " must fit on hosts x devices_per_host = " + Show(endpoints) + " endpoints, got " + Show(needed));
  }
  if (c.has_device_profile()) {
    p.require(c.device_profile().peak_tflops() > 0, "cluster.device_profile.peak_tflops", "> 0",
              c.device_profile().peak_tflops());
    double eff = c.device_profile().efficiency();
    p.require(eff >= 0 && eff <= 1, "cluster.device_profile.efficiency", "in (0, 1]", eff);
    p.require(c.device_profile().step_overhead_us() >= 0, "cluster.device_profile.step_overhead_us", ">= 0",
              c.device_profile().step_overhead_us());
  }
  // cluster.network is checked with the rest of the cluster (topo::ValidateCluster, below).
}

void CheckWorkload(const Workload& w, Problems& p) {
  // The models module checks the model, data and optimizer; what is left
  // here is how the run uses them.
  for (auto& problem : models::ValidateWorkload(w)) p.add(std::move(problem));
  if (w.model().has_timing_only() && w.epochs() > 0) {
    p.add("workload.epochs needs a dataset; a timing_only run is given in steps, got epochs " + Show(w.epochs()));
  }
}

void CheckStrategy(const Strategy& s, const Cluster& c, Problems& p) {
  if (UsesParameterServers(s)) p.require(s.servers() >= 1, "strategy.servers", ">= 1", s.servers());
  p.require(s.server_apply_gbyte_per_s() >= 0, "strategy.server_apply_gbyte_per_s", ">= 0 (0 = free)",
            s.server_apply_gbyte_per_s());
  if (s.kind() == LOCAL_SGD) p.require(s.local_steps() >= 1, "strategy.local_steps", ">= 1", s.local_steps());
  if (s.kind() == SYNC_BACKUP) {
    p.require(s.backup_workers() < c.workers(), "strategy.backup_workers",
              "< cluster.workers (" + Show(c.workers()) + ")", s.backup_workers());
  }
  if (s.kind() == SYNC_BACKUP && c.workers() >= 1) {
    p.require(s.backup_workers() >= 1, "strategy.backup_workers", ">= 1 with SYNC_BACKUP", s.backup_workers());
  }
}

void CheckStragglers(const Stragglers& s, const Cluster& c, Problems& p) {
  p.require(s.mean() >= 0, "stragglers.mean", ">= 0", s.mean());
  p.require(s.shift() >= 0, "stragglers.shift", ">= 0", s.shift());
  if (s.distribution() == EXPONENTIAL || s.distribution() == SHIFTED_EXPONENTIAL || s.distribution() == LOGNORMAL) {
    p.require(s.mean() > 0, "stragglers.mean", "> 0 with a straggler distribution", s.mean());
  }
  for (int i = 0; i < s.slow_workers_size(); ++i) {
    const SlowWorker& w = s.slow_workers(i);
    const std::string at = "stragglers.slow_workers[" + Show(i) + "]";
    p.require(w.worker() < c.workers(), at + ".worker", "< cluster.workers (" + Show(c.workers()) + ")", w.worker());
    p.require(w.factor() >= 1, at + ".factor", ">= 1", w.factor());
  }
  p.require(s.transient_probability() >= 0 && s.transient_probability() <= 1, "stragglers.transient_probability",
            "in [0, 1]", s.transient_probability());
  p.require(s.transient_factor() >= 1, "stragglers.transient_factor", ">= 1", s.transient_factor());
}

}  // namespace

bool UsesParameterServers(const Strategy& s) {
  return s.kind() == SYNC_PS || s.kind() == ASYNC_PS || s.kind() == SSP || s.kind() == SYNC_BACKUP;
}

std::uint32_t DedicatedServers(const Strategy& s) {
  return UsesParameterServers(s) && !s.colocated_servers() ? s.servers() : 0;
}

std::vector<std::string> ValidateScenario(const Scenario& scenario, const std::string& scenario_dir) {
  Problems p;
  // The topology module checks the network (links, shapes, connectivity);
  // this file checks how the job uses it.
  for (auto& problem : topo::ValidateCluster(scenario.cluster(), scenario_dir)) p.add(std::move(problem));
  CheckCluster(scenario.cluster(), scenario.strategy(), p);
  CheckWorkload(scenario.workload(), p);
  CheckStrategy(scenario.strategy(), scenario.cluster(), p);
  CheckStragglers(scenario.stragglers(), scenario.cluster(), p);
  return p.take();
}

}  // namespace sim::scenario

#include "sim/scenario/validate.h"

#include <sstream>

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
  const bool dedicated_servers = (strategy.kind() == SYNC_PS || strategy.kind() == ASYNC_PS) &&
                                 !strategy.colocated_servers();
  const std::uint64_t needed = c.workers() + (dedicated_servers ? strategy.servers() : 0);
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
  const NetworkCalibration& n = c.network();
  p.require(n.bandwidth_efficiency() > 0 && n.bandwidth_efficiency() <= 1, "cluster.network.bandwidth_efficiency",
            "in (0, 1]", n.bandwidth_efficiency());
  p.require(n.per_message_overhead_us() >= 0, "cluster.network.per_message_overhead_us", ">= 0",
            n.per_message_overhead_us());
  p.require(n.reduction_gbyte_per_s() >= 0, "cluster.network.reduction_gbyte_per_s", ">= 0 (0 = free)",
            n.reduction_gbyte_per_s());
}

void CheckWorkload(const Workload& w, Problems& p) {
  p.require(w.batch_size() >= 1, "workload.batch_size", ">= 1", w.batch_size());
  if (w.steps() > 0 && w.epochs() > 0) {
    p.add("workload.steps and workload.epochs are exclusive, got steps " + Show(w.steps()) + " and epochs " +
          Show(w.epochs()));
  }
  p.require(w.epochs() >= 0, "workload.epochs", ">= 0", w.epochs());
  p.require(w.target_accuracy() >= 0 && w.target_accuracy() <= 1, "workload.target_accuracy", "in [0, 1]",
            w.target_accuracy());
  if (w.model().has_timing_only()) {
    const TimingOnly& t = w.model().timing_only();
    if (t.parameters() == 0 && t.profile().empty()) {
      p.add("workload.model.timing_only needs parameters > 0 or a profile name, got neither");
    }
    p.require(t.flops_per_sample() >= 0, "workload.model.timing_only.flops_per_sample", ">= 0",
              t.flops_per_sample());
    if (w.target_accuracy() > 0) {
      p.add("workload.target_accuracy needs a model with numerics; timing_only has no accuracy");
    }
    if (w.epochs() > 0) p.add("workload.epochs needs a dataset; timing_only runs are given in steps");
  }
  if (w.model().has_mlp()) {
    for (int i = 0; i < w.model().mlp().hidden_size(); ++i) {
      p.require(w.model().mlp().hidden(i) >= 1, "workload.model.mlp.hidden[" + Show(i) + "]", ">= 1",
                w.model().mlp().hidden(i));
    }
  }
  const Dataset& d = w.dataset();
  p.require(d.label_skew() >= 0 && d.label_skew() <= 1, "workload.dataset.label_skew", "in [0, 1]", d.label_skew());
  if (d.has_synthetic()) {
    p.require(d.synthetic().features() >= 1, "workload.dataset.synthetic.features", ">= 1", d.synthetic().features());
    p.require(d.synthetic().classes() >= 2 || w.model().has_linear_regression(), "workload.dataset.synthetic.classes",
              ">= 2", d.synthetic().classes());
    p.require(d.synthetic().noise() >= 0, "workload.dataset.synthetic.noise", ">= 0", d.synthetic().noise());
  }
  if (w.model().has_linear_regression() && d.has_fashion_mnist()) {
    p.add("workload.model.linear_regression needs a synthetic dataset (it fits real-valued targets), got fashion_mnist");
  }
  const Optimizer& o = w.optimizer();
  p.require(o.learning_rate() > 0, "workload.optimizer.learning_rate", "> 0", o.learning_rate());
  p.require(o.momentum() >= 0 && o.momentum() < 1, "workload.optimizer.momentum", "in [0, 1)", o.momentum());
  p.require(o.weight_decay() >= 0, "workload.optimizer.weight_decay", ">= 0", o.weight_decay());
  p.require(o.clip_norm() >= 0, "workload.optimizer.clip_norm", ">= 0 (0 = off)", o.clip_norm());
  if (o.schedule() == STEP) p.require(o.step_every() >= 1, "workload.optimizer.step_every", ">= 1 with STEP", o.step_every());
  p.require(o.step_gamma() > 0, "workload.optimizer.step_gamma", "> 0", o.step_gamma());
}

void CheckStrategy(const Strategy& s, const Cluster& c, Problems& p) {
  const bool ps = s.kind() == SYNC_PS || s.kind() == ASYNC_PS;
  if (ps) p.require(s.servers() >= 1, "strategy.servers", ">= 1", s.servers());
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

std::vector<std::string> ValidateScenario(const Scenario& scenario) {
  Problems p;
  CheckCluster(scenario.cluster(), scenario.strategy(), p);
  CheckWorkload(scenario.workload(), p);
  CheckStrategy(scenario.strategy(), scenario.cluster(), p);
  CheckStragglers(scenario.stragglers(), scenario.cluster(), p);
  return p.take();
}

}  // namespace sim::scenario

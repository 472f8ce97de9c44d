#include "sim/result/run_result.h"

#include <cmath>
#include <cstdio>

#include <google/protobuf/text_format.h>

namespace sim {

std::string ScenarioHash(const scenario::Scenario& scenario) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(scenario, &text);
  // FNV-1a, 64 bits (Fowler, Noll, Vo): offset basis and prime.
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

void SetDevice(result::RunResult& r, const scenario::DeviceProfile& device, const std::string& source) {
  *r.mutable_device() = device;
  r.set_device_source(source);
}

result::RunResult MakeRunResult(const RunSummary& summary, const TrainingLog& log,
                                const scenario::Scenario& effective) {
  result::RunResult r;
  r.set_scenario(summary.scenario);
  r.set_version(SIM_VERSION);
  r.set_seed(summary.seed);
  const auto workers = static_cast<std::uint32_t>(summary.per_worker.size());
  r.set_workers(workers);
  r.set_strategy(summary.strategy);
  r.set_steps(static_cast<std::uint32_t>(summary.updates));
  r.set_samples(summary.samples);
  r.set_sim_time_s(summary.end_s);
  r.set_mean_step_s(r.steps() > 0 ? summary.end_s / r.steps() : 0.0);
  r.set_samples_per_s(summary.end_s > 0 ? r.samples() / summary.end_s : 0.0);

  double compute_s = 0, comm_s = 0, wait_s = 0;
  for (std::uint32_t w = 0; w < workers; ++w) {
    const WorkerTimes& t = summary.per_worker[w];
    result::WorkerTime* wt = r.add_per_worker();
    wt->set_worker(w);
    wt->set_computations(t.computations);
    wt->set_compute_s(t.compute_s);
    wt->set_comm_s(t.comm_s);
    wt->set_wait_s(t.wait_s);
    compute_s += wt->compute_s();
    comm_s += wt->comm_s();
    wait_s += wt->wait_s();
  }
  r.set_compute_s(compute_s / workers);
  r.set_comm_s(comm_s / workers);
  r.set_wait_s(wait_s / workers);

  // A diverged run has no final loss (NaN or infinite is not a number a
  // JSON reader can take): `diverged` and `diverged_at_step` say what happened.
  if (!log.diverged()) r.set_final_loss(0.0);
  if (!log.evaluations().empty()) {
    if (std::isfinite(log.evaluations().back().loss)) r.set_final_loss(log.evaluations().back().loss);
    r.set_final_accuracy(log.evaluations().back().accuracy);
  }
  if (auto t = log.time_to_target()) {
    r.set_time_to_target_s(t->seconds());
    r.set_steps_to_target(static_cast<std::uint32_t>(*log.steps_to_target()));
  }
  r.set_diverged(log.diverged());
  if (auto step = log.diverged_at_step()) r.set_diverged_at_step(static_cast<std::uint32_t>(*step));
  r.set_staleness_mean(log.staleness_mean());
  r.set_staleness_max(static_cast<std::uint32_t>(log.staleness_max()));
  for (std::uint64_t n : log.staleness_histogram()) r.add_staleness_histogram(static_cast<double>(n));
  *r.mutable_effective_scenario() = effective;
  r.set_scenario_hash(ScenarioHash(effective));
  return r;
}

}  // namespace sim

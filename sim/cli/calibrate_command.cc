// `sim calibrate [--scenario FILE] [--set ...] [--batch N] [--out FILE]`:
// measures this host's sustained FLOP rate on the scenario's model (its real
// Eigen gradient) and writes it as the `host` device profile, which runs then
// use by default. The one command that reads the wall clock; what it measures
// enters simulations only through the file it writes.
#include <iostream>
#include <memory>

#include "models/compute/host_calibration.h"
#include "models/data/load_dataset.h"
#include "models/nn/make_model.h"
#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"
#include "sim/scenario/device_profile_file.h"
#include "sim/scenario/device_resolution.h"
#include "sim/scenario/run_plan.h"

namespace sim::cli {
namespace {

struct CalibrateOptions {
  std::string scenario = "scenarios/quickstart.pbtxt";
  std::vector<std::string> overrides;
  std::int64_t batch = 0;
  std::string out;
  int rounds = 5;
};

void Calibrate(const CalibrateOptions& o) {
  const scenario::RunPlan plan = scenario::LoadPlan(o.scenario, o.overrides);
  const scenario::WorkloadPlan& workload = plan.workload;
  if (workload.timing_only_workload()) {
    throw std::invalid_argument(o.scenario + ": calibrate needs a model with numerics, not timing_only");
  }
  const auto data = models::LoadDataset(*workload.dataset, plan.seed);
  const auto model = models::MakeModel(*workload.model, data.train.feature_count(), data.train.classes);
  const std::int64_t batch = o.batch > 0 ? o.batch : workload.batch_size;
  models::HostRateOptions rate_options;
  rate_options.rounds = o.rounds;
  const FlopsPerSecond rate = models::MeasureHostRate(*model, batch, rate_options);
  const std::string out = o.out.empty() ? scenario::DefaultHostProfilePath().string() : o.out;
  scenario::WriteDeviceProfile(models::HostProfile(rate), out,
                             "Measured by `sim calibrate` on " + model->name() + ", batch " + std::to_string(batch) +
                                 " (median of " + std::to_string(o.rounds) + " rounds).");
  std::cout << "host: " << InGigaflopsPerSecond(rate) << " GFLOP/s on " << model->name() << " at batch " << batch
            << "; written to " << out << "\n";
}

}  // namespace

void RegisterCalibrateCommand(CLI::App& app) {
  auto o = std::make_shared<CalibrateOptions>();
  CLI::App* cmd = app.add_subcommand("calibrate", "Measure this host's compute rate and write the `host` device profile");
  cmd->add_option("-s,--scenario", o->scenario, "Scenario whose model is measured")->capture_default_str();
  cmd->add_option("--set", o->overrides, "Override a scenario field, as for a run");
  cmd->add_option("--batch", o->batch, "Batch size to measure at (default: the scenario's)");
  cmd->add_option("--rounds", o->rounds, "Measurement rounds; the median is kept")->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("-o,--out", o->out,
                  "Profile file to write (default: $SIM_HOST_PROFILE, else build/host_device.pbtxt)");
  cmd->callback([o] { RunReportingErrors([&] { Calibrate(*o); }); });
}

}  // namespace sim::cli

// build/mpi_calibrate: measures, on the ranks a scenario's real run will use
// (launched exactly as mpi_train is), what the simulator's calibration needs
// and nothing it is judged on: the workers' gradient time with all of them
// computing at once, the optimizer and reduction arithmetic, and messages
// between ranks (1-byte latency, one-way, pair exchange and ring step at the
// sizes the run sends). Writes measurements.proto as JSON; turn it into
// scenario overrides with `build/validate calibration`.
//
//   mpirun -np P build/mpi_calibrate -s scenario.pbtxt --set cluster.workers=P
//     [--allreduce ring|mpi] --out measured.json
//
// With --profile-sizes B1,B2,... it measures for a cluster profile instead
// (validate/calibrate --cluster; measurements.proto, ClusterProfile): every
// rank computes the scenario's model (a reference: an all-reduce scenario
// on every rank), and every pattern is timed at those sizes, the fans with
// the last rank as the hub and the others as its workers, whatever the
// scenario's strategy would send.
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <google/protobuf/util/json_util.h>

#include <iostream>
#include <memory>
#include <optional>

#include "models/data/load_dataset.h"
#include "sim/training/numerics.h"
#include "models/optim/make_optimizer.h"
#include "sim/result/atomic_file.h"
#include "sim/run/training_run.h"
#include "sim/scenario/run_plan.h"
#include "sim/calibration/calibration.h"
#include "validate/mpi_calibrate/probes.h"

namespace sim::validate {
namespace {

// The fit and the profile are sim/calibration's; this program feeds them.
using namespace sim::calibration;

// One probe's result at one size: its mean and every block's time.
void Record(std::int64_t bytes, const BlockTimes& measured, SizeTime* into) {
  into->set_bytes(bytes);
  into->set_seconds(measured.mean_s);
  for (double t : measured.blocks_s) into->add_block_seconds(t);
}

int Main(int argc, char** argv) {
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);

  std::string scenario_path, allreduce = "ring", out;
  std::vector<std::string> overrides;
  int repetitions = 11;
  double compute_seconds = 1.0;
  std::vector<std::int64_t> profile_sizes;
  CLI::App app{"mpi_calibrate: measure compute and links for a scenario's real run", "mpi_calibrate"};
  app.add_option("-s,--scenario", scenario_path, "Scenario file")->required()->check(CLI::ExistingFile);
  app.add_option("--set", overrides, "Override a scenario field (repeatable)")->allow_extra_args(false);
  app.add_option("--allreduce", allreduce, "ring or mpi: which all-reduce the real run will use")
      ->capture_default_str();
  app.add_option("--out", out, "Write the measurements (JSON) here")->required();
  app.add_option("--repetitions", repetitions, "Timed blocks per network measurement")->capture_default_str();
  app.add_option("--compute-seconds", compute_seconds,
                 "Wall time of the free-running compute measurement, and the least of the lockstep one")
      ->capture_default_str();
  app.add_option("--profile-sizes", profile_sizes,
                 "Measure for a cluster profile: every pattern at these message sizes (bytes)")
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (rank == 0) app.exit(e);
    return e.get_exit_code() == 0 ? 0 : 2;
  }
  if (allreduce != "ring" && allreduce != "mpi") {
    if (rank == 0) std::cerr << "mpi_calibrate: --allreduce must be ring or mpi, got '" << allreduce << "'\n";
    return 2;
  }

  std::optional<scenario::RunPlan> loaded;
  try {
    loaded = scenario::LoadPlan(scenario_path, overrides);
  } catch (const scenario::ScenarioError& e) {
    if (rank == 0) std::cerr << e.what() << "\n";
    return 2;
  }
  const scenario::RunPlan& plan = *loaded;
  const std::uint32_t workers = plan.cluster.workers;
  const std::uint32_t expected = plan.placement.endpoints;
  const auto* star = std::get_if<topo::StarSpec>(&plan.cluster.topology_spec.fabric);
  std::vector<std::string> problems;
  if (static_cast<std::uint32_t>(ranks) != expected) {
    problems.push_back("launched on " + std::to_string(ranks) + " ranks, the scenario's run uses " +
                       std::to_string(expected) + ": use mpirun -np " + std::to_string(expected));
  }
  if (star == nullptr) problems.push_back("cluster.topology must be a star (as the emulated cluster)");
  if (plan.workload.timing_only_workload()) problems.push_back("workload.model.timing_only has no numerics");
  const bool profile = !profile_sizes.empty();
  if (profile && workers != expected) {
    problems.push_back("--profile-sizes: every rank must be a worker (a SYNC_ALLREDUCE or LOCAL_SGD scenario); "
                       "this one has " + std::to_string(expected - workers) + " server ranks");
  }
  if (!problems.empty()) {
    if (rank == 0) {
      std::cerr << "mpi_calibrate: " << scenario_path << ":\n";
      for (const auto& p : problems) std::cerr << "  " << p << "\n";
    }
    return 2;
  }

  // The workers' gradients as the run computes them: the same numerics,
  // shard and sampler (sim/training/numerics.h).
  auto data = std::make_shared<const models::TrainTest>(models::LoadDataset(*plan.workload.dataset, plan.seed));
  Numerics numerics(NumericsSpecOf(plan), workers, data);
  const models::Model* model = numerics.model();
  const std::int64_t batch = plan.workload.batch_size;
  const std::int64_t parameters = model->parameter_count();
  const std::int64_t gradient_bytes = parameters * 4;
  const bool computes = static_cast<std::uint32_t>(rank) < workers;
  const auto implementation =
      allreduce == "mpi" ? AllreduceImplementation::kMpiAllreduce : AllreduceImplementation::kPointToPointRing;

  HostMeasurements m;
  m.set_scenario(plan.name);
  m.set_workers(workers);
  m.set_ranks(static_cast<std::uint32_t>(ranks));
  m.set_gradient_bytes(gradient_bytes);
  m.set_flops_per_step(model->flops_per_sample().count * static_cast<double>(batch));
  m.set_nominal_gbit_per_s(InGigabitsPerSecond(star->host_link.bandwidth));

  // Compute: every worker at once, servers waiting (as in the run).
  const auto worker = static_cast<std::uint32_t>(rank);
  models::OptimizerOptions optimizer_options = plan.workload.optimizer;
  models::ScheduleOf(optimizer_options).total_steps = plan.workload.length.steps;
  const auto compute = [&] { (void)numerics.compute_gradient(worker, numerics.current()); };
  // A step's local arithmetic besides the gradient (copy, scale, optimizer
  // step on whole-length vectors), run between timed computations.
  const auto local_optimizer = models::MakeOptimizer(optimizer_options);
  Eigen::VectorXf local_params = *numerics.current().values, local_update = local_params;
  const auto between = [&] {
    local_update = local_params;
    local_update *= 1e-3f;
    local_optimizer->apply(local_params, local_update);
  };
  const auto free_running = FreeRunningStepSeconds(MPI_COMM_WORLD, computes, compute, compute_seconds);
  for (double t : free_running) m.add_free_running_step_s(t);
  const bool shared_clock = SharedClock(MPI_COMM_WORLD);
  m.set_lockstep_step_s(
      LockstepStepSeconds(MPI_COMM_WORLD, computes, compute, between, 41, compute_seconds, shared_clock));
  m.set_optimizer_step_s(
      OptimizerStepSeconds(MPI_COMM_WORLD, computes, *models::MakeOptimizer(optimizer_options), parameters, 51));
  m.set_add_gradient_s(AddGradientSeconds(MPI_COMM_WORLD, computes, parameters, 51));

  // Network: the sizes the run sends (a profile: its grid, every pattern).
  if (ranks >= 2) {
    std::vector<std::int64_t> sizes = profile ? profile_sizes : MessageSizes(plan, implementation, gradient_bytes);
    if (sizes.empty()) sizes = {gradient_bytes / 4, gradient_bytes / 2};
    m.set_sizes_note(profile ? "cluster profile: every pattern at a grid of sizes, hub = last rank"
                             : "sizes of " + std::string(Name(PatternOf(plan, implementation, gradient_bytes))) +
                                   " traffic");
    // The fans' hub and its workers: the run's server and workers, or for a
    // profile the last rank and the others.
    const bool fans = profile || !plan.placement.servers.empty();
    const int hub = profile ? ranks - 1 : fans ? static_cast<int>(plan.placement.servers.front()) : 0;
    const int senders = profile ? ranks - 1 : static_cast<int>(workers);
    m.set_small_message_s(OneWaySeconds(MPI_COMM_WORLD, 1, 4 * repetitions).mean_s);
    for (std::int64_t bytes : sizes) {
      Record(bytes, OneWaySeconds(MPI_COMM_WORLD, bytes, repetitions), m.add_one_way());
      Record(bytes,
             PairExchangeSeconds(MPI_COMM_WORLD, bytes, repetitions,
                                 implementation == AllreduceImplementation::kMpiAllreduce
                                     ? ExchangeCalls::kOpenMpiSendrecv
                                     : ExchangeCalls::kNonblocking),
             m.add_pair_exchange());
      if (ranks >= 3) Record(bytes, RingExchangeSeconds(MPI_COMM_WORLD, bytes, repetitions), m.add_ring_exchange());
      if (fans) {
        Record(bytes, FanSeconds(MPI_COMM_WORLD, hub, senders, FanDirection::kIn, bytes, repetitions), m.add_fan_in());
        Record(bytes, FanSeconds(MPI_COMM_WORLD, hub, senders, FanDirection::kOut, bytes, repetitions),
               m.add_fan_out());
        if (senders >= 2) {
          Record(bytes, FanSeconds(MPI_COMM_WORLD, hub, senders, FanDirection::kHalfEach, bytes, repetitions),
                 m.add_fan_half_each());
          SizeTimes* completions = m.add_fan_out_completions();
          completions->set_bytes(bytes);
          // Three times the blocks: the order statistics of one fan-out vary more than its total.
          for (double seconds : FanOutCompletions(MPI_COMM_WORLD, hub, senders, bytes, 3 * repetitions)) {
            completions->add_seconds(seconds);
          }
        }
      }
    }
  }

  if (rank == 0) {
    std::string json;
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    options.preserve_proto_field_names = true;
    options.always_print_primitive_fields = true;
    (void)google::protobuf::util::MessageToJsonString(m, &json, options);
    WriteFileAtomically(out, json);
  }
  return 0;
}

}  // namespace
}  // namespace sim::validate

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int status = 1;
  try {
    status = sim::validate::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "mpi_calibrate: " << e.what() << "\n";
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
  return status;
}

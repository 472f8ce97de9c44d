// build/mpi_train: the real twin of a scenario (issue: validation). Runs the
// scenario's model, data, seed and strategy for real on MPI ranks and writes
// what `sim` writes for the same scenario: a RunResult JSON (--json) and the
// series CSV (--series), with wall-clock seconds where sim has simulated
// ones. Launch it with one rank per worker, plus one per dedicated parameter
// server:
//
//   mpirun -np P build/mpi_train -s scenario.pbtxt --set cluster.workers=P
//     [--allreduce ring|mpi] --json real.json --series real.csv
//
// Strategies: SYNC_ALLREDUCE and LOCAL_SGD (our ring over point-to-point, or
// MPI_Allreduce), SYNC_PS, ASYNC_PS, SSP and SYNC_BACKUP (backup workers)
// with dedicated servers (SSP and SYNC_BACKUP: one server). --applied writes
// every applied gradient's worker and staleness. With backup workers it also
// prints how many computations were cut short and late gradients dropped.
// Exit status: 0 success, 2 bad input (nothing written), 1 any other failure.
#include <mpi.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/data/batch.h"
#include "models/data/load_dataset.h"
#include "sim/scenario/device_resolution.h"
#include "sim/result/atomic_file.h"
#include "sim/result/report.h"
#include "sim/result/run_result.h"
#include "sim/run/training_run.h"
#include "sim/scenario/run_plan.h"
#include "sim/training/straggler_model.h"
#include "validate/mpi_train/real_run.h"
#include "sim/calibration/openmpi_allreduce_choice.h"

namespace sim::validate {
namespace {

struct Options {
  std::string scenario;
  std::vector<std::string> overrides;
  std::string allreduce = "ring";
  std::string json, series, steps_csv, applied_csv;
  bool quiet = false;
};

// Every reason this plan cannot run for real on `ranks` ranks.
std::vector<std::string> Problems(const scenario::RunPlan& plan, int ranks, const Options& o) {
  std::vector<std::string> p;
  const StrategySpec& st = plan.strategy;
  const std::string kind(Entry(st.kind).name);
  if ((st.kind == StrategyKind::kSsp || st.kind == StrategyKind::kSyncBackup) && st.servers > 1) {
    p.push_back("strategy.servers " + std::to_string(st.servers) + ": mpi_train runs " + kind + " with 1 server");
  }
  if (st.compression.scheme != models::CompressionScheme::kNone) {
    p.push_back("strategy.compression: mpi_train sends uncompressed gradients only");
  }
  if (Entry(st.kind).uses_servers && st.colocated_servers) {
    p.push_back("strategy.colocated_servers: mpi_train runs dedicated server ranks only");
  }
  const std::uint32_t expected = plan.placement.endpoints;
  const std::uint32_t workers = plan.cluster.workers;
  if (static_cast<std::uint32_t>(ranks) != expected) {
    p.push_back("launched on " + std::to_string(ranks) + " ranks, the scenario needs " + std::to_string(expected) +
                " (" + std::to_string(workers) + " workers + " + std::to_string(expected - workers) +
                " servers): use mpirun -np " + std::to_string(expected));
  }
  if (plan.workload.timing_only_workload()) p.push_back("workload.model.timing_only has no numerics to run for real");
  if (plan.workload.stop_at_target) p.push_back("workload.stop_at_target: mpi_train always runs every step");
  if (Entry(st.kind).uses_servers && st.servers > 1 && models::ClipNormOf(plan.workload.optimizer) > 0) {
    p.push_back("workload.optimizer.clip_norm needs the whole gradient's norm: mpi_train clips only with 1 server");
  }
  if (o.allreduce != "ring" && o.allreduce != "mpi") {
    p.push_back("--allreduce must be ring or mpi, got '" + o.allreduce + "'");
  }
  return p;
}

void SendVector(std::span<const double> v, int to, int tag) {
  const auto size = static_cast<int>(v.size());
  MPI_Send(&size, 1, MPI_INT, to, tag, MPI_COMM_WORLD);
  MPI_Send(v.data(), size, MPI_DOUBLE, to, tag, MPI_COMM_WORLD);
}

std::vector<double> ReceiveVector(int from, int tag) {
  int size = 0;
  MPI_Recv(&size, 1, MPI_INT, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  std::vector<double> v(static_cast<std::size_t>(size));
  MPI_Recv(v.data(), size, MPI_DOUBLE, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return v;
}

// With parameter servers, rank 0 collects server 0's events and every
// server's shard of every snapshot, and puts whole snapshots together.
void CollectTrace(const RankLayout& layout, std::int64_t n, RankOutcome& out) {
  constexpr int kEventsTag = 101, kSnapshotTag = 102;
  if (layout.servers == 0) return;
  if (!layout.is_worker()) {
    if (layout.server() == 0) {
      std::vector<double> header = out.trace.encoded_events();
      header.push_back(static_cast<double>(out.updates));
      header.push_back(static_cast<double>(out.samples));
      SendVector(header, 0, kEventsTag);
    }
    for (const Eigen::VectorXf& shard : out.trace.snapshots()) {
      MPI_Send(shard.data(), static_cast<int>(shard.size()), MPI_FLOAT, 0, kSnapshotTag, MPI_COMM_WORLD);
    }
    return;
  }
  if (layout.rank != 0) return;
  std::vector<double> header = ReceiveVector(layout.server_rank(0), kEventsTag);
  out.samples = static_cast<std::uint64_t>(header.back());
  header.pop_back();
  out.updates = static_cast<std::uint64_t>(header.back());
  header.pop_back();
  TrainingTrace whole;
  whole.decode_events(header);
  std::size_t evaluations = 0;
  for (const auto& e : whole.events()) evaluations += e.evaluation ? 1 : 0;
  auto& snapshots = whole.snapshots();
  snapshots.assign(evaluations, Eigen::VectorXf(n));
  for (std::uint32_t s = 0; s < layout.servers; ++s) {
    const ElementRange r = ElementPiece(n, layout.servers, s);
    for (Eigen::VectorXf& snapshot : snapshots) {
      MPI_Recv(snapshot.data() + r.begin, static_cast<int>(r.size()), MPI_FLOAT, layout.server_rank(s), kSnapshotTag,
               MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
  }
  out.trace = std::move(whole);
}

// Every rank's steps, on rank 0, as "rank,step,start_s,computed_s,end_s,gradient_s"
// rows (each rank's own clock since its start; workers only: servers take
// none). gradient_s is the step's gradient time without the straggler sleep,
// which lasts (slowdown - 1) x it.
std::string GatherStepsCsv(const std::vector<StepRecord>& steps, int rank, int ranks) {
  constexpr int kStepsTag = 103;
  std::vector<double> mine;
  for (const StepRecord& r : steps) {
    mine.insert(mine.end(), {static_cast<double>(r.step), r.start_s, r.computed_s, r.end_s, r.gradient_s});
  }
  if (rank != 0) {
    SendVector(mine, 0, kStepsTag);
    return {};
  }
  std::string text = "rank,step,start_s,computed_s,end_s,gradient_s\n";
  char row[160];
  for (int from = 0; from < ranks; ++from) {
    const std::vector<double> v = from == 0 ? mine : ReceiveVector(from, kStepsTag);
    for (std::size_t i = 0; i + 4 < v.size(); i += 5) {
      std::snprintf(row, sizeof row, "%d,%.0f,%.9f,%.9f,%.9f,%.9f\n", from, v[i], v[i + 1], v[i + 2], v[i + 3],
                    v[i + 4]);
      text += row;
    }
  }
  return text;
}

std::string StrategyLabel(const scenario::RunPlan& plan, AllreduceImplementation implementation, std::int64_t bytes) {
  if (plan.strategy.kind == StrategyKind::kLocalSgd) {
    return implementation == AllreduceImplementation::kPointToPointRing ? "LOCAL_SGD/RING" : "LOCAL_SGD/MPI_Allreduce";
  }
  if (plan.strategy.kind != StrategyKind::kSyncAllReduce) return StrategyName(plan.strategy);
  if (implementation == AllreduceImplementation::kPointToPointRing) return "SYNC_ALLREDUCE/RING";
  const calibration::AllreduceChoice choice = calibration::OpenMpiAllreduceChoice(plan.cluster.workers, bytes);
  return "SYNC_ALLREDUCE/MPI_Allreduce(" + std::string(Name(choice.runs)) + ")";
}

int Main(int argc, char** argv) {
  const auto wall_start = std::chrono::steady_clock::now();
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);

  Options o;
  CLI::App app{"mpi_train: run a scenario for real on MPI ranks (workers, then parameter servers)", "mpi_train"};
  app.add_option("-s,--scenario", o.scenario, "Scenario file (.pbtxt or .json)")->required()->check(CLI::ExistingFile);
  app.add_option("--set", o.overrides, "Override a scenario field, as for sim (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--allreduce", o.allreduce, "SYNC_ALLREDUCE: ring (ours, point-to-point) or mpi (MPI_Allreduce)")
      ->capture_default_str();
  app.add_option("--json", o.json, "Write the RunResult as JSON to this file (rank 0)");
  app.add_option("--series", o.series, "Write the series CSV (step,sim_time_s,loss,accuracy,staleness,kind)");
  app.add_option("--steps", o.steps_csv,
                 "Write every worker's per-step wall times (rank,step,start_s,computed_s,end_s,gradient_s)");
  app.add_option("--applied", o.applied_csv, "Write every applied gradient (update,worker,staleness,time_s)");
  app.add_flag("-q,--quiet", o.quiet, "Print nothing but errors");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (rank == 0) app.exit(e);
    return e.get_exit_code() == 0 ? 0 : 2;
  }

  std::optional<scenario::RunPlan> loaded;
  try {
    loaded = scenario::LoadPlan(o.scenario, o.overrides);
  } catch (const scenario::ScenarioError& e) {
    if (rank == 0) std::cerr << e.what() << "\n";
    return 2;
  }
  const scenario::RunPlan& plan = *loaded;
  if (const auto problems = Problems(plan, ranks, o); !problems.empty()) {
    if (rank == 0) {
      std::cerr << "mpi_train: " << o.scenario << ": cannot run for real:\n";
      for (const auto& p : problems) std::cerr << "  " << p << "\n";
    }
    return 2;
  }

  const std::uint32_t workers = plan.cluster.workers;
  const RankLayout layout(rank, ranks, plan.placement);
  auto data = std::make_shared<const models::TrainTest>(models::LoadDataset(*plan.workload.dataset, plan.seed));
  Numerics numerics(NumericsSpecOf(plan), workers, data);
  auto stragglers = MakeStragglerModel(plan.stragglers, workers, plan.seed);
  const std::uint64_t steps = numerics.total_steps();
  const std::uint64_t eval_every = plan.workload.eval_every_steps > 0 ? plan.workload.eval_every_steps
                                                                      : std::max<std::uint64_t>(1, steps / 10);
  if (plan.strategy.kind == StrategyKind::kSyncBackup && steps > MaxBackupSteps()) {
    if (rank == 0) {
      std::cerr << "mpi_train: " << o.scenario << ": cannot run for real:\n  workload: " << steps
                << " steps: mpi_train tags each backup worker's push with its step, and this MPI's tags allow "
                << MaxBackupSteps() << "\n";
    }
    return 2;
  }
  const auto implementation =
      o.allreduce == "mpi" ? AllreduceImplementation::kMpiAllreduce : AllreduceImplementation::kPointToPointRing;
  const std::int64_t n = numerics.model()->parameter_count();

  // Warm-up outside the clock: one pass over the worker's shard with a copy
  // of the model (its sampler is untouched). The first pass over the data is
  // measurably slower (here 0.56 ms per gradient instead of 0.35 on the
  // validation MLP, for the first ~100 steps: pages and caches touched for
  // the first time); the calibration measures warm gradients, and a long
  // training run is warm.
  if (layout.is_worker()) {
    auto model = numerics.model()->clone();
    Eigen::VectorXf grad;
    const models::Shards shards =
        models::ShardTrainingSet(plan.workload.sharding, data->train, static_cast<int>(workers), plan.seed);
    const std::vector<models::SampleIndex>& shard = shards.at(layout.worker());
    const auto batch = static_cast<std::size_t>(plan.workload.batch_size);
    for (std::size_t first = 0; first + batch <= shard.size(); first += batch) {
      const std::span<const models::SampleIndex> rows(shard.data() + first, batch);
      (void)model->loss_and_gradient(*numerics.current().values, models::Batch(data->train, rows), grad);
    }
  }

  MPI_Barrier(MPI_COMM_WORLD);
  RealRunContext context{plan, layout, MPI_COMM_WORLD, numerics, *stragglers, steps, eval_every, implementation,
                         MPI_Wtime()};
  const bool backups = plan.strategy.kind == StrategyKind::kSyncBackup;
  RankOutcome out = plan.strategy.kind == StrategyKind::kSyncAllReduce ? RunSyncAllReduce(context)
                    : plan.strategy.kind == StrategyKind::kLocalSgd   ? RunLocalSgd(context)
                    : backups                                         ? RunBackupWorkers(context)
                                                                      : RunParameterServers(context);
  MPI_Barrier(MPI_COMM_WORLD);
  // Backup workers: computations cut short (workers) and late pushes dropped
  // (the server), summed on rank 0.
  std::uint64_t backup_counts[2] = {out.cut_short, out.dropped_late};
  if (backups) {
    MPI_Reduce(rank == 0 ? MPI_IN_PLACE : backup_counts, backup_counts, 2, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
  }

  // Per-rank times to rank 0.
  const double mine[5] = {out.compute_s, out.comm_s, out.wait_s, static_cast<double>(out.computations), out.end_s};
  std::vector<double> all(rank == 0 ? 5 * static_cast<std::size_t>(ranks) : 0);
  MPI_Gather(mine, 5, MPI_DOUBLE, all.data(), 5, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  CollectTrace(layout, n, out);
  const std::string steps_csv = o.steps_csv.empty() ? std::string() : GatherStepsCsv(out.steps, rank, ranks);
  if (rank != 0) return 0;

  auto model = numerics.model()->clone();
  const std::uint32_t eval_samples = plan.workload.eval_samples;
  const TrainingLog log = Replay(
      out.trace,
      [&](const Eigen::VectorXf& params) {
        const models::Evaluation e = model->evaluate(params, data->test, eval_samples);
        return TestScore{e.loss, e.accuracy.value_or(0.0)};
      },
      plan.workload.target_accuracy);

  RunSummary summary{plan.name, plan.seed, StrategyLabel(plan, implementation, n * 4), out.updates,
                     static_cast<double>(out.samples), 0.0, {}};
  for (int k = 0; k < ranks; ++k) summary.end_s = std::max(summary.end_s, all[5 * static_cast<std::size_t>(k) + 4]);
  for (std::uint32_t w = 0; w < workers; ++w) {
    summary.per_worker.push_back(
        {static_cast<std::uint32_t>(all[5 * w + 3]), all[5 * w], all[5 * w + 1], all[5 * w + 2]});
  }
  result::RunResult r = MakeRunResult(summary, log, plan.effective);
  SetDevice(r, scenario::DeviceProfileMessage(plan.cluster.device), plan.cluster.device_note);
  r.set_wall_s(std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count());

  if (!o.json.empty()) WriteFileAtomically(o.json, ResultJson(r));
  if (!o.series.empty()) WriteFileAtomically(o.series, log.series_csv());
  if (!o.steps_csv.empty()) WriteFileAtomically(o.steps_csv, steps_csv);
  if (!o.applied_csv.empty()) WriteFileAtomically(o.applied_csv, AppliedGradientsCsv(out.trace));
  if (!o.quiet) {
    std::printf("%s: %s, %u workers, %u steps: %.6f s per step (wall), final loss %.6f, accuracy %.4f\n",
                plan.name.c_str(), r.strategy().c_str(), workers, r.steps(), r.mean_step_s(), r.final_loss(),
                r.final_accuracy());
    if (backups) {
      std::printf("backup workers: %llu computations cut short, %llu late gradients dropped\n",
                  static_cast<unsigned long long>(backup_counts[0]), static_cast<unsigned long long>(backup_counts[1]));
    }
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
    std::cerr << "mpi_train: " << e.what() << "\n";
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
  return status;
}

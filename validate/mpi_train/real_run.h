// One rank's part of a real training run: what it needs (the run plan, its
// place among the ranks, its numerics and straggler streams, the clock) and
// what it reports (its time split, the steps it saw, and, on the ranks that
// hold the global model, the training trace).
//
// Every rank builds the same Numerics as the simulation (same data, shards,
// samplers, initial parameters and optimizer; sim/training/numerics.h) and
// uses only its own part: worker k draws only from sampler k, a server
// updates only its shard. Stragglers draw from the same named streams
// ("straggler/worker/K") in the same order as the simulation, one draw per
// gradient computed, and become real sleeps of (slowdown - 1) x the measured
// compute time of that gradient, so the step lasts slowdown x its compute.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "sim/scenario/run_plan.h"
#include "sim/training/numerics.h"
#include "sim/training/straggler_model.h"
#include "sim/calibration/calibration.h"
#include "validate/mpi_train/rank_layout.h"
#include "validate/mpi_train/training_trace.h"

namespace sim::validate {

using calibration::AllreduceImplementation;

struct RealRunContext {
  const scenario::RunPlan& plan;
  RankLayout layout;
  MPI_Comm comm;
  Numerics& numerics;
  StragglerModel& stragglers;
  std::uint64_t steps = 0;
  std::uint64_t eval_every = 1;
  AllreduceImplementation allreduce = AllreduceImplementation::kPointToPointRing;
  // MPI_Wtime() when every rank left the starting barrier.
  double start_wtime = 0;

  [[nodiscard]] double now() const { return MPI_Wtime() - start_wtime; }
};

// One step as this rank saw it, seconds since the start.
struct StepRecord {
  std::uint64_t step = 0;
  double start_s = 0;
  double computed_s = 0;  // gradient (and straggler sleep) done
  double end_s = 0;       // new parameters in hand
  double gradient_s = 0;  // of which the gradients' own time (no straggler sleep)
  // The rank's RankOutcome::gradient_s when the step began (bookkeeping for
  // EndCompute; not reported).
  double gradient_before = 0;
};

struct RankOutcome {
  double compute_s = 0;
  double gradient_s = 0;  // of compute_s, the gradients' own time (no straggler sleep)
  double comm_s = 0;
  double wait_s = 0;
  std::uint32_t computations = 0;
  // When the run ended as this rank can tell (0: it cannot); the run's end is
  // the latest over ranks.
  double end_s = 0;
  // Updates of the global model and samples in them (on trace holders).
  std::uint64_t updates = 0;
  std::uint64_t samples = 0;
  // Backup workers (SYNC_BACKUP): on a worker, its computations cut short by
  // an update; on the server, the pushes that arrived for a step already
  // made and were dropped.
  std::uint64_t cut_short = 0;
  std::uint64_t dropped_late = 0;
  TrainingTrace trace;  // rank 0 (all-reduce) or each server (its shard)
  std::vector<StepRecord> steps;
};

// Opens step `step` now, remembering the gradient time `outcome` has so far.
[[nodiscard]] StepRecord BeginStep(const RealRunContext& context, std::uint64_t step, const RankOutcome& outcome);
// Closes the step's compute phase now: computed_s, and gradient_s as the
// gradient time `outcome` gained since BeginStep.
void EndCompute(const RealRunContext& context, const RankOutcome& outcome, StepRecord& record);

// SYNC_ALLREDUCE: compute, all-reduce (our ring or MPI_Allreduce), mean,
// optimizer step on every rank.
[[nodiscard]] RankOutcome RunSyncAllReduce(RealRunContext& context);
// LOCAL_SGD: local optimizer steps on each worker's replica, then the
// replicas averaged (our ring or MPI_Allreduce).
[[nodiscard]] RankOutcome RunLocalSgd(RealRunContext& context);
// SYNC_PS, ASYNC_PS and SSP with dedicated servers (the last S ranks).
[[nodiscard]] RankOutcome RunParameterServers(RealRunContext& context);
// SYNC_BACKUP: SYNC_PS whose server makes each update from the first p - b
// gradients of the step and drops the rest (one dedicated server).
[[nodiscard]] RankOutcome RunBackupWorkers(RealRunContext& context);
// The longest SYNC_BACKUP run whose steps fit in this MPI's message tags.
[[nodiscard]] std::uint64_t MaxBackupSteps();

// Worker `worker`'s next gradient on `at`, followed by its straggler sleep;
// adds the time taken to `outcome.compute_s`.
[[nodiscard]] Gradient ComputeGradient(RealRunContext& context, std::uint32_t worker, const ParameterVersion& at,
                                       RankOutcome& outcome);

// The same, but the straggler sleep is cut short as soon as `update_made`
// says yes (asked once the gradient is computed, then between short slices
// of the sleep): none when cut. The gradient itself (Eigen, well under a
// millisecond on the validation models) always runs to its end. Counts the
// computation and its time either way.
[[nodiscard]] std::optional<Gradient> ComputeGradientUnlessCut(RealRunContext& context, std::uint32_t worker,
                                                               const ParameterVersion& at, RankOutcome& outcome,
                                                               const std::function<bool()>& update_made);

}  // namespace sim::validate

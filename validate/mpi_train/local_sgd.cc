// LOCAL_SGD for real, as sim/strategy/local_sgd.cc: each worker takes H
// optimizer steps on its own replica, with its own optimizer (made from the
// scenario's options as Numerics makes the simulation's local ones), then the
// replicas are summed across ranks (our ring or MPI_Allreduce), scaled by
// 1/p, and every worker continues from the mean; the optimizer state carries
// over (strategy.reset_optimizer_state resets it, as Numerics does). The last
// round is shorter so that exactly `steps` local steps are taken. The series
// counts rounds, and evaluates every max(1, eval_every / H) of them, as the
// simulation's does. The simulation sums the replicas along the same tree
// (Numerics::average_replicas, sim/training/summation_order.h): the same
// arithmetic, to the bit.
#include <algorithm>
#include <memory>

#include "models/optim/make_optimizer.h"
#include "sim/run/training_run.h"
#include "validate/mpi_train/real_run.h"
#include "validate/mpi_train/ring_allreduce.h"

namespace sim::validate {

RankOutcome RunLocalSgd(RealRunContext& c) {
  RankOutcome out;
  const std::uint32_t worker = c.layout.worker();
  const std::uint32_t p = c.layout.workers;
  const std::uint64_t period = c.plan.strategy.local_steps;
  const bool holder = c.layout.rank == 0;
  models::OptimizerOptions options = NumericsSpecOf(c.plan).optimizer;
  models::ScheduleOf(options).total_steps = c.numerics.total_steps();
  const auto optimizer = models::MakeOptimizer(options);
  auto replica = std::make_shared<Eigen::VectorXf>(*c.numerics.current().values);
  std::vector<float> scratch;
  const std::uint64_t rounds = (c.steps + period - 1) / period;
  const std::uint64_t eval_every = std::max<std::uint64_t>(1, c.eval_every / period);

  const auto values = [&] {
    return std::span<const float>(replica->data(), static_cast<std::size_t>(replica->size()));
  };
  if (holder) out.trace.evaluation_point(0, 0.0, values());

  std::uint64_t done = 0;
  for (std::uint64_t round = 1; round <= rounds; ++round) {
    StepRecord record = BeginStep(c, round, out);
    const std::uint64_t this_round = std::min(period, c.steps - done);
    for (std::uint64_t k = 0; k < this_round; ++k) {
      const Gradient g = ComputeGradient(c, worker, {replica, 0}, out);
      optimizer->apply(*replica, *g.values);
    }
    EndCompute(c, out, record);
    std::span<float> data(replica->data(), static_cast<std::size_t>(replica->size()));
    if (p > 1) {
      if (c.allreduce == AllreduceImplementation::kMpiAllreduce) {
        MPI_Allreduce(MPI_IN_PLACE, data.data(), static_cast<int>(data.size()), MPI_FLOAT, MPI_SUM, c.comm);
      } else {
        RingAllReduceSum(data, c.comm, scratch);
      }
    }
    *replica *= 1.0f / static_cast<float>(p);
    if (c.plan.strategy.reset_optimizer_state) optimizer->reset();
    done += this_round;
    record.end_s = c.now();
    out.comm_s += record.end_s - record.computed_s;
    out.steps.push_back(record);
    if (holder) {
      for (std::uint32_t k = 0; k < p; ++k) out.trace.applied(0, k, record.end_s);
      if (round % eval_every == 0 || round == rounds) out.trace.evaluation_point(round, record.end_s, values());
    }
  }
  out.end_s = c.now();
  if (holder) {
    out.updates = c.steps;
    out.samples = c.steps * p * static_cast<std::uint64_t>(c.plan.workload.batch_size);
  }
  return out;
}

}  // namespace sim::validate

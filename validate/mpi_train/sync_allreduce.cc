// SYNC_ALLREDUCE for real: each step every worker computes its gradient on
// the same parameters, the gradients are summed across ranks (our ring or
// MPI_Allreduce), divided by p and applied by every rank with the same
// optimizer, so all ranks hold the same new parameters. The simulation does
// the same arithmetic (Numerics::apply_mean) and adds along the same tree:
// our ring's, or, for MPI_Allreduce, Open MPI's recursive doubling tree when
// the scenario names its algorithm (HALVING_DOUBLING or RECURSIVE_DOUBLING;
// sim/training/summation_order.h).
#include <memory>

#include "validate/mpi_train/real_run.h"
#include "validate/mpi_train/ring_allreduce.h"

namespace sim::validate {

RankOutcome RunSyncAllReduce(RealRunContext& c) {
  RankOutcome out;
  const std::uint32_t worker = c.layout.worker();
  const std::uint32_t p = c.layout.workers;
  const bool holder = c.layout.rank == 0;
  const auto batch = static_cast<std::uint64_t>(c.plan.workload.batch_size);
  auto sum = std::make_shared<Eigen::VectorXf>();
  std::vector<float> scratch;

  const auto values = [&] {
    const auto& v = *c.numerics.current().values;
    return std::span<const float>(v.data(), static_cast<std::size_t>(v.size()));
  };
  if (holder) out.trace.evaluation_point(0, 0.0, values());

  for (std::uint64_t step = 1; step <= c.steps; ++step) {
    StepRecord record = BeginStep(c, step, out);
    const Gradient g = ComputeGradient(c, worker, c.numerics.current(), out);
    EndCompute(c, out, record);

    *sum = *g.values;
    std::span<float> data(sum->data(), static_cast<std::size_t>(sum->size()));
    if (p > 1) {
      if (c.allreduce == AllreduceImplementation::kMpiAllreduce) {
        MPI_Allreduce(MPI_IN_PLACE, data.data(), static_cast<int>(data.size()), MPI_FLOAT, MPI_SUM, c.comm);
      } else {
        RingAllReduceSum(data, c.comm, scratch);
      }
    }
    *sum *= 1.0f / static_cast<float>(p);
    c.numerics.apply(Gradient{sum, g.base_version, worker});
    record.end_s = c.now();
    out.comm_s += record.end_s - record.computed_s;
    out.steps.push_back(record);

    if (holder) {
      for (std::uint32_t k = 0; k < p; ++k) out.trace.applied(0, k, record.end_s);
      if (step % c.eval_every == 0 || step == c.steps) out.trace.evaluation_point(step, record.end_s, values());
    }
  }
  out.end_s = c.now();
  if (holder) {
    out.updates = c.steps;
    out.samples = c.steps * p * batch;
  }
  return out;
}

}  // namespace sim::validate

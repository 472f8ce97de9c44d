// The bookkeeping of one step's record, in one place for every strategy's
// worker loop.
#include "validate/mpi_train/real_run.h"

namespace sim::validate {

StepRecord BeginStep(const RealRunContext& c, std::uint64_t step, const RankOutcome& outcome) {
  StepRecord record;
  record.step = step;
  record.start_s = c.now();
  record.gradient_before = outcome.gradient_s;
  return record;
}

void EndCompute(const RealRunContext& c, const RankOutcome& outcome, StepRecord& record) {
  record.computed_s = c.now();
  record.gradient_s = outcome.gradient_s - record.gradient_before;
}

}  // namespace sim::validate

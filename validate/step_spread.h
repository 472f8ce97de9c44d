// How far apart the ranks of a synchronous run take their steps, from
// mpi_train's per-step records (--steps: "rank,step,start_s,computed_s,
// end_s,gradient_s", every rank's clock starting as it leaves the starting
// barrier, so spreads below that barrier's own, about 0.1 ms on the
// emulated cluster, mean nothing).
//
// A model that starts every all-reduce when the slowest worker is done
// predicts an exit spread of zero; Open MPI's all-reduce at p = 8 showed
// 22 ms (validate/README.md, "Each worker on its own, with eager
// messages"). `build/validation step-spread` prints these figures.
#pragma once

#include <cstdint>
#include <istream>
#include <string>

namespace sim::validate {

struct StepSpread {
  std::uint32_t ranks = 0;
  std::size_t steps = 0;  // steps counted: every rank recorded them, after the skipped ones
  // A rank's own compute of a step (computed_s - start_s), over every rank
  // and counted step: median, 10th and 90th percentile.
  double compute_median_s = 0, compute_p10_s = 0, compute_p90_s = 0;
  // Per step, the last rank's computed_s minus the first's (entry into the
  // exchange), and the same for end_s (leaving it): median and 90th
  // percentile over steps.
  double entry_spread_median_s = 0, entry_spread_p90_s = 0;
  double exit_spread_median_s = 0, exit_spread_p90_s = 0;
  // Between the last end_s of consecutive counted steps: median, mean, max.
  double period_median_s = 0, period_mean_s = 0, period_max_s = 0;
};

// Reads the records of `csv` (named `name` in errors) and summarises the
// steps after the first `skip_steps` (start-up: connections, first
// touches). A malformed file throws scenario::ScenarioError, the project's
// bad-input error, with every problem at once, each with "NAME:LINE:COLUMN"
// and the field.
[[nodiscard]] StepSpread ReadStepSpread(std::istream& csv, const std::string& name, std::uint64_t skip_steps);

}  // namespace sim::validate

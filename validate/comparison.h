// The error report of a validation: for each scenario x node count, the
// predicted and the measured step time and final loss, the step-time error,
// and, for synchronous runs, whether the two loss trajectories agree at every
// logged step.
//
// error_pct = 100 x (predicted - measured) / measured: positive when the
// simulator is pessimistic. The verdict is the median of |error_pct| over the
// rows (robust to one odd configuration), against a threshold.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "validate/convergence_comparison.h"

namespace sim::validate {

// One row of a series CSV (sim/result/training_log.h's layout).
struct SeriesRow {
  std::uint64_t step = 0;
  double time_s = 0;
  double loss = 0;
  double accuracy = 0;
  double staleness = 0;
};

// Parses a series, "step,sim_time_s,loss,accuracy,staleness,kind" (or
// without kind, as older sims wrote it): its evaluation rows, the step rows
// (--series-every) left out. Throws std::invalid_argument naming `source`
// and the line for a bad header or row.
[[nodiscard]] std::vector<SeriesRow> ParseSeriesCsv(const std::string& text, const std::string& source);

struct TrajectoryAgreement {
  bool same_steps = false;  // both logged the same steps
  double max_relative_difference = 0;
  std::uint64_t worst_step = 0;
  [[nodiscard]] bool within(double tolerance) const noexcept {
    return same_steps && max_relative_difference <= tolerance;
  }
};

// |measured - predicted| / max(|predicted|, tiny) of the loss at every step
// both logged; same_steps false when the logged steps differ.
[[nodiscard]] TrajectoryAgreement CompareLossTrajectories(const std::vector<SeriesRow>& predicted,
                                                          const std::vector<SeriesRow>& measured);

struct ComparisonRow {
  std::string scenario;
  std::string strategy;
  std::uint32_t p = 0;
  double predicted_step_s = 0;
  double measured_step_s = 0;
  double predicted_final_loss = 0;
  double measured_final_loss = 0;
  // Synchronous runs: the trajectory check (absent for asynchronous ones,
  // whose update order is the network's).
  std::optional<TrajectoryAgreement> trajectory;
  // Staleness and final loss of every seed run (the first seed's runs give
  // the step times and final losses above).
  std::vector<SeedPair> seeds;
  // The predicted step time under each flow-share seed (validate/compare
  // --share-seeds: TCP's uneven sharing drawn afresh, all else the same);
  // empty without. When present, predicted_step_s is their median.
  std::vector<double> predicted_step_draws;
  // Their mean staleness under the same draws (empty without).
  std::vector<double> predicted_staleness_mean_draws;
  // The predicted step under each calibrated behaviour (validate/compare
  // --calibration-draws: draw k of N calibrated at the (k - 1/2) / N
  // quantile of every probe's blocks, sim/calibration/calibration_spread.h,
  // under flow-share seed k); empty without. The single prediction stays
  // the one above.
  std::vector<double> predicted_step_behaviour_draws;

  // 100 x (predicted - measured) / measured; throws std::invalid_argument if
  // measured_step_s <= 0.
  [[nodiscard]] double error_pct() const;
};

// A strategy label without its parenthesised detail:
// "SYNC_ALLREDUCE/MPI_Allreduce(rabenseifner)" -> "SYNC_ALLREDUCE/MPI_Allreduce",
// so that one implementation's rows group whatever algorithm it chose.
[[nodiscard]] std::string StrategyFamily(const std::string& strategy);

// Median of |error_pct| over `rows` (0 for none).
[[nodiscard]] double MedianAbsoluteErrorPct(const std::vector<ComparisonRow>& rows);

// The spread of a row's predicted step (10th and 90th percentile of its
// draws) and whether the measured step lies inside it.
struct PredictionRange {
  double p10_s = 0;
  double p90_s = 0;
  bool contains_measured = false;
};
// Over TCP's draws alone (predicted_step_draws); nullopt without.
[[nodiscard]] std::optional<PredictionRange> RangeOf(const ComparisonRow& row);
// Over calibrated behaviours and TCP's draws (predicted_step_behaviour_draws);
// nullopt without.
[[nodiscard]] std::optional<PredictionRange> BehaviourRangeOf(const ComparisonRow& row);

// A row's predicted mean staleness over the flow-share draws (their
// median, as for the step time) and its error against the measured mean
// pooled over seeds, as `convergence` (the row's CompareConvergence) has it
// (absent when that is 0); nullopt without draws.
struct DrawnStaleness {
  double predicted_mean = 0;
  std::optional<double> error_pct;
};
[[nodiscard]] std::optional<DrawnStaleness> StalenessOverDraws(const ComparisonRow& row,
                                                               const ConvergenceComparison& convergence);

// scenario,strategy,p,predicted_step_s,measured_step_s,error_pct,
// predicted_final_loss,measured_final_loss,predicted_p10_s,predicted_p90_s,
// behaviour_p10_s,behaviour_p90_s (RangeOf, then BehaviourRangeOf; empty
// without their draws); one line per row.
[[nodiscard]] std::string ComparisonCsv(const std::vector<ComparisonRow>& rows);

// A fixed-width table for the terminal, with the loss-trajectory check of
// the synchronous rows, the median of each strategy family (when there are
// several) and the median over all rows at the bottom; then, for rows with
// draws, the predicted range and how many measured steps fall inside it
// (over TCP's draws, and over calibrated behaviours when there are those).
[[nodiscard]] std::string ComparisonTable(const std::vector<ComparisonRow>& rows, double loss_tolerance);

// Staleness and convergence, one line per row with seeds: predicted and
// measured staleness mean and max (pooled over seeds), their Wasserstein-1
// distance and the error of the mean; final loss over seeds (median and
// range) and how many seeds diverged on each side.
[[nodiscard]] std::string ConvergenceTable(const std::vector<ComparisonRow>& rows);

// The same as CSV: scenario,strategy,p,seeds,predicted_staleness_mean,
// measured_staleness_mean,staleness_mean_error_pct,predicted_staleness_max,
// measured_staleness_max,staleness_w1,predicted_loss_median,
// measured_loss_median,predicted_diverged,measured_diverged,divergence_agrees,
// drawn_staleness_mean,drawn_staleness_error_pct (the last two with draws:
// StalenessOverDraws).
[[nodiscard]] std::string ConvergenceCsv(const std::vector<ComparisonRow>& rows);

// The verdict: problems (empty when the validation passes): the median
// absolute error above max_error_pct, every synchronous row whose loss
// trajectory disagrees beyond loss_tolerance, and, when
// max_staleness_error_pct is given, every row with stale gradients whose
// predicted mean staleness (over the draws, when the row has them) is
// further than that from the measured one.
[[nodiscard]] std::vector<std::string> Verdict(const std::vector<ComparisonRow>& rows, double max_error_pct,
                                               double loss_tolerance,
                                               std::optional<double> max_staleness_error_pct = std::nullopt);

}  // namespace sim::validate

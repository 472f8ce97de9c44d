// build/validation: the steps of a validation that need no MPI, used by the
// scripts validate/calibrate and validate/compare.
//
//   validation endpoints -s F [--set ...]
//       prints "RANKS RATE_MBIT KIND": ranks of the real run (workers +
//       dedicated servers), the star host-link bandwidth the emulated
//       cluster shapes, and the strategy kind
//   validation calibration --measurements M.json -s F [--set ...]
//       [--allreduce ring|mpi] --out F.sets
//       turns mpi_calibrate's measurements into scenario overrides
//   validation calibration --profile P.json -s F [--set ...]
//       [--allreduce ring|mpi] --out F.sets
//       the same from a cluster profile (cluster_profile.h): no measurement
//       of the run itself; either with [--behaviour-quantile Q]: from every
//       message probe's blocks at quantile Q instead of their mean
//       (calibration_spread.h)
//   validation profile --measurements M2.json M3.json ... [--description D]
//       --out P.json
//       gathers mpi_calibrate --profile-sizes measurements, one per rank
//       count, into a cluster profile (measurements.proto, ClusterProfile)
//   validation report --manifest M.tsv --csv OUT.csv [--max-error-pct 5]
//       [--loss-tolerance 1e-4] [--convergence-csv C.csv]
//       [--max-staleness-error-pct 10]
//       prints the tables (step time; staleness and final loss over seeds),
//       writes the CSVs; exit 1 when the verdict fails
//   validation allreduce-choice --ranks P --bytes N
//       prints the algorithm Open MPI 4.1 runs for MPI_Allreduce
//   validation step-spread --steps F.steps.csv [--skip-steps 5]
//       how far apart the ranks of a synchronous real run entered and left
//       each step's exchange (validate/step_spread.h)
//
// Exit status: 0 success, 1 verdict failed or other failure, 2 bad input.
#include <CLI/CLI.hpp>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <optional>
#include <iostream>
#include <sstream>

#include "sim/result/atomic_file.h"
#include "sim/result/result.pb.h"
#include "sim/scenario/run_plan.h"
#include "models/data/load_dataset.h"
#include "models/nn/make_model.h"
#include "sim/calibration/calibration.h"
#include "sim/calibration/calibration_spread.h"
#include "sim/calibration/cluster_profile.h"
#include "sim/core/quantile.h"
#include "validate/comparison.h"
#include "validate/step_spread.h"
#include "sim/calibration/openmpi_allreduce_choice.h"

namespace sim::validate {
namespace {

// The fit and the profile are sim/calibration's; this program feeds them.
using namespace sim::calibration;

struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw BadInput("cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

template <typename Message>
Message ReadJson(const std::string& path) {
  Message m;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(ReadFile(path), &m, options);
  if (!status.ok()) throw BadInput(path + ": " + std::string(status.message()));
  return m;
}

AllreduceImplementation ParseImplementation(const std::string& name) {
  if (name == "ring") return AllreduceImplementation::kPointToPointRing;
  if (name == "mpi") return AllreduceImplementation::kMpiAllreduce;
  throw BadInput("--allreduce must be ring or mpi, got '" + name + "'");
}

void Endpoints(const std::string& path, const std::vector<std::string>& overrides) {
  const scenario::RunPlan plan = scenario::LoadPlan(path, overrides);
  const auto* star = std::get_if<topo::StarSpec>(&plan.cluster.topology_spec.fabric);
  if (star == nullptr) throw BadInput(path + ": cluster.topology must be a star to run on the emulated cluster");
  std::cout << plan.placement.endpoints << " " << InGigabitsPerSecond(star->host_link.bandwidth) * 1000.0 << " "
            << Entry(plan.strategy.kind).name << "\n";
}

// The overrides file of `c`, calibrated from `m` (`source` says where
// those measurements came from), and its notes on stdout.
void WriteCalibrationFile(const Calibration& c, const HostMeasurements& m, const scenario::RunPlan& plan,
                          const std::string& path, const std::string& allreduce, const std::string& source,
                          const std::string& out) {
  const std::string header = "Calibration of " + plan.name + " on " + std::to_string(m.ranks()) + " ranks (" +
                             std::to_string(m.workers()) + " workers), all-reduce " + allreduce + ", from " + source +
                             ".\nUse: build/sim --scenario " + path + " $(sed -e '/^#/d' -e 's/^/--set /' THIS_FILE)";
  WriteFileAtomically(out, CalibrationFileText(c, header));
  for (const auto& note : c.notes) std::cout << note << "\n";
}

// `measured` at the behaviour quantile, when one is asked for
// (calibration_spread.h); a file without block times is bad input.
template <typename Measurements>
Measurements AtBehaviour(const Measurements& measured, std::optional<double> quantile, const std::string& file) {
  if (!quantile) return measured;
  try {
    return AtBlockQuantile(measured, *quantile);
  } catch (const std::invalid_argument& e) {
    throw BadInput(file + ": " + e.what());
  }
}

// What the file's header says of the behaviour it was calibrated at.
std::string BehaviourNote(std::optional<double> quantile) {
  if (!quantile) return "";
  char q[32];
  std::snprintf(q, sizeof q, "%g", *quantile);
  return std::string(", every message probe at the ") + q + "-quantile of its blocks";
}

void WriteCalibration(const std::string& measurements, const std::string& path,
                      const std::vector<std::string>& overrides, const std::string& allreduce,
                      std::optional<double> behaviour_quantile, const std::string& out) {
  const scenario::RunPlan plan = scenario::LoadPlan(path, overrides);
  const auto m = AtBehaviour(ReadJson<HostMeasurements>(measurements), behaviour_quantile, measurements);
  const Calibration c = Calibrate(m, plan, ParseImplementation(allreduce));
  WriteCalibrationFile(c, m, plan, path, allreduce,
                       measurements + " (build/mpi_calibrate)" + BehaviourNote(behaviour_quantile), out);
}

void WriteCalibrationFromProfile(const std::string& profile_path, const std::string& path,
                                 const std::vector<std::string>& overrides, const std::string& allreduce,
                                 std::optional<double> behaviour_quantile, const std::string& out) {
  const scenario::RunPlan plan = scenario::LoadPlan(path, overrides);
  const auto profile = AtBehaviour(ReadJson<ClusterProfile>(profile_path), behaviour_quantile, profile_path);
  if (plan.workload.timing_only_workload()) throw BadInput(path + ": workload.model.timing_only has no numerics");
  // The run's model, for its FLOPs per step and its gradient's bytes.
  const models::TrainTest data = models::LoadDataset(*plan.workload.dataset, plan.seed);
  const auto model = models::MakeModel(*plan.workload.model, data.train.feature_count(), data.train.classes);
  const double flops = model->flops_per_sample().count * static_cast<double>(plan.workload.batch_size);
  const std::int64_t bytes = model->parameter_count() * 4;
  std::vector<std::string> notes;
  HostMeasurements m;
  try {
    m = MeasurementsFromProfile(profile, plan, ParseImplementation(allreduce), bytes, flops, notes);
  } catch (const std::invalid_argument& e) {
    throw BadInput(profile_path + ": " + e.what());
  }
  Calibration c = Calibrate(m, plan, ParseImplementation(allreduce));
  c.notes.insert(c.notes.begin(), notes.begin(), notes.end());
  WriteCalibrationFile(c, m, plan, path, allreduce,
                       "the cluster profile " + profile_path + " (no measurement of this run)" +
                           BehaviourNote(behaviour_quantile),
                       out);
}

void WriteProfile(const std::vector<std::string>& measurements, const std::string& description,
                  const std::string& out) {
  ClusterProfile profile;
  profile.set_description(description);
  std::vector<std::string> problems;
  for (const std::string& path : measurements) {
    const auto m = ReadJson<HostMeasurements>(path);
    for (const HostMeasurements& earlier : profile.at_ranks()) {
      if (earlier.ranks() == m.ranks()) problems.push_back(path + ": a second measurement on " + std::to_string(m.ranks()) + " ranks");
    }
    if (m.one_way_size() < 2) problems.push_back(path + ": not a profile measurement (mpi_calibrate --profile-sizes): " + std::to_string(m.one_way_size()) + " one-way sizes");
    *profile.add_at_ranks() = m;
  }
  if (!problems.empty()) {
    std::string text = "profile:";
    for (const auto& p : problems) text += "\n  " + p;
    throw BadInput(text);
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(profile, &json, options);
  WriteFileAtomically(out, json);
}

// The step-0 loss of a series (its first evaluation), NaN without one.
double InitialLoss(const std::vector<SeriesRow>& series) {
  return !series.empty() && series.front().step == 0 ? series.front().loss : std::nan("");
}

std::vector<double> Histogram(const result::RunResult& r) {
  return {r.staleness_histogram().begin(), r.staleness_histogram().end()};
}

// One manifest line: scenario, strategy, p, predicted json, measured json,
// predicted series, measured series, sync (1 or 0), optionally the seed and
// then the predictions under other flow-share seeds (JSON files,
// comma-separated; their median becomes the predicted step), and then those
// under calibrated behaviours (the same, for BehaviourRangeOf),
// tab-separated. Lines of the same scenario, strategy and p are one row run
// at several seeds: the first gives the step times and final losses, every
// one a seed of the convergence comparison, and the worst loss trajectory
// of them stands for the row.
std::vector<ComparisonRow> ReadManifest(const std::string& path) {
  std::istringstream lines(ReadFile(path));
  std::vector<ComparisonRow> rows;
  int number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string field; std::getline(fields, field, '\t');) f.push_back(field);
    if (f.size() < 8 || f.size() > 11) {
      throw BadInput(path + ":" + std::to_string(number) + ": expected 8 to 11 tab-separated fields, got " +
                     std::to_string(f.size()));
    }
    const auto p = static_cast<std::uint32_t>(std::stoul(f[2]));
    const auto predicted = ReadJson<result::RunResult>(f[3]);
    const auto measured = ReadJson<result::RunResult>(f[4]);
    const auto predicted_series = ParseSeriesCsv(ReadFile(f[5]), f[5]);
    const auto measured_series = ParseSeriesCsv(ReadFile(f[6]), f[6]);
    auto row = std::find_if(rows.begin(), rows.end(), [&](const ComparisonRow& r) {
      return r.scenario == f[0] && r.strategy == f[1] && r.p == p;
    });
    if (row == rows.end()) {
      ComparisonRow r;
      r.scenario = f[0];
      r.strategy = f[1];
      r.p = p;
      r.predicted_step_s = predicted.mean_step_s();
      r.measured_step_s = measured.mean_step_s();
      r.predicted_final_loss = predicted.final_loss();
      r.measured_final_loss = measured.final_loss();
      if (f.size() >= 10) {
        std::istringstream draws(f[9]);
        for (std::string draw; std::getline(draws, draw, ',');) {
          const auto drawn = ReadJson<result::RunResult>(draw);
          r.predicted_step_draws.push_back(drawn.mean_step_s());
          r.predicted_staleness_mean_draws.push_back(drawn.staleness_mean());
        }
        if (!r.predicted_step_draws.empty()) r.predicted_step_s = Median(r.predicted_step_draws);
      }
      if (f.size() == 11) {
        std::istringstream draws(f[10]);
        for (std::string draw; std::getline(draws, draw, ',');) {
          r.predicted_step_behaviour_draws.push_back(ReadJson<result::RunResult>(draw).mean_step_s());
        }
      }
      rows.push_back(std::move(r));
      row = rows.end() - 1;
    }
    if (f[7] == "1") {
      const TrajectoryAgreement a = CompareLossTrajectories(predicted_series, measured_series);
      const bool worse = !row->trajectory || !a.same_steps ||
                         (row->trajectory->same_steps &&
                          a.max_relative_difference > row->trajectory->max_relative_difference);
      if (worse) row->trajectory = a;
    }
    SeedPair seed;
    seed.seed = f.size() >= 9 && !f[8].empty() ? std::stoull(f[8]) : predicted.seed();
    seed.predicted = {InitialLoss(predicted_series), predicted.final_loss(), predicted.diverged()};
    seed.measured = {InitialLoss(measured_series), measured.final_loss(), measured.diverged()};
    seed.predicted_staleness = Histogram(predicted);
    seed.measured_staleness = Histogram(measured);
    row->seeds.push_back(std::move(seed));
  }
  return rows;
}

int Report(const std::string& manifest, const std::string& csv, const std::string& convergence_csv,
           double max_error_pct, double loss_tolerance, std::optional<double> max_staleness_error_pct) {
  const auto rows = ReadManifest(manifest);
  std::cout << ComparisonTable(rows, loss_tolerance);
  // The second table, when there is anything in it: stale gradients, or
  // rows run at several seeds.
  const bool convergence = std::any_of(rows.begin(), rows.end(), [](const ComparisonRow& r) {
    return r.seeds.size() > 1 || std::any_of(r.seeds.begin(), r.seeds.end(), [](const SeedPair& s) {
             return Summarize(s.predicted_staleness).max > 0 || Summarize(s.measured_staleness).max > 0;
           });
  });
  if (convergence) {
    std::cout << "\nstaleness (pooled over seeds) and final loss over seeds:\n" << ConvergenceTable(rows);
  }
  if (!csv.empty()) WriteFileAtomically(csv, ComparisonCsv(rows));
  if (!convergence_csv.empty()) WriteFileAtomically(convergence_csv, ConvergenceCsv(rows));
  const auto problems = Verdict(rows, max_error_pct, loss_tolerance, max_staleness_error_pct);
  for (const auto& p : problems) std::cout << "FAIL: " << p << "\n";
  if (problems.empty()) std::cout << "PASS: median |error| within " << max_error_pct << "%\n";
  return problems.empty() ? 0 : 1;
}

}  // namespace
}  // namespace sim::validate

int main(int argc, char** argv) {
  using namespace sim::validate;
  CLI::App app{"validation: calibration and error report of the real-run validation (no MPI needed)", "validation"};
  app.require_subcommand(1);
  std::string scenario, measurements, out, allreduce = "ring", manifest, csv, convergence_csv, profile, description;
  std::vector<std::string> profile_parts;
  std::vector<std::string> overrides;
  double max_error_pct = 5.0, loss_tolerance = 1e-4;
  std::optional<double> max_staleness_error_pct, behaviour_quantile;
  std::uint32_t ranks = 0;
  std::int64_t bytes = 0;
  int status = 0;

  auto* endpoints = app.add_subcommand("endpoints", "Print the real run's ranks, link rate (Mbit/s) and strategy kind");
  endpoints->add_option("-s,--scenario", scenario)->required()->check(CLI::ExistingFile);
  endpoints->add_option("--set", overrides)->allow_extra_args(false);
  endpoints->callback([&] { Endpoints(scenario, overrides); });

  auto* calibration = app.add_subcommand("calibration", "Turn mpi_calibrate's measurements into --set overrides");
  auto* measured = calibration->add_option("--measurements", measurements, "mpi_calibrate's measurements of this run")
                       ->check(CLI::ExistingFile);
  calibration->add_option("--profile", profile, "A cluster profile (validate/calibrate --cluster) instead")
      ->check(CLI::ExistingFile)
      ->excludes(measured);
  calibration->add_option("-s,--scenario", scenario)->required()->check(CLI::ExistingFile);
  calibration->add_option("--set", overrides)->allow_extra_args(false);
  calibration->add_option("--allreduce", allreduce)->capture_default_str();
  calibration->add_option("--out", out)->required();
  calibration->add_option("--behaviour-quantile", behaviour_quantile,
                          "Calibrate from every message probe's blocks at this quantile, not their mean "
                          "(a calibrated behaviour of a prediction's range: sim/calibration/calibration_spread.h)");
  calibration->callback([&] {
    if (profile.empty() == measurements.empty()) throw BadInput("calibration: give --measurements or --profile");
    if (profile.empty()) {
      WriteCalibration(measurements, scenario, overrides, allreduce, behaviour_quantile, out);
    } else {
      WriteCalibrationFromProfile(profile, scenario, overrides, allreduce, behaviour_quantile, out);
    }
  });

  auto* gather = app.add_subcommand("profile", "Gather mpi_calibrate --profile-sizes measurements into a cluster profile");
  gather->add_option("--measurements", profile_parts, "One per rank count")->required()->check(CLI::ExistingFile);
  gather->add_option("--description", description, "Where, when and how the cluster was measured");
  gather->add_option("--out", out)->required();
  gather->callback([&] { WriteProfile(profile_parts, description, out); });

  auto* report = app.add_subcommand("report", "Print and write the comparison table; judge it");
  report->add_option("--manifest", manifest)->required()->check(CLI::ExistingFile);
  report->add_option("--csv", csv, "Write the table as CSV here");
  report->add_option("--convergence-csv", convergence_csv, "Write the staleness and convergence table as CSV here");
  report->add_option("--max-error-pct", max_error_pct, "Largest median |step-time error| that passes")
      ->capture_default_str();
  report->add_option("--loss-tolerance", loss_tolerance, "Largest relative loss difference of synchronous runs")
      ->capture_default_str();
  report->add_option("--max-staleness-error-pct", max_staleness_error_pct,
                     "Largest |error| of a row's predicted mean staleness (unset: not judged)");
  report->callback([&] {
    status = Report(manifest, csv, convergence_csv, max_error_pct, loss_tolerance, max_staleness_error_pct);
  });

  auto* choice = app.add_subcommand("allreduce-choice", "Print Open MPI 4.1's MPI_Allreduce algorithm");
  choice->add_option("--ranks", ranks)->required();
  choice->add_option("--bytes", bytes)->required();
  choice->callback([&] {
    const AllreduceChoice c = OpenMpiAllreduceChoice(ranks, bytes);
    std::cout << "selected " << Name(c.selected) << " (" << static_cast<int>(c.selected) << "), runs "
              << Name(c.runs) << " (" << static_cast<int>(c.runs) << "); simulated as "
              << sim::collectives::Name(c.simulated) << (c.exact ? " (same schedule)" : " (stand-in)") << "\n";
  });

  std::string steps_csv;
  std::uint64_t skip_steps = 5;
  auto* spread = app.add_subcommand("step-spread",
                                    "How far apart a real run's ranks entered and left each step (mpi_train --steps)");
  spread->add_option("--steps", steps_csv, "mpi_train's per-step records")->required()->check(CLI::ExistingFile);
  spread->add_option("--skip-steps", skip_steps, "Leave out the first steps (start-up)")->capture_default_str();
  spread->callback([&] {
    std::ifstream in(steps_csv);
    if (!in) throw BadInput("cannot read '" + steps_csv + "'");
    const sim::validate::StepSpread s = sim::validate::ReadStepSpread(in, steps_csv, skip_steps);
    const auto ms = [](double seconds) {
      std::ostringstream text;
      text << std::fixed << std::setprecision(2) << seconds * 1e3;
      return text.str();
    };
    std::cout << steps_csv << ": " << s.ranks << " ranks, " << s.steps << " steps (after the first " << skip_steps
              << ")\n"
              << "  compute per rank and step: median " << ms(s.compute_median_s) << " ms, 10th-90th percentile "
              << ms(s.compute_p10_s) << "-" << ms(s.compute_p90_s) << " ms\n"
              << "  entering the exchange, last minus first rank: median " << ms(s.entry_spread_median_s)
              << " ms, 90th percentile " << ms(s.entry_spread_p90_s) << " ms\n"
              << "  leaving it, last minus first rank: median " << ms(s.exit_spread_median_s)
              << " ms, 90th percentile " << ms(s.exit_spread_p90_s) << " ms\n"
              << "  step period (last rank out to last rank out): median " << ms(s.period_median_s) << " ms, mean "
              << ms(s.period_mean_s) << " ms, max " << ms(s.period_max_s) << " ms\n";
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const BadInput& e) {
    std::cerr << "validation: " << e.what() << "\n";
    return 2;
  } catch (const sim::scenario::ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "validation: " << e.what() << "\n";
    return 1;
  }
  return status;
}

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
//   validation report --manifest M.tsv --csv OUT.csv [--max-error-pct 5]
//       [--loss-tolerance 1e-4]
//       prints the table, writes the CSV; exit 1 when the verdict fails
//   validation allreduce-choice --ranks P --bytes N
//       prints the algorithm Open MPI 4.1 runs for MPI_Allreduce
//
// Exit status: 0 success, 1 verdict failed or other failure, 2 bad input.
#include <CLI/CLI.hpp>
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "sim/result/atomic_file.h"
#include "sim/result/result.pb.h"
#include "sim/scenario/run_plan.h"
#include "validate/calibration.h"
#include "validate/comparison.h"
#include "validate/openmpi_allreduce_choice.h"

namespace sim::validate {
namespace {

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

void WriteCalibration(const std::string& measurements, const std::string& path,
                      const std::vector<std::string>& overrides, const std::string& allreduce, const std::string& out) {
  const scenario::RunPlan plan = scenario::LoadPlan(path, overrides);
  const auto m = ReadJson<HostMeasurements>(measurements);
  const Calibration c = Calibrate(m, plan, ParseImplementation(allreduce));
  const std::string header = "Calibration of " + plan.name + " on " + std::to_string(m.ranks()) +
                             " ranks (" + std::to_string(m.workers()) + " workers), all-reduce " + allreduce +
                             ", from " + measurements + " (build/mpi_calibrate).\nUse: build/sim --scenario " + path +
                             " $(sed -e '/^#/d' -e 's/^/--set /' THIS_FILE)";
  WriteFileAtomically(out, CalibrationFileText(c, header));
  for (const auto& note : c.notes) std::cout << note << "\n";
}

// One manifest line: scenario, strategy, p, predicted json, measured json,
// predicted series, measured series, sync (1 or 0), tab-separated.
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
    if (f.size() != 8) {
      throw BadInput(path + ":" + std::to_string(number) + ": expected 8 tab-separated fields, got " +
                     std::to_string(f.size()));
    }
    ComparisonRow r;
    r.scenario = f[0];
    r.strategy = f[1];
    r.p = static_cast<std::uint32_t>(std::stoul(f[2]));
    const auto predicted = ReadJson<result::RunResult>(f[3]);
    const auto measured = ReadJson<result::RunResult>(f[4]);
    r.predicted_step_s = predicted.mean_step_s();
    r.measured_step_s = measured.mean_step_s();
    r.predicted_final_loss = predicted.final_loss();
    r.measured_final_loss = measured.final_loss();
    if (f[7] == "1") {
      r.trajectory = CompareLossTrajectories(ParseSeriesCsv(ReadFile(f[5]), f[5]), ParseSeriesCsv(ReadFile(f[6]), f[6]));
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

int Report(const std::string& manifest, const std::string& csv, double max_error_pct, double loss_tolerance) {
  const auto rows = ReadManifest(manifest);
  std::cout << ComparisonTable(rows, loss_tolerance);
  if (!csv.empty()) WriteFileAtomically(csv, ComparisonCsv(rows));
  const auto problems = Verdict(rows, max_error_pct, loss_tolerance);
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
  std::string scenario, measurements, out, allreduce = "ring", manifest, csv;
  std::vector<std::string> overrides;
  double max_error_pct = 5.0, loss_tolerance = 1e-4;
  std::uint32_t ranks = 0;
  std::int64_t bytes = 0;
  int status = 0;

  auto* endpoints = app.add_subcommand("endpoints", "Print the real run's ranks, link rate (Mbit/s) and strategy kind");
  endpoints->add_option("-s,--scenario", scenario)->required()->check(CLI::ExistingFile);
  endpoints->add_option("--set", overrides)->allow_extra_args(false);
  endpoints->callback([&] { Endpoints(scenario, overrides); });

  auto* calibration = app.add_subcommand("calibration", "Turn mpi_calibrate's measurements into --set overrides");
  calibration->add_option("--measurements", measurements)->required()->check(CLI::ExistingFile);
  calibration->add_option("-s,--scenario", scenario)->required()->check(CLI::ExistingFile);
  calibration->add_option("--set", overrides)->allow_extra_args(false);
  calibration->add_option("--allreduce", allreduce)->capture_default_str();
  calibration->add_option("--out", out)->required();
  calibration->callback([&] { WriteCalibration(measurements, scenario, overrides, allreduce, out); });

  auto* report = app.add_subcommand("report", "Print and write the comparison table; judge it");
  report->add_option("--manifest", manifest)->required()->check(CLI::ExistingFile);
  report->add_option("--csv", csv, "Write the table as CSV here");
  report->add_option("--max-error-pct", max_error_pct, "Largest median |step-time error| that passes")
      ->capture_default_str();
  report->add_option("--loss-tolerance", loss_tolerance, "Largest relative loss difference of synchronous runs")
      ->capture_default_str();
  report->callback([&] { status = Report(manifest, csv, max_error_pct, loss_tolerance); });

  auto* choice = app.add_subcommand("allreduce-choice", "Print Open MPI 4.1's MPI_Allreduce algorithm");
  choice->add_option("--ranks", ranks)->required();
  choice->add_option("--bytes", bytes)->required();
  choice->callback([&] {
    const AllreduceChoice c = OpenMpiAllreduceChoice(ranks, bytes);
    std::cout << "selected " << Name(c.selected) << " (" << static_cast<int>(c.selected) << "), runs "
              << Name(c.runs) << " (" << static_cast<int>(c.runs) << "); simulated as "
              << sim::collectives::Name(c.simulated) << (c.exact ? " (same schedule)" : " (stand-in)") << "\n";
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

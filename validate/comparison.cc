#include "validate/comparison.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "sim/core/quantile.h"

namespace sim::validate {
namespace {

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

double ParseNumber(const std::string& text, const std::string& where) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size()) throw std::invalid_argument(where + ": '" + text + "' is not a number");
  return value;
}

std::string Format(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// CSV-safe: a field with a comma or a quote is quoted (RFC 4180).
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

}  // namespace

std::vector<SeriesRow> ParseSeriesCsv(const std::string& text, const std::string& source) {
  constexpr const char* kHeader = "step,sim_time_s,loss,accuracy,staleness,kind";
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  // The header without kind is the series of an older sim: evaluations only.
  const bool with_kind = line == kHeader;
  if (!with_kind && line != "step,sim_time_s,loss,accuracy,staleness") {
    throw std::invalid_argument(source + ":1: expected the header " + kHeader);
  }
  const std::size_t fields = with_kind ? 6 : 5;
  std::vector<SeriesRow> rows;
  for (int number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const std::string where = source + ":" + std::to_string(number);
    const auto f = SplitCsv(line);
    if (f.size() != fields) {
      throw std::invalid_argument(where + ": expected " + std::to_string(fields) + " fields, got " +
                                  std::to_string(f.size()));
    }
    if (with_kind && f[5] == "step") continue;  // a step's training loss: not compared
    if (with_kind && f[5] != "evaluation") {
      throw std::invalid_argument(where + ": kind must be evaluation or step, got '" + f[5] + "'");
    }
    const double step = ParseNumber(f[0], where);
    if (step < 0 || step != std::floor(step)) throw std::invalid_argument(where + ": step must be a whole number");
    rows.push_back({static_cast<std::uint64_t>(step), ParseNumber(f[1], where), ParseNumber(f[2], where),
                    ParseNumber(f[3], where), ParseNumber(f[4], where)});
  }
  return rows;
}

TrajectoryAgreement CompareLossTrajectories(const std::vector<SeriesRow>& predicted,
                                            const std::vector<SeriesRow>& measured) {
  TrajectoryAgreement a;
  a.same_steps = predicted.size() == measured.size() && !predicted.empty();
  for (std::size_t i = 0; a.same_steps && i < predicted.size(); ++i) {
    if (predicted[i].step != measured[i].step) a.same_steps = false;
  }
  const std::size_t n = std::min(predicted.size(), measured.size());
  for (std::size_t i = 0; i < n; ++i) {
    const double scale = std::max(std::abs(predicted[i].loss), 1e-30);
    const double d = std::abs(measured[i].loss - predicted[i].loss) / scale;
    // A NaN difference (a diverged run on one side only) is the worst.
    if (std::isnan(d) || d > a.max_relative_difference) {
      a.max_relative_difference = std::isnan(d) ? INFINITY : d;
      a.worst_step = predicted[i].step;
    }
  }
  return a;
}

double ComparisonRow::error_pct() const {
  if (!(measured_step_s > 0)) {
    throw std::invalid_argument(scenario + " p=" + std::to_string(p) + ": measured_step_s must be > 0, got " +
                                Format("%g", measured_step_s));
  }
  return 100.0 * (predicted_step_s - measured_step_s) / measured_step_s;
}

std::string StrategyFamily(const std::string& strategy) {
  std::string family = strategy.substr(0, strategy.find('('));
  while (!family.empty() && family.back() == ' ') family.pop_back();
  return family;
}

double MedianAbsoluteErrorPct(const std::vector<ComparisonRow>& rows) {
  if (rows.empty()) return 0;
  std::vector<double> e;
  for (const auto& r : rows) e.push_back(std::abs(r.error_pct()));
  return Median(std::move(e));
}

namespace {

std::optional<PredictionRange> RangeOver(const std::vector<double>& draws, double measured_s) {
  if (draws.empty()) return std::nullopt;
  PredictionRange range;
  range.p10_s = Quantile(draws, 0.1);
  range.p90_s = Quantile(draws, 0.9);
  range.contains_measured = range.p10_s <= measured_s && measured_s <= range.p90_s;
  return range;
}

}  // namespace

std::optional<PredictionRange> RangeOf(const ComparisonRow& row) {
  return RangeOver(row.predicted_step_draws, row.measured_step_s);
}

std::optional<PredictionRange> BehaviourRangeOf(const ComparisonRow& row) {
  return RangeOver(row.predicted_step_behaviour_draws, row.measured_step_s);
}

std::optional<DrawnStaleness> StalenessOverDraws(const ComparisonRow& row, const ConvergenceComparison& c) {
  if (row.predicted_staleness_mean_draws.empty()) return std::nullopt;
  DrawnStaleness d;
  d.predicted_mean = Median(row.predicted_staleness_mean_draws);
  const double measured = c.measured_staleness.mean;
  if (measured > 0) d.error_pct = 100.0 * (d.predicted_mean - measured) / measured;
  return d;
}

std::string ComparisonCsv(const std::vector<ComparisonRow>& rows) {
  std::string out =
      "scenario,strategy,p,predicted_step_s,measured_step_s,error_pct,predicted_final_loss,measured_final_loss,"
      "predicted_p10_s,predicted_p90_s,behaviour_p10_s,behaviour_p90_s\n";
  for (const auto& r : rows) {
    out += CsvField(r.scenario) + "," + CsvField(r.strategy) + "," + std::to_string(r.p) + "," +
           Format("%.9g", r.predicted_step_s) + "," + Format("%.9g", r.measured_step_s) + "," +
           Format("%.4f", r.error_pct()) + "," + Format("%.9g", r.predicted_final_loss) + "," +
           Format("%.9g", r.measured_final_loss);
    for (const auto& range : {RangeOf(r), BehaviourRangeOf(r)}) {
      out += range ? "," + Format("%.9g", range->p10_s) + "," + Format("%.9g", range->p90_s) : ",,";
    }
    out += "\n";
  }
  return out;
}

namespace {

// The rows' ranges over one kind of draws (`draws_of`), with the single
// prediction and the measured step beside them, and how many measured steps
// fall inside; empty when no row has such draws.
std::string RangeTable(const std::vector<ComparisonRow>& rows, std::vector<double> ComparisonRow::*draws_of,
                       const char* over) {
  std::size_t with_range = 0, inside = 0, draws = 0;
  std::string ranges;
  char line[400];
  for (const auto& r : rows) {
    const auto range = RangeOver(r.*draws_of, r.measured_step_s);
    if (!range) continue;
    ++with_range;
    draws = (r.*draws_of).size();
    inside += range->contains_measured ? 1 : 0;
    std::snprintf(line, sizeof line, "%-24s %-40s %3u %12.6f %12.6f %12.6f %12.6f  %s\n", r.scenario.c_str(),
                  r.strategy.c_str(), r.p, range->p10_s, r.predicted_step_s, range->p90_s, r.measured_step_s,
                  range->contains_measured ? "inside" : "outside");
    ranges += line;
  }
  if (with_range == 0) return "";
  std::snprintf(line, sizeof line, "\npredicted step over %zu %s (10th percentile, prediction, 90th):\n", draws,
                over);
  std::string out = line;
  std::snprintf(line, sizeof line, "%-24s %-40s %3s %12s %12s %12s %12s\n", "scenario", "strategy", "p", "p10_s",
                "predicted_s", "p90_s", "measured_s");
  out += line + ranges;
  std::snprintf(line, sizeof line, "measured inside the predicted 10th-90th percentile: %zu of %zu rows\n", inside,
                with_range);
  return out + line;
}

}  // namespace

std::string ComparisonTable(const std::vector<ComparisonRow>& rows, double loss_tolerance) {
  std::string out;
  char line[320];
  std::snprintf(line, sizeof line, "%-24s %-40s %3s %12s %12s %8s %11s %11s  %s\n", "scenario", "strategy", "p",
                "predicted_s", "measured_s", "error%", "pred_loss", "meas_loss", "loss trajectory");
  out += line;
  for (const auto& r : rows) {
    std::string check = "(async: not compared)";
    if (r.trajectory) {
      check = !r.trajectory->same_steps ? "steps differ"
                                        : Format("max rel diff %.2e", r.trajectory->max_relative_difference) +
                                              (r.trajectory->within(loss_tolerance) ? " ok" : " FAIL");
    }
    std::snprintf(line, sizeof line, "%-24s %-40s %3u %12.6f %12.6f %+8.2f %11.6f %11.6f  %s\n", r.scenario.c_str(),
                  r.strategy.c_str(), r.p, r.predicted_step_s, r.measured_step_s, r.error_pct(), r.predicted_final_loss,
                  r.measured_final_loss, check.c_str());
    out += line;
  }
  // Per strategy, as well: one median over everything can hide a strategy
  // the simulator predicts badly behind another it predicts well. A family
  // that holds several scenarios (SYNC_PS with and without injected
  // stragglers) also gets a median per scenario under it.
  const auto median_line = [&](const char* indent, const std::string& name, const std::vector<ComparisonRow>& of) {
    std::snprintf(line, sizeof line, "%s%-*s median |error| %.2f%% over %zu rows\n", indent,
                  static_cast<int>(40 - std::strlen(indent)), name.c_str(), MedianAbsoluteErrorPct(of), of.size());
    out += line;
  };
  const auto distinct = [](const std::vector<ComparisonRow>& of, auto key) {
    std::vector<std::string> keys;
    for (const auto& r : of) {
      if (std::find(keys.begin(), keys.end(), key(r)) == keys.end()) keys.push_back(key(r));
    }
    return keys;
  };
  const auto family_of = [](const ComparisonRow& r) { return StrategyFamily(r.strategy); };
  const auto scenario_of = [](const ComparisonRow& r) { return r.scenario; };
  const std::vector<std::string> families = distinct(rows, family_of);
  if (families.size() > 1 || distinct(rows, scenario_of).size() > 1) {
    for (const auto& family : families) {
      std::vector<ComparisonRow> of_family;
      for (const auto& r : rows) {
        if (family_of(r) == family) of_family.push_back(r);
      }
      median_line("  ", family, of_family);
      const std::vector<std::string> scenarios = distinct(of_family, scenario_of);
      if (scenarios.size() < 2) continue;
      for (const auto& scenario : scenarios) {
        std::vector<ComparisonRow> of_scenario;
        for (const auto& r : of_family) {
          if (r.scenario == scenario) of_scenario.push_back(r);
        }
        median_line("    ", scenario, of_scenario);
      }
    }
  }
  std::snprintf(line, sizeof line, "median |error| %.2f%% over %zu rows\n", MedianAbsoluteErrorPct(rows), rows.size());
  out += line;
  // How sure each prediction is: its range over TCP's draws, and over
  // calibrated behaviours too, and how often the real run fell inside
  // (issue 19 item 5).
  out += RangeTable(rows, &ComparisonRow::predicted_step_draws, "flow-share seeds");
  out += RangeTable(rows, &ComparisonRow::predicted_step_behaviour_draws,
                    "calibrated behaviours, each under its own flow-share seed");
  return out;
}

std::string ConvergenceTable(const std::vector<ComparisonRow>& rows) {
  std::string out;
  char line[400];
  std::snprintf(line, sizeof line, "%-24s %-28s %3s %5s  %-23s %-23s %7s %8s  %-26s %-26s %s\n", "scenario",
                "strategy", "p", "seeds", "staleness mean/max pred", "staleness mean/max meas", "W1",
                "mean err", "final loss pred med [range]", "final loss meas med [range]", "diverged pred/meas");
  out += line;
  for (const auto& r : rows) {
    if (r.seeds.empty()) continue;
    const ConvergenceComparison c = CompareConvergence(r.seeds);
    const std::string error =
        c.staleness_mean_error_pct ? Format("%+.1f%%", *c.staleness_mean_error_pct) : std::string("-");
    const std::string predicted_staleness =
        Format("%.2f", c.predicted_staleness.mean) + " / " + std::to_string(c.predicted_staleness.max);
    const std::string measured_staleness =
        Format("%.2f", c.measured_staleness.mean) + " / " + std::to_string(c.measured_staleness.max);
    const std::string predicted_loss = Format("%.3f", c.predicted_loss_median) + " [" +
                                       Format("%.3f", c.predicted_loss_min) + ", " +
                                       Format("%.3f", c.predicted_loss_max) + "]";
    const std::string measured_loss = Format("%.3f", c.measured_loss_median) + " [" +
                                      Format("%.3f", c.measured_loss_min) + ", " +
                                      Format("%.3f", c.measured_loss_max) + "]";
    std::snprintf(line, sizeof line,
                  "%-24s %-28s %3u %5zu  %-23s %-23s %7.3f %8s  %-26s %-26s %zu/%zu (agree %zu/%zu)",
                  r.scenario.c_str(), r.strategy.c_str(), r.p, c.seeds, predicted_staleness.c_str(),
                  measured_staleness.c_str(), c.staleness_w1, error.c_str(), predicted_loss.c_str(),
                  measured_loss.c_str(), c.predicted_diverged, c.measured_diverged, c.divergence_agrees, c.seeds);
    out += line;
    // At the end of the row's line, when it has draws and stale gradients:
    // the mean the row is judged on.
    if (const auto d = StalenessOverDraws(r, c); d && (d->predicted_mean > 0 || d->error_pct)) {
      out += "  over draws: mean " + Format("%.2f", d->predicted_mean) +
             (d->error_pct ? Format(" (%+.1f%%)", *d->error_pct) : std::string());
    }
    out += "\n";
  }
  return out;
}

std::string ConvergenceCsv(const std::vector<ComparisonRow>& rows) {
  std::string out =
      "scenario,strategy,p,seeds,predicted_staleness_mean,measured_staleness_mean,staleness_mean_error_pct,"
      "predicted_staleness_max,measured_staleness_max,staleness_w1,predicted_loss_median,measured_loss_median,"
      "predicted_diverged,measured_diverged,divergence_agrees,drawn_staleness_mean,drawn_staleness_error_pct\n";
  for (const auto& r : rows) {
    if (r.seeds.empty()) continue;
    const ConvergenceComparison c = CompareConvergence(r.seeds);
    out += CsvField(r.scenario) + "," + CsvField(r.strategy) + "," + std::to_string(r.p) + "," +
           std::to_string(c.seeds) + "," + Format("%.6g", c.predicted_staleness.mean) + "," +
           Format("%.6g", c.measured_staleness.mean) + "," +
           (c.staleness_mean_error_pct ? Format("%.4f", *c.staleness_mean_error_pct) : std::string()) + "," +
           std::to_string(c.predicted_staleness.max) + "," + std::to_string(c.measured_staleness.max) + "," +
           Format("%.6g", c.staleness_w1) + "," + Format("%.9g", c.predicted_loss_median) + "," +
           Format("%.9g", c.measured_loss_median) + "," + std::to_string(c.predicted_diverged) + "," +
           std::to_string(c.measured_diverged) + "," + std::to_string(c.divergence_agrees) + ",";
    if (const auto d = StalenessOverDraws(r, c)) {
      out += Format("%.6g", d->predicted_mean) + "," + (d->error_pct ? Format("%.4f", *d->error_pct) : std::string());
    } else {
      out += ",";
    }
    out += "\n";
  }
  return out;
}

std::vector<std::string> Verdict(const std::vector<ComparisonRow>& rows, double max_error_pct, double loss_tolerance,
                                 std::optional<double> max_staleness_error_pct) {
  std::vector<std::string> problems;
  if (rows.empty()) problems.push_back("no runs to compare");
  const double median = MedianAbsoluteErrorPct(rows);
  if (median > max_error_pct) {
    problems.push_back("median |step-time error| " + Format("%.2f", median) + "% exceeds " +
                       Format("%.2f", max_error_pct) + "%");
  }
  for (const auto& r : rows) {
    if (!r.trajectory || r.trajectory->within(loss_tolerance)) continue;
    problems.push_back(r.scenario + " " + r.strategy + " p=" + std::to_string(r.p) + ": loss trajectory " +
                       (r.trajectory->same_steps ? "differs by " + Format("%.3g", r.trajectory->max_relative_difference) +
                                                       " (relative) at step " +
                                                       std::to_string(r.trajectory->worst_step)
                                                 : std::string("logged different steps")) +
                       ", tolerance " + Format("%.3g", loss_tolerance));
  }
  if (!max_staleness_error_pct) return problems;
  for (const auto& r : rows) {
    if (r.seeds.empty()) continue;
    const ConvergenceComparison c = CompareConvergence(r.seeds);
    const auto drawn = StalenessOverDraws(r, c);
    const std::optional<double> error = drawn ? drawn->error_pct : c.staleness_mean_error_pct;
    const double predicted = drawn ? drawn->predicted_mean : c.predicted_staleness.mean;
    if (!error || std::abs(*error) <= *max_staleness_error_pct) continue;
    problems.push_back(r.scenario + " " + r.strategy + " p=" + std::to_string(r.p) + ": mean staleness predicted " +
                       Format("%.3f", predicted) + (drawn ? " (median over draws)" : "") + ", measured " +
                       Format("%.3f", c.measured_staleness.mean) + " (" + Format("%+.1f", *error) + "%), allowed " +
                       Format("%.1f", *max_staleness_error_pct) + "%");
  }
  return problems;
}

}  // namespace sim::validate

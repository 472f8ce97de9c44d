#include "validate/step_spread.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <vector>

#include "sim/scenario/scenario_error.h"
#include "sim/core/quantile.h"

namespace sim::validate {
namespace {

constexpr const char* kHeader = "rank,step,start_s,computed_s,end_s,gradient_s";
constexpr const char* kFields[] = {"rank", "step", "start_s", "computed_s", "end_s", "gradient_s"};

struct Record {
  std::uint32_t rank = 0;
  std::uint64_t step = 0;
  double start = 0, computed = 0, end = 0;
};

}  // namespace

StepSpread ReadStepSpread(std::istream& csv, const std::string& name, std::uint64_t skip_steps) {
  std::vector<std::string> problems;
  std::vector<Record> records;
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(csv, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_number == 1) {
      if (line != kHeader) {
        problems.push_back(name + ":1:1: the header must be '" + std::string(kHeader) + "' (mpi_train --steps)");
        break;
      }
      continue;
    }
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream split(line);
    for (std::string cell; std::getline(split, cell, ',');) cells.push_back(cell);
    if (cells.size() != 6) {
      problems.push_back(name + ":" + std::to_string(line_number) + ":1: " + std::to_string(cells.size()) +
                         " fields, expected 6");
      continue;
    }
    double values[6] = {};
    std::size_t column = 1;
    bool ok = true;
    for (int i = 0; i < 6; ++i) {
      const std::string& c = cells[i];
      const auto [ptr, ec] = std::from_chars(c.data(), c.data() + c.size(), values[i]);
      const bool whole = i >= 2 || values[i] == static_cast<double>(static_cast<std::uint64_t>(values[i]));
      if (c.empty() || ec != std::errc() || ptr != c.data() + c.size() || !(values[i] >= 0) || !whole) {
        problems.push_back(name + ":" + std::to_string(line_number) + ":" + std::to_string(column) + ": field '" +
                           kFields[i] + "': '" + c + "' is not a " +
                           (i < 2 ? "whole number >= 0" : "number of seconds >= 0"));
        ok = false;
      }
      column += c.size() + 1;
    }
    if (!ok) continue;
    records.push_back({static_cast<std::uint32_t>(values[0]), static_cast<std::uint64_t>(values[1]), values[2],
                       values[3], values[4]});
  }
  if (problems.empty() && line_number == 0) problems.push_back(name + ":1:1: empty file (mpi_train --steps)");
  if (!problems.empty()) throw scenario::ScenarioError(std::move(problems));

  std::set<std::uint32_t> ranks;
  for (const Record& r : records) ranks.insert(r.rank);
  std::map<std::uint64_t, std::vector<const Record*>> by_step;
  for (const Record& r : records) {
    if (r.step > skip_steps) by_step[r.step].push_back(&r);
  }
  StepSpread s;
  s.ranks = static_cast<std::uint32_t>(ranks.size());
  std::vector<double> compute, entry, exit, last_end;
  for (const auto& [step, rs] : by_step) {
    if (rs.size() != ranks.size()) continue;  // a step some rank did not record
    double first_in = rs[0]->computed, last_in = first_in, first_out = rs[0]->end, last_out = first_out;
    for (const Record* r : rs) {
      compute.push_back(r->computed - r->start);
      first_in = std::min(first_in, r->computed);
      last_in = std::max(last_in, r->computed);
      first_out = std::min(first_out, r->end);
      last_out = std::max(last_out, r->end);
    }
    entry.push_back(last_in - first_in);
    exit.push_back(last_out - first_out);
    last_end.push_back(last_out);
  }
  s.steps = entry.size();
  if (s.steps == 0) {
    throw scenario::ScenarioError({name + ": no step after the first " + std::to_string(skip_steps) +
                            " recorded by every rank"});
  }
  s.compute_median_s = Median(compute);
  s.compute_p10_s = Quantile(compute, 0.1);
  s.compute_p90_s = Quantile(compute, 0.9);
  s.entry_spread_median_s = Median(entry);
  s.entry_spread_p90_s = Quantile(entry, 0.9);
  s.exit_spread_median_s = Median(exit);
  s.exit_spread_p90_s = Quantile(exit, 0.9);
  std::vector<double> period;
  for (std::size_t i = 1; i < last_end.size(); ++i) period.push_back(last_end[i] - last_end[i - 1]);
  if (!period.empty()) {
    s.period_median_s = Median(period);
    s.period_mean_s = std::accumulate(period.begin(), period.end(), 0.0) / static_cast<double>(period.size());
    s.period_max_s = *std::max_element(period.begin(), period.end());
  }
  return s;
}

}  // namespace sim::validate

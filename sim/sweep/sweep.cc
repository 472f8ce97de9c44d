#include "sim/sweep/sweep.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <iostream>
#include <map>
#include <new>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include "sim/scenario/scenario_error.h"
#include "sim/sweep/baseline.h"

namespace sim::sweep {

SweepPlan PlanSweep(const SweepOptions& options, bool check) {
  SweepPlan plan;
  if (options.sweeps.empty()) {
    throw std::invalid_argument("give at least one --sweep path=values (e.g. --sweep cluster.workers=1:64:x2)");
  }
  for (const auto& s : options.sweeps) plan.axes.push_back(ParseSweepAxis(s));
  plan.points = PointsOf(plan.axes);
  plan.baselines = BaselinesOf(plan.axes, plan.points, options.baseline);
  if (!check) return plan;

  // Each distinct problem once, with the first point that has it and how
  // many others share it.
  struct Problem {
    std::size_t first_point;
    std::size_t others = 0;
  };
  std::vector<std::string> order;
  std::map<std::string, Problem> problems;
  plan.checks.resize(plan.points.size());
  for (const SweepPoint& point : plan.points) {
    try {
      plan.checks[point.index] =
          CheckPoint(options.scenario, OverridesOf(plan.axes, point, options.overrides));
    } catch (const scenario::ScenarioError& e) {
      for (const std::string& p : e.problems()) {
        auto [it, added] = problems.try_emplace(p, Problem{point.index});
        if (added) order.push_back(p);
        else ++it->second.others;
      }
    }
  }
  if (problems.empty()) return plan;
  std::vector<std::string> listed;
  for (const std::string& p : order) {
    const Problem& where = problems.at(p);
    std::string text = "point " + std::to_string(where.first_point) + " (" +
                       Label(plan.axes, plan.points[where.first_point]) + ")";
    if (where.others > 0) {
      text += " and " + std::to_string(where.others) + (where.others == 1 ? " other point" : " other points");
    }
    listed.push_back(text + ": " + p);
  }
  throw scenario::ScenarioError(std::move(listed));
}

std::vector<std::size_t> LargestFirst(const SweepPlan& plan, const TableFile& table) {
  std::vector<std::size_t> order;
  for (const SweepPoint& p : plan.points) {
    if (!table.done(p.index)) order.push_back(p.index);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return plan.checks.at(a).work > plan.checks.at(b).work; });
  return order;
}

PointRow RunPointRow(const SweepPlan& plan, const SweepOptions& options, std::size_t point) {
  const SweepPoint& p = plan.points.at(point);
  try {
    return RowOfResult(p, RunPoint(options.scenario, OverridesOf(plan.axes, p, options.overrides)));
  } catch (const scenario::ScenarioError& e) {
    return RowOfError(p, e.what());
  } catch (const std::bad_alloc&) {
    return RowOfError(p, "out of memory: the run needs more memory than this machine can give it");
  } catch (const std::exception& e) {
    return RowOfError(p, e.what());
  } catch (...) {
    return RowOfError(p, "failed with an exception that is not a std::exception");
  }
}

ProgressLine::Options StderrLine(bool quiet) {
  ProgressLine::Options options;
  options.terminal = !quiet && ::isatty(STDERR_FILENO) == 1;
  return options;
}

Progress::Progress(const SweepPlan& plan, std::size_t to_run, bool quiet, std::ostream& out,
                   ProgressLine::Options line)
    : plan_(plan), to_run_(to_run), quiet_(quiet), line_(out, "points", std::move(line)) {
  line_.update(0, to_run_);  // the pace counts from here (draws nothing yet)
}

void Progress::finished(const PointRow& row) {
  std::lock_guard lock(mutex_);
  ++finished_;
  if (quiet_) return;
  std::ostringstream text;
  text << "sim sweep: [" << finished_ << "/" << to_run_ << "] point " << row.point << " ("
       << Label(plan_.axes, plan_.points[row.point]) << "): ";
  if (row.error.empty()) {
    text << row.measured[kWallSecondsCell] << " s\n";
  } else {
    text << "failed: " << row.error << "\n";
  }
  line_.print_above(text.str());
  line_.update(finished_, to_run_);
}

SweepSummary FinishSweep(const SweepPlan& plan, const SweepOptions& options, TableFile& table) {
  table.finish();
  const SweepSummary summary{.points = plan.points.size(), .failed = table.failed()};
  if (!options.quiet) {
    std::cerr << "sim sweep: " << summary.points << (summary.points == 1 ? " point" : " points") << " in "
              << options.out;
    if (summary.failed > 0) std::cerr << ", " << summary.failed << " failed (see the error column)";
    std::cerr << "\n";
  }
  return summary;
}

SweepSummary RunSweep(const SweepOptions& options) {
  if (options.jobs < 1) throw std::invalid_argument("-j must be at least 1");
  const SweepPlan plan = PlanSweep(options, true);
  TableFile table(options.out, plan.axes, plan.points, plan.baselines, options.resume);
  const std::vector<std::size_t> order = LargestFirst(plan, table);
  if (!options.quiet && table.rows() > 0) {
    std::cerr << "sim sweep: " << options.out << " holds " << table.rows() << " of " << plan.points.size()
              << " points; running the other " << order.size() << "\n";
  }
  Progress progress(plan, order.size(), options.quiet, std::cerr, StderrLine(options.quiet));

  // Each thread takes the next point of `order` and runs it on its own: the
  // runs share only this counter and the table (which locks).
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto runner = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < order.size();) {
      PointRow row = RunPointRow(plan, options, order[i]);
      try {
        table.add(row);
      } catch (...) {
        // The table cannot be written (disk full): stop handing out points.
        next = order.size();
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        return;
      }
      progress.finished(row);
    }
  };
  const std::size_t threads = std::min<std::size_t>(options.jobs, order.size());
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(runner);
  runner();
  for (auto& t : pool) t.join();
  progress.finish();
  if (failure) std::rethrow_exception(failure);
  return FinishSweep(plan, options, table);
}

}  // namespace sim::sweep

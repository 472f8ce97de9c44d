#include "sim/sweep/sweep_table.h"

#include <charconv>
#include <cstdio>
#include <cmath>

namespace sim::sweep {
namespace {

// The derived columns sit right after samples_per_s.
constexpr std::size_t kDerivedAfter = kSamplesPerSecondCell + 1;
constexpr const char* kDerivedColumns[] = {"baseline_point", "speedup", "scaling_efficiency"};
constexpr std::size_t kDerivedCount = std::size(kDerivedColumns);

std::optional<double> Parse(const std::string& cell) {
  double value = 0.0;
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (cell.empty() || ec != std::errc() || end != cell.data() + cell.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string Number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}

std::vector<std::string> Header(const std::vector<SweepAxis>& axes) {
  std::vector<std::string> header{"point"};
  for (const auto& axis : axes) header.push_back(axis.path);
  for (std::size_t c = 0; c < kMeasuredCount; ++c) {
    if (c == kDerivedAfter) header.insert(header.end(), std::begin(kDerivedColumns), std::end(kDerivedColumns));
    header.emplace_back(kMeasuredColumns[c]);
  }
  header.emplace_back("error");
  return header;
}

PointRow RowOfResult(const SweepPoint& point, const result::RunResult& r) {
  const double total = r.compute_s() + r.comm_s() + r.wait_s();
  auto share = [&](double part) { return total > 0.0 ? Number(part / total) : std::string(); };
  const bool lw = r.has_layer_wise();
  const bool mp = lw && r.layer_wise().has_model_parallel();
  PointRow row{.point = point.index, .values = point.values, .measured = {}, .error = {}};
  row.measured = {std::to_string(r.workers()),
                  r.strategy(),
                  std::to_string(r.steps()),
                  Number(r.sim_time_s()),
                  Number(r.mean_step_s()),
                  Number(r.samples_per_s()),
                  share(r.compute_s()),
                  share(r.comm_s()),
                  share(r.wait_s()),
                  r.has_final_loss() ? Number(r.final_loss()) : std::string(),
                  Number(r.final_accuracy()),
                  r.has_time_to_target_s() ? Number(r.time_to_target_s()) : std::string(),
                  Number(r.staleness_mean()),
                  std::to_string(r.staleness_max()),
                  lw ? Number(r.layer_wise().tflops_per_gpu()) : std::string(),
                  lw ? Number(r.layer_wise().mfu()) : std::string(),
                  lw ? Number(r.layer_wise().memory().peak_gib()) : std::string(),
                  lw ? Number(r.layer_wise().memory().capacity_gib()) : std::string(),
                  lw ? std::string(r.layer_wise().memory().exceeded() ? "0" : "1") : std::string(),
                  mp ? Number(r.layer_wise().model_parallel().bubble_share()) : std::string(),
                  mp ? Number(r.layer_wise().model_parallel().hardware_tflops_per_gpu()) : std::string(),
                  Number(r.wall_s())};
  return row;
}

PointRow RowOfError(const SweepPoint& point, const std::string& error) {
  return {.point = point.index,
          .values = point.values,
          .measured = std::vector<std::string>(kMeasuredCount),
          .error = error.empty() ? std::string("failed") : error};
}

std::vector<std::string> Cells(const PointRow& row, std::size_t baseline_point, const PointRow* baseline) {
  std::vector<std::string> derived{std::to_string(baseline_point), "", ""};
  if (baseline != nullptr) {
    const auto rate = Parse(row.measured[kSamplesPerSecondCell]);
    const auto base_rate = Parse(baseline->measured[kSamplesPerSecondCell]);
    const auto workers = Parse(row.measured[kWorkersCell]);
    const auto base_workers = Parse(baseline->measured[kWorkersCell]);
    if (rate && base_rate && *base_rate > 0.0 && std::isfinite(*rate / *base_rate)) {
      const double speedup = *rate / *base_rate;
      derived[1] = Number(speedup);
      if (workers && base_workers && *workers > 0.0) derived[2] = Number(speedup / (*workers / *base_workers));
    }
  }
  std::vector<std::string> cells{std::to_string(row.point)};
  cells.insert(cells.end(), row.values.begin(), row.values.end());
  cells.insert(cells.end(), row.measured.begin(), row.measured.begin() + kDerivedAfter);
  cells.insert(cells.end(), derived.begin(), derived.end());
  cells.insert(cells.end(), row.measured.begin() + kDerivedAfter, row.measured.end());
  cells.push_back(row.error);
  return cells;
}

std::optional<PointRow> RowOfCells(const std::vector<std::string>& cells, std::size_t axis_count) {
  if (cells.size() != 1 + axis_count + kMeasuredCount + kDerivedCount + 1) return std::nullopt;
  PointRow row;
  auto at = cells.begin() + 1;
  row.values.assign(at, at + static_cast<std::ptrdiff_t>(axis_count));
  at += static_cast<std::ptrdiff_t>(axis_count);
  row.measured.assign(at, at + kDerivedAfter);
  at += kDerivedAfter + kDerivedCount;
  row.measured.insert(row.measured.end(), at, at + static_cast<std::ptrdiff_t>(kMeasuredCount - kDerivedAfter));
  row.error = cells.back();
  return row;
}

}  // namespace sim::sweep

#include "sim/calibration/cluster_profile.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <utility>

namespace sim::calibration {
namespace {

using Grid = std::vector<std::pair<double, double>>;  // (bytes, seconds), by bytes

// `grid` holds the measured sizes and the 1-byte time.
double Interpolated(Grid grid, std::int64_t bytes) {
  std::sort(grid.begin(), grid.end());
  if (grid.size() < 3) throw std::invalid_argument("a grid of fewer than two sizes cannot be interpolated");
  const auto b = static_cast<double>(bytes);
  // The segment holding `bytes`, or the outermost one on its side.
  std::size_t hi = 1;
  while (hi + 1 < grid.size() && grid[hi].first < b) ++hi;
  const auto [b0, t0] = grid[hi - 1];
  const auto [b1, t1] = grid[hi];
  return t0 + (t1 - t0) * (b - b0) / (b1 - b0);
}

Grid GridOf(const google::protobuf::RepeatedPtrField<SizeTime>& times, double one_byte_s) {
  Grid grid = {{1.0, one_byte_s}};
  for (const SizeTime& t : times) grid.emplace_back(static_cast<double>(t.bytes()), t.seconds());
  return grid;
}

const HostMeasurements* AtRanks(const ClusterProfile& profile, std::uint32_t ranks) {
  for (const HostMeasurements& m : profile.at_ranks()) {
    if (m.ranks() == ranks) return &m;
  }
  return nullptr;
}

std::string Measured(const ClusterProfile& profile) {
  std::vector<std::uint32_t> ranks;
  for (const HostMeasurements& m : profile.at_ranks()) ranks.push_back(m.ranks());
  std::sort(ranks.begin(), ranks.end());
  std::string text;
  for (std::uint32_t r : ranks) text += (text.empty() ? "" : ", ") + std::to_string(r);
  return text.empty() ? "none" : text;
}

// Each size of `sizes` with its time from `grid` (none when the profile has
// no such pattern there); records the problem when it has too few sizes.
void AddInterpolated(const google::protobuf::RepeatedPtrField<SizeTime>& grid, double one_byte_s,
                     const std::vector<std::int64_t>& sizes, const std::string& pattern,
                     google::protobuf::RepeatedPtrField<SizeTime>& into, std::vector<std::string>& problems) {
  if (grid.empty()) return;
  if (grid.size() < 2) {
    problems.push_back(pattern + ": measured at " + std::to_string(grid.size()) + " size, needs two or more");
    return;
  }
  for (std::int64_t bytes : sizes) {
    SizeTime* t = into.Add();
    t->set_bytes(bytes);
    t->set_seconds(InterpolatedSeconds(grid, bytes, one_byte_s));
  }
}

// Every problem found, at once.
void ThrowIfAny(const std::vector<std::string>& problems) {
  if (problems.empty()) return;
  std::string text = "cluster profile:";
  for (const auto& p : problems) text += "\n  " + p;
  throw std::invalid_argument(text);
}

std::string Number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

}  // namespace

double InterpolatedSeconds(const google::protobuf::RepeatedPtrField<SizeTime>& times, std::int64_t bytes,
                           double one_byte_s) {
  return Interpolated(GridOf(times, one_byte_s), bytes);
}

HostMeasurements MeasurementsFromProfile(const ClusterProfile& profile, const scenario::RunPlan& plan,
                                         AllreduceImplementation implementation, std::int64_t gradient_bytes,
                                         double flops_per_step, std::vector<std::string>& notes) {
  const std::uint32_t ranks = plan.placement.endpoints, workers = plan.cluster.workers;
  const HostMeasurements* network = AtRanks(profile, ranks);
  const HostMeasurements* compute = AtRanks(profile, workers);
  std::vector<std::string> problems;
  if (network == nullptr) {
    problems.push_back("no measurements on " + std::to_string(ranks) + " ranks (the run's network; measured: " +
                       Measured(profile) + ")");
  }
  if (compute == nullptr) {
    problems.push_back("no measurements on " + std::to_string(workers) + " ranks (the run's " +
                       std::to_string(workers) + " workers computing at once; measured: " + Measured(profile) + ")");
  } else if (!(compute->flops_per_step() > 0) || compute->gradient_bytes() <= 0) {
    problems.push_back("the measurements on " + std::to_string(workers) +
                       " ranks have no reference model (flops_per_step, gradient_bytes)");
  }
  if (!(flops_per_step > 0) || gradient_bytes <= 0) problems.push_back("the run's model has no FLOPs or no bytes");
  ThrowIfAny(problems);

  HostMeasurements m;
  m.set_scenario(plan.name);
  m.set_workers(workers);
  m.set_ranks(ranks);
  m.set_flops_per_step(flops_per_step);
  m.set_gradient_bytes(gradient_bytes);
  m.set_nominal_gbit_per_s(network->nominal_gbit_per_s());
  m.set_small_message_s(network->small_message_s());

  const double flops_ratio = flops_per_step / compute->flops_per_step();
  const double bytes_ratio = static_cast<double>(gradient_bytes) / static_cast<double>(compute->gradient_bytes());
  m.set_lockstep_step_s(compute->lockstep_step_s() * flops_ratio);
  for (double t : compute->free_running_step_s()) m.add_free_running_step_s(t * flops_ratio);
  m.set_optimizer_step_s(compute->optimizer_step_s() * bytes_ratio);
  m.set_add_gradient_s(compute->add_gradient_s() * bytes_ratio);

  const std::vector<std::int64_t> sizes = MessageSizes(plan, implementation, gradient_bytes);
  const double one_byte_s = network->small_message_s();
  AddInterpolated(network->one_way(), one_byte_s, sizes, "one-way", *m.mutable_one_way(), problems);
  AddInterpolated(network->pair_exchange(), one_byte_s, sizes, "pair exchange", *m.mutable_pair_exchange(), problems);
  AddInterpolated(network->ring_exchange(), one_byte_s, sizes, "ring exchange", *m.mutable_ring_exchange(), problems);
  AddInterpolated(network->fan_in(), one_byte_s, sizes, "fan-in", *m.mutable_fan_in(), problems);
  AddInterpolated(network->fan_out(), one_byte_s, sizes, "fan-out", *m.mutable_fan_out(), problems);
  AddInterpolated(network->fan_half_each(), one_byte_s, sizes, "fan half each", *m.mutable_fan_half_each(), problems);
  // A fan-out's receivers, first to last: each order statistic on its own line.
  if (network->fan_out_completions_size() >= 2) {
    const int receivers = network->fan_out_completions(0).seconds_size();
    for (std::int64_t bytes : sizes) {
      SizeTimes* at = m.add_fan_out_completions();
      at->set_bytes(bytes);
      for (int i = 0; i < receivers; ++i) {
        Grid grid = {{1.0, one_byte_s}};
        for (const SizeTimes& fan : network->fan_out_completions()) {
          if (fan.seconds_size() == receivers) grid.emplace_back(static_cast<double>(fan.bytes()), fan.seconds(i));
        }
        if (grid.size() >= 3) at->add_seconds(Interpolated(grid, bytes));
      }
    }
  }
  ThrowIfAny(problems);

  std::string listed;
  for (std::int64_t b : sizes) listed += (listed.empty() ? "" : ", ") + std::to_string(b);
  std::string grid;
  for (const SizeTime& t : network->one_way()) grid += (grid.empty() ? "" : ", ") + std::to_string(t.bytes());
  notes.push_back("cluster profile: network from its " + std::to_string(ranks) + "-rank measurements" +
                  (sizes.empty() ? "" : ", at " + listed + " bytes interpolated on its grid (" + grid + ")") +
                  "; compute from its " + std::to_string(workers) + "-rank ones, x" + Number(flops_ratio) +
                  " for this model's FLOPs per step" + (profile.description().empty() ? "" : " (" + profile.description() + ")"));
  return m;
}

}  // namespace sim::calibration

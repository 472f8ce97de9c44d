#include "sim/calibration/calibration.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "sim/calibration/flow_share_fit.h"
#include "sim/calibration/openmpi_allreduce_choice.h"

namespace sim::calibration {
namespace {

std::string Number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

const google::protobuf::RepeatedPtrField<SizeTime>& PatternTimes(const HostMeasurements& m, TrafficPattern pattern) {
  switch (pattern) {
    case TrafficPattern::kPairExchange:
      return m.pair_exchange();
    case TrafficPattern::kRingExchange:
      return m.ring_exchange();
    default:
      return m.one_way();
  }
}

std::int64_t CeilDiv(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Local SGD's workers compute their rounds at once and meet at every average:
// lockstep, as a synchronous run.
// Backup workers are a synchronous parameter server that waits for p - b.
bool IsSynchronous(StrategyKind kind) {
  return kind == StrategyKind::kSyncAllReduce || kind == StrategyKind::kSyncPs || kind == StrategyKind::kLocalSgd ||
         kind == StrategyKind::kSyncBackup;
}

// The schema's value of a registry algorithm: its name, upper-cased
// (scenario.proto, AllReduceAlgorithm).
scenario::AllReduceAlgorithm ScenarioAlgorithm(collectives::Algorithm algorithm) {
  std::string name(collectives::Name(algorithm));
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  scenario::AllReduceAlgorithm value = scenario::RING;
  if (!scenario::AllReduceAlgorithm_Parse(name, &value)) {
    throw std::logic_error("collective algorithm '" + name + "' has no value in scenario.proto");
  }
  return value;
}

}  // namespace

std::string_view Name(TrafficPattern pattern) noexcept {
  switch (pattern) {
    case TrafficPattern::kNone: return "none";
    case TrafficPattern::kOneWay: return "one-way";
    case TrafficPattern::kFanInOut: return "fan-in/out";
    case TrafficPattern::kPairExchange: return "pair exchange";
    case TrafficPattern::kRingExchange: return "ring exchange";
  }
  return "unknown";
}

TrafficPattern PatternOf(const scenario::RunPlan& s, AllreduceImplementation implementation,
                         std::int64_t gradient_bytes) {
  const std::uint32_t workers = s.cluster.workers;
  switch (s.strategy.kind) {
    case StrategyKind::kSyncPs:
    case StrategyKind::kSyncBackup:  // every worker still pushes and pulls: the same messages
    case StrategyKind::kAsyncPs:
    case StrategyKind::kSsp:
      return TrafficPattern::kFanInOut;
    case StrategyKind::kSyncAllReduce:
    case StrategyKind::kLocalSgd: {  // local SGD all-reduces the parameters: as many bytes
      if (workers <= 1) return TrafficPattern::kNone;
      if (implementation == AllreduceImplementation::kMpiAllreduce) {
        const AllreduceChoice choice = OpenMpiAllreduceChoice(workers, gradient_bytes);
        if (choice.runs == OpenMpiAllreduce::kRabenseifner || choice.runs == OpenMpiAllreduce::kRecursiveDoubling) {
          return TrafficPattern::kPairExchange;
        }
        if (choice.runs != OpenMpiAllreduce::kRing) return TrafficPattern::kOneWay;
      }
      return workers == 2 ? TrafficPattern::kPairExchange : TrafficPattern::kRingExchange;
    }
    default:
      throw std::invalid_argument("strategy.kind " + std::string(Entry(s.strategy.kind).name) +
                                  ": validate runs SYNC_ALLREDUCE, LOCAL_SGD, SYNC_PS, SYNC_BACKUP, ASYNC_PS and SSP only");
  }
}

std::vector<std::int64_t> MessageSizes(const scenario::RunPlan& s, AllreduceImplementation implementation,
                                       std::int64_t n) {
  const std::int64_t p = s.cluster.workers;
  if (PatternOf(s, implementation, n) == TrafficPattern::kNone) return {};
  if (Entry(s.strategy.kind).uses_servers) return {CeilDiv(n, std::max<std::int64_t>(1, s.strategy.servers))};
  const OpenMpiAllreduce mpi_runs = OpenMpiAllreduceChoice(static_cast<std::uint32_t>(p), n).runs;
  if (implementation == AllreduceImplementation::kMpiAllreduce && mpi_runs == OpenMpiAllreduce::kRecursiveDoubling) {
    return {n};  // every step exchanges the whole vector
  }
  if (implementation == AllreduceImplementation::kMpiAllreduce && mpi_runs == OpenMpiAllreduce::kRabenseifner) {
    // Recursive halving sends n/2, n/4, ..., n/p' (p' the power of two <= p).
    std::vector<std::int64_t> sizes;
    for (std::int64_t q = 2; q <= p; q *= 2) sizes.insert(sizes.begin(), n / q);
    return sizes;
  }
  return {CeilDiv(n, p)};
}

std::optional<double> SecondsPerByte(const google::protobuf::RepeatedPtrField<SizeTime>& times,
                                     const std::vector<std::int64_t>& sizes, double small_message_s) {
  double excess = 0, bytes = 0;
  for (std::int64_t size : sizes) {
    const SizeTime* found = nullptr;
    for (const SizeTime& t : times) {
      if (t.bytes() == size) found = &t;
    }
    if (found == nullptr) return std::nullopt;
    excess += found->seconds() - small_message_s;
    bytes += static_cast<double>(size);
  }
  if (bytes <= 0) return std::nullopt;
  return excess / bytes;
}

LinkFit FitLink(const HostMeasurements& m, TrafficPattern pattern, const std::vector<std::int64_t>& sizes) {
  LinkFit fit;
  if (pattern == TrafficPattern::kNone) return fit;
  std::vector<std::string> problems;
  if (!(m.small_message_s() > 0)) problems.push_back("small_message_s must be > 0");
  if (!(m.nominal_gbit_per_s() > 0)) problems.push_back("nominal_gbit_per_s must be > 0");
  if (sizes.empty()) problems.push_back("no message sizes to fit on");
  std::string listed;
  for (std::int64_t b : sizes) listed += (listed.empty() ? "" : ", ") + std::to_string(b);
  const std::string kind(Name(pattern));
  std::optional<double> per_byte;
  if (pattern == TrafficPattern::kFanInOut) {
    // p workers' flows share the server's link: p x m bytes per message
    // time, read off the fan-out. Not the fan-in: its p senders start at the
    // same instant, which can overflow the queue in front of the server and
    // cost TCP retransmissions (8 workers at 100 Mbit/s: once 0.37 s against
    // the fan-out's 0.30 s, another time 1.01x); in a run the pushes do not
    // start together (the pulls end unevenly: flow_share_sigma), and the
    // simulator has no queue to overflow.
    per_byte = SecondsPerByte(m.fan_out(), sizes, m.small_message_s());
    if (per_byte) *per_byte /= std::max<double>(1.0, m.workers());
  } else {
    per_byte = SecondsPerByte(PatternTimes(m, pattern), sizes, m.small_message_s());
  }
  const auto one_way = SecondsPerByte(m.one_way(), sizes, m.small_message_s());
  if (!per_byte) problems.push_back("need " + kind + " times at every size of the run (" + listed + " bytes)");
  if (!one_way) problems.push_back("need one-way times at every size of the run (" + listed + " bytes)");
  if (per_byte && !(*per_byte > 0)) problems.push_back(kind + " times must exceed the 1-byte time");
  if (one_way && !(*one_way > 0)) problems.push_back("one-way times must exceed the 1-byte time");
  if (!problems.empty()) {
    std::string text = "link calibration:";
    for (const auto& p : problems) text += "\n  " + p;
    throw std::invalid_argument(text);
  }

  fit.exchange_ratio =
      pattern == TrafficPattern::kFanInOut || pattern == TrafficPattern::kOneWay ? 1.0 : *per_byte / *one_way;
  // A half-duplex exchange moves 2m over the shared capacity, so seconds per
  // byte = directions / (efficiency x B). Half duplex only when the exchange
  // is that slow: one between 1x and 2x the one-way time (a ring step above
  // Open MPI's eager limit) is a full-duplex link of lower efficiency, not a
  // half-duplex one faster than its line.
  const double nominal_bytes_per_s = GigabitsPerSecond(m.nominal_gbit_per_s()).value;
  const double half_duplex_efficiency = 2.0 / (*per_byte * nominal_bytes_per_s);
  fit.duplex = fit.exchange_ratio >= kHalfDuplexRatio && half_duplex_efficiency <= 1.0 ? scenario::HALF_DUPLEX
                                                                                       : scenario::FULL_DUPLEX;
  const double directions = fit.duplex == scenario::HALF_DUPLEX ? 2.0 : 1.0;
  fit.bandwidth_efficiency = std::min(1.0, directions / (*per_byte * nominal_bytes_per_s));
  fit.latency_us = MicrosecondsFromSeconds(m.small_message_s() / 2.0);
  fit.per_message_overhead_us = 0.0;
  return fit;
}

Calibration Calibrate(const HostMeasurements& m, const scenario::RunPlan& s, AllreduceImplementation implementation) {
  std::vector<std::string> problems;
  if (!(m.flops_per_step() > 0)) problems.push_back("flops_per_step must be > 0");
  if (m.gradient_bytes() <= 0) problems.push_back("gradient_bytes must be > 0");
  const bool sync = IsSynchronous(s.strategy.kind);
  double step_s = m.lockstep_step_s();
  if (!sync) {
    step_s = 0;
    for (double t : m.free_running_step_s()) step_s += t;
    if (m.free_running_step_s_size() > 0) step_s /= m.free_running_step_s_size();
  }
  if (!(step_s > 0)) {
    problems.push_back(std::string(sync ? "lockstep_step_s" : "free_running_step_s") + " must be > 0");
  }
  if (!problems.empty()) {
    std::string text = "calibration:";
    for (const auto& p : problems) text += "\n  " + p;
    throw std::invalid_argument(text);
  }

  Calibration c;
  c.pattern = PatternOf(s, implementation, m.gradient_bytes());
  c.nominal_gbit_per_s = m.nominal_gbit_per_s();
  const auto sizes = MessageSizes(s, implementation, m.gradient_bytes());
  c.link = FitLink(m, c.pattern, sizes);

  c.device.set_name("host-calibrated");
  c.device.set_peak_tflops(InTeraflopsPerSecond(FlopsPerSecond{m.flops_per_step() / step_s}));
  c.device.set_efficiency(1.0);
  const bool local_sgd = s.strategy.kind == StrategyKind::kLocalSgd;
  const bool allreduce = s.strategy.kind == StrategyKind::kSyncAllReduce || local_sgd;
  // All-reduce workers each copy their gradient into the reduction buffer,
  // scale the sum by 1/p and take the optimizer step: two passes of adding
  // speed and one optimizer step. With parameter servers the server does the
  // arithmetic, and its cost is the apply rate below. Local SGD takes its
  // optimizer step every local step and copies and scales once a round.
  const double rounds_share = local_sgd ? 1.0 / std::max<std::uint32_t>(1, s.strategy.local_steps) : 1.0;
  const double local_s = m.optimizer_step_s() + 2.0 * m.add_gradient_s() * rounds_share;
  c.device.set_step_overhead_us(allreduce ? MicrosecondsFromSeconds(local_s) : 0.0);
  c.notes.push_back(std::string("compute: ") + (sync ? "phase of " : "mean of ") + std::to_string(m.workers()) +
                    " workers computing at once, " + Number(step_s * 1e3) + " ms per step of " +
                    Number(m.flops_per_step() / 1e6) + " MFLOP" +
                    (allreduce ? ", + copy, scale and optimizer step " + Number(MicrosecondsFromSeconds(local_s)) + " us" : ""));

  const double bytes = static_cast<double>(m.gradient_bytes());
  if (allreduce && m.add_gradient_s() > 0) c.reduction_gbyte_per_s = InGigabytesPerSecond(BytesPerSecond{bytes / m.add_gradient_s()});
  if (Entry(s.strategy.kind).uses_servers) {
    // Sync: the server adds each gradient in; async: it takes one optimizer
    // step per gradient.
    const double per_gradient_s = IsSynchronous(s.strategy.kind) ? m.add_gradient_s() : m.optimizer_step_s();
    if (per_gradient_s > 0) c.server_apply_gbyte_per_s = InGigabytesPerSecond(BytesPerSecond{bytes / per_gradient_s});
  }
  if (allreduce && implementation == AllreduceImplementation::kMpiAllreduce && s.cluster.workers > 1) {
    const AllreduceChoice choice = OpenMpiAllreduceChoice(s.cluster.workers, m.gradient_bytes());
    c.allreduce = ScenarioAlgorithm(choice.simulated);
    c.notes.push_back("MPI_Allreduce: Open MPI 4.1 runs " + std::string(Name(choice.runs)) + " for " +
                      std::to_string(s.cluster.workers) + " ranks and " + std::to_string(m.gradient_bytes()) +
                      " bytes; simulated as " + scenario::AllReduceAlgorithm_Name(c.allreduce) +
                      (choice.exact ? " (same schedule)" : " (stand-in)"));
  }
  // The unevenness of the server's fan-out (flow_share_fit.h): each size's
  // first-receiver fraction, net of the 1-byte time every message pays, fits
  // a sigma; the calibration uses their mean.
  double sigma_sum = 0, fraction_sum = 0;
  int fitted = 0;
  for (const SizeTimes& fan : m.fan_out_completions()) {
    if (fan.seconds_size() < 2) continue;
    const double first = fan.seconds(0) - m.small_message_s();
    const double last = fan.seconds(fan.seconds_size() - 1) - m.small_message_s();
    if (!(first > 0 && last > 0)) continue;
    const double fraction = std::min(first / last, 1.0);
    fraction_sum += fraction;
    sigma_sum += FitFlowShareSigma(fan.seconds_size(), fraction);
    ++fitted;
  }
  if (fitted > 0) {
    c.fan_out_first_fraction = fraction_sum / fitted;
    c.flow_share_sigma = sigma_sum / fitted;
    c.notes.push_back("sharing: in a fan-out to " + std::to_string(m.workers()) +
                      " workers the first had its message at " + Number(100.0 * c.fan_out_first_fraction) +
                      "% of the last's time (fair sharing: 100%) -> flow_share_sigma " +
                      Number(*c.flow_share_sigma));
  }
  if (c.pattern == TrafficPattern::kFanInOut) {
    const auto in = SecondsPerByte(m.fan_in(), sizes, m.small_message_s());
    const auto out = SecondsPerByte(m.fan_out(), sizes, m.small_message_s());
    if (in && out && *out > 0) {
      c.notes.push_back("fan-in took " + Number(*in / *out) +
                        "x the fan-out (the link is fitted on the fan-out: calibration.cc)");
    }
    // h = p / 2 pushes and h pulls at once on the server's cable, each
    // direction at k/2 x its rate while both carry data
    // (two_way_capacity), take h m / (k/2 x rate); the fan-out's p
    // messages took p m / rate: k = 2 h out / (p half), net of the 1-byte
    // time. k is kept in [1, 2].
    const auto half_each = SecondsPerByte(m.fan_half_each(), sizes, m.small_message_s());
    const int half = static_cast<int>(m.workers()) / 2;
    if (half_each && out && *out > 0 && *half_each > 0 && half >= 1) {
      const double one_way = *out / m.workers() * half;  // h messages one way
      c.two_way_capacity = std::clamp(2.0 * one_way / *half_each, 1.0, 2.0);
      c.notes.push_back("pushes and pulls at once, " + std::to_string(half) + " each way, took " +
                        Number(*half_each / one_way) + "x as many pulls alone (fan-out) -> two_way_capacity " +
                        Number(*c.two_way_capacity));
    }
  }
  if (c.pattern != TrafficPattern::kNone) {
    std::string listed;
    for (std::int64_t b : sizes) listed += (listed.empty() ? "" : ", ") + std::to_string(b);
    c.notes.push_back("link: " + std::string(Name(c.pattern)) + " at " + listed +
                      " bytes; exchange/one-way seconds per byte " + Number(c.link.exchange_ratio) +
                      " -> " + scenario::Duplex_Name(c.link.duplex) + ", efficiency " +
                      Number(c.link.bandwidth_efficiency) + ", 1-byte one-way " + Number(MicrosecondsFromSeconds(m.small_message_s())) +
                      " us");
  }
  return c;
}

std::vector<std::string> CalibrationOverrides(const Calibration& c) {
  std::vector<std::string> out = {
      "cluster.device_profile.name=" + c.device.name(),
      "cluster.device_profile.peak_tflops=" + Number(c.device.peak_tflops()),
      "cluster.device_profile.efficiency=" + Number(c.device.efficiency()),
      "cluster.device_profile.step_overhead_us=" + Number(c.device.step_overhead_us()),
      "cluster.topology.star.host_link.bandwidth_gbit_per_s=" + Number(c.nominal_gbit_per_s),
      "cluster.topology.star.host_link.latency_us=" + Number(c.link.latency_us),
      "cluster.network.bandwidth_efficiency=" + Number(c.link.bandwidth_efficiency),
      "cluster.network.per_message_overhead_us=" + Number(c.link.per_message_overhead_us),
      "cluster.network.duplex=" + scenario::Duplex_Name(c.link.duplex),
      "cluster.network.reduction_gbyte_per_s=" + Number(c.reduction_gbyte_per_s),
      "strategy.server_apply_gbyte_per_s=" + Number(c.server_apply_gbyte_per_s),
  };
  if (c.flow_share_sigma.has_value()) out.push_back("cluster.network.flow_share_sigma=" + Number(*c.flow_share_sigma));
  if (c.two_way_capacity.has_value()) out.push_back("cluster.network.two_way_capacity=" + Number(*c.two_way_capacity));
  if (c.allreduce != scenario::ALLREDUCE_UNSPECIFIED) {
    out.push_back("strategy.allreduce=" + scenario::AllReduceAlgorithm_Name(c.allreduce));
  }
  return out;
}

std::string CalibrationFileText(const Calibration& c, const std::string& header) {
  std::ostringstream out;
  std::istringstream lines(header);
  for (std::string line; std::getline(lines, line);) out << "# " << line << "\n";
  for (const auto& note : c.notes) out << "# " << note << "\n";
  for (const auto& o : CalibrationOverrides(c)) out << o << "\n";
  return out.str();
}

std::vector<std::string> ParseOverridesFile(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    const auto last = line.find_last_not_of(" \t\r");
    out.push_back(line.substr(first, last - first + 1));
  }
  return out;
}

}  // namespace sim::calibration

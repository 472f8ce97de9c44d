// From raw measurements (measurements.proto, written by build/mpi_calibrate)
// to the calibration a prediction uses: a device profile for the workers and
// the link and network fields of a star topology, as `--set` overrides of the
// scenario (sim/DESIGN.md: calibration is data, never code).
//
// The link model the simulator applies to one message of m bytes on a star
// (sim/network/flow_network.h) is
//   t(m) = per_message_overhead + 2 x latency + m / (bandwidth_efficiency x B)
// with B the nominal host-link bandwidth, when the message has its links to
// itself; with HALF_DUPLEX both directions of a host's cable share B.
//
// The fit: latency = half of the 1-byte one-way time (two links per path),
// no per-message overhead, and the efficiency that makes the summed time of
// the message sizes the run really sends (MessageSizes, each as often as the
// run sends it: once each for our patterns) equal to what was measured for
// them in the pattern the run really uses (PatternOf), every rank taking part
// as in the run (so that the cores' load is the run's too):
//   sum_i (t(m_i) - t(1 byte)) = directions x sharers x sum_i m_i / (efficiency x B)
// with sharers = p for the fan-out of a server to p workers (parameter
// servers: the fan-in is measured and reported, not fitted; see FitLink),
// else 1. Parameter servers also fit how unevenly the fan-out ends
// (flow_share_sigma, flow_share_fit.h), and measure how much slower pushes
// and pulls are when both are in flight (two_way_capacity).
// A straight line t = a + m/b fitted instead fails here: Open MPI's time is
// not one line across its eager limit (64 KiB on TCP), a ring of 8 ranks
// sends 50,885-byte chunks just below it while twice that is above, and a
// line through both has a negative intercept. Whether the pattern is half or
// full duplex is read off the measurement: an exchange whose seconds per
// byte are >= kHalfDuplexRatio x those of a lone one-way message of the same
// sizes, and at most 2 / B, is half duplex; any other is full duplex at the
// efficiency it gives.
//
// Measured on Open MPI 4.1.4's TCP transport over the emulated cluster at
// 100 Mbit/s (see README): below the eager limit (64 KiB) two ranks sending
// each other at once are full duplex (1.1x one-way); above it, where Open
// MPI uses its rendezvous protocol, the pair exchange takes exactly 2.0x and
// a ring step of 4 ranks 1.35-1.5x. With the eager limit raised above the
// message sizes, both are full duplex (1.05x). The simulator's duplex is a
// property of the cable, so the fit chooses it, and the efficiency, per
// pattern.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/run_plan.h"
#include "sim/calibration/measurements.pb.h"

namespace sim::calibration {

// How mpi_train runs a synchronous all-reduce.
enum class AllreduceImplementation {
  kPointToPointRing,  // our ring over MPI_Isend / MPI_Irecv (validate/mpi_train)
  kMpiAllreduce,      // MPI_Allreduce: Open MPI's own choice of algorithm
};

// How the messages of a run meet on the links.
enum class TrafficPattern {
  kNone,          // one worker: nothing is sent
  kOneWay,        // a tree-like MPI_Allreduce (reduce + broadcast): a pair never sends both ways at once
  kFanInOut,      // parameter servers: p workers push to a server at once, and pull
  kPairExchange,  // pairs of ranks send each other at once (ring of 2, recursive halving)
  kRingExchange,  // each rank sends to one peer and receives from another (ring of >= 3)
};

inline constexpr double kHalfDuplexRatio = 1.5;

[[nodiscard]] std::string_view Name(TrafficPattern pattern) noexcept;

// The pattern of the scenario's strategy as mpi_train runs it. Throws
// std::invalid_argument for a strategy mpi_train does not run.
[[nodiscard]] TrafficPattern PatternOf(const scenario::RunPlan& plan, AllreduceImplementation implementation,
                                       std::int64_t gradient_bytes);

// The message sizes the run sends, smallest first (what mpi_calibrate
// measures): ring chunks of n/p (one
// size); Rabenseifner's n/2, n/4, ..., n/p' (p' the power of two <= p);
// recursive doubling's whole vector n;
// parameter-server shards of n/S. Empty when nothing is sent.
[[nodiscard]] std::vector<std::int64_t> MessageSizes(const scenario::RunPlan& plan,
                                                     AllreduceImplementation implementation,
                                                     std::int64_t gradient_bytes);

struct LinkFit {
  double latency_us = 0;
  double per_message_overhead_us = 0;  // 0: folded into the efficiency
  double bandwidth_efficiency = 1;
  scenario::Duplex duplex = scenario::FULL_DUPLEX;
  // Seconds per byte (beyond the 1-byte time) of the pattern's exchange over
  // those of a lone one-way message of the same sizes (1 for one-way traffic).
  double exchange_ratio = 1;
};

// Throws std::invalid_argument naming what is missing or impossible (no
// small-message time, a size without its measurement, a slope <= 0).
// Fits on the measurements at exactly `sizes`.
[[nodiscard]] LinkFit FitLink(const HostMeasurements& measured, TrafficPattern pattern,
                              const std::vector<std::int64_t>& sizes);

struct Calibration {
  scenario::DeviceProfile device;
  LinkFit link;
  TrafficPattern pattern = TrafficPattern::kNone;
  double nominal_gbit_per_s = 0;
  // Rate of adding a gradient into another (reductions), GB/s.
  double reduction_gbyte_per_s = 0;
  // Rate of a server's work per received gradient, GB/s of parameters.
  double server_apply_gbyte_per_s = 0;
  // For MPI_Allreduce: the algorithm Open MPI runs, as the scenario's enum.
  scenario::AllReduceAlgorithm allreduce = scenario::ALLREDUCE_UNSPECIFIED;
  // Mean, over the measured sizes, of (first receiver's time / last
  // receiver's time) in a fan-out of the server (1 when not measured), and
  // the flow_share_sigma fitted to it (flow_share_fit.h; none when not measured).
  double fan_out_first_fraction = 1.0;
  std::optional<double> flow_share_sigma;
  // How much both directions of the server's cable carry together, in units
  // of its rate: 2 x (h pulls alone, from the fan-out) / (h pushes and h
  // pulls at once), h = workers / 2, in [1, 2]; none when not measured
  // (parameter servers of 2 workers or more only: a ring's exchange probes
  // already hold their two-way traffic in the efficiency).
  std::optional<double> two_way_capacity;
  // One line per decision, for the file's comments.
  std::vector<std::string> notes;
};

// Throws std::invalid_argument listing every problem of `measured`.
[[nodiscard]] Calibration Calibrate(const HostMeasurements& measured, const scenario::RunPlan& plan,
                                    AllreduceImplementation implementation);

// The calibration as `path=value` overrides of the scenario, in a stable
// order (device profile, star host link, network calibration, strategy).
[[nodiscard]] std::vector<std::string> CalibrationOverrides(const Calibration& calibration);

// The overrides file: '#' comment lines (the notes), then one override a line.
[[nodiscard]] std::string CalibrationFileText(const Calibration& calibration, const std::string& header);

// Reads such a file back: every non-empty line that is not a comment.
[[nodiscard]] std::vector<std::string> ParseOverridesFile(const std::string& text);

}  // namespace sim::calibration

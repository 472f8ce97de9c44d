// What a run will need before it runs: its peak memory and its event count,
// estimated from the plan's numbers alone (nothing built, no data loaded),
// so that a run that cannot fit this machine or cannot finish is refused at
// the check (exit 2) with the estimate and the field to change, instead of
// thrashing, being killed or running for days (issue 20).
//
// The estimates are simple on purpose; each term is a count the run really
// holds times a per-item size measured on this simulator (release build):
//
//   parameters      P x 4 B (fp32) x (4 + k x workers): the global model, the
//                   next version and optimizer state; per worker k = 1 (its
//                   gradient; sync strategies measured 1.0 at 64 workers),
//                   +1 for ASYNC_PS/SSP (a version of its own), +2 for
//                   LOCAL_SGD (replica and optimizer state), +1 with error
//                   feedback (what compression held back)
//   activations     batch x (sum of each weight matrix's rows + cols) x 4 B x 2
//                   (forward values and backward deltas; one worker at a time)
//   dataset         (train + test samples) x features x 4 B (Fashion-MNIST:
//                   784 features, 60,000 + 10,000 samples, 220 MB)
//   endpoints       1 KiB per worker or host endpoint (topology, routes,
//                   timeline, straggler streams: 1.03 KiB measured at 100,000
//                   ASYNC_PS workers on a star)
//   schedules       64 B per transfer of the all-reduce's schedule (ring:
//                   2 (N - 1) N transfers; 50 B measured at 1,024 ranks)
//   trace           150 B per interval kept (3 per worker and step), with a trace
//
// Events per step, fitted on timing-only runs of 4, 16 and 64 workers (within
// a factor 1.3 of every case measured): SYNC_ALLREDUCE 2.5 per transfer + 2
// per worker; SYNC_PS and SYNC_BACKUP 6 per worker and server; ASYNC_PS and
// SSP 7 per update and server; LOCAL_SGD 2 per worker + 2.5 per transfer / H.
// Layer-wise runs (a task graph, whose steady steps repeat without being
// simulated) are estimated for their endpoints only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario.pb.h"
#include "sim/strategy/strategy_spec.h"

namespace sim::scenario {

// What a run may use; 0: no limit.
struct ResourceLimits {
  double memory_bytes = 0;
  double events = 0;
  // Where memory_bytes came from, for the message ("MemAvailable").
  std::string memory_source = "the memory limit";
};

// Events a run may fire unless told otherwise (--max-events): at the 2-10 M
// events/s of this engine (sim/DESIGN.md, "Speeds to beat") about 20 minutes
// to 1.5 hours.
inline constexpr double kDefaultMaxEvents = 1e10;

// This machine's limits: MemAvailable of /proc/meminfo (no memory limit when
// it cannot be read) and kDefaultMaxEvents.
[[nodiscard]] ResourceLimits ThisMachineLimits();

// MemAvailable in bytes from the text of /proc/meminfo; 0 when absent.
[[nodiscard]] double MemAvailableBytes(const std::string& meminfo);

struct MemoryPart {
  std::string what;   // "activations of a batch"
  double bytes = 0;
  std::string field;  // the field that scales it: "workload.batch_size"
};

struct ResourceEstimate {
  std::vector<MemoryPart> memory;
  double events = 0;
  std::string events_note;  // how the count arises: "20,288 per step x 300 steps"

  [[nodiscard]] double memory_bytes() const;
};

// The estimate for a scenario with its defaults written in (ApplyDefaults)
// and a valid workload; `trace` when the run keeps a Chrome trace,
// `layer_wise` when it runs as a task graph.
[[nodiscard]] ResourceEstimate EstimateResources(const Scenario& scenario, const StrategySpec& strategy, bool trace,
                                                bool layer_wise);

// Adds a problem for each limit the estimate exceeds, naming the estimate,
// its largest parts and the field to change.
void CheckResources(const ResourceEstimate& estimate, const ResourceLimits& limits,
                    std::vector<std::string>& problems);

// "3.2 GB", "220 MB": bytes in decimal units, 2 significant digits and more.
[[nodiscard]] std::string ShowBytes(double bytes);

}  // namespace sim::scenario

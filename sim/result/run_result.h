// The one place a RunResult is put together, for a simulated run (sim) and a
// real one (validate/mpi_train) alike: both describe what happened in the
// same terms, and the result holds the same fields computed the same way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/result/result.pb.h"
#include "sim/result/training_log.h"

namespace sim {

struct WorkerTimes {
  std::uint32_t computations = 0;
  double compute_s = 0;
  double comm_s = 0;
  double wait_s = 0;
};

struct RunSummary {
  std::string scenario;
  std::uint64_t seed = 0;
  std::string strategy;  // "SYNC_ALLREDUCE/RING", ...
  std::uint64_t updates = 0;
  double samples = 0;
  double end_s = 0;  // when the run ended: simulated, or wall-clock for a real run
  std::vector<WorkerTimes> per_worker;
};

// The result of a run: its summary, the numerics as `log` recorded them, and
// the effective scenario echoed. What only a simulation knows (network bytes,
// busiest links, events) and the wall time are the caller's to add.
[[nodiscard]] result::RunResult MakeRunResult(const RunSummary& summary, const TrainingLog& log,
                                              const scenario::Scenario& effective);

// FNV-1a (64 bits) of the scenario's text format, as 16 hex digits:
// deterministic across runs and machines for one protobuf version.
[[nodiscard]] std::string ScenarioHash(const scenario::Scenario& scenario);

// Records the device profile a run computed with and where it came from.
void SetDevice(result::RunResult& r, const scenario::DeviceProfile& device, const std::string& source);

}  // namespace sim

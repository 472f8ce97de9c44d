// What a scenario says about the training strategy, in plain values, and the
// registry of strategy kinds (strategy_kinds.cc): each kind's name, whether it
// talks to parameter servers, how many samples one update consumes, and the
// class that runs it.
//
// Adding a strategy: its class in a file of its own, a StrategyKind value,
// its entry in strategy_kinds.cc, and (to name it in scenarios) the value of
// scenario.proto's StrategyKind with the same name.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "models/compression/compression_options.h"
#include "sim/collectives/collective.h"
#include "sim/core/units.h"

namespace sim {

enum class StrategyKind { kSyncAllReduce, kSyncPs, kAsyncPs, kSsp, kLocalSgd, kSyncBackup };

// When a worker of SYNC_ALLREDUCE takes part in a step's all-reduce.
enum class AllReduceEntry {
  // The all-reduce starts when every worker's gradient is ready, and every
  // worker starts its next step when the last one holds the result.
  kWhenAllReady,
  // Each worker enters when its own gradient is ready and starts its next
  // step when its own part is done, as MPI ranks do.
  kEachWorker,
};

struct StrategySpec {
  StrategyKind kind = StrategyKind::kSyncAllReduce;
  // SYNC_ALLREDUCE and LOCAL_SGD: the all-reduce and its ring chunk (0: none).
  collectives::Algorithm allreduce = collectives::Algorithm::kRing;
  Bytes ring_chunk{0};
  AllReduceEntry allreduce_entry = AllReduceEntry::kWhenAllReady;  // SYNC_ALLREDUCE
  // Parameter servers (kinds with servers): how many, where, how fast they
  // apply an update (0: free).
  std::uint32_t servers = 1;
  bool colocated_servers = false;
  BytesPerSecond server_apply_rate{0.0};
  std::uint32_t staleness_bound = 0;  // SSP
  std::uint32_t local_steps = 8;      // LOCAL_SGD
  std::uint32_t backup_workers = 0;   // SYNC_BACKUP
  // What every worker does to its gradient before sending it (LOCAL_SGD: to
  // its replica's change since the last average); kNone: nothing.
  models::CompressionOptions compression{.scheme = models::CompressionScheme::kNone};
  // LOCAL_SGD: each worker forgets its optimizer state after every average.
  bool reset_optimizer_state = false;
};

class Strategy;
struct TrainingContext;

struct StrategyKindEntry {
  StrategyKind id;
  std::string_view name;  // the schema's value name: "SYNC_ALLREDUCE"
  bool uses_servers;
  // Samples one update of the global model consumes, for `workers` workers
  // of `batch` samples each (turns epochs into steps).
  std::uint64_t (*samples_per_update)(const StrategySpec& spec, std::uint32_t workers, std::uint64_t batch);
  std::unique_ptr<Strategy> (*make)(TrainingContext& context);
};

[[nodiscard]] std::span<const StrategyKindEntry> StrategyKinds() noexcept;
[[nodiscard]] const StrategyKindEntry& Entry(StrategyKind kind) noexcept;

// Servers on endpoints of their own, after the workers': 0 when colocated or
// when the strategy has no servers.
[[nodiscard]] std::uint32_t DedicatedServers(const StrategySpec& spec) noexcept;

// "SYNC_ALLREDUCE/RING", "ASYNC_PS/2 servers", ...: for summaries.
[[nodiscard]] std::string StrategyName(const StrategySpec& spec);

}  // namespace sim

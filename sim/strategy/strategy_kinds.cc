#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "sim/strategy/async_parameter_server.h"
#include "sim/strategy/local_sgd.h"
#include "sim/strategy/strategy.h"
#include "sim/strategy/sync_allreduce.h"
#include "sim/strategy/sync_parameter_server.h"

namespace sim {
namespace {

// Synchronous kinds consume the global batch per update, asynchronous ones
// one worker's; local SGD counts each worker's local step, each on its own
// batch, so N batches per "step"; backup workers drop b gradients per update.
std::uint64_t GlobalBatch(const StrategySpec&, std::uint32_t workers, std::uint64_t batch) {
  return batch * workers;
}
std::uint64_t OneBatch(const StrategySpec&, std::uint32_t, std::uint64_t batch) { return batch; }
std::uint64_t AllButBackups(const StrategySpec& spec, std::uint32_t workers, std::uint64_t batch) {
  return batch * (workers - spec.backup_workers);
}

const std::array<StrategyKindEntry, 6> kKinds{{
    {StrategyKind::kSyncAllReduce, "SYNC_ALLREDUCE", false, GlobalBatch,
     [](TrainingContext& c) -> std::unique_ptr<Strategy> { return std::make_unique<SyncAllReduce>(c); }},
    {StrategyKind::kSyncPs, "SYNC_PS", true, GlobalBatch,
     [](TrainingContext& c) -> std::unique_ptr<Strategy> { return std::make_unique<SyncParameterServer>(c, 0); }},
    {StrategyKind::kAsyncPs, "ASYNC_PS", true, OneBatch,
     [](TrainingContext& c) -> std::unique_ptr<Strategy> {
       return std::make_unique<AsyncParameterServer>(c, std::nullopt);
     }},
    {StrategyKind::kSsp, "SSP", true, OneBatch,
     [](TrainingContext& c) -> std::unique_ptr<Strategy> {
       return std::make_unique<AsyncParameterServer>(c, c.strategy.staleness_bound);
     }},
    {StrategyKind::kLocalSgd, "LOCAL_SGD", false, GlobalBatch,
     [](TrainingContext& c) -> std::unique_ptr<Strategy> {
       return std::make_unique<LocalSgd>(c, c.strategy.local_steps);
     }},
    {StrategyKind::kSyncBackup, "SYNC_BACKUP", true, AllButBackups,
     [](TrainingContext& c) -> std::unique_ptr<Strategy> {
       return std::make_unique<SyncParameterServer>(c, c.strategy.backup_workers);
     }},
}};

}  // namespace

std::span<const StrategyKindEntry> StrategyKinds() noexcept { return kKinds; }

const StrategyKindEntry& Entry(StrategyKind kind) noexcept {
  const auto* found =
      std::find_if(kKinds.begin(), kKinds.end(), [kind](const StrategyKindEntry& e) { return e.id == kind; });
  return *found;
}

std::uint32_t DedicatedServers(const StrategySpec& spec) noexcept {
  return Entry(spec.kind).uses_servers && !spec.colocated_servers ? spec.servers : 0;
}

std::string StrategyName(const StrategySpec& spec) {
  const std::string kind(Entry(spec.kind).name);
  if (Entry(spec.kind).uses_servers) {
    return kind + "/" + std::to_string(spec.servers) + (spec.servers == 1 ? " server" : " servers");
  }
  if (spec.kind == StrategyKind::kSyncAllReduce || spec.kind == StrategyKind::kLocalSgd) {
    std::string algorithm(collectives::Name(spec.allreduce));
    for (char& c : algorithm) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return kind + "/" + algorithm;
  }
  return kind;
}

std::unique_ptr<Strategy> MakeStrategy(TrainingContext& context) { return Entry(context.strategy.kind).make(context); }

}  // namespace sim

#include <optional>

#include "sim/strategy/async_parameter_server.h"
#include "sim/strategy/local_sgd.h"
#include "sim/strategy/strategy.h"
#include "sim/strategy/sync_allreduce.h"
#include "sim/strategy/sync_parameter_server.h"

namespace sim {

std::string StrategyName(const scenario::Strategy& s) {
  const std::string kind = scenario::StrategyKind_Name(s.kind());
  switch (s.kind()) {
    case scenario::SYNC_ALLREDUCE:
    case scenario::LOCAL_SGD:
      return kind + "/" + scenario::AllReduceAlgorithm_Name(s.allreduce());
    case scenario::SYNC_PS:
    case scenario::ASYNC_PS:
    case scenario::SSP:
    case scenario::SYNC_BACKUP:
      return kind + "/" + std::to_string(s.servers()) + (s.servers() == 1 ? " server" : " servers");
    default:
      return kind;
  }
}

std::unique_ptr<Strategy> MakeStrategy(TrainingContext& context) {
  const scenario::Strategy& s = context.scenario.strategy();
  switch (s.kind()) {
    case scenario::SYNC_PS:
      return std::make_unique<SyncParameterServer>(context, 0);
    case scenario::SYNC_BACKUP:
      return std::make_unique<SyncParameterServer>(context, s.backup_workers());
    case scenario::ASYNC_PS:
      return std::make_unique<AsyncParameterServer>(context, std::nullopt);
    case scenario::SSP:
      return std::make_unique<AsyncParameterServer>(context, s.staleness_bound());
    case scenario::LOCAL_SGD:
      return std::make_unique<LocalSgd>(context, s.local_steps());
    case scenario::SYNC_ALLREDUCE:
    default:
      return std::make_unique<SyncAllReduce>(context);
  }
}

}  // namespace sim

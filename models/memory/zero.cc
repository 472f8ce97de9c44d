#include "models/memory/zero.h"

#include <stdexcept>
#include <string>

namespace sim::models {

std::string_view ZeroStageName(ZeroStage stage) noexcept {
  switch (stage) {
    case ZeroStage::kNone:
      return "no ZeRO";
    case ZeroStage::kOptimizerStates:
      return "ZeRO stage 1";
    case ZeroStage::kGradients:
      return "ZeRO stage 2";
    case ZeroStage::kParameters:
      return "ZeRO stage 3";
  }
  return "?";
}

ModelStates ModelStatesPerDevice(std::int64_t parameters, std::int64_t data_parallel, ZeroStage stage,
                                 ModelStateBytesPerParameter bytes) {
  if (parameters < 0) throw std::invalid_argument("parameters must be >= 0, got " + std::to_string(parameters));
  if (data_parallel < 1) {
    throw std::invalid_argument("data-parallel size must be >= 1, got " + std::to_string(data_parallel));
  }
  const std::int64_t shard = (parameters + data_parallel - 1) / data_parallel;
  const auto held = [&](bool sharded) { return sharded ? shard : parameters; };
  const int level = static_cast<int>(stage);
  return ModelStates{Bytes{held(level >= 3) * bytes.parameters}, Bytes{held(level >= 2) * bytes.gradients},
                     Bytes{held(level >= 1) * bytes.optimizer}};
}

}  // namespace sim::models

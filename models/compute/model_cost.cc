#include "models/compute/model_cost.h"

namespace sim::models {

ModelCost CostOf(const Model& model) {
  return ModelCost{model.name(), static_cast<std::int64_t>(model.parameter_count()),
                   static_cast<std::int64_t>(sizeof(float)), model.flops_per_sample()};
}

}  // namespace sim::models

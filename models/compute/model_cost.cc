#include "models/compute/model_cost.h"

#include "models/compute/workload_profiles.h"
#include "models/nn/make_model.h"

namespace sim::models {

ModelCost CostOf(const Model& model) {
  return ModelCost{model.name(), static_cast<std::int64_t>(model.parameter_count()),
                   static_cast<std::int64_t>(sizeof(float)), model.flops_per_sample()};
}

ModelCost CostOfModel(const sim::scenario::Model& spec, Eigen::Index input_features, std::int32_t classes) {
  if (spec.kind_case() == sim::scenario::Model::kTimingOnly) return ResolveTimingOnly(spec.timing_only());
  return CostOf(*MakeModel(spec, input_features, classes));
}

}  // namespace sim::models

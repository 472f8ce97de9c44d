// The workload part of a scenario (model, data, batch, optimizer, run
// length): its checks, every problem at once; its defaults, written into the
// effective scenario; and its typed form for the run. A field left at 0 means
// "default" (scenario.proto) and is never a problem by itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/compression/matrix_shapes.h"
#include "models/compute/model_cost.h"
#include "models/data/load_dataset.h"
#include "models/layers/layer.h"
#include "models/nn/make_model.h"
#include "models/optim/make_optimizer.h"
#include "sim/scenario/scenario.pb.h"
#include "sim/training/run_length.h"

namespace sim::scenario {

struct WorkloadPlan {
  // The trainable model; absent for a timing_only workload.
  std::optional<models::ModelSpec> model;
  // What a step costs: of the trainable model once built (the run fills it),
  // or of the timing_only profile.
  std::optional<models::ModelCost> timing_only;
  std::optional<models::DatasetSpec> dataset;  // absent for timing_only
  // A timing_only model whose profile is layer-wise (models/layers): its
  // layers, activations at the precision's type.
  std::optional<std::vector<models::Layer>> layers;
  models::DataType precision = models::DataType::kFp32;
  models::ShardingSpec sharding;
  std::uint32_t batch_size = 32;  // per worker and step
  // The optimizer's kind and options, the learning rate with the linear
  // scaling rule applied; the schedule's total_steps is the run's, filled
  // once the run knows its length.
  models::OptimizerOptions optimizer;
  // The model's size: its parameters (a timing_only model's too) and, for a
  // trainable one, where its weight matrices lie (what POWER_SGD compresses).
  std::int64_t parameters = 0;
  std::vector<models::MatrixShape> weight_shapes;
  RunLength length;
  std::uint64_t eval_every_steps = 0;  // 0: a tenth of the run, decided by the run
  double target_accuracy = 0.0;        // 0: none
  bool stop_at_target = false;
  std::uint32_t eval_samples = 0;      // 0: the whole test set

  [[nodiscard]] bool timing_only_workload() const noexcept { return !model.has_value(); }
};

// A model's size from its description alone, before any data is loaded.
struct ModelShape {
  std::int64_t parameters = 0;
  std::vector<models::MatrixShape> weight_shapes;  // empty: no weight matrix
  bool trainable = false;                          // false: timing_only
  Flops flops_per_sample{0};                       // forward + backward
};

// The shape of the workload's model: a trainable model on its data's
// features and classes (Fashion-MNIST: 28 x 28 = 784 pixels, 10 classes,
// Xiao, Rasul & Vollgraf 2017), or a timing_only model's parameters. Absent
// when the model or data is invalid (ValidateWorkload says why).
[[nodiscard]] std::optional<ModelShape> ModelShapeOf(const Workload& workload);

// Every problem, one sentence each naming its field
// ("workload.optimizer.momentum must be in [0, 1), got 1"); empty when valid.
[[nodiscard]] std::vector<std::string> ValidateWorkload(const Workload& workload);

// The workload with the schema's defaults written in: batch_size 32, 100
// steps when neither steps nor epochs is set, eval_every_steps = steps / 10
// (at least 1; left 0 when the run is given in epochs, which needs the data
// size), optimizer learning_rate 0.1 (SGD; the adaptive kinds PyTorch's),
// schedule CONSTANT, step_gamma 0.1, reference_batch 32, the fields of the
// chosen optimizer kind (the kind itself is left absent for SGD), mlp hidden
// [256] and RELU, sharding IID (label_skew 0.8 with BY_LABEL), synthetic
// 10,000 / 2,000 / 32 / 10 / 0.1, the Fashion-MNIST folder, and a
// timing_only model's profile values. Invalid values are left as they are
// (ValidateWorkload reports them).
[[nodiscard]] Workload WorkloadWithDefaults(const Workload& workload);

// The typed workload of a checked effective workload; `workers` sizes the
// global batch of the linear scaling rule.
[[nodiscard]] WorkloadPlan WorkloadPlanOf(const Workload& workload, std::uint32_t workers);

}  // namespace sim::scenario

// The real SGD numerics of a simulated run (sim/DESIGN.md, decision 3). Strategies
// decide *when* and *on which parameter version* a worker computes and *when*
// an update is applied; this class does the arithmetic, in that order.
//
// Parameter versions are immutable, shared snapshots (copy on write): a worker
// holds the version it pulled or received; applying an update makes a new
// version, in place when nobody else holds the current one. Memory is thus
// (versions actually held + gradients in flight), not workers x model.
//
// A timing-only workload has no numerics: the same calls then only count
// versions, and gradients are empty handles.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <Eigen/Core>

#include "models/compression/compressor.h"
#include "models/compression/matrix_shapes.h"
#include "models/compression/power_sgd.h"
#include "models/data/batch_sampler.h"
#include "models/data/dataset.h"
#include "models/data/load_dataset.h"
#include "models/nn/make_model.h"
#include "models/nn/model.h"
#include "models/optim/make_optimizer.h"
#include "sim/training/run_length.h"
#include "sim/training/summation_order.h"

namespace sim {

// An immutable snapshot of the model: the values and how many updates made it.
struct ParameterVersion {
  std::shared_ptr<const Eigen::VectorXf> values;  // null without numerics
  std::uint64_t version = 0;
};

// A worker's gradient, with the version it was computed on (for staleness).
struct Gradient {
  std::shared_ptr<const Eigen::VectorXf> values;  // null without numerics
  std::uint64_t base_version = 0;
  std::uint32_t worker = 0;
  // The training loss on its mini-batch (mean over the batch); none
  // without numerics.
  std::optional<double> batch_loss = std::nullopt;
};

struct TestScore {
  double loss = 0;
  double accuracy = 0;
};

// What the numerics need to know, in plain values (built from the run plan).
struct NumericsSpec {
  models::ModelSpec model;
  models::DatasetSpec dataset;
  models::ShardingSpec sharding;
  std::uint32_t batch_size = 32;
  // schedule.total_steps is set here, from the run's length.
  models::OptimizerOptions optimizer;
  // What each worker does to what it sends, and the model's weight matrices
  // (PowerSGD compresses those).
  models::CompressionOptions compression{.scheme = models::CompressionScheme::kNone};
  std::vector<models::MatrixShape> weight_shapes;
  RunLength length;
  // Samples one update consumes (the strategy's), to turn epochs into steps.
  std::uint64_t samples_per_update = 1;
  // How a synchronous update adds the workers' vectors: along the tree its
  // all-reduce forms (summation_order.h); PowerSGD keeps its own order.
  SummationOrder summation = SummationOrder::kRankOrder;
  std::uint32_t eval_samples = 0;  // 0: the whole test set
  std::uint64_t seed = 1;
};

class Numerics {
 public:
  // Timing only: no model, no data; versions are still counted.
  Numerics() = default;
  // Real numerics: `workers` workers, each with its shard, sampler and
  // compressor (stream "compression/worker/<rank>"; PowerSGD's first Q from
  // "compression/power_sgd"), one global model with its optimizer; every
  // replica starts from the same initial parameters (stream "model/init").
  // The data set is loaded from the spec, unless `data` (the same set,
  // loaded once for several runs of a sweep or a benchmark) is given.
  Numerics(const NumericsSpec& spec, std::uint32_t workers, std::shared_ptr<const models::TrainTest> data = nullptr);
  ~Numerics();
  Numerics(const Numerics&) = delete;
  Numerics& operator=(const Numerics&) = delete;

  [[nodiscard]] bool enabled() const noexcept { return model_ != nullptr; }
  [[nodiscard]] std::uint32_t workers() const noexcept { return static_cast<std::uint32_t>(samplers_.size()); }
  [[nodiscard]] std::int64_t training_samples() const noexcept { return train_samples_; }
  // The run's length in updates (its epochs turned into steps).
  [[nodiscard]] std::uint64_t total_steps() const noexcept { return total_steps_; }
  // The model being trained; null without numerics.
  [[nodiscard]] const models::Model* model() const noexcept { return model_.get(); }

  // The global model's current version.
  [[nodiscard]] ParameterVersion current() const { return {global_, version_}; }
  [[nodiscard]] std::uint64_t version() const noexcept { return version_; }

  // Worker `worker` draws its next mini-batch and computes its mean gradient
  // on `at`.
  Gradient compute_gradient(std::uint32_t worker, const ParameterVersion& at);

  // Worker `gradient.worker` compresses its gradient as it sends it:
  // `gradient.values` becomes what every receiver decodes and applies
  // (models/compression/compressor.h), and with error feedback the worker
  // keeps what it did not send for its next one. Nothing changes without
  // compression, nor with PowerSGD, whose workers are compressed together
  // (apply_mean, average_replicas).
  void compress(Gradient& gradient);
  // Worker `worker`'s error-feedback residual; empty without compression.
  [[nodiscard]] Eigen::VectorXf residual(std::uint32_t worker) const;

  // Synchronous update: the mean of `gradients` (callers pass rank order),
  // summed in the spec's summation order and scaled once, applied as one
  // optimizer step. With PowerSGD,
  // every worker's gradient, in rank order, reduced in the compressed
  // domain (models/compression/power_sgd.h).
  void apply_mean(std::span<const Gradient> gradients);
  // Asynchronous update: one gradient applied as one optimizer step.
  void apply(const Gradient& gradient);
  // Local SGD (Stich 2019; Lin et al. 2020): worker `worker` takes one
  // optimizer step on its own replica (a copy of the global model from the
  // last average), with its own optimizer state. Returns the training loss
  // on its mini-batch (none without numerics).
  std::optional<double> local_step(std::uint32_t worker);
  // The global model becomes the mean of all replicas, summed in the spec's
  // summation order (one new version), and every replica restarts from it. With compression
  // each worker sends its replica's change since the last average,
  // compressed with error feedback as a gradient would be (Basu et al. 2019,
  // Qsparse-local-SGD), and the model moves by the mean decoded change.
  // `reset_optimizer_state`: every worker's optimizer forgets its state
  // (momentum, moments), as after a restart; else it carries over.
  void average_replicas(bool reset_optimizer_state = false);

  // Test-set loss and accuracy of the current version (no simulated time).
  [[nodiscard]] std::optional<TestScore> evaluate();

 private:
  std::shared_ptr<Eigen::VectorXf> writable_global();

  std::unique_ptr<models::Model> model_;
  std::shared_ptr<const models::TrainTest> data_;
  std::vector<models::BatchSampler> samplers_;
  std::unique_ptr<models::Optimizer> optimizer_;
  std::vector<std::unique_ptr<models::Optimizer>> local_optimizers_;
  std::vector<Eigen::VectorXf> replicas_;  // local SGD only, made on first use
  // One per worker; empty without compression and with PowerSGD.
  std::vector<std::unique_ptr<models::Compressor>> compressors_;
  std::unique_ptr<models::PowerSgd> power_sgd_;
  std::vector<Eigen::VectorXf> changes_;  // local SGD with compression: each replica's change (workspace)
  std::shared_ptr<Eigen::VectorXf> global_;
  std::uint64_t version_ = 0;
  std::int64_t train_samples_ = 0;
  std::uint32_t eval_samples_ = 0;
  SummationOrder summation_ = SummationOrder::kRankOrder;
  Eigen::VectorXf mean_;      // workspace of apply_mean / average_replicas
  std::vector<Eigen::VectorXf> partial_sums_;  // workspace of SumInOrder
  Eigen::VectorXf gradient_;  // workspace of local_step and average_replicas
  models::OptimizerOptions optimizer_options_;
  std::uint64_t total_steps_ = 0;
};

}  // namespace sim

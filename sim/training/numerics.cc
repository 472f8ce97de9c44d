#include "sim/training/numerics.h"

#include <stdexcept>
#include <string>

#include "models/compression/make_compressor.h"
#include "sim/core/random.h"

namespace sim {

Numerics::~Numerics() = default;

Numerics::Numerics(const NumericsSpec& spec, std::uint32_t workers, std::shared_ptr<const models::TrainTest> data)
    : data_(std::move(data)) {
  if (!data_) data_ = std::make_shared<const models::TrainTest>(models::LoadDataset(spec.dataset, spec.seed));
  model_ = models::MakeModel(spec.model, data_->train.feature_count(), data_->train.classes);
  train_samples_ = data_->train.samples();
  eval_samples_ = spec.eval_samples;
  summation_ = spec.summation;

  const models::Shards shards =
      models::ShardTrainingSet(spec.sharding, data_->train, static_cast<int>(workers), spec.seed);
  samplers_.reserve(workers);
  for (std::uint32_t k = 0; k < workers; ++k) {
    samplers_.push_back(models::MakeBatchSampler(shards[k], spec.batch_size, spec.seed, static_cast<int>(k)));
  }
  total_steps_ = spec.length.steps_for(train_samples_, spec.samples_per_update);
  optimizer_options_ = spec.optimizer;
  models::ScheduleOf(optimizer_options_).total_steps = total_steps_;
  optimizer_ = models::MakeOptimizer(optimizer_options_);
  global_ = std::make_shared<Eigen::VectorXf>(models::InitialParameters(*model_, spec.seed));

  const Eigen::Index n = model_->parameter_count();
  if (spec.compression.scheme == models::CompressionScheme::kPowerSgd) {
    power_sgd_ = std::make_unique<models::PowerSgd>(spec.compression, n, spec.weight_shapes, workers,
                                                    NamedStream(spec.seed, "compression/power_sgd"));
  } else if (spec.compression.scheme != models::CompressionScheme::kNone) {
    for (std::uint32_t k = 0; k < workers; ++k) {
      compressors_.push_back(models::MakeCompressor(spec.compression, n,
                                                    NamedStream(spec.seed, "compression/worker/" + std::to_string(k))));
    }
  }
}

std::shared_ptr<Eigen::VectorXf> Numerics::writable_global() {
  // Copy on write: a version somebody still holds is never modified.
  if (global_.use_count() > 1) global_ = std::make_shared<Eigen::VectorXf>(*global_);
  return global_;
}

Gradient Numerics::compute_gradient(std::uint32_t worker, const ParameterVersion& at) {
  Gradient g{nullptr, at.version, worker};
  if (!enabled()) return g;
  auto values = std::make_shared<Eigen::VectorXf>(model_->parameter_count());
  models::Batch batch(data_->train, samplers_.at(worker).next());
  g.batch_loss = model_->loss_and_gradient(*at.values, batch, *values);
  g.values = std::move(values);
  return g;
}

void Numerics::compress(Gradient& gradient) {
  if (!enabled() || compressors_.empty()) return;
  auto decoded = std::make_shared<Eigen::VectorXf>();
  compressors_.at(gradient.worker)->compress(*gradient.values, *decoded);
  gradient.values = std::move(decoded);
}

Eigen::VectorXf Numerics::residual(std::uint32_t worker) const {
  if (power_sgd_) return power_sgd_->residual(worker);
  if (!compressors_.empty()) return compressors_.at(worker)->residual();
  return {};
}

void Numerics::apply_mean(std::span<const Gradient> gradients) {
  ++version_;
  if (!enabled() || gradients.empty()) return;
  if (power_sgd_) {
    std::vector<const Eigen::VectorXf*> in_rank_order;
    for (const Gradient& g : gradients) in_rank_order.push_back(g.values.get());
    power_sgd_->reduce(in_rank_order, mean_);
  } else {
    // The all-reduce's tree (given in rank order, so the same bits whatever
    // order they arrived in), then one scale, as a real run does.
    std::vector<const Eigen::VectorXf*> in_rank_order;
    for (const Gradient& g : gradients) in_rank_order.push_back(g.values.get());
    SumInOrder(in_rank_order, summation_, mean_, partial_sums_);
    mean_ *= 1.0f / static_cast<float>(gradients.size());
  }
  auto params = writable_global();
  optimizer_->apply(*params, mean_);
}

void Numerics::apply(const Gradient& gradient) {
  ++version_;
  if (!enabled()) return;
  auto params = writable_global();
  optimizer_->apply(*params, *gradient.values);
}

std::optional<double> Numerics::local_step(std::uint32_t worker) {
  if (!enabled()) return std::nullopt;
  if (replicas_.empty()) {
    replicas_.assign(samplers_.size(), *global_);
    for (std::size_t k = 0; k < samplers_.size(); ++k) {
      local_optimizers_.push_back(models::MakeOptimizer(optimizer_options_));
    }
  }
  Eigen::VectorXf& replica = replicas_.at(worker);
  gradient_.resize(replica.size());
  models::Batch batch(data_->train, samplers_.at(worker).next());
  const double loss = model_->loss_and_gradient(replica, batch, gradient_);
  local_optimizers_[worker]->apply(replica, gradient_);
  return loss;
}

void Numerics::average_replicas(bool reset_optimizer_state) {
  ++version_;
  if (!enabled() || replicas_.empty()) return;
  const float scale = 1.0f / static_cast<float>(replicas_.size());
  if (power_sgd_) {
    changes_.resize(replicas_.size());
    std::vector<const Eigen::VectorXf*> in_rank_order;
    for (std::size_t k = 0; k < replicas_.size(); ++k) {
      changes_[k] = replicas_[k] - *global_;
      in_rank_order.push_back(&changes_[k]);
    }
    power_sgd_->reduce(in_rank_order, mean_);
    mean_ += *global_;
  } else if (!compressors_.empty()) {
    // Each change is compressed by its worker and decoded; their sum in the
    // all-reduce's order, scaled once, moves the model.
    changes_.resize(replicas_.size());
    std::vector<const Eigen::VectorXf*> decoded;
    for (std::size_t k = 0; k < replicas_.size(); ++k) {
      gradient_ = replicas_[k] - *global_;
      compressors_[k]->compress(gradient_, changes_[k]);
      decoded.push_back(&changes_[k]);
    }
    SumInOrder(decoded, summation_, mean_, partial_sums_);
    mean_ *= scale;
    mean_ += *global_;
  } else {
    std::vector<const Eigen::VectorXf*> in_rank_order;
    for (const Eigen::VectorXf& r : replicas_) in_rank_order.push_back(&r);
    SumInOrder(in_rank_order, summation_, mean_, partial_sums_);
    mean_ *= scale;
  }
  *writable_global() = mean_;
  for (auto& r : replicas_) r = mean_;
  if (reset_optimizer_state) {
    for (auto& optimizer : local_optimizers_) optimizer->reset();
  }
}

std::optional<TestScore> Numerics::evaluate() {
  if (!enabled()) return std::nullopt;
  models::Evaluation e = model_->evaluate(*global_, data_->test, eval_samples_);
  return TestScore{e.loss, e.accuracy.value_or(0.0)};
}

}  // namespace sim

#include "sim/training/numerics.h"

#include <stdexcept>


namespace sim {

Numerics::~Numerics() = default;

Numerics::Numerics(const NumericsSpec& spec, std::uint32_t workers, std::shared_ptr<const models::TrainTest> data)
    : data_(std::move(data)) {
  if (!data_) data_ = std::make_shared<const models::TrainTest>(models::LoadDataset(spec.dataset, spec.seed));
  model_ = models::MakeModel(spec.model, data_->train.feature_count(), data_->train.classes);
  train_samples_ = data_->train.samples();
  eval_samples_ = spec.eval_samples;

  const models::Shards shards =
      models::ShardTrainingSet(spec.sharding, data_->train, static_cast<int>(workers), spec.seed);
  samplers_.reserve(workers);
  for (std::uint32_t k = 0; k < workers; ++k) {
    samplers_.push_back(models::MakeBatchSampler(shards[k], spec.batch_size, spec.seed, static_cast<int>(k)));
  }
  total_steps_ = spec.length.steps_for(train_samples_, spec.samples_per_update);
  optimizer_options_ = spec.optimizer;
  optimizer_options_.schedule.total_steps = total_steps_;
  optimizer_ = std::make_unique<models::Sgd>(optimizer_options_);
  global_ = std::make_shared<Eigen::VectorXf>(models::InitialParameters(*model_, spec.seed));
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
  model_->loss_and_gradient(*at.values, batch, *values);
  g.values = std::move(values);
  return g;
}

void Numerics::apply_mean(std::span<const Gradient> gradients) {
  ++version_;
  if (!enabled() || gradients.empty()) return;
  // Rank order, then one scale: the same bits whatever order they arrived in.
  mean_ = *gradients[0].values;
  for (std::size_t k = 1; k < gradients.size(); ++k) mean_ += *gradients[k].values;
  mean_ *= 1.0f / static_cast<float>(gradients.size());
  auto params = writable_global();
  optimizer_->apply(*params, mean_);
}

void Numerics::apply(const Gradient& gradient) {
  ++version_;
  if (!enabled()) return;
  auto params = writable_global();
  optimizer_->apply(*params, *gradient.values);
}

void Numerics::local_step(std::uint32_t worker) {
  if (!enabled()) return;
  if (replicas_.empty()) {
    replicas_.assign(samplers_.size(), *global_);
    for (std::size_t k = 0; k < samplers_.size(); ++k) {
      local_optimizers_.push_back(std::make_unique<models::Sgd>(optimizer_options_));
    }
  }
  Eigen::VectorXf& replica = replicas_.at(worker);
  gradient_.resize(replica.size());
  models::Batch batch(data_->train, samplers_.at(worker).next());
  model_->loss_and_gradient(replica, batch, gradient_);
  local_optimizers_[worker]->apply(replica, gradient_);
}

void Numerics::average_replicas() {
  ++version_;
  if (!enabled() || replicas_.empty()) return;
  mean_ = replicas_[0];
  for (std::size_t k = 1; k < replicas_.size(); ++k) mean_ += replicas_[k];
  mean_ *= 1.0f / static_cast<float>(replicas_.size());
  *writable_global() = mean_;
  for (auto& r : replicas_) r = mean_;
}

std::optional<TestScore> Numerics::evaluate() {
  if (!enabled()) return std::nullopt;
  models::Evaluation e = model_->evaluate(*global_, data_->test, eval_samples_);
  return TestScore{e.loss, e.accuracy.value_or(0.0)};
}

}  // namespace sim

#include "models/workload/validate_workload.h"

#include <cmath>

#include "models/compute/workload_profiles.h"
#include "models/data/fashion_mnist.h"

namespace sim::models {
namespace {

namespace pb = sim::scenario;

std::string Num(double value) {
  std::string text = std::to_string(value);
  // std::to_string prints 6 decimals; trim the zeros for readable messages.
  if (text.find('.') != std::string::npos) {
    while (!text.empty() && text.back() == '0') text.pop_back();
    if (!text.empty() && text.back() == '.') text.pop_back();
  }
  return text;
}

bool Finite(double x) { return std::isfinite(x); }

void CheckModel(const pb::Model& model, std::vector<std::string>& problems) {
  switch (model.kind_case()) {
    case pb::Model::KIND_NOT_SET:
      problems.push_back("workload.model: no model given (set linear_regression, softmax_regression, mlp or "
                         "timing_only)");
      break;
    case pb::Model::kMlp: {
      const auto& mlp = model.mlp();
      for (int i = 0; i < mlp.hidden_size(); ++i) {
        if (mlp.hidden(i) == 0) {
          problems.push_back("workload.model.mlp.hidden[" + std::to_string(i) + "] must be > 0, got 0");
        }
      }
      if (!sim::scenario::Activation_IsValid(mlp.activation())) {
        problems.push_back("workload.model.mlp.activation: unknown value " + std::to_string(mlp.activation()));
      }
      break;
    }
    case pb::Model::kTimingOnly: {
      const auto& t = model.timing_only();
      if (!t.profile().empty() && !FindWorkloadProfile(t.profile())) {
        std::string known;
        for (const auto& p : WorkloadProfiles()) known += (known.empty() ? "" : ", ") + p.cost.name;
        problems.push_back("workload.model.timing_only.profile: unknown profile '" + t.profile() + "' (known: " +
                           known + ")");
      }
      if (t.profile().empty() && t.parameters() == 0) {
        problems.push_back("workload.model.timing_only: give parameters (> 0) or a profile");
      }
      if (!(t.flops_per_sample() >= 0.0) || !Finite(t.flops_per_sample())) {
        problems.push_back("workload.model.timing_only.flops_per_sample must be >= 0, got " +
                           Num(t.flops_per_sample()));
      }
      break;
    }
    case pb::Model::kLinearRegression:
    case pb::Model::kSoftmaxRegression:
      break;
  }
}

void CheckDataset(const pb::Workload& w, std::vector<std::string>& problems) {
  const pb::Dataset& d = w.dataset();
  const bool trains = w.model().kind_case() != pb::Model::kTimingOnly && w.model().kind_case() != pb::Model::KIND_NOT_SET;
  if (trains && d.kind_case() == pb::Dataset::KIND_NOT_SET) {
    problems.push_back("workload.dataset: no dataset given (set fashion_mnist or synthetic)");
  }
  if (w.model().kind_case() == pb::Model::kLinearRegression && d.kind_case() == pb::Dataset::kFashionMnist) {
    problems.push_back("workload.model.linear_regression needs regression targets: use a synthetic dataset, "
                       "fashion_mnist only has class labels");
  }
  if (d.kind_case() == pb::Dataset::kSynthetic) {
    const auto& s = d.synthetic();
    if (s.classes() == 1) problems.push_back("workload.dataset.synthetic.classes must be >= 2, got 1");
    if (!(s.noise() >= 0.0) || !Finite(s.noise())) {
      problems.push_back("workload.dataset.synthetic.noise must be >= 0, got " + Num(s.noise()));
    }
  }
  if (!sim::scenario::Sharding_IsValid(d.sharding())) {
    problems.push_back("workload.dataset.sharding: unknown value " + std::to_string(d.sharding()));
  }
  if (!(d.label_skew() >= 0.0 && d.label_skew() <= 1.0)) {
    problems.push_back("workload.dataset.label_skew must be in [0, 1], got " + Num(d.label_skew()));
  }
}

void CheckOptimizer(const sim::scenario::Optimizer& o, std::vector<std::string>& problems) {
  const std::string at = "workload.optimizer.";
  if (!(o.learning_rate() >= 0.0) || !Finite(o.learning_rate())) {
    problems.push_back(at + "learning_rate must be >= 0, got " + Num(o.learning_rate()));
  }
  if (!(o.momentum() >= 0.0 && o.momentum() < 1.0)) {
    problems.push_back(at + "momentum must be in [0, 1), got " + Num(o.momentum()));
  }
  if (!(o.weight_decay() >= 0.0) || !Finite(o.weight_decay())) {
    problems.push_back(at + "weight_decay must be >= 0, got " + Num(o.weight_decay()));
  }
  if (!sim::scenario::Schedule_IsValid(o.schedule())) {
    problems.push_back(at + "schedule: unknown value " + std::to_string(o.schedule()));
  }
  if (o.schedule() == sim::scenario::STEP && o.step_every() == 0) {
    problems.push_back(at + "step_every must be > 0 with schedule STEP");
  }
  if (!(o.step_gamma() >= 0.0) || !Finite(o.step_gamma())) {
    problems.push_back(at + "step_gamma must be > 0, got " + Num(o.step_gamma()));
  }
  if (!(o.clip_norm() >= 0.0) || !Finite(o.clip_norm())) {
    problems.push_back(at + "clip_norm must be >= 0, got " + Num(o.clip_norm()));
  }
}

}  // namespace

std::vector<std::string> ValidateWorkload(const pb::Workload& w) {
  std::vector<std::string> problems;
  CheckModel(w.model(), problems);
  CheckDataset(w, problems);
  CheckOptimizer(w.optimizer(), problems);
  if (w.steps() > 0 && w.epochs() != 0.0) {
    problems.push_back("workload: give steps or epochs, not both (steps " + std::to_string(w.steps()) + ", epochs " +
                       Num(w.epochs()) + ")");
  }
  if (!(w.epochs() >= 0.0) || !Finite(w.epochs())) {
    problems.push_back("workload.epochs must be >= 0, got " + Num(w.epochs()));
  }
  if (!(w.target_accuracy() >= 0.0 && w.target_accuracy() <= 1.0)) {
    problems.push_back("workload.target_accuracy must be in (0, 1], got " + Num(w.target_accuracy()));
  }
  const auto kind = w.model().kind_case();
  if (w.target_accuracy() > 0.0 && (kind == pb::Model::kLinearRegression || kind == pb::Model::kTimingOnly)) {
    problems.push_back("workload.target_accuracy: a " +
                       std::string(kind == pb::Model::kTimingOnly ? "timing_only" : "linear_regression") +
                       " model has no accuracy");
  }
  if (w.stop_at_target() && w.target_accuracy() == 0.0) {
    problems.push_back("workload.stop_at_target needs a target_accuracy");
  }
  return problems;
}

pb::Workload WorkloadWithDefaults(const pb::Workload& original) {
  pb::Workload w = original;
  if (w.batch_size() == 0) w.set_batch_size(32);
  if (w.steps() == 0 && w.epochs() == 0.0) w.set_steps(100);
  if (w.eval_every_steps() == 0 && w.steps() > 0) w.set_eval_every_steps(std::max<std::uint64_t>(1, w.steps() / 10));

  auto* o = w.mutable_optimizer();
  if (o->learning_rate() == 0.0) o->set_learning_rate(0.1);
  if (o->schedule() == sim::scenario::SCHEDULE_UNSPECIFIED) o->set_schedule(sim::scenario::CONSTANT);
  if (o->step_gamma() == 0.0) o->set_step_gamma(0.1);
  if (o->reference_batch() == 0) o->set_reference_batch(32);

  auto* model = w.mutable_model();
  if (model->kind_case() == pb::Model::kMlp) {
    if (model->mlp().hidden_size() == 0) model->mutable_mlp()->add_hidden(256);
    if (model->mlp().activation() == sim::scenario::ACTIVATION_UNSPECIFIED) {
      model->mutable_mlp()->set_activation(sim::scenario::RELU);
    }
  }
  if (model->kind_case() == pb::Model::kTimingOnly) {
    auto* t = model->mutable_timing_only();
    const auto profile = FindWorkloadProfile(t->profile());
    if (t->profile().empty() || profile) {
      ModelCost base;
      if (profile) base = profile->cost;
      if (t->parameters() == 0) t->set_parameters(static_cast<std::uint64_t>(base.parameters));
      if (t->bytes_per_parameter() == 0) t->set_bytes_per_parameter(4);
      if (t->flops_per_sample() == 0.0) {
        t->set_flops_per_sample(base.flops_per_sample.count > 0.0 ? base.flops_per_sample.count
                                                                  : 6.0 * static_cast<double>(t->parameters()));
      }
    }
  }

  auto* d = w.mutable_dataset();
  if (d->sharding() == sim::scenario::SHARDING_UNSPECIFIED) d->set_sharding(sim::scenario::IID);
  if (d->sharding() == sim::scenario::BY_LABEL && d->label_skew() == 0.0) d->set_label_skew(0.8);
  if (d->kind_case() == pb::Dataset::kFashionMnist && d->fashion_mnist().path().empty()) {
    d->mutable_fashion_mnist()->set_path(kFashionMnistDefaultPath);
  }
  if (d->kind_case() == pb::Dataset::kSynthetic) {
    auto* s = d->mutable_synthetic();
    if (s->train_samples() == 0) s->set_train_samples(10'000);
    if (s->test_samples() == 0) s->set_test_samples(2'000);
    if (s->features() == 0) s->set_features(32);
    if (s->classes() == 0) s->set_classes(10);
    if (s->noise() == 0.0) s->set_noise(0.1);
  }
  return w;
}

}  // namespace sim::models

#include "sim/scenario/workload_plan.h"

#include <cmath>
#include <set>

#include "models/compute/workload_profiles.h"
#include "models/layers/layer_profiles.h"
#include "models/layers/transformer.h"
#include "sim/scenario/device_resolution.h"
#include "models/data/fashion_mnist.h"

namespace sim::scenario {
namespace {

bool IsLayerProfile(const std::string& name) {
  for (const auto& n : models::LayerProfileNames()) {
    if (n == name) return true;
  }
  return false;
}

// A layer-wise model's whole-step cost: its parameters, 4 bytes each, and
// its forward + backward FLOPs per sample.
models::ModelCost CostOfLayers(const std::vector<models::Layer>& layers) {
  return models::ModelCost{"timing_only", models::TotalParameters(layers), 4,
                           Flops{models::TotalForwardFlops(layers).count + models::TotalBackwardFlops(layers).count}};
}

// The shape of a timing_only transformer: its profile's, with the fields
// of `transformer` that are set replacing it. Nothing when the profile is
// not a transformer (or the message is absent).
std::optional<models::TransformerShape> ShapeOf(const TimingOnly& t) {
  models::TransformerShape shape;
  if (!t.profile().empty()) {
    if (!IsLayerProfile(t.profile())) return std::nullopt;
    const models::LayerProfile profile = models::MakeLayerProfile(t.profile());
    if (!profile.layers.front().transformer) return std::nullopt;
    shape = *profile.layers.front().transformer;
  } else if (!t.has_transformer()) {
    return std::nullopt;
  }
  const Transformer& m = t.transformer();
  const auto set = [](std::int64_t& field, std::uint32_t value) {
    if (value != 0) field = value;
  };
  set(shape.layers, m.layers());
  set(shape.hidden, m.hidden());
  set(shape.heads, m.heads());
  set(shape.kv_heads, m.kv_heads());
  set(shape.sequence, m.sequence());
  set(shape.vocabulary, m.vocabulary());
  set(shape.ffn, m.ffn());
  if (m.feed_forward() == SWIGLU) shape.feed_forward = models::FeedForward::kSwiGlu;
  if (m.feed_forward() == GELU) shape.feed_forward = models::FeedForward::kGelu;
  if (m.normalization() == RMS_NORM) shape.normalization = models::Normalization::kRmsNorm;
  if (m.normalization() == LAYER_NORM) shape.normalization = models::Normalization::kLayerNorm;
  if (m.has_biases()) shape.biases = m.biases();
  if (m.has_dropout()) shape.dropout = m.dropout();
  if (m.has_tied_output()) shape.tied_output = m.tied_output();
  if (m.has_learned_positions()) shape.learned_positions = m.learned_positions();
  return shape;
}

// The layers of a timing_only model, activations at `type`: a layer-wise
// profile's, or a transformer's of the shape given; nothing for a
// whole-model profile or a shape with problems.
std::optional<std::vector<models::Layer>> LayersOf(const TimingOnly& t, models::DataType type) {
  if (const auto shape = ShapeOf(t)) {
    if (!models::TransformerShapeProblems(*shape).empty()) return std::nullopt;
    return models::MakeTransformer(*shape, type);
  }
  if (IsLayerProfile(t.profile())) return models::MakeLayerProfile(t.profile(), type).layers;
  return std::nullopt;
}

}  // namespace

namespace {


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

void CheckModel(const Model& model, std::vector<std::string>& problems) {
  switch (model.kind_case()) {
    case Model::KIND_NOT_SET:
      problems.push_back("workload.model: no model given (set linear_regression, softmax_regression, mlp or "
                         "timing_only)");
      break;
    case Model::kMlp: {
      const auto& mlp = model.mlp();
      for (int i = 0; i < mlp.hidden_size(); ++i) {
        if (mlp.hidden(i) == 0) {
          problems.push_back("workload.model.mlp.hidden[" + std::to_string(i) + "] must be > 0, got 0");
        }
      }
      if (!Activation_IsValid(mlp.activation())) {
        problems.push_back("workload.model.mlp.activation: unknown value " + std::to_string(mlp.activation()));
      }
      break;
    }
    case Model::kTimingOnly: {
      const auto& t = model.timing_only();
      if (!t.profile().empty() && !models::FindWorkloadProfile(t.profile()) && !IsLayerProfile(t.profile())) {
        std::set<std::string> known;
        for (const auto& p : models::WorkloadProfiles()) known.insert(p.cost.name);
        for (const auto& n : models::LayerProfileNames()) known.insert(n);
        std::string list;
        for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
        problems.push_back("workload.model.timing_only.profile: unknown profile '" + t.profile() + "' (known: " +
                           list + ")");
      }
      if (t.profile().empty() && t.parameters() == 0 && !t.has_transformer()) {
        problems.push_back("workload.model.timing_only: give parameters (> 0), a profile or a transformer");
      }
      if (t.has_transformer()) {
        if (!t.profile().empty() && IsLayerProfile(t.profile()) && !ShapeOf(t)) {
          problems.push_back("workload.model.timing_only.transformer: profile '" + t.profile() +
                             "' is not a transformer; its shape cannot be changed");
        } else if (!t.profile().empty() && !IsLayerProfile(t.profile())) {
          problems.push_back("workload.model.timing_only.transformer: profile '" + t.profile() +
                             "' has no layers; give a transformer profile (e.g. gpt3_175b) or none");
        } else if (const auto shape = ShapeOf(t)) {
          for (const std::string& p : models::TransformerShapeProblems(*shape)) {
            problems.push_back("workload.model.timing_only.transformer: " + p);
          }
        }
        const Transformer& m = t.transformer();
        if (!FeedForward_IsValid(m.feed_forward())) {
          problems.push_back("workload.model.timing_only.transformer.feed_forward: unknown value " +
                             std::to_string(m.feed_forward()));
        }
        if (!Normalization_IsValid(m.normalization())) {
          problems.push_back("workload.model.timing_only.transformer.normalization: unknown value " +
                             std::to_string(m.normalization()));
        }
      }
      if (!(t.flops_per_sample() >= 0.0) || !Finite(t.flops_per_sample())) {
        problems.push_back("workload.model.timing_only.flops_per_sample must be >= 0, got " +
                           Num(t.flops_per_sample()));
      }
      break;
    }
    case Model::kLinearRegression:
    case Model::kSoftmaxRegression:
      break;
  }
}

void CheckDataset(const Workload& w, std::vector<std::string>& problems) {
  const Dataset& d = w.dataset();
  const bool trains = w.model().kind_case() != Model::kTimingOnly && w.model().kind_case() != Model::KIND_NOT_SET;
  if (trains && d.kind_case() == Dataset::KIND_NOT_SET) {
    problems.push_back("workload.dataset: no dataset given (set fashion_mnist or synthetic)");
  }
  if (w.model().kind_case() == Model::kLinearRegression && d.kind_case() == Dataset::kFashionMnist) {
    problems.push_back("workload.model.linear_regression needs regression targets: use a synthetic dataset, "
                       "fashion_mnist only has class labels");
  }
  if (d.kind_case() == Dataset::kSynthetic) {
    const auto& s = d.synthetic();
    if (s.classes() == 1) problems.push_back("workload.dataset.synthetic.classes must be >= 2, got 1");
    if (!(s.noise() >= 0.0) || !Finite(s.noise())) {
      problems.push_back("workload.dataset.synthetic.noise must be >= 0, got " + Num(s.noise()));
    }
  }
  if (!Sharding_IsValid(d.sharding())) {
    problems.push_back("workload.dataset.sharding: unknown value " + std::to_string(d.sharding()));
  }
  if (!(d.label_skew() >= 0.0 && d.label_skew() <= 1.0)) {
    problems.push_back("workload.dataset.label_skew must be in [0, 1], got " + Num(d.label_skew()));
  }
}

void CheckOptimizer(const Optimizer& o, std::vector<std::string>& problems) {
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
  if (!Schedule_IsValid(o.schedule())) {
    problems.push_back(at + "schedule: unknown value " + std::to_string(o.schedule()));
  }
  if (o.schedule() == STEP && o.step_every() == 0) {
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

std::vector<std::string> ValidateWorkload(const Workload& w) {
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
  if (w.target_accuracy() > 0.0 && (kind == Model::kLinearRegression || kind == Model::kTimingOnly)) {
    problems.push_back("workload.target_accuracy: a " +
                       std::string(kind == Model::kTimingOnly ? "timing_only" : "linear_regression") +
                       " model has no accuracy");
  }
  if (w.stop_at_target() && w.target_accuracy() == 0.0) {
    problems.push_back("workload.stop_at_target needs a target_accuracy");
  }
  return problems;
}

Workload WorkloadWithDefaults(const Workload& original) {
  Workload w = original;
  if (w.batch_size() == 0) w.set_batch_size(32);
  if (w.steps() == 0 && w.epochs() == 0.0) w.set_steps(100);
  if (w.eval_every_steps() == 0 && w.steps() > 0) w.set_eval_every_steps(std::max<std::uint64_t>(1, w.steps() / 10));

  auto* o = w.mutable_optimizer();
  if (o->learning_rate() == 0.0) o->set_learning_rate(0.1);
  if (o->schedule() == SCHEDULE_UNSPECIFIED) o->set_schedule(CONSTANT);
  if (o->step_gamma() == 0.0) o->set_step_gamma(0.1);
  if (o->reference_batch() == 0) o->set_reference_batch(32);

  auto* model = w.mutable_model();
  if (model->kind_case() == Model::kMlp) {
    if (model->mlp().hidden_size() == 0) model->mutable_mlp()->add_hidden(256);
    if (model->mlp().activation() == ACTIVATION_UNSPECIFIED) {
      model->mutable_mlp()->set_activation(RELU);
    }
  }
  if (model->kind_case() == Model::kTimingOnly) {
    auto* t = model->mutable_timing_only();
    const auto profile = models::FindWorkloadProfile(t->profile());
    if (t->profile().empty() || profile || IsLayerProfile(t->profile())) {
      models::ModelCost base;
      if (profile) base = profile->cost;
      else if (const auto layers = LayersOf(*t, models::DataType::kBf16)) base = CostOfLayers(*layers);
      if (t->parameters() == 0) t->set_parameters(static_cast<std::uint64_t>(base.parameters));
      if (t->bytes_per_parameter() == 0) t->set_bytes_per_parameter(4);
      if (t->flops_per_sample() == 0.0) {
        t->set_flops_per_sample(base.flops_per_sample.count > 0.0 ? base.flops_per_sample.count
                                                                  : 6.0 * static_cast<double>(t->parameters()));
      }
    }
  }

  if (w.precision() == PRECISION_UNSPECIFIED) w.set_precision(FP32);

  auto* d = w.mutable_dataset();
  if (d->sharding() == SHARDING_UNSPECIFIED) d->set_sharding(IID);
  if (d->sharding() == BY_LABEL && d->label_skew() == 0.0) d->set_label_skew(0.8);
  if (d->kind_case() == Dataset::kFashionMnist && d->fashion_mnist().path().empty()) {
    d->mutable_fashion_mnist()->set_path(models::kFashionMnistDefaultPath);
  }
  if (d->kind_case() == Dataset::kSynthetic) {
    auto* s = d->mutable_synthetic();
    if (s->train_samples() == 0) s->set_train_samples(10'000);
    if (s->test_samples() == 0) s->set_test_samples(2'000);
    if (s->features() == 0) s->set_features(32);
    if (s->classes() == 0) s->set_classes(10);
    if (s->noise() == 0.0) s->set_noise(0.1);
  }
  return w;
}

namespace {

models::ModelSpec ModelSpecOf(const Model& m) {
  switch (m.kind_case()) {
    case Model::kLinearRegression: return models::LinearRegressionSpec{};
    case Model::kMlp: {
      models::MlpSpec mlp;
      mlp.hidden.assign(m.mlp().hidden().begin(), m.mlp().hidden().end());
      mlp.activation = m.mlp().activation() == TANH ? models::Activation::kTanh : models::Activation::kRelu;
      return mlp;
    }
    default: return models::SoftmaxRegressionSpec{};
  }
}

// A timing_only model's cost: the profile (if named) supplies every field the
// message leaves at 0; bytes_per_parameter defaults to 4 and flops_per_sample
// to 6 x parameters (Kaplan et al. 2020, C = 6N per token).
models::ModelCost TimingOnlyCost(const TimingOnly& t) {
  models::ModelCost cost;
  cost.name = "timing_only";
  cost.bytes_per_parameter = 0;
  if (const auto profile = models::FindWorkloadProfile(t.profile())) cost = profile->cost;
  if (t.parameters() > 0) cost.parameters = static_cast<std::int64_t>(t.parameters());
  if (t.bytes_per_parameter() > 0) cost.bytes_per_parameter = t.bytes_per_parameter();
  if (t.flops_per_sample() > 0.0) cost.flops_per_sample = Flops{t.flops_per_sample()};
  if (cost.bytes_per_parameter == 0) cost.bytes_per_parameter = 4;
  if (cost.flops_per_sample.count == 0.0) cost.flops_per_sample = Flops{6.0 * static_cast<double>(cost.parameters)};
  return cost;
}

models::DatasetSpec DatasetSpecOf(const Dataset& d) {
  if (d.has_synthetic()) {
    const auto& s = d.synthetic();
    return models::SyntheticSpec{s.train_samples(), s.test_samples(), s.features(),
                                 static_cast<std::int32_t>(s.classes()), s.noise()};
  }
  return models::FashionMnistSpec{d.fashion_mnist().path(), d.fashion_mnist().train_samples()};
}

// The learning rate of the linear scaling rule (Goyal et al. 2017):
// learning_rate x global_batch / reference_batch.
models::SgdOptions SgdOptionsOf(const Optimizer& o, std::int64_t global_batch) {
  models::SgdOptions options;
  double rate = o.learning_rate();
  if (o.linear_scaling()) rate *= static_cast<double>(global_batch) / static_cast<double>(o.reference_batch());
  options.schedule.base_rate = rate;
  options.schedule.decay = o.schedule() == STEP     ? models::Decay::kStep
                           : o.schedule() == COSINE ? models::Decay::kCosine
                                                    : models::Decay::kConstant;
  options.schedule.step_every = o.step_every();
  options.schedule.step_gamma = o.step_gamma();
  options.schedule.warmup_steps = o.warmup_steps();
  options.momentum = o.momentum();
  options.weight_decay = o.weight_decay();
  options.clip_norm = o.clip_norm();
  return options;
}

}  // namespace

WorkloadPlan WorkloadPlanOf(const Workload& w, std::uint32_t workers) {
  WorkloadPlan plan;
  plan.precision = DataTypeOf(w.precision());
  if (w.model().has_timing_only()) {
    plan.timing_only = TimingOnlyCost(w.model().timing_only());
    // Activations in 16 bits in mixed precision, else in 32.
    const bool mixed = plan.precision == models::DataType::kFp16 || plan.precision == models::DataType::kBf16;
    plan.layers = LayersOf(w.model().timing_only(), mixed ? plan.precision : models::DataType::kFp32);
  } else {
    plan.model = ModelSpecOf(w.model());
    plan.dataset = DatasetSpecOf(w.dataset());
  }
  plan.sharding.kind = w.dataset().sharding() == BY_LABEL ? models::ShardingSpec::Kind::kByLabel
                                                          : models::ShardingSpec::Kind::kIid;
  plan.sharding.label_skew = w.dataset().label_skew();
  plan.batch_size = w.batch_size();
  plan.optimizer = SgdOptionsOf(w.optimizer(), static_cast<std::int64_t>(w.batch_size()) * workers);
  plan.length = RunLength{w.steps(), w.epochs()};
  plan.eval_every_steps = w.eval_every_steps();
  plan.target_accuracy = w.target_accuracy();
  plan.stop_at_target = w.stop_at_target();
  plan.eval_samples = w.eval_samples();
  return plan;
}

}  // namespace sim::scenario

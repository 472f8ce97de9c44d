#include "sim/scenario/workload_plan.h"

#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <utility>

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

// SGD unless the scenario names another kind.
Optimizer::Kind KindOf(const Optimizer& o) {
  return o.kind() == Optimizer::KIND_UNSPECIFIED ? Optimizer::SGD : o.kind();
}

bool IsAdam(Optimizer::Kind kind) { return kind == Optimizer::ADAM || kind == Optimizer::ADAMW; }

// The fields of one kind only: each given with another kind is a problem,
// and each given with its own is checked.
void CheckOptimizerKind(const Optimizer& o, std::vector<std::string>& problems) {
  const std::string at = "workload.optimizer.";
  if (!Optimizer_Kind_IsValid(o.kind())) {
    problems.push_back(at + "kind: unknown value " + std::to_string(o.kind()));
    return;
  }
  const Optimizer::Kind kind = KindOf(o);
  const std::string name = Optimizer_Kind_Name(kind);
  const auto foreign = [&](bool given, const std::string& field) {
    if (given) problems.push_back(at + field + ": the " + name + " optimizer has no " + field);
  };
  foreign(o.momentum() != 0.0 && kind != Optimizer::SGD && kind != Optimizer::RMSPROP, "momentum");
  foreign(o.has_beta1() && !IsAdam(kind), "beta1");
  foreign(o.has_beta2() && !IsAdam(kind), "beta2");
  foreign(o.has_epsilon() && kind == Optimizer::SGD, "epsilon");
  foreign(o.has_initial_accumulator() && kind != Optimizer::ADAGRAD, "initial_accumulator");
  foreign(o.has_alpha() && kind != Optimizer::RMSPROP, "alpha");
  foreign(o.has_centered() && kind != Optimizer::RMSPROP, "centered");
  const auto decay_rate = [&](bool given, double value, const std::string& field) {
    if (given && !(value >= 0.0 && value < 1.0)) {
      problems.push_back(at + field + " must be in [0, 1), got " + Num(value));
    }
  };
  decay_rate(o.has_beta1(), o.beta1(), "beta1");
  decay_rate(o.has_beta2(), o.beta2(), "beta2");
  decay_rate(o.has_alpha(), o.alpha(), "alpha");
  if (o.has_epsilon() && (!(o.epsilon() > 0.0) || !Finite(o.epsilon()))) {
    problems.push_back(at + "epsilon must be > 0, got " + Num(o.epsilon()));
  }
  if (o.has_initial_accumulator() && (!(o.initial_accumulator() >= 0.0) || !Finite(o.initial_accumulator()))) {
    problems.push_back(at + "initial_accumulator must be >= 0, got " + Num(o.initial_accumulator()));
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
  CheckOptimizerKind(o, problems);
}

// The learning rate and the kind's own fields: Kingma & Ba 2015's betas and
// epsilon for Adam, PyTorch's defaults otherwise. The kind is not written
// for SGD, so that a scenario without it reads as it always did.
void OptimizerKindDefaults(Optimizer& o) {
  if (!Optimizer_Kind_IsValid(o.kind())) return;
  const Optimizer::Kind kind = KindOf(o);
  if (o.learning_rate() == 0.0) {
    o.set_learning_rate(IsAdam(kind) ? 0.001 : kind == Optimizer::SGD ? 0.1 : 0.01);
  }
  if (IsAdam(kind)) {
    if (!o.has_beta1()) o.set_beta1(0.9);
    if (!o.has_beta2()) o.set_beta2(0.999);
  }
  if (kind != Optimizer::SGD && !o.has_epsilon()) o.set_epsilon(kind == Optimizer::ADAGRAD ? 1e-10 : 1e-8);
  if (kind == Optimizer::ADAGRAD && !o.has_initial_accumulator()) o.set_initial_accumulator(0.0);
  if (kind == Optimizer::RMSPROP) {
    if (!o.has_alpha()) o.set_alpha(0.99);
    if (!o.has_centered()) o.set_centered(false);
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
  if (w.has_batch_size() && w.batch_size() == 0) {
    problems.push_back("workload.batch_size must be >= 1, got 0 (leave it out for the default 32)");
  }
  // The result counts steps in 32 bits (result.proto).
  if (w.steps() > std::numeric_limits<std::uint32_t>::max()) {
    problems.push_back("workload.steps must be at most " + std::to_string(std::numeric_limits<std::uint32_t>::max()) +
                       ", got " + std::to_string(w.steps()));
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
  if (!w.has_batch_size()) w.set_batch_size(32);
  if (w.steps() == 0 && w.epochs() == 0.0) w.set_steps(100);
  if (w.eval_every_steps() == 0 && w.steps() > 0) w.set_eval_every_steps(std::max<std::uint64_t>(1, w.steps() / 10));

  auto* o = w.mutable_optimizer();
  OptimizerKindDefaults(*o);
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
models::ScheduleSpec ScheduleOf(const Optimizer& o, std::int64_t global_batch) {
  models::ScheduleSpec schedule;
  double rate = o.learning_rate();
  if (o.linear_scaling()) rate *= static_cast<double>(global_batch) / static_cast<double>(o.reference_batch());
  schedule.base_rate = rate;
  schedule.decay = o.schedule() == STEP     ? models::Decay::kStep
                   : o.schedule() == COSINE ? models::Decay::kCosine
                                            : models::Decay::kConstant;
  schedule.step_every = o.step_every();
  schedule.step_gamma = o.step_gamma();
  schedule.warmup_steps = o.warmup_steps();
  return schedule;
}

models::OptimizerOptions OptimizerOptionsOf(const Optimizer& o, std::int64_t global_batch) {
  const models::ScheduleSpec schedule = ScheduleOf(o, global_batch);
  switch (KindOf(o)) {
    case Optimizer::ADAM:
    case Optimizer::ADAMW:
      return models::AdamOptions{.schedule = schedule,
                                 .beta1 = o.beta1(),
                                 .beta2 = o.beta2(),
                                 .epsilon = o.epsilon(),
                                 .weight_decay = o.weight_decay(),
                                 .decoupled_weight_decay = o.kind() == Optimizer::ADAMW,
                                 .clip_norm = o.clip_norm()};
    case Optimizer::ADAGRAD:
      return models::AdagradOptions{.schedule = schedule,
                                    .epsilon = o.epsilon(),
                                    .initial_accumulator = o.initial_accumulator(),
                                    .weight_decay = o.weight_decay(),
                                    .clip_norm = o.clip_norm()};
    case Optimizer::RMSPROP:
      return models::RmspropOptions{.schedule = schedule,
                                    .alpha = o.alpha(),
                                    .epsilon = o.epsilon(),
                                    .momentum = o.momentum(),
                                    .centered = o.centered(),
                                    .weight_decay = o.weight_decay(),
                                    .clip_norm = o.clip_norm()};
    default:
      return models::SgdOptions{
          .schedule = schedule, .momentum = o.momentum(), .weight_decay = o.weight_decay(), .clip_norm = o.clip_norm()};
  }
}

// Features and classes of the data a trainable model reads; absent when the
// dataset leaves them unknown.
std::optional<std::pair<Eigen::Index, std::int32_t>> DataShapeOf(const Dataset& d) {
  if (d.has_fashion_mnist()) return std::pair<Eigen::Index, std::int32_t>{28 * 28, 10};
  if (d.has_synthetic() && d.synthetic().features() > 0) {
    return std::pair<Eigen::Index, std::int32_t>{d.synthetic().features(),
                                                 static_cast<std::int32_t>(d.synthetic().classes())};
  }
  return std::nullopt;
}

}  // namespace

std::optional<ModelShape> ModelShapeOf(const Workload& w) {
  const Model& m = w.model();
  if (m.has_timing_only()) {
    const models::ModelCost cost = TimingOnlyCost(m.timing_only());
    if (cost.parameters < 1) return std::nullopt;
    return ModelShape{cost.parameters, {}, false, cost.flops_per_sample};
  }
  const auto data = DataShapeOf(w.dataset());
  if (m.kind_case() == Model::KIND_NOT_SET || !data) return std::nullopt;
  const auto [features, classes] = *data;
  const models::ModelSpec spec = ModelSpecOf(m);
  ModelShape shape;
  shape.trainable = true;
  try {
    const auto model = models::MakeModel(spec, features, classes);
    shape.parameters = model->parameter_count();
    shape.flops_per_sample = model->flops_per_sample();
  } catch (const std::invalid_argument&) {
    return std::nullopt;  // a width or class count ValidateWorkload reports
  }
  if (const auto* mlp = std::get_if<models::MlpSpec>(&spec)) {
    shape.weight_shapes = models::MlpWeightShapes(features, mlp->hidden, classes);
  } else if (std::holds_alternative<models::SoftmaxRegressionSpec>(spec)) {
    shape.weight_shapes = models::MlpWeightShapes(features, {}, classes);
  }
  return shape;
}

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
  plan.optimizer = OptimizerOptionsOf(w.optimizer(), static_cast<std::int64_t>(w.batch_size()) * workers);
  if (const auto shape = ModelShapeOf(w)) {
    plan.parameters = shape->parameters;
    plan.weight_shapes = shape->weight_shapes;
  }
  plan.length = RunLength{w.steps(), w.epochs()};
  plan.eval_every_steps = w.eval_every_steps();
  plan.target_accuracy = w.target_accuracy();
  plan.stop_at_target = w.stop_at_target();
  plan.eval_samples = w.eval_samples();
  return plan;
}

}  // namespace sim::scenario

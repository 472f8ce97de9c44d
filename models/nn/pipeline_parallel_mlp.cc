#include "models/nn/pipeline_parallel_mlp.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "models/nn/classifier_evaluation.h"
#include "models/optim/optimizer.h"

namespace sim::models {
namespace {

std::vector<std::string> OptionProblems(const PipelineOptions& options, std::int64_t layers) {
  std::vector<std::string> problems;
  if (options.stages < 1 || options.stages > layers) {
    problems.push_back("stages must be in [1, " + std::to_string(layers) +
                       "] (a stage holds one dense layer at least), got " + std::to_string(options.stages));
  }
  if (options.micro_batches < 1) {
    problems.push_back("micro_batches must be >= 1, got " + std::to_string(options.micro_batches));
  }
  const auto& starts = options.stage_starts;
  if (!starts.empty()) {
    if (static_cast<std::int64_t>(starts.size()) != options.stages - 1) {
      problems.push_back("stage_starts must list " + std::to_string(std::max<std::int64_t>(options.stages - 1, 0)) +
                         " first layers (one per stage after the first), got " + std::to_string(starts.size()));
    }
    for (std::size_t i = 0; i < starts.size(); ++i) {
      if (starts[i] < 1 || starts[i] >= layers) {
        problems.push_back("stage_starts[" + std::to_string(i) + "] must be in [1, " + std::to_string(layers) +
                           "), got " + std::to_string(starts[i]));
      } else if (i > 0 && starts[i] <= starts[i - 1]) {
        problems.push_back("stage_starts[" + std::to_string(i) + "] = " + std::to_string(starts[i]) +
                           " must exceed stage_starts[" + std::to_string(i - 1) +
                           "] = " + std::to_string(starts[i - 1]));
      }
    }
  }
  return problems;
}

// dst = input^T delta, or dst += input^T delta when accumulating: a weight
// gradient, summed over micro-batches in micro-batch order.
template <typename Dst, typename Input, typename Delta>
void AddProduct(Dst&& dst, const Input& input, const Delta& delta, bool accumulate) {
  if (accumulate) {
    dst.noalias() += input.transpose() * delta;
  } else {
    dst.noalias() = input.transpose() * delta;
  }
}

}  // namespace

std::vector<Eigen::Index> MicroBatchSizes(Eigen::Index batch, std::int64_t micro_batches) {
  if (micro_batches < 1) {
    throw std::invalid_argument("micro-batches must be >= 1, got " + std::to_string(micro_batches));
  }
  if (micro_batches > batch) {
    throw std::invalid_argument(std::to_string(micro_batches) + " micro-batches cannot split a batch of " +
                                std::to_string(batch) + " samples (a micro-batch would be empty)");
  }
  const Eigen::Index base = batch / micro_batches;
  const Eigen::Index larger = batch % micro_batches;
  std::vector<Eigen::Index> sizes(static_cast<std::size_t>(micro_batches), base);
  for (Eigen::Index k = 0; k < larger; ++k) ++sizes[static_cast<std::size_t>(k)];
  return sizes;
}

// Linear partition by dynamic programming: best[s][i], the smallest
// bottleneck of layers [0, i) in s groups, is the minimum over the last
// group's start j of max(best[s-1][j], cost of [j, i)). With the optimum B
// known, the stages are filled front to back, each taking layers while its
// cost stays <= B and enough layers remain for the stages after it; the
// first s stages then end at or after the end of the first s groups of any
// cut of bottleneck B, so the last stage's cost is <= B as well.
std::vector<std::int64_t> BalancedStageStarts(std::span<const std::int64_t> layer_costs, std::int64_t stages) {
  const auto layers = static_cast<std::int64_t>(layer_costs.size());
  if (stages < 1 || stages > layers) {
    throw std::invalid_argument("cannot cut " + std::to_string(layers) + " layers into " + std::to_string(stages) +
                                " non-empty stages");
  }
  std::vector<std::int64_t> prefix(static_cast<std::size_t>(layers) + 1, 0);
  for (std::int64_t i = 0; i < layers; ++i) {
    prefix[static_cast<std::size_t>(i) + 1] =
        prefix[static_cast<std::size_t>(i)] + layer_costs[static_cast<std::size_t>(i)];
  }
  const auto cost = [&](std::int64_t from, std::int64_t to) {
    return prefix[static_cast<std::size_t>(to)] - prefix[static_cast<std::size_t>(from)];
  };
  constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();
  std::vector<std::int64_t> best(static_cast<std::size_t>(layers) + 1, kNone);
  for (std::int64_t i = 1; i <= layers; ++i) best[static_cast<std::size_t>(i)] = cost(0, i);
  for (std::int64_t s = 2; s <= stages; ++s) {
    std::vector<std::int64_t> next(static_cast<std::size_t>(layers) + 1, kNone);
    for (std::int64_t i = s; i <= layers; ++i) {
      for (std::int64_t j = s - 1; j < i; ++j) {
        const std::int64_t before = best[static_cast<std::size_t>(j)];
        if (before == kNone) continue;
        next[static_cast<std::size_t>(i)] = std::min(next[static_cast<std::size_t>(i)], std::max(before, cost(j, i)));
      }
    }
    best = std::move(next);
  }
  const std::int64_t bottleneck = best[static_cast<std::size_t>(layers)];

  std::vector<std::int64_t> starts;
  std::int64_t i = 0;
  for (std::int64_t s = 0; s + 1 < stages; ++s) {
    std::int64_t j = i + 1;
    const std::int64_t stages_after = stages - 1 - s;
    while (j < layers - stages_after && cost(i, j + 1) <= bottleneck) ++j;
    starts.push_back(j);
    i = j;
  }
  return starts;
}

template <typename Scalar>
PipelineParallelMlpT<Scalar>::PipelineParallelMlpT(Eigen::Index inputs, std::vector<Eigen::Index> hidden,
                                                   std::int32_t classes, Activation activation, PipelineOptions options)
    : MlpArchitecture<Scalar>("pipeline_parallel_mlp", inputs, std::move(hidden), classes, activation),
      options_(std::move(options)) {
  const std::vector<DenseLayer>& layers = this->layers();
  const auto layer_count = static_cast<std::int64_t>(layers.size());
  ThrowIfProblems(name(), OptionProblems(options_, layer_count));

  std::vector<std::int64_t> starts = options_.stage_starts;
  if (starts.empty() && options_.stages > 1) {
    std::vector<std::int64_t> costs;
    for (std::size_t l = 0; l < layers.size(); ++l) {
      costs.push_back(std::llround(DenseLayerTrainingFlops(layers[l], l > 0).count));
    }
    starts = BalancedStageStarts(costs, options_.stages);
  }
  starts.insert(starts.begin(), 0);
  const auto micro = static_cast<std::size_t>(options_.micro_batches);
  stages_.resize(starts.size());
  for (std::size_t s = 0; s < starts.size(); ++s) {
    Stage& stage = stages_[s];
    stage.first = static_cast<std::size_t>(starts[s]);
    stage.end = s + 1 < starts.size() ? static_cast<std::size_t>(starts[s + 1]) : layers.size();
    stage.parameter_offset = layers[stage.first].offset;
    stage.parameter_count = layers[stage.end - 1].end() - stage.parameter_offset;
    stage.received.resize(micro);
    stage.outputs.assign(micro, std::vector<Matrix>(stage.end - stage.first));
    stage.received_gradient.resize(micro);
    stage.deltas.resize(stage.end - stage.first);
  }
  traffic_.resize(stages_.size() - 1);
  features_.resize(micro);
  labels_.resize(micro);
}

template <typename Scalar>
std::vector<std::int64_t> PipelineParallelMlpT<Scalar>::stage_starts() const {
  std::vector<std::int64_t> starts;
  for (const Stage& stage : stages_) starts.push_back(static_cast<std::int64_t>(stage.first));
  return starts;
}

template <typename Scalar>
Flops PipelineParallelMlpT<Scalar>::stage_flops_per_sample(std::int64_t stage) const {
  const Stage& st = stages_.at(static_cast<std::size_t>(stage));
  double flops = 0.0;
  for (std::size_t l = st.first; l < st.end; ++l) flops += DenseLayerTrainingFlops(this->layers()[l], l > 0).count;
  return Flops{flops};
}

template <typename Scalar>
Eigen::Index PipelineParallelMlpT<Scalar>::boundary_width(std::int64_t boundary) const {
  if (boundary < 0 || boundary + 1 >= stages()) {
    throw std::out_of_range(name() + ": boundary " + std::to_string(boundary) + " outside [0, " +
                            std::to_string(stages() - 1) + ")");
  }
  return this->layers()[stages_[static_cast<std::size_t>(boundary)].end - 1].out;
}

template <typename Scalar>
Bytes PipelineParallelMlpT<Scalar>::boundary_bytes(std::int64_t boundary, Eigen::Index micro_batch_size) const {
  return Bytes{static_cast<std::int64_t>(micro_batch_size) * static_cast<std::int64_t>(boundary_width(boundary)) *
               static_cast<std::int64_t>(sizeof(Scalar))};
}

template <typename Scalar>
void PipelineParallelMlpT<Scalar>::forward(std::size_t s, std::size_t k, const Vector& params) {
  Stage& stage = stages_[s];
  const Eigen::Map<const Vector> own(params.data() + stage.parameter_offset, stage.parameter_count);
  std::vector<Matrix>& outputs = stage.outputs[k];
  const Eigen::Index rows = s == 0 ? features_[k].rows() : stage.received[k].rows();
  for (std::size_t l = stage.first; l < stage.end; ++l) {
    const DenseLayer& layer = this->layers()[l];
    const Eigen::Index at = layer.offset - stage.parameter_offset;
    const Eigen::Map<const Matrix> w(own.data() + at, layer.in, layer.out);
    const Eigen::Map<const Vector> b(own.data() + at + layer.in * layer.out, layer.out);
    const std::size_t j = l - stage.first;
    Matrix& z = outputs[j];
    detail::ResizeWorkspace(z, rows, layer.out);
    if (j > 0) {
      z.noalias() = outputs[j - 1] * w;
    } else if (s == 0) {
      z.noalias() = features_[k] * w;
    } else {
      z.noalias() = stage.received[k] * w;
    }
    z.rowwise() += b.transpose();
    if (l + 1 < this->layers().size()) Activate(z, this->activation());
  }
}

// Backpropagation through the stage's layers, as MlpT's (mlp.cc), on the
// stage's own slices of the parameter and gradient vectors.
template <typename Scalar>
void PipelineParallelMlpT<Scalar>::backward(std::size_t s, std::size_t k, const Vector& params, Vector& grad) {
  Stage& stage = stages_[s];
  const Eigen::Map<const Vector> own(params.data() + stage.parameter_offset, stage.parameter_count);
  Eigen::Map<Vector> own_grad(grad.data() + stage.parameter_offset, stage.parameter_count);
  std::vector<Matrix>& outputs = stage.outputs[k];
  const bool last_stage = s + 1 == stages_.size();
  const std::size_t n = stage.end - stage.first;
  const bool accumulate = k > 0;
  if (!last_stage) {
    // What the next stage handed back is d loss / d (this stage's output);
    // through the activation it becomes d loss / d pre-activation.
    Matrix& top = stage.deltas[n - 1];
    detail::ResizeWorkspace(top, stage.received_gradient[k].rows(), stage.received_gradient[k].cols());
    top = stage.received_gradient[k];
    MultiplyByActivationDerivative(top, outputs[n - 1], this->activation());
  }
  for (std::size_t j = n; j-- > 0;) {
    const std::size_t l = stage.first + j;
    const DenseLayer& layer = this->layers()[l];
    const Eigen::Index at = layer.offset - stage.parameter_offset;
    // The last stage's logits workspace already holds d loss / d logits.
    const Matrix& delta = (last_stage && j + 1 == n) ? outputs[j] : stage.deltas[j];
    Eigen::Map<Matrix> dw(own_grad.data() + at, layer.in, layer.out);
    Eigen::Map<Vector> db(own_grad.data() + at + layer.in * layer.out, layer.out);
    if (j > 0) {
      AddProduct(dw, outputs[j - 1], delta, accumulate);
    } else if (s == 0) {
      AddProduct(dw, features_[k], delta, accumulate);
    } else {
      AddProduct(dw, stage.received[k], delta, accumulate);
    }
    if (accumulate) {
      db.noalias() += delta.colwise().sum().transpose();
    } else {
      db.noalias() = delta.colwise().sum().transpose();
    }
    if (l == 0) break;  // the data's gradient: nobody needs it
    const Eigen::Map<const Matrix> w(own.data() + at, layer.in, layer.out);
    Matrix& below = j > 0 ? stage.deltas[j - 1] : stage.input_gradient;
    detail::ResizeWorkspace(below, delta.rows(), layer.in);
    below.noalias() = delta * w.transpose();
    if (j > 0) MultiplyByActivationDerivative(below, outputs[j - 1], this->activation());
  }
}

template <typename Scalar>
void PipelineParallelMlpT<Scalar>::hand_activations_forward(std::size_t s, std::size_t k) {
  const Matrix& sent = stages_[s].outputs[k].back();
  Matrix& received = stages_[s + 1].received[k];
  detail::ResizeWorkspace(received, sent.rows(), sent.cols());
  received = sent;
}

template <typename Scalar>
void PipelineParallelMlpT<Scalar>::hand_gradient_back(std::size_t s, std::size_t k) {
  const Matrix& sent = stages_[s].input_gradient;
  Matrix& received = stages_[s - 1].received_gradient[k];
  detail::ResizeWorkspace(received, sent.rows(), sent.cols());
  received = sent;
}

template <typename Scalar>
double PipelineParallelMlpT<Scalar>::loss_and_gradient(const Vector& params, const Batch& batch, Vector& grad) {
  this->check_params(params);
  detail::CheckBatch(batch, name(), this->input_features(), detail::Needs::kLabels);
  const Eigen::Index b = batch.size();
  std::vector<Eigen::Index> sizes;
  try {
    sizes = MicroBatchSizes(b, options_.micro_batches);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(name() + ": " + e.what());
  }
  const std::size_t micro = sizes.size();
  Eigen::Index start = 0;
  for (std::size_t k = 0; k < micro; ++k) {
    const Batch part(batch.data(),
                     batch.rows().subspan(static_cast<std::size_t>(start), static_cast<std::size_t>(sizes[k])));
    detail::GatherFeatures(part, features_[k]);
    detail::GatherLabels(part, labels_[k]);
    CheckLabels(labels_[k], this->classes(), name());
    start += sizes[k];
  }
  for (BoundaryTraffic& boundary : traffic_) boundary = {};
  const auto sizeof_scalar = static_cast<std::int64_t>(sizeof(Scalar));

  for (std::size_t k = 0; k < micro; ++k) {
    for (std::size_t s = 0; s < stages_.size(); ++s) {
      forward(s, k, params);
      if (s + 1 == stages_.size()) continue;
      hand_activations_forward(s, k);
      const Matrix& received = stages_[s + 1].received[k];
      traffic_[s].activations = traffic_[s].activations + Bytes{received.size() * sizeof_scalar};
      ++traffic_[s].transfers;
    }
  }
  Stage& last = stages_.back();
  double loss_sum = 0.0;
  for (std::size_t k = 0; k < micro; ++k) {
    Matrix& logits = last.outputs[k].back();
    loss_sum += softmax_.loss_sum(logits, labels_[k]);
    ToMeanLossLogitGradient(logits, labels_[k], b);
  }

  detail::ResizeWorkspace(grad, this->parameter_count());
  for (std::size_t k = 0; k < micro; ++k) {
    for (std::size_t s = stages_.size(); s-- > 0;) {
      backward(s, k, params, grad);
      if (s == 0) continue;
      hand_gradient_back(s, k);
      const Matrix& received = stages_[s - 1].received_gradient[k];
      traffic_[s - 1].gradients = traffic_[s - 1].gradients + Bytes{received.size() * sizeof_scalar};
    }
  }
  return loss_sum / static_cast<double>(b);
}

template <typename Scalar>
Evaluation PipelineParallelMlpT<Scalar>::evaluate(const Vector& params, const Dataset& test, Eigen::Index max_samples) {
  this->check_params(params);
  return EvaluateClassifier<Scalar>(test, max_samples, name(), this->input_features(), this->classes(), softmax_,
                                    evaluation_labels_, [&](const Batch& chunk) -> Matrix& {
                                      detail::GatherFeatures(chunk, features_[0]);
                                      for (std::size_t s = 0; s < stages_.size(); ++s) {
                                        forward(s, 0, params);
                                        if (s + 1 < stages_.size()) hand_activations_forward(s, 0);
                                      }
                                      return stages_.back().outputs[0].back();
                                    });
}

template <typename Scalar>
std::unique_ptr<BasicModel<Scalar>> PipelineParallelMlpT<Scalar>::clone() const {
  return std::make_unique<PipelineParallelMlpT>(this->input_features(), this->hidden(), this->classes(),
                                                this->activation(), options_);
}

template class PipelineParallelMlpT<float>;
template class PipelineParallelMlpT<double>;

}  // namespace sim::models

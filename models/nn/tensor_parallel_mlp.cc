#include "models/nn/tensor_parallel_mlp.h"

#include <stdexcept>

#include "models/nn/classifier_evaluation.h"
#include "models/optim/optimizer.h"

namespace sim::models {
namespace {

Bytes Total(const std::vector<Bytes>& sizes) {
  Bytes total;
  for (Bytes size : sizes) total = total + size;
  return total;
}

}  // namespace

Bytes TensorParallelAllReduces::forward_bytes() const noexcept { return Total(forward); }
Bytes TensorParallelAllReduces::backward_bytes() const noexcept { return Total(backward); }

std::vector<std::string> TensorParallelMlpProblems(const std::vector<Eigen::Index>& hidden, std::int64_t shards) {
  std::vector<std::string> problems;
  if (shards < 1) problems.push_back("shards must be >= 1, got " + std::to_string(shards));
  const std::size_t layers = hidden.size() + 1;
  if (layers % 2 != 0) {
    problems.push_back(std::to_string(layers) + " dense layers (" + std::to_string(hidden.size()) +
                       " hidden and the output) do not pair into column- then row-parallel layers: one would be left "
                       "unpaired; give an odd number of hidden layers");
  }
  if (shards >= 1) {
    for (std::size_t i = 0; i < hidden.size(); i += 2) {
      if (hidden[i] % shards != 0) {
        problems.push_back("hidden[" + std::to_string(i) + "] = " + std::to_string(hidden[i]) +
                           " is not divisible by shards = " + std::to_string(shards) +
                           " (a column-parallel layer gives each shard width / shards units)");
      }
    }
  }
  return problems;
}

template <typename Scalar>
TensorParallelMlpT<Scalar>::TensorParallelMlpT(Eigen::Index inputs, std::vector<Eigen::Index> hidden,
                                               std::int32_t classes, Activation activation, std::int64_t shards)
    : MlpArchitecture<Scalar>("tensor_parallel_mlp", inputs, std::move(hidden), classes, activation), shards_(shards) {
  ThrowIfProblems(name(), TensorParallelMlpProblems(this->hidden(), shards_));
  pairs_.resize(this->layers().size() / 2);
  for (std::size_t p = 0; p < pairs_.size(); ++p) {
    pairs_[p].column_layer = 2 * p;
    pairs_[p].shards.resize(static_cast<std::size_t>(shards_));
  }
}

template <typename Scalar>
TensorParallelAllReduces TensorParallelMlpT<Scalar>::all_reduces(Eigen::Index batch_size) const {
  const auto scalars = [&](Eigen::Index width) {
    return Bytes{static_cast<std::int64_t>(batch_size) * static_cast<std::int64_t>(width) *
                 static_cast<std::int64_t>(sizeof(Scalar))};
  };
  TensorParallelAllReduces result;
  for (const Pair& pair : pairs_) result.forward.push_back(scalars(this->layers()[pair.column_layer + 1].out));
  for (std::size_t p = pairs_.size(); p-- > 1;) {
    result.backward.push_back(scalars(this->layers()[pairs_[p].column_layer].in));
  }
  return result;
}

template <typename Scalar>
template <typename Visitor>
void TensorParallelMlpT<Scalar>::with_input(std::size_t pair, Visitor&& visit) {
  if (pair == 0) {
    visit(x_);
  } else {
    visit(pairs_[pair - 1].output);
  }
}

template <typename Scalar>
Bytes TensorParallelMlpT<Scalar>::all_reduce(std::size_t pair, Matrix ShardPart::*part, Matrix& sum) {
  const std::vector<ShardPart>& shards = pairs_[pair].shards;
  const Matrix& first = shards.front().*part;
  detail::ResizeWorkspace(sum, first.rows(), first.cols());
  sum = first;
  for (std::size_t s = 1; s < shards.size(); ++s) sum += shards[s].*part;
  return Bytes{static_cast<std::int64_t>(first.size()) * static_cast<std::int64_t>(sizeof(Scalar))};
}

template <typename Scalar>
void TensorParallelMlpT<Scalar>::forward(const Vector& params, bool count) {
  const Eigen::Index rows = x_.rows();
  for (std::size_t p = 0; p < pairs_.size(); ++p) {
    Pair& pair = pairs_[p];
    const DenseLayer& column = this->layers()[pair.column_layer];
    const DenseLayer& row = this->layers()[pair.column_layer + 1];
    const Eigen::Index width = column.out / shards_;
    for (std::size_t s = 0; s < pair.shards.size(); ++s) {
      ShardPart& part = pair.shards[s];
      const auto first = static_cast<Eigen::Index>(s) * width;
      // Its columns of W are contiguous in the column-major layout; its rows
      // of W' are every row.in-th run of `width` entries.
      const Eigen::Map<const Matrix> w(params.data() + column.offset + first * column.in, column.in, width);
      const Eigen::Map<const Vector> b(params.data() + column.bias_offset() + first, width);
      const StridedWeights w_next(params.data() + row.offset + first, width, row.out, Eigen::OuterStride<>(row.in));
      detail::ResizeWorkspace(part.hidden, rows, width);
      with_input(p, [&](const auto& x) { part.hidden.noalias() = x * w; });
      part.hidden.rowwise() += b.transpose();
      Activate(part.hidden, this->activation());
      detail::ResizeWorkspace(part.partial, rows, row.out);
      part.partial.noalias() = part.hidden * w_next;
    }
    const Bytes reduced = all_reduce(p, &ShardPart::partial, pair.output);
    if (count) last_all_reduces_.forward.push_back(reduced);
    const Eigen::Map<const Vector> b_next(params.data() + row.bias_offset(), row.out);
    pair.output.rowwise() += b_next.transpose();
    if (p + 1 < pairs_.size()) Activate(pair.output, this->activation());
  }
}

// Backpropagation as MlpT's (mlp.cc), each shard on its own slices of the
// parameter and gradient vectors.
template <typename Scalar>
double TensorParallelMlpT<Scalar>::loss_and_gradient(const Vector& params, const Batch& batch, Vector& grad) {
  this->check_params(params);
  detail::CheckBatch(batch, name(), this->input_features(), detail::Needs::kLabels);
  detail::GatherFeatures(batch, x_);
  detail::GatherLabels(batch, labels_);
  CheckLabels(labels_, this->classes(), name());
  last_all_reduces_ = {};
  forward(params, true);
  Matrix& logits = pairs_.back().output;
  const double loss_sum = softmax_.loss_sum(logits, labels_);
  const Eigen::Index b = x_.rows();
  ToMeanLossLogitGradient(logits, labels_, b);

  detail::ResizeWorkspace(grad, this->parameter_count());
  for (std::size_t p = pairs_.size(); p-- > 0;) {
    Pair& pair = pairs_[p];
    const DenseLayer& column = this->layers()[pair.column_layer];
    const DenseLayer& row = this->layers()[pair.column_layer + 1];
    const Eigen::Index width = column.out / shards_;
    const Matrix& delta = p + 1 == pairs_.size() ? pair.output : pair.delta;
    // b' is replicated: every shard would compute the same sums.
    Eigen::Map<Vector> db_next(grad.data() + row.bias_offset(), row.out);
    db_next.noalias() = delta.colwise().sum().transpose();
    for (std::size_t s = 0; s < pair.shards.size(); ++s) {
      ShardPart& part = pair.shards[s];
      const auto first = static_cast<Eigen::Index>(s) * width;
      const StridedWeights w_next(params.data() + row.offset + first, width, row.out, Eigen::OuterStride<>(row.in));
      StridedGradient dw_next(grad.data() + row.offset + first, width, row.out, Eigen::OuterStride<>(row.in));
      dw_next.noalias() = part.hidden.transpose() * delta;
      detail::ResizeWorkspace(part.delta, b, width);
      part.delta.noalias() = delta * w_next.transpose();
      MultiplyByActivationDerivative(part.delta, part.hidden, this->activation());
      Eigen::Map<Matrix> dw(grad.data() + column.offset + first * column.in, column.in, width);
      Eigen::Map<Vector> db(grad.data() + column.bias_offset() + first, width);
      with_input(p, [&](const auto& x) { dw.noalias() = x.transpose() * part.delta; });
      db.noalias() = part.delta.colwise().sum().transpose();
      if (p == 0) continue;  // the data's gradient: nobody needs it
      const Eigen::Map<const Matrix> w(params.data() + column.offset + first * column.in, column.in, width);
      detail::ResizeWorkspace(part.input_partial, b, column.in);
      part.input_partial.noalias() = part.delta * w.transpose();
    }
    if (p == 0) break;
    // d loss / d (the previous pair's output), then through its activation.
    Pair& below = pairs_[p - 1];
    last_all_reduces_.backward.push_back(all_reduce(p, &ShardPart::input_partial, below.delta));
    MultiplyByActivationDerivative(below.delta, below.output, this->activation());
  }
  return loss_sum / static_cast<double>(b);
}

template <typename Scalar>
Evaluation TensorParallelMlpT<Scalar>::evaluate(const Vector& params, const Dataset& test, Eigen::Index max_samples) {
  this->check_params(params);
  return EvaluateClassifier<Scalar>(test, max_samples, name(), this->input_features(), this->classes(), softmax_,
                                    labels_, [&](const Batch& chunk) -> Matrix& {
                                      detail::GatherFeatures(chunk, x_);
                                      forward(params, false);
                                      return pairs_.back().output;
                                    });
}

template <typename Scalar>
std::unique_ptr<BasicModel<Scalar>> TensorParallelMlpT<Scalar>::clone() const {
  return std::make_unique<TensorParallelMlpT>(this->input_features(), this->hidden(), this->classes(),
                                              this->activation(), shards_);
}

template class TensorParallelMlpT<float>;
template class TensorParallelMlpT<double>;

}  // namespace sim::models

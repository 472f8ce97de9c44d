// A tensor-parallel MLP: MlpT's dense layers (the same MlpArchitecture: same
// flat parameter layout, same initialisation) split over t shards as
// Megatron-LM splits a transformer's MLP (Shoeybi et al. 2019, section 3).
// Consecutive layers pair up, (0, 1), (2, 3), ...; in each pair
//   - the first is column-parallel: shard s holds columns
//     [s out/t, (s+1) out/t) of W (out/t of its units, a contiguous slice of
//     the flat vector) and their biases, and computes Y_s = act(X W_s + b_s)
//     from the replicated input X with no communication;
//   - the second is row-parallel: shard s holds the matching rows of W' and
//     computes the partial product Y_s W'_s; the all-reduce sums the t
//     partials, and the bias b' and the activation follow on the replicated
//     sum (Megatron adds the bias after the all-reduce).
// Backward mirrors it: the row-parallel layer needs no communication, and the
// gradient with respect to the pair's input X is the all-reduced sum of the
// shards' partials (Megatron's "f" operator). The first pair reads the data,
// whose gradient nobody needs, so it skips that all-reduce. Per call, with p
// pairs: p all-reduces forward, p - 1 backward.
//
// The all-reduce is done explicitly on the shards' matrices, summing them in
// shard order 0, 1, ..., t-1; every shard would hold the same sum, kept once.
// Its size, counted from the matrices summed, is one shard's contribution
// (batch x width x sizeof(Scalar)): what a collective is handed; the bytes an
// algorithm puts on the wire follow from it and the algorithm.
//
// The loss and gradient are the batch's mean, as MlpT's, up to the order in
// which sums are rounded (the row-parallel products are summed in t parts).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/nn/batch_input.h"
#include "models/nn/mlp_architecture.h"
#include "models/nn/softmax_cross_entropy.h"
#include "sim/core/units.h"

namespace sim::models {

// The all-reduces of one call, each by its size, in the order they ran.
struct TensorParallelAllReduces {
  std::vector<Bytes> forward;
  std::vector<Bytes> backward;

  [[nodiscard]] Bytes forward_bytes() const noexcept;
  [[nodiscard]] Bytes backward_bytes() const noexcept;
  friend bool operator==(const TensorParallelAllReduces&, const TensorParallelAllReduces&) = default;
};

// Every reason MlpT's layers cannot be split over `shards` shards: shards
// < 1; an odd number of dense layers (one would be left unpaired: give an odd
// number of hidden layers); a column-parallel layer's width (hidden[0],
// hidden[2], ...) not divisible by `shards`. Empty when they can.
[[nodiscard]] std::vector<std::string> TensorParallelMlpProblems(const std::vector<Eigen::Index>& hidden,
                                                                 std::int64_t shards);

template <typename Scalar>
class TensorParallelMlpT : public MlpArchitecture<Scalar> {
 public:
  using typename BasicModel<Scalar>::Vector;

  // Throws std::invalid_argument for a bad shape (as MlpT) and, listing all
  // of them, for TensorParallelMlpProblems.
  TensorParallelMlpT(Eigen::Index inputs, std::vector<Eigen::Index> hidden, std::int32_t classes, Activation activation,
                     std::int64_t shards);

  [[nodiscard]] std::string name() const override { return "tensor_parallel_mlp"; }
  double loss_and_gradient(const Vector& params, const Batch& batch, Vector& grad) override;
  // Forward only, in chunks of the test set; not counted in last_all_reduces().
  Evaluation evaluate(const Vector& params, const Dataset& test, Eigen::Index max_samples = 0) override;
  [[nodiscard]] std::unique_ptr<BasicModel<Scalar>> clone() const override;

  [[nodiscard]] std::int64_t shards() const noexcept { return shards_; }

  // In advance: the all-reduces one loss_and_gradient call on a batch of
  // `batch_size` samples does. Forward, pair p sums batch x out(2p+1)
  // scalars; backward, pair p > 0 sums batch x in(2p).
  [[nodiscard]] TensorParallelAllReduces all_reduces(Eigen::Index batch_size) const;
  // The all-reduces of the last loss_and_gradient call, counted from the
  // matrices summed.
  [[nodiscard]] const TensorParallelAllReduces& last_all_reduces() const noexcept { return last_all_reduces_; }

 private:
  using Matrix = DenseMatrix<Scalar>;
  // A shard's rows of a row-parallel layer's W (in x out, column-major): a
  // run of in/t entries out of every `in`.
  using StridedWeights = Eigen::Map<const Matrix, 0, Eigen::OuterStride<>>;
  using StridedGradient = Eigen::Map<Matrix, 0, Eigen::OuterStride<>>;

  // One shard's part of a pair.
  struct ShardPart {
    Matrix hidden;         // Y_s = act(X W_s + b_s): batch x out/t
    Matrix partial;        // Y_s W'_s: batch x out', before the all-reduce
    Matrix delta;          // d loss / d (X W_s + b_s)
    Matrix input_partial;  // delta W_s^T: its part of d loss / d X
  };
  struct Pair {
    std::size_t column_layer = 0;  // its row-parallel layer is column_layer + 1
    std::vector<ShardPart> shards;
    Matrix output;  // the all-reduced sum + b', through the activation unless it is the logits
    Matrix delta;   // d loss / d (the sum + b'); for the last pair, in `output`
  };

  void forward(const Vector& params, bool count);
  // Sums the shards' `part` of pair `pair` (shard order) into `sum`; returns
  // the bytes of one shard's part.
  Bytes all_reduce(std::size_t pair, Matrix ShardPart::*part, Matrix& sum);
  // The pair's input: the batch for pair 0, else the previous pair's output.
  template <typename Visitor>
  void with_input(std::size_t pair, Visitor&& visit);

  std::int64_t shards_;
  std::vector<Pair> pairs_;
  TensorParallelAllReduces last_all_reduces_;

  // Workspaces, reused across calls (sized by the batch).
  detail::RowMatrix<Scalar> x_;
  std::vector<std::int32_t> labels_;
  SoftmaxCrossEntropy<Scalar> softmax_;
};

using TensorParallelMlp = TensorParallelMlpT<float>;

extern template class TensorParallelMlpT<float>;
extern template class TensorParallelMlpT<double>;

}  // namespace sim::models

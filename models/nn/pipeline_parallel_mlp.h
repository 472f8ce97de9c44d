// A pipeline-parallel MLP (GPipe, Huang et al. 2019): MlpT's dense layers
// (the same MlpArchitecture: same flat parameter layout, same
// initialisation, so one parameter vector serves both) cut into stages of
// consecutive layers, and each batch cut into micro-batches whose gradients
// accumulate. It is the same function as MlpT: the loss and gradient are the
// batch's mean, as MlpT's, up to the order in which sums are rounded.
//
// A stage sees its own slice of the parameter vector (its layers are
// consecutive, so their parameters are too) and what it receives: stage 0 the
// micro-batch's features, the last stage its labels, every other stage the
// activations its predecessor hands over, copied into a matrix of its own.
// Backward, each stage hands the gradient of those activations back the same
// way. The bytes of every matrix handed over are counted per boundary.
//
// Schedule: the forward pass of every micro-batch through every stage, then
// the backward pass of every micro-batch (GPipe's). The numbers do not depend
// on the schedule: each micro-batch's gradient is computed from the same
// parameters, and the gradients add up in micro-batch order (0, 1, ...).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "models/nn/batch_input.h"
#include "models/nn/mlp_architecture.h"
#include "models/nn/softmax_cross_entropy.h"
#include "sim/core/units.h"

namespace sim::models {

struct PipelineOptions {
  std::int64_t stages = 1;
  // The first dense layer of stages 1 .. stages-1, increasing, each in
  // [1, layers) (layers numbered from 0 at the input; an MLP with k hidden
  // layers has k + 1). Empty: balanced by FLOPs (BalancedStageStarts).
  std::vector<std::int64_t> stage_starts;
  std::int64_t micro_batches = 1;
};

// What crossed one boundary (between stage i and stage i + 1) in one call.
struct BoundaryTraffic {
  Bytes activations;           // forward, stage i -> i + 1
  Bytes gradients;             // backward, stage i + 1 -> i
  std::int64_t transfers = 0;  // matrices handed over each way (one per micro-batch)
};

// Sizes of the micro-batches of a batch of `batch` samples: as even as
// possible, the first (batch mod micro_batches) of them one sample larger
// (10 into 4: 3, 3, 2, 2), in batch order. Throws std::invalid_argument when
// micro_batches < 1 or micro_batches > batch (a micro-batch would be empty).
[[nodiscard]] std::vector<Eigen::Index> MicroBatchSizes(Eigen::Index batch, std::int64_t micro_batches);

// The cut of layers of costs `layer_costs` into `stages` non-empty groups of
// consecutive layers that minimises the largest group's cost (the stage that
// sets a pipeline's pace); among such cuts, each stage in turn takes as many
// layers as it can. Returns the first layer of stages 1 .. stages-1. Throws
// std::invalid_argument unless 1 <= stages <= layers.
[[nodiscard]] std::vector<std::int64_t> BalancedStageStarts(std::span<const std::int64_t> layer_costs,
                                                            std::int64_t stages);

template <typename Scalar>
class PipelineParallelMlpT : public MlpArchitecture<Scalar> {
 public:
  using typename BasicModel<Scalar>::Vector;

  // Throws std::invalid_argument for a bad shape (as MlpT) and, listing all
  // of them, for bad options: stages outside [1, layers], stage_starts of the
  // wrong count, not increasing or outside [1, layers), micro_batches < 1.
  PipelineParallelMlpT(Eigen::Index inputs, std::vector<Eigen::Index> hidden, std::int32_t classes,
                       Activation activation, PipelineOptions options);

  [[nodiscard]] std::string name() const override { return "pipeline_parallel_mlp"; }
  // Throws std::invalid_argument when the batch has fewer samples than there
  // are micro-batches.
  double loss_and_gradient(const Vector& params, const Batch& batch, Vector& grad) override;
  // Forward only, each chunk of the test set going through the stages as one
  // micro-batch; not counted in last_boundary_traffic().
  Evaluation evaluate(const Vector& params, const Dataset& test, Eigen::Index max_samples = 0) override;
  [[nodiscard]] std::unique_ptr<BasicModel<Scalar>> clone() const override;

  [[nodiscard]] std::int64_t stages() const noexcept { return static_cast<std::int64_t>(stages_.size()); }
  [[nodiscard]] std::int64_t micro_batches() const noexcept { return options_.micro_batches; }
  // The first dense layer of each stage (stage 0's is 0).
  [[nodiscard]] std::vector<std::int64_t> stage_starts() const;
  // Forward + backward FLOPs of stage `stage` for one sample
  // (DenseLayerTrainingFlops of its layers); they add up to
  // flops_per_sample().
  [[nodiscard]] Flops stage_flops_per_sample(std::int64_t stage) const;

  // Activations per sample crossing boundary `boundary` (after stage
  // `boundary`): the width of that stage's last layer.
  [[nodiscard]] Eigen::Index boundary_width(std::int64_t boundary) const;
  // In advance: the bytes one micro-batch of `micro_batch_size` samples sends
  // across `boundary` each way (its activations forward, their gradient
  // backward, the same shape): micro_batch_size x width x sizeof(Scalar).
  [[nodiscard]] Bytes boundary_bytes(std::int64_t boundary, Eigen::Index micro_batch_size) const;
  // What crossed each boundary in the last loss_and_gradient call, counted
  // from the matrices handed over (stages() - 1 entries).
  [[nodiscard]] const std::vector<BoundaryTraffic>& last_boundary_traffic() const noexcept { return traffic_; }

 private:
  using Matrix = DenseMatrix<Scalar>;

  struct Stage {
    std::size_t first = 0;  // its layers: [first, end)
    std::size_t end = 0;
    // Its slice of the parameter (and gradient) vector.
    Eigen::Index parameter_offset = 0;
    Eigen::Index parameter_count = 0;
    // Per micro-batch: the activations received from the previous stage
    // (unused by stage 0), each of its layers' outputs (the last one's is
    // what it sends on, or the logits), the gradient received from the next
    // stage (unused by the last stage).
    std::vector<Matrix> received;
    std::vector<std::vector<Matrix>> outputs;
    std::vector<Matrix> received_gradient;
    // Per layer, for the micro-batch being back-propagated: the gradient with
    // respect to the layer's pre-activation.
    std::vector<Matrix> deltas;
    // The gradient with respect to what the stage received, before it is
    // handed back.
    Matrix input_gradient;
  };

  // Micro-batch k's forward pass through stage s.
  void forward(std::size_t s, std::size_t k, const Vector& params);
  // Micro-batch k's backward pass through stage s, from the gradient the
  // next stage handed back (the last stage: from the logits' gradient left in
  // its output); adds to the stage's slice of `grad` (assigns when k == 0)
  // and leaves the gradient to hand back in input_gradient.
  void backward(std::size_t s, std::size_t k, const Vector& params, Vector& grad);
  void hand_activations_forward(std::size_t s, std::size_t k);
  void hand_gradient_back(std::size_t s, std::size_t k);

  PipelineOptions options_;
  std::vector<Stage> stages_;
  std::vector<BoundaryTraffic> traffic_;

  // Workspaces, reused across calls (sized by the micro-batches).
  std::vector<detail::RowMatrix<Scalar>> features_;  // per micro-batch: stage 0's input
  std::vector<std::vector<std::int32_t>> labels_;    // per micro-batch: the last stage's
  std::vector<std::int32_t> evaluation_labels_;
  SoftmaxCrossEntropy<Scalar> softmax_;
};

using PipelineParallelMlp = PipelineParallelMlpT<float>;

extern template class PipelineParallelMlpT<float>;
extern template class PipelineParallelMlpT<double>;

}  // namespace sim::models

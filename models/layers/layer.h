// One layer of a network, as a simulator's task graph needs it: what it
// computes forward and backward, what it keeps in between, and what it hands
// to the next layer. A model is a std::vector<Layer> in execution order.
//
// Conventions, as everywhere in models/: one multiply-add is 2 FLOPs; the
// backward pass costs 2 x the forward pass (a gradient for the inputs and one
// for the weights, each about one forward pass). All per-sample figures are
// for one sample of the model's input: one image, or one sequence of s tokens.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/layers/data_type.h"
#include "models/layers/tensor_parallelism.h"
#include "models/layers/transformer_shape.h"
#include "sim/core/units.h"

namespace sim::models {

enum class LayerKind {
  kConvolution,       // 2-D convolution (a GEMM after im2col)
  kFullyConnected,    // dense GEMM
  kNormalization,     // batch normalization
  kElementwise,       // ReLU, residual add, dropout, concatenation: memory-bound
  kPooling,           // max or average pooling
  kEmbedding,         // token (and position) lookup
  kTransformerBlock,  // attention + MLP: Megatron's unit of tensor and pipeline parallelism
  kLogits,            // final norm, output projection and softmax cross-entropy
};

[[nodiscard]] std::string_view LayerKindName(LayerKind kind) noexcept;

struct Layer {
  std::string name;
  LayerKind kind = LayerKind::kElementwise;
  std::int64_t parameters = 0;
  Flops forward_flops;   // per sample
  Flops backward_flops;  // per sample, without recomputation
  // Precision of the activation bytes below (masks stay 1 byte each).
  DataType activation_type = DataType::kBf16;
  // Bytes per sample kept from the forward pass until this layer's backward,
  // without recomputation or parallelism. A tensor read by several backward
  // passes is counted once, at the layer that produced it.
  Bytes saved;
  // Bytes per sample of this layer's output: what a pipeline stage ending
  // here sends forward (and the size of the gradient it receives back).
  Bytes output;
  // Activation bytes per sample the pass reads and writes in device memory,
  // for a roofline (weights are counted apart, per micro-batch).
  Bytes forward_traffic;
  Bytes backward_traffic;
  // Forward reads every weight once per micro-batch and backward reads them
  // and writes their gradient; false for an embedding lookup, whose
  // per-sample traffic already counts the rows it reads.
  bool dense_weights = true;
  // A pipeline stage may end after this layer: the layers after it need
  // nothing computed before it but its output.
  bool pipeline_cut = false;
  // Set for transformer layers (embedding, blocks, logits): what tensor and
  // sequence parallelism and recomputation need (tensor_parallel_layer.h,
  // transformer_activations.h).
  std::optional<TransformerShape> transformer;
  // How the figures above are split: size 1 for the whole layer, t for the
  // share of one rank (ShardTensorParallel).
  TensorParallelism tensor_parallelism;
};

// Sums over a model.
[[nodiscard]] std::int64_t TotalParameters(const std::vector<Layer>& layers) noexcept;
[[nodiscard]] Flops TotalForwardFlops(const std::vector<Layer>& layers) noexcept;
[[nodiscard]] Flops TotalBackwardFlops(const std::vector<Layer>& layers) noexcept;

}  // namespace sim::models

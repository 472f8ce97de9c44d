// Activation memory of a transformer's layers (Korthikanti et al. 2022,
// "Reducing activation recomputation in large transformer models", §4).
//
// Per block, micro-batch b, with 16-bit activations and 1-byte dropout masks
// (their Table 2):
//   no parallelism                      s·b·h·(34 + 5·a·s/h)
//   tensor parallel t                   s·b·h·(10 + 24/t + 5·a·s/(h·t))
//   tensor + sequence parallel          s·b·h·(34/t + 5·a·s/(h·t))
//   selective recomputation             the 5·a·s/h term (attention scores) dropped
//   full recomputation                  s·b·h·2 (the block's input; /t with sequence parallelism)
//
// The 34 is the sum of the tensors backward reads, which this file counts one
// by one so that the same sum holds for other shapes (p bytes per activation,
// f feed-forward size, k = kv heads x head size, m = 1 with dropout, else 0):
//   attention, replicated under tensor parallelism: norm input p·s·h, QKV input p·s·h,
//     dropout mask m·s·h
//   attention, split by t: Q p·s·h, K p·s·k, V p·s·k, output-projection input p·s·h
//   attention scores, split by t: softmax output p·a·s², its dropout mask m·a·s²
//     and output m·p·a·s²
//   MLP, replicated: norm input p·s·h, first linear input p·s·h, dropout mask m·s·h
//   MLP, split by t: GeLU input and output 2·p·s·f; for SwiGLU gate and up
//     outputs and their product 3·p·s·f (a fused SwiGLU, as Megatron-LM's, recomputes SiLU)
// With p = 2, m = 1, k = h, f = 4h: replicated 10·s·h, split 24·s·h, scores 5·a·s².
//
// The embedding keeps its dropout mask m·s·h (and BERT's norm input p·s·h);
// the logits keep the final norm's input p·s·h, the projection's input p·s·h
// and the fp32 logits 4·s·V for the cross-entropy (§4.3), V split by t.
// Recomputation applies to blocks only.
#pragma once

#include <cstdint>

#include "models/layers/data_type.h"
#include "models/layers/layer.h"
#include "models/layers/recomputation.h"
#include "models/layers/tensor_parallelism.h"
#include "models/layers/transformer_shape.h"
#include "sim/core/units.h"

namespace sim::models {

// Bytes one rank keeps for backward for a micro-batch through a transformer
// layer of the given kind (kEmbedding, kTransformerBlock or kLogits).
// Throws std::invalid_argument for another kind or a shape that cannot be
// split t ways.
[[nodiscard]] Bytes TransformerActivationBytes(LayerKind kind, const TransformerShape& shape, DataType activation_type,
                                               std::int64_t micro_batch, TensorParallelism parallelism,
                                               Recomputation recomputation);

}  // namespace sim::models

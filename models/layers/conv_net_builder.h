// Builds a convolutional network's layers from its architecture, tensor by
// tensor, the way its framework code reads (torchvision's modules), and
// derives what a layer list alone cannot say: which tensors backward keeps,
// and after which layers a pipeline stage may end.
//
// FLOPs per sample, forward (backward = 2 x forward):
//   convolution      2 x C_out·H_out·W_out·(C_in·k_h·k_w) (bias adds not counted, as in torchvision's figures)
//   fully connected  2 x in·out
//   batch norm       7 per element: statistics (add, square, add), normalize (subtract, scale), affine (scale, shift)
//   ReLU, add, dropout  1 per element
//   max pool         k² - 1 comparisons per output; average pool k² per output (adds and the scaling)
//   concatenation    0 (a copy)
// What backward reads, following PyTorch's autograd: a convolution, a fully
// connected layer, a batch norm and a max pool read their input; an in-place
// ReLU reads its output; a dropout its 1-byte mask; pools' averages, adds and
// concatenations nothing. A tensor is kept once, counted at the layer that
// produced it (the network's input at its first reader). Not counted: batch
// norm's per-channel statistics and max pooling's int64 indices.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/layers/data_type.h"
#include "models/layers/layer.h"

namespace sim::models {

class ConvNetBuilder {
 public:
  struct Tensor {
    int id = -1;
    std::int64_t channels = 0;
    std::int64_t height = 1;
    std::int64_t width = 1;
    [[nodiscard]] std::int64_t elements() const noexcept { return channels * height * width; }
  };

  struct Convolution2d {
    std::int64_t out_channels = 0;
    std::int64_t kernel_height = 1;
    std::int64_t kernel_width = 1;
    std::int64_t stride = 1;
    std::int64_t pad_height = 0;
    std::int64_t pad_width = 0;
    bool bias = false;
  };

  explicit ConvNetBuilder(DataType activation_type) : activation_type_(activation_type) {}

  // The network's input, one sample.
  Tensor Input(std::int64_t channels, std::int64_t height, std::int64_t width);

  Tensor Convolution(std::string name, Tensor in, const Convolution2d& convolution);
  Tensor BatchNorm(std::string name, Tensor in);
  Tensor Relu(std::string name, Tensor in);
  Tensor MaxPool(std::string name, Tensor in, std::int64_t kernel, std::int64_t stride, std::int64_t pad = 0);
  Tensor AveragePool(std::string name, Tensor in, std::int64_t kernel, std::int64_t stride, std::int64_t pad = 0);
  // Adaptive average pooling to 1 x 1.
  Tensor GlobalAveragePool(std::string name, Tensor in);
  // Flattens its input.
  Tensor FullyConnected(std::string name, Tensor in, std::int64_t out_features, bool bias = true);
  Tensor Dropout(std::string name, Tensor in);
  Tensor Add(std::string name, Tensor a, Tensor b);
  // Along the channels; inputs of equal height and width.
  Tensor Concat(std::string name, const std::vector<Tensor>& inputs);

  // The layers in the order they were added, with `saved` and `pipeline_cut`
  // derived from the whole graph.
  [[nodiscard]] std::vector<Layer> Layers() const;

 private:
  struct Node {
    Layer layer;
    std::vector<int> inputs;  // tensor ids
    int output = -1;
    bool backward_reads_inputs = false;
    bool backward_reads_output = false;
    Bytes mask;  // kept besides any tensor (dropout)
  };
  struct TensorRecord {
    int producer = -1;  // node index; -1 for the network's input
    std::int64_t elements = 0;
  };

  static Node MakeNode(std::string name, LayerKind kind, std::vector<int> inputs);
  Tensor Append(Node node, std::int64_t channels, std::int64_t height, std::int64_t width);
  [[nodiscard]] Bytes BytesOf(std::int64_t elements) const noexcept {
    return Bytes{elements * BytesPerElement(activation_type_)};
  }

  DataType activation_type_;
  std::vector<Node> nodes_;
  std::vector<TensorRecord> tensors_;
};

}  // namespace sim::models

#include "models/layers/conv_net_builder.h"

#include <algorithm>
#include <stdexcept>

namespace sim::models {
namespace {

// Output size of a window sliding over `in` (PyTorch, floor mode).
std::int64_t Slide(const std::string& name, std::int64_t in, std::int64_t kernel, std::int64_t stride,
                   std::int64_t pad) {
  const std::int64_t out = (in + 2 * pad - kernel) / stride + 1;
  if (kernel < 1 || stride < 1 || pad < 0 || out < 1) {
    throw std::invalid_argument(name + ": window " + std::to_string(kernel) + " stride " + std::to_string(stride) +
                                " pad " + std::to_string(pad) + " does not fit an input of " + std::to_string(in));
  }
  return out;
}

}  // namespace

ConvNetBuilder::Node ConvNetBuilder::MakeNode(std::string name, LayerKind kind, std::vector<int> inputs) {
  Node node;
  node.layer.name = std::move(name);
  node.layer.kind = kind;
  node.inputs = std::move(inputs);
  return node;
}

ConvNetBuilder::Tensor ConvNetBuilder::Input(std::int64_t channels, std::int64_t height, std::int64_t width) {
  tensors_.push_back({-1, channels * height * width});
  return Tensor{static_cast<int>(tensors_.size()) - 1, channels, height, width};
}

ConvNetBuilder::Tensor ConvNetBuilder::Append(Node node, std::int64_t channels, std::int64_t height,
                                              std::int64_t width) {
  const std::int64_t elements = channels * height * width;
  Bytes in;
  for (int id : node.inputs) in.count += BytesOf(tensors_.at(static_cast<std::size_t>(id)).elements).count;
  const Bytes out = BytesOf(elements);
  node.layer.activation_type = activation_type_;
  node.layer.output = out;
  node.layer.backward_flops = Flops{2.0 * node.layer.forward_flops.count};
  // Forward reads the inputs and writes the output; backward reads the
  // output's gradient, writes the inputs' gradients, and reads what it kept.
  node.layer.forward_traffic = in + out + node.mask;
  node.layer.backward_traffic = out + in + node.mask;
  if (node.backward_reads_inputs) node.layer.backward_traffic = node.layer.backward_traffic + in;
  if (node.backward_reads_output) node.layer.backward_traffic = node.layer.backward_traffic + out;
  node.output = static_cast<int>(tensors_.size());
  tensors_.push_back({static_cast<int>(nodes_.size()), elements});
  nodes_.push_back(std::move(node));
  return Tensor{nodes_.back().output, channels, height, width};
}

ConvNetBuilder::Tensor ConvNetBuilder::Convolution(std::string name, Tensor in, const Convolution2d& c) {
  const std::int64_t height = Slide(name, in.height, c.kernel_height, c.stride, c.pad_height);
  const std::int64_t width = Slide(name, in.width, c.kernel_width, c.stride, c.pad_width);
  const std::int64_t weights = c.out_channels * in.channels * c.kernel_height * c.kernel_width;
  Node node = MakeNode(std::move(name), LayerKind::kConvolution, {in.id});
  node.layer.parameters = weights + (c.bias ? c.out_channels : 0);
  node.layer.forward_flops = Flops{2.0 * static_cast<double>(weights) * static_cast<double>(height * width)};
  node.backward_reads_inputs = true;
  return Append(std::move(node), c.out_channels, height, width);
}

ConvNetBuilder::Tensor ConvNetBuilder::BatchNorm(std::string name, Tensor in) {
  Node node = MakeNode(std::move(name), LayerKind::kNormalization, {in.id});
  node.layer.parameters = 2 * in.channels;  // scale and shift; running statistics are buffers, not parameters
  node.layer.forward_flops = Flops{7.0 * static_cast<double>(in.elements())};
  node.backward_reads_inputs = true;
  return Append(std::move(node), in.channels, in.height, in.width);
}

ConvNetBuilder::Tensor ConvNetBuilder::Relu(std::string name, Tensor in) {
  Node node = MakeNode(std::move(name), LayerKind::kElementwise, {in.id});
  node.layer.forward_flops = Flops{static_cast<double>(in.elements())};
  node.backward_reads_output = true;
  return Append(std::move(node), in.channels, in.height, in.width);
}

ConvNetBuilder::Tensor ConvNetBuilder::MaxPool(std::string name, Tensor in, std::int64_t kernel, std::int64_t stride,
                                               std::int64_t pad) {
  const std::int64_t height = Slide(name, in.height, kernel, stride, pad);
  const std::int64_t width = Slide(name, in.width, kernel, stride, pad);
  Node node = MakeNode(std::move(name), LayerKind::kPooling, {in.id});
  node.layer.forward_flops =
      Flops{static_cast<double>(kernel * kernel - 1) * static_cast<double>(in.channels * height * width)};
  node.backward_reads_inputs = true;
  return Append(std::move(node), in.channels, height, width);
}

ConvNetBuilder::Tensor ConvNetBuilder::AveragePool(std::string name, Tensor in, std::int64_t kernel,
                                                   std::int64_t stride, std::int64_t pad) {
  const std::int64_t height = Slide(name, in.height, kernel, stride, pad);
  const std::int64_t width = Slide(name, in.width, kernel, stride, pad);
  Node node = MakeNode(std::move(name), LayerKind::kPooling, {in.id});
  node.layer.forward_flops =
      Flops{static_cast<double>(kernel * kernel) * static_cast<double>(in.channels * height * width)};
  return Append(std::move(node), in.channels, height, width);
}

ConvNetBuilder::Tensor ConvNetBuilder::GlobalAveragePool(std::string name, Tensor in) {
  Node node = MakeNode(std::move(name), LayerKind::kPooling, {in.id});
  node.layer.forward_flops = Flops{static_cast<double>(in.elements())};
  return Append(std::move(node), in.channels, 1, 1);
}

ConvNetBuilder::Tensor ConvNetBuilder::FullyConnected(std::string name, Tensor in, std::int64_t out_features,
                                                      bool bias) {
  const std::int64_t weights = in.elements() * out_features;
  Node node = MakeNode(std::move(name), LayerKind::kFullyConnected, {in.id});
  node.layer.parameters = weights + (bias ? out_features : 0);
  node.layer.forward_flops = Flops{2.0 * static_cast<double>(weights)};
  node.backward_reads_inputs = true;
  return Append(std::move(node), out_features, 1, 1);
}

ConvNetBuilder::Tensor ConvNetBuilder::Dropout(std::string name, Tensor in) {
  Node node = MakeNode(std::move(name), LayerKind::kElementwise, {in.id});
  node.layer.forward_flops = Flops{static_cast<double>(in.elements())};
  node.mask = Bytes{in.elements()};  // one byte per element (a bool tensor)
  return Append(std::move(node), in.channels, in.height, in.width);
}

ConvNetBuilder::Tensor ConvNetBuilder::Add(std::string name, Tensor a, Tensor b) {
  if (a.channels != b.channels || a.height != b.height || a.width != b.width) {
    throw std::invalid_argument(name + ": adding tensors of different shapes");
  }
  Node node = MakeNode(std::move(name), LayerKind::kElementwise, {a.id, b.id});
  node.layer.forward_flops = Flops{static_cast<double>(a.elements())};
  return Append(std::move(node), a.channels, a.height, a.width);
}

ConvNetBuilder::Tensor ConvNetBuilder::Concat(std::string name, const std::vector<Tensor>& inputs) {
  if (inputs.empty()) throw std::invalid_argument(name + ": nothing to concatenate");
  Node node = MakeNode(std::move(name), LayerKind::kElementwise, {});
  std::int64_t channels = 0;
  for (const Tensor& in : inputs) {
    if (in.height != inputs.front().height || in.width != inputs.front().width) {
      throw std::invalid_argument(node.layer.name + ": concatenating tensors of different heights or widths");
    }
    channels += in.channels;
    node.inputs.push_back(in.id);
  }
  return Append(std::move(node), channels, inputs.front().height, inputs.front().width);
}

std::vector<Layer> ConvNetBuilder::Layers() const {
  const std::size_t n = nodes_.size();
  // A tensor is kept for backward when its producer or any reader needs it.
  std::vector<bool> kept(tensors_.size(), false);
  // The last node reading each tensor, to know how long it stays live.
  std::vector<std::ptrdiff_t> last_reader(tensors_.size(), -1);
  std::vector<std::ptrdiff_t> first_reader(tensors_.size(), -1);
  for (std::size_t i = 0; i < n; ++i) {
    const Node& node = nodes_[i];
    if (node.backward_reads_output) kept[static_cast<std::size_t>(node.output)] = true;
    for (int id : node.inputs) {
      const auto t = static_cast<std::size_t>(id);
      if (node.backward_reads_inputs) kept[t] = true;
      last_reader[t] = static_cast<std::ptrdiff_t>(i);
      if (first_reader[t] < 0) first_reader[t] = static_cast<std::ptrdiff_t>(i);
    }
  }
  std::vector<Layer> layers;
  layers.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Node& node = nodes_[i];
    Layer layer = node.layer;
    const auto out = static_cast<std::size_t>(node.output);
    layer.saved = node.mask + (kept[out] ? BytesOf(tensors_[out].elements) : Bytes{});
    // The network's input, kept at its first reader.
    for (std::size_t t = 0; t < tensors_.size(); ++t) {
      if (tensors_[t].producer < 0 && kept[t] && first_reader[t] == static_cast<std::ptrdiff_t>(i)) {
        layer.saved = layer.saved + BytesOf(tensors_[t].elements);
      }
    }
    // A stage may end after layer i when no tensor made up to i, other than
    // i's output, is read after i.
    bool cut = true;
    for (std::size_t t = 0; t < tensors_.size() && cut; ++t) {
      const bool made_by_then = tensors_[t].producer <= static_cast<int>(i);
      if (t != out && made_by_then && last_reader[t] > static_cast<std::ptrdiff_t>(i)) cut = false;
    }
    layer.pipeline_cut = cut;
    layers.push_back(std::move(layer));
  }
  return layers;
}

}  // namespace sim::models

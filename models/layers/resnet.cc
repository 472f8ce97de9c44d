#include "models/layers/resnet.h"

#include <array>
#include <string>

#include "models/layers/conv_net_builder.h"

namespace sim::models {
namespace {

using Tensor = ConvNetBuilder::Tensor;

Tensor ConvBn(ConvNetBuilder& net, const std::string& prefix, const std::string& conv, const std::string& bn, Tensor in,
              ConvNetBuilder::Convolution2d spec) {
  return net.BatchNorm(prefix + bn, net.Convolution(prefix + conv, in, spec));
}

// conv 1x1 -> 3x3 (stride) -> 1x1 (4 x width), each followed by batch norm,
// ReLU between; the shortcut is a strided 1x1 convolution when the shape
// changes; ReLU after the sum.
Tensor Bottleneck(ConvNetBuilder& net, const std::string& prefix, Tensor in, std::int64_t width, std::int64_t stride) {
  const std::int64_t out_channels = 4 * width;
  Tensor x = ConvBn(net, prefix, "conv1", "bn1", in, {.out_channels = width});
  x = net.Relu(prefix + "relu1", x);
  x = ConvBn(net, prefix, "conv2", "bn2", x,
             {.out_channels = width,
              .kernel_height = 3,
              .kernel_width = 3,
              .stride = stride,
              .pad_height = 1,
              .pad_width = 1});
  x = net.Relu(prefix + "relu2", x);
  x = ConvBn(net, prefix, "conv3", "bn3", x, {.out_channels = out_channels});
  Tensor shortcut = in;
  if (stride != 1 || in.channels != out_channels) {
    shortcut =
        ConvBn(net, prefix, "downsample.0", "downsample.1", in, {.out_channels = out_channels, .stride = stride});
  }
  return net.Relu(prefix + "relu3", net.Add(prefix + "add", x, shortcut));
}

std::vector<Layer> MakeResNet(const std::array<int, 4>& blocks, DataType activation_type) {
  ConvNetBuilder net(activation_type);
  Tensor x = net.Input(3, 224, 224);
  x = ConvBn(net, "", "conv1", "bn1", x,
             {.out_channels = 64, .kernel_height = 7, .kernel_width = 7, .stride = 2, .pad_height = 3, .pad_width = 3});
  x = net.Relu("relu", x);
  x = net.MaxPool("maxpool", x, 3, 2, 1);
  for (std::size_t stage = 0; stage < blocks.size(); ++stage) {
    const std::int64_t width = std::int64_t{64} << stage;
    for (int block = 0; block < blocks[stage]; ++block) {
      const std::int64_t stride = (stage > 0 && block == 0) ? 2 : 1;
      const std::string prefix = "layer" + std::to_string(stage + 1) + "." + std::to_string(block) + ".";
      x = Bottleneck(net, prefix, x, width, stride);
    }
  }
  x = net.GlobalAveragePool("avgpool", x);
  net.FullyConnected("fc", x, 1000);
  return net.Layers();
}

}  // namespace

std::vector<Layer> MakeResNet50(DataType activation_type) { return MakeResNet({3, 4, 6, 3}, activation_type); }

std::vector<Layer> MakeResNet101(DataType activation_type) { return MakeResNet({3, 4, 23, 3}, activation_type); }

}  // namespace sim::models

#include "models/layers/inception_v3.h"

#include <string>

#include "models/layers/conv_net_builder.h"

namespace sim::models {
namespace {

using Tensor = ConvNetBuilder::Tensor;

// torchvision's BasicConv2d: convolution without bias, batch norm, ReLU.
Tensor Basic(ConvNetBuilder& net, const std::string& name, Tensor in, std::int64_t out_channels, std::int64_t kh,
             std::int64_t kw, std::int64_t stride = 1, std::int64_t ph = 0, std::int64_t pw = 0) {
  Tensor x = net.Convolution(name + ".conv", in,
                             {.out_channels = out_channels,
                              .kernel_height = kh,
                              .kernel_width = kw,
                              .stride = stride,
                              .pad_height = ph,
                              .pad_width = pw});
  x = net.BatchNorm(name + ".bn", x);
  return net.Relu(name + ".relu", x);
}

Tensor Square(ConvNetBuilder& net, const std::string& name, Tensor in, std::int64_t out_channels, std::int64_t k,
              std::int64_t stride = 1, std::int64_t pad = 0) {
  return Basic(net, name, in, out_channels, k, k, stride, pad, pad);
}

// 35x35 module (Figure 5): 1x1; 1x1 -> 5x5; 1x1 -> 3x3 -> 3x3; 3x3 average pool -> 1x1.
Tensor InceptionA(ConvNetBuilder& net, const std::string& m, Tensor x, std::int64_t pool_features) {
  const Tensor b1 = Square(net, m + ".branch1x1", x, 64, 1);
  Tensor b5 = Square(net, m + ".branch5x5_1", x, 48, 1);
  b5 = Square(net, m + ".branch5x5_2", b5, 64, 5, 1, 2);
  Tensor b3 = Square(net, m + ".branch3x3dbl_1", x, 64, 1);
  b3 = Square(net, m + ".branch3x3dbl_2", b3, 96, 3, 1, 1);
  b3 = Square(net, m + ".branch3x3dbl_3", b3, 96, 3, 1, 1);
  Tensor pool = net.AveragePool(m + ".avg_pool", x, 3, 1, 1);
  pool = Square(net, m + ".branch_pool", pool, pool_features, 1);
  return net.Concat(m + ".concat", {b1, b5, b3, pool});
}

// Grid reduction 35 -> 17: 3x3 stride 2; 1x1 -> 3x3 -> 3x3 stride 2; max pool.
Tensor InceptionB(ConvNetBuilder& net, const std::string& m, Tensor x) {
  const Tensor b3 = Square(net, m + ".branch3x3", x, 384, 3, 2);
  Tensor d = Square(net, m + ".branch3x3dbl_1", x, 64, 1);
  d = Square(net, m + ".branch3x3dbl_2", d, 96, 3, 1, 1);
  d = Square(net, m + ".branch3x3dbl_3", d, 96, 3, 2);
  const Tensor pool = net.MaxPool(m + ".max_pool", x, 3, 2);
  return net.Concat(m + ".concat", {b3, d, pool});
}

// 17x17 module with factorized 7x7 convolutions (Figure 6).
Tensor InceptionC(ConvNetBuilder& net, const std::string& m, Tensor x, std::int64_t c7) {
  const Tensor b1 = Square(net, m + ".branch1x1", x, 192, 1);
  Tensor b7 = Square(net, m + ".branch7x7_1", x, c7, 1);
  b7 = Basic(net, m + ".branch7x7_2", b7, c7, 1, 7, 1, 0, 3);
  b7 = Basic(net, m + ".branch7x7_3", b7, 192, 7, 1, 1, 3, 0);
  Tensor d = Square(net, m + ".branch7x7dbl_1", x, c7, 1);
  d = Basic(net, m + ".branch7x7dbl_2", d, c7, 7, 1, 1, 3, 0);
  d = Basic(net, m + ".branch7x7dbl_3", d, c7, 1, 7, 1, 0, 3);
  d = Basic(net, m + ".branch7x7dbl_4", d, c7, 7, 1, 1, 3, 0);
  d = Basic(net, m + ".branch7x7dbl_5", d, 192, 1, 7, 1, 0, 3);
  Tensor pool = net.AveragePool(m + ".avg_pool", x, 3, 1, 1);
  pool = Square(net, m + ".branch_pool", pool, 192, 1);
  return net.Concat(m + ".concat", {b1, b7, d, pool});
}

// Grid reduction 17 -> 8.
Tensor InceptionD(ConvNetBuilder& net, const std::string& m, Tensor x) {
  Tensor b3 = Square(net, m + ".branch3x3_1", x, 192, 1);
  b3 = Square(net, m + ".branch3x3_2", b3, 320, 3, 2);
  Tensor b7 = Square(net, m + ".branch7x7x3_1", x, 192, 1);
  b7 = Basic(net, m + ".branch7x7x3_2", b7, 192, 1, 7, 1, 0, 3);
  b7 = Basic(net, m + ".branch7x7x3_3", b7, 192, 7, 1, 1, 3, 0);
  b7 = Square(net, m + ".branch7x7x3_4", b7, 192, 3, 2);
  const Tensor pool = net.MaxPool(m + ".max_pool", x, 3, 2);
  return net.Concat(m + ".concat", {b3, b7, pool});
}

// 8x8 module with expanded filter banks (Figure 7). torchvision concatenates
// the 1x3 / 3x1 pairs first; one concatenation of all six outputs here.
Tensor InceptionE(ConvNetBuilder& net, const std::string& m, Tensor x) {
  const Tensor b1 = Square(net, m + ".branch1x1", x, 320, 1);
  const Tensor b3 = Square(net, m + ".branch3x3_1", x, 384, 1);
  const Tensor b3a = Basic(net, m + ".branch3x3_2a", b3, 384, 1, 3, 1, 0, 1);
  const Tensor b3b = Basic(net, m + ".branch3x3_2b", b3, 384, 3, 1, 1, 1, 0);
  Tensor d = Square(net, m + ".branch3x3dbl_1", x, 448, 1);
  d = Square(net, m + ".branch3x3dbl_2", d, 384, 3, 1, 1);
  const Tensor da = Basic(net, m + ".branch3x3dbl_3a", d, 384, 1, 3, 1, 0, 1);
  const Tensor db = Basic(net, m + ".branch3x3dbl_3b", d, 384, 3, 1, 1, 1, 0);
  Tensor pool = net.AveragePool(m + ".avg_pool", x, 3, 1, 1);
  pool = Square(net, m + ".branch_pool", pool, 192, 1);
  return net.Concat(m + ".concat", {b1, b3a, b3b, da, db, pool});
}

// On Mixed_6e's 17x17x768 output: 5x5 average pool stride 3, 1x1 to 128,
// 5x5 to 768, global pool, fully connected to the classes.
void AuxiliaryClassifier(ConvNetBuilder& net, Tensor x) {
  x = net.AveragePool("AuxLogits.avg_pool", x, 5, 3);
  x = Square(net, "AuxLogits.conv0", x, 128, 1);
  x = Square(net, "AuxLogits.conv1", x, 768, 5);
  x = net.GlobalAveragePool("AuxLogits.adaptive_avg_pool", x);
  net.FullyConnected("AuxLogits.fc", x, 1000);
}

}  // namespace

std::vector<Layer> MakeInceptionV3(DataType activation_type, bool auxiliary_classifier) {
  ConvNetBuilder net(activation_type);
  Tensor x = net.Input(3, 299, 299);
  x = Square(net, "Conv2d_1a_3x3", x, 32, 3, 2);
  x = Square(net, "Conv2d_2a_3x3", x, 32, 3);
  x = Square(net, "Conv2d_2b_3x3", x, 64, 3, 1, 1);
  x = net.MaxPool("maxpool1", x, 3, 2);
  x = Square(net, "Conv2d_3b_1x1", x, 80, 1);
  x = Square(net, "Conv2d_4a_3x3", x, 192, 3);
  x = net.MaxPool("maxpool2", x, 3, 2);
  x = InceptionA(net, "Mixed_5b", x, 32);
  x = InceptionA(net, "Mixed_5c", x, 64);
  x = InceptionA(net, "Mixed_5d", x, 64);
  x = InceptionB(net, "Mixed_6a", x);
  x = InceptionC(net, "Mixed_6b", x, 128);
  x = InceptionC(net, "Mixed_6c", x, 160);
  x = InceptionC(net, "Mixed_6d", x, 160);
  x = InceptionC(net, "Mixed_6e", x, 192);
  if (auxiliary_classifier) AuxiliaryClassifier(net, x);
  x = InceptionD(net, "Mixed_7a", x);
  x = InceptionE(net, "Mixed_7b", x);
  x = InceptionE(net, "Mixed_7c", x);
  x = net.GlobalAveragePool("avgpool", x);
  x = net.Dropout("dropout", x);
  net.FullyConnected("fc", x, 1000);
  return net.Layers();
}

}  // namespace sim::models

#include "models/layers/vgg.h"

#include <array>
#include <string>

#include "models/layers/conv_net_builder.h"

namespace sim::models {

std::vector<Layer> MakeVgg16(DataType activation_type) {
  // Configuration D: 3x3 convolutions (padding 1, with bias) of these widths,
  // 0 standing for a 2x2 max pool of stride 2.
  constexpr std::array<std::int64_t, 18> kFeatures = {64, 64,  0,   128, 128, 0,   256, 256, 256,
                                                      0,  512, 512, 512, 0,   512, 512, 512, 0};
  ConvNetBuilder net(activation_type);
  ConvNetBuilder::Tensor x = net.Input(3, 224, 224);
  int index = 0;  // torchvision's features.<index>
  for (std::int64_t width : kFeatures) {
    const std::string name = "features." + std::to_string(index);
    if (width == 0) {
      x = net.MaxPool(name, x, 2, 2);
      index += 1;
    } else {
      x = net.Convolution(name, x,
                          {.out_channels = width,
                           .kernel_height = 3,
                           .kernel_width = 3,
                           .pad_height = 1,
                           .pad_width = 1,
                           .bias = true});
      x = net.Relu("features." + std::to_string(index + 1), x);
      index += 2;
    }
  }
  // torchvision's adaptive 7x7 average pool is the identity at 224x224.
  x = net.FullyConnected("classifier.0", x, 4096);
  x = net.Relu("classifier.1", x);
  x = net.Dropout("classifier.2", x);
  x = net.FullyConnected("classifier.3", x, 4096);
  x = net.Relu("classifier.4", x);
  x = net.Dropout("classifier.5", x);
  net.FullyConnected("classifier.6", x, 1000);
  return net.Layers();
}

}  // namespace sim::models

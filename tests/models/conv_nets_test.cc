// Convolutional networks built layer by layer: parameter counts against
// torchvision's published totals, forward multiply-adds against its
// published GFLOPS (torchvision.models weights metadata, "num_params" and
// "_ops", which count the multiply-adds of convolutions and linear layers),
// and what the builder derives (kept tensors, pipeline cuts).
#include <gtest/gtest.h>

#include <algorithm>

#include "models/layers/conv_net_builder.h"
#include "models/layers/inception_v3.h"
#include "models/layers/resnet.h"
#include "models/layers/vgg.h"

namespace sim::models {
namespace {

double ForwardMultiplyAdds(const std::vector<Layer>& layers) {
  double flops = 0.0;
  for (const auto& layer : layers) {
    if (layer.kind == LayerKind::kConvolution || layer.kind == LayerKind::kFullyConnected) {
      flops += layer.forward_flops.count;
    }
  }
  return flops / 2.0;  // a multiply-add is 2 FLOPs
}

const Layer& Named(const std::vector<Layer>& layers, const std::string& name) {
  const auto it = std::find_if(layers.begin(), layers.end(), [&](const Layer& l) { return l.name == name; });
  EXPECT_NE(it, layers.end()) << name;
  return *it;
}

TEST(ConvNets, ParametersEqualTorchvision) {
  EXPECT_EQ(TotalParameters(MakeResNet50()), 25'557'032);
  EXPECT_EQ(TotalParameters(MakeResNet101()), 44'549'160);
  EXPECT_EQ(TotalParameters(MakeVgg16()), 138'357'544);
  EXPECT_EQ(TotalParameters(MakeInceptionV3()), 27'161'264);  // with the auxiliary classifier
  // Without it, 27,161,264 less the auxiliary classifier's conv0 768·128 +
  // bn 2·128, conv1 128·768·5·5 + bn 2·768, fc 768·1000 + 1000 = 3,326,696.
  EXPECT_EQ(TotalParameters(MakeInceptionV3(DataType::kFp16, false)), 27'161'264 - 3'326'696);
}

TEST(ConvNets, ForwardMultiplyAddsWithinOnePercentOfTorchvision) {
  // torchvision GFLOPS ("_ops"): ResNet-50 4.089, ResNet-101 7.801, VGG-16
  // 15.470, Inception V3 5.713 (measured in evaluation mode: no auxiliary
  // classifier).
  EXPECT_NEAR(ForwardMultiplyAdds(MakeResNet50()) / 4.089e9, 1.0, 0.01);
  EXPECT_NEAR(ForwardMultiplyAdds(MakeResNet101()) / 7.801e9, 1.0, 0.01);
  EXPECT_NEAR(ForwardMultiplyAdds(MakeVgg16()) / 15.470e9, 1.0, 0.01);
  EXPECT_NEAR(ForwardMultiplyAdds(MakeInceptionV3(DataType::kFp16, false)) / 5.713e9, 1.0, 0.01);
  // Training runs the auxiliary classifier too: 5.7M more (0.1%).
  EXPECT_NEAR(ForwardMultiplyAdds(MakeInceptionV3()) / 5.713e9, 1.0, 0.01);
  // The other layers (norms, activations, pools) add about 1% of the FLOPs.
  const auto resnet = MakeResNet50();
  EXPECT_NEAR(TotalForwardFlops(resnet).count / (2.0 * ForwardMultiplyAdds(resnet)), 1.0, 0.02);
}

TEST(ConvNets, BackwardIsTwiceForwardAndShapesFollowTheArchitecture) {
  for (const auto& layers : {MakeResNet50(), MakeVgg16(), MakeInceptionV3()}) {
    for (const auto& layer : layers) {
      EXPECT_DOUBLE_EQ(layer.backward_flops.count, 2.0 * layer.forward_flops.count) << layer.name;
    }
    EXPECT_TRUE(layers.back().pipeline_cut);
  }
  // ResNet-50: 2048 x 7 x 7 after the last block, 2 bytes each; 1000 logits.
  const auto resnet = MakeResNet50(DataType::kFp16);
  EXPECT_EQ(Named(resnet, "layer4.2.relu3").output.count, 2048 * 7 * 7 * 2);
  EXPECT_EQ(resnet.back().output.count, 1000 * 2);
  // Inception V3: 768 x 17 x 17 after Mixed_6e, 2048 x 8 x 8 after Mixed_7c (fp32 here).
  const auto inception = MakeInceptionV3(DataType::kFp32);
  EXPECT_EQ(Named(inception, "Mixed_6e.concat").output.count, 768 * 17 * 17 * 4);
  EXPECT_EQ(Named(inception, "Mixed_7c.concat").output.count, 2048 * 8 * 8 * 4);
  // VGG-16 is a chain: a stage may end after any layer.
  const auto vgg = MakeVgg16();
  EXPECT_TRUE(std::all_of(vgg.begin(), vgg.end(), [](const Layer& l) { return l.pipeline_cut; }));
}

TEST(ConvNetBuilder, KeepsEachTensorOnceAndCutsOnlyWhereOneTensorIsLive) {
  // input 3x8x8 -> conv 4 (3x3, pad 1) -> bn -> relu -> [conv 4 (1x1) -> bn] + relu output -> relu -> fc 10
  ConvNetBuilder net(DataType::kFp16);
  auto x = net.Input(3, 8, 8);
  auto c = net.Convolution("conv", x,
                           {.out_channels = 4, .kernel_height = 3, .kernel_width = 3, .pad_height = 1, .pad_width = 1});
  auto r = net.Relu("relu", net.BatchNorm("bn", c));
  auto branch = net.BatchNorm("bn2", net.Convolution("conv2", r, {.out_channels = 4}));
  auto sum = net.Relu("relu2", net.Add("add", branch, r));
  net.FullyConnected("fc", sum, 10);
  const auto layers = net.Layers();
  ASSERT_EQ(layers.size(), 8u);
  const std::int64_t map = 4 * 8 * 8 * 2;  // bytes of one 4x8x8 tensor at 2 bytes
  // conv keeps its output (bn reads it) and the network's input (it reads it).
  EXPECT_EQ(layers[0].saved.count, map + 3 * 8 * 8 * 2);
  EXPECT_EQ(layers[1].saved.count, 0);    // bn's output: relu reads its own output, not its input
  EXPECT_EQ(layers[2].saved.count, map);  // relu's output: read by relu's backward and conv2's
  EXPECT_EQ(layers[3].saved.count, map);  // conv2's output, read by bn2
  EXPECT_EQ(layers[5].saved.count, 0);    // add keeps nothing
  EXPECT_EQ(layers[6].saved.count, map);  // relu2's output, read by it and by fc
  EXPECT_EQ(layers[7].saved.count, 0);    // fc's output is read by nobody's backward
  // Parameters: conv 4·3·3·3, bn 2·4, conv2 4·4, bn2 2·4, fc 256·10 + 10.
  EXPECT_EQ(TotalParameters(layers), 108 + 8 + 16 + 8 + 2570);
  // FLOPs: conv 2·(4·3·3·3)·64 = 13,824 forward.
  EXPECT_DOUBLE_EQ(layers[0].forward_flops.count, 13'824.0);
  // Cuts: not inside the residual branch (relu's output is still needed by add).
  const std::vector<bool> cuts = {true, true, true, false, false, true, true, true};
  for (std::size_t i = 0; i < cuts.size(); ++i) EXPECT_EQ(layers[i].pipeline_cut, cuts[i]) << layers[i].name;
  // Traffic: relu reads bn's output and writes its own forward; backward reads
  // the gradient, writes the input gradient and reads its kept output.
  EXPECT_EQ(layers[2].forward_traffic.count, 2 * map);
  EXPECT_EQ(layers[2].backward_traffic.count, 3 * map);
  EXPECT_THROW((void)net.Convolution("too_big", x, {.out_channels = 1, .kernel_height = 9, .kernel_width = 9}),
               std::invalid_argument);
}

}  // namespace
}  // namespace sim::models

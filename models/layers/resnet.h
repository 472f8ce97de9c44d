// ResNet with bottleneck blocks (He et al. 2016, "Deep residual learning for
// image recognition", Table 1) as torchvision builds it ("ResNet v1.5": the
// stride of a downsampling block sits in its 3x3 convolution), for 224x224
// images and 1,000 classes.
#pragma once

#include <vector>

#include "models/layers/data_type.h"
#include "models/layers/layer.h"

namespace sim::models {

// 3, 4, 6, 3 bottleneck blocks: 25,557,032 parameters (torchvision).
[[nodiscard]] std::vector<Layer> MakeResNet50(DataType activation_type = DataType::kFp16);
// 3, 4, 23, 3 bottleneck blocks: 44,549,160 parameters (torchvision).
[[nodiscard]] std::vector<Layer> MakeResNet101(DataType activation_type = DataType::kFp16);

}  // namespace sim::models

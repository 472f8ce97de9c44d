// VGG-16 (Simonyan & Zisserman 2015, "Very deep convolutional networks for
// large-scale image recognition", configuration D) as torchvision builds it
// (no batch norm), for 224x224 images and 1,000 classes: 138,357,544
// parameters.
#pragma once

#include <vector>

#include "models/layers/data_type.h"
#include "models/layers/layer.h"

namespace sim::models {

[[nodiscard]] std::vector<Layer> MakeVgg16(DataType activation_type = DataType::kFp16);

}  // namespace sim::models

// Inception V3 (Szegedy et al. 2016, "Rethinking the Inception architecture
// for computer vision", Table 1 and Figures 5-7) as torchvision builds it, for
// 299x299 images and 1,000 classes, with the auxiliary classifier on Mixed_6e
// that training runs: 27,161,264 parameters (torchvision; 23,834,568 without
// the auxiliary classifier's 3,326,696).
#pragma once

#include <vector>

#include "models/layers/data_type.h"
#include "models/layers/layer.h"

namespace sim::models {

[[nodiscard]] std::vector<Layer> MakeInceptionV3(DataType activation_type = DataType::kFp16,
                                                 bool auxiliary_classifier = true);

}  // namespace sim::models

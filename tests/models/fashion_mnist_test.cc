// The real Fashion-MNIST files from Debian's dataset-fashion-mnist (Xiao,
// Rasul & Vollgraf 2017): 60,000 training and 10,000 test images of 28 x 28
// = 784 pixels, 10 classes of exactly 6,000 / 1,000 images each. Skipped,
// with the reason printed, when the package is not installed.
#include <gtest/gtest.h>

#include <filesystem>

#include "models/data/fashion_mnist.h"

namespace sim::models {
namespace {

TEST(FashionMnist, LoadsSixtyThousandAndTenThousandBalancedImages) {
  if (!std::filesystem::is_directory(kFashionMnistDefaultPath)) {
    GTEST_SKIP() << kFashionMnistDefaultPath << " not found: install the Debian package dataset-fashion-mnist";
  }
  const TrainTest sets = LoadFashionMnist();
  ASSERT_EQ(sets.train.samples(), 60'000);
  ASSERT_EQ(sets.test.samples(), 10'000);
  EXPECT_EQ(sets.train.feature_count(), 784);
  EXPECT_EQ(sets.test.feature_count(), 784);
  EXPECT_EQ(sets.train.classes, 10);
  std::vector<int> train_count(10, 0), test_count(10, 0);
  for (std::int32_t y : sets.train.labels) ++train_count[static_cast<std::size_t>(y)];
  for (std::int32_t y : sets.test.labels) ++test_count[static_cast<std::size_t>(y)];
  for (int c = 0; c < 10; ++c) {
    EXPECT_EQ(train_count[static_cast<std::size_t>(c)], 6'000) << "class " << c;
    EXPECT_EQ(test_count[static_cast<std::size_t>(c)], 1'000) << "class " << c;
  }
  EXPECT_GE(sets.train.features.minCoeff(), 0.0f);
  EXPECT_LE(sets.train.features.maxCoeff(), 1.0f);
  EXPECT_EQ(sets.train.features.maxCoeff(), 1.0f);  // some pixel is 255
}

}  // namespace
}  // namespace sim::models

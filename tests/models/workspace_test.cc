// A model's workspaces survive an allocation that fails. Eigen 3.4's
// DenseStorage::resize frees the old buffer before allocating the new one and
// keeps the dangling pointer when the allocation throws, so a plain resize
// that runs out of memory leaves a matrix whose destructor frees it again:
// `sim --set workload.batch_size=1000000000` aborted with "double free or
// corruption". detail::ResizeWorkspace builds the new buffer first.
#include <gtest/gtest.h>

#include <new>

#include "models/nn/batch_input.h"

namespace sim::models::detail {
namespace {

// 2^29 x 2^29 floats: 4 x 2^58 bytes, which passes Eigen's overflow check on
// rows x cols but no machine can allocate, so the allocation itself throws.
constexpr Eigen::Index kImpossible = Eigen::Index{1} << 29;

TEST(ResizeWorkspace, FailedAllocationLeavesTheMatrixIntact) {
  RowMatrix<float> m(3, 4);
  m.setConstant(7.0f);
  EXPECT_THROW(ResizeWorkspace(m, kImpossible, kImpossible), std::bad_alloc);
  ASSERT_EQ(m.rows(), 3);
  ASSERT_EQ(m.cols(), 4);
  EXPECT_EQ(m.sum(), 7.0f * 12);
  ResizeWorkspace(m, 5, 2);  // still usable, and freed once at the end
  EXPECT_EQ(m.size(), 10);
}

TEST(ResizeWorkspace, FailedAllocationLeavesTheVectorIntact) {
  Eigen::VectorXf v = Eigen::VectorXf::Constant(6, 2.0f);
  EXPECT_THROW(ResizeWorkspace(v, kImpossible * kImpossible), std::bad_alloc);
  EXPECT_EQ(v.size(), 6);
  EXPECT_EQ(v.sum(), 12.0f);
}

TEST(ResizeWorkspace, SameElementCountReshapesInPlace) {
  RowMatrix<float> m(3, 4);
  const float* before = m.data();
  ResizeWorkspace(m, 6, 2);
  EXPECT_EQ(m.data(), before);
  EXPECT_EQ(m.rows(), 6);
  ResizeWorkspace(m, 6, 2);
  EXPECT_EQ(m.data(), before);
}

}  // namespace
}  // namespace sim::models::detail

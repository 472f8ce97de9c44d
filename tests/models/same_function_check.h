// What the model-parallel MLP tests share: random classification data,
// parameters with non-zero biases, and the check that a parallel form
// computes MlpT's loss and gradient on a batch.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "models/nn/model.h"

namespace sim::models::testing_support {

// The parallel forms only re-associate sums (over micro-batches, over
// shards); n terms summed in another order differ by at most
// ~n u sum|terms| (Higham 2002, section 4.2). In these tests n <= 37 (the
// batch, for the weight gradients):
//   double, u = 1.1e-16: n u = 4e-15; measured <= 6.5e-16 (pipeline) and
//     2.1e-16 (tensor) of the largest entry; 1e-12 leaves room for
//     cancellation (sum|terms| above |sum|);
//   float, u = 6e-8: n u = 2e-6; measured <= 2.3e-7.
inline constexpr double kDoubleTolerance = 1e-12;
inline constexpr double kFloatTolerance = 1e-5;

// Features ~ N(0, 1), labels uniform in [0, classes).
inline Dataset RandomClassification(Eigen::Index samples, Eigen::Index features, std::int32_t classes,
                                    std::uint64_t seed) {
  RandomStream rng = NamedStream(seed, "test/classification");
  Dataset data;
  data.name = "random";
  data.classes = classes;
  data.features.resize(samples, features);
  data.labels.resize(static_cast<std::size_t>(samples));
  for (Eigen::Index i = 0; i < samples; ++i) {
    for (Eigen::Index j = 0; j < features; ++j) data.features(i, j) = static_cast<float>(rng.normal());
    data.labels[static_cast<std::size_t>(i)] =
        static_cast<std::int32_t>(rng.uniform_index(static_cast<std::uint64_t>(classes)));
  }
  return data;
}

// The model's initial parameters plus N(0, 0.1) noise, so that every bias is
// non-zero and a misplaced bias slice shows.
template <typename Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> NoisyParameters(const BasicModel<Scalar>& model, std::uint64_t seed) {
  RandomStream rng = NamedStream(seed, "test/parameters");
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> params = model.initial_parameters(rng);
  for (Eigen::Index k = 0; k < params.size(); ++k) params[k] += static_cast<Scalar>(0.1 * rng.normal());
  return params;
}

// max_k |a_k - b_k| / max_k |b_k|: a norm-wise relative difference, since
// single entries of a gradient may cancel to near zero.
template <typename Vector>
double RelativeDifference(const Vector& a, const Vector& b) {
  return static_cast<double>((a - b).cwiseAbs().maxCoeff()) / static_cast<double>(b.cwiseAbs().maxCoeff());
}

// `parallel` and `reference` (MlpT) give the same loss and gradient on
// `batch` at `params`, to `tolerance` relative.
template <typename Scalar>
void ExpectSameLossAndGradient(BasicModel<Scalar>& reference, BasicModel<Scalar>& parallel, const Batch& batch,
                               const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& params, double tolerance) {
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> expected;
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> actual;
  const double expected_loss = reference.loss_and_gradient(params, batch, expected);
  const double loss = parallel.loss_and_gradient(params, batch, actual);
  ASSERT_EQ(actual.size(), expected.size());
  // A vanished gradient would agree trivially.
  ASSERT_GT(static_cast<double>(expected.cwiseAbs().maxCoeff()), 1e-3);
  EXPECT_LE(std::abs(loss - expected_loss), tolerance * std::abs(expected_loss)) << parallel.name();
  EXPECT_LE(RelativeDifference(actual, expected), tolerance) << parallel.name();
}

// Workspaces are reused: a call after one on a batch of another size (and a
// clone's first call) must give the first call's numbers again, bit for bit.
inline void ExpectSameBitsAfterAnotherBatchSize(BasicModel<double>& model, const Dataset& data) {
  const std::vector<SampleIndex> big = RowRange(0, 37);
  const std::vector<SampleIndex> small = RowRange(40, 9);
  const Eigen::VectorXd params = NoisyParameters<double>(model, 5);
  Eigen::VectorXd first;
  Eigen::VectorXd between;
  Eigen::VectorXd again;
  const double loss = model.loss_and_gradient(params, Batch(data, big), first);
  model.loss_and_gradient(params, Batch(data, small), between);
  EXPECT_EQ(model.loss_and_gradient(params, Batch(data, big), again), loss);
  EXPECT_EQ(again, first);
  auto copy = model.clone();
  EXPECT_EQ(copy->loss_and_gradient(params, Batch(data, big), again), loss);
  EXPECT_EQ(again, first);
}

}  // namespace sim::models::testing_support

// Synthetic teacher data: reproducible by seed, and as learnable as its
// construction says (models/data/synthetic.h).
#include <gtest/gtest.h>

#include <Eigen/Dense>

#include <cstdio>

#include "models/data/batch_sampler.h"
#include "models/data/load_dataset.h"
#include "models/data/synthetic.h"
#include "models/nn/make_model.h"
#include "models/optim/sgd.h"

namespace sim::models {
namespace {

TEST(Synthetic, SameSeedSameDataDifferentSeedDifferent) {
  const SyntheticSpec spec{.train_samples = 200, .test_samples = 50, .features = 8, .classes = 4};
  const TrainTest a = MakeSyntheticData(spec, 5), b = MakeSyntheticData(spec, 5), c = MakeSyntheticData(spec, 6);
  EXPECT_EQ(a.train.features, b.train.features);
  EXPECT_EQ(a.train.labels, b.train.labels);
  EXPECT_EQ(a.test.targets, b.test.targets);
  EXPECT_NE(a.train.features, c.train.features);
  EXPECT_NE(a.train.features.row(0), a.test.features.row(0));
  EXPECT_EQ(a.train.samples(), 200);
  EXPECT_EQ(a.test.samples(), 50);
  EXPECT_EQ(a.train.classes, 4);
  for (std::int32_t y : a.train.labels) {
    EXPECT_GE(y, 0);
    EXPECT_LT(y, 4);
  }
  EXPECT_THROW((void)MakeSyntheticData({.classes = 1}, 1), std::invalid_argument);
  EXPECT_THROW((void)MakeSyntheticData({.noise = -1.0}, 1), std::invalid_argument);
}

TEST(Synthetic, LeastSquaresReachesTheNoiseFloor) {
  // y = w.x + 0.1 e: the least-squares fit on n = 10,000 samples and p = 33
  // parameters has expected test MSE sigma^2 (1 + p/n) ~ 0.01 x 1.0033
  // (ordinary least squares with Gaussian design); the test mean over 2,000
  // samples has relative std sqrt(2/2000) = 3.2%: tolerance 10%.
  constexpr double kNoise = 0.1, kTolerance = 0.10;
  const TrainTest data = MakeSyntheticData({.noise = kNoise}, 3);
  const Eigen::Index n = data.train.samples(), d = data.train.feature_count();
  Eigen::MatrixXd x(n, d + 1);
  x.leftCols(d) = data.train.features.cast<double>();
  x.col(d).setOnes();
  const Eigen::VectorXd w = x.colPivHouseholderQr().solve(data.train.targets.cast<double>());
  const Eigen::VectorXd pred = data.test.features.cast<double>() * w.head(d) + Eigen::VectorXd::Constant(data.test.samples(), w[d]);
  const double mse = (pred - data.test.targets.cast<double>()).squaredNorm() / static_cast<double>(data.test.samples());
  std::printf("least squares on synthetic data: test MSE %.5f (noise^2 = %.5f)\n", mse, kNoise * kNoise);
  EXPECT_NEAR(mse, kNoise * kNoise, kTolerance * kNoise * kNoise);
}

// Trains `model_spec` on the scenario's synthetic data with SGD for `epochs`
// over batches of 32 (cosine decay to 0, which removes SGD's noise floor).
Evaluation TrainOnSynthetic(const ModelSpec& model_spec, double learning_rate, int epochs) {
  const TrainTest data = LoadDataset(SyntheticSpec{}, 1);  // all defaults: 10,000 / 2,000 / 32 / 10 / 0.1
  auto model = MakeModel(model_spec, data.train.feature_count(), data.train.classes);
  Eigen::VectorXf params = InitialParameters(*model, 1);
  const std::uint64_t steps = static_cast<std::uint64_t>(epochs) * 10'000 / 32;
  SgdOptions options;
  options.schedule.base_rate = learning_rate;
  options.schedule.decay = Decay::kCosine;
  options.schedule.total_steps = steps;
  Sgd sgd(options);
  BatchSampler sampler = MakeBatchSampler(RowRange(0, data.train.samples()), 32, 1, 0);
  Eigen::VectorXf grad;
  for (std::uint64_t s = 0; s < steps; ++s) {
    model->loss_and_gradient(params, Batch(data.train, sampler.next()), grad);
    sgd.apply(params, grad);
  }
  const Evaluation eval = model->evaluate(params, data.test);
  std::printf("%s on synthetic data, %d epochs: test loss %.5f, accuracy %s\n", model->name().c_str(), epochs,
              eval.loss, eval.accuracy ? std::to_string(*eval.accuracy).c_str() : "n/a");
  return eval;
}

TEST(Synthetic, SgdLinearRegressionApproachesTheNoiseFloor) {
  // Same bound as least squares, looser for SGD's optimisation error after
  // 3 epochs: test MSE <= 1.3 sigma^2 = 0.013.
  const Evaluation eval = TrainOnSynthetic(LinearRegressionSpec{}, 0.05, 3);
  EXPECT_LT(eval.loss, 1.3 * 0.01);
}

TEST(Synthetic, SoftmaxRegressionLearnsTheLinearTeacher) {
  // Labels are the argmax of a linear teacher's logits plus N(0, 0.1^2) noise
  // on logits of unit variance, so a linear classifier can be right on most
  // samples; 0.9 is a conservative floor for 3 epochs.
  const Evaluation eval = TrainOnSynthetic(SoftmaxRegressionSpec{}, 0.5, 3);
  ASSERT_TRUE(eval.accuracy.has_value());
  EXPECT_GT(*eval.accuracy, 0.9);
}

}  // namespace
}  // namespace sim::models

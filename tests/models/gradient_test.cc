// Every model's gradient against central finite differences, on the same code
// instantiated in double precision: for a smooth loss,
//   (L(w + h e_k) - L(w - h e_k)) / 2h = dL/dw_k + O(h^2 L''')
// with rounding error ~ eps L / h (Nocedal & Wright 2006, section 8.1). With
// h = 1e-6 and eps = 2.2e-16 both terms are ~1e-10, so an absolute tolerance
// of 1e-7 on gradients of order 0.01..1 catches a wrong sign or a missing term
// in any single coordinate, while leaving room for the rare ReLU kink.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "models/nn/linear_regression.h"
#include "models/nn/mlp.h"

namespace sim::models {
namespace {

constexpr double kStep = 1e-6;
constexpr double kGradientTolerance = 1e-7;

Dataset RandomData(Eigen::Index samples, Eigen::Index features, std::int32_t classes, std::uint64_t seed) {
  RandomStream rng = NamedStream(seed, "test/data");
  Dataset data;
  data.name = "random";
  data.classes = classes;
  data.features.resize(samples, features);
  data.targets.resize(samples);
  data.labels.resize(static_cast<std::size_t>(samples));
  for (Eigen::Index i = 0; i < samples; ++i) {
    for (Eigen::Index j = 0; j < features; ++j) data.features(i, j) = static_cast<float>(rng.normal());
    data.targets[i] = static_cast<float>(rng.normal());
    data.labels[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(rng.uniform_index(static_cast<std::uint64_t>(classes)));
  }
  return data;
}

// Initial parameters plus noise, so that biases are non-zero too.
template <typename M>
Eigen::VectorXd PerturbedParameters(const M& model, std::uint64_t seed) {
  RandomStream rng = NamedStream(seed, "test/params");
  Eigen::VectorXd params = model.initial_parameters(rng);
  for (Eigen::Index k = 0; k < params.size(); ++k) params[k] += 0.3 * rng.normal();
  return params;
}

// Largest |analytic - finite difference| over all coordinates.
double MaxFiniteDifferenceError(BasicModel<double>& model, const Eigen::VectorXd& params, const Batch& batch,
                                const Eigen::VectorXd& analytic) {
  Eigen::VectorXd scratch;
  double worst = 0.0;
  for (Eigen::Index k = 0; k < params.size(); ++k) {
    Eigen::VectorXd plus = params, minus = params;
    plus[k] += kStep;
    minus[k] -= kStep;
    const double numeric =
        (model.loss_and_gradient(plus, batch, scratch) - model.loss_and_gradient(minus, batch, scratch)) / (2 * kStep);
    worst = std::max(worst, std::abs(numeric - analytic[k]));
  }
  return worst;
}

void ExpectGradientMatchesFiniteDifferences(BasicModel<double>& model) {
  const Dataset data = RandomData(7, model.input_features(), std::max(model.classes(), 2), 11);
  const std::vector<SampleIndex> rows = {3, 0, 6, 1, 5, 2, 4};
  const Batch batch(data, rows);
  const Eigen::VectorXd params = PerturbedParameters(model, 5);
  Eigen::VectorXd grad;
  model.loss_and_gradient(params, batch, grad);
  ASSERT_EQ(grad.size(), model.parameter_count());
  // A gradient that vanished would pass trivially.
  ASSERT_GT(grad.norm(), 1e-2);
  EXPECT_LT(MaxFiniteDifferenceError(model, params, batch, grad), kGradientTolerance) << model.name();
}

TEST(Gradients, LinearRegressionMatchesFiniteDifferences) {
  LinearRegressionT<double> model(5);
  ExpectGradientMatchesFiniteDifferences(model);
}

TEST(Gradients, SoftmaxRegressionMatchesFiniteDifferences) {
  SoftmaxRegressionT<double> model(6, 4);
  ExpectGradientMatchesFiniteDifferences(model);
}

TEST(Gradients, ReluMlpWithTwoHiddenLayersMatchesFiniteDifferences) {
  MlpT<double> model(6, {5, 4}, 3, Activation::kRelu);
  ExpectGradientMatchesFiniteDifferences(model);
}

TEST(Gradients, TanhMlpWithTwoHiddenLayersMatchesFiniteDifferences) {
  MlpT<double> model(6, {5, 4}, 3, Activation::kTanh);
  ExpectGradientMatchesFiniteDifferences(model);
}

TEST(Gradients, CheckCatchesASignErrorInOneCoordinate) {
  // The check's power: flipping the sign of the last bias entry of a correct
  // gradient must push the error far above the tolerance.
  MlpT<double> model(6, {5}, 3, Activation::kTanh);
  const Dataset data = RandomData(7, 6, 3, 11);
  const std::vector<SampleIndex> rows = {0, 1, 2, 3, 4, 5, 6};
  const Batch batch(data, rows);
  const Eigen::VectorXd params = PerturbedParameters(model, 5);
  Eigen::VectorXd grad;
  model.loss_and_gradient(params, batch, grad);
  const Eigen::Index last = grad.size() - 1;
  ASSERT_GT(std::abs(grad[last]), 1e-3);
  grad[last] = -grad[last];
  EXPECT_GT(MaxFiniteDifferenceError(model, params, batch, grad), 1000 * kGradientTolerance);
}

TEST(Gradients, FloatModelAgreesWithDoubleModel) {
  // Same code, float vs double: agreement to float rounding (~1e-7 relative
  // per operation, a few hundred operations deep) within kFloatTolerance.
  constexpr double kFloatTolerance = 1e-4;
  MlpT<double> reference(20, {16}, 5);
  Mlp model(20, {16}, 5);
  const Dataset data = RandomData(32, 20, 5, 3);
  const std::vector<SampleIndex> rows = RowRange(0, 32);
  const Batch batch(data, rows);
  const Eigen::VectorXd params = PerturbedParameters(reference, 9);
  Eigen::VectorXd grad_double;
  Eigen::VectorXf grad_float;
  const double loss_double = reference.loss_and_gradient(params, batch, grad_double);
  const double loss_float = model.loss_and_gradient(params.cast<float>(), batch, grad_float);
  EXPECT_NEAR(loss_float, loss_double, kFloatTolerance * loss_double);
  EXPECT_LT((grad_float.cast<double>() - grad_double).norm(), kFloatTolerance * grad_double.norm());
}

TEST(Losses, SoftmaxWithZeroParametersIsLogOfClassCount) {
  // All logits 0: p = 1/C for every class, so the cross-entropy is ln C, and
  // the bias gradient is mean(p - onehot) = 1/C - (share of class c).
  SoftmaxRegression model(3, 4);
  Dataset data = RandomData(4, 3, 4, 1);
  data.labels = {0, 0, 1, 3};
  const std::vector<SampleIndex> rows = RowRange(0, 4);
  Eigen::VectorXf grad;
  const double loss = model.loss_and_gradient(Eigen::VectorXf::Zero(model.parameter_count()), Batch(data, rows), grad);
  EXPECT_NEAR(loss, std::log(4.0), 1e-6);
  const Eigen::Index bias = 3 * 4;
  EXPECT_NEAR(grad[bias + 0], 0.25 - 0.5, 1e-6);
  EXPECT_NEAR(grad[bias + 1], 0.25 - 0.25, 1e-6);
  EXPECT_NEAR(grad[bias + 2], 0.25 - 0.0, 1e-6);
  EXPECT_NEAR(grad[bias + 3], 0.25 - 0.25, 1e-6);
}

TEST(Losses, LinearRegressionByHand) {
  // w = (1, 2), b = 0.5; x = (1, 0) -> 1.5 vs y = 1; x = (0, 1) -> 2.5 vs y = 3.
  // r = (0.5, -0.5): MSE = (0.25 + 0.25) / 2 = 0.25;
  // dw = (2/2) X^T r = (0.5, -0.5); db = (2/2)(0.5 - 0.5) = 0.
  LinearRegression model(2);
  Dataset data;
  data.name = "hand";
  data.features.resize(2, 2);
  data.features << 1, 0, 0, 1;
  data.targets.resize(2);
  data.targets << 1, 3;
  Eigen::VectorXf params(3);
  params << 1, 2, 0.5f;
  const std::vector<SampleIndex> rows = {0, 1};
  Eigen::VectorXf grad;
  EXPECT_NEAR(model.loss_and_gradient(params, Batch(data, rows), grad), 0.25, 1e-7);
  EXPECT_NEAR(grad[0], 0.5, 1e-7);
  EXPECT_NEAR(grad[1], -0.5, 1e-7);
  EXPECT_NEAR(grad[2], 0.0, 1e-7);
  const Evaluation eval = model.evaluate(params, data);
  EXPECT_NEAR(eval.loss, 0.25, 1e-7);
  EXPECT_FALSE(eval.accuracy.has_value());
}

TEST(Evaluation, SoftmaxAccuracyAndLossByHand) {
  // W = identity (3 features -> 3 classes), b = 0, one-hot inputs: the logits
  // are the input, so the argmax is the hot feature. Labels equal to it give
  // accuracy 1 and loss -ln(e / (e + 2)) = ln(1 + 2/e) per sample.
  SoftmaxRegression model(3, 3);
  Dataset data;
  data.name = "onehot";
  data.classes = 3;
  data.features = FeatureMatrix::Identity(3, 3);
  data.labels = {0, 1, 2};
  Eigen::VectorXf params = Eigen::VectorXf::Zero(model.parameter_count());
  Eigen::Map<Eigen::MatrixXf>(params.data(), 3, 3).setIdentity();
  Evaluation eval = model.evaluate(params, data);
  EXPECT_NEAR(*eval.accuracy, 1.0, 1e-12);
  EXPECT_NEAR(eval.loss, std::log(1.0 + 2.0 / std::numbers::e), 1e-6);
  data.labels = {1, 2, 0};
  eval = model.evaluate(params, data);
  EXPECT_NEAR(*eval.accuracy, 0.0, 1e-12);
  // Only the first two samples when asked: max_samples counts from the start.
  data.labels = {0, 2, 2};
  eval = model.evaluate(params, data, 2);
  EXPECT_EQ(eval.samples, 2);
  EXPECT_NEAR(*eval.accuracy, 0.5, 1e-12);
}

TEST(Shapes, MlpParameterCountAndFlops) {
  // 784 -> 256 -> 10: (784 x 256 + 256) + (256 x 10 + 10) = 200,960 + 2,570
  // = 203,530 parameters. FLOPs per sample (mlp.cc formula):
  //   layer 0: 2 x (2 x 784 x 256 + 256)             = 803,328
  //   layer 1: 2 x (2 x 256 x 10 + 10) + 2 x 256 x 10 = 10,260 + 5,120 = 15,380
  //   total 818,708.
  Mlp model(784, {256}, 10);
  EXPECT_EQ(model.parameter_count(), 203'530);
  EXPECT_EQ(model.parameter_bytes().count, 4 * 203'530);
  EXPECT_DOUBLE_EQ(model.flops_per_sample().count, 818'708.0);
  // Softmax regression 784 -> 10: 7,850 parameters, 2 x (2 x 7,840 + 10) = 31,380 FLOPs.
  SoftmaxRegression softmax(784, 10);
  EXPECT_EQ(softmax.parameter_count(), 7'850);
  EXPECT_DOUBLE_EQ(softmax.flops_per_sample().count, 31'380.0);
  // Linear regression on 32 features: 33 parameters, 2 x (2 x 32 + 1) = 130 FLOPs.
  LinearRegression linear(32);
  EXPECT_EQ(linear.parameter_count(), 33);
  EXPECT_DOUBLE_EQ(linear.flops_per_sample().count, 130.0);
}

TEST(Initialisation, HeForReluGlorotOtherwiseAndSeeded) {
  // He normal: std sqrt(2 / 1000) = 0.04472 for the 1000 -> 400 ReLU layer;
  // Glorot uniform on +-sqrt(6 / 410) = 0.12097 for the 400 -> 10 output,
  // whose variance is limit^2 / 3. 400,000 and 4,000 draws: relative standard
  // errors of the std ~ 1/sqrt(2n) = 0.1% and 1.1%; tolerances 1% and 5%.
  Mlp model(1000, {400}, 10);
  RandomStream a = NamedStream(3, "init"), b = NamedStream(3, "init");
  const Eigen::VectorXf p = model.initial_parameters(a);
  EXPECT_EQ(p, model.initial_parameters(b));
  const Eigen::VectorXf w0 = p.head(400'000);
  const double std0 = std::sqrt(w0.cast<double>().squaredNorm() / 400'000.0);
  EXPECT_NEAR(std0, std::sqrt(2.0 / 1000.0), 0.01 * std::sqrt(2.0 / 1000.0));
  EXPECT_TRUE(p.segment(400'000, 400).isZero());  // biases
  const Eigen::VectorXf w1 = p.segment(400'400, 4'000);
  const double limit = std::sqrt(6.0 / 410.0);
  EXPECT_LE(w1.cwiseAbs().maxCoeff(), limit);
  const double std1 = std::sqrt(w1.cast<double>().squaredNorm() / 4'000.0);
  EXPECT_NEAR(std1, limit / std::sqrt(3.0), 0.05 * limit / std::sqrt(3.0));
}

TEST(Workspaces, CloneAndRepeatedCallsGiveIdenticalResults) {
  Mlp model(10, {8}, 4);
  const Dataset data = RandomData(16, 10, 4, 2);
  const std::vector<SampleIndex> big = RowRange(0, 16), small = {1, 2, 3};
  RandomStream rng = NamedStream(1, "p");
  const Eigen::VectorXf params = model.initial_parameters(rng);
  Eigen::VectorXf g1, g2, g3;
  const double l1 = model.loss_and_gradient(params, Batch(data, big), g1);
  (void)model.loss_and_gradient(params, Batch(data, small), g2);  // resizes the workspaces
  const double l3 = model.loss_and_gradient(params, Batch(data, big), g3);
  EXPECT_EQ(l1, l3);
  EXPECT_EQ(g1, g3);
  auto copy = model.clone();
  Eigen::VectorXf g4;
  EXPECT_EQ(copy->loss_and_gradient(params, Batch(data, big), g4), l1);
  EXPECT_EQ(g4, g1);
  EXPECT_EQ(copy->name(), "mlp");
  EXPECT_EQ(SoftmaxRegression(10, 4).clone()->name(), "softmax_regression");
}

TEST(Errors, MismatchedInputsNameTheProblem) {
  Mlp model(10, {8}, 4);
  const Dataset data = RandomData(4, 12, 4, 2);
  const std::vector<SampleIndex> rows = {0, 1};
  Eigen::VectorXf grad;
  RandomStream rng = NamedStream(1, "p");
  const Eigen::VectorXf params = model.initial_parameters(rng);
  try {
    (void)model.loss_and_gradient(params, Batch(data, rows), grad);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("12 features"), std::string::npos) << e.what();
  }
  const Dataset fits = RandomData(4, 10, 4, 2);
  EXPECT_THROW((void)model.loss_and_gradient(Eigen::VectorXf::Zero(5), Batch(fits, rows), grad), std::invalid_argument);
  const std::vector<SampleIndex> outside = {0, 4};
  EXPECT_THROW((void)model.loss_and_gradient(params, Batch(fits, outside), grad), std::out_of_range);
  Dataset bad_label = fits;
  bad_label.labels[0] = 4;
  EXPECT_THROW((void)model.loss_and_gradient(params, Batch(bad_label, rows), grad), std::invalid_argument);
  Dataset no_targets = fits;
  no_targets.targets.resize(0);
  LinearRegression linear(10);
  EXPECT_THROW((void)linear.loss_and_gradient(Eigen::VectorXf::Zero(11), Batch(no_targets, rows), grad),
               std::invalid_argument);
  EXPECT_THROW(Mlp(10, {8, 0}, 4), std::invalid_argument);
  EXPECT_THROW(Mlp(10, {8}, 1), std::invalid_argument);
}

}  // namespace
}  // namespace sim::models

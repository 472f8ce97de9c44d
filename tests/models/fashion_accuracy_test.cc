// One worker trains on Fashion-MNIST and must reach the dataset's published
// baselines (Xiao, Rasul & Vollgraf 2017, benchmark table: logistic
// regression ~0.84, multilayer perceptron ~0.87 test accuracy):
//   softmax regression >= 0.83, MLP with one hidden layer of 256 >= 0.87.
// A separate binary (test_models_accuracy) because it trains for real: a few
// epochs, tens of seconds in Release. Skipped, with the reason printed, when
// the Debian package dataset-fashion-mnist is not installed.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "models/data/batch_sampler.h"
#include "models/data/fashion_mnist.h"
#include "models/nn/make_model.h"
#include "models/optim/sgd.h"

namespace sim::models {
namespace {

class FashionAccuracy : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (std::filesystem::is_directory(kFashionMnistDefaultPath)) data_ = new TrainTest(LoadFashionMnist());
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }
  void SetUp() override {
    if (data_ == nullptr) {
      GTEST_SKIP() << kFashionMnistDefaultPath << " not found: install the Debian package dataset-fashion-mnist";
    }
  }

  // SGD with momentum 0.9 and cosine decay over `epochs`, batches of 64, one
  // worker (stream seeds fixed: the result is the same on every run).
  static double Train(const ModelSpec& spec, double learning_rate, int epochs) {
    auto model = MakeModel(spec, data_->train.feature_count(), data_->train.classes);
    Eigen::VectorXf params = InitialParameters(*model, 1);
    constexpr std::int64_t kBatch = 64;
    const std::uint64_t steps = static_cast<std::uint64_t>(epochs * data_->train.samples() / kBatch);
    SgdOptions options;
    options.schedule.base_rate = learning_rate;
    options.schedule.decay = Decay::kCosine;
    options.schedule.total_steps = steps;
    options.momentum = 0.9;
    Sgd sgd(options);
    BatchSampler sampler = MakeBatchSampler(RowRange(0, data_->train.samples()), kBatch, 1, 0);
    Eigen::VectorXf grad;
    for (std::uint64_t s = 0; s < steps; ++s) {
      model->loss_and_gradient(params, Batch(data_->train, sampler.next()), grad);
      sgd.apply(params, grad);
    }
    const Evaluation eval = model->evaluate(params, data_->test);
    std::printf("%s: %d epochs, test loss %.4f, test accuracy %.4f\n", model->name().c_str(), epochs, eval.loss,
                *eval.accuracy);
    return *eval.accuracy;
  }

  static TrainTest* data_;
};

TrainTest* FashionAccuracy::data_ = nullptr;

TEST_F(FashionAccuracy, SoftmaxRegressionReachesLogisticBaseline) {
  EXPECT_GE(Train(SoftmaxRegressionSpec{}, 0.05, 3), 0.83);
}

TEST_F(FashionAccuracy, MlpWith256HiddenReachesMlpBaseline) {
  EXPECT_GE(Train(MlpSpec{{256}, Activation::kRelu}, 0.05, 5), 0.87);
}

}  // namespace
}  // namespace sim::models

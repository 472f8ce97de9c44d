// Model parallelism must not change what is learned: trained on Fashion-MNIST
// from one initial vector on the same batches, the pipeline-parallel MLP
// (4 stages, 8 micro-batches) and the tensor-parallel one (t = 2 and 4)
// follow the single-device MlpT: test loss and accuracy agree to 1e-5
// relative at every evaluation (on 1,000 test samples one sample is 1e-3 of
// the accuracy, so the accuracies must be equal).
//
// Precision. The parallel forms re-associate sums (per micro-batch, per
// shard), so in float their gradients differ from MlpT's by ~1e-7 relative,
// and training can amplify that. Measured on this file's set-up (seeds 1-4
// for the initial parameters and the batches; worst relative difference in
// test loss over the 10 evaluations, all three parallel forms):
//   float, ReLU, momentum 0.9: seeds 1 and 3 part from MlpT by 12% and 19%
//     in loss (3% and 7% in accuracy), beyond 1e-5 from the evaluations at
//     steps 120 and 150; seeds 2 and 4 stay within 1.1e-6. The parting is a
//     ReLU kink, not drift: on a wider net (784-128-64-64-10, batch 64,
//     seed 1) the pipeline's parameters agreed with MlpT's to 5.4e-7 up to
//     step 127; on step 128's batch one second-layer pre-activation
//     (recomputed from each parameter vector) was -1.6e-7 with MlpT's and
//     +3.3e-6 with the pipeline's, so the unit was off in one and on in the
//     other: the gradients differed by 8.2e-3 and the parameters by 4.1e-4
//     after that step, and more units parted in the steps after.
//   float, tanh, momentum 0.9: no kink, yet momentum amplifies the rounding
//     to 1.8e-4 .. 1.1e-3 in loss, beyond 1e-5 from steps 180-240 (one test
//     sample's class flips in seed 3).
//   float, momentum 0: within 2.1e-7 (ReLU) and 4.3e-8 (tanh), all seeds;
//     the wider net above parted in 2 of 4 seeds with ReLU even so.
//   double, ReLU, momentum 0 and 0.9 (seeds 1 and 2): within 9.8e-15.
// So the 1e-5 check runs in double, with ReLU and momentum 0.9 as the
// scenarios train; the project's Sgd takes float vectors only, so its rule is
// written out here on doubles (HeavyBall, checked bit for bit against Sgd in
// float below). The float models, as the simulator runs them, are checked
// with the project's Sgd where float holds with a wide margin: tanh without
// momentum.
//
// Skipped, with the reason printed, when the Debian package
// dataset-fashion-mnist is not installed.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>

#include "models/data/batch_sampler.h"
#include "models/data/fashion_mnist.h"
#include "models/nn/mlp.h"
#include "models/nn/pipeline_parallel_mlp.h"
#include "models/nn/tensor_parallel_mlp.h"
#include "models/optim/sgd.h"

namespace sim::models {
namespace {

constexpr double kRelativeTolerance = 1e-5;  // what model parallelism is held to
constexpr std::int64_t kTrainSamples = 4096;
constexpr std::int64_t kBatch = 60;  // 8 micro-batches of 8, 8, 8, 8, 7, 7, 7, 7
constexpr int kSteps = 300;
constexpr int kEvaluateEvery = 30;
constexpr Eigen::Index kTestSamples = 1000;
constexpr double kLearningRate = 0.05;
const std::vector<Eigen::Index> kHidden = {64, 32, 32};  // 4 layers: 4 stages, 2 tensor-parallel pairs

// sgd.h's rule without weight decay or clipping, at a constant rate, on any
// scalar: v = momentum v + g, w = w - rate v.
template <typename Scalar>
class HeavyBall {
 public:
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  HeavyBall(double rate, double momentum)
      : rate_(static_cast<Scalar>(rate)), momentum_(static_cast<Scalar>(momentum)) {}
  void apply(Vector& params, const Vector& grad) {
    if (velocity_.size() != params.size()) velocity_ = Vector::Zero(params.size());
    velocity_ = momentum_ * velocity_ + grad;
    params -= rate_ * velocity_;
  }

 private:
  Scalar rate_;
  Scalar momentum_;
  Vector velocity_;
};

class ModelParallelTrajectory : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (std::filesystem::is_directory(kFashionMnistDefaultPath)) {
      data_ = new TrainTest(LoadFashionMnist(kFashionMnistDefaultPath, kTrainSamples));
    }
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

  template <typename Scalar>
  static std::vector<std::unique_ptr<BasicModel<Scalar>>> ParallelForms(Activation activation) {
    std::vector<std::unique_ptr<BasicModel<Scalar>>> models;
    models.push_back(std::make_unique<PipelineParallelMlpT<Scalar>>(
        784, kHidden, 10, activation, PipelineOptions{.stages = 4, .stage_starts = {}, .micro_batches = 8}));
    models.push_back(std::make_unique<TensorParallelMlpT<Scalar>>(784, kHidden, 10, activation, 2));
    models.push_back(std::make_unique<TensorParallelMlpT<Scalar>>(784, kHidden, 10, activation, 4));
    return models;
  }

  // Trains `model` from the initial parameters of seed 1 on the batches of
  // seed 1, updating with a fresh `Update`; the evaluation every
  // kEvaluateEvery steps.
  template <typename Scalar, typename Update>
  static std::vector<Evaluation> Train(BasicModel<Scalar>& model, const Update& fresh_update) {
    RandomStream rng = NamedStream(1, "model/init");
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> params = model.initial_parameters(rng);
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> grad;
    Update update = fresh_update;
    BatchSampler sampler = MakeBatchSampler(RowRange(0, data_->train.samples()), kBatch, 1, 0);
    std::vector<Evaluation> evaluations;
    for (int step = 1; step <= kSteps; ++step) {
      model.loss_and_gradient(params, Batch(data_->train, sampler.next()), grad);
      update.apply(params, grad);
      if (step % kEvaluateEvery == 0) evaluations.push_back(model.evaluate(params, data_->test, kTestSamples));
    }
    return evaluations;
  }

  template <typename Scalar, typename Update>
  static void ExpectParallelFormsFollowMlp(Activation activation, const Update& update) {
    MlpT<Scalar> single(784, kHidden, 10, activation);
    const std::vector<Evaluation> expected = Train(single, update);
    ASSERT_EQ(expected.size(), static_cast<std::size_t>(kSteps / kEvaluateEvery));
    // Training happened: the last accuracy is far above chance (0.1).
    EXPECT_GT(*expected.back().accuracy, 0.6);
    for (const auto& model : ParallelForms<Scalar>(activation)) {
      const std::vector<Evaluation> actual = Train(*model, update);
      ASSERT_EQ(actual.size(), expected.size());
      double worst = 0.0;
      for (std::size_t i = 0; i < expected.size(); ++i) {
        const double loss = std::abs(actual[i].loss / expected[i].loss - 1.0);
        const double accuracy = std::abs(*actual[i].accuracy / *expected[i].accuracy - 1.0);
        worst = std::max({worst, loss, accuracy});
        EXPECT_LE(loss, kRelativeTolerance) << model->name() << ", evaluation " << i;
        EXPECT_LE(accuracy, kRelativeTolerance) << model->name() << ", evaluation " << i;
      }
      RecordProperty(model->name() + "_worst_relative", std::to_string(worst));
    }
  }

  static TrainTest* data_;
};

TrainTest* ModelParallelTrajectory::data_ = nullptr;

TEST_F(ModelParallelTrajectory, DoublePrecisionReluWithMomentumFollowsMlp) {
  ExpectParallelFormsFollowMlp<double>(Activation::kRelu, HeavyBall<double>(kLearningRate, 0.9));
}

TEST_F(ModelParallelTrajectory, FloatTanhWithTheProjectsSgdFollowsMlp) {
  SgdOptions options;
  options.schedule.base_rate = kLearningRate;
  ExpectParallelFormsFollowMlp<float>(Activation::kTanh, Sgd(options));
}

TEST(HeavyBall, IsTheProjectsSgdBitForBit) {
  // The double trajectory's update is sgd.h's: on floats, three updates of
  // both from the same gradients give the same bits.
  SgdOptions options;
  options.schedule.base_rate = kLearningRate;
  options.momentum = 0.9;
  Sgd sgd(options);
  HeavyBall<float> written_out(kLearningRate, 0.9);
  RandomStream rng = NamedStream(2, "test/gradients");
  Eigen::VectorXf a = Eigen::VectorXf::Constant(100, 0.5f);
  Eigen::VectorXf b = a;
  for (int step = 0; step < 3; ++step) {
    Eigen::VectorXf grad(100);
    for (Eigen::Index k = 0; k < grad.size(); ++k) grad[k] = static_cast<float>(rng.normal());
    sgd.apply(a, grad);
    written_out.apply(b, grad);
  }
  EXPECT_NE(a, Eigen::VectorXf::Constant(100, 0.5f));
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace sim::models

// The numerics of a run with compression and adaptive optimizers, as the
// scenario configures them: each worker's compressor keeps its own residual,
// QSGD stays unbiased, PowerSGD at full rank loses nothing, Adam follows
// Kingma & Ba's algorithm, one optimizer of the whole vector is the servers'
// sharded optimizers, and local SGD can forget its momentum.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <variant>

#include <Eigen/SVD>

#include "scenario_text.h"
#include "sim/core/random.h"
#include "sim/run/training_run.h"
#include "sim/training/numerics.h"

namespace sim {
namespace {

using testing::kSyntheticMlp;
using testing::Loaded;

Gradient Given(const Eigen::VectorXf& values, std::uint32_t worker) {
  return Gradient{std::make_shared<const Eigen::VectorXf>(values), 0, worker};
}

Eigen::VectorXf Normal(Eigen::Index n, RandomStream& rng) {
  Eigen::VectorXf v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = static_cast<float>(rng.normal());
  return v;
}

TEST(CompressedNumerics, ErrorFeedbackTelescopesExactlyPerWorker) {
  // Stich et al. 2018; Karimireddy et al. 2019: with p = g + e, applied =
  // C(p), e = p - applied, the sum of what worker w sent plus its residual is
  // the sum of its raw gradients. On small integers every float operation is
  // exact, so the identity holds to the bit.
  const auto plan = Loaded(kSyntheticMlp, {"cluster.workers=2", "strategy.compression.scheme=TOP_K",
                                           "strategy.compression.ratio=0.05"});
  Numerics numerics(NumericsSpecOf(plan), 2);
  const Eigen::Index n = numerics.model()->parameter_count();
  RandomStream rng = NamedStream(1, "test/error_feedback");
  Eigen::VectorXf raw_sum = Eigen::VectorXf::Zero(n), sent_sum = Eigen::VectorXf::Zero(n);
  for (int t = 0; t < 50; ++t) {
    Eigen::VectorXf g(n);
    for (Eigen::Index i = 0; i < n; ++i) g[i] = static_cast<float>(static_cast<int>(rng.uniform_index(17)) - 8);
    Gradient sent = Given(g, 1);
    numerics.compress(sent);
    EXPECT_LE((sent.values->array() != 0.0f).count(), std::llround(0.05 * n));  // top 5% only
    raw_sum += g;
    sent_sum += *sent.values;
  }
  EXPECT_EQ(sent_sum + numerics.residual(1), raw_sum);
  EXPECT_NE(sent_sum, raw_sum);                       // something is held back...
  EXPECT_EQ(numerics.residual(0).squaredNorm(), 0.0f);  // ...by worker 1 alone
  // Without compression nothing changes and there is no residual.
  Numerics dense(NumericsSpecOf(Loaded(kSyntheticMlp, {"cluster.workers=2"})), 2);
  Gradient g = Given(Eigen::VectorXf::Ones(n), 0);
  const auto* before = g.values.get();
  dense.compress(g);
  EXPECT_EQ(g.values.get(), before);
  EXPECT_EQ(dense.residual(0).size(), 0);
}

TEST(CompressedNumerics, QsgdFromTheScenarioIsUnbiasedWithinLemma31) {
  // Alistarh et al. 2017, Lemma 3.1, per bucket of d entries at s levels:
  //   E[Q(v)] = v,  E||Q(v) - v||^2 <= min(d / s^2, sqrt(d) / s) ||v||^2.
  // s = 4 and buckets of 64 (the last of 676 = 10 x 64 + 36 has 36): the
  // bound is B = sum_b min(d_b / 16, sqrt(d_b) / 4) ||v_b||^2. The mean of
  // K draws has E||mean - v||^2 <= B / K; by Markov's inequality it exceeds
  // 100 B / K with probability <= 1% (and the stream is fixed).
  const auto plan = Loaded(kSyntheticMlp, {"cluster.workers=1", "strategy.compression.scheme=QSGD",
                                           "strategy.compression.levels=4", "strategy.compression.bucket_size=64"});
  ASSERT_FALSE(plan.strategy.compression.error_feedback);  // QSGD's default: each draw stands alone
  Numerics numerics(NumericsSpecOf(plan), 1);
  const Eigen::Index n = numerics.model()->parameter_count();
  ASSERT_EQ(n, 676);
  RandomStream rng = NamedStream(2, "test/qsgd/v");
  const Eigen::VectorXf v = Normal(n, rng);
  double bound = 0.0;
  for (Eigen::Index begin = 0; begin < n; begin += 64) {
    const double d = static_cast<double>(std::min<Eigen::Index>(64, n - begin));
    const Eigen::VectorXf bucket = v.segment(begin, static_cast<Eigen::Index>(d));
    bound += std::min(d / 16.0, std::sqrt(d) / 4.0) * bucket.cast<double>().squaredNorm();
  }
  constexpr int kDraws = 4000;
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(n);
  double squared_error = 0.0;
  for (int k = 0; k < kDraws; ++k) {
    Gradient q = Given(v, 0);
    numerics.compress(q);
    sum += q.values->cast<double>();
    squared_error += (*q.values - v).cast<double>().squaredNorm();
  }
  EXPECT_LT((sum / kDraws - v.cast<double>()).squaredNorm(), 100.0 * bound / kDraws);
  EXPECT_LE(squared_error / kDraws, bound);
  EXPECT_GT(squared_error, 0.0);  // it did quantise
}

TEST(CompressedNumerics, AdamsFirstThreeUpdatesAreKingmaAndBasAlgorithmOne) {
  // Kingma & Ba 2015, Algorithm 1, on the mean g_t of two workers' fixed
  // gradients, in double:
  //   m_t = b1 m + (1 - b1) g_t,  v_t = b2 v + (1 - b2) g_t^2,
  //   theta_t = theta - alpha (m_t / (1 - b1^t)) / (sqrt(v_t / (1 - b2^t)) + eps)
  // with the scenario's defaults b1 = 0.9, b2 = 0.999, eps = 1e-8 and
  // alpha = 0.01 given.
  const auto plan = Loaded(kSyntheticMlp, {"cluster.workers=2", "workload.optimizer.kind=ADAM",
                                           "workload.optimizer.learning_rate=0.01", "workload.optimizer.momentum=0"});
  Numerics numerics(NumericsSpecOf(plan), 2);
  const Eigen::Index n = numerics.model()->parameter_count();
  Eigen::VectorXd theta = numerics.current().values->cast<double>();
  const Eigen::VectorXd start = theta;
  Eigen::VectorXd m = Eigen::VectorXd::Zero(n), v = Eigen::VectorXd::Zero(n);
  RandomStream rng = NamedStream(3, "test/adam");
  for (int t = 1; t <= 3; ++t) {
    const Eigen::VectorXf a = Normal(n, rng), b = Normal(n, rng);
    const std::vector<Gradient> both = {Given(a, 0), Given(b, 1)};
    numerics.apply_mean(both);
    // The mean as the run forms it: summed in rank order, scaled once, in float.
    const Eigen::VectorXd g = ((a + b) * 0.5f).cast<double>();
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g.cwiseAbs2();
    const Eigen::ArrayXd m_hat = m.array() / (1.0 - std::pow(0.9, t));
    const Eigen::ArrayXd v_hat = v.array() / (1.0 - std::pow(0.999, t));
    theta.array() -= 0.01 * m_hat / (v_hat.sqrt() + 1e-8);
    const Eigen::VectorXd got = numerics.current().values->cast<double>();
    EXPECT_LT((got - theta).cwiseAbs().maxCoeff(), 1e-6) << "update " << t;
    // The first step moves every entry by alpha |g| / (|g| + eps), alpha to
    // within 1e-6 here: m_hat = g, v_hat = g^2.
    if (t == 1) {
      EXPECT_NEAR((theta - start).cwiseAbs().minCoeff(), 0.01, 1e-6);
    }
  }
}

TEST(CompressedNumerics, PowerSgdReducesAllWorkersInRankOrderAtRankR) {
  // Vogels et al. 2019: the synchronous update is P Q^T per weight matrix,
  // of rank <= r, from every worker's gradient at once; the entries outside
  // the matrices (biases) are the exact mean. The run's update is that of
  // models' PowerSgd given the plan's options, the model's matrices and the
  // stream "compression/power_sgd", on the gradients in rank order.
  const auto plan = Loaded(kSyntheticMlp, {"cluster.workers=3", "strategy.compression.scheme=POWER_SGD",
                                           "strategy.compression.rank=1"});
  Numerics numerics(NumericsSpecOf(plan), 3);
  const Eigen::VectorXf start = *numerics.current().values;
  std::vector<Gradient> gradients;
  std::vector<const Eigen::VectorXf*> in_rank_order;
  for (std::uint32_t w = 0; w < 3; ++w) gradients.push_back(numerics.compute_gradient(w, numerics.current()));
  for (const Gradient& g : gradients) in_rank_order.push_back(g.values.get());
  numerics.apply_mean(gradients);

  models::PowerSgd reference(plan.strategy.compression, start.size(), plan.workload.weight_shapes, 3,
                             NamedStream(plan.seed, "compression/power_sgd"));
  Eigen::VectorXf update;
  reference.reduce(in_rank_order, update);
  Eigen::VectorXf expected = start;
  models::MakeOptimizer(plan.workload.optimizer)->apply(expected, update);
  EXPECT_EQ(*numerics.current().values, expected);

  const Eigen::VectorXf mean = (*in_rank_order[0] + *in_rank_order[1] + *in_rank_order[2]) / 3.0f;
  for (const models::MatrixShape& m : plan.workload.weight_shapes) {
    const Eigen::Map<const Eigen::MatrixXf> block(update.data() + m.offset, m.rows, m.cols);
    const Eigen::VectorXf sigma = Eigen::JacobiSVD<Eigen::MatrixXf>(block).singularValues();
    EXPECT_GT(sigma[0], 0.0f);
    EXPECT_LT(sigma[1], 1e-5f * sigma[0]);  // rank 1
    // Bias of this layer, right after its matrix: averaged as it is.
    const Eigen::Index bias = m.offset + m.size();
    EXPECT_LT((update.segment(bias, m.cols) - mean.segment(bias, m.cols)).cwiseAbs().maxCoeff(),
              1e-6f * mean.segment(bias, m.cols).cwiseAbs().maxCoeff());
  }
  EXPECT_GT((update - mean).norm(), 0.01f * mean.norm());  // the matrices lost something
}

TEST(CompressedNumerics, OneOptimizerOfTheWholeVectorIsEachServerWithItsShard) {
  // A parameter server holds the optimizer state of its shard
  // (models/optim/optimizer.h): three servers, each updating its contiguous
  // third with apply_shard and the whole gradient's norm, give the bits the
  // run's one optimizer of the whole vector gives, for every kind, clipping
  // included. So the run keeps one optimizer, and this is why it may.
  const std::vector<std::vector<std::string>> kinds = {
      {"workload.optimizer.kind=SGD", "workload.optimizer.momentum=0.9", "workload.optimizer.weight_decay=0.01"},
      {"workload.optimizer.kind=ADAM", "workload.optimizer.momentum=0", "workload.optimizer.weight_decay=0.01"},
      {"workload.optimizer.kind=ADAMW", "workload.optimizer.momentum=0", "workload.optimizer.weight_decay=0.01"},
      {"workload.optimizer.kind=ADAGRAD", "workload.optimizer.momentum=0"},
      {"workload.optimizer.kind=RMSPROP", "workload.optimizer.momentum=0.5", "workload.optimizer.centered=true"}};
  for (auto overrides : kinds) {
    overrides.insert(overrides.end(), {"cluster.workers=1", "strategy.kind=ASYNC_PS", "strategy.servers=3",
                                       "workload.optimizer.clip_norm=5"});
    const auto plan = Loaded(kSyntheticMlp, overrides);
    Numerics numerics(NumericsSpecOf(plan), 1);
    models::OptimizerOptions options = plan.workload.optimizer;
    models::ScheduleOf(options).total_steps = numerics.total_steps();
    Eigen::VectorXf sharded = *numerics.current().values;
    const Eigen::Index n = sharded.size();
    std::vector<std::unique_ptr<models::Optimizer>> servers;
    for (int s = 0; s < 3; ++s) servers.push_back(models::MakeOptimizer(options));
    RandomStream rng = NamedStream(4, "test/shards");
    bool clipped = false;
    for (int t = 0; t < 5; ++t) {
      const Eigen::VectorXf g = Normal(n, rng) * 0.5f;
      numerics.apply(Given(g, 0));
      const double norm = models::GradientNorm(g);
      clipped = clipped || norm > 5.0;
      for (Eigen::Index s = 0; s < 3; ++s) {
        const Eigen::Index begin = n * s / 3, end = n * (s + 1) / 3;
        servers[s]->apply_shard(sharded.segment(begin, end - begin), g.segment(begin, end - begin), norm);
      }
    }
    EXPECT_TRUE(clipped);
    EXPECT_EQ(*numerics.current().values, sharded) << overrides.front();
  }
}

TEST(CompressedNumerics, LocalSgdThatForgetsItsMomentumEveryStepIsPlainSgd) {
  // With H = 1 and the optimizer state reset at every average, each local
  // step starts from zero velocity: v = 0.9 x 0 + g = g, the step of SGD
  // without momentum, to the bit. Kept, the velocity carries over and the
  // run differs.
  const std::vector<std::string> local = {"cluster.workers=4", "strategy.kind=LOCAL_SGD", "strategy.local_steps=1"};
  auto reset = local, kept = local, plain = local;
  reset.insert(reset.end(), {"workload.optimizer.momentum=0.9", "strategy.reset_optimizer_state=true"});
  kept.insert(kept.end(), {"workload.optimizer.momentum=0.9"});
  plain.insert(plain.end(), {"workload.optimizer.momentum=0"});
  const auto a = RunTraining(Loaded(kSyntheticMlp, reset));
  const auto b = RunTraining(Loaded(kSyntheticMlp, plain));
  const auto c = RunTraining(Loaded(kSyntheticMlp, kept));
  EXPECT_EQ(a.series_csv, b.series_csv);
  EXPECT_NE(a.series_csv, c.series_csv);
}

TEST(CompressedNumerics, LocalSgdSendingItsWholeChangeIsPlainLocalSgd) {
  // Local SGD with compression sends each replica's change since the last
  // average (Basu et al. 2019): the model becomes w + mean_k C(r_k - w). With
  // top-k keeping every entry, C is the identity, and w + mean_k (r_k - w) =
  // mean_k r_k, plain averaging, to float rounding.
  const std::vector<std::string> local = {"cluster.workers=4", "strategy.kind=LOCAL_SGD", "strategy.local_steps=4"};
  auto whole = local;
  whole.insert(whole.end(), {"strategy.compression.scheme=TOP_K", "strategy.compression.ratio=1"});
  const auto plain = RunTraining(Loaded(kSyntheticMlp, local));
  const auto sent = RunTraining(Loaded(kSyntheticMlp, whole));
  EXPECT_NEAR(sent.result.final_loss() / plain.result.final_loss(), 1.0, 1e-4);
  EXPECT_LT(plain.result.final_loss(), 1.0);  // it learned
  // At 5% of the entries it is another run.
  whole.back() = "strategy.compression.ratio=0.05";
  EXPECT_GT(std::abs(RunTraining(Loaded(kSyntheticMlp, whole)).result.final_loss() / plain.result.final_loss() - 1.0),
            1e-3);
}

}  // namespace
}  // namespace sim

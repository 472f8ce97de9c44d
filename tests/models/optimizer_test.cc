// SGD updates and learning-rate schedules against values derived by hand from
// the update rule in models/optim/sgd.h and the schedule formulas in
// models/optim/learning_rate_schedule.h.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "models/optim/sgd.h"

namespace sim::models {
namespace {

// Float parameters: updates exact to float rounding of values of order 1.
constexpr double kFloatTolerance = 1e-6;
constexpr double kRateTolerance = 1e-12;

Eigen::VectorXf Vec(std::initializer_list<float> values) {
  Eigen::VectorXf v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (float x : values) v[i++] = x;
  return v;
}

SgdOptions Constant(double rate) {
  SgdOptions o;
  o.schedule.base_rate = rate;
  return o;
}

TEST(Sgd, PlainStep) {
  // w - lr g = (1, -2) - 0.1 (0.5, 0.25) = (0.95, -2.025).
  Sgd sgd(Constant(0.1));
  Eigen::VectorXf w = Vec({1.0f, -2.0f});
  const SgdUpdate update = sgd.apply(w, Vec({0.5f, 0.25f}));
  EXPECT_NEAR(w[0], 0.95, kFloatTolerance);
  EXPECT_NEAR(w[1], -2.025, kFloatTolerance);
  EXPECT_DOUBLE_EQ(update.learning_rate, 0.1);
  EXPECT_NEAR(update.gradient_norm, std::sqrt(0.25 + 0.0625), 1e-12);
  EXPECT_FALSE(update.clipped);
  EXPECT_EQ(sgd.updates(), 1u);
}

TEST(Sgd, HeavyBallMomentum) {
  // Constant g, mu = 0.9: v1 = g, v2 = 0.9 g + g = 1.9 g, v3 = 0.9 x 1.9 g + g
  // = 2.71 g. After three updates w = w0 - lr (1 + 1.9 + 2.71) g = w0 - 5.61 lr g.
  SgdOptions o = Constant(0.1);
  o.momentum = 0.9;
  Sgd sgd(o);
  Eigen::VectorXf w = Vec({1.0f});
  const Eigen::VectorXf g = Vec({0.5f});
  sgd.apply(w, g);
  EXPECT_NEAR(w[0], 1.0 - 0.1 * 0.5, kFloatTolerance);
  sgd.apply(w, g);
  EXPECT_NEAR(w[0], 1.0 - 0.1 * 2.9 * 0.5, kFloatTolerance);
  sgd.apply(w, g);
  EXPECT_NEAR(w[0], 1.0 - 0.1 * 5.61 * 0.5, kFloatTolerance);
  EXPECT_NEAR(sgd.velocity()[0], 2.71 * 0.5, kFloatTolerance);
  sgd.reset_velocity();
  EXPECT_EQ(sgd.velocity()[0], 0.0f);
}

TEST(Sgd, WeightDecayShrinksTowardZero) {
  // g = 0, wd = 0.01, lr = 0.1: w1 = w0 (1 - lr wd) = 2 x 0.999 = 1.998.
  // With momentum 0.5: v1 = wd w0 = 0.02, w1 = 1.998; v2 = 0.5 x 0.02 + 0.01 x
  // 1.998 = 0.02998, w2 = 1.998 - 0.1 x 0.02998 = 1.995002.
  SgdOptions o = Constant(0.1);
  o.weight_decay = 0.01;
  Sgd plain(o);
  Eigen::VectorXf w = Vec({2.0f});
  plain.apply(w, Vec({0.0f}));
  EXPECT_NEAR(w[0], 1.998, kFloatTolerance);
  o.momentum = 0.5;
  Sgd heavy(o);
  w = Vec({2.0f});
  heavy.apply(w, Vec({0.0f}));
  heavy.apply(w, Vec({0.0f}));
  EXPECT_NEAR(w[0], 1.995002, kFloatTolerance);
}

TEST(Sgd, ClippingByGlobalNorm) {
  // g = (3, 4), ||g|| = 5 > clip 1: g' = g / 5 = (0.6, 0.8); lr 1 from (0, 0)
  // gives (-0.6, -0.8). With clip 10 the gradient passes unchanged.
  SgdOptions o = Constant(1.0);
  o.clip_norm = 1.0;
  Sgd clipped(o);
  Eigen::VectorXf w = Vec({0.0f, 0.0f});
  const SgdUpdate update = clipped.apply(w, Vec({3.0f, 4.0f}));
  EXPECT_TRUE(update.clipped);
  EXPECT_NEAR(update.gradient_norm, 5.0, 1e-12);
  EXPECT_NEAR(w[0], -0.6, kFloatTolerance);
  EXPECT_NEAR(w[1], -0.8, kFloatTolerance);
  o.clip_norm = 10.0;
  Sgd loose(o);
  w = Vec({0.0f, 0.0f});
  EXPECT_FALSE(loose.apply(w, Vec({3.0f, 4.0f})).clipped);
  EXPECT_NEAR(w[0], -3.0, kFloatTolerance);
}

// Issue 20: a run with learning rate 1e30 failed mid-run with "gradient norm
// must be >= 0, got -nan" (exit 2, as if the input were bad). A NaN gradient
// is a diverged model: it is applied, the parameters turn NaN, and the run
// reports the divergence at its next evaluation.
TEST(Sgd, NanGradientIsAppliedNotRejected) {
  SgdOptions o = Constant(1.0);
  o.clip_norm = 1.0;
  Sgd sgd(o);
  Eigen::VectorXf w = Vec({0.0f, 0.0f});
  const SgdUpdate update = sgd.apply(w, Vec({std::nanf(""), 1.0f}));
  EXPECT_TRUE(std::isnan(update.gradient_norm));
  EXPECT_FALSE(update.clipped);
  EXPECT_TRUE(std::isnan(w[0]));
  EXPECT_THROW((void)sgd.apply_shard(w, Vec({1.0f, 1.0f}), -1.0), std::invalid_argument);
}

TEST(Sgd, ClippingComesBeforeWeightDecay) {
  // g = (3, 4) clipped to (0.6, 0.8); then + wd w = 0.5 x (2, 0) = (1, 0):
  // d = (1.6, 0.8); lr 1: w = (2, 0) - d = (0.4, -0.8).
  SgdOptions o = Constant(1.0);
  o.clip_norm = 1.0;
  o.weight_decay = 0.5;
  Sgd sgd(o);
  Eigen::VectorXf w = Vec({2.0f, 0.0f});
  sgd.apply(w, Vec({3.0f, 4.0f}));
  EXPECT_NEAR(w[0], 0.4, kFloatTolerance);
  EXPECT_NEAR(w[1], -0.8, kFloatTolerance);
}

TEST(Schedules, StepDecay) {
  // base 0.4 x 0.5^floor(t / 10).
  ScheduleSpec s{.base_rate = 0.4, .decay = Decay::kStep, .step_every = 10, .step_gamma = 0.5};
  LearningRateSchedule schedule(s);
  EXPECT_NEAR(schedule.rate(0), 0.4, kRateTolerance);
  EXPECT_NEAR(schedule.rate(9), 0.4, kRateTolerance);
  EXPECT_NEAR(schedule.rate(10), 0.2, kRateTolerance);
  EXPECT_NEAR(schedule.rate(25), 0.1, kRateTolerance);
}

TEST(Schedules, CosineDecay) {
  // base (1 + cos(pi t / 100)) / 2: t = 0 -> base; 25 -> base (1 + sqrt(2)/2)/2
  // = 0.853553 base; 50 -> base / 2; 100 and beyond -> 0.
  ScheduleSpec s{.base_rate = 0.2, .decay = Decay::kCosine, .total_steps = 100};
  LearningRateSchedule schedule(s);
  EXPECT_NEAR(schedule.rate(0), 0.2, kRateTolerance);
  EXPECT_NEAR(schedule.rate(25), 0.2 * (1.0 + std::sqrt(0.5)) / 2.0, kRateTolerance);
  EXPECT_NEAR(schedule.rate(50), 0.1, kRateTolerance);
  EXPECT_NEAR(schedule.rate(100), 0.0, kRateTolerance);
  EXPECT_NEAR(schedule.rate(250), 0.0, kRateTolerance);
}

TEST(Schedules, LinearWarmupThenStep) {
  // Warm-up over 4: (t + 1)/4 of the rate for t < 4 -> 0.25, 0.5, 0.75, 1 of
  // base 0.8; then the step decay (every 6, gamma 0.1) applies from t = 6.
  ScheduleSpec s{.base_rate = 0.8, .decay = Decay::kStep, .step_every = 6, .step_gamma = 0.1, .warmup_steps = 4};
  LearningRateSchedule schedule(s);
  EXPECT_NEAR(schedule.rate(0), 0.2, kRateTolerance);
  EXPECT_NEAR(schedule.rate(1), 0.4, kRateTolerance);
  EXPECT_NEAR(schedule.rate(3), 0.8, kRateTolerance);
  EXPECT_NEAR(schedule.rate(5), 0.8, kRateTolerance);
  EXPECT_NEAR(schedule.rate(6), 0.08, kRateTolerance);
}

TEST(Schedules, SgdFollowsItsSchedule) {
  // Warm-up over 2 at base 1 with g = 1: updates of 0.5 then 1: w = 3 - 1.5.
  SgdOptions o = Constant(1.0);
  o.schedule.warmup_steps = 2;
  Sgd sgd(o);
  EXPECT_DOUBLE_EQ(sgd.learning_rate(), 0.5);
  Eigen::VectorXf w = Vec({3.0f});
  sgd.apply(w, Vec({1.0f}));
  EXPECT_DOUBLE_EQ(sgd.learning_rate(), 1.0);
  sgd.apply(w, Vec({1.0f}));
  EXPECT_NEAR(w[0], 1.5, kFloatTolerance);
}

TEST(Sgd, EveryBadOptionIsReportedAtOnce) {
  SgdOptions o = Constant(-1.0);
  o.momentum = 1.0;
  o.weight_decay = -0.1;
  o.clip_norm = -2.0;
  try {
    Sgd sgd(o);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    for (const char* field : {"learning rate", "momentum", "weight_decay", "clip_norm"}) {
      EXPECT_NE(message.find(field), std::string::npos) << field << " missing from: " << message;
    }
  }
  EXPECT_EQ(SgdProblems(o).size(), 4u);
  Sgd sgd(Constant(0.1));
  Eigen::VectorXf w = Vec({1.0f, 2.0f});
  EXPECT_THROW(sgd.apply(w, Vec({1.0f})), std::invalid_argument);
}

}  // namespace
}  // namespace sim::models

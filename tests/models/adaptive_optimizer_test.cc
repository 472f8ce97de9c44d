// Adam, AdamW, AdaGrad and RMSprop against their update rules worked out by
// hand (models/optim/adam.h, adagrad.h, rmsprop.h, each citing its paper),
// and the Optimizer interface they share with Sgd: shards, resets, clones.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/optim/adagrad.h"
#include "models/optim/adam.h"
#include "models/optim/rmsprop.h"
#include "models/optim/sgd.h"
#include "sim/core/random.h"

namespace sim::models {
namespace {

// Float parameters of order 1: a handful of float roundings (2^-24 ~ 6e-8
// relative each) per update, three updates at most.
constexpr double kFloatTolerance = 1e-6;

Eigen::VectorXf Vec(std::initializer_list<float> values) {
  return Eigen::Map<const Eigen::VectorXf>(values.begin(), static_cast<Eigen::Index>(values.size()));
}

ScheduleSpec Constant(double rate) { return ScheduleSpec{.base_rate = rate}; }

TEST(Adam, FirstThreeUpdatesEqualAlgorithmOne) {
  // Kingma & Ba 2015, Algorithm 1, written in closed form for update t:
  //   m_t = (1 - b1) sum_{i<=t} b1^(t-i) g_i,   v_t = (1 - b2) sum_{i<=t} b2^(t-i) g_i^2
  //   w_t = w_{t-1} - alpha (m_t / (1 - b1^t)) / (sqrt(v_t / (1 - b2^t)) + eps)
  // alpha 0.1, b1 0.9, b2 0.999, eps 1e-8, w0 = (1, -0.5), g = (0.5, -1),
  // (-0.25, 2), (0.1, 0). The first step is alpha sign(g) (m_hat = g, v_hat =
  // g^2): w1 = (0.9, -0.4); then, e.g. entry 0 at t = 2: m = 0.02, v =
  // 0.00031225, m_hat = 0.105263, v_hat = 0.156203, step 0.0266337, w2 =
  // 0.873366; t = 3: w3 = (0.841842, -0.464910).
  constexpr double b1 = 0.9, b2 = 0.999, alpha = 0.1, eps = 1e-8;
  const std::vector<std::vector<double>> g = {{0.5, -1.0}, {-0.25, 2.0}, {0.1, 0.0}};
  Adam adam({.schedule = Constant(alpha), .beta1 = b1, .beta2 = b2, .epsilon = eps});
  EXPECT_EQ(adam.name(), "adam");
  Eigen::VectorXf w = Vec({1.0f, -0.5f});
  std::vector<double> expected = {1.0, -0.5};
  for (int t = 1; t <= 3; ++t) {
    for (std::size_t j = 0; j < 2; ++j) {
      double m = 0.0, v = 0.0;
      for (int i = 1; i <= t; ++i) {
        m += (1.0 - b1) * std::pow(b1, t - i) * g[i - 1][j];
        v += (1.0 - b2) * std::pow(b2, t - i) * g[i - 1][j] * g[i - 1][j];
      }
      const double m_hat = m / (1.0 - std::pow(b1, t)), v_hat = v / (1.0 - std::pow(b2, t));
      expected[j] -= alpha * m_hat / (std::sqrt(v_hat) + eps);
    }
    adam.apply(w, Vec({static_cast<float>(g[t - 1][0]), static_cast<float>(g[t - 1][1])}));
    EXPECT_NEAR(w[0], expected[0], kFloatTolerance) << "t = " << t;
    EXPECT_NEAR(w[1], expected[1], kFloatTolerance) << "t = " << t;
  }
  // The hand values of the comment above, so that the loop cannot agree with
  // a wrong formula by construction.
  EXPECT_NEAR(w[0], 0.8418419, kFloatTolerance);
  EXPECT_NEAR(w[1], -0.4649103, kFloatTolerance);
  EXPECT_EQ(adam.updates(), 3u);
}

TEST(Adam, L2DecayGoesThroughTheMoments) {
  // PyTorch's Adam: g' = g + wd w. w0 = 2, g = 0.5, wd 0.1, alpha 0.1:
  //   t = 1: g' = 0.7, first step alpha sign(g') = 0.1 -> w1 = 1.9
  //   t = 2: g' = 0.5 + 0.19 = 0.69; m = 0.9 x 0.07 + 0.069 = 0.132, m_hat =
  //          0.132 / 0.19 = 0.694737; v = 0.999 x 0.00049 + 0.000476100 =
  //          0.00096561, v_hat = 0.00096561 / 0.001999 = 0.483047;
  //          step 0.1 x 0.694737 / 0.695016 = 0.0999599 -> w2 = 1.800040.
  Adam adam({.schedule = Constant(0.1), .weight_decay = 0.1});
  Eigen::VectorXf w = Vec({2.0f});
  adam.apply(w, Vec({0.5f}));
  EXPECT_NEAR(w[0], 1.9, kFloatTolerance);
  adam.apply(w, Vec({0.5f}));
  EXPECT_NEAR(w[0], 1.8000401, kFloatTolerance);
}

TEST(AdamW, DecayIsDecoupledFromTheMoments) {
  // Loshchilov & Hutter 2019 as PyTorch's AdamW: w <- w (1 - rate wd), then
  // the Adam step on g alone. w0 = 2, g = 0.5 twice, wd 0.1, rate 0.1: with a
  // constant g, m_hat = g and v_hat = g^2, so each Adam step is 0.1:
  //   w1 = 2 x 0.99 - 0.1 = 1.88;  w2 = 1.88 x 0.99 - 0.1 = 1.7612.
  Adam adamw({.schedule = Constant(0.1), .weight_decay = 0.1, .decoupled_weight_decay = true});
  EXPECT_EQ(adamw.name(), "adamw");
  Eigen::VectorXf w = Vec({2.0f});
  adamw.apply(w, Vec({0.5f}));
  EXPECT_NEAR(w[0], 1.88, kFloatTolerance);
  adamw.apply(w, Vec({0.5f}));
  EXPECT_NEAR(w[0], 1.7612, kFloatTolerance);
  EXPECT_NEAR(adamw.first_moment()[0], 0.095, kFloatTolerance);  // 0.9 x 0.05 + 0.05
}

TEST(Adam, ResetRestartsTheBiasCorrection) {
  // After a reset the moments are fresh estimates again: the next step is
  // alpha sign(g) = 0.1 whatever came before (with k kept at 21 it would be
  // alpha (0.1 g / (1 - 0.9^21)) / sqrt(0.001 g^2 / (1 - 0.999^21)) ~ 0.016).
  Adam adam({.schedule = Constant(0.1)});
  Eigen::VectorXf w = Vec({0.0f});
  for (int i = 0; i < 20; ++i) adam.apply(w, Vec({-3.0f}));
  adam.reset();
  EXPECT_EQ(adam.first_moment()[0], 0.0f);
  const float before = w[0];
  adam.apply(w, Vec({0.25f}));
  EXPECT_NEAR(before - w[0], 0.1, kFloatTolerance);
  EXPECT_EQ(adam.updates(), 21u);  // the schedule keeps counting
}

TEST(Adagrad, TwoStepsByHand) {
  // Duchi et al. 2011, diagonal: G += g^2, w -= lr g / (sqrt(G) + eps).
  // lr 0.1, w0 = (1, -1): g1 = (0.3, -0.4): G = (0.09, 0.16), w1 = (0.9, -0.9);
  // g2 = (0.4, 0.3): G = (0.25, 0.25), w2 = (0.9 - 0.1 x 0.4 / 0.5,
  // -0.9 - 0.1 x 0.3 / 0.5) = (0.82, -0.96).
  Adagrad adagrad({.schedule = Constant(0.1)});
  Eigen::VectorXf w = Vec({1.0f, -1.0f});
  adagrad.apply(w, Vec({0.3f, -0.4f}));
  EXPECT_NEAR(w[0], 0.9, kFloatTolerance);
  EXPECT_NEAR(w[1], -0.9, kFloatTolerance);
  adagrad.apply(w, Vec({0.4f, 0.3f}));
  EXPECT_NEAR(w[0], 0.82, kFloatTolerance);
  EXPECT_NEAR(w[1], -0.96, kFloatTolerance);
  EXPECT_NEAR(adagrad.accumulator()[1], 0.25, kFloatTolerance);
}

TEST(Adagrad, InitialAccumulatorAndWeightDecay) {
  // G0 = 1.75, wd 0.5, lr 0.2, w0 = 2, g = 0.5: g' = 0.5 + 0.5 x 2 = 1.5,
  // G = 1.75 + 2.25 = 4, w1 = 2 - 0.2 x 1.5 / 2 = 1.85. reset() puts G back to
  // 1.75: g' = 0.5 + 0.5 x 1.85 = 1.425, G = 1.75 + 2.030625 = 3.780625,
  // sqrt 1.944383, w2 = 1.85 - 0.2 x 1.425 / 1.944383 = 1.703424.
  Adagrad adagrad({.schedule = Constant(0.2), .initial_accumulator = 1.75, .weight_decay = 0.5});
  Eigen::VectorXf w = Vec({2.0f});
  adagrad.apply(w, Vec({0.5f}));
  EXPECT_NEAR(w[0], 1.85, kFloatTolerance);
  adagrad.reset();
  EXPECT_EQ(adagrad.accumulator()[0], 1.75f);
  adagrad.apply(w, Vec({0.5f}));
  EXPECT_NEAR(w[0], 1.85 - 0.2 * 1.425 / std::sqrt(3.780625), kFloatTolerance);
  EXPECT_NEAR(w[0], 1.703424, kFloatTolerance);
}

TEST(Rmsprop, TwoStepsByHand) {
  // PyTorch's RMSprop: s = a s + (1 - a) g^2, w -= lr g / (sqrt(s) + eps).
  // alpha 0.9, lr 0.01, w0 = 1: g = 0.5: s = 0.025, sqrt 0.158114, w1 = 1 -
  // 0.0316228 = 0.968377; g = -0.5: s = 0.0225 + 0.025 = 0.0475, sqrt
  // 0.217945, w2 = 0.968377 + 0.0229416 = 0.991319.
  Rmsprop rmsprop({.schedule = Constant(0.01), .alpha = 0.9});
  Eigen::VectorXf w = Vec({1.0f});
  rmsprop.apply(w, Vec({0.5f}));
  EXPECT_NEAR(w[0], 0.9683772, kFloatTolerance);
  rmsprop.apply(w, Vec({-0.5f}));
  EXPECT_NEAR(w[0], 0.9913188, kFloatTolerance);
}

TEST(Rmsprop, CenteredWithMomentumTwoStepsByHand) {
  // Centered (Graves 2013) with momentum 0.5; alpha 0.9, lr 0.01, w0 = 1:
  //   g = 0.5:  s = 0.025, a = 0.05, d = sqrt(0.025 - 0.0025) = 0.15,
  //             b = 0.5 / 0.15 = 3.333333, w1 = 1 - 0.0333333 = 0.966667
  //   g = 0.25: s = 0.0225 + 0.00625 = 0.02875, a = 0.045 + 0.025 = 0.07,
  //             d = sqrt(0.02875 - 0.0049) = 0.154434, b = 0.5 x 3.333333 +
  //             0.25 / 0.154434 = 3.285476, w2 = 0.966667 - 0.0328548 = 0.933812
  Rmsprop rmsprop({.schedule = Constant(0.01), .alpha = 0.9, .momentum = 0.5, .centered = true});
  Eigen::VectorXf w = Vec({1.0f});
  rmsprop.apply(w, Vec({0.5f}));
  EXPECT_NEAR(w[0], 0.9666667, kFloatTolerance);
  rmsprop.apply(w, Vec({0.25f}));
  EXPECT_NEAR(w[0], 0.9338119, kFloatTolerance);
}

// One of each optimizer, clipping on and every option that adds state.
std::vector<std::unique_ptr<Optimizer>> EveryOptimizer(double clip_norm) {
  std::vector<std::unique_ptr<Optimizer>> all;
  all.push_back(std::make_unique<Sgd>(
      SgdOptions{.schedule = Constant(0.1), .momentum = 0.9, .weight_decay = 0.01, .clip_norm = clip_norm}));
  all.push_back(
      std::make_unique<Adam>(AdamOptions{.schedule = Constant(0.01), .weight_decay = 0.01, .clip_norm = clip_norm}));
  all.push_back(std::make_unique<Adam>(AdamOptions{
      .schedule = Constant(0.01), .weight_decay = 0.01, .decoupled_weight_decay = true, .clip_norm = clip_norm}));
  all.push_back(std::make_unique<Adagrad>(AdagradOptions{
      .schedule = Constant(0.1), .initial_accumulator = 0.1, .weight_decay = 0.01, .clip_norm = clip_norm}));
  all.push_back(std::make_unique<Rmsprop>(RmspropOptions{
      .schedule = Constant(0.01), .momentum = 0.5, .centered = true, .weight_decay = 0.01, .clip_norm = clip_norm}));
  return all;
}

Eigen::VectorXf Normal(Eigen::Index n, RandomStream& rng) {
  Eigen::VectorXf v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = static_cast<float>(rng.normal());
  return v;
}

TEST(Optimizer, ShardGivesTheWholeVectorsBitsOnItsRange) {
  // A parameter server holding entries [5, 22) of 37 with its own optimizer
  // state, given the whole gradient's norm, must reproduce the whole-vector
  // update bit for bit there (optimizer.h). Clipping at 1 triggers on these
  // gradients (norm ~ sqrt(37) ~ 6). Offset 5 also leaves the shard unaligned
  // for Eigen's packets.
  constexpr Eigen::Index kN = 37, kBegin = 5, kSize = 17;
  auto whole = EveryOptimizer(1.0);
  auto shard = EveryOptimizer(1.0);
  auto shard_norm = EveryOptimizer(1.0);
  for (std::size_t o = 0; o < whole.size(); ++o) {
    RandomStream rng = NamedStream(11, "test/optimizer/shard");
    const Eigen::VectorXf w0 = Normal(kN, rng);
    Eigen::VectorXf w_whole = w0, w_shard = w0, w_local = w0;
    bool differs_with_shard_norm = false;
    for (int step = 0; step < 3; ++step) {
      const Eigen::VectorXf g = Normal(kN, rng);
      const OptimizerUpdate a = whole[o]->apply(w_whole, g);
      const OptimizerUpdate b =
          shard[o]->apply_shard(w_shard.segment(kBegin, kSize), g.segment(kBegin, kSize), GradientNorm(g));
      shard_norm[o]->apply_shard(w_local.segment(kBegin, kSize), g.segment(kBegin, kSize),
                                 GradientNorm(g.segment(kBegin, kSize)));
      EXPECT_TRUE(a.clipped);
      EXPECT_EQ(a.gradient_norm, b.gradient_norm);
      EXPECT_TRUE((w_whole.segment(kBegin, kSize).array() == w_shard.segment(kBegin, kSize).array()).all())
          << whole[o]->name() << " step " << step;
      differs_with_shard_norm |=
          (w_local.segment(kBegin, kSize).array() != w_whole.segment(kBegin, kSize).array()).any();
    }
    // Outside the shard nothing moved.
    EXPECT_TRUE((w_shard.head(kBegin).array() == w0.head(kBegin).array()).all());
    EXPECT_TRUE((w_shard.tail(kN - kBegin - kSize).array() == w0.tail(kN - kBegin - kSize).array()).all());
    // The norm passed is the one clipping uses: the shard's own norm clips
    // less and gives other values.
    EXPECT_TRUE(differs_with_shard_norm) << whole[o]->name();
  }
}

TEST(Optimizer, ResetForgetsStateAndCloneCopiesIt) {
  // From the same state, a clone makes the same update; after reset(), the
  // next update equals a fresh optimizer's first one (Sgd: velocity 0; Adam:
  // moments 0 and bias correction from k = 1; AdaGrad: G back to its initial
  // value; RMSprop: averages and momentum 0), with the same learning rate.
  RandomStream rng = NamedStream(12, "test/optimizer/reset");
  const Eigen::VectorXf w0 = Normal(9, rng), g1 = Normal(9, rng), g2 = Normal(9, rng);
  auto used = EveryOptimizer(0.0);
  auto fresh = EveryOptimizer(0.0);
  for (std::size_t o = 0; o < used.size(); ++o) {
    Eigen::VectorXf w = w0;
    used[o]->apply(w, g1);
    const std::unique_ptr<Optimizer> copy = used[o]->clone();
    Eigen::VectorXf w_used = w0, w_copy = w0;
    used[o]->apply(w_used, g2);
    copy->apply(w_copy, g2);
    EXPECT_TRUE((w_used.array() == w_copy.array()).all()) << used[o]->name();
    used[o]->reset();
    Eigen::VectorXf w_reset = w0, w_fresh = w0;
    used[o]->apply(w_reset, g2);
    fresh[o]->apply(w_fresh, g2);
    EXPECT_TRUE((w_reset.array() == w_fresh.array()).all()) << used[o]->name();
    EXPECT_EQ(used[o]->updates(), 3u);
  }
}

TEST(Optimizer, StateKeepsItsSize) {
  Adam adam({.schedule = Constant(0.1)});
  Eigen::VectorXf w = Vec({1.0f, 2.0f});
  adam.apply(w, Vec({0.1f, 0.2f}));
  Eigen::VectorXf other = Vec({1.0f, 2.0f, 3.0f});
  EXPECT_THROW(adam.apply(other, Vec({0.1f, 0.2f, 0.3f})), std::invalid_argument);
  EXPECT_THROW(adam.apply(w, Vec({0.1f})), std::invalid_argument);
  EXPECT_THROW(adam.apply_shard(w, Vec({0.1f, 0.2f}), -1.0), std::invalid_argument);
  EXPECT_EQ(adam.updates(), 1u);
  // A NaN norm is a diverged gradient, applied (issue 20; optimizer.h), not
  // a bad argument.
  EXPECT_NO_THROW(adam.apply_shard(w, Vec({0.1f, 0.2f}), std::nan("")));
  EXPECT_EQ(adam.updates(), 2u);
}

void ExpectEveryField(const std::vector<std::string>& problems, const std::string& thrown,
                      std::initializer_list<const char*> fields) {
  EXPECT_EQ(problems.size(), fields.size());
  for (const char* field : fields) {
    bool named = false;
    for (const auto& p : problems) named |= p.find(field) != std::string::npos;
    EXPECT_TRUE(named) << field << " not named by any problem";
    EXPECT_NE(thrown.find(field), std::string::npos) << field << " missing from: " << thrown;
  }
}

std::string Thrown(const std::function<void()>& make) {
  try {
    make();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(nothing thrown)";
}

TEST(OptimizerProblems, EveryBadOptionIsNamed) {
  const ScheduleSpec bad_rate{.base_rate = -1.0};
  const AdamOptions adam{.schedule = bad_rate,
                         .beta1 = 1.0,
                         .beta2 = -0.1,
                         .epsilon = 0.0,
                         .weight_decay = -1.0,
                         .clip_norm = std::nan("")};
  ExpectEveryField(AdamProblems(adam), Thrown([&] { Adam a(adam); }),
                   {"learning rate", "beta1", "beta2", "epsilon", "weight_decay", "clip_norm"});
  const AdagradOptions adagrad{.schedule = bad_rate,
                               .epsilon = -1e-10,
                               .initial_accumulator = -1.0,
                               .weight_decay = INFINITY,
                               .clip_norm = -1.0};
  ExpectEveryField(AdagradProblems(adagrad), Thrown([&] { Adagrad a(adagrad); }),
                   {"learning rate", "epsilon", "initial_accumulator", "weight_decay", "clip_norm"});
  const RmspropOptions rmsprop{
      .schedule = bad_rate, .alpha = 1.0, .epsilon = 0.0, .momentum = 1.5, .weight_decay = -1.0, .clip_norm = -1.0};
  ExpectEveryField(RmspropProblems(rmsprop), Thrown([&] { Rmsprop r(rmsprop); }),
                   {"learning rate", "alpha", "epsilon", "momentum", "weight_decay", "clip_norm"});
  EXPECT_TRUE(AdamProblems({}).empty());
  EXPECT_TRUE(AdagradProblems({}).empty());
  EXPECT_TRUE(RmspropProblems({}).empty());
}

}  // namespace
}  // namespace sim::models

// PowerSGD (Vogels et al. 2019; models/compression/power_sgd.h) against
// linear algebra: exact recovery of a low-rank matrix, the Eckart-Young
// optimum after enough power iterations, reduction in the compressed domain,
// and error feedback's bookkeeping.
#include <gtest/gtest.h>

#include <Eigen/QR>
#include <Eigen/SVD>

#include <cmath>
#include <cstdio>
#include <vector>

#include "models/compression/power_sgd.h"
#include "sim/core/random.h"

namespace sim::models {
namespace {

Eigen::MatrixXf Normal(Eigen::Index rows, Eigen::Index cols, RandomStream& rng) {
  Eigen::MatrixXf m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = static_cast<float>(rng.normal());
  }
  return m;
}

// An orthonormal basis of `columns` random directions in R^rows.
Eigen::MatrixXd Orthonormal(Eigen::Index rows, Eigen::Index columns, RandomStream& rng) {
  const Eigen::MatrixXd a = Normal(rows, columns, rng).cast<double>();
  return a.householderQr().householderQ() * Eigen::MatrixXd::Identity(rows, columns);
}

CompressionOptions Power(std::uint32_t rank, std::uint32_t iterations, bool error_feedback) {
  return {.scheme = CompressionScheme::kPowerSgd,
          .rank = rank,
          .power_iterations = iterations,
          .error_feedback = error_feedback};
}

// The vector [matrix (column-major), then `tail` entries 1, 2, ...].
Eigen::VectorXf Flat(const Eigen::MatrixXf& m, Eigen::Index tail) {
  Eigen::VectorXf v(m.size() + tail);
  v.head(m.size()) = Eigen::Map<const Eigen::VectorXf>(m.data(), m.size());
  for (Eigen::Index i = 0; i < tail; ++i) v[m.size() + i] = static_cast<float>(i + 1);
  return v;
}

TEST(PowerSgd, RecoversARankRMatrix) {
  // M = A B^T of rank 2 (30 x 20). P = M Q spans M's column space for a
  // generic Q, so one power iteration gives P P^T M = M (Vogels et al. 2019,
  // section 3): exact up to float rounding, ~1e-6 relative. Rank 1 cannot:
  // its error is at least M's second singular value.
  RandomStream rng = NamedStream(21, "test/power_sgd/low_rank");
  const Eigen::MatrixXf m = Normal(30, 2, rng) * Normal(20, 2, rng).transpose();
  const std::vector<MatrixShape> shapes = {{30, 20, 0}};
  const Eigen::VectorXf g = Flat(m, 5);  // and 5 bias entries
  const Eigen::VectorXf* gradients[] = {&g};
  PowerSgd rank2(Power(2, 1, false), g.size(), shapes, 1, NamedStream(21, "q"));
  Eigen::VectorXf applied;
  rank2.reduce(gradients, applied);
  EXPECT_LT((applied - g).norm(), 1e-5 * g.norm());
  EXPECT_EQ(applied.tail(5), g.tail(5));  // biases pass whole
  PowerSgd rank1(Power(1, 1, false), g.size(), shapes, 1, NamedStream(21, "q"));
  rank1.reduce(gradients, applied);
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(m.cast<double>());
  EXPECT_GE((applied - g).cast<double>().norm(), 0.999 * svd.singularValues()[1]);
}

TEST(PowerSgd, EnoughIterationsReachTheBestRankRApproximation) {
  // M = U diag(10, 5, 1, 0.5, 0.2, 0.1) V^T (40 x 25). Eckart-Young: the best
  // rank-2 approximation misses sqrt(1 + 0.25 + 0.04 + 0.01) = 1.140175 in
  // Frobenius norm. Subspace iteration converges like (sigma_3 / sigma_2)^i =
  // 0.2^i: after 8 iterations the excess is far below 0.1%; after 1 from a
  // random Q it is not.
  RandomStream rng = NamedStream(22, "test/power_sgd/spectrum");
  const Eigen::VectorXd sigma = (Eigen::VectorXd(6) << 10, 5, 1, 0.5, 0.2, 0.1).finished();
  const Eigen::MatrixXd u = Orthonormal(40, 6, rng), v = Orthonormal(25, 6, rng);
  const Eigen::MatrixXf m = (u * sigma.asDiagonal() * v.transpose()).cast<float>();
  const double optimum = std::sqrt(1 + 0.25 + 0.04 + 0.01);
  const std::vector<MatrixShape> shapes = {{40, 25, 0}};
  const Eigen::VectorXf g = Flat(m, 0);
  const Eigen::VectorXf* gradients[] = {&g};
  Eigen::VectorXf applied;
  PowerSgd many(Power(2, 8, false), g.size(), shapes, 1, NamedStream(22, "q"));
  many.reduce(gradients, applied);
  const double error = (applied - g).cast<double>().norm();
  std::printf("power_sgd rank 2, 8 iterations: error %.6f, Eckart-Young optimum %.6f\n", error, optimum);
  EXPECT_NEAR(error, optimum, 1e-3 * optimum);
  PowerSgd one(Power(2, 1, false), g.size(), shapes, 1, NamedStream(22, "q"));
  one.reduce(gradients, applied);
  EXPECT_GT((applied - g).cast<double>().norm(), 1.001 * optimum);
  // The warm start carries Q from step to step: eight one-iteration steps on
  // the same matrix equal one eight-iteration step.
  for (int step = 1; step < 8; ++step) one.reduce(gradients, applied);
  EXPECT_NEAR((applied - g).cast<double>().norm(), optimum, 1e-3 * optimum);
}

TEST(PowerSgd, ReducesInTheCompressedDomain) {
  // Linearity (Vogels et al. 2019, section 3): sum_w M_w Q = (sum_w M_w) Q, so
  // three workers reducing their factors get what one worker gets on the
  // mean gradient, up to float rounding of the sums' different order.
  RandomStream rng = NamedStream(23, "test/power_sgd/workers");
  const std::vector<MatrixShape> shapes = {{12, 9, 0}, {6, 4, 110}};  // entries 108..109 and 134..136 outside
  constexpr Eigen::Index kN = 137;
  std::vector<Eigen::VectorXf> g;
  for (int w = 0; w < 3; ++w) g.push_back(Normal(kN, 1, rng));
  const Eigen::VectorXf* gradients[] = {&g[0], &g[1], &g[2]};
  const Eigen::VectorXf mean = (g[0] + g[1] + g[2]) / 3.0f;
  const Eigen::VectorXf* mean_only[] = {&mean};
  PowerSgd group(Power(2, 2, false), kN, shapes, 3, NamedStream(23, "q"));
  PowerSgd single(Power(2, 2, false), kN, shapes, 1, NamedStream(23, "q"));
  Eigen::VectorXf from_group, from_mean;
  for (int step = 0; step < 3; ++step) {
    group.reduce(gradients, from_group);
    single.reduce(mean_only, from_mean);
    EXPECT_LT((from_group - from_mean).norm(), 1e-5 * from_mean.norm()) << step;
  }
  EXPECT_NEAR(from_group[108], mean[108], 1e-6);
  EXPECT_NEAR(from_group[136], mean[136], 1e-6);
  // A rank-2 reduction of 12 x 9 random matrices is not the mean itself.
  EXPECT_GT((from_group - mean).norm(), 0.1f * mean.norm());
}

TEST(PowerSgd, ErrorFeedbackKeepsWhatTheMeanLost) {
  // e_w = M_w - P Q^T with M_w = g_w + e_w (power_sgd.h): for each worker,
  // applied_t = g_w,t + e_w,t - e_w,t+1, so summed over T steps and averaged
  // over the workers, sum applied + mean_w e_w,T+1 = sum_t mean_w g_w,t,
  // whatever P and Q are. In float M_w and e_w,t+1 are rounded once per entry
  // and step (u = 2^-24 relative), and outside the matrices the mean of two
  // floats once: per entry the gap is at most
  //   sum_t mean_w u (|g_w,t| + |e_w,t| + (1 + 2u) |e_w,t+1|) + u |mean_w g_w,t|.
  RandomStream rng = NamedStream(24, "test/power_sgd/ef");
  const std::vector<MatrixShape> shapes = {{10, 8, 0}};
  constexpr Eigen::Index kN = 83;
  constexpr int kSteps = 15;
  constexpr double u = 0x1.0p-24;
  PowerSgd power(Power(1, 1, true), kN, shapes, 2, NamedStream(24, "q"));
  Eigen::ArrayXd applied_sum = Eigen::ArrayXd::Zero(kN), raw_sum = Eigen::ArrayXd::Zero(kN);
  Eigen::ArrayXd bound = Eigen::ArrayXd::Zero(kN);
  Eigen::VectorXf applied;
  for (int t = 0; t < kSteps; ++t) {
    const Eigen::VectorXf g0 = Normal(kN, 1, rng), g1 = Normal(kN, 1, rng);
    const Eigen::VectorXf* gradients[] = {&g0, &g1};
    const Eigen::ArrayXd e0 = power.residual(0).cast<double>().array().abs();
    const Eigen::ArrayXd e1 = power.residual(1).cast<double>().array().abs();
    power.reduce(gradients, applied);
    const Eigen::ArrayXd mean_g = 0.5 * (g0.cast<double>().array() + g1.cast<double>().array());
    applied_sum += applied.cast<double>().array();
    raw_sum += mean_g;
    bound += 0.5 * u *
                 (g0.cast<double>().array().abs() + g1.cast<double>().array().abs() + e0 + e1 +
                  (1 + 2 * u) * (power.residual(0).cast<double>().array().abs() +
                                 power.residual(1).cast<double>().array().abs())) +
             u * mean_g.abs();
  }
  const Eigen::ArrayXd residual_mean =
      0.5 * (power.residual(0).cast<double>().array() + power.residual(1).cast<double>().array());
  const Eigen::ArrayXd gap = (applied_sum + residual_mean - raw_sum).abs();
  std::printf("power_sgd error feedback, 2 workers, %d steps: largest gap %.3g (its bound %.3g)\n", kSteps,
              gap.maxCoeff(), bound.maxCoeff());
  EXPECT_TRUE((gap <= bound).all());
  EXPECT_GT(residual_mean.matrix().norm(), 1.0);  // rank 1 of 10 x 8 holds much back
  EXPECT_GT((applied_sum - raw_sum).abs().maxCoeff(), 100 * bound.maxCoeff());
  EXPECT_EQ(power.residual(0).tail(3).squaredNorm(), 0.0f);  // no residual outside the matrices
  power.reset();
  EXPECT_EQ(power.residual(1).squaredNorm(), 0.0f);
}

TEST(PowerSgd, ChecksItsInputs) {
  const std::vector<MatrixShape> shapes = {{4, 4, 0}};
  PowerSgd power(Power(2, 1, true), 16, shapes, 2, NamedStream(1, "q"));
  const Eigen::VectorXf g = Eigen::VectorXf::Ones(16), short_g = Eigen::VectorXf::Ones(15);
  Eigen::VectorXf applied;
  const Eigen::VectorXf* one[] = {&g};
  EXPECT_THROW(power.reduce(one, applied), std::invalid_argument);
  const Eigen::VectorXf* mismatched[] = {&g, &short_g};
  EXPECT_THROW(power.reduce(mismatched, applied), std::invalid_argument);
  Eigen::VectorXf g2 = g;
  const Eigen::VectorXf* aliased[] = {&g, &g2};
  EXPECT_THROW(power.reduce(aliased, g2), std::invalid_argument);
  EXPECT_THROW(PowerSgd(Power(2, 1, true), 16, shapes, 0, NamedStream(1, "q")), std::invalid_argument);
}

TEST(PowerSgd, OrthonormalisesColumnsInOrder) {
  // Gram-Schmidt of (1, 1, 0), (1, 0, 0), (0, 0, 0): q1 = (1, 1, 0)/sqrt 2;
  // q2 = (1/2, -1/2, 0) normalised = (1, -1, 0)/sqrt 2; a zero column stays 0.
  Eigen::MatrixXf m(3, 3);
  m << 1, 1, 0,  //
      1, 0, 0,   //
      0, 0, 0;
  OrthonormaliseColumns(m);
  const float h = std::sqrt(0.5f);
  EXPECT_NEAR(m(0, 0), h, 1e-6);
  EXPECT_NEAR(m(1, 0), h, 1e-6);
  EXPECT_NEAR(m(0, 1), h, 1e-6);
  EXPECT_NEAR(m(1, 1), -h, 1e-6);
  EXPECT_EQ(m.col(2).squaredNorm(), 0.0f);
}

TEST(PowerSgd, AZeroGradientDoesNotKillTheWarmStart) {
  // A zero matrix gives P = 0 and Q = M^T P = 0; Q then keeps its previous
  // value, so that the next (rank-1) gradient is still recovered exactly.
  const std::vector<MatrixShape> shapes = {{6, 5, 0}};
  PowerSgd power(Power(1, 1, false), 30, shapes, 1, NamedStream(25, "q"));
  const Eigen::VectorXf zero = Eigen::VectorXf::Zero(30);
  RandomStream rng = NamedStream(25, "test/power_sgd/zero");
  const Eigen::VectorXf g = Flat(Normal(6, 1, rng) * Normal(5, 1, rng).transpose(), 0);
  Eigen::VectorXf applied;
  const Eigen::VectorXf* zeros[] = {&zero};
  power.reduce(zeros, applied);
  EXPECT_EQ(applied.squaredNorm(), 0.0f);
  EXPECT_GT(power.q(0).norm(), 0.0f);
  const Eigen::VectorXf* rank_one[] = {&g};
  power.reduce(rank_one, applied);
  EXPECT_LT((applied - g).norm(), 1e-5 * g.norm());
}

}  // namespace
}  // namespace sim::models

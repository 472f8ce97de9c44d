// The order in which a synchronous update adds the workers' vectors
// (sim/training/summation_order.h), on values where the association shows:
// at 1e8 a float's spacing is 8, so 1e8 + 1 rounds back to 1e8 while
// (1e8 - 1e8) + 1 is 1. Each expected value is worked out by hand in the
// comment beside it from the tree the algorithm forms.
#include "sim/training/summation_order.h"

#include <gtest/gtest.h>

#include <random>

#include "sim/collectives/schedule.h"

namespace sim {
namespace {

// p vectors of `n` elements, every element of vector k equal to values[k].
std::vector<Eigen::VectorXf> Constant(const std::vector<float>& values, Eigen::Index n) {
  std::vector<Eigen::VectorXf> v;
  for (float x : values) v.push_back(Eigen::VectorXf::Constant(n, x));
  return v;
}

Eigen::VectorXf Sum(const std::vector<Eigen::VectorXf>& vectors, SummationOrder order) {
  std::vector<const Eigen::VectorXf*> in_rank_order;
  for (const auto& v : vectors) in_rank_order.push_back(&v);
  Eigen::VectorXf out;
  std::vector<Eigen::VectorXf> workspace;
  SumInOrder(in_rank_order, order, out, workspace);
  return out;
}

TEST(SummationOrder, PiecesAreTheCollectivesPartitionInElements) {
  for (std::int64_t n = 0; n <= 20; ++n) {
    for (std::int64_t p = 1; p <= 6; ++p) {
      for (std::int64_t i = 0; i < p; ++i) {
        const collectives::ByteRange bytes = collectives::Partition({0, n}, p, i);
        const ElementRange elements = ElementPiece(n, p, i);
        EXPECT_EQ(elements.begin, bytes.offset) << n << " " << p << " " << i;
        EXPECT_EQ(elements.size(), bytes.length) << n << " " << p << " " << i;
      }
    }
  }
}

TEST(SummationOrder, RankOrderAddsFromTheFirstRank) {
  // ((1e8 + 1) + -1e8) = (1e8) - 1e8 = 0.
  EXPECT_EQ(Sum(Constant({1e8f, 1.0f, -1e8f}, 3), SummationOrder::kRankOrder), Eigen::VectorXf::Zero(3));
}

TEST(SummationOrder, RingStartsEachPieceAtTheNextMember) {
  // p = 3, one element per piece. Piece c is (g(c+1) + g(c+2)) + g(c):
  //   piece 0: (1 + -1e8) + 1e8 = -1e8 + 1e8 = 0
  //   piece 1: (-1e8 + 1e8) + 1 = 1
  //   piece 2: (1e8 + 1) + -1e8 = 0
  const Eigen::VectorXf ring = Sum(Constant({1e8f, 1.0f, -1e8f}, 3), SummationOrder::kRing);
  EXPECT_EQ(ring, Eigen::Vector3f(0.0f, 1.0f, 0.0f));
}

TEST(SummationOrder, RingPiecesOfUnequalLengthKeepTheirOrder) {
  // 7 elements in 3 pieces: [0, 3), [3, 5), [5, 7); the same three values in
  // every element, so each piece's value is the one above.
  const Eigen::VectorXf ring = Sum(Constant({1e8f, 1.0f, -1e8f}, 7), SummationOrder::kRing);
  Eigen::VectorXf expected(7);
  expected << 0, 0, 0, 1, 1, 0, 0;
  EXPECT_EQ(ring, expected);
}

TEST(SummationOrder, RecursiveDoublingIsABalancedTreeForPowersOfTwo) {
  // p = 4: (g0 + g1) + (g2 + g3) = (1 + 1e8) + (-1e8 + 1) = 1e8 + -1e8 = 0,
  // where rank order gives ((1e8) - 1e8) + 1 = 1.
  const auto g = Constant({1.0f, 1e8f, -1e8f, 1.0f}, 5);
  EXPECT_EQ(Sum(g, SummationOrder::kRecursiveDoubling), Eigen::VectorXf::Zero(5));
  EXPECT_EQ(Sum(g, SummationOrder::kRankOrder), Eigen::VectorXf::Ones(5));
}

TEST(SummationOrder, RecursiveDoublingFoldsTheFirstPairsOfOtherCounts) {
  // p = 6 = 4 + 2: ranks 0-3 fold in pairs, a = (g0 + g1, g2 + g3, g4, g5):
  //   ((1 + 1e8) + (-1e8 + 1)) + (1 + 1) = (1e8 - 1e8) + 2 = 2
  // (rank order: 1e8, 0, 1, 2, 3).
  const auto six = Constant({1.0f, 1e8f, -1e8f, 1.0f, 1.0f, 1.0f}, 2);
  EXPECT_EQ(Sum(six, SummationOrder::kRecursiveDoubling), Eigen::VectorXf::Constant(2, 2.0f));
  EXPECT_EQ(Sum(six, SummationOrder::kRankOrder), Eigen::VectorXf::Constant(2, 3.0f));
  // p = 5 = 4 + 1: a = (g0 + g1, g2, g3, g4):
  //   ((1 + 1) + 1e8) + (-1e8 + 1) = 1e8 + -1e8 = 0 (1e8 + 2 rounds to 1e8);
  // rank order: 2, 1e8, 0, 1.
  const auto five = Constant({1.0f, 1.0f, 1e8f, -1e8f, 1.0f}, 2);
  EXPECT_EQ(Sum(five, SummationOrder::kRecursiveDoubling), Eigen::VectorXf::Zero(2));
  EXPECT_EQ(Sum(five, SummationOrder::kRankOrder), Eigen::VectorXf::Constant(2, 1.0f));
}

TEST(SummationOrder, EveryTreeIsRankOrderForTwoOrThreeMembersWhereItMustBe) {
  // Two members: a + b = b + a (float addition commutes). Three: recursive
  // doubling folds (g0 + g1) and adds g2, which is rank order.
  std::mt19937 random(5);
  std::normal_distribution<float> normal;
  for (int p : {1, 2, 3}) {
    std::vector<Eigen::VectorXf> g(static_cast<std::size_t>(p), Eigen::VectorXf(101));
    for (auto& v : g) {
      for (auto& x : v) x = normal(random);
    }
    const Eigen::VectorXf rank_order = Sum(g, SummationOrder::kRankOrder);
    EXPECT_EQ(Sum(g, SummationOrder::kRecursiveDoubling), rank_order) << p;
    if (p <= 2) {
      EXPECT_EQ(Sum(g, SummationOrder::kRing), rank_order) << p;
    }
  }
}

TEST(SummationOrder, EveryOrderIsTheSameSumUpToRounding) {
  std::mt19937 random(7);
  std::normal_distribution<float> normal;
  for (int p : {4, 7, 8, 13}) {
    std::vector<Eigen::VectorXf> g(static_cast<std::size_t>(p), Eigen::VectorXf(257));
    for (auto& v : g) {
      for (auto& x : v) x = normal(random);
    }
    const Eigen::VectorXf rank_order = Sum(g, SummationOrder::kRankOrder);
    for (auto order : {SummationOrder::kRing, SummationOrder::kRecursiveDoubling}) {
      const Eigen::VectorXf other = Sum(g, order);
      EXPECT_LE((other - rank_order).cwiseAbs().maxCoeff(), 1e-5f) << p;
      EXPECT_NE(other, rank_order) << p << ": the orders should differ somewhere in 257 random sums";
    }
  }
}

}  // namespace
}  // namespace sim

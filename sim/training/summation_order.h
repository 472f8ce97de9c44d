// The order in which a synchronous update adds the workers' vectors.
//
// Float addition is commutative but not associative, so the same gradients
// summed along two different trees differ in their last bits, and training
// amplifies that: on a 512-wide MLP at p = 4, a real ring run and a
// rank-order simulation were 1e-7 apart at step 40 and 2.3e-3 at step 120
// (validate/README.md). The simulation therefore adds the vectors along the
// tree the all-reduce really forms, element by element, so that a real run of
// the same algorithm is reproduced to the bit (tests/validate/
// mpi_train_test.cc checks it against validate/mpi_train):
//
// - kRankOrder: ((g0 + g1) + g2) + ... + g(p-1). A parameter server's sum,
//   and the model of the all-reduces whose tree is not modelled
//   (hierarchical, binary trees, direct).
// - kRing: a ring all-reduce (Patarasuk & Yuan 2009; sim/collectives/ring.h,
//   validate/mpi_train/ring_allreduce.cc). The vector is cut into p pieces
//   (ElementPiece); member i ends the reduce-scatter with piece i, which
//   started at member i + 1 and gained one member's values at each hop:
//   piece c = ((g(c+1) + g(c+2)) + ...) + g(c), indices mod p.
// - kRecursiveDoubling: Open MPI 4.1's Rabenseifner (reduce-scatter by
//   recursive halving with distance doubling) and its recursive doubling
//   (coll_base_allreduce.c; Thakur, Rabenseifner & Gropp 2005, sec. 4.4).
//   With p' the largest power of two <= p and r = p - p', the first 2r ranks
//   fold in pairs, a(v) = g(2v) + g(2v+1) for v < r, a(v) = g(v + r) for the
//   others; then partners at distance 1, 2, 4, ... add, a balanced tree over
//   a(0..p'-1): ((a0 + a1) + (a2 + a3)) + ... The same for every element.
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <span>
#include <vector>

namespace sim {

enum class SummationOrder { kRankOrder, kRing, kRecursiveDoubling };

// Elements [begin, end).
struct ElementRange {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  [[nodiscard]] std::int64_t size() const noexcept { return end - begin; }
};

// Piece `index` of `count` elements cut into `parts`: the first count % parts
// pieces are one element longer (collectives::Partition's rule, in elements).
[[nodiscard]] ElementRange ElementPiece(std::int64_t count, std::int64_t parts, std::int64_t index) noexcept;

// out = the sum of `in_rank_order` (all of one size, at least one), added as
// `order` says. `workspace` holds the partial sums of kRecursiveDoubling
// between calls (no allocation once sized).
void SumInOrder(std::span<const Eigen::VectorXf* const> in_rank_order, SummationOrder order,
                Eigen::VectorXf& out, std::vector<Eigen::VectorXf>& workspace);

}  // namespace sim

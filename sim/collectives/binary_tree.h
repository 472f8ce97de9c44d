// Pipelined binary trees (Sanders, Speck & Traeff 2009, "Two-tree algorithms
// for full bandwidth broadcast, reduction and scan", Parallel Computing 35).
//
// The tree is the in-order binary tree over positions 1..m: the root is the
// largest power of two <= m and a node's subtrees are the ranges left and right
// of it, each rooted at its member with the most trailing zero bits. Every odd
// position is a leaf and, for m >= 2, every even one is interior, which is what
// the double tree needs. Depth is floor(log2 m).
//
// Data is cut into chunks (CollectiveSpec::chunk; 0: one chunk), and a chunk
// moves up (reduce) or down (broadcast) as soon as it has arrived, so with k
// chunks an all-reduce takes about 2 depth + k chunk-steps, not 2 depth x k.
//
// The double binary tree runs two such trees at once, each on half of the
// data. Tree 2 is tree 1 shifted by one position (rank x sits at position x+1
// in tree 1 and at position x in tree 2, position 0 meaning m), so for even m
// the leaves of one tree are the interior nodes of the other and every member
// sends and receives about the same volume. For odd m one member is a leaf of
// both (Sanders et al. mirror the tree instead; the imbalance is the same).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/collectives/schedule.h"

namespace sim::collectives {

// Shape of the in-order binary tree over m nodes, indexed by position 0..m-1
// (position i of the paper is index i-1).
struct BinaryTreeShape {
  static constexpr std::uint32_t kNone = 0xffffffffu;
  std::uint32_t root = kNone;
  std::vector<std::uint32_t> parent;                // kNone for the root
  std::vector<std::vector<std::uint32_t>> children;  // at most two
  // Nodes with every child before its parent (leaves first, root last).
  std::vector<std::uint32_t> post_order;
};

[[nodiscard]] BinaryTreeShape InOrderBinaryTree(std::uint32_t m);

// `node_rank[i]` is the member at tree position i.
void TreeAllReduce(Schedule& schedule, const BinaryTreeShape& tree, std::span<const Rank> node_rank,
                   ByteRange range, Bytes chunk, Frontier& frontier);
void TreeBroadcast(Schedule& schedule, const BinaryTreeShape& tree, std::span<const Rank> node_rank,
                   ByteRange range, Bytes chunk, Frontier& frontier);
void TreeReduce(Schedule& schedule, const BinaryTreeShape& tree, std::span<const Rank> node_rank,
                ByteRange range, Bytes chunk, Frontier& frontier);

// All-reduce over `members` on one tree (members[i] at position i).
void BinaryTreeAllReduce(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                         Frontier& frontier);
// All-reduce over `members` on two trees, the first half of `range` on tree 1.
void DoubleBinaryTreeAllReduce(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                               Frontier& frontier);
// Broadcast from / reduce to members[0]: members are rotated so that
// members[0] sits at the tree's root.
void BinaryTreeBroadcast(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                         Frontier& frontier);
void BinaryTreeReduce(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                      Frontier& frontier);

}  // namespace sim::collectives

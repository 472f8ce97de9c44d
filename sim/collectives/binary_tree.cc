#include "sim/collectives/binary_tree.h"

#include <algorithm>
#include <bit>

#include "sim/collectives/phase_channels.h"
#include "sim/collectives/ring.h"

namespace sim::collectives {
namespace {

// Root of the in-order subtree over 1-based positions [lo, hi]: the position
// with the most trailing zero bits.
std::uint32_t SubtreeRoot(std::uint32_t lo, std::uint32_t hi) noexcept {
  for (int b = 31; b >= 0; --b) {
    const std::uint32_t x = (hi >> b) << b;
    if (x >= lo && x != 0) return x;
  }
  return hi;
}

// Adds 1-based range [lo, hi] under `parent` (0-based index, or kNone).
std::uint32_t Build(BinaryTreeShape& tree, std::uint32_t lo, std::uint32_t hi, std::uint32_t parent) {
  if (lo > hi) return BinaryTreeShape::kNone;
  const std::uint32_t pos = SubtreeRoot(lo, hi);
  const std::uint32_t node = pos - 1;
  tree.parent[node] = parent;
  for (auto [a, b] : {std::pair{lo, pos - 1}, std::pair{pos + 1, hi}}) {
    const std::uint32_t child = Build(tree, a, b, node);
    if (child != BinaryTreeShape::kNone) tree.children[node].push_back(child);
  }
  tree.post_order.push_back(node);
  return node;
}

enum class Direction { kUp, kDown, kUpThenDown };

// One tree on `range`, chunk by chunk, on `lane` of `channels`.
void RunTree(PhaseChannels& channels, const BinaryTreeShape& tree, std::span<const Rank> node_rank,
             ByteRange range, Bytes chunk, Direction direction, std::uint32_t lane) {
  const std::size_t m = tree.parent.size();
  if (m < 2) return;
  const bool up = direction != Direction::kDown;
  const bool down = direction != Direction::kUp;
  const std::int64_t chunks = ChunkCount(range.length, chunk);
  std::vector<TransferId> up_id(m);    // node -> parent, this chunk
  std::vector<TransferId> down_id(m);  // parent -> node, this chunk
  std::vector<TransferId> deps;
  for (std::int64_t c = 0; c < chunks; ++c) {
    const ByteRange piece = Partition(range, chunks, c);
    if (up) {
      for (std::uint32_t node : tree.post_order) {
        if (node == tree.root) continue;
        deps.clear();
        for (std::uint32_t child : tree.children[node]) deps.push_back(up_id[child]);
        up_id[node] = channels.send(node_rank[node], node_rank[tree.parent[node]], piece, Combine::kReduce, deps, lane);
      }
    }
    if (down) {
      for (auto it = tree.post_order.rbegin(); it != tree.post_order.rend(); ++it) {
        const std::uint32_t node = *it;
        if (node == tree.root) continue;
        const std::uint32_t parent = tree.parent[node];
        deps.clear();
        if (parent != tree.root) {
          deps.push_back(down_id[parent]);
        } else if (up) {
          for (std::uint32_t child : tree.children[parent]) deps.push_back(up_id[child]);
        }
        down_id[node] = channels.send(node_rank[parent], node_rank[node], piece, Combine::kCopy, deps, lane);
      }
    }
  }
}

void Tree(Schedule& schedule, const BinaryTreeShape& tree, std::span<const Rank> node_rank, ByteRange range,
          Bytes chunk, Frontier& frontier, Direction direction) {
  PhaseChannels channels(schedule, frontier);
  RunTree(channels, tree, node_rank, range, chunk, direction, 0);
  channels.finish(frontier);
}

// node_rank[i] = members[(i + shift) mod m].
std::vector<Rank> Rotated(std::span<const Rank> members, std::size_t shift) {
  std::vector<Rank> out(members.size());
  for (std::size_t i = 0; i < members.size(); ++i) out[i] = members[(i + shift) % members.size()];
  return out;
}

}  // namespace

BinaryTreeShape InOrderBinaryTree(std::uint32_t m) {
  BinaryTreeShape tree;
  tree.parent.assign(m, BinaryTreeShape::kNone);
  tree.children.assign(m, {});
  tree.post_order.reserve(m);
  if (m > 0) tree.root = Build(tree, 1, m, BinaryTreeShape::kNone);
  return tree;
}

void TreeAllReduce(Schedule& schedule, const BinaryTreeShape& tree, std::span<const Rank> node_rank,
                   ByteRange range, Bytes chunk, Frontier& frontier) {
  Tree(schedule, tree, node_rank, range, chunk, frontier, Direction::kUpThenDown);
}

void TreeBroadcast(Schedule& schedule, const BinaryTreeShape& tree, std::span<const Rank> node_rank,
                   ByteRange range, Bytes chunk, Frontier& frontier) {
  Tree(schedule, tree, node_rank, range, chunk, frontier, Direction::kDown);
}

void TreeReduce(Schedule& schedule, const BinaryTreeShape& tree, std::span<const Rank> node_rank,
                ByteRange range, Bytes chunk, Frontier& frontier) {
  Tree(schedule, tree, node_rank, range, chunk, frontier, Direction::kUp);
}

void BinaryTreeAllReduce(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                         Frontier& frontier) {
  const BinaryTreeShape tree = InOrderBinaryTree(static_cast<std::uint32_t>(members.size()));
  TreeAllReduce(schedule, tree, members, range, chunk, frontier);
}

void DoubleBinaryTreeAllReduce(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                               Frontier& frontier) {
  const BinaryTreeShape tree = InOrderBinaryTree(static_cast<std::uint32_t>(members.size()));
  const std::vector<Rank> shifted = Rotated(members, 1);
  PhaseChannels channels(schedule, frontier);
  RunTree(channels, tree, members, Partition(range, 2, 0), chunk, Direction::kUpThenDown, 0);
  RunTree(channels, tree, shifted, Partition(range, 2, 1), chunk, Direction::kUpThenDown, 1);
  channels.finish(frontier);
}

void BinaryTreeBroadcast(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                         Frontier& frontier) {
  const auto m = static_cast<std::uint32_t>(members.size());
  if (m < 2) return;
  const BinaryTreeShape tree = InOrderBinaryTree(m);
  TreeBroadcast(schedule, tree, Rotated(members, m - tree.root), range, chunk, frontier);
}

void BinaryTreeReduce(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                      Frontier& frontier) {
  const auto m = static_cast<std::uint32_t>(members.size());
  if (m < 2) return;
  const BinaryTreeShape tree = InOrderBinaryTree(m);
  TreeReduce(schedule, tree, Rotated(members, m - tree.root), range, chunk, frontier);
}

}  // namespace sim::collectives

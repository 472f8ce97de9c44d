#include "sim/training/summation_order.h"

#include <bit>
#include <cassert>

namespace sim {

ElementRange ElementPiece(std::int64_t count, std::int64_t parts, std::int64_t index) noexcept {
  const std::int64_t base = count / parts, extra = count % parts;
  const std::int64_t begin = index * base + (index < extra ? index : extra);
  return {begin, begin + base + (index < extra ? 1 : 0)};
}

namespace {

using Vectors = std::span<const Eigen::VectorXf* const>;

void SumAlongTheRing(Vectors g, Eigen::VectorXf& out) {
  const auto p = static_cast<std::int64_t>(g.size());
  const std::int64_t n = g[0]->size();
  out.resize(n);
  for (std::int64_t c = 0; c < p; ++c) {
    const ElementRange piece = ElementPiece(n, p, c);
    if (piece.size() == 0) continue;
    auto sum = out.segment(piece.begin, piece.size());
    sum = g[static_cast<std::size_t>((c + 1) % p)]->segment(piece.begin, piece.size());
    for (std::int64_t hop = 2; hop <= p; ++hop) {
      sum += g[static_cast<std::size_t>((c + hop) % p)]->segment(piece.begin, piece.size());
    }
  }
}

// Open MPI's recursive doubling tree (summation_order.h): a(v), then a
// balanced tree over a(first .. first + count - 1), count a power of two.
// Depth-first, so one partial sum per level is held at a time.
class RecursiveDoublingTree {
 public:
  RecursiveDoublingTree(Vectors g, std::vector<Eigen::VectorXf>& workspace)
      : g_(g),
        folded_(g.size() - std::bit_floor(g.size())),
        workspace_(workspace) {
    workspace_.resize(static_cast<std::size_t>(std::countr_zero(std::bit_floor(g.size()))) + 1);
  }

  void sum(std::size_t first, std::size_t count, std::size_t depth, Eigen::VectorXf& out) {
    if (count == 1) {
      if (first < folded_) {
        out = *g_[2 * first] + *g_[2 * first + 1];
      } else {
        out = *g_[first + folded_];
      }
      return;
    }
    sum(first, count / 2, depth + 1, out);
    Eigen::VectorXf& right = workspace_[depth];
    sum(first + count / 2, count / 2, depth + 1, right);
    out += right;
  }

 private:
  Vectors g_;
  std::size_t folded_;  // r = p - p': pairs folded before the tree
  std::vector<Eigen::VectorXf>& workspace_;
};

}  // namespace

void SumInOrder(Vectors in_rank_order, SummationOrder order, Eigen::VectorXf& out,
                std::vector<Eigen::VectorXf>& workspace) {
  assert(!in_rank_order.empty());
  switch (order) {
    case SummationOrder::kRing:
      SumAlongTheRing(in_rank_order, out);
      return;
    case SummationOrder::kRecursiveDoubling: {
      RecursiveDoublingTree tree(in_rank_order, workspace);
      tree.sum(0, std::bit_floor(in_rank_order.size()), 0, out);
      return;
    }
    case SummationOrder::kRankOrder:
      break;
  }
  out = *in_rank_order[0];
  for (std::size_t k = 1; k < in_rank_order.size(); ++k) out += *in_rank_order[k];
}

}  // namespace sim

#include "sim/collectives/algorithms.h"

#include <array>
#include <cmath>

#include "sim/collectives/all_to_all.h"
#include "sim/collectives/binary_tree.h"
#include "sim/collectives/halving_doubling.h"
#include "sim/collectives/hierarchical.h"
#include "sim/collectives/recursive_doubling.h"
#include "sim/collectives/ring.h"

namespace sim::collectives {
namespace {

// Adapters from each generator's own signature to Generator.
template <void (*F)(Schedule&, std::span<const Rank>, ByteRange, Bytes, Frontier&)>
void Chunked(Schedule& s, std::span<const Rank> m, ByteRange r, const CollectiveSpec& spec, Frontier& f) {
  F(s, m, r, spec.chunk, f);
}
template <void (*F)(Schedule&, std::span<const Rank>, ByteRange, Frontier&)>
void Unchunked(Schedule& s, std::span<const Rank> m, ByteRange r, const CollectiveSpec&, Frontier& f) {
  F(s, m, r, f);
}
template <void (*F)(Schedule&, std::span<const Rank>, Bytes, Frontier&)>
void Buffers(Schedule& s, std::span<const Rank> m, ByteRange, const CollectiveSpec& spec, Frontier& f) {
  F(s, m, spec.bytes, f);
}

// Within each host, then the cross-host all-reduce `spec.inter_host` (one per
// rail, or among host leaders), then within each host again.
void Hierarchical(Schedule& s, std::span<const Rank> m, ByteRange r, const CollectiveSpec& spec, Frontier& f) {
  const Generator across = Entry(spec.inter_host).all_reduce;
  HierarchicalAllReduce(
      s, m, spec.host_of_rank, r, spec.chunk, spec.rails,
      [across, &spec](Schedule& s2, std::span<const Rank> m2, ByteRange r2, Frontier& f2) { across(s2, m2, r2, spec, f2); },
      f);
}

double ChunksOfPiece(const CollectiveSpec& spec) {
  const std::int64_t n = std::max<std::int64_t>(spec.bytes.count, 0);
  return static_cast<double>(ChunkCount(n / std::max(spec.ranks, 1u) + 1, spec.chunk));
}
double ChunksOfAll(const CollectiveSpec& spec) {
  return static_cast<double>(ChunkCount(std::max<std::int64_t>(spec.bytes.count, 0), spec.chunk));
}

constexpr std::array<AlgorithmEntry, 7> kAlgorithms{{
    {.id = Algorithm::kRing,
     .name = "ring",
     .all_reduce = Chunked<RingAllReduce>,
     .broadcast = Chunked<ChainBroadcast>,
     .reduce = Chunked<ChainReduce>,
     .all_gather = Chunked<RingAllGather>,
     .reduce_scatter = Chunked<RingReduceScatter>,
     .all_to_all = Buffers<PairwiseAllToAll>,
     .runs_across_hosts = true,
     .estimated_transfers =
         [](const CollectiveSpec& s) {
           const double p = s.ranks;
           if (s.op == Op::kBroadcast || s.op == Op::kReduce) return p * ChunksOfAll(s);
           return 2.0 * p * p * ChunksOfPiece(s);
         }},
    {.id = Algorithm::kHalvingDoubling,
     .name = "halving_doubling",
     .all_reduce = Unchunked<HalvingDoublingAllReduce>,
     .broadcast = Unchunked<HalvingDoublingBroadcast>,
     .reduce = Unchunked<HalvingDoublingReduce>,
     .all_gather = Unchunked<HalvingDoublingAllGather>,
     .reduce_scatter = Unchunked<HalvingDoublingReduceScatter>,
     .runs_across_hosts = true,
     .estimated_transfers = [](const CollectiveSpec& s) { return 2.0 * s.ranks * (std::log2(s.ranks) + 2.0); }},
    {.id = Algorithm::kBinaryTree,
     .name = "binary_tree",
     .all_reduce = Chunked<BinaryTreeAllReduce>,
     .broadcast = Chunked<BinaryTreeBroadcast>,
     .reduce = Chunked<BinaryTreeReduce>,
     .runs_across_hosts = true,
     .estimated_transfers = [](const CollectiveSpec& s) { return 4.0 * s.ranks * ChunksOfAll(s); }},
    {.id = Algorithm::kDoubleBinaryTree,
     .name = "double_binary_tree",
     .all_reduce = Chunked<DoubleBinaryTreeAllReduce>,
     .runs_across_hosts = true,
     .estimated_transfers = [](const CollectiveSpec& s) { return 4.0 * s.ranks * ChunksOfAll(s); }},
    {.id = Algorithm::kHierarchical,
     .name = "hierarchical",
     .all_reduce = Hierarchical,
     .estimated_transfers =
         [](const CollectiveSpec& s) {
           const double p = s.ranks;
           return 2.0 * p * p * ChunksOfPiece(s) + 4.0 * p * ChunksOfAll(s);
         }},
    {.id = Algorithm::kDirect,
     .name = "direct",
     .all_to_all = Buffers<DirectAllToAll>,
     .estimated_transfers = [](const CollectiveSpec& s) { return static_cast<double>(s.ranks) * s.ranks; }},
    {.id = Algorithm::kRecursiveDoubling,
     .name = "recursive_doubling",
     .all_reduce = Unchunked<RecursiveDoublingAllReduce>,
     .runs_across_hosts = true,
     .estimated_transfers = [](const CollectiveSpec& s) { return 2.0 * s.ranks * (std::log2(s.ranks) + 2.0); }},
}};

// Entry() indexes the table by the enum's value.
constexpr bool InEnumOrder() {
  for (std::size_t i = 0; i < kAlgorithms.size(); ++i) {
    if (static_cast<std::size_t>(kAlgorithms[i].id) != i) return false;
  }
  return true;
}
static_assert(InEnumOrder(), "kAlgorithms must list the algorithms in the order of enum Algorithm");

}  // namespace

Generator AlgorithmEntry::generator(Op op) const noexcept {
  switch (op) {
    case Op::kAllReduce: return all_reduce;
    case Op::kBroadcast: return broadcast;
    case Op::kReduce: return reduce;
    case Op::kAllGather: return all_gather;
    case Op::kReduceScatter: return reduce_scatter;
    case Op::kAllToAll: return all_to_all;
  }
  return nullptr;
}

std::span<const AlgorithmEntry> Algorithms() noexcept { return kAlgorithms; }

const AlgorithmEntry& Entry(Algorithm algorithm) noexcept {
  return kAlgorithms[static_cast<std::size_t>(algorithm)];
}

}  // namespace sim::collectives

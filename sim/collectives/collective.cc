#include "sim/collectives/collective.h"

#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <utility>

#include "sim/collectives/all_to_all.h"
#include "sim/collectives/binary_tree.h"
#include "sim/collectives/halving_doubling.h"
#include "sim/collectives/hierarchical.h"
#include "sim/collectives/ring.h"

namespace sim::collectives {
namespace {

constexpr std::array<std::pair<Op, std::string_view>, 6> kOpNames{{
    {Op::kAllReduce, "allreduce"},
    {Op::kBroadcast, "broadcast"},
    {Op::kReduce, "reduce"},
    {Op::kAllGather, "allgather"},
    {Op::kReduceScatter, "reducescatter"},
    {Op::kAllToAll, "alltoall"},
}};

constexpr std::array<std::pair<Algorithm, std::string_view>, 6> kAlgorithmNames{{
    {Algorithm::kRing, "ring"},
    {Algorithm::kHalvingDoubling, "halving_doubling"},
    {Algorithm::kBinaryTree, "binary_tree"},
    {Algorithm::kDoubleBinaryTree, "double_binary_tree"},
    {Algorithm::kHierarchical, "hierarchical"},
    {Algorithm::kDirect, "direct"},
}};

// Largest rank count: PhaseChannels packs ranks into 24 bits.
constexpr std::uint32_t kMaxRanks = 1u << 24;

// The all-reduces that can run across hosts inside a hierarchical one.
void FlatAllReduce(Algorithm algorithm, Schedule& schedule, std::span<const Rank> members, ByteRange range,
                   Bytes chunk, Frontier& frontier) {
  switch (algorithm) {
    case Algorithm::kRing: RingAllReduce(schedule, members, range, chunk, frontier); return;
    case Algorithm::kHalvingDoubling: HalvingDoublingAllReduce(schedule, members, range, frontier); return;
    case Algorithm::kBinaryTree: BinaryTreeAllReduce(schedule, members, range, chunk, frontier); return;
    case Algorithm::kDoubleBinaryTree: DoubleBinaryTreeAllReduce(schedule, members, range, chunk, frontier); return;
    case Algorithm::kHierarchical:
    case Algorithm::kDirect: break;
  }
  throw CollectiveError("all-reduce algorithm '" + std::string(Name(algorithm)) + "' cannot run across hosts");
}

// Members 0..p-1, rotated so that `root` comes first (rooted operations take
// their root as members[0]).
std::vector<Rank> MembersFrom(std::uint32_t ranks, Rank root) {
  std::vector<Rank> members(ranks);
  for (std::uint32_t i = 0; i < ranks; ++i) members[i] = (root + i) % ranks;
  return members;
}

// Transfers a schedule of `spec` will hold, from above (chunked algorithms
// multiply their steps by the chunks of one piece).
double EstimatedTransfers(const CollectiveSpec& spec) {
  const double p = spec.ranks;
  const std::int64_t n = std::max<std::int64_t>(spec.bytes.count, 0);
  const double chunks_of_piece = static_cast<double>(ChunkCount(n / std::max(spec.ranks, 1u) + 1, spec.chunk));
  const double chunks_of_all = static_cast<double>(ChunkCount(n, spec.chunk));
  switch (spec.algorithm) {
    case Algorithm::kRing:
      if (spec.op == Op::kBroadcast || spec.op == Op::kReduce) return p * chunks_of_all;
      return 2.0 * p * p * chunks_of_piece;
    case Algorithm::kHalvingDoubling: return 2.0 * p * (std::log2(p) + 2.0);
    case Algorithm::kBinaryTree:
    case Algorithm::kDoubleBinaryTree: return 4.0 * p * chunks_of_all;
    case Algorithm::kHierarchical: return 2.0 * p * p * chunks_of_piece + 4.0 * p * chunks_of_all;
    case Algorithm::kDirect: return p * p;
  }
  return 0.0;
}

// Beyond this a schedule takes tens of gigabytes: ask for a larger chunk.
constexpr double kMaxTransfers = 1u << 28;

std::string Join(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace

bool Supports(Op op, Algorithm algorithm) noexcept {
  switch (op) {
    case Op::kAllReduce: return algorithm != Algorithm::kDirect;
    case Op::kReduceScatter:
    case Op::kAllGather: return algorithm == Algorithm::kRing || algorithm == Algorithm::kHalvingDoubling;
    case Op::kBroadcast:
    case Op::kReduce:
      return algorithm == Algorithm::kRing || algorithm == Algorithm::kHalvingDoubling ||
             algorithm == Algorithm::kBinaryTree;
    case Op::kAllToAll: return algorithm == Algorithm::kRing || algorithm == Algorithm::kDirect;
  }
  return false;
}

std::vector<std::string> ValidateSpec(const CollectiveSpec& spec) {
  std::vector<std::string> problems;
  const std::string what = std::string(Name(spec.op)) + "/" + std::string(Name(spec.algorithm));
  if (spec.ranks < 1 || spec.ranks > kMaxRanks) {
    problems.push_back(what + ": ranks must be in [1, " + std::to_string(kMaxRanks) + "], got " +
                       std::to_string(spec.ranks));
  }
  if (spec.bytes.count < 0) problems.push_back(what + ": size must be >= 0 bytes, got " + std::to_string(spec.bytes.count));
  if (spec.chunk.count < 0) problems.push_back(what + ": chunk must be >= 0 bytes, got " + std::to_string(spec.chunk.count));
  if (spec.op == Op::kAllToAll && spec.ranks > 0 && spec.bytes.count > 0 &&
      spec.bytes.count > std::numeric_limits<std::int64_t>::max() / spec.ranks) {
    problems.push_back(what + ": ranks x size overflows the data space");
  }
  if ((spec.op == Op::kBroadcast || spec.op == Op::kReduce) && spec.root >= spec.ranks) {
    problems.push_back(what + ": root " + std::to_string(spec.root) + " is not a rank (ranks = " +
                       std::to_string(spec.ranks) + ")");
  }
  if (spec.ranks >= 1 && spec.ranks <= kMaxRanks && spec.chunk.count >= 0 &&
      EstimatedTransfers(spec) > kMaxTransfers) {
    problems.push_back(what + ": would need about " + std::to_string(static_cast<long long>(EstimatedTransfers(spec))) +
                       " transfers (limit " + std::to_string(static_cast<long long>(kMaxTransfers)) +
                       "); use a larger chunk");
  }
  if (!Supports(spec.op, spec.algorithm)) {
    std::string supported;
    for (const auto& [a, name] : kAlgorithmNames) {
      if (Supports(spec.op, a)) supported += (supported.empty() ? "" : ", ") + std::string(name);
    }
    problems.push_back(what + ": algorithm '" + std::string(Name(spec.algorithm)) + "' does not implement " +
                       std::string(Name(spec.op)) + " (supported: " + supported + ")");
  }
  if (spec.algorithm == Algorithm::kHierarchical && spec.op == Op::kAllReduce) {
    if (spec.host_of_rank.size() != spec.ranks) {
      problems.push_back(what + ": needs the host of every rank, got " + std::to_string(spec.host_of_rank.size()) +
                         " for " + std::to_string(spec.ranks) + " ranks");
    } else if (spec.rails) {
      std::map<std::uint32_t, std::uint32_t> devices;
      for (std::uint32_t h : spec.host_of_rank) ++devices[h];
      for (const auto& [host, count] : devices) {
        if (count != devices.begin()->second) {
          problems.push_back(what + ": rails need the same number of ranks on every host; host " +
                             std::to_string(devices.begin()->first) + " has " +
                             std::to_string(devices.begin()->second) + ", host " + std::to_string(host) + " has " +
                             std::to_string(count));
          break;
        }
      }
    }
    if (spec.inter_host == Algorithm::kHierarchical || spec.inter_host == Algorithm::kDirect) {
      problems.push_back(what + ": cross-host algorithm must be ring, halving_doubling, binary_tree or "
                         "double_binary_tree, got '" + std::string(Name(spec.inter_host)) + "'");
    }
  }
  return problems;
}

Bytes DataSpaceBytes(Op op, std::uint32_t ranks, Bytes bytes) noexcept {
  return op == Op::kAllToAll ? Bytes{bytes.count * static_cast<std::int64_t>(ranks)} : bytes;
}

Schedule BuildSchedule(const CollectiveSpec& spec) {
  if (auto problems = ValidateSpec(spec); !problems.empty()) throw CollectiveError(Join(problems));
  Schedule schedule(spec.ranks, DataSpaceBytes(spec.op, spec.ranks, spec.bytes));
  Frontier frontier(spec.ranks);
  const ByteRange all{0, spec.bytes.count};
  const std::vector<Rank> members = MembersFrom(spec.ranks, spec.op == Op::kBroadcast || spec.op == Op::kReduce
                                                                ? spec.root
                                                                : 0);
  switch (spec.op) {
    case Op::kAllReduce:
      if (spec.algorithm == Algorithm::kHierarchical) {
        const Algorithm inter = spec.inter_host;
        const Bytes chunk = spec.chunk;
        HierarchicalAllReduce(schedule, members, spec.host_of_rank, all, chunk, spec.rails,
                              [inter, chunk](Schedule& s, std::span<const Rank> m, ByteRange r, Frontier& f) {
                                FlatAllReduce(inter, s, m, r, chunk, f);
                              },
                              frontier);
      } else {
        FlatAllReduce(spec.algorithm, schedule, members, all, spec.chunk, frontier);
      }
      break;
    case Op::kReduceScatter:
      if (spec.algorithm == Algorithm::kRing) RingReduceScatter(schedule, members, all, spec.chunk, frontier);
      else HalvingDoublingReduceScatter(schedule, members, all, frontier);
      break;
    case Op::kAllGather:
      if (spec.algorithm == Algorithm::kRing) RingAllGather(schedule, members, all, spec.chunk, frontier);
      else HalvingDoublingAllGather(schedule, members, all, frontier);
      break;
    case Op::kBroadcast:
      if (spec.algorithm == Algorithm::kRing) ChainBroadcast(schedule, members, all, spec.chunk, frontier);
      else if (spec.algorithm == Algorithm::kBinaryTree) BinaryTreeBroadcast(schedule, members, all, spec.chunk, frontier);
      else HalvingDoublingBroadcast(schedule, members, all, frontier);
      break;
    case Op::kReduce:
      if (spec.algorithm == Algorithm::kRing) ChainReduce(schedule, members, all, spec.chunk, frontier);
      else if (spec.algorithm == Algorithm::kBinaryTree) BinaryTreeReduce(schedule, members, all, spec.chunk, frontier);
      else HalvingDoublingReduce(schedule, members, all, frontier);
      break;
    case Op::kAllToAll:
      if (spec.algorithm == Algorithm::kRing) PairwiseAllToAll(schedule, members, spec.bytes, frontier);
      else DirectAllToAll(schedule, members, spec.bytes, frontier);
      break;
  }
  schedule.seal();
  return schedule;
}

double BusBandwidthFactor(Op op, std::uint32_t ranks) noexcept {
  const double p = ranks;
  switch (op) {
    case Op::kAllReduce: return 2.0 * (p - 1.0) / p;
    case Op::kAllGather:
    case Op::kReduceScatter:
    case Op::kAllToAll: return (p - 1.0) / p;
    case Op::kBroadcast:
    case Op::kReduce: return 1.0;
  }
  return 1.0;
}

std::string_view Name(Op op) noexcept {
  for (const auto& [o, name] : kOpNames) {
    if (o == op) return name;
  }
  return "?";
}

std::string_view Name(Algorithm algorithm) noexcept {
  for (const auto& [a, name] : kAlgorithmNames) {
    if (a == algorithm) return name;
  }
  return "?";
}

std::optional<Op> ParseOp(std::string_view name) noexcept {
  for (const auto& [o, n] : kOpNames) {
    if (n == name) return o;
  }
  return std::nullopt;
}

std::optional<Algorithm> ParseAlgorithm(std::string_view name) noexcept {
  for (const auto& [a, n] : kAlgorithmNames) {
    if (n == name) return a;
  }
  return std::nullopt;
}

}  // namespace sim::collectives

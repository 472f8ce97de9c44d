#include "sim/collectives/collective.h"

#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <utility>

#include "sim/collectives/algorithms.h"
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

// Largest rank count: PhaseChannels packs ranks into 24 bits.
constexpr std::uint32_t kMaxRanks = 1u << 24;

// Members 0..p-1, rotated so that `root` comes first (rooted operations take
// their root as members[0]).
std::vector<Rank> MembersFrom(std::uint32_t ranks, Rank root) {
  std::vector<Rank> members(ranks);
  for (std::uint32_t i = 0; i < ranks; ++i) members[i] = (root + i) % ranks;
  return members;
}

// Beyond this a schedule takes tens of gigabytes: ask for a larger chunk.
constexpr double kMaxTransfers = 1u << 28;

std::string Join(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace

bool Supports(Op op, Algorithm algorithm) noexcept { return Entry(algorithm).generator(op) != nullptr; }

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
  const double transfers = Entry(spec.algorithm).estimated_transfers(spec);
  if (spec.ranks >= 1 && spec.ranks <= kMaxRanks && spec.chunk.count >= 0 && transfers > kMaxTransfers) {
    problems.push_back(what + ": would need about " + std::to_string(static_cast<long long>(transfers)) +
                       " transfers (limit " + std::to_string(static_cast<long long>(kMaxTransfers)) +
                       "); use a larger chunk");
  }
  if (!Supports(spec.op, spec.algorithm)) {
    std::string supported;
    for (const AlgorithmEntry& a : Algorithms()) {
      if (a.generator(spec.op)) supported += (supported.empty() ? "" : ", ") + std::string(a.name);
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
    if (!Entry(spec.inter_host).runs_across_hosts) {
      std::string across;
      for (const AlgorithmEntry& a : Algorithms()) {
        if (a.runs_across_hosts) across += (across.empty() ? "" : ", ") + std::string(a.name);
      }
      problems.push_back(what + ": cross-host algorithm must be one of " + across + ", got '" +
                         std::string(Name(spec.inter_host)) + "'");
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
  Entry(spec.algorithm).generator(spec.op)(schedule, members, all, spec, frontier);
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

std::string_view Name(Algorithm algorithm) noexcept { return Entry(algorithm).name; }

std::optional<Op> ParseOp(std::string_view name) noexcept {
  for (const auto& [o, n] : kOpNames) {
    if (n == name) return o;
  }
  return std::nullopt;
}

std::optional<Algorithm> ParseAlgorithm(std::string_view name) noexcept {
  for (const AlgorithmEntry& a : Algorithms()) {
    if (a.name == name) return a.id;
  }
  return std::nullopt;
}

}  // namespace sim::collectives

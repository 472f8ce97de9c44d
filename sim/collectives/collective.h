// What a user asks for (an operation, an algorithm, p ranks, n bytes) and the
// one function that compiles it into a Schedule.
//
// What "n bytes" means follows nccl-tests (doc/PERFORMANCE.md), so that the
// table of `sim collective` reads like theirs:
//   all-reduce, broadcast, reduce: the vector, n bytes on every rank;
//   all-gather: the gathered output (rank i contributes piece i of n);
//   reduce-scatter: the input on every rank (rank i keeps piece i of n);
//   all-to-all: each rank's send buffer (piece j of it goes to rank j).
// "Piece i of n" is Partition({0, n}, p, i).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/collectives/schedule.h"
#include "sim/core/units.h"

namespace sim::collectives {

enum class Op { kAllReduce, kBroadcast, kReduce, kAllGather, kReduceScatter, kAllToAll };

enum class Algorithm {
  kRing,              // Patarasuk & Yuan 2009; for broadcast/reduce a pipelined chain
  kHalvingDoubling,   // Rabenseifner; Thakur, Rabenseifner & Gropp 2005
  kBinaryTree,        // pipelined in-order binary tree
  kDoubleBinaryTree,  // Sanders, Speck & Traeff 2009 (as NCCL uses)
  kHierarchical,      // within each host, across hosts, within each host again
  kDirect,            // all-to-all: every pair at once
  kRecursiveDoubling, // Thakur et al. 2005 sec. 4.4; Open MPI's choice for short vectors
};

struct CollectiveSpec {
  Op op = Op::kAllReduce;
  Algorithm algorithm = Algorithm::kRing;
  std::uint32_t ranks = 1;
  Bytes bytes{0};
  // Broadcast and reduce: the rank that has / receives the data.
  Rank root = 0;
  // Pipelining: split each transfer of the algorithm into chunks of at most
  // this many bytes. 0: no splitting.
  Bytes chunk{0};
  // Hierarchical only: host of each rank (host_of_rank.size() == ranks).
  std::vector<std::uint32_t> host_of_rank{};
  // Hierarchical only: the all-reduce run across hosts (not kHierarchical).
  Algorithm inter_host = Algorithm::kRing;
  // Hierarchical only: true (default) runs one cross-host all-reduce per device
  // index ("rail") on 1/d of the data, as NCCL does; false uses one leader per
  // host for the whole vector.
  bool rails = true;
};

// Thrown for a spec that cannot be compiled; what() lists every problem.
class CollectiveError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Every problem of `spec`, empty if it can be built.
[[nodiscard]] std::vector<std::string> ValidateSpec(const CollectiveSpec& spec);
// Compiles `spec` into a sealed schedule. Throws CollectiveError.
[[nodiscard]] Schedule BuildSchedule(const CollectiveSpec& spec);
// Whether `algorithm` implements `op` at all (rank-count limits aside), as
// the registry (algorithms.h) says.
[[nodiscard]] bool Supports(Op op, Algorithm algorithm) noexcept;

// Size of the data space a schedule of (op, p, n) addresses: n, or p*n for
// all-to-all (the p send buffers end to end).
[[nodiscard]] Bytes DataSpaceBytes(Op op, std::uint32_t ranks, Bytes bytes) noexcept;

// nccl-tests' bus-bandwidth factor (doc/PERFORMANCE.md): busbw = algbw x
// factor, so that busbw is comparable to a link's peak whatever p is.
// all-reduce 2(p-1)/p; all-gather, reduce-scatter, all-to-all (p-1)/p;
// broadcast, reduce 1.
[[nodiscard]] double BusBandwidthFactor(Op op, std::uint32_t ranks) noexcept;

[[nodiscard]] std::string_view Name(Op op) noexcept;
[[nodiscard]] std::string_view Name(Algorithm algorithm) noexcept;
// Parses the names used on the command line ("allreduce", "ring", ...); the
// algorithms' names are the registry's.
[[nodiscard]] std::optional<Op> ParseOp(std::string_view name) noexcept;
[[nodiscard]] std::optional<Algorithm> ParseAlgorithm(std::string_view name) noexcept;

}  // namespace sim::collectives

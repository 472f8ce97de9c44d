// The registry of collective algorithms: one entry per algorithm, with its
// name and, for each operation it implements, the generator that writes its
// transfers into a Schedule. BuildSchedule (collective.h), the command line
// and the scenario schema all read this one table.
//
// Adding an algorithm: its generator in a file of its own, an Algorithm value
// (collective.h), and one entry in algorithms.cc. To name it in scenarios
// (strategy.allreduce), add the value to scenario.proto's AllReduceAlgorithm
// too: the schema's value name, lower-cased, is the entry's name.
#pragma once

#include <span>
#include <string_view>

#include "sim/collectives/collective.h"
#include "sim/collectives/schedule.h"

namespace sim::collectives {

// Writes the operation among `members` (rooted operations: members[0] is the
// root) over `range` of the data space, reading chunking and host layout from
// `spec`, and advances `frontier` (phase_channels.h).
using Generator = void (*)(Schedule& schedule, std::span<const Rank> members, ByteRange range,
                           const CollectiveSpec& spec, Frontier& frontier);

struct AlgorithmEntry {
  Algorithm id;
  std::string_view name;
  // One generator per operation, in the order of Op; null: not implemented.
  Generator all_reduce = nullptr;
  Generator broadcast = nullptr;
  Generator reduce = nullptr;
  Generator all_gather = nullptr;
  Generator reduce_scatter = nullptr;
  Generator all_to_all = nullptr;
  // Whether its all-reduce can be the cross-host phase of a hierarchical one.
  bool runs_across_hosts = false;
  // Transfers a schedule of `spec` will hold, from above (the size guard).
  double (*estimated_transfers)(const CollectiveSpec& spec) = nullptr;

  [[nodiscard]] Generator generator(Op op) const noexcept;
};

// Every algorithm, in Algorithm order.
[[nodiscard]] std::span<const AlgorithmEntry> Algorithms() noexcept;
[[nodiscard]] const AlgorithmEntry& Entry(Algorithm algorithm) noexcept;

}  // namespace sim::collectives

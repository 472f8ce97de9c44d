// Hierarchical all-reduce: reduce within each host's devices, all-reduce
// across hosts, then spread the result within each host again, so that the
// slow inter-host network carries each byte as few times as possible.
//
// Two forms:
// - rails (as NCCL does on multi-GPU nodes): a ring reduce-scatter inside each
//   host leaves device j with piece j (1/d of the data); d independent
//   cross-host all-reduces, one per device index j ("rail"), each on 1/d of
//   the data; then a ring all-gather inside each host. Needs the same number d
//   of devices on every host.
// - leader: a pipelined chain reduce to each host's first device, one
//   cross-host all-reduce of the whole vector among those leaders, and a
//   pipelined chain broadcast back.
// Phases are joined through the Frontier: a member starts a phase only when its
// part of the previous phase has completed.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "sim/collectives/schedule.h"

namespace sim::collectives {

// The cross-host all-reduce among `members` on `range`.
using InterHostAllReduce = std::function<void(Schedule&, std::span<const Rank> members, ByteRange range, Frontier&)>;

// host_of_member[i] is the host of members[i]. Hosts are taken in the order
// they first appear, devices of a host in member order. Throws
// std::invalid_argument if `rails` and hosts have different device counts.
void HierarchicalAllReduce(Schedule& schedule, std::span<const Rank> members,
                           std::span<const std::uint32_t> host_of_member, ByteRange range, Bytes chunk, bool rails,
                           const InterHostAllReduce& inter_host, Frontier& frontier);

}  // namespace sim::collectives

// Ring algorithms (Patarasuk & Yuan 2009, "Bandwidth optimal all-reduce
// algorithms for clusters of workstations"): member i only ever sends to
// member i+1 (mod m), so on a contention-free embedding every step uses each
// link once.
//
// All generators here take the members in ring order (members[i] is the i-th
// rank of the ring), a byte range of the data space, a chunk size (0: none)
// and the Frontier (phase_channels.h), which they update.
#pragma once

#include <span>

#include "sim/collectives/schedule.h"

namespace sim::collectives {

// Reduce-scatter then all-gather. Each member sends 2(m-1) pieces of
// |range|/m bytes: 2(m-1)/m x |range| in all, the bandwidth lower bound.
// Steps: 2(m-1), each one piece (or, chunked, one chunk) per channel.
void RingAllReduce(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                   Frontier& frontier);

// Member i ends with piece i of `range` (Partition(range, m, i)) reduced over
// all members. m-1 steps; at step s member i sends piece (i-s-1) to i+1, which
// adds it into its own: after m-1 steps the piece member i receives last is i.
void RingReduceScatter(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                       Frontier& frontier);

// Member i starts with piece i of `range`; all end with every piece. m-1
// steps; at step s member i forwards piece (i-s) to i+1.
void RingAllGather(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                   Frontier& frontier);

// Pipelined chain from members[0] (the root) through members[1], ... to
// members[m-1]: with k chunks it takes (m-1+k-1) chunk-steps instead of the
// (m-1)k of sending the whole vector hop by hop.
void ChainBroadcast(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                    Frontier& frontier);

// The reverse chain: members[m-1] -> ... -> members[1] -> members[0] (the
// root), each hop adding into the next member's buffer.
void ChainReduce(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                 Frontier& frontier);

// Number of chunks a range of `length` bytes is cut into for chunk size
// `chunk` (>= 1; 0 means 1).
[[nodiscard]] std::int64_t ChunkCount(std::int64_t length, Bytes chunk) noexcept;

}  // namespace sim::collectives

// All-to-all personalised exchange: member i holds one piece for every member
// j (piece j of its send buffer) and member j must end with piece j of every
// member's buffer (Thakur, Rabenseifner & Gropp 2005, section 3.5).
//
// Data space: member i's send buffer is `buffer_bytes` bytes at
// offset i * buffer_bytes; piece j of it is Partition(that, m, j).
#pragma once

#include <span>

#include "sim/collectives/schedule.h"

namespace sim::collectives {

// Pairwise exchange: m-1 steps; at step s member i sends its piece for i+s to
// member i+s and receives from i-s, and starts step s+1 only when both of
// step s have completed (MPI_Sendrecv semantics). Each member sends
// (m-1)/m x buffer_bytes.
void PairwiseAllToAll(Schedule& schedule, std::span<const Rank> members, Bytes buffer_bytes, Frontier& frontier);

// Every member sends all its m-1 pieces at once; the network shares its link
// among them.
void DirectAllToAll(Schedule& schedule, std::span<const Rank> members, Bytes buffer_bytes, Frontier& frontier);

}  // namespace sim::collectives

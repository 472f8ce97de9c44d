// Recursive doubling all-reduce (Thakur, Rabenseifner & Gropp 2005, "Optimization
// of collective communication operations in MPICH", section 4.4; Open MPI's
// ompi_coll_base_allreduce_intra_recursivedoubling, which its `tuned`
// component picks for small messages).
//
// For p' = 2^k members: at distance d = 1, 2, ..., p'/2 every member
// exchanges its whole vector with the member d away (an exchange: both
// directions at once, each side adding what it received once both arrived)
// and adds it in: log2 p' steps of n bytes each way,
//   T = log2(p) alpha + n log2(p) beta + n log2(p) gamma      (Thakur et al.).
// Fewer steps than a ring (2(p-1)) or Rabenseifner (2 log2 p), but n bytes per
// step instead of n/p: the algorithm for short vectors.
//
// Other p: with r = p - p', the first 2r members pair up (2i, 2i+1); each even
// one adds its vector into its odd partner first and is sent the result at
// the end, as Open MPI does: two extra whole-vector steps for those pairs.
// Not chunked: each step is one message each way per pair.
#pragma once

#include <span>

#include "sim/collectives/schedule.h"

namespace sim::collectives {

void RecursiveDoublingAllReduce(Schedule& schedule, std::span<const Rank> members, ByteRange range,
                                Frontier& frontier);

}  // namespace sim::collectives

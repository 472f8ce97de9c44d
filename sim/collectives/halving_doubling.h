// Recursive halving and doubling (Thakur, Rabenseifner & Gropp 2005,
// "Optimization of collective communication operations in MPICH", IJHPCA 19(1)).
//
// For p' = 2^k members: reduce-scatter by recursive vector halving (log2 p'
// steps; at distance p'/2, p'/4, ..., 1 each member sends the half of its
// current range it will not keep and adds the half it receives), all-gather by
// recursive doubling (distance 1, 2, ..., p'/2, exchanging everything held).
// All-reduce = both (Rabenseifner): 2 log2 p' steps, 2(p'-1)/p' n bytes sent
// per member, Thakur et al. eq. for "Rabenseifner's algorithm":
//   T = 2 log2(p) alpha + 2 (p-1)/p n beta.
//
// Other p: with r = p - p', the first 2r members pair up (2i, 2i+1); each even
// one folds its data into its odd partner first and is handed the result at
// the end (Thakur et al. section 4.4), costing one extra whole-vector step each
// way. The data is always cut into p' groups; for reduce-scatter and
// all-gather, group i of a pair covers both members' pieces, so every member
// still ends with (or starts from) exactly piece i = Partition(range, p, i).
//
// Broadcast is van de Geijn's scatter + all-gather (binomial scatter of the p'
// groups, then recursive doubling); reduce is Rabenseifner's reduce-scatter +
// binomial gather to the root. For those two the root is members[0]; inside,
// members are numbered so that the root is the last one, which never folds.
//
// These are not chunked: each step is one message per pair.
#pragma once

#include <span>

#include "sim/collectives/schedule.h"

namespace sim::collectives {

void HalvingDoublingAllReduce(Schedule& schedule, std::span<const Rank> members, ByteRange range,
                              Frontier& frontier);
void HalvingDoublingReduceScatter(Schedule& schedule, std::span<const Rank> members, ByteRange range,
                                  Frontier& frontier);
void HalvingDoublingAllGather(Schedule& schedule, std::span<const Rank> members, ByteRange range,
                              Frontier& frontier);
void HalvingDoublingBroadcast(Schedule& schedule, std::span<const Rank> members, ByteRange range,
                              Frontier& frontier);
void HalvingDoublingReduce(Schedule& schedule, std::span<const Rank> members, ByteRange range,
                           Frontier& frontier);

}  // namespace sim::collectives

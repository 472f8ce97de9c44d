// Checks a schedule without a network: runs it on an abstract model in which
// every rank holds, for each byte of the data space, how many times it holds
// each rank's contribution, and compares the end state with what the
// operation promises.
//
// A transfer reads its sender's state when it starts and applies it to the
// receiver when it completes (kCopy overwrites at delivery, kReduce adds counts
// when its receiver gets to it: each rank adds the reduces delivered to it one
// at a time, oldest first, as schedule.h's contract says). Starts, deliveries
// and additions are interleaved in a random order that respects the
// dependencies (delivery-only ones are met at delivery), drawn from `seed`; running several seeds finds missing
// dependencies (a send that reads data before it has arrived, a copy
// overtaken by a stale write) as wrong end states. Counts, not sets, so a
// contribution added twice is caught too.
//
// Memory is ranks x segments x ranks counters: meant for tens of ranks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/collectives/collective.h"
#include "sim/collectives/schedule.h"

namespace sim::collectives {

struct SymbolicExpectation {
  Op op = Op::kAllReduce;
  Rank root = 0;       // broadcast, reduce
  Bytes bytes{0};      // the operation's n (collective.h)
};

// Every discrepancy (at most `max_problems`), empty if the schedule does what
// the operation promises under this interleaving.
[[nodiscard]] std::vector<std::string> CheckSchedule(const Schedule& schedule, const SymbolicExpectation& expect,
                                                     std::uint64_t seed, std::size_t max_problems = 8);

}  // namespace sim::collectives

// Which algorithm Open MPI 4.1's `tuned` collective component runs for
// MPI_Allreduce when nothing is forced: its fixed decision rules
// (ompi/mca/coll/tuned/coll_tuned_decision_fixed.c,
// ompi_coll_tuned_allreduce_intra_dec_fixed, v4.1.4), restated as a table
// of switch points by communicator size and message size, and mapped onto
// the simulator's collective algorithms.
//
// Open MPI's numbering (coll_tuned_allreduce_algorithm, which forces one with
// --mca coll_tuned_use_dynamic_rules 1):
//   1 basic linear   reduce to rank 0, then broadcast, both linear
//   2 nonoverlapping tuned reduce, then tuned broadcast
//   3 recursive doubling  log2 p whole-vector exchanges
//   4 ring           reduce-scatter + all-gather on a ring (Patarasuk & Yuan)
//   5 segmented ring the ring, pipelined in segments; with the fixed rules'
//                    segment size of 0 it runs the plain ring (4)
//   6 Rabenseifner   reduce-scatter by recursive halving + all-gather by
//                    recursive doubling (Thakur, Rabenseifner & Gropp 2005);
//                    falls back to recursive doubling when count < 2^floor(log2 p)
// The rules here are those for commutative operations (a sum of gradients).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sim/collectives/collective.h"

namespace sim::calibration {

enum class OpenMpiAllreduce : int {
  kBasicLinear = 1,
  kNonoverlapping = 2,
  kRecursiveDoubling = 3,
  kRing = 4,
  kSegmentedRing = 5,
  kRabenseifner = 6,
};

struct AllreduceChoice {
  // What Open MPI's fixed rules select, by its own number.
  OpenMpiAllreduce selected = OpenMpiAllreduce::kRing;
  // What actually runs after Open MPI's own fall-backs (segmented ring with
  // segment size 0 -> ring; Rabenseifner with fewer elements than the
  // largest power of two <= p -> recursive doubling).
  OpenMpiAllreduce runs = OpenMpiAllreduce::kRing;
  // The simulator's closest algorithm, and whether it is the same schedule
  // of transfers (true) or a stand-in with the same bandwidth term but other
  // latency terms (false: the linear and nonoverlapping ones have no exact
  // twin in sim/collectives).
  collectives::Algorithm simulated = collectives::Algorithm::kRing;
  bool exact = true;
};

// Open MPI 4.1.4's choice for an all-reduce of `bytes` bytes (count x type
// size) of a commutative operation on `ranks` ranks, and `element_bytes`
// per element (4 for float) for the Rabenseifner fall-back. Throws
// std::invalid_argument for ranks < 1 or bytes < 0 or element_bytes < 1.
[[nodiscard]] AllreduceChoice OpenMpiAllreduceChoice(std::uint32_t ranks, std::int64_t bytes,
                                                     std::int64_t element_bytes = 4);

// "basic_linear", "nonoverlapping", "recursive_doubling", "ring",
// "segmented_ring", "rabenseifner": Open MPI's own names (ompi_info).
[[nodiscard]] std::string_view Name(OpenMpiAllreduce algorithm) noexcept;
[[nodiscard]] std::optional<OpenMpiAllreduce> ParseOpenMpiAllreduce(std::string_view name) noexcept;

}  // namespace sim::calibration

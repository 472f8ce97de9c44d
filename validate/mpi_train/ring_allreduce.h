// Our own ring all-reduce over MPI point-to-point (Patarasuk & Yuan 2009),
// the same schedule as sim/collectives/ring.h: a reduce-scatter of p-1 steps
// (at step s rank i sends piece (i-s-1) mod p to rank i+1 and adds the piece
// it receives from rank i-1 into its own), then an all-gather of p-1 steps
// (rank i forwards piece (i-s) mod p). Each step posts the receive and the
// send together (MPI_Irecv + MPI_Isend + MPI_Waitall), so a rank sends and
// receives at once, on two different connections when p >= 3.
//
// Pieces follow collectives::Partition in elements: piece i of n has n/p
// elements, one more for the first n mod p. The sum of piece c is formed
// along the ring starting at rank c+1; the simulation adds in that order too
// (sim/training/summation_order.h, SummationOrder::kRing), so a real run and
// its prediction agree to the bit.
#pragma once

#include <mpi.h>

#include <span>
#include <vector>

namespace sim::validate {

// In place: `data` becomes the element-wise sum over all ranks of `comm`.
// `scratch` is resized as needed (kept between calls to avoid allocation).
void RingAllReduceSum(std::span<float> data, MPI_Comm comm, std::vector<float>& scratch);

}  // namespace sim::validate

// Rabenseifner's all-reduce (a sum of floats) as Open MPI 4.1 runs it for a
// power-of-two number of ranks (the tuned component's choice for the
// validation's 407 kB gradient, sim/calibration/openmpi_allreduce_choice.h;
// its base implementation "redscat_allgather"): a reduce-scatter by
// recursive halving from distance 1 up, each rank keeping the lower half of
// its window if it is the lower of the pair, then an all-gather by
// recursive doubling from the largest distance down. Every exchange is what
// Open MPI's sendrecv does: MPI_Irecv, a blocking MPI_Send, MPI_Wait. Thakur,
// Rabenseifner & Gropp 2005 (IJHPCA 19(1)) describe the algorithm.
//
// It exists so that build/mpi_allreduce_timing can change one thing in it:
// with `ready_handshake` the partners of each exchange first swap one byte,
// so that neither sends its message before the other has posted the receive
// (what the rendezvous protocol does), while the messages themselves stay
// eager (validate/README.md, "Open MPI's all-reduce when the ranks do not
// arrive together"). With a trace it also records when each of its
// exchanges began, when its send returned and when its receive completed,
// on the machine's monotonic clock (shared by ranks on one machine, as on
// the emulated cluster), to compare exchange by exchange with a simulation.
#pragma once

#include <mpi.h>

#include <span>
#include <vector>

namespace sim::validate {

// One exchange of one rank. Times in seconds of std::chrono::steady_clock.
struct ExchangeRecord {
  int step = 0;     // 0, 1, ... over the reduce-scatter, then the all-gather
  int partner = 0;
  long long bytes_out = 0;
  double begin_s = 0;  // before the receive is posted
  double sent_s = 0;   // the blocking send returned
  double done_s = 0;   // the receive completed
};

// Sums `data` over the ranks of `comm` in place. `scratch` is resized to
// data.size() and holds incoming halves. Appends one record per exchange
// to `trace` when given. Throws std::invalid_argument if the number of
// ranks is not a power of two.
void RabenseifnerAllReduceSum(std::span<float> data, MPI_Comm comm, bool ready_handshake,
                              std::vector<float>& scratch, std::vector<ExchangeRecord>* trace = nullptr);

}  // namespace sim::validate

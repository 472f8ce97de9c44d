// The MPI program that MpiCalibrateProbes (mpi_calibrate_probes_test.cc)
// launches: MeanBlockSeconds calls its operation once
// untimed, then kProbeCallsPerBlock times per block. The operation counts its
// calls and sleeps 50 ms in its first only; were that call timed, the mean of
// 2 blocks would be at least 50 / 8 = 6.25 ms. Exits 0 when every rank
// counted 1 + 2 x kProbeCallsPerBlock calls, the mean is under 5 ms, and
// rank 0 holds the 2 blocks' times with the mean being theirs, else 1,
// saying why on rank 0.
#include <mpi.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include "validate/mpi_calibrate/probes.h"

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  constexpr int kRepetitions = 2;
  int calls = 0;
  const sim::validate::BlockTimes measured = sim::validate::MeanBlockSeconds(MPI_COMM_WORLD, kRepetitions, [&] {
    if (calls++ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  });
  const double mean = measured.mean_s;
  const int expected = 1 + kRepetitions * sim::validate::kProbeCallsPerBlock;
  int right = calls == expected ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &right, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  int status = 0;
  if (rank == 0) {
    if (right != 1) {
      std::printf("a rank counted %d calls where %d were expected\n", calls, expected);
      status = 1;
    }
    if (!(mean < 0.005)) {
      std::printf("mean %.6f s: the first (slow) call was timed\n", mean);
      status = 1;
    }
    const auto& blocks = measured.blocks_s;
    if (blocks.size() != kRepetitions || !(std::abs(0.5 * (blocks[0] + blocks[1]) - mean) <= 1e-12)) {
      std::printf("%zu blocks kept (expected %d) or their mean is not the result %.9f s\n", blocks.size(),
                  kRepetitions, mean);
      status = 1;
    }
    if (status == 0) std::printf("warm-up untimed: %d calls, mean %.6f s\n", calls, mean);
  }
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Finalize();
  return status;
}

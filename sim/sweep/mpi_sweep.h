// `mpirun -np K sim sweep ...`: the sweep's points spread over K ranks.
//
// Rank 0 checks every point (as without MPI; bad input ends every rank with
// status 2, rank 0 alone printing why), opens the table, and hands out the
// points the table lacks, largest first, one at a time to whichever rank
// asks: each rank asks again when it sends back its row, so fast ranks take
// more points. Rank 0 alone writes the table, as RunSweep does, so the file
// is the one a sweep without MPI writes (wall_s aside).
//
// Rank 0 computes too, in a thread of its own, while its main thread serves
// the other ranks (MPI_THREAD_FUNNELED: only that thread calls MPI). The
// main thread polls with MPI_Iprobe and sleeps 1 ms between polls, so serving
// costs rank 0's core next to nothing, and K ranks on K cores run K points
// at once. Each rank runs one point at a time: parallelism comes from -np.
//
// Rows travel as the CSV lines of the table (csv_line.h), which reads back
// the numbers they were written from.
#pragma once

#include <functional>

#include "sim/sweep/sweep.h"

namespace sim::sweep {

// Whether `sim` was built with MPI (find_package(MPI) found it).
[[nodiscard]] bool BuiltWithMpi();

// Whether this process is one of several ranks started by mpirun (Open
// MPI's OMPI_COMM_WORLD_SIZE, or PMI_SIZE of MPICH's and Slurm's launchers,
// above 1). Nothing initialises MPI otherwise, so `sim` outside mpirun runs
// as it always has.
[[nodiscard]] bool LaunchedByMpirun();

// Runs `body` and turns whatever it throws into an exit status, printing why.
using ReportErrors = std::function<int(const std::function<void()>& body)>;

// The sweep over MPI_COMM_WORLD, from MPI_Init to MPI_Finalize; returns the
// exit status of this rank (the same on every rank for bad input). Only
// when BuiltWithMpi().
[[nodiscard]] int RunSweepOverMpi(const SweepOptions& options, const ReportErrors& report);

}  // namespace sim::sweep

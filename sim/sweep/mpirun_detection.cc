// LaunchedByMpirun() and BuiltWithMpi(): compiled whether or not MPI is found.
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "sim/sweep/mpi_sweep.h"

namespace sim::sweep {

bool BuiltWithMpi() {
#ifdef SIM_SWEEP_MPI
  return true;
#else
  return false;
#endif
}

bool LaunchedByMpirun() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    if (const char* value = std::getenv(name); value != nullptr && std::atoi(value) > 1) return true;
  }
  return false;
}

#ifndef SIM_SWEEP_MPI
int RunSweepOverMpi(const SweepOptions&, const ReportErrors& report) {
  return report([] {
    throw std::invalid_argument("sim was started by mpirun but built without MPI (no MPI found by cmake), so every "
                                "rank would run the whole sweep; install libopenmpi-dev and rebuild, or run "
                                "sim sweep without mpirun (-j N for this machine's cores)");
  });
}
#endif

}  // namespace sim::sweep

// build/mpi_allreduce_timing: times MPI_Allreduce (float sum) of given sizes
// on the ranks it is launched on, to check by timing which algorithm Open MPI
// picks (openmpi_allreduce_choice.h): run it once as is and once per forced
// algorithm,
//   mpirun -np P build/mpi_allreduce_timing --bytes 407080
//   mpirun -np P --mca coll_tuned_use_dynamic_rules 1
//     --mca coll_tuned_allreduce_algorithm N build/mpi_allreduce_timing ...
// and the default's time matches the forced algorithm it runs. Prints, per
// size, the median over repetitions of the slowest rank's time.
#include <mpi.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  std::vector<long long> sizes;
  int repetitions = 15;
  CLI::App app{"mpi_allreduce_timing: median time of MPI_Allreduce (float sum) per size", "mpi_allreduce_timing"};
  app.add_option("--bytes", sizes, "Sizes in bytes (multiples of 4)")->required();
  app.add_option("--repetitions", repetitions, "Timed calls per size")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = rank == 0 ? app.exit(e) : (e.get_exit_code() == 0 ? 0 : 2);
    MPI_Finalize();
    return status == 0 ? 0 : 2;
  }
  for (long long bytes : sizes) {
    std::vector<float> data(static_cast<std::size_t>(std::max(1LL, bytes / 4)), 1.0f);
    std::vector<double> times;
    MPI_Allreduce(MPI_IN_PLACE, data.data(), static_cast<int>(bytes / 4), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    for (int r = 0; r < repetitions; ++r) {
      MPI_Barrier(MPI_COMM_WORLD);
      const double start = MPI_Wtime();
      MPI_Allreduce(MPI_IN_PLACE, data.data(), static_cast<int>(bytes / 4), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
      const double mine = MPI_Wtime() - start;
      double slowest = 0;
      MPI_Reduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
      times.push_back(slowest);
    }
    std::sort(times.begin(), times.end());
    if (rank == 0) std::printf("%d ranks %lld bytes: %.6f s\n", ranks, bytes, times[times.size() / 2]);
  }
  MPI_Finalize();
  return 0;
}

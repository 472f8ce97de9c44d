// build/mpi_allreduce_timing: times MPI_Allreduce (float sum) of given sizes
// on the ranks it is launched on.
//
// Which algorithm Open MPI picks (openmpi_allreduce_choice.h): run it once as
// is and once per forced algorithm,
//   mpirun -np P build/mpi_allreduce_timing --bytes 407080
//   mpirun -np P --mca coll_tuned_use_dynamic_rules 1
//     --mca coll_tuned_allreduce_algorithm N build/mpi_allreduce_timing ...
// and the default's time matches the forced algorithm it runs.
//
// How the ranks' arrival shapes it (validate/README.md, "Open MPI's
// all-reduce when the ranks do not arrive together"): by default every call
// starts from a barrier, so all ranks enter together; --skew-us S makes rank
// r enter r x S microseconds after the barrier; --back-to-back makes the
// calls follow each other with no barrier, as in a training loop whose
// compute takes no time.
//
// Prints per size one line: "P ranks N bytes[ mode]: T s", T being
//   aligned or skewed: the median over calls of the slowest rank's time from
//     the barrier to its end (skewed: so it includes the last rank's
//     (P - 1) x S late entry);
//   back to back: the mean time per call of the slowest rank (its end of the
//     last call, from the barrier before the first, over the calls), the
//     figure a training step's mean is made of.
// Each rank times itself, so no clock is shared between hosts.
#include <mpi.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace {

void SpinFor(double seconds) {
  const double start = MPI_Wtime();
  while (MPI_Wtime() - start < seconds) {
  }
}

double Slowest(double mine) {
  double slowest = 0;
  MPI_Allreduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return slowest;
}

void SumInPlace(std::vector<float>& data, long long bytes) {
  MPI_Allreduce(MPI_IN_PLACE, data.data(), static_cast<int>(bytes / 4), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  std::vector<long long> sizes;
  int repetitions = 15;
  double skew_us = 0;
  bool back_to_back = false;
  CLI::App app{"mpi_allreduce_timing: time of MPI_Allreduce (float sum) per size", "mpi_allreduce_timing"};
  app.add_option("--bytes", sizes, "Sizes in bytes (multiples of 4)")->required()->check(CLI::PositiveNumber);
  app.add_option("--repetitions", repetitions, "Timed calls per size")->capture_default_str()->check(CLI::Range(1, 1000000));
  auto* skew = app.add_option("--skew-us", skew_us, "Rank r enters each call r x this many microseconds after the barrier")
                   ->check(CLI::Range(0.0, 1e6));
  app.add_flag("--back-to-back", back_to_back, "No barrier between calls: report the mean time per call")
      ->excludes(skew);
  try {
    app.parse(argc, argv);
    for (long long bytes : sizes) {
      if (bytes % 4 != 0) throw CLI::ValidationError("--bytes", std::to_string(bytes) + " is not a multiple of 4");
    }
  } catch (const CLI::ParseError& e) {
    const int status = rank == 0 ? app.exit(e) : (e.get_exit_code() == 0 ? 0 : 2);
    MPI_Finalize();
    return status == 0 ? 0 : 2;
  }
  const double skew_s = skew_us * 1e-6;
  for (long long bytes : sizes) {
    // Zeros: the sums stay finite over any number of calls.
    std::vector<float> data(static_cast<std::size_t>(bytes / 4), 0.0f);
    SumInPlace(data, bytes);  // connections made, buffers touched
    std::string mode;
    double seconds = 0;
    if (back_to_back) {
      MPI_Barrier(MPI_COMM_WORLD);
      const double start = MPI_Wtime();
      for (int r = 0; r < repetitions; ++r) SumInPlace(data, bytes);
      seconds = Slowest(MPI_Wtime() - start) / repetitions;
      mode = " back to back";
    } else {
      std::vector<double> times;
      for (int r = 0; r < repetitions; ++r) {
        MPI_Barrier(MPI_COMM_WORLD);
        const double start = MPI_Wtime();
        SpinFor(skew_s * rank);
        SumInPlace(data, bytes);
        times.push_back(Slowest(MPI_Wtime() - start));
      }
      std::sort(times.begin(), times.end());
      seconds = times[times.size() / 2];
      if (skew_us > 0) {
        char text[64];
        std::snprintf(text, sizeof text, " skewed %g us per rank", skew_us);
        mode = text;
      }
    }
    if (rank == 0) std::printf("%d ranks %lld bytes%s: %.6f s\n", ranks, bytes, mode.c_str(), seconds);
  }
  MPI_Finalize();
  return 0;
}

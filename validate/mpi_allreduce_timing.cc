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
// compute takes no time. --replica times our replica of the same algorithm
// (validate/rabenseifner_replica.h) instead, and --ready-handshake makes its
// partners swap one byte before each message, so that no rank sends before
// its partner has posted the receive. --trace FILE (with --replica) writes
// every exchange of every timed call, on every rank, as CSV
// "bytes,call,rank,step,partner,bytes_out,begin_s,sent_s,done_s": when the
// exchange began, when its send returned and when its receive completed,
// on the machine's monotonic clock from the earliest record (one clock for
// all ranks when they share a machine, as on the emulated cluster).
//
// Prints per size one line: "P ranks N bytes[ mode]: T s", T being
//   aligned or skewed: the median over calls of the slowest rank's time from
//     the barrier to its end (skewed: so it includes the last rank's
//     (P - 1) x S late entry);
//   back to back: the mean time per call of the slowest rank (its end of the
//     last call, from the barrier before the first, over the calls), the
//     figure a training step's mean is made of.
// Each rank times itself, so no clock is shared between hosts. Before the
// timed calls of each size one call sums known values and is checked: a
// wrong sum exits 1.
#include <mpi.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "validate/rabenseifner_replica.h"

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

// The all-reduce being timed: Open MPI's, or our replica of its algorithm.
struct AllReduce {
  bool replica = false;
  bool ready_handshake = false;
  std::vector<float> scratch;
  // Where the replica records its exchanges; none: not recorded.
  std::vector<sim::validate::ExchangeRecord>* trace = nullptr;

  void operator()(std::vector<float>& data) {
    if (replica) {
      sim::validate::RabenseifnerAllReduceSum(data, MPI_COMM_WORLD, ready_handshake, scratch, trace);
    } else {
      MPI_Allreduce(MPI_IN_PLACE, data.data(), static_cast<int>(data.size()), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    }
  }
};

// One call on values whose sum is known (small integers: exact in float).
bool SumsCorrectly(AllReduce& all_reduce, std::size_t count, int rank, int ranks) {
  std::vector<float> data(count);
  for (std::size_t i = 0; i < count; ++i) data[i] = static_cast<float>(rank + 1 + static_cast<int>(i % 5));
  all_reduce(data);
  bool right = true;
  for (std::size_t i = 0; i < count && right; ++i) {
    const int expected = ranks * (ranks + 1) / 2 + ranks * static_cast<int>(i % 5);
    right = data[i] == static_cast<float>(expected);
  }
  int all_right = right ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &all_right, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  return all_right == 1;
}

// One CSV row per exchange of every rank, gathered on rank 0 (bytes, call
// and rank prepended), times from the earliest begin.
constexpr int kTraceFields = 9;

void AppendTrace(const std::vector<sim::validate::ExchangeRecord>& records, long long bytes, int call, int rank,
                 std::vector<double>& out) {
  for (const auto& r : records) {
    out.insert(out.end(), {static_cast<double>(bytes), static_cast<double>(call), static_cast<double>(rank),
                           static_cast<double>(r.step), static_cast<double>(r.partner),
                           static_cast<double>(r.bytes_out), r.begin_s, r.sent_s, r.done_s});
  }
}

void WriteTrace(const std::vector<double>& mine, int rank, int ranks, std::ofstream& file) {
  const int count = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(ranks)), offsets(static_cast<std::size_t>(ranks));
  MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  int total = 0;
  for (int r = 0; r < ranks && rank == 0; ++r) {
    offsets[static_cast<std::size_t>(r)] = total;
    total += counts[static_cast<std::size_t>(r)];
  }
  std::vector<double> all(static_cast<std::size_t>(total));
  MPI_Gatherv(mine.data(), count, MPI_DOUBLE, all.data(), counts.data(), offsets.data(), MPI_DOUBLE, 0,
              MPI_COMM_WORLD);
  if (rank != 0) return;
  double origin = 0;
  for (std::size_t i = 0; i < all.size(); i += kTraceFields) {
    origin = i == 0 ? all[i + 6] : std::min(origin, all[i + 6]);
  }
  file << "bytes,call,rank,step,partner,bytes_out,begin_s,sent_s,done_s\n";
  char line[256];
  for (std::size_t i = 0; i < all.size(); i += kTraceFields) {
    std::snprintf(line, sizeof line, "%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.9f,%.9f,%.9f\n", all[i], all[i + 1],
                  all[i + 2], all[i + 3], all[i + 4], all[i + 5], all[i + 6] - origin, all[i + 7] - origin,
                  all[i + 8] - origin);
    file << line;
  }
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
  CLI::App app{"mpi_allreduce_timing: time of MPI_Allreduce (float sum, or our replica of its algorithm) per size", "mpi_allreduce_timing"};
  app.add_option("--bytes", sizes, "Sizes in bytes (multiples of 4)")->required()->check(CLI::PositiveNumber);
  app.add_option("--repetitions", repetitions, "Timed calls per size")->capture_default_str()->check(CLI::Range(1, 1000000));
  auto* skew = app.add_option("--skew-us", skew_us, "Rank r enters each call r x this many microseconds after the barrier")
                   ->check(CLI::Range(0.0, 1e6));
  app.add_flag("--back-to-back", back_to_back, "No barrier between calls: report the mean time per call")
      ->excludes(skew);
  AllReduce all_reduce;
  auto* replica = app.add_flag("--replica", all_reduce.replica,
                               "Time our replica of Open MPI's Rabenseifner all-reduce (power-of-two ranks)");
  app.add_flag("--ready-handshake", all_reduce.ready_handshake,
               "With --replica: partners swap one byte before each message")
      ->needs(replica);
  std::string trace_path;
  app.add_option("--trace", trace_path, "With --replica: write every exchange of every timed call to this CSV")
      ->needs(replica);
  try {
    app.parse(argc, argv);
    for (long long bytes : sizes) {
      if (bytes % 4 != 0) throw CLI::ValidationError("--bytes", std::to_string(bytes) + " is not a multiple of 4");
    }
    if (all_reduce.replica && (ranks & (ranks - 1)) != 0) {
      throw CLI::ValidationError("--replica", "needs a power-of-two number of ranks, got " + std::to_string(ranks));
    }
  } catch (const CLI::ParseError& e) {
    const int status = rank == 0 ? app.exit(e) : (e.get_exit_code() == 0 ? 0 : 2);
    MPI_Finalize();
    return status == 0 ? 0 : 2;
  }
  std::ofstream trace_file;
  int trace_open = 1;
  if (!trace_path.empty() && rank == 0) {
    trace_file.open(trace_path);
    trace_open = trace_file ? 1 : 0;
  }
  MPI_Bcast(&trace_open, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (trace_open == 0) {
    if (rank == 0) std::fprintf(stderr, "mpi_allreduce_timing: --trace: cannot write '%s'\n", trace_path.c_str());
    MPI_Finalize();
    return 2;
  }
  // One call's exchanges (when tracing), added to the rows of the file
  // after the call's end is read: the call returns MPI_Wtime() at its end.
  std::vector<sim::validate::ExchangeRecord> call_trace;
  std::vector<double> trace_rows;
  if (!trace_path.empty()) all_reduce.trace = &call_trace;
  const auto timed_call = [&](std::vector<float>& data, long long bytes, int call) {
    call_trace.clear();
    all_reduce(data);
    const double end = MPI_Wtime();
    AppendTrace(call_trace, bytes, call, rank, trace_rows);
    return end;
  };
  const double skew_s = skew_us * 1e-6;
  for (long long bytes : sizes) {
    // Zeros: the sums stay finite over any number of calls.
    std::vector<float> data(static_cast<std::size_t>(bytes / 4), 0.0f);
    if (!SumsCorrectly(all_reduce, data.size(), rank, ranks)) {  // also: connections made, buffers touched
      if (rank == 0) std::fprintf(stderr, "mpi_allreduce_timing: the all-reduce of %lld bytes summed wrongly\n", bytes);
      MPI_Finalize();
      return 1;
    }
    std::string mode = all_reduce.replica ? (all_reduce.ready_handshake ? " replica with ready handshake" : " replica")
                                          : "";
    double seconds = 0;
    if (back_to_back) {
      MPI_Barrier(MPI_COMM_WORLD);
      const double start = MPI_Wtime();
      for (int r = 0; r < repetitions; ++r) timed_call(data, bytes, r);
      seconds = Slowest(MPI_Wtime() - start) / repetitions;
      mode += " back to back";
    } else {
      std::vector<double> times;
      for (int r = 0; r < repetitions; ++r) {
        MPI_Barrier(MPI_COMM_WORLD);
        const double start = MPI_Wtime();
        SpinFor(skew_s * rank);
        times.push_back(Slowest(timed_call(data, bytes, r) - start));
      }
      std::sort(times.begin(), times.end());
      seconds = times[times.size() / 2];
      if (skew_us > 0) {
        char text[64];
        std::snprintf(text, sizeof text, " skewed %g us per rank", skew_us);
        mode += text;
      }
    }
    if (rank == 0) std::printf("%d ranks %lld bytes%s: %.6f s\n", ranks, bytes, mode.c_str(), seconds);
  }
  if (!trace_path.empty()) WriteTrace(trace_rows, rank, ranks, trace_file);
  MPI_Finalize();
  return 0;
}

#include "sim/sweep/mpi_sweep.h"

#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "sim/sweep/csv_line.h"

namespace sim::sweep {
namespace {

enum Tag : int {
  kReady = 1,  // rank -> 0: give me a point (empty)
  kRow = 2,    // rank -> 0: the CSV line of the point it ran; give me another
  kPoint = 3,  // 0 -> rank: run this point (one uint64)
  kStop = 4,   // 0 -> rank: no points left (empty)
};

// Points handed out by rank 0's two threads: its own runner and the main
// thread serving the other ranks.
class PointQueue {
 public:
  explicit PointQueue(std::vector<std::size_t> order) : order_(std::move(order)) {}
  std::optional<std::size_t> next() {
    std::lock_guard lock(mutex_);
    if (next_ == order_.size()) return std::nullopt;
    return order_[next_++];
  }
  // Hands out nothing more.
  void close() {
    std::lock_guard lock(mutex_);
    next_ = order_.size();
  }

 private:
  std::mutex mutex_;
  std::vector<std::size_t> order_;
  std::size_t next_ = 0;
};

std::string LineOf(const PointRow& row) { return CsvLine(Cells(row, 0, nullptr)); }

PointRow RowOfLine(const std::string& line, const SweepPlan& plan, int source) {
  const auto cells = SplitCsvLine(line);
  auto row = cells ? RowOfCells(*cells, plan.axes.size()) : std::nullopt;
  std::size_t point = 0;
  if (row) point = std::stoul((*cells)[0]);
  if (!row || point >= plan.points.size() || row->values != plan.points[point].values) {
    throw std::runtime_error("rank " + std::to_string(source) + " sent a row that is not a point of this sweep: " +
                             line);
  }
  row->point = point;
  return *row;
}

void Send(const std::string& text, int tag) {
  MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, 0, tag, MPI_COMM_WORLD);
}

// Rank 0's main thread: answers every other rank's request with a point,
// or with kStop once none is left, and writes the rows they send.
void Serve(const SweepPlan& plan, PointQueue& queue, TableFile& table, Progress& progress, int ranks);

// Rank 0 after the plan: serve the other ranks and run points itself.
SweepSummary Coordinate(const SweepPlan& plan, const SweepOptions& options, TableFile& table, int ranks) {
  const std::vector<std::size_t> order = LargestFirst(plan, table);
  if (!options.quiet) {
    std::cerr << "sim sweep: " << order.size() << " of " << plan.points.size() << " points to run on " << ranks
              << " MPI ranks\n";
  }
  PointQueue queue(order);
  Progress progress(plan, order.size(), options.quiet, std::cerr, StderrLine(options.quiet));

  std::exception_ptr local_failure;
  std::thread local([&] {
    try {
      while (const auto point = queue.next()) {
        PointRow row = RunPointRow(plan, options, *point);
        table.add(row);
        progress.finished(row);
      }
    } catch (...) {
      local_failure = std::current_exception();
    }
  });

  // The serving loop; should it throw (a row that cannot be written), rank 0's
  // own runner is stopped and joined before the error goes on.
  try {
    Serve(plan, queue, table, progress, ranks);
  } catch (...) {
    queue.close();
    local.join();
    throw;
  }
  local.join();
  progress.finish();
  if (local_failure) std::rethrow_exception(local_failure);
  return FinishSweep(plan, options, table);
}

void Serve(const SweepPlan& plan, PointQueue& queue, TableFile& table, Progress& progress, int ranks) {
  int serving = ranks - 1;
  std::string buffer;
  while (serving > 0) {
    int arrived = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &status);
    if (!arrived) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    int length = 0;
    MPI_Get_count(&status, MPI_CHAR, &length);
    buffer.assign(static_cast<std::size_t>(length), '\0');
    MPI_Recv(buffer.data(), length, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (status.MPI_TAG == kRow) {
      PointRow row = RowOfLine(buffer, plan, status.MPI_SOURCE);
      table.add(row);
      progress.finished(row);
    }
    if (const auto point = queue.next()) {
      const std::uint64_t index = *point;
      MPI_Send(&index, 1, MPI_UINT64_T, status.MPI_SOURCE, kPoint, MPI_COMM_WORLD);
    } else {
      MPI_Send(nullptr, 0, MPI_CHAR, status.MPI_SOURCE, kStop, MPI_COMM_WORLD);
      --serving;
    }
  }
}

// Any other rank: ask, run, send back, until told to stop.
void Work(const SweepPlan& plan, const SweepOptions& options) {
  Send("", kReady);
  for (;;) {
    std::uint64_t index = 0;
    MPI_Status status;
    MPI_Recv(&index, 1, MPI_UINT64_T, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
    if (status.MPI_TAG == kStop) return;
    Send(LineOf(RunPointRow(plan, options, static_cast<std::size_t>(index))), kRow);
  }
}

}  // namespace

int RunSweepOverMpi(const SweepOptions& options, const ReportErrors& report) {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);

  int status = 0;
  if (provided < MPI_THREAD_FUNNELED) {
    if (rank == 0) {
      status = report([] {
        throw std::runtime_error("this MPI library cannot run a thread beside MPI calls (MPI_THREAD_FUNNELED)");
      });
    }
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    return status;
  }

  // Rank 0 alone checks the input and opens the table, so a problem is
  // printed once; the others wait for its verdict.
  SweepPlan plan;
  std::unique_ptr<TableFile> table;
  if (rank == 0) {
    status = report([&] {
      if (options.jobs != 1) {
        throw std::invalid_argument("-j is for one machine; under mpirun each rank runs one point at a time (give "
                                    "mpirun more ranks instead)");
      }
      plan = PlanSweep(options, true);
      table = std::make_unique<TableFile>(options.out, plan.axes, plan.points, plan.baselines, options.resume);
    });
  }
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (status == 0) {
    // The other ranks need only the points, which the arguments give.
    if (rank != 0) plan = PlanSweep(options, false);
    SweepSummary summary;
    status = report([&] {
      if (rank == 0) {
        summary = Coordinate(plan, options, *table, ranks);
      } else {
        Work(plan, options);
      }
    });
    // Rank 0 failing (its table unwritable) would leave the others waiting.
    if (status != 0 && rank == 0) MPI_Abort(MPI_COMM_WORLD, status);
    // As without MPI: a complete table with failed points exits 1.
    if (summary.failed > 0) status = 1;
  }
  MPI_Finalize();
  return status;
}

}  // namespace sim::sweep

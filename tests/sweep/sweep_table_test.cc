// The table's rows: CSV quoting that keeps a row on one line, the columns,
// and speedup / scaling efficiency as sweep_table.h defines them.
#include <gtest/gtest.h>

#include "sim/sweep/csv_line.h"
#include "sim/sweep/sweep_table.h"

namespace sim::sweep {
namespace {

using Row = std::vector<std::string>;

TEST(CsvLine, QuotesCommasAndQuotesAndReadsThemBack) {
  const Row cells = {"plain", "128,64", "say \"hi\"", "", "SYNC_PS/1 server"};
  const std::string line = CsvLine(cells);
  EXPECT_EQ(line, "plain,\"128,64\",\"say \"\"hi\"\"\",,SYNC_PS/1 server");
  EXPECT_EQ(SplitCsvLine(line), cells);
}

TEST(CsvLine, ALineBreakInACellBecomesASpace) {
  EXPECT_EQ(CsvLine({"two\nlines", "x"}), "two lines,x");
}

TEST(CsvLine, BrokenQuotingIsNotARow) {
  EXPECT_FALSE(SplitCsvLine("\"open,x").has_value());
  EXPECT_FALSE(SplitCsvLine("a\"b,c").has_value());
  EXPECT_FALSE(SplitCsvLine("\"a\"b,c").has_value());
}

result::RunResult Result(std::uint32_t workers, double samples_per_s) {
  result::RunResult r;
  r.set_workers(workers);
  r.set_strategy("SYNC_ALLREDUCE/RING");
  r.set_steps(10);
  r.set_sim_time_s(2.0);
  r.set_mean_step_s(0.2);
  r.set_samples_per_s(samples_per_s);
  r.set_compute_s(1.5);
  r.set_comm_s(0.25);
  r.set_wait_s(0.25);
  r.set_final_loss(0.5);
  r.set_final_accuracy(0.875);
  r.set_staleness_mean(0.0);
  r.set_staleness_max(0);
  r.set_wall_s(0.01);
  return r;
}

const std::vector<SweepAxis> kAxes = {{"cluster.workers", {"1", "4"}}};

TEST(SweepTable, HeaderHasThePointTheSweptPathsAndTheMeasures) {
  const Row header = Header(kAxes);
  const Row expected = {"point", "cluster.workers", "workers", "strategy", "steps", "sim_time_s", "step_time_s",
                          "samples_per_s", "baseline_point", "speedup", "scaling_efficiency", "compute_share",
                          "exposed_comm_share", "wait_share", "final_loss", "final_accuracy", "time_to_target_s",
                          "staleness_mean", "staleness_max", "tflops_per_gpu", "mfu", "memory_gib",
                          "memory_capacity_gib", "memory_fits", "bubble_share", "hardware_tflops_per_gpu", "wall_s",
                          "error"};
  EXPECT_EQ(header, expected);
}

TEST(SweepTable, SpeedupIsTheThroughputRatioAndEfficiencyItsShareOfLinear) {
  const auto points = PointsOf(kAxes);
  const PointRow base = RowOfResult(points[0], Result(1, 100.0));
  const PointRow four = RowOfResult(points[1], Result(4, 350.0));
  const Row cells = Cells(four, 0, &base);
  const Row header = Header(kAxes);
  auto at = [&](const char* column) {
    return cells[static_cast<std::size_t>(std::find(header.begin(), header.end(), column) - header.begin())];
  };
  // speedup = 350 / 100 = 3.5; efficiency = 3.5 / (4 / 1) = 0.875.
  EXPECT_EQ(at("speedup"), "3.5");
  EXPECT_EQ(at("scaling_efficiency"), "0.875");
  EXPECT_EQ(at("baseline_point"), "0");
  // Shares of compute 1.5, comm 0.25, wait 0.25 seconds: 0.75, 0.125, 0.125.
  EXPECT_EQ(at("compute_share"), "0.75");
  EXPECT_EQ(at("exposed_comm_share"), "0.125");
  EXPECT_EQ(at("wait_share"), "0.125");
  EXPECT_EQ(at("time_to_target_s"), "");  // not reached
  EXPECT_EQ(at("error"), "");
}

TEST(SweepTable, DerivedCellsStayEmptyWithoutAFinishedBaseline) {
  const auto points = PointsOf(kAxes);
  const Row cells = Cells(RowOfResult(points[1], Result(4, 350.0)), 0, nullptr);
  EXPECT_EQ(cells[8], "0");  // baseline_point
  EXPECT_EQ(cells[9], "");   // speedup
  EXPECT_EQ(cells[10], "");  // scaling_efficiency
  const PointRow failed = RowOfError(points[0], "boom");
  const Row with_failed_base = Cells(RowOfResult(points[1], Result(4, 350.0)), 0, &failed);
  EXPECT_EQ(with_failed_base[9], "");
}

TEST(SweepTable, ARowReadsBackFromItsCells) {
  const auto points = PointsOf(kAxes);
  const PointRow row = RowOfResult(points[1], Result(4, 350.0));
  const auto back = RowOfCells(*SplitCsvLine(CsvLine(Cells(row, 0, nullptr))), kAxes.size());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->values, row.values);
  EXPECT_EQ(back->measured, row.measured);
  EXPECT_EQ(back->error, row.error);
  EXPECT_FALSE(RowOfCells({"1", "2"}, kAxes.size()).has_value());
}

TEST(SweepTable, AFailedPointKeepsItsValuesAndError) {
  const auto points = PointsOf(kAxes);
  const Row cells = Cells(RowOfError(points[1], "Fashion-MNIST folder /x not found"), 0, nullptr);
  EXPECT_EQ(cells[0], "1");
  EXPECT_EQ(cells[1], "4");
  EXPECT_EQ(cells[2], "");  // workers
  EXPECT_EQ(cells.back(), "Fashion-MNIST folder /x not found");
}

}  // namespace
}  // namespace sim::sweep

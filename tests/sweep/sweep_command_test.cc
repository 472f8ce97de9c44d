// `sim sweep` as a user runs it: a complete table whose rows agree with
// single runs of the same points, a sweep killed after 3 points and resumed,
// bad input that exits 2 and writes nothing, a point that fails at run time,
// -j 2 against -j 1, and mpirun -np 2 against no MPI.
#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <thread>

#include "sim/sweep/csv_line.h"
#include "tests/validate/process.h"

extern char** environ;

namespace sim::sweep {
namespace {

using validate::testing::Build;
using validate::testing::Have;
using validate::testing::LocalMpirun;
using validate::testing::Outcome;
using validate::testing::Read;
using validate::testing::Shell;
namespace fs = std::filesystem;

fs::path TempDir() { return validate::testing::TempDir("sim-sweep-tests"); }

// Synthetic data and an MLP: a point takes ~10-60 ms of host time per
// 300 steps, growing with the worker count.
std::string Scenario(const fs::path& dir, int steps) {
  const fs::path path = dir / "sweep.pbtxt";
  std::ofstream(path) << "name: \"sweep\"\n"
                         "cluster { workers: 4 device_profile { peak_tflops: 1 } }\n"
                         "workload {\n"
                         "  model { mlp { hidden: 64 } }\n"
                         "  dataset { synthetic { train_samples: 2000 test_samples: 200 } }\n"
                         "  batch_size: 32 steps: " << steps << " eval_every_steps: " << steps / 3 << "\n"
                         "  target_accuracy: 0.5\n"
                         "}\n";
  return path.string();
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  [[nodiscard]] std::size_t column(const std::string& name) const {
    const auto at = std::find(header.begin(), header.end(), name);
    EXPECT_NE(at, header.end()) << name;
    return static_cast<std::size_t>(at - header.begin());
  }
  [[nodiscard]] const std::string& cell(std::size_t row, const std::string& name) const {
    return rows.at(row).at(column(name));
  }
};

Table ReadTable(const fs::path& path) {
  Table t;
  std::istringstream in(Read(path));
  std::string line;
  if (std::getline(in, line)) t.header = *SplitCsvLine(line);
  while (std::getline(in, line)) {
    const auto cells = SplitCsvLine(line);
    EXPECT_TRUE(cells.has_value()) << line;
    if (cells) t.rows.push_back(*cells);
  }
  return t;
}

std::size_t DataRows(const fs::path& path) {
  const std::string text = Read(path);
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  return lines > 0 ? lines - 1 : 0;
}

// The table without its wall_s column (the only one that differs between two
// sweeps of the same points).
std::vector<std::vector<std::string>> WithoutWallTime(const Table& t) {
  std::vector<std::vector<std::string>> rows = t.rows;
  const std::size_t wall = t.column("wall_s");
  for (auto& row : rows) row.erase(row.begin() + static_cast<std::ptrdiff_t>(wall));
  return rows;
}

std::string Sim() { return Build() + "/sim"; }

TEST(SweepCommand, SevenPointWorkerSweepWritesACompleteTable) {
  const fs::path dir = TempDir();
  const std::string scenario = Scenario(dir, 150);
  const fs::path out = dir / "t.csv";
  const Outcome o = Shell(Sim() + " sweep -s " + scenario + " --sweep cluster.workers=1:7:+1 --out " + out.string());
  ASSERT_EQ(o.status, 0) << o.output;
  const Table t = ReadTable(out);
  ASSERT_EQ(t.rows.size(), 7u);
  for (std::size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(t.cell(i, "point"), std::to_string(i));
    EXPECT_EQ(t.cell(i, "cluster.workers"), std::to_string(i + 1));
    EXPECT_EQ(t.cell(i, "workers"), std::to_string(i + 1));
    EXPECT_EQ(t.cell(i, "error"), "");
    EXPECT_EQ(t.cell(i, "baseline_point"), "0");
    // The definitions of sweep_table.h, recomputed from the table's own cells.
    const double speedup = std::stod(t.cell(i, "samples_per_s")) / std::stod(t.cell(0, "samples_per_s"));
    EXPECT_NEAR(std::stod(t.cell(i, "speedup")), speedup, 1e-9 * speedup);
    EXPECT_NEAR(std::stod(t.cell(i, "scaling_efficiency")), speedup / (i + 1.0), 1e-9 * speedup);
    const double shares = std::stod(t.cell(i, "compute_share")) + std::stod(t.cell(i, "exposed_comm_share")) +
                          std::stod(t.cell(i, "wait_share"));
    EXPECT_NEAR(shares, 1.0, 1e-8);
  }
  EXPECT_EQ(t.cell(0, "speedup"), "1");

  // A row is what `sim --json` says of the same point (wall time aside).
  const fs::path json = dir / "r.json";
  ASSERT_EQ(Shell(Sim() + " -q --scenario " + scenario + " --set cluster.workers=5 --json " + json.string()).status, 0);
  const result::RunResult r = validate::testing::ReadResult(json);
  const std::size_t row = 4;
  EXPECT_EQ(t.cell(row, "strategy"), r.strategy());
  EXPECT_EQ(std::stoul(t.cell(row, "steps")), r.steps());
  EXPECT_NEAR(std::stod(t.cell(row, "step_time_s")), r.mean_step_s(), 1e-9 * r.mean_step_s());
  EXPECT_NEAR(std::stod(t.cell(row, "samples_per_s")), r.samples_per_s(), 1e-9 * r.samples_per_s());
  EXPECT_NEAR(std::stod(t.cell(row, "final_loss")), r.final_loss(), 1e-9 * r.final_loss());
  EXPECT_NEAR(std::stod(t.cell(row, "final_accuracy")), r.final_accuracy(), 1e-12);
  ASSERT_TRUE(r.has_time_to_target_s());
  EXPECT_NEAR(std::stod(t.cell(row, "time_to_target_s")), r.time_to_target_s(), 1e-9 * r.time_to_target_s());
  EXPECT_NEAR(std::stod(t.cell(row, "compute_share")), r.compute_s() / (r.compute_s() + r.comm_s() + r.wait_s()),
              1e-9);
}

TEST(SweepCommand, KilledAfterThreePointsAndResumedHasEveryPointOnce) {
  const fs::path dir = TempDir();
  // 1,200 steps: the largest points take ~0.25 s each, so the 4th is still
  // running when the test sees the 3rd row (it polls every millisecond).
  const std::string scenario = Scenario(dir, 1200);
  const fs::path out = dir / "t.csv";
  const std::string sim = Sim();
  std::vector<std::string> args = {sim, "sweep", "-q", "-s", scenario, "--sweep", "cluster.workers=1:7:+1", "--out",
                                   out.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(::posix_spawn(&pid, sim.c_str(), nullptr, nullptr, argv.data(), environ), 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (DataRows(out) < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the sweep ended before it was killed";
  const std::size_t rows_at_kill = DataRows(out);
  ASSERT_GE(rows_at_kill, 3u);
  ASSERT_LT(rows_at_kill, 7u) << "every point finished before the kill";
  std::printf("killed with %zu of 7 rows in the table\n", rows_at_kill);
  // Without --resume the table is not touched.
  const std::string killed = Read(out);
  const Outcome refused =
      Shell(sim + " sweep -q -s " + scenario + " --sweep cluster.workers=1:7:+1 --out " + out.string());
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_NE(refused.output.find("--resume"), std::string::npos) << refused.output;
  EXPECT_EQ(Read(out), killed);

  const Outcome resumed = Shell(sim + " sweep -s " + scenario + " --sweep cluster.workers=1:7:+1 --resume --out " +
                                out.string());
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("holds " + std::to_string(rows_at_kill) + " of 7 points"), std::string::npos)
      << resumed.output;
  const Table t = ReadTable(out);
  ASSERT_EQ(t.rows.size(), 7u);
  std::map<std::string, int> seen;
  for (std::size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(t.cell(i, "point"), std::to_string(i));
    ++seen[t.cell(i, "cluster.workers")];
    EXPECT_EQ(t.cell(i, "error"), "");
  }
  for (int w = 1; w <= 7; ++w) EXPECT_EQ(seen[std::to_string(w)], 1) << w;

  // The same table as a sweep never killed.
  const fs::path whole = dir / "whole.csv";
  ASSERT_EQ(Shell(sim + " sweep -q -s " + scenario + " --sweep cluster.workers=1:7:+1 --out " + whole.string()).status,
            0);
  EXPECT_EQ(WithoutWallTime(t), WithoutWallTime(ReadTable(whole)));
}

TEST(SweepCommand, ABadValueInOnePointExits2NamingItAndWritesNothing) {
  const fs::path dir = TempDir();
  const std::string scenario = Scenario(dir, 30);
  const fs::path out = dir / "t.csv";
  const Outcome o = Shell(Sim() + " sweep -s " + scenario +
                          " --sweep cluster.workers=2,0,4 --sweep strategy.kind=SYNC_ALLREDUCE --out " + out.string());
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("point 1 (cluster.workers=0, strategy.kind=SYNC_ALLREDUCE)"), std::string::npos)
      << o.output;
  EXPECT_NE(o.output.find("cluster.workers must be >= 1, got 0"), std::string::npos) << o.output;
  EXPECT_FALSE(fs::exists(out));

  // An unknown path: one problem shared by every point, listed once.
  const Outcome typo =
      Shell(Sim() + " sweep -s " + scenario + " --sweep cluster.wrkers=1,2,3 --out " + out.string());
  EXPECT_EQ(typo.status, 2) << typo.output;
  EXPECT_NE(typo.output.find("point 0 (cluster.wrkers=1) and 2 other points"), std::string::npos) << typo.output;
  EXPECT_NE(typo.output.find("cluster.workers"), std::string::npos) << typo.output;  // the nearest valid path
  EXPECT_FALSE(fs::exists(out));

  // A bad range is bad input too.
  const Outcome range = Shell(Sim() + " sweep -s " + scenario + " --sweep cluster.workers=1:8:y2 --out " + out.string());
  EXPECT_EQ(range.status, 2) << range.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST(SweepCommand, APointThatFailsAtRunTimeBecomesARowWithItsError) {
  const fs::path dir = TempDir();
  const fs::path scenario = dir / "fashion.pbtxt";
  std::ofstream(scenario) << "cluster { workers: 2 device_profile { peak_tflops: 1 } }\n"
                             "workload { model { softmax_regression {} } dataset { fashion_mnist { train_samples: "
                             "1000 } } steps: 5 }\n";
  const fs::path out = dir / "t.csv";
  // The folder is checked when the data is loaded, at run time.
  const Outcome o = Shell(Sim() + " sweep -s " + scenario.string() +
                          " --sweep workload.dataset.fashion_mnist.path=/nonexistent,/usr/share/datasets/fashion-mnist"
                          " --out " + out.string());
  EXPECT_EQ(o.status, 1) << o.output;  // the table is complete, a point failed
  EXPECT_NE(o.output.find("1 failed"), std::string::npos) << o.output;
  const Table t = ReadTable(out);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_NE(t.cell(0, "error").find("/nonexistent not found"), std::string::npos) << t.cell(0, "error");
  EXPECT_EQ(t.cell(0, "samples_per_s"), "");
  if (fs::exists("/usr/share/datasets/fashion-mnist")) {
    EXPECT_EQ(t.cell(1, "error"), "");
    EXPECT_GT(std::stod(t.cell(1, "samples_per_s")), 0.0);
    EXPECT_EQ(t.cell(1, "speedup"), "");  // its baseline, point 0, failed
  }
}

TEST(SweepCommand, TwoJobsGiveTheSameTableAsOne) {
  const fs::path dir = TempDir();
  const std::string scenario = Scenario(dir, 90);
  const std::string sweep = " --sweep cluster.workers=1:7:+2 --sweep strategy.kind=SYNC_ALLREDUCE,SYNC_PS,ASYNC_PS"
                            " --baseline cluster.workers=1";
  const fs::path one = dir / "one.csv", two = dir / "two.csv";
  ASSERT_EQ(Shell(Sim() + " sweep -q -j 1 -s " + scenario + sweep + " --out " + one.string()).status, 0);
  ASSERT_EQ(Shell(Sim() + " sweep -q -j 2 -s " + scenario + sweep + " --out " + two.string()).status, 0);
  const Table a = ReadTable(one), b = ReadTable(two);
  ASSERT_EQ(a.rows.size(), 12u);  // 4 worker counts x 3 strategies
  EXPECT_EQ(a.header, b.header);
  EXPECT_EQ(WithoutWallTime(a), WithoutWallTime(b));
  // --baseline cluster.workers=1: each strategy against its own 1-worker point.
  for (std::size_t i = 0; i < a.rows.size(); ++i) EXPECT_EQ(a.cell(i, "baseline_point"), std::to_string(i % 3));
}

TEST(SweepCommand, MpirunWithTwoRanksWritesTheSameTable) {
#ifndef SIM_SWEEP_TEST_MPI
  GTEST_SKIP() << "sim was built without MPI (cmake found none): sim sweep cannot run under mpirun";
#endif
  if (!Have("mpirun")) GTEST_SKIP() << "mpirun not found: Open MPI is needed for a sweep over MPI ranks";
  const fs::path dir = TempDir();
  const std::string scenario = Scenario(dir, 90);
  const std::string sweep = " --sweep cluster.workers=1:7:+1 --sweep strategy.kind=SYNC_ALLREDUCE,ASYNC_PS";
  const fs::path alone = dir / "alone.csv", ranks = dir / "ranks.csv";
  ASSERT_EQ(Shell(Sim() + " sweep -q -s " + scenario + sweep + " --out " + alone.string()).status, 0);
  const Outcome o = Shell(LocalMpirun() + " -np 2 " + Sim() + " sweep -s " + scenario + sweep + " --out " +
                          ranks.string());
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_NE(o.output.find("on 2 MPI ranks"), std::string::npos) << o.output;
  const Table a = ReadTable(alone), b = ReadTable(ranks);
  ASSERT_EQ(a.rows.size(), 14u);
  EXPECT_EQ(a.header, b.header);
  EXPECT_EQ(WithoutWallTime(a), WithoutWallTime(b));
}

}  // namespace
}  // namespace sim::sweep

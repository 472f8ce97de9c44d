// A training run end to end: results, evaluation at no simulated time,
// divergence, time to target, determinism, async staleness, and the
// series' step rows (--series-every).
#include "sim/run/training_run.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "scenario_text.h"

namespace sim {
namespace {

using testing::kSyntheticMlp;
using testing::Loaded;

TEST(TrainingRun, EvaluationCostsNoSimulatedTime) {
  auto often = RunTraining(Loaded(kSyntheticMlp, {"cluster.workers=4", "workload.eval_every_steps=1"}));
  auto rarely = RunTraining(Loaded(kSyntheticMlp, {"cluster.workers=4", "workload.eval_every_steps=30"}));
  EXPECT_EQ(often.result.sim_time_s(), rarely.result.sim_time_s());
  EXPECT_EQ(often.result.final_loss(), rarely.result.final_loss());
}

TEST(TrainingRun, SameSeedGivesIdenticalResultsApartFromWallTime) {
  auto a = RunTraining(Loaded(kSyntheticMlp, {"cluster.workers=4", "stragglers.distribution=EXPONENTIAL",
                                              "stragglers.mean=0.3"}));
  auto b = RunTraining(Loaded(kSyntheticMlp, {"cluster.workers=4", "stragglers.distribution=EXPONENTIAL",
                                              "stragglers.mean=0.3"}));
  a.result.clear_wall_s();
  b.result.clear_wall_s();
  EXPECT_EQ(a.result.SerializeAsString(), b.result.SerializeAsString());
  EXPECT_EQ(a.series_csv, b.series_csv);
}

TEST(TrainingRun, EachWorkerEntryAndEagerMessagesTrainTheSameModel) {
  // The update of a step is the mean of the same gradients whoever enters
  // first, so the loss is the same to the bit; only time may differ.
  const std::vector<std::string> base = {"cluster.workers=4", "strategy.allreduce=HALVING_DOUBLING",
                                         "stragglers.distribution=EXPONENTIAL", "stragglers.mean=0.3"};
  auto with = [&](std::vector<std::string> more) {
    more.insert(more.begin(), base.begin(), base.end());
    return RunTraining(Loaded(kSyntheticMlp, more)).result;
  };
  const auto together = with({});
  const auto each = with({"strategy.allreduce_entry=EACH_WORKER"});
  const auto each_eager = with({"strategy.allreduce_entry=EACH_WORKER", "cluster.network.eager_limit_bytes=1000000"});
  EXPECT_EQ(each.final_loss(), together.final_loss());
  EXPECT_EQ(each_eager.final_loss(), together.final_loss());
  EXPECT_EQ(each.steps(), together.steps());
  // Halving-doubling on a star never puts two flows on a link, and with
  // rendezvous messages no transfer starts later when ranks enter earlier.
  EXPECT_LE(each.sim_time_s(), together.sim_time_s());
  EXPECT_GT(each.sim_time_s(), 0.0);
}

TEST(TrainingRun, EachWorkerEntryWithEqualWorkersChangesNoStepTime) {
  // No stragglers: every worker enters every step at the same time and
  // halving-doubling lets every rank out at once, so entering on one's own
  // and eager messages change nothing (sim/strategy/sync_allreduce.h).
  const std::vector<std::string> base = {"cluster.workers=8", "strategy.allreduce=HALVING_DOUBLING"};
  auto with = [&](std::vector<std::string> more) {
    more.insert(more.begin(), base.begin(), base.end());
    return RunTraining(Loaded(kSyntheticMlp, more)).result;
  };
  const double together = with({}).sim_time_s();
  EXPECT_EQ(with({"strategy.allreduce_entry=EACH_WORKER"}).sim_time_s(), together);
  EXPECT_EQ(with({"strategy.allreduce_entry=EACH_WORKER", "cluster.network.eager_limit_bytes=1000000"}).sim_time_s(),
            together);
}

TEST(TrainingRun, DivergenceEndsTheRunAndIsReported) {
  // A learning rate of 1e4 on linear regression blows the loss up to infinity
  // within a few steps (the update multiplies the error by ~|1 - lr x
  // ||x||^2| > 1 each step).
  auto run = RunTraining(Loaded(R"(
    cluster { workers: 2 device_profile { peak_tflops: 1 } }
    workload {
      model { linear_regression {} }
      dataset { synthetic { train_samples: 1000 test_samples: 200 features: 8 } }
      steps: 1000 eval_every_steps: 1
      optimizer { learning_rate: 10000 }
    }
  )"));
  EXPECT_TRUE(run.result.diverged());
  ASSERT_TRUE(run.result.has_diverged_at_step());
  EXPECT_LT(run.result.diverged_at_step(), 1000u);
  EXPECT_EQ(run.result.steps(), run.result.diverged_at_step());
}

TEST(TrainingRun, TimeToTargetIsTheFirstEvaluationReachingIt) {
  auto run = RunTraining(Loaded(kSyntheticMlp, {"cluster.workers=4", "workload.target_accuracy=0.5",
                                                "workload.eval_every_steps=5"}));
  ASSERT_TRUE(run.result.has_time_to_target_s());
  EXPECT_GT(run.result.time_to_target_s(), 0.0);
  EXPECT_LE(run.result.time_to_target_s(), run.result.sim_time_s());
  EXPECT_EQ(run.result.steps_to_target() % 5, 0u);
  auto unreachable = RunTraining(Loaded(kSyntheticMlp, {"cluster.workers=4", "workload.target_accuracy=1.0"}));
  EXPECT_FALSE(unreachable.result.has_time_to_target_s());
}

TEST(TrainingRun, StopAtTargetEndsTheRunEarly) {
  auto run = RunTraining(Loaded(kSyntheticMlp, {"cluster.workers=4", "workload.target_accuracy=0.5",
                                                "workload.eval_every_steps=5", "workload.stop_at_target=true"}));
  ASSERT_TRUE(run.result.has_steps_to_target());
  EXPECT_EQ(run.result.steps(), run.result.steps_to_target());
}

TEST(TrainingRun, TimingOnlyModelRunsWithoutNumerics) {
  auto run = RunTraining(Loaded(R"(
    cluster { workers: 8 device: "v100" topology { star { host_link { bandwidth_gbit_per_s: 100 latency_us: 2 } } } }
    workload { model { timing_only { profile: "resnet50" } } steps: 5 batch_size: 64 }
  )"));
  EXPECT_EQ(run.result.steps(), 5u);
  EXPECT_GT(run.result.compute_s(), 0.0);
  EXPECT_GT(run.result.comm_s(), 0.0);
  EXPECT_EQ(run.result.final_loss(), 0.0);
}

TEST(TrainingRun, AsyncOnSixteenWorkersIsStaleAndLearnsLessPerUpdate) {
  // Same samples per update (32) and the same number of updates: sync with
  // 16 workers of batch 2, async with 16 workers of batch 32. Async applies
  // gradients computed ~15 updates ago (Dutta et al. 2018), so its loss
  // after the same number of updates is higher.
  const char* fashion = R"(
    cluster { workers: 16 device_profile { peak_tflops: 1 } }
    workload {
      model { softmax_regression {} }
      dataset { fashion_mnist { train_samples: 20000 } }
      steps: 300 eval_every_steps: 100 eval_samples: 2000
      optimizer { learning_rate: 0.05 momentum: 0.9 }
    }
  )";
  auto sync = RunTraining(Loaded(fashion, {"workload.batch_size=2"}));
  auto async = RunTraining(Loaded(fashion, {"workload.batch_size=32", "strategy.kind=ASYNC_PS"}));
  EXPECT_EQ(sync.result.steps(), async.result.steps());
  EXPECT_GT(async.result.final_loss(), sync.result.final_loss());
  EXPECT_EQ(sync.result.staleness_max(), 0u);
  EXPECT_GT(async.result.staleness_mean(), 5.0);
  ASSERT_GT(async.result.staleness_histogram_size(), 1);
  double counted = 0;
  for (double n : async.result.staleness_histogram()) counted += n;
  EXPECT_EQ(counted, 300.0);
}

// The series' rows of one kind ("step" or "evaluation"), split into cells.
std::vector<std::vector<std::string>> RowsOf(const std::string& csv, const std::string& kind) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::istringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    if (line.back() == ',') cells.emplace_back();
    if (cells.size() == 6 && cells[5] == kind) rows.push_back(cells);
  }
  return rows;
}

TEST(TrainingRun, SeriesEveryStepAddsStepRowsAndChangesNothingElse) {
  const std::vector<std::string> async = {"cluster.workers=4", "strategy.kind=ASYNC_PS",
                                          "stragglers.distribution=EXPONENTIAL", "stragglers.mean=0.3"};
  const scenario::RunPlan plan = Loaded(kSyntheticMlp, async);
  TrainingRunOutput plain = RunTraining(plan);
  TrainingRunOptions every;
  every.series_every = 1;
  TrainingRunOutput stepped = RunTraining(plan, every);
  plain.result.clear_wall_s();
  stepped.result.clear_wall_s();
  EXPECT_EQ(plain.result.SerializeAsString(), stepped.result.SerializeAsString());
  // Without its step rows the series is the one written without them.
  std::string evaluations = "step,sim_time_s,loss,accuracy,staleness,kind\n";
  for (const auto& row : RowsOf(stepped.series_csv, "evaluation")) {
    evaluations += row[0] + "," + row[1] + "," + row[2] + "," + row[3] + "," + row[4] + ",evaluation\n";
  }
  EXPECT_EQ(evaluations, plain.series_csv);

  // One row per step; an async step is one gradient, so the steps' staleness
  // averages to the run's.
  const auto steps = RowsOf(stepped.series_csv, "step");
  ASSERT_EQ(steps.size(), 60u);
  double staleness = 0, last_time = 0;
  for (std::size_t k = 0; k < steps.size(); ++k) {
    EXPECT_EQ(steps[k][0], std::to_string(k + 1));
    EXPECT_GE(std::stod(steps[k][1]), last_time);
    last_time = std::stod(steps[k][1]);
    EXPECT_EQ(steps[k][3], "") << "a step row has no accuracy";
    staleness += std::stod(steps[k][4]);
  }
  EXPECT_GT(staleness, 0.0);
  EXPECT_NEAR(staleness / 60.0, stepped.result.staleness_mean(), 1e-3);
  EXPECT_LE(last_time, stepped.result.sim_time_s());
}

TEST(TrainingRun, StepRowsHoldTheTrainingLossOfTheStepsBatches) {
  // With a learning rate of ~0 the model stays the initial one, and 50 steps
  // of 4 workers x 20 samples go once through the 4,000 training samples, so
  // the steps' mean mini-batch loss is the initial model's loss over the
  // training set. The initial evaluation scores 4,000 test samples drawn
  // from the same teacher: the two estimate one expected loss (measured
  // 0.1% apart; with 1,000 test samples, 4%).
  TrainingRunOptions every;
  every.series_every = 1;
  const auto run = RunTraining(
      Loaded(kSyntheticMlp, {"cluster.workers=4", "workload.optimizer.learning_rate=1e-12",
                             "workload.optimizer.momentum=0", "workload.dataset.synthetic.test_samples=4000",
                             "workload.batch_size=20", "workload.steps=50"}),
      every);
  const auto steps = RowsOf(run.series_csv, "step");
  ASSERT_EQ(steps.size(), 50u);
  double mean = 0;
  for (const auto& row : steps) mean += std::stod(row[2]) / 50.0;
  const double initial_test_loss = std::stod(RowsOf(run.series_csv, "evaluation").at(0)[2]);
  EXPECT_NEAR(mean, initial_test_loss, 0.02 * initial_test_loss);

  // Trained, the steps' losses fall: the last ten below the first ten.
  const auto trained = RunTraining(Loaded(kSyntheticMlp, {"cluster.workers=4"}), every);
  const auto rows = RowsOf(trained.series_csv, "step");
  ASSERT_EQ(rows.size(), 60u);
  double first = 0, last = 0;
  for (std::size_t k = 0; k < 10; ++k) {
    first += std::stod(rows[k][2]);
    last += std::stod(rows[50 + k][2]);
  }
  EXPECT_LT(last, 0.8 * first);
}

TEST(TrainingRun, ATimingOnlyRunsStepRowsHaveTimeButNoLoss) {
  TrainingRunOptions every;
  every.series_every = 2;
  auto run = RunTraining(Loaded(R"(
    cluster { workers: 8 device: "v100" topology { star { host_link { bandwidth_gbit_per_s: 100 latency_us: 2 } } } }
    workload { model { timing_only { profile: "resnet50" } } steps: 5 batch_size: 64 }
  )"), every);
  const auto steps = RowsOf(run.series_csv, "step");
  ASSERT_EQ(steps.size(), 2u);  // steps 2 and 4
  EXPECT_EQ(steps[0][0], "2");
  EXPECT_EQ(steps[1][0], "4");
  EXPECT_EQ(steps[0][2], "");
  // Synchronous steps of equal workers take equal time: step 4 ends at
  // twice step 2's time.
  EXPECT_NEAR(std::stod(steps[1][1]), 2 * std::stod(steps[0][1]), 1e-9 * std::stod(steps[1][1]));
}

TEST(TrainingRun, AnEdgeListFileIsReadOncePerRun) {
  // The plan reads the file and builds the one Topology; the run uses that
  // Topology and reads nothing: with the file gone, it still runs, and the
  // reader saw the file exactly once.
  const auto dir = std::filesystem::temp_directory_path() / "sim-training-edges";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "pair.edges") << "a sw 10 5\nb sw 10 5\n";
  std::ofstream(dir / "pair.pbtxt") << R"(
    cluster { device_profile { peak_tflops: 1 } topology { edges { hosts: ["a", "b"] file: "pair.edges" } } }
    workload { model { mlp { hidden: 8 } } dataset { synthetic { train_samples: 200 test_samples: 50 } }
               steps: 4 })";
  int edge_reads = 0;
  scenario::LoadOptions options;
  options.read_file = [&edge_reads](const std::string& path) {
    if (path.ends_with("pair.edges")) ++edge_reads;
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  const scenario::RunPlan plan = scenario::LoadPlan((dir / "pair.pbtxt").string(), {}, options);
  std::filesystem::remove_all(dir);
  const auto run = RunTraining(plan);
  EXPECT_EQ(edge_reads, 1);
  EXPECT_EQ(run.result.workers(), 2u);
  EXPECT_EQ(run.result.steps(), 4u);
  EXPECT_GT(run.result.comm_s(), 0.0);
}

}  // namespace
}  // namespace sim

// The series CSV of the training log: one row per evaluation, and with
// steps_every N one row every N-th step (its mean mini-batch loss and mean
// staleness, accuracy empty), each row saying its kind, in step order.
#include "sim/result/training_log.h"

#include <gtest/gtest.h>

namespace sim {
namespace {

TEST(TrainingLog, WithoutStepRowsTheSeriesHasOneEvaluationRowPerEvaluation) {
  TrainingLog log(0.0);
  log.evaluated(0, Seconds(0), 2.5, 0.1);
  log.gradient_applied(1, 2.0);
  log.stepped(1, Seconds(0.5));
  log.gradient_applied(3, 1.0);
  log.stepped(2, Seconds(1.0));
  log.evaluated(2, Seconds(1.0), 1.25, 0.5);
  EXPECT_TRUE(log.steps().empty());
  EXPECT_EQ(log.series_csv(),
            "step,sim_time_s,loss,accuracy,staleness,kind\n"
            "0,0,2.5,0.100000,0.0000,evaluation\n"
            "2,1,1.25,0.500000,2.0000,evaluation\n");
}

TEST(TrainingLog, EveryNthStepIsARowWithItsMeanBatchLossAndStaleness) {
  TrainingLog log(0.0, 2);
  log.evaluated(0, Seconds(0), 2.5, 0.1);
  // Step 1 (not a multiple of 2): not recorded, and its gradients do not
  // leak into step 2's means.
  log.gradient_applied(7, 9.0);
  log.stepped(1, Seconds(0.5));
  // Step 2: two gradients (a synchronous step of two workers).
  log.gradient_applied(1, 2.0);
  log.gradient_applied(2, 1.0);
  log.stepped(2, Seconds(1.0));
  log.evaluated(2, Seconds(1.0), 1.25, 0.5);
  log.gradient_applied(0, 0.75);
  log.stepped(3, Seconds(1.5));
  log.gradient_applied(0, 0.5);
  log.stepped(4, Seconds(2.0));
  ASSERT_EQ(log.steps().size(), 2u);
  EXPECT_EQ(log.steps()[0].step, 2u);
  EXPECT_DOUBLE_EQ(*log.steps()[0].batch_loss, 1.5);
  EXPECT_DOUBLE_EQ(log.steps()[0].staleness, 1.5);
  // The step row comes before the evaluation of the same step; the
  // evaluation's staleness is over everything since the last evaluation.
  EXPECT_EQ(log.series_csv(),
            "step,sim_time_s,loss,accuracy,staleness,kind\n"
            "0,0,2.5,0.100000,0.0000,evaluation\n"
            "2,1,1.5,,1.5000,step\n"
            "2,1,1.25,0.500000,3.3333,evaluation\n"
            "4,2,0.5,,0.0000,step\n");
}

TEST(TrainingLog, AStepWithoutNumericsHasAnEmptyLossCell) {
  TrainingLog log(0.0, 1);
  log.gradient_applied(0);  // timing only: no loss
  log.stepped(1, Seconds(0.25));
  log.gradient_applied(0, 1.0);
  log.gradient_applied(0);  // one of two unknown: the mean is unknown too
  log.stepped(2, Seconds(0.5));
  EXPECT_EQ(log.series_csv(),
            "step,sim_time_s,loss,accuracy,staleness,kind\n"
            "1,0.25,,,0.0000,step\n"
            "2,0.5,,,0.0000,step\n");
}

}  // namespace
}  // namespace sim

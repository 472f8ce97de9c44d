// The real run's record of its global model, replayed into the simulator's
// TrainingLog, and the shards that split a vector across ranks.
#include <gtest/gtest.h>

#include <vector>

#include "sim/collectives/schedule.h"
#include "validate/mpi_train/rank_layout.h"
#include "validate/mpi_train/training_trace.h"

namespace sim::validate {
namespace {

TEST(TrainingTrace, ReplayScoresSnapshotsInOrderWithStalenessWindows) {
  TrainingTrace trace;
  const std::vector<float> a = {1.0f}, b = {2.0f};
  trace.evaluation_point(0, 0.0, a);
  trace.applied(0, 1, 0.125);
  trace.applied(2, 0, 0.25);
  trace.evaluation_point(2, 0.25, b);
  // The score is the snapshot's single value: loss = v, accuracy = v / 10.
  const TrainingLog log = Replay(
      trace, [](const Eigen::VectorXf& v) { return TestScore{v[0], v[0] / 10.0}; }, 0.0);
  // Window staleness of the second evaluation: (0 + 2) / 2 = 1.
  EXPECT_EQ(log.series_csv(),
            "step,sim_time_s,loss,accuracy,staleness,kind\n"
            "0,0,1,0.100000,0.0000,evaluation\n"
            "2,0.25,2,0.200000,1.0000,evaluation\n");
  EXPECT_DOUBLE_EQ(log.staleness_mean(), 1.0);
  EXPECT_EQ(log.staleness_max(), 2u);
}

TEST(TrainingTrace, EventsSurviveTheirEncoding) {
  TrainingTrace trace;
  const std::vector<float> v = {3.0f};
  trace.applied(7, 3, 0.375);
  trace.evaluation_point(1, 0.5, v);
  TrainingTrace copy;
  copy.decode_events(trace.encoded_events());
  ASSERT_EQ(copy.events().size(), 2u);
  EXPECT_FALSE(copy.events()[0].evaluation);
  EXPECT_EQ(copy.events()[0].value, 7u);
  EXPECT_EQ(copy.events()[0].worker, 3u);
  EXPECT_DOUBLE_EQ(copy.events()[0].time_s, 0.375);
  EXPECT_TRUE(copy.events()[1].evaluation);
  EXPECT_EQ(copy.events()[1].value, 1u);
  EXPECT_DOUBLE_EQ(copy.events()[1].time_s, 0.5);
  EXPECT_THROW(copy.decode_events(std::vector<double>{1.0, 2.0, 0.0}), std::invalid_argument);
}

TEST(TrainingTrace, AppliedGradientsListWorkerAndStalenessInOrder) {
  TrainingTrace trace;
  const std::vector<float> v = {1.0f};
  trace.evaluation_point(0, 0.0, v);
  trace.applied(0, 1, 0.125);
  trace.applied(1, 0, 0.25);
  trace.evaluation_point(2, 0.25, v);
  trace.applied(3, 2, 0.5);
  EXPECT_EQ(AppliedGradientsCsv(trace),
            "update,worker,staleness,time_s\n"
            "1,1,0,0.125000000\n"
            "2,0,1,0.250000000\n"
            "3,2,3,0.500000000\n");
}

TEST(TrainingTrace, ReplayWithoutSnapshotIsAnError) {
  TrainingTrace trace;
  trace.decode_events(std::vector<double>{1.0, 0.0, 0.0, 0.0});  // an evaluation, no snapshot
  EXPECT_THROW((void)Replay(trace, [](const Eigen::VectorXf&) { return TestScore{}; }, 0.0), std::logic_error);
}

TEST(RankLayout, PiecesFollowCollectivesPartition) {
  // 10 elements in 4 pieces: 3, 3, 2, 2 (the first 10 mod 4 = 2 one longer),
  // the rule of collectives::Partition.
  for (std::int64_t i = 0; i < 4; ++i) {
    const ElementRange r = ElementPiece(10, 4, i);
    const collectives::ByteRange expected = collectives::Partition({0, 10}, 4, i);
    EXPECT_EQ(r.begin, expected.offset) << i;
    EXPECT_EQ(r.size(), expected.length) << i;
  }
  EXPECT_EQ(ElementPiece(10, 4, 3).end, 10);
}

TEST(RankLayout, RanksAreThePlansEndpoints) {
  // 4 workers and 2 dedicated servers (placement.h): ranks 4 and 5 serve.
  StrategySpec ps;
  ps.kind = StrategyKind::kSyncPs;
  ps.servers = 2;
  const RankLayout layout(5, 6, scenario::PlaceRanks(ps, 4));
  EXPECT_FALSE(layout.is_worker());
  EXPECT_EQ(layout.servers, 2u);
  EXPECT_EQ(layout.server(), 1u);
  EXPECT_EQ(layout.server_rank(0), 4);
  EXPECT_TRUE(RankLayout(3, 6, scenario::PlaceRanks(ps, 4)).is_worker());
}

}  // namespace
}  // namespace sim::validate

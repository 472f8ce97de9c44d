// What each strategy promises about who waits for whom, checked on timing-only
// runs with free communication.
#include <gtest/gtest.h>

#include "timing_harness.h"

namespace sim {
namespace {

using testing::TimingRun;
using testing::TimingScenario;

const Time kNominal = Microseconds(10);

testing::TimingSetup WithSlowWorker(testing::TimingSetup s, std::uint32_t worker, double factor) {
  s.stragglers.slow_workers.push_back({worker, factor});
  return s;
}

TEST(StrategyBehaviour, EveryWorkersTimeAddsUpToTheRun) {
  for (auto kind : {StrategyKind::kSyncAllReduce, StrategyKind::kSyncPs, StrategyKind::kAsyncPs, StrategyKind::kSsp,
                    StrategyKind::kLocalSgd, StrategyKind::kSyncBackup}) {
    auto s = TimingScenario(6, kind, 300, 0.5);
    s.strategy.backup_workers = 1;
    s.strategy.staleness_bound = 2;
    s.strategy.local_steps = 4;
    for (auto entry : {AllReduceEntry::kWhenAllReady, AllReduceEntry::kEachWorker}) {
    if (entry == AllReduceEntry::kEachWorker && kind != StrategyKind::kSyncAllReduce) continue;
    s.strategy.allreduce_entry = entry;
    TimingRun run(s, kNominal);
    for (std::uint32_t w = 0; w < 6; ++w) {
      Time sum = run.timeline.total(w, Activity::kCompute) + run.timeline.total(w, Activity::kCommunicate) +
                 run.timeline.total(w, Activity::kWait);
      EXPECT_EQ(sum, run.engine.now()) << Entry(kind).name << " worker " << w;
    }
    }
  }
}

TEST(StrategyBehaviour, SyncWorkersWaitForAPersistentStraggler) {
  // Worker 3 is 4x slower: every step lasts 4T; the others compute T and wait 3T.
  TimingRun run(WithSlowWorker(TimingScenario(4, StrategyKind::kSyncAllReduce, 50, 0.0), 3, 4.0), kNominal);
  EXPECT_EQ(run.engine.now(), kNominal * 4 * 50);
  EXPECT_EQ(run.timeline.total(0, Activity::kCompute), kNominal * 50);
  EXPECT_EQ(run.timeline.total(0, Activity::kWait), kNominal * 3 * 50);
  EXPECT_EQ(run.timeline.total(3, Activity::kWait), Time::zero());
}

TEST(StrategyBehaviour, EachWorkerEntryWaitsInsideTheAllReduceAndKeepsTheStepTime) {
  // Free communication: an all-reduce is done for every worker when the last
  // enters, so entering on one's own cannot shorten a step. Worker 3 is 4x
  // slower: every step still lasts 4T; the others compute T and spend 3T in
  // the all-reduce waiting for worker 3 (communicating, as an MPI rank
  // blocked in MPI_Allreduce is), not waiting outside it.
  auto s = WithSlowWorker(TimingScenario(4, StrategyKind::kSyncAllReduce, 50, 0.0), 3, 4.0);
  s.strategy.allreduce_entry = AllReduceEntry::kEachWorker;
  TimingRun run(s, kNominal);
  EXPECT_EQ(run.engine.now(), kNominal * 4 * 50);
  EXPECT_EQ(run.strategy->updates(), 50u);
  EXPECT_EQ(run.timeline.total(0, Activity::kCompute), kNominal * 50);
  EXPECT_EQ(run.timeline.total(0, Activity::kCommunicate), kNominal * 3 * 50);
  EXPECT_EQ(run.timeline.total(0, Activity::kWait), Time::zero());
}

TEST(StrategyBehaviour, EachWorkerEntryMatchesWhenAllReadyUnderRandomStragglers) {
  // Same draws, free communication: step k ends for everyone at the slowest
  // worker's compute in either mode, so the run ends at the same time.
  for (std::uint32_t workers : {1u, 2u, 5u}) {
    auto together = TimingScenario(workers, StrategyKind::kSyncAllReduce, 200, 0.5);
    auto each = together;
    each.strategy.allreduce_entry = AllReduceEntry::kEachWorker;
    TimingRun a(together, kNominal);
    TimingRun b(each, kNominal);
    EXPECT_EQ(a.engine.now(), b.engine.now()) << workers << " workers";
    EXPECT_EQ(b.strategy->updates(), 200u);
  }
}

TEST(StrategyBehaviour, AsyncLetsFastWorkersRunAhead) {
  // No bound: fast workers never wait, and push 4x as many gradients.
  TimingRun run(WithSlowWorker(TimingScenario(4, StrategyKind::kAsyncPs, 400, 0.0), 3, 4.0), kNominal);
  EXPECT_EQ(run.timeline.total(0, Activity::kWait), Time::zero());
  EXPECT_GE(run.timeline.computations(0), 3 * run.timeline.computations(3));
}

TEST(StrategyBehaviour, StalenessBoundHoldsFastWorkersBack) {
  // SSP (Ho et al. 2013) with s = 2: a worker may start step c + 1 only while
  // c - (slowest worker's completed steps) <= s, so no worker ever begins
  // more than s + 1 computations beyond the slowest's completed ones.
  constexpr std::uint32_t kBound = 2;
  auto s = WithSlowWorker(TimingScenario(4, StrategyKind::kSsp, 400, 0.0), 3, 4.0);
  s.strategy.staleness_bound = kBound;
  TimingRun run(s, kNominal);
  EXPECT_GT(run.timeline.total(0, Activity::kWait), Time::zero());
  for (std::uint32_t w = 0; w < 3; ++w) {
    EXPECT_LE(run.timeline.computations(w), run.timeline.computations(3) + kBound + 1) << "worker " << w;
  }
  // And with the bound the slow worker gets a fair share of the updates.
  EXPECT_GE(run.timeline.computations(3) * 4, 400u / 4);
}

TEST(StrategyBehaviour, BackupWorkersIgnoreAPersistentStraggler) {
  // One backup worker: the 10x slower worker is never waited for, so every
  // step lasts T, and the straggler's computations are all cut short.
  auto s = WithSlowWorker(TimingScenario(4, StrategyKind::kSyncBackup, 50, 0.0), 2, 10.0);
  s.strategy.backup_workers = 1;
  TimingRun run(s, kNominal);
  EXPECT_EQ(run.engine.now(), kNominal * 50);
  EXPECT_EQ(run.log.staleness_histogram().at(0), 3u * 50);  // N - b gradients per step
}

// Issue 20 item 6: with backup workers an update can land while a slow
// worker is still pulling the previous one. That worker must not get a
// second pull in flight (each completing pull began a step, so it computed
// twice at once and its pushes counted twice: an update then applied fewer
// than N - b distinct gradients). Pulls to workers 4 and 5 take 1.5 nominal
// steps, so updates regularly land during them. Before the fix this run had
// two pulls in flight and applied 1199 gradients in 300 updates, not 1200.
TEST(StrategyBehaviour, BackupWorkersNeverPullTwiceOrCountAPushTwice) {
  auto s = TimingScenario(6, StrategyKind::kSyncBackup, 300, 1.0);
  s.strategy.backup_workers = 2;
  s.pull_time = {Time::zero(), Time::zero(), Time::zero(), Time::zero(), Microseconds(15), Microseconds(15)};
  TimingRun run(s, kNominal);
  EXPECT_EQ(run.strategy->updates(), 300u);
  EXPECT_EQ(run.communication.max_pulls_in_flight(), 1u);
  std::uint64_t applied = 0;
  for (std::uint64_t n : run.log.staleness_histogram()) applied += n;
  EXPECT_EQ(applied, 4u * 300);  // N - b distinct gradients per update
  for (std::uint32_t w = 0; w < 6; ++w) {
    const Time sum = run.timeline.total(w, Activity::kCompute) + run.timeline.total(w, Activity::kCommunicate) +
                     run.timeline.total(w, Activity::kWait);
    EXPECT_EQ(sum, run.engine.now()) << "worker " << w;
  }
  // The slow pullers still contribute: a step they start in time counts.
  EXPECT_GT(run.timeline.computations(4), 0u);
}

TEST(StrategyBehaviour, LocalSgdAveragesEveryHSteps) {
  // H = 5 local steps per round, 23 steps in all: rounds of 5,5,5,5,3.
  auto s = TimingScenario(3, StrategyKind::kLocalSgd, 23, 0.0);
  s.strategy.local_steps = 5;
  TimingRun run(s, kNominal);
  EXPECT_EQ(run.strategy->updates(), 23u);
  EXPECT_EQ(run.strategy->samples(), 23u * 3);
  EXPECT_EQ(run.engine.now(), kNominal * 23);
  EXPECT_EQ(run.numerics.version(), 5u);  // one version per averaging round
}

TEST(StrategyBehaviour, SameSeedSameTimeline) {
  auto s = TimingScenario(8, StrategyKind::kAsyncPs, 2'000, 1.0);
  TimingRun a(s, kNominal), b(s, kNominal);
  EXPECT_EQ(a.engine.now(), b.engine.now());
  EXPECT_EQ(a.log.staleness_histogram(), b.log.staleness_histogram());
  s.seed = 8;
  TimingRun c(s, kNominal);
  EXPECT_NE(a.engine.now(), c.engine.now());
}

}  // namespace
}  // namespace sim

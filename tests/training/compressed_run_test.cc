// Runs with compressed gradients, end to end: the network carries the
// compressed size (and the step's communication shrinks to match), in
// synchronous and asynchronous strategies alike, and a scenario that names no
// scheme is the dense run it always was.
#include <gtest/gtest.h>

#include "scenario_text.h"
#include "sim/run/training_run.h"

namespace sim {
namespace {

using testing::kSyntheticMlp;
using testing::Loaded;

// kSyntheticMlp: 16 features -> 32 -> 4 classes, n = 16 x 32 + 32 + 32 x 4 +
// 4 = 676 parameters, dense gradient m = 4n = 2,704 bytes; 60 steps, on a
// star (a message crosses two links: host -> switch -> host).
constexpr double kDense = 4 * 676;
// Top-k at 1%: k = round(6.76) = 7 (value, index) pairs of 4 + 4 bytes.
constexpr double kTopK = 8 * 7;
constexpr double kSteps = 60, kLinks = 2;

TEST(CompressedRun, NamingNoSchemeIsTheDenseRun) {
  auto absent = RunTraining(Loaded(kSyntheticMlp, {"cluster.workers=4"}));
  auto none = RunTraining(Loaded(kSyntheticMlp, {"cluster.workers=4", "strategy.compression.scheme=NONE"}));
  EXPECT_TRUE(none.result.effective_scenario().strategy().has_compression());
  for (auto* r : {&absent.result, &none.result}) {
    r->clear_wall_s();
    r->clear_effective_scenario();
    r->clear_scenario_hash();  // of the effective scenario, which differs
  }
  EXPECT_EQ(absent.result.SerializeAsString(), none.result.SerializeAsString());
  EXPECT_EQ(absent.series_csv, none.series_csv);
}

TEST(CompressedRun, TopKPutsItsCodeOnTheWireInSyncRuns) {
  // Ring all-reduce of m bytes among p: each of the p pieces is sent p - 1
  // times in each of its two phases, 2 (p - 1) m in all (Patarasuk & Yuan
  // 2009); ring all-gather of c bytes a rank: p (p - 1) c.
  constexpr double p = 4;
  auto dense = RunTraining(Loaded(kSyntheticMlp, {"cluster.workers=4"}));
  auto top_k = RunTraining(Loaded(kSyntheticMlp, {"cluster.workers=4", "strategy.compression.scheme=TOP_K"}));
  EXPECT_EQ(dense.result.network_bytes(), kSteps * kLinks * 2 * (p - 1) * kDense);
  EXPECT_EQ(top_k.result.network_bytes(), kSteps * kLinks * p * (p - 1) * kTopK);
  // The step's communication shrinks with it (latency aside: 5 us a link).
  EXPECT_LT(top_k.result.comm_s(), dense.result.comm_s());
  EXPECT_EQ(top_k.result.compute_s(), dense.result.compute_s());
  // And the compressed gradient is what was applied.
  EXPECT_NE(top_k.result.final_loss(), dense.result.final_loss());
}

TEST(CompressedRun, TopKPutsItsCodeOnTheWireInAsyncRuns) {
  // ASYNC_PS with one dedicated server: each of the 60 updates is one pull
  // of the dense parameters and one push of a code.
  auto dense = RunTraining(Loaded(kSyntheticMlp, {"cluster.workers=4", "strategy.kind=ASYNC_PS"}));
  auto top_k = RunTraining(
      Loaded(kSyntheticMlp, {"cluster.workers=4", "strategy.kind=ASYNC_PS", "strategy.compression.scheme=TOP_K"}));
  EXPECT_EQ(dense.result.network_bytes(), kSteps * kLinks * (kDense + kDense));
  EXPECT_EQ(top_k.result.network_bytes(), kSteps * kLinks * (kTopK + kDense));
  EXPECT_NE(top_k.result.final_loss(), dense.result.final_loss());
}

TEST(CompressedRun, EveryStrategyRunsEverySchemeItCanCarryDeterministically) {
  for (const char* kind : {"SYNC_ALLREDUCE", "SYNC_PS", "ASYNC_PS", "SSP", "LOCAL_SGD", "SYNC_BACKUP"}) {
    for (const char* scheme : {"RANDOM_K", "QSGD", "INT8", "SCALED_SIGN", "POWER_SGD"}) {
      const bool all_reduced_only = std::string(scheme) == "POWER_SGD";
      if (all_reduced_only && std::string(kind) != "SYNC_ALLREDUCE" && std::string(kind) != "LOCAL_SGD") continue;
      const std::vector<std::string> overrides = {"cluster.workers=4",
                                                  std::string("strategy.kind=") + kind,
                                                  "strategy.backup_workers=1",
                                                  "strategy.staleness_bound=2",
                                                  "workload.steps=16",
                                                  std::string("strategy.compression.scheme=") + scheme};
      auto a = RunTraining(Loaded(kSyntheticMlp, overrides));
      auto b = RunTraining(Loaded(kSyntheticMlp, overrides));
      a.result.clear_wall_s();
      b.result.clear_wall_s();
      EXPECT_EQ(a.result.SerializeAsString(), b.result.SerializeAsString()) << kind << " " << scheme;
      EXPECT_FALSE(a.result.diverged()) << kind << " " << scheme;
      EXPECT_GT(a.result.steps(), 0u) << kind << " " << scheme;
    }
  }
}

TEST(CompressedRun, EachWorkerEntryCarriesEveryPhaseAndTrainsTheSameModel) {
  // Compressed exchanges of several phases (PowerSGD: the P factors, then
  // the Q factors) and with decoding, each worker on its own
  // (gradient_exchange.h, EnterPhases): the same updates as when the
  // exchange starts with the last worker, so the same loss to the bit.
  for (const char* scheme : {"TOP_K", "POWER_SGD"}) {
    const std::vector<std::string> base = {"cluster.workers=4", "workload.steps=16",
                                           "stragglers.distribution=EXPONENTIAL", "stragglers.mean=0.3",
                                           std::string("strategy.compression.scheme=") + scheme};
    std::vector<std::string> each = base;
    each.push_back("strategy.allreduce_entry=EACH_WORKER");
    each.push_back("cluster.network.eager_limit_bytes=100000");
    const auto a = RunTraining(Loaded(kSyntheticMlp, base)).result;
    const auto b = RunTraining(Loaded(kSyntheticMlp, each)).result;
    EXPECT_EQ(b.steps(), 16u) << scheme;
    EXPECT_EQ(a.final_loss(), b.final_loss()) << scheme;
    EXPECT_EQ(a.network_bytes(), b.network_bytes()) << scheme;
  }
}

}  // namespace
}  // namespace sim

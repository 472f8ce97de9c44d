// validate/calibrate --cluster end to end on this machine's ranks (a local
// launcher: no emulated network, no root): mpi_calibrate measures each rank
// count, `validation profile` gathers them, and `validation calibration
// --profile` calibrates runs from the profile alone; what it does not cover
// and bad arguments exit 2 with nothing written. The figures themselves are
// the emulated cluster's (validate/README.md); here the path from
// measurement to a run's overrides is what is checked.
#include <gtest/gtest.h>

#include <string>

#include "tests/validate/process.h"
#include "tests/validate/small_scenario.h"

namespace sim::validate {
namespace {

using namespace sim::validate::testing;

class ClusterProfileRun : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Have("mpirun")) GTEST_SKIP() << "mpirun not found: Open MPI is needed to run mpi_calibrate";
    dir_ = TempDir("sim-cluster-profile-tests");
    scenario_ = (dir_ / "reference.pbtxt").string();
    std::ofstream(scenario_) << kSmallScenario;
  }

  Outcome Calibrate(const std::string& arguments) {
    return Shell("SIM_BUILD_DIR=" + Build() + " " + Source() + "/validate/calibrate " + arguments);
  }

  Outcome FromProfile(const std::string& sets, const fs::path& out) {
    return Shell(Build() + "/validation calibration --profile " + (dir_ / "profile.json").string() + " -s " +
                 scenario_ + " " + sets + " --out " + out.string());
  }

  fs::path dir_;
  std::string scenario_;
};

TEST_F(ClusterProfileRun, AProfileOfTwoRankCountsCalibratesTheRunsItCovers) {
  // Sizes whose time on loopback is clearly above a 1-byte message's even
  // under the sanitizers (at 4 and 16 KiB, two repetitions under ASan once
  // timed the 4 KiB message below the 1-byte one, which the calibration
  // rightly refuses).
  const Outcome made = Calibrate("--cluster --hosts 3 --rate 10000 --ranks 2,3 --sizes 262144,1048576 --repetitions 3 -s " +
                                 scenario_ + " --launcher '" + LocalMpirun() + "' --out " +
                                 (dir_ / "profile.json").string());
  ASSERT_EQ(made.status, 0) << made.output;
  const std::string profile = Read(dir_ / "profile.json");
  EXPECT_NE(profile.find("\"at_ranks\""), std::string::npos);
  EXPECT_NE(profile.find("3 hosts at 10000 Mbit/s"), std::string::npos) << profile.substr(0, 400);

  // A ring of 2 (2 ranks), a ring of 3 and a server with 2 workers (3 ranks).
  for (const std::string sets : {"--set cluster.workers=2", "--set cluster.workers=3",
                                 "--set cluster.workers=2 --set strategy.kind=SYNC_PS"}) {
    const fs::path out = dir_ / "run.sets";
    const Outcome o = FromProfile(sets, out);
    // Loopback is not a network: on a loaded host a 1-byte message can
    // time slower than a large one, and the calibration then refuses the
    // measurements (status 1, saying so). That refusal still shows the
    // profile covered the run (a missing rank count is status 2, checked
    // below); the arithmetic itself is cluster_profile_test.cc's.
    if (o.status == 1 && o.output.find("must exceed the 1-byte time") != std::string::npos) {
      EXPECT_FALSE(fs::exists(out));
      continue;
    }
    ASSERT_EQ(o.status, 0) << sets << "\n" << o.output;
    const std::string text = Read(out);
    EXPECT_NE(text.find("from the cluster profile"), std::string::npos) << text;
    EXPECT_NE(text.find("cluster.network.bandwidth_efficiency="), std::string::npos) << text;
    EXPECT_NE(text.find("cluster.device_profile.peak_tflops="), std::string::npos) << text;
    fs::remove(out);
  }

  // Every message probe kept its blocks (3 repetitions each), and the run
  // calibrates at a quantile of them: the file says which.
  EXPECT_NE(profile.find("\"block_seconds\""), std::string::npos) << profile.substr(0, 2000);
  const fs::path slow = dir_ / "slow.sets";
  const Outcome at_q = FromProfile("--set cluster.workers=2 --behaviour-quantile 0.9", slow);
  if (!(at_q.status == 1 && at_q.output.find("must exceed the 1-byte time") != std::string::npos)) {
    ASSERT_EQ(at_q.status, 0) << at_q.output;
    EXPECT_NE(Read(slow).find("every message probe at the 0.9-quantile of its blocks"), std::string::npos)
        << Read(slow);
  }
  // A quantile outside [0, 1]: exit 2, said, nothing written.
  const fs::path bad_q = dir_ / "bad_q.sets";
  const Outcome outside = FromProfile("--set cluster.workers=2 --behaviour-quantile 1.5", bad_q);
  EXPECT_EQ(outside.status, 2) << outside.output;
  EXPECT_NE(outside.output.find("must lie in [0, 1]"), std::string::npos) << outside.output;
  EXPECT_FALSE(fs::exists(bad_q));

  // A server with 3 workers needs 4 ranks, which the profile lacks: exit 2, named, nothing written.
  const fs::path none = dir_ / "none.sets";
  const Outcome lacking = FromProfile("--set cluster.workers=3 --set strategy.kind=SYNC_PS", none);
  EXPECT_EQ(lacking.status, 2) << lacking.output;
  EXPECT_NE(lacking.output.find("no measurements on 4 ranks"), std::string::npos) << lacking.output;
  EXPECT_NE(lacking.output.find("measured: 2, 3"), std::string::npos) << lacking.output;
  EXPECT_FALSE(fs::exists(none));
}

TEST_F(ClusterProfileRun, AProfileWithoutBlockTimesHasNoBehavioursToDraw) {
  // The shipped profile of 2026-12-02 was measured before the probes kept
  // their blocks: its mean calibrates, a quantile is refused with every
  // probe named (exit 2, nothing written).
  const std::string shipped = Source() + "/validate/profiles/emulated_cluster_100mbit.json";
  const fs::path out = dir_ / "q.sets";
  const std::string command = Build() + "/validation calibration --profile " + shipped + " -s " + Source() +
                              "/validate/scenarios/mlp_ring_100mbit.pbtxt --set cluster.workers=4 --out " +
                              out.string();
  const Outcome mean = Shell(command);
  ASSERT_EQ(mean.status, 0) << mean.output;
  fs::remove(out);
  const Outcome at_q = Shell(command + " --behaviour-quantile 0.5");
  EXPECT_EQ(at_q.status, 2) << at_q.output;
  EXPECT_NE(at_q.output.find("kept no block times"), std::string::npos) << at_q.output;
  EXPECT_NE(at_q.output.find("ring_exchange at 32768 bytes on 8 ranks"), std::string::npos) << at_q.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(ClusterProfileRun, CompareDrawsCalibratedBehavioursOnlyUnderFlowShareSeeds) {
  // Draw k takes flow-share seed k: without --share-seeds there is none to
  // take. Exit 2 before anything runs or is written.
  const fs::path out = dir_ / "compare-out";
  const Outcome o = Shell("SIM_BUILD_DIR=" + Build() + " " + Source() + "/validate/compare -s " + scenario_ +
                          " --p 2 --calibration-draws --out " + out.string());
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("--calibration-draws needs --share-seeds N"), std::string::npos) << o.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(ClusterProfileRun, BadArgumentsAreAllListedAndNothingIsWritten) {
  const fs::path out = dir_ / "bad.json";
  const Outcome o = Calibrate("--cluster --hosts 1 --rate fast --sizes 4096 --out " + out.string());
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("--hosts must be a whole number >= 2"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("--rate must be a rate in Mbit/s"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("--sizes must list two or more sizes"), std::string::npos) << o.output;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace sim::validate

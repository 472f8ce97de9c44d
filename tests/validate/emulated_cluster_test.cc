// The emulated cluster (validate/cluster) end to end: two namespaces at
// 100 Mbit/s, a short real run that follows the simulated loss trajectory,
// the whole compare pipeline on it, and teardown of everything the cluster
// created, after success, after a failing command and after SIGTERM.
//
// Needs root, `ip netns`, tc and mpirun; without them every test is skipped
// with the reason (never passed silently). Uses its own prefix and subnet
// (simvt, 10.213.9.0/24), so that it never touches a cluster of a user.
#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "tests/validate/process.h"
#include "validate/comparison.h"

extern char** environ;

namespace sim::validate {
namespace {

using namespace sim::validate::testing;

constexpr double kLossTolerance = 1e-4;  // the bound, relative
const char* kPrefix = "simvt";

std::string Cluster(const std::string& rest) {
  return MpiSanitizerEnvironment() + Source() + "/validate/cluster --prefix " + kPrefix + " --subnet 10.213.9 " + rest;
}

// What is left of a cluster with our prefix: namespaces and links.
std::string Leftovers() {
  const std::string prefix = kPrefix;
  return Shell("ip netns list | grep -E '^" + prefix + "h[0-9]+' ; ip -o link show | grep -E ': " + prefix +
             "(br|v[0-9]+)'")
      .output;
}

// Creates and deletes one namespace; what went wrong, or empty.
std::string NamespaceProbeFailure() {
  const std::string name = std::string(kPrefix) + "probe" + std::to_string(::getpid());
  const Outcome made = Shell("ip netns add " + name + " 2>&1");
  if (made.status != 0) return made.output.empty() ? "`ip netns add` failed" : made.output;
  (void)Shell("ip netns del " + name);
  return "";
}

class EmulatedCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create network namespaces, a bridge and tc qdiscs";
    if (Shell("ip netns list").status != 0) GTEST_SKIP() << "`ip netns` is not available here";
    if (!Have("tc")) GTEST_SKIP() << "tc (iproute2) not found";
    if (!Have("mpirun")) GTEST_SKIP() << "mpirun (Open MPI) not found";
    // Root with `ip` is not enough: in a chroot whose / is not a mount point,
    // or an unprivileged container, `ip netns add` fails ("mount
    // --make-rslave / failed"). Try one and skip with its message.
    if (const std::string why = NamespaceProbeFailure(); !why.empty()) {
      GTEST_SKIP() << "cannot create a network namespace here: " << why;
    }
    // A cluster left by a killed earlier run would make `up` refuse.
    (void)Shell(Cluster("down"));
    dir_ = TempDir("sim-validate-cluster-tests");
  }
  void TearDown() override {
    if (!dir_.empty()) {
      EXPECT_EQ(Leftovers(), "") << "the cluster left these behind";
    }
  }
  fs::path dir_;
};

TEST_F(EmulatedCluster, ShortRealRunFollowsTheSimulatedTrajectory) {
  const std::string scenario = Source() + "/validate/scenarios/mlp_ring_100mbit.pbtxt";
  const std::string sets = "--set cluster.workers=2 --set workload.steps=10 --set workload.eval_every_steps=5";
  const Outcome real = Shell(Cluster("2 100 -- mpirun -np 2 " + Build() + "/mpi_train -q -s " + scenario + " " + sets +
                                   " --json " + (dir_ / "real.json").string() + " --series " +
                                   (dir_ / "real.csv").string()));
  ASSERT_EQ(real.status, 0) << real.output;
  const Outcome predicted = Shell(Build() + "/sim -q --scenario " + scenario + " " + sets + " --series " +
                                (dir_ / "sim.csv").string());
  ASSERT_EQ(predicted.status, 0) << predicted.output;
  const TrajectoryAgreement a = CompareLossTrajectories(ParseSeriesCsv(Read(dir_ / "sim.csv"), "sim.csv"),
                                                        ParseSeriesCsv(Read(dir_ / "real.csv"), "real.csv"));
  EXPECT_TRUE(a.same_steps);
  EXPECT_LE(a.max_relative_difference, kLossTolerance);
  const auto r = ReadResult(dir_ / "real.json");
  EXPECT_EQ(r.steps(), 10u);
  EXPECT_GT(r.mean_step_s(), 0.0);
}

TEST_F(EmulatedCluster, ComparePipelineWritesTheTable) {
  // Calibration, prediction (and two more under flow-share seeds 1, 2, and
  // two under calibrated behaviours: the probes' blocks at quantiles 0.25
  // and 0.75) and real run for p = 2, judged on the loss only (the
  // step-time threshold is set out of reach: unit tests assert no timings).
  const std::string out = (dir_ / "compare").string();
  const Outcome o = Shell(MpiSanitizerEnvironment() + "SIM_CLUSTER_PREFIX=" + std::string(kPrefix) + " SIM_CLUSTER_SUBNET=10.213.9 SIM_BUILD_DIR=" +
                          Build() + " " + Source() + "/validate/compare -s " + Source() +
                          "/validate/scenarios/mlp_ring_100mbit.pbtxt --p 2 --set workload.steps=10 "
                          "--share-seeds 2 --calibration-draws --max-error-pct 1e9 --out " + out);
  ASSERT_EQ(o.status, 0) << o.output;
  const std::string csv = Read(fs::path(out) / "comparison.csv");
  EXPECT_EQ(csv.rfind("scenario,strategy,p,predicted_step_s,measured_step_s,error_pct,predicted_final_loss,"
                      "measured_final_loss,predicted_p10_s,predicted_p90_s,behaviour_p10_s,behaviour_p90_s\n"
                      "mlp_ring_100mbit,SYNC_ALLREDUCE/RING,2,",
                      0),
            0u)
      << csv;
  // The row's ranges come from their two draws each: all four ends filled in.
  const std::string row = csv.substr(csv.find('\n') + 1);
  EXPECT_EQ(std::count(row.begin(), row.end(), ','), 11) << row;
  EXPECT_EQ(row.find(",,"), std::string::npos) << row;
  EXPECT_TRUE(fs::exists(fs::path(out) / "mlp_ring_100mbit_p2_ring.share2.json"));
  EXPECT_TRUE(fs::exists(fs::path(out) / "mlp_ring_100mbit_p2_ring.behaviour2.json"));
  EXPECT_NE(Read(fs::path(out) / "mlp_ring_100mbit_p2_ring.behaviour2.sets").find("0.75-quantile of its blocks"),
            std::string::npos);
  EXPECT_NE(o.output.find("measured inside the predicted 10th-90th percentile: "), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("predicted step over 2 calibrated behaviours"), std::string::npos) << o.output;
  EXPECT_TRUE(fs::exists(fs::path(out) / "mlp_ring_100mbit_p2_ring.sets"));
  EXPECT_TRUE(fs::exists(fs::path(out) / "mlp_ring_100mbit_p2_ring.applied.csv"));
  // Synchronous: every gradient at staleness 0 on both sides, W1 0.
  const std::string convergence = Read(fs::path(out) / "convergence.csv");
  EXPECT_NE(convergence.find("\nmlp_ring_100mbit,SYNC_ALLREDUCE/RING,2,1,0,0,,0,0,0,"), std::string::npos)
      << convergence;
}

TEST_F(EmulatedCluster, FailingCommandStillTearsDown) {
  const Outcome o = Shell(Cluster("3 100 -- false"));
  EXPECT_EQ(o.status, 1) << o.output;  // COMMAND's own status
}

TEST_F(EmulatedCluster, SigtermTearsDownAtOnce) {
  const std::string script = Source() + "/validate/cluster";
  std::vector<std::string> args = {script, "--prefix", kPrefix, "--subnet", "10.213.9", "2", "100", "--", "sleep", "600"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(::posix_spawn(&pid, script.c_str(), nullptr, nullptr, argv.data(), environ), 0);
  // Wait (polling, no timing asserted) until the bridge exists.
  const std::string bridge = std::string(kPrefix) + "br";
  for (int i = 0; i < 600 && Shell("ip link show " + bridge).status != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(Shell("ip link show " + bridge).status, 0) << "the cluster never came up";
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 143);  // 128 + SIGTERM
}

TEST_F(EmulatedCluster, RefusesAPublicSubnet) {
  const Outcome o = Shell(Source() + "/validate/cluster --prefix " + kPrefix + " --subnet 8.8.8 2 100 -- true");
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.output.find("private"), std::string::npos) << o.output;
}

}  // namespace
}  // namespace sim::validate

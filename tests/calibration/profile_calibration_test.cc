// A scenario that names a cluster profile (cluster.profile) is calibrated
// from it when loaded (sim/calibration/profile_calibration.h). The
// reference is the route validate/README.md measured its tables with:
// `build/validation calibration --profile`, whose overrides come from the
// run's model as mpi_calibrate logged it (407,080 gradient bytes and
// 13,099,648 FLOPs per step for MLP-128 at batch 32), then `sim --set`. The
// shortcut inside `sim` must give the very same plan.
#include "sim/calibration/profile_calibration.h"

#include <gtest/gtest.h>

#include <google/protobuf/util/message_differencer.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/calibration/calibration.h"
#include "sim/calibration/cluster_profile.h"
#include "sim/scenario/run_plan.h"

namespace sim::calibration {
namespace {

constexpr std::int64_t kGradient = 407080;  // MLP-128 on Fashion-MNIST, bytes (mpi_calibrate's log)
constexpr double kFlops = 13099648;         // its FLOPs per step at batch 32 (mpi_calibrate's log)

std::string Source() {
  const char* dir = std::getenv("SIM_SOURCE_DIR");
  return dir ? dir : ".";
}

std::string ShippedProfile() {
  return std::filesystem::absolute(Source() + "/validate/profiles/emulated_cluster_100mbit.json").string();
}

std::string ValidationScenario(const std::string& file) { return Source() + "/validate/scenarios/" + file; }

scenario::RunPlan WithProfile(const std::string& file, std::vector<std::string> overrides) {
  overrides.push_back("cluster.profile=" + ShippedProfile());
  return scenario::LoadPlan(ValidationScenario(file), overrides, ReadingClusterProfiles({}));
}

// The validation route: the calibration of the plan without a profile,
// from the profile's measurements at the logged model size, as `--set`s.
std::vector<std::string> ValidationOverrides(const std::string& file, const std::vector<std::string>& overrides) {
  const scenario::RunPlan plan = scenario::LoadPlan(ValidationScenario(file), overrides);
  std::vector<std::string> notes;
  const HostMeasurements m = MeasurementsFromProfile(ReadClusterProfile(ShippedProfile()), plan,
                                                     AllreduceImplementation::kPointToPointRing, kGradient, kFlops,
                                                     notes);
  return CalibrationOverrides(Calibrate(m, plan, AllreduceImplementation::kPointToPointRing));
}

std::string ProblemsOf(const std::string& file, const std::vector<std::string>& overrides) {
  try {
    (void)WithProfile(file, overrides);
  } catch (const scenario::ScenarioError& e) {
    return e.what();
  }
  return "";
}

TEST(ProfileCalibration, AScenarioNamingAProfileGetsExactlyTheValidationRoutesCalibration) {
  for (const char* file : {"mlp_ring_100mbit.pbtxt", "mlp_sync_ps_100mbit.pbtxt", "mlp_async_ps_100mbit.pbtxt",
                           "mlp_ssp_100mbit.pbtxt", "mlp_local_sgd_100mbit.pbtxt",
                           "mlp_sync_ps_backup_100mbit.pbtxt", "mlp_sync_ps_stragglers_100mbit.pbtxt"}) {
    for (std::uint32_t p : {2u, 4u, 8u}) {
      const std::vector<std::string> workers = {"cluster.workers=" + std::to_string(p)};
      const scenario::RunPlan calibrated = WithProfile(file, workers);
      std::vector<std::string> routed = workers;
      for (const auto& o : ValidationOverrides(file, workers)) routed.push_back(o);
      const scenario::RunPlan reference = scenario::LoadPlan(ValidationScenario(file), routed);

      scenario::Scenario effective = calibrated.effective;
      EXPECT_EQ(effective.cluster().profile(), ShippedProfile());
      effective.mutable_cluster()->clear_profile();
      std::string difference;
      google::protobuf::util::MessageDifferencer differ;
      differ.ReportDifferencesToString(&difference);
      EXPECT_TRUE(differ.Compare(reference.effective, effective)) << file << " p = " << p << ":\n" << difference;
      EXPECT_EQ(calibrated.cluster.profile, ShippedProfile());
      EXPECT_FALSE(calibrated.cluster.profile_notes.empty());
      // The calibration reached the typed plan, not only the echo.
      EXPECT_EQ(calibrated.cluster.device.name, "host-calibrated") << file;
      EXPECT_DOUBLE_EQ(calibrated.cluster.network.bandwidth_efficiency, reference.cluster.network.bandwidth_efficiency);
    }
  }
}

TEST(ProfileCalibration, EachNodeCountIsCalibratedFromItsOwnMeasurements) {
  // The shipped profile's ring step is slower per byte on 8 ranks than on
  // 4 (more flows through the emulated switch): a sweep's points must not
  // share one calibration.
  const auto four = WithProfile("mlp_ring_100mbit.pbtxt", {"cluster.workers=4"});
  const auto eight = WithProfile("mlp_ring_100mbit.pbtxt", {"cluster.workers=8"});
  EXPECT_NE(four.cluster.network.bandwidth_efficiency, eight.cluster.network.bandwidth_efficiency);
  EXPECT_NE(four.cluster.device.peak.value, eight.cluster.device.peak.value);
}

TEST(ProfileCalibration, ARelativeProfilePathIsReadFromTheScenariosFolder) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "sim_profile_relative";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(ShippedProfile(), dir / "cluster.json", std::filesystem::copy_options::overwrite_existing);
  std::ifstream in(ValidationScenario("mlp_ring_100mbit.pbtxt"));
  std::stringstream text;
  text << in.rdbuf();
  std::string scenario = text.str();
  scenario.replace(scenario.find("cluster {"), 9, "cluster {\n  profile: \"cluster.json\"");
  std::ofstream(dir / "run.pbtxt") << scenario;
  const auto plan = scenario::LoadPlan((dir / "run.pbtxt").string(), {"cluster.workers=4"}, ReadingClusterProfiles({}));
  EXPECT_EQ(plan.cluster.profile, (dir / "cluster.json").string());
  EXPECT_EQ(plan.cluster.device.name, "host-calibrated");
  std::filesystem::remove_all(dir);
}

TEST(ProfileCalibration, ACommandThatDoesNotReadProfilesRefusesTheScenario) {
  try {
    (void)scenario::LoadPlan(ValidationScenario("mlp_ring_100mbit.pbtxt"), {"cluster.profile=" + ShippedProfile()});
    FAIL() << "expected ScenarioError";
  } catch (const scenario::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("cluster.profile"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("does not read cluster profiles"), std::string::npos) << e.what();
  }
}

TEST(ProfileCalibration, AMissingOrBrokenProfileIsNamed) {
  try {
    (void)scenario::LoadPlan(ValidationScenario("mlp_ring_100mbit.pbtxt"), {"cluster.profile=/nonexistent/p.json"},
                             ReadingClusterProfiles({}));
    FAIL() << "expected ScenarioError";
  } catch (const scenario::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("cluster.profile (/nonexistent/p.json): cannot open"), std::string::npos)
        << e.what();
  }
  const std::filesystem::path bad = std::filesystem::temp_directory_path() / "sim_profile_not_json.json";
  std::ofstream(bad) << "{ \"at_ranks\": [ oops";
  try {
    (void)scenario::LoadPlan(ValidationScenario("mlp_ring_100mbit.pbtxt"), {"cluster.profile=" + bad.string()},
                             ReadingClusterProfiles({}));
    FAIL() << "expected ScenarioError";
  } catch (const scenario::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("is not a cluster profile"), std::string::npos) << e.what();
  }
  std::filesystem::remove(bad);
}

TEST(ProfileCalibration, ARunTheProfileDidNotMeasureIsRefusedWithEveryReason) {
  // 6 workers: the profile measured 2, 3, 4, 5, 8 and 9 ranks.
  const std::string six = ProblemsOf("mlp_ring_100mbit.pbtxt", {"cluster.workers=6"});
  EXPECT_NE(six.find("no measurements on 6 ranks"), std::string::npos) << six;
  EXPECT_NE(six.find("2, 3, 4, 5, 8, 9"), std::string::npos) << six;
  // A fat-tree and recursive halving-doubling: both reasons at once.
  const std::string both = ProblemsOf("mlp_ring_100mbit.pbtxt", {"cluster.topology.fat_tree.k=4",
                                                                 "strategy.allreduce=HALVING_DOUBLING"});
  EXPECT_NE(both.find("not a star"), std::string::npos) << both;
  EXPECT_NE(both.find("RING"), std::string::npos) << both;
}

}  // namespace
}  // namespace sim::calibration

// The `sim` program as a user meets it: a run that writes its JSON, bad input
// that exits 2 and writes nothing, --set, --help and --version, determinism,
// --series-every, and the progress line on a terminal (a pseudo-terminal).
#include <gtest/gtest.h>

#include <pty.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <google/protobuf/util/json_util.h>

#include "sim/result/result.pb.h"

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int status = -1;
  std::string output;  // stdout and stderr together
};

std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

std::string Source() { return Env("SIM_SOURCE_DIR", "."); }

Outcome RunSim(const std::string& args) {
  const std::string command = Env("SIM_BINARY_DIR", "build") + "/sim " + args + " 2>&1";
  Outcome out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.output.append(buffer, n);
  int raw = ::pclose(pipe);
  out.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return out;
}

fs::path TempDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path dir = fs::temp_directory_path() / "sim-cli-tests" / info->name();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string Write(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path.string();
}

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `command` with sh, its standard streams on a new pseudo-terminal, as
// in a terminal window (isatty is true); returns what it printed there.
Outcome RunOnTerminal(const std::string& command) {
  Outcome out;
  int terminal = -1;
  const pid_t pid = ::forkpty(&terminal, nullptr, nullptr, nullptr);
  if (pid < 0) return out;
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(terminal, buffer, sizeof buffer);
    if (n > 0) {
      out.output.append(buffer, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EIO: the program closed its side
    }
  }
  ::close(terminal);
  int raw = 0;
  ::waitpid(pid, &raw, 0);
  out.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return out;
}

// Small and fast: synthetic data, 4 workers, 20 steps.
const char* kSmall = R"(
name: "small"
cluster { workers: 4 device_profile { peak_tflops: 1 } }
workload {
  model { softmax_regression {} }
  dataset { synthetic { train_samples: 2000 test_samples: 500 } }
  steps: 20 eval_every_steps: 5
}
)";

TEST(SimCommand, RunWritesTheResultJsonWithTheRequiredFields) {
  auto dir = TempDir();
  auto scenario = Write(dir / "small.pbtxt", kSmall);
  auto out = RunSim("--scenario " + scenario + " --json " + (dir / "r.json").string());
  ASSERT_EQ(out.status, 0) << out.output;
  EXPECT_NE(out.output.find("small: SYNC_ALLREDUCE/RING on 4 workers"), std::string::npos) << out.output;
  sim::result::RunResult r;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Read(dir / "r.json"), &r).ok());
  EXPECT_EQ(r.workers(), 4u);
  EXPECT_EQ(r.strategy(), "SYNC_ALLREDUCE/RING");
  EXPECT_EQ(r.steps(), 20u);
  EXPECT_GT(r.sim_time_s(), 0);
  EXPECT_DOUBLE_EQ(r.mean_step_s(), r.sim_time_s() / 20);
  EXPECT_GT(r.samples_per_s(), 0);
  EXPECT_GT(r.compute_s(), 0);
  EXPECT_GT(r.comm_s(), 0);
  EXPECT_GT(r.final_loss(), 0);
  EXPECT_GT(r.final_accuracy(), 0);
  EXPECT_GT(r.events(), 0);
  EXPECT_GT(r.wall_s(), 0);
  EXPECT_EQ(r.effective_scenario().cluster().workers(), 4u);  // the scenario is echoed
  // Every field the issue names is present in the JSON text itself.
  const std::string json = Read(dir / "r.json");
  for (const char* field : {"workers", "strategy", "steps", "sim_time_s", "mean_step_s", "samples_per_s", "compute_s",
                            "comm_s", "final_loss", "final_accuracy", "events", "wall_s"}) {
    EXPECT_NE(json.find(std::string("\"") + field + "\""), std::string::npos) << field;
  }
}

TEST(SimCommand, TwoRunsAreIdenticalApartFromWallTime) {
  auto dir = TempDir();
  auto scenario = Write(dir / "small.pbtxt", kSmall);
  ASSERT_EQ(RunSim("-q --scenario " + scenario + " --json " + (dir / "a.json").string()).status, 0);
  ASSERT_EQ(RunSim("-q --scenario " + scenario + " --json " + (dir / "b.json").string()).status, 0);
  sim::result::RunResult a, b;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Read(dir / "a.json"), &a).ok());
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Read(dir / "b.json"), &b).ok());
  a.clear_wall_s();
  b.clear_wall_s();
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
}

TEST(SimCommand, SetOverridesAndIsEchoed) {
  auto dir = TempDir();
  auto scenario = Write(dir / "small.pbtxt", kSmall);
  auto out = RunSim("-q --scenario " + scenario + " --set cluster.workers=8 --set strategy.allreduce=HALVING_DOUBLING" +
                    " --json " + (dir / "r.json").string());
  ASSERT_EQ(out.status, 0) << out.output;
  sim::result::RunResult r;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Read(dir / "r.json"), &r).ok());
  EXPECT_EQ(r.workers(), 8u);
  EXPECT_EQ(r.effective_scenario().strategy().allreduce(), sim::scenario::HALVING_DOUBLING);
}

TEST(SimCommand, SyntaxErrorExits2NamesTheSpotAndWritesNothing) {
  auto dir = TempDir();
  auto scenario = Write(dir / "bad.pbtxt", "cluster {\n  workers: 4\n  topology { star { host_link { bandwith_gbit_per_s: 10 } } }\n}\n");
  auto json = dir / "r.json";
  auto out = RunSim("--scenario " + scenario + " --json " + json.string() + " --out " + (dir / "out").string());
  EXPECT_EQ(out.status, 2) << out.output;
  EXPECT_NE(out.output.find(scenario + ":3:"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("bandwith_gbit_per_s"), std::string::npos) << out.output;
  EXPECT_FALSE(fs::exists(json));
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(SimCommand, ThreeSemanticErrorsAreAllListedExit2AndNothingWritten) {
  auto dir = TempDir();
  auto scenario = Write(dir / "bad.pbtxt", R"(
    cluster { workers: 0 topology { star { host_link { bandwidth_gbit_per_s: 0 } } } }
    workload { optimizer { momentum: 1.5 } }
  )");
  auto json = dir / "r.json";
  auto out = RunSim("--scenario " + scenario + " --json " + json.string());
  EXPECT_EQ(out.status, 2) << out.output;
  EXPECT_NE(out.output.find("3 problems"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("cluster.workers must be >= 1, got 0"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("bandwidth"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("momentum must be in [0, 1), got 1.5"), std::string::npos) << out.output;
  EXPECT_FALSE(fs::exists(json));
}

TEST(SimCommand, ARunThatDoesNotFitExits2WithItsMemoryBreakdownAndWritesNothing) {
  // GPT-3 175B on 8 V100s of 16 GB with ZeRO stage 3: 16 bytes of model
  // states a parameter over 8 GPUs is already 350 GB per GPU (Rajbhandari et
  // al. 2020); the run is refused before it starts, with every part.
  auto dir = TempDir();
  const auto json = (dir / "r.json").string();
  auto out = RunSim("--scenario " + Source() +
                    "/scenarios/zero_stages.pbtxt --set cluster.workers=8 --set cluster.device=v100_16gb "
                    "--set workload.model.timing_only.profile=gpt3_175b --json " + json);
  EXPECT_EQ(out.status, 2) << out.output;
  for (const char* part : {"does not fit", "parameters", "gradients", "optimizer states", "activations",
                           "> 16.00 GiB", "workload.ignore_memory_limit"}) {
    EXPECT_NE(out.output.find(part), std::string::npos) << part << " missing from " << out.output;
  }
  EXPECT_FALSE(fs::exists(json));
}

// Issue 20: a learning rate of 1e30 diverges. Before, the run failed mid-run
// ("gradient norm must be >= 0, got -nan", exit 2) or wrote "final_loss":
// "NaN"; now the result says it diverged and at which step, with no loss.
TEST(SimCommand, DivergentRunIsReportedNotNaN) {
  auto dir = TempDir();
  auto scenario = Write(dir / "mlp.pbtxt", R"(
    cluster { workers: 4 device_profile { peak_tflops: 1 } }
    workload { model { mlp { hidden: 16 } } dataset { synthetic { train_samples: 2000 test_samples: 500 } }
               steps: 20 eval_every_steps: 5 })");
  const auto json = dir / "r.json";
  auto out = RunSim("-q --scenario " + scenario + " --set workload.optimizer.learning_rate=1e30 --json " +
                    json.string());
  ASSERT_EQ(out.status, 0) << out.output;
  const std::string text = Read(json);
  EXPECT_EQ(text.find("NaN"), std::string::npos);
  EXPECT_EQ(text.find("Infinity"), std::string::npos);
  EXPECT_EQ(text.find("\"final_loss\""), std::string::npos);
  EXPECT_NE(text.find("\"diverged\": true"), std::string::npos) << text;
  EXPECT_NE(text.find("\"diverged_at_step\": 5"), std::string::npos) << text;
}

// Issue 20: an output that cannot be written is refused before the run
// (before: after a whole run, exit 1), every one named at once.
TEST(SimCommand, UnwritableOutputsAreRefusedBeforeTheRun) {
  auto dir = TempDir();
  auto scenario = Write(dir / "small.pbtxt", kSmall);
  Write(dir / "afile", "not a folder");
  auto out = RunSim("-q --scenario " + scenario + " --json " + (dir / "afile" / "r.json").string() +
                    " --series " + dir.string() + " --set workload.steps=100000000");
  EXPECT_EQ(out.status, 2) << out.output;
  EXPECT_NE(out.output.find("--json: cannot write '" + (dir / "afile" / "r.json").string() + "': '" +
                            (dir / "afile").string() + "' is not a folder"),
            std::string::npos)
      << out.output;
  EXPECT_NE(out.output.find("--series: cannot write '" + dir.string() + "': '" + dir.string() + "' is a folder"),
            std::string::npos)
      << out.output;
}

// Issue 20: a truncated or wrong-magic data file is bad input (exit 2)
// naming the file and what is wrong, and nothing is written.
TEST(SimCommand, TruncatedOrWrongMagicDatasetExits2NamingTheFile) {
  const fs::path fashion = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(fashion / "t10k-labels-idx1-ubyte.gz")) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  auto dir = TempDir();
  for (const auto& entry : fs::directory_iterator(fashion)) fs::copy(entry.path(), dir / entry.path().filename());
  const auto scenario = Write(dir / "s.pbtxt", R"(
    cluster { workers: 2 device_profile { peak_tflops: 1 } }
    workload { model { softmax_regression {} } dataset { fashion_mnist { path: ")" + dir.string() + R"(" } }
               steps: 2 })");
  const auto json = dir / "r.json";
  // Wrong magic: a plain file whose first bytes are not an IDX header.
  Write(dir / "train-images-idx3-ubyte.gz", "XXXXXXXX");
  auto out = RunSim("-q --scenario " + scenario + " --json " + json.string());
  EXPECT_EQ(out.status, 2) << out.output;
  EXPECT_NE(out.output.find("train-images-idx3-ubyte.gz: bad magic number 0x58585858"), std::string::npos)
      << out.output;
  // Truncated: the first 1,000 bytes of the compressed labels.
  fs::copy(fashion / "train-images-idx3-ubyte.gz", dir / "train-images-idx3-ubyte.gz",
           fs::copy_options::overwrite_existing);
  const std::string labels = Read(fashion / "train-labels-idx1-ubyte.gz");
  Write(dir / "train-labels-idx1-ubyte.gz", labels.substr(0, 1000));
  out = RunSim("-q --scenario " + scenario + " --json " + json.string());
  EXPECT_EQ(out.status, 2) << out.output;
  EXPECT_NE(out.output.find("train-labels-idx1-ubyte.gz: truncated"), std::string::npos) << out.output;
  EXPECT_FALSE(fs::exists(json));
}

// Issue 20 item 3: --max-wall-time stops a run cleanly: exit 3, a result
// that says how far it got and is marked incomplete.
TEST(SimCommand, MaxWallTimeStopsCleanlyWithAnIncompleteResult) {
  auto dir = TempDir();
  auto scenario = Write(dir / "small.pbtxt", kSmall);
  const auto json = dir / "r.json";
  auto out = RunSim("-q --scenario " + scenario + " --set workload.steps=4000000000 --max-events 1e15 " +
                    "--max-wall-time 0.5 --json " + json.string());
  ASSERT_EQ(out.status, 3) << out.output;
  EXPECT_NE(out.output.find("stopped at --max-wall-time 0.5 s after "), std::string::npos) << out.output;
  sim::result::RunResult r;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Read(json), &r).ok());
  EXPECT_TRUE(r.incomplete());
  EXPECT_GT(r.steps(), 0u);
  EXPECT_LT(r.steps(), 4000000000u);
  EXPECT_NE(r.incomplete_reason().find(" of 4000000000 steps"), std::string::npos) << r.incomplete_reason();
  // A run that ends in time carries no such mark.
  ASSERT_EQ(RunSim("-q --scenario " + scenario + " --max-wall-time 60 --json " + json.string()).status, 0);
  EXPECT_EQ(Read(json).find("incomplete"), std::string::npos);
}

// Issue 20 item 3: the memory estimate against a measured process. The
// estimate is read from the refusal at a 1 MB limit; the peak resident set
// of the same run (getrusage of the child) must be within a factor of 2.
// AddressSanitizer's shadow memory and redzones multiply a process's peak:
// the estimate is of the program as users run it.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif

void ExpectMemoryEstimateNearMeasured(const std::string& text) {
  if (kAddressSanitizer) GTEST_SKIP() << "peak memory is not the program's under AddressSanitizer";
  auto dir = TempDir();
  const auto scenario = Write(dir / "s.pbtxt", text);
  auto refused = RunSim("-q --scenario " + scenario + " --memory-limit-mb 1");
  ASSERT_EQ(refused.status, 2) << refused.output;
  const std::string marker = "would need about ";
  const auto at = refused.output.find(marker);
  ASSERT_NE(at, std::string::npos) << refused.output;
  double estimate = std::stod(refused.output.substr(at + marker.size()));
  const std::string unit = refused.output.substr(refused.output.find(' ', at + marker.size()) + 1, 2);
  ASSERT_EQ(unit, "MB") << refused.output;
  estimate *= 1e6;
  // The run as a child of its own (the shell execs sim), waited for with
  // wait4 to read that child's peak resident set (KiB).
  const std::string command = "exec " + Env("SIM_BINARY_DIR", "build") + "/sim -q --scenario " + scenario +
                              " > /dev/null 2>&1";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  ASSERT_EQ(::wait4(child, &status, 0, &usage), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command;
  const double measured = static_cast<double>(usage.ru_maxrss) * 1024.0;
  EXPECT_LE(estimate, 2.0 * measured) << "estimate " << estimate << " measured " << measured;
  EXPECT_GE(estimate, 0.5 * measured) << "estimate " << estimate << " measured " << measured;
}

// A ring all-reduce over 1,024 workers: the schedule dominates (estimate
// 135 MB, measured 123 MB when written).
TEST(SimCommand, MemoryEstimateOfALargeRingIsWithinAFactorOfTwoOfTheMeasuredPeak) {
  ExpectMemoryEstimateNearMeasured(R"(
    cluster { workers: 1024 device: "v100" topology { star { host_link { bandwidth_gbit_per_s: 10 } } } }
    workload { model { timing_only { profile: "resnet50" } } steps: 2 })");
}

// An MLP of 1.6 M parameters on 16 workers: parameters and gradients
// dominate (estimate 146 MB, measured 148 MB when written).
TEST(SimCommand, MemoryEstimateOfATrainedMlpIsWithinAFactorOfTwoOfTheMeasuredPeak) {
  ExpectMemoryEstimateNearMeasured(R"(
    cluster { workers: 16 device: "v100" topology { star { host_link { bandwidth_gbit_per_s: 10 } } } }
    workload { model { mlp { hidden: 2048 } }
               dataset { synthetic { train_samples: 4000 test_samples: 500 features: 784 } } steps: 2 })");
}

TEST(SimCommand, UnknownSetPathSuggestsNearestAndExits2) {
  auto dir = TempDir();
  auto scenario = Write(dir / "small.pbtxt", kSmall);
  auto out = RunSim("--scenario " + scenario + " --set cluster.worker=8");
  EXPECT_EQ(out.status, 2);
  EXPECT_NE(out.output.find("nearest valid paths: cluster.workers"), std::string::npos) << out.output;
}

TEST(SimCommand, MissingScenarioAndBadOptionsExit2) {
  EXPECT_EQ(RunSim("").status, 2);
  EXPECT_EQ(RunSim("--scenario /nonexistent.pbtxt").status, 2);
  EXPECT_EQ(RunSim("--no-such-option").status, 2);
}

TEST(SimCommand, HelpDocumentsEveryOptionAndVersionPrints) {
  auto help = RunSim("--help");
  EXPECT_EQ(help.status, 0);
  for (const char* option : {"--scenario", "--set", "--seed", "--out", "--json", "--series", "--trace", "--links",
                             "--quiet", "--version", "--max-wall-time", "--memory-limit-mb", "--max-events"}) {
    EXPECT_NE(help.output.find(option), std::string::npos) << option;
  }
  auto version = RunSim("--version");
  EXPECT_EQ(version.status, 0);
  EXPECT_NE(version.output.find("sim "), std::string::npos);
}

TEST(SimCommand, OutDirGetsResultSeriesAndTrace) {
  auto dir = TempDir();
  auto scenario = Write(dir / "small.pbtxt", kSmall);
  auto out = RunSim("-q --scenario " + scenario + " --out " + (dir / "out").string());
  ASSERT_EQ(out.status, 0) << out.output;
  EXPECT_TRUE(fs::exists(dir / "out" / "result.json"));
  EXPECT_EQ(Read(dir / "out" / "series.csv").substr(0, 47), "step,sim_time_s,loss,accuracy,staleness,kind\n0,");
  EXPECT_NE(Read(dir / "out" / "trace.json").find("\"ph\":\"X\""), std::string::npos);
  // No temporary file is left beside the results.
  for (const auto& entry : fs::directory_iterator(dir / "out")) {
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << entry.path();
  }
}

TEST(SimCommand, CalibrateWritesAHostProfileThatRunsUse) {
  // The measured rate itself is this machine's; what is checked is that it is
  // written as a valid profile and that a run with device "host" reads it.
  auto dir = TempDir();
  auto scenario = Write(dir / "small.pbtxt", kSmall);
  auto profile = dir / "host.pbtxt";
  auto out = RunSim("calibrate --scenario " + scenario + " --rounds 1 --out " + profile.string());
  ASSERT_EQ(out.status, 0) << out.output;
  const std::string text = Read(profile);
  EXPECT_NE(text.find("name: \"host\""), std::string::npos) << text;
  EXPECT_NE(text.find("peak_tflops: "), std::string::npos) << text;
  // The same scenario on device "host", first without, then with the profile.
  std::string on_host = kSmall;
  on_host.replace(on_host.find("device_profile { peak_tflops: 1 }"), 33, "device: \"host\"");
  auto host_scenario = Write(dir / "host.pbtxt.scenario.pbtxt", on_host);
  ASSERT_EQ(::setenv("SIM_HOST_PROFILE", (dir / "none.pbtxt").c_str(), 1), 0);
  auto fallback = RunSim("--scenario " + host_scenario + " --json " + (dir / "f.json").string());
  ASSERT_EQ(::setenv("SIM_HOST_PROFILE", profile.c_str(), 1), 0);
  auto calibrated = RunSim("-q --scenario " + host_scenario + " --json " + (dir / "c.json").string());
  ::unsetenv("SIM_HOST_PROFILE");
  ASSERT_EQ(fallback.status, 0) << fallback.output;
  ASSERT_EQ(calibrated.status, 0) << calibrated.output;
  EXPECT_NE(fallback.output.find("sim calibrate"), std::string::npos) << "the fallback says how to calibrate";
  sim::result::RunResult f, c;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Read(dir / "f.json"), &f).ok());
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Read(dir / "c.json"), &c).ok());
  EXPECT_GT(c.compute_s(), 0);
  EXPECT_NE(c.compute_s(), f.compute_s());  // the profile, not the fallback, set the rate
}

// Reproducibility: a result names what it depended on (the effective
// scenario's hash, the seed, the version, the device profile and where it
// came from), and nothing depends on the working directory: `host` is read
// from an explicit --host-profile, $SIM_HOST_PROFILE, or beside the program.
TEST(SimCommand, AResultNamesItsInputsAndDoesNotDependOnTheWorkingDirectory) {
  auto dir = TempDir();
  std::string on_host = kSmall;
  on_host.replace(on_host.find("device_profile { peak_tflops: 1 }"), 33, "device: \"host\"");
  const std::string scenario = fs::absolute(Write(dir / "host.pbtxt", on_host)).string();
  const std::string program = fs::absolute(Env("SIM_BINARY_DIR", "build")).string() + "/sim";
  fs::create_directories(dir / "elsewhere" / "build");
  // A profile where the old rule (build/host_device.pbtxt under the working
  // directory) would have found it: it must not be read.
  Write(dir / "elsewhere" / "build" / "host_device.pbtxt", "name: \"host\" peak_tflops: 123\n");
  const auto here = RunSim("-q --scenario " + scenario + " --json " + (dir / "here.json").string());
  ASSERT_EQ(here.status, 0) << here.output;
  const std::string elsewhere_command = "cd " + (dir / "elsewhere").string() + " && " + program + " -q --scenario " +
                                        scenario + " --json " + (dir / "elsewhere.json").string() + " 2>&1";
  ASSERT_EQ(std::system(elsewhere_command.c_str()), 0);
  sim::result::RunResult a, b;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Read(dir / "here.json"), &a).ok());
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Read(dir / "elsewhere.json"), &b).ok());
  a.clear_wall_s();
  b.clear_wall_s();
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  EXPECT_NE(b.device().peak_tflops(), 123.0);
  // What the result records.
  EXPECT_EQ(a.scenario_hash().size(), 16u);
  EXPECT_EQ(a.scenario_hash().find_first_not_of("0123456789abcdef"), std::string::npos) << a.scenario_hash();
  EXPECT_EQ(a.device().name(), "host");
  EXPECT_GT(a.device().peak_tflops(), 0.0);
  EXPECT_NE(a.device_source().find("host"), std::string::npos) << a.device_source();
  EXPECT_FALSE(a.version().empty());

  // An explicit profile is used and named; another seed, another hash.
  auto profile = dir / "mine.pbtxt";
  Write(profile, "name: \"host\" peak_tflops: 0.25\n");
  const auto mine = RunSim("-q --scenario " + scenario + " --host-profile " + profile.string() + " --seed 9 --json " +
                           (dir / "mine.json").string());
  ASSERT_EQ(mine.status, 0) << mine.output;
  sim::result::RunResult m;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Read(dir / "mine.json"), &m).ok());
  EXPECT_DOUBLE_EQ(m.device().peak_tflops(), 0.25);
  EXPECT_NE(m.device_source().find(profile.string()), std::string::npos) << m.device_source();
  EXPECT_EQ(m.seed(), 9u);
  EXPECT_NE(m.scenario_hash(), a.scenario_hash());

  // A named profile that is not there is an error, before anything runs.
  const auto missing = RunSim("-q --scenario " + scenario + " --host-profile " + (dir / "none.pbtxt").string() +
                              " --json " + (dir / "none.json").string());
  EXPECT_EQ(missing.status, 2) << missing.output;
  EXPECT_NE(missing.output.find("--host-profile: no profile file at"), std::string::npos) << missing.output;
  EXPECT_FALSE(fs::exists(dir / "none.json"));
}

TEST(SimCommand, QuickstartScenarioRuns) {
  auto out = RunSim("-q --scenario " + Source() + "/scenarios/quickstart.pbtxt --set workload.steps=20");
  EXPECT_EQ(out.status, 0) << out.output;
}

}  // namespace

namespace {

TEST(SimCommand, SeriesEveryAddsAStepRowEveryNSteps) {
  auto dir = TempDir();
  auto scenario = Write(dir / "small.pbtxt", kSmall);
  auto out = RunSim("-q --scenario " + scenario + " --series-every 3 --series " + (dir / "s.csv").string());
  ASSERT_EQ(out.status, 0) << out.output;
  std::istringstream series(Read(dir / "s.csv"));
  std::string line, steps, evaluations;
  std::getline(series, line);
  EXPECT_EQ(line, "step,sim_time_s,loss,accuracy,staleness,kind");
  while (std::getline(series, line)) {
    const std::string step = line.substr(0, line.find(','));
    if (line.ends_with(",step")) {
      steps += step + " ";
      EXPECT_NE(line.find(",,"), std::string::npos) << "no accuracy on a step row: " << line;
    } else {
      EXPECT_TRUE(line.ends_with(",evaluation")) << line;
      evaluations += step + " ";
    }
  }
  EXPECT_EQ(steps, "3 6 9 12 15 18 ");
  EXPECT_EQ(evaluations, "0 5 10 15 20 ");
  // Deterministic: a second run writes the same bytes.
  ASSERT_EQ(RunSim("-q --scenario " + scenario + " --series-every 3 --series " + (dir / "again.csv").string()).status,
            0);
  EXPECT_EQ(Read(dir / "again.csv"), Read(dir / "s.csv"));
}

TEST(SimCommand, SeriesEveryBelowOneExits2SayingWhyAndWritesNothing) {
  auto dir = TempDir();
  auto scenario = Write(dir / "small.pbtxt", kSmall);
  for (const char* n : {"0", "-4"}) {
    auto out = RunSim("--scenario " + scenario + " --series-every " + n + " --out " + (dir / "out").string());
    EXPECT_EQ(out.status, 2) << n;
    EXPECT_NE(out.output.find("--series-every must be at least 1"), std::string::npos) << out.output;
    EXPECT_FALSE(fs::exists(dir / "out")) << n;
  }
}

TEST(SimCommand, AProgressLineOnATerminalOnlyAndNeverWithQuiet) {
  auto dir = TempDir();
  auto scenario = Write(dir / "small.pbtxt", kSmall);
  const std::string sim = fs::absolute(Env("SIM_BINARY_DIR", "build")).string() + "/sim --scenario " + scenario;
  // --progress-after 0 (hidden, for tests): a line at once, not after 2 s.
  const Outcome shown = RunOnTerminal(sim + " --progress-after 0");
  if (shown.status == -1 && shown.output.empty()) GTEST_SKIP() << "no pseudo-terminal on this machine (forkpty)";
  ASSERT_EQ(shown.status, 0) << shown.output;
  const std::size_t line = shown.output.find("\rsim: ");
  ASSERT_NE(line, std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("/20 steps (", line), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find(", ETA ", line), std::string::npos) << shown.output;
  // Cleared (blanks over it, back to the start) before the summary prints.
  const std::size_t summary = shown.output.find("small: SYNC_ALLREDUCE");
  ASSERT_NE(summary, std::string::npos) << shown.output;
  const std::size_t cleared = shown.output.rfind("    \r", summary);
  ASSERT_NE(cleared, std::string::npos) << shown.output;
  EXPECT_GT(cleared, shown.output.rfind("ETA", summary));

  // Not on a terminal (stderr to a file, or a pipe), or quiet: no line.
  const Outcome to_file = RunOnTerminal(sim + " --progress-after 0 2>" + (dir / "err.txt").string());
  ASSERT_EQ(to_file.status, 0) << to_file.output;
  EXPECT_EQ(to_file.output.find("ETA"), std::string::npos) << to_file.output;
  EXPECT_EQ(Read(dir / "err.txt").find("ETA"), std::string::npos) << Read(dir / "err.txt");
  const Outcome piped = RunSim("--scenario " + scenario + " --progress-after 0");
  ASSERT_EQ(piped.status, 0) << piped.output;
  EXPECT_EQ(piped.output.find("ETA"), std::string::npos) << piped.output;
  const Outcome quiet = RunOnTerminal(sim + " --progress-after 0 --quiet");
  ASSERT_EQ(quiet.status, 0) << quiet.output;
  EXPECT_EQ(quiet.output, "");
  // A run shorter than two seconds shows nothing either.
  const Outcome short_run = RunOnTerminal(sim);
  ASSERT_EQ(short_run.status, 0) << short_run.output;
  EXPECT_EQ(short_run.output.find("ETA"), std::string::npos) << short_run.output;
}

}  // namespace

// A scenario that names a cluster profile is calibrated from it by `sim`
// itself (cluster.profile; sim/calibration/profile_calibration.h, whose
// test checks the calibration equal to `validation calibration --profile`'s).
std::string ProfiledRun(const std::string& workers) {
  return "--scenario " + Source() + "/validate/scenarios/mlp_ring_100mbit.pbtxt --set cluster.workers=" + workers +
         " --set cluster.profile=" + fs::absolute(Source() + "/validate/profiles/emulated_cluster_100mbit.json").string() +
         " --set workload.steps=4 --set workload.eval_samples=200";
}

TEST(SimCommand, AClusterProfileCalibratesTheRunAndSaysWhatItRead) {
  auto dir = TempDir();
  auto json = dir / "r.json";
  // A relative path given by --set is read from the working directory (the
  // tests run in the source tree), not from the scenario's folder.
  auto out = RunSim("--scenario " + Source() +
                    "/validate/scenarios/mlp_ring_100mbit.pbtxt --set cluster.workers=4 --set "
                    "cluster.profile=validate/profiles/emulated_cluster_100mbit.json --set workload.steps=4 "
                    "--set workload.eval_samples=200 --json " + json.string());
  ASSERT_EQ(out.status, 0) << out.output;
  EXPECT_NE(out.output.find("calibrated from the cluster profile"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("ring exchange"), std::string::npos) << out.output;
  const std::string result = Read(json);
  EXPECT_NE(result.find("host-calibrated"), std::string::npos);
  EXPECT_NE(result.find("emulated_cluster_100mbit.json"), std::string::npos);
}

// cluster.network.flow_share_seed draws TCP's uneven sharing alone from
// its own seed: the data and model stay the scenario seed's (a synchronous
// run's loss is unchanged), the step time moves with the draw, and the
// scenario's own seed (7) as flow_share_seed is the run without it.
TEST(SimCommand, AFlowShareSeedRedrawsTheSharingAndNothingElse) {
  auto dir = TempDir();
  const std::string run = "-q --scenario " + Source() + "/validate/scenarios/mlp_sync_ps_100mbit.pbtxt " +
                          "--set cluster.workers=4 --set cluster.network.flow_share_sigma=0.5 --set workload.steps=6 " +
                          "--set workload.eval_samples=200";
  std::vector<sim::result::RunResult> r(4);
  const std::vector<std::string> seeds = {"", "7", "1", "2"};
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    const auto json = dir / ("r" + std::to_string(i) + ".json");
    const std::string set = seeds[i].empty() ? "" : " --set cluster.network.flow_share_seed=" + seeds[i];
    const auto out = RunSim(run + set + " --json " + json.string());
    ASSERT_EQ(out.status, 0) << out.output;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Read(json), &r[i]).ok());
  }
  EXPECT_EQ(r[0].mean_step_s(), r[1].mean_step_s());
  EXPECT_NE(r[2].mean_step_s(), r[3].mean_step_s());
  EXPECT_NE(r[0].mean_step_s(), r[2].mean_step_s());
  for (const auto& other : r) EXPECT_EQ(other.final_loss(), r[0].final_loss());
}

TEST(SimCommand, ARunTheProfileDidNotMeasureExits2AndWritesNothing) {
  auto dir = TempDir();
  auto json = dir / "r.json";
  auto out = RunSim(ProfiledRun("6") + " --json " + json.string());
  EXPECT_EQ(out.status, 2) << out.output;
  EXPECT_NE(out.output.find("cluster.profile"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("no measurements on 6 ranks"), std::string::npos) << out.output;
  EXPECT_FALSE(fs::exists(json));
  // A run no profile covers and a missing file: both reasons at once.
  out = RunSim(ProfiledRun("4") + " --set cluster.topology.fat_tree.k=4 --set cluster.profile=no/such.json --json " +
               json.string());
  EXPECT_EQ(out.status, 2) << out.output;
  EXPECT_NE(out.output.find("not a star"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("cannot open the profile file"), std::string::npos) << out.output;
  EXPECT_FALSE(fs::exists(json));
}

std::vector<std::string> CsvCells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
  return cells;
}

TEST(SimCommand, ASweepCalibratesEachNodeCountFromTheProfileAsASingleRunDoes) {
  auto dir = TempDir();
  auto csv = dir / "sweep.csv";
  std::string args = ProfiledRun("2");
  args.replace(0, std::string("--scenario").size(), "-s");
  auto out = RunSim("sweep -q " + args + " --sweep cluster.workers=2,4,8 --out " + csv.string());
  ASSERT_EQ(out.status, 0) << out.output;
  std::stringstream table(Read(csv));
  std::string line;
  std::getline(table, line);
  const auto header = CsvCells(line);
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  std::map<std::string, std::string> step_by_workers;
  while (std::getline(table, line)) {
    const auto cells = CsvCells(line);
    ASSERT_GT(cells.size(), column("step_time_s")) << line;
    step_by_workers[cells[column("workers")]] = cells[column("step_time_s")];
  }
  ASSERT_EQ(step_by_workers.size(), 3u) << Read(csv);
  for (const std::string workers : {"2", "8"}) {
    auto json = dir / ("r" + workers + ".json");
    ASSERT_EQ(RunSim(ProfiledRun(workers) + " -q --json " + json.string()).status, 0);
    sim::result::RunResult single;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Read(json), &single).ok());
    char text[64];
    std::snprintf(text, sizeof text, "%.10g", single.mean_step_s());
    EXPECT_EQ(step_by_workers[workers], text) << "workers = " << workers;
  }
  EXPECT_NE(step_by_workers["2"], step_by_workers["8"]);
}

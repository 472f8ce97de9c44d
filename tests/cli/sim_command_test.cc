// The `sim` program as a user meets it: a run that writes its JSON, bad input
// that exits 2 and writes nothing, --set, --help and --version, determinism,
// --series-every, and the progress line on a terminal (a pseudo-terminal).
#include <gtest/gtest.h>

#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
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
                             "--quiet", "--version"}) {
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

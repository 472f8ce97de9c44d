// Running the validation's programs and scripts from a test: a shell command,
// its exit status and its output; where the build and the sources are.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <google/protobuf/util/json_util.h>

#include "sim/result/result.pb.h"

namespace sim::validate::testing {

namespace fs = std::filesystem;

struct Outcome {
  int status = -1;
  std::string output;  // stdout and stderr together
};

inline std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

inline std::string Source() { return Env("SIM_SOURCE_DIR", "."); }
inline std::string Build() { return Env("SIM_BINARY_DIR", "build"); }

inline Outcome Shell(const std::string& command) {
  Outcome out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.output.append(buffer, n);
  const int raw = ::pclose(pipe);
  out.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return out;
}

inline bool Have(const std::string& program) { return Shell("command -v " + program).status == 0; }

inline fs::path TempDir(const std::string& suite) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path dir = fs::temp_directory_path() / suite / info->name();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

inline std::string Read(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline result::RunResult ReadResult(const fs::path& path) {
  result::RunResult r;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(Read(path), &r, options).ok()) << path;
  return r;
}

// The environment of an MPI program under AddressSanitizer, as a command
// prefix ("env ... "): Open MPI's own allocations that it never frees are
// suppressed by naming its libraries (tests/open_mpi_leaks.supp), and malloc
// stacks are unwound fully so that they reach those names. The user's
// ASAN_OPTIONS and LSAN_OPTIONS are kept; without a sanitizer the variables
// do nothing.
inline std::string MpiSanitizerEnvironment() {
  const auto with = [](const char* name, const std::string& option) {
    const char* set = std::getenv(name);
    return std::string(name) + "=" + (set && *set ? std::string(set) + ":" : std::string()) + option;
  };
  const std::string suppressions = fs::absolute(Source() + "/tests/open_mpi_leaks.supp").string();
  return "env " + with("ASAN_OPTIONS", "fast_unwind_on_malloc=0") + " " +
         with("LSAN_OPTIONS", "suppressions=" + suppressions) + " ";
}

// mpirun for a test on this machine: as root it must be allowed, and more
// ranks than cores must be allowed too.
inline std::string LocalMpirun() {
  std::string command = MpiSanitizerEnvironment() + "mpirun --oversubscribe --mca mpi_yield_when_idle 1";
  if (::geteuid() == 0) command += " --allow-run-as-root";
  return command;
}

}  // namespace sim::validate::testing

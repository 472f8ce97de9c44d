// build/mpi_allreduce_timing on this machine's ranks (loopback, no root):
// each mode prints its line per size, a skewed entry is timed from the first
// rank's entry (so at least the last rank's lateness), and bad options are
// refused with exit status 2. Skipped when mpirun is not installed.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "tests/validate/process.h"

namespace sim::validate {
namespace {

using namespace sim::validate::testing;

class MpiAllreduceTiming : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Have("mpirun")) GTEST_SKIP() << "mpirun not found: Open MPI is needed to run mpi_allreduce_timing";
  }
  static Outcome Run(int ranks, const std::string& options) {
    return Shell(LocalMpirun() + " -np " + std::to_string(ranks) + " " + Build() + "/mpi_allreduce_timing " + options);
  }
  // The seconds on the line "<ranks> ranks <bytes> bytes<mode>: T s", or -1.
  static double Seconds(const std::string& output, int ranks, long long bytes, const std::string& mode) {
    const std::regex line(std::to_string(ranks) + " ranks " + std::to_string(bytes) + " bytes" + mode +
                          ": ([0-9.]+) s");
    std::smatch m;
    return std::regex_search(output, m, line) ? std::stod(m[1]) : -1.0;
  }
};

TEST_F(MpiAllreduceTiming, PrintsOneLinePerSizeInEachMode) {
  const Outcome aligned = Run(2, "--bytes 4096 --bytes 65536 --repetitions 5");
  ASSERT_EQ(aligned.status, 0) << aligned.output;
  EXPECT_GT(Seconds(aligned.output, 2, 4096, ""), 0.0) << aligned.output;
  EXPECT_GT(Seconds(aligned.output, 2, 65536, ""), 0.0) << aligned.output;

  const Outcome back_to_back = Run(2, "--bytes 4096 --repetitions 5 --back-to-back");
  ASSERT_EQ(back_to_back.status, 0) << back_to_back.output;
  EXPECT_GT(Seconds(back_to_back.output, 2, 4096, " back to back"), 0.0) << back_to_back.output;
}

// Rank r enters r x 20 ms after the barrier; an all-reduce cannot end before
// its last rank entered, so 3 ranks take at least 40 ms, where entering
// together takes well under a millisecond on loopback.
TEST_F(MpiAllreduceTiming, SkewedEntryIsTimedFromTheFirstRankIn) {
  const Outcome o = Run(3, "--bytes 4096 --repetitions 3 --skew-us 20000");
  ASSERT_EQ(o.status, 0) << o.output;
  const double seconds = Seconds(o.output, 3, 4096, " skewed 20000 us per rank");
  EXPECT_GE(seconds, 0.040) << o.output;
  EXPECT_LT(seconds, 1.0) << o.output;
}

TEST_F(MpiAllreduceTiming, RefusesBadOptionsWithStatusTwo) {
  struct Case {
    std::string options;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"--bytes 6", "--bytes: 6 is not a multiple of 4"},
      {"--bytes 4096 --back-to-back --skew-us 10", "excludes"},
      {"--bytes 4096 --repetitions 0", "--repetitions"},
      {"--bytes -4", "--bytes"},
  };
  for (const Case& c : cases) {
    const Outcome o = Run(2, c.options);
    EXPECT_EQ(o.status, 2) << c.options << "\n" << o.output;
    EXPECT_NE(o.output.find(c.message), std::string::npos) << c.options << "\n" << o.output;
  }
}

}  // namespace
}  // namespace sim::validate

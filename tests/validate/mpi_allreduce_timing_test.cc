// build/mpi_allreduce_timing on this machine's ranks (loopback, no root):
// each mode prints its line per size, a skewed entry is timed from the first
// rank's entry (so at least the last rank's lateness), our replica of Open
// MPI's Rabenseifner all-reduce sums correctly (the program checks one call
// of each size against the known sum and exits 1 if it is wrong), and bad
// options are refused with exit status 2. Skipped when mpirun is not
// installed.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
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

// Sizes whose halvings are odd (1,025 floats: windows of 512 and 513, ...)
// and smaller than the ranks (1 float on 4 ranks: empty windows).
TEST_F(MpiAllreduceTiming, ReplicaSumsCorrectlyWithAndWithoutTheHandshake) {
  for (const int ranks : {1, 2, 4}) {
    for (const std::string handshake : {"", " --ready-handshake"}) {
      const Outcome o = Run(ranks, "--bytes 4 --bytes 4100 --bytes 65536 --repetitions 2 --replica" + handshake);
      ASSERT_EQ(o.status, 0) << ranks << handshake << "\n" << o.output;
      const std::string mode = handshake.empty() ? " replica" : " replica with ready handshake";
      for (const long long bytes : {4LL, 4100LL, 65536LL}) {
        // One rank has nothing to exchange: its time may print as 0.
        EXPECT_GE(Seconds(o.output, ranks, bytes, mode), 0.0) << ranks << " " << bytes << "\n" << o.output;
      }
    }
  }
}

// --trace: every exchange of every timed call on every rank, each begun
// before its send returned and its receive completed, and each rank's
// exchanges of a call in order: 4 ranks, 3 calls, 2 x log2(4) = 4
// exchanges each, so 48 rows.
TEST_F(MpiAllreduceTiming, ReplicaTraceHoldsEveryExchangeInOrder) {
  const std::string path = ::testing::TempDir() + "allreduce_trace.csv";
  std::remove(path.c_str());
  const Outcome o = Run(4, "--bytes 65536 --repetitions 3 --replica --trace " + path);
  ASSERT_EQ(o.status, 0) << o.output;
  std::ifstream in(path);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line, "bytes,call,rank,step,partner,bytes_out,begin_s,sent_s,done_s");
  int rows = 0;
  std::map<std::pair<int, int>, double> last_done;  // (call, rank) -> done of its previous exchange
  while (std::getline(in, line)) {
    std::stringstream cells(line);
    std::vector<double> v;
    for (std::string c; std::getline(cells, c, ',');) v.push_back(std::stod(c));
    ASSERT_EQ(v.size(), 9u) << line;
    ++rows;
    EXPECT_EQ(v[0], 65536);
    EXPECT_EQ(static_cast<int>(v[4]), static_cast<int>(v[2]) ^ (v[3] < 2 ? 1 << static_cast<int>(v[3])
                                                                           : 1 << (3 - static_cast<int>(v[3]))))
        << line;  // halving at distance 1, 2; doubling at 2, 1
    EXPECT_LE(v[6], v[7]) << line;
    EXPECT_LE(v[7], v[8]) << line;
    const auto key = std::make_pair(static_cast<int>(v[1]), static_cast<int>(v[2]));
    if (last_done.count(key)) {
      EXPECT_GE(v[6], last_done[key]) << line;
    }
    last_done[key] = v[8];
  }
  EXPECT_EQ(rows, 48);
  std::remove(path.c_str());
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
      {"--bytes 4096 --ready-handshake", "--ready-handshake requires --replica"},
      {"--bytes 4096 --trace t.csv", "--trace requires --replica"},
      {"--bytes 4096 --replica --trace /nonexistent-dir/t.csv", "--trace: cannot write '/nonexistent-dir/t.csv'"},
  };
  for (const Case& c : cases) {
    const Outcome o = Run(2, c.options);
    EXPECT_EQ(o.status, 2) << c.options << "\n" << o.output;
    EXPECT_NE(o.output.find(c.message), std::string::npos) << c.options << "\n" << o.output;
  }
  const Outcome three = Run(3, "--bytes 4096 --replica");
  EXPECT_EQ(three.status, 2) << three.output;
  EXPECT_NE(three.output.find("--replica: needs a power-of-two number of ranks, got 3"), std::string::npos)
      << three.output;
}

}  // namespace
}  // namespace sim::validate

// `sim collective`: the table, the JSON rows, and bad input (exit 2, nothing
// written). The command is registered on a CLI11 app here exactly as main.cc
// does; stdout and stderr are captured.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"

namespace sim::cli {
namespace {

struct Outcome {
  int status = kExitOk;
  std::string out;
  std::string err;
};

Outcome RunSim(std::vector<std::string> args) {
  CLI::App app{"sim"};
  app.require_subcommand(0, 1);
  RegisterCollectiveCommand(app);
  args.insert(args.begin(), "collective");
  std::vector<const char*> argv{"sim"};
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out;
  std::ostringstream err;
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  Outcome outcome;
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const Exit& e) {
    outcome.status = e.status;
  } catch (const CLI::ParseError& e) {
    app.exit(e, out, err);
    outcome.status = kExitBadInput;
  }
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  outcome.out = out.str();
  outcome.err = err.str();
  return outcome;
}

// Rows of the table: lines that do not start with '#'.
std::vector<std::vector<std::string>> Rows(const std::string& table) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::vector<std::string> row;
    for (std::string w; words >> w;) row.push_back(w);
    rows.push_back(row);
  }
  return rows;
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("sim_collective_test_" + name)).string();
}

TEST(CollectiveCommand, PrintsTheNcclTestsTableWithClosedFormTimes) {
  // rack_25gbe_64: a star, 25 Gbit/s = 3.125e9 B/s and 5 us per link, so
  // alpha' = 10 us host to host. Ring all-reduce (Patarasuk & Yuan 2009):
  //   T = 2(p-1) alpha' + 2 (p-1)/p n / B.
  // p = 8, n = 8 MiB: 140 us + 2 x 7/8 x 8,388,608 / 3.125e9 s = 4837.4 us.
  // algbw = n / T = 1.7341 GB/s; busbw = algbw x 2 x 7/8 = 3.0347 GB/s.
  const Outcome r = RunSim({"--topology", "rack_25gbe_64", "--ranks", "2,8", "--sizes", "1MB,8MB"});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  const auto rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 4u) << r.out;
  const auto& last = rows[3];
  ASSERT_EQ(last.size(), 6u);
  EXPECT_EQ(last[0], "8388608");
  EXPECT_EQ(last[1], "2097152");  // float elements
  EXPECT_EQ(last[2], "float");
  const double expected_us = 140.0 + 2.0 * 7 / 8 * 8388608 / 3.125e9 * 1e6;
  EXPECT_NEAR(std::stod(last[3]), expected_us, 0.01);  // printed to 0.01 us
  EXPECT_NEAR(std::stod(last[4]), 8388608 / expected_us / 1e3, 0.01);
  EXPECT_NEAR(std::stod(last[5]), 8388608 / expected_us / 1e3 * 2 * 7 / 8, 0.01);
  EXPECT_NE(r.out.find("# ranks: 2"), std::string::npos);
  EXPECT_NE(r.out.find("Avg bus bandwidth"), std::string::npos);
}

TEST(CollectiveCommand, RangesDoubleFromTheFirstToTheLastSize) {
  const Outcome r = RunSim({"--topology", "rack_25gbe_64", "--ranks", "4", "--sizes", "1KB:8KB", "--op",
                            "allgather", "--algorithm", "halving_doubling"});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  const auto rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0][0], "1024");
  EXPECT_EQ(rows[3][0], "8192");
}

TEST(CollectiveCommand, WritesOneJsonRowPerCase) {
  const std::string path = TempPath("rows.json");
  std::filesystem::remove(path);
  const Outcome r = RunSim({"--topology", "rack_25gbe_64", "--ranks", "2,4,8", "--sizes", "64MB", "--json", path});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string json = text.str();
  std::size_t rows = 0;
  for (std::size_t at = json.find("\"time_s\""); at != std::string::npos; at = json.find("\"time_s\"", at + 1)) ++rows;
  EXPECT_EQ(rows, 3u) << json;
  for (const char* key : {"\"op\": \"allreduce\"", "\"algorithm\": \"ring\"", "\"ranks\": 8",
                          "\"bytes\": 67108864", "\"algbw_GBps\"", "\"busbw_GBps\""}) {
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
  }
  std::filesystem::remove(path);
}

// The time column of a one-row table, in microseconds.
double TimeUs(const Outcome& r) {
  const auto rows = Rows(r.out);
  EXPECT_EQ(rows.size(), 1u) << r.out << r.err;
  return rows.empty() ? -1.0 : std::stod(rows[0][3]);
}

TEST(CollectiveCommand, SkewedEntryAndBackToBackCallsMatchTheirClosedForms) {
  // rack_25gbe_64 (alpha' = 10 us, B = 3.125e9 B/s), ring, p = 4, 8 MiB:
  // T = 6 x 10 us + 2 x 3/4 x 8,388,608 / 3.125e9 s (first test).
  const double t = 60.0 + 2.0 * 3 / 4 * 8388608 / 3.125e9 * 1e6;
  const std::vector<std::string> base = {"--topology", "rack_25gbe_64", "--ranks", "4", "--sizes", "8MB"};
  auto with = [&](std::vector<std::string> more) {
    more.insert(more.begin(), base.begin(), base.end());
    return TimeUs(RunSim(more));
  };
  EXPECT_NEAR(with({}), t, 0.01);
  // Every ring step needs its two ranks, so nothing moves before the last
  // rank enters at 3 x 100 us: T + 300 us.
  EXPECT_NEAR(with({"--skew-us", "100"}), t + 300.0, 0.01);
  // Every rank leaves a ring all-reduce at the same moment, so calls back
  // to back take T each.
  EXPECT_NEAR(with({"--back-to-back", "5"}), t, 0.01);
  // Eager messages do not help a ring: the last rank's 2(p-1) sends follow
  // one another on its one channel from its entry, each taking a step, so
  // its successor is done at 300 us + T all the same.
  const double eager = with({"--skew-us", "100", "--set", "cluster.network.eager_limit_bytes=8388608"});
  EXPECT_NEAR(eager, t + 300.0, 0.01);
}

TEST(CollectiveCommand, BadArgumentsExitTwoAndWriteNothing) {
  const std::string path = TempPath("never.json");
  std::filesystem::remove(path);
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases{
      {{"--topology", "rack_25gbe_64", "--op", "alltoall", "--algorithm", "binary_tree"}, "supported: ring, direct"},
      {{"--topology", "rack_25gbe_64", "--ranks", "100"}, "--ranks 100: the cluster has 64 endpoints"},
      {{"--topology", "rack_25gbe_64", "--sizes", "12XB"}, "size '12XB'"},
      {{"--topology", "rack_25gbe_64", "--sizes", "8MB:1MB"}, "1 <= a <= b"},
      {{"--ranks", "4"}, "--scenario FILE or --topology NAME"},
      {{"--topology", "no_such_cluster"}, "topology library 'no_such_cluster' does not exist"},
      {{"--topology", "rack_25gbe_64", "--set", "cluster.hosts=4", "--ranks", "8"}, "has 4 endpoints"},
      {{"--topology", "rack_25gbe_64", "--op", "broadcast", "--root", "9", "--ranks", "4"}, "root 9"},
      {{"--topology", "rack_25gbe_64", "--op", "scatter"}, "scatter"},
      {{"--topology", "rack_25gbe_64", "--skew-us", "-1"}, "--skew-us"},
      {{"--topology", "rack_25gbe_64", "--back-to-back", "0"}, "--back-to-back"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = c.args;
    args.push_back("--json");
    args.push_back(path);
    const Outcome r = RunSim(args);
    EXPECT_EQ(r.status, kExitBadInput) << c.message;
    EXPECT_NE((r.err + r.out).find(c.message), std::string::npos) << "expected '" << c.message << "' in:\n" << r.err;
    EXPECT_TRUE(r.out.empty() || r.out.find("# sim collective") == std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(path)) << c.message;
  }
}

TEST(CollectiveCommand, HierarchicalUsesTheHostsOfTheCluster) {
  // dgx_8gpu with 2 hosts: 16 devices, rails across the 200 Gbit/s NICs.
  const Outcome r = RunSim({"--topology", "dgx_8gpu", "--set", "cluster.hosts=2", "--ranks", "16", "--sizes",
                            "64MB", "--algorithm", "hierarchical"});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  EXPECT_EQ(Rows(r.out).size(), 1u);
  EXPECT_NE(r.out.find("across hosts: ring (rails)"), std::string::npos) << r.out;
}

TEST(CollectiveCommand, DgxA100TablesMatchNvlinkAndRailClosedForms) {
  // dgx_a100 (topologies/library/dgx_a100.pbtxt): NVLink 3 at 300 GB/s each
  // way, 1 us per hop, GPU -> NVSwitch -> GPU: alpha' = 2 us. Ring all-reduce
  // of n = 1 GiB on its 8 GPUs (Patarasuk & Yuan 2009):
  //   T = 2 x 7 x 2 us + 2 x 7/8 x 2^30 / 3e11 s = 28 + 6263.49 = 6291.49 us,
  //   busbw = 2 x 7/8 x n / T = 298.66 GB/s, just under NVLink's 300.
  Outcome r = RunSim({"--topology", "dgx_a100", "--ranks", "8", "--sizes", "1GB"});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  auto rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 1u) << r.out;
  const double n = 1073741824.0;
  const double ring_us = 28.0 + 2.0 * 7 / 8 * n / 3e11 * 1e6;
  EXPECT_NEAR(std::stod(rows[0][3]), ring_us, 0.01);
  EXPECT_NEAR(std::stod(rows[0][5]), 2.0 * 7 / 8 * n / ring_us / 1e3, 0.01);
  // Hierarchical with rails on 8 nodes of dgx_a100_rail_fat_tree (64 ranks;
  // 8 <= 20 nodes per leaf, so each rail is one leaf): a ring
  // reduce-scatter and all-gather over NVLink in each node, 7 steps each of
  // (2 us + (n/8) / 300 GB/s), and 8 rail rings at once, each on its own
  // 200 Gbit/s = 25 GB/s NIC, 2 x 7 steps of (PCIe + 2 cables + PCIe = 4 us
  // + (n/64) / 25 GB/s).
  r = RunSim({"--topology", "dgx_a100_rail_fat_tree", "--ranks", "64", "--sizes", "1GB", "--algorithm",
              "hierarchical"});
  ASSERT_EQ(r.status, kExitOk) << r.err;
  rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 1u) << r.out;
  const double intra_us = 7 * (2.0 + n / 8 / 3e11 * 1e6);
  const double across_us = 2 * 7 * (4.0 + n / 64 / 25e9 * 1e6);
  const double expected_us = 2 * intra_us + across_us;
  EXPECT_NEAR(std::stod(rows[0][3]) / expected_us, 1.0, 0.005) << rows[0][3] << " vs " << expected_us;
  EXPECT_NE(r.out.find("(8 hosts, 8 devices each)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace sim::cli

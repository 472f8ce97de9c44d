// `sim replay` as a user runs it: completion times against closed forms on a
// star, every bad row reported at once with nothing written, and 1,000 random
// flows on the 1,024-host fat-tree against SimGrid.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <set>

#include "sim/core/random.h"
#include "sim/replay/cluster_network.h"
#include "tests/validate/process.h"

namespace sim::replay {
namespace {

using validate::testing::Build;
using validate::testing::Outcome;
using validate::testing::Read;
using validate::testing::Shell;
namespace fs = std::filesystem;

fs::path TempDir() { return validate::testing::TempDir("sim-replay-tests"); }

std::string Write(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path.string();
}

// completion_s of each row of TIMES.csv, in flow order.
std::vector<double> Completions(const fs::path& times) {
  std::istringstream in(Read(times));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "flow,src,dst,bytes,start_s,completion_s,duration_s");
  std::vector<double> out;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string c; std::getline(row, c, ',');) cells.push_back(c);
    EXPECT_EQ(cells.size(), 7u) << line;
    if (cells.size() == 7) out.push_back(std::stod(cells[5]));
  }
  return out;
}

// Four hosts on one switch, 10 Gbit/s (1.25 GB/s) and 5 us per link: a route
// between hosts crosses 2 links, 10 us.
constexpr const char* kStar =
    "cluster { hosts: 4 topology { star { host_link { bandwidth_gbit_per_s: 10 latency_us: 5 } } } }\n";

TEST(ReplayCommand, CompletionTimesOnAStarFollowTheClosedForms) {
  const fs::path dir = TempDir();
  const std::string scenario = Write(dir / "star.pbtxt", kStar);
  const std::string flows = Write(dir / "flows.csv",
                                  "src,dst,bytes,start_s\n"
                                  "0,1,100000000,0\n"      // alone
                                  "2,3,100000000,0.5\n"    // alone on its links
                                  "1,3,100000000,1\n"      // with the next, into h3
                                  "0,3,100000000,1\n");
  const fs::path times = dir / "times.csv";
  const Outcome o = Shell(Build() + "/sim replay " + flows + " --scenario " + scenario + " --out " + times.string());
  ASSERT_EQ(o.status, 0) << o.output;
  const std::vector<double> t = Completions(times);
  ASSERT_EQ(t.size(), 4u);
  // Alone: latency 2 x 5 us, then 1e8 B at 1.25e9 B/s = 0.08 s
  // (the oracle of flow_network.h).
  EXPECT_NEAR(t[0], 0.08001, 1e-12);
  EXPECT_NEAR(t[1], 0.5 + 0.08001, 1e-12);
  // Flows 2 and 3 both end at h3 from t = 1 s: its downlink is shared,
  // 0.625e9 B/s each, so 1e8 B take 0.16 s after the 10 us latency.
  EXPECT_NEAR(t[2], 1.0 + 0.16001, 1e-12);
  EXPECT_NEAR(t[3], 1.0 + 0.16001, 1e-12);

  // The cluster's calibration applies, as in a run: half the bandwidth and
  // 20 us per message: 20 us + 10 us + 1e8 / 0.625e9 s.
  const Outcome slow = Shell(Build() + "/sim replay -q " + flows + " --scenario " + scenario +
                             " --set cluster.network.bandwidth_efficiency=0.5"
                             " --set cluster.network.per_message_overhead_us=20 --out " + times.string());
  ASSERT_EQ(slow.status, 0) << slow.output;
  EXPECT_NEAR(Completions(times)[0], 0.16003, 1e-12);
}

TEST(ReplayCommand, EveryBadRowIsListedAtOnceAndNothingIsWritten) {
  const fs::path dir = TempDir();
  const std::string scenario = Write(dir / "star.pbtxt", kStar);
  const std::string flows = Write(dir / "flows.csv",
                                  "src,dst,bytes,start_s\n"
                                  "0,1,1000,0\n"
                                  "0,4,1000,0\n"     // line 3: dst outside 0..3
                                  "x,1,-5,0\n"       // line 4: src and bytes
                                  "1,2,1000\n"       // line 5: three fields
                                  "1,2,1000,-1\n");  // line 6: start_s
  const fs::path times = dir / "times.csv";
  const Outcome o = Shell(Build() + "/sim replay " + flows + " --scenario " + scenario + " --out " + times.string());
  EXPECT_EQ(o.status, 2) << o.output;
  for (const std::string& expected : {flows + ":3: dst", flows + ":4: src", flows + ":4: bytes", flows + ":5: row",
                                      flows + ":6: start_s"}) {
    EXPECT_NE(o.output.find(expected), std::string::npos) << expected << "\n" << o.output;
  }
  EXPECT_EQ(o.output.find(flows + ":2:"), std::string::npos) << o.output;  // the good row
  EXPECT_FALSE(fs::exists(times));

  const std::string headless = Write(dir / "headless.csv", "0,1,1000,0\n");
  const Outcome h = Shell(Build() + "/sim replay " + headless + " --scenario " + scenario + " --out " + times.string());
  EXPECT_EQ(h.status, 2) << h.output;
  EXPECT_NE(h.output.find(headless + ":1: header"), std::string::npos) << h.output;
  EXPECT_FALSE(fs::exists(times));
}

// ------------------------------------------------------------ SimGrid --

#ifdef SIM_SIMGRID_ORACLE
constexpr const char* kOracle = SIM_SIMGRID_ORACLE;
#else
constexpr const char* kOracle = nullptr;
#endif

// SimGrid works in doubles, we in picoseconds; 1e-6 of a flow's duration is
// far above both round-offs and far below a wrong share (>= 1e-2).
constexpr double kRelativeTolerance = 1e-6;

struct Flow {
  EndpointId src, dst;
  std::int64_t bytes;
  std::int64_t start_us;
};

std::string Num(double x) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
}

// Every directed link of the topology a SimGrid link, and each pair a flow
// uses an explicit route of our routing, so SimGrid shares exactly our
// resources. Links have no latency in SimGrid: CM02 weights a flow's share by
// 1 / its route latency (SimGrid's network_cm02.cpp), which is plain max-min
// only among equal latencies, and routes of the fat-tree take 2, 4 or 6 us.
// So each flow starts in SimGrid at its start + its route latency, when ours
// begins to drain (flow_network.h; as tests/network/simgrid_oracle_test.cc).
std::string PlatformXml(const topo::Topology& t, const std::vector<Flow>& flows) {
  std::ostringstream x;
  x << "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
    << "<platform version=\"4.1\">\n<zone id=\"world\" routing=\"Full\">\n";
  for (EndpointId e = 0; e < t.endpoint_count(); ++e) x << "  <host id=\"e" << e << "\" speed=\"1Gf\"/>\n";
  for (topo::LinkId l = 0; l < t.link_count(); ++l) {
    x << "  <link id=\"l" << l << "\" bandwidth=\"" << Num(t.link(l).params.bandwidth.value)
      << "Bps\" latency=\"0s\" sharing_policy=\"SHARED\"/>\n";
  }
  std::set<std::pair<EndpointId, EndpointId>> pairs;
  for (const Flow& f : flows) pairs.emplace(f.src, f.dst);
  for (const auto& [a, b] : pairs) {
    x << "  <route src=\"e" << a << "\" dst=\"e" << b << "\" symmetrical=\"NO\">";
    for (topo::LinkId l : t.route(a, b)) x << "<link_ctn id=\"l" << l << "\"/>";
    x << "</route>\n";
  }
  x << "</zone>\n</platform>\n";
  return x.str();
}

TEST(ReplayCommand, ThousandRandomFlowsOnTheFatTreeAgreeWithSimGrid) {
  if (kOracle == nullptr) {
    GTEST_SKIP() << "SimGrid not found when configuring (pkg-config simgrid): the max-min oracle was not built. "
                    "Install libsimgrid-dev and re-run cmake.";
  }
  const fs::path dir = TempDir();
  // The topology replay runs on, built by replay's own function.
  Engine unused;
  const ClusterNetwork cluster = BuildClusterNetwork(unused, {.scenario = {}, .library_entry = "fat_tree_1024",
                                                              .overrides = {}});
  const topo::Topology& t = *cluster.topology;
  ASSERT_EQ(t.endpoint_count(), 1024u);

  // 1,000 flows between random distinct hosts, 1 .. 50 MB (80 us .. 4 ms at
  // 12.5 GB/s), starting over 0 .. 2 ms in whole microseconds (exact in both
  // clocks): they overlap, and share host links and fabric links.
  RandomStream rng = NamedStream(11, "replay_test/flows");
  std::vector<Flow> flows;
  std::ostringstream csv;
  csv << "src,dst,bytes,start_s\n";
  for (int i = 0; i < 1000; ++i) {
    Flow f{};
    f.src = static_cast<EndpointId>(rng.uniform_index(1024));
    f.dst = static_cast<EndpointId>(rng.uniform_index(1023));
    if (f.dst >= f.src) ++f.dst;
    f.bytes = 1'000'000 + static_cast<std::int64_t>(rng.uniform_index(49'000'000));
    f.start_us = static_cast<std::int64_t>(rng.uniform_index(2'000));
    flows.push_back(f);
    char start[32];
    std::snprintf(start, sizeof start, "%lld.%06lld", static_cast<long long>(f.start_us / 1'000'000),
                  static_cast<long long>(f.start_us % 1'000'000));
    csv << f.src << "," << f.dst << "," << f.bytes << "," << start << "\n";
  }
  const std::string flows_csv = Write(dir / "flows.csv", csv.str());
  const fs::path times = dir / "times.csv";
  const Outcome o =
      Shell(Build() + "/sim replay -q " + flows_csv + " --topology fat_tree_1024 --out " + times.string());
  ASSERT_EQ(o.status, 0) << o.output;
  const std::vector<double> ours = Completions(times);
  ASSERT_EQ(ours.size(), flows.size());

  Write(dir / "platform.xml", PlatformXml(t, flows));
  {
    std::ofstream f(dir / "oracle_flows.txt");
    for (const Flow& fl : flows) {
      const Time start = Microseconds(fl.start_us) + t.route_latency(fl.src, fl.dst);
      f << Num(start.seconds()) << " e" << fl.src << " e" << fl.dst << " " << fl.bytes << "\n";
    }
  }
  const std::string command = std::string(kOracle) + " " + (dir / "platform.xml").string() + " " +
                              (dir / "oracle_flows.txt").string() +
                              " --cfg=network/model:CM02 --cfg=network/TCP-gamma:0 --cfg=network/crosstraffic:0"
                              " --log=root.thres:critical 2>/dev/null";
  std::vector<double> theirs(flows.size(), -1.0);
  FILE* out = ::popen(command.c_str(), "r");
  ASSERT_NE(out, nullptr) << command;
  std::size_t index = 0;
  double when = 0.0;
  while (std::fscanf(out, "%zu %lf", &index, &when) == 2) {
    if (index < theirs.size()) theirs[index] = when;
  }
  ASSERT_EQ(::pclose(out), 0) << command;

  double worst = 0.0;
  std::size_t shared = 0;  // flows slower than alone: the comparison covers sharing
  for (std::size_t i = 0; i < flows.size(); ++i) {
    ASSERT_GE(theirs[i], 0.0) << "SimGrid gave no time for flow " << i;
    const double start = static_cast<double>(flows[i].start_us) * 1e-6;
    const double duration = theirs[i] - start;
    const double alone = t.route_latency(flows[i].src, flows[i].dst).seconds() +
                         static_cast<double>(flows[i].bytes) / GigabitsPerSecond(100).value;
    if (duration > alone * (1 + 1e-3)) ++shared;
    worst = std::max(worst, std::abs(ours[i] - theirs[i]) / duration);
    EXPECT_NEAR(ours[i], theirs[i], kRelativeTolerance * duration)
        << "flow " << i << ": e" << flows[i].src << " -> e" << flows[i].dst << ", " << flows[i].bytes << " B from "
        << flows[i].start_us << " us";
  }
  EXPECT_GT(shared, 50u) << "too few flows shared a link for the comparison to test sharing";
  std::printf("1000 flows on fat_tree_1024: %zu slowed by sharing; max |ours - SimGrid| / duration = %.2g\n", shared,
              worst);
}

}  // namespace
}  // namespace sim::replay

// The cluster as the run plan resolves it: library entries, defaults from
// scenario.proto's comments, overrides, the one Topology built from it, and
// validation that lists every problem at once.
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "sim/scenario/run_plan.h"
#include "topologies/library.h"

namespace sim::scenario {
namespace {

using topo::RoutingPolicy;
using topo::Topology;

Cluster Parse(const std::string& text) {
  Cluster c;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &c)) << text;
  return c;
}

// The plan of a scenario that is only `cluster` (files relative to `dir`).
RunPlan PlanOf(const Cluster& cluster, const std::string& dir = ".") {
  Scenario s;
  s.set_name("test");
  *s.mutable_cluster() = cluster;
  return ResolvePlan(std::move(s), "test", dir);
}

std::vector<std::string> ValidateCluster(const Cluster& cluster, const std::string& dir = ".") {
  try {
    (void)PlanOf(cluster, dir);
  } catch (const ScenarioError& e) {
    return e.problems();
  }
  return {};
}

std::shared_ptr<const Topology> BuildTopology(const Cluster& cluster, const std::string& dir) {
  return PlanOf(cluster, dir).cluster.topology;
}

Cluster ResolveCluster(const Cluster& cluster) { return PlanOf(cluster).effective.cluster(); }

bool Mentions(const std::vector<std::string>& problems, const std::string& needle) {
  for (const auto& p : problems) {
    if (p.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::string Joined(const std::vector<std::string>& problems) {
  std::string s;
  for (const auto& p : problems) s += p + "\n";
  return s;
}

TEST(Library, HasTheNamedClusters) {
  auto names = topo::LibraryClusterNames();
  for (const char* want : {"dgx_8gpu", "rack_25gbe_64", "fat_tree_1024", "fat_tree_1024_4to1", "emulated_100mbit"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  }
}

TEST(Library, EveryEntryBuilds) {
  for (const auto& name : topo::LibraryClusterNames()) {
    // emulated_100mbit leaves hosts to the scenario.
    auto c = Parse("workers: 4 topology { library: \"" + name + "\" }");
    EXPECT_TRUE(ValidateCluster(c).empty()) << name << ": " << Joined(ValidateCluster(c));
  }
}

TEST(Library, FatTree1024) {
  // k = 16: k^3/4 = 1,024 hosts, 5k^2/4 = 320 switches, 3k^3/2 = 6,144 links.
  const auto t = BuildTopology(Parse("topology { library: \"fat_tree_1024\" }"), ".");
  EXPECT_EQ(t->endpoint_count(), 1024u);
  EXPECT_EQ(t->switch_count(), 320u);
  EXPECT_EQ(t->link_count(), 6144u);
  EXPECT_EQ(t->routing(), RoutingPolicy::kFatTreeTwoLevel);
  EXPECT_DOUBLE_EQ(t->link(t->find_link("h0", "edge0.0")).params.bandwidth.value, GigabitsPerSecond(100).value);
}

TEST(Library, FatTree1024FourToOneThinsEdgeUplinks) {
  // edge_oversubscription 4: uplinks at 100 / 4 = 25 Gbit/s.
  const auto t = BuildTopology(Parse("topology { library: \"fat_tree_1024_4to1\" }"), ".");
  EXPECT_DOUBLE_EQ(t->link(t->find_link("edge0.0", "agg0.0")).params.bandwidth.value, GigabitsPerSecond(25).value);
}

TEST(Library, Dgx8GpuIsOneHostOfEightDevices) {
  const auto t = BuildTopology(Parse("topology { library: \"dgx_8gpu\" }"), ".");
  EXPECT_EQ(t->endpoint_count(), 8u);
  EXPECT_EQ(t->host_count(), 1u);
  EXPECT_EQ(t->route(0, 7).size(), 2u);  // GPU -> NVSwitch -> GPU
}

TEST(Library, ScenarioFieldsOverrideTheLibrary) {
  // rack_25gbe_64 fixes 64 hosts; the scenario adds workers and calibration
  // and changes routing; the library's topology survives the merge.
  auto c = ResolveCluster(Parse(R"pb(workers: 16
                                     topology { library: "rack_25gbe_64" routing: ECMP }
                                     network { per_message_overhead_us: 3 })pb"));
  EXPECT_EQ(c.hosts(), 64u);
  EXPECT_EQ(c.workers(), 16u);
  EXPECT_TRUE(c.topology().has_star());
  EXPECT_EQ(c.topology().star().host_link().bandwidth_gbit_per_s(), 25.0);
  EXPECT_EQ(c.topology().routing(), ECMP);
  EXPECT_EQ(c.network().per_message_overhead_us(), 3.0);
}

TEST(Defaults, StarAndIntraNodeFromProtoComments) {
  // Star: "Default host link: 10 Gbit/s, 5 us"; intra_node "2,400 Gbit/s, 1 us";
  // hosts = ceil(workers / devices_per_host) = ceil(6 / 4) = 2.
  auto c = ResolveCluster(Parse("workers: 6 devices_per_host: 4"));
  EXPECT_TRUE(c.topology().has_star());
  EXPECT_EQ(c.topology().star().host_link().bandwidth_gbit_per_s(), 10.0);
  EXPECT_EQ(c.topology().star().host_link().latency_us(), 5.0);
  EXPECT_EQ(c.topology().intra_node().bandwidth_gbit_per_s(), 2400.0);
  EXPECT_EQ(c.topology().intra_node().latency_us(), 1.0);
  EXPECT_EQ(c.hosts(), 2u);
  EXPECT_EQ(c.topology().routing(), SHORTEST);
  EXPECT_EQ(c.network().bandwidth_efficiency(), 1.0);
  EXPECT_EQ(c.network().duplex(), FULL_DUPLEX);
  const auto t = BuildTopology(c, ".");
  EXPECT_EQ(t->endpoint_count(), 8u);
}

TEST(Defaults, FatTreeHostsAndRouting) {
  auto c = ResolveCluster(Parse("topology { fat_tree { k: 4 } }"));
  EXPECT_EQ(c.hosts(), 16u);    // k^3/4
  EXPECT_EQ(c.workers(), 16u);  // hosts x devices_per_host
  EXPECT_EQ(c.topology().routing(), FAT_TREE_TWO_LEVEL);
  EXPECT_EQ(c.topology().fat_tree().edge_oversubscription(), 1.0);
}

TEST(Validation, ListsEveryProblemAtOnce) {
  // Seven independent mistakes in one cluster; all seven come back together.
  auto problems = ValidateCluster(Parse(R"pb(workers: 2000
                                             topology {
                                               fat_tree { k: 7 link { bandwidth_gbit_per_s: 0 } core_oversubscription: 0.5 }
                                             }
                                             network { bandwidth_efficiency: 1.5 flow_share_sigma: 4 two_way_capacity: 2.5 })pb"));
  EXPECT_TRUE(Mentions(problems, "fat_tree k must be even and >= 2, got 7")) << Joined(problems);
  EXPECT_TRUE(Mentions(problems, "fat_tree.link bandwidth must be > 0, got 0")) << Joined(problems);
  EXPECT_TRUE(Mentions(problems, "core_oversubscription must be >= 1, got 0.5")) << Joined(problems);
  EXPECT_TRUE(Mentions(problems, "bandwidth_efficiency must be in (0, 1], got 1.5")) << Joined(problems);
  EXPECT_TRUE(Mentions(problems, "flow_share_sigma must be in [0, 3], got 4")) << Joined(problems);
  EXPECT_TRUE(Mentions(problems, "two_way_capacity must be in [1, 2] (0: 2), got 2.5")) << Joined(problems);
  // k^3/4 with k = 7 rounds to 85 hosts; 2,000 workers do not fit.
  EXPECT_TRUE(Mentions(problems, "cluster.workers (2000) must fit on hosts x devices_per_host = 85 endpoints"))
      << Joined(problems);
  EXPECT_EQ(problems.size(), 7u) << Joined(problems);
}

TEST(Validation, EdgeListProblemsNameTheirNodes) {
  auto problems = ValidateCluster(Parse(R"pb(topology {
                                               edges {
                                                 hosts: [ "a", "b", "c" ]
                                                 switches: [ "s" ]
                                                 edges { a: "a" b: "s" link { bandwidth_gbit_per_s: 10 } }
                                                 edges { a: "b" b: "s" link { bandwidth_gbit_per_s: 0 } }
                                                 edges { a: "c" b: "t" link { bandwidth_gbit_per_s: 10 } }
                                               }
                                             })pb"));
  // The zero bandwidth is caught before any graph is built, naming the edge.
  EXPECT_TRUE(Mentions(problems, "edge 'b'-'s' bandwidth must be > 0, got 0")) << Joined(problems);
  problems = ValidateCluster(Parse(R"pb(topology {
                                          edges {
                                            hosts: [ "a", "b", "c" ]
                                            switches: [ "s" ]
                                            edges { a: "a" b: "s" link { bandwidth_gbit_per_s: 10 } }
                                            edges { a: "b" b: "s" link { bandwidth_gbit_per_s: 10 } }
                                            edges { a: "c" b: "t" link { bandwidth_gbit_per_s: 10 } }
                                          }
                                        })pb"));
  EXPECT_TRUE(Mentions(problems, "names missing node 't'")) << Joined(problems);
  EXPECT_TRUE(Mentions(problems, "host 'c' is disconnected")) << Joined(problems);
}

TEST(Validation, UnknownLibraryListsKnownOnes) {
  auto problems = ValidateCluster(Parse("topology { library: \"fat_tree_9999\" }"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(Mentions(problems, "'fat_tree_9999' does not exist (known: ")) << Joined(problems);
  EXPECT_TRUE(Mentions(problems, "rack_25gbe_64")) << Joined(problems);
}

TEST(Validation, TwoLevelRoutingNeedsAFatTree) {
  auto problems = ValidateCluster(Parse("hosts: 4 topology { ring {} routing: FAT_TREE_TWO_LEVEL }"));
  EXPECT_TRUE(Mentions(problems, "FAT_TREE_TWO_LEVEL needs a fat_tree or leaf_spine topology, got ring")) << Joined(problems);
}

TEST(Validation, HostsMustMatchTheShape) {
  auto problems = ValidateCluster(Parse("hosts: 10 topology { torus { rows: 3 cols: 3 } }"));
  EXPECT_TRUE(Mentions(problems, "cluster.hosts is 10 but the torus has 9 hosts")) << Joined(problems);
  // A star with neither hosts nor workers is one machine (scenario.proto).
  EXPECT_EQ(ResolveCluster(Parse("topology { star {} }")).hosts(), 1u);
}

TEST(EdgeListFile, ReadRelativeToScenarioDir) {
  const auto dir = std::filesystem::temp_directory_path() / "sim_topologies_test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "rack.edges");
    f << "# two hosts on one switch\n"
         "a sw 25 2.5\n"
         "\n"
         "b sw 25 2.5   # second host\n";
  }
  auto c = Parse(R"pb(topology { edges { hosts: [ "a", "b" ] file: "rack.edges" } })pb");
  const auto t = BuildTopology(c, dir.string());
  EXPECT_EQ(t->link_count(), 4u);
  // 2.5 us per link, two links.
  EXPECT_EQ(t->route_latency(0, 1), Picoseconds(5'000'000));
  EXPECT_DOUBLE_EQ(t->link(t->find_link("a", "sw")).params.bandwidth.value, 25e9 / 8);

  {
    std::ofstream f(dir / "bad.edges");
    f << "a sw 25\n"
         "b sw 25 1 extra\n";
  }
  auto problems = ValidateCluster(Parse(R"pb(topology { edges { hosts: [ "a", "b" ] file: "bad.edges" } })pb"),
                                  dir.string());
  ASSERT_EQ(problems.size(), 2u) << Joined(problems);
  EXPECT_TRUE(Mentions(problems, "bad.edges:1:")) << Joined(problems);
  EXPECT_TRUE(Mentions(problems, "bad.edges:2:")) << Joined(problems);
  std::filesystem::remove_all(dir);
}

TEST(BuildTopology, ThrowsWithEveryProblem) {
  try {
    (void)BuildTopology(Parse("hosts: 3 topology { star { host_link { bandwidth_gbit_per_s: -1 } } } "
                              "network { per_message_overhead_us: -2 }"),
                        ".");
    FAIL() << "expected ScenarioError";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.problems().size(), 2u) << e.what();
  }
}

}  // namespace
}  // namespace sim::scenario

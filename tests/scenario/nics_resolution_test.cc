// Hosts with NICs and the leaf-spine fabric as a scenario gives them
// (scenario.proto Topology.nics, LeafSpine): defaults from the schema's
// comments, problems named by their field paths and listed at once, every
// field reachable by --set, and the DGX library entries against their
// datasheet figures (the arithmetic beside each).
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/scenario/run_plan.h"
#include "topologies/library.h"

namespace sim::scenario {
namespace {

using topo::NodeKind;
using topo::Topology;

std::string Joined(const std::vector<std::string>& problems) {
  std::string s;
  for (const auto& p : problems) s += p + "\n";
  return s;
}

bool Mentions(const std::vector<std::string>& problems, const std::string& needle) {
  for (const auto& p : problems) {
    if (p.find(needle) != std::string::npos) return true;
  }
  return false;
}

RunPlan Plan(const std::string& cluster, const std::vector<std::string>& overrides = {}) {
  return PlanFromText("cluster { " + cluster + " }", overrides);
}

std::vector<std::string> Problems(const std::string& cluster) {
  try {
    (void)Plan(cluster);
  } catch (const ScenarioError& e) {
    return e.problems();
  }
  return {};
}

double Gbit(const Topology& t, const std::string& from, const std::string& to) {
  const topo::LinkId l = t.find_link(from, to);
  EXPECT_NE(l, topo::kNoLink) << from << "->" << to;
  return l == topo::kNoLink ? 0.0 : InGigabitsPerSecond(t.link(l).params.bandwidth);
}

// ---------------------------------------------------------------- defaults --

TEST(NicsDefaults, PcieAndRoutingFromTheSchemaComments) {
  // Nics.pcie "Default: PCIe 4.0 x16, 16 GT/s x 16 lanes x 128/130 = 252
  // Gbit/s, 1 us"; written only because the hosts have NICs.
  const RunPlan plan = Plan("hosts: 2 devices_per_host: 8 topology { star {} nics { per_host: 8 } }");
  const auto& nics = plan.effective.cluster().topology().nics();
  EXPECT_DOUBLE_EQ(nics.pcie().bandwidth_gbit_per_s(), 16.0 * 16.0 * 128.0 / 130.0);
  EXPECT_EQ(nics.pcie().latency_us(), 1.0);
  const Topology& t = *plan.cluster.topology;
  EXPECT_EQ(t.nics_per_host(), 8u);
  EXPECT_EQ(t.port_count(), 16u);
  EXPECT_EQ(t.endpoint_count(), 16u);
  EXPECT_EQ(plan.cluster.topology_spec.host_options.nics_per_host, 8u);
}

TEST(NicsDefaults, WithoutNicsNothingIsWrittenAndTheHostIsOnePort) {
  // A cluster that gives no NICs echoes no `nics` (so every shipped
  // scenario's result stays as it was) and keeps one port per host.
  const RunPlan plan = Plan("hosts: 2 devices_per_host: 4");
  EXPECT_FALSE(plan.effective.cluster().topology().has_nics());
  EXPECT_EQ(plan.cluster.topology->nics_per_host(), 0u);
  EXPECT_EQ(plan.cluster.topology->port_count(), 2u);
}

TEST(NicsDefaults, FatTreeHostsAreItsPortsOverTheNics) {
  // k = 4: k^3/4 = 16 ports; 2 NICs per host: 8 hosts, 8 x 2 = 16 workers.
  const RunPlan plan = Plan("devices_per_host: 2 topology { fat_tree { k: 4 } nics { per_host: 2 } }");
  EXPECT_EQ(plan.cluster.hosts, 8u);
  EXPECT_EQ(plan.cluster.workers, 16u);
  EXPECT_EQ(plan.cluster.topology->host_count(), 8u);
  // Torus 2 x 4 = 8 ports, 4 NICs per host: 2 hosts.
  EXPECT_EQ(Plan("devices_per_host: 4 topology { torus { rows: 2 cols: 4 } nics { per_host: 4 } }").cluster.hosts, 2u);
}

TEST(LeafSpineDefaults, LinkPortsSpinesAndRouting) {
  // LeafSpine: link "Default 10 Gbit/s, 5 us"; leaf_ports "Default
  // max(hosts, nics.per_host)"; spines "Default leaf_ports";
  // oversubscription 1; routing FAT_TREE_TWO_LEVEL on a leaf-spine.
  const RunPlan plan =
      Plan("hosts: 6 devices_per_host: 8 topology { leaf_spine { rail_optimized: true } nics { per_host: 8 } }");
  const auto& l = plan.effective.cluster().topology().leaf_spine();
  EXPECT_EQ(l.link().bandwidth_gbit_per_s(), 10.0);
  EXPECT_EQ(l.link().latency_us(), 5.0);
  EXPECT_EQ(l.leaf_ports(), 8u);  // max(6, 8)
  EXPECT_EQ(l.spines(), 8u);
  EXPECT_EQ(l.oversubscription(), 1.0);
  EXPECT_EQ(plan.effective.cluster().topology().routing(), FAT_TREE_TWO_LEVEL);
  // One leaf per rail: m ceil(H / P) = 8 x ceil(6 / 8) = 8 leaves + 8 spines.
  EXPECT_EQ(plan.cluster.topology->switch_count(), 16u);
  // Sized by workers when hosts are not given: ceil(20 / 8) = 3 hosts.
  EXPECT_EQ(Plan("workers: 20 devices_per_host: 8 topology { leaf_spine {} nics { per_host: 8 } }").cluster.hosts, 3u);
}

// ---------------------------------------------------------------- problems --

TEST(NicsProblems, NamedByFieldPathAllAtOnce) {
  const auto problems = Problems(R"pb(hosts: 2
                                      devices_per_host: 8
                                      topology {
                                        leaf_spine { leaf_ports: 4 oversubscription: 0.5 }
                                        nics { per_host: 3 pcie { bandwidth_gbit_per_s: 0 } }
                                      })pb");
  EXPECT_TRUE(Mentions(problems, "cluster.topology.nics.per_host (3) must divide cluster.devices_per_host (8)"))
      << Joined(problems);
  EXPECT_TRUE(Mentions(problems, "cluster.topology.nics.pcie bandwidth must be > 0, got 0 Gbit/s")) << Joined(problems);
  EXPECT_TRUE(Mentions(problems, "cluster.topology.leaf_spine.oversubscription must be >= 1, got 0.5"))
      << Joined(problems);
  // leaf_ports 4 holds a host's 3 NICs: three problems, no more.
  EXPECT_EQ(problems.size(), 3u) << Joined(problems);
}

TEST(NicsProblems, DeviceMapAndRails) {
  auto problems = Problems(R"pb(hosts: 2
                                 devices_per_host: 4
                                 topology {
                                   leaf_spine { rail_optimized: true }
                                   nics { per_host: 2 of_device: [ 0, 1, 2 ] }
                                 })pb");
  EXPECT_TRUE(Mentions(problems, "cluster.topology.nics.of_device lists 3 devices, cluster.devices_per_host is 4"))
      << Joined(problems);
  EXPECT_TRUE(Mentions(problems, "cluster.topology.nics.of_device[2] is 2, must be < cluster.topology.nics.per_host (2)"))
      << Joined(problems);
  EXPECT_EQ(problems.size(), 2u) << Joined(problems);
  problems = Problems("hosts: 4 devices_per_host: 8 topology { leaf_spine { rail_optimized: true leaf_ports: 2 } }");
  EXPECT_TRUE(Mentions(problems, "cluster.topology.leaf_spine.rail_optimized needs hosts with NICs "
                                 "(cluster.topology.nics.per_host >= 1)"))
      << Joined(problems);
  problems = Problems("hosts: 4 devices_per_host: 8 topology { leaf_spine { leaf_ports: 4 } nics { per_host: 8 } }");
  EXPECT_TRUE(Mentions(problems, "cluster.topology.leaf_spine.leaf_ports (4) must hold a whole host's 8 NICs "
                                 "(cluster.topology.nics.per_host) unless rail_optimized"))
      << Joined(problems);
  problems = Problems("hosts: 2 topology { star {} nics { of_device: [ 0 ] } }");
  EXPECT_TRUE(Mentions(problems, "cluster.topology.nics.of_device needs cluster.topology.nics.per_host >= 1"))
      << Joined(problems);
}

TEST(NicsProblems, FatTreePortsMustHoldWholeHosts) {
  // k = 4 has 16 ports; 3 NICs per host would split one.
  const auto problems = Problems("devices_per_host: 3 topology { fat_tree { k: 4 } nics { per_host: 3 } }");
  EXPECT_TRUE(Mentions(problems, "cluster.topology.nics.per_host (3) must divide the fat_tree's 16 host ports"))
      << Joined(problems);
}

// ------------------------------------------------------------------- --set --

TEST(NicsOverrides, SetReachesEveryField) {
  const RunPlan plan = Plan("hosts: 3 devices_per_host: 4 topology { leaf_spine {} }",
                            {"cluster.topology.nics.per_host=2", "cluster.topology.nics.of_device=1,0,1,0",
                             "cluster.topology.nics.pcie.bandwidth_gbit_per_s=100",
                             "cluster.topology.nics.pcie.latency_us=0.25",
                             "cluster.topology.leaf_spine.link.bandwidth_gbit_per_s=50",
                             "cluster.topology.leaf_spine.link.latency_us=2",
                             "cluster.topology.leaf_spine.leaf_ports=2", "cluster.topology.leaf_spine.spines=3",
                             "cluster.topology.leaf_spine.oversubscription=2",
                             "cluster.topology.leaf_spine.rail_optimized=true"});
  const Topology& t = *plan.cluster.topology;
  EXPECT_EQ(t.nics_per_host(), 2u);
  EXPECT_EQ(t.nic_of(0), 1u);  // of_device[0] = 1
  EXPECT_EQ(t.nic_of(1), 0u);
  EXPECT_DOUBLE_EQ(Gbit(t, "h0.d0", "h0.nic1"), 100.0);
  EXPECT_EQ(t.link(t.find_link("h0.d0", "h0.nic1")).params.latency, Microseconds(0.25));
  // Rail-optimised, 2 ports per leaf: 2 rails x ceil(3 / 2) = 4 leaves, + 3 spines.
  EXPECT_EQ(t.switch_count(), 4u + 3u);
  EXPECT_DOUBLE_EQ(Gbit(t, "h2.nic1", "rail1.leaf1"), 50.0);
  EXPECT_EQ(t.link(t.find_link("h2.nic1", "rail1.leaf1")).params.latency, Microseconds(2));
  EXPECT_DOUBLE_EQ(Gbit(t, "rail0.leaf0", "spine2"), 25.0);  // 50 / oversubscription 2
}

// ----------------------------------------------------------------- library --

TEST(DgxLibrary, A100FromItsDatasheets) {
  // 8 A100s; NVLink 3: 12 links x 25 GB/s = 300 GB/s = 2,400 Gbit/s each
  // way; 8 HDR NICs of 200 Gbit/s; PCIe 4.0 x16 = 252.06 Gbit/s.
  const RunPlan plan = Plan("topology { library: \"dgx_a100\" }");
  const Topology& t = *plan.cluster.topology;
  EXPECT_EQ(t.host_count(), 1u);
  EXPECT_EQ(t.endpoint_count(), 8u);
  EXPECT_EQ(t.nics_per_host(), 8u);
  EXPECT_DOUBLE_EQ(Gbit(t, "h0.d5", "h0"), 2400.0);
  EXPECT_DOUBLE_EQ(Gbit(t, "h0.nic5", "sw0"), 200.0);
  EXPECT_DOUBLE_EQ(Gbit(t, "h0.d5", "h0.nic5"), 252.06);
  for (EndpointId e = 0; e < 8; ++e) EXPECT_EQ(t.nic_of(e), e);  // NIC i serves GPU i
}

TEST(DgxLibrary, H100FromItsDatasheets) {
  // NVLink 4: 900 GB/s both ways = 450 GB/s = 3,600 Gbit/s each way; NDR
  // 400 Gbit/s; PCIe 5.0 x16 = 32 x 16 x 128/130 = 504.12 Gbit/s.
  const RunPlan plan = Plan("hosts: 2 topology { library: \"dgx_h100\" }");
  const Topology& t = *plan.cluster.topology;
  EXPECT_EQ(t.endpoint_count(), 16u);
  EXPECT_DOUBLE_EQ(Gbit(t, "h1.d0", "h1"), 3600.0);
  EXPECT_DOUBLE_EQ(Gbit(t, "h1.nic0", "sw0"), 400.0);
  EXPECT_DOUBLE_EQ(Gbit(t, "h1.d0", "h1.nic0"), 504.12);
}

TEST(DgxLibrary, FatTreesSizedByHosts) {
  // 20-port leaves (A100 entries) and 32-port leaves (H100), 20 / 32 spines:
  //   rail-optimised L = 8 ceil(H / P); host-major L = ceil(H / floor(P / 8)).
  struct Case {
    const char* entry;
    std::uint32_t hosts, leaves, spines;
  };
  for (const Case c : {Case{"dgx_a100_rail_fat_tree", 16, 8, 20}, Case{"dgx_a100_rail_fat_tree", 64, 32, 20},
                       Case{"dgx_a100_rail_fat_tree", 128, 56, 20}, Case{"dgx_a100_fat_tree", 16, 8, 20},
                       Case{"dgx_a100_fat_tree", 64, 32, 20}, Case{"dgx_a100_fat_tree", 128, 64, 20},
                       Case{"dgx_h100_rail_fat_tree", 128, 32, 32}, Case{"dgx_h100_fat_tree", 128, 32, 32}}) {
    const RunPlan plan = Plan("hosts: " + std::to_string(c.hosts) + " topology { library: \"" + c.entry + "\" }");
    const Topology& t = *plan.cluster.topology;
    EXPECT_EQ(t.endpoint_count(), 8u * c.hosts) << c.entry << " " << c.hosts;
    EXPECT_EQ(t.switch_count(), c.leaves + c.spines) << c.entry << " " << c.hosts;
    // Cables: 8 H NICs + L S uplinks, two links each; + 4 x 8 H device links.
    EXPECT_EQ(t.link_count(), 2 * (8u * c.hosts + c.leaves * c.spines) + 32u * c.hosts) << c.entry << " " << c.hosts;
  }
  // Also sized by workers, as `sim collective --ranks` does: 512 / 8 = 64 hosts.
  EXPECT_EQ(Plan("workers: 512 topology { library: \"dgx_a100_rail_fat_tree\" }").cluster.hosts, 64u);
  // And it says so when it is given neither.
  const auto problems = Problems("topology { library: \"dgx_a100_rail_fat_tree\" }");
  EXPECT_TRUE(Mentions(problems, "cluster needs hosts or workers to size its leaf_spine")) << Joined(problems);
}

TEST(DgxLibrary, RailRoutesOnTheLibraryFatTree) {
  // GPU 3 of host 0 to GPU 3 of host 9 (both in the first 20-node group):
  // PCIe, NIC 3 -> rail3.leaf0 -> NIC 3, PCIe.
  const RunPlan plan = Plan("hosts: 32 topology { library: \"dgx_a100_rail_fat_tree\" }");
  const Topology& t = *plan.cluster.topology;
  const auto route = t.route(3, 9 * 8 + 3);
  ASSERT_EQ(route.size(), 4u);
  EXPECT_EQ(t.link(route[1]).name, "h0.nic3->rail3.leaf0");
  EXPECT_EQ(t.link(route[2]).name, "rail3.leaf0->h9.nic3");
  EXPECT_EQ(t.node(t.link(route[2]).to).kind, NodeKind::kNic);
}

}  // namespace
}  // namespace sim::scenario

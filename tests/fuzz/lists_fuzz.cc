// Fuzz target: the two line-oriented files a user writes by hand. The first
// byte chooses the reader, the rest is the file:
//   even: a flow list for `sim replay` (sim/replay/flow_list.h), for a
//         cluster of 1 + (first byte / 2) endpoints; bad input:
//         ScenarioError.
//   odd:  an edge list (topologies/builders.h), then the topology built
//         from it with every name starting with 'h' a host, so self loops,
//         duplicate edges and unreachable hosts reach the checks; bad input:
//         TopologyError.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "sim/replay/flow_list.h"
#include "sim/scenario/scenario_error.h"
#include "tests/fuzz/fuzz_input.h"
#include "topologies/builders.h"
#include "topologies/topology_error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text = sim::fuzz::AsText(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    try {
      (void)sim::replay::ParseFlows(text, "fuzz.csv", 1 + data[0] / 2);
    } catch (const sim::scenario::ScenarioError&) {
    }
    return 0;
  }
  try {
    const auto edges = sim::topo::ParseEdgeList(text, "fuzz.edges");
    std::set<std::string> hosts;
    for (const auto& e : edges) {
      for (const auto* name : {&e.a, &e.b}) {
        if (name->starts_with('h')) hosts.insert(*name);
      }
    }
    (void)sim::topo::MakeEdgeList({hosts.begin(), hosts.end()}, edges);
  } catch (const sim::topo::TopologyError&) {
  }
  return 0;
}

// The library of named cluster descriptions: topologies/library/<name>.pbtxt,
// each a text-format sim.scenario.Cluster. The files are compiled into the
// program (CMake writes them into a table), so `library: "fat_tree_1024"`
// works wherever the binary runs, with no path to find.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sim::topo {

// Text of the library entry `name`, or nothing when there is none.
[[nodiscard]] std::optional<std::string_view> LibraryClusterText(std::string_view name);
// Every entry's name, sorted.
[[nodiscard]] std::vector<std::string> LibraryClusterNames();

}  // namespace sim::topo

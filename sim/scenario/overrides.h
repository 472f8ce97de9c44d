// `--set path=value`: overrides one field of the scenario by its dotted path
// (`cluster.workers=8`, `workload.model.mlp.hidden=128,64`,
// `strategy.kind=ASYNC_PS`). Works by reflection over the schema, so every
// field of scenario.proto is reachable without code per field.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message.h>

namespace sim::scenario {

// Applies "path=value" to `message`. Throws ScenarioError naming the path and,
// for an unknown path, the nearest valid ones.
void ApplyOverride(google::protobuf::Message& message, std::string_view assignment);

// Every dotted path to a scalar, enum or repeated-scalar field under
// `descriptor`, in schema order.
std::vector<std::string> LeafPaths(const google::protobuf::Descriptor& descriptor);

// The `count` paths closest to `path` by edit distance, closest first.
std::vector<std::string> NearestPaths(const google::protobuf::Descriptor& descriptor, std::string_view path,
                                      std::size_t count = 3);

}  // namespace sim::scenario

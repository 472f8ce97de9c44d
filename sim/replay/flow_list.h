// The flows `sim replay` runs: a CSV file with the header
// `src,dst,bytes,start_s` and one flow per line: source and destination
// endpoint ids (ranks' endpoints, 0 .. endpoints-1), whole bytes, and the
// start in seconds from 0. Blank lines are skipped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/network/transport.h"

namespace sim::replay {

struct Flow {
  EndpointId src = 0;
  EndpointId dst = 0;
  Bytes size;
  Time start;  // start_s rounded to the picosecond, as sim::Seconds does
};

// The latest start accepted: far past any replay, far inside the 2^63 ps
// (106 days) that sim::Time holds.
inline constexpr double kMaxStartSeconds = 1e6;

// Parses `text`, read from `file` (named in errors), for a cluster of
// `endpoints` endpoints. Throws scenario::ScenarioError listing every bad
// field of every row as "file:line: field: what is wrong".
[[nodiscard]] std::vector<Flow> ParseFlows(const std::string& text, const std::string& file, std::size_t endpoints);

}  // namespace sim::replay

// Identifiers shared by the topology (which builds the network) and the
// transport (which moves data on it), so that neither includes the other.
#pragma once

#include <cstdint>

namespace sim {

// An endpoint of the network where a rank runs: a host, or one device of a
// multi-device host. Numbered 0..endpoints-1 in rank order.
using EndpointId = std::uint32_t;

}  // namespace sim

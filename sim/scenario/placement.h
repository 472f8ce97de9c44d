// Where each worker and parameter server runs: the one rule. Worker k runs on
// endpoint k; dedicated servers take the endpoints after the workers (server
// s on endpoint workers + s); colocated servers are spread over the workers:
// S <= p servers on the endpoints of workers floor(s p / S) (with 4 devices a
// host and one server a host, one on each host's first device), more servers
// than workers wrap around (worker s mod p). A real run (validate/mpi_train) uses the same numbers as MPI
// ranks.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/ids.h"
#include "sim/strategy/strategy_spec.h"

namespace sim::scenario {

struct Placement {
  std::vector<EndpointId> workers;  // worker k -> endpoint
  std::vector<EndpointId> servers;  // parameter server s -> endpoint; empty without servers
  // Endpoints the job occupies: the workers and the dedicated servers.
  std::uint32_t endpoints = 0;
};

// Endpoints that `workers` workers and the strategy's dedicated servers need,
// without placing them (a check on huge inputs costs no memory).
[[nodiscard]] std::uint64_t EndpointsNeeded(const StrategySpec& strategy, std::uint64_t workers) noexcept;

[[nodiscard]] Placement PlaceRanks(const StrategySpec& strategy, std::uint32_t workers);

}  // namespace sim::scenario

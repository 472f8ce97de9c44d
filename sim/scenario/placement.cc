#include "sim/scenario/placement.h"

namespace sim::scenario {

std::uint64_t EndpointsNeeded(const StrategySpec& strategy, std::uint64_t workers) noexcept {
  return workers + DedicatedServers(strategy);
}

Placement PlaceRanks(const StrategySpec& strategy, std::uint32_t workers) {
  Placement p;
  for (std::uint32_t w = 0; w < workers; ++w) p.workers.push_back(w);
  if (Entry(strategy.kind).uses_servers && workers > 0) {
    const bool dedicated = DedicatedServers(strategy) > 0;
    const std::uint64_t servers = strategy.servers;
    for (std::uint32_t s = 0; s < servers; ++s) {
      const auto spread = static_cast<EndpointId>(servers <= workers ? s * std::uint64_t{workers} / servers : s % workers);
      p.servers.push_back(dedicated ? workers + s : spread);
    }
  }
  p.endpoints = static_cast<std::uint32_t>(EndpointsNeeded(strategy, workers));
  return p;
}

}  // namespace sim::scenario

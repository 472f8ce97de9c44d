#include "sim/collectives/hierarchical.h"

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/collectives/ring.h"

namespace sim::collectives {

void HierarchicalAllReduce(Schedule& schedule, std::span<const Rank> members,
                           std::span<const std::uint32_t> host_of_member, ByteRange range, Bytes chunk, bool rails,
                           const InterHostAllReduce& inter_host, Frontier& frontier) {
  if (host_of_member.size() != members.size()) {
    throw std::invalid_argument("hierarchical all-reduce: " + std::to_string(host_of_member.size()) +
                                " host entries for " + std::to_string(members.size()) + " ranks");
  }
  std::vector<std::vector<Rank>> hosts;
  std::map<std::uint32_t, std::size_t> index_of_host;
  for (std::size_t i = 0; i < members.size(); ++i) {
    auto [it, added] = index_of_host.try_emplace(host_of_member[i], hosts.size());
    if (added) hosts.emplace_back();
    hosts[it->second].push_back(members[i]);
  }
  if (rails) {
    const std::size_t d = hosts.front().size();
    for (const auto& host : hosts) {
      if (host.size() != d) {
        throw std::invalid_argument("hierarchical all-reduce with rails: hosts have different device counts (" +
                                    std::to_string(d) + " and " + std::to_string(host.size()) +
                                    "); use the leader form");
      }
    }
    for (const auto& host : hosts) RingReduceScatter(schedule, host, range, chunk, frontier);
    std::vector<Rank> rail(hosts.size());
    for (std::size_t j = 0; j < d; ++j) {
      for (std::size_t h = 0; h < hosts.size(); ++h) rail[h] = hosts[h][j];
      if (rail.size() > 1) inter_host(schedule, rail, Partition(range, static_cast<std::int64_t>(d), j), frontier);
    }
    for (const auto& host : hosts) RingAllGather(schedule, host, range, chunk, frontier);
  } else {
    for (const auto& host : hosts) ChainReduce(schedule, host, range, chunk, frontier);
    std::vector<Rank> leaders;
    for (const auto& host : hosts) leaders.push_back(host.front());
    if (leaders.size() > 1) inter_host(schedule, leaders, range, frontier);
    for (const auto& host : hosts) ChainBroadcast(schedule, host, range, chunk, frontier);
  }
}

}  // namespace sim::collectives

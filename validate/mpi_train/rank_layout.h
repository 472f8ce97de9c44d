// Who is who in a real run: the MPI rank of each worker and dedicated
// parameter server is the endpoint the run plan places it on
// (sim/scenario/placement.h): worker k is rank k, with shard k and sampler k
// as in the simulation, and server s is rank placement.servers[s]. Shards
// and ring pieces are sim's ElementPiece (sim/training/summation_order.h).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/scenario/placement.h"
#include "sim/training/summation_order.h"

namespace sim::validate {

struct RankLayout {
  int rank = 0;
  int ranks = 1;
  std::uint32_t workers = 1;
  std::uint32_t servers = 0;  // dedicated parameter servers
  std::vector<EndpointId> server_ranks;  // placement.servers

  RankLayout(int rank, int ranks, const scenario::Placement& placement)
      : rank(rank),
        ranks(ranks),
        workers(static_cast<std::uint32_t>(placement.workers.size())),
        servers(static_cast<std::uint32_t>(placement.endpoints - placement.workers.size())),
        server_ranks(placement.servers) {}

  [[nodiscard]] bool is_worker() const noexcept { return static_cast<std::uint32_t>(rank) < workers; }
  [[nodiscard]] std::uint32_t worker() const noexcept { return static_cast<std::uint32_t>(rank); }
  // This rank's server index (a dedicated server's rank).
  [[nodiscard]] std::uint32_t server() const noexcept {
    for (std::uint32_t s = 0; s < server_ranks.size(); ++s) {
      if (server_ranks[s] == static_cast<EndpointId>(rank)) return s;
    }
    return 0;
  }
  [[nodiscard]] int server_rank(std::uint32_t s) const noexcept { return static_cast<int>(server_ranks[s]); }
};

}  // namespace sim::validate

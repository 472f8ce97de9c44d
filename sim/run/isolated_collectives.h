// Collectives timed alone on an idle network of the run's cluster: the
// timer of the shortcut for collectives on links of their own
// (taskgraph/task_graph_run.h). Each (schedule, group) is simulated once and
// cached, with what it put on each link, so that the run's link statistics
// can add the traffic the shortcut kept off the run's network.
#pragma once

#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "sim/network/network_calibration.h"
#include "sim/taskgraph/task_graph_run.h"
#include "topologies/topology.h"

namespace sim {

class IsolatedCollectives final : public taskgraph::CollectiveTimer {
 public:
  IsolatedCollectives(const topo::Topology& topology, const net::NetworkCalibration& calibration);

  Time isolated(const std::shared_ptr<const collectives::Schedule>& schedule, const taskgraph::Collective& c,
                std::span<const EndpointId> endpoints) override;

  // Per link, what the collectives timed so far put on it: bytes, and time
  // with at least one of their flows draining through it.
  struct LinkTally {
    std::int64_t bytes = 0;
    Time busy = Time::zero();
  };
  [[nodiscard]] const std::vector<LinkTally>& tally() const noexcept { return tally_; }

 private:
  struct Alone {
    Time time;
    std::vector<std::pair<topo::LinkId, LinkTally>> links;
  };
  const topo::Topology& topology_;
  net::NetworkCalibration calibration_;
  std::map<std::pair<const collectives::Schedule*, std::uint32_t>, Alone> cache_;
  std::vector<LinkTally> tally_;
};

}  // namespace sim

#include "sim/run/isolated_collectives.h"

#include "sim/collectives/collective_run.h"
#include "sim/engine/engine.h"
#include "sim/network/flow_network.h"

namespace sim {

IsolatedCollectives::IsolatedCollectives(const topo::Topology& topology, const net::NetworkCalibration& calibration)
    : topology_(topology), calibration_(calibration), tally_(topology.link_count()) {}

Time IsolatedCollectives::isolated(const std::shared_ptr<const collectives::Schedule>& schedule,
                                   const taskgraph::Collective& c, std::span<const EndpointId> endpoints) {
  auto [it, added] = cache_.try_emplace({schedule.get(), c.group});
  Alone& alone = it->second;
  if (added) {
    Engine engine;
    net::FlowNetwork network(engine, topology_, calibration_);
    collectives::CollectiveRun run(engine, network, schedule, {endpoints.begin(), endpoints.end()},
                                   collectives::RunOptions{.reduction_rate = c.reduction_rate});
    run.start();
    engine.run();
    alone.time = run.finish_time();
    for (topo::LinkId l = 0; l < topology_.link_count(); ++l) {
      const double bytes = network.link_finished_bytes(l);
      if (bytes > 0.0) alone.links.push_back({l, LinkTally{static_cast<std::int64_t>(bytes), network.link_busy(l)}});
    }
  }
  for (const auto& [link, t] : alone.links) {
    tally_[link].bytes += t.bytes;
    tally_[link].busy += t.busy;
  }
  return alone.time;
}

}  // namespace sim

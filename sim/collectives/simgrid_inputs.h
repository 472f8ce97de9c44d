// A schedule on a topology as the inputs of tests/network/simgrid_collective.cc,
// the program that runs it in SimGrid (an independent simulator) to check
// CollectiveRun on FlowNetwork against and to time (sim/BENCHMARKS.md).
//
// It stands for CollectiveRun with its defaults on FlowNetwork with the
// default calibration (full duplex, no per-message overhead, full
// bandwidth, even sharing): every rank enters at time 0 and reductions are
// free, so a transfer's delivery is its completion and every dependency,
// delivery-only or not, waits for the same instant.
#pragma once

#include <ostream>
#include <span>

#include "sim/collectives/schedule.h"
#include "sim/core/ids.h"
#include "topologies/topology.h"

namespace sim::collectives {

// The platform: a host "e<e>" per endpoint, a link "l<l>" per directed link
// with its bandwidth and no latency (the transfers wait their route latency
// instead, see simgrid_collective.cc), and, for each (src, dst) pair the
// schedule uses, the route of our routing, link by link.
void WriteSimGridPlatform(const topo::Topology& topology, const Schedule& schedule,
                          std::span<const EndpointId> endpoint_of_rank, std::ostream& xml);

// One line per transfer, in schedule order: "src dst bytes latency_s n d1 ...
// dn" (endpoints, bytes, the route latency in seconds, then the targets of
// its n dependencies). Throws std::invalid_argument for a schedule with
// exchanges (their halves take effect together, which the program does not
// model) or if endpoint_of_rank does not give every rank an endpoint.
void WriteSimGridTransfers(const topo::Topology& topology, const Schedule& schedule,
                           std::span<const EndpointId> endpoint_of_rank, std::ostream& out);

}  // namespace sim::collectives

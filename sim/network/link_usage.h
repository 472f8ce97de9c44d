// What a link did during a run: the data behind the `--links` table of the
// busiest links, and the per-link statistics of a run's result.
#pragma once

#include <string>

#include "sim/core/units.h"
#include "topologies/topology.h"

namespace sim::net {

struct LinkUsage {
  topo::LinkId link = topo::kNoLink;
  std::string name;  // "edge0.1->agg0.0"
  // Bytes that crossed the link, counting the drained part of flows still
  // in progress.
  Bytes bytes;
  // Time during which at least one flow was draining through the link.
  double busy_s = 0.0;
  // bytes / (usable capacity x elapsed time): the link's mean load over the
  // run, in [0, 1]. Usable capacity = nominal x bandwidth_efficiency; with
  // HALF_DUPLEX both directions count against the cable's one capacity.
  double utilisation = 0.0;
};

}  // namespace sim::net

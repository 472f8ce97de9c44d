// The flow-level network (DESIGN.md, decision 4): sim::Transport on an Engine
// and a Topology. A message is one flow along its route; concurrent flows
// share every link max-min fairly (MaxMinSolver), recomputed when a flow
// starts or ends.
//
// A message of B bytes sent at t0 is delivered at
//   t0 + per_message_overhead + sum of route link latencies + drain time,
// where drain time is what B bytes take at the flow's max-min rate, which
// changes whenever another flow sharing its component starts or ends. The
// flow occupies bandwidth only after overhead + latency, as in SimGrid's CM02
// model (a communication's latency phase shares nothing; then it is a
// max-min variable). That is the oracle of shared/reference/README.md: on a
// star of 1.25 GB/s, 5 us host links, one 100 MB flow ends at
// 10 us + 0.08 s = 0.08001 s.
//
// Calibration (scenario.proto NetworkCalibration): every link's capacity is
// bandwidth x bandwidth_efficiency; FULL_DUPLEX makes the two directions of a
// cable independent; HALF_DUPLEX makes them share one capacity, the smaller
// direction's (SimGrid's SHARED policy; measured on Open MPI's blocking
// exchange, shared/notes/emulated-cluster.md). A one-way link keeps its own.
//
// Hot path (DESIGN.md, "Max-min sharing is the hot path"): starts and ends at
// one instant are batched into one solve (a solve event scheduled at the
// current time, after every event already queued for it); the solver
// recomputes only the flows the changes can reach (MaxMinSolver: level cut,
// saturated-link closure, bottleneck check); a flow keeps (remaining bytes,
// time of last update), and its completion event is cancelled and
// rescheduled only when its rate changed. Each completion time is rounded
// once, when scheduled; a flow ends when its completion event fires, so
// round-off in the remaining bytes can never keep it alive.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/network/link_usage.h"
#include "sim/network/max_min_solver.h"
#include "sim/network/transport.h"
#include "sim/scenario/scenario.pb.h"
#include "topologies/topology.h"

namespace sim::net {

class FlowNetwork final : public Transport {
 public:
  // The network's pending events point to it: keep it alive while the engine
  // runs. Throws std::invalid_argument on a calibration outside its range
  // (bandwidth_efficiency in (0, 1], 0 meaning the default 1;
  // per_message_overhead_us >= 0).
  FlowNetwork(Engine& engine, const topo::Topology& topology, const scenario::NetworkCalibration& calibration = {});
  FlowNetwork(const FlowNetwork&) = delete;
  FlowNetwork& operator=(const FlowNetwork&) = delete;

  void send(EndpointId src, EndpointId dst, Bytes size, Delivered on_delivered) override;

  // Messages sent and not yet delivered (in their latency phase or draining).
  [[nodiscard]] std::size_t messages_in_flight() const noexcept { return slots_.size() - free_slots_.size(); }
  // Rate recomputations (solves) so far: at most one per instant with starts or ends.
  [[nodiscard]] std::uint64_t rate_recomputations() const noexcept { return solves_; }
  // Flow rates recomputed, summed over all solves (the solver's work).
  [[nodiscard]] std::uint64_t flows_recomputed() const noexcept { return solver_.variables_solved(); }
  // Completion events rescheduled because a rate changed.
  [[nodiscard]] std::uint64_t reschedules() const noexcept { return reschedules_; }
  // Current max-min rate of the flows crossing `link`, bytes/s, summed (for tests).
  [[nodiscard]] BytesPerSecond link_throughput(topo::LinkId link) const;

  [[nodiscard]] LinkUsage link_usage(topo::LinkId link) const;
  // The `n` links with the highest utilisation (ties: more bytes, then lower
  // link id), for the `--links` table; links that carried nothing are left out.
  [[nodiscard]] std::vector<LinkUsage> busiest_links(std::size_t n) const;

 private:
  struct Flow {
    std::vector<topo::LinkId> route;
    Bytes size;
    double remaining_bytes = 0.0;
    double rate = 0.0;  // bytes/s; 0 until the first solve after it starts draining
    Time last_update;
    EventId completion;
    VariableId variable = 0;
    bool draining = false;
    Delivered on_delivered;
  };
  struct LinkCounters {
    double bytes = 0.0;  // of finished flows
    Time busy;
    Time busy_since;
    std::uint32_t draining = 0;
  };

  std::uint32_t allocate_slot();
  void start_draining(std::uint32_t slot);
  void finish(std::uint32_t slot);
  void request_solve();
  void solve();
  [[nodiscard]] double drained_bytes(const Flow& f) const;

  Engine& engine_;
  const topo::Topology& topology_;
  Time per_message_overhead_;
  MaxMinSolver solver_;
  std::vector<ResourceId> resource_of_link_;
  std::vector<LinkCounters> links_;
  std::vector<Flow> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint32_t> slot_of_variable_;
  std::vector<ResourceId> scratch_resources_;
  bool solve_pending_ = false;
  std::uint64_t solves_ = 0;
  std::uint64_t reschedules_ = 0;
};

}  // namespace sim::net

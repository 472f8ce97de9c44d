// The flow-level network (sim/DESIGN.md, decision 4): sim::Transport on an Engine
// and a Topology. A message is one flow along its route; concurrent flows
// share every link max-min fairly (MaxMinSolver; or weighted, see "Uneven
// sharing" below), recomputed when a flow starts or ends.
//
// A message of B bytes sent at t0 is delivered at
//   t0 + per_message_overhead + sum of route link latencies + drain time,
// where drain time is what B bytes take at the flow's max-min rate, which
// changes whenever another flow sharing its component starts or ends. The
// flow occupies bandwidth only after overhead + latency, as in SimGrid's CM02
// model (a communication's latency phase shares nothing; then it is a
// max-min variable). That is the oracle of sim/DESIGN.md ("Measured facts"): on a
// star of 1.25 GB/s, 5 us host links, one 100 MB flow ends at
// 10 us + 0.08 s = 0.08001 s.
//
// Calibration (network_calibration.h): every link's capacity is
// bandwidth x bandwidth_efficiency; FULL_DUPLEX makes the two directions of a
// cable independent; HALF_DUPLEX makes them share one capacity, the smaller
// direction's (SimGrid's SHARED policy; measured on Open MPI's blocking
// exchange, sim/DESIGN.md ("Measured facts")). A one-way link keeps its own.
// Between the two, two_way_capacity = k in [1, 2) couples the directions of
// a FULL_DUPLEX cable: while both carry data, each has k/2 x its rate (the
// two together k x), and alone a direction has its full rate. TCP needs
// this on a FIFO queue: each direction's acknowledgements wait behind the
// other's data (two-way traffic; Zhang, Shenker & Clark, SIGCOMM 1991). On
// the emulated cluster at 100 Mbit/s, pushes from h of a server's workers
// and pulls to h others at once took 1.02-1.04x (h = 1) to 1.33-1.41x
// (h = 4) as many pulls alone: k = 1.96 to 1.42 (validate/README.md). The cut belongs to the direction, not to its flows:
// a push and a pull in flight at once get the same rate whatever their
// share weights (below), as TCP's acknowledgement delay is the queue's,
// whichever connection it carries. A change of a direction's state
// re-solves the other direction's flows (couple_directions).
// Uneven sharing (flow_share_sigma = sigma > 0): TCP does not split a
// contended link evenly; on the emulated cluster a server's fan-out of one
// message to p workers has its first receiver done at ~0.8 (p = 2) to ~0.65
// (p = 4, 8) of the last one's time, the order changing from run to run.
// Each message then shares by weighted max-min (MaxMinSolver) with weight
// exp(sigma Z), Z standard normal, drawn once when it is sent from the named
// stream "network/flow_share" of the run's seed (or of flow_share_seed, when
// set): one draw per send(), in send order, so a seed gives the same times.
// A contended link stays saturated, so the last of a fan-out ends when it
// would under fair sharing. sigma = 0 draws nothing and gives every flow
// weight 1: plain max-min, as before.
//
// Hot path (sim/DESIGN.md, "Max-min sharing is the hot path"): starts and ends at
// one instant are batched into one solve (a solve event scheduled at the
// current time, after every event already queued for it), and the end of a
// flow that shared none of its links needs no solve at all; the solver
// recomputes only the flows the changes can reach (MaxMinSolver: level cut,
// saturated-link closure, bottleneck check); a flow keeps (remaining bytes,
// time of last update), and its completion event is cancelled and
// rescheduled only when its rate changed. Each completion time is rounded
// once, when scheduled; a flow ends when its completion event fires, so
// round-off in the remaining bytes can never keep it alive.
//
// Routes are cached per (src, dst) endpoint pair: every routing policy picks
// a route from the pair alone (topology.h), so walking the fabric once per
// pair gives the same links as walking it per message; a collective sends
// many messages over few pairs (a ring all-reduce: 2(p-1) per pair). The
// cache holds each route's links, their solver resources and its latency in
// shared pools that flows index. It keeps at most kMaxCachedRouteLinks links
// (about 20 MB with its index): past that, as for an all-to-all on thousands
// of endpoints, a message's route is walked for it alone, as before.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "sim/core/random.h"
#include "sim/engine/engine.h"
#include "sim/network/link_usage.h"
#include "sim/network/max_min_solver.h"
#include "sim/network/transport.h"
#include "sim/network/network_calibration.h"
#include "topologies/topology.h"

namespace sim::net {

class FlowNetwork final : public Transport {
 public:
  // The network's pending events point to it: keep it alive while the engine
  // runs. `seed` is the run's (scenario) seed, read only when
  // flow_share_sigma > 0. Throws std::invalid_argument on a calibration
  // outside its range (CalibrationProblems).
  FlowNetwork(Engine& engine, const topo::Topology& topology, const NetworkCalibration& calibration = {},
              std::uint64_t seed = 0);
  FlowNetwork(const FlowNetwork&) = delete;
  FlowNetwork& operator=(const FlowNetwork&) = delete;

  // Sends with the weight drawn for this message (1 when sigma = 0).
  void send(EndpointId src, EndpointId dst, Bytes size, Delivered on_delivered) override;
  // Sends with an explicit sharing weight > 0 (finite), drawing nothing: the
  // message's rate is weight x the level of weighted max-min sharing. For
  // tests against other weighted models (SimGrid's CM02 shares with weight
  // 1 / route latency). Throws std::invalid_argument on a bad weight.
  void send_weighted(EndpointId src, EndpointId dst, Bytes size, double weight, Delivered on_delivered);

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
  // Time during which at least one flow was draining through the link, up
  // to now, exactly (link_usage's busy_s in seconds).
  [[nodiscard]] Time link_busy(topo::LinkId link) const;
  // Bytes of the flows through the link that have finished.
  [[nodiscard]] double link_finished_bytes(topo::LinkId link) const { return links_.at(link).bytes; }
  // Usable capacity of the link, B/s (utilisation = bytes / (this x elapsed)).
  [[nodiscard]] double usable_capacity(topo::LinkId link) const { return capacity_of_link_.at(link); }
  // The `n` links with the highest utilisation (ties: more bytes, then lower
  // link id), for the `--links` table; links that carried nothing are left out.
  [[nodiscard]] std::vector<LinkUsage> busiest_links(std::size_t n) const;

 private:
  // A route's links, [begin, begin + length) of route_links_, and their
  // solver resources, the same range of route_resources_.
  struct Route {
    std::uint32_t begin = 0;
    std::uint32_t length = 0;
    Time latency;  // per-message overhead + the links' latencies
  };
  struct Flow {
    Delivered on_delivered;
    Bytes size;
    double remaining_bytes = 0.0;
    double rate = 0.0;  // bytes/s; 0 until the first solve after it starts draining
    double weight = 1.0;  // its share weight in the solver
    Time last_update;
    EventId completion;
    std::uint32_t route = 0;  // index into routes_, or kUncachedRoute: own_route
    VariableId variable = 0;
    bool draining = false;
    // Only for a route the cache had no room for.
    std::vector<topo::LinkId> own_route;
    std::vector<ResourceId> own_resources;
  };
  static constexpr std::uint32_t kUncachedRoute = 0xffffffffu;
  static constexpr std::size_t kMaxCachedRouteLinks = std::size_t{1} << 20;
  // SplitMix64's finaliser: (src << 32 | dst) keys differ in few bits.
  struct PairHash {
    std::size_t operator()(std::uint64_t z) const noexcept {
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      return static_cast<std::size_t>(z ^ (z >> 31));
    }
  };
  struct LinkCounters {
    double bytes = 0.0;  // of finished flows
    Time busy;
    Time busy_since;
    std::uint32_t draining = 0;
  };

  // send() and send_weighted() after their checks of the weight.
  void start_message(EndpointId src, EndpointId dst, Bytes size, double weight, Delivered&& on_delivered);
  // exp(sigma Z) from the flow_share stream.
  double draw_share_weight();
  std::uint32_t allocate_slot();
  // Index of the cached route src -> dst (computed on first use), or
  // kUncachedRoute when the cache is full.
  std::uint32_t route_index(EndpointId src, EndpointId dst);
  std::uint32_t find_or_add_route(EndpointId src, EndpointId dst);
  [[nodiscard]] std::span<const topo::LinkId> links_of(const Flow& f) const noexcept;
  [[nodiscard]] std::span<const ResourceId> resources_of(const Flow& f) const noexcept;
  // Appends to `out` the solver resource of each of `links`; returns the
  // links' summed latency.
  Time append_resources(std::span<const topo::LinkId> links, std::vector<ResourceId>& out) const;
  void start_draining(std::uint32_t slot);
  void finish(std::uint32_t slot);
  // After `link` became busy or idle (two_way_share_ < 1): sets its and its
  // reverse's capacity for whether both now carry data.
  void couple_directions(topo::LinkId link);
  void request_solve();
  void solve();
  [[nodiscard]] double drained_bytes(const Flow& f) const;

  Engine& engine_;
  const topo::Topology& topology_;
  Time per_message_overhead_;
  double flow_share_sigma_ = 0.0;
  RandomStream flow_share_;  // weights of the messages, when sigma > 0
  MaxMinSolver solver_;
  std::vector<ResourceId> resource_of_link_;
  // Per link, its resource's capacity with the other direction idle, B/s.
  std::vector<double> capacity_of_link_;
  // k/2 of two_way_capacity: a FULL_DUPLEX direction's fraction of its rate
  // while the other also carries data; 1 for independent directions.
  double two_way_share_ = 1.0;
  std::vector<std::uint32_t> moved_slots_;  // scratch of couple_directions
  std::vector<LinkCounters> links_;
  std::vector<Flow> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint32_t> slot_of_variable_;
  std::unordered_map<std::uint64_t, std::uint32_t, PairHash> route_of_pair_;
  // Per source endpoint, the last pair it used: a rank of a ring or a chain
  // sends to one peer, so most lookups end here without hashing.
  struct LastRoute {
    EndpointId dst = 0;
    std::uint32_t route = kUncachedRoute;  // none yet
  };
  std::vector<LastRoute> last_route_of_src_;
  std::vector<Route> routes_;
  std::vector<topo::LinkId> route_links_;
  std::vector<ResourceId> route_resources_;
  bool solve_pending_ = false;
  std::uint64_t solves_ = 0;
  std::uint64_t reschedules_ = 0;
};

}  // namespace sim::net

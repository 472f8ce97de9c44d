#include "sim/network/flow_network.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>
#include <string>

namespace sim::net {
namespace {

// Time holds 2^63 ps, about 106 days; a drain must fit with room to spare.
constexpr double kLongestDrainSeconds = 1e6;


// Checked before anything is built, so that a bad calibration is an error
// here too and not a run with nonsense rates.
const NetworkCalibration& Checked(const NetworkCalibration& calibration) {
  const std::vector<std::string> problems = CalibrationProblems(calibration);
  if (!problems.empty()) {
    std::string message;
    for (const auto& p : problems) message += (message.empty() ? "" : "; ") + p;
    throw std::invalid_argument(message);
  }
  return calibration;
}

}  // namespace

FlowNetwork::FlowNetwork(Engine& engine, const topo::Topology& topology, const NetworkCalibration& calibration,
                         std::uint64_t seed)
    : engine_(engine),
      topology_(topology),
      per_message_overhead_(Checked(calibration).per_message_overhead),
      flow_share_sigma_(calibration.flow_share_sigma),
      flow_share_(NamedStream(calibration.flow_share_seed.value_or(seed), "network/flow_share")) {
  const double efficiency = calibration.bandwidth_efficiency;
  const bool half_duplex = calibration.duplex == Duplex::kHalf;
  const std::size_t n = topology.link_count();
  resource_of_link_.assign(n, 0);
  links_.resize(n);
  for (topo::LinkId l = 0; l < n; ++l) {
    const topo::Link& link = topology.link(l);
    const topo::LinkId reverse = link.reverse;
    if (half_duplex && reverse != topo::kNoLink && reverse < l) {
      // The cable's capacity was created with its first direction.
      resource_of_link_[l] = resource_of_link_[reverse];
      continue;
    }
    double capacity = link.params.bandwidth.value;
    if (half_duplex && reverse != topo::kNoLink) {
      capacity = std::min(capacity, topology.link(reverse).params.bandwidth.value);
    }
    resource_of_link_[l] = solver_.add_resource(BytesPerSecond{capacity * efficiency});
  }
  capacity_of_link_.resize(n);
  for (topo::LinkId l = 0; l < n; ++l) capacity_of_link_[l] = solver_.capacity(resource_of_link_[l]).value;
  if (!half_duplex) two_way_share_ = calibration.two_way_capacity / 2.0;
  last_route_of_src_.resize(topology.endpoint_count());
}

std::uint32_t FlowNetwork::allocate_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

std::uint32_t FlowNetwork::route_index(EndpointId src, EndpointId dst) {
  if (src < last_route_of_src_.size()) {
    const LastRoute& last = last_route_of_src_[src];
    if (last.route != kUncachedRoute && last.dst == dst) return last.route;
  }
  const std::uint32_t route = find_or_add_route(src, dst);
  if (route != kUncachedRoute && src < last_route_of_src_.size()) last_route_of_src_[src] = {dst, route};
  return route;
}

std::uint32_t FlowNetwork::find_or_add_route(EndpointId src, EndpointId dst) {
  const std::uint64_t pair = std::uint64_t{src} << 32 | dst;
  if (auto it = route_of_pair_.find(pair); it != route_of_pair_.end()) return it->second;
  const std::size_t begin = route_links_.size();
  try {
    topology_.append_route(src, dst, route_links_);
  } catch (...) {
    // An endpoint out of range or no route: leave the pool as it was.
    route_links_.resize(begin);
    throw;
  }
  const std::size_t length = route_links_.size() - begin;
  if (route_links_.size() > kMaxCachedRouteLinks) {
    // No room: the caller walks it again for its flow alone.
    route_links_.resize(begin);
    return kUncachedRoute;
  }
  Route route{static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(length), per_message_overhead_};
  route.latency += append_resources({route_links_.data() + begin, length}, route_resources_);
  const auto index = static_cast<std::uint32_t>(routes_.size());
  routes_.push_back(route);
  route_of_pair_.emplace(pair, index);
  return index;
}

Time FlowNetwork::append_resources(std::span<const topo::LinkId> links, std::vector<ResourceId>& out) const {
  Time latency;
  for (topo::LinkId l : links) {
    latency += topology_.link(l).params.latency;
    out.push_back(resource_of_link_[l]);
  }
  return latency;
}

std::span<const topo::LinkId> FlowNetwork::links_of(const Flow& f) const noexcept {
  if (f.route == kUncachedRoute) return f.own_route;
  const Route& r = routes_[f.route];
  return {route_links_.data() + r.begin, r.length};
}

std::span<const ResourceId> FlowNetwork::resources_of(const Flow& f) const noexcept {
  if (f.route == kUncachedRoute) return f.own_resources;
  const Route& r = routes_[f.route];
  return {route_resources_.data() + r.begin, r.length};
}

// send() and send_weighted() share this body, inlined into each: send() is
// on every collective's hot path, where one more call per message showed in
// the instruction count (callgrind, bench_collective BM_RingAllReduce/256).
[[gnu::always_inline]] inline void FlowNetwork::start_message(EndpointId src, EndpointId dst, Bytes size,
                                                              double weight, Delivered&& on_delivered) {
  if (size.count < 0) throw std::invalid_argument("message size must be >= 0 bytes, got " + std::to_string(size.count));
  if (src == dst) {
    engine_.schedule_in(Time::zero(), std::move(on_delivered));
    return;
  }
  const std::uint32_t route = route_index(src, dst);
  const std::uint32_t slot = allocate_slot();
  Flow& f = slots_[slot];
  f.route = route;
  f.size = size;
  f.weight = weight;
  f.on_delivered = std::move(on_delivered);
  Time latency = per_message_overhead_;
  if (route == kUncachedRoute) {
    f.own_route.clear();
    topology_.append_route(src, dst, f.own_route);
    f.own_resources.clear();
    latency += append_resources(f.own_route, f.own_resources);
  } else {
    latency = routes_[route].latency;
  }
  if (size.count == 0) {
    // Nothing to drain: delivered after overhead and latency alone.
    engine_.schedule_in(latency, [this, slot] { finish(slot); });
  } else {
    engine_.schedule_in(latency, [this, slot] { start_draining(slot); });
  }
}

void FlowNetwork::send(EndpointId src, EndpointId dst, Bytes size, Delivered on_delivered) {
  // Drawn first, for every message (even one to itself or of 0 bytes): the
  // n-th send always takes the n-th draw.
  start_message(src, dst, size, flow_share_sigma_ > 0.0 ? draw_share_weight() : 1.0, std::move(on_delivered));
}

double FlowNetwork::draw_share_weight() {
  const double weight = std::exp(flow_share_sigma_ * flow_share_.normal());
  if (!(weight > 0.0) || !std::isfinite(weight)) {
    throw std::range_error("network.flow_share_sigma " + std::to_string(flow_share_sigma_) +
                           " drew a share weight beyond double's range");
  }
  return weight;
}

void FlowNetwork::send_weighted(EndpointId src, EndpointId dst, Bytes size, double weight, Delivered on_delivered) {
  if (!(weight > 0.0) || !std::isfinite(weight)) {
    throw std::invalid_argument("message share weight must be > 0 and finite, got " + std::to_string(weight));
  }
  start_message(src, dst, size, weight, std::move(on_delivered));
}

void FlowNetwork::start_draining(std::uint32_t slot) {
  Flow& f = slots_[slot];
  f.draining = true;
  f.remaining_bytes = static_cast<double>(f.size.count);
  f.rate = 0.0;
  f.last_update = engine_.now();
  for (topo::LinkId l : links_of(f)) {
    LinkCounters& c = links_[l];
    if (c.draining++ == 0) {
      c.busy_since = engine_.now();
      if (two_way_share_ < 1.0) couple_directions(l);
    }
  }
  // Added after: a link that just became busy had no users when its
  // capacity was set.
  f.variable = solver_.add_variable(resources_of(f), f.weight);
  if (slot_of_variable_.size() <= f.variable) slot_of_variable_.resize(f.variable + 1);
  slot_of_variable_[f.variable] = slot;
  request_solve();
}

void FlowNetwork::finish(std::uint32_t slot) {
  Flow& f = slots_[slot];
  if (f.draining) {
    // Removed first: a link it leaves idle has no users when its capacity
    // is set.
    solver_.remove_variable(f.variable);
    f.draining = false;
    for (topo::LinkId l : links_of(f)) {
      LinkCounters& c = links_[l];
      c.bytes += static_cast<double>(f.size.count);
      if (--c.draining == 0) {
        c.busy += engine_.now() - c.busy_since;
        if (two_way_share_ < 1.0) couple_directions(l);
      }
    }
    // A flow that shared none of its links leaves every other rate as it
    // was, and no solve is needed: a ring's transfers on a non-blocking
    // fabric, a sixth of a 1,024-rank all-reduce's events.
    if (solve_pending_ || !solver_.settle_idle_removals()) request_solve();
  }
  f.completion = EventId{};
  Delivered delivered = std::move(f.on_delivered);
  f.on_delivered = nullptr;
  free_slots_.push_back(slot);
  // Last: the callback may send, which may grow slots_ and invalidate `f`.
  delivered();
}

// Called when `link` has just become busy or idle, while it has no solver
// users: both directions of its cable get the capacity for their new state,
// two_way_share x their rate when both carry data, else their full rate.
// The other direction's flows are removed from the solver and added back
// around its change (MaxMinSolver::set_capacity); they keep their old rate
// until the next solve, which reports them as new, brings their remaining
// bytes up to now at that rate and gives them their new one. Finding
// them scans the messages in flight, once per change of state: an opt-in
// model's cost, for the few flows of a parameter server's cables.
void FlowNetwork::couple_directions(topo::LinkId link) {
  const topo::LinkId reverse = topology_.link(link).reverse;
  if (reverse == topo::kNoLink) return;
  const bool both_busy = links_[link].draining > 0 && links_[reverse].draining > 0;
  const double share = both_busy ? two_way_share_ : 1.0;
  solver_.set_capacity(resource_of_link_[link], BytesPerSecond{share * capacity_of_link_[link]});
  const ResourceId other = resource_of_link_[reverse];
  const double other_capacity = share * capacity_of_link_[reverse];
  if (solver_.capacity(other).value == other_capacity) return;
  moved_slots_.clear();
  for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
    Flow& f = slots_[slot];
    if (!f.draining || std::ranges::find(links_of(f), reverse) == links_of(f).end()) continue;
    solver_.remove_variable(f.variable);
    moved_slots_.push_back(slot);
  }
  solver_.set_capacity(other, BytesPerSecond{other_capacity});
  for (std::uint32_t slot : moved_slots_) {
    Flow& f = slots_[slot];
    f.variable = solver_.add_variable(resources_of(f), f.weight);
    if (slot_of_variable_.size() <= f.variable) slot_of_variable_.resize(f.variable + 1);
    slot_of_variable_[f.variable] = slot;
  }
}

void FlowNetwork::request_solve() {
  if (solve_pending_) return;
  solve_pending_ = true;
  // At the current instant, after every event already queued for it: all
  // starts and ends of this instant are then solved together.
  engine_.schedule_in(Time::zero(), [this] { solve(); });
}

void FlowNetwork::solve() {
  solve_pending_ = false;
  ++solves_;
  const Time now = engine_.now();
  for (VariableId v : solver_.solve()) {
    const std::uint32_t slot = slot_of_variable_[v];
    Flow& f = slots_[slot];
    if (f.rate > 0.0) {
      f.remaining_bytes = std::max(0.0, f.remaining_bytes - f.rate * (now - f.last_update).seconds());
    }
    f.last_update = now;
    f.rate = solver_.rate(v).value;
    assert(f.rate > 0.0);
    const double drain_s = f.remaining_bytes / f.rate;
    if (drain_s > kLongestDrainSeconds) {
      throw std::range_error("a message of " + std::to_string(f.size.count) + " bytes would drain for " +
                             std::to_string(drain_s) + " s at " + std::to_string(f.rate) +
                             " B/s, beyond the simulated clock's range");
    }
    if (f.completion.valid()) {
      engine_.cancel(f.completion);
      ++reschedules_;
    }
    f.completion = engine_.schedule_at(now + Seconds(drain_s), [this, slot] { finish(slot); });
  }
}

double FlowNetwork::drained_bytes(const Flow& f) const {
  if (!f.draining) return 0.0;
  const double remaining = f.remaining_bytes - f.rate * (engine_.now() - f.last_update).seconds();
  return static_cast<double>(f.size.count) - std::max(0.0, remaining);
}

BytesPerSecond FlowNetwork::link_throughput(topo::LinkId link) const {
  double total = 0.0;
  for (const Flow& f : slots_) {
    if (f.draining && std::ranges::find(links_of(f), link) != links_of(f).end()) total += f.rate;
  }
  return BytesPerSecond{total};
}

LinkUsage FlowNetwork::link_usage(topo::LinkId link) const {
  const LinkCounters& c = links_.at(link);
  LinkUsage u;
  u.link = link;
  u.name = topology_.link(link).name;
  double bytes = c.bytes;
  if (c.draining > 0) {
    for (const Flow& f : slots_) {
      if (f.draining && std::ranges::find(links_of(f), link) != links_of(f).end()) bytes += drained_bytes(f);
    }
  }
  u.bytes = Bytes{std::llround(bytes)};
  u.busy_s = link_busy(link).seconds();
  const double elapsed = engine_.now().seconds();
  const double capacity = capacity_of_link_[link];
  u.utilisation = elapsed > 0.0 ? bytes / (capacity * elapsed) : 0.0;
  return u;
}

Time FlowNetwork::link_busy(topo::LinkId link) const {
  const LinkCounters& c = links_.at(link);
  return c.draining > 0 ? c.busy + (engine_.now() - c.busy_since) : c.busy;
}

std::vector<LinkUsage> FlowNetwork::busiest_links(std::size_t n) const {
  std::vector<LinkUsage> all;
  for (topo::LinkId l = 0; l < links_.size(); ++l) {
    if (links_[l].bytes > 0.0 || links_[l].draining > 0) all.push_back(link_usage(l));
  }
  auto busier = [](const LinkUsage& a, const LinkUsage& b) {
    if (a.utilisation != b.utilisation) return a.utilisation > b.utilisation;
    if (a.bytes != b.bytes) return a.bytes > b.bytes;
    return a.link < b.link;
  };
  const std::size_t keep = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(), busier);
  all.resize(keep);
  return all;
}

}  // namespace sim::net

// two_way_capacity = k < 2: while both directions of a FULL_DUPLEX cable
// carry data, each has k/2 x its rate; alone, its full rate (FlowNetwork,
// "Between the two"). Checked against closed forms worked by hand and, for
// random traffic, against a reference fluid model written here from that
// definition alone: piecewise-constant rates, recomputed by plain weighted
// progressive filling (Bertsekas & Gallager, Data Networks, sec. 6.5.2)
// whenever a flow starts or ends, with each directed link's capacity read
// off which directions are busy. It shares no code with FlowNetwork or
// MaxMinSolver: no incremental solve, no removal and re-adding of flows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/core/random.h"
#include "sim/network/flow_network.h"
#include "topologies/builders.h"

namespace sim::net {
namespace {

// 1.25 GB/s host links of 5 us: a message crosses two, 10 us.
const topo::LinkParams kStarLink{GigabytesPerSecond(1.25), Microseconds(5)};
constexpr double kRate = 1.25e9;
constexpr std::int64_t k100MB = 100'000'000;

struct Message {
  double at_s;
  EndpointId src;
  EndpointId dst;
  std::int64_t bytes;
  double weight;
};

NetworkCalibration TwoWay(double k) {
  NetworkCalibration c;
  c.two_way_capacity = k;
  return c;
}

// Delivery times in seconds from FlowNetwork (explicit weights).
std::vector<double> Simulated(const topo::Topology& t, const std::vector<Message>& messages, double k) {
  Engine engine;
  FlowNetwork network(engine, t, TwoWay(k));
  std::vector<double> done(messages.size(), -1.0);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    engine.schedule_at(Seconds(messages[i].at_s), [&, i] {
      const Message& m = messages[i];
      network.send_weighted(m.src, m.dst, Bytes{m.bytes}, m.weight, [&, i] { done[i] = engine.now().seconds(); });
    });
  }
  engine.run();
  EXPECT_EQ(network.messages_in_flight(), 0u);
  return done;
}

// The reference fluid model: delivery times in seconds.
std::vector<double> Reference(const topo::Topology& t, const std::vector<Message>& messages, double k) {
  const std::size_t n = messages.size();
  std::vector<std::vector<topo::LinkId>> route(n);
  std::vector<double> drain_from(n), remaining(n), done(n, -1.0);
  for (std::size_t i = 0; i < n; ++i) {
    t.append_route(messages[i].src, messages[i].dst, route[i]);
    drain_from[i] = messages[i].at_s;
    for (topo::LinkId l : route[i]) drain_from[i] += t.link(l).params.latency.seconds();
    remaining[i] = static_cast<double>(messages[i].bytes);
  }
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double now = 0.0;
  std::vector<double> rate(n, 0.0);
  for (;;) {
    std::vector<std::size_t> active;
    for (std::size_t i = 0; i < n; ++i) {
      if (done[i] < 0 && drain_from[i] <= now) active.push_back(i);
    }
    // Capacities: k/2 x the rate on a direction whose reverse is busy too.
    std::vector<bool> busy(t.link_count(), false);
    for (std::size_t i : active) {
      for (topo::LinkId l : route[i]) busy[l] = true;
    }
    std::vector<double> left(t.link_count());
    for (topo::LinkId l = 0; l < t.link_count(); ++l) {
      const topo::LinkId r = t.link(l).reverse;
      const bool both = busy[l] && r != topo::kNoLink && busy[r];
      left[l] = t.link(l).params.bandwidth.value * (both ? k / 2.0 : 1.0);
    }
    // Weighted progressive filling: the link with the smallest capacity
    // left per unit of unfixed weight fixes its flows at that level.
    std::vector<bool> fixed(n, false);
    for (std::size_t unfixed = active.size(); unfixed > 0;) {
      double level = kInf;
      topo::LinkId tightest = 0;
      for (topo::LinkId l = 0; l < t.link_count(); ++l) {
        double weight = 0.0;
        for (std::size_t i : active) {
          if (!fixed[i] && std::ranges::find(route[i], l) != route[i].end()) weight += messages[i].weight;
        }
        if (weight > 0.0 && left[l] / weight < level) {
          level = left[l] / weight;
          tightest = l;
        }
      }
      for (std::size_t i : active) {
        if (fixed[i] || std::ranges::find(route[i], tightest) == route[i].end()) continue;
        rate[i] = messages[i].weight * level;
        for (topo::LinkId l : route[i]) left[l] -= rate[i];
        fixed[i] = true;
        --unfixed;
      }
    }
    // The next instant a flow starts or ends.
    double next = kInf;
    for (std::size_t i = 0; i < n; ++i) {
      if (done[i] < 0 && drain_from[i] > now) next = std::min(next, drain_from[i]);
    }
    for (std::size_t i : active) next = std::min(next, now + remaining[i] / rate[i]);
    if (next == kInf) break;
    for (std::size_t i : active) {
      remaining[i] -= rate[i] * (next - now);
      // Ends now, up to round-off in the subtraction.
      if (remaining[i] <= 1e-9 * static_cast<double>(messages[i].bytes)) done[i] = next;
    }
    now = next;
  }
  return done;
}

TEST(FlowNetworkCoupledDirections, APullJoiningAPushSlowsBothOnlyWhileBothDrain) {
  // k = 1.5: h0 -> h1 from 0, h1 -> h0 from 0.04 s, 100 MB each. The first
  // drains alone at 1.25 GB/s from 10 us: 50 MB by 0.04001 s. Then both at
  // 0.75 x 1.25 = 0.9375 GB/s: the first's 50 MB take 0.053333 s, it ends
  // at 0.093343 s, when the second has 50 MB left, alone again at 1.25 GB/s:
  // 0.04 s more, 0.133343 s.
  const topo::Topology star = topo::MakeStar(4, kStarLink);
  const std::vector<Message> push_then_pull = {{0.0, 0, 1, k100MB, 1.0}, {0.04, 1, 0, k100MB, 1.0}};
  const auto t = Simulated(star, push_then_pull, 1.5);
  EXPECT_NEAR(t[0], 0.04001 + 0.05 / 0.9375, 1e-11);
  EXPECT_NEAR(t[1], 0.04001 + 0.05 / 0.9375 + 0.04, 1e-11);
  // Independent directions (k = 2): 0.08001 and 0.12001 s.
  const auto full = Simulated(star, push_then_pull, 2.0);
  EXPECT_NEAR(full[0], 0.08001, 1e-11);
  EXPECT_NEAR(full[1], 0.12001, 1e-11);
}

TEST(FlowNetworkCoupledDirections, TheCutBelongsToTheDirectionNotToTheFlowsWeights) {
  // Opposite directions never share a resource: weights 4 and 1 give the
  // same times as 1 and 1 (each direction 0.9375 GB/s, 100 MB in 0.106667
  // s, + 10 us), where sharing one resource of k x the rate by weight would
  // give the heavier flow more.
  const topo::Topology star = topo::MakeStar(4, kStarLink);
  const auto even = Simulated(star, {{0.0, 0, 1, k100MB, 1.0}, {0.0, 1, 0, k100MB, 1.0}}, 1.5);
  const auto weighted = Simulated(star, {{0.0, 0, 1, k100MB, 4.0}, {0.0, 1, 0, k100MB, 1.0}}, 1.5);
  for (double s : {even[0], even[1], weighted[0], weighted[1]}) EXPECT_NEAR(s, 10e-6 + 0.1 / 0.9375, 1e-11);
  // Within a direction weights still share: pulls of weights 3 and 1 out
  // of h0 (to h1, h2) against one push into it (from h3). While the push
  // drains, h0's uplink has 0.9375 GB/s: 0.703125 and 0.234375 GB/s to the
  // pulls; the push's 100 MB end at 10 us + 0.106667 s, when the pulls
  // have 25 and 75 MB left. Then the uplink is 1.25 GB/s again: 0.9375 and
  // 0.3125; the heavy pull ends 0.026667 s later, when the light one has
  // 75 - 25 / 3 MB left, alone at 1.25 GB/s.
  const std::vector<Message> two_pulls_one_push = {
      {0.0, 0, 1, k100MB, 3.0}, {0.0, 0, 2, k100MB, 1.0}, {0.0, 3, 0, k100MB, 1.0}};
  const auto t = Simulated(star, two_pulls_one_push, 1.5);
  const double push_s = 10e-6 + 0.1 / 0.9375;
  EXPECT_NEAR(t[2], push_s, 1e-11);
  EXPECT_NEAR(t[0], push_s + 0.025 / 0.9375, 1e-11);
  EXPECT_NEAR(t[1], push_s + 0.025 / 0.9375 + (0.075 - 0.025 / 3.0) / 1.25, 1e-11);
}

TEST(FlowNetworkCoupledDirections, RandomTrafficMatchesTheReferenceFluidModel) {
  // 40 messages among 6 hosts of a star, 1-50 MB, sent over 0.2 s with
  // weights exp(0.5 Z): cables go busy and idle in both directions while
  // other flows drain, the case where FlowNetwork re-solves the other
  // direction's flows. k = 1 (the half-duplex end), 1.5 and 1.9.
  const topo::Topology star = topo::MakeStar(6, kStarLink);
  for (double k : {1.0, 1.5, 1.9}) {
    for (std::uint64_t seed : {1, 2, 3}) {
      RandomStream rng = NamedStream(seed, "coupled_directions_test/traffic");
      std::vector<Message> messages;
      while (messages.size() < 40) {
        const auto src = static_cast<EndpointId>(rng.uniform_index(6));
        const auto dst = static_cast<EndpointId>(rng.uniform_index(6));
        if (src == dst) continue;
        messages.push_back({0.2 * rng.uniform(), src, dst, 1'000'000 + static_cast<std::int64_t>(rng.uniform() * 4.9e7),
                            std::exp(0.5 * rng.normal())});
      }
      const auto ours = Simulated(star, messages, k);
      const auto reference = Reference(star, messages, k);
      for (std::size_t i = 0; i < messages.size(); ++i) {
        ASSERT_GE(ours[i], 0.0) << "message " << i << " never delivered";
        // Picosecond rounding of each rescheduled completion, summed over
        // a message's rate changes, and the reference's own round-off.
        EXPECT_NEAR(ours[i], reference[i], 1e-9) << "k " << k << " seed " << seed << " message " << i;
      }
    }
  }
}

TEST(FlowNetworkCoupledDirections, TheReferenceModelIsNotVacuous) {
  // The same traffic with the directions coupled (k = 1.5) and independent
  // (k = 2) must differ, or the comparison above would prove nothing about
  // the coupling.
  const topo::Topology star = topo::MakeStar(4, kStarLink);
  const std::vector<Message> exchange = {{0.0, 0, 1, k100MB, 1.0}, {0.0, 1, 0, k100MB, 1.0}};
  EXPECT_GT(Reference(star, exchange, 1.5)[0], Reference(star, exchange, 2.0)[0] + 0.02);
  EXPECT_NEAR(Reference(star, exchange, 1.5)[0], 10e-6 + 0.1 / 0.9375, 1e-12);
}

}  // namespace
}  // namespace sim::net

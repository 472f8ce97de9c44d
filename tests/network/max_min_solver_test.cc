// MaxMinSolver on systems written out by hand: each expected rate derived by
// progressive filling (Bertsekas & Gallager, Data Networks, 2nd ed., sec.
// 6.5.2), plain or weighted, in the comment beside it; and the incremental
// solve checked against solving from scratch, against a plain weighted
// progressive filling written out below, and against the bottleneck
// characterization of (weighted) max-min fairness, which names no algorithm.
#include "sim/network/max_min_solver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "sim/core/random.h"
#include "topologies/builders.h"

namespace sim::net {
namespace {

// Rates are sums and quotients of a few capacities: exact to a few ulps.
constexpr double kRelTol = 1e-12;

std::vector<VariableId> Sorted(std::vector<VariableId> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(MaxMinSolver, OneFlowGetsTheNarrowestLink) {
  // One flow over links of 10 and 4: the level rises to min(10, 4) = 4.
  MaxMinSolver s;
  ResourceId a = s.add_resource(BytesPerSecond{10.0}), b = s.add_resource(BytesPerSecond{4.0});
  VariableId f = s.add_variable(std::vector<ResourceId>{a, b});
  EXPECT_EQ(s.solve(), std::vector<VariableId>{f});
  EXPECT_NEAR(s.rate(f).value, 4.0, 4.0 * kRelTol);
}

TEST(MaxMinSolver, CapacitySetWhileUnusedActsOnTheNextUsers) {
  // Link a (10) and b (6), two flows over a, one over b. With a set to 4
  // once its flows have left, the same flows added back get 2 each, and the
  // flow on b keeps 6.
  MaxMinSolver s;
  ResourceId a = s.add_resource(BytesPerSecond{10.0}), b = s.add_resource(BytesPerSecond{6.0});
  VariableId f = s.add_variable(std::vector<ResourceId>{a});
  VariableId g = s.add_variable(std::vector<ResourceId>{a, b});
  s.solve();
  EXPECT_NEAR(s.rate(f).value, 5.0, 5.0 * kRelTol);
  s.remove_variable(f);
  s.remove_variable(g);
  s.set_capacity(a, BytesPerSecond{4.0});
  EXPECT_EQ(s.capacity(a).value, 4.0);
  f = s.add_variable(std::vector<ResourceId>{a});
  g = s.add_variable(std::vector<ResourceId>{a, b});
  VariableId h = s.add_variable(std::vector<ResourceId>{b});
  s.solve();
  EXPECT_NEAR(s.rate(f).value, 2.0, 2.0 * kRelTol);
  EXPECT_NEAR(s.rate(g).value, 2.0, 2.0 * kRelTol);
  EXPECT_NEAR(s.rate(h).value, 4.0, 4.0 * kRelTol);
}

TEST(MaxMinSolver, TextbookThreeFlowsTwoLinks) {
  // Link A (capacity 10) carries flows 1 and 2; link B (capacity 4) carries
  // flows 1 and 3. Progressive filling: shares A 10/2 = 5, B 4/2 = 2; B
  // saturates first at level 2, fixing flows 1 and 3 at 2. A has 10 - 2 = 8
  // left for flow 2 alone: flow 2 = 8.
  MaxMinSolver s;
  ResourceId a = s.add_resource(BytesPerSecond{10.0}), b = s.add_resource(BytesPerSecond{4.0});
  VariableId f1 = s.add_variable(std::vector<ResourceId>{a, b});
  VariableId f2 = s.add_variable(std::vector<ResourceId>{a});
  VariableId f3 = s.add_variable(std::vector<ResourceId>{b});
  EXPECT_EQ(Sorted(s.solve()), (std::vector<VariableId>{f1, f2, f3}));
  EXPECT_NEAR(s.rate(f1).value, 2.0, 2.0 * kRelTol);
  EXPECT_NEAR(s.rate(f2).value, 8.0, 8.0 * kRelTol);
  EXPECT_NEAR(s.rate(f3).value, 2.0, 2.0 * kRelTol);
}

TEST(MaxMinSolver, FourSessionsTwoLevels) {
  // A four-session system in the style of Bertsekas & Gallager's sec. 6.5.2
  // examples (our numbers): L1 and L2 of capacity 1, L3 of capacity 2.
  // Sessions: s0 = {L1, L2, L3}, s1 = {L1}, s2 = {L2, L3}, s3 = {L3}.
  //   Level 1: shares L1 1/2, L2 1/2, L3 2/3 -> L1 and L2 saturate at 1/2:
  //            s0, s1, s2 fixed at 1/2.
  //   Level 2: L3 has 2 - 1/2 - 1/2 = 1 left for s3 alone: s3 = 1.
  MaxMinSolver s;
  ResourceId l1 = s.add_resource(BytesPerSecond{1.0}), l2 = s.add_resource(BytesPerSecond{1.0}), l3 = s.add_resource(BytesPerSecond{2.0});
  VariableId s0 = s.add_variable(std::vector<ResourceId>{l1, l2, l3});
  VariableId s1 = s.add_variable(std::vector<ResourceId>{l1});
  VariableId s2 = s.add_variable(std::vector<ResourceId>{l2, l3});
  VariableId s3 = s.add_variable(std::vector<ResourceId>{l3});
  s.solve();
  EXPECT_NEAR(s.rate(s0).value, 0.5, kRelTol);
  EXPECT_NEAR(s.rate(s1).value, 0.5, kRelTol);
  EXPECT_NEAR(s.rate(s2).value, 0.5, kRelTol);
  EXPECT_NEAR(s.rate(s3).value, 1.0, kRelTol);
}

TEST(MaxMinSolver, ParkingLot) {
  // Parking lot: one long flow over n = 4 links of capacity 1, one short flow
  // on each link. Every link has two flows: all saturate at 1/2 together.
  MaxMinSolver s;
  std::vector<ResourceId> links;
  for (int i = 0; i < 4; ++i) links.push_back(s.add_resource(BytesPerSecond{1.0}));
  VariableId longest = s.add_variable(links);
  std::vector<VariableId> shorts;
  for (ResourceId l : links) shorts.push_back(s.add_variable(std::vector<ResourceId>{l}));
  s.solve();
  EXPECT_NEAR(s.rate(longest).value, 0.5, kRelTol);
  for (VariableId v : shorts) EXPECT_NEAR(s.rate(v).value, 0.5, kRelTol);
}

TEST(MaxMinSolver, RemovalReportsOnlyChangedRates) {
  // Textbook system above, then flow 3 leaves: B (4) now has flow 1 alone and
  // A (10) flows 1 and 2. Shares A 5, B 4: B saturates at 4, flow 1 = 4; A
  // has 6 left: flow 2 = 6. Both changed. A fourth flow on an unrelated link
  // C is in no touched component and is not reported.
  MaxMinSolver s;
  ResourceId a = s.add_resource(BytesPerSecond{10.0}), b = s.add_resource(BytesPerSecond{4.0}), c = s.add_resource(BytesPerSecond{7.0});
  VariableId f1 = s.add_variable(std::vector<ResourceId>{a, b});
  VariableId f2 = s.add_variable(std::vector<ResourceId>{a});
  VariableId f3 = s.add_variable(std::vector<ResourceId>{b});
  VariableId f4 = s.add_variable(std::vector<ResourceId>{c});
  s.solve();
  EXPECT_NEAR(s.rate(f4).value, 7.0, 7.0 * kRelTol);
  s.remove_variable(f3);
  EXPECT_EQ(Sorted(s.solve()), (std::vector<VariableId>{f1, f2}));
  EXPECT_NEAR(s.rate(f1).value, 4.0, 4.0 * kRelTol);
  EXPECT_NEAR(s.rate(f2).value, 6.0, 6.0 * kRelTol);
  EXPECT_TRUE(s.solve().empty());  // nothing touched since
}

TEST(MaxMinSolver, RemovingTheFastFlowLeavesSlowerOnesUntouched) {
  // Link A (1) has flows x, y; link B (10) has y and z. Level 1: A at 1/2
  // fixes x, y = 1/2; B: z = 10 - 1/2 = 9.5. Removing z (rate 9.5) can only
  // act at levels >= 9.5, above x and y: nothing else changes, nothing else
  // is even recomputed.
  MaxMinSolver s;
  ResourceId a = s.add_resource(BytesPerSecond{1.0}), b = s.add_resource(BytesPerSecond{10.0});
  VariableId x = s.add_variable(std::vector<ResourceId>{a});
  VariableId y = s.add_variable(std::vector<ResourceId>{a, b});
  VariableId z = s.add_variable(std::vector<ResourceId>{b});
  s.solve();
  EXPECT_NEAR(s.rate(z).value, 9.5, 9.5 * kRelTol);
  const auto before = s.variables_solved();
  s.remove_variable(z);
  EXPECT_TRUE(s.solve().empty());
  EXPECT_EQ(s.variables_solved(), before);
  EXPECT_NEAR(s.rate(x).value, 0.5, kRelTol);
  EXPECT_NEAR(s.rate(y).value, 0.5, kRelTol);
}

TEST(MaxMinSolver, FlowsSharingNoLinkGetTheirNarrowestLinkInTheOrderAdded) {
  // Disjoint paths (a ring's transfers on a non-blocking fat-tree): each
  // flow's rate is the smallest capacity on its path, exactly, and the report
  // lists the flows in the order they were added, as the full procedure does
  // (FlowNetwork schedules completions in that order).
  MaxMinSolver s;
  ResourceId a = s.add_resource(BytesPerSecond{10.0}), b = s.add_resource(BytesPerSecond{4.0}), c = s.add_resource(BytesPerSecond{7.0}), d = s.add_resource(BytesPerSecond{3.0});
  VariableId f1 = s.add_variable(std::vector<ResourceId>{c, d});
  VariableId f2 = s.add_variable(std::vector<ResourceId>{a, b});
  EXPECT_EQ(s.solve(), (std::vector<VariableId>{f1, f2}));
  EXPECT_EQ(s.rate(f1).value, 3.0);
  EXPECT_EQ(s.rate(f2).value, 4.0);
  // f1 was the only user of c and d: its end moves no other rate, which
  // the solver can settle without a solve.
  s.remove_variable(f1);
  EXPECT_TRUE(s.settle_idle_removals());
  EXPECT_TRUE(s.solve().empty());
  EXPECT_EQ(s.rate(f2).value, 4.0);
  // f3 joins f2 on b (capacity 4): 4 / 2 = 2 each, so f2 changes too.
  VariableId f3 = s.add_variable(std::vector<ResourceId>{b, c});
  EXPECT_EQ(Sorted(s.solve()), Sorted({f2, f3}));
  EXPECT_NEAR(s.rate(f2).value, 2.0, 2.0 * kRelTol);
  EXPECT_NEAR(s.rate(f3).value, 2.0, 2.0 * kRelTol);
  // f3 leaves a co-user behind: f2 is back to b's whole 4, which takes a
  // solve; so does a change still to be solved beside an idle removal.
  s.remove_variable(f3);
  EXPECT_FALSE(s.settle_idle_removals());
  EXPECT_EQ(s.solve(), std::vector<VariableId>{f2});
  VariableId f4 = s.add_variable(std::vector<ResourceId>{d});
  VariableId f5 = s.add_variable(std::vector<ResourceId>{c});
  EXPECT_EQ(s.solve(), (std::vector<VariableId>{f4, f5}));
  s.remove_variable(f4);
  VariableId f6 = s.add_variable(std::vector<ResourceId>{c});
  EXPECT_FALSE(s.settle_idle_removals());
  EXPECT_EQ(Sorted(s.solve()), Sorted({f5, f6}));
  EXPECT_NEAR(s.rate(f6).value, 3.5, 3.5 * kRelTol);
  EXPECT_NEAR(s.rate(f2).value, 4.0, 4.0 * kRelTol);
}

TEST(MaxMinSolver, WeightedSingleBottleneckSharesInProportionToWeights) {
  // One link of capacity C = 12 and flows of weights 0.5, 1.5, 4 (sum 6):
  // the level rises to C / 6 = 2 together, rates C w_i / sum w = 1, 3, 8.
  MaxMinSolver s;
  ResourceId link = s.add_resource(BytesPerSecond{12.0});
  VariableId a = s.add_variable(std::vector<ResourceId>{link}, 0.5);
  VariableId b = s.add_variable(std::vector<ResourceId>{link}, 1.5);
  VariableId c = s.add_variable(std::vector<ResourceId>{link}, 4.0);
  EXPECT_EQ(Sorted(s.solve()), (std::vector<VariableId>{a, b, c}));
  EXPECT_NEAR(s.rate(a).value, 1.0, 1.0 * kRelTol);
  EXPECT_NEAR(s.rate(b).value, 3.0, 3.0 * kRelTol);
  EXPECT_NEAR(s.rate(c).value, 8.0, 8.0 * kRelTol);
  // c leaves: 12 over weights 0.5 + 1.5 = 2, level 6: rates 3 and 9.
  s.remove_variable(c);
  EXPECT_EQ(Sorted(s.solve()), (std::vector<VariableId>{a, b}));
  EXPECT_NEAR(s.rate(a).value, 3.0, 3.0 * kRelTol);
  EXPECT_NEAR(s.rate(b).value, 9.0, 9.0 * kRelTol);
}

TEST(MaxMinSolver, WeightsMoveTheBottleneck) {
  // Link A (capacity 10) carries f1 (weight 1) and f2 (weight 4); link B
  // (capacity 6) carries f1 and f3 (weight 1 each).
  // Unweighted, B would saturate first (shares A 10/2 = 5, B 6/2 = 3).
  // Weighted progressive filling: level shares A 10/(1 + 4) = 2, B 6/(1 + 1)
  // = 3; A saturates first, at level 2: f1 = 1 x 2 = 2, f2 = 4 x 2 = 8. B has
  // 6 - 2 = 4 left for f3 alone (weight 1): level 4, f3 = 4.
  // Check: A carries 2 + 8 = 10, B 2 + 4 = 6, both saturated; f1 and f2 have
  // the top level (2) on A, f3 the top level (4) on B.
  MaxMinSolver s;
  ResourceId a = s.add_resource(BytesPerSecond{10.0}), b = s.add_resource(BytesPerSecond{6.0});
  VariableId f1 = s.add_variable(std::vector<ResourceId>{a, b}, 1.0);
  VariableId f2 = s.add_variable(std::vector<ResourceId>{a}, 4.0);
  VariableId f3 = s.add_variable(std::vector<ResourceId>{b}, 1.0);
  s.solve();
  EXPECT_NEAR(s.rate(f1).value, 2.0, 2.0 * kRelTol);
  EXPECT_NEAR(s.rate(f2).value, 8.0, 8.0 * kRelTol);
  EXPECT_NEAR(s.rate(f3).value, 4.0, 4.0 * kRelTol);
  // f2 leaves: A (10) has f1 alone, B (6) f1 and f3 -> B at level 3: f1 = f3
  // = 3, A keeps 7 spare.
  s.remove_variable(f2);
  s.solve();
  EXPECT_NEAR(s.rate(f1).value, 3.0, 3.0 * kRelTol);
  EXPECT_NEAR(s.rate(f3).value, 3.0, 3.0 * kRelTol);
}

TEST(MaxMinSolver, WeightedSharesSurviveCancellingAHugeWeight) {
  // Link A (capacity 1) carries big (weight 1e9), s1 (0.1) and s2 (0.2);
  // link B (capacity 0.5) carries big alone. Level shares: A 1/(1e9 + 0.3),
  // B 0.5/1e9, lower: B fixes big at level 5e-10, rate 0.5. A has 0.5 left
  // for weight 0.1 + 0.2 = 0.3: level 5/3, s1 = 1/6, s2 = 1/3.
  // (1e9 + 0.1 + 0.2) - 1e9 in doubles is 0.3 only to ~1e-7 (ulp(1e9) =
  // 1.2e-7): the solver must sum the weights left afresh to be exact here.
  MaxMinSolver s;
  ResourceId a = s.add_resource(BytesPerSecond{1.0}), b = s.add_resource(BytesPerSecond{0.5});
  VariableId big = s.add_variable(std::vector<ResourceId>{a, b}, 1e9);
  VariableId s1 = s.add_variable(std::vector<ResourceId>{a}, 0.1);
  VariableId s2 = s.add_variable(std::vector<ResourceId>{a}, 0.2);
  s.solve();
  EXPECT_NEAR(s.rate(big).value, 0.5, 0.5 * kRelTol);
  EXPECT_NEAR(s.rate(s1).value, 1.0 / 6.0, kRelTol / 6.0);
  EXPECT_NEAR(s.rate(s2).value, 1.0 / 3.0, kRelTol / 3.0);
}

TEST(MaxMinSolver, LoneWeightedFlowGetsItsNarrowestLinkExactly) {
  // Alone on its links a flow's weight is irrelevant: rate = min capacity.
  MaxMinSolver s;
  ResourceId a = s.add_resource(BytesPerSecond{10.0}), b = s.add_resource(BytesPerSecond{4.0});
  VariableId f = s.add_variable(std::vector<ResourceId>{a, b}, 3.7);
  EXPECT_EQ(s.solve(), std::vector<VariableId>{f});
  EXPECT_EQ(s.rate(f).value, 4.0);
  EXPECT_EQ(s.weight(f), 3.7);
}

// Weighted progressive filling written out plainly (B&G sec. 6.5.2), for a
// system given as routes, capacities and weights: at each step the resource
// with the smallest level share (remaining capacity / unfixed weight) fixes
// its unfixed flows at that level. O(steps x incidences), for small systems.
std::vector<double> PlainWeightedMaxMin(const std::vector<double>& capacity,
                                        const std::vector<std::vector<ResourceId>>& routes,
                                        const std::vector<double>& weights) {
  std::vector<double> remaining = capacity;
  std::vector<double> rate(routes.size(), 0.0);
  std::vector<bool> fixed(routes.size(), false);
  for (std::size_t left = routes.size(); left > 0;) {
    std::vector<double> unfixed_weight(capacity.size(), 0.0);
    for (std::size_t v = 0; v < routes.size(); ++v) {
      if (fixed[v]) continue;
      for (ResourceId r : routes[v]) unfixed_weight[r] += weights[v];
    }
    std::size_t bottleneck = 0;
    double level = std::numeric_limits<double>::infinity();
    for (std::size_t r = 0; r < capacity.size(); ++r) {
      if (unfixed_weight[r] == 0.0) continue;
      const double share = std::max(remaining[r], 0.0) / unfixed_weight[r];
      if (share < level) {
        level = share;
        bottleneck = r;
      }
    }
    for (std::size_t v = 0; v < routes.size(); ++v) {
      if (fixed[v] || std::find(routes[v].begin(), routes[v].end(), bottleneck) == routes[v].end()) continue;
      fixed[v] = true;
      --left;
      rate[v] = level * weights[v];
      for (ResourceId r : routes[v]) remaining[r] -= rate[v];
    }
  }
  return rate;
}

// The characterization, no algorithm involved (B&G sec. 6.5.2, weighted):
// the allocation is feasible, and every flow has a bottleneck, a saturated
// resource on which no flow has a larger rate / weight.
void ExpectWeightedMaxMin(const std::vector<double>& capacity, const std::vector<std::vector<ResourceId>>& routes,
                          const std::vector<double>& weights, const std::vector<double>& rate,
                          const std::string& where) {
  std::vector<double> load(capacity.size(), 0.0), top_level(capacity.size(), 0.0);
  for (std::size_t v = 0; v < routes.size(); ++v) {
    ASSERT_GT(rate[v], 0.0) << where;
    for (ResourceId r : routes[v]) {
      load[r] += rate[v];
      top_level[r] = std::max(top_level[r], rate[v] / weights[v]);
    }
  }
  for (std::size_t r = 0; r < capacity.size(); ++r) {
    ASSERT_LE(load[r], capacity[r] * (1.0 + 1e-9)) << where << ": resource " << r << " overloaded";
  }
  for (std::size_t v = 0; v < routes.size(); ++v) {
    const double level = rate[v] / weights[v];
    bool has_bottleneck = false;
    for (ResourceId r : routes[v]) {
      has_bottleneck |= load[r] >= capacity[r] * (1.0 - 1e-8) && level >= top_level[r] * (1.0 - 1e-8);
    }
    ASSERT_TRUE(has_bottleneck) << where << ": flow " << v << " (level " << level << ") has no bottleneck";
  }
}

// Random additions and removals; after each batch, every rate must equal the
// one a fresh solver computes for the same system from scratch. Tolerance:
// a kept rate may differ by kRateTolerance, plus round-off. With
// weight_sigma > 0 every flow gets weight exp(weight_sigma Z), and the rates
// must also match the plain weighted progressive filling above and satisfy
// the bottleneck characterization; weights_few instead draws from {1/2, 1, 2},
// which makes ties between levels.
void CheckIncrementalAgainstFresh(std::uint64_t seed, int resources, bool few_capacities, int batches,
                                  double weight_sigma = 0.0, bool weights_few = false) {
  RandomStream rng = NamedStream(seed, "max_min_solver_test/random");
  std::vector<double> capacity;
  MaxMinSolver s;
  for (int r = 0; r < resources; ++r) {
    // Few distinct capacities make many ties between levels.
    capacity.push_back(few_capacities ? static_cast<double>(1 << rng.uniform_index(3)) : 1.0 + 9.0 * rng.uniform());
    s.add_resource(BytesPerSecond{capacity.back()});
  }
  const bool weighted = weight_sigma > 0.0 || weights_few;
  struct Live {
    VariableId id;
    std::vector<ResourceId> route;
    double weight;
  };
  std::vector<Live> live;
  for (int batch = 0; batch < batches; ++batch) {
    const int changes = 1 + static_cast<int>(rng.uniform_index(3));
    for (int c = 0; c < changes; ++c) {
      if (!live.empty() && rng.bernoulli(live.size() > 40 ? 0.6 : 0.4)) {
        const auto i = rng.uniform_index(live.size());
        s.remove_variable(live[i].id);
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        std::vector<ResourceId> route;
        const auto hops = 1 + rng.uniform_index(4);
        while (route.size() < hops) {
          auto r = static_cast<ResourceId>(rng.uniform_index(static_cast<std::uint64_t>(resources)));
          if (std::find(route.begin(), route.end(), r) == route.end()) route.push_back(r);
        }
        double weight = 1.0;
        if (weights_few) weight = std::ldexp(1.0, static_cast<int>(rng.uniform_index(3)) - 1);
        if (weight_sigma > 0.0) weight = std::exp(weight_sigma * rng.normal());
        const VariableId id = weighted ? s.add_variable(route, weight) : s.add_variable(route);
        live.push_back({id, route, weight});
      }
    }
    s.solve();
    MaxMinSolver fresh;
    for (double c : capacity) fresh.add_resource(BytesPerSecond{c});
    std::vector<VariableId> fresh_ids;
    for (const Live& l : live) fresh_ids.push_back(fresh.add_variable(l.route, l.weight));
    fresh.solve();
    for (std::size_t i = 0; i < live.size(); ++i) {
      const double want = fresh.rate(fresh_ids[i]).value;
      ASSERT_NEAR(s.rate(live[i].id).value, want, want * 1e-8) << "seed " << seed << " batch " << batch << " flow " << i;
    }
    if (!weighted) continue;
    std::vector<std::vector<ResourceId>> routes;
    std::vector<double> weights, rates;
    for (const Live& l : live) {
      routes.push_back(l.route);
      weights.push_back(l.weight);
      rates.push_back(s.rate(l.id).value);
    }
    const std::string where = "seed " + std::to_string(seed) + " batch " + std::to_string(batch);
    const std::vector<double> plain = PlainWeightedMaxMin(capacity, routes, weights);
    for (std::size_t i = 0; i < live.size(); ++i) {
      ASSERT_NEAR(rates[i], plain[i], plain[i] * 1e-8) << where << " flow " << i << " weight " << weights[i];
    }
    ExpectWeightedMaxMin(capacity, routes, weights, rates, where);
  }
}

TEST(MaxMinSolver, IncrementalMatchesFromScratchOnRandomSystems) {
  CheckIncrementalAgainstFresh(7, 12, false, 400);
  CheckIncrementalAgainstFresh(8, 40, false, 400);
}

// Many links, few flows: most changes touch no link another flow uses, the
// solver's shortcut for them (solve_isolated) alternates with full solves.
TEST(MaxMinSolver, IncrementalMatchesFromScratchOnSparseSystems) {
  CheckIncrementalAgainstFresh(11, 400, false, 400);
  CheckIncrementalAgainstFresh(12, 200, true, 400);
}

TEST(MaxMinSolver, IncrementalMatchesFromScratchWithManyTies) {
  CheckIncrementalAgainstFresh(9, 12, true, 400);
  CheckIncrementalAgainstFresh(10, 40, true, 400);
}

// Weighted: log-normal weights, as FlowNetwork draws them (sigma 1 and the
// largest the scenario allows, 3, whose weights span ~e^(+-10)), on dense and
// sparse systems; and weights in {1/2, 1, 2} with few capacities, for ties.
TEST(MaxMinSolver, WeightedIncrementalMatchesPlainFillingAndBottleneckProperty) {
  CheckIncrementalAgainstFresh(21, 12, false, 400, 1.0);
  CheckIncrementalAgainstFresh(22, 40, false, 400, 1.0);
  CheckIncrementalAgainstFresh(23, 200, false, 400, 1.0);
  CheckIncrementalAgainstFresh(24, 12, false, 400, 3.0);
  CheckIncrementalAgainstFresh(25, 40, false, 400, 3.0);
}

TEST(MaxMinSolver, WeightedIncrementalWithManyTies) {
  CheckIncrementalAgainstFresh(26, 12, true, 400, 0.0, true);
  CheckIncrementalAgainstFresh(27, 40, true, 400, 0.0, true);
  CheckIncrementalAgainstFresh(28, 200, true, 400, 0.0, true);
}

// At the scale of bench_network (issue 18): flows between random host pairs
// of the 1,024-host k = 16 fat-tree (100 Gbit/s, two-level routing), each
// link a resource. Flows are added in batches; then, one solve each, a random
// flow leaves (a completion: the change whose effect cascades through the
// saturated host links to thousands of rates at 30,000 flows) and often a new
// one arrives. Every `stride` solves the rates must equal a fresh solver's for
// the same system (within the tolerance above) and satisfy the bottleneck
// characterization, which names no algorithm.
void CheckFatTreeAtScale(std::uint32_t flows, int steps, int stride) {
  const topo::Topology tree = topo::MakeFatTree(
      {16, {GigabitsPerSecond(100), Microseconds(1)}, 1.0, 1.0},
      {1, {GigabitsPerSecond(2400), Microseconds(1)}, topo::RoutingPolicy::kFatTreeTwoLevel});
  std::vector<double> capacity;
  MaxMinSolver s;
  for (topo::LinkId l = 0; l < tree.link_count(); ++l) {
    capacity.push_back(tree.link(l).params.bandwidth.value);
    s.add_resource(BytesPerSecond{capacity.back()});
  }
  RandomStream rng = NamedStream(1, "max_min_solver_test/fat_tree");
  const std::uint64_t hosts = tree.endpoint_count();
  struct Live {
    VariableId id;
    std::vector<ResourceId> route;
  };
  std::vector<Live> live;
  auto add_flow = [&] {
    const auto src = static_cast<EndpointId>(rng.uniform_index(hosts));
    auto dst = static_cast<EndpointId>(rng.uniform_index(hosts - 1));
    if (dst >= src) ++dst;
    std::vector<topo::LinkId> links;
    tree.append_route(src, dst, links);
    std::vector<ResourceId> route(links.begin(), links.end());  // resource r is link r
    live.push_back({s.add_variable(route), std::move(route)});
  };
  auto check = [&](const std::string& where) {
    MaxMinSolver fresh;
    for (double c : capacity) fresh.add_resource(BytesPerSecond{c});
    std::vector<VariableId> fresh_ids;
    std::vector<std::vector<ResourceId>> routes;
    std::vector<double> rates;
    for (const Live& l : live) {
      fresh_ids.push_back(fresh.add_variable(l.route));
      routes.push_back(l.route);
      rates.push_back(s.rate(l.id).value);
    }
    fresh.solve();
    for (std::size_t i = 0; i < live.size(); ++i) {
      const double want = fresh.rate(fresh_ids[i]).value;
      ASSERT_NEAR(rates[i], want, want * 1e-8) << where << " flow " << i;
    }
    ExpectWeightedMaxMin(capacity, routes, std::vector<double>(live.size(), 1.0), rates, where);
  };
  for (std::uint32_t added = 0; added < flows; ++added) {
    add_flow();
    if (added % 1'000 == 999) s.solve();
  }
  s.solve();
  check("after adding " + std::to_string(flows) + " flows");
  std::uint64_t changed = 0;
  for (int step = 1; step <= steps; ++step) {
    const auto i = rng.uniform_index(live.size());
    s.remove_variable(live[i].id);
    live[i] = std::move(live.back());
    live.pop_back();
    if (rng.bernoulli(0.75)) add_flow();
    changed += s.solve().size();
    if (step % stride == 0) {
      check("step " + std::to_string(step));
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  // The removals did cascade: many rates moved per solve, not one or two.
  EXPECT_GT(static_cast<double>(changed) / steps, 10.0);
}

TEST(MaxMinSolver, IncrementalMatchesFromScratchOnFatTreeAt3000Flows) {
  CheckFatTreeAtScale(3'000, 1'000, 50);
}

// 30,000 flows, the size of bench_network's largest default case; opt-in
// (SIM_LONG_TESTS=1), as it takes seconds, not milliseconds.
TEST(MaxMinSolver, IncrementalMatchesFromScratchOnFatTreeAt30000Flows) {
  if (std::getenv("SIM_LONG_TESTS") == nullptr) GTEST_SKIP() << "set SIM_LONG_TESTS=1 to run";
  CheckFatTreeAtScale(30'000, 1'000, 100);
}

}  // namespace
}  // namespace sim::net

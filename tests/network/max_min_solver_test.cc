// MaxMinSolver on systems written out by hand: each expected rate derived by
// progressive filling (Bertsekas & Gallager, Data Networks, 2nd ed., sec.
// 6.5.2) in the comment beside it; and the incremental solve checked against
// solving from scratch.
#include "sim/network/max_min_solver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "sim/core/random.h"

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
  ResourceId a = s.add_resource(10.0), b = s.add_resource(4.0);
  VariableId f = s.add_variable(std::vector<ResourceId>{a, b});
  EXPECT_EQ(s.solve(), std::vector<VariableId>{f});
  EXPECT_NEAR(s.rate(f), 4.0, 4.0 * kRelTol);
}

TEST(MaxMinSolver, TextbookThreeFlowsTwoLinks) {
  // Link A (capacity 10) carries flows 1 and 2; link B (capacity 4) carries
  // flows 1 and 3. Progressive filling: shares A 10/2 = 5, B 4/2 = 2; B
  // saturates first at level 2, fixing flows 1 and 3 at 2. A has 10 - 2 = 8
  // left for flow 2 alone: flow 2 = 8.
  MaxMinSolver s;
  ResourceId a = s.add_resource(10.0), b = s.add_resource(4.0);
  VariableId f1 = s.add_variable(std::vector<ResourceId>{a, b});
  VariableId f2 = s.add_variable(std::vector<ResourceId>{a});
  VariableId f3 = s.add_variable(std::vector<ResourceId>{b});
  EXPECT_EQ(Sorted(s.solve()), (std::vector<VariableId>{f1, f2, f3}));
  EXPECT_NEAR(s.rate(f1), 2.0, 2.0 * kRelTol);
  EXPECT_NEAR(s.rate(f2), 8.0, 8.0 * kRelTol);
  EXPECT_NEAR(s.rate(f3), 2.0, 2.0 * kRelTol);
}

TEST(MaxMinSolver, FourSessionsTwoLevels) {
  // A four-session system in the style of Bertsekas & Gallager's sec. 6.5.2
  // examples (our numbers): L1 and L2 of capacity 1, L3 of capacity 2.
  // Sessions: s0 = {L1, L2, L3}, s1 = {L1}, s2 = {L2, L3}, s3 = {L3}.
  //   Level 1: shares L1 1/2, L2 1/2, L3 2/3 -> L1 and L2 saturate at 1/2:
  //            s0, s1, s2 fixed at 1/2.
  //   Level 2: L3 has 2 - 1/2 - 1/2 = 1 left for s3 alone: s3 = 1.
  MaxMinSolver s;
  ResourceId l1 = s.add_resource(1.0), l2 = s.add_resource(1.0), l3 = s.add_resource(2.0);
  VariableId s0 = s.add_variable(std::vector<ResourceId>{l1, l2, l3});
  VariableId s1 = s.add_variable(std::vector<ResourceId>{l1});
  VariableId s2 = s.add_variable(std::vector<ResourceId>{l2, l3});
  VariableId s3 = s.add_variable(std::vector<ResourceId>{l3});
  s.solve();
  EXPECT_NEAR(s.rate(s0), 0.5, kRelTol);
  EXPECT_NEAR(s.rate(s1), 0.5, kRelTol);
  EXPECT_NEAR(s.rate(s2), 0.5, kRelTol);
  EXPECT_NEAR(s.rate(s3), 1.0, kRelTol);
}

TEST(MaxMinSolver, ParkingLot) {
  // Parking lot: one long flow over n = 4 links of capacity 1, one short flow
  // on each link. Every link has two flows: all saturate at 1/2 together.
  MaxMinSolver s;
  std::vector<ResourceId> links;
  for (int i = 0; i < 4; ++i) links.push_back(s.add_resource(1.0));
  VariableId longest = s.add_variable(links);
  std::vector<VariableId> shorts;
  for (ResourceId l : links) shorts.push_back(s.add_variable(std::vector<ResourceId>{l}));
  s.solve();
  EXPECT_NEAR(s.rate(longest), 0.5, kRelTol);
  for (VariableId v : shorts) EXPECT_NEAR(s.rate(v), 0.5, kRelTol);
}

TEST(MaxMinSolver, RemovalReportsOnlyChangedRates) {
  // Textbook system above, then flow 3 leaves: B (4) now has flow 1 alone and
  // A (10) flows 1 and 2. Shares A 5, B 4: B saturates at 4, flow 1 = 4; A
  // has 6 left: flow 2 = 6. Both changed. A fourth flow on an unrelated link
  // C is in no touched component and is not reported.
  MaxMinSolver s;
  ResourceId a = s.add_resource(10.0), b = s.add_resource(4.0), c = s.add_resource(7.0);
  VariableId f1 = s.add_variable(std::vector<ResourceId>{a, b});
  VariableId f2 = s.add_variable(std::vector<ResourceId>{a});
  VariableId f3 = s.add_variable(std::vector<ResourceId>{b});
  VariableId f4 = s.add_variable(std::vector<ResourceId>{c});
  s.solve();
  EXPECT_NEAR(s.rate(f4), 7.0, 7.0 * kRelTol);
  s.remove_variable(f3);
  EXPECT_EQ(Sorted(s.solve()), (std::vector<VariableId>{f1, f2}));
  EXPECT_NEAR(s.rate(f1), 4.0, 4.0 * kRelTol);
  EXPECT_NEAR(s.rate(f2), 6.0, 6.0 * kRelTol);
  EXPECT_TRUE(s.solve().empty());  // nothing touched since
}

TEST(MaxMinSolver, RemovingTheFastFlowLeavesSlowerOnesUntouched) {
  // Link A (1) has flows x, y; link B (10) has y and z. Level 1: A at 1/2
  // fixes x, y = 1/2; B: z = 10 - 1/2 = 9.5. Removing z (rate 9.5) can only
  // act at levels >= 9.5, above x and y: nothing else changes, nothing else
  // is even recomputed.
  MaxMinSolver s;
  ResourceId a = s.add_resource(1.0), b = s.add_resource(10.0);
  VariableId x = s.add_variable(std::vector<ResourceId>{a});
  VariableId y = s.add_variable(std::vector<ResourceId>{a, b});
  VariableId z = s.add_variable(std::vector<ResourceId>{b});
  s.solve();
  EXPECT_NEAR(s.rate(z), 9.5, 9.5 * kRelTol);
  const auto before = s.variables_solved();
  s.remove_variable(z);
  EXPECT_TRUE(s.solve().empty());
  EXPECT_EQ(s.variables_solved(), before);
  EXPECT_NEAR(s.rate(x), 0.5, kRelTol);
  EXPECT_NEAR(s.rate(y), 0.5, kRelTol);
}

TEST(MaxMinSolver, FlowsSharingNoLinkGetTheirNarrowestLinkInTheOrderAdded) {
  // Disjoint paths (a ring's transfers on a non-blocking fat-tree): each
  // flow's rate is the smallest capacity on its path, exactly, and the report
  // lists the flows in the order they were added, as the full procedure does
  // (FlowNetwork schedules completions in that order).
  MaxMinSolver s;
  ResourceId a = s.add_resource(10.0), b = s.add_resource(4.0), c = s.add_resource(7.0), d = s.add_resource(3.0);
  VariableId f1 = s.add_variable(std::vector<ResourceId>{c, d});
  VariableId f2 = s.add_variable(std::vector<ResourceId>{a, b});
  EXPECT_EQ(s.solve(), (std::vector<VariableId>{f1, f2}));
  EXPECT_EQ(s.rate(f1), 3.0);
  EXPECT_EQ(s.rate(f2), 4.0);
  // f1 was the only user of c and d: its end moves no other rate, which
  // the solver can settle without a solve.
  s.remove_variable(f1);
  EXPECT_TRUE(s.settle_idle_removals());
  EXPECT_TRUE(s.solve().empty());
  EXPECT_EQ(s.rate(f2), 4.0);
  // f3 joins f2 on b (capacity 4): 4 / 2 = 2 each, so f2 changes too.
  VariableId f3 = s.add_variable(std::vector<ResourceId>{b, c});
  EXPECT_EQ(Sorted(s.solve()), Sorted({f2, f3}));
  EXPECT_NEAR(s.rate(f2), 2.0, 2.0 * kRelTol);
  EXPECT_NEAR(s.rate(f3), 2.0, 2.0 * kRelTol);
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
  EXPECT_NEAR(s.rate(f6), 3.5, 3.5 * kRelTol);
  EXPECT_NEAR(s.rate(f2), 4.0, 4.0 * kRelTol);
}

// Random additions and removals; after each batch, every rate must equal the
// one a fresh solver computes for the same system from scratch. Tolerance:
// a kept rate may differ by kRateTolerance, plus round-off.
void CheckIncrementalAgainstFresh(std::uint64_t seed, int resources, bool few_capacities, int batches) {
  RandomStream rng = NamedStream(seed, "max_min_solver_test/random");
  std::vector<double> capacity;
  MaxMinSolver s;
  for (int r = 0; r < resources; ++r) {
    // Few distinct capacities make many ties between levels.
    capacity.push_back(few_capacities ? static_cast<double>(1 << rng.uniform_index(3)) : 1.0 + 9.0 * rng.uniform());
    s.add_resource(capacity.back());
  }
  std::vector<std::pair<VariableId, std::vector<ResourceId>>> live;
  for (int batch = 0; batch < batches; ++batch) {
    const int changes = 1 + static_cast<int>(rng.uniform_index(3));
    for (int c = 0; c < changes; ++c) {
      if (!live.empty() && rng.bernoulli(live.size() > 40 ? 0.6 : 0.4)) {
        const auto i = rng.uniform_index(live.size());
        s.remove_variable(live[i].first);
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        std::vector<ResourceId> route;
        const auto hops = 1 + rng.uniform_index(4);
        while (route.size() < hops) {
          auto r = static_cast<ResourceId>(rng.uniform_index(static_cast<std::uint64_t>(resources)));
          if (std::find(route.begin(), route.end(), r) == route.end()) route.push_back(r);
        }
        live.emplace_back(s.add_variable(route), route);
      }
    }
    s.solve();
    MaxMinSolver fresh;
    for (double c : capacity) fresh.add_resource(c);
    std::vector<VariableId> fresh_ids;
    for (const auto& [id, route] : live) fresh_ids.push_back(fresh.add_variable(route));
    fresh.solve();
    for (std::size_t i = 0; i < live.size(); ++i) {
      const double want = fresh.rate(fresh_ids[i]);
      ASSERT_NEAR(s.rate(live[i].first), want, want * 1e-8) << "seed " << seed << " batch " << batch << " flow " << i;
    }
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

}  // namespace
}  // namespace sim::net

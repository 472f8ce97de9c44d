// Weighted max-min fair sharing of resources (links) among variables
// (flows), by progressive filling (Bertsekas & Gallager, Data Networks, 2nd
// ed. 1992, sec. 6.5.2, including its weighted form): each variable v has a
// weight w_v > 0 and a normalized rate rate_v / w_v. Raise every unfixed
// flow's normalized rate together (its rate as w_v x level); when a resource
// saturates, the flows crossing it are fixed at that level; repeat with the
// capacity that is left. The result gives every flow the largest rate that
// does not take bandwidth from a flow with a smaller or equal normalized rate;
// it is the only feasible allocation in which every flow has a bottleneck, a
// saturated resource on which no flow has a larger normalized rate (B&G, sec.
// 6.5.2). With every weight 1 this is plain max-min fairness, and the
// arithmetic below is exactly that of the unweighted algorithm (products and
// quotients by 1.0, sums of 1.0s, all exact).
//
// Below, "rate" in a comparison and "level" always mean normalized rates.
//
// Incremental: adding or removing a variable marks its resources; solve()
// recomputes only a set S of variables that can have changed, with every
// other variable's rate held as a fixed load, and reports those whose rate
// did change, so that the caller reschedules only them. S is found so:
//
//  1. Level cut. Progressive filling fixes flows in increasing order of
//     level. Below a level L the changed flows make no resource saturate
//     earlier or later (a removed flow never saturated its resources below its
//     level; an added flow is never limited below min over its resources of
//     capacity / (sum of the weights of the resource's users), since at level
//     x each user carries at most weight x x), so every level below L is the
//     same as before. L is the minimum of the removed flows' levels and the
//     added flows' bounds; variables with level < L never enter S.
//  2. Bottleneck closure. S starts with the added variables and, on each
//     marked resource, the variables at its level (the largest normalized
//     rate on it: the ones it bottlenecks). Whenever S touches a saturated
//     ("tight") resource, the variables that resource bottlenecks join S too.
//     Held variables (outside S) then all have a bottleneck that S does not
//     touch, so it stays saturated with them at its level.
//  3. Check. With S solved by progressive filling against the capacity the
//     held variables leave, each variable of S has a bottleneck within S. If
//     a held variable on that bottleneck has a higher level (the resource's
//     level fell below it), the allocation is not max-min yet: that variable
//     joins S and S is solved again. When the check passes every flow has a
//     bottleneck: the result is the max-min allocation, as if solved from
//     scratch.
//
// Shortcut (solve_isolated): when every changed resource is left unused or
// used only by one new variable, no rate but the new ones can move and each
// new one gets the smallest capacity on its path, whatever its weight; the
// steps above would compute exactly that, and cost most of a ring
// all-reduce's solves.
//
// Cost of one solve: O(E + R) plus the priority queue per round, for E
// (variable, resource) incidences of S and the R resources they touch.
// Levels come from a monotone priority queue (RadixHeap) keyed by each
// resource's fair share (remaining capacity c / unfixed users' weight W).
// Fixing a flow of weight w at the minimum level s takes s w from each of its
// resources and never lowers another resource's share: (c - s w)/(W - w) >=
// c/W when s <= c/W (the difference is w (c - s W) / (W (W - w)) >= 0). So
// keys are lower bounds and a stale entry is simply pushed back with its
// current share when it surfaces (lazy update); the queue's keys therefore
// never go below the last one popped.
#pragma once

#include "sim/core/units.h"

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "sim/network/radix_heap.h"

namespace sim::net {

using ResourceId = std::uint32_t;
using VariableId = std::uint32_t;

class MaxMinSolver {
 public:
  // A rate that moved by less than this fraction is reported unchanged (and
  // kept), so round-off in a recomputation never reschedules a flow.
  static constexpr double kRateTolerance = 1e-9;
  // A resource counts as tight (saturated) when its load is within this
  // fraction of its capacity. Wider than kRateTolerance, since every kept rate
  // may be off by that much: missing a saturated resource would be wrong,
  // taking an unsaturated one for tight only costs work. The level cut uses
  // the same margin, on the safe side.
  static constexpr double kTightTolerance = 1e-6;

  ResourceId add_resource(BytesPerSecond capacity);
  // Changes a resource's capacity; only while no variable uses it (a caller
  // that must change a used one removes its variables first and adds them
  // back, so that the solve sees ordinary removals and additions).
  void set_capacity(ResourceId r, BytesPerSecond capacity);
  // A variable using each listed resource once (a resource listed twice is
  // used twice: it counts double), sharing with weight `weight` > 0 (its
  // rate is weight x its level). Its rate is 0 until the next solve().
  VariableId add_variable(std::span<const ResourceId> resources, double weight = 1.0);
  void remove_variable(VariableId v);

  // Recomputes what the changes since the last call can have changed;
  // returns the variables whose rate changed (new ones included), valid until
  // the next call.
  const std::vector<VariableId>& solve();

  [[nodiscard]] BytesPerSecond rate(VariableId v) const { return BytesPerSecond{rate_[v]}; }
  [[nodiscard]] double weight(VariableId v) const { return weight_[v]; }
  [[nodiscard]] BytesPerSecond capacity(ResourceId r) const { return BytesPerSecond{resources_[r].capacity}; }
  // When every change since the last solve is a removal that left its
  // resources unused, no rate can move: forgets those changes, as solve()
  // would, and returns true. Otherwise changes nothing and returns false.
  bool settle_idle_removals();
  [[nodiscard]] std::size_t resource_count() const noexcept { return resources_.size(); }
  [[nodiscard]] std::size_t variable_count() const noexcept { return rate_.size() - free_.size(); }
  // Work done so far: variables whose rate was recomputed (S), over all solves.
  [[nodiscard]] std::uint64_t variables_solved() const noexcept { return variables_solved_; }

 private:
  struct Use {
    VariableId var;
    std::uint32_t hop;  // index of this resource in the variable's list
  };
  struct Hop {
    ResourceId resource;
    std::uint32_t position;  // index of the variable's Use in the resource's users
  };
  struct Resource {
    double capacity = 0.0;
    std::vector<Use> users;
    // Sum of its variables' rates in fixed point, in units of capacity x
    // 2^-40 (1e-12 of the capacity), kept exact as rates change: a solve
    // reads a resource's load without visiting its variables, and no
    // round-off builds up over millions of updates.
    std::int64_t load_units = 0;
    double units_per_rate = 0.0;  // 2^40 / capacity
    // Sum of its users' weights (a use each), for the level cut's bound:
    // users.size() + weight_excess, the sum of (weight - 1) over its users.
    // Weights of 1 never touch it, so unweighted runs pay nothing for it. It
    // is kept with Neumaier's compensation (Neumaier 1974) over millions of
    // additions and removals, since a drifting sum could put the bound above
    // the true one (what round-off is left once every weighted user has gone
    // is ~N u^2 of their sum, u = 2^-53); cleared when a weighted last user
    // leaves.
    double weight_excess = 0.0;
    double weight_excess_error = 0.0;
    // Scratch of one solve.
    double load = 0.0;         // sum of the old rates of all its variables
    double load_of_set = 0.0;  // the part of `load` from variables in S
    std::uint32_t in_set = 0;  // uses by variables of S
    double weight_of_set = 0.0;  // their weights, summed
    double remaining = 0.0;    // during a round: capacity not yet given out
    // During a round: uses by unfixed variables of S, and their weights. The
    // count, not the sum, says when none is left: round-off in the sum never
    // decides it.
    std::uint32_t unfixed = 0;
    double unfixed_weight = 0.0;
    std::uint32_t seen = 0;      // == epoch_: touched by S
    std::uint32_t expanded = 0;  // == epoch_: the variables at its level are in S
    bool dirty = false;
  };
  // Per-solve marks of a variable.
  struct Marks {
    std::uint32_t in_set = 0;  // == epoch_: in S
    std::uint32_t fixed = 0;   // == round_: fixed in the current round
  };

  void set_rate(VariableId v, double rate, double level);
  static void add_weight_excess(Resource& r, double excess) noexcept;
  [[nodiscard]] static double weight_sum(const Resource& r) noexcept {
    return static_cast<double>(r.users.size()) + (r.weight_excess + r.weight_excess_error);
  }
  // The resource's level share: remaining / unfixed weight, the weight summed
  // afresh when subtraction has cancelled most of it.
  double fair_share(Resource& r) noexcept;
  void mark_dirty(ResourceId r);
  // Solves when no change touches a resource another variable uses; false
  // when that is not the case (then the full procedure runs).
  bool solve_isolated();
  void compute_change_level();
  [[nodiscard]] bool keeps_rate(VariableId v) const noexcept;
  [[nodiscard]] bool in_set(VariableId v) const noexcept { return marks_[v].in_set == epoch_; }
  void touch(ResourceId r, bool expand);
  void absorb(VariableId v);
  void grow();
  // One round of progressive filling over S; returns whether it found
  // variables that must join S (then S has grown and needs another round).
  bool fill();

  std::vector<Resource> resources_;
  // Variables as parallel arrays: a solve walks thousands of them in random
  // order and reads only their rate and marks, which then share cache lines.
  std::vector<double> rate_;  // 0: added since the last solve, or free
  // rate_ / weight_, as fixed: what every comparison of the solve reads.
  std::vector<double> level_;
  std::vector<double> weight_;
  std::vector<Marks> marks_;
  std::vector<std::vector<Hop>> hops_;
  std::vector<VariableId> free_;
  std::vector<ResourceId> dirty_;
  std::vector<VariableId> added_;
  // L of the level cut: the lowest level a change since the last solve can act at.
  double change_level_ = std::numeric_limits<double>::infinity();
  std::uint32_t epoch_ = 0;
  std::uint32_t round_ = 0;
  std::uint64_t variables_solved_ = 0;
  // Scratch reused across solves, indexed like rate_ where per variable.
  std::vector<double> new_level_;
  std::vector<VariableId> violators_;
  std::vector<ResourceId> set_resources_;
  std::vector<VariableId> set_variables_;
  std::vector<ResourceId> to_expand_;
  RadixHeap levels_;  // resources by fair share
  std::vector<VariableId> changed_;
};

}  // namespace sim::net

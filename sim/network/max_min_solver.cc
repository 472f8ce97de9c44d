#include "sim/network/max_min_solver.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace sim::net {

ResourceId MaxMinSolver::add_resource(BytesPerSecond capacity) {
  resources_.emplace_back();
  const auto id = static_cast<ResourceId>(resources_.size() - 1);
  set_capacity(id, capacity);
  return id;
}

void MaxMinSolver::set_capacity(ResourceId id, BytesPerSecond rate) {
  const double capacity = rate.value;
  assert(capacity > 0.0);
  Resource& r = resources_[id];
  assert(r.users.empty());
  // The fixed-point load telescopes to exactly 0 once the last user has gone.
  assert(r.load_units == 0);
  r.capacity = capacity;
  r.units_per_rate = std::ldexp(1.0, 40) / capacity;
}

VariableId MaxMinSolver::add_variable(std::span<const ResourceId> resources, double weight) {
  assert(!resources.empty());
  assert(weight > 0.0 && std::isfinite(weight));
  VariableId v;
  if (!free_.empty()) {
    v = free_.back();
    free_.pop_back();
  } else {
    v = static_cast<VariableId>(rate_.size());
    rate_.push_back(0.0);
    level_.push_back(0.0);
    weight_.push_back(1.0);
    marks_.emplace_back();
    hops_.emplace_back();
    new_level_.push_back(0.0);
  }
  rate_[v] = 0.0;
  level_[v] = 0.0;
  weight_[v] = weight;
  std::vector<Hop>& hops = hops_[v];
  hops.clear();
  const bool weighted = weight != 1.0;
  for (std::uint32_t h = 0; h < resources.size(); ++h) {
    Resource& r = resources_[resources[h]];
    hops.push_back({resources[h], static_cast<std::uint32_t>(r.users.size())});
    r.users.push_back({v, h});
    if (weighted) add_weight_excess(r, weight - 1.0);
    mark_dirty(resources[h]);
  }
  added_.push_back(v);
  return v;
}

void MaxMinSolver::remove_variable(VariableId v) {
  const bool weighted = weight_[v] != 1.0;
  for (const Hop& hop : hops_[v]) {
    // Swap-remove this variable's entry; the entry moved into its place
    // learns its new position.
    auto& users = resources_[hop.resource].users;
    const Use moved = users.back();
    users[hop.position] = moved;
    hops_[moved.var][moved.hop].position = hop.position;
    users.pop_back();
    if (weighted) {
      Resource& r = resources_[hop.resource];
      if (users.empty()) {
        // Drops the round-off left in the sum with its last user.
        r.weight_excess = 0.0;
        r.weight_excess_error = 0.0;
      } else {
        add_weight_excess(r, 1.0 - weight_[v]);
      }
    }
    mark_dirty(hop.resource);
  }
  // A removed flow acts at levels below its own no more than it did before.
  if (rate_[v] > 0.0) change_level_ = std::min(change_level_, level_[v]);
  set_rate(v, 0.0, 0.0);
  hops_[v].clear();
  free_.push_back(v);
}

namespace {
// Rounds a non-negative rate in load units (below 2^63) to the nearest unit.
std::int64_t Units(double rate, double units_per_rate) noexcept {
  return static_cast<std::int64_t>(rate * units_per_rate + 0.5);
}
}  // namespace

void MaxMinSolver::set_rate(VariableId v, double rate, double level) {
  for (const Hop& hop : hops_[v]) {
    Resource& r = resources_[hop.resource];
    r.load_units += Units(rate, r.units_per_rate) - Units(rate_[v], r.units_per_rate);
  }
  rate_[v] = rate;
  level_[v] = level;
}

// Neumaier's compensated summation (Neumaier 1974; Higham, Accuracy and
// Stability of Numerical Algorithms, 2nd ed., sec. 4.3): the error of each
// addition is carried separately, so that the sum stays within a few ulps of
// the exact one however many weights come and go.
void MaxMinSolver::add_weight_excess(Resource& r, double excess) noexcept {
  const double sum = r.weight_excess + excess;
  if (std::abs(r.weight_excess) >= std::abs(excess)) {
    r.weight_excess_error += (r.weight_excess - sum) + excess;
  } else {
    r.weight_excess_error += (excess - sum) + r.weight_excess;
  }
  r.weight_excess = sum;
}

void MaxMinSolver::mark_dirty(ResourceId r) {
  if (!resources_[r].dirty) {
    resources_[r].dirty = true;
    dirty_.push_back(r);
  }
}

const std::vector<VariableId>& MaxMinSolver::solve() {
  changed_.clear();
  if (dirty_.empty()) return changed_;
  if (solve_isolated()) return changed_;
  ++epoch_;
  set_resources_.clear();
  set_variables_.clear();
  compute_change_level();
  for (ResourceId r : dirty_) {
    resources_[r].dirty = false;
    touch(r, true);
  }
  dirty_.clear();
  grow();
  while (fill()) grow();
  for (VariableId v : set_variables_) {
    const double old = rate_[v];
    const double now = new_level_[v] * weight_[v];
    if (old == 0.0 || std::abs(now - old) > kRateTolerance * old) {
      set_rate(v, now, new_level_[v]);
      changed_.push_back(v);
    }
  }
  variables_solved_ += set_variables_.size();
  change_level_ = std::numeric_limits<double>::infinity();
  return changed_;
}

// With nothing added, solve_isolated's case is exactly "every changed
// resource is unused", and it then only forgets the changes.
bool MaxMinSolver::settle_idle_removals() { return added_.empty() && solve_isolated(); }

// The common case of a collective whose flows do not contend (each transfer
// of a ring on a non-blocking fat-tree has its links to itself): every
// changed resource is now unused or used once, by a variable added since the
// last solve. Then no other variable shares a resource with a change, so no
// other rate can move, and progressive filling would give each added variable
// the fair share of its first saturating resource, capacity / 1 with nothing
// else loaded, i.e. the smallest capacity on its path. This computes exactly
// that, and reports the variables in the order the full procedure would (that
// of added_), so that its callers schedule identical events. A lone flow's
// weight does not matter: the same rate, at level rate / weight. Returns
// false, having changed nothing but per-solve marks, when the case does not
// apply.
bool MaxMinSolver::solve_isolated() {
  ++epoch_;
  for (VariableId v : added_) marks_[v].in_set = epoch_;
  for (ResourceId id : dirty_) {
    const Resource& r = resources_[id];
    if (r.users.empty()) continue;
    // load_units is 0 whenever the only user is a variable added at rate 0
    // (the fixed-point sum telescopes); checked, not assumed.
    if (r.users.size() > 1 || marks_[r.users[0].var].in_set != epoch_ || r.load_units != 0) return false;
  }
  for (ResourceId id : dirty_) resources_[id].dirty = false;
  dirty_.clear();
  ++epoch_;  // marks each added variable once more, as it is reported
  for (VariableId v : added_) {
    if (hops_[v].empty() || marks_[v].in_set == epoch_) continue;  // removed again, or listed twice
    marks_[v].in_set = epoch_;
    double rate = std::numeric_limits<double>::infinity();
    for (const Hop& hop : hops_[v]) rate = std::min(rate, resources_[hop.resource].capacity);
    set_rate(v, rate, rate / weight_[v]);
    changed_.push_back(v);
    ++variables_solved_;
  }
  added_.clear();
  change_level_ = std::numeric_limits<double>::infinity();
  return true;
}

// An added variable is never saturated below level min over its resources
// of capacity / (sum of its users' weights) (at that level each of its
// resources carries at most its capacity), so its level will be at least
// that. Added variables start S.
void MaxMinSolver::compute_change_level() {
  for (VariableId v : added_) {
    for (const Hop& hop : hops_[v]) {  // empty if removed meanwhile
      const Resource& r = resources_[hop.resource];
      change_level_ = std::min(change_level_, r.capacity / weight_sum(r));
    }
  }
  for (VariableId v : added_) {
    if (!hops_[v].empty() && !in_set(v)) absorb(v);
  }
  added_.clear();
}

// Below the change level with a margin, so that round-off in a kept rate
// never freezes a variable that the change can reach.
bool MaxMinSolver::keeps_rate(VariableId v) const noexcept {
  return level_[v] > 0.0 && level_[v] < change_level_ * (1.0 - kTightTolerance);
}

// Records that S uses resource r; schedules it for expansion when asked to
// (a marked resource) or when it is tight under the current rates.
void MaxMinSolver::touch(ResourceId id, bool expand) {
  Resource& r = resources_[id];
  if (r.seen != epoch_) {
    r.seen = epoch_;
    set_resources_.push_back(id);
    r.load = static_cast<double>(r.load_units) / r.units_per_rate;
    r.load_of_set = 0.0;
    r.in_set = 0;
    r.weight_of_set = 0.0;
  }
  if (!expand) expand = r.load >= r.capacity * (1.0 - kTightTolerance);
  if (expand && r.expanded != epoch_) {
    r.expanded = epoch_;
    to_expand_.push_back(id);
  }
}

void MaxMinSolver::absorb(VariableId v) {
  marks_[v].in_set = epoch_;
  set_variables_.push_back(v);
  for (const Hop& hop : hops_[v]) {
    touch(hop.resource, false);
    Resource& r = resources_[hop.resource];
    r.load_of_set += rate_[v];
    ++r.in_set;
    r.weight_of_set += weight_[v];
  }
}

// Closes S over expanded resources: each brings in the variables it
// bottlenecks, those at its level (the largest normalized rate on it), unless
// the level cut keeps them.
void MaxMinSolver::grow() {
  while (!to_expand_.empty()) {
    const ResourceId id = to_expand_.back();
    to_expand_.pop_back();
    const std::vector<Use>& users = resources_[id].users;
    double level = 0.0;
    for (const Use& use : users) level = std::max(level, level_[use.var]);
    const double at_level = level * (1.0 - kTightTolerance);
    for (const Use& use : users) {
      if (!in_set(use.var) && level_[use.var] >= at_level && !keeps_rate(use.var)) absorb(use.var);
    }
  }
}

// When subtracting fixed variables' weights has cancelled all but 2^-20 of
// the weight S put on a resource, the difference may have lost 20 bits: the
// unfixed weights are summed again. With weights of 1 the difference is an
// exact count >= 1 (the sum is redone only past 2^20 uses, and gives the same
// count).
double MaxMinSolver::fair_share(Resource& r) noexcept {
  if (r.unfixed_weight <= r.weight_of_set * 0x1p-20) {
    r.unfixed_weight = 0.0;
    for (const Use& use : r.users) {
      if (in_set(use.var) && marks_[use.var].fixed != round_) r.unfixed_weight += weight_[use.var];
    }
  }
  return std::max(r.remaining, 0.0) / r.unfixed_weight;
}

// Progressive filling of S on the capacity that the variables outside S
// leave, with the check of cut 3 on the way: a variable outside S whose level
// is above the one at which a resource fixes variables of S joins S.
bool MaxMinSolver::fill() {
  ++round_;
  levels_.clear();
  for (ResourceId id : set_resources_) {
    Resource& r = resources_[id];
    r.remaining = r.capacity - (r.load - r.load_of_set);
    r.unfixed = r.in_set;
    r.unfixed_weight = r.weight_of_set;
    if (r.unfixed > 0) levels_.push(std::max(r.remaining, 0.0) / r.unfixed_weight, id);
  }
  violators_.clear();
  std::size_t unfixed_variables = set_variables_.size();
  while (unfixed_variables > 0) {
    const RadixHeap::Entry top = levels_.pop();
    Resource& r = resources_[top.id];
    if (r.unfixed == 0) continue;
    const double share = fair_share(r);
    if (share > top.key()) {  // stale key: the share has grown since
      levels_.push(share, top.id);
      continue;
    }
    // The bottleneck at this level: every variable still unfixed on it gets
    // level `share`, rate share x its weight.
    const double faster = share * (1.0 + kRateTolerance);
    for (std::size_t u = 0; u < r.users.size(); ++u) {
      const VariableId var = r.users[u].var;
      Marks& marks = marks_[var];
      if (marks.in_set != epoch_) {
        if (level_[var] > faster) violators_.push_back(var);
        continue;
      }
      if (marks.fixed == round_) continue;
      marks.fixed = round_;
      new_level_[var] = share;
      const double weight = weight_[var];
      const double rate = share * weight;
      for (const Hop& hop : hops_[var]) {
        Resource& other = resources_[hop.resource];
        other.remaining -= rate;
        other.unfixed_weight -= weight;
        --other.unfixed;
      }
      --unfixed_variables;
    }
  }
  const std::size_t set_size = set_variables_.size();
  for (VariableId v : violators_) {
    if (!in_set(v)) absorb(v);
  }
  return set_variables_.size() > set_size;
}

}  // namespace sim::net

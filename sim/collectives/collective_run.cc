#include "sim/collectives/collective_run.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sim::collectives {

CollectiveRun::CollectiveRun(Engine& engine, Transport& transport, std::shared_ptr<const Schedule> schedule,
                             std::vector<EndpointId> endpoint_of_rank, RunOptions options)
    : engine_(engine),
      transport_(transport),
      schedule_(std::move(schedule)),
      endpoint_(std::move(endpoint_of_rank)),
      options_(std::move(options)) {
  if (!schedule_) throw std::invalid_argument("collective run: no schedule");
  if (!schedule_->sealed()) throw std::invalid_argument("collective run: schedule is not sealed");
  const std::uint32_t p = schedule_->ranks();
  if (endpoint_.size() != p) {
    throw std::invalid_argument("collective run: " + std::to_string(endpoint_.size()) + " endpoints for " +
                                std::to_string(p) + " ranks");
  }
  if (options_.reduction_rate.value < 0.0) {
    throw std::invalid_argument("collective run: reduction rate must be >= 0 B/s, got " +
                                std::to_string(options_.reduction_rate.value));
  }
  if (options_.eager_limit.count < 0) {
    throw std::invalid_argument("collective run: eager limit must be >= 0 B, got " +
                                std::to_string(options_.eager_limit.count));
  }
  const std::size_t n = schedule_->size();
  deps_left_.resize(n);
  transfers_left_of_rank_.assign(p, 0);
  const bool any_eager = options_.eager_limit.count > 0;
  if (any_eager) {
    effect_deps_left_.assign(n, 0);
    delivered_early_.assign(n, false);
    arrived_before_entry_.resize(p);
  }
  for (TransferId id = 0; id < n; ++id) {
    const Transfer& t = schedule_->transfer(id);
    if (any_eager && eager(t)) {
      std::uint32_t to_start = 0;
      for (TransferId dep : schedule_->deps(id)) {
        if (gates_start(t, DependencyTarget(dep))) ++to_start;
      }
      deps_left_[id] = to_start;
      effect_deps_left_[id] = static_cast<std::uint32_t>(schedule_->deps(id).size()) - to_start;
    } else {
      deps_left_[id] = static_cast<std::uint32_t>(schedule_->deps(id).size());
    }
    ++transfers_left_of_rank_[t.src];
    ++transfers_left_of_rank_[t.dst];
  }
  roots_of_rank_.resize(p);
  for (TransferId id = 0; id < n; ++id) {
    if (deps_left_[id] != 0) continue;
    const Transfer& t = schedule_->transfer(id);
    roots_of_rank_[t.src].push_back(id);
    if (!eager(t)) roots_of_rank_[t.dst].push_back(id);
  }
  entered_.assign(p, false);
  waiting_for_rank_.resize(p);
  reducer_free_at_.assign(p, Time::zero());
  if (schedule_->has_exchanges()) waiting_for_partner_.assign(n, false);
  rank_finish_.assign(p, Time::zero());
  ranks_left_ = p;
}

void CollectiveRun::start() {
  for (Rank r = 0; r < schedule_->ranks(); ++r) enter(r);
}

void CollectiveRun::enter(Rank r) {
  if (r >= schedule_->ranks()) {
    throw std::out_of_range("collective run: rank " + std::to_string(r) + " is not in [0, " +
                            std::to_string(schedule_->ranks()) + ")");
  }
  if (entered_[r]) return;
  entered_[r] = true;
  if (transfers_left_of_rank_[r] == 0) {
    rank_progress(r);
    return;
  }
  for (TransferId id : roots_of_rank_[r]) {
    if (deps_left_[id] == 0) try_start(id);
  }
  std::vector<TransferId> waiting = std::move(waiting_for_rank_[r]);
  waiting_for_rank_[r].clear();
  for (TransferId id : waiting) try_start(id);
  if (!arrived_before_entry_.empty()) {
    std::vector<TransferId> arrived_early = std::move(arrived_before_entry_[r]);
    arrived_before_entry_[r].clear();
    for (TransferId id : arrived_early) effect_when_ready(id);
  }
}

void CollectiveRun::try_start(TransferId id) {
  const Transfer& t = schedule_->transfer(id);
  if (deps_left_[id] != 0) return;  // not ready, or already started
  if (!entered_[t.src]) {
    waiting_for_rank_[t.src].push_back(id);
  } else if (!entered_[t.dst] && !eager(t)) {
    waiting_for_rank_[t.dst].push_back(id);
  } else {
    launch(id);
  }
}

void CollectiveRun::launch(TransferId id) {
  // Marks the transfer as started so that enter() does not start it again.
  deps_left_[id] = kStarted;
  // Read when it is delivered: a whole drain from now, plenty of time for a
  // cache miss to resolve and little for the line to be evicted.
  schedule_->prefetch_dependents(id);
  const Transfer& t = schedule_->transfer(id);
  transport_.send(endpoint_[t.src], endpoint_[t.dst], Bytes{t.range.length}, [this, id] { delivered(id); });
}

void CollectiveRun::delivered(TransferId id) {
  // The dependents' counters and transfers lie far from `id`'s (a ring's
  // are p transfers on) and are rarely still cached; requesting them all
  // first overlaps their cache misses instead of taking them one by one.
  // Their own dependents' index is requested too, for when they are
  // launched (below) and delivered.
  for (TransferId dep : schedule_->dependents(id)) {
    const TransferId next = DependencyTarget(dep);
    __builtin_prefetch(&deps_left_[next]);
    schedule_->prefetch_transfer(next);
    schedule_->prefetch_dependents_index(next);
  }
  release(id, true);
  if (!delivered_early_.empty() && eager(schedule_->transfer(id))) {
    delivered_early_[id] = true;
    effect_when_ready(id);
    return;
  }
  arrived(id);
}

void CollectiveRun::effect_when_ready(TransferId id) {
  if (!delivered_early_[id] || effect_deps_left_[id] != 0) return;
  const Rank receiver = schedule_->transfer(id).dst;
  if (!entered_[receiver]) {
    arrived_before_entry_[receiver].push_back(id);
    return;
  }
  delivered_early_[id] = false;
  arrived(id);
}

void CollectiveRun::arrived(TransferId id) {
  // An exchange's halves take effect together, once both have arrived.
  if (const TransferId partner = schedule_->partner(id); partner != Schedule::kNoPartner) {
    if (!waiting_for_partner_[partner]) {
      waiting_for_partner_[id] = true;
      return;
    }
    waiting_for_partner_[partner] = false;
    take_effect(partner);
  }
  take_effect(id);
}

void CollectiveRun::take_effect(TransferId id) {
  const Transfer& t = schedule_->transfer(id);
  if (t.combine == Combine::kReduce && options_.reduction_rate.value > 0.0) {
    Time& free_at = reducer_free_at_[t.dst];
    free_at = std::max(free_at, engine_.now()) + TransferTime(Bytes{t.range.length}, options_.reduction_rate);
    engine_.schedule_at(free_at, [this, id] { complete(id); });
    return;
  }
  complete(id);
}

void CollectiveRun::release(TransferId id, bool at_delivery) {
  for (TransferId dep : schedule_->dependents(id)) {
    if (IsDeliveryOnly(dep) != at_delivery) continue;
    const TransferId next = DependencyTarget(dep);
    if (!effect_deps_left_.empty() && !gates_start(schedule_->transfer(next), id)) {
      if (--effect_deps_left_[next] == 0) effect_when_ready(next);
    } else if (--deps_left_[next] == 0) {
      try_start(next);
    }
  }
}

void CollectiveRun::complete(TransferId id) {
  release(id, false);
  const Transfer& t = schedule_->transfer(id);
  if (--transfers_left_of_rank_[t.src] == 0) rank_progress(t.src);
  if (--transfers_left_of_rank_[t.dst] == 0) rank_progress(t.dst);
}

void CollectiveRun::rank_progress(Rank r) {
  rank_finish_[r] = engine_.now();
  if (options_.on_rank_done) options_.on_rank_done(r, engine_.now());
  if (--ranks_left_ == 0) {
    finish_time_ = engine_.now();
    if (options_.on_done) options_.on_done(finish_time_);
  }
}

}  // namespace sim::collectives

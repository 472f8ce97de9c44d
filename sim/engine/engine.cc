#include "sim/engine/engine.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <string>

namespace sim {

std::uint32_t Engine::allocate_slot() {
  if (free_head_ != kNoSlot) {
    std::uint32_t s = free_head_;
    free_head_ = slots_[s].next_free;
    return s;
  }
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void Engine::release_slot(std::uint32_t s) noexcept {
  Slot& slot = slots_[s];
  slot.fn = nullptr;
  // Skip 0 on wrap-around: generation 0 marks an invalid EventId.
  if (++slot.generation == 0) slot.generation = 1;
  slot.next_free = free_head_;
  free_head_ = s;
}

EventId Engine::schedule_at(Time when, Callback fn) {
  if (when < now_) {
    throw std::logic_error("Engine::schedule_at: time " + std::to_string(when.picoseconds()) +
                           "ps is before now " + std::to_string(now_.picoseconds()) + "ps");
  }
  std::uint32_t s = allocate_slot();
  slots_[s].fn = std::move(fn);
  std::uint32_t gen = slots_[s].generation;
  push(Entry{when.picoseconds(), next_seq_++, s, gen});
  return EventId{s, gen};
}

bool Engine::is_pending(EventId id) const noexcept {
  return id.valid() && id.slot < slots_.size() && slots_[id.slot].generation == id.generation;
}

bool Engine::cancel(EventId id) noexcept {
  if (!is_pending(id)) return false;
  release_slot(id.slot);
  ++tombstones_;
  if (tombstones_ > 1024 && tombstones_ * 2 > heap_.size()) compact();
  return true;
}

void Engine::push(Entry e) {
  heap_.push_back(e);
  std::size_t hole = heap_.size() - 1;
  while (hole > 0) {
    std::size_t parent = (hole - 1) / 4;
    if (!before(e, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = e;
}

void Engine::sift_down(std::size_t hole, Entry e) {
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t first = hole * 4 + 1;
    if (first >= n) break;
    std::size_t best = first;
    std::size_t last = std::min(first + 4, n);
    for (std::size_t c = first + 1; c < last; ++c) {
      if (before(heap_[c], heap_[best])) best = c;
    }
    if (!before(heap_[best], e)) break;
    heap_[hole] = heap_[best];
    hole = best;
  }
  heap_[hole] = e;
}

void Engine::pop_top() {
  Entry last = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(0, last);
}

void Engine::compact() {
  std::erase_if(heap_, [this](const Entry& e) { return slots_[e.slot].generation != e.generation; });
  tombstones_ = 0;
  // Re-heapify bottom-up (Floyd); order among equal times is kept by seq.
  if (heap_.size() > 1) {
    for (std::size_t i = (heap_.size() - 2) / 4 + 1; i-- > 0;) sift_down(i, heap_[i]);
  }
}

// Fires the earliest live event if its time is <= limit. Returns false when
// there is nothing (left) to fire within the limit.
bool Engine::fire_next(Time limit) {
  while (!heap_.empty()) {
    const Entry top = heap_.front();
    Slot& slot = slots_[top.slot];
    if (slot.generation != top.generation) {  // cancelled: drop the tombstone
      pop_top();
      --tombstones_;
      continue;
    }
    if (top.time_ps > limit.picoseconds()) return false;
    pop_top();
    // Move the callback out before calling it: it may schedule events, which
    // can grow slots_ and would invalidate a reference into it.
    Callback fn = std::move(slot.fn);
    release_slot(top.slot);
    now_ = Time(top.time_ps);
    ++fired_;
    if (trace_) trace_(now_, top.seq);
    fn();
    return true;
  }
  return false;
}

void Engine::run() { run_until(Time::max()); }

void Engine::run_until(Time limit) {
  stopped_ = false;
  while (!stopped_ && fire_next(limit)) {
  }
  if (!stopped_ && limit != Time::max() && now_ < limit) now_ = limit;
}

}  // namespace sim

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
  if (slots_.size() > kSlotMask) {
    throw std::length_error("Engine: more than 2^24 events pending at once");
  }
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void Engine::release_slot(std::uint32_t s) noexcept {
  Slot& slot = slots_[s];
  slot.fn = nullptr;
  slot.live_key = 0;
  slot.next_free = free_head_;
  free_head_ = s;
}

EventId Engine::schedule_at(Time when, Callback fn) {
  if (when < now_) {
    throw std::logic_error("Engine::schedule_at: time " + std::to_string(when.picoseconds()) +
                           "ps is before now " + std::to_string(now_.picoseconds()) + "ps");
  }
  if (next_seq_ >= kMaxSeq) throw std::length_error("Engine: more than 2^40 events scheduled");
  std::uint32_t s = allocate_slot();
  const std::uint64_t key = (next_seq_++ << kSlotBits) | s;
  slots_[s].fn = std::move(fn);
  slots_[s].live_key = key;
  push(Entry{when.picoseconds(), key});
  return EventId{key};
}

bool Engine::is_pending(EventId id) const noexcept {
  return id.valid() && id.slot() < slots_.size() && slots_[id.slot()].live_key == id.key;
}

bool Engine::cancel(EventId id) noexcept {
  if (!is_pending(id)) return false;
  release_slot(id.slot());
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
  // Bottom-up ("Floyd's trick"): walk the hole down to a leaf along the
  // smallest children without comparing against `e`, then sift `e` back up.
  // The element moved from the end of the heap almost always belongs near the
  // bottom, so this saves most comparisons of the classic loop.
  const std::size_t n = heap_.size();
  const std::size_t start = hole;
  for (;;) {
    std::size_t first = hole * 4 + 1;
    if (first >= n) break;
    std::size_t best = first;
    if (first + 4 <= n) {
      std::size_t b01 = before(heap_[first + 1], heap_[first]) ? first + 1 : first;
      std::size_t b23 = before(heap_[first + 3], heap_[first + 2]) ? first + 3 : first + 2;
      best = before(heap_[b23], heap_[b01]) ? b23 : b01;
    } else {
      for (std::size_t c = first + 1; c < n; ++c) {
        if (before(heap_[c], heap_[best])) best = c;
      }
    }
    heap_[hole] = heap_[best];
    hole = best;
  }
  while (hole > start) {
    std::size_t parent = (hole - 1) / 4;
    if (!before(e, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = e;
}

void Engine::pop_top() {
  Entry last = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(0, last);
}

void Engine::compact() {
  std::erase_if(heap_, [this](const Entry& e) { return !live(e); });
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
    const auto slot_index = static_cast<std::uint32_t>(top.key & kSlotMask);
    Slot& slot = slots_[slot_index];
    if (slot.live_key != top.key) {  // cancelled: drop the tombstone
      pop_top();
      --tombstones_;
      continue;
    }
    if (top.time_ps > limit.picoseconds()) return false;
    pop_top();
    // Move the callback out before calling it: it may schedule events, which
    // can grow slots_ and would invalidate a reference into it.
    Callback fn = std::move(slot.fn);
    release_slot(slot_index);
    now_ = Time(top.time_ps);
    ++fired_;
    if (trace_) trace_(now_, top.key >> kSlotBits);
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

#include "sim/engine/engine.h"

#include <algorithm>
#include <bit>
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
  if (tombstones_ > 1024 && tombstones_ * 2 > queued_) compact();
  return true;
}

std::size_t Engine::bucket_of(std::int64_t time_ps) const noexcept {
  // Times are >= 0 (the clock starts at 0 and never goes back), so their bit
  // patterns order like the times.
  const auto diff = static_cast<std::uint64_t>(time_ps) ^ static_cast<std::uint64_t>(base_ps_);
  return diff == 0 ? 0 : 64 - static_cast<std::size_t>(std::countl_zero(diff));
}

// An event at base_ps_ (now) goes to the back of bucket 0: its sequence
// number is above every queued one, so bucket 0 stays in sequence order.
void Engine::push(Entry e) {
  const std::size_t b = bucket_of(e.time_ps);
  buckets_[b].push_back(e);
  if (b > 0) nonempty_ |= std::uint64_t{1} << (b - 1);
  ++queued_;
}

bool Engine::refill(Time limit) {
  std::vector<Entry>& front = buckets_[0];
  if (front_ < front.size()) return true;
  front.clear();
  front_ = 0;
  if (nonempty_ == 0) return false;
  const std::size_t i = 1 + static_cast<std::size_t>(std::countr_zero(nonempty_));
  std::vector<Entry>& bucket = buckets_[i];
  std::int64_t earliest = bucket.front().time_ps;
  for (const Entry& e : bucket) earliest = std::min(earliest, e.time_ps);
  // Nothing moves when the earliest event is past the limit, so that base_ps_
  // stays <= the clock, which run_until() then sets to the limit.
  if (earliest > limit.picoseconds()) return false;
  nonempty_ &= ~(std::uint64_t{1} << (i - 1));
  base_ps_ = earliest;
  // Every entry lands in a bucket below i (its highest bit differing from the
  // new base is lower), never in i itself.
  for (const Entry& e : bucket) {
    const std::size_t b = bucket_of(e.time_ps);
    buckets_[b].push_back(e);
    if (b > 0) nonempty_ |= std::uint64_t{1} << (b - 1);
  }
  bucket.clear();
  // Bucket i was unordered: the events of the earliest time fire in sequence order.
  std::sort(front.begin(), front.end(),
            [](const Entry& a, const Entry& b) { return a.key < b.key; });
  return true;
}

void Engine::compact() {
  std::vector<Entry>& front = buckets_[0];
  front.erase(front.begin(), front.begin() + static_cast<std::ptrdiff_t>(front_));
  front_ = 0;
  queued_ = 0;
  for (std::size_t b = 0; b < kBuckets; ++b) {
    std::erase_if(buckets_[b], [this](const Entry& e) { return !live(e); });  // keeps the order
    queued_ += buckets_[b].size();
    if (b > 0 && buckets_[b].empty()) nonempty_ &= ~(std::uint64_t{1} << (b - 1));
  }
  tombstones_ = 0;
}

// Fires the earliest live event if its time is <= limit. Returns false when
// there is nothing (left) to fire within the limit.
bool Engine::fire_next(Time limit) {
  while (refill(limit)) {
    const Entry top = buckets_[0][front_];
    const auto slot_index = static_cast<std::uint32_t>(top.key & kSlotMask);
    Slot& slot = slots_[slot_index];
    if (slot.live_key != top.key) {  // cancelled: drop the tombstone
      ++front_;
      --queued_;
      --tombstones_;
      continue;
    }
    if (top.time_ps > limit.picoseconds()) return false;
    ++front_;
    --queued_;
    // Events often share a time (picoseconds are coarse next to a million
    // pending events): fetch the next one's slot while this one runs, as a
    // slot is a cache miss once the pending events outgrow the cache.
    if (front_ < buckets_[0].size()) {
      __builtin_prefetch(&slots_[buckets_[0][front_].key & kSlotMask]);
    }
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

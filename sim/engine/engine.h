// The discrete-event engine: a clock and a queue of callbacks ordered by
// (time, insertion order). Events at equal time fire in the order they were
// scheduled, which is what makes a run deterministic (sim/DESIGN.md, decision 2).
//
// The engine is an object that is passed to whoever schedules; there is no
// global simulator (STYLE.md). Cancellation is lazy: a cancelled event stays in
// the queue as a tombstone that is skipped when it reaches the front, so cancel
// is O(1); the queue is compacted when tombstones outnumber live events.
//
// The queue is a radix heap on the event time (Ahuja, Mehlhorn, Orlin &
// Tarjan, JACM 1990; sim/network/radix_heap.h does the same for max-min
// levels): an event is never scheduled before now, so the keys are monotone.
// Bucket 0 holds the events at the time of the front, in sequence order; bucket
// i >= 1 the events whose time's highest bit differing from that time is bit
// i - 1. Scheduling appends to a bucket, O(1); firing takes bucket 0's front,
// and when bucket 0 is empty the lowest non-empty bucket is split around its
// earliest time, each event moving only to a lower bucket: amortised
// O(bits of the time span) moves per event, all sequential. A binary or 4-ary
// heap instead jumps through log n cache lines per event: with 100,000 events
// pending the hold model ran at 0.43x a bare std::priority_queue with the
// 4-ary heap (bench_engine.cc).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "sim/core/time.h"

namespace sim {

// Handle to a scheduled event. Stays valid (and harmless) after the event has
// fired or been cancelled: cancel() and is_pending() then simply say so.
// Internally the event's ordering key: (sequence number << 24) | slot.
struct EventId {
  std::uint64_t key = 0;  // 0 never names an event
  [[nodiscard]] bool valid() const noexcept { return key != 0; }
  [[nodiscard]] std::uint32_t slot() const noexcept { return static_cast<std::uint32_t>(key & 0xffffff); }
};

class Engine {
 public:
  using Callback = std::function<void()>;
  // Called for every event as it fires: (time, sequence number). For traces
  // and determinism tests; costs one predictable branch when unset.
  using TraceHook = std::function<void(Time, std::uint64_t)>;

  Engine() = default;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Schedule `fn` at absolute time `when` (must not be in the past).
  EventId schedule_at(Time when, Callback fn);
  // Schedule `fn` after `delay` (must be >= 0) from now.
  EventId schedule_in(Time delay, Callback fn) { return schedule_at(now_ + delay, std::move(fn)); }

  // Remove a pending event. Returns false if it already fired or was cancelled.
  bool cancel(EventId id) noexcept;
  [[nodiscard]] bool is_pending(EventId id) const noexcept;

  // Fire events until the queue is empty or stop() is called.
  void run();
  // Fire events with time <= limit; the clock then reads min(limit, last event).
  void run_until(Time limit);
  // Ask run()/run_until() to return after the event that is firing now.
  void stop() noexcept { stopped_ = true; }

  [[nodiscard]] Time now() const noexcept { return now_; }
  [[nodiscard]] std::uint64_t events_fired() const noexcept { return fired_; }
  [[nodiscard]] std::size_t pending() const noexcept { return queued_ - tombstones_; }
  [[nodiscard]] bool empty() const noexcept { return pending() == 0; }

  void set_trace(TraceHook hook) { trace_ = std::move(hook); }

 private:
  // 16 bytes. `key` packs a 40-bit sequence number above a 24-bit slot
  // index, so comparing keys compares sequence numbers (unique), and the slot
  // comes for free. Limits: 2^40 events scheduled per run, 2^24 pending at
  // once; both are checked.
  struct Entry {
    std::int64_t time_ps;
    std::uint64_t key;
  };
  struct Slot {
    Callback fn;
    std::uint64_t live_key = 0;  // key of the pending event held here; 0 if none
    std::uint32_t next_free = 0;
  };
  static constexpr int kSlotBits = 24;
  static constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
  static constexpr std::uint64_t kMaxSeq = std::uint64_t{1} << (64 - kSlotBits);
  static constexpr std::size_t kBuckets = 65;

  bool live(const Entry& e) const noexcept { return slots_[e.key & kSlotMask].live_key == e.key; }
  // Bucket of an event at `time_ps` relative to the front's time base_ps_.
  [[nodiscard]] std::size_t bucket_of(std::int64_t time_ps) const noexcept;
  void push(Entry e);
  // Makes bucket 0 hold the earliest events, unless the earliest time is after
  // `limit`; returns whether bucket 0 then holds an event.
  bool refill(Time limit);
  void compact();
  bool fire_next(Time limit);
  std::uint32_t allocate_slot();
  void release_slot(std::uint32_t slot) noexcept;

  // Bucket 0 is read from front_ on; the others are unordered.
  std::array<std::vector<Entry>, kBuckets> buckets_;
  std::size_t front_ = 0;
  std::uint64_t nonempty_ = 0;  // bit i - 1: bucket i (1..64) holds entries
  std::int64_t base_ps_ = 0;    // time of bucket 0's events; <= now_ between events
  std::size_t queued_ = 0;      // entries in the buckets, tombstones included
  std::vector<Slot> slots_;
  std::uint32_t free_head_ = kNoSlot;
  std::size_t tombstones_ = 0;
  std::uint64_t next_seq_ = 1;
  std::uint64_t fired_ = 0;
  Time now_ = Time::zero();
  bool stopped_ = false;
  TraceHook trace_;

  static constexpr std::uint32_t kNoSlot = 0xffffffffu;
};

}  // namespace sim

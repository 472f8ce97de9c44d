// Engine: ordering by (time, insertion order), cancellation, run_until, and
// determinism of the event trace.
#include "sim/engine/engine.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/random.h"

namespace sim {
namespace {

TEST(EngineOrdering, FiresInTimeOrder) {
  Engine engine;
  std::vector<int> order;
  engine.schedule_at(Picoseconds(30), [&] { order.push_back(3); });
  engine.schedule_at(Picoseconds(10), [&] { order.push_back(1); });
  engine.schedule_at(Picoseconds(20), [&] { order.push_back(2); });
  engine.run();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(engine.now(), Picoseconds(30));
  EXPECT_EQ(engine.events_fired(), 3u);
}

TEST(EngineOrdering, EqualTimesFireInInsertionOrder) {
  Engine engine;
  std::vector<int> order;
  for (int i = 0; i < 100; ++i) engine.schedule_at(Picoseconds(5), [&order, i] { order.push_back(i); });
  engine.run();
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
}

TEST(EngineOrdering, EventScheduledDuringEventAtSameTimeFiresAfterIt) {
  Engine engine;
  std::vector<std::string> order;
  engine.schedule_at(Picoseconds(1), [&] {
    order.push_back("a");
    engine.schedule_in(Time::zero(), [&] { order.push_back("c"); });
  });
  engine.schedule_at(Picoseconds(1), [&] { order.push_back("b"); });
  engine.run();
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(EngineOrdering, SchedulingInThePastThrows) {
  Engine engine;
  engine.schedule_at(Picoseconds(10), [&] { EXPECT_THROW(engine.schedule_at(Picoseconds(5), [] {}), std::logic_error); });
  engine.run();
}

TEST(EngineCancel, CancelledEventNeverFires) {
  Engine engine;
  bool fired = false;
  EventId id = engine.schedule_at(Picoseconds(10), [&] { fired = true; });
  EXPECT_TRUE(engine.is_pending(id));
  EXPECT_TRUE(engine.cancel(id));
  EXPECT_FALSE(engine.is_pending(id));
  EXPECT_FALSE(engine.cancel(id));  // second cancel is a no-op
  engine.run();
  EXPECT_FALSE(fired);
  EXPECT_EQ(engine.events_fired(), 0u);
}

TEST(EngineCancel, HandleOfFiredEventIsStale) {
  Engine engine;
  EventId id = engine.schedule_at(Picoseconds(1), [] {});
  engine.run();
  EXPECT_FALSE(engine.is_pending(id));
  EXPECT_FALSE(engine.cancel(id));
  // The slot is reused by a new event; the old handle must not cancel it.
  bool fired = false;
  EventId fresh = engine.schedule_at(Picoseconds(2), [&] { fired = true; });
  EXPECT_EQ(fresh.slot(), id.slot());
  EXPECT_FALSE(engine.cancel(id));
  engine.run();
  EXPECT_TRUE(fired);
}

TEST(EngineCancel, EventCanCancelAnotherAtTheSameTime) {
  Engine engine;
  bool second = false;
  EventId victim;
  engine.schedule_at(Picoseconds(7), [&] { engine.cancel(victim); });
  victim = engine.schedule_at(Picoseconds(7), [&] { second = true; });
  engine.run();
  EXPECT_FALSE(second);
}

TEST(EngineCancel, ManyCancellationsCompactAndKeepOrder) {
  // Enough cancellations to trigger compaction; the survivors must still fire
  // in (time, insertion) order.
  Engine engine;
  std::vector<EventId> ids;
  std::vector<int> fired;
  for (int i = 0; i < 10'000; ++i) {
    ids.push_back(engine.schedule_at(Picoseconds(10'000 - i % 100), [&fired, i] { fired.push_back(i); }));
  }
  for (int i = 0; i < 10'000; ++i) {
    if (i % 10 != 0) engine.cancel(ids[i]);
  }
  EXPECT_EQ(engine.pending(), 1'000u);
  engine.run();
  ASSERT_EQ(fired.size(), 1'000u);
  for (std::size_t k = 1; k < fired.size(); ++k) {
    int a = fired[k - 1], b = fired[k];
    Time ta = Picoseconds(10'000 - a % 100), tb = Picoseconds(10'000 - b % 100);
    EXPECT_TRUE(ta < tb || (ta == tb && a < b)) << a << " before " << b;
  }
}

TEST(EngineRun, RunUntilStopsAtLimitAndAdvancesClock) {
  Engine engine;
  int count = 0;
  engine.schedule_at(Picoseconds(10), [&] { ++count; });
  engine.schedule_at(Picoseconds(20), [&] { ++count; });
  engine.schedule_at(Picoseconds(30), [&] { ++count; });
  engine.run_until(Picoseconds(20));
  EXPECT_EQ(count, 2);
  EXPECT_EQ(engine.now(), Picoseconds(20));
  EXPECT_EQ(engine.pending(), 1u);
  engine.run_until(Picoseconds(25));
  EXPECT_EQ(engine.now(), Picoseconds(25));
  engine.run();
  EXPECT_EQ(count, 3);
}

TEST(EngineRun, StopReturnsAfterCurrentEvent) {
  Engine engine;
  int count = 0;
  engine.schedule_at(Picoseconds(1), [&] { ++count; engine.stop(); });
  engine.schedule_at(Picoseconds(2), [&] { ++count; });
  engine.run();
  EXPECT_EQ(count, 1);
  engine.run();
  EXPECT_EQ(count, 2);
}

// The queue (a radix heap on time) against an independent reference, a
// std::set ordered by (time, sequence): random delays spanning 0 to 2^40 ps
// (many equal times, many bucket sizes), random cancellations, events
// scheduled at the current instant, and run_until stopping between events
// and then scheduling before the next pending one. Every event must fire in
// the reference's order, and no cancelled one.
TEST(EngineOrdering, RandomScheduleCancelAndRunUntilMatchOrderedSet) {
  Engine engine;
  RandomStream rng = NamedStream(5, "engine/reference");
  std::set<std::pair<std::int64_t, std::uint64_t>> reference;  // (time, serial)
  std::vector<std::pair<EventId, std::pair<std::int64_t, std::uint64_t>>> handles;
  std::vector<std::uint64_t> fired;
  std::uint64_t serial = 0;
  auto random_delay = [&rng] {
    const std::uint64_t kind = rng.uniform_index(4);
    if (kind == 0) return std::int64_t{0};
    if (kind == 1) return static_cast<std::int64_t>(rng.uniform_index(8));
    const std::uint64_t span = std::uint64_t{1} << rng.uniform_index(41);
    return static_cast<std::int64_t>(rng.uniform_index(span));
  };
  std::function<void()> schedule_some = [&] {
    const std::uint64_t n = rng.uniform_index(3);
    for (std::uint64_t k = 0; k < n && serial < 200'000; ++k) {
      const std::int64_t when = engine.now().picoseconds() + random_delay();
      const std::uint64_t id = serial++;
      const EventId e = engine.schedule_at(Picoseconds(when), [&, id] {
        fired.push_back(id);
        schedule_some();
      });
      reference.emplace(when, id);
      handles.push_back({e, {when, id}});
    }
    if (!handles.empty() && rng.bernoulli(0.3)) {
      const auto& [e, entry] = handles[rng.uniform_index(handles.size())];
      if (engine.cancel(e)) reference.erase(entry);
    }
  };
  for (int i = 0; i < 2'000; ++i) schedule_some();
  std::vector<std::uint64_t> expected;
  while (!engine.empty()) {
    // Half the time a limit between events, then events before the next one.
    if (rng.bernoulli(0.5)) {
      const Time limit = engine.now() + Picoseconds(random_delay());
      engine.run_until(limit);
      ASSERT_EQ(engine.now(), limit);
      schedule_some();
    } else {
      engine.run_until(engine.now() + Picoseconds(std::int64_t{1} << 42));
    }
  }
  // The reference's order, less the events cancelled after they were listed:
  // every id in `reference` must have fired, in its order.
  for (const auto& [when, id] : reference) expected.push_back(id);
  EXPECT_GT(fired.size(), 10'000u);
  EXPECT_EQ(fired, expected);
}

// A hold-model run with random delays and random cancellations; returns the
// trace of (time, seq) for every event fired.
std::vector<std::pair<std::int64_t, std::uint64_t>> HoldTrace(std::uint64_t seed) {
  Engine engine;
  std::vector<std::pair<std::int64_t, std::uint64_t>> trace;
  engine.set_trace([&](Time t, std::uint64_t seq) { trace.emplace_back(t.picoseconds(), seq); });
  RandomStream rng = NamedStream(seed, "hold");
  std::vector<EventId> timers(50);
  std::function<void(int)> arm = [&](int k) {
    timers[k] = engine.schedule_in(Picoseconds(1 + static_cast<std::int64_t>(rng.exponential(100.0))), [&, k] {
      if (rng.bernoulli(0.2)) engine.cancel(timers[rng.uniform_index(timers.size())]);
      if (engine.events_fired() < 5'000) arm(k);
    });
  };
  for (int k = 0; k < 50; ++k) arm(k);
  engine.run();
  return trace;
}

TEST(EngineDeterminism, SameSeedGivesIdenticalEventTrace) {
  auto a = HoldTrace(42);
  auto b = HoldTrace(42);
  ASSERT_GT(a.size(), 1'000u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, HoldTrace(43));
}

}  // namespace
}  // namespace sim

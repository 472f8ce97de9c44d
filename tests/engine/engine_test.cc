// Engine: ordering by (time, insertion order), cancellation, run_until, and
// determinism of the event trace.
#include "sim/engine/engine.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
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

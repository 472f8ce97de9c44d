// The executor and the parameter-server primitives, on a test double of the
// Transport whose every message takes latency + bytes / bandwidth regardless
// of other traffic. That isolates what these classes decide (when a transfer
// may start, the reduction and apply queues, entry of late ranks, callbacks)
// from what the network decides; timing on the real flow network, with
// sharing, is in timing_test.cc.
#include <gtest/gtest.h>

#include "sync_round.h"

#include <memory>
#include <vector>

#include "sim/collectives/collective.h"
#include "sim/collectives/collective_run.h"
#include "sim/collectives/parameter_servers.h"
#include "sim/engine/engine.h"

namespace sim::collectives {
namespace {

class FixedDelayTransport final : public Transport {
 public:
  FixedDelayTransport(Engine& engine, Time latency, BytesPerSecond bandwidth)
      : engine_(engine), latency_(latency), bandwidth_(bandwidth) {}
  void send(EndpointId src, EndpointId dst, Bytes size, Delivered on_delivered) override {
    ++messages_;
    bytes_ += size.count;
    const Time delay = src == dst ? Time::zero() : latency_ + TransferTime(size, bandwidth_);
    engine_.schedule_in(delay, std::move(on_delivered));
  }
  [[nodiscard]] int messages() const noexcept { return messages_; }
  [[nodiscard]] std::int64_t bytes() const noexcept { return bytes_; }

 private:
  Engine& engine_;
  Time latency_;
  BytesPerSecond bandwidth_;
  int messages_ = 0;
  std::int64_t bytes_ = 0;
};

std::vector<EndpointId> Identity(std::uint32_t p) {
  std::vector<EndpointId> e(p);
  for (std::uint32_t i = 0; i < p; ++i) e[i] = i;
  return e;
}

std::shared_ptr<const Schedule> Build(CollectiveSpec spec) {
  return std::make_shared<const Schedule>(BuildSchedule(spec));
}

// 1 us per message plus 1 ns per byte (1 GB/s): round numbers in picoseconds.
const Time kAlpha = Microseconds(1);
const BytesPerSecond kBandwidth = GigabytesPerSecond(1.0);

TEST(CollectiveRun, RingAllReduceTakesTwoPMinusOneLockstepSteps) {
  // Patarasuk & Yuan 2009 without contention: 2(p-1) steps of alpha + (n/p)/B.
  // p = 4, n = 4000: piece 1000 B = 1 us, step 2 us, 6 steps = 12 us.
  Engine engine;
  FixedDelayTransport net(engine, kAlpha, kBandwidth);
  CollectiveRun run(engine, net, Build({.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = 4,
                                        .bytes = Bytes{4000}}),
                    Identity(4));
  run.start();
  engine.run();
  ASSERT_TRUE(run.done());
  EXPECT_EQ(run.finish_time(), Microseconds(12));
  EXPECT_EQ(net.messages(), 2 * 3 * 4);
}

TEST(CollectiveRun, ReductionCostIsPaidPerReceivedPieceAfterDelivery) {
  // p = 2, n = 2000, reduction at 0.5 GB/s. Reduce-scatter: one step, 1000 B
  // at each rank: 1 us + 1 us transfer, then 1000 B / 0.5 GB/s = 2 us adding.
  // All-gather: one copy step, 2 us, no reduction. Total 2 + 2 + 2 = 6 us.
  Engine engine;
  FixedDelayTransport net(engine, kAlpha, kBandwidth);
  CollectiveRun run(engine, net, Build({.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = 2,
                                        .bytes = Bytes{2000}}),
                    Identity(2), RunOptions{.reduction_rate = GigabytesPerSecond(0.5)});
  run.start();
  engine.run();
  EXPECT_EQ(run.finish_time(), Microseconds(6));
}

TEST(CollectiveRun, ReductionsArrivingTogetherQueueAtTheReceiver) {
  // Binary tree on 3 ranks: root at position 2 (rank 1), leaves ranks 0 and 2.
  // Both leaves send n = 1000 B up at t = 0, arriving at 2 us; rank 1 adds one
  // after the other at 0.5 GB/s (2 us each): done at 6 us. Then the result
  // goes down to both leaves at once: 2 us more. Total 8 us.
  Engine engine;
  FixedDelayTransport net(engine, kAlpha, kBandwidth);
  std::vector<Time> rank_done(3);
  CollectiveRun run(
      engine, net,
      Build({.op = Op::kAllReduce, .algorithm = Algorithm::kBinaryTree, .ranks = 3, .bytes = Bytes{1000}}),
      Identity(3),
      RunOptions{.reduction_rate = GigabytesPerSecond(0.5),
                 .on_rank_done = [&](Rank r, Time t) { rank_done[r] = t; }});
  run.start();
  engine.run();
  EXPECT_EQ(run.finish_time(), Microseconds(8));
  // The root finishes when its last transfer (a send down) is delivered.
  EXPECT_EQ(rank_done[1], Microseconds(8));
}

TEST(CollectiveRun, ALateRankHoldsBackOnlyWhatDependsOnIt) {
  // Ring all-reduce, p = 2, n = 2000 (steps of 2 us): rank 1 enters at 5 us.
  // Nothing can move before both have entered (each step involves both), so
  // the all-reduce ends at 5 + 2 x 2 = 9 us; rank 0's entry at 0 changes nothing.
  Engine engine;
  FixedDelayTransport net(engine, kAlpha, kBandwidth);
  CollectiveRun run(engine, net, Build({.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = 2,
                                        .bytes = Bytes{2000}}),
                    Identity(2));
  run.enter(0);
  engine.schedule_at(Microseconds(5), [&] { run.enter(1); });
  engine.run();
  EXPECT_EQ(run.finish_time(), Microseconds(9));
}

TEST(CollectiveRun, ChainBroadcastFinishesRanksInChainOrder) {
  // Broadcast from rank 2 on a chain 2 -> 3 -> 0 -> 1, one chunk of 1000 B
  // (2 us per hop): rank 3 is done at 4 us (it forwards: its last transfer is
  // the send to 0, delivered at 4 us), rank 0 at 6 us, rank 1 at 6 us (last
  // hop), the root at 2 us. on_done fires once, at 6 us.
  Engine engine;
  FixedDelayTransport net(engine, kAlpha, kBandwidth);
  std::vector<Time> rank_done(4, Time::max());
  int done_calls = 0;
  CollectiveRun run(engine, net,
                    Build({.op = Op::kBroadcast, .algorithm = Algorithm::kRing, .ranks = 4, .bytes = Bytes{1000},
                           .root = 2}),
                    Identity(4),
                    RunOptions{.on_rank_done = [&](Rank r, Time t) { rank_done[r] = t; },
                               .on_done = [&](Time) { ++done_calls; }});
  run.start();
  engine.run();
  EXPECT_EQ(rank_done[2], Microseconds(2));
  EXPECT_EQ(rank_done[3], Microseconds(4));
  EXPECT_EQ(rank_done[0], Microseconds(6));
  EXPECT_EQ(rank_done[1], Microseconds(6));
  EXPECT_EQ(done_calls, 1);
}

TEST(CollectiveRun, ConcurrentRunsOnOneEngineAreIndependent) {
  // Two 4-rank rings on endpoints {0..3} and {4..7}, one schedule shared, the
  // second started 3 us later: on a transport without sharing each takes the
  // 12 us of the first test.
  Engine engine;
  FixedDelayTransport net(engine, kAlpha, kBandwidth);
  auto schedule = Build({.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = 4, .bytes = Bytes{4000}});
  CollectiveRun a(engine, net, schedule, {0, 1, 2, 3});
  CollectiveRun b(engine, net, schedule, {4, 5, 6, 7});
  a.start();
  engine.schedule_at(Microseconds(3), [&] { b.start(); });
  engine.run();
  EXPECT_EQ(a.finish_time(), Microseconds(12));
  EXPECT_EQ(b.finish_time(), Microseconds(15));
}

TEST(CollectiveRun, OneRankIsDoneAtOnce) {
  Engine engine;
  FixedDelayTransport net(engine, kAlpha, kBandwidth);
  bool done = false;
  CollectiveRun run(engine, net, Build({.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = 1,
                                        .bytes = Bytes{4000}}),
                    Identity(1), RunOptions{.on_done = [&](Time) { done = true; }});
  run.start();
  EXPECT_TRUE(done);
  EXPECT_EQ(net.messages(), 0);
}

TEST(CollectiveRun, RejectsMismatchedEndpointsAndUnsealedSchedules) {
  Engine engine;
  FixedDelayTransport net(engine, kAlpha, kBandwidth);
  auto schedule = Build({.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = 4, .bytes = Bytes{4000}});
  EXPECT_THROW(CollectiveRun(engine, net, schedule, Identity(3)), std::invalid_argument);
  auto unsealed = std::make_shared<const Schedule>(4, Bytes{10});
  EXPECT_THROW(CollectiveRun(engine, net, unsealed, Identity(4)), std::invalid_argument);
}

// ------------------------------------------------------ eager transfers --
// A hand-made schedule of whole-vector transfers of 1000 B (2 us each on this
// transport; 1 us to add in at a reduction rate of 1 GB/s).

std::shared_ptr<const Schedule> Sealed(Schedule schedule) {
  schedule.seal();
  return std::make_shared<const Schedule>(std::move(schedule));
}

// Rank 1 receives one message from rank 0 and enters at 10 us; returns when
// rank 1 is done.
Time LateReceiverDone(Bytes eager_limit) {
  Engine engine;
  FixedDelayTransport net(engine, kAlpha, kBandwidth);
  Schedule s(2, Bytes{1000});
  s.add(0, 1, ByteRange{0, 1000}, Combine::kCopy);
  std::vector<Time> done(2, Time::max());
  CollectiveRun run(engine, net, Sealed(std::move(s)), Identity(2),
                    RunOptions{.eager_limit = eager_limit, .on_rank_done = [&](Rank r, Time t) { done[r] = t; }});
  run.enter(0);
  engine.schedule_at(Microseconds(10), [&] { run.enter(1); });
  engine.run();
  EXPECT_TRUE(run.done());
  return done[1];
}

TEST(CollectiveRun, AnEagerMessageIsSentBeforeItsReceiverEntersAndTakenAtEntry) {
  // Rendezvous (no limit, or a message above it): the send starts when rank 1
  // enters, 10 + 2 us. Eager: on the wire at 0, arrived at 2 us, taken when
  // rank 1 enters at 10 us.
  EXPECT_EQ(LateReceiverDone(Bytes{0}), Microseconds(12));
  EXPECT_EQ(LateReceiverDone(Bytes{999}), Microseconds(12));
  EXPECT_EQ(LateReceiverDone(Bytes{1000}), Microseconds(10));
}

// Rank 1 first takes a reduction from rank 2, then one from rank 0 (a write
// into the receiver: the second depends on the first), or rank 0 first takes
// one from rank 2 and then sends (a write into the sender). Returns when each
// rank is done.
std::vector<Time> TwoReductions(bool into_sender, Bytes eager_limit) {
  Engine engine;
  FixedDelayTransport net(engine, kAlpha, kBandwidth);
  Schedule s(3, Bytes{1000});
  const TransferId first = s.add(2, into_sender ? 0 : 1, ByteRange{0, 1000}, Combine::kReduce);
  s.add(0, 1, ByteRange{0, 1000}, Combine::kReduce, std::vector<TransferId>{first});
  std::vector<Time> done(3, Time::max());
  CollectiveRun run(engine, net, Sealed(std::move(s)), Identity(3),
                    RunOptions{.reduction_rate = kBandwidth,
                               .eager_limit = eager_limit,
                               .on_rank_done = [&](Rank r, Time t) { done[r] = t; }});
  run.start();
  engine.run();
  EXPECT_TRUE(run.done());
  return done;
}

TEST(CollectiveRun, AnEagerMessageWaitsForTheReceiversEarlierWritesOnlyToTakeEffect) {
  // Rendezvous: the first arrives at 2 us and is added by 3 us; the second
  // starts then, arrives at 5 and is added by 6. Eager: the second goes at 0
  // (rank 0 holds its data), arrives at 2, waits in rank 1's buffer while the
  // first is added (2-3 us), and is added by 4 us.
  EXPECT_EQ(TwoReductions(false, Bytes{0})[1], Microseconds(6));
  EXPECT_EQ(TwoReductions(false, Bytes{1000})[1], Microseconds(4));
  // The sender's rank is done when its message has been taken: at 4 us, not
  // when it left.
  EXPECT_EQ(TwoReductions(false, Bytes{1000})[0], Microseconds(4));
}

TEST(CollectiveRun, AnEagerMessageStillWaitsForWhatItCarries) {
  // Rank 0 must first add rank 2's data (arrived 2 us, added by 3 us) before
  // it can send the sum, eager or not: 3 + 2 + 1 = 6 us.
  EXPECT_EQ(TwoReductions(true, Bytes{0})[1], Microseconds(6));
  EXPECT_EQ(TwoReductions(true, Bytes{1000})[1], Microseconds(6));
}

TEST(CollectiveRun, EagerTransfersLeaveARunOfRanksEnteringTogetherUnchanged) {
  // On a transport without sharing, when every rank enters at once, a
  // message can only arrive earlier than the receiver's previous one was
  // taken if the schedule let the receiver fall behind: halving-doubling
  // and the ring keep every rank in step, so the times are the same.
  for (Algorithm a : {Algorithm::kRing, Algorithm::kHalvingDoubling}) {
    for (std::uint32_t p : {2u, 5u, 8u}) {
      Time finish[2];
      for (int eager = 0; eager < 2; ++eager) {
        Engine engine;
        FixedDelayTransport net(engine, kAlpha, kBandwidth);
        CollectiveRun run(engine, net, Build({.op = Op::kAllReduce, .algorithm = a, .ranks = p,
                                              .bytes = Bytes{40000}}),
                          Identity(p), RunOptions{.eager_limit = Bytes{eager ? 1 << 30 : 0}});
        run.start();
        engine.run();
        ASSERT_TRUE(run.done());
        finish[eager] = run.finish_time();
      }
      EXPECT_EQ(finish[0], finish[1]) << "algorithm " << static_cast<int>(a) << ", p = " << p;
    }
  }
}

TEST(CollectiveRun, RejectsANegativeEagerLimit) {
  Engine engine;
  FixedDelayTransport net(engine, kAlpha, kBandwidth);
  auto schedule = Build({.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = 2, .bytes = Bytes{4000}});
  EXPECT_THROW(CollectiveRun(engine, net, schedule, Identity(2), RunOptions{.eager_limit = Bytes{-1}}),
               std::invalid_argument);
}

// ------------------------------------------------------ parameter servers --

TEST(ParameterServers, ShardsPartitionTheVectorAndAppliesQueuePerServer) {
  // 3 servers over n = 3001 B: shards of 1001, 1000, 1000 (Partition).
  // Two pushes of shard 0 arrive together at 2.001 us (1 us + 1001 ns); at
  // 1.001 GB/s an apply of 1001 B takes 1 us, so they are applied at 3.001 and
  // 4.001 us, one after the other.
  Engine engine;
  FixedDelayTransport net(engine, kAlpha, kBandwidth);
  ParameterServers ps(engine, net, {.servers = {10, 11, 12}, .apply_rate = BytesPerSecond{1.001e9}});
  const Bytes n{3001};
  EXPECT_EQ(ps.shard(0, n), Bytes{1001});
  EXPECT_EQ(ps.shard(2, n), Bytes{1000});
  std::vector<Time> applied;
  for (EndpointId w : {0u, 1u}) {
    ps.push_shard(w, 0, n, [&] { ps.apply(0, n, [&] { applied.push_back(engine.now()); }); });
  }
  engine.run();
  ASSERT_EQ(applied.size(), 2u);
  EXPECT_EQ(applied[0], Nanoseconds(3001));
  EXPECT_EQ(applied[1], Nanoseconds(4001));
}

TEST(ParameterServers, SyncRoundWaitsForEveryPushThenEveryonePulls) {
  // 2 workers, 2 servers, n = 2000: shards of 1000 B (2 us per message).
  // Pushes arrive at 2 us; each server applies 2 shards at 1 GB/s, 1 us each:
  // done at 4 us; pulls arrive at 6 us. Worker 1 enters at 1 us, so its pushes
  // arrive at 3 us and the applies end at 3 + 1 = 4 us anyway (worker 0's
  // was applied 2..3 us). Round ends at 6 us.
  Engine engine;
  FixedDelayTransport net(engine, kAlpha, kBandwidth);
  ParameterServers ps(engine, net, {.servers = {10, 11}, .apply_rate = GigabytesPerSecond(1.0)});
  std::vector<Time> applied(2);
  int pushes = 0;
  testing::SyncRound round(ps, {0, 1}, Bytes{2000},
                  {.on_pushed = [&](std::uint32_t, ServerIndex, Time) { ++pushes; },
                   .on_applied = [&](ServerIndex s, Time t) { applied[s] = t; },
                   .on_worker_done = {},
                   .on_done = {}});
  round.enter(0);
  engine.schedule_at(Microseconds(1), [&] { round.enter(1); });
  engine.run();
  EXPECT_EQ(pushes, 4);
  EXPECT_EQ(applied[0], Microseconds(4));
  EXPECT_EQ(applied[1], Microseconds(4));
  EXPECT_EQ(round.last_push_arrival(), Microseconds(3));
  EXPECT_EQ(round.finish_time(), Microseconds(6));
}

TEST(ParameterServers, AsyncPushApplyPullComposesFromThePrimitives) {
  // The asynchronous pattern: a worker pushes, the server applies on arrival,
  // then that worker alone pulls. One worker, one server, n = 1000, no apply
  // cost: 2 us push + 2 us pull = 4 us; the other worker is not involved.
  Engine engine;
  FixedDelayTransport net(engine, kAlpha, kBandwidth);
  ParameterServers ps(engine, net, {.servers = {10}, .apply_rate = {}});
  const Bytes n{1000};
  Time pulled = Time::max();
  ps.push(0, n, {}, [&] { ps.apply(0, n, [&] { ps.pull(0, n, {}, [&] { pulled = engine.now(); }); }); });
  engine.run();
  EXPECT_EQ(pulled, Microseconds(4));
  EXPECT_EQ(net.messages(), 2);
}

TEST(ParameterServers, EveryMessageMovesItsOwnSize) {
  // A push smaller than the model (a compressed gradient, a shard) costs
  // what it weighs: with 2 servers, a 400-byte push sends shards of 200 B,
  // 1 us + 200 ns each on the fixed-delay transport (1 GB/s), while a
  // 4,000-byte one sends 2,000 B shards taking 3 us.
  for (const auto& [size, expected] :
       {std::pair{Bytes{400}, Nanoseconds(1200)}, {Bytes{4000}, Microseconds(3)}}) {
    Engine engine;
    FixedDelayTransport net(engine, kAlpha, kBandwidth);
    ParameterServers ps(engine, net, {.servers = {10, 11}, .apply_rate = {}});
    Time arrived = Time::max();
    ps.push(0, size, {}, [&] { arrived = engine.now(); });
    engine.run();
    EXPECT_EQ(arrived, expected) << size.count << " bytes";
    EXPECT_EQ(net.bytes(), size.count);
  }
}

TEST(ParameterServers, RejectsAConfigListingEveryProblem) {
  Engine engine;
  FixedDelayTransport net(engine, kAlpha, kBandwidth);
  try {
    ParameterServers ps(engine, net, {.servers = {}, .apply_rate = BytesPerSecond{-1.0}});
    FAIL();
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("at least one server"), std::string::npos) << what;
    EXPECT_NE(what.find("apply rate"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace sim::collectives

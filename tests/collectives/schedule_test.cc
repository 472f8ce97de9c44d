// Schedules checked without a network: every supported (operation,
// algorithm) pair, many rank counts (powers of two and not), sizes that do and
// do not divide by p, with and without chunking, run on the symbolic
// "which contributions does each rank hold" model (symbolic_check.h) under
// several random interleavings. Then the byte counts and step counts against
// the closed forms of the papers each algorithm follows.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <string>
#include <vector>

#include "sim/collectives/binary_tree.h"
#include "sim/collectives/collective.h"
#include "sim/collectives/schedule.h"
#include "sim/collectives/symbolic_check.h"

namespace sim::collectives {
namespace {

// Interleavings tried per schedule: each is a different random order of
// starts and completions that respects the dependencies.
constexpr std::uint64_t kSeeds = 4;

std::string Describe(const CollectiveSpec& spec) {
  return std::string(Name(spec.op)) + "/" + std::string(Name(spec.algorithm)) + " p=" + std::to_string(spec.ranks) +
         " n=" + std::to_string(spec.bytes.count) + " chunk=" + std::to_string(spec.chunk.count) +
         " root=" + std::to_string(spec.root);
}

void ExpectCorrect(const CollectiveSpec& spec) {
  const Schedule schedule = BuildSchedule(spec);
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const auto problems = CheckSchedule(schedule, {spec.op, spec.root, spec.bytes}, seed);
    ASSERT_TRUE(problems.empty()) << Describe(spec) << " seed " << seed << ": " << problems.front();
  }
}

struct OpAlgorithm {
  Op op;
  Algorithm algorithm;
};

class EveryFlatAlgorithm : public ::testing::TestWithParam<OpAlgorithm> {};

TEST_P(EveryFlatAlgorithm, EndsWithExactlyWhatTheOperationPromises) {
  const auto [op, algorithm] = GetParam();
  // 1..9 cover p' = 1, 2, 4, 8 with every remainder r; 12, 16, 17 larger ones.
  for (std::uint32_t p : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 12u, 16u, 17u}) {
    // 0 bytes, fewer bytes than ranks (empty pieces), indivisible, divisible.
    for (std::int64_t n : {0L, 5L, 1001L, 4096L}) {
      for (std::int64_t chunk : {0L, 100L}) {
        CollectiveSpec spec{.op = op, .algorithm = algorithm, .ranks = p, .bytes = Bytes{n},
                            .root = p > 2 ? p - 2 : 0, .chunk = Bytes{chunk}};
        ExpectCorrect(spec);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Collectives, EveryFlatAlgorithm,
    ::testing::Values(OpAlgorithm{Op::kAllReduce, Algorithm::kRing},
                      OpAlgorithm{Op::kAllReduce, Algorithm::kHalvingDoubling},
                      OpAlgorithm{Op::kAllReduce, Algorithm::kBinaryTree},
                      OpAlgorithm{Op::kAllReduce, Algorithm::kDoubleBinaryTree},
                      OpAlgorithm{Op::kAllReduce, Algorithm::kRecursiveDoubling},
                      OpAlgorithm{Op::kReduceScatter, Algorithm::kRing},
                      OpAlgorithm{Op::kReduceScatter, Algorithm::kHalvingDoubling},
                      OpAlgorithm{Op::kAllGather, Algorithm::kRing},
                      OpAlgorithm{Op::kAllGather, Algorithm::kHalvingDoubling},
                      OpAlgorithm{Op::kBroadcast, Algorithm::kRing},
                      OpAlgorithm{Op::kBroadcast, Algorithm::kHalvingDoubling},
                      OpAlgorithm{Op::kBroadcast, Algorithm::kBinaryTree},
                      OpAlgorithm{Op::kReduce, Algorithm::kRing},
                      OpAlgorithm{Op::kReduce, Algorithm::kHalvingDoubling},
                      OpAlgorithm{Op::kReduce, Algorithm::kBinaryTree},
                      OpAlgorithm{Op::kAllToAll, Algorithm::kRing},
                      OpAlgorithm{Op::kAllToAll, Algorithm::kDirect}),
    [](const ::testing::TestParamInfo<OpAlgorithm>& info) {
      return std::string(Name(info.param.op)) + "_" + std::string(Name(info.param.algorithm));
    });

TEST(SymbolicCheck, CatchesAMissingDependency) {
  // Ring all-gather on 3 ranks with the forwarding dependency removed: rank 1
  // may forward piece 0 before it has arrived. Some interleaving must expose it.
  Schedule s(3, Bytes{3});
  auto piece = [](std::int64_t i) { return ByteRange{i, 1}; };
  s.add(0, 1, piece(0), Combine::kCopy);
  s.add(1, 2, piece(1), Combine::kCopy);
  s.add(2, 0, piece(2), Combine::kCopy);
  s.add(0, 1, piece(2), Combine::kCopy);  // should wait for transfer 2
  s.add(1, 2, piece(0), Combine::kCopy);  // should wait for transfer 0
  s.add(2, 0, piece(1), Combine::kCopy);  // should wait for transfer 1
  bool caught = false;
  for (std::uint64_t seed = 1; seed <= 20 && !caught; ++seed) {
    caught = !CheckSchedule(s, {Op::kAllGather, 0, Bytes{3}}, seed).empty();
  }
  EXPECT_TRUE(caught);
}

TEST(SymbolicCheck, CatchesADoubleCountedContribution) {
  // 2 ranks: rank 0 adds its vector into rank 1 twice.
  Schedule s(2, Bytes{4});
  const TransferId a = s.add(0, 1, ByteRange{0, 4}, Combine::kReduce);
  const TransferId b = s.add(0, 1, ByteRange{0, 4}, Combine::kReduce, std::vector<TransferId>{a});
  s.add(1, 0, ByteRange{0, 4}, Combine::kCopy, std::vector<TransferId>{b});
  const auto problems = CheckSchedule(s, {Op::kAllReduce, 0, Bytes{4}}, 1);
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems.front().find("0x2"), std::string::npos) << problems.front();
}

TEST(SymbolicCheck, CatchesAnExchangeNotMarkedAsOne) {
  // Two ranks add their vectors into each other at once. As an exchange each
  // adds the other's once both have arrived; as two plain transfers, one may
  // be added before the other has started, which then sends both
  // contributions back: some interleaving must show a contribution twice.
  auto pair = [](bool exchange) {
    Schedule s(2, Bytes{4});
    const TransferId a = s.add(0, 1, ByteRange{0, 4}, Combine::kReduce);
    const TransferId b = s.add(1, 0, ByteRange{0, 4}, Combine::kReduce);
    if (exchange) s.mark_exchange(a, b);
    s.seal();
    return s;
  };
  bool caught = false;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    EXPECT_TRUE(CheckSchedule(pair(true), {Op::kAllReduce, 0, Bytes{4}}, seed).empty()) << "seed " << seed;
    caught = caught || !CheckSchedule(pair(false), {Op::kAllReduce, 0, Bytes{4}}, seed).empty();
  }
  EXPECT_TRUE(caught);
}

TEST(Schedule, RefusesAnExchangeThatIsNotAReversedPair) {
  Schedule s(3, Bytes{8});
  const TransferId a = s.add(0, 1, ByteRange{0, 4}, Combine::kReduce);
  const TransferId b = s.add(1, 2, ByteRange{0, 4}, Combine::kReduce);
  const TransferId c = s.add(1, 0, ByteRange{0, 8}, Combine::kReduce);
  const TransferId d = s.add(1, 0, ByteRange{0, 4}, Combine::kReduce);
  EXPECT_THROW(s.mark_exchange(a, b), std::invalid_argument);  // not back to 0
  EXPECT_THROW(s.mark_exchange(a, c), std::invalid_argument);  // another range
  s.mark_exchange(a, d);
  EXPECT_EQ(s.partner(a), d);
  EXPECT_EQ(s.partner(d), a);
  EXPECT_EQ(s.partner(b), Schedule::kNoPartner);
  EXPECT_THROW(s.mark_exchange(d, a), std::invalid_argument);  // already paired
}

// ---------------------------------------------------------- hierarchical --

struct Layout {
  std::vector<std::uint32_t> host_of_rank;
  bool rails;
};

TEST(Hierarchical, EndsWithTheFullReductionForEveryLayoutAndCrossHostAlgorithm) {
  const std::vector<Layout> layouts{
      {{0, 0, 1, 1, 2, 2, 3, 3}, true},           // 4 hosts x 2 devices
      {{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}, true},  // 3 hosts x 4
      {{0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4}, true},  // 5 x 3
      {{0, 1, 2, 3, 4}, true},                      // one device per host
      {{0, 0, 0, 0, 0, 0}, true},                   // one host
      {{0, 1, 0, 1, 0, 1}, true},                   // hosts interleaved in rank order
      {{0, 1, 1, 1, 2, 2}, false},                  // uneven hosts: leader form
      {{0, 0, 1, 1, 2, 2, 3, 3}, false},
  };
  for (const Layout& layout : layouts) {
    for (Algorithm inter : {Algorithm::kRing, Algorithm::kHalvingDoubling, Algorithm::kBinaryTree,
                            Algorithm::kDoubleBinaryTree}) {
      for (std::int64_t n : {7L, 1000L}) {
        for (std::int64_t chunk : {0L, 64L}) {
          CollectiveSpec spec{.op = Op::kAllReduce, .algorithm = Algorithm::kHierarchical,
                              .ranks = static_cast<std::uint32_t>(layout.host_of_rank.size()), .bytes = Bytes{n},
                              .chunk = Bytes{chunk}, .host_of_rank = layout.host_of_rank, .inter_host = inter,
                              .rails = layout.rails};
          SCOPED_TRACE(Describe(spec) + " inter=" + std::string(Name(inter)) + (layout.rails ? " rails" : " leader"));
          ExpectCorrect(spec);
        }
      }
    }
  }
}

TEST(Hierarchical, RailsSendOnlyOneDthOfTheVectorAcrossHosts) {
  // 4 hosts x 2 devices, ring across hosts, n = 8000 (divisible by everything).
  // Each rail all-reduces n/d = 4000 bytes over 4 hosts: a ring sends
  // 2(4-1)/4 x 4000 = 6000 bytes per rank across hosts (Patarasuk & Yuan).
  // Within a host, the ring reduce-scatter and all-gather over d = 2 devices
  // each send (2-1)/2 x 8000 = 4000. Total 6000 + 8000 = 14,000 per rank.
  CollectiveSpec spec{.op = Op::kAllReduce, .algorithm = Algorithm::kHierarchical, .ranks = 8,
                      .bytes = Bytes{8000}, .host_of_rank = {0, 0, 1, 1, 2, 2, 3, 3}};
  const Schedule s = BuildSchedule(spec);
  std::int64_t across = 0;
  for (const Transfer& t : s.transfers()) {
    if (t.src == 0 && spec.host_of_rank[t.dst] != spec.host_of_rank[t.src]) across += t.range.length;
  }
  EXPECT_EQ(across, 6000);
  for (Rank r = 0; r < 8; ++r) EXPECT_EQ(s.bytes_sent(r).count, 14000) << "rank " << r;
}

TEST(Hierarchical, RailsRejectUnevenHosts) {
  CollectiveSpec spec{.op = Op::kAllReduce, .algorithm = Algorithm::kHierarchical, .ranks = 3,
                      .bytes = Bytes{10}, .host_of_rank = {0, 1, 1}};
  EXPECT_THROW((void)BuildSchedule(spec), CollectiveError);
  spec.rails = false;
  EXPECT_NO_THROW((void)BuildSchedule(spec));
}

// ----------------------------------------------------- bytes and steps --

TEST(ClosedForms, RingAllReduceSendsTwoPMinusOneOverPTimesNPerRank) {
  // Patarasuk & Yuan 2009: reduce-scatter and all-gather each send p-1 pieces
  // of n/p: 2(p-1)/p x n per rank, in 2(p-1) dependent steps.
  for (std::uint32_t p : {2u, 3u, 5u, 8u, 64u, 100u}) {
    const std::int64_t n = 6400 * static_cast<std::int64_t>(p);  // divisible by p
    const Schedule s = BuildSchedule({.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = p, .bytes = Bytes{n}});
    for (Rank r = 0; r < p; ++r) {
      ASSERT_EQ(s.bytes_sent(r).count, 2 * (p - 1) * n / p) << "p=" << p << " rank " << r;
      ASSERT_EQ(s.bytes_received(r).count, 2 * (p - 1) * n / p) << "p=" << p << " rank " << r;
    }
    EXPECT_EQ(s.critical_path_transfers(), 2u * (p - 1)) << "p=" << p;
  }
}

TEST(ClosedForms, ChunkedRingSendsTheSameBytesInMoreSteps) {
  // Chunking changes the number of messages, not the volume: with k chunks per
  // piece, the chain of one channel is 2(p-1)k transfers long.
  const std::uint32_t p = 6;
  const std::int64_t n = 6000;  // pieces of 1000, chunks of 250: k = 4
  const Schedule s = BuildSchedule(
      {.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = p, .bytes = Bytes{n}, .chunk = Bytes{250}});
  for (Rank r = 0; r < p; ++r) EXPECT_EQ(s.bytes_sent(r).count, 2 * (p - 1) * n / p);
  EXPECT_EQ(s.size(), 2u * (p - 1) * p * 4);
  EXPECT_EQ(s.critical_path_transfers(), 2u * (p - 1) * 4);
}

TEST(ClosedForms, HalvingDoublingPowerOfTwo) {
  // Thakur, Rabenseifner & Gropp 2005: recursive halving sends n/2 + n/4 + ...
  // + n/p = (p-1)/p n, recursive doubling the same back: 2(p-1)/p n per rank
  // in 2 log2 p steps.
  for (std::uint32_t p : {2u, 4u, 8u, 16u, 64u, 256u}) {
    const std::int64_t n = 1024 * static_cast<std::int64_t>(p);
    const Schedule s =
        BuildSchedule({.op = Op::kAllReduce, .algorithm = Algorithm::kHalvingDoubling, .ranks = p, .bytes = Bytes{n}});
    for (Rank r = 0; r < p; ++r) ASSERT_EQ(s.bytes_sent(r).count, 2 * (p - 1) * n / p) << "p=" << p;
    EXPECT_EQ(s.critical_path_transfers(), 2u * std::bit_width(p - 1)) << "p=" << p;
  }
}

TEST(ClosedForms, HalvingDoublingNonPowerOfTwoFoldsTheExtraRanks) {
  // p = 6: p' = 4, r = 2. Ranks 0 and 2 fold their whole vector into 1 and 3
  // and get the result back: they send n; ranks 1 and 3 send n (the result)
  // plus the p' = 4 exchange 2(4-1)/4 n; ranks 4, 5 only the exchange.
  // Steps: 1 fold + 2 log2 4 + 1 unfold = 6.
  const std::int64_t n = 4000;
  const Schedule s =
      BuildSchedule({.op = Op::kAllReduce, .algorithm = Algorithm::kHalvingDoubling, .ranks = 6, .bytes = Bytes{n}});
  const std::int64_t exchange = 2 * 3 * n / 4;
  const std::vector<std::int64_t> expected{n, n + exchange, n, n + exchange, exchange, exchange};
  for (Rank r = 0; r < 6; ++r) EXPECT_EQ(s.bytes_sent(r).count, expected[r]) << "rank " << r;
  EXPECT_EQ(s.critical_path_transfers(), 6u);
}

TEST(ClosedForms, ReduceScatterAllGatherAllToAllSendPMinusOneOverPTimesN) {
  // Each rank sends (p-1) pieces of n/p (nccl-tests PERFORMANCE.md: this is
  // why their bus-bandwidth factor is (p-1)/p).
  for (std::uint32_t p : {2u, 4u, 7u, 8u}) {
    const std::int64_t n = 560 * static_cast<std::int64_t>(p);
    for (auto [op, algorithm] : {std::pair{Op::kReduceScatter, Algorithm::kRing},
                                 std::pair{Op::kAllGather, Algorithm::kRing},
                                 std::pair{Op::kAllToAll, Algorithm::kRing},
                                 std::pair{Op::kAllToAll, Algorithm::kDirect}}) {
      const Schedule s = BuildSchedule({.op = op, .algorithm = algorithm, .ranks = p, .bytes = Bytes{n}});
      for (Rank r = 0; r < p; ++r) {
        ASSERT_EQ(s.bytes_sent(r).count, (p - 1) * n / p) << Name(op) << "/" << Name(algorithm) << " p=" << p;
      }
    }
    if (std::has_single_bit(p)) {
      for (Op op : {Op::kReduceScatter, Op::kAllGather}) {
        const Schedule s =
            BuildSchedule({.op = op, .algorithm = Algorithm::kHalvingDoubling, .ranks = p, .bytes = Bytes{n}});
        for (Rank r = 0; r < p; ++r) ASSERT_EQ(s.bytes_sent(r).count, (p - 1) * n / p) << Name(op) << " p=" << p;
        EXPECT_EQ(s.critical_path_transfers(), static_cast<std::size_t>(std::bit_width(p - 1)));
      }
    }
  }
}

TEST(ClosedForms, PipelinedChainBroadcastTakesPMinusOnePlusKMinusOneSteps) {
  // A chain of p ranks with k chunks is a pipeline: the last chunk leaves the
  // root after k-1 chunk-steps and needs p-1 hops: (p-1) + (k-1) steps.
  const Schedule s = BuildSchedule({.op = Op::kBroadcast, .algorithm = Algorithm::kRing, .ranks = 5,
                                    .bytes = Bytes{1000}, .root = 2, .chunk = Bytes{100}});
  EXPECT_EQ(s.critical_path_transfers(), (5u - 1) + (10u - 1));
  EXPECT_EQ(s.bytes_sent(2).count, 1000);  // the root sends the vector once
}

TEST(ClosedForms, TreeAllReduceTakesTwiceTheDepthInSteps) {
  // Unchunked: up the tree then down again, 2 floor(log2 p) steps.
  for (std::uint32_t p : {2u, 3u, 7u, 8u, 9u, 100u}) {
    const Schedule s =
        BuildSchedule({.op = Op::kAllReduce, .algorithm = Algorithm::kBinaryTree, .ranks = p, .bytes = Bytes{64}});
    EXPECT_EQ(s.critical_path_transfers(), 2u * (std::bit_width(p) - 1)) << "p=" << p;
  }
}

TEST(ClosedForms, DoubleTreeHalvesTheLoadOfTheBusiestRank) {
  // Single tree: an interior node sends n up and n to each of 2 children: 3n.
  // Double tree, p even: every rank is interior in at most one tree, on n/2:
  // at most n/2 + 2 x n/2 + n/2 (up as a leaf of the other) = 2n
  // (Sanders, Speck & Traeff 2009).
  const std::int64_t n = 1000;
  for (std::uint32_t p : {8u, 16u, 32u}) {
    const Schedule one =
        BuildSchedule({.op = Op::kAllReduce, .algorithm = Algorithm::kBinaryTree, .ranks = p, .bytes = Bytes{n}});
    const Schedule two = BuildSchedule(
        {.op = Op::kAllReduce, .algorithm = Algorithm::kDoubleBinaryTree, .ranks = p, .bytes = Bytes{n}});
    std::int64_t max_one = 0;
    std::int64_t max_two = 0;
    for (Rank r = 0; r < p; ++r) {
      max_one = std::max(max_one, one.bytes_sent(r).count);
      max_two = std::max(max_two, two.bytes_sent(r).count);
    }
    EXPECT_EQ(max_one, 3 * n) << "p=" << p;
    EXPECT_LE(max_two, 2 * n) << "p=" << p;
  }
}

// ------------------------------------------------------------ tree shape --

TEST(InOrderBinaryTree, OddPositionsAreLeavesEvenOnesInteriorDepthIsLog2) {
  for (std::uint32_t m = 2; m <= 70; ++m) {
    const BinaryTreeShape tree = InOrderBinaryTree(m);
    // Root: the largest power of two <= m, at 1-based position std::bit_floor(m).
    EXPECT_EQ(tree.root + 1, std::bit_floor(m));
    std::uint32_t depth = 0;
    for (std::uint32_t i = 0; i < m; ++i) {
      const bool leaf = tree.children[i].empty();
      EXPECT_EQ(leaf, (i + 1) % 2 == 1) << "m=" << m << " position " << i + 1;
      EXPECT_LE(tree.children[i].size(), 2u);
      std::uint32_t d = 0;
      for (std::uint32_t x = i; x != tree.root; x = tree.parent[x]) ++d;
      depth = std::max(depth, d);
    }
    EXPECT_EQ(depth, static_cast<std::uint32_t>(std::bit_width(m) - 1)) << "m=" << m;
    EXPECT_EQ(tree.post_order.size(), m);
    EXPECT_EQ(tree.post_order.back(), tree.root);
  }
}

TEST(DoubleBinaryTree, EveryRankIsALeafInExactlyOneTreeForEvenP) {
  // Tree 2 holds rank x at position x (1-based, 0 meaning m): leaves are the
  // odd positions, so tree 1's leaves are even ranks and tree 2's odd ones.
  for (std::uint32_t m = 2; m <= 64; m += 2) {
    const BinaryTreeShape tree = InOrderBinaryTree(m);
    std::vector<int> leaf_count(m, 0);
    for (std::uint32_t i = 0; i < m; ++i) {
      if (tree.children[i].empty()) {
        ++leaf_count[i];                // tree 1: rank i at index i
        ++leaf_count[(i + 1) % m];      // tree 2: rank (i + 1) mod m at index i
      }
    }
    for (std::uint32_t r = 0; r < m; ++r) EXPECT_EQ(leaf_count[r], 1) << "m=" << m << " rank " << r;
  }
}

// ------------------------------------------------------------ validation --

TEST(Partition, CoversTheWholeRangeWithNearEqualPieces) {
  const ByteRange whole{10, 103};
  std::int64_t next = 10;
  for (std::int64_t i = 0; i < 7; ++i) {
    const ByteRange piece = Partition(whole, 7, i);
    EXPECT_EQ(piece.offset, next);
    EXPECT_TRUE(piece.length == 14 || piece.length == 15);  // 103 = 7 x 14 + 5
    next = piece.end();
  }
  EXPECT_EQ(next, whole.end());
}

TEST(ScheduleAdd, RejectsBadTransfersNamingThem) {
  Schedule s(3, Bytes{10});
  EXPECT_THROW(s.add(0, 3, ByteRange{0, 1}, Combine::kCopy), std::invalid_argument);
  EXPECT_THROW(s.add(1, 1, ByteRange{0, 1}, Combine::kCopy), std::invalid_argument);
  EXPECT_THROW(s.add(0, 1, ByteRange{5, 6}, Combine::kCopy), std::invalid_argument);
  try {
    s.add(0, 1, ByteRange{0, 1}, Combine::kCopy, std::vector<TransferId>{0});
    FAIL() << "a dependency on itself must throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("transfer 0 (0->1)"), std::string::npos) << e.what();
  }
  s.seal();
  EXPECT_THROW(s.add(0, 1, ByteRange{0, 1}, Combine::kCopy), std::logic_error);
}

// The receiver and the combine flag share one 32-bit word (schedule.h): each
// must read back what was stored, at the extremes of the rank range too.
TEST(ScheduleAdd, KeepsRanksAndCombineInTwelveBytes) {
  EXPECT_EQ(sizeof(StoredTransfer), 12u);
  const Rank last = kMaxScheduleRanks - 1;
  Schedule s(kMaxScheduleRanks, Bytes{10});
  s.add(last, 0, ByteRange{2, 3}, Combine::kReduce);
  s.add(0, last, ByteRange{0, 10}, Combine::kCopy);
  s.add(last - 1, last, ByteRange{9, 1}, Combine::kReduce);
  EXPECT_EQ(s.transfer(0).src, last);
  EXPECT_EQ(s.transfer(0).dst, 0u);
  EXPECT_EQ(s.transfer(0).combine, Combine::kReduce);
  EXPECT_EQ(s.transfer(0).range, (ByteRange{2, 3}));
  EXPECT_EQ(s.transfer(1).dst, last);
  EXPECT_EQ(s.transfer(1).combine, Combine::kCopy);
  EXPECT_EQ(s.transfer(2).dst, last);
  EXPECT_EQ(s.transfer(2).combine, Combine::kReduce);
  EXPECT_THROW(Schedule(kMaxScheduleRanks + 1, Bytes{10}), std::invalid_argument);
}

// Ranges are stored once (schedule.h): a ring all-reduce on p ranks moves
// its p pieces 2(p-1) times each, and every transfer reads back its own.
TEST(ScheduleAdd, StoresEachDistinctRangeOnce) {
  Schedule s(3, Bytes{10});
  const RangeId a = s.add_range(ByteRange{2, 3});
  EXPECT_EQ(s.add_range(ByteRange{2, 3}), a);
  EXPECT_NE(s.add_range(ByteRange{2, 4}), a);
  s.add(0, 1, a, Combine::kCopy);
  s.add(1, 2, ByteRange{2, 3}, Combine::kReduce);
  s.add(2, 0, ByteRange{0, 10}, Combine::kCopy);
  EXPECT_EQ(s.range_count(), 3u);
  EXPECT_EQ(s.transfer(0).range, (ByteRange{2, 3}));
  EXPECT_EQ(s.transfer(1).range, (ByteRange{2, 3}));
  EXPECT_EQ(s.transfer(2).range, (ByteRange{0, 10}));
  EXPECT_THROW(s.add_range(ByteRange{8, 3}), std::invalid_argument);
  EXPECT_THROW(s.add(0, 1, RangeId{7}, Combine::kCopy), std::invalid_argument);

  const std::uint32_t p = 8;
  const std::int64_t n = 1001;
  const Schedule ring = BuildSchedule({.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = p, .bytes = Bytes{n}});
  EXPECT_EQ(ring.size(), 2u * (p - 1) * p);
  EXPECT_EQ(ring.range_count(), p);
  for (TransferId id = 0; id < ring.size(); ++id) {
    const ByteRange r = ring.transfer(id).range;
    EXPECT_EQ(r.length, n / p + (r.offset < (n % p) * (n / p + 1) ? 1 : 0)) << "transfer " << id;
  }
}

TEST(ValidateSpec, ListsEveryProblemAtOnce) {
  CollectiveSpec spec{.op = Op::kBroadcast, .algorithm = Algorithm::kDoubleBinaryTree, .ranks = 4,
                      .bytes = Bytes{-1}, .root = 9};
  const auto problems = ValidateSpec(spec);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_NE(problems[0].find("size must be >= 0"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("root 9"), std::string::npos) << problems[1];
  EXPECT_NE(problems[2].find("supported: ring, halving_doubling, binary_tree"), std::string::npos) << problems[2];
  try {
    (void)BuildSchedule(spec);
    FAIL();
  } catch (const CollectiveError& e) {
    EXPECT_NE(std::string(e.what()).find("root 9"), std::string::npos);
  }
}

TEST(ValidateSpec, RefusesSchedulesTooLargeToHold) {
  // 1,024-rank ring on 1 GiB in 1 KiB chunks: 2 x 1023 x 1024 steps x 1024
  // chunks = 2.1 billion transfers, past the limit of 2^28.
  const auto problems = ValidateSpec({.op = Op::kAllReduce, .algorithm = Algorithm::kRing, .ranks = 1024,
                                      .bytes = Bytes{1L << 30}, .chunk = Bytes{1024}});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("use a larger chunk"), std::string::npos) << problems[0];
}

TEST(Names, RoundTripAndBusFactorsFollowNcclTests) {
  for (Op op : {Op::kAllReduce, Op::kBroadcast, Op::kReduce, Op::kAllGather, Op::kReduceScatter, Op::kAllToAll}) {
    EXPECT_EQ(ParseOp(Name(op)), op);
  }
  EXPECT_EQ(ParseAlgorithm("double_binary_tree"), Algorithm::kDoubleBinaryTree);
  EXPECT_FALSE(ParseAlgorithm("butterfly").has_value());
  // nccl-tests doc/PERFORMANCE.md: all-reduce 2(n-1)/n, all-gather (n-1)/n,
  // broadcast 1.
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(Op::kAllReduce, 8), 2.0 * 7 / 8);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(Op::kAllGather, 8), 7.0 / 8);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(Op::kBroadcast, 8), 1.0);
}

}  // namespace
}  // namespace sim::collectives

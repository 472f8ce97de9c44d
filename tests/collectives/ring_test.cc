// The ring generators (ring.h) write PhaseChannels' discipline in closed
// form. Here the same phases are sent through PhaseChannels one transfer at
// a time, as the generators did before (the reference), and both schedules
// must be the same transfer for transfer: ranks, ranges, combine, every
// dependency with its delivery-only mark, and the exit frontier. Cases cover
// 2..9 and 16 members in a shuffled order among more ranks, sizes below,
// at and above the member count, chunking, and entry frontiers left by an
// earlier phase (so that each channel's first send has entry dependencies).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/collectives/phase_channels.h"
#include "sim/collectives/ring.h"
#include "sim/collectives/schedule.h"
#include "sim/core/random.h"

namespace sim::collectives {
namespace {

// The reference: every transfer through PhaseChannels::send. `ids[c][i]`
// is what member i sent of chunk c at the previous step.
void ReferenceRing(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                   Frontier& frontier, bool reduce_scatter, bool all_gather) {
  const auto m = static_cast<std::int64_t>(members.size());
  if (m < 2) return;
  const std::int64_t chunks = ChunkCount(Partition(range, m, 0).length, chunk);
  auto piece_chunk = [&](std::int64_t piece, std::int64_t c) {
    return Partition(Partition(range, m, ((piece % m) + m) % m), chunks, c);
  };
  PhaseChannels channels(schedule, frontier);
  std::vector<std::vector<TransferId>> ids(static_cast<std::size_t>(chunks), std::vector<TransferId>(m));
  bool have_previous = false;
  auto step = [&](std::int64_t piece_offset, Combine combine) {
    for (std::int64_t c = 0; c < chunks; ++c) {
      std::vector<TransferId> sent(m);
      for (std::int64_t i = 0; i < m; ++i) {
        const TransferId received = ids[c][((i - 1) % m + m) % m];
        std::span<const TransferId> deps;
        if (have_previous) deps = {&received, 1};
        sent[i] = channels.send(members[i], members[(i + 1) % m], piece_chunk(i + piece_offset, c), combine, deps);
      }
      ids[c] = std::move(sent);
    }
    have_previous = true;
  };
  if (reduce_scatter) {
    for (std::int64_t s = 0; s < m - 1; ++s) step(-s - 1, Combine::kReduce);
  }
  if (all_gather) {
    for (std::int64_t s = 0; s < m - 1; ++s) step(-s, Combine::kCopy);
  }
  channels.finish(frontier);
}

enum class Phases { kAllReduce, kReduceScatter, kAllGather };

void RunRing(Phases phases, bool reference, Schedule& s, std::span<const Rank> members, ByteRange range, Bytes chunk,
             Frontier& frontier) {
  const bool rs = phases != Phases::kAllGather;
  const bool ag = phases != Phases::kReduceScatter;
  if (reference) {
    ReferenceRing(s, members, range, chunk, frontier, rs, ag);
  } else if (phases == Phases::kAllReduce) {
    RingAllReduce(s, members, range, chunk, frontier);
  } else if (phases == Phases::kReduceScatter) {
    RingReduceScatter(s, members, range, chunk, frontier);
  } else {
    RingAllGather(s, members, range, chunk, frontier);
  }
}

// Ranks 0..ranks-1; a prefix of transfers among all of them (so that the
// frontier holds one or two transfers per rank), then the ring.
struct Built {
  std::string transfers;
  Frontier frontier;
};

Built Build(Phases phases, bool reference, std::uint32_t ranks, const std::vector<Rank>& members, ByteRange range,
            Bytes chunk, bool with_entry) {
  Schedule s(ranks, Bytes{range.end() + 3});
  Frontier frontier(ranks);
  if (with_entry) {
    // A chain 0 -> 1 -> ... -> ranks-1 leaves frontier[r] = {in, out}.
    std::vector<Rank> all(ranks);
    for (Rank r = 0; r < ranks; ++r) all[r] = r;
    ChainBroadcast(s, all, ByteRange{0, 3}, Bytes{0}, frontier);
  }
  RunRing(phases, reference, s, members, range, chunk, frontier);
  s.seal();
  return {s.describe(), frontier};
}

TEST(RingInClosedForm, EqualsTheRingSentThroughPhaseChannels) {
  RandomStream rng = NamedStream(1, "ring_test/members");
  int cases = 0;
  for (Phases phases : {Phases::kAllReduce, Phases::kReduceScatter, Phases::kAllGather}) {
    for (std::uint32_t m : {2u, 3u, 4u, 5u, 7u, 9u, 16u}) {
      // m members drawn from m + 3 ranks, in a random order.
      const std::uint32_t ranks = m + 3;
      std::vector<Rank> pool(ranks);
      for (Rank r = 0; r < ranks; ++r) pool[r] = r;
      for (std::uint32_t i = ranks - 1; i > 0; --i) std::swap(pool[i], pool[rng.uniform_index(i + 1)]);
      const std::vector<Rank> members(pool.begin(), pool.begin() + m);
      for (std::int64_t n : {0L, 1L, 5L, 1001L, 4096L}) {
        for (std::int64_t chunk : {0L, 7L, 30L, 100L}) {
          for (bool with_entry : {false, true}) {
            const ByteRange range{3, n};
            const Built ours = Build(phases, false, ranks, members, range, Bytes{chunk}, with_entry);
            const Built reference = Build(phases, true, ranks, members, range, Bytes{chunk}, with_entry);
            const std::string what = "phases " + std::to_string(static_cast<int>(phases)) + " m=" + std::to_string(m) +
                                     " n=" + std::to_string(n) + " chunk=" + std::to_string(chunk) +
                                     (with_entry ? " after a chain" : "");
            ASSERT_EQ(ours.transfers, reference.transfers) << what;
            ASSERT_EQ(ours.frontier, reference.frontier) << what;
            ++cases;
          }
        }
      }
    }
  }
  EXPECT_EQ(cases, 3 * 7 * 5 * 4 * 2);
}

TEST(RingInClosedForm, DependsOnTheEntryFrontierOnlyAtEachChannelsFirstSend) {
  // 3 ranks after a chain 0 -> 1 -> 2 (transfers 0 and 1): frontier
  // {0}, {0, 1}, {1}. The ring's first sends 0->1, 1->2, 2->0 wait for
  // both ends' frontiers; the next ones only for their channel and data.
  Schedule s(3, Bytes{6});
  Frontier frontier(3);
  const std::vector<Rank> all{0, 1, 2};
  ChainBroadcast(s, all, ByteRange{0, 3}, Bytes{0}, frontier);
  RingAllGather(s, all, ByteRange{3, 3}, Bytes{0}, frontier);
  s.seal();
  ASSERT_EQ(s.size(), 2u + 6u);
  auto deps = [&](TransferId id) { return std::vector<TransferId>(s.deps(id).begin(), s.deps(id).end()); };
  EXPECT_EQ(deps(2), (std::vector<TransferId>{0, 1}));  // 0 -> 1: frontiers {0} and {0, 1}
  EXPECT_EQ(deps(3), (std::vector<TransferId>{0, 1}));  // 1 -> 2: {0, 1} and {1}
  EXPECT_EQ(deps(4), (std::vector<TransferId>{0, 1}));  // 2 -> 0: {1} and {0}
  // Step 1: member i forwards what member i - 1 sent at step 0, after its own send's delivery.
  EXPECT_EQ(deps(5), (std::vector<TransferId>{AfterDelivery(2), 4}));
  EXPECT_EQ(deps(6), (std::vector<TransferId>{2, AfterDelivery(3)}));
  EXPECT_EQ(deps(7), (std::vector<TransferId>{3, AfterDelivery(4)}));
  EXPECT_EQ(frontier[0], (std::vector<TransferId>{5, 7}));
  EXPECT_EQ(frontier[1], (std::vector<TransferId>{5, 6}));
  EXPECT_EQ(frontier[2], (std::vector<TransferId>{6, 7}));
}

}  // namespace
}  // namespace sim::collectives

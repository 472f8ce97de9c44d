#include "sim/collectives/ring.h"

#include <algorithm>
#include <array>
#include <vector>

#include "sim/collectives/phase_channels.h"

namespace sim::collectives {
namespace {

// The ring's reduce-scatter and/or all-gather phases, with PhaseChannels'
// discipline (phase_channels.h) written in closed form, as a 1,024-rank ring
// is millions of transfers and looking each one's channel up cost more than
// the rest of building it. On a ring the discipline is simple: member i has
// one channel, members[i] -> members[i+1], opened by its first send (step 0,
// chunk 0), which waits for the entry frontier of both ends; every later send
// waits for the delivery of member i's previous send. Transfers go in the
// order step, chunk, member, so transfer (k, c, i) is first + (k C + c) m + i;
// from step 1 on it also waits for the data it forwards, transfer
// (k - 1, c, i - 1). tests/collectives/ring_test.cc checks the result equal,
// transfer for transfer, to the same phases sent through PhaseChannels.
void Ring(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk, Frontier& frontier,
          bool reduce_scatter, bool all_gather) {
  const auto m = static_cast<std::int64_t>(members.size());
  if (m < 2) return;
  // One chunk count for every piece, from the longest piece, so that step s of
  // every chunk exists for every member.
  const std::int64_t chunks = ChunkCount(Partition(range, m, 0).length, chunk);
  std::vector<RangeId> piece_chunk(static_cast<std::size_t>(m * chunks));
  for (std::int64_t piece = 0; piece < m; ++piece) {
    const ByteRange whole = Partition(range, m, piece);
    for (std::int64_t c = 0; c < chunks; ++c) piece_chunk[piece * chunks + c] = schedule.add_range(Partition(whole, chunks, c));
  }
  const std::int64_t reduce_steps = reduce_scatter ? m - 1 : 0;
  const std::int64_t steps = reduce_steps + (all_gather ? m - 1 : 0);
  const auto transfers = static_cast<std::size_t>(steps * chunks * m);
  schedule.reserve(transfers, 2 * transfers);
  const auto first = static_cast<TransferId>(schedule.size());
  auto id = [&](std::int64_t k, std::int64_t c, std::int64_t i) {
    return static_cast<TransferId>(first + static_cast<std::uint64_t>((k * chunks + c) * m + i));
  };
  std::vector<TransferId> entry;
  for (std::int64_t k = 0; k < steps; ++k) {
    // Reduce-scatter step s: member i sends piece i-s-1; all-gather step s: piece i-s.
    const bool reducing = k < reduce_steps;
    const std::int64_t shift = reducing ? m - 1 - k : m - (k - reduce_steps);
    const Combine combine = reducing ? Combine::kReduce : Combine::kCopy;
    for (std::int64_t c = 0; c < chunks; ++c) {
      for (std::int64_t i = 0; i < m; ++i) {
        const Rank src = members[i];
        const Rank dst = members[(i + 1) % m];
        const RangeId bytes = piece_chunk[((i + shift) % m) * chunks + c];
        if (k == 0 && c == 0) {
          entry.clear();
          if (src < frontier.size()) entry.insert(entry.end(), frontier[src].begin(), frontier[src].end());
          if (dst < frontier.size()) entry.insert(entry.end(), frontier[dst].begin(), frontier[dst].end());
          SortDependencies(entry);
          schedule.add(src, dst, bytes, combine, entry);
          continue;
        }
        const TransferId channel = AfterDelivery(c > 0 ? id(k, c - 1, i) : id(k - 1, chunks - 1, i));
        if (k == 0) {
          schedule.add(src, dst, bytes, combine, {&channel, 1});
          continue;
        }
        // Never the same target: that would be member i - 1 = member i.
        const TransferId data = id(k - 1, c, (i + m - 1) % m);
        const std::array<TransferId, 2> deps =
            DependencyTarget(data) < DependencyTarget(channel) ? std::array{data, channel} : std::array{channel, data};
        schedule.add(src, dst, bytes, combine, deps);
      }
    }
  }
  // PhaseChannels::finish: each member's channels in the order they were
  // opened, member i's own (i) after the one into it (i - 1), but for member
  // 0, whose channel was opened first.
  auto last = [&](std::int64_t i) { return id(steps - 1, chunks - 1, i); };
  frontier[members[0]] = {last(0), last(m - 1)};
  for (std::int64_t i = 1; i < m; ++i) frontier[members[i]] = {last(i - 1), last(i)};
}

}  // namespace

std::int64_t ChunkCount(std::int64_t length, Bytes chunk) noexcept {
  if (chunk.count <= 0 || length <= chunk.count) return 1;
  return (length + chunk.count - 1) / chunk.count;
}

void RingAllReduce(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                   Frontier& frontier) {
  Ring(schedule, members, range, chunk, frontier, true, true);
}

void RingReduceScatter(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                       Frontier& frontier) {
  Ring(schedule, members, range, chunk, frontier, true, false);
}

void RingAllGather(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                   Frontier& frontier) {
  Ring(schedule, members, range, chunk, frontier, false, true);
}

void ChainBroadcast(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                    Frontier& frontier) {
  const std::size_t m = members.size();
  if (m < 2) return;
  const std::int64_t chunks = ChunkCount(range.length, chunk);
  PhaseChannels channels(schedule, frontier);
  for (std::int64_t c = 0; c < chunks; ++c) {
    const ByteRange piece = Partition(range, chunks, c);
    TransferId previous = 0;
    for (std::size_t h = 0; h + 1 < m; ++h) {
      std::span<const TransferId> deps;
      if (h > 0) deps = {&previous, 1};
      previous = channels.send(members[h], members[h + 1], piece, Combine::kCopy, deps);
    }
  }
  channels.finish(frontier);
}

void ChainReduce(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk,
                 Frontier& frontier) {
  const std::size_t m = members.size();
  if (m < 2) return;
  const std::int64_t chunks = ChunkCount(range.length, chunk);
  PhaseChannels channels(schedule, frontier);
  for (std::int64_t c = 0; c < chunks; ++c) {
    const ByteRange piece = Partition(range, chunks, c);
    TransferId previous = 0;
    for (std::size_t h = m - 1; h >= 1; --h) {
      std::span<const TransferId> deps;
      if (h < m - 1) deps = {&previous, 1};
      previous = channels.send(members[h], members[h - 1], piece, Combine::kReduce, deps);
    }
  }
  channels.finish(frontier);
}

}  // namespace sim::collectives

#include "sim/collectives/ring.h"

#include <algorithm>
#include <vector>

#include "sim/collectives/phase_channels.h"

namespace sim::collectives {
namespace {

std::int64_t Mod(std::int64_t a, std::int64_t m) noexcept { return ((a % m) + m) % m; }

// The ring's reduce-scatter and/or all-gather phases. `ids[c][i]` is the
// transfer member i sent at the previous step for chunk c: the one member i+1
// must have received before forwarding that chunk.
void Ring(Schedule& schedule, std::span<const Rank> members, ByteRange range, Bytes chunk, Frontier& frontier,
          bool reduce_scatter, bool all_gather) {
  const auto m = static_cast<std::int64_t>(members.size());
  if (m < 2) return;
  // One chunk count for every piece, from the longest piece, so that step s of
  // every chunk exists for every member.
  const std::int64_t chunks = ChunkCount(Partition(range, m, 0).length, chunk);
  auto piece_chunk = [&](std::int64_t piece, std::int64_t c) {
    return Partition(Partition(range, m, Mod(piece, m)), chunks, c);
  };
  const auto steps = static_cast<std::size_t>((reduce_scatter ? m - 1 : 0) + (all_gather ? m - 1 : 0));
  const std::size_t transfers = steps * static_cast<std::size_t>(chunks * m);
  schedule.reserve(transfers, 2 * transfers);
  PhaseChannels channels(schedule, frontier);
  std::vector<std::vector<TransferId>> ids(static_cast<std::size_t>(chunks), std::vector<TransferId>(m));
  bool have_previous = false;
  auto step = [&](std::int64_t piece_offset, Combine combine) {
    for (std::int64_t c = 0; c < chunks; ++c) {
      std::vector<TransferId>& previous = ids[c];
      std::vector<TransferId> sent(m);
      for (std::int64_t i = 0; i < m; ++i) {
        const TransferId received = previous[Mod(i - 1, m)];
        std::span<const TransferId> deps;
        if (have_previous) deps = {&received, 1};
        sent[i] = channels.send(members[i], members[(i + 1) % m], piece_chunk(i + piece_offset, c), combine, deps);
      }
      previous = std::move(sent);
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

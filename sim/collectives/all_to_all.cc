#include "sim/collectives/all_to_all.h"

#include <vector>

#include "sim/collectives/phase_channels.h"

namespace sim::collectives {
namespace {

ByteRange PieceFor(std::size_t from, std::size_t to, std::size_t m, Bytes buffer_bytes) {
  const ByteRange buffer{static_cast<std::int64_t>(from) * buffer_bytes.count, buffer_bytes.count};
  return Partition(buffer, static_cast<std::int64_t>(m), static_cast<std::int64_t>(to));
}

}  // namespace

void PairwiseAllToAll(Schedule& schedule, std::span<const Rank> members, Bytes buffer_bytes, Frontier& frontier) {
  const std::size_t m = members.size();
  if (m < 2) return;
  PhaseChannels channels(schedule, frontier);
  std::vector<TransferId> sent(m);
  std::vector<TransferId> next(m);
  for (std::size_t s = 1; s < m; ++s) {
    for (std::size_t i = 0; i < m; ++i) {
      const std::size_t to = (i + s) % m;
      TransferId deps[2];
      std::span<const TransferId> d;
      if (s > 1) {
        // Step s-1: member i sent to i+s-1 and received from i-(s-1).
        deps[0] = sent[i];
        deps[1] = sent[(i + m - (s - 1)) % m];
        d = {deps, 2};
      }
      next[i] = channels.send(members[i], members[to], PieceFor(i, to, m, buffer_bytes), Combine::kCopy, d);
    }
    sent.swap(next);
  }
  channels.finish(frontier);
}

void DirectAllToAll(Schedule& schedule, std::span<const Rank> members, Bytes buffer_bytes, Frontier& frontier) {
  const std::size_t m = members.size();
  PhaseChannels channels(schedule, frontier);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t s = 1; s < m; ++s) {
      const std::size_t to = (i + s) % m;
      channels.send(members[i], members[to], PieceFor(i, to, m, buffer_bytes), Combine::kCopy);
    }
  }
  channels.finish(frontier);
}

}  // namespace sim::collectives

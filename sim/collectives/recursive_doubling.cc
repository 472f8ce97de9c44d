#include "sim/collectives/recursive_doubling.h"

#include <bit>
#include <vector>

#include "sim/collectives/phase_channels.h"

namespace sim::collectives {

void RecursiveDoublingAllReduce(Schedule& schedule, std::span<const Rank> members, ByteRange range,
                                Frontier& frontier) {
  const auto m = static_cast<std::uint32_t>(members.size());
  if (m < 2) return;
  const std::uint32_t p2 = std::bit_floor(m);
  const std::uint32_t r = m - p2;
  // Survivor k of the fold is member 2k+1 for k < r, else member k+r.
  auto member_of = [r](std::uint32_t k) { return k < r ? 2 * k + 1 : k + r; };

  PhaseChannels channels(schedule, frontier);
  // Each member's latest writes: every step waits for all writes into both of
  // its members so far (a step's data is everything reduced before it).
  std::vector<std::vector<TransferId>> writes(m);
  std::vector<TransferId> deps;
  auto after_both = [&](std::uint32_t a, std::uint32_t b) -> std::span<const TransferId> {
    deps.assign(writes[a].begin(), writes[a].end());
    deps.insert(deps.end(), writes[b].begin(), writes[b].end());
    return deps;
  };

  for (std::uint32_t i = 0; i < r; ++i) {
    const TransferId id =
        channels.send(members[2 * i], members[2 * i + 1], range, Combine::kReduce, after_both(2 * i, 2 * i + 1));
    writes[2 * i + 1] = {id};
  }
  for (std::uint32_t d = 1; d < p2; d *= 2) {
    std::vector<std::vector<TransferId>> next = writes;
    for (std::uint32_t k = 0; k < p2; ++k) {
      const std::uint32_t partner = k ^ d;
      if (partner < k) continue;
      const std::uint32_t a = member_of(k), b = member_of(partner);
      const TransferId there = channels.send(members[a], members[b], range, Combine::kReduce, after_both(a, b));
      const TransferId back = channels.send(members[b], members[a], range, Combine::kReduce, after_both(a, b));
      schedule.mark_exchange(there, back);
      next[b] = {there};
      next[a] = {back};
    }
    writes = std::move(next);
  }
  for (std::uint32_t i = 0; i < r; ++i) {
    channels.send(members[2 * i + 1], members[2 * i], range, Combine::kCopy, after_both(2 * i, 2 * i + 1));
  }
  channels.finish(frontier);
}

}  // namespace sim::collectives

#include "sim/collectives/phase_channels.h"

#include <algorithm>
#include <stdexcept>

namespace sim::collectives {

TransferId PhaseChannels::send(Rank src, Rank dst, ByteRange range, Combine combine,
                               std::span<const TransferId> data_deps, std::uint32_t lane) {
  if (src >= (1u << 24) || dst >= (1u << 24) || lane >= (1u << 16)) {
    throw std::invalid_argument("collective phase: rank or lane out of range for a channel key");
  }
  deps_scratch_.assign(data_deps.begin(), data_deps.end());
  auto [it, first] = channels_.try_emplace(key(src, dst, lane), Channel{src, dst, 0, 0});
  if (first) {
    it->second.order = static_cast<std::uint32_t>(channels_.size() - 1);
    if (src < entry_.size()) deps_scratch_.insert(deps_scratch_.end(), entry_[src].begin(), entry_[src].end());
    if (dst < entry_.size()) deps_scratch_.insert(deps_scratch_.end(), entry_[dst].begin(), entry_[dst].end());
  } else {
    deps_scratch_.push_back(AfterDelivery(it->second.last));
  }
  if (deps_scratch_.size() > 1) {
    // Sorted, each target once; a full dependency on x makes AfterDelivery(x) redundant.
    std::sort(deps_scratch_.begin(), deps_scratch_.end(), [](TransferId a, TransferId b) {
      return DependencyTarget(a) != DependencyTarget(b) ? DependencyTarget(a) < DependencyTarget(b) : a < b;
    });
    deps_scratch_.erase(std::unique(deps_scratch_.begin(), deps_scratch_.end(),
                                    [](TransferId a, TransferId b) {
                                      return DependencyTarget(a) == DependencyTarget(b);
                                    }),
                        deps_scratch_.end());
  }
  it->second.last = schedule_.add(src, dst, range, combine, deps_scratch_);
  return it->second.last;
}

void PhaseChannels::finish(Frontier& frontier) const {
  std::vector<const Channel*> ordered(channels_.size());
  for (const auto& [k, channel] : channels_) ordered[channel.order] = &channel;
  std::vector<bool> cleared(frontier.size(), false);
  auto note = [&](Rank r, TransferId id) {
    if (!cleared[r]) {
      frontier[r].clear();
      cleared[r] = true;
    }
    frontier[r].push_back(id);
  };
  for (const Channel* c : ordered) {
    note(c->src, c->last);
    note(c->dst, c->last);
  }
}

}  // namespace sim::collectives

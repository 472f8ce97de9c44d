#include "sim/collectives/phase_channels.h"

#include <algorithm>
#include <stdexcept>

namespace sim::collectives {

void SortDependencies(std::vector<TransferId>& deps) {
  if (deps.size() == 2) {
    // The common case (a data dependency and the channel's previous
    // transfer), ordered and merged as the general case below would.
    TransferId& a = deps[0];
    TransferId& b = deps[1];
    if (DependencyTarget(a) == DependencyTarget(b)) {
      a = std::min(a, b);
      deps.pop_back();
    } else if (DependencyTarget(b) < DependencyTarget(a)) {
      std::swap(a, b);
    }
  } else if (deps.size() > 2) {
    std::sort(deps.begin(), deps.end(), [](TransferId a, TransferId b) {
      return DependencyTarget(a) != DependencyTarget(b) ? DependencyTarget(a) < DependencyTarget(b) : a < b;
    });
    deps.erase(std::unique(deps.begin(), deps.end(),
                           [](TransferId a, TransferId b) { return DependencyTarget(a) == DependencyTarget(b); }),
               deps.end());
  }
}

TransferId PhaseChannels::send(Rank src, Rank dst, ByteRange range, Combine combine,
                               std::span<const TransferId> data_deps, std::uint32_t lane) {
  if (src >= (1u << 24) || dst >= (1u << 24) || lane >= (1u << 16)) {
    throw std::invalid_argument("collective phase: rank or lane out of range for a channel key");
  }
  deps_scratch_.assign(data_deps.begin(), data_deps.end());
  bool first = false;
  Channel& c = channel(src, key(src, dst, lane), first);
  if (first) {
    c.src = src;
    c.dst = dst;
    if (src < entry_.size()) deps_scratch_.insert(deps_scratch_.end(), entry_[src].begin(), entry_[src].end());
    if (dst < entry_.size()) deps_scratch_.insert(deps_scratch_.end(), entry_[dst].begin(), entry_[dst].end());
  } else {
    deps_scratch_.push_back(AfterDelivery(c.last));
  }
  SortDependencies(deps_scratch_);
  c.last = schedule_.add(src, dst, range, combine, deps_scratch_);
  return c.last;
}

PhaseChannels::Channel& PhaseChannels::channel(Rank src, std::uint64_t k, bool& first) {
  if (src >= last_of_src_.size()) last_of_src_.resize(src + 1);
  LastChannel& last = last_of_src_[src];
  if (last.index != kNoChannel && last.key == k) {
    first = false;
    return channels_[last.index];
  }
  const auto [it, added] = index_of_key_.try_emplace(k, static_cast<std::uint32_t>(channels_.size()));
  if (added) channels_.push_back(Channel{src, 0, 0});
  first = added;
  last = {k, it->second};
  return channels_[it->second];
}

void PhaseChannels::finish(Frontier& frontier) const {
  std::vector<bool> cleared(frontier.size(), false);
  auto note = [&](Rank r, TransferId id) {
    if (!cleared[r]) {
      frontier[r].clear();
      cleared[r] = true;
    }
    frontier[r].push_back(id);
  };
  for (const Channel& c : channels_) {
    note(c.src, c.last);
    note(c.dst, c.last);
  }
}

}  // namespace sim::collectives

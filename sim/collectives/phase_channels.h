// The bookkeeping every schedule generator shares: within one phase of a
// collective, transfers on the same channel (src -> dst, lane) go one at a
// time, in the order they were added; the first transfer on a channel waits for
// both endpoints' entry frontier; and when the phase ends each rank's frontier
// becomes the last transfer of each channel it used.
//
// "The next starts when the previous has arrived": a delivery-only dependency
// (schedule.h), so a channel does not stay idle while its receiver adds the
// previous chunk; that overlap is what chunking buys when reductions cost.
//
// Why one at a time: a pipelined algorithm (chunked ring, tree) only pipelines
// if a rank does not put all its chunks on the wire at once; in a flow model
// concurrent chunks would share the link and all arrive together at the end.
// "One chunk in flight per channel, the next starts when the previous has
// arrived" is the simplest discipline that pipelines; each chunk then pays the
// route latency once, so chunks should be much larger than latency x bandwidth.
//
// Why the last transfer per channel is a complete exit frontier: transfers of a
// channel are delivered in order and their receiver adds them in delivery
// order (schedule.h's contract), so they complete in order, and the last one
// completing means every transfer of the phase that read or wrote this rank's
// buffer has completed.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "sim/collectives/schedule.h"

namespace sim::collectives {

// Puts a transfer's dependencies in the order Schedule::add() receives them
// from every generator: sorted by target, each target once, a full
// dependency on x kept over AfterDelivery(x) (which it makes redundant).
void SortDependencies(std::vector<TransferId>& deps);

class PhaseChannels {
 public:
  PhaseChannels(Schedule& schedule, const Frontier& entry) : schedule_(schedule), entry_(entry) {}

  // Adds src -> dst after `data_deps`, after the previous transfer on the
  // channel (src, dst, lane), and, if it is that channel's first, after the
  // entry frontier of src and of dst.
  TransferId send(Rank src, Rank dst, ByteRange range, Combine combine, std::span<const TransferId> data_deps = {},
                  std::uint32_t lane = 0);

  // For every rank that took part in the phase, replaces frontier[rank] by the
  // last transfer of each channel it used (in channel order, deterministic).
  void finish(Frontier& frontier) const;

 private:
  static std::uint64_t key(Rank src, Rank dst, std::uint32_t lane) noexcept {
    return (static_cast<std::uint64_t>(lane) << 48) ^ (static_cast<std::uint64_t>(src) << 24) ^ dst;
  }
  struct Channel {
    Rank src;
    Rank dst;
    TransferId last;
  };
  // The channel `key` names, created (and reported in `first`) if new.
  Channel& channel(Rank src, std::uint64_t key, bool& first);

  // std::hash of an integer is the identity, and keys that differ only in
  // their high bits then share buckets (a ring's src<<24 ^ (src+1) collided
  // on every key for some bucket counts); mix the bits first (SplitMix64's
  // finaliser).
  struct MixedHash {
    std::size_t operator()(std::uint64_t z) const noexcept {
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      return static_cast<std::size_t>(z ^ (z >> 31));
    }
  };

  // Most recent channel of each sender: a ring or chain member sends on one
  // channel only, so most look-ups end there without hashing.
  static constexpr std::uint32_t kNoChannel = 0xffffffffu;
  struct LastChannel {
    std::uint64_t key = 0;
    std::uint32_t index = kNoChannel;  // none yet
  };

  Schedule& schedule_;
  const Frontier& entry_;
  std::vector<Channel> channels_;  // in creation order, for a deterministic finish()
  std::unordered_map<std::uint64_t, std::uint32_t, MixedHash> index_of_key_;
  std::vector<LastChannel> last_of_src_;
  std::vector<TransferId> deps_scratch_;
};

}  // namespace sim::collectives

// A collective as data: the point-to-point transfers it is made of and the
// order they must respect (sim/DESIGN.md, decision 5).
//
// A Schedule is a DAG. Each transfer moves one byte range of the collective's
// data space from one rank to another, and either overwrites the receiver's
// copy of that range (kCopy) or adds into it (kReduce). A transfer may start
// once every transfer it depends on has completed: been delivered and, for a
// reduce, added at the receiver. A dependency marked AfterDelivery() is met
// at delivery already: that is how a sender waits for its channel to be free
// without waiting for the receiver's arithmetic. Dependencies always point to
// earlier transfers, so the insertion order is a topological order and a
// schedule can never contain a cycle.
//
// Contract with whoever runs a schedule (the executor, the symbolic checker):
// each rank adds incoming reductions one at a time in the order they were
// delivered.
//
// An exchange is a pair of transfers a -> b and b -> a over one range, marked
// with mark_exchange(): MPI_Sendrecv into a scratch buffer, then a local
// combine. Each rank's incoming half takes effect (is copied or added) only
// once both halves have been delivered, so that neither rank's outgoing data
// can already contain what its partner sent it. Recursive doubling is built
// of them (Open MPI's allreduce_intra_recursivedoubling: sendrecv, then
// reduce).
//
// The "data space" is a logical byte array: for an all-reduce it is the
// vector being reduced; for an all-to-all it is the p send buffers laid end to
// end (see collective.h). Ranges exist so that a schedule can be checked
// symbolically (symbolic_check.h) without a network; the executor only uses
// their lengths.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/collectives/huge_pages.h"
#include "sim/core/units.h"

namespace sim::collectives {

using Rank = std::uint32_t;
using TransferId = std::uint32_t;

struct ByteRange {
  std::int64_t offset = 0;
  std::int64_t length = 0;
  [[nodiscard]] constexpr std::int64_t end() const noexcept { return offset + length; }
  constexpr bool operator==(const ByteRange&) const noexcept = default;
};

// Piece `index` of `parts` near-equal consecutive pieces of `whole`: the first
// (length mod parts) pieces are one byte longer. Every byte belongs to exactly
// one piece; pieces may be empty when length < parts.
[[nodiscard]] ByteRange Partition(ByteRange whole, std::int64_t parts, std::int64_t index) noexcept;

enum class Combine : std::uint8_t {
  kCopy,    // the receiver's range becomes the sender's
  kReduce,  // the receiver adds the sender's range into its own
};

// A dependency is a TransferId, with the top bit set when delivery of that
// transfer suffices (its reduction at the receiver need not be finished).
inline constexpr TransferId kDeliveryOnlyBit = 0x80000000u;
[[nodiscard]] constexpr TransferId AfterDelivery(TransferId id) noexcept { return id | kDeliveryOnlyBit; }
[[nodiscard]] constexpr TransferId DependencyTarget(TransferId dep) noexcept { return dep & ~kDeliveryOnlyBit; }
[[nodiscard]] constexpr bool IsDeliveryOnly(TransferId dep) noexcept { return (dep & kDeliveryOnlyBit) != 0; }

// One transfer, as Schedule::transfer() gives it.
struct Transfer {
  Rank src = 0;
  Rank dst = 0;
  Combine combine = Combine::kCopy;
  ByteRange range;
};

// Index of a byte range among a schedule's distinct ones.
using RangeId = std::uint32_t;

// A transfer as a schedule stores it. A schedule holds millions (a ring
// all-reduce on 1,024 ranks: 2.1 M) but few distinct ranges (that ring moves
// 1,024 pieces, each 2(p-1) times), so a transfer names its range by index
// (the ranges are stored once), and the receiver takes 31 bits and the
// combine flag the 32nd: 12 bytes a transfer, against 24 with the range
// inline. Hence at most 2^31 ranks (checked).
struct StoredTransfer {
  Rank src = 0;
  Rank dst : 31 = 0;
  Combine combine : 1 = Combine::kCopy;
  RangeId range = 0;
};
inline constexpr std::uint32_t kMaxScheduleRanks = 0x80000000u;

// Per rank, the transfers that must complete before a phase may touch that
// rank's buffer (on entry to a schedule generator), and those that wrote its
// result (on return). Composition of phases (hierarchical all-reduce) threads
// one Frontier through its generators.
using Frontier = std::vector<std::vector<TransferId>>;

class Schedule {
 public:
  // `ranks` in [1, kMaxScheduleRanks] ranks sharing a data space of `data_bytes` bytes.
  Schedule(std::uint32_t ranks, Bytes data_bytes);

  // Appends a transfer that may start once all of `deps` completed. Throws
  // std::invalid_argument naming the problem if src or dst is out of range,
  // src == dst, the range leaves the data space, or a dependency is not an
  // earlier transfer.
  TransferId add(Rank src, Rank dst, const ByteRange& range, Combine combine, std::span<const TransferId> deps = {});
  // The same with a range from add_range(), for a generator that sends each
  // range many times (a ring): no look-up per transfer.
  TransferId add(Rank src, Rank dst, RangeId range, Combine combine, std::span<const TransferId> deps = {});
  // The id of `range` among this schedule's ranges, added if new. Throws
  // std::invalid_argument if it leaves the data space, std::logic_error once
  // sealed.
  RangeId add_range(const ByteRange& range);

  [[nodiscard]] std::uint32_t ranks() const noexcept { return ranks_; }
  [[nodiscard]] Bytes data_bytes() const noexcept { return data_bytes_; }
  [[nodiscard]] std::size_t size() const noexcept { return transfers_.size(); }
  [[nodiscard]] Transfer transfer(TransferId id) const noexcept {
    const StoredTransfer& t = transfers_[id];
    return Transfer{t.src, t.dst, t.combine, ranges_[t.range]};
  }
  // Every transfer in order, each as transfer(id) gives it (a view). Written
  // out rather than as iota | transform: clang 14, the fuzz build's compiler,
  // cannot compile libstdc++ 12's ranges.
  struct TransferIterator {
    const Schedule* schedule;
    TransferId id;
    Transfer operator*() const noexcept { return schedule->transfer(id); }
    TransferIterator& operator++() noexcept {
      ++id;
      return *this;
    }
    bool operator==(const TransferIterator&) const noexcept = default;
  };
  struct TransferRange {
    TransferIterator first;
    TransferIterator last;
    [[nodiscard]] TransferIterator begin() const noexcept { return first; }
    [[nodiscard]] TransferIterator end() const noexcept { return last; }
  };
  [[nodiscard]] TransferRange transfers() const noexcept {
    return {{this, 0}, {this, static_cast<TransferId>(transfers_.size())}};
  }
  // Distinct ranges stored (for memory accounting).
  [[nodiscard]] std::size_t range_count() const noexcept { return ranges_.size(); }
  [[nodiscard]] std::span<const TransferId> deps(TransferId id) const noexcept {
    return {deps_.data() + dep_begin_[id], deps_.data() + dep_begin_[id + 1]};
  }
  // Marks a -> b and b -> a (same range, same combine, added earlier) as one
  // exchange (see above). Throws std::invalid_argument if they are not such a
  // pair or either is already in an exchange.
  void mark_exchange(TransferId a, TransferId b);
  // The other half of `id`'s exchange, or kNoPartner.
  static constexpr TransferId kNoPartner = 0xffffffffu;
  [[nodiscard]] TransferId partner(TransferId id) const noexcept {
    return partner_.empty() ? kNoPartner : partner_[id];
  }
  [[nodiscard]] bool has_exchanges() const noexcept { return !partner_.empty(); }

  // Room for `transfers` more transfers with `deps` dependencies in all, so
  // that a generator that knows its size fills memory once.
  void reserve(std::size_t transfers, std::size_t deps);

  // Builds the reverse edges; after it, add() throws and dependents() works.
  // BuildSchedule() returns sealed schedules.
  void seal();
  [[nodiscard]] bool sealed() const noexcept { return sealed_; }
  // The transfers that depend on `id`, each with kDeliveryOnlyBit set if
  // delivery of `id` is all it waits for. Requires sealed().
  [[nodiscard]] std::span<const TransferId> dependents(TransferId id) const noexcept {
    return {dependents_.data() + dependent_begin_[id], dependents_.data() + dependent_begin_[id + 1]};
  }

  // Asks the processor to start loading transfer `id`, for an executor that
  // knows it will need it soon (a hint: no effect on results).
  void prefetch_transfer(TransferId id) const noexcept { __builtin_prefetch(&transfers_[id]); }
  // The same for the index dependents(id) reads first.
  void prefetch_dependents_index(TransferId id) const noexcept { __builtin_prefetch(&dependent_begin_[id]); }
  // The same for the list itself; reads dependents(id)'s index, so best once
  // that has been prefetched.
  void prefetch_dependents(TransferId id) const noexcept {
    __builtin_prefetch(dependents_.data() + dependent_begin_[id]);
  }

  // Bytes that `rank` sends / receives over the whole schedule.
  [[nodiscard]] Bytes bytes_sent(Rank rank) const noexcept;
  [[nodiscard]] Bytes bytes_received(Rank rank) const noexcept;
  // Longest chain of dependent transfers (the "step count" of an algorithm:
  // 2(p-1) for a ring all-reduce).
  [[nodiscard]] std::size_t critical_path_transfers() const;

  // One line per transfer, "id: src->dst reduce [off,end) after {deps}" (a
  // delivery-only dependency is written "id~"), for reading a small schedule
  // by eye (`sim collective --dump`).
  [[nodiscard]] std::string describe() const;

 private:
  // "schedule: transfer <next id> (src->dst)", for messages.
  [[nodiscard]] std::string where(Rank src, Rank dst) const;
  // Throws the exception add() documents for this transfer.
  [[noreturn]] void reject(Rank src, Rank dst, RangeId range, std::span<const TransferId> deps) const;
  // std::hash of an integer is the identity; mix (Fibonacci hashing) so
  // that a ring's evenly spaced offsets spread over the buckets.
  struct RangeHash {
    std::size_t operator()(const ByteRange& r) const noexcept {
      const auto a = static_cast<std::uint64_t>(r.offset) * 0x9e3779b97f4a7c15ULL;
      return static_cast<std::size_t>((a ^ (a >> 29)) + static_cast<std::uint64_t>(r.length) * 0xbf58476d1ce4e5b9ULL);
    }
  };

  std::uint32_t ranks_;
  Bytes data_bytes_;
  // Millions of entries for a large collective: huge pages (huge_pages.h).
  HugePageVector<StoredTransfer> transfers_;
  std::vector<ByteRange> ranges_;
  std::unordered_map<ByteRange, RangeId, RangeHash> range_ids_;
  HugePageVector<std::uint32_t> dep_begin_{0};
  HugePageVector<TransferId> deps_;
  // Per transfer, its exchange partner; empty while the schedule has none
  // (most have none, and a ring on 1,024 ranks has 2.1 M transfers).
  HugePageVector<TransferId> partner_;
  bool sealed_ = false;
  HugePageVector<std::uint32_t> dependent_begin_;
  HugePageVector<TransferId> dependents_;
};

}  // namespace sim::collectives

#include "sim/collectives/symbolic_check.h"

#include <algorithm>
#include <deque>
#include <sstream>

#include "sim/core/random.h"

namespace sim::collectives {
namespace {

// The data space cut at every boundary any transfer or expectation uses, so
// that each segment is held or not as a whole.
class Segments {
 public:
  explicit Segments(std::vector<std::int64_t> cuts) : cuts_(std::move(cuts)) {
    std::sort(cuts_.begin(), cuts_.end());
    cuts_.erase(std::unique(cuts_.begin(), cuts_.end()), cuts_.end());
  }
  [[nodiscard]] std::size_t count() const noexcept { return cuts_.empty() ? 0 : cuts_.size() - 1; }
  // Segments [first, last) covering `range` (empty for an empty range).
  [[nodiscard]] std::pair<std::size_t, std::size_t> span(ByteRange range) const noexcept {
    if (range.length == 0) return {0, 0};
    auto first = std::lower_bound(cuts_.begin(), cuts_.end(), range.offset) - cuts_.begin();
    auto last = std::lower_bound(cuts_.begin(), cuts_.end(), range.end()) - cuts_.begin();
    return {static_cast<std::size_t>(first), static_cast<std::size_t>(last)};
  }
  [[nodiscard]] ByteRange bytes(std::size_t segment) const noexcept {
    return ByteRange{cuts_[segment], cuts_[segment + 1] - cuts_[segment]};
  }

 private:
  std::vector<std::int64_t> cuts_;
};

// counts[(rank * segments + segment) * ranks + contributor]
class Holdings {
 public:
  Holdings(std::size_t ranks, std::size_t segments)
      : ranks_(ranks), segments_(segments), counts_(ranks * segments * ranks, 0) {}
  std::uint16_t* at(std::size_t rank, std::size_t segment) noexcept {
    return counts_.data() + (rank * segments_ + segment) * ranks_;
  }
  [[nodiscard]] std::size_t ranks() const noexcept { return ranks_; }

 private:
  std::size_t ranks_;
  std::size_t segments_;
  std::vector<std::uint16_t> counts_;
};

// What rank `rank` must hold in segment `range` at the end, or nothing to check.
struct Want {
  bool check = false;
  bool everyone = false;     // one of each contribution
  Rank only = 0;             // else exactly one of `only`
};

}  // namespace

std::vector<std::string> CheckSchedule(const Schedule& schedule, const SymbolicExpectation& expect,
                                       std::uint64_t seed, std::size_t max_problems) {
  const std::uint32_t p = schedule.ranks();
  const std::int64_t n = expect.bytes.count;
  std::vector<std::string> problems;
  const Bytes space = DataSpaceBytes(expect.op, p, expect.bytes);
  if (schedule.data_bytes() != space) {
    problems.push_back("data space is " + std::to_string(schedule.data_bytes().count) + " bytes, expected " +
                       std::to_string(space.count));
    return problems;
  }
  const ByteRange all{0, n};
  // Whose piece a byte is: for all-gather and reduce-scatter, piece i of n; for
  // all-to-all, buffer i's piece j.
  std::vector<std::int64_t> cuts{0, space.count};
  for (std::uint32_t i = 0; i <= p; ++i) cuts.push_back(Partition(all, p, std::min(i, p - 1)).offset);
  if (expect.op == Op::kAllToAll) {
    for (std::uint32_t i = 0; i < p; ++i) {
      for (std::uint32_t j = 0; j < p; ++j) cuts.push_back(Partition(ByteRange{i * n, n}, p, j).offset);
    }
  }
  for (const Transfer& t : schedule.transfers()) {
    cuts.push_back(t.range.offset);
    cuts.push_back(t.range.end());
  }
  const Segments segments(std::move(cuts));
  const std::size_t segs = segments.count();
  Holdings hold(p, segs);

  auto piece_owner = [&](ByteRange b) -> Rank {
    for (Rank i = 0; i < p; ++i) {
      const ByteRange piece = Partition(all, p, i);
      if (b.offset >= piece.offset && b.end() <= piece.end() && piece.length > 0) return i;
    }
    return 0;
  };
  // Initial state.
  for (Rank r = 0; r < p; ++r) {
    for (std::size_t s = 0; s < segs; ++s) {
      const ByteRange b = segments.bytes(s);
      switch (expect.op) {
        case Op::kAllReduce:
        case Op::kReduce:
        case Op::kReduceScatter: hold.at(r, s)[r] = 1; break;
        case Op::kAllGather:
          if (piece_owner(b) == r) hold.at(r, s)[r] = 1;
          break;
        case Op::kBroadcast:
          if (r == expect.root) hold.at(r, s)[r] = 1;
          break;
        case Op::kAllToAll:
          if (b.offset >= r * n && b.end() <= (r + 1) * n) hold.at(r, s)[r] = 1;
          break;
      }
    }
  }

  // Random interleaving of three kinds of events: a transfer starts (reads its
  // sender's state), is delivered (a copy then applies at once; a reduce joins
  // its receiver's queue), or a receiver adds the oldest reduce of its queue.
  const std::size_t count = schedule.size();
  std::vector<std::uint32_t> waiting(count);
  std::vector<TransferId> startable;
  for (TransferId id = 0; id < count; ++id) {
    waiting[id] = static_cast<std::uint32_t>(schedule.deps(id).size());
    if (waiting[id] == 0) startable.push_back(id);
  }
  // Reverse edges, built here so that unsealed schedules can be checked too.
  std::vector<std::vector<TransferId>> dependents(count);
  for (TransferId id = 0; id < count; ++id) {
    for (TransferId d : schedule.deps(id)) dependents[DependencyTarget(d)].push_back(id | (d & kDeliveryOnlyBit));
  }
  auto release = [&](TransferId id, bool at_delivery) {
    for (TransferId dep : dependents[id]) {
      if (IsDeliveryOnly(dep) != at_delivery) continue;
      if (--waiting[DependencyTarget(dep)] == 0) startable.push_back(DependencyTarget(dep));
    }
  };
  std::vector<TransferId> in_flight;
  std::vector<std::deque<TransferId>> reduce_queue(p);
  std::size_t queued_ranks = 0;
  std::vector<std::vector<std::uint16_t>> snapshot(count);
  std::size_t completed = 0;
  auto apply = [&](TransferId id) {
    const Transfer& t = schedule.transfer(id);
    auto [first, last] = segments.span(t.range);
    const auto& snap = snapshot[id];
    for (std::size_t s = first; s < last; ++s) {
      std::uint16_t* c = hold.at(t.dst, s);
      const std::uint16_t* from = snap.data() + (s - first) * p;
      for (Rank q = 0; q < p; ++q) c[q] = t.combine == Combine::kCopy ? from[q] : c[q] + from[q];
    }
    snapshot[id] = {};
    ++completed;
    release(id, false);
  };
  std::vector<bool> partner_arrived(schedule.has_exchanges() ? count : 0, false);
  auto take_effect = [&](TransferId id) {
    const Transfer& t = schedule.transfer(id);
    if (t.combine == Combine::kCopy) {
      apply(id);
    } else {
      if (reduce_queue[t.dst].empty()) ++queued_ranks;
      reduce_queue[t.dst].push_back(id);
    }
  };
  RandomStream random = NamedStream(seed, "symbolic_check");
  while (!startable.empty() || !in_flight.empty() || queued_ranks > 0) {
    std::size_t pick = random.uniform_index(startable.size() + in_flight.size() + queued_ranks);
    if (pick < startable.size()) {
      const TransferId id = startable[pick];
      startable[pick] = startable.back();
      startable.pop_back();
      const Transfer& t = schedule.transfer(id);
      auto [first, last] = segments.span(t.range);
      auto& snap = snapshot[id];
      snap.reserve((last - first) * p);
      for (std::size_t s = first; s < last; ++s) {
        const std::uint16_t* c = hold.at(t.src, s);
        snap.insert(snap.end(), c, c + p);
      }
      in_flight.push_back(id);
      continue;
    }
    pick -= startable.size();
    if (pick < in_flight.size()) {
      const TransferId id = in_flight[pick];
      in_flight[pick] = in_flight.back();
      in_flight.pop_back();
      release(id, true);
      // An exchange's halves take effect together, once both have arrived.
      const TransferId partner = schedule.partner(id);
      if (partner != Schedule::kNoPartner && !partner_arrived[partner]) {
        partner_arrived[id] = true;
        continue;
      }
      if (partner != Schedule::kNoPartner) take_effect(partner);
      take_effect(id);
      continue;
    }
    pick -= in_flight.size();
    for (Rank r = 0; r < p; ++r) {
      if (reduce_queue[r].empty()) continue;
      if (pick-- > 0) continue;
      const TransferId id = reduce_queue[r].front();
      reduce_queue[r].pop_front();
      if (reduce_queue[r].empty()) --queued_ranks;
      apply(id);
      break;
    }
  }
  if (completed != count) {
    problems.push_back(std::to_string(count - completed) + " transfers never became ready");
  }

  // End state.
  auto want = [&](Rank r, ByteRange b) -> Want {
    switch (expect.op) {
      case Op::kAllReduce: return {true, true, 0};
      case Op::kReduce: return {r == expect.root, true, 0};
      case Op::kReduceScatter: return {piece_owner(b) == r, true, 0};
      case Op::kAllGather: return {true, false, piece_owner(b)};
      case Op::kBroadcast: return {true, false, expect.root};
      case Op::kAllToAll: {
        const auto from = static_cast<Rank>(b.offset / std::max<std::int64_t>(n, 1));
        const ByteRange piece = Partition(ByteRange{from * n, n}, p, r);
        const bool mine = b.offset >= piece.offset && b.end() <= piece.end();
        return {mine, false, from};
      }
    }
    return {};
  };
  for (Rank r = 0; r < p && problems.size() < max_problems; ++r) {
    for (std::size_t s = 0; s < segs && problems.size() < max_problems; ++s) {
      const ByteRange b = segments.bytes(s);
      if (b.length == 0) continue;
      const Want w = want(r, b);
      if (!w.check) continue;
      const std::uint16_t* c = hold.at(r, s);
      bool ok = true;
      for (Rank q = 0; q < p; ++q) {
        const std::uint16_t expected = w.everyone ? 1 : (q == w.only ? 1 : 0);
        ok = ok && c[q] == expected;
      }
      if (!ok) {
        std::ostringstream msg;
        msg << "rank " << r << " bytes [" << b.offset << "," << b.end() << ") hold {";
        bool first = true;
        for (Rank q = 0; q < p; ++q) {
          if (c[q] == 0) continue;
          msg << (first ? "" : ",") << q;
          if (c[q] > 1) msg << 'x' << c[q];
          first = false;
        }
        msg << "}, expected ";
        if (w.everyone) {
          msg << "one of every rank";
        } else {
          msg << "only rank " << w.only;
        }
        problems.push_back(msg.str());
      }
    }
  }
  return problems;
}

}  // namespace sim::collectives

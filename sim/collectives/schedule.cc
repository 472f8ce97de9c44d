#include "sim/collectives/schedule.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace sim::collectives {

ByteRange Partition(ByteRange whole, std::int64_t parts, std::int64_t index) noexcept {
  const std::int64_t base = whole.length / parts;
  const std::int64_t extra = whole.length % parts;
  const std::int64_t offset = whole.offset + index * base + std::min(index, extra);
  return ByteRange{offset, base + (index < extra ? 1 : 0)};
}

Schedule::Schedule(std::uint32_t ranks, Bytes data_bytes) : ranks_(ranks), data_bytes_(data_bytes) {
  if (ranks == 0) throw std::invalid_argument("schedule: ranks must be >= 1, got 0");
  if (ranks > kMaxScheduleRanks) {
    throw std::invalid_argument("schedule: ranks must be <= 2^31, got " + std::to_string(ranks));
  }
  if (data_bytes.count < 0) {
    throw std::invalid_argument("schedule: data size must be >= 0 bytes, got " + std::to_string(data_bytes.count));
  }
}

std::string Schedule::where(Rank src, Rank dst) const {
  return "schedule: transfer " + std::to_string(transfers_.size()) + " (" + std::to_string(src) + "->" +
         std::to_string(dst) + ")";
}

void Schedule::reject(Rank src, Rank dst, RangeId range, std::span<const TransferId> deps) const {
  const auto id = static_cast<TransferId>(transfers_.size());
  const std::string where = this->where(src, dst);
  if (sealed_) throw std::logic_error(where + ": schedule is sealed");
  if (src >= ranks_ || dst >= ranks_) {
    throw std::invalid_argument(where + ": rank out of range [0, " + std::to_string(ranks_) + ")");
  }
  if (src == dst) throw std::invalid_argument(where + ": a rank cannot send to itself");
  if (range >= ranges_.size()) throw std::invalid_argument(where + ": no range " + std::to_string(range));
  if (id >= kDeliveryOnlyBit) throw std::length_error(where + ": more than 2^31 transfers");
  for (TransferId d : deps) {
    if (DependencyTarget(d) >= id) {
      throw std::invalid_argument(where + ": depends on transfer " + std::to_string(DependencyTarget(d)) +
                                  ", which is not earlier");
    }
  }
  throw std::logic_error(where + ": refused for no reason found");
}

namespace {

std::string Leaves(const ByteRange& range, Bytes data_bytes) {
  return "range [" + std::to_string(range.offset) + ", " + std::to_string(range.end()) +
         ") leaves the data space of " + std::to_string(data_bytes.count) + " bytes";
}

bool Inside(const ByteRange& range, Bytes data_bytes) noexcept {
  return range.offset >= 0 && range.length >= 0 && range.end() <= data_bytes.count;
}

}  // namespace

TransferId Schedule::add(Rank src, Rank dst, const ByteRange& range, Combine combine,
                         std::span<const TransferId> deps) {
  if (sealed_) throw std::logic_error(where(src, dst) + ": schedule is sealed");
  if (!Inside(range, data_bytes_)) throw std::invalid_argument(where(src, dst) + ": " + Leaves(range, data_bytes_));
  return add(src, dst, add_range(range), combine, deps);
}

RangeId Schedule::add_range(const ByteRange& range) {
  if (sealed_) throw std::logic_error("schedule: range added to a sealed schedule");
  if (!Inside(range, data_bytes_)) throw std::invalid_argument("schedule: " + Leaves(range, data_bytes_));
  const auto [it, added] = range_ids_.try_emplace(range, static_cast<RangeId>(ranges_.size()));
  if (added) ranges_.push_back(range);
  return it->second;
}

TransferId Schedule::add(Rank src, Rank dst, RangeId range, Combine combine, std::span<const TransferId> deps) {
  const auto id = static_cast<TransferId>(transfers_.size());
  bool valid = !sealed_ && src < ranks_ && dst < ranks_ && src != dst && range < ranges_.size() &&
               id < kDeliveryOnlyBit;
  for (TransferId d : deps) valid = valid && DependencyTarget(d) < id;
  // The messages are built apart, so that this path keeps its values in
  // registers: a ring on 1,024 ranks adds 2.1 M transfers.
  if (!valid) [[unlikely]] reject(src, dst, range, deps);
  // Field by field into place: gcc builds a whole transfer on the stack with
  // byte writes to the bit field and copies it with one wide load, which
  // waits for those writes (no store forwarding): half of add()'s time.
  StoredTransfer& t = transfers_.emplace_back();
  t.src = src;
  t.dst = dst;
  t.combine = combine;
  t.range = range;
  if (!partner_.empty()) partner_.push_back(kNoPartner);
  // One at a time: a range insert of one or two ids is a call to memmove.
  for (TransferId d : deps) deps_.push_back(d);
  dep_begin_.push_back(static_cast<std::uint32_t>(deps_.size()));
  return id;
}

void Schedule::mark_exchange(TransferId a, TransferId b) {
  const std::string where = "schedule: exchange " + std::to_string(a) + "/" + std::to_string(b);
  if (sealed_) throw std::logic_error(where + ": schedule is sealed");
  if (a >= transfers_.size() || b >= transfers_.size() || a == b) {
    throw std::invalid_argument(where + ": not two transfers of this schedule");
  }
  const StoredTransfer& x = transfers_[a];
  const StoredTransfer& y = transfers_[b];
  if (x.src != y.dst || x.dst != y.src || !(x.range == y.range) || x.combine != y.combine) {
    throw std::invalid_argument(where + ": not a -> b and b -> a over one range with one combine");
  }
  if (partner_.empty()) partner_.assign(transfers_.size(), kNoPartner);
  if (partner_[a] != kNoPartner || partner_[b] != kNoPartner) {
    throw std::invalid_argument(where + ": a transfer is already in an exchange");
  }
  partner_[a] = b;
  partner_[b] = a;
}

namespace {

// Room for `more` elements past the size, growing at least geometrically:
// generators reserve phase by phase (a hierarchical all-reduce reserves once
// per host's ring), and growing to the exact size each time would copy the
// arrays once per phase, quadratic in the number of phases.
template <class Vector>
void ReserveMore(Vector& v, std::size_t more) {
  const std::size_t needed = v.size() + more;
  if (needed > v.capacity()) v.reserve(std::max(needed, 2 * v.capacity()));
}

}  // namespace

void Schedule::reserve(std::size_t transfers, std::size_t deps) {
  ReserveMore(transfers_, transfers);
  ReserveMore(dep_begin_, transfers);
  ReserveMore(deps_, deps);
}

void Schedule::seal() {
  if (sealed_) return;
  range_ids_ = {};  // only add_range() looks ranges up
  const std::size_t n = transfers_.size();
  // Counting sort of the edges by target: dependent_begin_[d + 1] first counts
  // d's dependents, then (prefix sums) becomes the end of d's list; filling
  // walks each list's cursor from its start, which leaves dependent_begin_[d]
  // at d's end, so one shift puts every start back.
  dependent_begin_.assign(n + 1, 0);
  for (TransferId d : deps_) ++dependent_begin_[DependencyTarget(d) + 1];
  for (std::size_t i = 0; i < n; ++i) dependent_begin_[i + 1] += dependent_begin_[i];
  dependents_.resize(deps_.size());  // not zeroed (huge_pages.h): every entry is written below
  // Visiting transfers in id order leaves each dependents list sorted.
  for (TransferId id = 0; id < n; ++id) {
    for (TransferId d : deps(id)) {
      dependents_[dependent_begin_[DependencyTarget(d)]++] = id | (d & kDeliveryOnlyBit);
    }
  }
  for (std::size_t i = n; i > 0; --i) dependent_begin_[i] = dependent_begin_[i - 1];
  dependent_begin_[0] = 0;
  sealed_ = true;
}

Bytes Schedule::bytes_sent(Rank rank) const noexcept {
  std::int64_t total = 0;
  for (const StoredTransfer& t : transfers_) {
    if (t.src == rank) total += ranges_[t.range].length;
  }
  return Bytes{total};
}

Bytes Schedule::bytes_received(Rank rank) const noexcept {
  std::int64_t total = 0;
  for (const StoredTransfer& t : transfers_) {
    if (t.dst == rank) total += ranges_[t.range].length;
  }
  return Bytes{total};
}

std::size_t Schedule::critical_path_transfers() const {
  std::vector<std::uint32_t> depth(transfers_.size(), 1);
  std::uint32_t longest = 0;
  for (TransferId id = 0; id < transfers_.size(); ++id) {
    for (TransferId d : deps(id)) depth[id] = std::max(depth[id], depth[DependencyTarget(d)] + 1);
    longest = std::max(longest, depth[id]);
  }
  return longest;
}

std::string Schedule::describe() const {
  std::ostringstream out;
  for (TransferId id = 0; id < transfers_.size(); ++id) {
    const Transfer t = transfer(id);
    out << id << ": " << t.src << "->" << t.dst << (t.combine == Combine::kReduce ? " reduce" : " copy") << " ["
        << t.range.offset << "," << t.range.end() << ")";
    if (partner(id) != kNoPartner) out << " exchange with " << partner(id);
    auto d = deps(id);
    if (!d.empty()) {
      out << " after {";
      for (std::size_t i = 0; i < d.size(); ++i) {
        out << (i ? "," : "") << DependencyTarget(d[i]) << (IsDeliveryOnly(d[i]) ? "~" : "");
      }
      out << "}";
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace sim::collectives
